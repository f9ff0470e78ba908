/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

#include "macro.h"

typedef enum MachineState {
        MACHINE_STARTING,
        MACHINE_RUNNING,
        MACHINE_STOPPING,
        _MACHINE_STATE_MAX,
        _MACHINE_STATE_INVALID = -EINVAL,
} MachineState;

/* Returns "starting", "running", "stopping", or NULL if s is out of range. */
const char *machine_state_to_string(MachineState s) _const_;

/* Returns the state named s, or _MACHINE_STATE_INVALID if s is NULL or unknown. */
MachineState machine_state_from_string(const char *s) _pure_;

/* Returns "exited", "killed" or "dumped" for CLD_EXITED, CLD_KILLED, CLD_DUMPED (siginfo_t.si_code of a
 * child's termination), NULL for anything else. */
/* A payload that ended while no daemon watched it, on a kernel that cannot tell how (no PIDFD_INFO_EXIT). */
#define EXIT_CODE_UNKNOWN 7 /* after the CLD_* codes */
const char *exit_code_to_string(int si_code) _const_;

/* Returns CLD_EXITED, CLD_KILLED or CLD_DUMPED for "exited", "killed", "dumped", -EINVAL otherwise. */
int exit_code_from_string(const char *s) _pure_;

/* Looks S up in the sparse string table TABLE of N entries (NULL entries allowed). Returns the index, or -EINVAL
 * if S is NULL or not in the table. */
int string_table_lookup(const char *const *table, size_t n, const char *s);

/* Defines NAME_to_string() (NULL for values out of range) and NAME_from_string() (-EINVAL, the enums'
 * _INVALID, for unknown strings) for the table NAME_table of TYPE with MAX entries. */
#define DEFINE_STRING_TABLE(name, type, max)                                                    \
        const char *name##_to_string(type v) {                                                  \
                if ((int) v < 0 || (int) v >= (max))                                            \
                        return NULL;                                                            \
                return name##_table[v];                                                         \
        }                                                                                       \
        type name##_from_string(const char *s) {                                                \
                return (type) string_table_lookup(name##_table, ELEMENTSOF(name##_table), s);   \
        }
