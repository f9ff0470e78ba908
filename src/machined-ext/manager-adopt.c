/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A restarted daemon knows the machines of its predecessor again: from their state on disk
 * (machine-state.c) and the fds systemd kept in its fd store. A machine whose leader still runs is adopted
 * with the same object, State, Status, Id and settings; one whose leader exited while no daemon ran is
 * reported with its real exit status (read from its stored pidfd) and cleaned up; state that cannot be
 * trusted (corrupt, or a leader PID that now belongs to another process) is reported and removed. */
#include <assert.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "escape.h"
#include "notify-parse.h"
#include "fd-util.h"
#include "fault.h"
#include "fd-capsule.h"
#include "log.h"
#include "machine-dbus.h"
#include "machine-network.h"
#include "machine-state.h"
#include "machined-watch.h"
#include "machine-userns.h"
#include "name.h"
#include "notify.h"
#include "state.h"
#include "strv.h"

#define CONSOLE_LOG_PREFILL_MAX (64U * 1024U)     /* the console's ring buffer */
#define ADOPT_REAP_WAIT_USEC (5 * USEC_PER_SEC)
#define ADOPT_REAP_POLL_USEC (20 * USEC_PER_MSEC)

static int on_adopted_leader(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* Called when the adopted leader's pidfd became readable (it exited), and again until it was reaped. */
static int on_adopted_reap_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);
        return on_adopted_leader(NULL, m->leader_pidfd, EPOLLIN, m);
}

static int on_adopted_leader(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);
        int code = 0, status = 0, r;

        if (m->exited)
                return 0;
        r = leader_pidfd_exit(m->leader_pidfd, &code, &status);
        if (r == 0)
                return 0;
        if (r == -EAGAIN && m->reap_tries++ < ADOPT_REAP_WAIT_USEC / ADOPT_REAP_POLL_USEC) {
                /* Exited, but not reaped yet by its parent (PID 1 or a subreaper: not us), and the exit status
                 * comes with the reaping: look again in a moment. */
                m->child_event_source = sd_event_source_disable_unref(m->child_event_source);
                r = sd_event_add_time_relative(m->manager->event, &m->child_event_source, CLOCK_MONOTONIC,
                                               ADOPT_REAP_POLL_USEC, 0, on_adopted_reap_timer, m);
                if (r >= 0)
                        return 0;
        }
        if (r < 0) {
                log_warning_errno(r == -EAGAIN ? -ETIMEDOUT : r,
                                  "Machine %s: its leader exited, but its exit status cannot be known: %m", m->name);
                code = EXIT_CODE_UNKNOWN;
                status = 0;
        }
        machine_payload_exited(m, code, status);
        return 0;
}

static int machine_watch_adopted_leader(Machine *m) {
        int r;

        r = sd_event_add_io(m->manager->event, &m->child_event_source, m->leader_pidfd, EPOLLIN, on_adopted_leader,
                            m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->child_event_source, "machine-adopted-leader");
        return 0;
}

/* The fd in the capsule stored as PREFIX-NAME (unpack_machine_capsule()), taken out of the adopted fds.
 * Returns it, or -errno (-ENOENT: none stored). */
static int adopted_capsule_fd(Manager *manager, const char *prefix, const char *name) {
        _cleanup_free_ char *key = NULL;
        _cleanup_close_ int capsule = -EBADF;
        int fd = -EBADF, r;

        if (asprintf(&key, "%s%s", prefix, name) < 0)
                return -ENOMEM;
        capsule = manager_take_adopted_fd(manager, key);
        if (capsule < 0)
                return capsule;
        r = fd_capsule_peek(capsule, &fd, 1, NULL, 0);
        return r < 0 ? r : fd;
}

/* The stored pidfd of machine NAME (out of its capsule), if it is the recorded leader. Returns it, or
 * -errno. */
static int adopted_pidfd(Manager *manager, const ContainerState *s) {
        _cleanup_close_ int pidfd = -EBADF;
        struct stat st;

        pidfd = adopted_capsule_fd(manager, "pidfd-", s->id);
        if (pidfd < 0)
                return pidfd;
        /* One inode per process on pidfs: the pidfd is of the recorded leader, or the state is not ours. */
        if (fstat(pidfd, &st) < 0)
                return -errno;
        if ((uint64_t) st.st_ino != s->pidfd_inode)
                return -ESTALE;
        return fd_move_high(TAKE_FD(pidfd));
}

