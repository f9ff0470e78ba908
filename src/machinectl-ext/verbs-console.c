/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console: attach the terminal to a machine's console (OpenMachineConsole), or print what it wrote lately
 * (GetMachineConsoleLog). The daemon hands us a socket, never the pty itself; we only relay bytes. */

#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>

#include "escape.h"
#include "machinectl-ext.h"
#include "pty-relay.h"
#include "util.h"

#define ESCAPE_CHAR 0x1d                /* ^] */
#define ESCAPE_COUNT 3
#define ESCAPE_USEC USEC_PER_SEC
#define QUIET_AFTER_EOF_MSEC 500        /* stdin not a tty: how long to wait for output after its EOF */

static int print_log(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const void *p;
        size_t n;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetMachineConsoleLog",
                               &error, &reply, "s", name);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to get console log of machine %s", name);

        r = sd_bus_message_read_array(reply, 'y', &p, &n);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse console log of machine %s", name);

        /* To a terminal, what the payload wrote is shown escaped (escape.h), not interpreted: it could set the
         * clipboard, the title, clear the screen. Lines, tabs and colourless text are unchanged. To anything
         * else the bytes go as they are. */
        if (isatty(STDOUT_FILENO) && needs_terminal_escape(p, n, ESCAPE_KEEP_NEWLINES)) {
                _cleanup_free_ char *e = escape_terminal(p, n, ESCAPE_KEEP_NEWLINES);

                if (!e)
                        return log_bus_error(-ENOMEM, NULL, "Failed to escape console log of machine %s", name);
                r = pty_write_all(STDOUT_FILENO, e, strlen(e));
        } else
                r = pty_write_all(STDOUT_FILENO, p, n);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to write console log of machine %s", name);
        return 0;
}

typedef struct Escape {
        unsigned count;
        uint64_t first;
} Escape;

/* Returns true when BUF completes three ^] within a second (other bytes in between start over). */
static bool look_for_escape(Escape *e, const uint8_t *buf, size_t n) {
        for (size_t i = 0; i < n; i++) {
                uint64_t t;

                if (buf[i] != ESCAPE_CHAR) {
                        e->count = 0;
                        continue;
                }

                t = now(CLOCK_MONOTONIC);
                if (e->count == 0 || t - e->first > ESCAPE_USEC) {
                        e->count = 1;
                        e->first = t;
                } else if (++e->count >= ESCAPE_COUNT)
                        return true;
        }
        return false;
}

typedef struct Terminal {
        bool saved;
        struct termios attr;
} Terminal;

static void terminal_restore(Terminal *t) {
        if (t->saved)
                (void) tcsetattr(STDIN_FILENO, TCSADRAIN, &t->attr);
        t->saved = false;
}

/* Gives the console's pty our terminal's window size (the payload would see 24x80 otherwise). The console
 * may not be a terminal (Console=pipe has nothing to attach to anyway): nothing to say then. */
static void pass_window_size(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        struct winsize ws;

        if ((ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0) ||
            ws.ws_row == 0 || ws.ws_col == 0)
                return;
        (void) sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "SetMachineConsoleSize",
                                  &error, NULL, "sqq", name, (uint16_t) ws.ws_row, (uint16_t) ws.ws_col);
}

/* Relays stdin → FD and FD → stdout until the escape, EOF from the daemon, EOF on a non-terminal stdin (after
 * a moment of quiet), or SIGTERM/SIGHUP/SIGINT; SIGWINCH passes the new window size on. Returns 0 or -errno. */
