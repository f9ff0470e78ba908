/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two front-ends of the model: a settings file (config-nspawn.c) and a config.json (config-oci.c) that say
 * the same thing must give the same ContainerConfig. A table of pairs; then the OCI front-end's own cases:
 * refusals naming the JSON path, warnings, scope properties, hooks, the state JSON. */

#include <sched.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "config-nspawn.h"
#include "config-oci.h"
#include "nspawn-policy.h"
#include "parse-util.h"
#include "strv.h"
#include "test-assert.h"

#define ROOT "/srv/root"
#define NAME "m"

typedef struct NspawnModel {
        Settings *settings;
        char **argv;
        char **envp;
        ContainerConfig config;
} NspawnModel;

static void nspawn_model_done(NspawnModel *n) {
        settings_free(n->settings);
        strv_free(n->argv);
        strv_free(n->envp);
}

static void nspawn_model_trust(const char *text, bool trusted, NspawnModel *ret) {
        _cleanup_fclose_ FILE *f = NULL;
        char *error = NULL;
        bool boot;

        *ret = (NspawnModel) {};
        f = fmemopen((void *) text, strlen(text), "r");
        ASSERT(f);
        ASSERT_EQ(settings_parse(f, "pair.nspawn", trusted, &ret->settings, &error), 0);
        ASSERT(!error);
        ASSERT_EQ(nspawn_command(ret->settings, &boot, &ret->argv), 0);
        ASSERT_EQ(nspawn_environment(ret->settings, SD_ID128_NULL, boot, &ret->envp), 0);
        container_config_from_nspawn(ret->settings, ret->settings->private_network > 0,
                                     ret->settings->hostname ?: NAME, ROOT, ret->argv, ret->envp, &ret->config);
}

static void nspawn_model(const char *text, NspawnModel *ret) {
        nspawn_model_trust(text, true, ret);
}

/* ReadOnly=yes makes "auto" bind the host's resolv.conf and zoneinfo in; from an untrusted file it must not
 * (issue #12): the image's own files stay. An explicit mode is the file's own choice. */
static void test_untrusted_read_only(void) {
        NspawnModel n;

        nspawn_model_trust("[Exec]\nParameters=/bin/true\n[Files]\nReadOnly=yes\n", false, &n);
        ASSERT(n.config.read_only);
        ASSERT_EQ(n.config.resolv_conf, RESOLV_CONF_OFF);
        ASSERT_EQ(n.config.timezone, TIMEZONE_OFF);
        nspawn_model_done(&n);

        nspawn_model_trust("[Exec]\nParameters=/bin/true\n[Files]\nReadOnly=yes\n", true, &n);
        ASSERT_EQ(n.config.resolv_conf, RESOLV_CONF_AUTO);
        ASSERT_EQ(n.config.timezone, TIMEZONE_AUTO);
        nspawn_model_done(&n);

        nspawn_model_trust("[Exec]\nParameters=/bin/true\nResolvConf=copy-host\n[Files]\nReadOnly=yes\n", false, &n);
        ASSERT_EQ(n.config.resolv_conf, RESOLV_CONF_COPY_HOST);
        ASSERT_EQ(n.config.timezone, TIMEZONE_OFF);
        nspawn_model_done(&n);

        nspawn_model_trust("[Exec]\nParameters=/bin/true\n", false, &n);
        ASSERT_EQ(n.config.resolv_conf, RESOLV_CONF_AUTO);
        nspawn_model_done(&n);
}

static OciContainer *oci_model(const char *json) {
        OciSpec *spec = NULL;
        OciContainer *c = NULL;
        char *error = NULL;
        int r;

        r = oci_spec_parse(json, strlen(json), &spec, &error);
        if (r < 0) {
                fprintf(stderr, "oci_spec_parse: %s\n%s\n", error, json);
                abort();
        }
        r = oci_container_from_spec(spec, "/srv/bundle", NAME, NULL, &c, &error);
        if (r < 0) {
                fprintf(stderr, "oci_container_from_spec: %s\n%s\n", error, json);
                abort();
        }
        return c;
}

/* "\"CAP_A\", \"CAP_B\"" for the capabilities of MASK. */
static char *caps_json(uint64_t mask) {
        _cleanup_free_ char *s = strdup("");

        for (int i = 0; i < 64; i++) {
                _cleanup_free_ char *u = NULL;
                char *t, *n;

                if (!(mask & (UINT64_C(1) << i)))
                        continue;
                n = cap_to_name(i); /* libcap's memory: cap_free() */
                ASSERT(n);
                u = strdup(n);
                cap_free(n);
                for (char *c = u; *c; c++)
                        *c = *c >= 'a' && *c <= 'z' ? *c - 32 : *c;
                ASSERT(asprintf(&t, "%s%s\"%s\"", s, *s ? ", " : "", u) > 0);
                free(s);
                s = t;
        }
        return TAKE_PTR(s);
}

/* S with every WHAT replaced by WITH. */
static char *replace_all(const char *s, const char *what, const char *with) {
        char *r = strdup("");

        for (const char *p = s;;) {
                const char *q = strstr(p, what);
                char *t;

                ASSERT(asprintf(&t, "%s%.*s%s", r, (int) (q ? (size_t) (q - p) : strlen(p)), p, q ? with : "") > 0);
                free(r);
                r = t;
                if (!q)
                        return r;
                p = q + strlen(what);
        }
}

