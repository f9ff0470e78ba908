/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a running container: container_bind_mount() (machinectl bind), container_exec() (the OCI CLI's exec). */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

#include "container.h"
#include "init.h"
#include "init-report.h"
#include "priv/priv.h"

#define CONTAINER_EXEC_HELPER_TIMEOUT_MSEC 10000

typedef struct BindMount {
        int leader_pidfd;
        int tree;
        const char *incoming;           /* with a user namespace: the staged mount, below /run/host/incoming */
        const char *destination;
        bool is_dir;
        bool make_dir;
} BindMount;

/* Runs in the short-lived child, which joins the container's mount namespace (only: it stays the host's root,
 * and nothing it does is owned by the container's user namespace). */
static int bind_mount_in_container(void *userdata, SetupLog *l) {
        BindMount *b = userdata;
        _cleanup_close_ int rootfd = -EBADF, target = -EBADF, staged = -EBADF;
        struct stat a, st;
        int r;

        (void) priv_set_pdeathsig(SIGKILL);
        if (fstat(b->tree, &a) < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, "fstat");
        r = priv_setns(b->leader_pidfd, CLONE_NEWNS);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, r, "setns");
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, "/");

        /* With a user namespace the mount arrived by propagation from the host's side of /run/host/incoming:
         * copied into a mount namespace owned by a less privileged user namespace, it is locked (read-only
         * stays read-only, even for the payload's root). It must still be ours: the same file system root as
         * the tree we staged, not something the container mounted over it. */
        if (b->incoming) {
                staged = priv_open_in_root(rootfd, b->incoming);
                if (staged < 0)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, staged, b->incoming);
                if (fstat(staged, &st) < 0)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, -errno, b->incoming);
                if (st.st_dev != a.st_dev || st.st_ino != a.st_ino)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, -ESTALE, b->incoming);
        }

        /* The container's tree is untrusted: every lookup stays inside its root. */
        if (b->make_dir) {
                r = priv_create_in_root(rootfd, b->destination, b->is_dir);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, r, b->destination);
        }
        target = priv_open_in_root(rootfd, b->destination);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_EXEC, target, b->destination);
        r = priv_move_mount(staged >= 0 ? staged : b->tree, target);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_EXEC, r, b->destination);
        return 0;
}

/* Attaches TREE at a new entry of the host directory PROPAGATE_DIR (a shared mount point, seen in the
 * container as /run/host/incoming): a directory or an empty file, as TREE's root is. Returns 0 and the
 * entry's host path, or -errno. */
static int stage_in_propagate_dir(int tree, const char *propagate_dir, bool is_dir, char **ret) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (asprintf(&path, "%s/.#bind-XXXXXX", propagate_dir) < 0)
                return -ENOMEM;
        if (is_dir) {
                if (!mkdtemp(path))
                        return -errno;
                fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        } else {
                fd = mkostemp(path, O_CLOEXEC);
                if (fd >= 0) {
                        safe_close(fd);
                        fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                }
        }
        if (fd < 0) {
                r = -errno;
                (void) (is_dir ? rmdir(path) : unlink(path));
                return r;
        }
        r = priv_move_mount(tree, fd);
        if (r < 0) {
                (void) (is_dir ? rmdir(path) : unlink(path));
                return r;
        }
        *ret = TAKE_PTR(path);
        return 0;
}

void container_bind_mount_unstage(const char *staged) {
        if (!staged)
                return;
        /* Unmounted here, the copy that propagated into the container goes too, unless it was moved. */
        (void) priv_umount_detach(staged);
        if (rmdir(staged) < 0 && errno == ENOTDIR)
                (void) unlink(staged);
}

