/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

/* ResolvConf= and Timezone=, systemd-nspawn's modes, in the container's /etc below ROOTFD. A host file that is
 * missing or a read-only /etc is a warning. Returns 0 or -errno (stage CONTAINER_STAGE_ETC). */
int policy_setup_etc(int rootfd, const ContainerConfig *c, SetupLog *l);
