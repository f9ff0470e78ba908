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

#include "fd-util.h"
#include "fault.h"
#include "fd-capsule.h"
#include "log.h"
#include "message-ids.h"
#include "util.h"
#include "machine-dbus.h"
#include "machine-hooks.h"
#include "machine.h"
#include "machine-internal.h"
#include "machine-network.h"
#include "machine-state.h"
#include "machine-userns.h"
#include "name.h"
#include "notify.h"
#include "config-nspawn.h"
#include "escape.h"
#include "config-oci.h"
#include "container.h"
#include "os-release.h"
#include "seccomp-cache.h"
#include "settings-verify.h"
#include "strv.h"

#define PROPAGATE_DIR "/run/systemd/nspawn/propagate"
/* The seccomp cache the daemon's machines share (seccomp-cache.h). */
#define SECCOMP_CACHE_PARENT "/run/machined-ext"
#define SECCOMP_CACHE_NAME "seccomp"

static void machine_maybe_register(Machine *m);
static void machine_maybe_start_done(Machine *m);

void machine_fail_start(Machine *m, int error, char *message) {
        /* Keep the first reason: a later one (e.g. the child's exit) is a consequence. */
        if (m->start_error == 0) {
                /* Quoting what the settings, the bundle or the image said: it goes into replies and logs. */
                (void) replace_unprintable(message, '?');
                log_machine(LOG_ERR, MX_MESSAGE_MACHINE_FAILED, m->name, "Machine %s failed to start: %s.", m->name,
                            message ?: "set-up failed");
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
        log_machine(LOG_INFO, MX_MESSAGE_MACHINE_READY, m->name, "Machine %s is ready.", m->name);
        machine_dbus_flush_changed(m); /* clients see State (and the last Status) before the replies */

        while (m->ready_waiters) {
                ReadyWaiter *w = m->ready_waiters;
                m->ready_waiters = w->next;
                machine_dbus_reply_ready(w, 0, NULL);
        }
}

void machine_fail_ready(Machine *m, int error, char *message) {
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
        log_machine(LOG_ERR, MX_MESSAGE_MACHINE_FAILED, m->name, "%s.", strna(msg));
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

int on_sync_fd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
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
                        /* The init is done with it (machine_hold_mount_namespace()). */
                        machine_release_mount_namespace(m);
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
                        notify_fd = fd_move_high(notify_fd);
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
                }
                machine_store_fds_setup_done(m);

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
        return m->exited || pidfd_has_exited(m->leader_pidfd);
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

static int on_userns_helper_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);

        /* sd-event reaps it once we return. */
        m->userns_helper_event_source = sd_event_source_unref(m->userns_helper_event_source);
        return 0;
}

/* The child that made the user namespace is killed, but waiting for its exit costs whatever it takes the
 * kernel to give it a CPU (0.5-22 ms on a loaded host, issue #17): the event loop reaps it, off the start's
 * critical path. The source owns the process: freed early (the machine goes), it reaps it there. */
static void machine_watch_userns_helper(Machine *m, Container *c) {
        int r;

        if (c->helper_pidfd < 0)
                return;
        r = sd_event_add_child_pidfd(m->manager->event, &m->userns_helper_event_source, c->helper_pidfd, WEXITED,
                                     on_userns_helper_exit, m);
        if (r < 0) {
                log_debug_errno(r, "Machine %s: cannot watch its user namespace's helper, reaping it now: %m",
                                m->name);
                container_reap_helper(c);
                return;
        }
        (void) sd_event_source_set_child_pidfd_own(m->userns_helper_event_source, true);
        (void) sd_event_source_set_child_process_own(m->userns_helper_event_source, true);
        (void) sd_event_source_set_description(m->userns_helper_event_source, "machine-userns-helper");
        c->helper_pidfd = -EBADF;
}

/* nspawn's deny list (and a bundle's profile), compiled here before the clone, once for every machine of the
 * same settings (the cache they share), rather than by each init. Without them (a cache directory that is
 * not ours, a build that fails), the init compiles its own and reports what failed. */
