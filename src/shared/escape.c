/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Returns the length of the valid UTF-8 sequence at s (at most n bytes, n > 0) and its code point in *ret,
 * or 0 if it is not valid UTF-8 (a stray continuation byte, truncated, overlong, a surrogate, too large) or
 * is a noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF): sd-bus refuses those in a string as well
 * (unichar_is_valid()), and text we send on the bus must never make a reply or a property fail. */
static size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *ret) {
        uint32_t c;
        size_t k;

        if (s[0] < 0x80) {
                *ret = s[0];
                return 1;
        }
        if (s[0] >= 0xc2 && s[0] <= 0xdf) {
                k = 2;
                c = s[0] & 0x1f;
        } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
                k = 3;
                c = s[0] & 0x0f;
        } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
                k = 4;
                c = s[0] & 0x07;
        } else
                return 0;       /* a continuation byte, an overlong lead (0xc0, 0xc1) or beyond U+10FFFF */

        if (n < k)
                return 0;
        for (size_t i = 1; i < k; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }

        if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10ffff)))
                return 0;       /* overlong, or too large */
        if (c >= 0xd800 && c <= 0xdfff)
                return 0;       /* surrogates */
        if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
                return 0;       /* noncharacters */
        *ret = c;
        return k;
}

/* Returns the length of the valid UTF-8 sequence at s (at most n bytes) that is not a control character,
 * 0 if the byte at s has to be escaped. */
static size_t printable_length(const unsigned char *s, size_t n, EscapeFlags flags) {
        uint32_t c;
        size_t k;

        k = utf8_sequence(s, n, &c);
        if (k == 0)
                return 0;
        if (c >= ' ' && c != 0x7f && !(c >= 0x80 && c <= 0x9f)) /* C1 controls: 0x9b is CSI on some terminals */
                return k;
        if (flags & ESCAPE_KEEP_NEWLINES) {
                if (c == '\n' || c == '\t')
                        return 1;
                if (c == '\r' && n > 1 && s[1] == '\n')
                        return 1;
        }
        return 0;
}

char *replace_unprintable(char *s, char replacement) {
        unsigned char *p = (unsigned char *) s;
        size_t n = s ? strlen(s) : 0;

        for (size_t i = 0; i < n; ) {
                size_t k = printable_length(p + i, n - i, 0);
                if (k == 0)
                        p[i++] = (unsigned char) replacement;
                else
                        i += k;
        }
        return s;
}

char *printable_dup(const char *s) {
        char *copy = strdup(s ?: "");

        return copy ? replace_unprintable(copy, '?') : NULL;
}

bool utf8_is_valid_n(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;
        uint32_t c;

        for (size_t i = 0; i < n; ) {
                size_t k = utf8_sequence(p + i, n - i, &c);
                if (k == 0)
                        return false;
                i += k;
        }
        return true;
}

bool needs_terminal_escape(const char *s, size_t n, EscapeFlags flags) {
        const unsigned char *p = (const unsigned char *) s;

        for (size_t i = 0; i < n; ) {
                size_t k = printable_length(p + i, n - i, flags);
                if (k == 0)
                        return true;
                i += k;
        }
        return false;
}

char *escape_terminal(const char *s, size_t n, EscapeFlags flags) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *) s;
        char *r, *o;

        if (n > (SIZE_MAX - 1) / 4)
                return NULL;
        r = malloc(n * 4 + 1);
        if (!r)
                return NULL;

        o = r;
        for (size_t i = 0; i < n; ) {
                size_t k = printable_length(p + i, n - i, flags);

                if (k > 0) {
                        memcpy(o, p + i, k);
                        o += k;
                        i += k;
                        continue;
                }
                *o++ = '\\';
                *o++ = 'x';
                *o++ = hex[p[i] >> 4];
                *o++ = hex[p[i] & 15];
                i++;
        }
        *o = 0;
        return r;
}

/* Characters that make a word need quotes (systemd's WHITESPACE SHELL_NEED_QUOTES), and those to escape with
 * a backslash inside double quotes (SHELL_NEED_ESCAPE) and inside $'...' (SHELL_NEED_ESCAPE_POSIX). */
#define SHELL_WHITESPACE " \t\n\r"
#define SHELL_NEED_ESCAPE "\"\\`$"
#define SHELL_NEED_QUOTES SHELL_NEED_ESCAPE "*?[" "'()<>|&;!"
#define SHELL_NEED_ESCAPE_POSIX "\\'"

/* Writes byte c as a C escape understood by $'...' (like systemd's cescape_char()). Returns the end. */
static char *cescape_byte(char *o, unsigned char c) {
        static const char simple[] = { ['\a'] = 'a', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
                                       ['\t'] = 't', ['\v'] = 'v' };

        *o++ = '\\';
        if (c < sizeof(simple) && simple[c] != 0) {
                *o++ = simple[c];
                return o;
        }
        *o++ = (char) ('0' + (c >> 6));
        *o++ = (char) ('0' + ((c >> 3) & 7));
        *o++ = (char) ('0' + (c & 7));
        return o;
}

char *shell_maybe_quote(const char *s) {
        const unsigned char *p = (const unsigned char *) s;
        size_t n = strlen(s);
        bool quote = false, dollar = false;
        char *r, *o;

        if (n == 0)
                return strdup("\"\"");

        for (size_t i = 0; i < n; ) {
                size_t k = printable_length(p + i, n - i, 0);

                if (k == 0) {
                        dollar = true;  /* a control character or broken UTF-8 */
                        break;
                }
                if (k == 1 && strchr(SHELL_WHITESPACE SHELL_NEED_QUOTES, p[i]))
                        quote = true;
                i += k;
        }
        if (!quote && !dollar)
                return strdup(s);

        if (n > (SIZE_MAX - 4) / 4)
                return NULL;
        r = malloc(n * 4 + 4);  /* $' + 4 per byte at most + ' + NUL */
        if (!r)
                return NULL;

        o = r;
        if (dollar) {
                *o++ = '$';
                *o++ = '\'';
        } else
                *o++ = '"';

        for (size_t i = 0; i < n; ) {
                size_t k = printable_length(p + i, n - i, 0);

                if (k == 0) {
                        o = cescape_byte(o, p[i]);
                        i++;
                        continue;
                }
                if (k == 1 && strchr(dollar ? SHELL_NEED_ESCAPE_POSIX : SHELL_NEED_ESCAPE, p[i]))
                        *o++ = '\\';
                memcpy(o, p + i, k);
                o += k;
                i += k;
        }

        *o++ = dollar ? '\'' : '"';
        *o = 0;
        return r;
}

char *quote_command_line(char * const *argv) {
        char *result = NULL;
        size_t len = 0;

        for (char * const *a = argv; a && *a; a++) {
                char *t, *n;
                size_t l;

                t = shell_maybe_quote(*a);
                if (!t) {
                        free(result);
                        return NULL;
                }
                l = strlen(t);
                n = realloc(result, len + (len > 0) + l + 1);
                if (!n) {
                        free(t);
                        free(result);
                        return NULL;
                }
                result = n;
                if (len > 0)
                        result[len++] = ' ';
                memcpy(result + len, t, l + 1);
                len += l;
                free(t);
        }

        return result ?: strdup("");
}
