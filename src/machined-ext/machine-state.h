/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Every machine of the daemon, however started, has its state on disk, MACHINE_STATE_ROOT/NAME/state.json
 * (src/container/state.c: atomic writes, validated loads), from its spawn until it is gone; and the fds that
 * must outlive the daemon are in systemd's fd store: "console-NAME" (console.c), "lock-NAME" (image-lock.c: a capsule with the lock fds),
 * "notify-NAME" (its /run/host/notify socket) and "pidfd-NAME" (a capsule: an AF_UNIX datagram socket with
 * the leader's pidfd in flight, so that systemd, which drops stored fds that report POLLHUP, keeps it after
 * the leader was reaped, and the next instance can still read its exit status). A restarted daemon knows its
 * machines again from both (manager_adopt_machines()). */

#include "machine.h"

#define MACHINE_STATE_ROOT "/run/machined-ext/machines"

/* The leader was spawned: records its identity, writes the state, stores the pidfd capsule. Returns 0, or
 * -errno if the state could not be written (the machine could not be found again after a restart). */
int machine_state_started(Machine *m);

/* Writes the machine's state again (after a change of State, Status, registration, ...). Logs failures. */
void machine_state_update(Machine *m);

/* The run is gone: removes its state and its "notify-" and "pidfd-" fds from the fd store. */
void machine_state_drop(Machine *m);

/* Puts every fd of an adopted machine into the fd store (again): after an explicit stop they came from the
 * fd keeper (fd-keeper.c), and the store of this instance is empty. */
void machine_state_store_fds(Machine *m);

/* Stores the machine's notify socket in the fd store. */
void machine_store_notify_fd(Machine *m);

/* Knows the machines of a previous instance of the daemon again, from their state and the fds in the fd
 * store that manager_adopt_consoles() set aside; cleans up after those that are gone, and reports and removes
 * state that cannot be trusted. Returns the number of machines adopted, or -errno. */
int manager_adopt_machines(Manager *m);