static void machine_load_seccomp(const Machine *m, ContainerConfig *config, ContainerSeccompPrograms *programs) {
        _cleanup_close_ int parent_fd = -EBADF, dir_fd = -EBADF;
        int r;

        if (mkdir(SECCOMP_CACHE_PARENT, 0700) < 0 && errno != EEXIST) {
                log_debug_errno(errno, "Failed to create " SECCOMP_CACHE_PARENT ", machine %s compiles its seccomp "
                                "filters itself: %m", m->name);
                return;
        }
        parent_fd = open(SECCOMP_CACHE_PARENT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        dir_fd = parent_fd < 0 ? -errno : container_seccomp_cache_dir_open(parent_fd, SECCOMP_CACHE_NAME);
        if (dir_fd < 0) {
                log_debug_errno(dir_fd, "The seccomp cache " SECCOMP_CACHE_PARENT "/" SECCOMP_CACHE_NAME " is not "
                                "used, machine %s compiles its filters itself: %m", m->name);
                return;
        }
        r = container_seccomp_programs_get(dir_fd, config, programs);
        if (r < 0) {
                log_debug_errno(r, "Failed to compile the seccomp filters of machine %s, its init does: %m",
                                m->name);
                return;
        }
        config->seccomp_programs = programs;
}

/* Holds the mount namespace the init was cloned into until the payload is exec'd, or, if that is never seen,
 * until the payload is gone (machine_release_mount_namespace()). The container's mounts are made in it; with
 * PrivateUsers= the init copies it, after its release, into one owned by its user namespace, the payload's.
 * Whoever lets go of a namespace last tears it down: every mount, each file system's superblock, RCU grace
 * periods. That was part of the init's move into its user namespace, between its release and its exec, on the
 * way to the payload; it is our close() now, when we see the exec, while the payload runs (A/B in
 * bench/RESULTS.md). Held until the payload's exit instead, one for each running machine, it cost the scale run
 * of 2026-12-02 08:05 a third of its starts/s with 1000 machines running. Without PrivateUsers= the payload runs
 * in this one, which it then holds itself.
 *
 * In a capsule (fd-capsule.h), not as an fd in our table: every init cloned meanwhile would copy that, and keep
 * the namespace until its own release. Only a reference, nothing more: if it cannot be had (the init gone
 * already) the teardown stays where it was. Not a joined namespace (nothing of ours to tear down; with a joined
 * PID namespace the PID is the joiner's answer). */
static void machine_hold_mount_namespace(Machine *m, const ContainerConfig *c) {
        _cleanup_close_ int fd = -EBADF;
        int capsule;

        if (container_config_joined_namespace(c, CONTAINER_NAMESPACE_MOUNT) ||
            container_config_joined_namespace(c, CONTAINER_NAMESPACE_PID))
                return;
        fd = machine_leader_namespace_fd(m, MACHINE_NAMESPACE_MNT);
        if (fd < 0)
                return;
        capsule = fd_capsule_new(&fd, 1, "mntns");
        if (capsule >= 0)
                m->mntns_capsule = capsule;
}

/* A start that fails right after the clone, before anything outside the daemon knows of the child: kill and
 * reap it here, in its set-up, and undo what this run made. machine_free() does the rest. */
int machine_start(Machine *m, char **ret_error) {
        int in_fd, out_fd, err_fd, console_fd;
        _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms programs = {};
        ContainerConfig config = {}, userns = {};
        _cleanup_free_ char *spawn_error = NULL;
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
                container_config_from_nspawn(m->settings, m->network_config.private_network, m->hostname, m->root,
                                             m->argv, m->envp, &config);
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

        machine_load_seccomp(m, &config, &programs);

        r = container_spawn_full(&config, &c, &spawn_error);
        if (r < 0) {
                if (asprintf(ret_error, "Failed to create the namespaces of machine '%s': %s", m->name,
                             spawn_error ?: strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        machine_set_leader(m, c.pid);
        m->leader_pidfd = c.pidfd = fd_move_high(c.pidfd);      /* c's too: container_spawn_settle() */
        m->sync_fd = c.sync_fd;
        machine_hold_mount_namespace(m, &config);
        machine_watch_userns_helper(m, &c);

        r = machine_state_started(m);
        if (r < 0) {
                /* A machine without its state on disk would be lost by the next restart of the daemon. */
                char *msg = NULL;
                if (asprintf(&msg, "Failed to save the state of machine '%s' in %s: %s", m->name,
                             MACHINE_STATE_ROOT, strerror(-r)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
        }
        fault_point("after-clone", m->name);

        /* Ask systemd for the scope now, while the child sets up its root: the two overlap. The leader
         * exists, which is all StartTransientUnit needs; it execs only after RegisterMachine. Before anything
         * else of ours (the console, the fd store, the network): those go on while systemd works. */
        r = m->start_error != 0 ? 0 : machine_dbus_register(m);
        if (r < 0) {
                char *msg = NULL;
                if (asprintf(&msg, "Failed to create %s: %s", m->unit, strerror(-r)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
        } else if (m->start_error == 0)
                m->scope_requested = true;

        /* With StartTransientUnit on its way, the init has had time to take a fd table of its own (a wait for
         * it right after the clone was, on a busy host, a wait for it to get a CPU, 2.5-3.6 ms a start with
         * two CPU spinners). Until then it may use the console's end, the network namespace and the fds of
         * the spawn in ours. If it died first, its exit says why. */
        r = container_spawn_settle(&c);
        if (r < 0)
                log_debug_errno(r, "Machine %s: its init is gone before it had its own fd table: %m", m->name);
        r = console_started(m->console);
        if (r < 0)
                log_warning_errno(r, "Failed to forward the console of machine %s, ignoring: %m", m->name);
        /* If the daemon crashes, systemd keeps them: the console's reader stays open (so that the payload's
         * writes to its console neither fail nor kill it) and the root stays locked, and the next instance
         * takes them over (manager_adopt_consoles()). */
        r = machine_store_fds(m);
        if (r < 0)
                log_debug_errno(r, "Failed to store the fds of machine %s, ignoring: %m", m->name);

        /* The child's network namespace exists, and the child waits for its release: the host side now, while
         * systemd makes the scope (creating a veth costs a few ms of kernel time, the scope job 10-20 ms), and
         * before any event is dispatched, so that the payload finds its links when it is released. A failure
         * from here on is the start's: the child is killed and the scope removed before the caller hears of
         * it. */
        if (m->start_error == 0) {
                char *msg = NULL;

                r = machine_network_setup(m, c.netns_fd, &msg);
                if (r == -ESRCH)
                        /* The init died in its set-up (its report, read when it is reaped, says why): that is
                         * the start's error, not the network's. */
                        log_debug("Machine %s: its init is gone before its network was set up.", m->name);
                else if (r < 0)
                        machine_fail_start(m, r, msg);
                else if (m->network.machine)
                        machine_state_update(m); /* the record of the links, for a restarted daemon */
        }
        c.netns_fd = safe_close(c.netns_fd);

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
        machine_release_mount_namespace(m);
        m->child_event_source = sd_event_source_disable_unref(m->child_event_source);
        machine_network_teardown(m);
        if (asprintf(ret_error, "Failed to watch machine '%s': %s", m->name, strerror(-r)) < 0)
                *ret_error = NULL;
        return -MX_ERR_SETUP_FAILED;
}

static void machine_maybe_register(Machine *m) {
        char *msg = NULL;
        int r;

        if (!m->setup_done || !m->scope_ready || m->register_sent || m->start_error != 0 || m->exited)
                return;

        /* The leader is in its unit now: let it exec, and register it (machined takes the unit from its
         * cgroup) at the same time; StartMachine is answered once both are done. The release first: the
         * payload starts on its way while dbus-daemon and machined handle the call, instead of after them
         * (RegisterMachine wakes both, which take the CPU from us). A payload done before machined got to it
         * is complete without (machine_registered()). */
        m->register_sent = true;

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
        fault_point("after-release", m->name);

        r = machine_dbus_register_in_unit(m);
        if (r < 0) {
                if (asprintf(&msg, "Failed to register machine '%s' with systemd-machined: %s", m->name,
                             strerror(-r)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                return;
        }
#if FAULT_INJECTION
        (void) sd_bus_flush(m->manager->bus); /* RegisterMachine is out before the fault, as its name says */
#endif
        fault_point("after-register", m->name);
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
        fault_point("after-scope", m->name);
        if (m->start_error == 0 && !m->exited) {
                int r = machine_attach_device_policy(m);
                if (r < 0) {
                        if (asprintf(&msg, "Failed to set up the device policy of machine '%s' in %s: %s", m->name,
                                     m->keep_unit ?: m->unit,
                                     r == -EXDEV ? "its leader is not in the unit's cgroup" : strerror(-r)) < 0)
                                msg = NULL;
                        machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                }
        }
        if (m->start_error != 0 || m->exited) {
                machine_stop_scope(m);
                machine_maybe_finalize(m);
                return;
        }
        machine_maybe_register(m);
}
