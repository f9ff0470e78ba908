/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a running container: container_bind_mount() (machinectl bind), container_exec() (the OCI CLI's exec). */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "container.h"
#include "init.h"
#include "init-report.h"
#include "libmount-dl.h"
#include "mounts.h"
#include "priv/priv.h"
#include "pty.h"

#define CONTAINER_EXEC_HELPER_TIMEOUT_MSEC 10000

typedef struct BindMount {
        int sock;
        int leader_pidfd;
        int userns_fd;                  /* with a user namespace: the leader's, for the idmap; else -EBADF */
        const char *staging;            /* with a user namespace: an empty directory below PROPAGATE_DIR */
        const char *source;
        const char *destination;
        bool read_only;
        bool make_dir;
} BindMount;

/* The entry of STAGING a tree is attached to: STAGING itself for a directory, an empty file in it for a file. */
#define STAGING_FILE "f"

/* In the helper, still in the host's mount namespace: clones SOURCE (the caller's host path: this is where a
 * hung file system blocks, in the helper, never in the daemon), idmaps it into the container's user namespace
 * and stages it below the host side of /run/host/incoming, as the bind's settings say. Returns the tree's fd
 * (*ret_st its stat) or a reported failure: CONTAINER_STAGE_CUSTOM_MOUNTS for SOURCE itself (-EMEDIUMTYPE,
 * detail its file system type, if it cannot be idmapped), CONTAINER_STAGE_PREPARE for the staging. */
static int bind_mount_clone_source(BindMount *b, SetupLog *l, struct stat *ret_st) {
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int tree = -EBADF, at = -EBADF;
        struct stat st;
        int r;

        tree = priv_tree_clone(AT_FDCWD, b->source, AT_RECURSIVE);
        if (tree < 0)
                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, tree, b->source);
        if (fstat(tree, &st) < 0)
                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, b->source);
        /* With a user namespace the bind is idmapped into it, as Bind= is: files of the host's root belong to
         * the payload's root. A file system that cannot be idmapped is refused (-EMEDIUMTYPE: nothing else
         * here reports it). */
        if (b->userns_fd >= 0) {
                r = priv_mount_idmap(tree, b->userns_fd, true);
                if (IN_SET(r, -EINVAL, -EOPNOTSUPP, -EPERM)) {
                        _cleanup_free_ char *type = NULL;

                        (void) mount_fstype(AT_FDCWD, b->source, &type);
                        return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -EMEDIUMTYPE, type ?: "unknown");
                }
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, b->source);
        }
        if (b->read_only) {
                r = priv_mount_setattr(tree, true, &ro);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, b->source);
        }
        if (b->staging) {
                /* The daemon made STAGING (a new, empty directory of its own) and removes it with whatever is
                 * mounted there once we are gone, however we end. */
                at = open(b->staging, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (at < 0)
                        return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, b->staging);
                if (!S_ISDIR(st.st_mode)) {
                        int f = openat(at, STAGING_FILE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

                        if (f < 0)
                                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, b->staging);
                        safe_close(f);
                        f = openat(at, STAGING_FILE, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                        if (f < 0)
                                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, b->staging);
                        safe_close(at);
                        at = f;
                }
                r = priv_move_mount(tree, at);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_PREPARE, r, b->staging);
        }
        *ret_st = st;
        return TAKE_FD(tree);
}

/* Closes every fd above stderr but the valid ones of KEEP (N of them, at most 3): a helper that a hung file
 * system holds for long must not hold copies of the daemon's fds (consoles, sockets, other helpers' reports). */
