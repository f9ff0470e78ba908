/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* start, stop, kill: each is one call on the manager object; the daemon does the work. */

#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-login.h>

#include "machinectl-ext.h"
#include "strv.h"
#include "tables.h"
#include "util.h"

/* Calls METHOD(name) on the manager for each name (METHOD(name, --kill-whom, --signal) if KILL_ARGS). Every
 * name is tried; returns 0 if all succeeded, else the first error (each one already printed as "Failed to
 * <what> machine NAME: ..."). */
static int call_for_each(sd_bus *bus, char **names, const char *method, const char *what, uint64_t timeout,
                         bool kill_args) {
        int ret = 0, r;

        for (char **name = names; *name; name++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_MANAGER_PATH,
                                                   BUS_MANAGER_INTERFACE, method);
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", *name);
                if (r >= 0 && kill_args)
                        r = sd_bus_message_append(m, "si", arg_kill_whom, (int32_t) arg_signal);
                if (r >= 0)
                        r = sd_bus_call(bus, m, timeout, &error, &reply);
                if (r < 0) {
                        (void) log_bus_error(r, &error, "Failed to %s machine %s", what, *name);
                        if (ret == 0)
                                ret = r;
                }
        }

        return ret;
}

typedef struct PendingCall {
        sd_bus_message *reply;          /* the reply or error message (also local timeouts), once it arrived */
        int r;
        bool done;
} PendingCall;

static int pending_call_handler(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PendingCall *c = ASSERT_PTR(userdata);

        c->reply = sd_bus_message_ref(m);
        c->r = -sd_bus_message_get_errno(m);
        c->done = true;
        return 1;
}

/* The state of one "start" of a single machine with --ready, --wait and/or --keep-unit. StartMachine (or
 * StartMachineInUnit), WaitMachineReady and WaitMachine are sent back to back without waiting for replies: the
 * daemon handles them in order, so the waits are queued behind the start and cover exactly the run that this
 * start began, however short it is. */
typedef struct StartContext {
        sd_bus *bus;
        const char *name;
        usec_t begin;                   /* CLOCK_MONOTONIC of the start, for the progress line */
        char *status;                   /* the latest STATUS= */
        bool progress;                  /* a progress line on the terminal (stderr) is shown */
        PendingCall start, warnings, ready, wait;
        bool ready_reported;
        bool warnings_printed;
        bool stop_sent;
        unsigned resent;                /* waits sent again after the daemon went away without answering */
} StartContext;

/* The daemon went away (restarted, crashed, stopped) without answering C: its next instance knows the
 * machine again (machined-ext(8), "Restarts"), and D-Bus activation (or systemd's Restart=) brings it. */
static bool daemon_went_away(const PendingCall *c) {
        const sd_bus_error *e = c->reply ? sd_bus_message_get_error(c->reply) : NULL;

        return c->done && c->r < 0 && e && sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY);
}

static void pending_call_reset(PendingCall *c) {
        c->reply = sd_bus_message_unref(c->reply);
        c->r = 0;
        c->done = false;
}

static int send_call(sd_bus *bus, sd_bus_slot **ret_slot, PendingCall *c, const char *method, const char *sig,
                     ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, method);
        if (r < 0)
                return r;
        va_start(ap, sig);
        r = sd_bus_message_appendv(m, sig, ap);
        va_end(ap);
        if (r < 0)
                return r;
        /* start_machine() re-evaluates after every event loop iteration. */
        return sd_bus_call_async(bus, ret_slot, m, pending_call_handler, c, BUS_TIMEOUT_LONG);
}

/* Asks for the machine's Warnings property. Sent right after StartMachine: the daemon handles the two in
 * order, so the machine object exists when the Get arrives (if the start was accepted), however short its
 * run is. */
static int send_get_warnings(sd_bus *bus, const char *name, sd_bus_slot **ret_slot, PendingCall *c) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode(BUS_MACHINE_PATH_PREFIX, name, &path);
        if (r < 0)
                return r;
        return sd_bus_call_method_async(bus, ret_slot, BUS_NAME, path, "org.freedesktop.DBus.Properties", "Get",
                                        pending_call_handler, c, "ss", BUS_MACHINE_INTERFACE, "Warnings");
}

