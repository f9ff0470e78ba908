/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <signal.h>
#include <unistd.h>

#include "bus-api.h"
#include "fd-util.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "name.h"
#include "oci-containers.h"
#include "oci-stop-record.h"
#include "state.h"
#include "strv.h"
#include "time-util.h"

static void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

/* The status as the OCI CLI's "state" derives it: what was recorded, unless the recorded leader is no more. */
static const char *derived_status(const ContainerState *s, pid_t *ret_leader) {
        int r;

        *ret_leader = 0;
        if (s->pid <= 0)
                return container_status_to_string(s->status);
        r = container_state_check_leader(s, NULL);
        if (r != LEADER_ALIVE)
                return container_status_to_string(CONTAINER_STOPPED);  /* gone, recycled, or cannot tell */
        *ret_leader = s->pid;
        return container_status_to_string(container_state_live_status(s));
}

int oci_containers_append(sd_bus_message *reply, const char *root, bool show_bundle) {
        _cleanup_(closedirp) DIR *d = NULL;
        int r;

        d = opendir(root);
        if (!d)
                return errno == ENOENT ? 0 : -errno;

        for (struct dirent *de; (errno = 0, de = readdir(d)); ) {
                _cleanup_(container_state_freep) ContainerState *s = NULL;
                _cleanup_free_ char *error = NULL;
                const char *status;
                pid_t leader;

                if (!container_id_is_valid(de->d_name))
                        continue;       /* also ".", "..", temp files */
                /* Never trusted: every field typed and checked, symlinks and oversized files refused. */
                r = container_state_load(root, de->d_name, &s, &error);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_debug_errno(r, "Not listing OCI container %s/%s: %s", root, de->d_name,
                                        error ?: strerror(-r));
                        continue;
                }
                if (s->owner != CONTAINER_OWNER_OCI_CLI)
                        continue;

                status = derived_status(s, &leader);
                /* The bundle is the caller's path, any bytes (as for runc): as text the bus takes. */
                r = sd_bus_message_open_container(reply, 'r', "ssuss");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "ssu", s->id, status, (uint32_t) leader);
                if (r >= 0)
                        r = bus_append_text(reply, s->unit);
                if (r >= 0)
                        r = bus_append_text(reply, show_bundle ? s->bundle : NULL);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return -errno;
        return 0;
}

/* Whether the process of PIDFD has exited: a pidfd polls readable then (also before it is reaped). */
static bool pidfd_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) > 0;
}

int oci_containers_live_ids(const char *root, char ***ret) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_strv_free_ char **l = NULL;
        int r;

        d = opendir(root);
        if (!d && errno != ENOENT)
                return -errno;

        for (struct dirent *de; d && (errno = 0, de = readdir(d)); ) {
                _cleanup_(container_state_freep) ContainerState *s = NULL;
                _cleanup_close_ int pidfd = -EBADF;

                if (!container_id_is_valid(de->d_name))
                        continue;
                /* As oci_machine_get() reads it: validated, owned by the CLI, its leader the recorded one. */
                r = container_state_load(root, de->d_name, &s, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || s->owner != CONTAINER_OWNER_OCI_CLI || s->pid <= 0)
                        continue;
                r = container_state_check_leader(s, &pidfd);
                if (r != LEADER_ALIVE || pidfd_exited(pidfd))
                        continue;
                if (strv_extend(&l, s->id) < 0)
                        return -ENOMEM;
        }
        if (d && errno != 0)
                return -errno;
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- the containers of the CLI as machines ---------------------------------------------------------- */

static OciMachine *oci_machine_free(OciMachine *o) {
        if (!o)
                return NULL;
        if (o->manager)
                (void) hashmap_remove_value(o->manager->oci_containers, o->id, o);
        sd_event_source_disable_unref(o->exit_source);
        sd_event_source_disable_unref(o->kill_timer);
        safe_close(o->leader_pidfd);
        container_state_free(o->state);
        free(o->path);
        free(o->id);
        return mfree(o);
}