static void close_all_but(int keep[], size_t n) {
        int from = 3;

        /* Sorted, three at most. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        if (keep[j] < keep[i]) {
                                int t = keep[i];
                                keep[i] = keep[j];
                                keep[j] = t;
                        }
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < from)
                        continue;
                if (keep[i] > from)
                        (void) close_range((unsigned) from, (unsigned) keep[i] - 1, 0);
                from = keep[i] + 1;
        }
        (void) close_range((unsigned) from, ~0U, 0);
}

/* Runs in the short-lived child. It waits for the daemon's go (sent once the daemon watches it: a helper the
 * daemon could not watch exits before touching anything), then does every file system access to the caller's
 * host path here, and joins the container's mount namespace (only: it stays the host's root, and nothing it
 * does is owned by the container's user namespace). */
static int bind_mount_in_container(void *userdata, SetupLog *l) {
        BindMount *b = userdata;
        _cleanup_close_ int tree = -EBADF, rootfd = -EBADF, target = -EBADF, staged = -EBADF;
        _cleanup_free_ char *incoming = NULL;
        struct stat a = {}, st;
        ssize_t n;
        char go;
        int r;

        (void) priv_set_pdeathsig(SIGKILL);
        close_all_but((int[]) { b->sock, b->leader_pidfd, b->userns_fd }, 3);
        do
                n = recv(b->sock, &go, 1, 0);
        while (n < 0 && errno == EINTR);
        if (n != 1 || go != 'G')
                _exit(EXIT_FAILURE);

        tree = bind_mount_clone_source(b, l, &a);
        if (tree < 0)
                return tree;
        if (b->staging && asprintf(&incoming, "/run/host/incoming/%s%s", strrchr(b->staging, '/') + 1,
                                   S_ISDIR(a.st_mode) ? "" : "/" STAGING_FILE) < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -ENOMEM, "incoming");

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
        if (incoming) {
                staged = priv_open_in_root(rootfd, incoming);
                if (staged < 0)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, staged, incoming);
                if (fstat(staged, &st) < 0)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, -errno, incoming);
                if (st.st_dev != a.st_dev || st.st_ino != a.st_ino)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, -ESTALE, incoming);
        }

        /* The container's tree is untrusted: every lookup stays inside its root. */
        if (b->make_dir) {
                r = priv_create_in_root(rootfd, b->destination, S_ISDIR(a.st_mode));
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, r, b->destination);
        }
        target = priv_open_in_root(rootfd, b->destination);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_EXEC, target, b->destination);
        r = priv_move_mount(staged >= 0 ? staged : tree, target);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_EXEC, r, b->destination);
        return 0;
}

int container_bind_mount_staging(const char *propagate_dir, char **ret) {
        _cleanup_free_ char *path = NULL;

        if (!propagate_dir || propagate_dir[0] != '/' || !ret)
                return -EINVAL;
        if (asprintf(&path, "%s/.#bind-XXXXXX", propagate_dir) < 0)
                return -ENOMEM;
        if (!mkdtemp(path))
                return -errno;
        *ret = TAKE_PTR(path);
        return 0;
}

void container_bind_mount_unstage(const char *staged) {
        _cleanup_free_ char *file = NULL;

        if (!staged)
                return;
        /* Unmounted here, the copy that propagated into the container goes too, unless it was moved. The
         * directory first: were a tree of the caller's still attached to it, a lookup of the file below would
         * go into that tree (a hung file system's), while unmounting a mount point does not look into it. */
        (void) priv_umount_detach(staged);
        if (asprintf(&file, "%s/" STAGING_FILE, staged) >= 0) {
                (void) priv_umount_detach(file);
                (void) unlink(file);
        }
        (void) rmdir(staged);
}

