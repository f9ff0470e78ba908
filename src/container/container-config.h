/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container as a model: what the container's init is asked to set up (ContainerConfig), and what it says
 * back (ContainerReport). Filled from nspawn settings by the daemon (machine.c); the set-up itself is spawn.c
 * (the create/start protocol), init.c (the child's ordered steps), the policy files and priv/ (the
 * privileged mechanism). */

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "hooks.h"
#include "settings.h"

typedef enum ContainerStage {
        CONTAINER_STAGE_SETUP_DONE,
        CONTAINER_STAGE_PREPARE,        /* prctl, socket, signal set-up */
        CONTAINER_STAGE_MOUNT_ROOT,
        CONTAINER_STAGE_MOUNT_PROC,
        CONTAINER_STAGE_MOUNT_SYS,
        CONTAINER_STAGE_MOUNT_DEV,
        CONTAINER_STAGE_MOUNT_RUN,
        CONTAINER_STAGE_RUN_HOST,       /* the /run/host hierarchy */
        CONTAINER_STAGE_CUSTOM_MOUNTS,  /* Bind=, BindReadOnly=, TemporaryFileSystem=, Overlay= */
        CONTAINER_STAGE_INACCESSIBLE,   /* Inaccessible= */
        CONTAINER_STAGE_ETC,            /* ResolvConf=, Timezone= */
        CONTAINER_STAGE_NETWORK,        /* Private= */
        CONTAINER_STAGE_USER,           /* User=: looking the user up, switching to it */
        CONTAINER_STAGE_WORKING_DIRECTORY, /* WorkingDirectory= */
        CONTAINER_STAGE_LIMITS,         /* Limit*=, OOMScoreAdjust=, CPUAffinity=, Personality= */
        CONTAINER_STAGE_HOSTNAME,
        CONTAINER_STAGE_PIVOT_ROOT,
        CONTAINER_STAGE_COMMAND,        /* the command does not exist or is not executable */
        CONTAINER_STAGE_CGROUP,
        CONTAINER_STAGE_STDIO,
        CONTAINER_STAGE_CAPABILITIES,
        CONTAINER_STAGE_SECCOMP,
        CONTAINER_STAGE_EXEC,
        CONTAINER_STAGE_WARNING,        /* not a failure: something optional was left out; set-up goes on */
        CONTAINER_STAGE_RELEASE,        /* waiting to be released (create/start) */
        CONTAINER_STAGE_NAMESPACES,     /* joining namespaces by path */
        CONTAINER_STAGE_SYSCTL,
        CONTAINER_STAGE_DEVICES,
        CONTAINER_STAGE_MASKS,          /* readonly and masked paths */
        CONTAINER_STAGE_USER_NAMESPACE, /* waiting for the ID maps */
        CONTAINER_STAGE_HOOKS,          /* OCI hooks: with error 0, "paused before pivot_root for the
                                         * creator's hooks" (hooks_pause); else a startContainer hook failed */
        CONTAINER_STAGE_CONSOLE,        /* console_pty: with error 0, "the console's master is attached"; else
                                         * the pty could not be made */
        _CONTAINER_STAGE_MAX,
        _CONTAINER_STAGE_INVALID = -EINVAL,
} ContainerStage;

const char *container_stage_to_string(ContainerStage s);

#define CONTAINER_REPORT_DETAIL_MAX 512

typedef enum ContainerReportFlags {
        CONTAINER_REPORT_COMPLETE = 1 << 0,             /* detail says it all: strerror(error) adds nothing */
} ContainerReportFlags;

typedef struct ContainerReport {
        int32_t stage;                                  /* ContainerStage */
        int32_t error;                                  /* positive errno, 0 on success */
        uint32_t flags;                                 /* ContainerReportFlags */
        char detail[CONTAINER_REPORT_DETAIL_MAX];       /* the setting or path concerned, NUL-terminated */
} ContainerReport;

typedef enum ContainerNamespaceType {
        CONTAINER_NAMESPACE_NET,
        CONTAINER_NAMESPACE_UTS,
        CONTAINER_NAMESPACE_IPC,
        CONTAINER_NAMESPACE_USER,
        CONTAINER_NAMESPACE_PID,
        CONTAINER_NAMESPACE_MOUNT,
        CONTAINER_NAMESPACE_CGROUP,
        _CONTAINER_NAMESPACE_TYPE_MAX,
        _CONTAINER_NAMESPACE_TYPE_INVALID = -EINVAL,
} ContainerNamespaceType;

