/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <malloc.h>
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

/* Makes room for NEED pointers in *l. Grows geometrically: the block is only reallocated when what malloc
 * actually gave us (malloc_usable_size()) is too small, so n appends cost O(n) in total, like systemd's
 * GREEDY_REALLOC(). Returns 0 or -ENOMEM; *l is unchanged on failure. */
static int strv_reserve(char ***l, size_t need) {
        size_t a;
        char **c;

        if (*l && malloc_usable_size(*l) / sizeof(char *) >= need)
                return 0;
        if (need > SIZE_MAX / sizeof(char *) / 2)
                return -ENOMEM;

        a = need < 8 ? 8 : need * 2;
        c = realloc(*l, sizeof(char *) * a);
        if (!c)
                return -ENOMEM;
        *l = c;
        return 0;
}

int strv_push_with_size(char ***l, size_t *n, char *value) {
        int r;

        if (!value)
                return -EINVAL;
        if (*n > SIZE_MAX / sizeof(char *) - 2)
                return -ENOMEM;

        r = strv_reserve(l, *n + 2);
        if (r < 0)
                return r;

        (*l)[*n] = value;
        (*l)[*n + 1] = NULL;
        (*n)++;
        return 0;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);

        return strv_push_with_size(l, &n, value);
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

        if (strv_reserve(a, n + m + 1) < 0)
                return -ENOMEM;
        c = *a;
        c[n] = NULL;

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

int strv_split_lines(const char *text, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;

        l = new0(char *, 1);
        if (!l)
                return -ENOMEM;
        for (const char *p = text; p && *p; ) {
                size_t k = strcspn(p, "\n");
                char *line = strndup(p, k);

                if (!line || strv_push_with_size(&l, &n, line) < 0) {
                        free(line);
                        return -ENOMEM;
                }
                p += k + (p[k] == '\n');
        }
        *ret = TAKE_PTR(l);
        return 0;
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

/* Appends ch to the word buffer *s of *sz bytes, growing it geometrically (room for a NUL is kept). */
static int word_put(char **s, size_t *sz, size_t *allocated, char ch) {
        if (*sz + 2 > *allocated) {
                size_t a = *allocated ? *allocated * 2 : 64;
                char *n;

                if (a < *allocated)
                        return -ENOMEM;
                n = realloc(*s, a);
                if (!n)
                        return -ENOMEM;
                *s = n;
                *allocated = a;
        }
        (*s)[(*sz)++] = ch;
        return 0;
}

int extract_first_word(const char **p, char **ret, int flags) {
        _cleanup_free_ char *s = NULL;
        const char *c;
        size_t sz = 0, allocated = 0;
        char quote = 0, ch;

        if (!*p)
                goto end;

        c = *p + strspn(*p, " \t\n\r");
        if (*c == 0)
                goto end;

        /* The buffer grows with the word, not with the rest of the input: sizing each word by the remaining
         * input made a line of many short words cost quadratic time and memory. */
        if (word_put(&s, &sz, &allocated, 0) < 0)
                return -ENOMEM;
        sz = 0;

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
                                int k = cunescape_one(c, &ch);
                                if (k < 0) {
                                        *p = c - 1;
                                        return -EINVAL;
                                }
                                c += k;
                        } else
                                ch = *c++;
                        if (word_put(&s, &sz, &allocated, ch) < 0)
                                return -ENOMEM;
                        continue;
                }

                if (quote) {
                        if (*c == quote)
                                quote = 0;
                        else if (word_put(&s, &sz, &allocated, *c) < 0)
                                return -ENOMEM;
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

                if (word_put(&s, &sz, &allocated, *c++) < 0)
                        return -ENOMEM;
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

int strv_env_merge(char ***l, char * const *add) {
        size_t n = strv_length(*l), base = n;

        STRV_FOREACH(a, add) {
                const char *eq = strchr(*a, '=');
                size_t k;
                char *v;
                bool replaced = false;
                int r;

                if (!eq)
                        return -EINVAL;
                k = eq - *a + 1;

                v = strdup(*a);
                if (!v)
                        return -ENOMEM;

                for (size_t i = 0; i < base; i++)
                        if (strneq((*l)[i], *a, k)) {
                                free((*l)[i]);
                                (*l)[i] = v;
                                replaced = true;
                                break;
                        }
                if (replaced)
                        continue;

                r = strv_push_with_size(l, &n, v);
                if (r < 0) {
                        free(v);
                        return r;
                }
        }
        return 0;
}
