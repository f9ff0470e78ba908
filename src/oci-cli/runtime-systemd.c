/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where a container of the OCI runtime lives on the host: its transient scope (--cgroup-manager systemd, the
 * default; the scope is what machined-ext's daemon gives its machines, machine-bus.c) or cgroup directory
 * (cgroupfs), and its registration with systemd-machined, so that machinectl sees it. */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "machine-bus.h"
#include "runtime.h"
#include "util.h"

#define JOB_TIMEOUT_USEC (30 * USEC_PER_SEC)
#define SYSTEMD_PRIVATE_SOCKET "/run/systemd/private"

int oci_bus_open(sd_bus **ret) {
        return sd_bus_open_system(ret);
}

int oci_systemd_open(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        struct ucred ucred;
        socklen_t n = sizeof(ucred);
        int r;

        /* As systemctl does for root: systemd's own socket, not through dbus-daemon. That saves the
         * daemon's hops and the AddMatch for JobRemoved (systemd sends its signals to every direct
         * connection), and a Hello. Anything else (not root, no such socket, a peer that is not root): the
         * system bus. */
        if (geteuid() != 0)
                return sd_bus_open_system(ret);
        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, "unix:path=" SYSTEMD_PRIVATE_SOCKET);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0 && getsockopt(sd_bus_get_fd(bus), SOL_SOCKET, SO_PEERCRED, &ucred, &n) < 0)
                r = -errno;
        if (r >= 0 && ucred.uid != 0)
                r = -EPERM;
        if (r < 0) {
                oci_debug("Cannot talk to systemd on " SYSTEMD_PRIVATE_SOCKET " (%s), using the system bus.",
                          strerror(-r));
                return sd_bus_open_system(ret);
        }
        *ret = TAKE_PTR(bus);
        return 0;
}

/* A call to systemd that returns a job (StartTransientUnit, StopUnit), sent without waiting: job_wait() waits
 * for its answer and then for the job's end. */
