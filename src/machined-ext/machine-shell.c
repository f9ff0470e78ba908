/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenShell and Exec: a process in a running machine, started through the container's enter path
 * (container_exec_full(), enter.c) with the machine's own model, so that it never gets more than the payload
 * (rkt CVE-2019-10144). The process is our child, cloned straight into the machine: it is watched through
 * its pidfd, reaped here, and its end is sent to the caller alone (ExecExited, unicast). Nothing here waits: its
 * reports and its exit come through the event loop. */

#include <assert.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "config-nspawn.h"
#include "config-oci.h"
#include "container.h"
#include "log.h"
#include "machine-dbus.h"
#include "machine-shell.h"
#include "manager.h"
#include "strv.h"
#include "util.h"

#define EXEC_SETUP_TIMEOUT_USEC (15 * USEC_PER_SEC)
#define EXEC_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct ExecOperation {
        Machine *machine;
        sd_bus_message *message;        /* the call, until it is answered */
        char *sender;                   /* its unique name: where ExecExited goes */
        bool pty;
        bool answered;                  /* ... with success */
        bool joined;                    /* it reported that it is in the machine (and sent the pty's master) */
        pid_t pid;
        int pidfd;
        int report_fd;
        int master_fd;
        sd_event_source *report_event_source;
        sd_event_source *child_event_source;
        sd_event_source *timer_event_source;    /* until the answer: the call must not wait for ever */
        bool timed_out;
        ExecOperation *next;
};

static ExecOperation *exec_operation_free(ExecOperation *o) {
        if (!o)
                return NULL;
        sd_event_source_disable_unref(o->report_event_source);
        sd_event_source_disable_unref(o->child_event_source);
        sd_event_source_disable_unref(o->timer_event_source);
        /* Reaped if it is gone already (the machine ended), so that no zombie is left. One not answered for
         * (stuck joining the machine) is killed and reaped from the event loop whenever it exits, never waited
         * for here; a started one that still runs while the daemon exits is left to whoever inherits it. */
        if (o->pidfd >= 0) {
                siginfo_t si = {};
                if (waitid(P_PIDFD, o->pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0 && !o->answered)
                        manager_reap_later(o->machine->manager, TAKE_FD(o->pidfd), "exec process");
        }
        safe_close(o->pidfd);
        safe_close(o->report_fd);
        safe_close(o->master_fd);
        sd_bus_message_unref(o->message);
        free(o->sender);
        return mfree(o);
}

static void exec_operation_unlink(ExecOperation *o) {
        for (ExecOperation **p = &o->machine->exec_operations; *p; p = &(*p)->next)
                if (*p == o) {
                        *p = o->next;
                        return;
                }
}

void machine_exec_operations_free(Machine *m) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (m->exec_operations)
                (void) bus_error_from_machine(&e, -MX_ERR_NOT_RUNNING, m->name, NULL);
        while (m->exec_operations) {
                ExecOperation *o = m->exec_operations;
                m->exec_operations = o->next;
                if (o->message)
                        (void) sd_bus_reply_method_error(o->message, &e);
                exec_operation_free(o);
        }
}

/* The error for a failure report of the process's set-up. */
static int exec_report_error(const ContainerReport *report, sd_bus_error *error, const char *name) {
        _cleanup_free_ char *what = container_report_message(report);
        int code = -MX_ERR_SETUP_FAILED;

        if (report->stage == CONTAINER_STAGE_USER && report->error == ESRCH)
                code = -MX_ERR_NO_SUCH_USER;
        else if (IN_SET(report->stage, CONTAINER_STAGE_COMMAND, CONTAINER_STAGE_EXEC))
                code = -MX_ERR_EXEC_FAILED;
        if (!what)
                return bus_error_from_machine(error, code, name, NULL);
        _cleanup_free_ char *msg = NULL;
        if (asprintf(&msg, "Failed to run a process in machine '%s': %s", name, what) < 0)
                return -ENOMEM;
        return bus_error_from_machine(error, code, name, msg);
}

static void exec_answer_error(ExecOperation *o, sd_bus_error *e) {
        int r;

        r = sd_bus_reply_method_error(o->message, e);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a call of machine %s, ignoring: %m", o->machine->name);
        o->message = sd_bus_message_unref(o->message);
        o->master_fd = safe_close(o->master_fd);
        o->timer_event_source = sd_event_source_disable_unref(o->timer_event_source);
}

