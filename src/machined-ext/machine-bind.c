/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BindMount / BindMountMachine: a helper process (container_bind_mount(), enter.c) does every file system access
 * to the caller's host path and the mount; the daemon only watches it. A source on a hung file system (a dead
 * NFS server, a FUSE server that never answers) blocks that helper, possibly for good and unkillably (a task
 * waiting in the kernel for the file system's answer ignores even SIGKILL until it comes or the connection is
 * aborted): the call is answered after BIND_REPLY_USEC at the latest, the helper is killed, and it is reaped
 * from the event loop through its pidfd whenever it finally exits, its staged mount removed then. Nothing
 * waits for it synchronously, and a helper that outlives its machine is kept by the manager until then. */

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "bus-api.h"
#include "container.h"
#include "log.h"
#include "machine-dbus.h"
#include "machine-internal.h"
#include "machine.h"
#include "manager.h"
#include "priv/priv.h"
#include "util.h"

/* How long a BindMount call may wait for its helper: below the D-Bus default call timeout of 25 s, so that the
 * caller gets our answer rather than its own timeout. */
#define BIND_REPLY_USEC (20 * USEC_PER_SEC)

static void bind_operation_unlink(BindOperation *b) {
        BindOperation **head = b->machine ? &b->machine->bind_operations :
                               b->manager ? &b->manager->bind_orphans : NULL;

        for (BindOperation **p = head; p && *p; p = &(*p)->next)
                if (*p == b) {
                        *p = b->next;
                        break;
                }
        b->next = NULL;
}

BindOperation *bind_operation_free(BindOperation *b) {
        if (!b)
                return NULL;
        sd_event_source_disable_unref(b->child_event_source);
        sd_event_source_disable_unref(b->timer_event_source);
        /* Only when the daemon exits (or the helper could never be watched) with the helper still there: it is
         * told to go (pdeathsig, and SIGKILL here). */
        if (b->pidfd >= 0)
                (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
        safe_close(b->pidfd);
        safe_close(b->report_fd);
        sd_bus_message_unref(b->message);
        container_bind_mount_unstage(b->staged);
        free(b->staged);
        free(b->machine_name);
        free(b->source);
        free(b->destination);
        return mfree(b);
}

/* Answers the pending call (if it is still pending) with ERROR (NULL: success). */
static void bind_operation_reply(BindOperation *b, const sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *message = TAKE_PTR(b->message);

        if (message)
                machine_dbus_reply_bind(message, error);
}

/* The answer to a helper that ended with REPORT (R > 0: one arrived) and SI. */
static void bind_operation_error(BindOperation *b, int r, const ContainerReport *report, const siginfo_t *si,
                                 sd_bus_error *ret) {
        if (r > 0 && report->error != 0) {
                if (report->stage == CONTAINER_STAGE_CUSTOM_MOUNTS && report->error == EMEDIUMTYPE)
                        (void) sd_bus_error_setf(ret, SD_BUS_ERROR_NOT_SUPPORTED,
                                                 "Cannot bind-mount %s into machine '%s': its file system (%s) cannot "
                                                 "be idmapped into the machine's user namespace (PrivateUsers=)",
                                                 b->source, b->machine_name, report->detail);
                else if (report->stage == CONTAINER_STAGE_CUSTOM_MOUNTS)
                        (void) sd_bus_error_set_errnof(ret, report->error,
                                                       "Failed to bind-mount %s into machine '%s': %s", b->source,
                                                       b->machine_name, strerror(report->error));
                else
                        (void) sd_bus_error_set_errnof(ret, report->error,
                                                       "Failed to bind-mount into machine '%s' at %s: %s",
                                                       b->machine_name, report->detail, strerror(report->error));
        } else if (si->si_code != CLD_EXITED || si->si_status != 0)
                (void) sd_bus_error_set_errnof(ret, EIO, "Bind-mount helper for machine '%s' failed",
                                               b->machine_name);
}

static int on_bind_child_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        BindOperation *b = ASSERT_PTR(userdata);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        ContainerReport report;
        int r;

        bind_operation_unlink(b);
        b->child_event_source = sd_event_source_disable_unref(b->child_event_source);
        b->pidfd = safe_close(b->pidfd);        /* reaped by sd-event */

        r = container_read_report(b->report_fd, &report, NULL);
        bind_operation_error(b, r, &report, si, &error);

        /* The helper is gone: nothing may stay staged when the caller gets the answer (if not given already). */
        container_bind_mount_unstage(b->staged);
        b->staged = mfree(b->staged);
        if (b->message) {
                bind_operation_reply(b, sd_bus_error_is_set(&error) ? &error : NULL);
                if (!sd_bus_error_is_set(&error))
                        log_info("Machine %s: bind-mounted %s to %s.", b->machine_name, b->source, b->destination);
        } else
                log_info("Machine %s: the abandoned bind-mount helper for %s has exited.", b->machine_name,
                         b->source);
        bind_operation_free(b);
        return 0;
}

