/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where a container of the OCI runtime lives on the host: its transient scope (--cgroup-manager systemd, the
 * default; the scope is what machined-ext's daemon gives its machines, machine-bus.c) or cgroup directory
 * (cgroupfs), and its registration with systemd-machined, so that machinectl sees it. */

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "device-policy.h"
#include "fd-util.h"
#include "machine-bus.h"
#include "runtime.h"
#include "util.h"

#define JOB_TIMEOUT_USEC (30 * USEC_PER_SEC)

int oci_bus_open(sd_bus **ret) {
        return sd_bus_open_system(ret);
}

int oci_systemd_open(sd_bus **ret) {
        int r;

        /* As systemctl does for root: systemd's own socket, not through dbus-daemon. That saves the
         * daemon's hops and the AddMatch for JobRemoved (systemd sends its signals to every direct
         * connection), and a Hello. Anything else (not root, no such socket, a peer that is not root): the
         * system bus. */
        r = systemd_private_open(ret);
        if (r >= 0)
                return 0;
        oci_debug("Cannot talk to systemd on its private socket (%s), using the system bus.", strerror(-r));
        return sd_bus_open_system(ret);
}

int oci_bus_connect(OciBus *b, bool systemd, bool machined) {
        int r;

        /* Both handshakes start here and go on while the caller does other work: connect() to a listening
         * AF_UNIX socket does not wait, and sd-bus queues the auth (and Hello) until oci_bus_wait() processes
         * the connections. */
        if (systemd && !b->systemd) {
                r = oci_systemd_open(&b->systemd);
                if (r < 0)
                        return r;
        }
        if (machined && !b->machined) {
                r = oci_bus_open(&b->machined);
                if (r < 0)
                        oci_debug("Failed to connect to the system bus: %s", strerror(-r));
        }
        return 0;
}

void oci_bus_done(OciBus *b) {
        /* Not flushed: every call was answered (or given up on), and a flush would first wait for a
         * handshake that was never needed (a bad bundle). */
        b->systemd = sd_bus_close_unref(b->systemd);
        b->machined = sd_bus_close_unref(b->machined);
}

/* Dispatches everything that is queued or has arrived on *BUS. A connection that failed or was closed is
 * dropped (sd-bus has answered its pending calls with errors by then, which their callbacks saw). Returns
 * whether anything happened (a callback may have run). */
static bool bus_dispatch(sd_bus **bus) {
        bool progress = false;
        int r;

        if (!*bus)
                return false;
        while ((r = sd_bus_process(*bus, NULL)) > 0)
                progress = true;
        if (r < 0) {
                oci_debug("Lost a bus connection: %s", strerror(-r));
                *bus = sd_bus_close_unref(*bus);
                return true;
        }
        return progress;
}

void oci_systemd_kick(OciBus *b) {
        (void) bus_dispatch(&b->systemd);
}

int oci_bus_wait(OciBus *b, int fd, usec_t timeout) {
        sd_bus **busses[2] = { &b->systemd, &b->machined };
        struct pollfd p[3];
        size_t n = 0;
        int r;

        /* Anything already read into sd-bus's buffers first: poll() would not wake up for it. If that ran a
         * callback (an answer that came while the caller was busy), the caller's condition may hold now:
         * back to it, not into poll() until the timeout. */
        bool progress = false;
        for (size_t i = 0; i < ELEMENTSOF(busses); i++)
                progress = bus_dispatch(busses[i]) || progress;
        if (progress)
                return 0;
        if (fd >= 0)
                p[n++] = (struct pollfd) { .fd = fd, .events = POLLIN };
        for (size_t i = 0; i < ELEMENTSOF(busses); i++) {
                int events;

                if (!*busses[i])
                        continue;
                events = sd_bus_get_events(*busses[i]);
                if (events < 0) {
                        bus_dispatch(busses[i]);
                        return 0;
                }
                p[n++] = (struct pollfd) { .fd = sd_bus_get_fd(*busses[i]), .events = events };
        }
        if (n == 0)
                return -ENOTCONN;
        r = poll(p, n, timeout == USEC_INFINITY ? -1 : (int) ((timeout + USEC_PER_MSEC - 1) / USEC_PER_MSEC));
        if (r < 0)
                return errno == EINTR ? 0 : -errno;
        for (size_t i = 0; i < ELEMENTSOF(busses); i++)
                bus_dispatch(busses[i]);
        return fd >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR));
}

