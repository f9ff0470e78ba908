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

const char *machine_state_to_string(MachineState s) {
        if (s < 0 || s >= _MACHINE_STATE_MAX)
                return NULL;
        return machine_state_table[s];
}

MachineState machine_state_from_string(const char *s) {
        int r = string_table_lookup(machine_state_table, ELEMENTSOF(machine_state_table), s);
        return r < 0 ? _MACHINE_STATE_INVALID : (MachineState) r;
}

static const char *const exit_code_table[] = {
        [CLD_EXITED] = "exited",
        [CLD_KILLED] = "killed",
        [CLD_DUMPED] = "dumped",
};

const char *exit_code_to_string(int si_code) {
        if (si_code < 0 || (size_t) si_code >= ELEMENTSOF(exit_code_table))
                return NULL;
        return exit_code_table[si_code];
}

int exit_code_from_string(const char *s) {
        return string_table_lookup(exit_code_table, ELEMENTSOF(exit_code_table), s);
}