/* A namespace the init joins instead of getting a new one: PATH is a namespace file on the host
 * (/proc/PID/ns/net, /run/netns/NAME). The creator opens every PATH before anything is cloned and checks that
 * it is a namespace of TYPE (NS_GET_NSTYPE); the init and the PID joiner use those fds, never the path again.
 * ORIGIN, if set, is what errors name ("linux.namespaces[2].path"), else PATH.
 *
 * How each type is joined (docs/oci.md, "Namespaces"):
 *  - net, uts, ipc: setns() by the init, first thing.
 *  - mount: setns() by the init, first thing; the root file system is then set up *in* that namespace, and its
 *    pivot_root() moves every process of it that had the old root (runc's semantics).
 *  - cgroup: setns() by the init instead of unshare(), once it is in its scope (the payload's cgroup may lie
 *    outside that namespace's root).
 *  - pid: setns() only decides the namespace of the caller's *children*: a short-lived joiner process does it
 *    and clone3()s the init with CLONE_PARENT, so that the init is the creator's child as usual, never PID 1.
 *    When the joined namespace's init dies, the kernel kills ours with it: an ordinary exit (SIGKILL).
 *  - user: the init makes every mount as host root, then enters it the way PrivateUsers= does (new mount, UTS
 *    and IPC namespaces owned by it, for the types not joined) and becomes its UID 0; no map is written (the
 *    namespace has its own). Excludes UID_MAP and USERNS_RANGE. */
typedef struct ContainerNamespace {
        ContainerNamespaceType type;
        const char *path;
        const char *origin;
} ContainerNamespace;

/* One line of a user namespace's uid_map/gid_map: IDs INSIDE..INSIDE+COUNT-1 are OUTSIDE.. on the host. */
typedef struct ContainerIdMap {
        uint32_t inside;
        uint32_t outside;
        uint32_t count;
} ContainerIdMap;

#define CONTAINER_ID_MAP_MAX 32

/* A device node to create in the container's /dev (OCI linux.devices). PATH is below /dev. */
typedef struct ContainerDevice {
        const char *path;
        mode_t type;                    /* S_IFCHR, S_IFBLK or S_IFIFO */
        unsigned major, minor;
        mode_t mode;                    /* permission bits */
        uid_t uid;
        gid_t gid;
} ContainerDevice;

/* One mount of the model (OCI mounts[]), made after nspawn's custom mounts, in order. */
typedef struct ContainerMount {
        const char *type;               /* "bind", or a file system type: "tmpfs", "proc", "mqueue", ... */
        const char *source;             /* bind: an absolute host path; otherwise the fs "source", or NULL */
        const char *destination;        /* absolute, inside the root (created if missing) */
        unsigned attr;                  /* MOUNT_ATTR_RDONLY, _NOSUID, _NODEV, _NOEXEC, _NOATIME, ... */
        bool recursive;                 /* bind: rbind */
        unsigned long propagation;      /* 0: leave it; MS_PRIVATE, MS_SLAVE, MS_SHARED or MS_UNBINDABLE */
        char **options;                 /* file system options: "key=value" or "flag" (not for bind) */
} ContainerMount;

typedef enum ContainerSeccompOp {
        CONTAINER_SECCOMP_OP_NE = 1,    /* the values of libseccomp's enum scmp_compare */
        CONTAINER_SECCOMP_OP_LT,
        CONTAINER_SECCOMP_OP_LE,
        CONTAINER_SECCOMP_OP_EQ,
        CONTAINER_SECCOMP_OP_GE,
        CONTAINER_SECCOMP_OP_GT,
        CONTAINER_SECCOMP_OP_MASKED_EQ,
} ContainerSeccompOp;

#define CONTAINER_SECCOMP_ARGS_MAX 6

typedef struct ContainerSeccompArg {
        unsigned index;                 /* 0..5 */
        ContainerSeccompOp op;
        uint64_t value;
        uint64_t value_two;             /* the mask's operand for MASKED_EQ */
} ContainerSeccompArg;

