/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's init, in order. This (with init-report.c and init-joiner.c) is the only place that talks to
 * the sync socket from the child side and the only place that calls _exit(): every step returns -errno and leaves its stage and detail in a SetupLog,
 * and STEP() reports it. The trust argument, in short:
 *
 *  - The root directory path comes from the daemon's trusted configuration. Its *contents* are untrusted:
 *    every mount target inside it is opened relative to the root's fd, inside it, and mounted by fd (priv/).
 *    A /proc, /sys or /dev that is a symlink fails the start.
 *  - Everything happens in the child's own mount namespace, whose mounts were first made recursive slaves:
 *    no mount made here propagates back to the host, and all of them vanish with the namespace.
 *  - Mask sources are objects we created (nspawn-policy.c), never image paths (CVE-2025-31133).
 *  - The image's /etc/passwd is read bounded, as a regular file inside the root, and parsed without
 *    privileges or NSS (passwd-parse.c).
 *  - Before exec: every fd above stderr is closed (CVE-2024-21626), the capability bounding set is reduced,
 *    inheritable and ambient sets are cleared (CVE-2022-29162), a seccomp filter denies the calls that reach
 *    past the namespaces, and the signal mask and dispositions are reset. Nothing else runs inside the new pid
 *    namespace before the exec, and the child is non-dumpable until then (CVE-2019-5736).
 */

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "container.h"
#include "devices.h"
#include "init.h"
#include "init-process.h"
#include "init-report.h"
#include "init-userns.h"
#include "mounts.h"
#include "nspawn-etc.h"
#include "nspawn-policy.h"
#include "passwd-parse.h"
#include "priv/priv.h"
#include "seccomp-cache.h"
#include "strv.h"
#include "sysctl.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct InitState {
        int sock;
        int rootfd;
        int devfd;
        int inaccessible_fd;
        int release_fd;                 /* the create/start FIFO, or -EBADF */
        int console;                    /* console_pty: the peer of the console's pty, or -EBADF */
        int userns_fd;                  /* PrivateUsers= or a joined one: the user namespace to enter, or -EBADF */
        int cgroupns_fd;                /* a joined cgroup namespace, entered once in the scope, or -EBADF */
        bool root_idmapped;             /* ... and the root directory is an idmapped mount of it */
        PasswdEntry user;               /* User=, if set */
        gid_t groups[PASSWD_GROUPS_MAX];
        size_t n_groups;
        char **envp;                    /* the payload's environment (owned) */
        char *command;                  /* the resolved path of argv[0] */
        char *hook_state;               /* the OCI state JSON for startContainer hooks (hooks_pause) */
        ContainerSeccompPrograms seccomp; /* nspawn's deny list and the model's profile (OCI linux.seccomp) */
        SetupLog log;
} InitState;

/* Runs one step: its warnings go out at once, a failure ends the child. */
#define STEP(s, expr)                                                   \
        ({                                                              \
                int _r_ = (expr);                                       \
                init_flush_warnings((s)->sock, &(s)->log);                   \
                if (_r_ < 0)                                            \
                        init_report_and_exit((s)->sock, &(s)->log);          \
                _r_;                                                    \
        })

/* Records a failure of a single call that returned R (< 0), for STEP(). */
static int fail_if(SetupLog *l, int r, ContainerStage stage, const char *detail) {
        return r < 0 ? setup_fail(l, stage, r, detail) : r;
}

/* The same for a call that returned -1 and set errno. */
static int errno_if(SetupLog *l, int r, ContainerStage stage, const char *detail) {
        return r < 0 ? setup_fail(l, stage, -errno, detail) : r;
}

/* The create/start FIFO: opened read-write (so that it never reports end-of-file and never blocks), before
 * pivot_root, while its host path is reachable. */
static int open_release_fifo(const char *path, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, path);
        if (fstat(fd, &st) < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, path);
        if (!S_ISFIFO(st.st_mode))
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -EBADFD, path);
        return TAKE_FD(fd);
}

/* In a new user namespace: wait for the creator to write our ID maps, then become root inside it. */
static int wait_id_maps(int sock, SetupLog *l) {
        char b;
        ssize_t n;
        int r;

        do
                n = read(sock, &b, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1 || b != 'M')
                return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, n < 0 ? -errno : -ECANCELED, "ID maps");
        r = priv_switch_user(0, 0, NULL, 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, r, "0:0");
        return 0;
}

/* setns() into the joined namespace of type T (the cgroup one, once in the scope) through FD. */
static int join_late(const ContainerConfig *c, ContainerNamespaceType t, int fd, SetupLog *l) {
        int r;

        r = priv_setns(fd, container_namespace_clone_flag(t));
        if (r < 0)
                for (size_t i = 0; i < c->n_join_namespaces; i++)
                        if (c->join_namespaces[i].type == t)
                                return init_fail_namespace(l, c->join_namespaces + i, r);
        return r;
}