static void oci_machine_freep(OciMachine **o) {
        oci_machine_free(*o);
}

static int on_oci_gc(sd_event_source *s, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        while (m->oci_gc_queue) {
                OciMachine *o = m->oci_gc_queue;
                m->oci_gc_queue = o->gc_next;
                oci_machine_free(o);
        }
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

/* Not freed in its own callbacks: on an idle defer source, as machines are (manager_enqueue_gc()). */
static void oci_machine_enqueue_gc(OciMachine *o) {
        Manager *m = o->manager;
        int r;

        if (o->in_gc_queue)
                return;
        o->in_gc_queue = true;
        o->gc_next = m->oci_gc_queue;
        m->oci_gc_queue = o;
        if (!m->oci_gc_event_source) {
                r = sd_event_add_defer(m->event, &m->oci_gc_event_source, on_oci_gc, m);
                if (r < 0) {
                        log_warning_errno(r, "Failed to add OCI GC event source, entry freed at exit: %m");
                        return;
                }
                (void) sd_event_source_set_priority(m->oci_gc_event_source, SD_EVENT_PRIORITY_IDLE);
                (void) sd_event_source_set_description(m->oci_gc_event_source, "oci-containers-gc");
        }
        (void) sd_event_source_set_enabled(m->oci_gc_event_source, SD_EVENT_ONESHOT);
}

static void destroy_oci_machine(void *value, const char *key) {
        OciMachine *o = value;

        o->manager = NULL;      /* being cleared: not removed from the table once more */
        oci_machine_free(o);
}

void oci_containers_free_all(Manager *m) {
        OciMachine *o;

        while (m->oci_gc_queue) {
                o = m->oci_gc_queue;
                m->oci_gc_queue = o->gc_next;
                oci_machine_free(o);
        }
        hashmap_clear(m->oci_containers, destroy_oci_machine);
        m->oci_gc_event_source = sd_event_source_disable_unref(m->oci_gc_event_source);
}

/* The leader exited (its parent reaps it, not us): the machine is gone. */
static void oci_machine_exited(OciMachine *o) {
        int r;

        if (o->exited)
                return;
        o->exited = true;
        (void) sd_event_source_set_enabled(o->exit_source, SD_EVENT_OFF);
        (void) sd_event_source_set_enabled(o->kill_timer, SD_EVENT_OFF);
        if (o->stop_timestamp > 0) {
                log_info("OCI container %s: its leader exited after the stop.", o->id);
                r = container_state_remove(OCI_STOP_RECORD_ROOT, o->id);
                if (r < 0 && r != -ENOENT)
                        log_warning_errno(r, "OCI container %s: failed to remove the record of its stop, "
                                          "ignoring: %m", o->id);
        }
        r = sd_bus_emit_signal(o->manager->bus, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "MachineRemoved", "so",
                               o->id, o->path);
        if (r < 0)
                log_debug_errno(r, "Failed to send MachineRemoved for OCI container %s, ignoring: %m", o->id);
        (void) hashmap_remove_value(o->manager->oci_containers, o->id, o);
        oci_machine_enqueue_gc(o);
}

static int on_leader_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        oci_machine_exited(ASSERT_PTR(userdata));
        return 0;
}

static bool same_leader(const ContainerState *a, const ContainerState *b) {
        return a->pid == b->pid && a->pidfd_inode == b->pidfd_inode && a->start_time == b->start_time;
}

/* A new entry for the live leader PIDFD of state S, watched for its exit. Takes S and PIDFD on success only.
 * Returns 0 or -errno. */
