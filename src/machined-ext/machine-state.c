/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A daemon machine's state on disk and its fds in systemd's fd store: what a restarted daemon needs to know
 * the machine again (manager-adopt.c reads it back). */
#include <assert.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <systemd/sd-daemon.h>

#include "console.h"
#include "escape.h"
#include "fd-capsule.h"
#include "image-lock.h"
#include "log.h"
#include "machine-network.h"
#include "machine-state.h"
#include "state.h"
#include "strv.h"

static int map_add(char ***l, const char *key, const char *value) {
        if (strv_extend(l, key) < 0 || strv_extend(l, value ?: "") < 0)
                return -ENOMEM;
        return 0;
}

static int map_add_u64(char ***l, const char *key, uint64_t v) {
        char buf[32];

        (void) snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return map_add(l, key, buf);
}

/* A settings file of an image may be 4 MiB of lines that each give a notice; the state is written again at
 * every change of the machine. It keeps all notices if they fit into WARNINGS_RECORD_MAX bytes, else those
 * that fit into WARNINGS_RECORD_MAX - WARNINGS_MORE_MAX and a last line saying how many it left out: that
 * list, recorded again after an adoption, fits whole and stays as it is. */
#define WARNINGS_RECORD_MAX (64U * 1024U)
#define WARNINGS_MORE_MAX 128U

/* NOTICES one a line (conf_notice() leaves them printable UTF-8 without control characters), bounded as
 * above; TOTAL: how many notices there were in all (machine_warnings_total()), so that the last line counts
 * each one left out, also those a line of NOTICES only counts. Returns 0 or -ENOMEM. */
static int warnings_record(char * const *notices, size_t total, char **ret) {
        size_t n = 0, all = 0, kept = 0;
        _cleanup_free_ char *text = NULL;
        char *e;

        STRV_FOREACH(w, notices)
                all += strlen(*w) + 1;
        STRV_FOREACH(w, notices) {
                size_t k = strlen(*w) + 1;
                if (all > WARNINGS_RECORD_MAX && n + k > WARNINGS_RECORD_MAX - WARNINGS_MORE_MAX)
                        break;
                n += k;
                kept++;
        }
        text = new(char, n + WARNINGS_MORE_MAX);
        if (!text)
                return -ENOMEM;
        e = text;
        *e = 0;
        for (size_t i = 0; i < kept; i++)
                e = stpcpy(stpcpy(e, i > 0 ? "\n" : ""), notices[i]);
        /* Some left out: counted from TOTAL. (All kept, NOTICES' own last line may count those the settings
         * left out: it stays, and says so.) */
        if (notices && notices[kept])
                (void) snprintf(e, WARNINGS_MORE_MAX, "%s%zu more warning%s, not kept across a restart of "
                                "machined-ext.", kept > 0 ? "\n" : "", total - kept, total - kept == 1 ? "" : "s");
        *ret = TAKE_PTR(text);
        return 0;
}

/* The daemon's own facts about the running machine: what its settings made of it at its start (the file may
 * have changed since), and what happened since (State, Status=, readiness, a stop under way). */