/* A call to systemd that returns a job (StartTransientUnit, StopUnit), sent without waiting: job_wait() waits
 * for its answer and then for the job's end. */
struct OciCgroupJob {
        sd_bus *bus;                    /* a reference: the connection belongs to an OciBus */
        sd_bus_slot *match_slot, *call_slot;
        char *job;              /* the job's object path, once the call is answered */
        char *result;           /* the job's result ("done", ...), once JobRemoved came */
        int error;              /* < 0: the call failed, with error_message */
        char *error_message;
};

OciCgroupJob *oci_cgroup_job_free(OciCgroupJob *j) {
        if (!j)
                return NULL;
        sd_bus_slot_unref(j->match_slot);
        sd_bus_slot_unref(j->call_slot);
        sd_bus_unref(j->bus);
        free(j->job);
        free(j->result);
        free(j->error_message);
        return mfree(j);
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        OciCgroupJob *j = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (j->job && streq(path, j->job) && !j->result)
                j->result = strdup(result) ?: strdup("");
        return 0;
}

static int on_job_call_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        OciCgroupJob *j = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        const char *path;
        int r;

        j->call_slot = sd_bus_slot_unref(j->call_slot);
        if (e) {
                j->error = -sd_bus_error_get_errno(e) ?: -EIO;
                j->error_message = strdup(e->message ?: e->name);
                return 0;
        }
        r = sd_bus_message_read(m, "o", &path);
        if (r >= 0 && !(j->job = strdup(path)))
                r = -ENOMEM;
        if (r < 0)
                j->error = r;
        return 0;
}

/* Sends CALL on BUS and returns at once: the call goes out (after the connection's handshake) while the
 * caller waits in oci_bus_wait(). The match comes before the call, so that the job's end cannot be missed (on
 * systemd's private socket it only filters: systemd sends its signals to every direct connection). Returns 0
 * and *ret, or -errno. */
static int job_start(sd_bus *bus, sd_bus_message *call, OciCgroupJob **ret) {
        OciCgroupJob *j;
        int r;

        j = new0(OciCgroupJob, 1);
        if (!j)
                return -ENOMEM;
        j->bus = sd_bus_ref(bus);
        r = sd_bus_match_signal(bus, &j->match_slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, j);
        if (r >= 0)
                r = sd_bus_call_async(bus, &j->call_slot, call, on_job_call_reply, j, 0);
        if (r < 0) {
                oci_cgroup_job_free(j);
                return r;
        }
        *ret = j;
        return 0;
}

bool oci_cgroup_job_unit_is_ours(OciBus *b, OciCgroupJob *j) {
        usec_t end = now(CLOCK_MONOTONIC) + 5 * USEC_PER_SEC;

        if (!j)
                return true;
        /* The call's answer (call_slot is dropped with it), not the job's end. */
        while (j->call_slot && b->systemd) {
                usec_t t = now(CLOCK_MONOTONIC);

                if (t >= end || oci_bus_wait(b, -EBADF, end - t) < 0)
                        break;
        }
        return !(j->error < 0 && !j->job);
}

int oci_cgroup_job_state(const OciCgroupJob *j) {
        if (!j)
                return -EINVAL;
        if (j->error < 0)
                return j->error;
        if (!j->result)
                return 0;
        return streq(j->result, "done") ? 1 : -EIO;
}

/* Waits for the answer to J's call and for its job, processing B's connections. Returns 0 ("done"), -EIO with
 * the job's result in *ret_error, or -errno with systemd's message in *ret_error. */
