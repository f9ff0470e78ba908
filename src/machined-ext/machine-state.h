/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Every machine of the daemon, however started, has its state on disk, MACHINE_STATE_ROOT/NAME/state.json
 * (src/container/state.c: atomic writes, validated loads), from its spawn until it is gone; and the fds that
 * must outlive the daemon are in systemd's fd store:
 *   "machine-NAME"  a capsule (fd-capsule.h) with its leader's pidfd (systemd drops a stored pidfd once it
 *                   reports POLLHUP; in a capsule it is kept after the leader was reaped, and the next
 *                   instance can still read its exit status), its console's reader fd (console.c) and its
 *                   root directory locks (image-lock.c), in that order, their kinds in the capsule's tag.
 *                   One entry for them all: systemd compares every fd stored with each fd it holds already
 *                   (kcmp()), so each entry more per machine made a start cost more with every machine.
 *                   From Linux 6.10 on also its /run/host/notify socket (last), and the capsule is then
 *                   stored once the set-up is done, which brings that socket: one entry per machine, one
 *                   store per start (N kcmp() calls in PID 1 instead of 4N with N machines running).
 *   "notify-NAME"   before Linux 6.10, its /run/host/notify socket. Not in the capsule there: it would be an
 *                   AF_UNIX socket in flight, and every close of any AF_UNIX socket on the host would run the
 *                   garbage collector over all of those (unix_gc()), one more per machine. Since 6.10 the
 *                   collector only runs once a socket in flight was sent to one in flight, and a capsule
 *                   never is; its other fds are no sockets (a pidfd, a pipe or pty, lock files).
 * A restarted daemon knows its machines again from both (manager_adopt_machines()); the capsule is opened
 * into "pidfd-NAME", "console-NAME", "lock-NAME" and "notify-NAME" first (manager_adopt_consoles()), the
 * names a keeper (fd-keeper.c) and an older daemon hands over, and each adopted machine is stored again in
 * this kernel's layout. */

#include "machine.h"

#define MACHINE_STATE_ROOT "/run/machined-ext/machines"

#define MACHINE_FDS_PREFIX "machine-"
#define MACHINE_FDS_PIDFD "pidfd"
#define MACHINE_FDS_CONSOLE "console"
#define MACHINE_FDS_LOCK "lock"
#define MACHINE_FDS_NOTIFY "notify"
#define MACHINE_FDS_USERNS "userns"     /* the lock of its UID range (machine-userns.c) */

/* The leader was spawned: records its identity and writes the state. Returns 0, or
 * -errno if the state could not be written (the machine could not be found again after a restart). */
int machine_state_started(Machine *m);

/* At the spawn: stores "machine-NAME" (above) unless it is stored already or waits for the notify socket
 * (machine_notify_in_capsule()). Returns > 0 if stored, 0 if there is no fd
 * store or nothing to store, or -errno. */
int machine_store_fds(Machine *m);

/* Writes the machine's state again (after a change of State, Status, registration, ...). Logs failures. */
void machine_state_update(Machine *m);

/* The run is gone: removes its state and its "machine-" and "notify-" fds from the fd store. */
void machine_state_drop(Machine *m);

/* Puts every fd of an adopted machine into the fd store (again): after an explicit stop they came from the
 * fd keeper (fd-keeper.c), and the store of this instance is empty; after a crash or an upgrade the store may
 * hold them in another layout. Returns true if the store had them already as this instance stores them (its
 * capsule, peeked at, is still there: nothing is sent to systemd then), false if they were stored anew. */
bool machine_state_store_fds(Machine *m);

/* The container's set-up is done, and its /run/host/notify socket (if any) is m->notify_fd: stores the
 * capsule with it (machine_notify_in_capsule()) or the socket as "notify-NAME". */
void machine_store_fds_setup_done(Machine *m);

/* Whether the notify socket goes into the capsule: from Linux 6.10 on (above), or as
 * $MACHINED_EXT_FD_STORE_NOTIFY ("capsule" or "separate") says. */
bool machine_notify_in_capsule(void);

/* Knows the machines of a previous instance of the daemon again, from their state and the fds in the fd
 * store that manager_adopt_consoles() set aside; cleans up after those that are gone, and reports and removes
 * state that cannot be trusted. Returns the number of machines adopted, or -errno. */
int manager_adopt_machines(Manager *m);
