/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The containers of the OCI runtime command line (machined-ext-oci) under its default state root, as the
 * daemon lists them (ListOCIContainers). Read when asked, never written: the CLI owns that directory. */

#include <systemd/sd-bus.h>

#include "state.h"

/* Appends one "(ssuss)" per valid container of the OCI CLI under ROOT to REPLY (inside an open array): id,
 * status (derived from the facts: a recorded leader that is gone or whose PID was recycled is "stopped"),
 * leader PID (0 without a live leader), unit (or ""), bundle (or ""; always "" without SHOW_BUNDLE). Entries that cannot be read or do not
 * validate are skipped (logged at debug). A missing ROOT is no entries. Returns 0 or -errno. */
int oci_containers_append(sd_bus_message *reply, const char *root, bool show_bundle);
