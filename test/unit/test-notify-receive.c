/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify_receive()'s sender rules, over a real socket: this process plays the container's PID 1 (or a
 * process that is not), a child process plays the other. The cheap refusal of non-leader senders must not
 * change who is accepted. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify.h"
#include "test-assert.h"
#include "util.h"

static int receiver, sender;

static int count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        ASSERT(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void send_text(int fd, const char *text, bool with_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *) text, .iov_len = strlen(text) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        int null_fd = -1;

        if (with_fd) {
                struct cmsghdr *c = &control.cmsghdr;

                null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                ASSERT(null_fd >= 0);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &null_fd, sizeof(int));
                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
        }
        ASSERT(sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t) strlen(text));
        if (null_fd >= 0)
                close(null_fd);
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
        int pair[2], self_pidfd, fd_count_before, fd_count_after;
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

        /* The leader is accepted; a passed fd is closed, not kept. */
        fd_count_before = count_fds();
        send_text(sender, "READY=1\nSTATUS=up", true);
        ASSERT_EQ(receive(self, self_pidfd, NOTIFY_SENDER_LEADER, NULL, &m, &reason), 1);
        ASSERT(m.ready);
        ASSERT_STREQ(m.status, "up");
        notify_message_done(&m);
        fd_count_after = count_fds();
        ASSERT_EQ(fd_count_before, fd_count_after);

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

        close(self_pidfd);
        close(sender);
        close(receiver);
        return 0;
}
