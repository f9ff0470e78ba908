/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "util.h"
#include "machine-dbus.h"
#include "machine-hooks.h"
#include "machine.h"
#include "machine-state.h"
#include "machine-userns.h"
#include "name.h"
#include "notify.h"
#include "config-nspawn.h"
#include "config-oci.h"
#include "container.h"
#include "os-release.h"
#include "settings-verify.h"
#include "strv.h"

#define MACHINES_DIR "/var/lib/machines"
#define PROPAGATE_DIR "/run/systemd/nspawn/propagate"

/* A PID 1 that reboots more often than this is not started again (like systemd's StartLimitBurst= on
 * systemd-nspawn@.service's restarts). */
#define MACHINE_REBOOT_BURST 5
#define MACHINE_REBOOT_INTERVAL_USEC (10 * USEC_PER_SEC)

/* USEC as "90s" or "1500ms", for messages. Returns BUF. */
static const char *format_usec(char buf[static 32], usec_t usec) {
        if (usec % USEC_PER_SEC == 0)
                snprintf(buf, 32, "%" PRIu64 "s", usec / USEC_PER_SEC);
        else
                snprintf(buf, 32, "%" PRIu64 "ms", usec / USEC_PER_MSEC);
        return buf;
}

int machine_new(Manager *manager, const char *name, Machine **ret) {
        _cleanup_(machine_freep) Machine *m = NULL;
        int r;

        assert(manager);
        assert(name);
        assert(ret);

        m = new0(Machine, 1);
        if (!m)
                return -ENOMEM;

        *m = (Machine) {
                .leader_pidfd = -EBADF,
                .leader_capsule_fd = -EBADF,
                .userns_lock_fd = -EBADF,
                .sync_fd = -EBADF,
                .notify_fd = -EBADF,
                .hook_pidfd = -EBADF,
                .hook_msg_fd = -EBADF,
                .notify_access = NOTIFY_ACCESS_MAIN,
                .notify_ratelimit = RATELIMIT_INIT(MACHINE_NOTIFY_RATELIMIT_INTERVAL_USEC,
                                                   MACHINE_NOTIFY_RATELIMIT_BURST),
                .timeout_start_usec = MACHINE_DEFAULT_TIMEOUT_START_USEC,
                .state = MACHINE_STARTING,
                .boot = -1,
                .notify_ready = -1,
                .kill_signal = SIGTERM,
        };

        m->name = strdup(name);
        if (!m->name)
                return -ENOMEM;
        m->unit = machine_scope_name(name);
        if (!m->unit)
                return -ENOMEM;
        r = sd_bus_path_encode(BUS_MACHINE_PATH_PREFIX, name, &m->path);
        if (r < 0)
                return r;
        r = sd_id128_randomize(&m->id);
        if (r < 0)
                return r;

        r = hashmap_put(manager->machines, m->name, m);
        if (r < 0)
                return r;
        m->manager = manager;

        *ret = TAKE_PTR(m);
        return 0;
}

static void bind_operation_free(BindOperation *b);

/* A start that failed (or never got as far as the release) must see its own scope gone before the machine
 * may be, and so must a run whose payload was gone before systemd-machined registered it: no MachineRemoved
 * then says when the scope is gone, and a new run of the name (a reboot, a queued start) could not create its
 * scope while the old one is still loaded. True while that is still outstanding. */
static bool machine_scope_must_go(const Machine *m) {
        return (!m->released || m->start_error != 0 || m->machined_missed) && m->scope_requested && !m->keep_unit &&
                !m->scope_gone;
}

void ready_waiter_free(ReadyWaiter *w) {
        sd_event_source_disable_unref(w->timer);
        sd_bus_message_unref(w->message);
        free(w);
}

Machine *machine_free(Machine *m) {
        if (!m)
                return NULL;

        if (m->manager)
                hashmap_remove_value(m->manager->machines, m->name, m);

        sd_event_source_disable_unref(m->sync_event_source);
        sd_event_source_disable_unref(m->child_event_source);
        sd_event_source_disable_unref(m->timer_event_source);
        sd_event_source_disable_unref(m->start_timer_event_source);
        sd_event_source_disable_unref(m->notify_event_source);
        sd_event_source_disable_unref(m->notify_resume_event_source);
        machine_dbus_changed_done(m);
        sd_bus_slot_unref(m->scope_slot);
        sd_bus_slot_unref(m->machined_slot);
        sd_bus_slot_unref(m->unit_stop_slot);
        if (m->scope_job && m->manager)
                hashmap_remove_value(m->manager->jobs, m->scope_job, m);
        free(m->scope_job);
        safe_close(m->sync_fd);
        safe_close(m->leader_pidfd);
        safe_close(m->leader_capsule_fd);
        safe_close(m->notify_fd);

        while (m->ready_waiters) {
                ReadyWaiter *w = m->ready_waiters;
                m->ready_waiters = w->next;
                ready_waiter_free(w);
        }
        while (m->bind_operations) {
                BindOperation *b = m->bind_operations;
                m->bind_operations = b->next;
                bind_operation_free(b);
        }
        /* Not removed here: the daemon may be exiting with the container still running. */
        free(m->propagate_dir);
        free(m->cgroup);
        free(m->status_text);
        free(m->ready_error_message);
        free(m->keep_unit);

        sd_bus_message_unref(m->start_message);
        for (size_t i = 0; i < m->n_waiters; i++)
                sd_bus_message_unref(m->waiters[i]);
        free(m->waiters);
        for (size_t i = 0; i < m->n_queued_calls; i++)
                sd_bus_message_unref(m->queued_calls[i]);
        free(m->queued_calls);
        free(m->start_error_message);

        free(m->name);
        free(m->path);
        free(m->unit);
        free(m->root);
        free(m->settings_path);
        settings_free(m->settings);
        free(m->hostname);
        console_free(m->console);
        /* A payload that runs on (the daemon exits) keeps its locks in the fd store; one that never ran or
         * is gone lets go of them. */
        if (m->exited || m->leader_pidfd < 0) {
                image_lock_release(m->image_lock);
                machine_userns_release(m);
        } else {
                image_lock_free(m->image_lock);
                safe_close(m->userns_lock_fd);
        }
        strv_free(m->argv);
        strv_free(m->envp);
        machine_hooks_abort(m);
        oci_container_free(m->oci);
        free(m->bundle);
        return mfree(m);
}

void machine_set_state(Machine *m, MachineState state) {
        if (m->state == state)
                return;
        m->state = state;
        machine_dbus_send_changed(m, "State");
        machine_state_update(m);
}

