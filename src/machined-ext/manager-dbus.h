/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

extern const sd_bus_vtable manager_vtable[];

/* Subscribes to systemd-machined's MachineRemoved signal. Returns 0 or -errno. */
int manager_dbus_subscribe(Manager *m);