/* Prints what the daemon ignored in the settings file, "Warning: FILE:LINE: text", to stderr. A failed Get
 * (the start was refused, or an older daemon) prints nothing. */
static void print_warnings(const PendingCall *c) {
        _cleanup_strv_free_ char **l = NULL;

        if (!c->done || c->r < 0 || !c->reply)
                return;
        if (sd_bus_message_enter_container(c->reply, 'v', "as") <= 0 || sd_bus_message_read_strv(c->reply, &l) < 0)
                return;
        STRV_FOREACH(w, l) {
                _cleanup_free_ char *b = NULL;
                fprintf(stderr, "Warning: %s\n", terminal_safe(stderr, *w, &b));
        }
}

/* start --wait --console: what the payload writes to its console goes to stdout, as a foreground
 * systemd-nspawn shows it. Read-only: stdin is not relayed (machinectl-ext console is for that). */
static int on_console_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        uint8_t buf[4096];
        ssize_t n;

        n = read(fd, buf, sizeof(buf));
        if (n < 0 && IN_SET(errno, EINTR, EAGAIN))
                return 0;
        if (n <= 0) {
                /* The machine is gone (or the daemon dropped us): nothing more to show. */
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
                return 0;
        }
        if (fwrite(buf, 1, (size_t) n, stdout) != (size_t) n || fflush(stdout) != 0)
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return 0;
}

/* After the payload ended: what is still on its way from the console (until the daemon closes it, or a
 * moment of quiet). */
static void drain_console_output(sd_event_source *s) {
        int fd;

        if (!s || sd_event_source_get_enabled(s, NULL) <= 0)
                return;
        fd = sd_event_source_get_io_fd(s);
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };

                if (poll(&p, 1, 500) <= 0)
                        return;
                (void) on_console_output(s, fd, EPOLLIN, NULL);
                if (sd_event_source_get_enabled(s, NULL) <= 0)
                        return;
        }
}

/* Attaches to the console of the machine this start began. Returns 0 (also when it has none: a warning),
 * < 0 after printing why. */
static int attach_console_output(sd_bus *bus, sd_event *event, const char *name, sd_event_source **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *pty;
        int bus_fd, r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "OpenMachineConsole",
                               &error, &reply, "s", name);
        if (r < 0) {
                if (sd_bus_error_has_name(&error, BUS_ERROR_NO_CONSOLE)) {
                        if (!arg_quiet)
                                fprintf(stderr, "Not showing the console of machine %s: %s\n", name, error.message);
                        return 0;
                }
                if (sd_bus_error_has_name(&error, BUS_ERROR_NO_SUCH_MACHINE))
                        return 0; /* ended already: WaitMachine has its result */
                return log_bus_error(r, &error, "Failed to open console of machine %s", name);
        }
        r = sd_bus_message_read(reply, "hs", &bus_fd, &pty);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse reply for console of machine %s", name);
        fd = fcntl(bus_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return log_bus_error(-errno, NULL, "Failed to duplicate console fd of machine %s", name);
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
                return log_bus_error(-errno, NULL, "Failed to set up console fd of machine %s", name);
        r = sd_event_add_io(event, ret, fd, EPOLLIN, on_console_output, NULL);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to watch console of machine %s", name);
        r = sd_event_source_set_io_fd_own(*ret, true);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to watch console of machine %s", name);
        TAKE_FD(fd);
        return 0;
}

/* start --ready on a terminal: one line on stderr, rewritten in place, with the time since the start and the
 * latest STATUS=, like systemctl's job progress. Cleared once the wait is over. */
static void progress_update(StartContext *ctx) {
        _cleanup_free_ char *b = NULL;
        uint64_t secs;

        if (!ctx->progress)
                return;
        secs = (now(CLOCK_MONOTONIC) - ctx->begin) / USEC_PER_SEC;
        fprintf(stderr, "\r%s: starting (%" PRIu64 "s)%s%s\x1B[K", ctx->name, secs, isempty(ctx->status) ? "" : ": ",
                isempty(ctx->status) ? "" : terminal_safe(stderr, ctx->status, &b));
        fflush(stderr);
}

