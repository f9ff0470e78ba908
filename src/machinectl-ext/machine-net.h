/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* A machine's network as systemd-machined sees it (machinectl status: Iface, Address). */
typedef struct MachineNetwork {
        char **interfaces;      /* host-side names of NetworkInterfaces ("ve-NAME"), or "#N" if unknown */
        char **addresses;       /* GetMachineAddresses, "10.0.0.2", "fe80::1%ve-NAME" */
} MachineNetwork;

void machine_network_done(MachineNetwork *n);

/* Asks systemd-machined about machine NAME. A machine without a network namespace of its own, or one
 * machined cannot answer for, has neither interfaces nor addresses: that is not an error. Returns 0, or
 * -ENOMEM. */
int machine_network_get(sd_bus *bus, const char *name, MachineNetwork *ret);
