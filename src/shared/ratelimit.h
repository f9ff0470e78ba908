/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "util.h" /* usec_t */

/* A window rate limit, like systemd's RateLimit: at most BURST events per INTERVAL, the window starting with
 * the first event after the previous one ended. */
typedef struct RateLimit {
        usec_t interval;
        unsigned burst;
        unsigned num;           /* events in the current window */
        usec_t begin;           /* CLOCK_MONOTONIC start of the window, 0 = none yet */
} RateLimit;

#define RATELIMIT_INIT(i, b) ((RateLimit) { .interval = (i), .burst = (b) })

/* Counts one event at time NOW (CLOCK_MONOTONIC µs). Returns true if it is within the limit, false if the
 * window's burst is used up (the event is not counted). */
bool ratelimit_below_at(RateLimit *rl, usec_t now_usec);
bool ratelimit_below(RateLimit *rl);

/* Returns when the current window ends (CLOCK_MONOTONIC µs), 0 if there is none. */
usec_t ratelimit_end(const RateLimit *rl);