static int oci_machine_new(Manager *m, ContainerState *s, int pidfd, OciMachine **ret) {
        _cleanup_(oci_machine_freep) OciMachine *o = NULL;
        int r;

        o = new0(OciMachine, 1);
        if (!o)
                return -ENOMEM;
        *o = (OciMachine) { .leader_pidfd = -EBADF };   /* PIDFD stays the caller's until we succeed */
        o->id = strdup(s->id);
        if (!o->id)
                return -ENOMEM;
        r = sd_bus_path_encode(BUS_OCI_PATH_PREFIX, o->id, &o->path);
        if (r < 0)
                return r;
        r = sd_event_add_io(m->event, &o->exit_source, pidfd, EPOLLIN, on_leader_exit, o);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(o->exit_source, "oci-container-leader");
        r = hashmap_put(m->oci_containers, o->id, o);
        if (r < 0)
                return r;
        o->manager = m;
        o->state = s;
        o->leader_pidfd = pidfd;
        *ret = TAKE_PTR(o);
        return 0;
}

int oci_machine_get(Manager *m, const char *id, OciMachine **ret, char **ret_error) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int pidfd = -EBADF;
        OciMachine *o;
        int r;

        if (!container_id_is_valid(id))
                return -MX_ERR_NO_SUCH_MACHINE;

        /* Never trusted: every field typed and checked, symlinks and oversized files refused. */
        r = container_state_load(CONTAINER_STATE_ROOT_OCI_CLI, id, &s, &error);
        if (r == -ENOENT || r == -EINVAL)
                return -MX_ERR_NO_SUCH_MACHINE;
        if (IN_SET(r, -EBADMSG, -ELOOP, -EBADFD, -EFBIG)) {
                if (asprintf(ret_error, "No machine '%s': the state file %s/%s/state.json of machined-ext-oci's "
                             "container is invalid: %s", id, CONTAINER_STATE_ROOT_OCI_CLI, id,
                             error ?: strerror(-r)) < 0)
                        return -ENOMEM;
                return -MX_ERR_NO_SUCH_MACHINE;
        }
        if (r < 0)
                return r;
        if (s->owner != CONTAINER_OWNER_OCI_CLI)
                return -MX_ERR_NO_SUCH_MACHINE;

        o = hashmap_get(m->oci_containers, id);
        if (o && !o->exited && same_leader(o->state, s) && !pidfd_exited(o->leader_pidfd)) {
                /* The same run: its status as the CLI last recorded it (paused, running, ...). */
                container_state_free(o->state);
                o->state = TAKE_PTR(s);
                *ret = o;
                return 0;
        }
        if (o)  /* An earlier run of the id (deleted and created again), or one that has just exited. */
                oci_machine_exited(o);

        r = container_state_check_leader(s, &pidfd);
        if (r < 0)
                return r;
        if (r != LEADER_ALIVE || pidfd_exited(pidfd)) {
                if (asprintf(ret_error, "Container '%s' of machined-ext-oci is %s, not running", id,
                             s->pid > 0 ? "stopped" : container_status_to_string(s->status)) < 0)
                        return -ENOMEM;
                return -MX_ERR_NOT_RUNNING;
        }

        pidfd = fd_move_high(pidfd);    /* kept while it runs */
        r = oci_machine_new(m, s, pidfd, &o);
        if (r < 0)
                return r;
        TAKE_PTR(s);
        TAKE_FD(pidfd);
        *ret = o;
        return 0;
}

static int send_signal(OciMachine *o, int sig) {
        if (o->exited)
                return -MX_ERR_NOT_RUNNING;
        /* ESRCH through our own pidfd is a fact about the leader: it has exited. */
        if (pidfd_send_signal(o->leader_pidfd, sig, NULL, 0) < 0)
                return errno == ESRCH ? -MX_ERR_NOT_RUNNING : -errno;
        return 0;
}

static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        OciMachine *o = ASSERT_PTR(userdata);
        int r;

        r = send_signal(o, SIGKILL);
        if (r < 0 && r != -MX_ERR_NOT_RUNNING)
                log_warning_errno(r, "OCI container %s: failed to send SIGKILL: %m", o->id);
        else if (r >= 0)
                log_info("OCI container %s: still running after the stop timeout, sent SIGKILL.", o->id);
        return 0;
}

