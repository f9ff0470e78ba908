/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "macro.h"

int loop_write(int fd, const void *buf, size_t n) {
        const char *p = buf;

        while (n > 0) {
                ssize_t k = write(fd, p, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EIO;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

int write_file_replace_at(int dir_fd, const char *name, const char *tmp, const void *data, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        (void) unlinkat(dir_fd, tmp, 0);
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        r = loop_write(fd, data, size);
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dir_fd, tmp, 0);
        return r;
}

int stdio_ensure_open(int *ret_fd) {
        for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
                int n;

                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                /* The lowest free number: FD, as the ones below it are open. Not O_CLOEXEC: it is stdio. */
                n = open("/dev/null", O_RDWR | O_NOCTTY);
                if (n < 0) {
                        *ret_fd = fd;
                        return -errno;
                }
                if (n != fd) {  /* cannot happen; never keep it elsewhere */
                        int r = dup2(n, fd) < 0 ? -errno : 0;
                        close(n);
                        if (r < 0) {
                                *ret_fd = fd;
                                return r;
                        }
                }
        }
        return 0;
}

int open_own_file(int dir_fd, const char *name, struct stat *ret_st) {
        struct stat st;
        int fd;

        fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return errno == ELOOP ? -EBADMSG : -errno;
        if (fstat(fd, &st) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022) || st.st_nlink != 1) {
                close(fd);
                return -EBADMSG;
        }
        if (ret_st)
                *ret_st = st;
        return fd;
}

int open_own_dir(int parent_fd, const char *name, mode_t create_mode) {
        struct stat st;
        int fd;

        if (!name)
                return -EINVAL;
        if (create_mode != 0 && mkdirat(parent_fd, name, create_mode) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        if (st.st_uid != geteuid() || (st.st_mode & 0022)) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

int fd_nonblock(int fd) {
        int flags;

        flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return -errno;
        if (flags & O_NONBLOCK)
                return 0;
        return RET_NERRNO(fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

int read_regular_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0, size;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        if (max > (size_t) SSIZE_MAX)
                max = SSIZE_MAX; /* more cannot be read anyway; and MAX+1 must not wrap */

        /* Room for what stat() says (at least a page: procfs says 0) and the end-of-file read, not MAX+1 at
         * once: that is a mapping of its own, in every child forked while the text is kept. Grown for a file
         * that is longer than it said. */
        size = (st.st_size > 4095 ? (size_t) st.st_size : 4095);
        size = (size > max ? max : size) + 1;
        buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k;

                if (n == size) {
                        size_t grown = size > max / 2 ? max + 1 : size * 2;
                        char *p;

                        p = realloc(buf, grown);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        size = grown;
                }
                k = read(fd, buf + n, size - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -EFBIG;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

int fd_move_high(int fd) {
        int moved;

        if (fd < 0 || fd >= FD_HIGH_MIN)
                return fd;
        moved = fcntl(fd, F_DUPFD_CLOEXEC, FD_HIGH_MIN);
        if (moved < 0)
                return fd;
        safe_close(fd);
        return moved;
}
