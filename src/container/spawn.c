/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The creator's side of the spawn protocol (see container.h): clone, reports, create/start. */

#include <fcntl.h>
#include <assert.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "container.h"
#include "state.h"
#include "escape.h"
#include "init.h"
#include "libmount-dl.h"
#include "priv/priv.h"

static const char *const stage_table[_CONTAINER_STAGE_MAX] = {
        [CONTAINER_STAGE_SETUP_DONE]        = "setup-done",
        [CONTAINER_STAGE_PREPARE]           = "prepare",
        [CONTAINER_STAGE_MOUNT_ROOT]        = "mount root directory",
        [CONTAINER_STAGE_MOUNT_PROC]        = "mount /proc",
        [CONTAINER_STAGE_MOUNT_SYS]         = "mount /sys",
        [CONTAINER_STAGE_MOUNT_DEV]         = "set up /dev",
        [CONTAINER_STAGE_MOUNT_RUN]         = "mount /run and /tmp",
        [CONTAINER_STAGE_RUN_HOST]          = "set up /run/host",
        [CONTAINER_STAGE_CUSTOM_MOUNTS]     = "set up custom mounts",
        [CONTAINER_STAGE_INACCESSIBLE]      = "set up Inaccessible=",
        [CONTAINER_STAGE_ETC]               = "set up /etc",
        [CONTAINER_STAGE_NETWORK]           = "set up the network",
        [CONTAINER_STAGE_USER]              = "switch user",
        [CONTAINER_STAGE_WORKING_DIRECTORY] = "change to the working directory",
        [CONTAINER_STAGE_LIMITS]            = "apply limits",
        [CONTAINER_STAGE_HOSTNAME]          = "set hostname",
        [CONTAINER_STAGE_PIVOT_ROOT]        = "pivot_root",
        [CONTAINER_STAGE_COMMAND]           = "find command",
        [CONTAINER_STAGE_CGROUP]            = "set up cgroup namespace",
        [CONTAINER_STAGE_STDIO]             = "set up stdio",
        [CONTAINER_STAGE_CAPABILITIES]      = "drop capabilities",
        [CONTAINER_STAGE_SECCOMP]           = "install seccomp filter",
        [CONTAINER_STAGE_EXEC]              = "execute",
        [CONTAINER_STAGE_WARNING]           = "warning",
        [CONTAINER_STAGE_RELEASE]           = "wait for release",
        [CONTAINER_STAGE_NAMESPACES]        = "join namespaces",
        [CONTAINER_STAGE_SYSCTL]            = "set sysctls",
        [CONTAINER_STAGE_DEVICES]           = "create devices",
        [CONTAINER_STAGE_MASKS]             = "set up read-only and masked paths",
        [CONTAINER_STAGE_USER_NAMESPACE]    = "set up the user namespace",
        [CONTAINER_STAGE_HOOKS]             = "run hooks",
        [CONTAINER_STAGE_CONSOLE]           = "set up the console",
};

const char *container_stage_to_string(ContainerStage s) {
        if (s < 0 || s >= _CONTAINER_STAGE_MAX)
                return NULL;
        return stage_table[s];
}

char *container_report_message(const ContainerReport *r) {
        const char *stage = container_stage_to_string(r->stage) ?: "unknown stage";
        char *s;

        if (r->flags & CONTAINER_REPORT_COMPLETE) {
                if (asprintf(&s, "%s: %s", stage, r->detail) < 0)
                        return NULL;
        } else if (asprintf(&s, "%s: %s: %s", stage, r->detail, strerror(r->error ?: EIO)) < 0)
                return NULL;
        return s;
}

static int format_id_map(const ContainerIdMap *map, size_t n, char *buf, size_t size) {
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                int w = snprintf(buf + k, size - k, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", map[i].inside,
                                 map[i].outside, map[i].count);
                if (w < 0 || (size_t) w >= size - k)
                        return -E2BIG;
                k += w;
        }
        return 0;
}