/* Arms the SIGKILL at o->stop_deadline, or sends it now if that cannot be done. Returns 0 or -errno. */
static int arm_kill_timer(OciMachine *o) {
        int r;

        r = sd_event_add_time(o->manager->event, &o->kill_timer, CLOCK_MONOTONIC, o->stop_deadline, 0,
                              on_kill_timer, o);
        if (r < 0) {
                /* Without the timer, a leader that ignores SIGTERM would never stop: kill it now. */
                log_warning_errno(r, "OCI container %s: failed to arm the SIGKILL timer, sending SIGKILL: %m",
                                  o->id);
                return send_signal(o, SIGKILL);
        }
        (void) sd_event_source_set_description(o->kill_timer, "oci-container-kill");
        return 0;
}

int oci_machine_stop(OciMachine *o) {
        int r;

        if (o->exited)
                return -MX_ERR_NOT_RUNNING;
        if (o->stop_timestamp > 0)
                return 0;       /* under way: the SIGKILL timer is not pushed back */

        r = send_signal(o, SIGTERM);
        if (r < 0)
                return r;
        o->stop_timestamp = now(CLOCK_MONOTONIC);
        o->stop_deadline = usec_add(o->stop_timestamp, o->manager->stop_timeout);
        if (o->stop_deadline == USEC_INFINITY)
                o->stop_deadline = USEC_INFINITY - 1;
        /* The timer dies with this instance of the daemon, the container does not: the next instance finds
         * the deadline here. Without the record a restart would leave a leader that ignores SIGTERM running,
         * but the stop itself still works while we run. */
        r = oci_stop_record_save(OCI_STOP_RECORD_ROOT, o->state, o->stop_timestamp, o->stop_deadline);
        if (r < 0)
                log_warning_errno(r, "OCI container %s: failed to record its stop, a restart of the daemon "
                                  "before its SIGKILL would lose it: %m", o->id);
        r = arm_kill_timer(o);
        if (r < 0)
                return r;
        log_info("OCI container %s: sent SIGTERM to its leader (PID %i), SIGKILL in %" PRIu64 " ms.", o->id,
                 (int) o->state->pid, o->manager->stop_timeout / USEC_PER_MSEC);
        return 0;
}

/* The stop of RECORD, of a previous instance. Returns 1 if it was resumed, 0 if the record was dropped (gone,
 * stale, corrupt: the caller removes it), or -ENOMEM. */
static int resume_stop(Manager *m, const ContainerStateEntry *e) {
        const ContainerState *record = e->state;
        _cleanup_free_ char *message = NULL;
        usec_t timestamp, deadline, n = now(CLOCK_MONOTONIC);
        const char *reason;
        OciMachine *o;
        int r;

        r = oci_stop_record_parse(record, n, &timestamp, &deadline, &reason);
        if (r < 0) {
                log_warning("Record %s/%s/state.json of a stop of an OCI container is invalid (%s), removing it.",
                            OCI_STOP_RECORD_ROOT, record->id, reason);
                return 0;
        }
        if (e->leader != LEADER_ALIVE) {
                log_info("OCI container %s: its leader (PID %i) %s while the daemon was not running.", record->id,
                         (int) record->pid,
                         e->leader == LEADER_REUSED ? "is gone (its PID was reused)" :
                         e->leader == LEADER_UNKNOWN ? "could not be checked" : "exited");
                return 0;
        }

        /* The container as its CLI sees it now: the same leader, or it is no longer that run. */
        r = oci_machine_get(m, record->id, &o, &message);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_info("OCI container %s: not resuming its stop: %s.", record->id,
                         message ?: "it is gone");
                return 0;
        }
        if (!same_leader(o->state, record)) {
                log_info("OCI container %s: its leader is not the one whose stop was recorded, not resuming it.",
                         record->id);
                return 0;
        }
        if (o->stop_timestamp > 0)
                return 1;

        o->stop_timestamp = timestamp;
        o->stop_deadline = deadline;
        if (deadline <= n) {
                log_info("OCI container %s: the stop timeout of its stop passed while the daemon was not running, "
                         "sending SIGKILL to its leader (PID %i).", o->id, (int) o->state->pid);
                r = send_signal(o, SIGKILL);
                if (r < 0 && r != -MX_ERR_NOT_RUNNING)
                        log_warning_errno(r, "OCI container %s: failed to send SIGKILL: %m", o->id);
                return 1;
        }
        r = arm_kill_timer(o);
        if (r < 0 && r != -MX_ERR_NOT_RUNNING)
                log_warning_errno(r, "OCI container %s: failed to send SIGKILL: %m", o->id);
        log_info("OCI container %s: resumed the stop of a previous instance of the daemon, SIGKILL to its leader "
                 "(PID %i) in %" PRIu64 " ms.", o->id, (int) o->state->pid, (deadline - n) / USEC_PER_MSEC);
        return 1;
}

