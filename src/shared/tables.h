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
const char *exit_code_to_string(int si_code) _const_;

/* Returns CLD_EXITED, CLD_KILLED or CLD_DUMPED for "exited", "killed", "dumped", -EINVAL otherwise. */
int exit_code_from_string(const char *s) _pure_;
