/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>

#include "tables.h"
#include "test-assert.h"

static void test_machine_state(void) {
        for (MachineState s = 0; s < _MACHINE_STATE_MAX; s++) {
                const char *n = machine_state_to_string(s);
                ASSERT(n);
                ASSERT_EQ(machine_state_from_string(n), s);
        }

        ASSERT_STREQ(machine_state_to_string(MACHINE_STARTING), "starting");
        ASSERT_STREQ(machine_state_to_string(MACHINE_RUNNING), "running");
        ASSERT_STREQ(machine_state_to_string(MACHINE_STOPPING), "stopping");

        ASSERT(machine_state_to_string(_MACHINE_STATE_MAX) == NULL);
        ASSERT(machine_state_to_string(_MACHINE_STATE_INVALID) == NULL);
        ASSERT(machine_state_to_string((MachineState) 1000) == NULL);
        ASSERT_EQ(machine_state_from_string(NULL), _MACHINE_STATE_INVALID);
        ASSERT_EQ(machine_state_from_string(""), _MACHINE_STATE_INVALID);
        ASSERT_EQ(machine_state_from_string("Running"), _MACHINE_STATE_INVALID);
        ASSERT_EQ(machine_state_from_string("exited"), _MACHINE_STATE_INVALID);
}

static void test_exit_code(void) {
        static const int codes[] = { CLD_EXITED, CLD_KILLED, CLD_DUMPED, EXIT_CODE_UNKNOWN };

        for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
                const char *n = exit_code_to_string(codes[i]);
                ASSERT(n);
                ASSERT_EQ(exit_code_from_string(n), codes[i]);
        }

        ASSERT_STREQ(exit_code_to_string(CLD_EXITED), "exited");
        ASSERT_STREQ(exit_code_to_string(CLD_KILLED), "killed");
        ASSERT_STREQ(exit_code_to_string(CLD_DUMPED), "dumped");
        ASSERT_STREQ(exit_code_to_string(EXIT_CODE_UNKNOWN), "unknown");
        ASSERT(exit_code_to_string(CLD_TRAPPED) == NULL);
        ASSERT(exit_code_to_string(0) == NULL);
        ASSERT(exit_code_to_string(-1) == NULL);
        ASSERT(exit_code_to_string(CLD_TRAPPED) == NULL);
        ASSERT(exit_code_to_string(CLD_STOPPED) == NULL);
        ASSERT(exit_code_to_string(CLD_CONTINUED) == NULL);
        ASSERT_EQ(exit_code_from_string(NULL), -EINVAL);
        ASSERT_EQ(exit_code_from_string("trapped"), -EINVAL);
        ASSERT_EQ(exit_code_from_string(""), -EINVAL);
}

int main(void) {
        test_machine_state();
        test_exit_code();
        return 0;
}
