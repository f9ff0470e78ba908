/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A child cloned with CLONE_FILES (spawn.c's init, priv-userns.c's helper): priv_unshare_fds() gives it a table
 * of its own with only the fds below END, and nothing it does to that table reaches ours;
 * priv_read_child_message() gets its word, or sees it die without one instead of waiting forever. And
 * fd_move_high(), which keeps a running machine's fds above the ones an init copies. No privileges needed. */

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "macro.h"
#include "priv/priv.h"
#include "test-assert.h"

static bool fd_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

static int exit_status(int pidfd) {
        siginfo_t si = {};

        ASSERT(waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED) == 0);
        ASSERT_EQ(si.si_code, CLD_EXITED);
        return si.si_status;
}

/* Child: LOW stays, HIGH (ours, above END) is not in its table; its close of LOW is its own. */
static void test_unshare(void) {
        int pair[2], low, high, pidfd = -EBADF;
        long pid;
        char b = 0;

        ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0);
        low = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT(low >= 0 && low < 100);
        high = fd_move_high(open("/dev/null", O_RDONLY | O_CLOEXEC));
        ASSERT(high >= FD_HIGH_MIN);

        pid = priv_clone_pidfd(CLONE_FILES, &pidfd);
        ASSERT(pid >= 0);
        if (pid == 0) {
                unsigned end = (unsigned) (pair[1] > low ? pair[1] : low) + 1;
                int e = 0;

                if (priv_unshare_fds(end) < 0)
                        _exit(10);
                if (fd_open(high))
                        e = 11;         /* still ours: a copy of the whole table */
                else if (!fd_open(low) || !fd_open(pair[1]))
                        e = 12;
                /* Its own table now: these closes must not reach the parent's. */
                close(low);
                close(pair[0]);
                if (send(pair[1], "F", 1, MSG_NOSIGNAL) != 1)
                        _exit(13);
                _exit(e);
        }
        /* The parent keeps every fd open until the word (none of them is the child's to lose). */
        ASSERT_EQ(priv_read_child_message(pair[0], pidfd, &b, 1), 0);
        ASSERT_EQ(b, 'F');
        ASSERT_EQ(exit_status(pidfd), 0);
        ASSERT(fd_open(low));
        ASSERT(fd_open(high));
        ASSERT(fd_open(pair[0]));
        close(pidfd);
        close(low);
        close(high);
        close(pair[0]);
        close(pair[1]);
}

/* A child that dies without a word: -EIO, not a wait for ever (our end of its pipe keeps it open). */
static void test_dies_without_word(void) {
        int p[2], pidfd = -EBADF;
        long pid;
        char b;

        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        pid = priv_clone_pidfd(CLONE_FILES, &pidfd);
        ASSERT(pid >= 0);
        if (pid == 0)
                _exit(0);
        ASSERT_EQ(priv_read_child_message(p[0], pidfd, &b, 1), -EIO);
        ASSERT_EQ(exit_status(pidfd), 0);
        close(pidfd);

        /* Killed while waiting for something: the same. */
        pid = priv_clone_pidfd(CLONE_FILES, &pidfd);
        ASSERT(pid >= 0);
        if (pid == 0) {
                pause();
                _exit(0);
        }
        ASSERT(priv_pidfd_send_signal(pidfd, SIGKILL) == 0);
        ASSERT_EQ(priv_read_child_message(p[0], pidfd, &b, 1), -EIO);
        ASSERT(waitid(P_PIDFD, (id_t) pidfd, &(siginfo_t) {}, WEXITED) == 0);
        close(pidfd);

        /* The word then the exit: the word counts; a short one does not. */
        pid = priv_clone_pidfd(CLONE_FILES, &pidfd);
        ASSERT(pid >= 0);
        if (pid == 0) {
                int e = 7;
                (void) !write(p[1], &e, sizeof(e));
                _exit(0);
        }
        ASSERT_EQ(exit_status(pidfd), 0);
        {
                int e = 0;
                ASSERT_EQ(priv_read_child_message(p[0], pidfd, &e, sizeof(e)), 0);
                ASSERT_EQ(e, 7);
        }
        close(pidfd);
        pid = priv_clone_pidfd(CLONE_FILES, &pidfd);
        ASSERT(pid >= 0);
        if (pid == 0) {
                (void) !write(p[1], "x", 1);
                _exit(0);
        }
        {
                int e = 0;
                ASSERT_EQ(priv_read_child_message(p[0], pidfd, &e, sizeof(e)), -EIO);
        }
        ASSERT_EQ(exit_status(pidfd), 0);
        close(pidfd);
        close(p[0]);
        close(p[1]);
}

static void test_move_high(void) {
        struct rlimit rl = { .rlim_cur = 512, .rlim_max = 512 };
        int fd, moved, again;

        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT(fd >= 0 && fd < FD_HIGH_MIN);
        moved = fd_move_high(fd);
        ASSERT(moved >= FD_HIGH_MIN);
        ASSERT(!fd_open(fd));                   /* the old number is free again */
        ASSERT(fcntl(moved, F_GETFD) & FD_CLOEXEC);
        again = fd_move_high(moved);            /* already high: left where it is */
        ASSERT_EQ(again, moved);
        ASSERT_EQ(fd_move_high(-EBADF), -EBADF);
        close(moved);

        /* RLIMIT_NOFILE below FD_HIGH_MIN: it stays where it is, open. */
        ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT_EQ(fd_move_high(fd), fd);
        ASSERT(fd_open(fd));
        close(fd);
}

int main(void) {
        struct rlimit rl;

        /* fd_move_high() needs room above FD_HIGH_MIN. */
        ASSERT(getrlimit(RLIMIT_NOFILE, &rl) == 0);
        if (rl.rlim_max <= FD_HIGH_MIN + 16) {
                printf("test-priv-clone-files: RLIMIT_NOFILE hard limit %llu too low, skipped\n",
                       (unsigned long long) rl.rlim_max);
                return 77;
        }
        rl.rlim_cur = rl.rlim_max;
        ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);

        in_child(test_unshare);
        in_child(test_dies_without_word);
        in_child(test_move_high);
        printf("test-priv-clone-files: OK\n");
        return 0;
}
