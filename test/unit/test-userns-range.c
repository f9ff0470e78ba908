/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-assert.h"
#include "userns-range.h"

static void test_candidates(void) {
        uid_t a0 = userns_pick_candidate("web", 0), a1 = userns_pick_candidate("web", 1);

        /* Deterministic from the name, different between names and attempts. */
        ASSERT_EQ(a0, userns_pick_candidate("web", 0));
        ASSERT(a0 != a1);
        ASSERT(a0 != userns_pick_candidate("db", 0));
        for (unsigned i = 0; i < 1000; i++) {
                uid_t c = userns_pick_candidate("some-machine", i);
                ASSERT(c >= USERNS_PICK_MIN);
                ASSERT(c <= USERNS_PICK_MAX);
                ASSERT_EQ(c & 0xFFFF, 0u);
                /* The walk does not come back early. */
                if (i > 0)
                        ASSERT(c != userns_pick_candidate("some-machine", 0));
        }
}

static void test_overlap(void) {
        ASSERT(userns_ranges_overlap(0x10000, 0x10000, 0x10000, 1));
        ASSERT(userns_ranges_overlap(0x10000, 0x10000, 0x1FFFF, 0x10000));
        ASSERT(!userns_ranges_overlap(0x10000, 0x10000, 0x20000, 0x10000));
        ASSERT(!userns_ranges_overlap(0x20000, 0x10000, 0x10000, 0x10000));
        ASSERT(userns_ranges_overlap(1342177280, 65536, 1342177380, 1000));
        ASSERT(!userns_ranges_overlap(0x10000, 0, 0x10000, 0x10000));
        /* No wrap-around at the top. */
        ASSERT(userns_ranges_overlap(UINT32_MAX - 10, 10, UINT32_MAX - 1, 1));
        ASSERT(!userns_ranges_overlap(UINT32_MAX - 10, 5, 0, 10));
}

int main(void) {
        test_candidates();
        test_overlap();
        return 0;
}
