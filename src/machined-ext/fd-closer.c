/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd-closer.h"
#include "macro.h"

static int closer_fds[2] = { -EBADF, -EBADF };  /* the thread reads fds to close from [0] */
static bool closer_failed = false;

/* Only read() and close(): no lock of libc's is ever held here, so a fork or clone of the daemon's main
 * thread (a container's init) finds none held. */
static void *closer_main(void *userdata) {
        int fd;

        (void) userdata;
        for (;;) {
                ssize_t n = read(closer_fds[0], &fd, sizeof(fd));
                if (n == (ssize_t) sizeof(fd))
                        (void) close(fd);
                else if (n < 0 && errno == EINTR)
                        continue;
                else
                        return NULL;
        }
}

static int closer_start(void) {
        pthread_attr_t attr;
        sigset_t all, saved;
        pthread_t t;
        int r;

        if (pipe2(closer_fds, O_CLOEXEC) < 0)
                return -errno;
        if (fcntl(closer_fds[1], F_SETFL, O_NONBLOCK) < 0) {
                r = -errno;
                goto fail;
        }
        r = -pthread_attr_init(&attr);
        if (r < 0)
                goto fail;
        (void) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        (void) pthread_attr_setstacksize(&attr, 64 * 1024);
        /* No signal for it: they are the event loop's (signalfd). */
        sigfillset(&all);
        (void) pthread_sigmask(SIG_SETMASK, &all, &saved);
        r = -pthread_create(&t, &attr, closer_main, NULL);
        (void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
        (void) pthread_attr_destroy(&attr);
        if (r >= 0)
                return 0;
fail:
        closer_fds[0] = safe_close(closer_fds[0]);
        closer_fds[1] = safe_close(closer_fds[1]);
        return r;
}

void fd_close_detached(int fd) {
        if (fd < 0)
                return;
        /* A socket's last close never waits for its send queue (SO_LINGER with a timeout, a peer that does
         * not acknowledge): reset instead. Other kinds may still wait (a FUSE file's flush): the thread. */
        (void) setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger) { .l_onoff = 1, .l_linger = 0 },
                          sizeof(struct linger));
        if (closer_fds[1] < 0 && !closer_failed && closer_start() < 0)
                closer_failed = true;
        if (closer_fds[1] >= 0 && write(closer_fds[1], &fd, sizeof(fd)) == (ssize_t) sizeof(fd))
                return;
        (void) close(fd);
}