int machine_load(Machine *m, char **ret_error) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *path = NULL, *root = NULL;
        bool trusted = false, boot;
        struct stat st;
        int r;

        r = settings_find(m->name, &path, &trusted);
        if (r < 0) {
                if (asprintf(ret_error, "Failed to look for settings of machine '%s': %s", m->name, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        if (r > 0) {
                r = settings_load(path, trusted, &s, ret_error);
                if (r == -EINVAL || r == -EBADMSG)
                        return -MX_ERR_INVALID_SETTINGS;
                if (r < 0) {
                        if (asprintf(ret_error, "Failed to read %s: %s", path, strerror(-r)) < 0)
                                *ret_error = NULL;
                        return -MX_ERR_INVALID_SETTINGS;
                }
                for (char **n = s->notices; n && *n; n++)
                        log_notice("%s", *n);

                /* Before anything is started: a file that cannot work is an error naming file:line, not a
                 * failure (or worse) in the set-up. */
                r = settings_verify(s, ret_error);
                if (r == -EINVAL)
                        return -MX_ERR_INVALID_SETTINGS;
                if (r < 0)
                        return r;
        }

        if (s && s->oci_bundle)
                return machine_load_settings_bundle(m, TAKE_PTR(s), TAKE_PTR(path), ret_error);

        if (s && s->directory)
                root = strdup(s->directory);
        else if (asprintf(&root, "%s/%s", MACHINES_DIR, m->name) < 0)
                root = NULL;
        if (!root)
                return -ENOMEM;

        if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
                r = -errno ?: -ENOTDIR;
                if (!s)
                        return -MX_ERR_NO_SUCH_MACHINE; /* Neither a settings file nor an image. */
                if (asprintf(ret_error, "Root directory %s of machine '%s' (from %s): %s", root, m->name, path,
                             strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        r = nspawn_command(s, &boot, &m->argv);
        if (r < 0)
                return r;
        m->boot = boot;
        /* settings_verify() refused this already; container_spawn() must never see an empty command. */
        if (!m->argv[0] || isempty(m->argv[0])) {
                if (asprintf(ret_error, "%s: no command to run for machine '%s'", strna(path), m->name) < 0)
                        *ret_error = NULL;
                return -MX_ERR_INVALID_SETTINGS;
        }

        /* MachineID= is the machine's identity for machined, $container_uuid and /run/host/container-uuid. */
        if (s && !sd_id128_is_null(s->machine_id))
                m->id = s->machine_id;

        m->notify_ready = nspawn_notify_ready(s, m->boot);
        if (s && s->notify_access >= 0)
                m->notify_access = s->notify_access;
        if (s && s->timeout_start_usec > 0)
                m->timeout_start_usec = s->timeout_start_usec;
        m->kill_signal = nspawn_kill_signal(s, m->boot);

        r = nspawn_environment(s, m->id, m->boot, &m->envp);
        if (r < 0)
                return r;

        m->hostname = strdup(s && s->hostname ? s->hostname : m->name);
        if (!m->hostname)
                return -ENOMEM;
        m->console_mode = s && s->console >= 0 ? s->console : CONSOLE_READ_ONLY;
        m->read_only = s && s->read_only > 0;

        m->root = TAKE_PTR(root);
        m->settings_path = TAKE_PTR(path);
        m->settings = TAKE_PTR(s);
        return 0;
}

static void machine_maybe_finalize(Machine *m);
static int machine_restart(Machine *m);
static void machine_maybe_register(Machine *m);
static void machine_maybe_start_done(Machine *m);
static int machine_arm_timer(Machine *m, usec_t usec);

void machine_fail_start(Machine *m, int error, char *message) {
        /* Keep the first reason: a later one (e.g. the child's exit) is a consequence. */
        if (m->start_error == 0) {
                m->start_error = error;
                free(m->start_error_message);
                m->start_error_message = message;
        } else
                free(message);

        if (m->leader_pidfd >= 0 && !m->exited)
                (void) pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0);
}

static void machine_ready(Machine *m) {
        if (m->state != MACHINE_STARTING || !m->released || m->exited)
                return;

        m->ready_timestamp = now(CLOCK_REALTIME);
        m->ready_timestamp_monotonic = now(CLOCK_MONOTONIC);
        m->start_timer_event_source = sd_event_source_disable_unref(m->start_timer_event_source);
        machine_set_state(m, MACHINE_RUNNING);
        log_info("Machine %s is ready.", m->name);
        machine_dbus_flush_changed(m); /* clients see State (and the last Status) before the replies */

        while (m->ready_waiters) {
                ReadyWaiter *w = m->ready_waiters;
                m->ready_waiters = w->next;
                machine_dbus_reply_ready(w, 0, NULL);
        }
}

static void machine_fail_ready(Machine *m, int error, char *message) {
        machine_dbus_flush_changed(m);
        if (m->ready_error == 0) {
                m->ready_error = error;
                m->ready_error_message = message;
        } else
                free(message);

        while (m->ready_waiters) {
                ReadyWaiter *w = m->ready_waiters;
                m->ready_waiters = w->next;
                machine_dbus_reply_ready(w, m->ready_error, m->ready_error_message);
        }
}

static int on_start_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);
        _cleanup_free_ char *where = NULL;
        char t[32];
        char *msg = NULL;
        int r;

        m->start_timer_event_source = sd_event_source_disable_unref(m->start_timer_event_source);
        if (m->state != MACHINE_STARTING)
                return 0;

        /* The usual cause is an init that does not speak the notify protocol (busybox, sysvinit, a plain
         * program): say how to fix it. */
        if (m->settings_path)
                where = strdup(m->settings_path);
        else if (asprintf(&where, "a settings file /etc/machined-ext/%s.nspawn", m->name) < 0)
                where = NULL;
        if (asprintf(&msg, "Machine '%s' did not report READY=1 within %s (TimeoutStartSec=), killing it. If its "
                     "init does not send READY=1 to $NOTIFY_SOCKET, set NotifyReady=no in %s; if it only needs "
                     "longer, raise TimeoutStartSec= there",
                     m->name, format_usec(t, m->timeout_start_usec), strna(where)) < 0)
                msg = NULL;
        log_warning("%s.", strna(msg));
        machine_fail_ready(m, -MX_ERR_START_TIMEOUT, msg);

        /* It failed: no graceful stop (whose signal such an init likely ignores too), SIGKILL at once. */
        m->stop_requested = true;
        if (!m->released || m->exited)
                return 0;
        log_info("Machine %s: sending SIGKILL to PID %i (start timeout).", m->name, (int) m->leader);
        r = machine_kill_leader(m, SIGKILL);
        if (r < 0 && r != -MX_ERR_NOT_RUNNING)
                log_warning_errno(r, "Failed to kill machine %s: %m", m->name);
        machine_set_state(m, MACHINE_STOPPING);
        return 0;
}

static int on_notify_resume(sd_event_source *s, uint64_t usec, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);

        m->notify_resume_event_source = sd_event_source_disable_unref(m->notify_resume_event_source);
        if (m->notify_event_source)
                (void) sd_event_source_set_enabled(m->notify_event_source, SD_EVENT_ON);
        return 0;
}

