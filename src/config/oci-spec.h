/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A typed, faithful representation of an OCI runtime-spec 1.x config.json for Linux (docs/oci.md).
 *
 * The parser only reads and validates: it never touches the file system beyond reading config.json, and it
 * never decides policy. Unknown fields are ignored, as the spec requires; a field of the wrong type or with
 * an invalid value is an error whose message starts with the JSON path of the offending value, e.g.
 * "process.args[2]: expected a string". Optional scalars that the spec distinguishes from their zero value
 * ("if not set, the runtime MUST NOT change ...") come with a has_* flag. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Upper bounds for untrusted input. */
#define OCI_SPEC_SIZE_MAX (4U * 1024U * 1024U)
#define OCI_SPEC_DEPTH_MAX 32

typedef struct OciStringMap {
        char **keys;            /* n entries each, in document order */
        char **values;
        size_t n;
} OciStringMap;

typedef struct OciIdMapping {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
} OciIdMapping;

typedef struct OciMount {
        char *destination;      /* always absolute: a deprecated relative one is made relative to "/" */
        char *type;             /* NULL if not given */
        char *source;           /* NULL if not given */
        char **options;         /* NULL if not given */
        OciIdMapping *uid_mappings;
        size_t n_uid_mappings;
        OciIdMapping *gid_mappings;
        size_t n_gid_mappings;
} OciMount;

typedef struct OciRlimit {
        int resource;           /* RLIMIT_* */
        uint64_t soft;
        uint64_t hard;
} OciRlimit;

typedef enum OciCapabilitySet {
        OCI_CAP_BOUNDING,
        OCI_CAP_EFFECTIVE,
        OCI_CAP_INHERITABLE,
        OCI_CAP_PERMITTED,
        OCI_CAP_AMBIENT,
        _OCI_CAP_SET_MAX,
} OciCapabilitySet;

typedef struct OciScheduler {
        int policy;             /* SCHED_* */
        int32_t nice;
        int32_t priority;
        uint64_t flags;         /* SCHED_FLAG_* bits */
        uint64_t runtime;
        uint64_t deadline;
        uint64_t period;
} OciScheduler;

typedef struct OciProcess {
        bool terminal;
        bool has_console_size;
        unsigned console_height;
        unsigned console_width;

        uid_t uid;
        gid_t gid;
        bool has_umask;
        mode_t umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
        char *username;

        char **args;            /* at least one entry */
        char **env;             /* every entry is KEY=VALUE */
        char *cwd;              /* absolute */

        bool has_capabilities;
        uint64_t capabilities[_OCI_CAP_SET_MAX];    /* bit N = capability N */
        char **unknown_capabilities;                /* well-formed names libcap does not know: warn, don't fail */

        OciRlimit *rlimits;
        size_t n_rlimits;

        bool no_new_privileges;
        char *apparmor_profile;
        char *selinux_label;
        bool has_oom_score_adj;
        int oom_score_adj;

        bool has_scheduler;
        OciScheduler scheduler;

        bool has_io_priority;
        int io_priority_class;  /* IOPRIO_CLASS_RT=1, _BE=2, _IDLE=3 */
        int io_priority;        /* 0..7 */

        char *exec_cpu_affinity_initial;
        char *exec_cpu_affinity_final;
} OciProcess;

typedef struct OciHook {
        char *path;             /* absolute */
        char **args;
        char **env;
        int timeout;            /* seconds, > 0; 0 if not given */
} OciHook;

typedef enum OciHookKind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        _OCI_HOOK_KIND_MAX,
} OciHookKind;

typedef enum OciNamespaceType {
        OCI_NS_PID,
        OCI_NS_NETWORK,
        OCI_NS_MOUNT,
        OCI_NS_IPC,
        OCI_NS_UTS,
        OCI_NS_USER,
        OCI_NS_CGROUP,
        OCI_NS_TIME,
        _OCI_NS_MAX,
        _OCI_NS_INVALID = -22,
} OciNamespaceType;

typedef struct OciNamespace {
        OciNamespaceType type;
        int clone_flag;         /* CLONE_NEW* */
        char *path;             /* NULL: create a new one */
} OciNamespace;