/* The masks of a model, whichever way they came: Inaccessible= and maskedPaths are the same mechanism. */
static char **masks(const ContainerConfig *c) {
        char **l = NULL;

        ASSERT_EQ(strv_extend_strv(&l, c->inaccessible), 0);
        ASSERT_EQ(strv_extend_strv(&l, c->masked_paths), 0);
        return l;
}

/* Bind mounts of a model as "SRC DST ro|rw r|n", whichever list they are in. */
static char **binds(const ContainerConfig *c) {
        char **l = NULL;

        for (size_t i = 0; i < c->n_custom_mounts; i++) {
                const CustomMount *m = c->custom_mounts + i;
                char *s;
                if (m->type != CUSTOM_MOUNT_BIND)
                        continue;
                ASSERT(asprintf(&s, "%s %s %s %s", m->source, m->destination, m->read_only ? "ro" : "rw",
                                m->options && strstr(m->options, "norbind") ? "n" : "r") > 0);
                ASSERT_EQ(strv_extend(&l, s), 0);
                free(s);
        }
        for (size_t i = 0; i < c->n_mounts; i++) {
                const ContainerMount *m = c->mounts + i;
                char *s;
                if (!streq(m->type, "bind"))
                        continue;
                ASSERT(asprintf(&s, "%s %s %s %s", m->source, m->destination,
                                m->attr & MOUNT_ATTR_RDONLY ? "ro" : "rw", m->recursive ? "r" : "n") > 0);
                ASSERT_EQ(strv_extend(&l, s), 0);
                free(s);
        }
        return l;
}

/* The calls denied with EPERM regardless of their arguments, whichever list they are in (a profile that
 * allows everything else). */
static char **denied(const ContainerConfig *c) {
        const ContainerSeccompProfile *p = c->seccomp_profile;
        char **l = NULL;

        ASSERT_EQ(strv_extend_strv(&l, c->syscall_deny), 0);
        if (!p)
                return l;
        ASSERT_EQ(p->default_action, CONTAINER_SECCOMP_ALLOW);
        for (size_t i = 0; i < p->n_rules; i++)
                if (p->rules[i].n_args == 0 && p->rules[i].action == CONTAINER_SECCOMP_ERRNO &&
                    p->rules[i].data == EPERM)
                        ASSERT_EQ(strv_extend(&l, p->rules[i].name), 0);
        return l;
}

static void assert_strv_eq(char **a, char **b, const char *what) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                goto fail;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        goto fail;
        strv_free(a);
        strv_free(b);
        return;
fail:
        fprintf(stderr, "%s differ:\n", what);
        STRV_FOREACH(s, a)
                fprintf(stderr, "  nspawn: %s\n", *s);
        STRV_FOREACH(s, b)
                fprintf(stderr, "  oci:    %s\n", *s);
        abort();
}

static void assert_same_model(const ContainerConfig *n, const ContainerConfig *o, char * const *env) {
        uint64_t eff_n = n->capabilities_set ? n->capability_effective : n->capability_bounding;
        uint64_t eff_o = o->capabilities_set ? o->capability_effective : o->capability_bounding;

        ASSERT_STREQ(n->hostname, o->hostname);
        ASSERT_STREQ(n->root, o->root);
        assert_strv_eq(strv_copy(n->argv), strv_copy(o->argv), "argv");
        ASSERT_STREQ(n->working_directory ?: "/", o->working_directory ?: "/");
        ASSERT_EQ(n->read_only, o->read_only);
        ASSERT_EQ(n->private_network, o->private_network);
        ASSERT_EQ(n->no_new_privileges, o->no_new_privileges);
        ASSERT_EQ(n->oom_score_adjust, o->oom_score_adjust);
        ASSERT_EQ(n->personality, o->personality);
        for (int i = 0; i < RLIMIT_NLIMITS; i++) {
                const struct rlimit *a = n->rlimits ? n->rlimits[i] : NULL, *b = o->rlimits ? o->rlimits[i] : NULL;
                ASSERT_EQ(!!a, !!b);
                if (a) {
                        ASSERT_EQ(a->rlim_cur, b->rlim_cur);
                        ASSERT_EQ(a->rlim_max, b->rlim_max);
                }
        }
        ASSERT_EQ(n->capability_bounding, o->capability_bounding);
        ASSERT_EQ(eff_n, eff_o);
        ASSERT_EQ(n->capability_ambient & n->capability_bounding, o->capability_ambient);
        /* Root without a user name is 0:0. */
        ASSERT(!n->user);
        ASSERT(!o->user);
        ASSERT(o->process_ids_set && o->uid == 0 && o->gid == 0 && o->n_additional_gids == 0);
        assert_strv_eq(masks(n), masks(o), "masks");
        assert_strv_eq(binds(n), binds(o), "bind mounts");
        assert_strv_eq(denied(n), denied(o), "denied system calls");
        STRV_FOREACH(e, env) {
                ASSERT(strv_find(n->envp, *e));
                ASSERT(strv_find(o->envp, *e));
        }
}