/* The machine used up its notifications for this window: stop reading its socket until the window ends.
 * Nothing is dropped: datagrams wait in the socket (a sender blocks, or gets EAGAIN, when it is full), so the
 * last STATUS= still arrives, a little later. Logged once per window. */
static void machine_notify_pause(Machine *m) {
        int r;

        r = sd_event_add_time(m->manager->event, &m->notify_resume_event_source, CLOCK_MONOTONIC,
                              ratelimit_end(&m->notify_ratelimit), 0, on_notify_resume, m);
        if (r < 0) {
                log_debug_errno(r, "Failed to pause notifications of machine %s, ignoring: %m", m->name);
                return;
        }
        (void) sd_event_source_set_description(m->notify_resume_event_source, "machine-notify-resume");
        (void) sd_event_source_set_enabled(m->notify_event_source, SD_EVENT_OFF);
        log_notice("Machine %s sent more than %u notifications within %" PRIu64 "s, pausing its notification "
                   "socket until the interval ends.", m->name, m->notify_ratelimit.burst,
                   m->notify_ratelimit.interval / USEC_PER_SEC);
}

static int on_notify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);

        /* Bounded, so that a flood from one container cannot starve the others. */
        for (unsigned i = 0; i < 64; i++) {
                NotifyMessage msg = {};
                const char *reason = NULL;
                bool limited;
                int r;

                r = notify_receive(fd, m->leader, m->leader_pidfd,
                                   m->notify_access == NOTIFY_ACCESS_ALL ? NOTIFY_SENDER_CGROUP : NOTIFY_SENDER_LEADER,
                                   m->cgroup, &msg, &reason);
                if (r == -EAGAIN)
                        break;
                if (r < 0) {
                        log_debug_errno(r, "Machine %s: failed to receive notification, ignoring: %m", m->name);
                        break;
                }
                /* Datagrams that are dropped count too: receiving them is the cost. */
                limited = !ratelimit_below(&m->notify_ratelimit);

                if (r == 0)
                        log_debug("Machine %s: dropped a notification: %s.", m->name, reason);
                else {
                        if (msg.status && !streq_ptr(msg.status, m->status_text)) {
                                free(m->status_text);
                                m->status_text = TAKE_PTR(msg.status);
                                machine_dbus_send_changed(m, "Status");
                                machine_state_update(m);
                        }
                        if (msg.ready)
                                machine_ready(m);
                        if (msg.stopping && IN_SET(m->state, MACHINE_STARTING, MACHINE_RUNNING))
                                machine_set_state(m, MACHINE_STOPPING);
                        notify_message_done(&msg);
                }

                if (limited) {
                        machine_notify_pause(m);
                        break;
                }
        }
        return 0;
}

int machine_watch_notify(Machine *m, int fd) {
        int r;

        r = sd_event_add_io(m->manager->event, &m->notify_event_source, fd, EPOLLIN, on_notify, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->notify_event_source, "machine-notify");
        m->notify_fd = fd;
        return 0;
}

static void machine_start_done(Machine *m);

/* StartMachine is done when the payload was exec'd and systemd-machined has it (or it was gone before). */
static void machine_maybe_start_done(Machine *m) {
        if (m->start_done || !m->exec_done || !m->registration_settled || m->start_error != 0)
                return;
        m->start_done = true;
        machine_start_done(m);
}

static void machine_start_done(Machine *m) {
        int r;

        if (m->start_message)
                machine_dbus_start_done(m);
        machine_hooks_run_post(m, OCI_HOOK_POSTSTART);

        if (!m->notify_ready) {
                machine_ready(m);
                return;
        }

        /* Stay "starting" until the payload sends READY=1 on /run/host/notify. */
        if (m->timeout_start_usec != USEC_INFINITY) {
                r = machine_arm_start_timeout(m, m->timeout_start_usec);
                if (r < 0)
                        log_warning_errno(r, "Failed to arm the start timeout of machine %s, ignoring: %m", m->name);
        }
}

int machine_arm_start_timeout(Machine *m, usec_t usec) {
        int r;

        m->start_timer_event_source = sd_event_source_disable_unref(m->start_timer_event_source);
        r = sd_event_add_time_relative(m->manager->event, &m->start_timer_event_source, CLOCK_MONOTONIC, usec, 0,
                                       on_start_timeout, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->start_timer_event_source, "machine-start-timeout");
        return 0;
}

