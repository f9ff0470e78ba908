/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify_receive()'s sender rules, over a real socket: this process plays the container's PID 1 (or a
 * process that is not), a child process plays the other. The cheap refusal of non-leader senders must not
 * change who is accepted. */
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify.h"
#include "test-assert.h"
#include "time-util.h"
#include "util.h"

static int receiver, sender;

/* Our fds, but the pipe of the thread that closes passed fds (fd-closer.c), which stays once started. */
static int count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int n = 0;

        ASSERT(d);
        while ((e = readdir(d))) {
                char path[300], target[64] = {};

                snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
                if (readlink(path, target, sizeof(target) - 1) > 0 && strncmp(target, "pipe:", 5) == 0)
                        continue;
                n++;
        }
        closedir(d);
        return n;
}

/* Sends TEXT on FD, with PASS_FD attached if >= 0. Returns 0 or the errno of sendmsg(). */
static int send_text_fd(int fd, const char *text, int pass_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *) text, .iov_len = strlen(text) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (pass_fd >= 0) {
                struct cmsghdr *c = &control.cmsghdr;

                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
        }
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return errno;
        return 0;
}

static void send_text(int fd, const char *text, bool with_fd) {
        int null_fd = -1;

        if (with_fd) {
                null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                ASSERT(null_fd >= 0);
        }
        ASSERT_EQ(send_text_fd(fd, text, null_fd), 0);
        if (null_fd >= 0)
                close(null_fd);
}

/* A TCP socket over loopback whose last close waits: SO_LINGER of 1000000 s, and a send queue that its peer
 * (which stops reading, its receive buffer full) never acknowledges. Its peer is returned in *ret_peer. */