/* What a seccomp filter does with a call (OCI's SCMP_ACT_*). */
typedef enum ContainerSeccompAction {
        CONTAINER_SECCOMP_ALLOW,
        CONTAINER_SECCOMP_ERRNO,        /* the call fails with errno DATA (0..4095; 0: "succeeds", not run) */
        CONTAINER_SECCOMP_KILL_THREAD,  /* SCMP_ACT_KILL too */
        CONTAINER_SECCOMP_KILL_PROCESS,
        CONTAINER_SECCOMP_TRAP,         /* SIGSYS */
        CONTAINER_SECCOMP_LOG,          /* allowed, and logged by the kernel */
        CONTAINER_SECCOMP_TRACE,        /* a ptrace tracer gets DATA; without one the call fails with ENOSYS */
        _CONTAINER_SECCOMP_ACTION_MAX,
        _CONTAINER_SECCOMP_ACTION_INVALID = -EINVAL,
} ContainerSeccompAction;

const char *container_seccomp_action_to_string(ContainerSeccompAction a);
ContainerSeccompAction container_seccomp_action_from_string(const char *s);

#define CONTAINER_SECCOMP_ERRNO_MAX 4095

/* One rule of a seccomp profile: calls to NAME whose arguments match all ARGS get ACTION (with DATA). */
typedef struct ContainerSeccompRule {
        const char *name;               /* names libseccomp does not know are skipped when the filter is built */
        ContainerSeccompAction action;
        uint16_t data;                  /* ERRNO: the errno; TRACE: the tracer's message data */
        ContainerSeccompArg args[CONTAINER_SECCOMP_ARGS_MAX];
        size_t n_args;
} ContainerSeccompRule;

/* The filter flags a profile may ask for (SECCOMP_FILTER_FLAG_TSYNC, _LOG and _SPEC_ALLOW). */
#define CONTAINER_SECCOMP_FLAGS_SUPPORTED \
        (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW)

/* A seccomp profile of any shape (OCI linux.seccomp): DEFAULT_ACTION for every call no rule matches. It is a
 * filter of its own, loaded after nspawn's deny list (filters stack, the kernel takes the most restrictive
 * result), so it can narrow what a machine may do but never widen it. */
typedef struct ContainerSeccompProfile {
        ContainerSeccompAction default_action;
        uint16_t default_data;
        const uint32_t *architectures;  /* libseccomp's SCMP_ARCH_* tokens, besides the native one */
        size_t n_architectures;
        unsigned flags;                 /* SECCOMP_FILTER_FLAG_*, within CONTAINER_SECCOMP_FLAGS_SUPPORTED */
        const ContainerSeccompRule *rules;
        size_t n_rules;
} ContainerSeccompProfile;

#define CONTAINER_PRESERVE_FDS_MAX 65536U

/* Without a user namespace the payload's CAP_SYS_ADMIN reaches the set-up's read-only mounts. */
typedef enum ContainerKeepReadOnly {
        CONTAINER_KEEP_READ_ONLY_NO,            /* nothing denied (OCI bundles, as runc and crun) */
        CONTAINER_KEEP_READ_ONLY_NEW_API,       /* the new mount API denied (Boot=yes: systemd inside remounts its
                                                 * services' writable mounts nosuid/noexec, which must work) */
        CONTAINER_KEEP_READ_ONLY_ALL,           /* and mount(MS_REMOUNT) without MS_RDONLY (Boot=no) */
} ContainerKeepReadOnly;

/* sched_setattr(2)'s attributes (OCI process.scheduler). */
typedef struct ContainerScheduler {
        uint32_t policy;                /* SCHED_* */
        uint64_t flags;                 /* SCHED_FLAG_* */
        int32_t nice;                   /* SCHED_OTHER, SCHED_BATCH */
        uint32_t priority;              /* SCHED_FIFO, SCHED_RR */
        uint64_t runtime;               /* SCHED_DEADLINE, ns */
        uint64_t deadline;
        uint64_t period;
} ContainerScheduler;

