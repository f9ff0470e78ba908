/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <systemd/sd-daemon.h>

#include "fd-capsule.h"
#include "log.h"
#include "message-ids.h"
#include "time-util.h"
#include "util.h"
#include "machine-dbus.h"
#include "machine-shell.h"
#include "machine-hooks.h"
#include "held-calls.h"
#include "machine.h"
#include "machine-internal.h"
#include "link-remover.h"
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

#define MACHINES_DIR "/var/lib/machines"

/* USEC as "90s" or "1500ms", for messages. Returns BUF. */
const char *format_usec(char buf[static 32], usec_t usec) {
        if (usec % USEC_PER_SEC == 0)
                snprintf(buf, 32, "%" PRIu64 "s", usec / USEC_PER_SEC);
        else
                snprintf(buf, 32, "%" PRIu64 "ms", usec / USEC_PER_MSEC);
        return buf;
}

int machine_new(Manager *manager, const char *name, Machine **ret) {
        _cleanup_(machine_freep) Machine *m = NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL;
        size_t n_name, n_unit, n_path;
        int r;

        assert(manager);
        assert(name);
        assert(ret);

        unit = machine_scope_name(name);
        if (!unit)
                return -ENOMEM;
        r = sd_bus_path_encode(BUS_MACHINE_PATH_PREFIX, name, &path);
        if (r < 0)
                return r;
        n_name = strlen(name) + 1;
        n_unit = strlen(unit) + 1;
        n_path = strlen(path) + 1;
        m = malloc(sizeof(Machine) + n_name + n_unit + n_path);
        if (!m)
                return -ENOMEM;

        *m = (Machine) {
                .leader_pidfd = -EBADF,
                .mntns_capsule = -EBADF,
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
        m->name = memcpy(m->strings, name, n_name);
        m->unit = memcpy(m->strings + n_name, unit, n_unit);
        m->path = memcpy(m->strings + n_name + n_unit, path, n_path);
        r = sd_id128_randomize(&m->id);
        if (r < 0)
                return r;

        r = hashmap_put(manager->machines, m->name, m);
        if (r < 0)
                return r;
        machine_listing_invalidate(&manager->listing);
        m->manager = manager;

        *ret = TAKE_PTR(m);
        return 0;
}

int machine_set_unit(Machine *m, const char *unit) {
        char *u = strdup(unit);

        if (!u)
                return -ENOMEM;
        free(m->unit_owned);
        m->unit = m->unit_owned = u;
        machine_listing_invalidate(&m->manager->listing);
        return 0;
}

void machine_set_leader(Machine *m, pid_t leader) {
        m->leader = leader;
        machine_listing_invalidate(&m->manager->listing);
}

/* A start that failed (or never got as far as the release) must see its own scope gone before the machine
 * may be, and so must a run whose payload was gone before systemd-machined registered it: no MachineRemoved
 * then says when the scope is gone, and a new run of the name (a reboot, a queued start) could not create its
 * scope while the old one is still loaded. True while that is still outstanding. */
bool machine_scope_must_go(const Machine *m) {
        return (!m->released || m->start_error != 0 || m->machined_missed) && m->scope_requested && !m->keep_unit &&
                !m->scope_gone;
}

void ready_waiter_free(ReadyWaiter *w) {
        sd_event_source_disable_unref(w->timer);
        manager_release_call(w->machine->manager, w->message);
        free(w);
}

Machine *machine_free(Machine *m) {
        if (!m)
                return NULL;

        if (m->manager && hashmap_remove_value(m->manager->machines, m->name, m))
                machine_listing_invalidate(&m->manager->listing);
        if (m->network_removing && m->manager)
                link_remover_cancel(m->manager->link_remover, m);

        sd_event_source_disable_unref(m->sync_event_source);
        sd_event_source_disable_unref(m->child_event_source);
        sd_event_source_unref(m->userns_helper_event_source);   /* owns the helper: reaps it if need be */
        sd_event_source_disable_unref(m->timer_event_source);
        sd_event_source_disable_unref(m->start_timer_event_source);
        sd_event_source_disable_unref(m->start_reply_event_source);
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
        machine_release_mount_namespace(m);
        safe_close(m->notify_fd);

        while (m->ready_waiters) {
                ReadyWaiter *w = m->ready_waiters;
                m->ready_waiters = w->next;
                ready_waiter_free(w);
        }
        machine_bind_operations_abandon(m);
        machine_exec_operations_free(m);
        /* Not removed here: the daemon may be exiting with the container still running. */
        free(m->propagate_dir);
        free(m->cgroup);
        free(m->status_text);
        free(m->ready_error_message);
        free(m->keep_unit);

        sd_bus_message_unref(m->start_message);
        for (size_t i = 0; i < m->n_waiters; i++)
                manager_release_call(m->manager, m->waiters[i]);
        free(m->waiters);
        for (size_t i = 0; i < m->n_queued_calls; i++)
                manager_release_call(m->manager, m->queued_calls[i]);
        free(m->queued_calls);
        free(m->start_error_message);

        free(m->unit_owned);
        free(m->root);
        free(m->settings_path);
        settings_free(m->settings);
        strv_free(m->warnings_kept);
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
        free(m->bundle_pending);
        free(m->bundle_text);
        /* Only forgotten: a payload that runs on (the daemon exits) keeps its network. */
        network_config_done(&m->network_config);
        network_state_done(&m->network);
        return mfree(m);
}

char * const *machine_warnings(const Machine *m) {
        return m->settings ? m->settings->notices : m->warnings_kept;
}

size_t machine_warnings_total(const Machine *m) {
        size_t n = strv_length(machine_warnings(m));

        /* Past CONF_NOTICES_MAX the settings' notices end in a line counting those left out. */
        if (m->settings && m->settings->n_notices > n)
                return m->settings->n_notices;
        return n;
}

void machine_set_state(Machine *m, MachineState state) {
        if (m->state == state)
                return;
        m->state = state;
        machine_listing_invalidate(&m->manager->listing);
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
        /* [Network]: checked here, before anything is started, like the rest of the file. */
        return machine_network_load(m, ret_error);
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
        if (m->kill_signal != SIGKILL)
                m->stop_deadline = usec_add(now(CLOCK_MONOTONIC), m->manager->stop_timeout);
        machine_set_state(m, MACHINE_STOPPING);
        machine_state_update(m);

        if (m->kill_signal == SIGKILL) {
                log_machine(LOG_INFO, MX_MESSAGE_MACHINE_STOP, m->name, "Machine %s: stopping, sending SIGKILL to PID %i (%s).",
                            m->name, (int) m->leader,
                            m->settings && m->settings->kill_signal > 0 ? "KillSignal=SIGKILL"
                                                                       : "no Boot= and no KillSignal=, as systemd-nspawn");
                return 0;
        }
        log_machine(LOG_INFO, MX_MESSAGE_MACHINE_STOP, m->name,
                    "Machine %s: stopping, sending %s to PID %i; SIGKILL follows in %s if it is still running.",
                    m->name, strna(signal_to_string(m->kill_signal, sig)), (int) m->leader,
                    format_usec(t, m->manager->stop_timeout));
        return machine_arm_stop_timer(m);
}

void machine_machined_removed(Machine *m) {
        if (!m->registered && !m->unregister_sent)
                return;
        m->registered = false;
        m->machined_gone = true;
        machine_maybe_finalize(m);
}

/* Appends a reference to MESSAGE to the array *L of *N messages. Returns 0 or -ENOMEM. */
int message_list_push(sd_bus_message ***l, size_t *n, sd_bus_message *message) {
        sd_bus_message **a;

        a = reallocarray(*l, *n + 1, sizeof(sd_bus_message *));
        if (!a)
                return -ENOMEM;
        *l = a;
        a[(*n)++] = sd_bus_message_ref(message);
        return 0;
}

int message_list_hold(Manager *manager, sd_bus_message ***l, size_t *n, sd_bus_message *message,
                      sd_bus_error *error) {
        int r;

        r = manager_hold_call(manager, message, error);
        if (r < 0)
                return r;
        r = message_list_push(l, n, message);
        if (r < 0)
                manager_release_call(manager, sd_bus_message_ref(message));
        return r;
}

int machine_queue_call(Machine *m, sd_bus_message *message, sd_bus_error *error) {
        return message_list_hold(m->manager, &m->queued_calls, &m->n_queued_calls, message, error);
}

int machine_leader_namespace_fd(Machine *m, MachineNamespace ns) {
        /* PIDFD_GET_MNT_NAMESPACE, PIDFD_GET_NET_NAMESPACE (Linux 6.11) */
        static const struct {
                unsigned long ioctl;
                const char *name;
        } table[_MACHINE_NAMESPACE_MAX] = {
                [MACHINE_NAMESPACE_MNT] = { _IO(0xFF, 3), "mnt" },
                [MACHINE_NAMESPACE_NET] = { _IO(0xFF, 4), "net" },
        };
        _cleanup_close_ int fd = -EBADF;
        char path[64];
        int r;

        if (ns < 0 || ns >= _MACHINE_NAMESPACE_MAX)
                return -EINVAL;
        if (m->leader_pidfd < 0 || m->leader <= 0)
                return -ESRCH;
        fd = ioctl(m->leader_pidfd, table[ns].ioctl, 0);
        if (fd >= 0)
                return TAKE_FD(fd);
        if (!IN_SET(errno, ENOTTY, EINVAL, EOPNOTSUPP))
                return -errno;

        /* Before Linux 6.11: by PID, and then the pidfd says whether that PID was still the leader while it was
         * opened (a recycled PID would hand us another process's namespace). */
        (void) snprintf(path, sizeof(path), "/proc/%i/ns/%s", (int) m->leader, table[ns].name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        r = fd < 0 ? -errno : 0;
        if (pidfd_send_signal(m->leader_pidfd, 0, NULL, 0) < 0)
                return -errno;  /* -ESRCH: the leader is gone (a zombie has no /proc/PID/ns either) */
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

void machine_release_mount_namespace(Machine *m) {
        int fd;

        if (m->mntns_capsule < 0)
                return;
        /* Out of the capsule first: a copy of it that an init cloned meanwhile inherited must not keep the
         * namespace. The teardown is this close()'s. */
        if (fd_capsule_take(m->mntns_capsule, &fd, 1, NULL, 0) > 0)
                safe_close(fd);
        m->mntns_capsule = safe_close(m->mntns_capsule);
}

/* After a start failed before the release: stop the scope we asked for, and only then let the machine go,
 * so that nothing of it is left when the caller hears of the failure. */
void machine_stop_scope(Machine *m) {
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
