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

#include "fault.h"
#include "log.h"
#include "message-ids.h"
#include "time-util.h"
#include "util.h"
#include "machine-dbus.h"
#include "machine-hooks.h"
#include "held-calls.h"
#include "machine.h"
#include "machine-internal.h"
#include "machine-network.h"
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

/* A PID 1 that reboots more often than this is not started again (like systemd's StartLimitBurst= on
 * systemd-nspawn@.service's restarts). */
#define MACHINE_REBOOT_BURST 5
#define MACHINE_REBOOT_INTERVAL_USEC (10 * USEC_PER_SEC)

static int machine_restart(Machine *m);

/* Counts a reboot; false if there were too many in a short time (a PID 1 that reboots at once, forever). */
static bool machine_reboot_allowed(Machine *m) {
        usec_t n = now(CLOCK_MONOTONIC);

        if (m->n_reboots == 0 || n - m->reboot_burst_start > MACHINE_REBOOT_INTERVAL_USEC) {
                m->reboot_burst_start = n;
                m->n_reboots = 0;
        }
        return ++m->n_reboots <= MACHINE_REBOOT_BURST;
}

int on_child_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        machine_payload_exited(ASSERT_PTR(userdata), si->si_code, si->si_status);
        return 0;
}

void machine_payload_exited(Machine *m, int code, int status) {
        m->exited = true;
        m->exit_code = code;
        m->exit_status = status;
        m->child_event_source = sd_event_source_disable_unref(m->child_event_source);

        log_machine(LOG_INFO, MX_MESSAGE_MACHINE_EXIT, m->name, "Machine %s: payload %s, %s %i.", m->name,
                    exit_code_to_string(code) ?: "ended", code == CLD_EXITED ? "status" : "signal", status);

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
        /* ... and nothing uses the root directory any more: let systemd-machined and others have it. The
         * init's first mount namespace too, if the exec was never seen (machine_hold_mount_namespace()): its
         * mounts of the root go first. */
        machine_release_mount_namespace(m);
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

        /* Nothing uses its network any more: its links, its zone bridge if it was the last there, its Port=
         * forwards go. After the replies: deleting a veth waits for RCU grace periods in the kernel (18-25 ms
         * of a 50 ms start -> exit, bench/RESULTS.md), and nothing a waiter does next can see the difference,
         * as every later call of ours is answered after this. A crash right here leaves the record in the
         * state file, from which the next instance removes the rest (manager-adopt.c). */
#if FAULT_INJECTION
        (void) sd_bus_flush(m->manager->bus); /* the replies are out before the fault, as its name says */
#endif
        fault_point("after-exit-reply", m->name);
        machine_network_teardown_async(m);

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

/* The SIGKILL after the stop signal, at m->stop_deadline: set by the stop, kept in the state file, so that a
 * restarted daemon kills at the same moment and does not give the payload a whole new stop timeout. */
int machine_arm_stop_timer(Machine *m) {
        usec_t n = now(CLOCK_MONOTONIC);

        if (m->stop_deadline == 0)
                m->stop_deadline = usec_add(n, m->manager->stop_timeout);
        return machine_arm_timer(m, m->stop_deadline > n ? m->stop_deadline - n : 1);
}

int machine_arm_timer(Machine *m, usec_t usec) {
        int r;

        m->timer_event_source = sd_event_source_disable_unref(m->timer_event_source);
        r = sd_event_add_time_relative(m->manager->event, &m->timer_event_source, CLOCK_MONOTONIC, usec, 0,
                                       on_timer, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->timer_event_source, "machine-timer");
        return 0;
}

int machine_add_waiter(Machine *m, sd_bus_message *message, sd_bus_error *error) {
        return message_list_hold(m->manager, &m->waiters, &m->n_waiters, message, error);
}

/* What a run leaves outside the daemon once it is gone: its fds in systemd's store, and the propagation
 * directory (removed before a new run of the name creates it again). */
static void machine_drop_run_leftovers(Machine *m) {
        machine_state_drop(m);
        /* Before the propagation directory goes: their staging directories are in it. */
        machine_bind_operations_abandon(m);

        if (m->propagate_dir && rmdir(m->propagate_dir) < 0 && errno != ENOENT)
                log_debug_errno(errno, "Failed to remove %s, ignoring: %m", m->propagate_dir);
        m->propagate_dir = mfree(m->propagate_dir);
        m->image_lock = image_lock_release(m->image_lock);
        machine_network_teardown(m);
        machine_userns_release(m);
        machine_hooks_abort(m);
}

/* Forgets the previous run of a machine that is gone (finalized), for a new one: keeps its definition (what
 * machine_load() made: settings, command, environment, UUID, ...), its object, and the callers waiting for
 * its end (Wait) or readiness (WaitReady). Every per-run field of Machine is reset here. */
static void machine_reset_run(Machine *m) {
        m->sync_event_source = sd_event_source_disable_unref(m->sync_event_source);
        m->child_event_source = sd_event_source_disable_unref(m->child_event_source);
        m->userns_helper_event_source = sd_event_source_unref(m->userns_helper_event_source);
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
        machine_release_mount_namespace(m);
        notify_socket_close(TAKE_FD(m->notify_fd));
        machine_set_leader(m, 0);
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
        m->stop_deadline = 0;
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
void machine_maybe_finalize(Machine *m) {
        int r;

        if (m->finalized || !m->exited)
                return;
        /* Its links are still being deleted (machine_network_teardown_async()): a new run of the name must not
         * find them. Called again once they are gone. */
        if (m->network_removing)
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
                /* A start that failed after StartMachine was answered (slow hooks): its waiters hear why. */
                if (m->ready_error == 0 && m->start_error != 0 && m->start_error_message)
                        msg = strdup(m->start_error_message);
                else if (m->ready_error == 0 &&
                         asprintf(&msg, "Machine '%s' exited before it was ready", m->name) < 0)
                        msg = NULL;
                machine_fail_ready(m, m->ready_error ?: m->start_error ?: -MX_ERR_NOT_READY, msg);
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
                r = manager_record_exit(m->manager, m->name, m->exit_code, m->exit_status, m->timestamp,
                                        m->unit);
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
        machine_listing_invalidate(&m->manager->listing);
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

int machine_add_ready_waiter(Machine *m, sd_bus_message *message, usec_t timeout, sd_bus_error *error) {
        ReadyWaiter *w;
        int r;

        r = manager_hold_call(m->manager, message, error);
        if (r < 0)
                return r;
        w = new0(ReadyWaiter, 1);
        if (!w) {
                manager_release_call(m->manager, sd_bus_message_ref(message));
                return -ENOMEM;
        }
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
