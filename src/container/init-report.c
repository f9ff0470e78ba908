/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's side of the sync socket: what init.c and init-joiner.c send, and how they end. */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init-report.h"

/* Sends the message DATA of SIZE bytes, with FD attached if FD >= 0. */
int init_send_fd_message(int sock, const void *data, size_t size, int fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *) data, .iov_len = size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *cmsg;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Sends REPORT, with FD attached if FD >= 0. */
int init_send_report(int sock, const ContainerReport *report, int fd) {
        return init_send_fd_message(sock, report, sizeof(*report), fd);
}

void init_flush_warnings(int sock, SetupLog *l) {
        for (size_t i = 0; i < l->n_warnings; i++)
                (void) init_send_report(sock, l->warnings + i, -EBADF);
        l->n_warnings = 0;
}

_noreturn_ void init_report_and_exit(int sock, SetupLog *l) {
        /* A step that failed without saying where must not read as success. */
        if (l->failure.stage == CONTAINER_STAGE_SETUP_DONE)
                setup_fail(l, CONTAINER_STAGE_PREPARE, -(l->failure.error ?: EIO), "internal error");
        init_flush_warnings(sock, l);
        (void) init_send_report(sock, &l->failure, -EBADF);
        _exit(EXIT_FAILURE);
}

int init_fail_namespace(SetupLog *l, const ContainerNamespace *n, int r) {
        return setup_failf(l, CONTAINER_STAGE_NAMESPACES, r, 0, "%s (%s)", n->origin ?: n->path, n->path);
}