static const struct {
        const char *nspawn;
        const char *oci;                /* @CAPS@: the bounding/effective/permitted capability names */
        uint64_t caps_add, caps_drop;   /* what the settings change in nspawn's default set */
        const char *env[3];
} pairs[] = {
        {
                "[Exec]\nParameters=/bin/sh -c true\n",
                "{ \"ociVersion\": \"1.0.0\", \"root\": { \"path\": \"" ROOT "\" },"
                "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/sh\", \"-c\", \"true\" ],"
                "    \"capabilities\": { \"bounding\": [ @CAPS@ ], \"effective\": [ @CAPS@ ], \"permitted\": [ @CAPS@ ] } } }",
        },
        {
                "[Exec]\nParameters=/bin/app x 'y z'\nWorkingDirectory=/srv\nHostname=web\nNoNewPrivileges=yes\n"
                "LimitNOFILE=100:200\nLimitCORE=0\nOOMScoreAdjust=-500\nPersonality=x86\nEnvironment=FOO=bar\n"
                "DropCapability=CAP_SYS_ADMIN CAP_MKNOD\n"
                "[Files]\nReadOnly=yes\nInaccessible=/secret /other\nBindReadOnly=/srv/data:/data\nBind=/srv/rw:/rw\n"
                "[Network]\nPrivate=yes\n",
                "{ \"ociVersion\": \"1.2.0\", \"root\": { \"path\": \"" ROOT "\", \"readonly\": true },"
                "  \"hostname\": \"web\","
                "  \"process\": { \"cwd\": \"/srv\", \"args\": [ \"/bin/app\", \"x\", \"y z\" ], \"env\": [ \"FOO=bar\" ],"
                "    \"noNewPrivileges\": true, \"oomScoreAdj\": -500,"
                "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"soft\": 100, \"hard\": 200 },"
                "                   { \"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 0 } ],"
                "    \"capabilities\": { \"bounding\": [ @CAPS@ ], \"effective\": [ @CAPS@ ], \"permitted\": [ @CAPS@ ] } },"
                "  \"mounts\": [ { \"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\", \"options\": [ \"rbind\", \"ro\" ] },"
                "                { \"destination\": \"/rw\", \"type\": \"bind\", \"source\": \"/srv/rw\", \"options\": [ \"rbind\" ] } ],"
                "  \"linux\": { \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"network\" } ],"
                "    \"personality\": { \"domain\": \"LINUX32\" }, \"maskedPaths\": [ \"/secret\", \"/other\" ] } }",
                .caps_add = UINT64_C(1) << CAP_NET_ADMIN,
                .caps_drop = UINT64_C(1) << CAP_SYS_ADMIN | UINT64_C(1) << CAP_MKNOD,
                .env = { "FOO=bar" },
        },
        {
                "[Exec]\nParameters=/bin/true\nSystemCallFilter=~sethostname\n",
                "{ \"ociVersion\": \"1.1.0\", \"root\": { \"path\": \"" ROOT "\" },"
                "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ],"
                "    \"capabilities\": { \"bounding\": [ @CAPS@ ], \"effective\": [ @CAPS@ ], \"permitted\": [ @CAPS@ ] } },"
                "  \"linux\": { \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\","
                "    \"syscalls\": [ { \"names\": [ \"sethostname\" ], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1 } ] } } }",
        },
};

static void test_pairs(void) {
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
                _cleanup_(oci_container_freep) OciContainer *o = NULL;
                _cleanup_free_ char *caps = NULL, *json = NULL;
                NspawnModel n;

                nspawn_model(pairs[i].nspawn, &n);
                caps = caps_json((container_default_capabilities() | pairs[i].caps_add) & ~pairs[i].caps_drop);
                json = replace_all(pairs[i].oci, "@CAPS@", caps);
                o = oci_model(json);
                assert_same_model(&n.config, &o->config, (char **) pairs[i].env);
                nspawn_model_done(&n);
        }
}

/* A config.json the model cannot honour: -EINVAL and a message that starts with the JSON path. */
static void assert_refused(const char *linux_json, const char *prefix) {
        _cleanup_free_ char *json = NULL, *error = NULL;
        OciContainer *c = NULL;
        OciSpec *spec = NULL;

        ASSERT(asprintf(&json, "{ \"ociVersion\": \"1.0.0\", \"root\": { \"path\": \"/r\" },"
                        "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ] }, %s }", linux_json) > 0);
        if (oci_spec_parse(json, strlen(json), &spec, &error) < 0) {
                fprintf(stderr, "oci_spec_parse: %s\n", error);
                abort();
        }
        ASSERT_EQ(oci_container_from_spec(spec, "/b", NAME, NULL, &c, &error), -EINVAL);
        ASSERT(!c);
        ASSERT(error);
        if (strncmp(error, prefix, strlen(prefix)) != 0) {
                fprintf(stderr, "expected '%s...', got '%s'\n", prefix, error);
                abort();
        }
}

/* linux.devices and linux.resources.devices together with COUNT rules (the first COUNT_DEVICES of them
 * devices): refused past DEVICE_POLICY_RULES_MAX, naming the field. */
static char *many_devices_json(size_t count_devices, size_t count_rules) {
        size_t size = 128 + (count_devices + count_rules) * 96, n = 0;
        char *j = malloc(size);

        ASSERT(j);
        n += snprintf(j + n, size - n, "\"linux\": { \"devices\": [");
        for (size_t i = 0; i < count_devices; i++)
                n += snprintf(j + n, size - n, "%s{ \"path\": \"/dev/d%zu\", \"type\": \"c\", \"major\": 1, "
                              "\"minor\": %zu }", i ? "," : "", i, i);
        n += snprintf(j + n, size - n, "], \"resources\": { \"devices\": [");
        for (size_t i = 0; i < count_rules; i++)
                n += snprintf(j + n, size - n, "%s{ \"allow\": true, \"type\": \"c\", \"major\": 2, "
                              "\"minor\": %zu }", i ? "," : "", i);
        n += snprintf(j + n, size - n, "] } }");
        ASSERT(n < size);
        return j;
}

