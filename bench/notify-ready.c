/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify-ready: the benchmark's readiness payload. Sends "READY=1" to $NOTIFY_SOCKET at once (with
 * SCM_CREDENTIALS, from this very process) and then sleeps until SIGTERM, SIGINT, SIGRTMIN+3 or SIGRTMIN+4,
 * which make it exit 0.
 *
 * Why not `sh -c 'testpayload notify READY=1; exec sleep ...'`: systemd-nspawn only accepts a notification
 * whose sender is the container's PID 1, so the process that notifies must be PID 1 and stay PID 1. Built
 * static (the busybox root has no libc).
 */

#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
        (void) sig;
        stop = 1;
}

static int notify(const char *text) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = getenv("NOTIFY_SOCKET");
        union {
                struct cmsghdr cmsg;
                char buf[CMSG_SPACE(sizeof(struct ucred))];
        } control = {};
        struct iovec iov = { .iov_base = (char *) text, .iov_len = strlen(text) };
        struct msghdr mh = {
                .msg_name = &sa,
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        struct cmsghdr *c;
        struct ucred uc = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
        size_t len;
        int fd;

        if (!path || !*path) {
                fprintf(stderr, "notify-ready: $NOTIFY_SOCKET is not set\n");
                return -1;
        }
        len = strlen(path);
        if (len >= sizeof(sa.sun_path)) {
                fprintf(stderr, "notify-ready: $NOTIFY_SOCKET too long\n");
                return -1;
        }
        memcpy(sa.sun_path, path, len);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0';
        mh.msg_namelen = offsetof(struct sockaddr_un, sun_path) + len;

        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof(uc));
        memcpy(CMSG_DATA(c), &uc, sizeof(uc));

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
                perror("notify-ready: sendmsg");
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        close(fd);
        return 0;
}

int main(void) {
        struct sigaction sa = { .sa_handler = on_signal };
        sigset_t mask, old;

        /* Handlers first: a PID 1 ignores every signal without one, and a stop may come right after READY. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGRTMIN + 3);
        sigaddset(&mask, SIGRTMIN + 4);
        sigprocmask(SIG_BLOCK, &mask, &old);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGRTMIN + 3, &sa, NULL);
        sigaction(SIGRTMIN + 4, &sa, NULL);

        if (notify("READY=1") < 0)
                return 1;

        while (!stop)
                sigsuspend(&old);
        return 0;
}