int container_continue_hooks(int sync_fd, const char *state) {
        _cleanup_free_ char *m = NULL;
        size_t n = strlen(state ?: "");
        int size;

        static_assert(CONTAINER_HOOK_STATE_MAX >= CONTAINER_STATE_SIZE_MAX, "a state the init cannot be given");
        if (n > CONTAINER_HOOK_STATE_MAX)
                return -E2BIG;
        /* One datagram, which must fit into the socket's send buffer (wmem_default, some 200 KiB, is less
         * than the largest state): as large as it takes (root may go past wmem_max). */
        size = (int) (n + 64 * 1024);
        if (setsockopt(sync_fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(sync_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
        m = malloc(n + 1);
        if (!m)
                return -ENOMEM;
        m[0] = 'H';
        memcpy(m + 1, state ?: "", n);
        return send(sync_fd, m, n + 1, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The init of a new user namespace waits (CONTAINER_STAGE_USER_NAMESPACE) until its maps are written. */
static int write_id_maps(const ContainerConfig *c, pid_t pid, int sync_fd) {
        char buf[CONTAINER_ID_MAP_MAX * 36];
        int r;

        r = format_id_map(c->uid_map, c->n_uid_map, buf, sizeof(buf));
        if (r < 0)
                return r;
        r = priv_write_id_map(pid, "uid_map", buf);
        if (r < 0)
                return r;
        r = format_id_map(c->gid_map, c->n_gid_map, buf, sizeof(buf));
        if (r < 0)
                return r;
        r = priv_write_id_map(pid, "gid_map", buf);
        if (r < 0)
                return r;
        if (send(sync_fd, "M", 1, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

static void close_fds(int *fds, size_t n) {
        for (size_t i = 0; fds && i < n; i++)
                safe_close(fds[i]);
        free(fds);
}

/* Opens and checks every joined namespace (container_namespace_open()) before anything is cloned: a missing
 * path or one of the wrong type is an error here, with nothing made. Returns an array of fds (-EBADF for none),
 * one per C->join_namespaces, or -errno with *ret_error. */
static int open_namespaces(const ContainerConfig *c, int **ret, char **ret_error) {
        int *fds;

        fds = new(int, c->n_join_namespaces ?: 1);
        if (!fds)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_join_namespaces; i++)
                fds[i] = -EBADF;
        for (size_t i = 0; i < c->n_join_namespaces; i++) {
                int fd = container_namespace_open(c->join_namespaces + i, ret_error);
                if (fd < 0) {
                        close_fds(fds, c->n_join_namespaces);
                        return fd;
                }
                fds[i] = fd;
        }
        *ret = fds;
        return 0;
}

/* The joiner's answer (container_pid_joiner()): the init's pid with its pidfd attached, or a ContainerReport of
 * what failed. Returns 0 with *ret_pid and *ret_pidfd, or -errno (with *ret_error if the joiner said why). */
static int read_joiner(int fd, pid_t *ret_pid, int *ret_pidfd, char **ret_error) {
        union {
                ContainerReport report;
                int32_t pid;
        } m;
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        int pidfd = -EBADF;
        ssize_t n;

        do
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg))
                if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
                    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&pidfd, CMSG_DATA(cmsg), sizeof(int));

        if (n == sizeof(int32_t) && pidfd >= 0 && m.pid > 1) {
                *ret_pid = m.pid;
                *ret_pidfd = pidfd;
                return 0;
        }
        safe_close(pidfd);
        if (n == sizeof(ContainerReport) && m.report.error > 0) {
                m.report.detail[sizeof(m.report.detail) - 1] = 0;
                if (ret_error)
                        *ret_error = container_report_message(&m.report);
                return -m.report.error;
        }
        return n == 0 ? -ECHILD : -EBADMSG;
}

static unsigned fd_end(unsigned end, int fd) {
        return fd >= 0 && (unsigned) fd >= end ? (unsigned) fd + 1 : end;
}

/* One above the highest of our fds that the init uses (container_init()): the stdio and preserved fds, the
 * console, its socket, and the namespaces it enters. */
static unsigned init_fds_end(const ContainerConfig *c, int sock, int userns_fd, int netns_fd, const int *ns_fds) {
        const int fds[] = { c->stdin_fd, c->stdout_fd, c->stderr_fd, c->console_fd, sock, userns_fd, netns_fd };
        unsigned end = 3 + c->preserve_fds;

        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                end = fd_end(end, fds[i]);
        for (size_t i = 0; i < c->n_join_namespaces; i++)
                end = fd_end(end, ns_fds[i]);
        return end;
}

/* A joined PID namespace: setns(CLONE_NEWPID) only applies to the caller's children, so a short-lived joiner
 * does it and clones the init (CLONE_PARENT: the init is our child, as without a joiner). Only then. */
static long spawn_through_joiner(const ContainerConfig *c, uint64_t flags, int peer, int sock, int userns_fd,
                                 int netns_fd, const int *ns_fds, int *ret_pidfd, char **ret_error) {
        _cleanup_close_pair_ int jpair[2] = { -EBADF, -EBADF };
        _cleanup_close_ int jpidfd = -EBADF;
        pid_t pid = 0;
        long j;
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, jpair) < 0)
                return -errno;
        j = priv_clone_pidfd(0, &jpidfd);
        if (j < 0)
                return j;
        if (j == 0) {
                jpair[0] = safe_close(jpair[0]);
                safe_close(peer);
                container_pid_joiner(c, flags, jpair[1], sock, userns_fd, netns_fd, ns_fds);
        }
        jpair[1] = safe_close(jpair[1]);
        r = read_joiner(jpair[0], &pid, ret_pidfd, ret_error);
        /* The joiner exits right after its answer (or its failure): reap it. */
        if (r < 0)
                (void) priv_pidfd_send_signal(jpidfd, SIGKILL);
        (void) waitid(P_PIDFD, jpidfd, NULL, WEXITED);
        return r < 0 ? r : pid;
}

int container_spawn_full(const ContainerConfig *c, Container *ret, char **ret_error) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_(priv_userns_done) PrivUserns userns = PRIV_USERNS_NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int netns = -EBADF;
        uint64_t flags = 0;
        _cleanup_free_ int *held = NULL;       /* taken by *ret, or emptied by close_fds() after the clone */
        int pidfd = -EBADF, *ns_fds = NULL;
        size_t n_held = 0;
        long pid;
        int r;

        if (!ret)
                return -EINVAL;
        r = container_config_validate(c);
        if (r < 0)
                return r;
        /* The init parses mount options with libmount (TemporaryFileSystem=, --no-pivot): loaded here, by the
         * host, never by the child (libmount-dl.h); only if it does, as machined-ext-oci may not have loaded
         * it (mount-options-cache.h), and it costs that process 1.6-2.0 ms. */
        if (container_config_init_uses_libmount(c)) {
                r = dlopen_libmount();
                if (r < 0)
                        return r;
        }
        if (!container_config_joined_namespace(c, CONTAINER_NAMESPACE_MOUNT))
                flags |= CLONE_NEWNS;
        if (!container_config_joined_namespace(c, CONTAINER_NAMESPACE_PID))
                flags |= CLONE_NEWPID;
        if (c->n_uid_map > 0)
                flags |= CLONE_NEWUSER;
        if (c->private_network)
                flags |= CLONE_NEWNET;
        if (container_config_new_namespace(c, CONTAINER_NAMESPACE_UTS))
                flags |= CLONE_NEWUTS;
        if (container_config_new_namespace(c, CONTAINER_NAMESPACE_IPC))
                flags |= CLONE_NEWIPC;

        r = open_namespaces(c, &ns_fds, &error);
        if (r < 0)
                goto finish;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                r = -errno;
                goto finish;
        }
        /* PrivateUsers=: the user namespace is made here, where its maps can be written, and inherited by the
         * init as an fd; the init enters it only after its mounts (container-config.h). The PID and network
         * namespaces are made with it, owned by it (as systemd-nspawn -U's are): the init is cloned into the
         * PID namespace as its PID 1 and joins the network namespace first thing. */
        if (c->userns_range > 0) {
                r = priv_userns_new(c->userns_shift, c->userns_range, c->private_network, &userns);
                if (r < 0)
                        goto finish;
                if (userns.netns_fd >= 0)
                        flags &= ~(uint64_t) CLONE_NEWNET;
        }
        /* Cloned by us (not by a joiner), it shares our fd table at first: room for the fds of ours it uses,
         * kept open until it has its own (container_spawn_settle()). Before the clone, so that nothing can
         * fail between the clone and the moment they are taken. */
        if (flags & CLONE_NEWPID) {
                held = new(int, 3 + c->n_join_namespaces);
                if (!held) {
                        r = -ENOMEM;
                        goto finish;
                }
        }

        if (!(flags & CLONE_NEWPID))
                pid = spawn_through_joiner(c, flags, pair[0], pair[1], userns.userns_fd, userns.netns_fd, ns_fds,
                                           &pidfd, &error);
        else if (userns.pidns_fd >= 0)
                pid = priv_clone_pidfd_into((flags & ~(uint64_t) CLONE_NEWPID) | CLONE_FILES, userns.pidns_fd,
                                            &pidfd);
        else
                pid = priv_clone_pidfd(flags | CLONE_FILES, &pidfd);
        if (pid < 0) {
                r = (int) pid;
                goto finish;
        }
        if (pid == 0) {
                /* Born sharing our fd table, where a running machine's fds (the daemon's) are not to be copied
                 * and closed by each init (issue #17): first a table of its own with only the low fds, which
                 * are the ones it uses, then its word that it has one. */
                if (priv_unshare_fds(init_fds_end(c, pair[1], userns.userns_fd, userns.netns_fd, ns_fds)) < 0 ||
                    send(pair[1], "F", 1, MSG_NOSIGNAL) < 0)
                        _exit(EXIT_FAILURE);
                pair[0] = safe_close(pair[0]);
                userns.pidns_fd = safe_close(userns.pidns_fd);
                container_init(c, pair[1], userns.userns_fd, userns.netns_fd, ns_fds);
        }

        netns = TAKE_FD(userns.netns_fd);
        if (held) {
                held[n_held++] = TAKE_FD(pair[1]);
                held[n_held++] = TAKE_FD(userns.userns_fd);
                held[n_held++] = TAKE_FD(userns.pidns_fd);
                for (size_t i = 0; i < c->n_join_namespaces; i++)
                        held[n_held++] = TAKE_FD(ns_fds[i]);
        }
        pair[1] = safe_close(pair[1]);
        /* The helper stays: reaped by the caller, or by the cleanup on failure. */
        userns.userns_fd = safe_close(userns.userns_fd);
        userns.pidns_fd = safe_close(userns.pidns_fd);
        r = 0;
        if (c->n_uid_map > 0)
                r = write_id_maps(c, (pid_t) pid, pair[0]);
        if (r >= 0 && fcntl(pair[0], F_SETFL, O_NONBLOCK) < 0)
                r = -errno;
        if (r < 0) {
                /* Dead (and reaped) first: then no fd of ours is its any more. */
                (void) priv_pidfd_send_signal(pidfd, SIGKILL);
                (void) waitid(P_PIDFD, pidfd, NULL, WEXITED);
                safe_close(pidfd);
                close_fds(held, n_held);
                held = NULL;
                goto finish;
        }

        *ret = (Container) {
                .pid = (pid_t) pid,
                .pidfd = pidfd,
                .sync_fd = TAKE_FD(pair[0]),
                .netns_fd = TAKE_FD(netns),
                .helper_pidfd = TAKE_FD(userns.helper_pidfd),
                .held_fds = TAKE_PTR(held),
                .n_held_fds = n_held,
        };
finish:
        close_fds(ns_fds, c->n_join_namespaces);
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}