static void test_refusals(void) {
        {
                _cleanup_free_ char *a = many_devices_json(DEVICE_POLICY_RULES_MAX + 1, 0);
                _cleanup_free_ char *b = many_devices_json(DEVICE_POLICY_RULES_MAX, 1);
                assert_refused(a, "linux.devices: 4097 devices, at most 4096");
                assert_refused(b, "linux.resources.devices: 1 rules with linux.devices' 4096, at most 4096");
        }
        assert_refused("\"linux\": { \"seccomp\": { \"defaultAction\": \"SCMP_ACT_NOTIFY\" } }",
                       "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported");
        assert_refused("\"linux\": { \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                       "{ \"names\": [ \"read\" ], \"action\": \"SCMP_ACT_ALLOW\" },"
                       "{ \"names\": [ \"kill\" ], \"action\": \"SCMP_ACT_NOTIFY\" } ] } }",
                       "linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY is not supported");
        assert_refused("\"linux\": { \"cgroupsPath\": \"machine/foo\" }",
                       "linux.cgroupsPath: only the systemd form");
        /* A joined user namespace has its own maps: writing ours is refused (runc too), naming both. */
        assert_refused("\"linux\": { \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"user\", \"path\": \"/run/u\" } ],"
                       "  \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ],"
                       "  \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 } ] }",
                       "linux.uidMappings: ID mappings cannot be written for a joined user namespace "
                       "(linux.namespaces[1].path)");
        assert_refused("\"linux\": { \"namespaces\": [ { \"type\": \"time\" } ] }",
                       "linux.namespaces[0]: time namespaces are not supported");
        assert_refused("\"linux\": { \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ],"
                       "\"gidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ] }",
                       "linux.uidMappings: ID mappings need a user namespace");
        assert_refused("\"linux\": { \"namespaces\": [ { \"type\": \"user\" } ] }",
                       "linux.uidMappings: a new user namespace needs both");
        assert_refused("\"linux\": { \"resources\": { \"unified\": { \"io.max\": \"8:0 rbps=1\" } } }",
                       "linux.resources.unified[\"io.max\"]: not supported");
        assert_refused("\"linux\": { \"resources\": { \"unified\": { \"memory.max\": \"lots\" } } }",
                       "linux.resources.unified[\"memory.max\"]: invalid value \"lots\"");
        assert_refused("\"linux\": { \"resources\": { \"unified\": { \"cpu.max\": \"x 100000\" } } }",
                       "linux.resources.unified[\"cpu.max\"]: invalid value \"x 100000\"");
        assert_refused("\"linux\": { \"sysctl\": { \"net.ipv4.ip_forward\": \"1\" } }",
                       "linux.sysctl[\"net.ipv4.ip_forward\"]: not a sysctl of the container's own namespaces");
        assert_refused("\"linux\": { \"sysctl\": { \"kernel.hostname\": \"x\" } }",
                       "linux.sysctl[\"kernel.hostname\"]: not a sysctl of the container's own namespaces");
        assert_refused("\"linux\": { \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                       "{ \"names\": [ \"read\" ], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5000 } ] } }",
                       "linux.seccomp.syscalls[0].errnoRet: 5000 is not an errno (at most 4095)");
        assert_refused("\"mounts\": [ { \"destination\": \"/a\", \"type\": \"bind\" } ]",
                       "mounts[0]: a bind mount needs a source");
        assert_refused("\"mounts\": [ { \"destination\": \"/a\", \"source\": \"/b\", \"options\": [ \"bind\", \"idmap\" ] } ]",
                       "mounts[0]: options: idmap, ridmap and tmpcopyup are not supported");
        assert_refused("\"linux\": { \"devices\": [ { \"path\": \"/etc/x\", \"type\": \"c\", \"major\": 1, \"minor\": 3 } ] }",
                       "linux.devices[0]: path: must be a normalized path below /dev");
        /* Up and out of /dev: refused naming the field, not only by the model's own check. */
        assert_refused("\"linux\": { \"devices\": [ { \"path\": \"/dev/../etc/x\", \"type\": \"c\", \"major\": 1, \"minor\": 3 } ] }",
                       "linux.devices[0]: path: must be a normalized path below /dev");
        assert_refused("\"linux\": { \"devices\": [ { \"path\": \"/dev/x/..\", \"type\": \"c\", \"major\": 1, \"minor\": 3 } ] }",
                       "linux.devices[0]: path: must be a normalized path below /dev");
}

static bool strv_find_startswith(char **l, const char *prefix) {
        STRV_FOREACH(s, l)
                if (startswith(*s, prefix))
                        return true;
        return false;
}

static const OciScopeProperty *property(const OciContainer *c, const char *name) {
        const OciScopeProperty *found = NULL;

        for (size_t i = 0; i < c->n_scope_properties; i++)
                if (streq(c->scope_properties[i].name, name))
                        found = c->scope_properties + i; /* the last one wins, as with systemd */
        return found;
}

static void test_resources_and_more(void) {
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        const OciScopeProperty *p;
        _cleanup_free_ char *state = NULL;
        json_object *o;

        c = oci_model("{ \"ociVersion\": \"1.0.0\", \"root\": { \"path\": \"/r\" },"
                      "  \"annotations\": { \"k\": \"v\" },"
                      "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ] },"
                      "  \"mounts\": [ { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },"
                      "               { \"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [ \"nosuid\", \"mode=755\", \"size=1m\" ] } ],"
                      "  \"hooks\": { \"prestart\": [ { \"path\": \"/bin/a\" } ], \"startContainer\": [ { \"path\": \"/b\", \"timeout\": 3 } ] },"
                      "  \"linux\": { \"cgroupsPath\": \"user.slice:pfx:id1\","
                      "    \"devices\": [ { \"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229 } ],"
                      "    \"resources\": { \"memory\": { \"limit\": 1000, \"swap\": 3000, \"reservation\": -1 },"
                      "      \"devices\": [ { \"allow\": false, \"access\": \"rwm\" },"
                      "                   { \"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": 3, \"access\": \"wr\" },"
                      "                   { \"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\" },"
                      "                   { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"\" } ],"
                      "      \"cpu\": { \"shares\": 1024, \"quota\": 20000, \"period\": 100000, \"cpus\": \"0-2,5\" },"
                      "      \"pids\": { \"limit\": -1 }, \"blockIO\": { \"weight\": 500,"
                      "        \"throttleReadBpsDevice\": [ { \"major\": 8, \"minor\": 0, \"rate\": 1048576 } ] },"
                      "      \"unified\": { \"memory.high\": \"max\", \"cpu.max\": \"50000 100000\" } },"
                      "    \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                      "      { \"names\": [ \"no_such_call_xyz\", \"getpriority\" ], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,"
                      "        \"args\": [ { \"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\" } ] } ] } } }");

        /* A relative bind source is relative to the bundle. */
        {
                _cleanup_(oci_container_freep) OciContainer *b = oci_model(
                        "{ \"ociVersion\": \"1.0.0\", \"root\": { \"path\": \"/r\" },"
                        "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ] },"
                        "  \"mounts\": [ { \"destination\": \"/d\", \"source\": \"data/x\", \"options\": [ \"bind\" ] } ] }");
                ASSERT_EQ(b->n_mounts, 1);
                ASSERT_STREQ(b->mounts[0].type, "bind");
                ASSERT_STREQ(b->mounts[0].source, "/srv/bundle/data/x");
                ASSERT(!b->mounts[0].recursive);
        }

        /* The runtime's own /proc stays: the bundle's proc mount is skipped, with a warning. */
        ASSERT_EQ(c->n_mounts, 1);
        ASSERT_STREQ(c->mounts[0].type, "tmpfs");
        ASSERT_EQ(c->mounts[0].attr, MOUNT_ATTR_NOSUID);
        ASSERT_STREQ(c->mounts[0].options[0], "mode=755");
        ASSERT_STREQ(c->mounts[0].options[1], "size=1m");
        ASSERT(!c->mounts[0].options[2]);
        ASSERT(strv_find_startswith(c->warnings, "mounts[0]: proc on /proc is provided by the runtime"));
        /* The unknown system call is skipped (with a warning), the known one keeps its condition. */
        ASSERT(c->config.seccomp_profile);
        ASSERT_EQ(c->config.seccomp_profile->default_action, CONTAINER_SECCOMP_ALLOW);
        ASSERT_EQ(c->config.seccomp_profile->n_rules, 1);
        ASSERT_STREQ(c->config.seccomp_profile->rules[0].name, "getpriority");
        ASSERT_EQ(c->config.seccomp_profile->rules[0].action, CONTAINER_SECCOMP_ERRNO);
        ASSERT_EQ(c->config.seccomp_profile->rules[0].data, 13);
        ASSERT_EQ(c->config.seccomp_profile->rules[0].n_args, 1);
        ASSERT_EQ(c->config.seccomp_profile->rules[0].args[0].op, CONTAINER_SECCOMP_OP_EQ);
        ASSERT_EQ(c->config.seccomp_profile->rules[0].args[0].value, 2);
        ASSERT(strv_find_startswith(c->warnings, "linux.seccomp.syscalls[0]: unknown system call no_such_call_xyz"));
        /* Devices: the node, and a device rule for it (no scope property: the policy is ours). */
        ASSERT_EQ(c->config.n_devices, 1);
        ASSERT_EQ(c->config.devices[0].type, S_IFCHR);
        ASSERT_EQ(c->config.devices[0].mode, 0666);
        ASSERT(!property(c, "DeviceAllow"));
        ASSERT_EQ(c->device_rules[0].type, 'c');
        ASSERT_EQ(c->device_rules[0].major, 10);
        ASSERT_EQ(c->device_rules[0].minor, 229);
        ASSERT_EQ(c->device_rules[0].access, DEVICE_ACCESS_ALL);
        /* linux.resources.devices: the allowed device; the denial is the policy's default; the wildcard is
         * left out, with a warning. */
        ASSERT_EQ(c->n_device_rules, 3);
        ASSERT_EQ(c->device_rules[1].type, 'b');
        ASSERT_EQ(c->device_rules[1].major, 7);
        ASSERT_EQ(c->device_rules[1].minor, 3);
        ASSERT_EQ(c->device_rules[1].access, DEVICE_ACCESS_READ | DEVICE_ACCESS_WRITE);
        ASSERT(strv_find_startswith(c->warnings, "linux.resources.devices[2]: wildcard rules are not supported"));
        /* An empty access is all of it, as systemd's DeviceAllow= reads it. */
        ASSERT_EQ(c->device_rules[2].minor, 11);
        ASSERT_EQ(c->device_rules[2].access, DEVICE_ACCESS_ALL);
        /* Slice and unit. */
        ASSERT_STREQ(c->slice, "user.slice");
        ASSERT_STREQ(c->unit, "pfx-id1.scope");
        /* Resources. */
        ASSERT((p = property(c, "MemoryMax")) && p->u64 == 1000);
        ASSERT((p = property(c, "MemorySwapMax")) && p->u64 == 2000);
        ASSERT((p = property(c, "MemoryLow")) && p->u64 == UINT64_MAX);
        ASSERT((p = property(c, "MemoryHigh")) && p->u64 == UINT64_MAX);
        ASSERT((p = property(c, "CPUWeight")) && p->u64 == 39);
        ASSERT((p = property(c, "CPUQuotaPerSecUSec")) && p->u64 == 500000); /* unified cpu.max is later */
        ASSERT((p = property(c, "TasksMax")) && p->u64 == UINT64_MAX);
        ASSERT((p = property(c, "IOWeight")) && p->u64 == 1 + (490 * 9999) / 990);
        ASSERT((p = property(c, "IOReadBandwidthMax")) && p->n_devices == 1);
        ASSERT_STREQ(p->device_paths[0], "/dev/block/8:0");
        ASSERT_EQ(p->device_values[0], 1048576);
        ASSERT((p = property(c, "AllowedCPUs")) && p->n_bytes == 1 && p->bytes[0] == 0x27);
        /* Hooks: the init pauses for prestart; startContainer goes to the init. */
        ASSERT(c->config.hooks_pause);
        ASSERT_EQ(c->config.n_start_hooks, 1);
        ASSERT_STREQ(c->config.start_hooks[0].path, "/b");
        ASSERT_EQ(c->config.start_hooks[0].timeout, 3);
        /* No process.env: only the defaults (none here), not NULL. */
        ASSERT(c->config.envp && !c->config.envp[0]);
        /* The state JSON. */
        ASSERT_EQ(oci_state_json(c, "id1", "creating", 42, &state), 0);
        o = json_tokener_parse(state);
        ASSERT(o);
        ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "id")), "id1");
        ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "status")), "creating");
        ASSERT_EQ(json_object_get_int(json_object_object_get(o, "pid")), 42);
        ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "bundle")), "/srv/bundle");
        ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "ociVersion")), "1.0.0");
        ASSERT_STREQ(json_object_get_string(json_object_object_get(json_object_object_get(o, "annotations"), "k")), "v");
        json_object_put(o);
}

