/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.terminal: the pty comes from the container's own devpts (the init's console, or the exec'd process's
 * terminal: src/container/); its master goes to --console-socket (SCM_RIGHTS, as runc sends it), or, for a
 * foreground run or exec without one, this process relays between it and our own stdio, as runc does. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "pty-relay.h"
#include "runtime.h"

int oci_console_socket_connect(const char *path, int *ret_sock) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int sock = -EBADF;

        if (strlen(path) >= sizeof(sa.sun_path))
                return oci_error(ENAMETOOLONG, "--console-socket: path too long: %s", path);
        strcpy(sa.sun_path, path);
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0 || connect(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return oci_error(errno, "--console-socket: failed to connect to %s: %s", path, strerror(errno));
        *ret_sock = TAKE_FD(sock);
        return 0;
}

int oci_console_socket_send(int sock, const char *path, int master) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        char name[64];
        struct iovec iov = { .iov_base = name };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        struct cmsghdr *cmsg;
        unsigned n;

        /* The name the peer has inside the container (its /dev/pts is the pty's devpts). */
        if (ioctl(master, TIOCGPTN, &n) >= 0)
                (void) snprintf(name, sizeof(name), "/dev/pts/%u", n);
        else
                (void) snprintf(name, sizeof(name), "/dev/ptmx");
        iov.iov_len = strlen(name);
        cmsg = CMSG_FIRSTHDR(&mh);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
        if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                return oci_error(errno, "--console-socket: failed to send the pty to %s: %s", path, strerror(errno));
        return 0;
}

static void copy_window_size(int master) {
        struct winsize ws;

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0 && ws.ws_row > 0 && ws.ws_col > 0)
                (void) ioctl(master, TIOCSWINSZ, &ws);
}

int oci_console_relay(int master, int pidfd) {
        _cleanup_close_ int sigfd = -EBADF;
        bool stdin_open = true, master_open = true, raw = false;
        struct termios saved;
        sigset_t mask;
        int r = 0;

        if (fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) < 0)
                return oci_error(errno, "Failed to set up the pty: %s", strerror(errno));
        /* Our terminal, if stdin is one, passes every key through (the payload's pty does the line editing),
         * and its size is the pty's, now and whenever it changes (SIGWINCH). */
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) >= 0) {
                struct termios t = saved;

                cfmakeraw(&t);
                t.c_oflag = saved.c_oflag;
                raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) >= 0;
                copy_window_size(master);
        }
        /* A reader of our stdout that went away is an error here, not the end of us (and of the relay). */
        (void) signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

        for (;;) {
                struct pollfd p[4] = {
                        { .fd = master_open ? master : -1, .events = POLLIN },
                        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                        { .fd = sigfd, .events = POLLIN },
                };
                uint8_t buf[4096];

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (p[0].revents) {
                        r = pty_drain_master(master);
                        if (r < 0)
                                break;
                        master_open = r == 0;
                }
                if (p[1].revents) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n < 0 && IN_SET(errno, EINTR, EAGAIN))
                                continue;
                        if (n <= 0)
                                stdin_open = false;
                        else if (pty_write_all(master, buf, (size_t) n) < 0)
                                stdin_open = false;
                }
                if (p[3].revents) {
                        struct signalfd_siginfo si;
                        while (read(sigfd, &si, sizeof(si)) > 0)
                                ;
                        copy_window_size(master);
                }
                if (p[2].revents) {
                        /* It exited: its last output may still be on its way through the pty. */
                        r = pty_drain_to_hangup(master, master_open);
                        break;
                }
        }
        if (raw)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        if (r < 0)
                return oci_error(r, "Failed to relay the terminal: %s", strerror(-r));
        return 0;
}