static int job_wait(OciBus *b, OciCgroupJob *j, char **ret_error) {
        usec_t end = now(CLOCK_MONOTONIC) + JOB_TIMEOUT_USEC;
        int r;

        while (!j->result && j->error == 0) {
                usec_t t = now(CLOCK_MONOTONIC);

                if (!b->systemd) {
                        *ret_error = strdup("lost the connection to systemd");
                        return -ECONNRESET;
                }
                if (t >= end) {
                        *ret_error = strdup("timed out waiting for the job");
                        return -ETIMEDOUT;
                }
                r = oci_bus_wait(b, -EBADF, end - t);
                if (r < 0)
                        return r;
        }
        if (j->error < 0) {
                *ret_error = j->error_message ? strdup(j->error_message) : NULL;
                return j->error;
        }
        if (!streq(j->result, "done")) {
                if (asprintf(ret_error, "job %s", j->result) < 0)
                        *ret_error = NULL;
                return -EIO;
        }
        return 0;
}

int oci_scope_name(const char *id, const OciContainer *oci, char **ret) {
        _cleanup_free_ char *e = NULL;

        if (oci && oci->unit) {
                *ret = strdup(oci->unit);
                return *ret ? 0 : -ENOMEM;
        }
        /* As crun without a cgroupsPath: the runtime's name and the id. */
        e = unit_name_escape(id);
        if (!e || asprintf(ret, OCI_SERVICE_NAME "-%s.scope", e) < 0)
                return -ENOMEM;
        return 0;
}

/* Asks systemd (B's connection) for the scope of LEADER, without waiting for it. Returns 0 with the job and the
 * unit's name, or logs and returns -errno. */
static int begin_scope(OciBus *b, const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob **ret_job,
                       char **ret_unit) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_free_ char *unit = NULL, *description = NULL;
        int r;

        r = oci_scope_name(id, oci, &unit);
        if (r < 0)
                return oci_error(r, "Out of memory");
        if (asprintf(&description, "Container %s", id) < 0)
                return oci_error(ENOMEM, "Out of memory");
        r = oci_bus_connect(b, true, false);
        if (r < 0)
                return oci_error(r, "Failed to connect to systemd for the scope %s: %s", unit, strerror(-r));
        r = machine_bus_new_start_scope(b->systemd, &(MachineScope) {
                                                .unit = unit,
                                                .description = description,
                                                .slice = oci ? oci->slice : NULL,
                                                .kill_signal = SIGKILL,
                                                .leader = leader,
                                                .oci = oci,
                                        }, &call);
        if (r >= 0)
                r = job_start(b->systemd, call, ret_job);
        if (r < 0)
                return oci_error(r, "Failed to create %s: %s", unit, strerror(-r));
        *ret_unit = TAKE_PTR(unit);
        return 0;
}

int oci_cgroup_device_policy(const char *id, const OciContainer *oci, int *ret_fd) {
        int r;

        *ret_fd = -EBADF;
        if (arg_cgroup_manager == CGROUP_MANAGER_DISABLED)
                return 0;
        r = device_policy_load(oci ? oci->device_rules : NULL, oci ? oci->n_device_rules : 0, ret_fd);
        if (r < 0)
                return oci_error(r, "Failed to load the device policy of container '%s': %s", id, strerror(-r));
        return 0;
}

/* The device policy PROG on CGROUP, before the payload runs. Logs and returns -errno. */
static int attach_device_policy(const char *id, int prog, const char *cgroup) {
        int r;

        r = device_policy_attach(prog, cgroup);
        if (r < 0)
                return oci_error(r, "Failed to attach the device policy of container '%s' to the cgroup %s: %s", id,
                                 cgroup, strerror(-r));
        return 0;
}

/* What create made, for a delete --force should it die (CONTAINER_STATE_CREATOR_CGROUP_FILE): whole or not
 * at all (a temp file renamed into place). */
