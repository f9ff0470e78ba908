/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* write_nosigpipe(): a write to a pipe whose reader is gone (an OCI hook that exited without reading its
 * state) is -EPIPE for the caller, with SIGPIPE's default disposition (which kills), no SIGPIPE left pending
 * and the signal mask as it was; a SIGPIPE pending before stays pending. loop_write(): all of it, -EPIPE too. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "test-assert.h"

static bool pipe_pending(void) {
        sigset_t s;

        ASSERT(sigpending(&s) == 0);
        return sigismember(&s, SIGPIPE);
}

static void in_child(void (*fn)(void)) {
        int status;
        pid_t pid = fork();

        ASSERT(pid >= 0);
        if (pid == 0) {
                signal(SIGPIPE, SIG_DFL);
                fn();
                _exit(0);
        }
        ASSERT(waitpid(pid, &status, 0) == pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "child: %s %d\n", WIFSIGNALED(status) ? "killed by signal" : "exit",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                abort();
        }
}

static void readerless_pipe(int *ret_write_end) {
        int p[2];

        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        close(p[0]);
        *ret_write_end = p[1];
}

static void gone_reader(void) {
        sigset_t before = {}, after = {};
        int fd;

        readerless_pipe(&fd);
        ASSERT(sigprocmask(SIG_SETMASK, NULL, &before) == 0);
        ASSERT_EQ(write_nosigpipe(fd, "state", 5), -EPIPE);
        ASSERT(sigprocmask(SIG_SETMASK, NULL, &after) == 0);
        ASSERT(!pipe_pending());
        for (int sig = 1; sig < NSIG; sig++)
                ASSERT_EQ(sigismember(&before, sig), sigismember(&after, sig));
        ASSERT(!sigismember(&after, SIGPIPE));
        close(fd);
}

static void pending_before_stays(void) {
        sigset_t pipe_only;
        int fd;

        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        ASSERT(sigprocmask(SIG_BLOCK, &pipe_only, NULL) == 0);
        ASSERT(raise(SIGPIPE) == 0);
        ASSERT(pipe_pending());
        readerless_pipe(&fd);
        ASSERT_EQ(write_nosigpipe(fd, "x", 1), -EPIPE);
        ASSERT(pipe_pending());
        close(fd);
        /* Taken here, blocked as it is: the child exits normally. */
        ASSERT(sigtimedwait(&pipe_only, NULL, &(struct timespec) {}) == SIGPIPE);
}

static void a_reader(void) {
        char buf[8] = {};
        int p[2];

        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        ASSERT_EQ(write_nosigpipe(p[1], "state", 5), 5);
        ASSERT_EQ(read(p[0], buf, sizeof(buf)), 5);
        ASSERT_STREQ(buf, "state");
        ASSERT_EQ(loop_write(p[1], "abc", 3), 0);
        ASSERT_EQ(read(p[0], buf, sizeof(buf)), 3);
        close(p[0]);
        close(p[1]);
}

int main(void) {
        in_child(gone_reader);
        in_child(pending_before_stays);
        in_child(a_reader);
        printf("test-fd-util: OK\n");
        return 0;
}
