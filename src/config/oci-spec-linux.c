/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "linux": namespaces, ID mappings, time offsets, devices, cgroupsPath, sysctl, propagation,
 * masked and read-only paths, personality. resources and seccomp have their own files. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>

#include "mount-options.h"
#include "oci-json.h"
#include "strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        const char *name;
        int flag;
} namespace_table[_OCI_NS_MAX] = {
        [OCI_NS_PID]     = { "pid",     CLONE_NEWPID },
        [OCI_NS_NETWORK] = { "network", CLONE_NEWNET },
        [OCI_NS_MOUNT]   = { "mount",   CLONE_NEWNS },
        [OCI_NS_IPC]     = { "ipc",     CLONE_NEWIPC },
        [OCI_NS_UTS]     = { "uts",     CLONE_NEWUTS },
        [OCI_NS_USER]    = { "user",    CLONE_NEWUSER },
        [OCI_NS_CGROUP]  = { "cgroup",  CLONE_NEWCGROUP },
        [OCI_NS_TIME]    = { "time",    CLONE_NEWTIME },
};

const char *oci_namespace_type_to_string(OciNamespaceType t) {
        if (t < 0 || t >= _OCI_NS_MAX)
                return NULL;
        return namespace_table[t].name;
}

OciNamespaceType oci_namespace_type_from_string(const char *s) {
        for (OciNamespaceType t = 0; t < _OCI_NS_MAX; t++)
                if (streq(namespace_table[t].name, s))
                        return t;
        return _OCI_NS_INVALID;
}

void oci_linux_done(OciLinux *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n_namespaces; i++)
                free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        oci_string_map_done(&l->net_devices);
        free(l->cgroups_path);
        oci_resources_done(&l->resources);
        oci_string_map_done(&l->sysctl);
        free(l->rootfs_propagation);
        oci_seccomp_free(l->seccomp);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
}

static void namespace_done(void *p) {
        free(((OciNamespace *) p)->path);
}

static int parse_namespace(json_object *e, const char *path, void *dest, char **error) {
        OciNamespace *ns = dest;
        _cleanup_free_ char *type = NULL;
        int r;

        ns->type = _OCI_NS_INVALID;
        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "type", oci_json_string(_v, _p, &type, error));
        if (r < 0)
                return r;
        ns->type = oci_namespace_type_from_string(type);
        if (ns->type < 0) {
                _cleanup_free_ char *tp = oci_path_key(path, "type");
                return tp ? oci_error(error, tp, "unknown namespace type \"%.64s\"", type) : -ENOMEM;
        }
        ns->clone_flag = namespace_table[ns->type].flag;
        return OCI_FIELD(e, path, "path", oci_json_abs_path(_v, _p, &ns->path, error));
}

static int parse_namespaces(json_object *v, const char *path, OciLinux *l, char **error) {
        int r;

        r = oci_json_array_parse(v, path, sizeof(OciNamespace), parse_namespace, namespace_done,
                                 (void **) &l->namespaces, &l->n_namespaces, error);
        if (r < 0)
                return r;
        /* "If a namespaces field contains duplicated namespaces with same type, the runtime MUST generate an
         * error." */
        for (size_t i = 1; i < l->n_namespaces; i++)
                for (size_t j = 0; j < i; j++)
                        if (l->namespaces[i].type == l->namespaces[j].type) {
                                _cleanup_free_ char *ep = oci_path_index(path, i);
                                return ep ? oci_error(error, ep, "duplicate namespace type \"%s\"",
                                                      namespace_table[l->namespaces[i].type].name)
                                          : -ENOMEM;
                        }
        return 0;
}

static int parse_time_offset(json_object *v, const char *path, OciTimeOffset *t, char **error) {
        uint32_t ns = 0;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "secs", oci_json_int64(_v, _p, INT64_MIN, INT64_MAX, &t->secs, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "nanosecs", oci_json_uint32(_v, _p, &ns, error));
        if (r < 0)
                return r;
        if (ns >= 1000000000U)
                return oci_error(error, path, "nanosecs must be below 1000000000");
        t->nanosecs = ns;
        t->set = true;
        return 0;
}

