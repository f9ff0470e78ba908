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

static int parse_namespace_type(json_object *v, const char *path, void *dest, char **error) {
        _cleanup_free_ char *type = NULL;
        OciNamespace *ns = dest;
        int r;

        r = oci_parse_string(v, path, &type, error);
        if (r < 0)
                return r;
        ns->type = oci_namespace_type_from_string(type);
        if (ns->type < 0)
                return oci_error(error, path, "unknown namespace type \"%.64s\"", type);
        ns->clone_flag = namespace_table[ns->type].flag;
        return 0;
}

static const OciField namespace_fields[] = {
        { "type", parse_namespace_type, 0,                            OCI_MANDATORY },
        { "path", oci_parse_abs_path,   offsetof(OciNamespace, path) },
        {}
};

static const OciArrayType namespace_array = { sizeof(OciNamespace), namespace_fields, NULL, namespace_done };

static int parse_namespaces(json_object *v, const char *path, void *dest, char **error) {
        OciLinux *l = dest;
        size_t i, j;
        int r;

        r = oci_json_array_parse(v, path, &namespace_array, (void **) &l->namespaces, &l->n_namespaces, error);
        if (r < 0)
                return r;
        /* "If a namespaces field contains duplicated namespaces with same type, the runtime MUST generate an
         * error." */
        _Static_assert(sizeof(OciNamespaceType) == sizeof(int), "oci_find_duplicate() compares ints");
        if (oci_find_duplicate(l->namespaces, l->n_namespaces, sizeof(OciNamespace), offsetof(OciNamespace, type),
                               &i, &j))
                return oci_error_take(error, oci_path_index(path, i), "duplicate namespace type \"%s\"",
                                      namespace_table[l->namespaces[i].type].name);
        return 0;
}

static int check_nanosecs(json_object *v, const char *path, void *dest, char **error) {
        OciTimeOffset *t = dest;

        if (t->nanosecs >= 1000000000U)
                return oci_error(error, path, "nanosecs must be below 1000000000");
        t->set = true;
        return 0;
}

static const OciField time_offset_fields[] = {
        { "secs",     oci_parse_int64,  offsetof(OciTimeOffset, secs) },
        { "nanosecs", oci_parse_uint32, offsetof(OciTimeOffset, nanosecs) },
        { OCI_CHECK(check_nanosecs) },
        {}
};

/* time_namespaces(7): only these two clocks can be offset. */
static int time_offset(json_object *v, const char *path, const char *clock, void *userdata, char **error) {
        OciLinux *l = userdata;
        OciTimeOffset *t;

        if (streq(clock, "boottime"))
                t = &l->time_offset_boottime;
        else if (streq(clock, "monotonic"))
                t = &l->time_offset_monotonic;
        else
                return oci_error(error, path, "unknown clock (expected \"boottime\" or \"monotonic\")");
        return oci_dispatch(v, path, time_offset_fields, t, error);
}

static int parse_time_offsets(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_object_foreach(v, path, time_offset, dest, error);
}

static void device_done(void *p) {
        free(((OciDevice *) p)->path);
}

static int parse_device_type(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_device_type(v, path, "cbup", "c, b, u or p", dest, error);
}

static const OciField device_number_fields[] = {
        { "major", oci_parse_dev_number, offsetof(OciDevice, major), OCI_MANDATORY },
        { "minor", oci_parse_dev_number, offsetof(OciDevice, minor), OCI_MANDATORY },
        {}
};

static const OciField fifo_number_fields[] = {
        { "major", oci_parse_dev_number, offsetof(OciDevice, major) },
        { "minor", oci_parse_dev_number, offsetof(OciDevice, minor) },
        {}
};

/* major and minor are required unless the type is p (a FIFO). */
static int parse_device_numbers(json_object *e, const char *path, void *dest, char **error) {
        OciDevice *d = dest;

        return oci_dispatch(e, path, d->type == 'p' ? fifo_number_fields : device_number_fields, d, error);
}

static int check_file_mode(json_object *e, const char *path, void *dest, char **error) {
        OciDevice *d = dest;

        if (d->has_file_mode && d->file_mode > 07777)
                return oci_error(error, path, "fileMode %u has bits beyond 07777 (it is decimal: 0666 is 438)",
                                 d->file_mode);
        return 0;
}

static const OciField device_fields[] = {
        { "type",     parse_device_type,  offsetof(OciDevice, type), OCI_MANDATORY },
        { "path",     oci_parse_abs_path, offsetof(OciDevice, path), OCI_MANDATORY },
        { OCI_CHECK(parse_device_numbers) },
        { "fileMode", oci_parse_uint32,   offsetof(OciDevice, file_mode), OCI_PRESENT(OciDevice, has_file_mode) },
        { OCI_CHECK(check_file_mode) },
        { "uid",      oci_parse_uint32,   offsetof(OciDevice, uid),       OCI_PRESENT(OciDevice, has_uid) },
        { "gid",      oci_parse_uint32,   offsetof(OciDevice, gid),       OCI_PRESENT(OciDevice, has_gid) },
        {}
};

static const OciArrayType device_array = { sizeof(OciDevice), device_fields, NULL, device_done };