int container_bind_mount(int leader_pidfd, const char *propagate_dir, const char *source, const char *destination,
                         bool read_only, bool make_dir, int *ret_pidfd, int *ret_report_fd, char **ret_staged) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_close_ int tree = -EBADF, userns = -EBADF;
        _cleanup_free_ char *staged = NULL, *incoming = NULL;
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        struct stat st;
        int pidfd = -EBADF, r;
        long pid;

        if (leader_pidfd < 0 || !source || source[0] != '/' || !destination || destination[0] != '/' ||
            !ret_pidfd || !ret_report_fd || !ret_staged)
                return -EINVAL;

        /* SOURCE comes from a root caller and names a host path: clone it here, in the host's namespace. */
        tree = priv_tree_clone(AT_FDCWD, source, AT_RECURSIVE);
        if (tree < 0)
                return tree;
        if (fstat(tree, &st) < 0)
                return -errno;
        /* With a user namespace the bind is idmapped into it, as Bind= is: files of the host's root belong to
         * the payload's root. A file system that cannot be idmapped is refused (-EMEDIUMTYPE: nothing else
         * here returns it). */
        if (propagate_dir) {
                userns = priv_pidfd_get_userns(leader_pidfd);
                if (userns < 0)
                        return userns;
                r = priv_mount_idmap(tree, userns, true);
                if (IN_SET(r, -EINVAL, -EOPNOTSUPP, -EPERM))
                        return -EMEDIUMTYPE;
                if (r < 0)
                        return r;
        }
        if (read_only) {
                r = priv_mount_setattr(tree, true, &ro);
                if (r < 0)
                        return r;
        }
        if (propagate_dir) {
                r = stage_in_propagate_dir(tree, propagate_dir, S_ISDIR(st.st_mode), &staged);
                if (r < 0)
                        return r;
                if (asprintf(&incoming, "/run/host/incoming/%s", strrchr(staged, '/') + 1) < 0) {
                        container_bind_mount_unstage(staged);
                        return -ENOMEM;
                }
        }

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                r = -errno;
                container_bind_mount_unstage(staged);
                return r;
        }

        pid = priv_clone_pidfd(0, &pidfd);
        if (pid < 0) {
                container_bind_mount_unstage(staged);
                return (int) pid;
        }
        if (pid == 0) {
                BindMount b = {
                        .leader_pidfd = leader_pidfd,
                        .tree = tree,
                        .incoming = incoming,
                        .destination = destination,
                        .is_dir = S_ISDIR(st.st_mode),
                        .make_dir = make_dir,
                };

                pair[0] = safe_close(pair[0]);
                container_helper_run(pair[1], bind_mount_in_container, &b);
        }

        *ret_pidfd = pidfd;
        *ret_report_fd = TAKE_FD(pair[0]);
        *ret_staged = TAKE_PTR(staged);
        return 0;
}

/* In the process, before it is set up: a failure report for the caller, then exit. */
static _noreturn_ void exec_join_fail(int sock, int r, const char *detail) {
        ContainerReport report = { .stage = CONTAINER_STAGE_NAMESPACES, .error = -r };

        (void) snprintf(report.detail, sizeof(report.detail), "%s", detail);
        (void) send(sock, &report, sizeof(report), MSG_NOSIGNAL);
        _exit(EXIT_FAILURE);
}

