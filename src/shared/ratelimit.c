/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <time.h>

#include "ratelimit.h"

bool ratelimit_below_at(RateLimit *rl, usec_t now_usec) {
        if (rl->begin == 0 || now_usec < rl->begin || now_usec - rl->begin >= rl->interval) {
                rl->begin = now_usec ?: 1;
                rl->num = 0;
        }
        if (rl->num >= rl->burst)
                return false;
        rl->num++;
        return true;
}

bool ratelimit_below(RateLimit *rl) {
        return ratelimit_below_at(rl, now(CLOCK_MONOTONIC));
}

usec_t ratelimit_end(const RateLimit *rl) {
        return rl->begin == 0 ? 0 : rl->begin + rl->interval;
}
