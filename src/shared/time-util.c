/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "time-util.h"

#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
#define USEC_PER_WEEK (7 * USEC_PER_DAY)
#define USEC_PER_MONTH (2629800 * USEC_PER_SEC)  /* 30.44 days, like systemd */
#define USEC_PER_YEAR (31557600 * USEC_PER_SEC)  /* 365.25 days, like systemd */

static const struct {
        const char *suffix;
        uint64_t usec;
} time_units[] = {
        { "seconds", USEC_PER_SEC    },
        { "second",  USEC_PER_SEC    },
        { "sec",     USEC_PER_SEC    },
        { "s",       USEC_PER_SEC    },
        { "minutes", USEC_PER_MINUTE },
        { "minute",  USEC_PER_MINUTE },
        { "min",     USEC_PER_MINUTE },
        { "m",       USEC_PER_MINUTE },
        { "months",  USEC_PER_MONTH  },
        { "month",   USEC_PER_MONTH  },
        { "M",       USEC_PER_MONTH  },
        { "msec",    USEC_PER_MSEC   },
        { "ms",      USEC_PER_MSEC   },
        { "hours",   USEC_PER_HOUR   },
        { "hour",    USEC_PER_HOUR   },
        { "hr",      USEC_PER_HOUR   },
        { "h",       USEC_PER_HOUR   },
        { "days",    USEC_PER_DAY    },
        { "day",     USEC_PER_DAY    },
        { "d",       USEC_PER_DAY    },
        { "weeks",   USEC_PER_WEEK   },
        { "week",    USEC_PER_WEEK   },
        { "w",       USEC_PER_WEEK   },
        { "years",   USEC_PER_YEAR   },
        { "year",    USEC_PER_YEAR   },
        { "y",       USEC_PER_YEAR   },
        { "usec",    1               },
        { "us",      1               },
        { "\xce\xbcs", 1             }, /* U+03BC GREEK SMALL LETTER MU */
        { "\xc2\xb5s", 1             }, /* U+00B5 MICRO SIGN */
};

#define TIME_SPACE " \t\n\r"

/* Looks up the unit of n bytes at p (exact match). Returns its length in µs, or 0 if unknown. */
static uint64_t time_unit_lookup(const char *p, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(time_units); i++)
                if (strlen(time_units[i].suffix) == n && memcmp(time_units[i].suffix, p, n) == 0)
                        return time_units[i].usec;
        return 0;
}

int parse_timespan(const char *s, uint64_t *ret_usec) {
        return parse_timespan_full(s, USEC_PER_SEC, ret_usec);
}

int parse_timespan_full(const char *s, uint64_t default_unit, uint64_t *ret_usec) {
        uint64_t total = 0;
        bool any = false;

        if (!s || default_unit == 0)
                return -EINVAL;

        {
                const char *t = startswith(s + strspn(s, TIME_SPACE), "infinity");
                if (t && t[strspn(t, TIME_SPACE)] == 0) {
                        *ret_usec = USEC_INFINITY;
                        return 0;
                }
        }

        for (const char *p = s;;) {
                uint64_t whole = 0, mult, v;
                const char *frac = NULL;
                size_t n_frac = 0, n_unit;
                int r;

                p += strspn(p, TIME_SPACE);
                if (*p == 0)
                        break;

                /* The number: digits, optionally '.' and more digits; at least one digit in all. No sign. */
                r = parse_decimal(&p, &whole, &frac, &n_frac);
                if (r < 0)
                        return r;

                /* The unit: everything up to the next digit, space or end; none means default_unit. */
                p += strspn(p, TIME_SPACE);
                n_unit = strcspn(p, "0123456789." TIME_SPACE);
                if (n_unit == 0)
                        mult = default_unit;
                else {
                        mult = time_unit_lookup(p, n_unit);
                        if (mult == 0)
                                return -EINVAL;
                        p += n_unit;
                }

                /* Truncated to whole µs. */
                r = scale_decimal(whole, frac, n_frac, mult, &v);
                if (r < 0)
                        return r;

                if (total > UINT64_MAX - v)
                        return -ERANGE;
                total += v;
                any = true;
        }

        if (!any)
                return -EINVAL;
        if (total == USEC_INFINITY)
                return -ERANGE;

        *ret_usec = total;
        return 0;
}

