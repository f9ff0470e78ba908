/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The D-Bus object of a container of machined-ext-oci (oci-containers.h): BUS_OCI_PATH_PREFIX/<id>, with the
 * interface of our machines (org.machinedext1.Machine) and what applies to it: Name, State, Leader, Unit,
 * RootDirectory, Timestamp; Stop and Kill. So a client that got its path from GetMachine reads and acts on it
 * as on any machine. */

#include <systemd/sd-bus.h>

#include "oci-containers.h"

extern const sd_bus_vtable oci_machine_vtable[];

/* The sd-bus object finder of BUS_OCI_PATH_PREFIX: a container with a live leader, its state read again. */
int oci_machine_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                              sd_bus_error *error);

/* The sd-bus node enumerator of BUS_OCI_PATH_PREFIX (busctl tree, introspection): the paths of the containers
 * that oci_machine_object_find() finds. */
int oci_machine_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);

/* Stop and Kill of the object, shared with the manager's StopMachine and KillMachine (which have read the
 * name). Return 1 after replying, or a negative errno / set error. */
int bus_oci_machine_method_stop(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_oci_machine_method_kill(sd_bus_message *message, void *userdata, sd_bus_error *error);

/* Sets ERROR for a failed oci_container_*() call R (domain codes, with MESSAGE if not NULL). */
int bus_error_from_oci_machine(sd_bus_error *error, int r, const char *id, const char *message);
