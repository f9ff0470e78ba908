/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
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

/* The longest unit name systemd takes, in characters (its UNIT_NAME_MAX is 256 with the NUL). */
#define UNIT_NAME_LENGTH_MAX 255

/* Returns "machine-<escaped name>.scope", the unit systemd-machined creates for NAME, or NULL on OOM. */
char *machine_scope_name(const char *name);

/* Reads the cgroup v2 path of PID from /proc. Returns 0 with *ret (to be freed), -ENOMEDIUM if PID has no
 * cgroup v2 entry, or -errno. */
int pid_get_cgroup(pid_t pid, char **ret);

/* Whether the cgroup path CGROUP is that of UNIT ("/machine.slice/machine-x.scope"), or with SUB that of its
 * subgroup SUB (".../container@x.service/payload"). */
bool cgroup_path_endswith_unit(const char *cgroup, const char *unit, const char *sub);

/* Whether the child PIDFD refers to has exited (a zombie counts), without reaping it. */
bool pidfd_has_exited(int pidfd);


/* Ends a command line tool whose work is done and freed: stdout is flushed (a failure to write it fails a
 * command that succeeded), then _exit(). The libraries' destructors and the exit handlers have nothing left
 * to do but touch their pages, each a fault that costs 15-30 µs on a guest with shadow paging (issue #17).
 * Sanitized builds exit() as usual, for the leak check. */
_noreturn_ void cli_exit(int status);