static void exec_answer(ExecOperation *o) {
        int r;

        if (o->pty)
                r = sd_bus_reply_method_return(o->message, "hu", o->master_fd, (uint32_t) o->pid);
        else
                r = sd_bus_reply_method_return(o->message, "u", (uint32_t) o->pid);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a call of machine %s, ignoring: %m", o->machine->name);
        o->message = sd_bus_message_unref(o->message);
        o->master_fd = safe_close(o->master_fd); /* the caller's now */
        o->answered = true;
        o->timer_event_source = sd_event_source_disable_unref(o->timer_event_source);
        log_info("Machine %s: %s process %i started.", o->machine->name, o->pty ? "shell" : "exec", (int) o->pid);
}

/* Reads what the process's set-up reports: end-of-file is a successful exec. Returns 1 once the call is
 * answered, 0 if nothing decided yet. */
static int exec_process_report(ExecOperation *o) {
        if (!o->joined) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                ContainerReport failure = {};
                int r;

                r = container_exec_end(o->report_fd, o->pty, o->pty ? &o->master_fd : NULL, &failure);
                if (r == -EAGAIN || r == -EINTR)
                        return 0;
                if (r >= 0)
                        o->joined = true;
                else {
                        o->report_event_source = sd_event_source_disable_unref(o->report_event_source);
                        o->report_fd = safe_close(o->report_fd);
                        if (r == -EPROTO) {
                                _cleanup_free_ char *what = container_report_message(&failure);
                                log_warning("Machine %s: failed to enter it: %s", o->machine->name, strna(what));
                                r = -(failure.error ?: EIO);
                        }
                        (void) sd_bus_error_set_errnof(&e, r, "Failed to run a process in machine '%s': %s",
                                                       o->machine->name, strerror(-r));
                        exec_answer_error(o, &e);
                        (void) pidfd_send_signal(o->pidfd, SIGKILL, NULL, 0);
                        return 1;
                }
        }
        for (;;) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                ContainerReport report;
                int r;

                r = container_read_report(o->report_fd, &report, NULL);
                if (r == -EAGAIN || r == -EINTR)
                        return 0;
                if (r > 0 && report.stage == CONTAINER_STAGE_WARNING)
                        continue;
                o->report_event_source = sd_event_source_disable_unref(o->report_event_source);
                o->report_fd = safe_close(o->report_fd);
                if (r == 0) {
                        exec_answer(o);
                        return 1;
                }
                if (r < 0)
                        (void) sd_bus_error_set_errnof(&e, r, "Failed to read the report of a process in machine "
                                                       "'%s': %s", o->machine->name, strerror(-r));
                else
                        (void) exec_report_error(&report, &e, o->machine->name);
                exec_answer_error(o, &e);
                return 1;
        }
}

static int on_exec_report(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ExecOperation *o = ASSERT_PTR(userdata);

        (void) exec_process_report(o);
        return 0;
}

/* Its set-up hangs (a FUSE mount of the container under its passwd, say): it is killed, and the answer is an
 * error, well before the caller's call times out. */
static int on_exec_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        ExecOperation *o = ASSERT_PTR(userdata);

        if (!o->joined) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *msg = NULL;

                /* The process is stuck joining the machine or opening its /dev/ptmx (a file system of the
                 * machine does not answer): the caller hears it now; it is killed, and reaped whenever it
                 * exits (on_exec_exit()). */
                log_warning("Machine %s: the process of a %s did not join it within %llu s (does a file system of "
                            "the machine not answer?); killing it.", o->machine->name, o->pty ? "shell" : "exec",
                            (unsigned long long) (EXEC_SETUP_TIMEOUT_USEC / USEC_PER_SEC));
                if (asprintf(&msg, "Timed out after %llu s starting a process in machine '%s' (joining it or "
                             "opening its /dev/ptmx did not finish: does a file system of the machine not "
                             "answer?)", (unsigned long long) (EXEC_SETUP_TIMEOUT_USEC / USEC_PER_SEC),
                             o->machine->name) < 0)
                        msg = NULL;
                (void) bus_error_from_machine(&e, -MX_ERR_TIMEOUT, o->machine->name, msg);
                exec_answer_error(o, &e);
                o->report_event_source = sd_event_source_disable_unref(o->report_event_source);
                (void) pidfd_send_signal(o->pidfd, SIGKILL, NULL, 0);
                return 0;
        }
        o->timed_out = true;
        o->report_event_source = sd_event_source_disable_unref(o->report_event_source);
        (void) pidfd_send_signal(o->pidfd, SIGKILL, NULL, 0);
        return 0;
}