/* Joins the namespaces the model names by path (before anything is set up in them), through the fds the
 * creator opened and checked (NS_FDS). The mount namespace first: the others do not care. The user and cgroup
 * namespaces are only kept for later, the PID namespace was the joiner's (container-config.h). */
static int join_namespaces(const ContainerConfig *c, const int *ns_fds, InitState *s) {
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < c->n_join_namespaces; i++) {
                        const ContainerNamespace *n = c->join_namespaces + i;
                        int r;

                        if ((n->type == CONTAINER_NAMESPACE_MOUNT) != (pass == 0))
                                continue;
                        switch (n->type) {
                        case CONTAINER_NAMESPACE_USER:
                                s->userns_fd = ns_fds[i];
                                break;
                        case CONTAINER_NAMESPACE_CGROUP:
                                s->cgroupns_fd = ns_fds[i];
                                break;
                        case CONTAINER_NAMESPACE_PID:
                                break;
                        default:
                                r = priv_setns(ns_fds[i], container_namespace_clone_flag(n->type));
                                if (r < 0)
                                        return init_fail_namespace(&s->log, n, r);
                        }
                }
        return 0;
}

/* The root directory becomes a mount point of its own in a namespace that propagates nothing to the host. */
static int setup_root(const ContainerConfig *c, int userns_fd, bool *ret_idmapped, SetupLog *l) {
        int r, fd;

        r = priv_mount_make_rslave();
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_ROOT, r, "/");
        if (c->userns_range > 0)
                r = setup_root_userns(c, userns_fd, ret_idmapped, l);
        else {
                r = priv_mount_bind_self(c->root);
                if (r < 0)
                        r = setup_fail(l, CONTAINER_STAGE_MOUNT_ROOT, r, c->root);
        }
        if (r < 0)
                return r;
        fd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_ROOT, -errno, c->root);
        return fd;
}

/* hooks_pause: tell the creator, and wait while it runs the prestart, createRuntime and createContainer
 * hooks; 'H' and the state JSON go on, anything else (or the creator leaving) ends us. */
static int wait_hooks(InitState *s) {
        ContainerReport paused = { .stage = CONTAINER_STAGE_HOOKS };
        _cleanup_free_ char *buf = NULL;
        ssize_t n;
        int r;

        r = init_send_report(s->sock, &paused, -EBADF);
        if (r < 0)
                return setup_fail(&s->log, CONTAINER_STAGE_HOOKS, r, "report");
        buf = malloc(CONTAINER_HOOK_STATE_MAX + 2);
        if (!buf)
                return setup_fail(&s->log, CONTAINER_STAGE_HOOKS, -ENOMEM, "state");
        do
                n = recv(s->sock, buf, CONTAINER_HOOK_STATE_MAX + 1, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0 || buf[0] != 'H')
                _exit(EXIT_FAILURE); /* cancelled: a hook failed, the creator says why */
        buf[n] = 0;
        s->hook_state = strdup(buf + 1);
        if (!s->hook_state)
                return setup_fail(&s->log, CONTAINER_STAGE_HOOKS, -ENOMEM, "state");
        return 0;
}

/* OCI startContainer hooks: inside the container, right before the payload's exec, after our drop of
 * privileges (drop_privileges()): the hook's program is the image's (its path resolves in the container), so
 * it gets what the payload gets and no more. And it runs while we, a copy of the runtime's binary, are PID 1:
 * never with CAP_SYS_PTRACE, which would let it past our non-dumpable state (it is taken from its sets; from
 * the bounding set too where the payload keeps CAP_SETPCAP). */
static int run_start_hooks(const ContainerConfig *c, InitState *s) {
        uint64_t bounding = c->capability_bounding & ~(UINT64_C(1) << CAP_SYS_PTRACE);

        for (size_t i = 0; i < c->n_start_hooks; i++) {
                const ContainerHook *h = c->start_hooks + i;
                _cleanup_free_ char *msg = NULL;
                siginfo_t si = {};
                int r;

                r = container_hook_run(h, s->hook_state, NULL, NULL, 0, bounding, &si);
                if (r >= 0)
                        continue;
                msg = container_hook_result_message(h, r, &si);
                return setup_failf(&s->log, CONTAINER_STAGE_HOOKS, r, CONTAINER_REPORT_COMPLETE,
                                   "startContainer hook %s", msg ?: h->path);
        }
        return 0;
}

/* OCI rootfsPropagation, after pivot_root (which refuses a shared root). Every mount here is a slave of the
 * host's or our own: "shared" makes the root the first of a new peer group in this namespace, never a peer
 * of a host mount. */