int container_spawn(const ContainerConfig *c, Container *ret) {
        int r;

        r = container_spawn_full(c, ret, NULL);
        if (r < 0)
                return r;
        container_reap_helper(ret);
        /* A child that died first: its report or exit status says why, for the caller to read. */
        (void) container_spawn_settle(ret);
        return 0;
}

int container_spawn_settle(Container *c) {
        char b;
        int r;

        if (!c->held_fds)
                return 0;
        /* O_NONBLOCK by now: read() only once poll() says there is something. */
        r = priv_read_child_message(c->sync_fd, c->pidfd, &b, 1);
        if (r >= 0 && b != 'F')
                r = -EBADMSG;
        container_spawn_drop(c);
        return r;
}

void container_spawn_drop(Container *c) {
        close_fds(c->held_fds, c->n_held_fds);
        c->held_fds = NULL;
        c->n_held_fds = 0;
}

void container_reap_helper(Container *c) {
        if (c->helper_pidfd < 0)
                return;
        (void) waitid(P_PIDFD, c->helper_pidfd, NULL, WEXITED);
        c->helper_pidfd = safe_close(c->helper_pidfd);
}

static int send_byte(int sync_fd, char b) {
        if (send(sync_fd, &b, 1, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

int container_release(int sync_fd) {
        return send_byte(sync_fd, 'G');
}

int container_cancel(int sync_fd) {
        return send_byte(sync_fd, 'X');
}

int container_start(const char *release_fifo, bool go) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (!release_fifo || release_fifo[0] != '/')
                return -EINVAL;
        /* Non-blocking write-only open of a FIFO fails with ENXIO unless a reader has it open: only a waiting
         * init does, so this never blocks and never writes into a FIFO nobody will read. */
        fd = open(release_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISFIFO(st.st_mode))
                return -EBADFD;
        if (write(fd, go ? "G" : "X", 1) != 1)
                return errno == EAGAIN ? -EBUSY : -errno;
        return 0;
}

int container_read_report(int sync_fd, ContainerReport *ret, int *ret_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * 4)];
        } control;
        ContainerReport r;
        struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        int fd = -EBADF;
        ssize_t n;

        n = recvmsg(sync_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;

        for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg))
                if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
                        size_t k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int f;
                                memcpy(&f, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
                                if (fd < 0)
                                        fd = f;
                                else
                                        safe_close(f);
                        }
                }

        if (n == 0) {
                safe_close(fd);
                return 0;
        }
        if (n != sizeof(r) || r.stage < 0 || r.stage >= _CONTAINER_STAGE_MAX || (mh.msg_flags & MSG_CTRUNC)) {
                safe_close(fd);
                return -EBADMSG;
        }
        r.detail[sizeof(r.detail) - 1] = 0;
        /* A path or a name from the container's tree, cut at the field's size (maybe in the middle of a
         * character): it goes into replies on the bus and into logs as text. */
        (void) replace_unprintable(r.detail, '?');
        *ret = r;
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 1;
}