typedef struct ContainerConfig {
        const char *hostname;           /* also the machine name */
        const char *root;               /* absolute path of the root directory on the host */
        char **argv;                    /* argv[0] is resolved inside the container: a path, or a name looked up in PATH */
        char **envp;                    /* the complete environment of the payload */
        int stdin_fd;                   /* fds in the caller to become the payload's stdio; -EBADF = /dev/null */
        int stdout_fd;
        int stderr_fd;
        bool private_network;           /* CLONE_NEWNET, only "lo" */
        const char *manager_name;       /* for /run/host/container-manager ("machined-ext") */
        const char *uuid;               /* for /run/host/container-uuid, 36 chars */
        const char *propagate_dir;      /* host directory seen as /run/host/incoming (a slave), or NULL */
        bool notify;                    /* create /run/host/notify, passed with the SETUP_DONE report */
        const char *inaccessible_dir;   /* host directory with the chr and blk nodes of inaccessible_nodes_setup():
                                         * bound in, so that the child needs no mknod of device 0:0 (which a
                                         * DevicePolicy=closed cgroup refuses); NULL: mknod them */

        /* The console: an fd of the caller to bind onto /dev/console (-EBADF: no /dev/console), and whether
         * the payload gets its stdin as controlling terminal. */
        int console_fd;
        bool controlling_tty;

        /* From the settings file (see settings.h); NULL/unset values mean the defaults. */
        const char *user;               /* User=: a name or UID, looked up in the container's /etc/passwd; with
                                         * it the payload gets HOME, USER, LOGNAME and SHELL from the entry
                                         * unless ENVP already has them */
        const char *working_directory;  /* WorkingDirectory=, default "/" */
        bool make_working_directory;    /* made (in the root) if it is missing, as runc does for process.cwd */
        uint64_t capability_ambient;    /* AmbientCapability= */
        bool no_new_privileges;
        unsigned long personality;      /* PERSONALITY_INVALID: leave alone */
        struct rlimit *const *rlimits;  /* indexed by RLIMIT_*, NULL entries unset; NULL: none */
        int oom_score_adjust;           /* OOM_SCORE_ADJUST_UNSET: leave alone */
        const cpu_set_t *cpu_affinity;  /* set last before the exec; NULL: inherited */
        const char *cpu_affinity_name;  /* the setting, for errors; NULL: "CPUAffinity=" */
        bool cpu_affinity_reset;        /* without CPU_AFFINITY: every CPU the cgroup allows, not the caller's */
        const ContainerScheduler *scheduler; /* sched_setattr() once the set-up is done, before the wait for
                                         * start (after a joined user namespace is entered); NULL: inherited */
        int io_priority;                /* IOPRIO_PRIO_VALUE(class, level) for ioprio_set(), the same; 0:
                                         * inherited */
        char **syscall_allow;           /* SystemCallFilter=: taken off the default deny list */
        char **syscall_deny;            /* SystemCallFilter=~: added to it */
        ContainerKeepReadOnly seccomp_keep_read_only; /* without a user namespace, with CAP_SYS_ADMIN: what the
                                         * seccomp filter denies so that read-only mounts stay so (nspawn
                                         * settings; not OCI, whose runtimes allow it: docs/security.md) */
        bool read_only;                 /* ReadOnly=: the root directory is mounted read-only */
        const CustomMount *custom_mounts;
        size_t n_custom_mounts;
        char **inaccessible;            /* Inaccessible= */
        int resolv_conf;                /* a ResolvConfMode, -1: off */
        int timezone;                   /* a TimezoneMode, -1: off */
        uint64_t capability_bounding;   /* bit mask of capabilities to keep in the bounding set */
        /* create/start: a FIFO (host path, mode 0600, made by the caller in its state directory). With it, the
         * init waits after CONTAINER_STAGE_SETUP_DONE until released through the sync socket *or* by any
         * process that opens the FIFO and writes to it (container_start()); the creator may exit meanwhile.
         * NULL: only the sync socket releases it, and the init dies with its creator until then. */
        const char *release_fifo;
        uint64_t nofile_soft;           /* soft RLIMIT_NOFILE for the payload (the caller may have raised its
                                         * own for many machines; select() users want 1024), 0 = inherit */

        /* PrivateUsers= (nspawn's semantics, see docs/security.md). With USERNS_RANGE > 0 the creator makes a
         * user namespace mapping UIDs and GIDs 0..USERNS_RANGE-1 to USERNS_SHIFT.., and owned by it the PID
         * namespace the init is cloned into (and the network namespace of PRIVATE_NETWORK, which the init
         * joins first); the init makes every mount in the host's user namespace as usual (the root directory
         * idmapped or chowned to fit, per USERNS_OWNERSHIP, a UserNamespaceOwnership), then, right before it
         * drops its privileges, enters that user namespace with new mount, UTS, IPC and cgroup namespaces
         * owned by it. Every mount of the runtime is then locked (read-only stays read-only, nothing can be
         * unmounted to reveal what is below), and the payload's capabilities reach none of the host's
         * namespaces. Excludes UID_MAP. */
        uid_t userns_shift;
        uint32_t userns_range;
        int userns_ownership;

        /* Toward OCI: everything below is zero/NULL for an nspawn machine, meaning nspawn's behaviour. */
        const ContainerIdMap *uid_map;  /* with N_UID_MAP > 0: a new user namespace with these maps (written
                                         * by the creator before the init goes on, which then becomes uid 0
                                         * and gid 0 inside); device nodes are then host binds, not mknod */
        size_t n_uid_map;
        const ContainerIdMap *gid_map;
        size_t n_gid_map;
        const ContainerNamespace *join_namespaces;      /* joined by path instead of created */
        size_t n_join_namespaces;
        /* CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWCGROUP: types neither created nor joined, the init stays in the
         * creator's (OCI: a type not listed in linux.namespaces). No hostname is set in a shared UTS namespace,
         * no IPC sysctl in a shared IPC one. The mount and PID namespaces are always new or joined; the network
         * namespace is the host's unless PRIVATE_NETWORK or joined. The daemon keeps these new (docs/oci.md). */
        unsigned long shared_namespaces;
        bool process_ids_set;           /* run as UID:GID with ADDITIONAL_GIDS (OCI process.user: numeric, no
                                         * lookup); excludes USER */
        uid_t uid;
        gid_t gid;
        const gid_t *additional_gids;
        size_t n_additional_gids;
        bool umask_set;                 /* the payload's umask; default 0022 */
        mode_t umask;
        bool capabilities_set;          /* the effective, permitted and inheritable sets below, instead of all
                                         * of the bounding set (root) or the ambient set (User=) */
        uint64_t capability_effective;
        uint64_t capability_permitted;
        uint64_t capability_inheritable;
        char **sysctls;                 /* "key=value", namespaced keys only (net.*, kernel.shm*, kernel.msg*,
                                         * kernel.sem, fs.mqueue.*), written before /proc/sys is made read-only */
        char **readonly_paths;          /* paths inside the root, bound over themselves read-only; missing ones
                                         * are skipped */
        char **masked_paths;            /* like Inaccessible= */
        const ContainerMount *mounts;   /* after CUSTOM_MOUNTS, before Inaccessible= and the masks */
        size_t n_mounts;
        const ContainerDevice *devices;
        size_t n_devices;
        const ContainerSeccompProfile *seccomp_profile; /* a second filter after nspawn's, or NULL. Loaded
                                         * before the capabilities are dropped, as runc does (loading needs
                                         * CAP_SYS_ADMIN or no_new_privs), or with NO_NEW_PRIVILEGES right
                                         * before the exec: only what comes after the load must be allowed */
        const struct ContainerSeccompPrograms *seccomp_programs; /* the filters of SECCOMP_PROFILE and the deny
                                         * list compiled already (container_seccomp_programs_build() of this
                                         * config, or its cache): the init (container_spawn()) and
                                         * container_exec() load them instead of compiling them again; NULL:
                                         * compiled in the child */
        char **annotations;             /* "key=value": carried for the caller's state, not applied */
        bool hooks_pause;               /* before pivot_root, report CONTAINER_STAGE_HOOKS (error 0) and wait
                                         * for container_continue_hooks() (OCI prestart, createRuntime and
                                         * createContainer hooks run meanwhile), which brings the state JSON */
        const ContainerHook *start_hooks; /* OCI startContainer: run by the init, inside, before the exec */
        size_t n_start_hooks;
        unsigned preserve_fds;          /* the caller's fds 3..3+PRESERVE_FDS-1 stay open in the payload, at the
                                         * same numbers (runc's --preserve-fds; no LISTEN_FDS is set); every
                                         * other fd above stderr is closed (CVE-2024-21626). At most
                                         * CONTAINER_PRESERVE_FDS_MAX */
        unsigned long rootfs_propagation; /* 0: leave the root mount a slave of the host's; else MS_SHARED,
                                         * MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE (| MS_REC) for it, within the
                                         * container's mount namespace (OCI linux.rootfsPropagation) */
        bool cgroup_read_only;          /* the container's cgroup2 mount at /sys/fs/cgroup is read-only (an OCI
                                         * bundle's, unless its cgroup mount asks for rw, as runc honours "ro";
                                         * a machine of settings has it read-write, for a systemd inside) */
        bool keep_session_keyring;      /* the payload keeps the session keyring of the caller instead of a new
                                         * one (runc's --no-new-keyring); also for container_exec()'s PROC */
        bool no_pivot;                  /* the root is moved over "/" (MS_MOVE) and chroot()ed into instead of
                                         * pivot_root() (runc's --no-pivot: roots on ramfs/initramfs, where
                                         * pivot_root fails); full proc and sysfs mounts outside the root are
                                         * unmounted (or covered) first */
        /* OCI process.terminal (runc's semantics): once its /dev is set up, the init opens a new pty of the
         * container's own devpts (its /dev/ptmx, resolved inside the root), binds the peer over /dev/console,
         * makes it stdio and controlling terminal, and sends the master to the creator with a
         * CONTAINER_STAGE_CONSOLE report (error 0). CONSOLE_FD, CONTROLLING_TTY and the stdio fds are then
         * ignored. CONSOLE_ROWS, CONSOLE_COLUMNS: its initial window size (0: leave it). */
        bool console_pty;
        unsigned short console_rows;
        unsigned short console_columns;

        /* Joining a running container (container_exec(), enter.c); container_spawn() ignores these. */
        const char *exec_path;          /* the binary to execute (absolute, inside), instead of ARGV[0] looked
                                         * up in PATH */
        bool exec_user_shell;           /* without EXEC_PATH: the shell of USER in the container's passwd
                                         * (/bin/sh if it names none); an empty ARGV is then { shell, "-l" } */
        bool exec_pty;                  /* stdio is a new pty of the container's own devpts (its /dev/ptmx),
                                         * also the controlling terminal; the stdio fds above are ignored and
                                         * the master goes back to the caller */
        unsigned short exec_pty_rows;   /* its initial window size; 0: leave it */
        unsigned short exec_pty_columns;
} ContainerConfig;