static void progress_clear(StartContext *ctx) {
        if (!ctx->progress)
                return;
        fputs("\r\x1B[K", stderr);
        fflush(stderr);
        ctx->progress = false;
}

static int on_progress_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        StartContext *ctx = ASSERT_PTR(userdata);

        progress_update(ctx);
        return sd_event_source_set_time(s, usec + USEC_PER_SEC);
}

/* After a failed start: where the details are. Only for failures of the run itself, not for refusals. */
static void print_start_hint(const char *name, const sd_bus_error *e) {
        _cleanup_free_ char *unit = NULL;

        if (arg_quiet || !e || !(sd_bus_error_has_name(e, BUS_ERROR_SETUP_FAILED) ||
                                 sd_bus_error_has_name(e, BUS_ERROR_EXEC_FAILED) ||
                                 sd_bus_error_has_name(e, BUS_ERROR_START_TIMEOUT) ||
                                 sd_bus_error_has_name(e, BUS_ERROR_NOT_READY)))
                return;
        unit = machine_scope_name(name);
        if (!unit)
                return;
        /* In single quotes for a shell: the \x2d of an escaped name stays as it is. */
        fprintf(stderr, "See 'journalctl -u %s' and 'journalctl MACHINE=%s' for details.\n", unit, name);
}

/* PropertiesChanged on the machine: show STATUS= while waiting for READY=1 (and pass it on to systemd). */
static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        StartContext *ctx = ASSERT_PTR(userdata);
        const char *iface, *prop, *status;
        int r;

        if (ctx->ready_reported)
                return 0;
        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0 || !streq(iface, BUS_MACHINE_INTERFACE))
                return 0;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return 0;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &prop);
                if (r < 0)
                        return 0;
                if (streq(prop, "Status") && sd_bus_message_read(m, "v", "s", &status) > 0) {
                        if (ctx->progress) {
                                /* On a terminal: the progress line shows it (progress_update()). */
                                char *c = strdup(status);
                                if (c) {
                                        free(ctx->status);
                                        ctx->status = c;
                                }
                                progress_update(ctx);
                        } else if (!arg_quiet && !isempty(status)) {
                                _cleanup_free_ char *b = NULL;
                                fprintf(stderr, "%s: %s\n", ctx->name, terminal_safe(stderr, status, &b));
                        }
                        if (arg_keep_unit)
                                (void) sd_notifyf(false, "STATUS=%s", status);
                } else if (sd_bus_message_skip(m, "v") < 0)
                        return 0;
                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        return 0;
}

/* SIGTERM/SIGINT while waiting (e.g. systemctl stop container@NAME): stop the machine gracefully, and keep
 * waiting for it to be gone. */
static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        StartContext *ctx = ASSERT_PTR(userdata);

        if (ctx->stop_sent)
                return 0;
        ctx->stop_sent = true;
        if (arg_keep_unit)
                (void) sd_notify(false, "STOPPING=1\nSTATUS=Stopping machine...");
        return sd_bus_call_method_async(ctx->bus, NULL, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
                                        "StopMachine", NULL, NULL, "s", ctx->name);
}

/* Creates the "payload" subgroup of our own delegated cgroup, for the container (like systemd-nspawn
 * --keep-unit). Returns 0 with our unit name in *ret_unit, or < 0 after printing why. */
static int prepare_keep_unit(char **ret_unit) {
        _cleanup_free_ char *unit = NULL, *cgroup = NULL, *path = NULL;
        int r;

        r = sd_pid_get_unit(0, &unit);
        if (r < 0)
                return log_bus_error(r, NULL, "--keep-unit: failed to determine our own unit");
        r = sd_pid_get_cgroup(0, &cgroup);
        if (r < 0)
                return log_bus_error(r, NULL, "--keep-unit: failed to determine our own cgroup");
        if (asprintf(&path, "/sys/fs/cgroup%s/payload", cgroup) < 0)
                return log_bus_error(-ENOMEM, NULL, "--keep-unit");
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return log_bus_error(-errno, NULL, "--keep-unit: failed to create %s", path);

        *ret_unit = TAKE_PTR(unit);
        return 0;
}