/* Machine NAME is neither adopted nor forgotten (or is forgotten, adopt_forget()): the fds of its capsule that
 * were handed to us are closed here, so that the drop of unclaimed fds at the end (which removes their capsule
 * from the store) never sees them. */
static void adopt_leave_alone(Manager *manager, const char *name) {
        static const char *const prefixes[] = { "pidfd-", "notify-", "userns-" };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                _cleanup_free_ char *key = NULL;

                if (asprintf(&key, "%s%s", prefixes[i], name) >= 0)
                        safe_close(manager_take_adopted_fd(manager, key));
        }
}

static void unstore(const char *prefix, const char *name) {
        (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s%s", prefix, name);
}

/* What a machine that is gone leaves behind, when no Machine object can be made for it: its state, the
 * fds in the store, its propagation directory, its root directory locks. */
static void adopt_forget(Manager *manager, const char *name) {
        _cleanup_free_ char *key = NULL, *dir = NULL;
        Console *c;
        int r;

        r = container_state_remove(MACHINE_STATE_ROOT, name);
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "Failed to remove the state of machine %s, ignoring: %m", name);
        unstore(MACHINE_FDS_PREFIX, name);
        unstore("pidfd-", name);
        unstore("notify-", name);
        adopt_leave_alone(manager, name);       /* our copies; the store's went just above */

        c = hashmap_remove(manager->adopted_consoles, name);
        if (c) {
                unstore("console-", name);
                console_free(c);
        }
        if (asprintf(&key, "lock-%s", name) >= 0)
                image_lock_release(hashmap_remove(manager->adopted_locks, key));
        if (asprintf(&dir, "/run/systemd/nspawn/propagate/%s", name) >= 0)
                (void) rmdir(dir);
}

static const char *fact(const ContainerState *s, const char *key) {
        for (size_t i = 0; s->daemon && s->daemon[i] && s->daemon[i + 1]; i += 2)
                if (streq(s->daemon[i], key))
                        return s->daemon[i + 1];
        return NULL;
}

static uint64_t fact_u64(const ContainerState *s, const char *key, uint64_t def) {
        const char *v = fact(s, key);
        char *end;
        uint64_t u;

        if (!v || *v < '0' || *v > '9')      /* strtoull() would take "-1" and leading blanks */
                return def;
        errno = 0;
        u = strtoull(v, &end, 10);
        return errno == 0 && *end == 0 ? u : def;
}

/* adopt_forget() for a machine whose leader is gone: its network goes too (the kernel removed its veth with its
 * network namespace, but not a zone bridge or the Port= forwards). */
static void adopt_forget_gone(Manager *manager, const ContainerState *s) {
        const char *network = fact(s, "network");

        if (network)
                manager_network_teardown_record(s->id, network);
        adopt_forget(manager, s->id);
}

/* The console's ring buffer: the last lines the previous instance forwarded to the journal since the run
 * began, read backwards from the end until the buffer would be full, so that a long run costs no more. *J is
 * the journal, opened at the first call and kept for the rest of the adoption (manager_adopt_machines()
 * closes it): opening it maps and indexes every journal file, which for each of thousands of machines took
 * most of a restart's time and left its heap fragmented (issue #17). */
static void adopt_console_log(Machine *m, sd_journal **j) {
        _cleanup_strv_free_ char **lines = NULL;
        _cleanup_free_ char *match = NULL;
        size_t total = 0, n;

        if (!m->console)
                return;
        if (!*j && sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0) {
                *j = NULL;
                return;
        }
        sd_journal_flush_matches(*j);
        if (asprintf(&match, "MACHINE=%s", m->name) < 0)
                return;
        if (sd_journal_add_match(*j, match, 0) < 0 || sd_journal_add_match(*j, "_COMM=machined-ext", 0) < 0 ||
            sd_journal_seek_tail(*j) < 0)
                return;

        while (total < CONSOLE_LOG_PREFILL_MAX && sd_journal_previous(*j) > 0) {
                const void *d;
                char *line;
                uint64_t t;
                size_t k;

                if (sd_journal_get_realtime_usec(*j, &t) >= 0 && t < m->timestamp)
                        break;  /* an earlier run of the name */
                if (sd_journal_get_data(*j, "MESSAGE", &d, &k) < 0 || k < 8)
                        continue;
                line = strndup((const char *) d + 8, k - 8);
                if (!line || strv_push(&lines, line) < 0) {
                        free(line);
                        break;
                }
                total += k - 8 + 1;
        }

        /* Oldest first. */
        n = strv_length(lines);
        for (size_t i = n; i > 0; i--)
                if (console_log_prefill(m->console, lines[i - 1], strlen(lines[i - 1])) < 0 ||
                    console_log_prefill(m->console, "\n", 1) < 0)
                        break;
}

