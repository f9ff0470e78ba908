/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

/* Creates C->devices in DEVFD, the container's own /dev tmpfs (parent directories as needed; a node of ours
 * at the same path is replaced). Returns 0 or -errno (stage CONTAINER_STAGE_DEVICES). */
int devices_setup(int devfd, const ContainerConfig *c, SetupLog *l);
