/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shell NAME [PATH [ARGS...]]: a terminal session in a running machine (OpenMachineShell), relayed between our
 * terminal (raw mode, restored on every way out) and the pty master the daemon hands us; our window size
 * goes to the master at the start and on every SIGWINCH. exec NAME CMD [ARGS...]: the command with our own
 * stdio (ExecMachine). Both exit with the command's status, which the daemon sends us alone (ExecExited). */

#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>

#include "machinectl-ext.h"
#include "pty-relay.h"
#include "strv.h"
#include "util.h"

typedef struct ExitWatch {
        uint32_t pid;                   /* 0 until the call returned it */
        uint32_t seen_pid[8];           /* ExecExited of processes before we knew ours: a few kept */
        int seen_status[8];
        size_t n_seen;
        bool exited;
        int status;                     /* our exit status: the command's, 128 + a signal */
} ExitWatch;

static int exit_status_of(const char *code, int status) {
        if (streq(code, "exited"))
                return status & 0xff;
        if (streq(code, "killed") || streq(code, "dumped"))
                return 128 + status;
        return EXIT_FAILURE;
}

static void exit_watch_check(ExitWatch *w) {
        for (size_t i = 0; w->pid != 0 && !w->exited && i < w->n_seen; i++)
                if (w->seen_pid[i] == w->pid) {
                        w->exited = true;
                        w->status = w->seen_status[i];
                }
}

static int on_exec_exited(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        ExitWatch *w = userdata;
        const char *name, *code;
        uint32_t pid;
        int32_t status;

        if (sd_bus_message_read(message, "susi", &name, &pid, &code, &status) < 0)
                return 0;
        if (w->n_seen < ELEMENTSOF(w->seen_pid)) {
                w->seen_pid[w->n_seen] = pid;
                w->seen_status[w->n_seen] = exit_status_of(code, status);
                w->n_seen++;
        }
        exit_watch_check(w);
        return 0;
}

/* Before the call: the signal may come right after its reply. */
static int exit_watch_start(sd_bus *bus, ExitWatch *w) {
        return sd_bus_match_signal(bus, NULL, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "ExecExited",
                                   on_exec_exited, w);
}

/* Runs the bus until our ExecExited came. */
static int exit_watch_wait(sd_bus *bus, ExitWatch *w) {
        while (!w->exited) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return r;
        }
        return 0;
}

static bool window_size(struct winsize *ws) {
        return (ioctl(STDIN_FILENO, TIOCGWINSZ, ws) >= 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, ws) >= 0) &&
               ws->ws_row > 0 && ws->ws_col > 0;
}

/* Relays until the command exited (and its output is out) or a signal ends us. Returns 0 or -errno. */
static int relay(sd_bus *bus, int master, int sigfd, ExitWatch *w) {
        bool stdin_open = true, master_open = true;
        uint8_t buf[4096];

        for (;;) {
                struct pollfd p[4] = {
                        { .fd = master_open ? master : -1, .events = POLLIN },
                        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                        { .fd = sigfd, .events = POLLIN },
                        { .fd = sd_bus_get_fd(bus), .events = (short) sd_bus_get_events(bus) },
                };
                int r;

                /* Whatever the bus has buffered first: our ExecExited may be in there. */
                while ((r = sd_bus_process(bus, NULL)) > 0)
                        ;
                if (r < 0)
                        return r;
                if (w->exited)
                        return pty_drain_to_hangup(master, master_open);

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }

                if (p[2].revents) {
                        struct signalfd_siginfo si;

                        if (read(sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                                struct winsize ws;

                                if (si.ssi_signo != SIGWINCH)
                                        return -EINTR;
                                if (window_size(&ws))
                                        (void) ioctl(master, TIOCSWINSZ, &ws);
                        }
                }
                if (master_open && p[0].revents) {
                        r = pty_drain_master(master);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                master_open = false; /* the end comes with ExecExited */
                }
                if (stdin_open && p[1].revents) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n < 0 && !IN_SET(errno, EINTR, EAGAIN))
                                return -errno;
                        if (n == 0) {
                                /* A script's input ended: the command reads end-of-file on its terminal. */
                                stdin_open = false;
                                if (master_open && !isatty(STDIN_FILENO)) {
                                        struct termios t;
                                        uint8_t eof = tcgetattr(master, &t) >= 0 ? t.c_cc[VEOF] : 4;
                                        (void) pty_write_all(master, &eof, 1);
                                }
                        }
                        if (n > 0 && master_open) {
                                r = pty_write_all(master, buf, (size_t) n);
                                if (r < 0 && r != -EIO)
                                        return r;
                        }
                }
        }
}