static int relay(sd_bus *bus, const char *name, int fd, int sigfd, bool stdin_tty) {
        uint8_t buf[4096];
        Escape escape = {};
        bool stdin_open = true;

        for (;;) {
                struct pollfd p[3] = {
                        { .fd = fd, .events = POLLIN },
                        { .fd = sigfd, .events = POLLIN },
                        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                ssize_t n;
                int r;

                r = poll(p, ELEMENTSOF(p), stdin_open ? -1 : QUIET_AFTER_EOF_MSEC);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        return 0;       /* quiet after stdin's EOF */

                if (p[1].revents) {
                        struct signalfd_siginfo si;

                        if (read(sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                                if (si.ssi_signo != SIGWINCH)
                                        return 0;
                                pass_window_size(bus, name);
                        }
                }

                if (p[0].revents) {
                        n = read(fd, buf, sizeof(buf));
                        if (n < 0 && !IN_SET(errno, EINTR, EAGAIN))
                                return -errno;
                        if (n == 0)
                                return 0;       /* the daemon closed it: the machine is gone */
                        if (n > 0) {
                                r = pty_write_all(STDOUT_FILENO, buf, (size_t) n);
                                if (r < 0)
                                        return r;
                        }
                }

                if (stdin_open && p[2].revents) {
                        n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n < 0 && !IN_SET(errno, EINTR, EAGAIN))
                                return -errno;
                        if (n == 0) {
                                if (stdin_tty)
                                        return 0;
                                /* A script fed us its input: give the payload a moment to answer. */
                                stdin_open = false;
                                continue;
                        }
                        if (n > 0) {
                                if (stdin_tty && look_for_escape(&escape, buf, (size_t) n))
                                        return 0;
                                r = pty_write_all(fd, buf, (size_t) n);
                                if (r == -EPIPE || r == -ECONNRESET)
                                        return 0;
                                if (r < 0)
                                        return r;
                        }
                }
        }
}

static int attach(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_close_ int fd = -EBADF, sigfd = -EBADF;
        Terminal term = {};
        const char *tty;
        sigset_t mask, old_mask;
        bool stdin_tty;
        int bus_fd, r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "OpenMachineConsole",
                               &error, &reply, "s", name);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to open console of machine %s", name);

        r = sd_bus_message_read(reply, "hs", &bus_fd, &tty);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse reply for console of machine %s", name);
        fd = fcntl(bus_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return log_bus_error(-errno, NULL, "Failed to duplicate console fd of machine %s", name);
        reply = sd_bus_message_unref(reply);

        /* Raw mode makes ^C a byte for the payload; these still end the session (from another terminal). With
         * the signals blocked and read from a signalfd, the terminal is restored on every way out. SIGPIPE:
         * a closed stdout or socket is an error return, not death in raw mode. */
        (void) signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGQUIT);
        sigaddset(&mask, SIGWINCH);
        if (sigprocmask(SIG_BLOCK, &mask, &old_mask) < 0)
                return log_bus_error(-errno, NULL, "Failed to block signals");
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0) {
                r = log_bus_error(-errno, NULL, "Failed to create signalfd");
                goto finish;
        }

        stdin_tty = isatty(STDIN_FILENO);

        if (!arg_quiet) {
                if (stdin_tty)
                        fprintf(stderr, "Connected to machine %s. Press ^] three times within 1s to disconnect.\n",
                                name);
                else
                        fprintf(stderr, "Connected to machine %s.\n", name);
        }

        if (stdin_tty) {
                struct termios raw;

                if (tcgetattr(STDIN_FILENO, &term.attr) < 0) {
                        r = log_bus_error(-errno, NULL, "Failed to get terminal attributes");
                        goto finish;
                }
                term.saved = true;
                raw = term.attr;
                cfmakeraw(&raw);
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
                        term.saved = false;
                        r = log_bus_error(-errno, NULL, "Failed to put the terminal into raw mode");
                        goto finish;
                }
        }

        pass_window_size(bus, name);
        r = relay(bus, name, fd, sigfd, stdin_tty);
        terminal_restore(&term);
        if (r < 0) {
                (void) log_bus_error(r, NULL, "Failed to relay console of machine %s", name);
                goto finish;
        }

        if (!arg_quiet)
                fprintf(stderr, "%sConnection to machine %s terminated.\n", stdin_tty ? "\n" : "", name);

finish:
        terminal_restore(&term);
        (void) sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return r < 0 ? r : 0;
}

int verb_console(sd_bus *bus, char **args) {
        if (arg_console_log)
                return print_log(bus, args[0]);
        return attach(bus, args[0]);
}