static void exec_send_exited(ExecOperation *o, const siginfo_t *si) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *signal = NULL;
        sd_bus *bus = o->machine->manager->bus;
        int r;

        r = sd_bus_message_new_signal(bus, &signal, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "ExecExited");
        if (r >= 0 && o->sender)
                r = sd_bus_message_set_destination(signal, o->sender);
        if (r >= 0)
                r = sd_bus_message_append(signal, "susi", o->machine->name, (uint32_t) o->pid,
                                          exit_code_to_string(si->si_code) ?: "", (int32_t) si->si_status);
        if (r >= 0)
                r = sd_bus_send(bus, signal, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to send ExecExited for process %i of machine %s, ignoring: %m",
                                (int) o->pid, o->machine->name);
}

static int on_exec_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        ExecOperation *o = ASSERT_PTR(userdata);

        /* The report socket is complete now: what it says decides the answer, if that is still due. */
        if (o->message && (o->timed_out || exec_process_report(o) == 0)) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

                (void) sd_bus_error_setf(&e, BUS_ERROR_SETUP_FAILED, "The process in machine '%s' %s before its "
                                         "exec", o->machine->name, o->timed_out ? "timed out" : "died");
                exec_answer_error(o, &e);
        }
        if (o->answered) {
                log_info("Machine %s: %s process %i %s with status %i.", o->machine->name, o->pty ? "shell" : "exec",
                         (int) o->pid, exit_code_to_string(si->si_code) ?: "ended", si->si_status);
                exec_send_exited(o, si);
        }
        o->child_event_source = sd_event_source_disable_unref(o->child_event_source);
        o->pidfd = safe_close(o->pidfd); /* reaped by sd-event */
        exec_operation_unlink(o);
        exec_operation_free(o);
        return 0;
}

/* Watches the process: its reports (joined, then its exec), and its exit. Returns 0 or -errno. */
static int exec_watch_process(ExecOperation *o) {
        sd_event *event = o->machine->manager->event;
        int r;

        /* The reports first: an exec followed by a quick exit is still answered with success. */
        r = sd_event_add_io(event, &o->report_event_source, o->report_fd, EPOLLIN, on_exec_report, o);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(o->report_event_source, "machine-exec-report");
        r = sd_event_add_child_pidfd(event, &o->child_event_source, o->pidfd, WEXITED, on_exec_exit, o);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(o->child_event_source, "machine-exec-child");
        (void) sd_event_source_set_priority(o->child_event_source, SD_EVENT_PRIORITY_NORMAL + 10);
        return 0;
}

/* The machine's model, as its start gave it to the payload: what bounds the new process. */
static void machine_model(Machine *m, ContainerConfig *ret) {
        if (m->oci) {
                *ret = m->oci->config;
                return;
        }
        container_config_from_nspawn(m->settings, m->network_config.private_network, m->hostname, m->root,
                                     m->argv, m->envp, ret);
        ret->userns_shift = m->userns_shift;
        ret->userns_range = m->userns_range;
}

/* What the leader has now, from the kernel: its bounding set and no_new_privs. The model may say more than
 * the payload got (an adopted machine's settings file is read again, and may have been edited since; a
 * payload may drop privileges itself): the process never gets more than either. Read by PID, then checked
 * through the pidfd to be the same process still. Returns 0 or -errno. */
static int leader_limits(Machine *m, uint64_t *ret_bounding, bool *ret_nnp) {
        _cleanup_fclose_ FILE *f = NULL;
        char path[64], line[256];
        uint64_t bounding = 0;
        int nnp = -1;
        bool have_bounding = false;

        (void) snprintf(path, sizeof(path), "/proc/%i/status", (int) m->leader);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long v;

                if (sscanf(line, "CapBnd: %llx", &v) == 1) {
                        bounding = v;
                        have_bounding = true;
                } else if (sscanf(line, "NoNewPrivs: %llu", &v) == 1)
                        nnp = v != 0;
        }
        if (!have_bounding || nnp < 0)
                return -EBADMSG;
        if (pidfd_send_signal(m->leader_pidfd, 0, NULL, 0) < 0)
                return -errno;
        *ret_bounding = bounding;
        *ret_nnp = nnp;
        return 0;
}

static unsigned short env_size(char **env, const char *key) {
        const char *v = NULL;
        char *end;
        unsigned long n;

        STRV_FOREACH(e, env)
                if (startswith(*e, key))
                        v = *e + strlen(key);
        if (!v)
                return 0;
        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno != 0 || *end || end == v || n == 0 || n > USHRT_MAX)
                return 0;
        return (unsigned short) n;
}