static int machine_daemon_facts(Machine *m, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *network = NULL, *warnings = NULL;
        char id[SD_ID128_STRING_MAX];
        int r = 0;

        sd_id128_to_string(m->id, id);
        r = machine_network_record(m, &network);
        r = r ?: map_add(&l, "state", machine_state_to_string(m->state));
        if (m->status_text)
                r = r ?: map_add(&l, "status", m->status_text);
        r = r ?: map_add(&l, "id", id);
        r = r ?: map_add_u64(&l, "timestamp", m->timestamp);
        r = r ?: map_add_u64(&l, "timestampMonotonic", m->timestamp_monotonic);
        r = r ?: map_add_u64(&l, "readyTimestamp", m->ready_timestamp);
        r = r ?: map_add_u64(&l, "readyTimestampMonotonic", m->ready_timestamp_monotonic);
        r = r ?: map_add(&l, "hostname", m->hostname);
        r = r ?: map_add_u64(&l, "boot", m->boot > 0);
        r = r ?: map_add_u64(&l, "notifyReady", m->notify_ready > 0);
        r = r ?: map_add(&l, "notifyAccess", notify_access_to_string(m->notify_access));
        r = r ?: map_add_u64(&l, "killSignal", (uint64_t) m->kill_signal);
        r = r ?: map_add_u64(&l, "timeoutStartUSec", m->timeout_start_usec);
        r = r ?: map_add(&l, "consoleMode", console_mode_to_string(m->console_mode));
        r = r ?: map_add_u64(&l, "readOnly", m->read_only > 0);
        /* The UID range as given (0: none): what /proc/LEADER/uid_map shows can be the payload's own nested
         * user namespace by then. */
        r = r ?: map_add_u64(&l, "usernsShift", m->userns_shift);
        r = r ?: map_add_u64(&l, "usernsRange", m->userns_range);
        r = r ?: map_add_u64(&l, "registered", m->registered);
        r = r ?: map_add_u64(&l, "stopRequested", m->stop_requested);
        if (m->stop_deadline > 0)
                r = r ?: map_add_u64(&l, "stopDeadlineMonotonic", m->stop_deadline);
        if (m->keep_unit)
                r = r ?: map_add(&l, "keepUnit", m->keep_unit);
        /* The settings' notices: the Warnings of a machine adopted from the copy of its config.json, which
         * does not read its settings again. */
        if (r >= 0 && strv_length(machine_warnings(m)) > 0) {
                r = warnings_record(machine_warnings(m), machine_warnings_total(m), &warnings);
                r = r ?: map_add(&l, "warnings", warnings);
        }
        /* The bundle of an OCI machine (also one of OCIBundle=): that of its config.json copy. */
        if (m->oci && m->bundle)
                r = r ?: map_add(&l, "ociBundle", m->bundle);
        /* What a teardown needs after a restart: the links and forwards this run has on the host. */
        if (network)
                r = r ?: map_add(&l, "network", network);
        if (m->exited) {
                r = r ?: map_add(&l, "exitCode", exit_code_to_string(m->exit_code));
                r = r ?: map_add_u64(&l, "exitStatus", (uint64_t) m->exit_status);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static int machine_state_save(Machine *m) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        int r;

        s = new0(ContainerState, 1);
        if (!s)
                return -ENOMEM;
        *s = (ContainerState) {
                .owner = CONTAINER_OWNER_DAEMON,
                .created = {
                        .tv_sec = (time_t) (m->timestamp / USEC_PER_SEC),
                        .tv_nsec = (long) (m->timestamp % USEC_PER_SEC) * 1000,
                },
        };
        if (m->exited)
                s->status = CONTAINER_STOPPED;
        else {
                s->status = m->released ? CONTAINER_RUNNING : CONTAINER_CREATING;
                s->pid = m->leader;
                s->pidfd_inode = m->leader_inode;
                s->start_time = m->leader_start_time;
        }
        s->id = strdup(m->name);
        if (!s->id)
                return -ENOMEM;
        /* A machine of a settings file (also one with OCIBundle=) is found again through that file; one
         * started by StartMachineFromBundle through its bundle. */
        if (m->settings_path && !(s->settings = strdup(m->settings_path)))
                return -ENOMEM;
        if (!m->settings_path && m->bundle && !(s->bundle = strdup(m->bundle)))
                return -ENOMEM;
        if (m->root && !(s->root = strdup(m->root)))
                return -ENOMEM;
        if (m->unit && !(s->unit = strdup(m->unit)))
                return -ENOMEM;
        if (m->cgroup && !(s->cgroup = strdup(m->cgroup)))
                return -ENOMEM;
        r = machine_daemon_facts(m, &s->daemon);
        if (r < 0)
                return r;

        return container_state_save(MACHINE_STATE_ROOT, s);
}

void machine_state_update(Machine *m) {
        int r;

        /* Nothing to record before the spawn, or once the run is gone (or between two runs). */
        if (m->finalized || m->leader <= 0 || m->leader_inode == 0)
                return;

        /* The payload's cgroup, once it is in its unit: for the state, and for NotifyAccess=all. */
        if (m->released && !m->exited && !m->cgroup) {
                r = pid_get_cgroup(m->leader, &m->cgroup);
                if (r < 0)
                        log_debug_errno(r, "Failed to read the cgroup of machine %s: %m", m->name);
                else if (needs_terminal_escape(m->cgroup, strlen(m->cgroup), 0)) {
                        /* The payload runs by now, and may have moved itself into a sub-cgroup of its own
                         * naming: not a name the state (UTF-8 JSON) could keep. */
                        log_debug("Machine %s: its cgroup's path is not printable UTF-8, not recorded.", m->name);
                        m->cgroup = mfree(m->cgroup);
                }
        }

        r = machine_state_save(m);
        if (r < 0)
                log_warning_errno(r, "Failed to save the state of machine %s, ignoring: %m", m->name);
}

static int store_fd(const char *prefix, const char *name, int fd) {
        _cleanup_free_ char *state = NULL;

        if (asprintf(&state, "FDSTORE=1\nFDNAME=%s%s", prefix, name) < 0)
                return -ENOMEM;
        return sd_pid_notify_with_fds(0, false, state, &fd, 1);
}

static void unstore_fd(const char *prefix, const char *name) {
        int r;

        r = sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s%s", prefix, name);
        if (r < 0)
                log_debug_errno(r, "Failed to remove %s%s from the fd store, ignoring: %m", prefix, name);
}

int machine_state_started(Machine *m) {
        struct stat st;
        int r;

        /* The pidfd's inode (one per process on pidfs) and the start time identify the leader for good. */
        r = fstat(m->leader_pidfd, &st) < 0 ? -errno : pid_get_start_time(m->leader, &m->leader_start_time);
        if (r < 0) {
                log_warning_errno(r, "Failed to identify the leader of machine %s, its state is not saved: %m",
                                  m->name);
                return 0;
        }
        m->leader_inode = (uint64_t) st.st_ino;
        /* The bundle's config.json before the state that names it: a restarted daemon adopts the machine from
         * this copy, never from the bundle's file system (which may hang by then). Then the text goes: the
         * state has it (and gives it back for the next run of a machine that rebooted, machine_state_drop()). */
        if (m->bundle_text) {
                r = container_state_save_config(MACHINE_STATE_ROOT, m->name, m->bundle_text, m->bundle_text_size);
                if (r < 0)      /* kept: its next run tries again */
                        log_warning_errno(r, "Failed to keep a copy of the config.json of machine %s, a restarted "
                                          "daemon adopts it without its bundle: %m", m->name);
                else
                        m->bundle_text = mfree(m->bundle_text);
        }
        return machine_state_save(m);
}

/* What an older daemon stored one by one, now in the capsule. */
static const char *const legacy_prefixes[] = { "console-", "lock-", "pidfd-" };

bool machine_notify_in_capsule(void) {
        static int cached = -1;
        const char *e;
        struct utsname u;
        unsigned major, minor;

        if (cached >= 0)
                return cached;
        e = getenv("MACHINED_EXT_FD_STORE_NOTIFY");
        if (e && streq(e, "capsule"))
                cached = true;
        else if (e && streq(e, "separate"))
                cached = false;
        else {
                if (e)
                        log_warning("Ignoring MACHINED_EXT_FD_STORE_NOTIFY=%s: neither \"capsule\" nor \"separate\".", e);
                /* Linux 6.10 reworked the AF_UNIX garbage collector: it runs only once a socket in flight was
                 * sent to another one in flight (a cycle may have formed), which a capsule never is. */
                cached = uname(&u) >= 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
                         (major > 6 || (major == 6 && minor >= 10));
        }
        return cached;
}

/* What M's capsule holds: FDS (N, returned) and TAG, with copies of its root directory lock fds in LOCKS
 * (*RET_N_LOCKS of them, for the caller to close). Returns N or -errno. */
static int capsule_contents(Machine *m, int fds[static FD_CAPSULE_MAX], int locks[static 2], int *ret_n_locks,
                            char tag[static 64]) {
        int n_locks, r;
        size_t n = 0;

        tag[0] = 0;
        if (m->leader_pidfd >= 0) {
                fds[n++] = m->leader_pidfd;
                strcat(tag, MACHINE_FDS_PIDFD " ");
        }
        r = console_reader_fd(m->console);
        if (r >= 0) {
                fds[n++] = r;
                strcat(tag, MACHINE_FDS_CONSOLE " ");
        }
        /* Without its locks the capsule must not replace one that has them. */
        n_locks = image_lock_copy_fds(m->image_lock, locks);
        if (n_locks < 0)
                return n_locks;
        for (int i = 0; i < n_locks; i++) {
                fds[n++] = locks[i];
                strcat(tag, MACHINE_FDS_LOCK " ");
        }
        if (m->notify_fd >= 0 && machine_notify_in_capsule()) {
                fds[n++] = m->notify_fd;
                strcat(tag, MACHINE_FDS_NOTIFY " ");
        }
        /* The UID range stays taken while no daemon runs (nspawn -U must not pick it meanwhile). */
        if (m->userns_lock_fd >= 0) {
                fds[n++] = m->userns_lock_fd;
                strcat(tag, MACHINE_FDS_USERNS " ");
        }
        *ret_n_locks = n_locks;
        return (int) n;
}

static int machine_store_fds_full(Machine *m, bool replace) {
        _cleanup_close_ int capsule = -EBADF;
        int fds[FD_CAPSULE_MAX], locks[2] = { -EBADF, -EBADF }, n_locks = 0, n, r;
        char tag[64];

        if (m->fds_stored && !replace)
                return 0;
        n = capsule_contents(m, fds, locks, &n_locks, tag);
        if (n <= 0)
                return n;
        capsule = r = fd_capsule_new(fds, n, tag);
        for (int i = 0; i < n_locks; i++)
                safe_close(locks[i]);
        if (r < 0)
                return r;
        /* systemd handles the notifications in order: the old entries are gone before the new one comes. */
        if (replace) {
                unstore_fd(MACHINE_FDS_PREFIX, m->name);
                for (size_t i = 0; i < ELEMENTSOF(legacy_prefixes); i++)
                        unstore_fd(legacy_prefixes[i], m->name);
                m->fds_stored = false;
        }
        /* Now in the capsule: an entry of its own (an earlier instance's, or one on another kernel) goes. */
        if (m->notify_fd >= 0 && machine_notify_in_capsule() && (replace || m->notify_stored)) {
                unstore_fd("notify-", m->name);
                m->notify_stored = false;
        }
        r = store_fd(MACHINE_FDS_PREFIX, m->name, capsule);
        if (r > 0)
                m->fds_stored = true;
        return r;
}

int machine_store_fds(Machine *m) {
        /* With the notify socket in it, the capsule waits for the set-up's end, which brings the socket
         * (machine_store_fds_setup_done()). Until its release the init dies with us: nothing to keep before. */
        if (machine_notify_in_capsule())
                return 0;
        return machine_store_fds_full(m, /* replace= */ false);
}

static void store_notify_entry(Machine *m) {
        int r;

        if (m->notify_fd < 0 || m->notify_stored)
                return;
        r = store_fd("notify-", m->name, m->notify_fd);
        if (r < 0)
                log_debug_errno(r, "Failed to store the notify socket of machine %s, ignoring: %m", m->name);
        else if (r > 0)
                m->notify_stored = true;
}

void machine_store_fds_setup_done(Machine *m) {
        int r;

        if (!machine_notify_in_capsule()) {
                store_notify_entry(m);
                return;
        }
        r = machine_store_fds_full(m, /* replace= */ false);
        if (r < 0)
                log_debug_errno(r, "Failed to store the fds of machine %s, ignoring: %m", m->name);
}

void machine_state_drop(Machine *m) {
        int r;

        if (m->fds_stored)
                unstore_fd(MACHINE_FDS_PREFIX, m->name);
        if (m->notify_stored)
                unstore_fd("notify-", m->name);
        /* An adopted machine that ended before it was stored again may still have an older daemon's. */
        if (m->adopted)
                for (size_t i = 0; i < ELEMENTSOF(legacy_prefixes); i++)
                        unstore_fd(legacy_prefixes[i], m->name);
        m->fds_stored = m->notify_stored = false;

        if (m->leader_inode == 0 && !m->adopted)
                return;         /* never written */
        /* Its next run (it rebooted) writes the copy of its config.json again: the state directory goes now. */
        if (m->reboot_pending && m->oci && !m->bundle_text) {
                r = container_state_load_config(MACHINE_STATE_ROOT, m->name, &m->bundle_text, &m->bundle_text_size);
                if (r < 0)
                        log_warning_errno(r, "Failed to read the copy of the config.json of machine %s, its next run "
                                          "has none: %m", m->name);
        }
        m->leader_inode = m->leader_start_time = 0;
        r = container_state_remove(MACHINE_STATE_ROOT, m->name);
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "Failed to remove the state of machine %s, ignoring: %m", m->name);
}