/* Our exit status for the payload's end. STOPPED: we asked for the stop ourselves (SIGTERM/SIGINT while
 * waiting, e.g. systemctl stop container@NAME): a payload killed by a signal then ended as asked (by its stop
 * signal, or SIGKILL: without Boot= and KillSignal= that is the stop signal), and that is success, as it is
 * for systemd when a service's main process dies of the SIGTERM of its stop. */
static int exit_status_from_wait(const char *name, sd_bus_message *reply, bool stopped) {
        const char *exit_code;
        int32_t exit_status;
        int r;

        r = sd_bus_message_read(reply, "si", &exit_code, &exit_status);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse result of machine %s", name);

        switch (exit_code_from_string(exit_code)) {
        case CLD_EXITED:
                return exit_status & 0xff;
        case CLD_KILLED:
                if (stopped)
                        return 0;
                /* The container's PID 1 can only die of SIGINT or SIGHUP through reboot(2), which the kernel
                 * turns into these signals inside a PID namespace: a clean poweroff/halt, or a reboot. Like
                 * systemd-nspawn: 0 and 133 ("restart me"). */
                if (exit_status == SIGINT)
                        return 0;
                if (exit_status == SIGHUP)
                        return 133;
                return 128 + exit_status;
        case CLD_DUMPED:
                return 128 + exit_status;
        }

        fprintf(stderr, "Machine %s ended with unknown result '%s' (status %" PRIi32 ").\n", name, exit_code,
                exit_status);
        return -EBADMSG;
}