static int set_root_propagation(const ContainerConfig *c, SetupLog *l) {
        struct mount_attr a = { .propagation = c->rootfs_propagation & ~MS_REC };
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_PIVOT_ROOT, -errno, "rootfsPropagation");
        r = priv_mount_setattr(fd, c->rootfs_propagation & MS_REC, &a);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_PIVOT_ROOT, r, "rootfsPropagation");
        return 0;
}

/* The API file systems, then /run/host, then what the settings add, then the masks over all of it. */
static void setup_file_systems(const ContainerConfig *c, InitState *s) {
        _cleanup_close_ int runfd = -EBADF, tmpfd = -EBADF;
        _cleanup_close_ int procfd = -EBADF;

        s->devfd = STEP(s, policy_setup_dev(s->rootfd, c->console_fd, &s->log));
        if (c->console_pty)
                s->console = STEP(s, init_setup_console(c, s->rootfd, s->devfd, s->sock, &s->log));
        STEP(s, userns_own(c, s->devfd, "/dev", &s->log));
        STEP(s, userns_own_at(c, s->devfd, "shm", "/dev/shm", &s->log));
        if (c->console_fd >= 0)
                STEP(s, userns_own(c, c->console_fd, "/dev/console", &s->log));
        STEP(s, devices_setup(s->devfd, c, &s->log));
        procfd = STEP(s, policy_mount_proc(s->rootfd, &s->log));
        STEP(s, sysctl_apply(procfd, c, &s->log));
        STEP(s, policy_lock_proc(procfd, s->devfd, &s->log));
        STEP(s, policy_setup_sys(s->rootfd, &s->log));
        runfd = STEP(s, policy_setup_tmpfs(s->rootfd, "run", "0755", &s->log));
        STEP(s, userns_own(c, runfd, "/run", &s->log));
        s->inaccessible_fd = STEP(s, policy_setup_run_host(runfd, c, &s->log));
        tmpfd = STEP(s, policy_setup_tmpfs(s->rootfd, "tmp", "1777", &s->log));
        STEP(s, userns_own(c, tmpfd, "/tmp", &s->log));

        /* What these create in an idmapped root must belong to an ID the idmapping maps (our own, host
         * root, does not: EOVERFLOW): the payload's root. */
        if (s->root_idmapped)
                STEP(s, fail_if(&s->log, priv_set_fsids(c->userns_shift, c->userns_shift),
                                CONTAINER_STAGE_USER_NAMESPACE, "setfsuid"));
        STEP(s, mounts_setup_custom(s->rootfd, s->userns_fd, c, &s->log));
        STEP(s, mounts_setup_model(s->rootfd, c, &s->log));
        STEP(s, policy_setup_etc(s->rootfd, c, &s->log));
        if (s->root_idmapped)
                STEP(s, fail_if(&s->log, priv_set_fsids(0, 0), CONTAINER_STAGE_USER_NAMESPACE, "setfsuid"));
        STEP(s, mounts_setup_inaccessible(s->rootfd, s->inaccessible_fd, c, &s->log));
        STEP(s, mounts_setup_masks(s->rootfd, s->inaccessible_fd, c, &s->log));

        if (c->read_only) {
                /* Only the root mount itself: /proc, /dev, /run, ... and Bind= mounts keep their own flags. */
                struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
                STEP(s, fail_if(&s->log, priv_mount_setattr(s->rootfd, false, &ro), CONTAINER_STAGE_MOUNT_ROOT,
                                "ReadOnly="));
        }
}

/* User=: looked up in the container's own files (after every mount, so a Bind= over /etc/passwd counts). */
static int lookup_user(const ContainerConfig *c, InitState *s) {
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        size_t n;
        int r;

        r = passwd_read_file(s->rootfd, "/etc/passwd", PASSWD_FILE_SIZE_MAX, &passwd, &n);
        if (r == -EBADFD)
                return setup_failf(&s->log, CONTAINER_STAGE_USER, r, CONTAINER_REPORT_COMPLETE,
                                   "User=%s: the container's /etc/passwd is not a regular file", c->user);
        if (r == -EFBIG)
                return setup_failf(&s->log, CONTAINER_STAGE_USER, r, CONTAINER_REPORT_COMPLETE,
                                   "User=%s: the container's /etc/passwd is larger than %u bytes", c->user,
                                   PASSWD_FILE_SIZE_MAX);
        if (r < 0)
                return setup_failf(&s->log, CONTAINER_STAGE_USER, r, 0, "User=%s: /etc/passwd", c->user);

        r = passwd_find_user(passwd, n, c->user, &s->user);
        if (r == -ESRCH)
                return setup_failf(&s->log, CONTAINER_STAGE_USER, r, CONTAINER_REPORT_COMPLETE,
                                   "User=%s: no such user in the container's /etc/passwd", c->user);
        if (r == -EBADMSG)
                return setup_failf(&s->log, CONTAINER_STAGE_USER, r, CONTAINER_REPORT_COMPLETE,
                                   "User=%s: invalid UID or GID in the container's /etc/passwd", c->user);
        if (r < 0)
                return setup_failf(&s->log, CONTAINER_STAGE_USER, r, 0, "User=%s", c->user);

        /* Supplementary groups: a missing or unusable /etc/group means none. */
        if (passwd_read_file(s->rootfd, "/etc/group", PASSWD_FILE_SIZE_MAX, &group, &n) >= 0) {
                r = group_find_memberships(group, n, s->user.name, s->groups, ELEMENTSOF(s->groups));
                if (r < 0)
                        return setup_failf(&s->log, CONTAINER_STAGE_USER, r, 0, "User=%s: /etc/group", c->user);
                s->n_groups = r;
        }
        return 0;
}