/* Every namespace type can be joined by path; each joined one names its JSON path for errors. */
static void test_joined_namespaces(void) {
        static const struct {
                const char *oci;
                ContainerNamespaceType type;
        } types[] = {
                { "network", CONTAINER_NAMESPACE_NET }, { "uts", CONTAINER_NAMESPACE_UTS },
                { "ipc", CONTAINER_NAMESPACE_IPC },     { "user", CONTAINER_NAMESPACE_USER },
                { "pid", CONTAINER_NAMESPACE_PID },     { "mount", CONTAINER_NAMESPACE_MOUNT },
                { "cgroup", CONTAINER_NAMESPACE_CGROUP },
        };
        _cleanup_free_ char *json = NULL, *error = NULL, *list = NULL;
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        OciSpec *spec = NULL;

        list = strdup("");
        ASSERT(list);
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                char *l;
                ASSERT(asprintf(&l, "%s%s{ \"type\": \"%s\", \"path\": \"/run/ns/%s\" }", list, i > 0 ? ", " : "",
                                types[i].oci, types[i].oci) > 0);
                free(list);
                list = l;
        }
        ASSERT(asprintf(&json, "{ \"ociVersion\": \"1.0.0\", \"root\": { \"path\": \"/r\" },"
                        "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ] },"
                        "  \"linux\": { \"namespaces\": [ %s ] } }", list) > 0);
        ASSERT_EQ(oci_spec_parse(json, strlen(json), &spec, &error), 0);
        ASSERT_EQ(oci_container_from_spec(spec, "/b", NAME, NULL, &c, &error), 0);
        ASSERT_EQ(c->config.n_join_namespaces, ELEMENTSOF(types));
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                const ContainerNamespace *n = c->config.join_namespaces + i;
                char want[64];

                ASSERT_EQ(n->type, types[i].type);
                snprintf(want, sizeof(want), "/run/ns/%s", types[i].oci);
                ASSERT_STREQ(n->path, want);
                snprintf(want, sizeof(want), "linux.namespaces[%zu].path", i);
                ASSERT_STREQ(n->origin, want);
        }
        /* Joined, not new: no network namespace of its own, no maps. */
        ASSERT(!c->config.private_network);
        ASSERT_EQ(c->config.n_uid_map, 0u);
        ASSERT_EQ(container_config_validate(&c->config), 0);

        /* A joined user namespace has its own maps: no PrivateUsers= range, no maps of ours. */
        c->config.userns_range = 65536;
        c->config.userns_shift = 65536 * 4;
        ASSERT_EQ(container_config_validate(&c->config), -EINVAL);
        c->config.userns_range = 0;
        /* A type is shared with the creator, or joined, not both; only UTS, IPC and cgroup can be shared. */
        c->config.shared_namespaces = CLONE_NEWUTS;
        ASSERT_EQ(container_config_validate(&c->config), -EINVAL);
        c->config.n_join_namespaces = 0;
        ASSERT_EQ(container_config_validate(&c->config), 0);
        ASSERT(!container_config_new_namespace(&c->config, CONTAINER_NAMESPACE_UTS));
        ASSERT(container_config_new_namespace(&c->config, CONTAINER_NAMESPACE_IPC));
        ASSERT(container_config_new_namespace(&c->config, CONTAINER_NAMESPACE_PID));
        ASSERT(!container_config_new_namespace(&c->config, CONTAINER_NAMESPACE_NET));
        ASSERT(!container_config_new_namespace(&c->config, CONTAINER_NAMESPACE_USER));
        c->config.shared_namespaces = CLONE_NEWNS;
        ASSERT_EQ(container_config_validate(&c->config), -EINVAL);
        c->config.shared_namespaces = CLONE_NEWPID;
        ASSERT_EQ(container_config_validate(&c->config), -EINVAL);
}

