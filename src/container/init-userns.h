/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "container-config.h"
#include "setup-log.h"

/* Makes the root directory fit the user namespace USERNS_FD (idmapped bind, or a recorded chown) and binds it
 * onto itself; *RET_IDMAPPED says which. Returns 0, or a setup_fail() result. */
int setup_root_userns(const ContainerConfig *c, int userns_fd, bool *ret_idmapped, SetupLog *l);

/* Hands FD (WHAT, for the report) to the payload's shifted root; nothing without a user namespace. Returns 0,
 * or a setup_fail() result. */
int userns_own(const ContainerConfig *c, int fd, const char *what, SetupLog *l);

/* userns_own() for NAME below DIRFD. */
int userns_own_at(const ContainerConfig *c, int dirfd, const char *name, const char *what, SetupLog *l);

/* Hands the payload's cgroup to its root, then enters the user namespace USERNS_FD (with new mount, UTS and
 * IPC namespaces) as its root. Returns 0, or a setup_fail() result. */
int enter_user_namespace(const ContainerConfig *c, int userns_fd, SetupLog *l);
