/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ratelimit.h"
#include "test-assert.h"

int main(void) {
        RateLimit rl = RATELIMIT_INIT(1000000, 3);

        ASSERT_EQ(ratelimit_end(&rl), 0);
        /* Three in the window, then refused until it ends. */
        ASSERT(ratelimit_below_at(&rl, 5000000));
        ASSERT(ratelimit_below_at(&rl, 5000001));
        ASSERT(ratelimit_below_at(&rl, 5500000));
        ASSERT(!ratelimit_below_at(&rl, 5500001));
        ASSERT(!ratelimit_below_at(&rl, 5999999));
        ASSERT_EQ(ratelimit_end(&rl), 6000000);
        /* A new window. */
        ASSERT(ratelimit_below_at(&rl, 6000000));
        ASSERT_EQ(ratelimit_end(&rl), 7000000);
        ASSERT(ratelimit_below_at(&rl, 6000001));
        ASSERT(ratelimit_below_at(&rl, 6000002));
        ASSERT(!ratelimit_below_at(&rl, 6000003));
        /* The real clock. */
        rl = RATELIMIT_INIT(60000000, 1);
        ASSERT(ratelimit_below(&rl));
        ASSERT(!ratelimit_below(&rl));
        ASSERT(ratelimit_end(&rl) > 0);
        return 0;
}
