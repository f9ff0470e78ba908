/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd's system call groups ("@system-service", "@privileged", …) for SystemCallFilter=, with the membership
 * of systemd v252 (src/shared/seccomp-util.c; as listed by v252's "systemd-analyze syscall-filter"). Groups may
 * name other groups. Members are names for all architectures, so some are unknown to libseccomp on any one
 * architecture: the caller resolves each name and skips the ones it cannot resolve, as systemd does. */

#include <stdbool.h>

#include "macro.h"

/* Expands NAME (a system call name, or "@group") into system call names appended to *list (no duplicates: a
 * name already in *list is not appended again). Nested groups are expanded; each group at most once. Names
 * unknown to libseccomp are kept (the caller skips them). Returns 0, -EINVAL for an unknown group or an empty
 * name, -ENOMEM. On failure *list is left as it was. */
int syscall_filter_expand(const char *name, char ***list);

/* Returns true if s is a known group name (with the leading '@'), false otherwise (also for NULL). */
bool syscall_group_exists(const char *s) _pure_;

/* Returns the group names, NULL-terminated, in the order of systemd's table (for tests and listings). */
const char *const *syscall_group_names(void);