static int record_cgroupfs(int dir_fd, const char *cgroup) {
        _cleanup_free_ char *line = NULL;

        if (asprintf(&line, "%s\n", cgroup) < 0)
                return -ENOMEM;
        return write_file_replace_at(dir_fd, CONTAINER_STATE_CREATOR_CGROUP_FILE, CONTAINER_STATE_CREATOR_CGROUP_TMP,
                                     line, strlen(line));
}

static int enter_cgroupfs(const char *id, pid_t leader, const OciContainer *oci, int device_policy, int state_dir_fd,
                          char **ret_cgroup) {
        _cleanup_free_ char *cgroup = NULL, *dir = NULL, *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[32];
        int n, r;

        /* linux.cgroupsPath as an absolute path (containerd's "/default/ID"; the parser refused ".." and
         * config-oci.c relative paths), else ours. */
        if (oci && oci->cgroups_path)
                cgroup = strdup(oci->cgroups_path);
        else if (asprintf(&cgroup, "/" OCI_SERVICE_NAME "/%s", id) < 0)
                cgroup = NULL;
        if (!cgroup || asprintf(&dir, "/sys/fs/cgroup%s", cgroup) < 0 || asprintf(&procs, "%s/cgroup.procs", dir) < 0)
                return oci_error(ENOMEM, "Out of memory");
        /* The parents, as mkdir -p. */
        for (char *p = dir + strlen("/sys/fs/cgroup/"); (p = strchr(p, '/')); p++) {
                *p = 0;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                        int e = errno;
                        *p = '/';
                        return oci_error(e, "Failed to create %s: %s", dir, strerror(e));
                }
                *p = '/';
        }
        if (mkdir(dir, 0755) < 0)
                return oci_error(errno, "Failed to create the cgroup %s: %s", dir, strerror(errno));
        /* Ours from here on: a create killed now leaves it to delete --force (only after the mkdir: a cgroup
         * that existed is another's). */
        r = record_cgroupfs(state_dir_fd, cgroup);
        if (r < 0)
                oci_debug("Failed to record the cgroup %s in the state of container '%s', ignoring: %s", cgroup, id,
                          strerror(-r));
        r = attach_device_policy(id, device_policy, cgroup);
        if (r < 0) {
                (void) rmdir(dir);
                return r;
        }
        fd = open(procs, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        n = snprintf(buf, sizeof(buf), "%i", (int) leader);
        if (fd < 0 || write(fd, buf, n) != n) {
                int e = errno;
                (void) rmdir(dir);
                return oci_error(e, "Failed to move PID %i into %s: %s", (int) leader, dir, strerror(e));
        }
        *ret_cgroup = TAKE_PTR(cgroup);
        return 0;
}

/* "/A/B...": absolute, LEN bytes (no NUL within), at least one component, none empty, "." or "..". */
static bool cgroup_path_is_below_root(const char *path, size_t len) {
        if (len < 2 || strlen(path) != len || path[0] != '/')
                return false;
        for (const char *p = path + 1; p; ) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t) (slash - p) : strlen(p);

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && strneq(p, "..", 2)))
                        return false;
                p = slash ? slash + 1 : NULL;
        }
        return true;
}

