/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fd capsules (fd-capsule.h): what is in flight stays held while a copy of the capsule is open; a peek leaves
 * it there, a take moves it out, after which no other copy of the capsule (one a forked child inherited) holds
 * it: the write end of a pipe taken out and closed is end-of-file for its reader although a copy of the
 * capsule is still open. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fd-capsule.h"
#include "test-assert.h"

/* Whether the read end R sees end-of-file (no writer left) rather than "no data yet". */
static int reader_eof(int r) {
        char c;
        ssize_t n = read(r, &c, 1);

        if (n == 0)
                return 1;
        ASSERT(n < 0 && errno == EAGAIN);
        return 0;
}

static void peek_and_take(void) {
        int p[2], capsule, copy, fds[2], r;
        char tag[16];

        ASSERT(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
        capsule = fd_capsule_new(&p[1], 1, "pipe");
        ASSERT(capsule >= 0);
        close(p[1]);
        /* In flight only: the writer is held by the capsule. */
        ASSERT_EQ(reader_eof(p[0]), 0);

        /* A peek gives a copy and leaves it in. */
        r = fd_capsule_peek(capsule, fds, 2, tag, sizeof(tag));
        ASSERT_EQ(r, 1);
        ASSERT_STREQ(tag, "pipe");
        close(fds[0]);
        ASSERT_EQ(reader_eof(p[0]), 0);

        /* A copy of the capsule, as a fork would inherit. */
        copy = fcntl(capsule, F_DUPFD_CLOEXEC, 3);
        ASSERT(copy >= 0);

        /* A take moves it out: the capsule (and its copy) are empty, the taken fd is the only writer. */
        r = fd_capsule_take(capsule, fds, 2, NULL, 0);
        ASSERT_EQ(r, 1);
        ASSERT_EQ(fd_capsule_peek(copy, fds + 1, 1, NULL, 0), -EAGAIN);
        ASSERT_EQ(fd_capsule_take(capsule, fds + 1, 1, NULL, 0), -EAGAIN);
        ASSERT_EQ(reader_eof(p[0]), 0);
        close(fds[0]);
        ASSERT_EQ(reader_eof(p[0]), 1);

        close(copy);
        close(capsule);
        close(p[0]);
}

/* Without a take, a copy of the capsule keeps the writer after the original is closed. */
static void copy_holds(void) {
        int p[2], capsule, copy;

        ASSERT(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
        capsule = fd_capsule_new(&p[1], 1, "pipe");
        ASSERT(capsule >= 0);
        close(p[1]);
        copy = fcntl(capsule, F_DUPFD_CLOEXEC, 3);
        ASSERT(copy >= 0);
        close(capsule);
        ASSERT_EQ(reader_eof(p[0]), 0);
        close(copy);
        ASSERT_EQ(reader_eof(p[0]), 1);
        close(p[0]);
}

int main(void) {
        peek_and_take();
        copy_holds();
        printf("test-fd-capsule: OK\n");
        return 0;
}