typedef struct OciDevice {
        char type;              /* 'c', 'b', 'u' or 'p' */
        char *path;             /* absolute */
        int64_t major;          /* 0 for 'p' */
        int64_t minor;
        bool has_file_mode;
        uint32_t file_mode;
        bool has_uid;
        uint32_t uid;
        bool has_gid;
        uint32_t gid;
} OciDevice;

typedef struct OciDeviceRule {
        bool allow;
        char type;              /* 'a', 'c' or 'b' ('a' if not given) */
        int64_t major;          /* -1: any */
        int64_t minor;          /* -1: any */
        char access[4];         /* subset of "rwm", "rwm" if not given */
} OciDeviceRule;

typedef struct OciOptU64 {
        bool set;
        uint64_t value;
} OciOptU64;

typedef struct OciOptI64 {
        bool set;
        int64_t value;
} OciOptI64;

typedef struct OciWeightDevice {
        int64_t major, minor;
        bool has_weight, has_leaf_weight;
        uint16_t weight, leaf_weight;
} OciWeightDevice;

typedef struct OciThrottleDevice {
        int64_t major, minor;
        uint64_t rate;
} OciThrottleDevice;

typedef enum OciThrottleKind {
        OCI_THROTTLE_READ_BPS,
        OCI_THROTTLE_WRITE_BPS,
        OCI_THROTTLE_READ_IOPS,
        OCI_THROTTLE_WRITE_IOPS,
        _OCI_THROTTLE_MAX,
} OciThrottleKind;

typedef struct OciHugepageLimit {
        char *page_size;
        uint64_t limit;
} OciHugepageLimit;

typedef struct OciResources {
        OciDeviceRule *devices;
        size_t n_devices;

        struct {
                OciOptI64 limit, reservation, swap, kernel, kernel_tcp;
                OciOptU64 swappiness;
                bool disable_oom_killer, use_hierarchy, check_before_update;
        } memory;

        struct {
                OciOptU64 shares, burst, period, realtime_period;
                OciOptI64 quota, realtime_runtime, idle;
                char *cpus;
                char *mems;
        } cpu;

        struct {
                bool has_weight, has_leaf_weight;
                uint16_t weight, leaf_weight;
                OciWeightDevice *weight_devices;
                size_t n_weight_devices;
                OciThrottleDevice *throttle[_OCI_THROTTLE_MAX];
                size_t n_throttle[_OCI_THROTTLE_MAX];
        } block_io;

        OciHugepageLimit *hugepage_limits;
        size_t n_hugepage_limits;

        bool has_network_class_id;
        uint32_t network_class_id;
        OciStringMap network_priorities;    /* interface name -> decimal priority */

        OciOptI64 pids_limit;               /* -1: no limit */

        OciStringMap unified;               /* cgroup v2 file -> value */
} OciResources;

typedef struct OciSeccompArg {
        unsigned index;         /* 0..5 */
        uint64_t value;
        uint64_t value_two;
        int op;                 /* enum scmp_compare */
} OciSeccompArg;

typedef struct OciSeccompRule {
        char **names;           /* at least one; names libseccomp does not know are kept (see docs/oci.md) */
        uint32_t action;        /* SCMP_ACT_*, with errno/trace data folded in */
        OciSeccompArg *args;
        size_t n_args;
} OciSeccompRule;

typedef struct OciSeccomp {
        uint32_t default_action;
        uint32_t *architectures;            /* SCMP_ARCH_* tokens */
        size_t n_architectures;
        unsigned long flags;                /* SECCOMP_FILTER_FLAG_* */
        char *listener_path;
        char *listener_metadata;
        OciSeccompRule *syscalls;
        size_t n_syscalls;
} OciSeccomp;

typedef struct OciTimeOffset {
        bool set;
        int64_t secs;
        uint32_t nanosecs;
} OciTimeOffset;