/* The check of a joined namespace's path, before anything is cloned: a namespace file of that type (our own
 * are readable without privileges), else an error naming the origin. */
static void test_namespace_open(void) {
        ContainerNamespace n = { .type = CONTAINER_NAMESPACE_NET, .path = "/proc/self/ns/net",
                                 .origin = "linux.namespaces[3].path" };
        _cleanup_free_ char *error = NULL;
        int fd;

        fd = container_namespace_open(&n, &error);
        ASSERT(fd >= 0);
        ASSERT(!error);
        close(fd);
        n.type = CONTAINER_NAMESPACE_PID;
        ASSERT_EQ(container_namespace_open(&n, &error), -EMEDIUMTYPE);
        ASSERT_STREQ(error, "linux.namespaces[3].path: /proc/self/ns/net is not a pid namespace");
        error = mfree(error);
        n.path = "/proc/self/ns/pid";
        fd = container_namespace_open(&n, &error);
        ASSERT(fd >= 0);
        close(fd);
        n.path = "/proc/self/status";
        ASSERT_EQ(container_namespace_open(&n, &error), -EMEDIUMTYPE);
        ASSERT_STREQ(error, "linux.namespaces[3].path: /proc/self/status is not a pid namespace");
        error = mfree(error);
        n.path = "/nonexistent/ns";
        n.origin = NULL;
        ASSERT_EQ(container_namespace_open(&n, &error), -ENOENT);
        ASSERT_STREQ(error, "/nonexistent/ns: cannot open /nonexistent/ns: No such file or directory");
}