/* OCI process.user: numeric IDs, nothing looked up. */
static int set_process_ids(const ContainerConfig *c, InitState *s) {
        if (c->n_additional_gids > ELEMENTSOF(s->groups))
                return setup_fail(&s->log, CONTAINER_STAGE_USER, -E2BIG, "additional GIDs");
        s->user.uid = c->uid;
        s->user.gid = c->gid;
        if (c->n_additional_gids > 0)
                memcpy(s->groups, c->additional_gids, c->n_additional_gids * sizeof(gid_t));
        s->n_groups = c->n_additional_gids;
        return 0;
}

static int env_set_default(char ***envp, const char *key, const char *value) {
        _cleanup_free_ char *a = NULL;

        for (char **e = *envp; e && *e; e++)
                if (startswith(*e, key) && (*e)[strlen(key)] == '=')
                        return 0; /* Environment= wins, as in nspawn */
        if (asprintf(&a, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_env_set(envp, a);
}

/* The payload's environment: C->envp, plus, with User=, HOME, USER, LOGNAME and SHELL from its passwd entry
 * where C->envp does not set them already. */
static int build_environment(const ContainerConfig *c, InitState *s) {
        int r;

        s->envp = strv_copy(c->envp);
        if (!s->envp)
                return setup_fail(&s->log, CONTAINER_STAGE_USER, -ENOMEM, c->user);
        if (!c->user)
                return 0;
        if ((r = env_set_default(&s->envp, "HOME", s->user.home)) < 0 ||
            (r = env_set_default(&s->envp, "USER", s->user.name)) < 0 ||
            (r = env_set_default(&s->envp, "LOGNAME", s->user.name)) < 0 ||
            (*s->user.shell && (r = env_set_default(&s->envp, "SHELL", s->user.shell)) < 0))
                return setup_fail(&s->log, CONTAINER_STAGE_USER, r, c->user);
        return 0;
}

/* CVE-2024-21626: the working directory is resolved in the container (pivoted already: "/" is its root),
 * never through a /proc magic link: /proc/self/fd/N is an fd of this process, which may be a directory of
 * the host (the OCI runtime's state directory, for one). The result must be inside the root, too. LABEL
 * comes before the path in errors ("WorkingDirectory=", "cwd "). Returns 0, or the setup_fail() of the failure. */
static int change_working_directory(const char *path, const char *label, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *cwd = NULL;

        fd = priv_openat2(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS);
        if (fd < 0)
                return setup_failf(l, CONTAINER_STAGE_WORKING_DIRECTORY, fd, 0, "%s%s", label, path);
        if (fchdir(fd) < 0)
                return setup_failf(l, CONTAINER_STAGE_WORKING_DIRECTORY, -errno, 0, "%s%s", label, path);
        cwd = getcwd(NULL, 0);
        if (!cwd || cwd[0] != '/')
                return setup_failf(l, CONTAINER_STAGE_WORKING_DIRECTORY, -ENOENT, CONTAINER_REPORT_COMPLETE,
                                   "%s%s is outside the container", label, path);
        return 0;
}

/* Resolves ARGV0 inside the (already pivoted) container like execvp() would, with the payload's PATH. */
/* CVE-2019-5736: the command is a file of the image, never this process's own binary, the host's, which
 * /proc/self/exe and the other /proc magic links would reach (run in the container, it could be rewritten
 * from there). Refuses a path through a magic link (ELOOP) and, for good measure, our own inode. */
static int check_command(const char *path, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st, self;

        fd = priv_openat2(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_COMMAND, fd, path);
        if (fstat(fd, &st) < 0)
                return setup_fail(l, CONTAINER_STAGE_COMMAND, -errno, path);
        if (stat("/proc/self/exe", &self) >= 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino)
                return setup_fail(l, CONTAINER_STAGE_COMMAND, -ELOOP, path);
        return 0;
}

static int resolve_command(const char *argv0, char **envp, char **ret, SetupLog *l) {
        const char *path = DEFAULT_PATH;
        int e = ENOENT;

        if (strchr(argv0, '/')) {
                if (access(argv0, X_OK) < 0)
                        return setup_fail(l, CONTAINER_STAGE_COMMAND, -errno, argv0);
                *ret = strdup(argv0);
                return *ret ? 0 : setup_fail(l, CONTAINER_STAGE_COMMAND, -ENOMEM, argv0);
        }

        for (char **v = envp; v && *v; v++)
                if (startswith(*v, "PATH="))
                        path = *v + 5;

        for (const char *s = path; *s;) {
                size_t n = strcspn(s, ":");

                if (n > 0 && s[0] == '/') {
                        char *p;

                        if (asprintf(&p, "%.*s/%s", (int) n, s, argv0) < 0)
                                return setup_fail(l, CONTAINER_STAGE_COMMAND, -ENOMEM, argv0);
                        if (access(p, X_OK) >= 0) {
                                *ret = p;
                                return 0;
                        }
                        if (errno != ENOENT)
                                e = errno;
                        free(p);
                }
                s += n;
                if (*s == ':')
                        s++;
        }
        return setup_fail(l, CONTAINER_STAGE_COMMAND, -e, argv0);
}

/* Waits for the release: a byte on the sync socket from the creator, or on the FIFO from anyone allowed to
 * open it (container_start()). 'G' goes on; anything else, or the creator leaving when there is no FIFO,
 * cancels. Returns 0 to go on, -ECANCELED. */
static int wait_release(int sock, int fifo) {
        struct pollfd p[2] = {
                { .fd = sock, .events = POLLIN },
                { .fd = fifo, .events = POLLIN },
        };

        for (;;) {
                char b;
                ssize_t n;

                if (poll(p, fifo >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (size_t i = 0; i < 2; i++) {
                        if (p[i].fd < 0 || p[i].revents == 0)
                                continue;
                        n = read(p[i].fd, &b, 1);
                        if (n == 1)
                                return b == 'G' ? 0 : -ECANCELED;
                        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                                continue;
                        /* End-of-file (or an error): the creator went away. With a FIFO it may: someone else
                         * will start us. Without one, nobody can. */
                        if (i == 0 && fifo >= 0) {
                                p[0].fd = -1;
                                continue;
                        }
                        return -ECANCELED;
                }
        }
}

/* A fresh session keyring, as nspawn and runc give their payloads: the daemon's (systemd's per-service keyring,
 * with machined-ext.service's invocation ID) must not be readable or writable from a machine that is allowed
 * keyctl(). In the container's user namespace, if it has one, so that the keyring belongs to the container's
 * root. As nspawn: a kernel without keyrings, or a seccomp filter around the daemon that denies
 * keyctl(), is no error. */
static int join_session_keyring(SetupLog *l) {
        int r;

        r = priv_join_new_session_keyring();
        if (IN_SET(r, -ENOSYS, -EPERM, -EACCES))
                return 0;
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, r, "KEYCTL_JOIN_SESSION_KEYRING");
        return 0;
}

/* Privileges last: bounding set, then the filters (loading one needs CAP_SYS_ADMIN, or no_new_privs), then the
 * user, then the sets that survive the exec. nspawn's deny list comes first; the profile's filter stacks on
 * it. As in runc: without no_new_privs the profile is loaded here, while CAP_SYS_ADMIN is still held, and must
 * allow what follows (setgroups, setresuid, capset, prctl, execve); with it, right before the exec. */
static int drop_privileges(const ContainerConfig *c, InitState *s) {
        uint64_t ambient = c->capability_ambient & c->capability_bounding;
        bool switch_user = c->user || c->process_ids_set;
        SetupLog *l = &s->log;
        int r;

        r = priv_capbset_limit(c->capability_bounding);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_CAPABILITIES, r, "bounding set");
        /* Inheritable = the ambient set (required for raising it), nothing else; or the model's. */
        r = priv_caps_set_inheritable(c->capabilities_set ? c->capability_inheritable : ambient);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_CAPABILITIES, r, "inheritable set");
        r = priv_seccomp_load(s->seccomp.policy, 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "PR_SET_SECCOMP");
        if (s->seccomp.profile && !c->no_new_privileges) {
                r = priv_seccomp_load(s->seccomp.profile, s->seccomp.profile_flags);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "seccomp profile");
        }
        if (switch_user) {
                if (ambient != 0 || (c->capabilities_set && c->capability_permitted != 0)) {
                        r = priv_set_keepcaps(true);
                        if (r < 0)
                                return setup_fail(l, CONTAINER_STAGE_USER, r, "PR_SET_KEEPCAPS");
                }
                r = priv_switch_user(s->user.uid, s->user.gid, s->groups, s->n_groups);
                /* A joined user namespace whose owner denied setgroups(): without supplementary groups to
                 * set, only the IDs change (runc's rule). */
                if (r == -EPERM && s->n_groups == 0 && container_config_joined_namespace(c, CONTAINER_NAMESPACE_USER))
                        r = priv_switch_ids(s->user.uid, s->user.gid);
                if (r < 0)
                        return c->user ? setup_failf(l, CONTAINER_STAGE_USER, r, 0, "User=%s", c->user)
                                       : setup_failf(l, CONTAINER_STAGE_USER, r, 0, "%u:%u", (unsigned) c->uid,
                                                     (unsigned) c->gid);
        }
        if (c->capabilities_set) {
                /* All five sets as the model says (OCI process.capabilities), within the bounding set. */
                uint64_t b = c->capability_bounding;

                r = priv_caps_set_exact(c->capability_effective & b, c->capability_permitted & b,
                                        c->capability_inheritable & b);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CAPABILITIES, r, "capability sets");
                r = priv_ambient_raise(ambient & c->capability_permitted & c->capability_inheritable);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CAPABILITIES, r, "ambient set");
        } else {
                r = priv_caps_raise_ambient(ambient);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CAPABILITIES, r, "AmbientCapability=");
        }
        if (c->no_new_privileges) {
                r = priv_set_no_new_privs();
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CAPABILITIES, r, "NoNewPrivileges=");
                if (s->seccomp.profile) {
                        r = priv_seccomp_load(s->seccomp.profile, s->seccomp.profile_flags);
                        if (r < 0)
                                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "seccomp profile");
                }
        }
        return 0;
}

