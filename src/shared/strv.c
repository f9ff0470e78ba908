/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

size_t strv_length(char * const *l) {
        size_t n = 0;

        if (!l)
                return 0;
        while (l[n])
                n++;
        return n;
}

int strv_push(char ***l, char *value) {
        size_t n;
        char **c;

        if (!value)
                return -EINVAL;

        n = strv_length(*l);
        if (n > SIZE_MAX / sizeof(char *) - 2)
                return -ENOMEM;

        c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c)
                return -ENOMEM;

        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        char *v;
        int r;

        v = strdup(value);
        if (!v)
                return -ENOMEM;

        r = strv_push(l, v);
        if (r < 0)
                free(v);
        return r;
}

char **strv_copy(char * const *l) {
        _cleanup_strv_free_ char **c = NULL;
        size_t n = strv_length(l);

        c = new0(char *, n + 1);
        if (!c)
                return NULL;

        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(l[i]);
                if (!c[i])
                        return NULL;
        }

        return TAKE_PTR(c);
}

int strv_extend_strv(char ***a, char * const *b) {
        size_t n, m;
        char **c;

        m = strv_length(b);
        if (m == 0)
                return 0;

        n = strv_length(*a);
        if (n > SIZE_MAX / sizeof(char *) - m - 1)
                return -ENOMEM;

        c = realloc(*a, sizeof(char *) * (n + m + 1));
        if (!c)
                return -ENOMEM;
        c[n] = NULL;
        *a = c;

        for (size_t i = 0; i < m; i++) {
                c[n + i] = strdup(b[i]);
                if (!c[n + i]) {
                        /* Roll back so the list is unchanged on failure. */
                        for (size_t j = 0; j < i; j++)
                                free(c[n + j]);
                        c[n] = NULL;
                        return -ENOMEM;
                }
                c[n + i + 1] = NULL;
        }

        return 0;
}

char *strv_find(char * const *l, const char *name) {
        STRV_FOREACH(i, l)
                if (streq(*i, name))
                        return *i;
        return NULL;
}

int strv_env_set(char ***l, const char *assignment) {
        const char *eq;
        size_t k;

        eq = strchr(assignment, '=');
        if (!eq)
                return -EINVAL;
        k = eq - assignment + 1; /* compare including the '=' */

        for (char **i = *l; i && *i; i++)
                if (strneq(*i, assignment, k)) {
                        char *v = strdup(assignment);
                        if (!v)
                                return -ENOMEM;
                        free(*i);
                        *i = v;
                        return 0;
                }

        return strv_extend(l, assignment);
}

char *strv_join(char * const *l, const char *separator) {
        size_t n = 0, k;
        char *r, *e;

        if (!separator)
                separator = " ";
        k = strlen(separator);

        STRV_FOREACH(i, l)
                n += (i == l ? 0 : k) + strlen(*i);

        r = new(char, n + 1);
        if (!r)
                return NULL;

        e = r;
        STRV_FOREACH(i, l) {
                if (i != l)
                        e = stpcpy(e, separator);
                e = stpcpy(e, *i);
        }
        *e = 0;

        return r;
}

static int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

/* Decodes one C escape sequence; p points just after the backslash. Returns the number of input characters
 * consumed (>= 1) and the byte in *ret, or -EINVAL. NUL (\x00) is refused: it would truncate the word. */
static int cunescape_one(const char *p, char *ret) {
        int a, b;

        switch (p[0]) {
        case 'a':  *ret = '\a'; return 1;
        case 'b':  *ret = '\b'; return 1;
        case 'f':  *ret = '\f'; return 1;
        case 'n':  *ret = '\n'; return 1;
        case 'r':  *ret = '\r'; return 1;
        case 't':  *ret = '\t'; return 1;
        case 'v':  *ret = '\v'; return 1;
        case 's':  *ret = ' ';  return 1;
        case '\\': *ret = '\\'; return 1;
        case '"':  *ret = '"';  return 1;
        case '\'': *ret = '\''; return 1;
        case 'x':
                a = unhexchar(p[1]);
                if (a < 0)
                        return -EINVAL;
                b = unhexchar(p[2]);
                if (b < 0)
                        return -EINVAL;
                if (a == 0 && b == 0)
                        return -EINVAL;
                *ret = (char) ((a << 4) | b);
                return 3;
        default:
                return -EINVAL;
        }
}

int extract_first_word(const char **p, char **ret, int flags) {
        _cleanup_free_ char *s = NULL;
        const char *c;
        size_t sz = 0;
        char quote = 0;

        if (!*p)
                goto end;

        c = *p + strspn(*p, " \t\n\r");
        if (*c == 0)
                goto end;

        /* The output is never longer than the remaining input, so one allocation suffices. */
        s = new(char, strlen(c) + 1);
        if (!s)
                return -ENOMEM;

        for (;;) {
                if (*c == 0) {
                        if (quote) {
                                *p = c;
                                return -EINVAL;
                        }
                        c = NULL;
                        break;
                }

                if (*c == '\\') {
                        c++;
                        if (*c == 0) {
                                *p = c;
                                return -EINVAL;
                        }
                        if (flags & EXTRACT_CUNESCAPE) {
                                int k = cunescape_one(c, &s[sz]);
                                if (k < 0) {
                                        *p = c - 1;
                                        return -EINVAL;
                                }
                                sz++;
                                c += k;
                        } else
                                s[sz++] = *c++;
                        continue;
                }

                if (quote) {
                        if (*c == quote)
                                quote = 0;
                        else
                                s[sz++] = *c;
                        c++;
                        continue;
                }

                if ((flags & EXTRACT_UNQUOTE) && (*c == '\'' || *c == '"')) {
                        quote = *c++;
                        continue;
                }

                if (strchr(" \t\n\r", *c)) {
                        c += strspn(c, " \t\n\r");
                        if (*c == 0)
                                c = NULL;
                        break;
                }

                s[sz++] = *c++;
        }

        s[sz] = 0;
        *p = c;
        *ret = TAKE_PTR(s);
        return 1;

end:
        *p = NULL;
        *ret = NULL;
        return 0;
}
