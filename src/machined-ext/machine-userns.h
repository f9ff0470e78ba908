/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* PrivateUsers= on the daemon's side: which UID range a machine gets (picked, or the settings' explicit one),
 * checked against the other running machines, the host's users and systemd-nspawn's range locks. Kept apart
 * from machine.c: it is the nspawn-settings -> model translation of one key. */

#include "container-config.h"

typedef struct Machine Machine;

/* The default of PrivateUsers= for machines without it in (trusted) settings: a user namespace, as
 * systemd-nspawn@.service (-U) gives. Untrusted files cannot change it (PrivateUsers= is TRUST_PRIVILEGED). */
#define MACHINE_DEFAULT_PRIVATE_USERS USER_NAMESPACE_PICK

/* Makes the host-user check of PrivateUsers=pick skip the userdb services that only know ranges it never
 * picks or tracks itself ($SYSTEMD_BYPASS_USERDB, unless already set): no round trip to systemd-machined
 * or PID 1 per start. Call once, before any thread exists. Returns 0 or -errno. */
int machine_userns_init_lookups(void);

/* Decides M's user namespace and fills in CONFIG's userns_* fields; takes the range's lock (kept in M until
 * machine_userns_release()). Returns 0 (also: no user namespace), -EBADMSG if the settings ask for a range
 * that cannot be had (*RET_ERROR says why, naming the settings file), -ENOTRECOVERABLE if no range could be
 * picked (*RET_ERROR), or -ENOMEM. Nothing is held on failure. */
int machine_userns_setup(Machine *m, ContainerConfig *config, char **ret_error);

/* Lets go of M's range (its payload is gone, or never started). */
void machine_userns_release(Machine *m);

/* An adopted machine (a restarted daemon): takes its UID range SHIFT:RANGE again, as its state recorded it
 * (RANGE 0: none), so that no other machine gets it: with LOCK_FD (taken; -EBADF: none), the lock the previous
 * instance held (out of systemd's fd store or the keeper) if it is the lock file of SHIFT, else by locking
 * that file anew. Returns 0, -EBADMSG for a range that cannot be, -EBUSY if another holds its lock, or
 * -errno. */
int machine_userns_adopt(Machine *m, uint64_t shift, uint64_t range, int lock_fd);
/* The same for the state of an older daemon, which did not record the range: the range of the leader's user
 * namespace, read from /proc/LEADER/uid_map (the caller has checked the leader by its pidfd). */
int machine_userns_adopt_from_leader(Machine *m);
