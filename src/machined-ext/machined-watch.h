/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* Watches systemd-machined's bus name: when a new instance takes it (a restart, a crash and reactivation),
 * every running machine the daemon had registered is checked with GetMachine, and registered again if the
 * new instance does not know it (its state in /run/systemd/machines was lost). Returns 0 or -errno. */
int manager_watch_machined(Manager *m);

/* Asks systemd-machined whether it has machine M, registered by us (GetMachine), and registers it again if
 * not. Returns 0 (also for a machine that is not ours to check) or -errno. */
int machined_recheck(Machine *m);
