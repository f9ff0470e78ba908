/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A tiny assert for tests: unlike assert() it is never compiled out, and it says where and what. */

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ASSERT(expr)                                                                            \
        do {                                                                                    \
                if (!(expr)) {                                                                  \
                        fprintf(stderr, "%s:%d: Assertion failed: %s\n", __FILE__, __LINE__, #expr); \
                        abort();                                                                \
                }                                                                               \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                      \
        do {                                                                                    \
                const char *_a_ = (a), *_b_ = (b);                                              \
                if (!_a_ || !_b_ || strcmp(_a_, _b_) != 0) {                                    \
                        fprintf(stderr, "%s:%d: Assertion failed: %s == %s (\"%s\" vs \"%s\")\n", \
                                __FILE__, __LINE__, #a, #b, _a_ ?: "(null)", _b_ ?: "(null)"); \
                        abort();                                                                \
                }                                                                               \
        } while (0)

#define ASSERT_EQ(a, b)                                                                         \
        do {                                                                                    \
                long long _a_ = (long long) (a), _b_ = (long long) (b);                         \
                if (_a_ != _b_) {                                                               \
                        fprintf(stderr, "%s:%d: Assertion failed: %s == %s (%lld vs %lld)\n",   \
                                __FILE__, __LINE__, #a, #b, _a_, _b_);                          \
                        abort();                                                                \
                }                                                                               \
        } while (0)

/* Runs FN in a forked child (SIGPIPE back to its default there), which must exit 0 (FN returned): a test
 * that changes process state (limits, fds, a loaded library) leaves the next one alone. */
static inline void in_child(void (*fn)(void)) {
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

/* Whether libmount is mapped into this process (libmount-dl.h loads it on first use). */
static inline bool libmount_mapped(void) {
        FILE *f = fopen("/proc/self/maps", "re");
        char line[4096];
        bool found = false;

        ASSERT(f);
        while (fgets(line, sizeof(line), f))
                if (strstr(line, "/libmount.so"))
                        found = true;
        fclose(f);
        return found;
}