static int parse_time_offsets(json_object *v, const char *path, OciLinux *l, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        /* time_namespaces(7): only these two clocks can be offset. */
        json_object_object_foreach(v, key, val) {
                _cleanup_free_ char *p = oci_path_map_key(path, key);
                OciTimeOffset *t;

                if (!p)
                        return -ENOMEM;
                if (streq(key, "boottime"))
                        t = &l->time_offset_boottime;
                else if (streq(key, "monotonic"))
                        t = &l->time_offset_monotonic;
                else
                        return oci_error(error, p, "unknown clock (expected \"boottime\" or \"monotonic\")");
                r = parse_time_offset(val, p, t, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void device_done(void *p) {
        free(((OciDevice *) p)->path);
}

static int parse_device(json_object *e, const char *path, void *dest, char **error) {
        OciDevice *d = dest;
        _cleanup_free_ char *type = NULL;
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "type", oci_json_string(_v, _p, &type, error));
        if (r < 0)
                return r;
        if (strlen(type) != 1 || !strchr("cbup", type[0])) {
                _cleanup_free_ char *tp = oci_path_key(path, "type");
                return tp ? oci_error(error, tp, "unknown device type \"%.64s\" (expected c, b, u or p)", type)
                          : -ENOMEM;
        }
        d->type = type[0];
        r = OCI_REQUIRED(e, path, "path", oci_json_abs_path(_v, _p, &d->path, error));
        if (r < 0)
                return r;
        /* major and minor are required unless the type is p (a FIFO); dev_t numbers are 32 bit wide. */
        if (d->type == 'p') {
                r = OCI_FIELD(e, path, "major", oci_json_int64(_v, _p, 0, UINT32_MAX, &d->major, error));
                if (r >= 0)
                        r = OCI_FIELD(e, path, "minor", oci_json_int64(_v, _p, 0, UINT32_MAX, &d->minor, error));
        } else {
                r = OCI_REQUIRED(e, path, "major", oci_json_int64(_v, _p, 0, UINT32_MAX, &d->major, error));
                if (r >= 0)
                        r = OCI_REQUIRED(e, path, "minor", oci_json_int64(_v, _p, 0, UINT32_MAX, &d->minor, error));
        }
        if (r < 0)
                return r;
        r = OCI_FIELD(e, path, "fileMode", oci_json_uint32(_v, _p, &d->file_mode, error));
        if (r < 0)
                return r;
        if (oci_json_field(e, "fileMode")) {
                if (d->file_mode > 07777)
                        return oci_error(error, path, "fileMode %u has bits beyond 07777 (it is decimal: 0666 is "
                                         "438)", d->file_mode);
                d->has_file_mode = true;
        }
        r = OCI_FIELD(e, path, "uid", oci_json_uint32(_v, _p, &d->uid, error));
        if (r < 0)
                return r;
        d->has_uid = oci_json_field(e, "uid");
        r = OCI_FIELD(e, path, "gid", oci_json_uint32(_v, _p, &d->gid, error));
        if (r < 0)
                return r;
        d->has_gid = oci_json_field(e, "gid");
        return 0;
}

static int parse_net_devices(json_object *v, const char *path, OciLinux *l, char **error) {
        OciStringMap *m = &l->net_devices;
        size_t n;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        n = (size_t) json_object_object_length(v);
        m->keys = new0(char *, n);
        m->values = new0(char *, n);
        if (!m->keys || !m->values)
                return -ENOMEM;
        json_object_object_foreach(v, key, val) {
                _cleanup_free_ char *p = oci_path_map_key(path, key);
                if (!p)
                        return -ENOMEM;
                if (isempty(key) || m->n >= n)
                        return oci_error(error, p, "interface name must not be empty");
                m->keys[m->n] = strdup(key);
                m->values[m->n] = strdup("");
                if (!m->keys[m->n] || !m->values[m->n]) {
                        free(m->keys[m->n]);
                        free(m->values[m->n]);
                        return -ENOMEM;
                }
                m->n++;
                r = val ? oci_json_object(val, p, error) : oci_error(error, p, "expected an object, got null");
                if (r < 0)
                        return r;
                r = OCI_FIELD(val, p, "name", oci_json_string(_v, _p, &m->values[m->n - 1], error));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* cgroupsPath: either systemd's "slice:prefix:name" or a path; refuse ".." so that a path cannot climb out
 * of the hierarchy the runtime puts it under. */
static int parse_cgroups_path(json_object *v, const char *path, char **ret, char **error) {
        int r;

        r = oci_json_string(v, path, ret, error);
        if (r < 0)
                return r;
        if (strchr(*ret, ':')) {
                r = oci_cgroups_path_split_systemd(*ret, NULL, NULL, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return oci_error(error, path, "invalid systemd cgroup path \"%.128s\" (expected "
                                         "\"SLICE:PREFIX:NAME\")", *ret);
                return 0;
        }
        for (const char *p = *ret; p; ) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t) (slash - p) : strlen(p);

                if (n == 2 && strneq(p, "..", 2))
                        return oci_error(error, path, "must not contain \"..\"");
                p = slash ? slash + 1 : NULL;
        }
        return 0;
}

static int parse_sysctl(json_object *v, const char *path, OciStringMap *m, char **error) {
        int r;

        r = oci_json_string_map(v, path, m, error);
        if (r < 0)
                return r;
        /* Names are written below /proc/sys: no path tricks. Both "." and "/" separate components. */
        for (size_t i = 0; i < m->n; i++) {
                const char *k = m->keys[i];
                bool bad = k[0] == '.' || k[0] == '/' || strstr(k, "..") || strstr(k, "/.") || strstr(k, "//");

                if (bad) {
                        _cleanup_free_ char *p = oci_path_map_key(path, k);
                        return p ? oci_error(error, p, "invalid sysctl name") : -ENOMEM;
                }
        }
        return 0;
}

static int parse_rootfs_propagation(json_object *v, const char *path, OciLinux *l, char **error) {
        int r;

        r = oci_json_string(v, path, &l->rootfs_propagation, error);
        if (r < 0)
                return r;
        /* The spec names shared, slave, private and unbindable; runc and crun also take the r* forms. */
        r = mount_propagation_from_string(l->rootfs_propagation, &l->rootfs_propagation_flags);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return oci_error(error, path, "invalid propagation \"%.64s\" (expected shared, slave, private "
                                 "or unbindable)", l->rootfs_propagation);
        return 0;
}

static int parse_personality(json_object *v, const char *path, OciLinux *l, char **error) {
        _cleanup_free_ char *domain = NULL;
        _cleanup_strv_free_ char **flags = NULL;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "domain", oci_json_string(_v, _p, &domain, error));
        if (r < 0)
                return r;
        if (streq(domain, "LINUX"))
                l->personality = PER_LINUX;
        else if (streq(domain, "LINUX32"))
                l->personality = PER_LINUX32;
        else {
                _cleanup_free_ char *dp = oci_path_key(path, "domain");
                return dp ? oci_error(error, dp, "unknown personality domain \"%.64s\"", domain) : -ENOMEM;
        }
        r = OCI_FIELD(v, path, "flags", oci_json_strv(_v, _p, false, &flags, error));
        if (r < 0)
                return r;
        /* "Currently no flag values are supported." */
        if (flags && flags[0]) {
                _cleanup_free_ char *fp = oci_path_key(path, "flags[0]");
                return fp ? oci_error(error, fp, "unsupported personality flag \"%.64s\"", flags[0]) : -ENOMEM;
        }
        l->has_personality = true;
        return 0;
}

static int parse_resources_field(json_object *v, const char *path, OciLinux *l, char **error) {
        l->has_resources = true;
        return oci_parse_resources(v, path, &l->resources, error);
}

static int parse_seccomp_field(json_object *v, const char *path, OciLinux *l, char **error) {
        l->seccomp = new0(OciSeccomp, 1);
        if (!l->seccomp)
                return -ENOMEM;
        return oci_parse_seccomp(v, path, l->seccomp, error);
}

int oci_parse_linux(json_object *v, const char *path, OciLinux *l, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;

        r = OCI_FIELD(v, path, "namespaces", parse_namespaces(_v, _p, l, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "uidMappings",
                      oci_json_id_mappings(_v, _p, &l->uid_mappings, &l->n_uid_mappings, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "gidMappings",
                      oci_json_id_mappings(_v, _p, &l->gid_mappings, &l->n_gid_mappings, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "timeOffsets", parse_time_offsets(_v, _p, l, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "devices",
                      oci_json_array_parse(_v, _p, sizeof(OciDevice), parse_device, device_done,
                                           (void **) &l->devices, &l->n_devices, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "netDevices", parse_net_devices(_v, _p, l, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "cgroupsPath", parse_cgroups_path(_v, _p, &l->cgroups_path, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "resources", parse_resources_field(_v, _p, l, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "sysctl", parse_sysctl(_v, _p, &l->sysctl, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "rootfsPropagation", parse_rootfs_propagation(_v, _p, l, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "seccomp", parse_seccomp_field(_v, _p, l, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "maskedPaths", oci_json_strv(_v, _p, true, &l->masked_paths, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "readonlyPaths", oci_json_strv(_v, _p, true, &l->readonly_paths, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "mountLabel", oci_json_string(_v, _p, &l->mount_label, error));
        if (r < 0)
                return r;
        /* intelRdt, memoryPolicy and anything else: ignored. */
        return OCI_FIELD(v, path, "personality", parse_personality(_v, _p, l, error));
}
