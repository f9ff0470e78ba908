/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsers of single values from text, with no key, file or message around them: booleans, numbers, sizes,
 * resource limit values, absolute paths, ':'-separated fields, whitespace. The settings parser's value parsers
 * (conf-values.h) and key parsers (nspawn-settings*.c) are built on these. Pure functions: no I/O, no logging. */

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "macro.h"

#define WHITESPACE " \t\n\r"

/* Parses a boolean as systemd does: 1 yes y true t on, 0 no n false f off, in any case. Returns 1, 0, or
 * -EINVAL for anything else. */
int parse_boolean(const char *v);

/* Returns true if s contains a control character (0x01-0x1f, 0x7f). */
bool has_control_chars(const char *s);

/* Normalizes an absolute path: collapses "//", drops "." components and a trailing '/'. Refuses relative
 * paths, ".." components, control characters and paths longer than PATH_MAX. Returns 0 and an allocated *ret,
 * -EINVAL or -ENOMEM. */
int path_normalize_absolute(const char *p, char **ret);

/* Parses a decimal unsigned 64-bit number, digits only. Returns 0, -EINVAL, or -ERANGE on overflow. */
int parse_u64(const char *s, uint64_t *ret);

/* Parses a size in bytes like systemd's parse_size(…, 1024): components of a number (with an optional
 * fraction) and an optional suffix B, K, M, G, T, P, E (powers of 1024), summed: "1G", "1.5M", "1G 512M".
 * Returns 0, -EINVAL, or -ERANGE on overflow. */
int parse_size(const char *s, uint64_t *ret);

typedef enum RlimitUnit {
        RLIMIT_UNIT_NUMBER,     /* a plain count */
        RLIMIT_UNIT_BYTES,      /* parse_size() */
        RLIMIT_UNIT_SEC,        /* a time span, default unit s, stored as seconds rounded up */
        RLIMIT_UNIT_USEC,       /* a time span, default unit µs, stored as µs */
        RLIMIT_UNIT_NICE,       /* "+N"/"-N": a nice level -20…19; "N": the raw limit 0…40 */
} RlimitUnit;

/* Parses one limit value ("infinity", or a number in UNIT). Returns 0, -EINVAL or -ERANGE. */
int parse_rlimit_value(const char *s, RlimitUnit unit, rlim_t *ret);

/* Extracts the next ':'-separated field of *p into *ret, like systemd's extract_first_word(…, ":",
 * EXTRACT_DONT_COALESCE_SEPARATORS): a backslash takes the next character literally (so "\:" is a colon in
 * a path), empty fields are kept. Returns 1 and advances *p past the separator (to NULL after the last
 * field), 0 if *p is NULL, -EINVAL on a trailing backslash, -ENOMEM. */
int extract_colon_field(const char **p, char **ret);

/* Parses a CPU list, indices and ranges separated by commas or WHITESPACE ("0-3,7", "0-3 7"), into *RET
 * (CPUs 0…CPU_SETSIZE-1). Returns 0, or -EINVAL with a static reason in *RET_REASON. */
int parse_cpu_set(const char *s, cpu_set_t *ret, const char **ret_reason);

/* Strips WHITESPACE from both ends of s, in place. Returns the first character kept. */
char *strstrip(char *s);