/* Whether the fd store holds, as the previous instance left it, just what this one would store for the adopted
 * M: its capsule, whose fds M's are (they came out of it), with the tag M's would have now, and besides it
 * only, in the separate layout, its notify socket. Then M stores nothing again: systemd compares each fd given
 * to it with every fd it stores (kcmp()), and storing every adopted machine anew made a restart with 2000
 * running take 7 s of PID 1's time (issue #17). */
static bool machine_store_intact(Machine *m) {
        int fds[FD_CAPSULE_MAX], locks[2], n_locks = 0, n;
        const char *stored;
        bool notify_entry;
        char tag[64];

        stored = manager_stored_entry(m->manager, MACHINE_FDS_PREFIX, m->name);
        if (!stored)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(legacy_prefixes); i++)
                if (manager_stored_entry(m->manager, legacy_prefixes[i], m->name))
                        return false;
        notify_entry = manager_stored_entry(m->manager, "notify-", m->name);
        if (notify_entry != (m->notify_fd >= 0 && !machine_notify_in_capsule()))
                return false;
        /* Its UID range locked anew (the stored lock was not that file's any more): the capsule's is stale. */
        if (m->userns_lock_fd >= 0 && !m->userns_lock_stored)
                return false;
        n = capsule_contents(m, fds, locks, &n_locks, tag);
        for (int i = 0; i < n_locks; i++)
                safe_close(locks[i]);
        if (n <= 0 || !streq(tag, stored))
                return false;
        m->fds_stored = true;
        m->notify_stored = notify_entry;
        return true;
}

bool machine_state_store_fds(Machine *m) {
        int r;

        if (machine_store_intact(m))
                return true;

        /* In place of what the store has of it: after a crash, the previous instance's capsule (the same fds,
         * but systemd cannot tell: it compares the capsules), or what an older daemon stored one by one. The
         * notify socket is the same fd as the stored one: systemd drops the copy. */
        r = machine_store_fds_full(m, /* replace= */ true);
        if (r < 0)
                log_debug_errno(r, "Failed to store the fds of machine %s, ignoring: %m", m->name);
        if (!machine_notify_in_capsule()) {
                m->notify_stored = false;
                store_notify_entry(m);
        }
        return false;
}
