/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to the OCI front-end (config-oci.c): linux.resources and linux.devices -> scope properties. */

#include "config-oci.h"

/* Adds a warning (printf-style, naming the JSON path) to C->warnings. Returns 0 or -ENOMEM. */
int oci_container_warn(OciContainer *c, const char *format, ...) _printf_(2, 3);

/* Frees what P owns. */
void oci_scope_property_done(OciScopeProperty *p);

/* Fills C->scope_properties from C->spec->linux_config (resources, devices). Returns 0, -EINVAL with a
 * message naming the JSON path in *error, or -ENOMEM. */
int oci_resources_to_scope_properties(OciContainer *c, char **error);
