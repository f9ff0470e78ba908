/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "pty-relay.h"

int pty_write_all(int fd, const void *p, size_t n) {
        const uint8_t *b = p;

        while (n > 0) {
                ssize_t k = write(fd, b, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                                (void) poll(&pfd, 1, -1);
                                continue;
                        }
                        return -errno;
                }
                b += k;
                n -= (size_t) k;
        }
        return 0;
}

int pty_drain_master(int master) {
        uint8_t buf[4096];

        for (;;) {
                ssize_t n = read(master, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n <= 0)
                        return 1; /* EIO: hung up */
                int r = pty_write_all(STDOUT_FILENO, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
}

int pty_drain_to_hangup(int master, bool open) {
        while (open) {
                struct pollfd p = { .fd = master, .events = POLLIN };
                int r = poll(&p, 1, 1000);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return r < 0 ? -errno : 0;
                r = pty_drain_master(master);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        return 0;
}