static int append_env(char ***env) {
        struct winsize ws;
        const char *term = getenv("TERM");
        char *a;

        if (term && (asprintf(&a, "TERM=%s", term) < 0 || strv_push(env, a) < 0))
                return -ENOMEM;
        /* The pty's initial size: the daemon sets it before the command runs. */
        if (window_size(&ws)) {
                if (asprintf(&a, "LINES=%u", (unsigned) ws.ws_row) < 0 || strv_push(env, a) < 0)
                        return -ENOMEM;
                if (asprintf(&a, "COLUMNS=%u", (unsigned) ws.ws_col) < 0 || strv_push(env, a) < 0)
                        return -ENOMEM;
        }
        return strv_extend_strv(env, arg_setenv);
}

int verb_shell(sd_bus *bus, char **args) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int master = -EBADF, sigfd = -EBADF;
        const char *name = args[0], *path = args[1] ?: "";
        struct termios saved, raw;
        bool restore = false;
        sigset_t mask, old_mask;
        ExitWatch w = {};
        struct winsize ws;
        uint32_t pid;
        int fd, r;

        if (!isempty(path) && path[0] != '/') {
                fprintf(stderr, "Command '%s' is not an absolute path.\n", path);
                return -EINVAL;
        }
        r = append_env(&env);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to build the environment");
        r = exit_watch_start(bus, &w);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to watch for the end of the shell");

        r = sd_bus_message_new_method_call(bus, &call, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
                                           "OpenMachineShell");
        if (r >= 0)
                r = sd_bus_message_append(call, "sss", name, strempty(arg_uid), path);
        if (r >= 0)
                r = sd_bus_message_append_strv(call, args[1] ? args + 1 : NULL);
        if (r >= 0)
                r = sd_bus_message_append_strv(call, env);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to build the call");
        r = sd_bus_call(bus, call, 0, &error, &reply);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to open a shell in machine %s", name);
        r = sd_bus_message_read(reply, "hu", &fd, &pid);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse the reply");
        master = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (master < 0)
                return log_bus_error(-errno, NULL, "Failed to duplicate the pty");
        reply = sd_bus_message_unref(reply);
        (void) fcntl(master, F_SETFL, O_NONBLOCK);
        w.pid = pid;
        exit_watch_check(&w);
        if (window_size(&ws))
                (void) ioctl(master, TIOCSWINSZ, &ws);

        /* Raw mode makes ^C a byte for the command; these still end us (from elsewhere), read from a
         * signalfd so that the terminal is restored on every way out. */
        (void) signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGQUIT);
        if (sigprocmask(SIG_BLOCK, &mask, &old_mask) < 0)
                return log_bus_error(-errno, NULL, "Failed to block signals");
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0) {
                r = log_bus_error(-errno, NULL, "Failed to create signalfd");
                goto finish;
        }
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) >= 0) {
                raw = saved;
                cfmakeraw(&raw);
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) >= 0)
                        restore = true;
        }
        if (!arg_quiet && restore)
                fprintf(stderr, "Connected to machine %s. Exit the shell to disconnect.\r\n", name);

        r = relay(bus, master, sigfd, &w);
        if (restore)
                (void) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
        restore = false;
        if (r == -EINTR) {
                fprintf(stderr, "\nDisconnected from machine %s; its terminal is hung up.\n", name);
                r = EXIT_FAILURE;
                goto finish;
        }
        if (r < 0) {
                (void) log_bus_error(r, NULL, "Failed to relay the shell of machine %s", name);
                goto finish;
        }
        if (!arg_quiet && isatty(STDIN_FILENO))
                fprintf(stderr, "Connection to machine %s terminated.\n", name);
        r = w.status;
finish:
        if (restore)
                (void) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
        (void) sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return r;
}

int verb_exec(sd_bus *bus, char **args) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *name = args[0];
        ExitWatch w = {};
        uint32_t pid;
        int r;

        r = exit_watch_start(bus, &w);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to watch for the end of the command");
        r = sd_bus_message_new_method_call(bus, &call, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
                                           "ExecMachine");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", name, strempty(arg_uid));
        if (r >= 0)
                r = sd_bus_message_append_strv(call, args + 1);
        if (r >= 0)
                r = sd_bus_message_append_strv(call, arg_setenv);
        if (r >= 0)
                r = sd_bus_message_append(call, "shhh", "", STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to build the call");
        r = sd_bus_call(bus, call, 0, &error, &reply);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to run '%s' in machine %s", args[1], name);
        r = sd_bus_message_read(reply, "u", &pid);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse the reply");
        w.pid = pid;
        exit_watch_check(&w);
        r = exit_watch_wait(bus, &w);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to wait for '%s' in machine %s", args[1], name);
        return w.status;
}