static int on_sync_fd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);
        _cleanup_close_ int notify_fd = -EBADF;
        ContainerReport report;
        char *msg = NULL;
        int r;

        r = container_read_report(fd, &report, &notify_fd);
        if (r == -EAGAIN)
                return 0;

        if (r == 0 || r < 0) {
                /* End-of-file: after the release that means the exec succeeded (the socket is O_CLOEXEC). */
                m->sync_event_source = sd_event_source_disable_unref(m->sync_event_source);
                m->sync_fd = safe_close(m->sync_fd);
                if (r == 0 && m->released && m->start_error == 0) {
                        m->exec_done = true;
                        machine_maybe_start_done(m);
                }
                else if (m->start_error == 0) {
                        if (asprintf(&msg, "Container init of machine '%s' died during set-up", m->name) < 0)
                                msg = NULL;
                        machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                }
                return 0;
        }

        if (report.stage == CONTAINER_STAGE_WARNING) {
                log_warning("Machine %s: %s: %s", m->name, report.detail, strerror(report.error));
                return 0;
        }

        if (report.stage == CONTAINER_STAGE_HOOKS && report.error == 0) {
                /* Paused before pivot_root for the bundle's prestart, createRuntime, createContainer hooks. */
                r = machine_hooks_run_create(m);
                if (r < 0) {
                        if (asprintf(&msg, "Failed to run the hooks of machine '%s': %s", m->name, strerror(-r)) < 0)
                                msg = NULL;
                        machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                }
                return 0;
        }

        if (report.stage == CONTAINER_STAGE_SETUP_DONE) {
                if (notify_fd >= 0 && m->notify_fd < 0) {
                        r = notify_socket_setup(notify_fd);
                        if (r >= 0)
                                r = machine_watch_notify(m, notify_fd);
                        if (r < 0) {
                                if (asprintf(&msg, "Failed to watch /run/host/notify of machine '%s': %s", m->name,
                                             strerror(-r)) < 0)
                                        msg = NULL;
                                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                                return 0;
                        }
                        TAKE_FD(notify_fd);
                        machine_store_notify_fd(m);
                }

                m->setup_done = true;
                machine_maybe_register(m);
                return 0;
        }

        if (IN_SET(report.stage, CONTAINER_STAGE_COMMAND, CONTAINER_STAGE_EXEC)) {
                if (asprintf(&msg, "Failed to execute %s in machine '%s': %s", report.detail, m->name,
                             strerror(report.error)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_EXEC_FAILED, msg);
        } else {
                _cleanup_free_ char *what = container_report_message(&report);
                if (asprintf(&msg, "Failed to set up machine '%s': %s", m->name, strna(what)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
        }
        return 0;
}

/* Whether the payload has exited (a zombie counts), without reaping it. */
static bool machine_leader_exited(Machine *m) {
        siginfo_t si = {};

        if (m->exited)
                return true;
        if (waitid(P_PIDFD, m->leader_pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
                return false;
        return si.si_pid != 0;
}

void machine_registered(Machine *m, int error, const char *message) {
        char *msg = NULL;

        if (error < 0) {
                /* A payload that was done before machined got to it (it runs alongside the registration):
                 * the run is complete, there is nothing to register. */
                if (m->released && machine_leader_exited(m)) {
                        log_debug("Machine %s exited before systemd-machined registered it.", m->name);
                        m->registration_settled = true;
                        m->machined_gone = true;
                        m->machined_missed = true;
                        machine_maybe_start_done(m);
                        machine_maybe_finalize(m);
                        return;
                }
                if (asprintf(&msg, "Failed to register machine '%s' with systemd-machined: %s", m->name,
                             message ?: strerror(-error)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                /* Not registered. Unless the call only timed out: machined may have done it anyway. */
                if (error == -ETIMEDOUT && machine_dbus_unregister(m) >= 0)
                        return;
                m->machined_gone = true;
                machine_maybe_finalize(m);
                return;
        }

        m->registered = true;
        m->registration_settled = true;
        m->machined_gone = false;
        machine_state_update(m);
        machine_maybe_start_done(m);
}

/* Counts a reboot; false if there were too many in a short time (a PID 1 that reboots at once, forever). */
static bool machine_reboot_allowed(Machine *m) {
        usec_t n = now(CLOCK_MONOTONIC);

        if (m->n_reboots == 0 || n - m->reboot_burst_start > MACHINE_REBOOT_INTERVAL_USEC) {
                m->reboot_burst_start = n;
                m->n_reboots = 0;
        }
        return ++m->n_reboots <= MACHINE_REBOOT_BURST;
}

static int on_child_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        machine_payload_exited(ASSERT_PTR(userdata), si->si_code, si->si_status);
        return 0;
}

void machine_payload_exited(Machine *m, int code, int status) {
        m->exited = true;
        m->exit_code = code;
        m->exit_status = status;
        m->child_event_source = sd_event_source_disable_unref(m->child_event_source);

        log_info("Machine %s: payload %s, %s %i.", m->name, exit_code_to_string(code) ?: "ended",
                 code == CLD_EXITED ? "status" : "signal", status);

        if (!m->released && m->start_error == 0) {
                char *msg = NULL;
                if (asprintf(&msg, "Container init of machine '%s' exited during set-up", m->name) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
        }

        /* The sync socket may still hold the child's last report: read it before deciding. */
        if (m->sync_fd >= 0)
                (void) on_sync_fd(m->sync_event_source, m->sync_fd, EPOLLIN, m);

        if (m->state != MACHINE_STOPPING)
                machine_set_state(m, MACHINE_STOPPING);

        /* Every process of the container is gone, and so is every writer of its console: what they wrote
         * goes to the journal and the ring buffer before anyone hears of the exit. */
        console_drain(m->console);
        /* ... and nothing uses the root directory any more: let systemd-machined and others have it. */
        m->image_lock = image_lock_release(m->image_lock);

        /* reboot(2) in a PID namespace ends its PID 1 with SIGHUP (RB_AUTOBOOT; SIGINT for a poweroff or halt).
         * Like systemd-nspawn, start such a machine again, with the same settings, once this run is gone. In
         * a unit of its own (container@), the unit restarts instead (exit status 133). */
        if (m->released && m->start_error == 0 && !m->stop_requested && !m->keep_unit &&
            code == CLD_KILLED && status == SIGHUP) {
                if (machine_reboot_allowed(m)) {
                        m->reboot_pending = true;
                        log_info("Machine %s: its PID 1 rebooted, starting it again.", m->name);
                } else
                        log_warning("Machine %s rebooted more than %u times within %" PRIu64 "s, not starting it again.",
                                    m->name, MACHINE_REBOOT_BURST, MACHINE_REBOOT_INTERVAL_USEC / USEC_PER_SEC);
        }

        /* The exit status is known: whoever waits for it need not wait for the clean-up too. After a reboot
         * the machine goes on: they wait for the end of the next run. */
        if (m->released && !m->reboot_pending)
                machine_dbus_reply_exit_waiters(m);

        machine_state_update(m);
        machine_maybe_finalize(m);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);

        m->timer_event_source = sd_event_source_disable_unref(m->timer_event_source);

        if (!m->exited) {
                char t[32], sig[SIGNAL_STRING_MAX];
                log_warning("Machine %s did not stop within %s of %s, sending SIGKILL to PID %i.", m->name,
                            format_usec(t, m->manager->stop_timeout), strna(signal_to_string(m->kill_signal, sig)),
                            (int) m->leader);
                (void) pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0);
                return 0;
        }

        if (machine_scope_must_go(m)) {
                log_warning("%s of machine %s was not stopped in time, forgetting it.", m->unit, m->name);
                m->scope_gone = true;
                m->removal_timer_armed = false;
                machine_maybe_finalize(m);
                return 0;
        }

        /* The payload is gone but systemd-machined did not report the machine removed. Ask it to drop the
         * registration, give it a little more time, then go on anyway. */
        if (!m->unregister_sent) {
                m->unregister_sent = true;
                log_warning("systemd-machined did not drop machine %s in time, unregistering it.", m->name);
                if (machine_dbus_unregister(m) >= 0 && machine_arm_timer(m, m->manager->removal_timeout / 2) >= 0)
                        return 0;
        }
        log_warning("systemd-machined did not drop machine %s in time, forgetting it.", m->name);
        m->machined_gone = true;
        machine_maybe_finalize(m);
        return 0;
}

int machine_arm_stop_timer(Machine *m) {
        return machine_arm_timer(m, m->manager->stop_timeout);
}

static int machine_arm_timer(Machine *m, usec_t usec) {
        int r;

        m->timer_event_source = sd_event_source_disable_unref(m->timer_event_source);
        r = sd_event_add_time_relative(m->manager->event, &m->timer_event_source, CLOCK_MONOTONIC, usec, 0,
                                       on_timer, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->timer_event_source, "machine-timer");
        return 0;
}

/* Hands the console's reader fd to systemd's fd store: if the daemon crashes, systemd keeps it open (so that
 * the payload's writes to its console neither fail nor kill it) and gives it to the next instance, which keeps
 * forwarding it to the journal (manager_adopt_consoles()). */
static void machine_store_console(Machine *m) {
        _cleanup_free_ char *state = NULL;
        int fd = console_reader_fd(m->console), r;

        if (fd < 0)
                return;
        if (asprintf(&state, "FDSTORE=1\nFDNAME=console-%s", m->name) < 0)
                return;
        r = sd_pid_notify_with_fds(0, false, state, &fd, 1);
        if (r < 0)
                log_debug_errno(r, "Failed to store the console fd of machine %s, ignoring: %m", m->name);
        else if (r > 0)
                m->console_stored = true;
}

int machine_start(Machine *m, char **ret_error) {
        int in_fd, out_fd, err_fd, console_fd;
        ContainerConfig config = {}, userns = {};
        char uuid[SD_ID128_UUID_STRING_MAX];
        Container c;
        int r;

        sd_id128_to_uuid_string(m->id, uuid);

        /* Before anything else is taken: a range that cannot be had leaves nothing behind. A bundle gets
         * exactly the user namespace its config.json describes. */
        if (!m->oci) {
                r = machine_userns_setup(m, &userns, ret_error);
                if (r < 0)
                        return r;
        }

        /* As systemd-nspawn does: systemd-machined's image operations (machinectl remove, rename, clean)
         * refuse while we hold it, and two machines cannot write to one tree. */
        r = image_lock_acquire(m->root, IMAGE_LOCKS_DIR, m->read_only, &m->image_lock);
        if (r < 0) {
                if (asprintf(ret_error, "%s root directory %s of machine '%s': %s",
                             r == -EBUSY ? "Another machine or an image operation holds the lock on the"
                                         : "Failed to lock the",
                             m->root, m->name, strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        r = manager_setup_propagation(m->manager);
        if (r < 0)
                log_warning_errno(r, "Failed to set up %s, /run/host/incoming of machine %s stays empty: %m",
                                  PROPAGATE_DIR, m->name);
        else {
                if (asprintf(&m->propagate_dir, PROPAGATE_DIR "/%s", m->name) < 0)
                        return -ENOMEM;
                /* With a user namespace the payload's root is not the host's: it needs to be let in. */
                mode_t mode = m->userns_range > 0 ? 0755 : 0700;
                if ((mkdir(m->propagate_dir, mode) < 0 && errno != EEXIST) || chmod(m->propagate_dir, mode) < 0) {
                        log_warning_errno(errno, "Failed to create %s, ignoring: %m", m->propagate_dir);
                        m->propagate_dir = mfree(m->propagate_dir);
                }
        }

        r = console_new(m->manager->event, m->name, m->unit, m->console_mode, &m->console);
        if (r < 0) {
                if (asprintf(ret_error, "Failed to allocate the console of machine '%s': %s", m->name,
                             strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }
        console_payload_fds(m->console, &in_fd, &out_fd, &err_fd, &console_fd);
        if (m->oci && m->oci->spec->process->has_console_size) {
                r = console_set_size(m->console, m->oci->spec->process->console_height,
                                     m->oci->spec->process->console_width);
                if (r < 0)
                        log_warning_errno(r, "Failed to set the console size of machine %s, ignoring: %m", m->name);
        }

        if (m->oci)
                /* A bundle: its model, with the daemon's part below. */
                config = m->oci->config;
        else {
                container_config_from_nspawn(m->settings, m->hostname, m->root, m->argv, m->envp, &config);
                config.userns_shift = userns.userns_shift;
                config.userns_range = userns.userns_range;
                config.userns_ownership = userns.userns_ownership;
        }
        config.stdin_fd = in_fd;
        config.stdout_fd = out_fd;
        config.stderr_fd = err_fd;
        config.console_fd = console_fd;
        config.controlling_tty = console_wants_controlling_tty(m->console);
        config.nofile_soft = 1024;
        config.manager_name = "machined-ext";
        config.uuid = uuid;
        config.propagate_dir = m->propagate_dir;
        config.notify = true;
        config.inaccessible_dir = manager_inaccessible_dir(m->manager);

        m->timestamp = now(CLOCK_REALTIME);
        m->timestamp_monotonic = now(CLOCK_MONOTONIC);

        r = container_spawn(&config, &c);
        if (r < 0) {
                if (asprintf(ret_error, "Failed to create the namespaces of machine '%s': %s", m->name,
                             strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        m->leader = c.pid;
        m->leader_pidfd = c.pidfd;
        m->sync_fd = c.sync_fd;
        machine_state_started(m);

        r = console_started(m->console);
        if (r < 0)
                log_warning_errno(r, "Failed to forward the console of machine %s, ignoring: %m", m->name);
        machine_store_console(m);
        r = image_lock_store(m->image_lock, m->name);
        if (r < 0)
                log_debug_errno(r, "Failed to store the image lock fds of machine %s, ignoring: %m", m->name);

        /* Ask systemd for the scope now, while the child sets up its root: the two overlap. The leader
         * exists, which is all StartTransientUnit needs; it execs only after RegisterMachine. */
        r = machine_dbus_register(m);
        if (r < 0) {
                char *msg = NULL;
                if (asprintf(&msg, "Failed to create %s: %s", m->unit, strerror(-r)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
        } else
                m->scope_requested = true;

        /* From here on, every failure is reported through the pending start message once the child is reaped,
         * so that nothing of the machine is left when the caller hears of it. */
        r = sd_event_add_child_pidfd(m->manager->event, &m->child_event_source, m->leader_pidfd, WEXITED,
                                     on_child_exit, m);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(m->child_event_source, "machine-child");
        /* Lower priority than the sync socket: an exec followed by a quick exit is still a successful start. */
        (void) sd_event_source_set_priority(m->child_event_source, SD_EVENT_PRIORITY_NORMAL + 10);

        r = sd_event_add_io(m->manager->event, &m->sync_event_source, m->sync_fd, EPOLLIN, on_sync_fd, m);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(m->sync_event_source, "machine-sync");

        log_debug("Machine %s: container init is PID %i.", m->name, (int) m->leader);
        return 0;

fail:
        /* The child cannot be watched: kill and reap it right here, it is still in its set-up. */
        (void) pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0);
        {
                siginfo_t si = {};
                (void) waitid(P_PIDFD, m->leader_pidfd, &si, WEXITED);
        }
        m->leader_pidfd = safe_close(m->leader_pidfd);
        m->sync_fd = safe_close(m->sync_fd);
        m->child_event_source = sd_event_source_disable_unref(m->child_event_source);
        if (asprintf(ret_error, "Failed to watch machine '%s': %s", m->name, strerror(-r)) < 0)
                *ret_error = NULL;
        return -MX_ERR_SETUP_FAILED;
}

int machine_kill_leader(Machine *m, int sig) {
        if (m->exited || m->leader_pidfd < 0)
                return -MX_ERR_NOT_RUNNING;
        /* ESRCH through our own pidfd is a fact about the leader (it has exited, not yet reaped): said so
         * here, once, rather than left for a caller to mistake any ESRCH for it. */
        if (pidfd_send_signal(m->leader_pidfd, sig, NULL, 0) < 0)
                return errno == ESRCH ? -MX_ERR_NOT_RUNNING : -errno;
        return 0;
}

int machine_stop(Machine *m) {
        char t[32], sig[SIGNAL_STRING_MAX];
        int r;

        if (m->exited) {
                if (m->reboot_pending) {
                        log_info("Machine %s: stopped while rebooting, not starting it again.", m->name);
                        m->reboot_pending = false;
                }
                return 0;
        }
        /* Under way already (the stop timer is not pushed back): the caller waits with the others. */
        if (m->stop_requested)
                return 0;

        if (!m->released) {
                char *msg = NULL;
                if (asprintf(&msg, "Machine '%s' was stopped during start-up", m->name) < 0)
                        msg = NULL;
                m->stop_requested = true;
                machine_fail_start(m, -MX_ERR_START_CANCELLED, msg);
                machine_set_state(m, MACHINE_STOPPING);
                return 0;
        }

        r = machine_kill_leader(m, m->kill_signal);
        if (r < 0 && r != -MX_ERR_NOT_RUNNING)
                return r;
        m->stop_requested = true;
        machine_set_state(m, MACHINE_STOPPING);
        machine_state_update(m);

        if (m->kill_signal == SIGKILL) {
                log_info("Machine %s: stopping, sending SIGKILL to PID %i (%s).", m->name, (int) m->leader,
                         m->settings && m->settings->kill_signal > 0 ? "KillSignal=SIGKILL"
                                                                    : "no Boot= and no KillSignal=, as systemd-nspawn");
                return 0;
        }
        log_info("Machine %s: stopping, sending %s to PID %i; SIGKILL follows in %s if it is still running.",
                 m->name, strna(signal_to_string(m->kill_signal, sig)), (int) m->leader,
                 format_usec(t, m->manager->stop_timeout));
        return machine_arm_timer(m, m->manager->stop_timeout);
}

void machine_machined_removed(Machine *m) {
        if (!m->registered && !m->unregister_sent)
                return;
        m->registered = false;
        m->machined_gone = true;
        machine_maybe_finalize(m);
}

/* Appends a reference to MESSAGE to the array *L of *N messages. Returns 0 or -ENOMEM. */
static int message_list_push(sd_bus_message ***l, size_t *n, sd_bus_message *message) {
        sd_bus_message **a;

        a = reallocarray(*l, *n + 1, sizeof(sd_bus_message *));
        if (!a)
                return -ENOMEM;
        *l = a;
        a[(*n)++] = sd_bus_message_ref(message);
        return 0;
}

int machine_queue_call(Machine *m, sd_bus_message *message) {
        return message_list_push(&m->queued_calls, &m->n_queued_calls, message);
}

/* After a start failed before the release: stop the scope we asked for, and only then let the machine go,
 * so that nothing of it is left when the caller hears of the failure. */
static void machine_stop_scope(Machine *m) {
        int r;

        if (!m->scope_ready || m->scope_stopping || m->scope_gone || m->keep_unit)
                return;
        m->scope_stopping = true;
        r = machine_dbus_stop_scope(m);
        if (r < 0) {
                log_warning_errno(r, "Failed to stop %s, ignoring: %m", m->unit);
                m->scope_gone = true;
                machine_maybe_finalize(m);
        }
}

static void machine_maybe_register(Machine *m) {
        char *msg = NULL;
        int r;

        if (!m->setup_done || !m->scope_ready || m->register_sent || m->start_error != 0 || m->exited)
                return;

        /* The leader is in its unit now: register it (machined takes the unit from its cgroup), and let it
         * exec at the same time; StartMachine is answered once both are done. */
        m->register_sent = true;
        r = machine_dbus_register_in_unit(m);
        if (r < 0) {
                if (asprintf(&msg, "Failed to register machine '%s' with systemd-machined: %s", m->name,
                             strerror(-r)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                return;
        }

        /* The leader is in its final cgroup now. With NotifyAccess=all (its only use), read it before the
         * payload runs: its children's notifications are checked against it, and they may come before
         * StartMachine is done. */
        if (m->notify_access == NOTIFY_ACCESS_ALL) {
                r = pid_get_cgroup(m->leader, &m->cgroup);
                if (r < 0)
                        log_debug_errno(r, "Failed to read the cgroup of machine %s: %m", m->name);
        }

        r = container_release(m->sync_fd);
        if (r < 0) {
                if (asprintf(&msg, "Failed to release container init of machine '%s': %s", m->name, strerror(-r)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                return;
        }
        m->released = true;
        machine_state_update(m);
}

void machine_scope_failed(Machine *m, int error, char *message) {
        m->scope_gone = true;
        /* systemd's errno (EEXIST for a unit that is there already, ETIMEDOUT, ...) is a failed set-up,
         * never the domain condition that errno once stood for ("already running", "start timeout"). */
        if (!mx_error_is_domain(error)) {
                if (!message && asprintf(&message, "Failed to create %s: %s", m->unit, strerror(-error)) < 0)
                        message = NULL;
                error = -MX_ERR_SETUP_FAILED;
        }
        machine_fail_start(m, error, message);
        machine_maybe_finalize(m);
}

void machine_scope_started(Machine *m, const char *result) {
        char *msg = NULL;

        m->scope_job = mfree(m->scope_job);

        if (m->scope_stopping) {
                m->scope_gone = true;
                machine_maybe_finalize(m);
                return;
        }

        if (!streq(result, "done")) {
                if (asprintf(&msg, "Failed to start %s: job %s", m->unit, result) < 0)
                        msg = NULL;
                machine_scope_failed(m, -MX_ERR_SETUP_FAILED, msg);
                return;
        }

        m->scope_ready = true;
        if (m->start_error != 0 || m->exited) {
                machine_stop_scope(m);
                machine_maybe_finalize(m);
                return;
        }
        machine_maybe_register(m);
}

int machine_add_waiter(Machine *m, sd_bus_message *message) {
        return message_list_push(&m->waiters, &m->n_waiters, message);
}

/* What a run leaves outside the daemon once it is gone: the console's fd in systemd's store, and the
 * propagation directory (removed before a new run of the name creates it again). */
static void machine_drop_run_leftovers(Machine *m) {
        int r;

        machine_state_drop(m);

        if (m->console_stored) {
                r = sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=console-%s", m->name);
                if (r < 0)
                        log_debug_errno(r, "Failed to remove the console fd of machine %s from the store: %m", m->name);
                m->console_stored = false;
        }

        if (m->propagate_dir && rmdir(m->propagate_dir) < 0 && errno != ENOENT)
                log_debug_errno(errno, "Failed to remove %s, ignoring: %m", m->propagate_dir);
        m->propagate_dir = mfree(m->propagate_dir);
        m->image_lock = image_lock_release(m->image_lock);
        machine_userns_release(m);
        machine_hooks_abort(m);
}

/* Forgets the previous run of a machine that is gone (finalized), for a new one: keeps its definition (what
 * machine_load() made: settings, command, environment, UUID, ...), its object, and the callers waiting for
 * its end (Wait) or readiness (WaitReady). Every per-run field of Machine is reset here. */
static void machine_reset_run(Machine *m) {
        m->sync_event_source = sd_event_source_disable_unref(m->sync_event_source);
        m->child_event_source = sd_event_source_disable_unref(m->child_event_source);
        m->timer_event_source = sd_event_source_disable_unref(m->timer_event_source);
        m->start_timer_event_source = sd_event_source_disable_unref(m->start_timer_event_source);
        m->notify_event_source = sd_event_source_disable_unref(m->notify_event_source);
        m->scope_slot = sd_bus_slot_unref(m->scope_slot);
        m->machined_slot = sd_bus_slot_unref(m->machined_slot);
        if (m->scope_job)
                hashmap_remove_value(m->manager->jobs, m->scope_job, m);
        m->scope_job = mfree(m->scope_job);
        m->sync_fd = safe_close(m->sync_fd);
        m->leader_pidfd = safe_close(m->leader_pidfd);
        m->notify_fd = safe_close(m->notify_fd);
        m->leader = 0;
        m->console = console_free(m->console);
        m->cgroup = mfree(m->cgroup);
        m->status_text = mfree(m->status_text);
        m->start_error = 0;
        m->start_error_message = mfree(m->start_error_message);
        m->ready_error = 0;
        m->ready_error_message = mfree(m->ready_error_message);
        m->ready_timestamp = m->ready_timestamp_monotonic = 0;
        m->released = m->setup_done = m->scope_requested = m->scope_ready = m->scope_stopping = false;
        m->scope_gone = m->register_sent = m->registration_settled = m->exec_done = m->start_done = false;
        m->registered = m->machined_gone = m->exited = m->finalized = m->removal_timer_armed = false;
        m->unregister_sent = m->stop_requested = m->reboot_pending = m->machined_missed = false;
        m->exit_code = m->exit_status = 0;
        machine_set_state(m, MACHINE_STARTING);
}

/* The machine's PID 1 rebooted and its run is gone: start a new run in its place, as systemd-nspawn does.
 * Returns 0, or -errno (logged) if it could not be started: then the machine is gone, with the exit status of
 * the run that rebooted. */
static int machine_restart(Machine *m) {
        _cleanup_free_ char *msg = NULL;
        int code = m->exit_code, status = m->exit_status, r;

        machine_reset_run(m);
        r = machine_start(m, &msg);
        if (r < 0) {
                log_error("Machine %s: failed to start it again after its reboot: %s", m->name,
                          msg ?: mx_strerror(r));
                m->released = m->exited = m->finalized = true;
                m->exit_code = code;
                m->exit_status = status;
                machine_set_state(m, MACHINE_STOPPING);
                return r;
        }

        if (m->manager->bus) {
                r = sd_bus_emit_properties_changed(m->manager->bus, m->path, BUS_MACHINE_INTERFACE, "Leader",
                                                   "Timestamp", "TimestampMonotonic", "Status", "ReadyTimestamp",
                                                   "ReadyTimestampMonotonic", "ExitCode", "ExitStatus", NULL);
                if (r < 0)
                        log_debug_errno(r, "Failed to send PropertiesChanged for %s, ignoring: %m", m->name);
        }
        log_info("Machine %s: started again after its reboot, PID 1 is PID %i.", m->name, (int) m->leader);
        return 0;
}

/* A machine is gone when its payload was reaped and systemd-machined has dropped it (which also means its
 * scope is no longer active). Only then are callers told, so that a new start of the name cannot collide
 * with the remains of the old run. */
static void machine_maybe_finalize(Machine *m) {
        int r;

        if (m->finalized || !m->exited)
                return;

        if (!m->released && !m->registered && !m->register_sent)
                m->machined_gone = true; /* Never got as far as systemd-machined. */

        /* A start that failed: the scope must be gone first. */
        if (machine_scope_must_go(m)) {
                if (m->scope_ready)
                        machine_stop_scope(m);
                if (!m->scope_gone) {
                        if (!m->removal_timer_armed && machine_arm_timer(m, m->manager->removal_timeout) >= 0)
                                m->removal_timer_armed = true;
                        return;
                }
        }

        if (m->ready_waiters && !m->reboot_pending) {
                char *msg = NULL;
                if (m->ready_error == 0 &&
                    asprintf(&msg, "Machine '%s' exited before it was ready", m->name) < 0)
                        msg = NULL;
                machine_fail_ready(m, m->ready_error ?: -MX_ERR_NOT_READY, msg);
        }

        /* A machine in a unit of its own stays registered while that unit runs, and the unit runs until we
         * are done: drop the registration ourselves. */
        if (m->keep_unit && m->registered && !m->unregister_sent) {
                m->unregister_sent = true;
                r = machine_dbus_unregister(m);
                if (r < 0) {
                        log_warning_errno(r, "Failed to unregister machine %s, ignoring: %m", m->name);
                        m->machined_gone = true;
                }
        }

        if (!m->machined_gone) {
                /* Replaces a pending stop timer: the payload is gone already. */
                if (!m->removal_timer_armed) {
                        r = machine_arm_timer(m, m->manager->removal_timeout);
                        if (r < 0)
                                m->machined_gone = true;
                        else
                                m->removal_timer_armed = true;
                }
                if (!m->machined_gone)
                        return;
        }

        m->finalized = true;
        m->timer_event_source = sd_event_source_disable_unref(m->timer_event_source);
        m->sync_event_source = sd_event_source_disable_unref(m->sync_event_source);
        m->sync_fd = safe_close(m->sync_fd);

        if (m->released) {
                r = manager_record_exit(m->manager, m->name, m->exit_code, m->exit_status);
                if (r < 0)
                        log_warning_errno(r, "Failed to record the exit status of machine %s, ignoring: %m", m->name);
        }

        machine_drop_run_leftovers(m);
        if (m->hooks_created || (m->released && m->oci && !m->oci->config.hooks_pause))
                machine_hooks_run_post(m, OCI_HOOK_POSTSTOP);
        m->hooks_created = false;

        if (m->reboot_pending) {
                m->reboot_pending = false;
                if (machine_restart(m) >= 0)
                        return;
                machine_drop_run_leftovers(m);
                if (m->ready_waiters) {
                        char *msg = NULL;
                        if (asprintf(&msg, "Machine '%s' rebooted and could not be started again", m->name) < 0)
                                msg = NULL;
                        machine_fail_ready(m, -MX_ERR_NOT_READY, msg);
                }
        }

        hashmap_remove(m->manager->machines, m->name);
        machine_dbus_finalized(m);
        manager_enqueue_gc(m->manager, m);
}

static int on_ready_waiter_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        ReadyWaiter *w = ASSERT_PTR(userdata);
        Machine *m = w->machine;
        char *msg = NULL;

        for (ReadyWaiter **p = &m->ready_waiters; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        break;
                }
        if (asprintf(&msg, "Timed out waiting for machine '%s' to become ready", m->name) < 0)
                msg = NULL;
        machine_dbus_reply_ready(w, -MX_ERR_START_TIMEOUT, msg);
        free(msg);
        return 0;
}

int machine_add_ready_waiter(Machine *m, sd_bus_message *message, usec_t timeout) {
        ReadyWaiter *w;
        int r;

        w = new0(ReadyWaiter, 1);
        if (!w)
                return -ENOMEM;
        *w = (ReadyWaiter) {
                .machine = m,
                .message = sd_bus_message_ref(message),
        };

        if (m->ready_error != 0) {
                machine_dbus_reply_ready(w, m->ready_error, m->ready_error_message);
                return 0;
        }
        if (m->state == MACHINE_RUNNING) {
                machine_dbus_reply_ready(w, 0, NULL);
                return 0;
        }
        /* Rebooting: the next run will tell. */
        if (!m->reboot_pending && (m->state == MACHINE_STOPPING || m->exited)) {
                machine_dbus_reply_ready(w, -MX_ERR_NOT_READY, NULL);
                return 0;
        }

        if (timeout > 0 && timeout != USEC_INFINITY) {
                r = sd_event_add_time_relative(m->manager->event, &w->timer, CLOCK_MONOTONIC, timeout, 0,
                                               on_ready_waiter_timeout, w);
                if (r < 0) {
                        ready_waiter_free(w);
                        return r;
                }
                (void) sd_event_source_set_description(w->timer, "machine-ready-waiter");
        }

        w->next = m->ready_waiters;
        m->ready_waiters = w;
        return 0;
}

static void bind_operation_free(BindOperation *b) {
        sd_event_source_disable_unref(b->child_event_source);
        safe_close(b->pidfd);
        safe_close(b->report_fd);
        sd_bus_message_unref(b->message);
        free(b->destination);
        free(b);
}

static int on_bind_child_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        BindOperation *b = ASSERT_PTR(userdata);
        Machine *m = b->machine;
        ContainerReport report;
        char *msg = NULL;
        int r;

        for (BindOperation **p = &m->bind_operations; *p; p = &(*p)->next)
                if (*p == b) {
                        *p = b->next;
                        break;
                }

        r = container_read_report(b->report_fd, &report, NULL);
        if (r > 0 && report.error != 0) {
                if (asprintf(&msg, "Failed to bind-mount into machine '%s' at %s: %s", m->name, report.detail,
                             strerror(report.error)) < 0)
                        msg = NULL;
                r = -report.error;
        } else if (si->si_code != CLD_EXITED || si->si_status != 0) {
                if (asprintf(&msg, "Bind-mount helper for machine '%s' failed", m->name) < 0)
                        msg = NULL;
                r = -EIO;
        } else
                r = 0;

        machine_dbus_reply_bind(b->message, r, msg);
        if (r == 0)
                log_info("Machine %s: bind-mounted to %s.", m->name, b->destination);
        free(msg);
        bind_operation_free(b);
        return 0;
}

int machine_bind_mount(Machine *m, const char *source, const char *destination, bool read_only, bool make_dir,
                       sd_bus_message *message) {
        BindOperation *b;
        int r;

        if (!m->released || m->exited || m->state == MACHINE_STOPPING)
                return -MX_ERR_NOT_RUNNING;
        /* A mount attached inside a mount namespace owned by the machine's user namespace would not be locked
         * (its root could make a read-only bind writable), and an unmapped one shows only "nobody": refused,
         * as systemd-machined refuses it for nspawn containers with user namespaces. */
        if (m->userns_range > 0)
                return -EOPNOTSUPP;

        b = new0(BindOperation, 1);
        if (!b)
                return -ENOMEM;
        *b = (BindOperation) { .machine = m, .pidfd = -EBADF, .report_fd = -EBADF };
        b->destination = strdup(destination);
        if (!b->destination) {
                free(b);
                return -ENOMEM;
        }

        r = container_bind_mount(m->leader_pidfd, source, destination, read_only, make_dir, &b->pidfd,
                                 &b->report_fd);
        if (r < 0) {
                bind_operation_free(b);
                return r;
        }

        r = sd_event_add_child_pidfd(m->manager->event, &b->child_event_source, b->pidfd, WEXITED,
                                     on_bind_child_exit, b);
        if (r < 0) {
                (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, b->pidfd, &(siginfo_t) {}, WEXITED);
                bind_operation_free(b);
                return r;
        }
        (void) sd_event_source_set_description(b->child_event_source, "machine-bind-helper");

        b->message = sd_bus_message_ref(message);
        b->next = m->bind_operations;
        m->bind_operations = b;
        return 0;
}