/* A cgroupfs path (containerd's "/default/ID") is kept for the caller: the OCI CLI's cgroupfs manager uses it,
 * the daemon refuses it. */
static void test_cgroups_path(void) {
        static const char json[] = "{ \"ociVersion\": \"1.0.0\", \"root\": { \"path\": \"/r\" },"
                "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ] },"
                "  \"linux\": { \"cgroupsPath\": \"/default/ctr1\" } }";
        _cleanup_free_ char *error = NULL;
        OciContainer *c = NULL;
        OciSpec *spec = NULL;

        ASSERT_EQ(oci_spec_parse(json, strlen(json), &spec, &error), 0);
        ASSERT_EQ(oci_container_from_spec(spec, "/b", NAME, NULL, &c, &error), 0);
        ASSERT_STREQ(c->cgroups_path, "/default/ctr1");
        ASSERT(!c->unit);
        oci_container_free(c);
}

/* A model of a config.json whose process has PROCESS_FIELDS besides cwd and args, with FLAGS; returns what
 * oci_container_from_spec_full() returns, the model in *RET, the message in *RET_ERROR. */
static int process_model(const char *process_fields, OciModelFlags flags, OciContainer **ret, char **ret_error) {
        _cleanup_free_ char *json = NULL;
        OciSpec *spec = NULL;

        ASSERT(asprintf(&json, "{ \"ociVersion\": \"1.0.0\", \"root\": { \"path\": \"/r\" },"
                        "  \"process\": { \"cwd\": \"/\", \"args\": [ \"/bin/true\" ], %s } }", process_fields) > 0);
        if (oci_spec_parse(json, strlen(json), &spec, ret_error) < 0) {
                fprintf(stderr, "oci_spec_parse: %s\n", *ret_error);
                abort();
        }
        return oci_container_from_spec_full(spec, "/b", NAME, NULL, flags, ret, ret_error);
}

static void assert_process_refused(const char *process_fields, OciModelFlags flags, const char *prefix) {
        _cleanup_free_ char *error = NULL;
        OciContainer *c = NULL;

        ASSERT_EQ(process_model(process_fields, flags, &c, &error), -EINVAL);
        ASSERT(!c);
        if (!error || strncmp(error, prefix, strlen(prefix)) != 0) {
                fprintf(stderr, "expected '%s...', got '%s'\n", prefix, error ?: "(null)");
                abort();
        }
}

static bool cpu_set_is(const cpu_set_t *set, const char *list) {
        cpu_set_t want;
        const char *reason;

        ASSERT_EQ(parse_cpu_set(list, &want, &reason), 0);
        return set && CPU_EQUAL(set, &want);
}

/* process.scheduler, ioPriority and execCPUAffinity: what the set-up applies, and what sched_setattr() would
 * refuse refused up front, naming the field. */