/* Whether the leader is in a user namespace other than ours (joining one's own is refused). */
static bool other_user_namespace(pid_t leader) {
        struct stat a, b;
        char p[64];

        snprintf(p, sizeof(p), "/proc/%i/ns/user", (int) leader);
        if (stat(p, &a) < 0 || stat("/proc/self/ns/user", &b) < 0)
                return false;
        return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

/* A new pty of the container's devpts, opened by the process once it is in the container's mount and user
 * namespaces: /dev/ptmx is resolved inside the container's root (its usual symlink to pts/ptmx is followed
 * there, never a magic link out of it) and must be the ptmx device. The peer is opened from the master
 * (TIOCGPTPEER), never by its /dev/pts path, which the container could have replaced (CVE-2025-52565); so
 * the process's terminal is /dev/pts/N of its own /dev/pts, owned by the container's root. Returns 0 with
 * both fds (O_CLOEXEC), or -errno. */
static int open_pty_in_container(unsigned short rows, unsigned short columns, int *ret_master, int *ret_peer) {
        _cleanup_close_ int rootfd = -EBADF, master = -EBADF;
        struct winsize ws = { .ws_row = rows, .ws_col = columns };
        struct stat st;
        int unlock = 0, peer;

        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return -errno;
        master = priv_openat2(rootfd, "dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0,
                              RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (master < 0)
                return master;
        if (fstat(master, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
                return -ENOTTY;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return -errno;
        if (rows > 0 && columns > 0 && ioctl(master, TIOCSWINSZ, &ws) < 0)
                return -errno;
        peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0)
                return -errno;
        *ret_master = TAKE_FD(master);
        *ret_peer = peer;
        return 0;
}

/* The process, born in the container's PID namespace and cgroup (priv_clone_pidfd_join()): it joins the
 * leader's other namespaces, tells the caller (with the pty's master, if it has one), and sets itself up. */
static _noreturn_ void exec_join(int leader_pidfd, pid_t leader, const ContainerConfig *proc,
                                 const ContainerConfig *container, int sock) {
        int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
        ContainerReport report = { .stage = CONTAINER_STAGE_SETUP_DONE };
        ContainerConfig p = *proc;
        int master = -EBADF, r;

        if (other_user_namespace(leader))
                flags |= CLONE_NEWUSER;
        /* All of the leader's other namespaces at once, through its pidfd: they cannot be swapped in between. */
        r = priv_setns(leader_pidfd, flags);
        if (r < 0)
                exec_join_fail(sock, r, "setns");

        if (p.exec_pty) {
                int peer = -EBADF;

                r = open_pty_in_container(p.exec_pty_rows, p.exec_pty_columns, &master, &peer);
                if (r < 0)
                        exec_join_fail(sock, r, "/dev/ptmx");
                p.stdin_fd = p.stdout_fd = p.stderr_fd = peer;
                p.controlling_tty = true;
        }
        if (init_send_report(sock, &report, master) < 0)
                _exit(EXIT_FAILURE);
        master = safe_close(master);
        container_exec_init(&p, container, sock);
}

int container_exec(int leader_pidfd, pid_t leader, const char *cgroup, const ContainerConfig *proc,
                   const ContainerConfig *container, int *ret_pidfd, pid_t *ret_pid, int *ret_report_fd,
                   ContainerReport *ret_failure) {
        return container_exec_full(leader_pidfd, leader, cgroup, proc, container, ret_pidfd, ret_pid,
                                   ret_report_fd, NULL, ret_failure);
}

int container_exec_full(int leader_pidfd, pid_t leader, const char *cgroup, const ContainerConfig *proc,
                        const ContainerConfig *container, int *ret_pidfd, pid_t *ret_pid, int *ret_report_fd,
                        int *ret_pty_master, ContainerReport *ret_failure) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_close_ int pidfd = -EBADF, master = -EBADF, cgroup_fd = -EBADF;
        ContainerReport report;
        long pid;
        int r;

        if (leader_pidfd < 0 || leader <= 1 || !proc || !container ||
            ((!proc->argv || !proc->argv[0]) && !proc->exec_user_shell && !proc->exec_path) || !ret_pidfd ||
            !ret_pid || !ret_report_fd || (proc->exec_pty && !ret_pty_master) ||
            proc->preserve_fds > CONTAINER_PRESERVE_FDS_MAX)
                return -EINVAL;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;

        /* The process is born in the container's cgroup (its path is the host's, from our state): a write to
         * cgroup.procs afterwards would be a migration, which waits for an RCU grace period (10-20 ms, most
         * of an exec). A cgroup that cannot take processes fails here, as that write would. No helper: the
         * process is born in the container's PID namespace too, and joins the others itself. */
        if (cgroup) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "/sys/fs/cgroup%s", cgroup) < 0)
                        return -ENOMEM;
                cgroup_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (cgroup_fd < 0)
                        return -errno;
        }
        pid = priv_clone_pidfd_join(leader_pidfd, cgroup_fd, &pidfd);
        if (pid < 0)
                return (int) pid;
        if (pid == 0) {
                pair[0] = safe_close(pair[0]);
                exec_join(leader_pidfd, leader, proc, container, pair[1]);
        }
        cgroup_fd = safe_close(cgroup_fd);
        pair[1] = safe_close(pair[1]);

        /* Its first report: joined (with the pty's master), or why not. Joining only sets namespaces, but
         * opening the container's /dev/ptmx goes through its tree (a FUSE mount of its own could hold it):
         * bounded, so that the caller (the daemon's loop) never hangs. */
        for (;;) {
                struct pollfd p = { .fd = pair[0], .events = POLLIN };
                int k = poll(&p, 1, CONTAINER_EXEC_HELPER_TIMEOUT_MSEC);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k == 0)
                        r = -ETIMEDOUT;
                else {
                        r = container_read_report(pair[0], &report, &master);
                        if (r == 0 || r == -EAGAIN)
                                r = -ECHILD;
                        else if (r > 0 && report.stage != CONTAINER_STAGE_SETUP_DONE) {
                                if (ret_failure)
                                        *ret_failure = report;
                                r = -EPROTO;
                        } else if (r > 0 && proc->exec_pty && master < 0)
                                r = -EBADMSG;
                }
                break;
        }
        if (r < 0) {
                (void) priv_pidfd_send_signal(pidfd, SIGKILL);
                (void) waitid(P_PIDFD, pidfd, &(siginfo_t) {}, WEXITED);
                return r;
        }
        if (ret_pty_master)
                *ret_pty_master = TAKE_FD(master);
        *ret_pidfd = TAKE_FD(pidfd);
        *ret_pid = (pid_t) pid;
        *ret_report_fd = TAKE_FD(pair[0]);
        return 0;
}
