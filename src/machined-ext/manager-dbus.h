/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

extern const sd_bus_vtable manager_vtable[];

/* Runs a StartMachine/StartMachineInUnit call that waited for the previous run of its name to be gone,
 * answering it on failure. */
void manager_dbus_run_queued_start(Manager *m, sd_bus_message *message);

/* Subscribes to systemd-machined's MachineRemoved and systemd's JobRemoved signals. Returns 0 or -errno. */
int manager_dbus_subscribe(Manager *m);
