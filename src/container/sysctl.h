/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

/* Writes C->sysctls ("key=value", checked by container_config_validate()) below PROCFD, the container's new
 * /proc, before its /proc/sys is made read-only. Returns 0 or -errno (stage CONTAINER_STAGE_SYSCTL). */
int sysctl_apply(int procfd, const ContainerConfig *c, SetupLog *l);