int oci_cgroupfs_remove_abandoned(int dir_fd) {
        _cleanup_free_ char *text = NULL, *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t size;
        char *nl;
        int r;

        fd = openat(dir_fd, CONTAINER_STATE_CREATOR_CGROUP_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : oci_error(errno, "Failed to open %s: %s",
                                                       CONTAINER_STATE_CREATOR_CGROUP_FILE, strerror(errno));
        r = read_regular_fd(fd, PATH_MAX, &text, &size);
        if (r < 0)
                return oci_error(r, "Failed to read %s: %s", CONTAINER_STATE_CREATOR_CGROUP_FILE, strerror(-r));
        nl = strchr(text, '\n');
        if (nl)
                *nl = 0;
        if (size == 0)
                return 0;       /* not ours (record_cgroupfs() writes it whole) */
        /* Written by us, in a directory only root can write to (oci_root_check()); still: nothing but a cgroup
         * below the hierarchy's root is removed. */
        if (!cgroup_path_is_below_root(text, size - (nl ? 1 : 0)))
                return oci_error(EINVAL, "%s: not a cgroup path: '%.256s'", CONTAINER_STATE_CREATOR_CGROUP_FILE, text);
        /* Its init died with the create (PR_SET_PDEATHSIG) or was killed by the caller, and never ran the
         * payload: the cgroup empties. If it does not, it and its record stay, for the next try. */
        oci_cgroup_leave(NULL, NULL, NULL, text, true);
        if (asprintf(&dir, "/sys/fs/cgroup%s", text) < 0)
                return oci_error(ENOMEM, "Out of memory");
        if (access(dir, F_OK) >= 0)
                return oci_error(EBUSY, "Failed to remove the cgroup %s: it still has processes", dir);
        return 0;
}

int oci_cgroup_begin(OciBus *b, const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob **ret_job,
                     char **ret_unit) {
        *ret_job = NULL;
        *ret_unit = NULL;
        if (arg_cgroup_manager != CGROUP_MANAGER_SYSTEMD)
                return 0;
        return begin_scope(b, id, leader, oci, ret_job, ret_unit);
}

int oci_cgroup_finish(OciBus *b, const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob *job,
                      const char *unit, int device_policy, int state_dir_fd, char **ret_cgroup) {
        _cleanup_free_ char *cgroup = NULL, *error = NULL;
        int r;

        switch (arg_cgroup_manager) {
        case CGROUP_MANAGER_SYSTEMD:
                r = job ? job_wait(b, job, &error) : -EINVAL;
                if (r < 0)
                        return oci_error(r, "Failed to create %s: %s", unit, error ?: strerror(-r));
                /* The init has not run the payload: it is still in the scope's own cgroup. */
                r = pid_get_cgroup(leader, &cgroup);
                if (r < 0)
                        return oci_error(r, "Failed to read the cgroup of PID %i: %s", (int) leader, strerror(-r));
                if (!cgroup_path_endswith_unit(cgroup, unit, NULL))
                        return oci_error(EXDEV, "The init of container '%s' is in the cgroup %s, not in that of %s",
                                         id, cgroup, unit);
                r = attach_device_policy(id, device_policy, cgroup);
                if (r < 0)
                        return r;
                break;
        case CGROUP_MANAGER_CGROUPFS:
                r = enter_cgroupfs(id, leader, oci, device_policy, state_dir_fd, &cgroup);
                if (r < 0)
                        return r;
                break;
        default:
                /* No cgroup of its own: the one the init was born in is the caller's (containerd's shim,
                 * conmon, a service), which kill --all, pause or the clean-up must never touch. */
                break;
        }
        *ret_cgroup = TAKE_PTR(cgroup);
        return 0;
}

OciCgroupJob *oci_cgroup_leave_begin(OciBus *b, const char *unit) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        OciCgroupJob *j = NULL;
        int r;

        if (!unit)
                return NULL;
        r = oci_bus_connect(b, true, false);
        if (r >= 0)
                r = sd_bus_message_new_method_call(b->systemd, &call, "org.freedesktop.systemd1",
                                                   "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                                   "StopUnit");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", unit, "replace");
        if (r >= 0)
                r = job_start(b->systemd, call, &j);
        if (r < 0)
                oci_debug("Failed to stop %s, ignoring: %s", unit, strerror(-r));
        return j;
}

void oci_cgroup_leave(OciBus *b, OciCgroupJob *stop, const char *unit, const char *cgroup, bool cgroupfs) {
        if (stop) {
                _cleanup_free_ char *error = NULL;
                int r;

                r = job_wait(b, stop, &error);
                /* NoSuchUnit: a scope goes by itself once its last process has. */
                if (r < 0)
                        oci_debug("Failed to stop %s, ignoring: %s", unit, error ?: strerror(-r));
                return;
        }
        if (cgroup && cgroupfs) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "/sys/fs/cgroup%s", cgroup) < 0)
                        return;
                /* The last processes may still be on their way out: a cgroup is removable once empty. */
                for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
                        (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
}

