/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-oci-spec FIXTURE_DIR [--dump-corpus DIR]
 * FIXTURE_DIR is test/oci/. With --dump-corpus the invalid snippets are written to DIR (to seed the fuzzer
 * corpus in test/fuzz/oci-spec/) and nothing else is done. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci-json.h"
#include "oci-spec.h"
#include "strv.h"
#include "test-assert.h"

static const char *fixtures;

/* Snippets are written with ' for " to stay readable. */
static char *unquote(const char *s) {
        char *c = strdup(s);
        ASSERT(c);
        for (char *p = c; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return c;
}

#define V "'ociVersion':'1.0.2','root':{'path':'rootfs'}"
#define P "'user':{'uid':0,'gid':0},'args':['sh'],'cwd':'/'"
#define LX(x) "{" V ",'linux':{" x "}}"
#define PR(x) "{" V ",'process':{" P "," x "}}"
#define SC(x) LX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'," x "}")
#define RS(x) LX("'resources':{" x "}")

static const struct {
        const char *json;
        const char *error;
        int r;                  /* 0 means -EINVAL */
} invalid[] = {
        { "[]",                                                 "config.json: expected a JSON object", 0 },
        { "{",                                                  "unexpected end of input", -EBADMSG },
        { "{} x",                                               "invalid JSON at byte 3", -EBADMSG },
        { "{'a':1,}",                                           "invalid JSON", -EBADMSG },
        { "{}",                                                 "ociVersion: required field is missing", 0 },
        { "{'ociVersion':1}",                                   "ociVersion: expected a string, got an integer", 0 },
        { "{'ociVersion':'0.5.0-dev','root':{'path':'r'}}",     "ociVersion: unsupported version \"0.5.0-dev\"",
          -EPROTONOSUPPORT },
        { "{'ociVersion':'2.0.0','root':{'path':'r'}}",         "only runtime-spec 1.x is supported", -EPROTONOSUPPORT },
        { "{'ociVersion':'1.0','root':{'path':'r'}}",           "ociVersion: \"1.0\" is not a SemVer version", 0 },
        { "{'ociVersion':'1.0.0-','root':{'path':'r'}}",        "is not a SemVer version", 0 },
        { "{'ociVersion':'01.0.0','root':{'path':'r'}}",        "is not a SemVer version", 0 },
        { "{'ociVersion':'1.0.0'}",                             "root: required field is missing", 0 },
        { "{'ociVersion':'1.0.0','root':{'path':5}}",           "root.path: expected a string", 0 },
        { "{'ociVersion':'1.0.0','root':{'path':''}}",          "root.path: must not be empty", 0 },
        { "{'ociVersion':'1.0.0','root':{'path':'r','readonly':'yes'}}", "root.readonly: expected a boolean", 0 },
        { "{" V ",'mounts':{}}",                                "mounts: expected an array, got an object", 0 },
        { "{" V ",'mounts':[{'type':'proc'}]}",                 "mounts[0].destination: required field is missing", 0 },
        { "{" V ",'mounts':[{'destination':'/a'},{'destination':'/b','options':['ro',5]}]}",
          "mounts[1].options[1]: expected a string, got an integer", 0 },
        { "{" V ",'mounts':[{'destination':'/a','uidMappings':[]}]}",
          "mounts[0]: uidMappings and gidMappings must be given together", 0 },
        { "{" V ",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':0,'size':0}],"
          "'gidMappings':[]}]}",                                "mounts[0].uidMappings[0]: size must be positive", 0 },
        { "{" V ",'mounts':[{'destination':''}]}",              "mounts[0]: destination must not be empty", 0 },
        { "{" V ",'mounts':[null]}",                            "mounts[0]: expected an object, got null", 0 },
        { "{" V ",'process':{'user':{'uid':0,'gid':0},'args':['sh','-c',3],'cwd':'/'}}",
          "process.args[2]: expected a string", 0 },
        { "{" V ",'process':{'user':{'uid':0,'gid':0},'args':[],'cwd':'/'}}",
          "process.args: must contain at least one entry", 0 },
        { "{" V ",'process':{'user':{'uid':0,'gid':0},'cwd':'/'}}", "process.args: required field is missing", 0 },
        { "{" V ",'process':{'user':{'uid':0,'gid':0},'args':['sh'],'cwd':'root'}}",
          "process.cwd: must be an absolute path", 0 },
        { "{" V ",'process':{'user':{'uid':0,'gid':0},'args':['sh']}}", "process.cwd: required field is missing", 0 },
        { "{" V ",'process':{'user':[0,0],'args':['sh'],'cwd':'/'}}", "process.user: expected an object, got an array", 0 },
        { "{" V ",'process':{'user':{'uid':-1,'gid':0},'args':['sh'],'cwd':'/'}}",
          "process.user.uid: expected an unsigned integer, got -1", 0 },
        { "{" V ",'process':{'user':{'uid':4294967296,'gid':0},'args':['sh'],'cwd':'/'}}",
          "process.user.uid: value 4294967296 out of range [0, 4294967295]", 0 },
        { "{" V ",'process':{'user':{'uid':0,'gid':1.5},'args':['sh'],'cwd':'/'}}",
          "process.user.gid: expected an unsigned integer, got a number with a fraction", 0 },
        { "{" V ",'process':{'user':{'uid':0},'args':['sh'],'cwd':'/'}}", "process.user.gid: required field", 0 },
        { PR("'user':{'uid':0,'gid':0,'umask':512}"),           "process.user: umask 01000 out of range", 0 },
        { PR("'user':{'uid':0,'gid':0,'additionalGids':[1,'2']}"), "process.user.additionalGids[1]: expected an", 0 },
        { PR("'env':['A=1','NOEQUALS']"),                       "process.env[1]: expected KEY=VALUE", 0 },
        { PR("'env':['=x']"),                                   "process.env[0]: expected KEY=VALUE", 0 },
        { PR("'capabilities':['CAP_KILL']"),                    "process.capabilities: expected an object", 0 },
        { PR("'capabilities':{'bounding':['CAP_CHOWN','cap_kill']}"),
          "process.capabilities.bounding[1]: invalid capability name \"cap_kill\"", 0 },
        { PR("'capabilities':{'ambient':['12']}"),              "process.capabilities.ambient[0]: invalid capability", 0 },
        { PR("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
          "process.rlimits[0]: unknown rlimit type \"RLIMIT_FOO\"", 0 },
        { PR("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]"),
          "process.rlimits[1]: duplicate rlimit type", 0 },
        { PR("'rlimits':[{'type':'RLIMIT_NOFILE','soft':10,'hard':5}]"),
          "process.rlimits[0]: soft limit 10 exceeds hard limit 5", 0 },
        { PR("'rlimits':[{'type':'RLIMIT_NOFILE','soft':10}]"), "process.rlimits[0].hard: required field is missing", 0 },
        { PR("'oomScoreAdj':1001"),                             "process.oomScoreAdj: value 1001 out of range", 0 },
        { PR("'scheduler':{'policy':'SCHED_FOO'}"),             "process.scheduler.policy: unknown scheduling policy", 0 },
        { PR("'scheduler':{'nice':1}"),                         "process.scheduler.policy: required field is missing", 0 },
        { PR("'scheduler':{'policy':'SCHED_RR','flags':['SCHED_FLAG_X']}"),
          "process.scheduler.flags[0]: unknown scheduler flag", 0 },
        { PR("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"), "process.ioPriority.priority: value 8 out of", 0 },
        { PR("'ioPriority':{'class':'IOPRIO_CLASS_NONE','priority':0}"), "process.ioPriority.class: unknown I/O", 0 },
        { PR("'terminal':true,'consoleSize':{'height':10}"),    "process.consoleSize.width: required field is missing", 0 },
        { PR("'terminal':'true'"),                              "process.terminal: expected a boolean, got a string", 0 },
        { PR("'noNewPrivileges':1"),                            "process.noNewPrivileges: expected a boolean", 0 },
        { PR("'execCPUAffinity':{'initial':'0-3;7'}"),          "process.execCPUAffinity.initial: invalid CPU list", 0 },
        { "{" V ",'hostname':5}",                               "hostname: expected a string", 0 },
        { "{" V ",'hostname':'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}",
          "hostname: longer than 64 bytes", 0 },
        { "{" V ",'hostname':'a\\u0000b'}",                     "hostname: string contains a NUL byte", 0 },
        { "{" V ",'hostname':'a\\u001b[2Jb'}",
          "hostname: control character or text that is not UTF-8 in 'a?[2Jb'", 0 },
        { "{" V ",'hostname':'a\\ufffeb'}",
          "hostname: control character or text that is not UTF-8 in 'a???b'", 0 },
        { "{" V ",'hooks':{'prestart':[{'path':'relative'}]}}", "hooks.prestart[0].path: must be an absolute path", 0 },
        { "{" V ",'hooks':{'poststop':[{'path':'/a'},{'path':'/b','timeout':0}]}}",
          "hooks.poststop[1]: timeout must be greater than zero", 0 },
        { "{" V ",'hooks':{'createRuntime':{}}}",               "hooks.createRuntime: expected an array", 0 },
        { "{" V ",'hooks':{'poststart':[{'args':['x']}]}}",     "hooks.poststart[0].path: required field is missing", 0 },
        { "{" V ",'annotations':{'a':1}}",                      "annotations[\"a\"]: expected a string", 0 },
        { "{" V ",'annotations':{'':'x'}}",                     "annotations[\"\"]: key must not be empty", 0 },
        { "{" V ",'annotations':[]}",                           "annotations: expected an object", 0 },
        { "{" V ",'linux':[]}",                                 "linux: expected an object, got an array", 0 },
        { LX("'namespaces':[{'type':'pid'},{'type':'foo'}]"),   "linux.namespaces[1].type: unknown namespace type \"foo\"", 0 },
        { LX("'namespaces':[{'type':'pid'},{'type':'pid'}]"),   "linux.namespaces[1]: duplicate namespace type \"pid\"", 0 },
        { LX("'namespaces':[{'type':'net','path':'x'}]"),       "linux.namespaces[0].type: unknown namespace type", 0 },
        { LX("'namespaces':[{'type':'network','path':'x'}]"),   "linux.namespaces[0].path: must be an absolute path", 0 },
        { LX("'uidMappings':[{'containerID':0,'size':1}]"),     "linux.uidMappings[0].hostID: required field is missing", 0 },
        { LX("'gidMappings':[{'containerID':4294967295,'hostID':0,'size':1}]"),
          "linux.gidMappings[0]: mapping exceeds the 32-bit ID range", 0 },
        { LX("'devices':[{'type':'x','path':'/dev/x'}]"),       "linux.devices[0].type: unknown device type \"x\"", 0 },
        { LX("'devices':[{'type':'c','path':'/dev/x','minor':1}]"), "linux.devices[0].major: required field is missing", 0 },
        { LX("'devices':[{'type':'c','path':'dev/x','major':1,'minor':1}]"), "linux.devices[0].path: must be an absolute", 0 },
        { LX("'devices':[{'type':'c','path':'/dev/x','major':1,'minor':1,'fileMode':4096}]"),
          "linux.devices[0]: fileMode 4096 has bits beyond 07777", 0 },
        { LX("'timeOffsets':{'realtime':{'secs':1}}"),          "linux.timeOffsets[\"realtime\"]: unknown clock", 0 },
        { LX("'timeOffsets':{'boottime':{'nanosecs':1000000000}}"), "timeOffsets[\"boottime\"]: nanosecs must be below", 0 },
        { LX("'cgroupsPath':'machine.slice:libpod'"),           "linux.cgroupsPath: invalid systemd cgroup path", 0 },
        { LX("'cgroupsPath':'/a/../../b'"),                     "linux.cgroupsPath: must not contain \"..\"", 0 },
        { LX("'sysctl':{'../../etc/x':'1'}"),                   "linux.sysctl[\"../../etc/x\"]: invalid sysctl name", 0 },
        { LX("'sysctl':{'net.ipv4.ip_forward':1}"),             "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string", 0 },
        { LX("'rootfsPropagation':'bogus'"),                    "linux.rootfsPropagation: invalid propagation \"bogus\"", 0 },
        { LX("'rootfsPropagation':'ro'"),                       "linux.rootfsPropagation: invalid propagation", 0 },
        { LX("'maskedPaths':['/proc/kcore','proc/keys']"),      "linux.maskedPaths[1]: must be an absolute path", 0 },
        { LX("'readonlyPaths':'/proc/sys'"),                    "linux.readonlyPaths: expected an array", 0 },
        { LX("'personality':{'domain':'LINUX64'}"),             "linux.personality.domain: unknown personality domain", 0 },
        { LX("'personality':{'domain':'LINUX','flags':['X']}"), "linux.personality.flags[0]: unsupported personality", 0 },
        { LX("'mountLabel':[]"),                                "linux.mountLabel: expected a string", 0 },
        { RS("'devices':[{'allow':true,'access':'rwx'}]"),      "linux.resources.devices[0].access: invalid access \"rwx\"", 0 },
        { RS("'devices':[{'access':'rw'}]"),                    "linux.resources.devices[0].allow: required field", 0 },
        { RS("'devices':[{'allow':true,'type':'p'}]"),          "linux.resources.devices[0].type: unknown device type", 0 },
        { RS("'memory':{'limit':'1G'}"),                        "linux.resources.memory.limit: expected an integer, got a string", 0 },
        { RS("'memory':{'swappiness':101}"),                    "linux.resources.memory.swappiness: value 101 out of range", 0 },
        { RS("'cpu':{'cpus':'a-b'}"),                           "linux.resources.cpu.cpus: invalid list", 0 },
        { RS("'cpu':{'idle':2}"),                               "linux.resources.cpu.idle: must be 0 or 1", 0 },
        { RS("'cpu':{'quota':1000,'burst':2000}"),              "linux.resources.cpu: burst must not be larger than quota", 0 },
        { RS("'blockIO':{'weightDevice':[{'major':8,'minor':0}]}"),
          "linux.resources.blockIO.weightDevice[0]: at least one of weight and leafWeight", 0 },
        { RS("'blockIO':{'weight':70000}"),                     "linux.resources.blockIO.weight: value 70000 out of range", 0 },
        { RS("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
          "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required field is missing", 0 },
        { RS("'hugepageLimits':[{'pageSize':'../x','limit':1}]"), "linux.resources.hugepageLimits[0].pageSize: invalid", 0 },
        { RS("'pids':{'limit':'max'}"),                         "linux.resources.pids.limit: expected an integer", 0 },
        { RS("'network':{'priorities':[{'name':'eth0'}]}"),     "linux.resources.network.priorities[0].priority: required", 0 },
        { RS("'unified':{'../cgroup.procs':'1'}"),              "linux.resources.unified[\"../cgroup.procs\"]: invalid cgroup", 0 },
        { LX("'seccomp':{}"),                                   "linux.seccomp.defaultAction: required field is missing", 0 },
        { LX("'seccomp':{'defaultAction':'SCMP_ACT_FOO'}"),     "linux.seccomp.defaultAction: unknown seccomp action", 0 },
        { LX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':1}"),
          "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE", 0 },
        { SC("'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_FOO']"),
          "linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_FOO\"", 0 },
        { SC("'architectures':['x86_64']"),                     "linux.seccomp.architectures[0]: unknown seccomp arch", 0 },
        { SC("'flags':['SECCOMP_FILTER_FLAG_BOGUS']"),          "linux.seccomp.flags[0]: unknown seccomp flag", 0 },
        { SC("'syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]"),
          "linux.seccomp.syscalls[0].names: must contain at least one entry", 0 },
        { SC("'syscalls':[{'names':['read','Read!'],'action':'SCMP_ACT_ALLOW'}]"),
          "linux.seccomp.syscalls[0].names[1]: invalid system call name", 0 },
        { SC("'syscalls':[{'names':['read']}]"),                "linux.seccomp.syscalls[0].action: required field is missing", 0 },
        { SC("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','errnoRet':1}]"),
          "linux.seccomp.syscalls[0].errnoRet: only valid with", 0 },
        { SC("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO','errnoRet':65536}]"),
          "linux.seccomp.syscalls[0].errnoRet: value 65536 out of range", 0 },
        { SC("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]"),
          "linux.seccomp.syscalls[0].args[0].index: value 6 out of range", 0 },
        { SC("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1,'op':'EQ'}]}]"),
          "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"EQ\"", 0 },
        { SC("'listenerMetadata':'x'"),                         "linux.seccomp: listenerMetadata must not be set without", 0 },
};

static void test_invalid(void) {
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++) {
                _cleanup_free_ char *json = unquote(invalid[i].json), *error = NULL;
                OciSpec *s = NULL;
                int r;

                r = oci_spec_parse(json, strlen(json), &s, &error);
                if (r != (invalid[i].r ?: -EINVAL) || !error || !strstr(error, invalid[i].error)) {
                        fprintf(stderr, "case %zu: %s\n  got r=%d error=%s\n  expected r=%d error containing %s\n",
                                i, json, r, strna(error), invalid[i].r ?: -EINVAL, invalid[i].error);
                        abort();
                }
                ASSERT(!s);
        }
        printf("%zu invalid snippets rejected with their JSON path\n", ELEMENTSOF(invalid));
}

/* Annotation keys: at most what a container's state file reads back (OCI_MAP_KEY_MAX). */
static void test_annotation_key_size(void) {
        for (size_t n = OCI_MAP_KEY_MAX; n <= OCI_MAP_KEY_MAX + 1; n++) {
                _cleanup_free_ char *key = malloc(n + 1), *json = NULL, *error = NULL, *want = NULL;
                OciSpec *s = NULL;
                int r;

                ASSERT(key);
                memset(key, 'k', n);
                key[n] = 0;
                ASSERT(asprintf(&json, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
                                "\"annotations\":{\"%s\":\"v\"}}", key) > 0);
                r = oci_spec_parse(json, strlen(json), &s, &error);
                if (n == OCI_MAP_KEY_MAX) {
                        ASSERT_EQ(r, 0);
                        oci_spec_free(s);
                        continue;
                }
                ASSERT_EQ(r, -EINVAL);
                ASSERT(asprintf(&want, "annotations[\"%.64s\"...]: key longer than %u bytes", key, OCI_MAP_KEY_MAX) > 0);
                ASSERT_STREQ(error, want);
        }
}

static OciSpec *parse_ok(const char *json) {
        _cleanup_free_ char *j = unquote(json), *error = NULL;
        OciSpec *s = NULL;
        int r;

        r = oci_spec_parse(j, strlen(j), &s, &error);
        if (r < 0) {
                fprintf(stderr, "%s\n  failed: %d %s\n", j, r, strna(error));
                abort();
        }
        ASSERT(s);
        return s;
}

static void test_versions(void) {
        static const char *const good[] = {
                "1.0.0", "1.0.1", "1.0.2-dev", "1.1.0", "1.1.0-rc.1", "1.2.0", "1.2.1", "1.3.0+dev", "1.10.0-rc.2+b1",
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_free_ char *json = NULL;
                OciSpec *s;

                ASSERT(asprintf(&json, "{'ociVersion':'%s','root':{'path':'r'}}", good[i]) > 0);
                s = parse_ok(json);
                ASSERT_STREQ(s->oci_version, good[i]);
                ASSERT(!s->process);
                ASSERT(!s->linux_config);
                oci_spec_free(s);
        }
}

static OciSpec *load_fixture_as_bundle(const char *name, char *bundle) {
        _cleanup_free_ char *src = NULL, *dst = NULL, *error = NULL;
        OciSpec *s = NULL;
        int r;

        ASSERT(mkdtemp(bundle));
        ASSERT(asprintf(&src, "%s/%s", fixtures, name) > 0);
        ASSERT(asprintf(&dst, "%s/config.json", bundle) > 0);
        ASSERT(symlink(src, dst) == 0);

        /* A symlinked config.json is refused... */
        r = oci_spec_load(bundle, &s, &error);
        ASSERT_EQ(r, -ELOOP);
        ASSERT(error && strstr(error, "symbolic link"));
        ASSERT(unlink(dst) == 0);
        error = mfree(error);

        /* ... a copy is read. */
        {
                _cleanup_free_ char *cmd = NULL;
                ASSERT(asprintf(&cmd, "cp '%s' '%s'", src, dst) > 0);
                ASSERT(system(cmd) == 0);
        }
        r = oci_spec_load(bundle, &s, &error);
        if (r < 0)
                fprintf(stderr, "%s: %s\n", name, strna(error));
        ASSERT_EQ(r, 0);
        return s;
}

static void cleanup_bundle(const char *bundle) {
        _cleanup_free_ char *cmd = NULL;
        ASSERT(asprintf(&cmd, "rm -rf '%s'", bundle) > 0);
        ASSERT(system(cmd) == 0);
}

static void test_runc_spec(void) {
        char bundle[] = "/tmp/test-oci-spec-XXXXXX";
        _cleanup_free_ char *rootfs = NULL, *real = NULL;
        OciSpec *s = load_fixture_as_bundle("runc-spec.json", bundle);
        OciProcess *p = s->process;
        OciLinux *l = s->linux_config;
        uint64_t three = (UINT64_C(1) << CAP_AUDIT_WRITE) | (UINT64_C(1) << CAP_KILL) |
                         (UINT64_C(1) << CAP_NET_BIND_SERVICE);

        real = realpath(bundle, NULL);
        ASSERT(real);
        ASSERT(asprintf(&rootfs, "%s/rootfs", real) > 0);
        ASSERT_STREQ(s->oci_version, "1.0.2-dev");
        ASSERT_STREQ(s->root_path, rootfs);
        ASSERT(s->root_readonly);
        ASSERT_STREQ(s->hostname, "runc");
        ASSERT_EQ(s->n_mounts, 7);
        ASSERT_STREQ(s->mounts[0].destination, "/proc");
        ASSERT_STREQ(s->mounts[0].type, "proc");
        ASSERT(!s->mounts[0].options);
        ASSERT_STREQ(s->mounts[2].destination, "/dev/pts");
        ASSERT_EQ(strv_length(s->mounts[2].options), 6);
        ASSERT_STREQ(s->mounts[2].options[5], "gid=5");
        ASSERT_STREQ(s->mounts[6].destination, "/sys/fs/cgroup");

        ASSERT(p);
        ASSERT(p->terminal);
        ASSERT_EQ(p->uid, 0);
        ASSERT_EQ(p->gid, 0);
        ASSERT_EQ(strv_length(p->args), 1);
        ASSERT_STREQ(p->args[0], "sh");
        ASSERT_EQ(strv_length(p->env), 2);
        ASSERT_STREQ(p->cwd, "/");
        ASSERT(p->has_capabilities);
        ASSERT_EQ(p->capabilities[OCI_CAP_BOUNDING], three);
        ASSERT_EQ(p->capabilities[OCI_CAP_EFFECTIVE], three);
        ASSERT_EQ(p->capabilities[OCI_CAP_PERMITTED], three);
        ASSERT_EQ(p->capabilities[OCI_CAP_AMBIENT], three);
        ASSERT_EQ(p->capabilities[OCI_CAP_INHERITABLE], 0);
        ASSERT(!p->unknown_capabilities);
        ASSERT_EQ(p->n_rlimits, 1);
        ASSERT_EQ(p->rlimits[0].resource, RLIMIT_NOFILE);
        ASSERT_EQ(p->rlimits[0].soft, 1024);
        ASSERT(p->no_new_privileges);

        ASSERT(l);
        ASSERT(l->has_resources);
        ASSERT_EQ(l->resources.n_devices, 1);
        ASSERT(!l->resources.devices[0].allow);
        ASSERT_EQ(l->resources.devices[0].type, 'a');
        ASSERT_EQ(l->resources.devices[0].major, -1);
        ASSERT_STREQ(l->resources.devices[0].access, "rwm");
        ASSERT_EQ(l->n_namespaces, 5);
        ASSERT_EQ(l->namespaces[0].type, OCI_NS_PID);
        ASSERT_EQ(l->namespaces[1].clone_flag, CLONE_NEWNET);
        ASSERT_EQ(l->namespaces[4].type, OCI_NS_MOUNT);
        ASSERT(!l->namespaces[4].path);
        ASSERT_EQ(strv_length(l->masked_paths), 10);
        ASSERT_STREQ(l->masked_paths[2], "/proc/kcore");
        ASSERT_EQ(strv_length(l->readonly_paths), 5);
        ASSERT(!l->seccomp);

        oci_spec_free(s);
        cleanup_bundle(bundle);
}

static void test_crun_spec(void) {
        char bundle[] = "/tmp/test-oci-spec-XXXXXX";
        OciSpec *s = load_fixture_as_bundle("crun-spec.json", bundle);

        ASSERT(s->process);
        ASSERT(s->linux_config);
        ASSERT(s->n_mounts > 0);
        oci_spec_free(s);
        cleanup_bundle(bundle);
}

static void test_full(void) {
        char bundle[] = "/tmp/test-oci-spec-XXXXXX";
        OciSpec *s = load_fixture_as_bundle("full.json", bundle);
        OciProcess *p = s->process;
        OciLinux *l = s->linux_config;
        OciResources *res = &l->resources;
        OciSeccomp *sc = l->seccomp;

        ASSERT_STREQ(s->oci_version, "1.2.0");
        ASSERT(s->root_readonly);
        ASSERT_EQ(s->n_mounts, 3);
        ASSERT_STREQ(s->mounts[1].destination, "/tmp");      /* relative: made absolute */
        ASSERT_STREQ(s->mounts[1].options[2], "mode=755");
        ASSERT_STREQ(s->mounts[2].source, "/volumes/testing");
        ASSERT_EQ(s->mounts[2].n_uid_mappings, 1);
        ASSERT_EQ(s->mounts[2].uid_mappings[0].host_id, 1000);
        ASSERT_EQ(s->mounts[2].gid_mappings[0].size, 20);

        ASSERT(p->terminal);
        ASSERT(p->has_console_size);
        ASSERT_EQ(p->console_height, 25);
        ASSERT_EQ(p->console_width, 80);
        ASSERT_EQ(p->uid, 1);
        ASSERT_EQ(p->gid, 2);
        ASSERT(p->has_umask);
        ASSERT_EQ(p->umask, 022);
        ASSERT_EQ(p->n_additional_gids, 2);
        ASSERT_EQ(p->additional_gids[1], 6);
        ASSERT_STREQ(p->username, "ignored");
        ASSERT_STREQ(p->args[2], "echo hi");
        ASSERT_STREQ(p->env[2], "EMPTY=");
        ASSERT_STREQ(p->cwd, "/root");
        ASSERT_EQ(p->capabilities[OCI_CAP_BOUNDING], (UINT64_C(1) << CAP_AUDIT_WRITE) | (UINT64_C(1) << CAP_KILL) |
                                                     (UINT64_C(1) << CAP_NET_BIND_SERVICE));
        ASSERT_EQ(p->capabilities[OCI_CAP_EFFECTIVE], UINT64_C(1) << CAP_KILL);
        ASSERT_EQ(p->capabilities[OCI_CAP_INHERITABLE], 0);
        ASSERT_EQ(p->capabilities[OCI_CAP_PERMITTED], (UINT64_C(1) << CAP_KILL) | (UINT64_C(1) << CAP_SYS_ADMIN));
        ASSERT_EQ(p->capabilities[OCI_CAP_AMBIENT], UINT64_C(1) << CAP_NET_BIND_SERVICE);
        ASSERT_EQ(strv_length(p->unknown_capabilities), 1);
        ASSERT_STREQ(p->unknown_capabilities[0], "CAP_FUTURE_THING");
        ASSERT_EQ(p->n_rlimits, 2);
        ASSERT_EQ(p->rlimits[0].resource, RLIMIT_NOFILE);
        ASSERT_EQ(p->rlimits[0].soft, 512);
        ASSERT_EQ(p->rlimits[0].hard, 1024);
        ASSERT_EQ(p->rlimits[1].resource, RLIMIT_CORE);
        ASSERT(p->rlimits[1].hard == UINT64_MAX);
        ASSERT(p->no_new_privileges);
        ASSERT_STREQ(p->apparmor_profile, "acme_secure_profile");
        ASSERT_STREQ(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
        ASSERT(p->has_oom_score_adj);
        ASSERT_EQ(p->oom_score_adj, -500);
        ASSERT(p->has_scheduler);
        ASSERT_EQ(p->scheduler.policy, 6);      /* SCHED_DEADLINE */
        ASSERT_EQ(p->scheduler.nice, -5);
        ASSERT_EQ(p->scheduler.priority, 3);
        ASSERT_EQ(p->scheduler.flags, 0x03);
        ASSERT_EQ(p->scheduler.runtime, 1000);
        ASSERT_EQ(p->scheduler.deadline, 2000);
        ASSERT_EQ(p->scheduler.period, 3000);
        ASSERT(p->has_io_priority);
        ASSERT_EQ(p->io_priority_class, 2);
        ASSERT_EQ(p->io_priority, 4);
        ASSERT_STREQ(p->exec_cpu_affinity_initial, "0-3,7");
        ASSERT_STREQ(p->exec_cpu_affinity_final, "1");

        ASSERT_STREQ(s->hostname, "slartibartfast");
        ASSERT_STREQ(s->domainname, "example.test");
        ASSERT_EQ(s->n_hooks[OCI_HOOK_PRESTART], 1);
        ASSERT_STREQ(s->hooks[OCI_HOOK_PRESTART][0].path, "/usr/bin/fix-mounts");
        ASSERT_STREQ(s->hooks[OCI_HOOK_PRESTART][0].args[1], "arg1");
        ASSERT_STREQ(s->hooks[OCI_HOOK_PRESTART][0].env[0], "key1=value1");
        ASSERT_EQ(s->hooks[OCI_HOOK_PRESTART][0].timeout, 0);
        ASSERT_EQ(s->hooks[OCI_HOOK_CREATE_RUNTIME][0].timeout, 5);
        ASSERT_STREQ(s->hooks[OCI_HOOK_CREATE_CONTAINER][0].path, "/usr/bin/cc");
        ASSERT_STREQ(s->hooks[OCI_HOOK_START_CONTAINER][0].path, "/usr/bin/sc");
        ASSERT_EQ(s->n_hooks[OCI_HOOK_POSTSTART], 1);
        ASSERT_EQ(s->n_hooks[OCI_HOOK_POSTSTOP], 2);
        ASSERT_STREQ(s->hooks[OCI_HOOK_POSTSTOP][1].path, "/bin/true");
        ASSERT_EQ(s->annotations.n, 2);
        ASSERT_STREQ(s->annotations.keys[1], "com.example.key2");
        ASSERT_STREQ(s->annotations.values[1], "value2");

        ASSERT_EQ(l->n_namespaces, 8);
        ASSERT_STREQ(l->namespaces[1].path, "/var/run/netns/neta");
        ASSERT_EQ(l->namespaces[5].clone_flag, CLONE_NEWUSER);
        ASSERT_EQ(l->namespaces[7].type, OCI_NS_TIME);
        ASSERT_EQ(l->n_uid_mappings, 1);
        ASSERT_EQ(l->uid_mappings[0].size, 32000);
        ASSERT_EQ(l->gid_mappings[0].host_id, 1000);
        ASSERT(l->time_offset_monotonic.set);
        ASSERT_EQ(l->time_offset_monotonic.secs, 172800);
        ASSERT_EQ(l->time_offset_boottime.secs, -3600);
        ASSERT_EQ(l->time_offset_boottime.nanosecs, 500);
        ASSERT_EQ(l->n_devices, 3);
        ASSERT_EQ(l->devices[0].type, 'c');
        ASSERT_EQ(l->devices[0].major, 10);
        ASSERT_EQ(l->devices[0].minor, 229);
        ASSERT(l->devices[0].has_file_mode);
        ASSERT_EQ(l->devices[0].file_mode, 0666);
        ASSERT(l->devices[0].has_uid);
        ASSERT(!l->devices[1].has_uid);
        ASSERT_EQ(l->devices[2].type, 'p');
        ASSERT_EQ(l->net_devices.n, 2);
        ASSERT_STREQ(l->net_devices.values[0], "netns0");
        ASSERT_STREQ(l->net_devices.values[1], "");
        ASSERT_STREQ(l->cgroups_path, "machine.slice:libpod:abc123");

        ASSERT(l->has_resources);
        ASSERT_EQ(res->n_devices, 3);
        ASSERT(res->devices[1].allow);
        ASSERT_EQ(res->devices[1].type, 'c');
        ASSERT_STREQ(res->devices[1].access, "rw");
        ASSERT_EQ(res->devices[2].minor, -1);
        ASSERT(res->memory.limit.set);
        ASSERT_EQ(res->memory.limit.value, 536870912);
        ASSERT_EQ(res->memory.swap.value, -1);
        ASSERT(res->memory.swappiness.set);
        ASSERT_EQ(res->memory.swappiness.value, 0);
        ASSERT(res->memory.disable_oom_killer);
        ASSERT(res->memory.check_before_update);
        ASSERT_EQ(res->cpu.shares.value, 1024);
        ASSERT_EQ(res->cpu.quota.value, 1000000);
        ASSERT_EQ(res->cpu.burst.value, 1000);
        ASSERT_EQ(res->cpu.period.value, 500000);
        ASSERT_EQ(res->cpu.realtime_runtime.value, 950000);
        ASSERT_EQ(res->cpu.realtime_period.value, 1000000);
        ASSERT_STREQ(res->cpu.cpus, "2-3");
        ASSERT_STREQ(res->cpu.mems, "0-7");
        ASSERT(res->cpu.idle.set);
        ASSERT_EQ(res->block_io.weight, 10);
        ASSERT(res->block_io.has_leaf_weight);
        ASSERT_EQ(res->block_io.n_weight_devices, 2);
        ASSERT(!res->block_io.weight_devices[1].has_leaf_weight);
        ASSERT_EQ(res->block_io.throttle[OCI_THROTTLE_READ_BPS][0].rate, 600);
        ASSERT_EQ(res->block_io.throttle[OCI_THROTTLE_WRITE_BPS][0].rate, 601);
        ASSERT_EQ(res->block_io.throttle[OCI_THROTTLE_READ_IOPS][0].rate, 602);
        ASSERT_EQ(res->block_io.throttle[OCI_THROTTLE_WRITE_IOPS][0].minor, 16);
        ASSERT_EQ(res->n_hugepage_limits, 2);
        ASSERT_STREQ(res->hugepage_limits[1].page_size, "1GB");
        ASSERT(res->has_network_class_id);
        ASSERT_EQ(res->network_class_id, 1048577);
        ASSERT_EQ(res->network_priorities.n, 2);
        ASSERT_STREQ(res->network_priorities.keys[1], "eth1");
        ASSERT_STREQ(res->network_priorities.values[1], "1000");
        ASSERT(res->pids_limit.set);
        ASSERT_EQ(res->pids_limit.value, 32771);
        ASSERT_EQ(res->unified.n, 2);
        ASSERT_STREQ(res->unified.values[0], "default 100");

        ASSERT_EQ(l->sysctl.n, 2);
        ASSERT_STREQ(l->sysctl.keys[0], "net.ipv4.ip_forward");
        ASSERT_STREQ(l->rootfs_propagation, "rslave");
        ASSERT_EQ(l->rootfs_propagation_flags, MS_SLAVE | MS_REC);

        ASSERT(sc);
        ASSERT_EQ(sc->default_action, SCMP_ACT_ERRNO(38));
        ASSERT_EQ(sc->n_architectures, 4);
        ASSERT_EQ(sc->architectures[0], SCMP_ARCH_X86_64);
        ASSERT_EQ(sc->architectures[1], SCMP_ARCH_X86);
        ASSERT_EQ(sc->architectures[2], SCMP_ARCH_X32);
        ASSERT_EQ(sc->architectures[3], SCMP_ARCH_AARCH64);
        ASSERT_EQ(sc->flags, 2 | 4);    /* LOG | SPEC_ALLOW */
        ASSERT_STREQ(sc->listener_path, "/run/seccomp-agent.socket");
        ASSERT_STREQ(sc->listener_metadata, "metadata");
        ASSERT_EQ(sc->n_syscalls, 5);
        ASSERT_EQ(strv_length(sc->syscalls[0].names), 3);
        ASSERT_STREQ(sc->syscalls[0].names[2], "no_such_call_yet");   /* kept: libseccomp decides later */
        ASSERT_EQ(sc->syscalls[0].action, SCMP_ACT_ALLOW);
        ASSERT_EQ(sc->syscalls[1].n_args, 2);
        ASSERT_EQ(sc->syscalls[1].args[0].op, SCMP_CMP_EQ);
        ASSERT_EQ(sc->syscalls[1].args[0].value, 8);
        ASSERT_EQ(sc->syscalls[1].args[1].index, 1);
        ASSERT_EQ(sc->syscalls[1].args[1].value_two, 4);
        ASSERT_EQ(sc->syscalls[1].args[1].op, SCMP_CMP_MASKED_EQ);
        ASSERT_EQ(sc->syscalls[2].action, SCMP_ACT_ERRNO(1));
        ASSERT_EQ(sc->syscalls[3].action, SCMP_ACT_TRACE(7));
        ASSERT_EQ(sc->syscalls[4].action, SCMP_ACT_KILL_PROCESS);

        ASSERT_EQ(strv_length(l->masked_paths), 2);
        ASSERT_STREQ(l->readonly_paths[1], "/proc/sysrq-trigger");
        ASSERT_STREQ(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
        ASSERT(l->has_personality);
        ASSERT_EQ(l->personality, PER_LINUX32);

        oci_spec_free(s);
        cleanup_bundle(bundle);
}

static void test_semantics(void) {
        OciSpec *s;

        /* Null is the same as absent; an absent errnoRet means EPERM. */
        s = parse_ok("{" V ",'hostname':null,'process':null,'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO'}}}");
        ASSERT(!s->hostname);
        ASSERT(!s->process);
        ASSERT_EQ(s->linux_config->seccomp->default_action, SCMP_ACT_ERRNO(EPERM));
        oci_spec_free(s);

        /* consoleSize is ignored without a terminal, even a broken one. */
        s = parse_ok(PR("'consoleSize':'garbage'"));
        ASSERT(!s->process->has_console_size);
        oci_spec_free(s);

        /* Without user, the process runs as 0:0. */
        s = parse_ok("{" V ",'process':{'args':['sh'],'cwd':'/'}}");
        ASSERT_EQ(s->process->uid, 0);
        ASSERT_EQ(s->process->gid, 0);
        ASSERT(!s->process->has_umask);
        oci_spec_free(s);

        /* Huge unsigned values (RLIM_INFINITY) and a pids limit of -1. */
        s = parse_ok("{" V ",'process':{" P ",'rlimits':[{'type':'RLIMIT_AS','soft':18446744073709551615,"
                     "'hard':18446744073709551615}]},'linux':{'resources':{'pids':{'limit':-1}}}}");
        ASSERT(s->process->rlimits[0].soft == UINT64_MAX);
        ASSERT_EQ(s->linux_config->resources.pids_limit.value, -1);
        oci_spec_free(s);

        /* An int64 field refuses values beyond INT64_MAX. */
        {
                _cleanup_free_ char *j = unquote(LX("'resources':{'memory':{'limit':9223372036854775808}}")), *e = NULL;
                ASSERT_EQ(oci_spec_parse(j, strlen(j), &s, &e), -EINVAL);
                ASSERT(strstr(e, "linux.resources.memory.limit: integer 9223372036854775808 out of range"));
        }

        /* Annotations with odd keys are reported escaped. */
        {
                _cleanup_free_ char *j = unquote("{" V ",'annotations':{'a\\nb':5}}"), *e = NULL;
                ASSERT_EQ(oci_spec_parse(j, strlen(j), &s, &e), -EINVAL);
                ASSERT_STREQ(e, "annotations[\"a\\nb\"]: expected a string, got an integer");
        }

        /* NUL bytes, invalid UTF-8, nesting and size. */
        {
                _cleanup_free_ char *e = NULL, *deep = NULL, *big = NULL;
                const char nul[] = "{\"ociVersion\":\"1.0.0\"\0}";
                const char utf8[] = "{\"ociVersion\":\"1.0.0\",\"hostname\":\"\xff\xfe\"}";
                size_t n = 0;

                ASSERT_EQ(oci_spec_parse(nul, sizeof(nul) - 1, &s, &e), -EBADMSG);
                ASSERT(strstr(e, "NUL byte"));
                e = mfree(e);
                ASSERT_EQ(oci_spec_parse(utf8, strlen(utf8), &s, &e), -EBADMSG);
                e = mfree(e);

                deep = malloc(1000);
                ASSERT(deep);
                n += (size_t) sprintf(deep, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"x\":");
                for (int i = 0; i < 40; i++)
                        deep[n++] = '[';
                for (int i = 0; i < 40; i++)
                        deep[n++] = ']';
                deep[n++] = '}';
                ASSERT_EQ(oci_spec_parse(deep, n, &s, &e), -EBADMSG);
                ASSERT(strstr(e, "nested deeper than"));
                e = mfree(e);

                big = malloc(OCI_SPEC_SIZE_MAX + 2);
                ASSERT(big);
                memset(big, ' ', OCI_SPEC_SIZE_MAX + 1);
                ASSERT_EQ(oci_spec_parse(big, OCI_SPEC_SIZE_MAX + 1, &s, &e), -EFBIG);
                ASSERT(strstr(e, "larger than"));
        }
}

static void test_load_errors(void) {
        char bundle[] = "/tmp/test-oci-spec-XXXXXX";
        _cleanup_free_ char *cfg = NULL, *e = NULL;
        OciSpec *s = NULL;
        int fd;

        ASSERT(mkdtemp(bundle));
        ASSERT(asprintf(&cfg, "%s/config.json", bundle) > 0);

        ASSERT_EQ(oci_spec_load(bundle, &s, &e), -ENOENT);
        ASSERT(strstr(e, "Failed to open config.json"));
        e = mfree(e);

        /* A FIFO must neither block nor be read. */
        ASSERT(mkfifo(cfg, 0600) == 0);
        ASSERT_EQ(oci_spec_load(bundle, &s, &e), -EBADFD);
        ASSERT(strstr(e, "not a regular file"));
        e = mfree(e);
        ASSERT(unlink(cfg) == 0);

        /* Too large, even though the document would be fine. */
        fd = open(cfg, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ASSERT(fd >= 0);
        ASSERT(ftruncate(fd, OCI_SPEC_SIZE_MAX + 1) == 0);
        close(fd);
        ASSERT_EQ(oci_spec_load(bundle, &s, &e), -EFBIG);
        e = mfree(e);

        /* An absolute root.path is kept as it is; parse errors come through. */
        fd = open(cfg, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT(dprintf(fd, "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"/srv/root\"}}") > 0);
        close(fd);
        ASSERT_EQ(oci_spec_load(bundle, &s, &e), 0);
        ASSERT_STREQ(s->root_path, "/srv/root");
        s = oci_spec_free(s);

        fd = open(cfg, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT(dprintf(fd, "{\"ociVersion\":\"1.1.0\",\"root\":{}}") > 0);
        close(fd);
        ASSERT_EQ(oci_spec_load(bundle, &s, &e), -EINVAL);
        ASSERT_STREQ(e, "root.path: required field is missing");
        e = mfree(e);

        ASSERT_EQ(oci_spec_load("/nonexistent-bundle", &s, &e), -ENOENT);
        ASSERT(strstr(e, "/nonexistent-bundle"));

        cleanup_bundle(bundle);
}

static void test_cgroups_path(void) {
        _cleanup_free_ char *slice = NULL, *prefix = NULL, *name = NULL;

        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:libpod:abc", &slice, &prefix, &name), 0);
        ASSERT_STREQ(slice, "machine.slice");
        ASSERT_STREQ(prefix, "libpod");
        ASSERT_STREQ(name, "abc");
        ASSERT_EQ(oci_cgroups_path_split_systemd(":crio:abc", NULL, NULL, NULL), 0);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine:libpod:abc", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:libpod", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:libpod:a:b", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice::abc", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:lib/pod:abc", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:libpod:a b", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd(".slice:libpod:abc", NULL, NULL, NULL), -EINVAL);
        /* Only systemd's unit name characters: the name is the machine's Unit on the bus. */
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:p\xef\xbf\xbe:n", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:caf\xc3\xa9:n", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:a@b:n", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("machine.slice:a\\x2d:n", NULL, NULL, NULL), -EINVAL);
        ASSERT_EQ(oci_cgroups_path_split_systemd("system-x_y.slice:lib.pod-1:A_b-9.c", NULL, NULL, NULL), 0);
}

static void test_tables(void) {
        for (OciNamespaceType t = 0; t < _OCI_NS_MAX; t++)
                ASSERT_EQ(oci_namespace_type_from_string(oci_namespace_type_to_string(t)), t);
        ASSERT_EQ(oci_namespace_type_from_string("net"), _OCI_NS_INVALID);
        ASSERT(!oci_namespace_type_to_string(_OCI_NS_MAX));
        for (OciHookKind k = 0; k < _OCI_HOOK_KIND_MAX; k++)
                ASSERT(oci_hook_kind_to_string(k));
        ASSERT(!oci_hook_kind_to_string(_OCI_HOOK_KIND_MAX));
}

static int dump_corpus(const char *dir) {
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++) {
                _cleanup_free_ char *json = unquote(invalid[i].json), *path = NULL;
                FILE *f;

                ASSERT(asprintf(&path, "%s/invalid-%03zu.json", dir, i) > 0);
                f = fopen(path, "we");
                ASSERT(f);
                fputs(json, f);
                ASSERT(fclose(f) == 0);
        }
        return 0;
}

int main(int argc, char *argv[]) {
        test_annotation_key_size();
        ASSERT(argc >= 2);
        if (argc == 4 && streq(argv[2], "--dump-corpus"))
                return dump_corpus(argv[3]);
        fixtures = argv[1];

        test_invalid();
        test_versions();
        test_runc_spec();
        test_crun_spec();
        test_full();
        test_semantics();
        test_load_errors();
        test_cgroups_path();
        test_tables();
        return 0;
}