static int on_bind_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        BindOperation *b = ASSERT_PTR(userdata);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *msg = NULL;

        b->timer_event_source = sd_event_source_disable_unref(b->timer_event_source);
        log_warning("Machine %s: bind-mounting %s did not finish within %llu s (does its file system, or the "
                    "machine's, not answer?); killing the helper.", b->machine_name, b->source,
                    (unsigned long long) (BIND_REPLY_USEC / USEC_PER_SEC));
        if (asprintf(&msg, "Timed out after %llu s bind-mounting %s into machine '%s' (its file system, or the "
                     "machine's, does not answer); the bind was abandoned",
                     (unsigned long long) (BIND_REPLY_USEC / USEC_PER_SEC), b->source, b->machine_name) < 0)
                msg = NULL;
        (void) bus_error_from_machine(&error, -MX_ERR_TIMEOUT, b->machine_name, msg);
        bind_operation_reply(b, &error);
        /* A helper waiting in the kernel dies only once the file system answers (or its connection is aborted):
         * its child watch reaps it then, and removes what it staged. */
        (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
        return 0;
}

void machine_bind_operations_abandon(Machine *m) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        if (m->bind_operations)
                (void) bus_error_from_machine(&error, -MX_ERR_NOT_RUNNING, m->name, NULL);
        while (m->bind_operations) {
                BindOperation *b = m->bind_operations;

                m->bind_operations = b->next;
                b->next = NULL;
                b->machine = NULL;
                bind_operation_reply(b, &error);
                b->timer_event_source = sd_event_source_disable_unref(b->timer_event_source);
                if (!m->manager || b->pidfd < 0) {
                        bind_operation_free(b);
                        continue;
                }
                /* Kept, and reaped, by the manager. Its staging directory goes now, with the machine's
                 * propagation directory: a helper woken later dies of the SIGKILL before it could use it, and
                 * what it holds by fd is detached from the tree. */
                (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
                container_bind_mount_unstage(b->staged);
                b->staged = mfree(b->staged);
                b->manager = m->manager;
                b->next = m->manager->bind_orphans;
                m->manager->bind_orphans = b;
        }
}

void manager_bind_orphans_free(Manager *m) {
        while (m->bind_orphans) {
                BindOperation *b = m->bind_orphans;

                m->bind_orphans = b->next;
                bind_operation_free(b);
        }
}

int machine_bind_mount(Machine *m, const char *source, const char *destination, bool read_only, bool make_dir,
                       sd_bus_message *message) {
        _cleanup_(bind_operation_freep) BindOperation *b = NULL;
        _cleanup_close_ int userns = -EBADF;
        int r;

        if (!m->released || m->exited || m->state == MACHINE_STOPPING)
                return -MX_ERR_NOT_RUNNING;
        /* With a user namespace the bind is idmapped and goes through /run/host/incoming, so that it arrives
         * locked: a mount attached directly in a mount namespace owned by the machine's user namespace would
         * not be (its root could make a read-only bind writable). Without that directory: refused. */
        if (m->userns_range > 0 && !m->propagate_dir)
                return -EOPNOTSUPP;

        b = new0(BindOperation, 1);
        if (!b)
                return -ENOMEM;
        *b = (BindOperation) { .machine = m, .manager = m->manager, .pidfd = -EBADF, .report_fd = -EBADF };
        b->machine_name = strdup(m->name);
        b->source = strdup(source);
        b->destination = strdup(destination);
        if (!b->machine_name || !b->source || !b->destination)
                return -ENOMEM;

        /* Neither touches SOURCE: an ioctl on the leader's pidfd (-EOPNOTSUPP before Linux 6.11), and a new
         * directory in the daemon's own tmpfs. */
        if (m->userns_range > 0) {
                userns = priv_pidfd_get_userns(m->leader_pidfd);
                if (userns < 0)
                        return userns;
                r = container_bind_mount_staging(m->propagate_dir, &b->staged);
                if (r < 0)
                        return r;
        }

        r = container_bind_mount(m->leader_pidfd, userns, b->staged, source, destination, read_only, make_dir,
                                 &b->pidfd, &b->report_fd);
        if (r < 0)
                return r;

        /* The helper waits for our go: until then it cannot be stuck, so that a failure here can end it. */
        r = sd_event_add_child_pidfd(m->manager->event, &b->child_event_source, b->pidfd, WEXITED,
                                     on_bind_child_exit, b);
        if (r >= 0) {
                (void) sd_event_source_set_description(b->child_event_source, "machine-bind-helper");
                r = sd_event_add_time_relative(m->manager->event, &b->timer_event_source, CLOCK_MONOTONIC,
                                               BIND_REPLY_USEC, 0, on_bind_timeout, b);
        }
        if (r >= 0) {
                (void) sd_event_source_set_description(b->timer_event_source, "machine-bind-timeout");
                r = container_release(b->report_fd);
        }
        if (r < 0) {
                /* Not released, it waits in recv() and has not touched SOURCE: it dies at once. */
                b->child_event_source = sd_event_source_disable_unref(b->child_event_source);
                (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, b->pidfd, &(siginfo_t) {}, WEXITED);
                b->pidfd = safe_close(b->pidfd);
                return r;
        }

        b->message = sd_bus_message_ref(message);
        b->next = m->bind_operations;
        m->bind_operations = TAKE_PTR(b);
        return 0;
}
