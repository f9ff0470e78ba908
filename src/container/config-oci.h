/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The OCI front-end: an OciSpec (src/config/oci-spec.h) turned into the neutral model (ContainerConfig), plus
 * what is the daemon's business rather than the container's: the scope's resource properties, its slice and
 * unit name (linux.cgroupsPath), the terminal and the hooks. docs/oci.md says what maps to what. */

#include "container-config.h"
#include "device-policy.h"
#include "oci-spec.h"

/* One property of the transient scope (StartTransientUnit), from linux.resources. */
typedef enum OciScopePropertyType {
        OCI_SCOPE_PROPERTY_U64,         /* "t" */
        OCI_SCOPE_PROPERTY_STRING,      /* "s" */
        OCI_SCOPE_PROPERTY_BYTES,       /* "ay": AllowedCPUs=, AllowedMemoryNodes= (a CPU bit mask) */
        OCI_SCOPE_PROPERTY_DEVICES,     /* "a(st)": IO*BandwidthMax=, IO*IOPSMax=, IODeviceWeight= */
} OciScopePropertyType;

typedef struct OciScopeProperty {
        const char *name;
        OciScopePropertyType type;
        uint64_t u64;
        char *string;                   /* STRING */
        uint8_t *bytes;                 /* BYTES */
        size_t n_bytes;
        char **device_paths;            /* DEVICES: /dev/block/MAJ:MIN, with VALUES */
        uint64_t *device_values;
        size_t n_devices;
} OciScopeProperty;

typedef struct OciContainer {
        ContainerConfig config;         /* points into the spec and the arrays below */
        OciSpec *spec;
        char *bundle;                   /* absolute */

        char **envp;
        char **sysctls;
        char **annotations;
        struct rlimit rlimit_storage[RLIMIT_NLIMITS];
        struct rlimit *rlimits[RLIMIT_NLIMITS];
        ContainerScheduler scheduler;
        cpu_set_t cpu_affinity_initial, cpu_affinity_final;
        const cpu_set_t *exec_affinity_initial; /* OCI_MODEL_EXEC: process.execCPUAffinity.initial, for the
                                         * runtime's process that makes it; NULL: none */
        ContainerMount *mounts;
        size_t n_mounts;
        ContainerDevice *devices;
        size_t n_devices;
        ContainerSeccompProfile seccomp_profile;       /* its architectures point into the spec */
        ContainerSeccompRule *seccomp_rules;
        size_t n_seccomp_rules;
        size_t *seccomp_origin;         /* the index in linux.seccomp.syscalls[] of each rule */
        ContainerIdMap *uid_map, *gid_map;
        ContainerNamespace *namespaces;
        size_t n_namespaces;
        gid_t *additional_gids;
        char **strings;                 /* other strings the model points to (absolute bind sources) */
        ContainerHook *hooks[_OCI_HOOK_KIND_MAX];       /* point into the spec */
        size_t n_hooks[_OCI_HOOK_KIND_MAX];

        /* The daemon's part. */
        OciScopeProperty *scope_properties;
        size_t n_scope_properties;
        DeviceRule *device_rules;       /* linux.devices and linux.resources.devices: allowed besides the
                                         * machines' default devices (device-policy.h) */
        size_t n_device_rules;
        char *slice;                    /* linux.cgroupsPath "SLICE:..." or NULL (machine.slice) */
        char *unit;                     /* linux.cgroupsPath "...:PREFIX:NAME": PREFIX-NAME.scope, or NULL */
        char *cgroups_path;             /* linux.cgroupsPath as an absolute cgroup path (cgroupfs), or NULL; the
                                         * daemon refuses it, the OCI CLI's cgroupfs manager uses it */
        char **warnings;                /* what was left out, each naming its JSON path: to be logged */
} OciContainer;

OciContainer *oci_container_free(OciContainer *c);
static inline void oci_container_freep(OciContainer **c) {
        oci_container_free(*c);
}

/* Turns SPEC (taken over, also on failure) of the bundle directory BUNDLE into a container whose hostname
 * defaults to NAME. ENVP_DEFAULTS ("KEY=VALUE": the container interface's $container, $container_uuid,
 * $NOTIFY_SOCKET) are added to process.env where it does not set them. Returns 0, -EINVAL with a message
 * naming the JSON path in *ret_error (what the spec says but the model cannot do), or -ENOMEM. */
int oci_container_from_spec(OciSpec *spec, const char *bundle, const char *name, char * const *envp_defaults,
                            OciContainer **ret, char **ret_error);

typedef enum OciModelFlags {
        OCI_MODEL_NO_MOUNTS = 1 << 0,   /* leave "mounts" out of the model (exec into a running container: its
                                         * mounts are made, and mapping them would load libmount for nothing) */
        OCI_MODEL_SECCOMP_UNCHECKED = 1 << 1, /* map linux.seccomp without compiling it: for callers that take
                                         * the compiled filters from a cache (a hit means the profile compiled
                                         * before), or need no filter; they call oci_container_check_seccomp()
                                         * on a miss, for its errors and warnings */
        OCI_MODEL_EXEC = 1 << 2,        /* the process of an exec into the container: process.execCPUAffinity
                                         * applies to it */
} OciModelFlags;

/* oci_container_from_spec() with FLAGS. */
int oci_container_from_spec_full(OciSpec *spec, const char *bundle, const char *name, char * const *envp_defaults,
                                 OciModelFlags flags, OciContainer **ret, char **ret_error);

/* Compiles C's linux.seccomp once, so that what libseccomp refuses is an error naming the rule's JSON path, and
 * what it cannot do (flags) a warning in C->warnings. For a model made with OCI_MODEL_SECCOMP_UNCHECKED; the
 * others were checked. Returns 0 (also without a profile), -EINVAL with *ret_error, or -ENOMEM. */
int oci_container_check_seccomp(OciContainer *c, char **ret_error);

/* The state JSON an OCI hook gets on stdin: {ociVersion, id, status, pid, bundle, annotations}. PID 0 is left
 * out (a stopped container). Returns 0 and a new string in *ret, or -ENOMEM. */
int oci_state_json(const OciContainer *c, const char *id, const char *status, pid_t pid, char **ret);

/* The working directory of C's hooks of kind K: the root file system's directory for createContainer (runc's
 * init changes to it before it runs them), the bundle directory for the others (runc's create and run run
 * them there; its start and delete from their caller's, which the daemon has not). */
static inline const char *oci_hook_cwd(const OciContainer *c, OciHookKind k) {
        return k == OCI_HOOK_CREATE_CONTAINER ? c->config.root : c->bundle;
}

/* Whether C has hooks of kind K. */
static inline bool oci_container_has_hooks(const OciContainer *c, OciHookKind k) {
        return c->n_hooks[k] > 0;
}

/* oci_spec_load() + oci_container_from_spec(). Returns what those return. */
int oci_container_load(const char *bundle, const char *name, char * const *envp_defaults, OciContainer **ret,
                       char **ret_error);

/* oci_container_load() with FLAGS, and the text of config.json it read in *RET_TEXT (*RET_SIZE bytes, not
 * NUL-terminated) if RET_TEXT is not NULL. */
int oci_container_load_full(const char *bundle, const char *name, char * const *envp_defaults, OciModelFlags flags,
                            char **ret_text, size_t *ret_size, OciContainer **ret, char **ret_error);