static void test_process_scheduling(void) {
        _cleanup_free_ char *error = NULL;
        OciContainer *c = NULL;

        ASSERT_EQ(process_model("\"scheduler\": { \"policy\": \"SCHED_BATCH\", \"nice\": 5,"
                                " \"flags\": [ \"SCHED_FLAG_RESET_ON_FORK\" ] },"
                                "\"ioPriority\": { \"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4 },"
                                "\"execCPUAffinity\": { \"initial\": \"1\", \"final\": \"0\" }", 0, &c, &error), 0);
        ASSERT(c->config.scheduler);
        ASSERT_EQ(c->config.scheduler->policy, (uint32_t) SCHED_BATCH);
        ASSERT_EQ(c->config.scheduler->nice, 5);
        ASSERT_EQ(c->config.scheduler->flags, UINT64_C(1));
        ASSERT_EQ(c->config.scheduler->priority, 0u);
        ASSERT_EQ(c->config.io_priority, 2 << 13 | 4);
        /* The container's own process: execCPUAffinity is not its, it gets every CPU (not its caller's). */
        ASSERT(!c->exec_affinity_initial);
        ASSERT(!c->config.cpu_affinity);
        ASSERT(c->config.cpu_affinity_reset);
        c = oci_container_free(c);

        ASSERT_EQ(process_model("\"scheduler\": { \"policy\": \"SCHED_FIFO\", \"priority\": 10 }", 0, &c, &error), 0);
        ASSERT_EQ(c->config.scheduler->policy, (uint32_t) SCHED_FIFO);
        ASSERT_EQ(c->config.scheduler->priority, 10u);
        ASSERT_EQ(c->config.io_priority, 0);
        c = oci_container_free(c);

        /* An exec'd process: initial, then final; initial alone stays; neither: every CPU. */
        ASSERT_EQ(process_model("\"execCPUAffinity\": { \"initial\": \"1\", \"final\": \"0,2-3\" }", OCI_MODEL_EXEC,
                                &c, &error), 0);
        ASSERT(cpu_set_is(c->exec_affinity_initial, "1"));
        ASSERT(cpu_set_is(c->config.cpu_affinity, "0 2 3"));
        ASSERT_STREQ(c->config.cpu_affinity_name, "process.execCPUAffinity.final");
        ASSERT(!c->config.cpu_affinity_reset);
        c = oci_container_free(c);
        ASSERT_EQ(process_model("\"execCPUAffinity\": { \"initial\": \"0-1\" }", OCI_MODEL_EXEC, &c, &error), 0);
        ASSERT(cpu_set_is(c->exec_affinity_initial, "0,1"));
        ASSERT(!c->config.cpu_affinity);
        ASSERT(!c->config.cpu_affinity_reset);
        c = oci_container_free(c);
        ASSERT_EQ(process_model("\"execCPUAffinity\": { \"final\": \"1\" }", OCI_MODEL_EXEC, &c, &error), 0);
        ASSERT(!c->exec_affinity_initial);
        ASSERT(cpu_set_is(c->config.cpu_affinity, "1"));
        c = oci_container_free(c);
        /* "" is no list (runc's omitempty); neither: every CPU. */
        ASSERT_EQ(process_model("\"execCPUAffinity\": { \"initial\": \"\", \"final\": \"\" }", OCI_MODEL_EXEC,
                                &c, &error), 0);
        ASSERT(!c->exec_affinity_initial);
        ASSERT(!c->config.cpu_affinity);
        ASSERT(c->config.cpu_affinity_reset);
        ASSERT(!c->config.scheduler);
        c = oci_container_free(c);

        assert_process_refused("\"scheduler\": { \"policy\": \"SCHED_OTHER\", \"priority\": 3 }", 0,
                               "process.scheduler.priority: only SCHED_FIFO and SCHED_RR have one");
        assert_process_refused("\"scheduler\": { \"policy\": \"SCHED_RR\" }", 0,
                               "process.scheduler.priority: SCHED_FIFO and SCHED_RR need a priority of 1 to 99, not 0");
        assert_process_refused("\"scheduler\": { \"policy\": \"SCHED_FIFO\", \"priority\": 100 }", 0,
                               "process.scheduler.priority: SCHED_FIFO and SCHED_RR need a priority of 1 to 99, not 100");
        assert_process_refused("\"scheduler\": { \"policy\": \"SCHED_BATCH\", \"deadline\": 1000 }", 0,
                               "process.scheduler.deadline: only SCHED_DEADLINE has one");
        assert_process_refused("\"scheduler\": { \"policy\": \"SCHED_ISO\" }", 0,
                               "process.scheduler.policy: SCHED_ISO is not implemented by Linux");
        /* Checked for the container too: an exec would use them later. */
        assert_process_refused("\"execCPUAffinity\": { \"initial\": \"3-1\" }", 0,
                               "process.execCPUAffinity.initial: range with start above end");
        assert_process_refused("\"execCPUAffinity\": { \"final\": \"1024\" }", OCI_MODEL_EXEC,
                               "process.execCPUAffinity.final: CPU index above 1023");
        assert_process_refused("\"execCPUAffinity\": { \"final\": \",\" }", OCI_MODEL_EXEC,
                               "process.execCPUAffinity.final: no CPU");
}

int main(void) {
        test_untrusted_read_only();
        test_cgroups_path();
        test_pairs();
        test_joined_namespaces();
        test_namespace_open();
        test_refusals();
        test_resources_and_more();
        test_process_scheduling();
        return 0;
}