struct OciCgroupJob {
        sd_bus *bus;
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
        sd_bus_flush_close_unref(j->bus);
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

/* Sends CALL on BUS (taken) and returns at once. The match comes before the call, so that the job's end
 * cannot be missed (on systemd's private socket it only filters: systemd sends its signals to every direct
 * connection). Returns 0 and *ret, or -errno. */
static int job_start(sd_bus *bus, sd_bus_message *call, OciCgroupJob **ret) {
        OciCgroupJob *j;
        int r;

        j = new0(OciCgroupJob, 1);
        if (!j) {
                sd_bus_flush_close_unref(bus);
                return -ENOMEM;
        }
        j->bus = bus;
        r = sd_bus_match_signal(bus, &j->match_slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, j);
        if (r >= 0)
                r = sd_bus_call_async(bus, &j->call_slot, call, on_job_call_reply, j, 0);
        /* Out now: until the connection is authenticated the call only sits in our queue, and nothing
         * processes the connection while the caller does other work. */
        if (r >= 0)
                r = sd_bus_flush(bus);
        if (r < 0) {
                oci_cgroup_job_free(j);
                return r;
        }
        *ret = j;
        return 0;
}

/* Waits for the answer to J's call and for its job. Returns 0 ("done"), -EIO with the job's result in
 * *ret_error, or -errno with systemd's message in *ret_error. */
static int job_wait(OciCgroupJob *j, char **ret_error) {
        usec_t end = now(CLOCK_MONOTONIC) + JOB_TIMEOUT_USEC;
        int r;

        while (!j->result && j->error == 0) {
                usec_t t = now(CLOCK_MONOTONIC);

                if (t >= end) {
                        *ret_error = strdup("timed out waiting for the job");
                        return -ETIMEDOUT;
                }
                r = sd_bus_process(j->bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = sd_bus_wait(j->bus, end - t);
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

static int scope_name(const char *id, const OciContainer *oci, char **ret) {
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

/* Asks systemd for the scope of LEADER, without waiting for it. Returns 0 with the job and the unit's name,
 * or logs and returns -errno. */
static int begin_scope(const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob **ret_job,
                       char **ret_unit) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_free_ char *unit = NULL, *description = NULL;
        sd_bus *bus = NULL;
        int r;

        r = scope_name(id, oci, &unit);
        if (r < 0)
                return oci_error(r, "Out of memory");
        if (asprintf(&description, "Container %s", id) < 0)
                return oci_error(ENOMEM, "Out of memory");
        r = oci_systemd_open(&bus);
        if (r < 0)
                return oci_error(r, "Failed to connect to systemd for the scope %s: %s", unit, strerror(-r));
        r = machine_bus_new_start_scope(bus, &(MachineScope) {
                                                .unit = unit,
                                                .description = description,
                                                .slice = oci ? oci->slice : NULL,
                                                .kill_signal = SIGKILL,
                                                .leader = leader,
                                                .oci = oci,
                                        }, &call);
        if (r >= 0)
                r = job_start(bus, call, ret_job);      /* takes bus */
        else
                sd_bus_flush_close_unref(bus);
        if (r < 0)
                return oci_error(r, "Failed to create %s: %s", unit, strerror(-r));
        *ret_unit = TAKE_PTR(unit);
        return 0;
}

static int enter_cgroupfs(const char *id, pid_t leader, const OciContainer *oci, char **ret_cgroup) {
        _cleanup_free_ char *cgroup = NULL, *dir = NULL, *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[32];
        int n;

        /* linux.cgroupsPath as a path (containerd's "/default/ID"; the parser refused ".."), else ours. */
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

int oci_cgroup_begin(const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob **ret_job,
                     char **ret_unit) {
        *ret_job = NULL;
        *ret_unit = NULL;
        if (arg_cgroup_manager != CGROUP_MANAGER_SYSTEMD)
                return 0;
        return begin_scope(id, leader, oci, ret_job, ret_unit);
}

int oci_cgroup_finish(const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob *job, const char *unit,
                      char **ret_cgroup) {
        _cleanup_free_ char *cgroup = NULL, *error = NULL;
        int r;

        switch (arg_cgroup_manager) {
        case CGROUP_MANAGER_SYSTEMD:
                r = job ? job_wait(job, &error) : -EINVAL;
                if (r < 0)
                        return oci_error(r, "Failed to create %s: %s", unit, error ?: strerror(-r));
                r = pid_get_cgroup(leader, &cgroup);
                if (r < 0)
                        oci_debug("Failed to read the cgroup of PID %i: %s", (int) leader, strerror(-r));
                break;
        case CGROUP_MANAGER_CGROUPFS:
                r = enter_cgroupfs(id, leader, oci, &cgroup);
                if (r < 0)
                        return r;
                break;
        default:
                r = pid_get_cgroup(leader, &cgroup);
                if (r < 0)
                        oci_debug("Failed to read the cgroup of PID %i: %s", (int) leader, strerror(-r));
        }
        *ret_cgroup = TAKE_PTR(cgroup);
        return 0;
}

OciCgroupJob *oci_cgroup_leave_begin(const char *unit) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        OciCgroupJob *j = NULL;
        sd_bus *bus = NULL;
        int r;

        if (!unit)
                return NULL;
        r = oci_systemd_open(&bus);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                   "org.freedesktop.systemd1.Manager", "StopUnit");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", unit, "replace");
        if (r >= 0)
                r = job_start(TAKE_PTR(bus), call, &j);
        else
                sd_bus_flush_close_unref(bus);
        if (r < 0)
                oci_debug("Failed to stop %s, ignoring: %s", unit, strerror(-r));
        return j;
}

void oci_cgroup_leave(OciCgroupJob *stop, const char *unit, const char *cgroup, bool cgroupfs) {
        if (stop) {
                _cleanup_free_ char *error = NULL;
                int r;

                r = job_wait(stop, &error);
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

int oci_machine_register(const char *name, sd_id128_t id, pid_t leader, const char *root, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = oci_bus_open(&bus);
        if (r >= 0)
                r = machine_bus_new_register(bus, name, id, OCI_SERVICE_NAME, leader, root, NULL, 0, &call);
        if (r >= 0)
                r = sd_bus_call(bus, call, 0, &e, NULL);
        if (r < 0) {
                *ret_error = strdup(e.message ?: strerror(-r));
                return r;
        }
        return 0;
}

void oci_machine_unregister(const char *name) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = oci_bus_open(&bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                       "org.freedesktop.machine1.Manager", "UnregisterMachine", &e, NULL, "s", name);
        if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.machine1.NoSuchMachine"))
                oci_debug("Failed to unregister machine %s, ignoring: %s", name, e.message ?: strerror(-r));
}
