/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

extern const sd_bus_vtable manager_vtable[];

/* Dispatches again a call that waited for the previous run of its name to be gone (machine_queue_call()): a
 * StartMachine/StartMachineInUnit, or a call about the machine that came after it. START_ERROR carries the
 * error of the last start of the batch: the calls after a start that failed get that error, the run they
 * asked about never began. Answers the call on failure. */
void manager_dbus_run_queued_call(Manager *m, sd_bus_message *message, sd_bus_error *start_error);

/* Subscribes to systemd-machined's MachineRemoved and systemd's JobRemoved signals. Returns 0 or -errno. */
int manager_dbus_subscribe(Manager *m);
