/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macro.h"
#include "util.h" /* usec_t, USEC_INFINITY */

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

/* Reads a decimal number without sign at *P ("12", "1.5", ".5"), advancing *P past it: the whole part to
 * *RET_WHOLE, the fraction's digits to *RET_FRAC and their count to *RET_N_FRAC (not copied; NULL and 0 if
 * there is no fraction). Returns 0,
 * -EINVAL if there are no digits or a '.' follows, -ERANGE if the whole part overflows. */
int parse_decimal(const char **p, uint64_t *ret_whole, const char **ret_frac, size_t *ret_n_frac);

/* WHOLE.FRAC times FACTOR, rounded down, exactly (only the first 9 fraction digits count: the rest is below
 * 1e-9 of FACTOR). Returns 0, or -ERANGE on overflow. */
int scale_decimal(uint64_t whole, const char *frac, size_t n_frac, uint64_t factor, uint64_t *ret);

/* USEC as systemctl show prints time spans (systemd's format_timespan() with full accuracy): "1min 30s",
 * "100ms", "1.500000s" (under a minute, a remainder goes after a dot), "0", "infinity" for USEC_INFINITY.
 * Returns BUF; the text is cut off at SIZE (FORMAT_TIMESPAN_MAX always suffices). */
/* A + B, saturated at USEC_INFINITY (as systemd's usec_add()). */
static inline usec_t usec_add(usec_t a, usec_t b) {
        return a >= USEC_INFINITY - b ? USEC_INFINITY : a + b;
}

#define FORMAT_TIMESPAN_MAX 64U
char *format_timespan(char *buf, size_t size, uint64_t usec);
