/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-floor: the steps every systemd machine start takes, and nothing else: no namespace, no root, no
 * mount, no daemon, no second process on our side. What it takes is a floor under any container manager
 * that gives its payload a delegated scope and registers it with systemd-machined, on this machine.
 *
 *   bench-floor fork PROGRAM [ARG...]           fork, the child waits for a release, then execs PROGRAM; wait
 *   bench-floor scope NAME PROGRAM [ARG...]     the same, in machine-NAME.scope (Delegate=yes, machine.slice),
 *                                               asked of PID 1 on its private socket; released when the job
 *                                               is done
 *   bench-floor register NAME PROGRAM [ARG...]  the same, and RegisterMachine with systemd-machined (over the
 *                                               system bus), sent with the release; done when the payload
 *                                               has exited and machined has answered
 *   bench-floor register-detach NAME PROGRAM [ARG...]
 *                                               as register, but returns once machined has answered and
 *                                               leaves the payload running (the scale probe's machines)
 *
 * The order is the shortest one: both connections are opened and the child is forked before anything waits,
 * StartTransientUnit goes out at once, and RegisterMachine with the release. Exit status: the payload's
 * (0 for register-detach), 1 on any failure of ours, with the reason on stderr.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

static int fail(const char *what, int r) {
        fprintf(stderr, "bench-floor: %s: %s\n", what, strerror(r < 0 ? -r : r));
        return 1;
}

/* PID 1 answers StartTransientUnit when it has queued the job, and runs the job later: on this connection
 * the job's JobRemoved comes after the answer, so the JobRemoved before it are others'. */
typedef struct Job {
        const char *path;       /* the job of our StartTransientUnit, once answered */
        bool done;              /* its JobRemoved seen */
        char *result;           /* ... and its result */
} Job;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Job *j = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        (void) ret_error;
        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (j->path && strcmp(path, j->path) == 0 && !j->done) {
                j->done = true;
                j->result = strdup(result);
        }
        return 0;
}

typedef struct Reply {
        bool done;
        char *error;
        char *job;
} Reply;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Reply *r = userdata;
        const char *job;

        (void) ret_error;
        r->done = true;
        if (sd_bus_message_is_method_error(m, NULL))
                r->error = strdup(sd_bus_message_get_error(m)->message ?: "error");
        else if (sd_bus_message_has_signature(m, "o") && sd_bus_message_read(m, "o", &job) >= 0)
                r->job = strdup(job);
        return 0;
}

static int start_scope(sd_bus *bus, const char *unit, pid_t pid, Reply *reply) {
        sd_bus_message *call = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", unit, "fail");
        if (r >= 0)
                r = sd_bus_message_append(call, "a(sv)", 4,
                                          "Slice", "s", "machine.slice",
                                          "Delegate", "b", 1,
                                          "Description", "s", "bench-floor",
                                          "PIDs", "au", 1, (uint32_t) pid);
        if (r >= 0)
                r = sd_bus_message_append(call, "a(sa(sv))", 0);
        if (r >= 0)
                r = sd_bus_call_async(bus, NULL, call, on_reply, reply, 0);
        sd_bus_message_unref(call);
        return r;
}

#define WAIT_MAX_USEC (10ULL * 1000000ULL)

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

