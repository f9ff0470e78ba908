/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container as a model: what the container's init is asked to set up (ContainerConfig), and what it says
 * back (ContainerReport). Filled from nspawn settings by the daemon (machine.c); the set-up itself is spawn.c
 * (the create/start protocol), init.c (the child's ordered steps), the policy files and priv/ (the
 * privileged mechanism). */

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

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
        /* create/start: a FIFO (host path, mode 0600, made by the caller in its state directory). With it, the
         * init waits after CONTAINER_STAGE_SETUP_DONE until released through the sync socket *or* by any
         * process that opens the FIFO and writes to it (container_start()); the creator may exit meanwhile.
         * NULL: only the sync socket releases it, and the init dies with its creator until then. */
        const char *release_fifo;
        uint64_t nofile_soft;           /* soft RLIMIT_NOFILE for the payload (the caller may have raised its
                                         * own for many machines; select() users want 1024), 0 = inherit */
} ContainerConfig;

typedef struct Container {
        pid_t pid;                      /* the child's pid in the caller's pid namespace */
        int pidfd;                      /* O_CLOEXEC pidfd of the child */
        int sync_fd;                    /* the caller's end of the socket, O_CLOEXEC|O_NONBLOCK */
} Container;
