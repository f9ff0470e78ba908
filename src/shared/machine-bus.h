/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The calls that make a container a machine: its transient scope (systemd's StartTransientUnit, with the
 * properties of systemd-machined's CreateMachine minus AddRef=yes) and its registration (machined's
 * RegisterMachine). Only the messages are built here: the daemon sends them asynchronously, the OCI runtime
 * CLI synchronously. Built into the config library, since a bundle's resources (config-oci.h) are part of
 * the scope. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>
#include <sys/types.h>

#include "config-oci.h"

typedef struct MachineScope {
        const char *unit;               /* "machine-NAME.scope", "libpod-ID.scope" */
        const char *description;
        const char *slice;              /* NULL: machine.slice */
        int kill_signal;
        pid_t leader;                   /* the process that becomes the scope's only member */
        const OciContainer *oci;        /* a bundle's resources, or NULL */
} MachineScope;

/* A new StartTransientUnit call for S (mode "fail"). The scope has no DevicePolicy=: the caller attaches the
 * machine's device policy (device-policy.h) before the payload runs. Returns 0 and *ret, or -errno. */
int machine_bus_new_start_scope(sd_bus *bus, const MachineScope *s, sd_bus_message **ret);

/* A new SetUnitProperties call (runtime) that gives UNIT the resources of OCI, and with DEVICES its device
 * rules as DeviceAllow= (for a unit whose device policy is systemd's: container@.service). Returns 0 and
 * *ret, or -errno. */
int machine_bus_new_set_unit_properties(sd_bus *bus, const char *unit, const OciContainer *oci, bool devices,
                                        sd_bus_message **ret);

/* A new RegisterMachine call: machined takes the unit from LEADER's cgroup. SERVICE names the manager
 * ("machined-ext"). With IFINDEXES (N_IFINDEXES of them, the host side of the machine's network), a
 * RegisterMachineWithNetwork call. Returns 0 and *ret, or -errno. */
int machine_bus_new_register(sd_bus *bus, const char *name, sd_id128_t id, const char *service, pid_t leader,
                             const char *root, const int *ifindexes, size_t n_ifindexes, sd_bus_message **ret);

/* A connection to systemd (PID 1) on its private socket, as systemctl makes one for root: the calls and
 * signals of the scope then go straight to systemd and back, not through dbus-daemon (issue #17). systemd
 * sends every signal to every such connection, wanted or not (no AddMatch, no Subscribe). Started, not yet
 * authenticated: calls queue until it is. Returns 0 and *ret, or -errno (-EPERM: we are not root, or the
 * peer is not; no socket: -ENOENT). */
int systemd_private_open(sd_bus **ret);
