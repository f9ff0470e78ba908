/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fds in flight in a socket: see fd-capsule.h. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd-capsule.h"
#include "macro.h"

int fd_capsule_new(const int *fds, size_t n, const char *tag) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        union {
                struct cmsghdr cmsg;
                uint8_t buf[CMSG_SPACE(sizeof(int) * FD_CAPSULE_MAX)];
        } control = {};
        struct iovec iov = { .iov_base = (char *) tag, .iov_len = strlen(tag) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = CMSG_SPACE(sizeof(int) * n),
        };
        struct cmsghdr *c;

        if (!fds || n == 0 || n > FD_CAPSULE_MAX || iov.iov_len == 0)
                return -EINVAL;
        if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        if (sendmsg(pair[0], &mh, MSG_NOSIGNAL) < 0)
                return -errno;
        return TAKE_FD(pair[1]);
}

static int capsule_receive(int capsule, int flags, int *fds, size_t max, char *ret_tag, size_t tag_size) {
        union {
                struct cmsghdr cmsg;
                uint8_t buf[CMSG_SPACE(sizeof(int) * FD_CAPSULE_MAX)];
        } control = {};
        char data[64];
        struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        bool truncated;
        ssize_t len;
        size_t k = 0;

        if (capsule < 0 || !fds || max == 0 || (ret_tag && tag_size == 0))
                return -EINVAL;
        len = recvmsg(capsule, &mh, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (len < 0)
                return -errno;
        /* Out of fds, the kernel installs what fits and says so: never take a part for the whole. */
        truncated = mh.msg_flags & MSG_CTRUNC;
        if (ret_tag) {
                size_t l = (size_t) len < tag_size - 1 ? (size_t) len : tag_size - 1;
                memcpy(ret_tag, data, l);
                ret_tag[l] = 0;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                int got[FD_CAPSULE_MAX];
                size_t n;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                if (n > FD_CAPSULE_MAX)
                        n = FD_CAPSULE_MAX;
                memcpy(got, CMSG_DATA(c), n * sizeof(int));
                for (size_t i = 0; i < n; i++) {
                        if (k < max && !truncated)
                                fds[k++] = got[i];
                        else
                                safe_close(got[i]);
                }
        }
        if (truncated) {
                while (k > 0)
                        safe_close(fds[--k]);
                return -EMFILE;
        }
        return k > 0 ? (int) k : -EBADMSG;
}

int fd_capsule_peek(int capsule, int *fds, size_t max, char *ret_tag, size_t tag_size) {
        return capsule_receive(capsule, MSG_PEEK, fds, max, ret_tag, tag_size);
}

int fd_capsule_take(int capsule, int *fds, size_t max, char *ret_tag, size_t tag_size) {
        return capsule_receive(capsule, 0, fds, max, ret_tag, tag_size);
}
