/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OciSpec -> ContainerConfig (the container's part) and the scope's properties (the daemon's part). What the
 * model cannot do is an error naming the JSON path; what the spec lets a runtime leave out is a warning
 * naming it (docs/oci.md, "From config.json to a machine"). */

#include <json-c/json.h>
#include <signal.h>
#include <sys/stat.h>
#include <linux/mount.h>

#include "config-oci.h"
#include "config-oci-resources.h"
#include "config-oci-seccomp.h"
#include "macro.h"
#include "mount-options.h"
#include "oci-json.h"
#include "parse-util.h"
#include "settings.h"
#include "strv.h"
#include "util.h"

void oci_scope_property_done(OciScopeProperty *p) {
        free(p->string);
        free(p->bytes);
        strv_free(p->device_paths);
        free(p->device_values);
}

OciContainer *oci_container_free(OciContainer *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_mounts; i++)
                strv_free(c->mounts[i].options);
        free(c->mounts);
        free(c->devices);
        free(c->seccomp_rules);
        free(c->seccomp_origin);
        free(c->uid_map);
        free(c->gid_map);
        free(c->namespaces);
        free(c->additional_gids);
        strv_free(c->strings);
        for (size_t k = 0; k < _OCI_HOOK_KIND_MAX; k++)
                free(c->hooks[k]);
        strv_free(c->envp);
        strv_free(c->sysctls);
        strv_free(c->annotations);
        for (size_t i = 0; i < c->n_scope_properties; i++)
                oci_scope_property_done(c->scope_properties + i);
        free(c->scope_properties);
        free(c->device_rules);
        free(c->slice);
        free(c->unit);
        free(c->cgroups_path);
        strv_free(c->warnings);
        free(c->bundle);
        oci_spec_free(c->spec);
        return mfree(c);
}

int oci_container_warn(OciContainer *c, const char *format, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_extend(&c->warnings, s);
}

static int map_string_map(const OciStringMap *m, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (size_t i = 0; i < m->n; i++) {
                _cleanup_free_ char *a = NULL;
                if (asprintf(&a, "%s=%s", m->keys[i], m->values[i]) < 0 || strv_extend(&l, a) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* "mode=755,size=64k" -> { "mode=755", "size=64k" }. */
static int split_options(const char *data, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (const char *p = data; *p;) {
                size_t n = strcspn(p, ",");
                _cleanup_free_ char *o = strndup(p, n);

                if (!o)
                        return -ENOMEM;
                if (n > 0 && strv_extend(&l, o) < 0)
                        return -ENOMEM;
                p += n;
                if (*p == ',')
                        p++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* process.scheduler, checked as sched_setattr(2) would take it, each mistake named by its JSON path. */
static int map_scheduler(OciContainer *c, char **error) {
        const OciProcess *p = c->spec->process;
        const OciScheduler *s = &p->scheduler;
        bool rt = IN_SET(s->policy, SCHED_FIFO, SCHED_RR);

        if (!p->has_scheduler)
                return 0;
        if (s->policy == SCHED_ISO)
                return oci_error(error, "process.scheduler.policy", "SCHED_ISO is not implemented by Linux");
        if (rt && (s->priority < 1 || s->priority > 99))
                return oci_error(error, "process.scheduler.priority",
                                 "SCHED_FIFO and SCHED_RR need a priority of 1 to 99, not %" PRIi32, s->priority);
        if (!rt && s->priority != 0)
                return oci_error(error, "process.scheduler.priority", "only SCHED_FIFO and SCHED_RR have one");
        if (s->policy != SCHED_DEADLINE && (s->runtime != 0 || s->deadline != 0 || s->period != 0))
                return oci_error(error, s->runtime != 0 ? "process.scheduler.runtime" :
                                        s->deadline != 0 ? "process.scheduler.deadline" : "process.scheduler.period",
                                 "only SCHED_DEADLINE has one");
        c->scheduler = (ContainerScheduler) {
                .policy = (uint32_t) s->policy,
                .flags = s->flags,
                .nice = s->nice,
                .priority = (uint32_t) s->priority,
                .runtime = s->runtime,
                .deadline = s->deadline,
                .period = s->period,
        };
        c->config.scheduler = &c->scheduler;
        return 0;
}

/* One CPU list of process.execCPUAffinity at PATH: "" is no list (runc's omitempty). Returns 0 and *RET
 * (NULL without a list), or -EINVAL naming PATH. */
static int map_cpu_list(const char *list, const char *path, cpu_set_t *storage, const cpu_set_t **ret,
                        char **error) {
        const char *reason;

        *ret = NULL;
        if (isempty(list))
                return 0;
        if (parse_cpu_set(list, storage, &reason) < 0)
                return oci_error(error, path, "%s", reason);
        if (CPU_COUNT(storage) == 0)
                return oci_error(error, path, "no CPU");
        *ret = storage;
        return 0;
}

/* process.execCPUAffinity, as runc: the runtime's process that makes a process exec'd into the container
 * runs on "initial" (machined-ext-oci exec sets its own, and the process inherits it at its birth where the
 * cgroup's cpuset allows), and the process itself on "final" from before its exec, or stays on "initial"
 * without one; with neither, and always for the container's own process (to which the spec does not apply
 * it), on every CPU its cgroup allows: not on those its caller was confined to (taskset). */
static int map_cpu_affinity(OciContainer *c, OciModelFlags flags, char **error) {
        const OciProcess *p = c->spec->process;
        const cpu_set_t *final;
        int r;

        r = map_cpu_list(p->exec_cpu_affinity_initial, "process.execCPUAffinity.initial", &c->cpu_affinity_initial,
                         &c->exec_affinity_initial, error);
        if (r < 0)
                return r;
        r = map_cpu_list(p->exec_cpu_affinity_final, "process.execCPUAffinity.final", &c->cpu_affinity_final,
                         &final, error);
        if (r < 0)
                return r;
        if (!(flags & OCI_MODEL_EXEC)) {
                c->exec_affinity_initial = NULL;
                c->config.cpu_affinity_reset = true;
        } else if (final) {
                c->config.cpu_affinity = final;
                c->config.cpu_affinity_name = "process.execCPUAffinity.final";
        } else if (!c->exec_affinity_initial)
                c->config.cpu_affinity_reset = true;
        return 0;
}

/* process: the command, environment, IDs, umask, capabilities, rlimits, scheduling, CPU affinity. */
static int map_process(OciContainer *c, char * const *envp_defaults, OciModelFlags flags, char **error) {
        const OciProcess *p = c->spec->process;
        ContainerConfig *cc = &c->config;
        int r;

        if (!p)
                return oci_error(error, "process", "required to start a container");

        cc->argv = p->args;
        c->envp = strv_copy(p->env);
        if (!c->envp && p->env)
                return -ENOMEM;
        STRV_FOREACH(d, envp_defaults) {
                size_t k = strcspn(*d, "=");
                bool found = false;

                STRV_FOREACH(e, c->envp)
                        if (strncmp(*e, *d, k) == 0 && (*e)[k] == '=')
                                found = true;
                if (!found && strv_extend(&c->envp, *d) < 0)
                        return -ENOMEM;
        }
        if (!c->envp) {
                c->envp = new0(char *, 1);
                if (!c->envp)
                        return -ENOMEM;
        }
        cc->envp = c->envp;
        cc->working_directory = p->cwd;
        cc->make_working_directory = true;      /* runc: MkdirAll(cwd) (a Kubernetes workingDir the image has not) */

        if (p->username)
                (void) oci_container_warn(c, "process.user.username: ignored, the numeric IDs apply");
        if (p->uid == (uid_t) -1 || p->gid == (gid_t) -1)
                return oci_error(error, "process.user", "uid and gid must not be 4294967295 (the invalid ID)");
        cc->process_ids_set = true;
        cc->uid = p->uid;
        cc->gid = p->gid;
        if (p->n_additional_gids > 0) {
                c->additional_gids = new0(gid_t, p->n_additional_gids);
                if (!c->additional_gids)
                        return -ENOMEM;
                memcpy(c->additional_gids, p->additional_gids, p->n_additional_gids * sizeof(gid_t));
        }
        cc->additional_gids = c->additional_gids;
        cc->n_additional_gids = p->n_additional_gids;
        cc->umask_set = p->has_umask;
        cc->umask = p->umask;

        /* Absent capabilities are empty sets (the spec: "the process has none"). */
        cc->capabilities_set = true;
        cc->capability_bounding = p->capabilities[OCI_CAP_BOUNDING];
        cc->capability_effective = p->capabilities[OCI_CAP_EFFECTIVE];
        cc->capability_permitted = p->capabilities[OCI_CAP_PERMITTED];
        cc->capability_inheritable = p->capabilities[OCI_CAP_INHERITABLE];
        cc->capability_ambient = p->capabilities[OCI_CAP_AMBIENT];
        if ((cc->capability_effective & ~cc->capability_permitted) != 0)
                return oci_error(error, "process.capabilities.effective", "must be a subset of the permitted set");
        STRV_FOREACH(u, p->unknown_capabilities)
                (void) oci_container_warn(c, "process.capabilities: unknown capability %s, ignoring", *u);

        for (size_t i = 0; i < p->n_rlimits; i++) {
                int res = p->rlimits[i].resource;

                if (res < 0 || res >= RLIMIT_NLIMITS)
                        return oci_error(error, "process.rlimits", "entry %zu: unknown resource", i);
                c->rlimit_storage[res] = (struct rlimit) { .rlim_cur = p->rlimits[i].soft,
                                                           .rlim_max = p->rlimits[i].hard };
                c->rlimits[res] = c->rlimit_storage + res;
        }
        cc->rlimits = c->rlimits;
        cc->no_new_privileges = p->no_new_privileges;
        cc->oom_score_adjust = p->has_oom_score_adj ? p->oom_score_adj : OOM_SCORE_ADJUST_UNSET;

        if (p->apparmor_profile)
                (void) oci_container_warn(c, "process.apparmorProfile: not supported, the container runs without "
                                          "this AppArmor profile");
        if (p->selinux_label)
                (void) oci_container_warn(c, "process.selinuxLabel: not supported, the container runs without "
                                          "this SELinux label");
        r = map_scheduler(c, error);
        if (r < 0)
                return r;
        if (p->has_io_priority)
                cc->io_priority = p->io_priority_class << 13 | p->io_priority;  /* IOPRIO_PRIO_VALUE() */
        return map_cpu_affinity(c, flags, error);
}

/* The file systems the container gets from the runtime anyway (nspawn's /proc with its read-only parts, a
 * read-only /sys, a minimal /dev with its ptys, cgroup2 after the release): the bundle's mounts of the same
 * kind there are what runc's default config lists, and mounting them again would undo those protections. */
static bool mount_is_provided(const OciMount *m) {
        static const struct {
                const char *destination;
                const char *types[3];
        } provided[] = {
                { "/proc",          { "proc" } },
                { "/sys",           { "sysfs" } },
                { "/dev",           { "tmpfs", "devtmpfs" } },
                { "/dev/pts",       { "devpts" } },
                { "/sys/fs/cgroup", { "cgroup", "cgroup2" } },
                { "/run",           { "tmpfs" } },      /* with /run/host in it (containerd's default spec) */
        };

        for (size_t i = 0; i < ELEMENTSOF(provided); i++)
                if (streq(m->destination, provided[i].destination))
                        for (size_t j = 0; j < ELEMENTSOF(provided[i].types) && provided[i].types[j]; j++)
                                if (streq_ptr(m->type, provided[i].types[j]))
                                        return true;
        return false;
}

static int map_mounts(OciContainer *c, char **error) {
        const OciSpec *s = c->spec;

        c->mounts = new0(ContainerMount, s->n_mounts ?: 1);
        if (!c->mounts)
                return -ENOMEM;

        for (size_t i = 0; i < s->n_mounts; i++) {
                const OciMount *om = s->mounts + i;
                ContainerMount *m = c->mounts + c->n_mounts;
                MountOptions o = {};
                uint64_t set = 0, clear = 0;
                unsigned long unsupported = 0;
                size_t bad = 0;
                char path[64];
                int r;

                snprintf(path, sizeof(path), "mounts[%zu]", i);
                if (mount_is_provided(om)) {
                        (void) oci_container_warn(c, "%s: %s on %s is provided by the runtime, skipping", path,
                                                  om->type, om->destination);
                        /* ... with its "ro" or "rw", the last one (read-write without either, as mount(8); the
                         * default spec's cgroup mount is "ro"). */
                        if (streq(om->destination, "/sys/fs/cgroup")) {
                                c->config.cgroup_read_only = false;
                                STRV_FOREACH(opt, om->options)
                                        if (streq(*opt, "ro") || streq(*opt, "rw"))
                                                c->config.cgroup_read_only = streq(*opt, "ro");
                        }
                        continue;
                }
                if (om->n_uid_mappings > 0 || om->n_gid_mappings > 0)
                        return oci_error(error, path, "ID-mapped mounts are not supported");

                r = mount_options_parse_strv(om->options, &o, &bad);
                if (r == -ENOMEM)
                        return r;
                if (mount_options_unavailable(r))
                        return oci_error(error, path, "options: " MOUNT_OPTIONS_UNAVAILABLE_MESSAGE);
                if (r < 0)
                        return oci_error(error, path, "options[%zu]: invalid mount option", bad);
                if (o.extensions != 0) {
                        mount_options_done(&o);
                        return oci_error(error, path, "options: idmap, ridmap and tmpcopyup are not supported");
                }
                r = mount_options_to_attr(&o, &set, &clear, &unsupported);
                if (r < 0 || unsupported != 0) {
                        mount_options_done(&o);
                        return r == -ENOMEM ? r : oci_error(error, path, "options: flags 0x%lx not supported",
                                                             unsupported);
                }

                *m = (ContainerMount) {
                        .destination = om->destination,
                        .attr = set,
                        .recursive = o.recursive_bind,
                        .propagation = o.propagation,
                };
                if (o.bind || streq_ptr(om->type, "bind")) {
                        m->type = "bind";
                        if (!om->source) {
                                mount_options_done(&o);
                                return oci_error(error, path, "a bind mount needs a source");
                        }
                        if (om->source[0] == '/')
                                m->source = om->source;
                        else {
                                /* Relative to the bundle, as the spec allows. */
                                char *a;
                                if (asprintf(&a, "%s/%s", c->bundle, om->source) < 0 ||
                                    strv_extend(&c->strings, a) < 0) {
                                        mount_options_done(&o);
                                        return -ENOMEM;
                                }
                                m->source = c->strings[strv_length(c->strings) - 1];
                                free(a);
                        }
                        if (o.data)
                                (void) oci_container_warn(c, "%s: file system options of a bind mount ignored", path);
                } else {
                        if (!om->type) {
                                mount_options_done(&o);
                                return oci_error(error, path, "type: required for a mount that is not a bind mount");
                        }
                        m->type = om->type;
                        m->source = om->source;
                        if (o.data) {
                                r = split_options(o.data, &m->options);
                                if (r < 0) {
                                        mount_options_done(&o);
                                        return r;
                                }
                        }
                }
                mount_options_done(&o);
                c->n_mounts++;
        }
        c->config.mounts = c->mounts;
        c->config.n_mounts = c->n_mounts;
        return 0;
}

static ContainerNamespaceType namespace_type_from_oci(OciNamespaceType t) {
        switch (t) {
        case OCI_NS_NETWORK:
                return CONTAINER_NAMESPACE_NET;
        case OCI_NS_UTS:
                return CONTAINER_NAMESPACE_UTS;
        case OCI_NS_IPC:
                return CONTAINER_NAMESPACE_IPC;
        case OCI_NS_USER:
                return CONTAINER_NAMESPACE_USER;
        case OCI_NS_PID:
                return CONTAINER_NAMESPACE_PID;
        case OCI_NS_MOUNT:
                return CONTAINER_NAMESPACE_MOUNT;
        case OCI_NS_CGROUP:
                return CONTAINER_NAMESPACE_CGROUP;
        default:
                return _CONTAINER_NAMESPACE_TYPE_INVALID;
        }
}

/* linux.namespaces: a type with a path is joined (container-config.h says how), one without is new. A type not
 * listed would be the runtime's own (runtime-spec); the daemon keeps mount, PID, UTS, IPC and cgroup new all
 * the same, and only the network namespace follows the list (docs/oci.md, "Namespaces"). */
static int map_namespaces(OciContainer *c, char **error) {
        const OciLinux *l = c->spec->linux_config;
        ContainerConfig *cc = &c->config;
        bool user = false;

        if (!l)
                return 0;
        c->namespaces = new0(ContainerNamespace, l->n_namespaces ?: 1);
        if (!c->namespaces)
                return -ENOMEM;

        for (size_t i = 0; i < l->n_namespaces; i++) {
                const OciNamespace *n = l->namespaces + i;
                ContainerNamespaceType t = namespace_type_from_oci(n->type);
                char path[64], origin[80];

                snprintf(path, sizeof(path), "linux.namespaces[%zu]", i);
                if (t < 0)
                        return oci_error(error, path, "%s namespaces are not supported",
                                         strna(oci_namespace_type_to_string(n->type)));
                if (!n->path) {
                        if (t == CONTAINER_NAMESPACE_NET)
                                cc->private_network = true;
                        else if (t == CONTAINER_NAMESPACE_USER)
                                user = true;
                        continue; /* the others are always new */
                }
                snprintf(origin, sizeof(origin), "%s.path", path);
                if (strv_extend(&c->strings, origin) < 0)
                        return -ENOMEM;
                c->namespaces[c->n_namespaces++] = (ContainerNamespace) {
                        .type = t,
                        .path = n->path,
                        .origin = c->strings[strv_length(c->strings) - 1],
                };
                if (t == CONTAINER_NAMESPACE_USER && (l->n_uid_mappings > 0 || l->n_gid_mappings > 0))
                        return oci_error(error, l->n_uid_mappings > 0 ? "linux.uidMappings" : "linux.gidMappings",
                                         "ID mappings cannot be written for a joined user namespace (%s)",
                                         origin);
        }
        cc->join_namespaces = c->namespaces;
        cc->n_join_namespaces = c->n_namespaces;

        if (!user) {
                if (l->n_uid_mappings > 0 || l->n_gid_mappings > 0)
                        return oci_error(error, "linux.uidMappings", "ID mappings need a user namespace");
                return 0;
        }
        if (l->n_uid_mappings == 0 || l->n_gid_mappings == 0)
                return oci_error(error, "linux.uidMappings",
                                 "a new user namespace needs both uidMappings and gidMappings");
        if (l->n_uid_mappings > CONTAINER_ID_MAP_MAX || l->n_gid_mappings > CONTAINER_ID_MAP_MAX)
                return oci_error(error, "linux.uidMappings", "at most %u mappings", CONTAINER_ID_MAP_MAX);
        c->uid_map = new0(ContainerIdMap, l->n_uid_mappings);
        c->gid_map = new0(ContainerIdMap, l->n_gid_mappings);
        if (!c->uid_map || !c->gid_map)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_uid_mappings; i++)
                c->uid_map[i] = (ContainerIdMap) { l->uid_mappings[i].container_id, l->uid_mappings[i].host_id,
                                                   l->uid_mappings[i].size };
        for (size_t i = 0; i < l->n_gid_mappings; i++)
                c->gid_map[i] = (ContainerIdMap) { l->gid_mappings[i].container_id, l->gid_mappings[i].host_id,
                                                   l->gid_mappings[i].size };
        cc->uid_map = c->uid_map;
        cc->n_uid_map = l->n_uid_mappings;
        cc->gid_map = c->gid_map;
        cc->n_gid_map = l->n_gid_mappings;
        return 0;
}

static int map_devices(OciContainer *c, char **error) {
        const OciLinux *l = c->spec->linux_config;

        c->devices = new0(ContainerDevice, l->n_devices ?: 1);
        if (!c->devices)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_devices; i++) {
                const OciDevice *d = l->devices + i;
                char path[64];

                snprintf(path, sizeof(path), "linux.devices[%zu]", i);
                if (!startswith(d->path, "/dev/") || strstr(d->path, "/../") ||
                    (strlen(d->path) >= 3 && streq(d->path + strlen(d->path) - 3, "/..")) ||
                    strstr(d->path, "/./") || strstr(d->path, "//"))
                        return oci_error(error, path, "path: must be a normalized path below /dev");
                if (d->major < 0 || d->minor < 0 || d->major > UINT32_MAX || d->minor > UINT32_MAX)
                        return oci_error(error, path, "major and minor must be between 0 and 2^32-1");
                c->devices[i] = (ContainerDevice) {
                        .path = d->path,
                        .type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR,
                        .major = d->major,
                        .minor = d->minor,
                        .mode = d->has_file_mode ? d->file_mode & 07777 : 0666,
                        .uid = d->has_uid ? d->uid : 0,
                        .gid = d->has_gid ? d->gid : 0,
                };
        }
        c->n_devices = l->n_devices;
        c->config.devices = c->devices;
        c->config.n_devices = c->n_devices;
        return 0;
}

static int map_hooks(OciContainer *c) {
        for (size_t k = 0; k < _OCI_HOOK_KIND_MAX; k++) {
                size_t n = c->spec->n_hooks[k];

                if (n == 0)
                        continue;
                c->hooks[k] = new0(ContainerHook, n);
                if (!c->hooks[k])
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        const OciHook *h = c->spec->hooks[k] + i;
                        c->hooks[k][i] = (ContainerHook) {
                                .path = h->path,
                                .argv = h->args,
                                .envp = h->env,
                                .timeout = h->timeout,
                        };
                }
                c->n_hooks[k] = n;
        }
        c->config.hooks_pause = c->n_hooks[OCI_HOOK_PRESTART] > 0 || c->n_hooks[OCI_HOOK_CREATE_RUNTIME] > 0 ||
                                c->n_hooks[OCI_HOOK_CREATE_CONTAINER] > 0;
        c->config.start_hooks = c->hooks[OCI_HOOK_START_CONTAINER];
        c->config.n_start_hooks = c->n_hooks[OCI_HOOK_START_CONTAINER];
        return 0;
}

int oci_state_json(const OciContainer *c, const char *id, const char *status, pid_t pid, char **ret) {
        json_object *o, *a;
        char *s;
        int r = 0;

        o = json_object_new_object();
        a = json_object_new_object();
        if (!o || !a) {
                json_object_put(o);
                json_object_put(a);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->spec->annotations.n; i++)
                if (json_object_object_add(a, c->spec->annotations.keys[i],
                                           json_object_new_string(c->spec->annotations.values[i])) < 0)
                        r = -ENOMEM;
        if (json_object_object_add(o, "ociVersion", json_object_new_string(c->spec->oci_version)) < 0 ||
            json_object_object_add(o, "id", json_object_new_string(id)) < 0 ||
            json_object_object_add(o, "status", json_object_new_string(status)) < 0 ||
            (pid > 0 && json_object_object_add(o, "pid", json_object_new_int64(pid)) < 0) ||
            json_object_object_add(o, "bundle", json_object_new_string(c->bundle)) < 0)
                r = -ENOMEM;
        if (json_object_object_add(o, "annotations", a) < 0) {
                json_object_put(a);
                r = -ENOMEM;
        }
        s = r < 0 ? NULL : strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int map_linux(OciContainer *c, OciModelFlags flags, char **error) {
        const OciLinux *l = c->spec->linux_config;
        ContainerConfig *cc = &c->config;
        int r;

        if (!l)
                return 0;

        r = map_namespaces(c, error);
        if (r < 0)
                return r;
        r = map_devices(c, error);
        if (r < 0)
                return r;
        r = oci_seccomp_to_profile(c, error);
        if (r < 0)
                return r;
        if (!(flags & OCI_MODEL_SECCOMP_UNCHECKED)) {
                r = oci_seccomp_check(c, error);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < l->sysctl.n; i++) {
                char path[128];

                snprintf(path, sizeof(path), "linux.sysctl[\"%.64s\"]", l->sysctl.keys[i]);
                r = sysctl_key_check(l->sysctl.keys[i], cc->private_network,
                                     !container_config_joined_namespace(cc, CONTAINER_NAMESPACE_IPC));
                if (r == -EPERM)
                        return oci_error(error, path, "not a sysctl of the container's own namespaces (a new "
                                         "network namespace for net.*, the IPC ones): it would change the host");
                if (r < 0)
                        return oci_error(error, path, "invalid sysctl name");
                if (strchr(l->sysctl.values[i], '\n'))
                        return oci_error(error, path, "the value must not contain a newline");
        }
        r = map_string_map(&l->sysctl, &c->sysctls);
        if (r < 0)
                return r;
        cc->sysctls = c->sysctls;
        cc->masked_paths = l->masked_paths;
        cc->readonly_paths = l->readonly_paths;
        if (l->has_personality)
                cc->personality = l->personality;
        cc->rootfs_propagation = l->rootfs_propagation_flags;

        if (l->time_offset_boottime.set || l->time_offset_monotonic.set)
                return oci_error(error, "linux.timeOffsets", "time namespaces are not supported");
        if (l->net_devices.n > 0)
                return oci_error(error, "linux.netDevices", "not supported");
        if (l->mount_label)
                (void) oci_container_warn(c, "linux.mountLabel: not supported, ignoring");

        if (l->cgroups_path) {
                _cleanup_free_ char *slice = NULL, *prefix = NULL, *name = NULL;

                r = oci_cgroups_path_split_systemd(l->cgroups_path, &slice, &prefix, &name);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && l->cgroups_path[0] == '/') {
                        /* A path (runc's cgroupfs form, checked by the parser): for the caller to decide. */
                        c->cgroups_path = strdup(l->cgroups_path);
                        if (!c->cgroups_path)
                                return -ENOMEM;
                        return oci_resources_to_scope_properties(c, error);
                }
                if (r < 0)
                        return oci_error(error, "linux.cgroupsPath",
                                         "only the systemd form SLICE:PREFIX:NAME or an absolute path is supported");
                if (!isempty(slice))
                        c->slice = TAKE_PTR(slice);
                if (asprintf(&c->unit, "%s-%s.scope", prefix, name) < 0)
                        return -ENOMEM;
                if (strlen(c->unit) > UNIT_NAME_LENGTH_MAX)
                        return oci_error(error, "linux.cgroupsPath",
                                         "the scope's name PREFIX-NAME.scope would be %zu characters long, systemd "
                                         "takes at most %d", strlen(c->unit), UNIT_NAME_LENGTH_MAX);
        }

        return oci_resources_to_scope_properties(c, error);
}

int oci_container_from_spec(OciSpec *spec, const char *bundle, const char *name, char * const *envp_defaults,
                            OciContainer **ret, char **ret_error) {
        return oci_container_from_spec_full(spec, bundle, name, envp_defaults, 0, ret, ret_error);
}

int oci_container_from_spec_full(OciSpec *spec, const char *bundle, const char *name, char * const *envp_defaults,
                                 OciModelFlags flags, OciContainer **ret, char **ret_error) {
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        c = new0(OciContainer, 1);
        if (!c) {
                oci_spec_free(spec);
                return -ENOMEM;
        }
        c->spec = spec;
        c->bundle = strdup(bundle);
        if (!c->bundle)
                return -ENOMEM;

        c->config = (ContainerConfig) {
                .hostname = !isempty(spec->hostname) ? spec->hostname : name,
                .root = spec->root_path,
                .read_only = spec->root_readonly,
                .personality = PERSONALITY_INVALID,
                .oom_score_adjust = OOM_SCORE_ADJUST_UNSET,
                .resolv_conf = -1,
                .timezone = -1,
                .stdin_fd = -EBADF,
                .stdout_fd = -EBADF,
                .stderr_fd = -EBADF,
                .console_fd = -EBADF,
                /* Without a cgroup mount in the bundle (runc mounts none then), read-only too. */
                .cgroup_read_only = true,
        };
        if (spec->domainname)
                (void) oci_container_warn(c, "domainname: not supported, ignoring");

        r = map_process(c, envp_defaults, flags, &error);
        if (r >= 0 && !(flags & OCI_MODEL_NO_MOUNTS))
                r = map_mounts(c, &error);
        if (r >= 0)
                r = map_linux(c, flags, &error);
        if (r >= 0)
                r = map_hooks(c);
        if (r >= 0) {
                r = map_string_map(&spec->annotations, &c->annotations);
                c->config.annotations = c->annotations;
        }
        /* What the checks above let through must be a model the set-up takes: anything else is a bug here,
         * refused rather than a start that fails later with a bare EINVAL. */
        if (r >= 0 && c->config.root && c->config.root[0] == '/') {
                r = container_config_validate(&c->config);
                if (r == -EINVAL)
                        r = oci_error(&error, "", "the container model refuses this configuration");
        }
        if (r < 0) {
                if (r != -ENOMEM)
                        *ret_error = TAKE_PTR(error);
                return r == -ENOMEM ? r : -EINVAL;
        }

        *ret = TAKE_PTR(c);
        return 0;
}

int oci_container_check_seccomp(OciContainer *c, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = oci_seccomp_check(c, &error);
        if (r < 0 && r != -ENOMEM) {
                *ret_error = TAKE_PTR(error);
                return -EINVAL;
        }
        return r;
}

int oci_container_load(const char *bundle, const char *name, char * const *envp_defaults, OciContainer **ret,
                       char **ret_error) {
        return oci_container_load_full(bundle, name, envp_defaults, 0, NULL, NULL, ret, ret_error);
}

int oci_container_load_full(const char *bundle, const char *name, char * const *envp_defaults, OciModelFlags flags,
                            char **ret_text, size_t *ret_size, OciContainer **ret, char **ret_error) {
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        r = oci_spec_read(bundle, &text, &size, ret_error);
        if (r >= 0)
                r = oci_spec_parse(text, size, &spec, ret_error);
        if (r >= 0)
                r = oci_spec_resolve_root(spec, bundle, ret_error);
        if (r >= 0)
                r = oci_container_from_spec_full(TAKE_PTR(spec), bundle, name, envp_defaults, flags, ret, ret_error);
        if (r < 0)
                return r;
        if (ret_text) {
                *ret_text = TAKE_PTR(text);
                *ret_size = size;
        }
        return 0;
}