typedef struct Container {
        pid_t pid;                      /* the child's pid in the caller's pid namespace */
        int pidfd;                      /* O_CLOEXEC pidfd of the child */
        int sync_fd;                    /* the caller's end of the socket, O_CLOEXEC|O_NONBLOCK */
        int netns_fd;                   /* O_CLOEXEC: the network namespace made for the child (owned by its
                                         * user namespace), which the child joins only once it runs; or -EBADF
                                         * if the child was cloned into a new one or shares the caller's */
        int helper_pidfd;               /* O_CLOEXEC: a child of the caller that made the user namespace, killed
                                         * already, for the caller to reap (container_reap_helper(), or an
                                         * event loop); -EBADF if none. Only container_spawn_full() leaves one */
        int *held_fds;                  /* ours that the child uses while it shares our fd table: closed by
                                         * container_spawn_settle() (container.h) */
        size_t n_held_fds;
} Container;

/* Checks C before anything is cloned: required fields, absolute paths without "..", joined namespaces,
 * sysctl keys, devices, the seccomp profile. Returns 0, -EINVAL, or -ENOMEM. */
int container_config_validate(const ContainerConfig *c);

/* What the seccomp filter of C denies so that the set-up's read-only mounts stay read-only: nothing in a user
 * namespace (its own or a joined one), where the payload's capabilities do not reach them (they are locked, or
 * owned by the host's user namespace); else C->seccomp_keep_read_only. */
