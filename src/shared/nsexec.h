/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "settings.h"

/* The container set-up module: the only place in machined-ext where privileged system calls happen (clone3
 * with namespace flags, mount and the new mount API, pivot_root, unshare, sethostname, mknod, capability
 * and seccomp changes). The daemon and the OCI runtime CLI both call it, in their own processes: the
 * container's init is always a direct child of the caller, and does not depend on the caller afterwards.
 *
 * Protocol between the caller ("parent") and the container's init ("child"), over a SOCK_SEQPACKET pair:
 *   1. container_spawn() clones the child into new mount, pid, uts, ipc (and optionally net) namespaces.
 *      The child sets up the root file system, pivot_roots into it and resolves the command; then sends a
 *      ContainerReport with stage CONTAINER_STAGE_SETUP_DONE, or one with the failing stage and errno.
 *   2. The parent places the child in its cgroup (a transient scope, through systemd) and calls
 *      container_release().
 *   3. The child enters a new cgroup namespace, mounts /sys/fs/cgroup, drops privileges, closes every
 *      other fd and execs. The socket is O_CLOEXEC: end-of-file on it means the exec succeeded; a report
 *      with an error means it failed.
 * Until it is released the child dies with the parent (PR_SET_PDEATHSIG); afterwards it does not. */

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
        CONTAINER_STAGE_USER,           /* User=, WorkingDirectory= */
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
        _CONTAINER_STAGE_MAX,
        _CONTAINER_STAGE_INVALID = -EINVAL,
} ContainerStage;

const char *container_stage_to_string(ContainerStage s);

#define CONTAINER_REPORT_DETAIL_MAX 512

typedef struct ContainerReport {
        int32_t stage;                                  /* ContainerStage */
        int32_t error;                                  /* positive errno, 0 on success */
        char detail[CONTAINER_REPORT_DETAIL_MAX];       /* the path concerned, NUL-terminated */
} ContainerReport;

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
        const char *user;               /* User=: resolved in the container's /etc/passwd, after pivot_root */
        const char *working_directory;  /* WorkingDirectory=, default "/" */
        uint64_t capability_ambient;    /* AmbientCapability= */
        bool no_new_privileges;
        unsigned long personality;      /* PERSONALITY_INVALID: leave alone */
        struct rlimit *const *rlimits;  /* indexed by RLIMIT_*, NULL entries unset; NULL: none */
        int oom_score_adjust;           /* OOM_SCORE_ADJUST_UNSET: leave alone */
        const cpu_set_t *cpu_affinity;
        char **syscall_allow;           /* SystemCallFilter=: taken off the default deny list */
        char **syscall_deny;            /* SystemCallFilter=~: added to it */
        bool read_only;                 /* ReadOnly=: the root directory is mounted read-only */
        const CustomMount *custom_mounts;
        size_t n_custom_mounts;
        char **inaccessible;            /* Inaccessible= */
        int resolv_conf;                /* a ResolvConfMode, -1: off */
        int timezone;                   /* a TimezoneMode, -1: off */
        uint64_t capability_bounding;   /* bit mask of capabilities to keep in the bounding set */
        uint64_t nofile_soft;           /* soft RLIMIT_NOFILE for the payload (the caller may have raised its
                                         * own for many machines; select() users want 1024), 0 = inherit */
} ContainerConfig;

typedef struct Container {
        pid_t pid;                      /* the child's pid in the caller's pid namespace */
        int pidfd;                      /* O_CLOEXEC pidfd of the child */
        int sync_fd;                    /* the caller's end of the socket, O_CLOEXEC|O_NONBLOCK */
} Container;

/* The capabilities a container keeps by default: systemd-nspawn's default set. */
uint64_t container_default_capabilities(void);

/* Clones the container's init. On success returns 0 in the caller and fills *ret (the child never returns).
 * Returns -errno if the clone itself failed; failures inside the child arrive as a ContainerReport. */
int container_spawn(const ContainerConfig *c, Container *ret);

/* Tells a child waiting after CONTAINER_STAGE_SETUP_DONE to go on and exec. Returns 0 or -errno. */
int container_release(int sync_fd);

/* Reads one report from the child. Returns 1 and fills *ret if a report arrived, 0 on end-of-file (the child
 * exec'd, or died), -EAGAIN if nothing is there yet, other -errno on failure. A SETUP_DONE report may carry
 * the notify socket: *ret_fd gets it (O_CLOEXEC), or -EBADF. Any other fd that arrives is closed. */
int container_read_report(int sync_fd, ContainerReport *ret, int *ret_fd);

/* Creates DIR (mode 0755) with the character and block device nodes "chr" and "blk", 0:0, mode 0000, for
 * /run/host/inaccessible/. Idempotent. Returns 0 or -errno. */
int inaccessible_nodes_setup(const char *dir);

/* Makes DIR (created if needed) a mount point with shared propagation in the caller's mount namespace, so that
 * mounts made below it reach the containers' /run/host/incoming even where the host's / is not shared (as in
 * a container). Idempotent. Returns 0 or -errno. */
int propagate_dir_setup(const char *dir);

/* Bind-mounts SOURCE (a host path) at DESTINATION inside the running container whose leader is LEADER_PIDFD,
 * with the new mount API: the tree is cloned here with open_tree(OPEN_TREE_CLONE), then a short-lived child
 * joins the container's mount namespace and move_mount()s it to DESTINATION, resolved inside the container's
 * root. The child reports through a ContainerReport on *ret_report_fd (stage EXEC = done); watch *ret_pidfd.
 * Returns 0 if the child runs, -errno otherwise. */
int container_bind_mount(int leader_pidfd, const char *source, const char *destination, bool read_only,
                         bool make_dir, int *ret_pidfd, int *ret_report_fd);