static int start_machine(sd_bus *bus, sd_event *event, const char *name) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *start_slot = NULL, *warnings_slot = NULL, *ready_slot = NULL,
                                                  *wait_slot = NULL, *match_slot = NULL;
        _cleanup_(sd_event_source_disable_unrefp) sd_event_source *progress_source = NULL, *console_source = NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL;
        StartContext ctx = {
                .bus = bus,
                .name = name,
        };
        sigset_t ss;
        bool warnings_resent = false;
        int r;

        if (arg_keep_unit) {
                r = prepare_keep_unit(&unit);
                if (r < 0)
                        return r;
        }

        if (arg_wait) {
                sigemptyset(&ss);
                sigaddset(&ss, SIGTERM);
                sigaddset(&ss, SIGINT);
                (void) sigprocmask(SIG_BLOCK, &ss, NULL);
                (void) sd_event_add_signal(event, NULL, SIGTERM, on_signal, &ctx);
                (void) sd_event_add_signal(event, NULL, SIGINT, on_signal, &ctx);
        }

        if (arg_ready && !arg_quiet && isatty(STDERR_FILENO)) {
                ctx.begin = now(CLOCK_MONOTONIC);
                ctx.progress = true;
                r = sd_event_add_time(event, &progress_source, CLOCK_MONOTONIC, ctx.begin, 0, on_progress_timer,
                                      &ctx);
                if (r < 0)
                        ctx.progress = false;
                else
                        (void) sd_event_source_set_enabled(progress_source, SD_EVENT_ON);
        }

        if (arg_ready) {
                r = sd_bus_path_encode(BUS_MACHINE_PATH_PREFIX, name, &path);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to build object path");
                /* Not waited for: dbus-daemon handles our messages in order, so the match is in place before
                 * it passes on the StartMachine below, and with it every signal the start causes. (Saves a
                 * round trip through dbus-daemon before the start, issue #17.) */
                r = sd_bus_match_signal_async(bus, &match_slot, BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                              "PropertiesChanged", on_properties_changed, NULL, &ctx);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to subscribe to machine %s", name);
        }

        if (unit)
                r = send_call(bus, &start_slot, &ctx.start, "StartMachineInUnit", "ss", name, unit);
        else
                r = send_call(bus, &start_slot, &ctx.start, "StartMachine", "s", name);
        if (r >= 0)
                r = send_get_warnings(bus, name, &warnings_slot, &ctx.warnings);
        if (r >= 0 && arg_ready)
                r = send_call(bus, &ready_slot, &ctx.ready, "WaitMachineReady", "st", name, UINT64_C(0));
        if (r >= 0 && arg_wait)
                r = send_call(bus, &wait_slot, &ctx.wait, "WaitMachine", "s", name);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to start machine %s", name);

        for (;;) {
                /* The Get is answered right after the start was accepted or refused. */
                if (!ctx.start.done || !ctx.warnings.done) {
                        r = sd_event_run(event, UINT64_MAX);
                        if (r < 0) {
                                r = log_bus_error(r, NULL, "Event loop failed");
                                goto finish;
                        }
                        continue;
                }
                /* A start whose OCI bundle (OCIBundle=) is read first is answered only then: the Get sent
                 * with it found no machine object yet. Asked again, once. */
                if (!ctx.warnings_printed && !warnings_resent && ctx.start.r >= 0 && ctx.warnings.r < 0) {
                        warnings_resent = true;
                        pending_call_reset(&ctx.warnings);
                        warnings_slot = sd_bus_slot_unref(warnings_slot);
                        if (send_get_warnings(bus, name, &warnings_slot, &ctx.warnings) >= 0)
                                continue;
                        ctx.warnings.done = true;
                }
                if (!ctx.warnings_printed) {
                        print_warnings(&ctx.warnings);
                        ctx.warnings_printed = true;
                        if (arg_console_stream && ctx.start.r >= 0) {
                                r = attach_console_output(bus, event, name, &console_source);
                                if (r < 0)
                                        goto finish;
                        }
                }

                if (ctx.start.r < 0) {
                        progress_clear(&ctx);
                        r = log_bus_error(ctx.start.r, sd_bus_message_get_error(ctx.start.reply),
                                          "Failed to start machine %s", name);
                        print_start_hint(name, sd_bus_message_get_error(ctx.start.reply));
                        goto finish;
                }

                /* Waits outlive a restart of the daemon: ask its next instance (bounded, for a daemon that
                 * keeps dying). */
                if (ctx.resent < 32 && ((arg_ready && !ctx.ready_reported && daemon_went_away(&ctx.ready)) ||
                                        (arg_wait && daemon_went_away(&ctx.wait)))) {
                        ctx.resent++;
                        if (arg_ready && !ctx.ready_reported && daemon_went_away(&ctx.ready)) {
                                pending_call_reset(&ctx.ready);
                                ready_slot = sd_bus_slot_unref(ready_slot);
                                r = send_call(bus, &ready_slot, &ctx.ready, "WaitMachineReady", "st", name,
                                              UINT64_C(0));
                                if (r < 0)
                                        goto resend_failed;
                        }
                        if (arg_wait && daemon_went_away(&ctx.wait)) {
                                pending_call_reset(&ctx.wait);
                                wait_slot = sd_bus_slot_unref(wait_slot);
                                r = send_call(bus, &wait_slot, &ctx.wait, "WaitMachine", "s", name);
                                if (r < 0)
                                        goto resend_failed;
                        }
                        continue;
                }

                if (ctx.start.done && arg_ready && ctx.ready.done && !ctx.ready_reported) {
                        progress_clear(&ctx);
                        if (ctx.ready.r < 0) {
                                r = log_bus_error(ctx.ready.r, sd_bus_message_get_error(ctx.ready.reply),
                                                  "Machine %s did not become ready", name);
                                print_start_hint(name, sd_bus_message_get_error(ctx.ready.reply));
                                goto finish;
                        }
                        ctx.ready_reported = true;
                        if (arg_keep_unit)
                                (void) sd_notifyf(false, "READY=1\nSTATUS=Machine %s is running.", name);
                }

                if (ctx.start.done && (!arg_ready || ctx.ready_reported) &&
                    (!arg_wait || ctx.wait.done))
                        break;

                r = sd_event_run(event, UINT64_MAX);
                if (r < 0) {
                        r = log_bus_error(r, NULL, "Event loop failed");
                        goto finish;
                }
        }

        drain_console_output(console_source);
        if (!arg_wait) {
                r = 0;
                goto finish;
        }
        if (ctx.wait.r < 0) {
                r = log_bus_error(ctx.wait.r, sd_bus_message_get_error(ctx.wait.reply),
                                  "Failed to wait for machine %s", name);
                goto finish;
        }
        r = exit_status_from_wait(name, ctx.wait.reply, ctx.stop_sent);
        goto finish;

resend_failed:
        r = log_bus_error(r, NULL, "Failed to wait for machine %s", name);