typedef struct OciLinux {
        OciNamespace *namespaces;
        size_t n_namespaces;
        OciIdMapping *uid_mappings;
        size_t n_uid_mappings;
        OciIdMapping *gid_mappings;
        size_t n_gid_mappings;
        OciTimeOffset time_offset_boottime;
        OciTimeOffset time_offset_monotonic;
        OciDevice *devices;
        size_t n_devices;
        OciStringMap net_devices;           /* host name -> name in the container ("" = same) */
        char *cgroups_path;
        bool has_resources;
        OciResources resources;
        OciStringMap sysctl;
        char *rootfs_propagation;           /* as given; validated */
        unsigned long rootfs_propagation_flags; /* MS_SHARED|MS_REC etc., 0 if not given */
        OciSeccomp *seccomp;
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        bool has_personality;
        unsigned long personality;          /* PER_LINUX or PER_LINUX32 */
} OciLinux;

typedef struct OciSpec {
        char *oci_version;
        char *root_path;        /* as written in config.json; oci_spec_load() makes it absolute */
        bool root_readonly;
        OciMount *mounts;
        size_t n_mounts;
        OciProcess *process;    /* NULL if the config has none */
        char *hostname;
        char *domainname;
        OciHook *hooks[_OCI_HOOK_KIND_MAX];
        size_t n_hooks[_OCI_HOOK_KIND_MAX];
        OciStringMap annotations;
        OciLinux *linux_config;      /* NULL if the config has none */
} OciSpec;

/* Frees a spec, also a half-built one. Returns NULL. */
OciSpec *oci_spec_free(OciSpec *s);
static inline void oci_spec_freep(OciSpec **s) {
        oci_spec_free(*s);
}

/* Parses config.json from a buffer of size bytes (need not be NUL-terminated). Returns 0 and *ret on success.
 * On failure returns -EBADMSG (not JSON, trailing garbage, nested deeper than OCI_SPEC_DEPTH_MAX, NUL bytes or
 * invalid UTF-8), -EFBIG (larger than OCI_SPEC_SIZE_MAX), -EPROTONOSUPPORT (ociVersion not 1.x), -EINVAL (a
 * value of the wrong type, out of range, or a required field missing), each with a message in *ret_error
 * (to be freed; the JSON path first), or -ENOMEM (no message). ret and ret_error are untouched on success
 * and failure respectively. */
int oci_spec_parse(const char *data, size_t size, OciSpec **ret, char **ret_error);

/* Reads BUNDLE/config.json (a regular file, not a symlink, at most OCI_SPEC_SIZE_MAX bytes) into *ret (*ret_size
 * bytes, not NUL-terminated). Returns 0, or -errno with a message in *ret_error except for -ENOMEM. */
int oci_spec_read(const char *bundle_dir, char **ret, size_t *ret_size, char **ret_error);

/* Makes S's root.path absolute relative to the bundle directory BUNDLE_DIR (realpath()). Returns 0, or -errno
 * with a message in *ret_error except for -ENOMEM. */
int oci_spec_resolve_root(OciSpec *s, const char *bundle_dir, char **ret_error);

/* Reads and parses BUNDLE/config.json (a regular file, not a symlink, at most OCI_SPEC_SIZE_MAX bytes), and
 * makes root.path absolute relative to the bundle. Returns 0 on success, the errors of oci_spec_parse(), or
 * -errno from opening/reading (-ELOOP for a symlink, -EBADFD for a non-regular file), always with a message
 * in *ret_error except for -ENOMEM. */
int oci_spec_load(const char *bundle_dir, OciSpec **ret, char **ret_error);

/* Returns the name of a hook kind as in config.json ("prestart", ...), or NULL. */
const char *oci_hook_kind_to_string(OciHookKind k);
/* Returns the OCI name of a namespace type ("pid", "network", ...), or NULL. */
const char *oci_namespace_type_to_string(OciNamespaceType t);
/* Returns the namespace type for an OCI name, or _OCI_NS_INVALID. */
OciNamespaceType oci_namespace_type_from_string(const char *s);

/* Splits a systemd-style cgroupsPath "slice:prefix:name" (podman: "machine.slice:libpod:ID"). The slice may be
 * empty (the runtime's default) or must end in ".slice"; prefix and name must be non-empty and free of '/'
 * and ':'. Returns 0 with the three parts (each to be freed; any ret_* may be NULL), -EINVAL if s is not of
 * that form, -ENOMEM. */
int oci_cgroups_path_split_systemd(const char *s, char **ret_slice, char **ret_prefix, char **ret_name);