/* Processes BUS until *FLAG is set; -ETIMEDOUT after 10 s (a lost answer fails the round, never hangs it). */
static int wait_until(sd_bus *bus, const bool *flag) {
        uint64_t deadline = now_usec() + WAIT_MAX_USEC;
        int r;

        while (!*flag) {
                uint64_t n = now_usec();

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0 || *flag)
                        continue;
                if (n >= deadline)
                        return -ETIMEDOUT;
                r = sd_bus_wait(bus, deadline - n);
                if (r < 0)
                        return r;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        sd_bus *systemd = NULL, *sysbus = NULL;
        bool scope, reg, detach = false;
        char unit[8 + 4 * 64 + 7 + 1], **payload;
        const char *mode, *name = NULL;
        int p[2], r, status;
        pid_t pid;

        if (argc < 3)
                return fprintf(stderr, "usage: bench-floor fork|scope|register|register-detach [NAME] PROGRAM [ARG...]\n"), 2;
        mode = argv[1];
        scope = strcmp(mode, "fork") != 0;
        detach = strcmp(mode, "register-detach") == 0;
        reg = detach || strcmp(mode, "register") == 0;
        if (!scope && strcmp(mode, "fork") != 0)
                return fprintf(stderr, "bench-floor: unknown mode %s\n", mode), 2;
        if (scope && strcmp(mode, "scope") != 0 && !reg)
                return fprintf(stderr, "bench-floor: unknown mode %s\n", mode), 2;
        if (scope) {
                if (argc < 4)
                        return fprintf(stderr, "bench-floor: %s needs NAME and PROGRAM\n", mode), 2;
                name = argv[2];
                payload = argv + 3;
                if (strlen(name) > 64)
                        return fprintf(stderr, "bench-floor: machine name longer than 64 characters: %s\n", name), 2;
                /* As machined and nspawn name it: "-" in the machine name is escaped. */
                size_t k = strlen("machine-");
                memcpy(unit, "machine-", k);
                for (const char *c = name; *c; c++)             /* at most 8 + 4 * 64 + 7 bytes */
                        if (*c == '-') {
                                memcpy(unit + k, "\\x2d", 4);
                                k += 4;
                        } else
                                unit[k++] = *c;
                memcpy(unit + k, ".scope", sizeof(".scope"));
        } else
                payload = argv + 2;

        /* The connections first: their authentication runs while the child is forked. */
        if (scope) {
                r = sd_bus_new(&systemd);
                if (r >= 0)
                        r = sd_bus_set_address(systemd, "unix:path=/run/systemd/private");
                if (r >= 0)
                        r = sd_bus_start(systemd);
                if (r < 0)
                        return fail("connect to /run/systemd/private", r);
                /* PID 1 sends JobRemoved to every private connection, no Subscribe() needed. */
        }
        if (reg) {
                r = sd_bus_open_system(&sysbus);
                if (r < 0)
                        return fail("connect to the system bus", r);
        }

        if (pipe2(p, O_CLOEXEC) < 0)
                return fail("pipe2", -errno);
        pid = fork();
        if (pid < 0)
                return fail("fork", -errno);
        if (pid == 0) {
                char c;
                close(p[1]);
                if (!detach)
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (read(p[0], &c, 1) != 1)
                        _exit(127);
                execv(payload[0], payload);
                _exit(127);
        }
        close(p[0]);

        if (scope) {
                Job job = {};
                Reply start = {}, regr = {};

                r = sd_bus_match_signal(systemd, NULL, NULL, "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &job);
                if (r >= 0)
                        r = start_scope(systemd, unit, pid, &start);
                if (r < 0)
                        goto kill;
                r = wait_until(systemd, &start.done);
                if (r < 0)
                        goto kill;
                if (start.error || !start.job) {
                        fprintf(stderr, "bench-floor: StartTransientUnit(%s): %s\n", unit, start.error ?: "no job");
                        r = -EIO;
                        goto kill;
                }
                job.path = start.job;
                r = wait_until(systemd, &job.done);
                if (r < 0)
                        goto kill;
                if (!job.result || strcmp(job.result, "done") != 0) {
                        fprintf(stderr, "bench-floor: job of %s: %s\n", unit, job.result ?: "(out of memory)");
                        r = -EIO;
                        goto kill;
                }

                if (reg) {
                        sd_bus_message *call = NULL;
                        sd_id128_t id;

                        r = sd_id128_randomize(&id);
                        if (r >= 0)
                                r = sd_bus_message_new_method_call(sysbus, &call, "org.freedesktop.machine1",
                                                                   "/org/freedesktop/machine1",
                                                                   "org.freedesktop.machine1.Manager",
                                                                   "RegisterMachine");
                        if (r >= 0)
                                r = sd_bus_message_append(call, "s", name);
                        if (r >= 0)
                                r = sd_bus_message_append_array(call, 'y', id.bytes, sizeof(id.bytes));
                        if (r >= 0)
                                r = sd_bus_message_append(call, "ssus", "bench-floor", "container",
                                                          (uint32_t) pid, "");
                        if (r >= 0)
                                r = sd_bus_call_async(sysbus, NULL, call, on_reply, &regr, 0);
                        sd_bus_message_unref(call);
                        if (r >= 0)
                                r = sd_bus_flush(sysbus);
                        if (r < 0)
                                goto kill;
                }
                /* The release, with the registration on its way. */
                if (write(p[1], "x", 1) != 1) {
                        r = -errno;
                        goto kill;
                }
                if (reg) {
                        /* The payload may exit before machined reads its cgroup: it stays a zombie (not
                         * reaped) until the answer is in, so that its /proc entry is still there. */
                        r = wait_until(sysbus, &regr.done);
                        if (r < 0)
                                goto kill;
                        if (regr.error) {
                                fprintf(stderr, "bench-floor: RegisterMachine(%s): %s\n", name, regr.error);
                                r = -EIO;
                                goto kill;
                        }
                }
        } else if (write(p[1], "x", 1) != 1)
                return fail("release", -errno);

        if (detach)
                return 0;
        if (waitpid(pid, &status, 0) < 0)
                return fail("waitpid", -errno);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

kill:
        kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
        return fail("start", r);
}
