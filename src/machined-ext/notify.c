/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/socket.h>

#include "fd-closer.h"
#include "macro.h"
#include "util.h"
#include "notify.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

int notify_socket_setup(int fd) {
        int one = 1, zero = 0;

        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
                return -errno;
        /* Linux ≥ 6.5: the kernel attaches a pidfd of the sender, which cannot be recycled. */
        (void) setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one));
        /* Linux ≥ 6.16: fds are refused when they are sent (EPERM to the sender), so none ever reaches us.
         * Before, notify_receive() takes and closes them, in a thread of their own (fd_close_detached()).
         * MACHINED_EXT_NOTIFY_PASSRIGHTS=1 (tests): that older way. */
        if (!streq_ptr(getenv("MACHINED_EXT_NOTIFY_PASSRIGHTS"), "1"))
                (void) setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &zero, sizeof(zero));
        return 0;
}

/* Returns the PID a pidfd refers to, from /proc/self/fdinfo, or -errno (-ESRCH if it has exited). */
static pid_t pidfd_get_pid(int pidfd) {
        char path[64], line[128];
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%i", pidfd);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                int pid;
                if (sscanf(line, "Pid: %i", &pid) == 1)
                        return pid > 0 ? pid : -ESRCH;
        }
        return -ENOTTY;
}

static bool cgroup_is_below(const char *cg, const char *top) {
        const char *rest = startswith(cg, top);
        return rest && (*rest == 0 || *rest == '/');
}

void notify_socket_close(int fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * 253) + CMSG_SPACE(sizeof(int)) +
                            CMSG_SPACE(sizeof(struct ucred))];
        } control;
        char b;

        if (fd < 0)
                return;
        /* Senders get EPIPE from now on; what they queued (fds too, before SO_PASSRIGHTS) is taken out here,
         * not freed by the kernel in our close, where the last close of a passed fd could wait. */
        (void) shutdown(fd, SHUT_RD);
        for (unsigned i = 0; i < 4096; i++) {
                struct iovec iov = { .iov_base = &b, .iov_len = 1 };
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof(control),
                };

                if (recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC) < 0)
                        break;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && IN_SET(c->cmsg_type, SCM_RIGHTS, SCM_PIDFD))
                                for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
                                        int f;
                                        memcpy(&f, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
                                        fd_close_detached(f);
                                }
        }
        (void) close(fd);
}

int notify_receive(int fd, pid_t leader, int leader_pidfd, NotifySender sender, const char *cgroup,
                   NotifyMessage *ret, const char **ret_reason) {
        /* Static: single-threaded daemon, and never sized by what the peer sends. One byte more than the
         * limit, to see oversized datagrams (together with MSG_TRUNC). */
        static char buf[NOTIFY_MESSAGE_MAX + 1];
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)) +
                            CMSG_SPACE(sizeof(int) * 253)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        _cleanup_close_ int sender_pidfd = -EBADF;
        struct ucred *ucred = NULL;
        ssize_t n;
        int r;

        n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return -errno;

        /* Close whatever was passed: fds are never accepted from a container. Not here: the last close of
         * a socket may wait as long as its peer wants (fd-closer.h). */
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int f;
                                memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                fd_close_detached(f);
                        }
                } else if (c->cmsg_type == SCM_PIDFD && c->cmsg_len == CMSG_LEN(sizeof(int))) {
                        safe_close(sender_pidfd);
                        memcpy(&sender_pidfd, CMSG_DATA(c), sizeof(int));
                } else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        ucred = (struct ucred *) CMSG_DATA(c);
        }

        if (!ucred || ucred->pid <= 0) {
                *ret_reason = "no sender credentials";
                return 0;
        }
        if ((size_t) n > NOTIFY_MESSAGE_MAX || (mh.msg_flags & MSG_TRUNC)) {
                *ret_reason = "datagram too large";
                return 0;
        }

        /* The cheap refusal first: unless any process of the machine may send, only the leader's PID can
         * pass the checks below, so there is no need to read /proc for anyone else. A flood from another
         * process of the container costs a recvmsg() and this comparison. */
        if (ucred->pid != leader && !(sender == NOTIFY_SENDER_CGROUP && cgroup)) {
                *ret_reason = "sender is not the container's PID 1";
                return 0;
        }

        /* Who sent it? With SCM_PIDFD the kernel names the exact process; otherwise the PID in the
         * credentials, checked against live pidfds so that a recycled PID cannot pass. */
        if (sender_pidfd >= 0) {
                pid_t p = pidfd_get_pid(sender_pidfd);
                if (p != ucred->pid) {
                        *ret_reason = "sender exited or credentials do not match";
                        return 0;
                }
        }

        if (ucred->pid == leader) {
                if (pidfd_send_signal(leader_pidfd, 0, NULL, 0) < 0) {
                        *ret_reason = "leader has exited";
                        return 0;
                }
        } else if (sender == NOTIFY_SENDER_CGROUP && cgroup) {
                _cleanup_free_ char *cg = NULL;

                r = pid_get_cgroup(ucred->pid, &cg);
                if (r < 0 || !cgroup_is_below(cg, cgroup)) {
                        *ret_reason = "sender is not a process of the machine";
                        return 0;
                }
                /* The cgroup was read by PID: make sure that PID still is the sender. */
                if (sender_pidfd >= 0 && pidfd_send_signal(sender_pidfd, 0, NULL, 0) < 0) {
                        *ret_reason = "sender exited";
                        return 0;
                }
        } else {
                *ret_reason = "sender is not the container's PID 1";
                return 0;
        }

        r = notify_parse(buf, (size_t) n, ret);
        if (r == -EBADMSG) {
                *ret_reason = "empty or malformed datagram";
                return 0;
        }
        if (r < 0)
                return r;
        return 1;
}