_noreturn_ void container_init(const ContainerConfig *c, int sock, int userns_fd, int netns_fd, const int *ns_fds) {
        ContainerReport ok = { .stage = CONTAINER_STAGE_SETUP_DONE };
        InitState s = {
                .sock = sock,
                .rootfd = -EBADF,
                .devfd = -EBADF,
                .inaccessible_fd = -EBADF,
                .release_fd = -EBADF,
                .console = -EBADF,
                .userns_fd = userns_fd,
                .cgroupns_fd = -EBADF,
        };
        int notify_fd = -EBADF;

        /* Until released, die with the caller: a half-created container must not outlive it. If the caller
         * is already gone, wait_release() sees end-of-file and we exit. */
        STEP(&s, fail_if(&s.log, priv_set_pdeathsig(SIGKILL), CONTAINER_STAGE_PREPARE, "PR_SET_PDEATHSIG"));
        STEP(&s, fail_if(&s.log, priv_set_dumpable(false), CONTAINER_STAGE_PREPARE, "PR_SET_DUMPABLE"));
        umask(0);
        if (c->release_fifo)
                s.release_fd = STEP(&s, open_release_fifo(c->release_fifo, &s.log));

        if (c->n_uid_map > 0)
                STEP(&s, wait_id_maps(sock, &s.log));
        /* PrivateUsers=: the network namespace owned by the user namespace (spawn.c). */
        if (netns_fd >= 0) {
                STEP(&s, fail_if(&s.log, priv_setns(netns_fd, CLONE_NEWNET), CONTAINER_STAGE_NETWORK, "setns"));
                netns_fd = safe_close(netns_fd);
        }
        STEP(&s, join_namespaces(c, ns_fds, &s));
        if (c->private_network)
                STEP(&s, fail_if(&s.log, priv_loopback_up(), CONTAINER_STAGE_NETWORK, "lo"));

        /* A missing process.cwd is made first in the image's own tree (runc does it before the root is made
         * read-only), resolved in it. */
        if (c->make_working_directory && c->working_directory) {
                _cleanup_close_ int image = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (image >= 0)
                        (void) priv_create_in_root(image, c->working_directory, true);
        }
        s.rootfd = STEP(&s, setup_root(c, s.userns_fd, &s.root_idmapped, &s.log));
        setup_file_systems(c, &s);
        /* A joined UTS namespace keeps the hostname its owner gave it; a shared one is the host's. */
        if (container_config_new_namespace(c, CONTAINER_NAMESPACE_UTS))
                STEP(&s, fail_if(&s.log, priv_sethostname(c->hostname), CONTAINER_STAGE_HOSTNAME, c->hostname));
        if (c->user)
                STEP(&s, lookup_user(c, &s));
        else if (c->process_ids_set)
                STEP(&s, set_process_ids(c, &s));

        if (c->hooks_pause)
                STEP(&s, wait_hooks(&s));
        /* Once more, now that the mounts are there: one in a volume. Resolved in the root, as the mounts are;
         * one that cannot be made fails below, where it is entered, naming it. */
        if (c->make_working_directory && c->working_directory)
                (void) priv_create_in_root(s.rootfd, c->working_directory, true);
        if (c->no_pivot)
                STEP(&s, mounts_move_root(c, s.rootfd, &s.log));
        else
                STEP(&s, fail_if(&s.log, priv_pivot_root(s.rootfd), CONTAINER_STAGE_PIVOT_ROOT, c->root));
        if (c->rootfs_propagation != 0)
                STEP(&s, set_root_propagation(c, &s.log));
        s.rootfd = safe_close(s.rootfd);
        s.devfd = safe_close(s.devfd);
        s.inaccessible_fd = safe_close(s.inaccessible_fd);

        STEP(&s, build_environment(c, &s));
        if (c->working_directory)
                STEP(&s, change_working_directory(c->working_directory, "WorkingDirectory=", &s.log));
        STEP(&s, resolve_command(c->argv[0], s.envp, &s.command, &s.log));
        STEP(&s, check_command(s.command, &s.log));
        /* Compiled by the host before the clone (from the cache its containers share), or here. */
        if (c->seccomp_programs && c->seccomp_programs->policy)
                s.seccomp = *c->seccomp_programs;
        else
                STEP(&s, container_seccomp_programs_build(c, &s.seccomp, &s.log));
        STEP(&s, policy_finish_run_host(c, &notify_fd, &s.log));
        /* Before the report, so that what the policy may not have fails the create, not the start (runc's
         * order); in a joined user namespace, once it is entered below. */
        if (s.userns_fd < 0)
                STEP(&s, init_apply_scheduling(c, &s.log));

        /* Set-up is done: report (with the notify socket), and wait to be placed in the container's cgroup and
         * released. With a FIFO the creator may leave once it has the report: stop dying with it first. If it
         * left before, the report cannot be sent, and nobody knows of us: give up. */
        if (c->release_fifo)
                STEP(&s, fail_if(&s.log, priv_set_pdeathsig(0), CONTAINER_STAGE_RELEASE, "PR_SET_PDEATHSIG"));
        if (init_send_report(sock, &ok, notify_fd) < 0)
                _exit(EXIT_FAILURE);
        safe_close(notify_fd);
        if (wait_release(sock, s.release_fd) < 0)
                _exit(EXIT_FAILURE); /* The caller went away, or gave up on us. */

        /* From here on the container lives on its own. */
        STEP(&s, fail_if(&s.log, priv_set_pdeathsig(0), CONTAINER_STAGE_PREPARE, "PR_SET_PDEATHSIG"));
        if (s.cgroupns_fd >= 0)
                STEP(&s, join_late(c, CONTAINER_NAMESPACE_CGROUP, s.cgroupns_fd, &s.log));
        STEP(&s, policy_setup_cgroup(container_config_new_namespace(c, CONTAINER_NAMESPACE_CGROUP),
                                     c->cgroup_read_only, &s.log));
        if (s.console >= 0) {
                /* The console is stdio and the controlling terminal; a user's own, as login(1) makes it. */
                ContainerConfig tty = *c;

                tty.stdin_fd = tty.stdout_fd = tty.stderr_fd = s.console;
                tty.controlling_tty = true;
                STEP(&s, init_setup_stdio(&tty, &s.log));
                s.console = safe_close(s.console);
                if ((c->user || c->process_ids_set) && s.user.uid != 0)
                        (void) priv_chown_fd(STDIN_FILENO, s.user.uid, s.user.gid);
        } else
                STEP(&s, init_setup_stdio(c, &s.log));

        /* Close every fd but stdio, the preserved ones (--preserve-fds), the report socket (moved right after
         * them, still O_CLOEXEC) and the user namespace (after it, closed once entered). */
        STEP(&s, init_arrange_fds(c->preserve_fds, &s.sock, &s.userns_fd, &s.log));

        /* Limits first: raising them takes capabilities in the host's user namespace. */
        STEP(&s, init_apply_limits(c, &s.log));
        if (s.userns_fd >= 0) {
                STEP(&s, enter_user_namespace(c, s.userns_fd, &s.log));
                s.userns_fd = safe_close(s.userns_fd);
                STEP(&s, init_apply_scheduling(c, &s.log));
        }
        /* Inside the container, with its limits, and in its user namespace if it has one (runc's
         * --no-new-keyring: the caller's). */
        if (!c->keep_session_keyring)
                STEP(&s, join_session_keyring(&s.log));
        umask(c->umask_set ? c->umask : 0022);
        STEP(&s, init_reset_signals(&s.log));
        STEP(&s, drop_privileges(c, &s));
        /* The startContainer hooks, of the image's file system: with the payload's user, groups,
         * capabilities, no_new_privs, seccomp filters and umask, as runc runs them, right before its exec. */
        STEP(&s, run_start_hooks(c, &s));

        execve(s.command, c->argv, s.envp);
        STEP(&s, setup_fail(&s.log, CONTAINER_STAGE_EXEC, -errno, s.command));
        _exit(EXIT_FAILURE);
}