/* The process's own part of the model: everything else stays the machine's. */
static int exec_config(Machine *m, const ExecRequest *req, const ContainerConfig *model, ContainerConfig *ret,
                       char ***ret_env) {
        _cleanup_strv_free_ char **env = NULL;
        ContainerConfig c = *model;
        int r;

        r = strv_extend(&env, EXEC_DEFAULT_PATH);
        if (r >= 0)
                r = strv_extend(&env, "container=machined-ext");
        if (r >= 0 && req->pty)
                r = strv_extend(&env, "TERM=vt220");
        /* With a pty, COLUMNS= and LINES= are its initial size, not passed on: once the terminal is resized
         * they would be stale, and some programs (busybox) prefer them to the terminal's real size. */
        STRV_FOREACH(e, req->env)
                if (r >= 0 && !(req->pty && (startswith(*e, "COLUMNS=") || startswith(*e, "LINES="))))
                        r = strv_env_set(&env, *e);
        if (r < 0)
                return r;

        c.argv = req->argv;
        c.envp = env;
        c.working_directory = req->cwd;
        /* Empty: root. With a pty a user is looked up even then, for its shell, home and environment. */
        c.user = !isempty(req->user) ? req->user : req->pty ? "root" : NULL;
        /* Else root of the container, whatever the payload runs as: the process that joins its user namespace
         * keeps our UID, which that namespace does not map. */
        c.process_ids_set = !c.user;
        c.uid = c.gid = 0;
        c.additional_gids = NULL;
        c.n_additional_gids = 0;
        c.exec_path = req->path;
        c.exec_user_shell = req->pty && !req->path;
        c.exec_pty = req->pty;
        if (req->pty) {
                c.exec_pty_rows = env_size(req->env, "LINES=");
                c.exec_pty_columns = env_size(req->env, "COLUMNS=");
        }
        c.stdin_fd = req->pty ? -EBADF : req->stdio[0];
        c.stdout_fd = req->pty ? -EBADF : req->stdio[1];
        c.stderr_fd = req->pty ? -EBADF : req->stdio[2];
        c.controlling_tty = false;
        c.console_fd = -EBADF;
        c.nofile_soft = 1024;
        *ret = c;
        *ret_env = TAKE_PTR(env);
        return 0;
}

int machine_exec(Machine *m, const ExecRequest *req, sd_bus_message *message) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *cgroup = NULL;
        ContainerConfig model, proc;
        uint64_t bounding = 0;
        ExecOperation *o;
        bool nnp = false;
        int r;

        if (!m->released || m->exited || m->state == MACHINE_STOPPING || m->leader_pidfd < 0 || m->leader <= 1)
                return -MX_ERR_NOT_RUNNING;

        machine_model(m, &model);
        r = leader_limits(m, &bounding, &nnp);
        if (r == -ESRCH)
                return -MX_ERR_NOT_RUNNING;
        if (r < 0)
                return r;
        model.capability_bounding &= bounding;
        model.no_new_privileges = model.no_new_privileges || nnp;
        r = exec_config(m, req, &model, &proc, &env);
        if (r < 0)
                return r;
        /* The leader's cgroup now (a systemd inside moves itself to init.scope), as the host names it. */
        r = pid_get_cgroup(m->leader, &cgroup);
        if (r < 0)
                return r;

        o = new0(ExecOperation, 1);
        if (!o)
                return -ENOMEM;
        *o = (ExecOperation) { .machine = m, .pty = req->pty, .pidfd = -EBADF,
                               .report_fd = -EBADF, .master_fd = -EBADF };
        if (sd_bus_message_get_sender(message) && !(o->sender = strdup(sd_bus_message_get_sender(message)))) {
                exec_operation_free(o);
                return -ENOMEM;
        }

        r = container_exec_begin(m->leader_pidfd, m->leader, cgroup, &proc, &model, &o->pidfd, &o->pid,
                                 &o->report_fd);
        if (r < 0) {
                exec_operation_free(o);
                return r;
        }
        /* The process opens the container's /dev/ptmx, through the container's tree: the event loop watches
         * its reports and never waits for them (a FUSE mount of the machine's own could hold it for good). */
        r = exec_watch_process(o);
        if (r >= 0)
                r = sd_event_add_time_relative(m->manager->event, &o->timer_event_source, CLOCK_MONOTONIC,
                                               EXEC_SETUP_TIMEOUT_USEC, 0, on_exec_timeout, o);
        if (r < 0) {
                exec_operation_free(o); /* kills the process, reaped later */
                return r;
        }
        (void) sd_event_source_set_description(o->timer_event_source, "machine-exec-timeout");

        o->message = sd_bus_message_ref(message);
        o->next = m->exec_operations;
        m->exec_operations = o;
        return 0;
}
