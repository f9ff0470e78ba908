/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>

#include "util.h"

usec_t now(clockid_t clock) {
        struct timespec ts;

        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / NSEC_PER_USEC;
}

char *unit_name_escape(const char *s) {
        char *r, *t;

        r = new(char, strlen(s) * 4 + 1);
        if (!r)
                return NULL;

        t = r;
        for (const char *f = s; *f; f++) {
                if (*f == '/')
                        *t++ = '-';
                else if ((*f == '.' && f == s) ||
                         !(isascii((unsigned char) *f) &&
                           (isalnum((unsigned char) *f) || strchr(":_.", *f))))
                        t += sprintf(t, "\\x%02x", (unsigned char) *f);
                else
                        *t++ = *f;
        }
        *t = 0;
        return r;
}

char *machine_scope_name(const char *name) {
        _cleanup_free_ char *e = unit_name_escape(name);
        char *r;

        if (!e || asprintf(&r, "machine-%s.scope", e) < 0)
                return NULL;
        return r;
}

int parse_sec(const char *s, usec_t *ret) {
        static const struct {
                const char *suffix;
                usec_t usec;
        } table[] = {
                { "",    USEC_PER_SEC     },
                { "s",   USEC_PER_SEC     },
                { "sec", USEC_PER_SEC     },
                { "ms",  USEC_PER_MSEC    },
                { "us",  1                },
                { "min", 60 * USEC_PER_SEC },
                { "m",   60 * USEC_PER_SEC },
        };
        uint64_t v;
        char *end;

        if (!s || !isdigit((unsigned char) s[0]))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(end, table[i].suffix)) {
                        if (v > UINT64_MAX / table[i].usec)
                                return -ERANGE;
                        *ret = v * table[i].usec;
                        return 0;
                }
        return -EINVAL;
}

int pid_get_cgroup(pid_t pid, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        char path[64];
        size_t n = 0;

        snprintf(path, sizeof(path), "/proc/%i/cgroup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (getline(&line, &n, f) > 0) {
                const char *p = startswith(line, "0::");
                if (p) {
                        *ret = strndup(p, strcspn(p, "\n"));
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return -ENOMEDIUM;
}
