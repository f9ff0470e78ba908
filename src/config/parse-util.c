/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse-util.h"
#include "time-util.h"

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

bool has_control_chars(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < ' ' || *s == 0x7f)
                        return true;
        return false;
}

int path_normalize_absolute(const char *p, char **ret) {
        _cleanup_free_ char *n = NULL;
        size_t k = 0;

        if (p[0] != '/')
                return -EINVAL;
        if (strlen(p) >= PATH_MAX)
                return -EINVAL;

        n = new(char, strlen(p) + 1);
        if (!n)
                return -ENOMEM;

        for (const char *c = p; *c; ) {
                size_t len;

                c += strspn(c, "/");
                len = strcspn(c, "/");
                if (len == 0)
                        break;

                if (len == 1 && c[0] == '.') {
                        c += len;
                        continue;
                }
                if (len == 2 && c[0] == '.' && c[1] == '.')
                        return -EINVAL;

                for (size_t i = 0; i < len; i++)
                        if ((unsigned char) c[i] < ' ' || c[i] == 0x7f)
                                return -EINVAL;

                n[k++] = '/';
                memcpy(n + k, c, len);
                k += len;
                c += len;
        }

        if (k == 0)
                n[k++] = '/';
        n[k] = 0;

        *ret = TAKE_PTR(n);
        return 0;
}

int parse_u64(const char *s, uint64_t *ret) {
        uint64_t v = 0;

        if (isempty(s))
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        *ret = v;
        return 0;
}

int parse_cpu_set(const char *s, cpu_set_t *ret, const char **ret_reason) {
        static const char expected[] = "expected CPU indices or ranges like '0-3 5'";

        CPU_ZERO(ret);
        for (const char *p = s;;) {
                uint64_t a, b;
                char word[64];
                size_t n;
                char *dash;

                p += strspn(p, WHITESPACE ",");
                if (*p == 0)
                        return 0;
                n = strcspn(p, WHITESPACE ",");
                if (n >= sizeof(word)) {
                        *ret_reason = expected;
                        return -EINVAL;
                }
                memcpy(word, p, n);
                word[n] = 0;
                p += n;

                dash = strchr(word, '-');
                if (dash)
                        *dash = 0;
                if (parse_u64(word, &a) < 0 || (dash && parse_u64(dash + 1, &b) < 0)) {
                        *ret_reason = expected;
                        return -EINVAL;
                }
                if (!dash)
                        b = a;
                if (a > b) {
                        *ret_reason = "range with start above end";
                        return -EINVAL;
                }
                if (b >= CPU_SETSIZE) {
                        *ret_reason = "CPU index above 1023";
                        return -EINVAL;
                }
                for (uint64_t c = a; c <= b; c++)
                        CPU_SET((size_t) c, ret);
        }
}

int parse_size(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                uint64_t factor;
        } units[] = {
                { 'B', 1 },
                { 'K', UINT64_C(1) << 10 },
                { 'M', UINT64_C(1) << 20 },
                { 'G', UINT64_C(1) << 30 },
                { 'T', UINT64_C(1) << 40 },
                { 'P', UINT64_C(1) << 50 },
                { 'E', UINT64_C(1) << 60 },
        };
        uint64_t total = 0;
        bool any = false;

        for (const char *p = s;;) {
                uint64_t whole = 0, factor = 1, v;
                const char *frac = NULL;
                size_t n_frac = 0;
                int r;

                p += strspn(p, WHITESPACE);
                if (*p == 0)
                        break;

                r = parse_decimal(&p, &whole, &frac, &n_frac);
                if (r < 0)
                        return r;

                p += strspn(p, WHITESPACE);
                if (*p && !(*p >= '0' && *p <= '9')) {
                        size_t i;

                        for (i = 0; i < ELEMENTSOF(units); i++)
                                if (units[i].suffix == *p)
                                        break;
                        if (i >= ELEMENTSOF(units))
                                return -EINVAL;
                        factor = units[i].factor;
                        p++;
                }

                r = scale_decimal(whole, frac, n_frac, factor, &v);
                if (r < 0)
                        return r;
                if (total > UINT64_MAX - v)
                        return -ERANGE;
                total += v;
                any = true;
        }

        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

int parse_rlimit_value(const char *s, RlimitUnit unit, rlim_t *ret) {
        uint64_t v;
        int r;

        if (streq(s, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }

        switch (unit) {

        case RLIMIT_UNIT_NUMBER:
                r = parse_u64(s, &v);
                break;

        case RLIMIT_UNIT_BYTES:
                r = parse_size(s, &v);
                break;

        case RLIMIT_UNIT_SEC:
                r = parse_timespan(s, &v);
                if (r >= 0)
                        v = v / USEC_PER_SEC + (v % USEC_PER_SEC != 0); /* round up, like systemd */
                break;

        case RLIMIT_UNIT_USEC:
                r = parse_timespan_full(s, 1, &v);
                break;

        case RLIMIT_UNIT_NICE:
                if (s[0] == '+' || s[0] == '-') {
                        r = parse_u64(s + 1, &v);
                        if (r >= 0) {
                                if (s[0] == '-' ? v > 20 : v > 19)
                                        return -ERANGE;
                                v = s[0] == '-' ? 20 + v : 20 - v; /* RLIMIT_NICE is 20 - nice */
                        }
                } else {
                        r = parse_u64(s, &v);
                        if (r >= 0 && v > 40)
                                return -ERANGE;
                }
                break;

        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        if (v == RLIM_INFINITY) /* only spelled "infinity" */
                return -ERANGE;

        *ret = (rlim_t) v;
        return 0;
}

int extract_colon_field(const char **p, char **ret) {
        _cleanup_free_ char *f = NULL;
        const char *s = *p;
        size_t k = 0;

        if (!s)
                return 0;

        /* Sized by this field, not by the rest of the line: a line of many fields stays linear. */
        for (const char *e = s; *e && *e != ':'; e++) {
                if (*e == '\\' && e[1])
                        e++;
                k++;
        }
        f = new(char, k + 1);
        if (!f)
                return -ENOMEM;
        k = 0;

        for (;; s++) {
                if (*s == 0) {
                        s = NULL;
                        break;
                }
                if (*s == ':') {
                        s++;
                        break;
                }
                if (*s == '\\') {
                        s++;
                        if (*s == 0)
                                return -EINVAL;
                }
                f[k++] = *s;
        }
        f[k] = 0;

        *p = s;
        *ret = TAKE_PTR(f);
        return 1;
}

char *strstrip(char *s) {
        size_t n;

        s += strspn(s, WHITESPACE);
        n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                n--;
        s[n] = 0;
        return s;
}