static int lingering_socket(int *ret_peer) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct linger lg = { .l_onoff = 1, .l_linger = 1000000 };
        socklen_t len = sizeof(a);
        int l, c, p, small = 4096;
        char buf[65536] = {};

        l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT(l >= 0 && c >= 0);
        ASSERT_EQ(bind(l, (struct sockaddr *) &a, sizeof(a)), 0);
        ASSERT_EQ(listen(l, 1), 0);
        ASSERT_EQ(getsockname(l, (struct sockaddr *) &a, &len), 0);
        ASSERT_EQ(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
        ASSERT_EQ(connect(c, (struct sockaddr *) &a, sizeof(a)), 0);
        p = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        ASSERT(p >= 0);
        ASSERT_EQ(setsockopt(p, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
        close(l);
        ASSERT_EQ(fcntl(c, F_SETFL, O_NONBLOCK), 0);
        for (int round = 0; round < 2; round++) {
                while (send(c, buf, sizeof(buf), MSG_NOSIGNAL) > 0)
                        ;
                usleep(200 * 1000);
        }
        ASSERT_EQ(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
        *ret_peer = p;
        return c;
}

static usec_t now_usec(void) {
        struct timespec ts;

        ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
        return (usec_t) ts.tv_sec * 1000000 + (usec_t) ts.tv_nsec / 1000;
}

/* The fd count back at N within 5 s (fds passed to us are closed by another thread). */
static void wait_fd_count(int n) {
        for (int i = 0; i < 500 && count_fds() != n; i++)
                usleep(10 * 1000);
        ASSERT_EQ(count_fds(), n);
}

/* Receives one datagram with the given rules; returns notify_receive()'s result, the reason in *reason. */
static int receive(pid_t leader, int leader_pidfd, NotifySender who, const char *cgroup, NotifyMessage *m,
                   const char **reason) {
        *m = (NotifyMessage) {};
        *reason = NULL;
        return notify_receive(receiver, leader, leader_pidfd, who, cgroup, m, reason);
}

/* Sends TEXT from a child process (a sender that is not the leader), which stays alive until reap(). */
static pid_t send_from_child(const char *text) {
        int p[2];
        char c;
        pid_t pid;

        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                send_text(sender, text, false);
                (void) write(p[1], "x", 1);
                pause();
                _exit(0);
        }
        ASSERT(read(p[0], &c, 1) == 1);
        close(p[0]);
        close(p[1]);
        return pid;
}

static void reap(pid_t pid) {
        ASSERT(kill(pid, SIGKILL) == 0);
        ASSERT(waitpid(pid, NULL, 0) == pid);
}

int main(void) {
        _cleanup_free_ char *cgroup = NULL;
        int pair[2], self_pidfd, fd_count_before;
        bool passrights = false;
        pid_t self = getpid(), child;
        const char *reason;
        NotifyMessage m;

        ASSERT(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) == 0);
        receiver = pair[0];
        sender = pair[1];
        ASSERT(notify_socket_setup(receiver) == 0);
        self_pidfd = pidfd_open(self, 0);
        ASSERT(self_pidfd >= 0);
        ASSERT(pid_get_cgroup(self, &cgroup) >= 0);

        /* Nothing to read. */
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), -EAGAIN);

        /* The leader is accepted; a passed fd is never kept. Linux >= 6.16 refuses to send it (SO_PASSRIGHTS,
         * EPERM), before the fd is closed once received (by another thread, fd-closer.h). */
        fd_count_before = count_fds();
        {
                int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC), e;

                ASSERT(null_fd >= 0);
                e = send_text_fd(sender, "READY=1\nSTATUS=up", null_fd);
                close(null_fd);
                if (e == EPERM) {
                        passrights = true;
                        send_text(sender, "READY=1\nSTATUS=up", false);
                } else
                        ASSERT_EQ(e, 0);
        }
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), 1);
        ASSERT(m.ready);
        ASSERT_STREQ(m.status, "up");
        notify_message_done(&m);
        wait_fd_count(fd_count_before);
        printf("test-notify-receive: SO_PASSRIGHTS %s\n", passrights ? "refuses fds" : "not supported");

        /* A socket whose last close waits as long as its peer wants, passed by a hostile sender: the receive
         * returns at once, whether the kernel refused the fd or a thread of ours closes it. Then the older
         * kernels' way (MACHINED_EXT_NOTIFY_PASSRIGHTS=1): the fd is received, and closed elsewhere. */
        for (int round = 0; round < 2; round++) {
                int pair2[2], peer, c, e;
                usec_t t;

                if (round == 1) {
                        ASSERT_EQ(setenv("MACHINED_EXT_NOTIFY_PASSRIGHTS", "1", 1), 0);
                        ASSERT(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair2) == 0);
                        ASSERT(notify_socket_setup(pair2[0]) == 0);
                        close(receiver);
                        close(sender);
                        receiver = pair2[0];
                        sender = pair2[1];
                        fd_count_before = count_fds();
                }
                c = lingering_socket(&peer);
                e = send_text_fd(sender, "STATUS=linger", c);
                if (round == 0 && passrights) {
                        ASSERT_EQ(e, EPERM);
                        close(peer);    /* first: ours is the last close of C, which would wait */
                        close(c);
                        continue;
                }
                ASSERT_EQ(e, 0);
                close(c);       /* ours: the receiver's copy is the last one */
                t = now_usec();
                ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), 1);
                ASSERT(now_usec() - t < 1000000);
                ASSERT_STREQ(m.status, "linger");
                notify_message_done(&m);
                /* It is still being closed, over there: until its peer goes, which ends the wait. */
                usleep(100 * 1000);
                close(peer);
                wait_fd_count(fd_count_before);
        }
        ASSERT_EQ(unsetenv("MACHINED_EXT_NOTIFY_PASSRIGHTS"), 0);

        /* Another process is refused in the leader mode, before anything else is looked at. */
        child = send_from_child("STATUS=not pid 1");
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), 0);
        ASSERT_STREQ(reason, "sender is not the container's PID 1");
        ASSERT(!m.status);
        reap(child);

        /* ... also if the cgroup mode has no cgroup to check against. */
        child = send_from_child("STATUS=not pid 1");
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_CGROUP, NULL, &m, &reason), 0);
        ASSERT_STREQ(reason, "sender is not the container's PID 1");
        reap(child);

        /* The leader's PID with a leader that is gone: refused. */
        {
                pid_t pid = fork();
                int dead_pidfd;

                ASSERT(pid >= 0);
                if (pid == 0)
                        _exit(0);
                dead_pidfd = pidfd_open(pid, 0);
                ASSERT(dead_pidfd >= 0);
                ASSERT(waitpid(pid, NULL, 0) == pid);
                send_text(sender, "STATUS=x", false);
                /* This process claims the dead child's place: the PIDs do not match. */
                ASSERT_EQ(receive(pid, dead_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), 0);
                ASSERT_STREQ(reason, "sender is not the container's PID 1");
                /* The right PID (ours) but the leader's pidfd is a dead process: refused. */
                send_text(sender, "STATUS=x", false);
                ASSERT_EQ(receive(self, dead_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), 0);
                ASSERT_STREQ(reason, "leader has exited");
                close(dead_pidfd);
        }

        /* The cgroup mode: a process of the cgroup is accepted, one outside refused. */
        child = send_from_child("STATUS=from the cgroup");
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_CGROUP, cgroup, &m, &reason), 1);
        ASSERT_STREQ(m.status, "from the cgroup");
        notify_message_done(&m);
        reap(child);

        child = send_from_child("STATUS=elsewhere");
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_CGROUP, "/no/such/cgroup", &m, &reason), 0);
        ASSERT_STREQ(reason, "sender is not a process of the machine");
        ASSERT(!m.status);
        reap(child);

        /* A process of the cgroup that has exited since: its PID could be someone else's by now. */
        child = send_from_child("STATUS=gone");
        reap(child);
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_CGROUP, cgroup, &m, &reason), 0);
        ASSERT(!m.status);

        /* Garbage from the leader: refused with a reason, nothing parsed. */
        send_text(sender, "", false);
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), 0);
        ASSERT(reason);

        /* The end of a run: a lingering socket still queued (the daemon had stopped reading) is taken out
         * and closed elsewhere, not in our close of the socket; later sends fail. The socket is the
         * one of the older kernels' way (fds accepted), made above. */
        {
                int peer, c;
                usec_t t;

                c = lingering_socket(&peer);
                ASSERT_EQ(send_text_fd(sender, "STATUS=queued", c), 0);
                close(c);
                t = now_usec();
                notify_socket_close(receiver);
                ASSERT(now_usec() - t < 1000000);
                {
                        int e = send_text_fd(sender, "STATUS=late", -1);
                        ASSERT(e == EPIPE || e == ECONNREFUSED);
                }
                close(peer);
        }
        close(self_pidfd);
        close(sender);
        return 0;
}