/* The bundle of state S as the copy of its config.json in the state (container_state_save_config()) says: 1
 * with *RET filled, 0 if S is not of a bundle or has no copy, -errno. */
static int adopt_bundle_copy(const ContainerState *s, BundleData *ret) {
        _cleanup_(bundle_data_done) BundleData d = {};
        const char *bundle = fact(s, "ociBundle") ?: s->bundle;
        int r;

        if (!bundle || !s->root)
                return 0;
        r = container_state_load_config(MACHINE_STATE_ROOT, s->id, &d.text, &d.size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        d.stage = BUNDLE_READ_DONE;
        d.bundle = strdup(bundle);
        d.root = strdup(s->root);         /* root.path as resolved at the start */
        if (!d.bundle || !d.root)
                return -ENOMEM;
        *ret = d;
        d = (BundleData) {};
        return 1;
}

/* Makes the Machine for state S, whose leader is PIDFD. Returns 0 or -errno. */
static int adopt_machine(Manager *manager, const ContainerState *s, int pidfd, sd_journal **journal,
                         Machine **ret) {
        _cleanup_(machine_freep) Machine *m = NULL;
        _cleanup_(bundle_data_done) BundleData bundle = {};
        _cleanup_free_ char *msg = NULL, *key = NULL;
        const char *v;
        int fd, r;

        r = machine_new(manager, s->id, &m);
        if (r < 0) {
                safe_close(pidfd);
                return r;
        }
        m->adopted = true;
        m->leader_pidfd = pidfd;
        if ((v = fact(s, "keepUnit"))) {
                m->keep_unit = strdup(v);
                if (machine_set_unit(m, v) < 0 || !m->keep_unit)
                        return -ENOMEM;
        }

        /* The definition as the settings say now (command, environment, warnings), an OCI machine's from the
         * copy of its config.json in the state: the bundle is on the caller's file system, which the daemon
         * never touches itself (a dead NFS server would hang its start-up). What the run was started with (and
         * what happened to it since) is the state's. */
        r = adopt_bundle_copy(s, &bundle);
        if (r < 0)
                log_warning_errno(r, "Machine %s: cannot read the copy of its config.json, adopting it without its "
                                  "bundle: %m", m->name);
        if (r > 0) {
                /* What runs, whatever the settings (OCIBundle=) say by now: those are for its next start. */
                m->bundle_data = &bundle;
                r = machine_load_bundle(m, bundle.bundle, &msg);
                m->bundle_data = NULL;
        } else
                r = s->bundle ? machine_load_bundle(m, s->bundle, &msg) : machine_load(m, &msg);
        m->bundle_pending = mfree(m->bundle_pending);
        m->bundle_text = mfree(m->bundle_text);         /* the state has it */
        if (r == MACHINE_LOAD_BUNDLE_PENDING)
                log_warning("Machine %s: its state has no readable copy of its bundle's config.json (or it was "
                            "started by an older version); adopting it with what its state says, without its hooks.",
                            m->name);
        else if (r < 0)
                log_warning("Machine %s: %s; adopting it with what its state says.", m->name,
                            msg ?: "cannot read its definition");
        if (!m->root && s->root && !(m->root = strdup(s->root)))
                return -ENOMEM;
        if (!m->bundle && s->bundle && !(m->bundle = strdup(s->bundle)))
                return -ENOMEM;         /* for the next restart, whatever became of the definition */
        if (!m->settings_path && s->settings && !(m->settings_path = strdup(s->settings)))
                return -ENOMEM;
        /* Settings not read again (the copy of its config.json): the Warnings of those it was started from. */
        if (!m->settings && (v = fact(s, "warnings"))) {
                if (strv_split_lines(v, &m->warnings_kept) < 0)
                        return -ENOMEM;
                /* Text for the bus, as the daemon wrote it (the state is not trusted): no control characters,
                 * nothing sd-bus refuses. */
                STRV_FOREACH(w, m->warnings_kept)
                        (void) replace_unprintable(*w, '?');
        }
        if (!m->hostname && !(m->hostname = strdup(fact(s, "hostname") ?: m->name)))
                return -ENOMEM;

        if ((v = fact(s, "id")) && sd_id128_from_string(v, &m->id) < 0)
                log_warning("Machine %s: invalid id in its state, ignoring.", m->name);
        m->state = machine_state_from_string(fact(s, "state"));
        if (m->state < 0)
                m->state = MACHINE_RUNNING;
        machine_listing_invalidate(&manager->listing);  /* no signal: the machine is new to the bus */
        if ((v = fact(s, "status")) && !(m->status_text = strdup(v)))
                return -ENOMEM;
        if (m->status_text && !notify_status_is_valid(m->status_text, strlen(m->status_text))) {
                log_warning("Machine %s: invalid status text in its state, ignoring.", m->name);
                m->status_text = mfree(m->status_text);
        }
        m->timestamp = fact_u64(s, "timestamp", 0);
        m->timestamp_monotonic = fact_u64(s, "timestampMonotonic", 0);
        m->ready_timestamp = fact_u64(s, "readyTimestamp", 0);
        m->ready_timestamp_monotonic = fact_u64(s, "readyTimestampMonotonic", 0);
        m->boot = fact_u64(s, "boot", m->boot > 0);
        m->notify_ready = fact_u64(s, "notifyReady", m->notify_ready > 0);
        if ((r = notify_access_from_string(fact(s, "notifyAccess"))) >= 0)
                m->notify_access = r;
        v = fact(s, "killSignal");
        if (v && SIGNAL_VALID((int) fact_u64(s, "killSignal", 0)) && fact_u64(s, "killSignal", 0) > 0)
                m->kill_signal = (int) fact_u64(s, "killSignal", 0);
        m->timeout_start_usec = fact_u64(s, "timeoutStartUSec", m->timeout_start_usec);
        if ((r = console_mode_from_string(fact(s, "consoleMode"))) >= 0)
                m->console_mode = r;
        m->read_only = fact_u64(s, "readOnly", m->read_only > 0);
        m->stop_requested = fact_u64(s, "stopRequested", 0);
        m->stop_deadline = m->stop_requested ? fact_u64(s, "stopDeadlineMonotonic", 0) : 0;

        if ((v = fact(s, "network"))) {
                r = machine_network_adopt(m, v);
                if (r < 0)
                        log_warning_errno(r, "Machine %s: invalid network record in its state, its network will not "
                                          "be removed: %m", m->name);
        }

        machine_set_leader(m, s->pid);
        m->leader_inode = s->pidfd_inode;
        m->leader_start_time = s->start_time;
        if (s->cgroup && !(m->cgroup = strdup(s->cgroup)))
                return -ENOMEM;

        /* It ran, was exec'd and registered: every step of the start is behind it. */
        m->released = m->setup_done = m->scope_requested = m->scope_ready = true;
        m->register_sent = m->registration_settled = m->exec_done = m->start_done = true;
        m->registered = fact_u64(s, "registered", 1);
        m->machined_gone = !m->registered;
        m->fds_stored = true;
        /* Released, its start cut short: the previous instance died before machined's answer to
         * RegisterMachine (sent right after the release) was in, or while machined was away. Whether machined
         * has it is checked once it is adopted, and it is registered again if not (machined_recheck()). And
         * without READY=1 to wait for, the start was done with the release. */
        if (s->status == CONTAINER_RUNNING) {
                if (!m->registered) {
                        m->registered = true;
                        m->machined_gone = false;
                        r = machined_recheck(m);
                        if (r < 0)
                                log_warning_errno(r, "Machine %s: failed to check its registration with "
                                                  "systemd-machined: %m", m->name);
                }
                if (m->state == MACHINE_STARTING && m->notify_ready <= 0) {
                        m->state = MACHINE_RUNNING;
                        machine_listing_invalidate(&manager->listing);
                        m->ready_timestamp = now(CLOCK_REALTIME);
                        m->ready_timestamp_monotonic = now(CLOCK_MONOTONIC);
                }
        }

        if (asprintf(&m->propagate_dir, "/run/systemd/nspawn/propagate/%s", m->name) < 0)
                return -ENOMEM;
        if (access(m->propagate_dir, F_OK) < 0)
                m->propagate_dir = mfree(m->propagate_dir);

        /* The console: the reader fd from the store, with the output so far from the journal. */
        m->console = hashmap_remove(manager->adopted_consoles, m->name);
        if (m->console) {
                console_adopted_claim(m->console, m->console_mode, m->unit);
                adopt_console_log(m, journal);
        }
        if (asprintf(&key, "lock-%s", m->name) < 0)
                return -ENOMEM;
        m->image_lock = hashmap_remove(manager->adopted_locks, key);
        key = mfree(key);
        r = image_lock_seal(m->image_lock);
        if (r < 0)
                log_debug_errno(r, "Machine %s: failed to put its root directory lock fds into a capsule: %m", m->name);

        if (asprintf(&key, "notify-%s", m->name) < 0)
                return -ENOMEM;
        fd = manager_take_adopted_fd(manager, key);
        if (fd >= 0) {
                r = machine_watch_notify(m, fd);
                if (r < 0) {
                        safe_close(fd);
                        log_warning_errno(r, "Machine %s: failed to watch its notify socket, ignoring: %m", m->name);
                } else
                        m->notify_stored = true;
        } else if (m->state == MACHINE_STARTING)
                log_warning("Machine %s: its notify socket was not kept (the service was stopped, not restarted): "
                            "its READY=1 cannot be received any more.", m->name);

        *ret = TAKE_PTR(m);
        return 0;
}

/* Resumes what was under way: the start timeout of a machine still waiting for READY=1, the SIGKILL after a
 * stop signal; and watches the leader. */
static void adopt_resume(Machine *m) {
        int r;

        r = machine_watch_adopted_leader(m);
        if (r < 0)
                log_warning_errno(r, "Machine %s: failed to watch its leader: %m", m->name);

        if (m->state == MACHINE_STARTING && m->notify_ready > 0 && m->timeout_start_usec != USEC_INFINITY) {
                usec_t n = now(CLOCK_MONOTONIC), deadline;

                /* Saturated: a huge TimeoutStartSec= must not wrap around into "expired". */
                if (__builtin_add_overflow(m->timestamp_monotonic, m->timeout_start_usec, &deadline))
                        deadline = USEC_INFINITY - 1;

                r = machine_arm_start_timeout(m, deadline > n ? deadline - n : 1);
                if (r < 0)
                        log_warning_errno(r, "Machine %s: failed to arm its start timeout, ignoring: %m", m->name);
        }
        if (m->stop_requested && m->kill_signal != SIGKILL) {
                r = machine_arm_stop_timer(m);
                if (r < 0)
                        log_warning_errno(r, "Machine %s: failed to arm its stop timer, ignoring: %m", m->name);
        }
}

static int adopt_entry(Manager *manager, const ContainerStateEntry *e, sd_journal **journal) {
        const ContainerState *s = e->state;
        _cleanup_close_ int pidfd = -EBADF, userns_lock = -EBADF;
        Machine *m = NULL;
        int code = 0, status = 0, r;
        bool ended, kept;

        if (s->owner != CONTAINER_OWNER_DAEMON || !machine_name_is_valid(s->id)) {
                log_warning("State %s/%s is not of a machine of the daemon, removing it.", MACHINE_STATE_ROOT, s->id);
                adopt_forget(manager, s->id);
                return 0;
        }
        if (manager_get_machine(manager, s->id))
                return 0;
        /* Whatever becomes of the machine: taken (machine_userns_adopt() checks which file it locks). */
        userns_lock = adopted_capsule_fd(manager, "userns-", s->id);

        if (s->pid > 0) {
                pidfd = adopted_pidfd(manager, s);
                if (pidfd == -ESTALE)
                        /* A stale or foreign entry of the store does not make a leader that still runs gone. */
                        log_warning("Machine %s: the stored pidfd is not of the leader its state names, not trusting "
                                    "it; checking the leader by its PID.", s->id);
                if (pidfd < 0 && IN_SET(e->leader, LEADER_ALIVE, LEADER_UNKNOWN)) {
                        /* Not in the fd store (the service was stopped and started): the PID, checked against
                         * the recorded pidfd inode and start time. */
                        r = container_state_check_leader(s, &pidfd);
                        if (r != LEADER_ALIVE)
                                pidfd = safe_close(pidfd);
                        if (r < 0 && e->leader == LEADER_UNKNOWN) {
                                /* Neither ended nor known: its state stays for the next instance, and so does its
                                 * capsule in the store (only our copies of what came out of it go). */
                                log_warning_errno(r, "Machine %s: cannot tell whether its leader (PID %i) still runs, "
                                                  "leaving it alone: %m", s->id, (int) s->pid);
                                adopt_leave_alone(manager, s->id);
                                return 0;
                        }
                }
        }

        if (s->pid == 0 && s->status == CONTAINER_STOPPED && fact(s, "exitCode")) {
                /* Its payload had exited and the previous instance was cleaning up after it. */
                code = exit_code_from_string(fact(s, "exitCode"));
                status = (int) fact_u64(s, "exitStatus", 0);
                log_info("Machine %s had ended (%s, status %i); cleaning up after it.", s->id,
                         exit_code_to_string(code) ?: "unknown", status);
                r = manager_record_exit(manager, s->id, code >= 0 ? code : EXIT_CODE_UNKNOWN, status, 0, NULL);
                if (r < 0)
                        return r;
                adopt_forget_gone(manager, s);
                return 0;
        }

        if (pidfd < 0) {
                if (e->leader == LEADER_REUSED)
                        log_warning("Machine %s: PID %i now belongs to another process; its state is stale, removing it.",
                                    s->id, (int) s->pid);
                else
                        log_warning("Machine %s ended while the daemon was not running; its exit status is unknown "
                                    "(its pidfd was not kept). Cleaning up after it.", s->id);
                if (s->pid > 0 && e->leader != LEADER_REUSED) {
                        r = manager_record_exit(manager, s->id, EXIT_CODE_UNKNOWN, 0, 0, NULL);
                        if (r < 0)
                                return r;
                }
                adopt_forget_gone(manager, s);
                return 0;
        }

        r = leader_pidfd_exit(pidfd, &code, &status);
        if (r == -EOPNOTSUPP) {
                code = EXIT_CODE_UNKNOWN;
                status = 0;
        } else if (r == -EAGAIN)
                r = 0;  /* exited a moment ago and not reaped yet: the watch of the leader sees it soon */
        else if (r < 0)
                return r;
        ended = r != 0;

        fault_stall("stall-adoption", s->id);
        r = adopt_machine(manager, s, pidfd, journal, &m);
        TAKE_FD(pidfd);
        if (r == -ENOMEM)
                return r;       /* its state stays, for the next instance: the machine may well run */
        if (r < 0) {
                log_warning_errno(r, "Failed to adopt machine %s, forgetting it: %m", s->id);
                adopt_forget(manager, s->id);
                return 0;
        }

        if (ended) {
                /* Ended while no daemon ran: reported with its real exit status, then cleaned up. systemd-
                 * machined dropped it when its scope emptied; make sure of that before it is gone. */
                log_info("Machine %s ended while the daemon was not running (%s, status %i); cleaning up after it.",
                         m->name, exit_code_to_string(code) ?: "?", status);
                if (m->registered) {
                        m->unregister_sent = true;
                        if (machine_dbus_unregister(m) < 0)
                                m->machined_gone = true;
                }
                machine_payload_exited(m, code, status);
                return 1;
        }

        adopt_resume(m);
        /* The range recorded at the start; only an older daemon's state lacks it. */
        r = fact(s, "usernsRange") ?
                machine_userns_adopt(m, fact_u64(s, "usernsShift", UINT64_MAX), fact_u64(s, "usernsRange", UINT64_MAX),
                                     TAKE_FD(userns_lock)) :
                machine_userns_adopt_from_leader(m);
        if (r < 0)
                log_warning_errno(r, "Machine %s: failed to take the UID range of its user namespace again, ignoring: %m",
                                  m->name);
        kept = machine_state_store_fds(m);
        log_info("Machine %s (PID %i, %s) of a previous instance of the daemon adopted%s.", m->name,
                 (int) m->leader, machine_state_to_string(m->state),
                 kept ? ", its fds in systemd's fd store as they were" : "");
        machine_state_update(m);
        return 1;
}

int manager_adopt_machines(Manager *manager) {
        ContainerStateEntry *entries = NULL;
        _cleanup_strv_free_ char **problems = NULL;
        sd_journal *journal = NULL;
        size_t n = 0;
        int adopted = 0, r;

        r = container_state_list(MACHINE_STATE_ROOT, &entries, &n, &problems);
        if (r < 0)
                return r;
        STRV_FOREACH(p, problems)
                log_warning("Machine state %s/%s.", MACHINE_STATE_ROOT, *p);

        for (size_t i = 0; i < n; i++) {
                r = adopt_entry(manager, &entries[i], &journal);
                if (r < 0) {
                        /* Its state stays for the next instance (out of memory, say): its capsule too. */
                        log_warning_errno(r, "Failed to adopt machine %s, ignoring: %m", entries[i].state->id);
                        adopt_leave_alone(manager, entries[i].state->id);
                        continue;
                }
                adopted += r;
        }
        sd_journal_close(journal);
        container_state_entries_free(entries, n);
        return adopted;
}
