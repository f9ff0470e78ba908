/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to the OCI front-end (config-oci.c): linux.seccomp -> the model's seccomp profile. */

#include "config-oci.h"

/* Fills C->seccomp_profile (and C->config.seccomp_profile) from C->spec's linux.seccomp, if there is one;
 * system calls libseccomp does not know are skipped with a warning. Returns 0, -EINVAL with a message naming
 * the JSON path in *error, or -ENOMEM. */
int oci_seccomp_to_profile(OciContainer *c, char **error);

/* Compiles C's profile (if it has one) once: a rule libseccomp refuses is -EINVAL with a message naming the
 * rule's JSON path in *error, a flag it cannot apply a warning in C->warnings. Returns 0, -EINVAL or -ENOMEM. */
int oci_seccomp_check(OciContainer *c, char **error);
