/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macro.h"

#define USEC_INFINITY UINT64_MAX

/* Parses a time span in systemd's syntax (systemd.time(7)) into microseconds: one or more components, each a
 * non-negative decimal number (optionally with a fractional part, "1.5") followed by an optional unit, with
 * optional whitespace between and within components: "90", "90s", "1min 30s", "1m30s", "500ms", "2h", "1.5d".
 * A number without a unit is in seconds. Units: us usec µs μs, ms msec, s sec second seconds, m min minute
 * minutes, h hr hour hours, d day days, w week weeks, M month months (30.44 days), y year years (365.25 days).
 * "infinity" gives USEC_INFINITY.
 * Returns 0 and sets *ret_usec; -EINVAL if s is not a valid time span (including empty or only whitespace, a
 * sign, an unknown unit); -ERANGE if the value does not fit (a finite span may not reach USEC_INFINITY).
 * *ret_usec is untouched on failure. */
int parse_timespan(const char *s, uint64_t *ret_usec);

/* Like parse_timespan(), but a number without a unit is in units of default_unit µs (e.g. 1 for µs, as
 * LimitRTTIME= wants). default_unit must not be 0. */
int parse_timespan_full(const char *s, uint64_t default_unit, uint64_t *ret_usec);