int oci_machines_resume_stops(Manager *m) {
        ContainerStateEntry *entries = NULL;
        _cleanup_strv_free_ char **problems = NULL;
        size_t n = 0;
        int resumed = 0, r = 0;

        /* Corrupt records are removed by the listing itself, and reported here. */
        r = container_state_list(OCI_STOP_RECORD_ROOT, &entries, &n, &problems);
        if (r < 0)
                return r;
        STRV_FOREACH(p, problems)
                log_warning("Record of a stop of an OCI container %s/%s.", OCI_STOP_RECORD_ROOT, *p);

        for (size_t i = 0; i < n; i++) {
                const char *id = entries[i].state->id;
                int k;

                r = resume_stop(m, &entries[i]);
                if (r < 0)
                        break;
                if (r > 0) {
                        resumed++;
                        continue;
                }
                k = container_state_remove(OCI_STOP_RECORD_ROOT, id);
                if (k < 0 && k != -ENOENT)
                        log_warning_errno(k, "Failed to remove the record of a stop of OCI container %s, "
                                          "ignoring: %m", id);
        }
        container_state_entries_free(entries, n);
        return r < 0 ? r : resumed;
}

int oci_machine_check_unit(OciMachine *o) {
        _cleanup_free_ char *p = NULL, *data = NULL, *suffix = NULL;
        const char *unit = o->state->unit;
        _cleanup_close_ int fd = -EBADF;
        char *line;
        size_t n, size;
        int r;

        if (o->exited)
                return -MX_ERR_NOT_RUNNING;
        if (!unit)
                return -EOPNOTSUPP;
        n = strlen(unit);
        if (n <= 6 || !streq(unit + n - 6, ".scope") || strchr(unit, '/'))
                return -EBADMSG;
        /* The state file names the unit; the leader's own cgroup (read while the pidfd says it is the same
         * process) must be in it, so that the state file cannot send us after another unit's processes. */
        if (asprintf(&p, "/proc/%i/cgroup", (int) o->state->pid) < 0 || asprintf(&suffix, "/%s", unit) < 0)
                return -ENOMEM;
        fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? -MX_ERR_NOT_RUNNING : -errno;
        r = read_regular_fd(fd, 64 * 1024, &data, &size);
        if (r < 0)
                return r;
        if (pidfd_send_signal(o->leader_pidfd, 0, NULL, 0) < 0)
                return errno == ESRCH ? -MX_ERR_NOT_RUNNING : -errno;
        /* The cgroup v2 line ("0::PATH"), after the v1 ones on a hybrid host. */
        line = startswith(data, "0::") ? data : strstr(data, "\n0::");
        if (!line)
                return -EBADMSG;
        line += line == data ? 3 : 4;
        line[strcspn(line, "\n")] = 0;
        for (const char *c = line; (c = strstr(c, suffix)); c++)
                if (c[strlen(suffix)] == 0 || c[strlen(suffix)] == '/')
                        return 0;
        return -EBADMSG;
}

int oci_machine_kill(OciMachine *o, int sig) {
        return send_signal(o, sig);
}

const char *oci_machine_state(const OciMachine *o) {
        if (o->stop_timestamp > 0 && !o->exited)
                return "stopping";
        return container_status_to_string(container_state_live_status(o->state));
}