int parse_decimal(const char **p, uint64_t *ret_whole, const char **ret_frac, size_t *ret_n_frac) {
        const char *s = *p, *frac = NULL;
        size_t n_int = 0, n_frac = 0;
        uint64_t whole = 0;

        for (; *s >= '0' && *s <= '9'; s++, n_int++) {
                if (whole > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
                        return -ERANGE;
                whole = whole * 10 + (uint64_t) (*s - '0');
        }
        if (*s == '.') {
                frac = ++s;
                for (; *s >= '0' && *s <= '9'; s++)
                        n_frac++;
        }
        if (n_int + n_frac == 0 || *s == '.')
                return -EINVAL;

        *p = s;
        *ret_whole = whole;
        *ret_frac = n_frac > 0 ? frac : NULL;
        *ret_n_frac = n_frac;
        return 0;
}

int scale_decimal(uint64_t whole, const char *frac, size_t n_frac, uint64_t factor, uint64_t *ret) {
        uint64_t v;

        if (factor != 0 && whole > UINT64_MAX / factor)
                return -ERANGE;
        v = whole * factor;

        if (n_frac > 0) {
                /* floor(factor * 0.FRAC) from F = the first 9 digits and 10^9 at most: with F < 10^9 and the
                 * remainder < 10^9 nothing overflows. */
                uint64_t f = 0, pow10 = 1, add;

                for (size_t i = 0; i < n_frac && i < 9; i++) {
                        f = f * 10 + (uint64_t) (frac[i] - '0');
                        pow10 *= 10;
                }
                add = factor / pow10 * f + factor % pow10 * f / pow10;
                if (v > UINT64_MAX - add)
                        return -ERANGE;
                v += add;
        }

        *ret = v;
        return 0;
}

char *format_timespan(char *buf, size_t size, uint64_t t) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "y",     USEC_PER_YEAR   },
                { "month", USEC_PER_MONTH  },
                { "w",     USEC_PER_WEEK   },
                { "d",     USEC_PER_DAY    },
                { "h",     USEC_PER_HOUR   },
                { "min",   USEC_PER_MINUTE },
                { "s",     USEC_PER_SEC    },
                { "ms",    USEC_PER_MSEC   },
                { "us",    1               },
        };
        size_t l = 0;

        if (size == 0)
                return NULL;
        if (t == USEC_INFINITY) {
                (void) snprintf(buf, size, "infinity");
                return buf;
        }
        if (t == 0) {
                (void) snprintf(buf, size, "0");
                return buf;
        }

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(units) && t > 0 && l < size; i++) {
                uint64_t whole, rest;
                int digits = 0;

                if (t < units[i].usec)
                        continue;
                whole = t / units[i].usec;
                rest = t % units[i].usec;

                /* Under a minute, what is left goes after a dot, as systemd does ("1.500000s", "2.5ms"
                 * would be "2.500ms"): as many digits as the unit has µs places. */
                if (t < USEC_PER_MINUTE && rest > 0)
                        for (uint64_t u = units[i].usec; u > 1; u /= 10)
                                digits++;
                if (digits > 0) {
                        /* Only "s" (6 places) and "ms" (3) can have a remainder here. */
                        l += (size_t) snprintf(buf + l, size - l,
                                               digits == 6 ? "%s%" PRIu64 ".%06" PRIu64 "%s" : "%s%" PRIu64 ".%03" PRIu64 "%s",
                                               l > 0 ? " " : "", whole, rest, units[i].suffix);
                        break;
                }
                l += (size_t) snprintf(buf + l, size - l, "%s%" PRIu64 "%s", l > 0 ? " " : "", whole,
                                       units[i].suffix);
                t = rest;
        }
        return buf;
}