/* A call to systemd-machined, sent without waiting for its answer. */
struct OciCall {
        sd_bus_slot *slot;
        bool done;
        int error;                      /* < 0: failed, with error_name and error_message */
        char *error_name;
        char *error_message;
};

OciCall *oci_call_free(OciCall *c) {
        if (!c)
                return NULL;
        sd_bus_slot_unref(c->slot);
        free(c->error_name);
        free(c->error_message);
        return mfree(c);
}

static int on_call_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        OciCall *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        c->slot = sd_bus_slot_unref(c->slot);
        c->done = true;
        if (e) {
                c->error = -sd_bus_error_get_errno(e) ?: -EIO;
                c->error_name = strdup(e->name);
                c->error_message = strdup(e->message ?: e->name);
        }
        return 0;
}

/* Sends CALL on BUS (NULL: not connected). Returns 0 and *ret, or -errno. */
static int call_start(sd_bus *bus, sd_bus_message *call, OciCall **ret) {
        _cleanup_(oci_call_freep) OciCall *c = NULL;
        int r;

        if (!bus)
                return -ENOTCONN;
        c = new0(OciCall, 1);
        if (!c)
                return -ENOMEM;
        r = sd_bus_call_async(bus, &c->slot, call, on_call_reply, c, 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

bool oci_call_done(const OciCall *c) {
        return c && c->done;
}

int oci_call_wait(OciBus *b, OciCall *c, char **ret_error) {
        usec_t end = now(CLOCK_MONOTONIC) + JOB_TIMEOUT_USEC;
        int r;

        while (!c->done) {
                usec_t t = now(CLOCK_MONOTONIC);

                if (!b->machined) {
                        *ret_error = strdup("lost the connection to the system bus");
                        return -ECONNRESET;
                }
                if (t >= end) {
                        *ret_error = strdup("timed out waiting for systemd-machined");
                        return -ETIMEDOUT;
                }
                r = oci_bus_wait(b, -EBADF, end - t);
                if (r < 0) {
                        *ret_error = strdup(strerror(-r));
                        return r;
                }
        }
        if (c->error < 0) {
                *ret_error = c->error_message ? strdup(c->error_message) : NULL;
                return c->error;
        }
        return 0;
}

int oci_register_begin(OciBus *b, const char *name, sd_id128_t id, pid_t leader, const char *root, OciCall **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        if (!b->machined)
                return -ENOTCONN;
        r = machine_bus_new_register(b->machined, name, id, OCI_SERVICE_NAME, leader, root, NULL, 0, &call);
        if (r < 0)
                return r;
        return call_start(b->machined, call, ret);
}

OciCall *oci_unregister_begin(OciBus *b, const char *name) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        OciCall *c = NULL;
        int r;

        r = oci_bus_connect(b, false, true);
        if (r >= 0 && !b->machined)
                r = -ENOTCONN;
        if (r >= 0)
                r = sd_bus_message_new_method_call(b->machined, &call, "org.freedesktop.machine1",
                                                   "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                                   "UnregisterMachine");
        if (r >= 0)
                r = sd_bus_message_append(call, "s", name);
        if (r >= 0)
                r = call_start(b->machined, call, &c);
        if (r < 0)
                oci_debug("Failed to unregister machine %s, ignoring: %s", name, strerror(-r));
        return c;
}

void oci_unregister_end(OciBus *b, OciCall *c, const char *name) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (!c)
                return;
        r = oci_call_wait(b, c, &error);
        if (r < 0 && !streq_ptr(c->error_name, "org.freedesktop.machine1.NoSuchMachine"))
                oci_debug("Failed to unregister machine %s, ignoring: %s", name, error ?: strerror(-r));
}