_noreturn_ void container_helper_run(int sock, int (*fn)(void *userdata, SetupLog *l), void *userdata) {
        SetupLog l = {};

        if (fn(userdata, &l) < 0)
                init_report_and_exit(sock, &l);
        init_flush_warnings(sock, &l);
        _exit(EXIT_SUCCESS);
}

_noreturn_ void container_exec_init(const ContainerConfig *proc, const ContainerConfig *container, int sock) {
        InitState s = {
                .sock = sock,
                .rootfd = -EBADF,
                .devfd = -EBADF,
                .inaccessible_fd = -EBADF,
                .release_fd = -EBADF,
                .console = -EBADF,
                .userns_fd = -EBADF,
        };
        ContainerConfig c = *proc;
        char *shell_argv[3] = {};

        /* Never more than the container's init may have: every set within its bounding set. */
        c.capability_bounding &= container->capability_bounding;
        c.capability_effective &= c.capability_bounding;
        c.capability_permitted &= c.capability_bounding;
        c.capability_inheritable &= c.capability_bounding;
        c.capability_ambient &= c.capability_bounding;
        STEP(&s, fail_if(&s.log, priv_set_dumpable(false), CONTAINER_STAGE_PREPARE, "PR_SET_DUMPABLE"));
        if (c.user) {
                /* Looked up in the container's files, like User= (we are in its mount namespace). */
                s.rootfd = STEP(&s, errno_if(&s.log, open("/", O_PATH | O_DIRECTORY | O_CLOEXEC),
                                             CONTAINER_STAGE_USER, "/"));
                STEP(&s, lookup_user(&c, &s));
                s.rootfd = safe_close(s.rootfd);
        } else if (c.process_ids_set)
                STEP(&s, set_process_ids(&c, &s));
        if (!c.exec_path && c.exec_user_shell)
                c.exec_path = s.user.shell && s.user.shell[0] == '/' ? s.user.shell : "/bin/sh";
        if (c.exec_path && (!c.argv || !c.argv[0])) {
                shell_argv[0] = (char *) c.exec_path;
                shell_argv[1] = (char *) "-l";
                c.argv = shell_argv;
        }
        STEP(&s, build_environment(&c, &s));

        /* The working directory is resolved in the container's mount namespace, whose root setns() made
         * ours, and must be inside it (CVE-2024-21626); no fd of the caller is left open at the exec anyway.
         * A user's shell starts in its home directory if there is one. */
        if (!c.working_directory && c.exec_user_shell && s.user.home && chdir(s.user.home) >= 0)
                c.working_directory = s.user.home;
        STEP(&s, change_working_directory(c.working_directory ?: "/", "cwd ", &s.log));
        if (c.exec_path) {
                s.command = strdup(c.exec_path);
                if (!s.command)
                        STEP(&s, setup_fail(&s.log, CONTAINER_STAGE_COMMAND, -ENOMEM, c.exec_path));
                if (access(s.command, X_OK) < 0)
                        STEP(&s, setup_fail(&s.log, CONTAINER_STAGE_COMMAND, -errno, s.command));
        } else
                STEP(&s, resolve_command(c.argv[0], s.envp, &s.command, &s.log));
        /* CVE-2019-5736 through exec (runc's own case): this process is a child of the host's runtime, so
         * /proc/self/exe is the host's binary; and before start the container's PID 1 is one too. */
        STEP(&s, check_command(s.command, &s.log));
        /* The container's filters, whatever the process asks: compiled by the caller already (from its cache),
         * or here. */
        if (container->seccomp_programs && container->seccomp_programs->policy)
                s.seccomp = *container->seccomp_programs;
        else
                STEP(&s, container_seccomp_programs_build(container, &s.seccomp, &s.log));
        STEP(&s, init_setup_stdio(&c, &s.log));
        STEP(&s, init_arrange_fds(c.preserve_fds, &s.sock, &s.userns_fd, &s.log));
        /* A user's terminal is its own, as login(1) makes it, where the container may own it at all (a pty
         * whose group is one its user namespace does not map cannot be given away): it has the fd anyway. */
        if (c.exec_pty && s.user.uid != 0)
                (void) priv_chown_fd(STDIN_FILENO, s.user.uid, s.user.gid);
        STEP(&s, init_apply_limits(&c, &s.log));
        STEP(&s, init_apply_scheduling(&c, &s.log));
        /* Not the keyring of whoever started us (the daemon's: systemd's per-service one), as the payload;
         * unless the container keeps its caller's (--no-new-keyring), and so does what is run in it. */
        if (!c.keep_session_keyring)
                STEP(&s, join_session_keyring(&s.log));
        umask(c.umask_set ? c.umask : 0022);
        STEP(&s, init_reset_signals(&s.log));
        STEP(&s, drop_privileges(&c, &s));

        execve(s.command, c.argv, s.envp);
        STEP(&s, setup_fail(&s.log, CONTAINER_STAGE_EXEC, -errno, s.command));
        _exit(EXIT_FAILURE);
}
