/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loop_write(): all of it. stdio_ensure_open(): /dev/null in each closed stdio fd, the others untouched.
 * read_regular_fd(): the whole file at sizes around the page size, MAX enforced at the byte, a file whose size
 * stat() does not know (procfs) read whole and held to MAX too, and no pipe. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "test-assert.h"

static void a_reader(void) {
        char buf[8] = {};
        int p[2];

        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        ASSERT_EQ(loop_write(p[1], "state", 5), 0);
        ASSERT_EQ(read(p[0], buf, sizeof(buf)), 5);
        ASSERT_STREQ(buf, "state");
        close(p[0]);
        close(p[1]);
}

static void closed_stdio(void) {
        struct stat before, st;
        int fd = -1;

        ASSERT(fstat(STDIN_FILENO, &before) == 0);
        ASSERT(close(STDOUT_FILENO) == 0);
        ASSERT(close(STDERR_FILENO) == 0);
        ASSERT_EQ(stdio_ensure_open(&fd), 0);
        for (int i = STDOUT_FILENO; i <= STDERR_FILENO; i++) {
                ASSERT(fstat(i, &st) == 0);
                ASSERT(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
                ASSERT_EQ(fcntl(i, F_GETFD), 0);        /* inherited across exec, as stdio */
        }
        ASSERT(fstat(STDIN_FILENO, &st) == 0);
        ASSERT(st.st_dev == before.st_dev && st.st_ino == before.st_ino);
        /* The next fd opened is above them. */
        fd = open("/", O_RDONLY | O_CLOEXEC);
        ASSERT(fd > STDERR_FILENO);
        close(fd);
}

static int file_of(size_t size) {
        char *data = malloc(size ? size : 1);
        int fd;

        ASSERT(data);
        for (size_t i = 0; i < size; i++)
                data[i] = (char) ('a' + i % 26);
        fd = memfd_create("read-regular-fd", MFD_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT_EQ(loop_write(fd, data, size), 0);
        ASSERT(lseek(fd, 0, SEEK_SET) == 0);
        free(data);
        return fd;
}

static void check_read(size_t size, size_t max, int expect) {
        char *text = NULL;
        size_t n = 0;
        int fd = file_of(size), r;

        r = read_regular_fd(fd, max, &text, &n);
        if (r != expect)
                fprintf(stderr, "read_regular_fd() of %zu bytes with max %zu: %d, not %d\n", size, max, r, expect);
        ASSERT_EQ(r, expect);
        if (r == 0) {
                ASSERT_EQ(n, size);
                ASSERT_EQ(strlen(text), size);
                for (size_t i = 0; i < size; i++)
                        ASSERT(text[i] == (char) ('a' + i % 26));
        }
        free(text);
        close(fd);
}

static void read_regular(void) {
        const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 100000 };
        char *text = NULL, big[1 << 16];
        size_t n = 0;
        ssize_t k;
        int fd, p[2], lines = 0, lines2 = 0;

        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                check_read(sizes[i], 1024 * 1024, 0);
                check_read(sizes[i], sizes[i], 0);
                if (sizes[i] > 0)
                        check_read(sizes[i], sizes[i] - 1, -EFBIG);
        }

        /* procfs: st_size 0, the content more than two pages. */
        for (int i = 0; i < 300; i++)
                ASSERT(mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) !=
                       MAP_FAILED);
        fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT_EQ(read_regular_fd(fd, 1024 * 1024, &text, &n), 0);
        ASSERT(n > 8192);
        ASSERT_EQ(strlen(text), n);
        close(fd);
        fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
        ASSERT(fd >= 0);
        while ((k = read(fd, big, sizeof(big))) > 0)
                for (ssize_t j = 0; j < k; j++)
                        lines2 += big[j] == '\n';
        close(fd);
        for (size_t j = 0; j < n; j++)
                lines += text[j] == '\n';
        /* Whole lines to the end, our 300 mappings among them. Not equal to the second read's count: the
         * buffer grows while the file is read, and under ASan an allocation maps memory of its own. */
        ASSERT(lines >= 300);
        ASSERT(text[n - 1] == '\n');
        ASSERT(lines2 >= lines - 64 && lines2 <= lines + 64);
        free(text);
        /* ... and MAX holds there too. */
        fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT_EQ(read_regular_fd(fd, 5000, &text, &n), -EFBIG);
        close(fd);

        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        ASSERT_EQ(read_regular_fd(p[0], 100, &text, &n), -EBADFD);
        close(p[0]);
        close(p[1]);
}

int main(void) {
        in_child(read_regular);
        in_child(a_reader);
        in_child(closed_stdio);
        printf("test-fd-util: OK\n");
        return 0;
}