int container_bind_mount(int leader_pidfd, int userns_fd, const char *staging, const char *source,
                         const char *destination, bool read_only, bool make_dir, int *ret_pidfd,
                         int *ret_report_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        int pidfd = -EBADF, r;
        long pid;

        if (leader_pidfd < 0 || !source || source[0] != '/' || !destination || destination[0] != '/' ||
            (userns_fd >= 0) != !!staging || (staging && !strrchr(staging, '/')) || !ret_pidfd || !ret_report_fd)
                return -EINVAL;

        /* The helper may look up the source's file system type with libmount: loaded here (libmount-dl.h). */
        r = dlopen_libmount();
        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;

        pid = priv_clone_pidfd(0, &pidfd);
        if (pid < 0)
                return (int) pid;
        if (pid == 0) {
                BindMount b = {
                        .sock = pair[1],
                        .leader_pidfd = leader_pidfd,
                        .userns_fd = userns_fd,
                        .staging = staging,
                        .source = source,
                        .destination = destination,
                        .read_only = read_only,
                        .make_dir = make_dir,
                };

                pair[0] = safe_close(pair[0]);
                container_helper_run(pair[1], bind_mount_in_container, &b);
        }

        *ret_pidfd = pidfd;
        *ret_report_fd = TAKE_FD(pair[0]);
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

                _cleanup_close_ int rootfd = -EBADF;

                /* The container's devpts: we are in its mount (and user) namespace, "/" is its root. The
                 * process's terminal is /dev/pts/N of its own /dev/pts, owned by the container's root. */
                rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                r = rootfd < 0 ? -errno : pty_open_in_root(rootfd, p.exec_pty_rows, p.exec_pty_columns, &master,
                                                            &peer);
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

int container_exec_begin(int leader_pidfd, pid_t leader, const char *cgroup, const ContainerConfig *proc,
                         const ContainerConfig *container, int *ret_pidfd, pid_t *ret_pid, int *ret_report_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_close_ int pidfd = -EBADF, cgroup_fd = -EBADF;
        long pid;

        if (leader_pidfd < 0 || leader <= 1 || !proc || !container ||
            ((!proc->argv || !proc->argv[0]) && !proc->exec_user_shell && !proc->exec_path) || !ret_pidfd ||
            !ret_pid || !ret_report_fd || proc->preserve_fds > CONTAINER_PRESERVE_FDS_MAX)
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
        *ret_pidfd = TAKE_FD(pidfd);
        *ret_pid = (pid_t) pid;
        *ret_report_fd = TAKE_FD(pair[0]);
        return 0;
}

int container_exec_end(int report_fd, bool pty, int *ret_pty_master, ContainerReport *ret_failure) {
        _cleanup_close_ int master = -EBADF;
        ContainerReport report;
        int r;

        if (report_fd < 0 || (pty && !ret_pty_master))
                return -EINVAL;

        /* Its first report: joined (with the pty's master), or why not. */
        r = container_read_report(report_fd, &report, &master);
        if (r == -EAGAIN)
                return -EAGAIN;
        if (r == 0)
                return -ECHILD;
        if (r < 0)
                return r;
        if (report.stage != CONTAINER_STAGE_SETUP_DONE) {
                if (ret_failure)
                        *ret_failure = report;
                return -EPROTO;
        }
        if (pty && master < 0)
                return -EBADMSG;
        if (ret_pty_master)
                *ret_pty_master = TAKE_FD(master);
        return 0;
}

int container_exec_full(int leader_pidfd, pid_t leader, const char *cgroup, const ContainerConfig *proc,
                        const ContainerConfig *container, int *ret_pidfd, pid_t *ret_pid, int *ret_report_fd,
                        int *ret_pty_master, ContainerReport *ret_failure) {
        _cleanup_close_ int pidfd = -EBADF, report_fd = -EBADF;
        pid_t pid;
        int r;

        if (!proc || !ret_pidfd || !ret_pid || !ret_report_fd || (proc->exec_pty && !ret_pty_master))
                return -EINVAL;
        r = container_exec_begin(leader_pidfd, leader, cgroup, proc, container, &pidfd, &pid, &report_fd);
        if (r < 0)
                return r;

        /* Joining only sets namespaces, but opening the container's /dev/ptmx goes through its tree (a FUSE
         * mount of its own could hold it): bounded. (The daemon does not wait here at all: it watches the
         * report from its event loop, container_exec_begin() and container_exec_end().) */
        for (;;) {
                struct pollfd p = { .fd = report_fd, .events = POLLIN };
                int k = poll(&p, 1, CONTAINER_EXEC_HELPER_TIMEOUT_MSEC);

                if (k < 0 && errno == EINTR)
                        continue;
                r = k == 0 ? -ETIMEDOUT :
                    container_exec_end(report_fd, proc->exec_pty, ret_pty_master, ret_failure);
                if (r == -EAGAIN)
                        continue;
                break;
        }
        if (r < 0) {
                (void) priv_pidfd_send_signal(pidfd, SIGKILL);
                (void) waitid(P_PIDFD, pidfd, &(siginfo_t) {}, WEXITED);
                return r;
        }
        *ret_pidfd = TAKE_FD(pidfd);
        *ret_pid = pid;
        *ret_report_fd = TAKE_FD(report_fd);
        return 0;
}
