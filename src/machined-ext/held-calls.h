/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

typedef struct Manager Manager;

/* Calls the daemon answers only once something happens (WaitMachine/Wait at the exit, WaitReady, calls queued
 * behind a start or a clean-up) keep their caller's message, and with it any fds sent along. Open to every
 * user: those of a user other than root are bounded, HELD_CALLS_PER_USER_MAX each and HELD_CALLS_MAX in all,
 * or a user could pin fds (and memory) until the daemon runs out. Root's are not (container@.service waits
 * for each of its machines). */
#define HELD_CALLS_PER_USER_MAX 64U
#define HELD_CALLS_MAX 1024U

/* Counts MESSAGE as held (once more, if it already is: a queued call that becomes a waiter is not refused).
 * Returns 0, or sets *ERROR (LimitsExceeded; the sender's error if it cannot be told, as when it is gone) and
 * returns its negative result. */
int manager_hold_call(Manager *m, sd_bus_message *message, sd_bus_error *error);
/* Ends one hold of MESSAGE (if it was counted) and drops the caller's reference to it. NULL: nothing. */
void manager_release_call(Manager *m, sd_bus_message *message);
/* Forgets every count (the daemon's exit). */
void manager_held_calls_done(Manager *m);
