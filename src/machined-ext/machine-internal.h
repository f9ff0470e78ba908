/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What machine.c (the object), machine-start.c (a start up to its release and registration), machine-run.c (a
 * run: the payload's exit, reboots, timers, waiters) and machine-bind.c (bind mounts) share. Not for any other
 * part of the daemon: those use machine.h. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

/* machine.c */

/* USEC as "90s" or "1500ms", for messages. Returns BUF. */
const char *format_usec(char buf[static 32], usec_t usec);
/* True while a failed start's (or an unregistered run's) scope must still be seen gone. */
bool machine_scope_must_go(const Machine *m);
/* Appends a reference to MESSAGE to *L of *N messages. Returns 0 or -ENOMEM. */
int message_list_push(sd_bus_message ***l, size_t *n, sd_bus_message *message);
/* message_list_push() of a call held for its caller (manager_hold_call(), held-calls.h): *ERROR set if it is
 * one too many. Released with manager_release_call(). Returns 0 or a negative error. */
int message_list_hold(Manager *manager, sd_bus_message ***l, size_t *n, sd_bus_message *message,
                      sd_bus_error *error);
/* Stops the scope of a start that failed before the release. Returns nothing. */
void machine_stop_scope(Machine *m);
/* The machine's device policy (device-policy.h) on its scope's cgroup (keep-unit: the unit's "payload"
 * subgroup, next to the unit's own policy), before the payload runs: the manager's default program, or one
 * with the bundle's devices. Returns 0, -EXDEV if the leader is not in that cgroup, or -errno. */
int machine_attach_device_policy(Machine *m);
typedef enum MachineNamespace {
        MACHINE_NAMESPACE_MNT,
        MACHINE_NAMESPACE_NET,
        _MACHINE_NAMESPACE_MAX,
} MachineNamespace;

/* The namespace NS of the machine's leader, safe against PID reuse. Returns an fd (O_CLOEXEC) or -errno
 * (-ESRCH: there is no leader, or it is gone). */
int machine_leader_namespace_fd(Machine *m, MachineNamespace ns);
/* Lets go of the mount namespace machine_hold_mount_namespace() held, if it still does: its teardown, if
 * nothing else holds it, is this call's. Returns nothing. */
void machine_release_mount_namespace(Machine *m);

/* machine-start.c */

/* Fails the waiters for readiness with ERROR and MESSAGE (taken). Returns nothing. */
void machine_fail_ready(Machine *m, int error, char *message);
/* sd-event handler for the container's sync socket (its set-up report). Returns 0. */
int on_sync_fd(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* machine-run.c */

/* sd-event handler for the payload's exit. Returns 0. */
int on_child_exit(sd_event_source *s, const siginfo_t *si, void *userdata);
/* Arms the machine's timer (stop's SIGKILL, ...) USEC from now. Returns 0 or -errno. */
int machine_arm_timer(Machine *m, usec_t usec);
/* Frees the machine, or moves it on, once nothing of its run is outstanding. Returns nothing. */
void machine_maybe_finalize(Machine *m);

/* machine-bind.c */

/* Frees B (unlinked from every list): its watches, fds, message and staging directory; SIGKILLs a helper
 * that is still there. Returns NULL. */
BindOperation *bind_operation_free(BindOperation *b);
static inline void bind_operation_freep(BindOperation **b) {
        bind_operation_free(*b);
}
/* The machine's run ends (or the machine goes away): its pending BindMount calls fail (NoSuchMachine, not
 * running), their helpers are killed and handed to the manager, which reaps them whenever they exit, and their
 * staging directories are removed. Returns nothing. */
void machine_bind_operations_abandon(Machine *m);