finish:
        progress_clear(&ctx);
        free(ctx.status);
        sd_bus_message_unref(ctx.start.reply);
        sd_bus_message_unref(ctx.warnings.reply);
        sd_bus_message_unref(ctx.ready.reply);
        sd_bus_message_unref(ctx.wait.reply);
        return r;
}

int verb_start(sd_bus *bus, char **args) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        int ret = 0, r;

        r = sd_event_new(&event);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to allocate event loop");
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to attach bus to event loop");

        /* --wait, --ready and --keep-unit take one name (verb_check()): then the result is the machine's. */
        if (arg_wait || arg_ready || arg_keep_unit)
                ret = start_machine(bus, event, args[0]);
        else
                for (char **name = args; *name; name++) {
                        r = start_machine(bus, event, *name);
                        if (r < 0 && ret == 0)
                                ret = r;
                }

        (void) sd_bus_detach_event(bus);
        return ret;
}

int verb_bind(sd_bus *bus, char **args) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *dest = args[2] ?: args[1];
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "BindMountMachine", &error,
                               NULL, "sssbb", args[0], args[1], dest, (int) arg_read_only, (int) arg_mkdir);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to bind-mount %s into machine %s", args[1], args[0]);
        return 0;
}

static int on_machine_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        bool *removed = ASSERT_PTR(userdata);

        *removed = true;
        return 0;
}

/* Whether machine NAME is still there. Returns 1 if so, 0 if gone, or < 0 after printing why not known. */
static int machine_present(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetMachine", &error, NULL,
                               "s", name);
        if (r >= 0)
                return 1;
        if (sd_bus_error_has_name(&error, BUS_ERROR_NO_SUCH_MACHINE))
                return 0;
        return log_bus_error(r, &error, "Failed to query machine %s", name);
}

/* StopMachine answers once the stop is under way (systemd's StopUnit does the same); the end may take the
 * daemon's stop timeout. Waits until the machine is gone: woken by MachineRemoved, and checking with
 * GetMachine every second (which also covers a daemon that restarted meanwhile). On a terminal a line says
 * what it waits for after 2 s. Returns 0 once gone, or < 0 after printing why. */
static int stop_machine(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        bool removed = false, progress = false, tty = isatty(STDERR_FILENO) && !arg_quiet;
        uint64_t t0 = now(CLOCK_MONOTONIC);
        int r;

        if (!arg_no_block) {
                /* Before the call, so that a quick end is not missed. */
                r = sd_bus_match_signal(bus, &slot, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
                                        "MachineRemoved", on_machine_removed, &removed);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to watch for the end of machine %s", name);
        }

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "StopMachine", &error, NULL,
                               "s", name);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to stop machine %s", name);
        if (arg_no_block)
                return 0;

        for (;;) {
                uint64_t elapsed;

                if (removed) {
                        /* MachineRemoved is for any machine; ask whether it was this one. */
                        removed = false;
                        r = machine_present(bus, name);
                        if (r <= 0)
                                break;
                }

                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        log_bus_error(r, NULL, "Failed to wait for machine %s to stop", name);
                        break;
                }
                if (r > 0)
                        continue;

                r = sd_bus_wait(bus, USEC_PER_SEC);
                if (r < 0) {
                        log_bus_error(r, NULL, "Failed to wait for machine %s to stop", name);
                        break;
                }
                if (r > 0)
                        continue;

                /* A second without news. */
                r = machine_present(bus, name);
                if (r <= 0)
                        break;
                elapsed = (now(CLOCK_MONOTONIC) - t0) / USEC_PER_SEC;
                if (tty && elapsed >= 2) {
                        fprintf(stderr, "\rWaiting for machine %s to stop (%" PRIu64 " s)...", name, elapsed);
                        progress = true;
                }
        }
        if (progress)
                fputc('\n', stderr);
        return r;
}

int verb_stop(sd_bus *bus, char **args) {
        int ret = 0, r;

        for (char **name = args; *name; name++) {
                r = stop_machine(bus, *name);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

int verb_kill(sd_bus *bus, char **args) {
        return call_for_each(bus, args, "KillMachine", "kill", 0, true);
}