ContainerKeepReadOnly container_config_keep_read_only(const ContainerConfig *c);

/* Whether the init of C uses libmount (which it cannot load itself, libmount-dl.h): for the options of
 * Bind=, TemporaryFileSystem= and Overlay= and their errors (mounts_setup_custom()), and for --no-pivot's
 * walk over the mount table (mounts_move_root()). */
bool container_config_init_uses_libmount(const ContainerConfig *c);

/* The CLONE_NEW* flag of T, or -EINVAL. */
int container_namespace_clone_flag(ContainerNamespaceType t);

/* The path C joins for T, or NULL if the container gets a new namespace of that type. */
const char *container_config_joined_namespace(const ContainerConfig *c, ContainerNamespaceType t);

/* Whether the init gets a new namespace of type T: neither joined nor shared with the creator. */
bool container_config_new_namespace(const ContainerConfig *c, ContainerNamespaceType t);

/* Opens N->path (O_RDONLY|O_CLOEXEC) and checks that it is a namespace of type N->type. Returns the fd, or
 * -errno with a message naming N->origin (or the path) in *ret_error: -ENOENT etc. from open(), -EMEDIUMTYPE
 * if it is not a namespace file or one of another type. */
int container_namespace_open(const ContainerNamespace *n, char **ret_error);

/* Whether the sysctl KEY (dotted: "net.ipv4.ip_forward") may be set in a container with a new network
 * namespace (NEW_NET) and a new IPC namespace (NEW_IPC). Returns 0, -EINVAL for a malformed key, -EPERM for
 * one that is not namespaced (it would change the host). */
int sysctl_key_check(const char *key, bool new_net, bool new_ipc);