static const OciField net_device_fields[] = {
        { "name", oci_parse_string, 0 },
        {}
};

static int parse_net_device(json_object *v, const char *path, void *dest, char **error) {
        char **name = dest;
        int r;

        r = oci_dispatch(v, path, net_device_fields, name, error);
        if (r < 0)
                return r;
        if (!*name) {
                *name = strdup("");     /* the same name in the container */
                if (!*name)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_net_devices(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_string_map(v, path, parse_net_device, "interface name must not be empty", dest, error);
}

/* cgroupsPath: either systemd's "slice:prefix:name" or a path; refuse ".." so that a path cannot climb out
 * of the hierarchy the runtime puts it under. */
static int parse_cgroups_path(json_object *v, const char *path, void *dest, char **error) {
        char **ret = dest;
        int r;

        r = oci_parse_string(v, path, ret, error);
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

/* Names are written below /proc/sys: no path tricks. Both "." and "/" separate components. */
static bool sysctl_name_valid(const char *k) {
        return !(k[0] == '.' || k[0] == '/' || strstr(k, "..") || strstr(k, "/.") || strstr(k, "//"));
}

static int parse_sysctl(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_string_map_keys(v, path, sysctl_name_valid, "invalid sysctl name", dest, error);
}

static int parse_rootfs_propagation(json_object *v, const char *path, void *dest, char **error) {
        OciLinux *l = dest;
        int r;

        r = oci_parse_string(v, path, &l->rootfs_propagation, error);
        if (r < 0)
                return r;
        /* The spec names shared, slave, private and unbindable; runc and crun also take the r* forms. */
        r = mount_propagation_from_string(l->rootfs_propagation, &l->rootfs_propagation_flags);
        if (r == -ENOMEM)
                return r;
        if (mount_options_unavailable(r))
                return oci_error(error, path, MOUNT_OPTIONS_UNAVAILABLE_MESSAGE);
        if (r < 0)
                return oci_error(error, path, "invalid propagation \"%.64s\" (expected shared, slave, private "
                                 "or unbindable)", l->rootfs_propagation);
        return 0;
}

static const OciNameValue personality_table[] = {
        { "LINUX",   PER_LINUX },
        { "LINUX32", PER_LINUX32 },
};

static int parse_personality_domain(json_object *v, const char *path, void *dest, char **error) {
        long domain;
        int r;

        r = oci_json_enum(v, path, personality_table, ELEMENTSOF(personality_table), "personality domain",
                          &domain, error);
        if (r < 0)
                return r;
        *(unsigned long *) dest = (unsigned long) domain;
        return 0;
}

static int parse_personality_flags(json_object *v, const char *path, void *dest, char **error) {
        _cleanup_strv_free_ char **flags = NULL;
        int r;

        r = oci_parse_strv(v, path, &flags, error);
        if (r < 0)
                return r;
        /* "Currently no flag values are supported." */
        if (flags[0])
                return oci_error_take(error, oci_path_index(path, 0), "unsupported personality flag \"%.64s\"",
                                      flags[0]);
        return 0;
}

static const OciField personality_fields[] = {
        { "domain", parse_personality_domain, offsetof(OciLinux, personality), OCI_MANDATORY },
        { "flags",  parse_personality_flags,  0 },
        {}
};

static const OciField linux_fields[] = {
        { "namespaces",        parse_namespaces,         0 },
        { OCI_ARRAY("uidMappings", OciLinux, uid_mappings, n_uid_mappings, &oci_id_mapping_array) },
        { OCI_ARRAY("gidMappings", OciLinux, gid_mappings, n_gid_mappings, &oci_id_mapping_array) },
        { "timeOffsets",       parse_time_offsets,       0 },
        { OCI_ARRAY("devices", OciLinux, devices, n_devices, &device_array) },
        { "netDevices",        parse_net_devices,        offsetof(OciLinux, net_devices) },
        { "cgroupsPath",       parse_cgroups_path,       offsetof(OciLinux, cgroups_path) },
        { "resources",         oci_parse_resources,      offsetof(OciLinux, resources),
                               OCI_PRESENT(OciLinux, has_resources) },
        { "sysctl",            parse_sysctl,             offsetof(OciLinux, sysctl) },
        { "rootfsPropagation", parse_rootfs_propagation, 0 },
        { "seccomp",           oci_parse_seccomp,        offsetof(OciLinux, seccomp) },
        { "maskedPaths",       oci_parse_abs_strv,       offsetof(OciLinux, masked_paths) },
        { "readonlyPaths",     oci_parse_abs_strv,       offsetof(OciLinux, readonly_paths) },
        { "mountLabel",        oci_parse_string,         offsetof(OciLinux, mount_label) },
        /* intelRdt, memoryPolicy and anything else: ignored. */
        { OCI_OBJECT("personality", personality_fields, 0), OCI_PRESENT(OciLinux, has_personality) },
        {}
};

int oci_parse_linux(json_object *v, const char *path, void *dest, char **error) {
        return oci_dispatch_new(v, path, linux_fields, sizeof(OciLinux), dest, error);
}
