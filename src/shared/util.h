/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "macro.h"

typedef uint64_t usec_t;
#define USEC_INFINITY ((usec_t) UINT64_MAX)

/* Returns the current time of CLOCK in µs. */
usec_t now(clockid_t clock);

/* Escapes a string for use in a unit name like systemd's unit_name_escape(): [a-zA-Z0-9:_.] stay (a leading
 * '.' is escaped), '/' becomes '-', everything else \xNN. Returns a new string or NULL on OOM. */
char *unit_name_escape(const char *s);

/* Returns "machine-<escaped name>.scope", the unit systemd-machined creates for NAME, or NULL on OOM. */
char *machine_scope_name(const char *name);

/* Reads the cgroup v2 path of PID from /proc. Returns 0 with *ret (to be freed), -ENOMEDIUM if PID has no
 * cgroup v2 entry, or -errno. */
int pid_get_cgroup(pid_t pid, char **ret);

