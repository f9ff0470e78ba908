/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>

#include "tables.h"

static const char *const machine_state_table[_MACHINE_STATE_MAX] = {
        [MACHINE_STARTING] = "starting",
        [MACHINE_RUNNING]  = "running",
        [MACHINE_STOPPING] = "stopping",
};

int string_table_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

DEFINE_STRING_TABLE(machine_state, MachineState, _MACHINE_STATE_MAX)

static const char *const exit_code_table[] = {
        [EXIT_CODE_UNKNOWN] = "unknown",
        [CLD_EXITED] = "exited",
        [CLD_KILLED] = "killed",
        [CLD_DUMPED] = "dumped",
};

DEFINE_STRING_TABLE(exit_code, int, (int) ELEMENTSOF(exit_code_table))
