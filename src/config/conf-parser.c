/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-parser.h"
#include "escape.h"
#include "parse-util.h"
#include "settings.h" /* SETTINGS_LINE_MAX, SETTINGS_FILE_MAX: the bounds are settings.h's API */
#include "strv.h"

#define COMMENTS "#;"

/* Replaces control characters and bytes that are not valid UTF-8 in an allocated message by '?', so that a
 * message quoting hostile input cannot forge extra log lines or terminal escapes, and is text wherever it
 * goes: D-Bus takes only valid UTF-8 (the Warnings property, a call's error), and so does the parser of a
 * machine's state file, which keeps its Warnings. */
static char *sanitize(char *m) {
        return replace_unprintable(m, '?');
}

/* Appends the allocated notice M, made printable, to *st->notices (M is freed on failure). */
static int push_notice(ConfParser *st, char *m) {
        int r;

        r = strv_push(st->notices, sanitize(m));
        if (r < 0)
                free(m);
        return r;
}

int conf_notice(ConfParser *st, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        char *m;
        va_list ap;
        int r;

        if (st->n_notices++ >= CONF_NOTICES_MAX)
                return 0;       /* counted: conf_parse_file() says how many more there were */

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        if (asprintf(&m, "%s:%u: %s", st->name, line, text) < 0)
                return -ENOMEM;
        return push_notice(st, m);
}

int conf_fail(ConfParser *st, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        free(st->error);
        if (asprintf(&st->error, "%s:%u: %s", st->name, line, text) < 0) {
                st->error = NULL;
                return -ENOMEM;
        }
        sanitize(st->error);
        return -EINVAL;
}

/* The generic part of an assignment line: inside a known section, KEY=VALUE, both stripped. */
static int split_assignment(ConfParser *st, unsigned line, char *l) {
        char *eq, *key, *value;

        if (!st->section)
                return conf_notice(st, line, "Assignment outside of any section, ignoring.");
        if (!st->section_known)
                return 0; /* already noted at the section header */

        eq = strchr(l, '=');
        if (!eq)
                return conf_notice(st, line, "Missing '=', ignoring line.");
        *eq = 0;
        key = strstrip(l);
        value = strstrip(eq + 1);

        return st->assignment(st, line, key, value);
}

static int parse_line(ConfParser *st, unsigned line, char *text) {
        char *l;
        size_t n;

        l = strstrip(text);
        if (*l == 0)
                return 0;

        if (*l != '[')
                return split_assignment(st, line, l);

        n = strlen(l);
        if (n < 3 || l[n - 1] != ']' || memchr(l + 1, '[', n - 2) || memchr(l + 1, ']', n - 2))
                return conf_fail(st, line, "Invalid section header '%.*s'", VALUE_SHOWN_MAX, l);

        free(st->section);
        st->section = strndup(l + 1, n - 2);
        if (!st->section)
                return -ENOMEM;

        st->section_known = st->section_is_known(st->section);
        if (!st->section_known && !startswith(st->section, "X-"))
                return conf_notice(st, line, "Unknown section '[%.*s]', ignoring.", VALUE_SHOWN_MAX,
                                   st->section);
        return 0;
}

/* Reads one line into *buf (reallocated as needed), without the trailing "\n" or "\r\n". Returns 1 with a
 * line, 0 at EOF, -ENOBUFS if the line exceeds SETTINGS_LINE_MAX (memory use stays bounded), -EBADMSG if it
 * contains a NUL byte, -EFBIG once *total (bytes read so far) exceeds SETTINGS_FILE_MAX, -EIO on read
 * errors. */
static int read_line(FILE *f, char **buf, size_t *allocated, size_t *total) {
        size_t n = 0;
        bool nul = false;
        int c;

        for (;;) {
                c = getc_unlocked(f);
                if (c == EOF) {
                        if (ferror(f))
                                return -EIO;
                        if (n == 0)
                                return 0;
                        break;
                }
                if (++*total > SETTINGS_FILE_MAX)
                        return -EFBIG;
                if (c == '\n')
                        break;
                if (c == 0)
                        nul = true;

                if (n >= SETTINGS_LINE_MAX + 1) /* +1: room for a '\r' before '\n' */
                        return -ENOBUFS;

                if (n + 2 > *allocated) {
                        size_t a = *allocated ? *allocated * 2 : 256;
                        char *b;

                        if (a > SETTINGS_LINE_MAX + 3)
                                a = SETTINGS_LINE_MAX + 3;
                        b = realloc(*buf, a);
                        if (!b)
                                return -ENOMEM;
                        *buf = b;
                        *allocated = a;
                }
                (*buf)[n++] = (char) c;
        }

        if (n > 0 && (*buf)[n - 1] == '\r')
                n--;
        if (n > SETTINGS_LINE_MAX)
                return -ENOBUFS;
        if (nul)
                return -EBADMSG;

        if (!*buf) {
                *buf = new(char, 1);
                if (!*buf)
                        return -ENOMEM;
                *allocated = 1;
        }
        (*buf)[n] = 0;
        return 1;
}

/* Returns true if s ends in a backslash that is not itself escaped. */
static bool ends_in_continuation(const char *s) {
        bool escaped = false;

        for (; *s; s++)
                escaped = !escaped && *s == '\\';
        return escaped;
}

int conf_parse_file(FILE *f, ConfParser *st) {
        _cleanup_free_ char *buf = NULL, *continuation = NULL;
        size_t allocated = 0, total = 0;
        unsigned line = 0, first_line = 0;
        int r;

        for (;;) {
                char *l, *p;

                r = read_line(f, &buf, &allocated, &total);
                if (r == -EFBIG)
                        return conf_fail(st, line + 1, "File too large (more than %u bytes)", SETTINGS_FILE_MAX);
                if (r == -ENOBUFS)
                        return conf_fail(st, line + 1, "Line too long (more than %u bytes)", SETTINGS_LINE_MAX);
                if (r == -EBADMSG)
                        return conf_fail(st, line + 1, "Line contains a NUL byte");
                if (r == -EIO)
                        return conf_fail(st, line + 1, "Read error") == -EINVAL ? -EIO : -ENOMEM;
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                line++;

                l = buf;
                if (line == 1 && startswith(l, "\xef\xbb\xbf"))
                        l += 3; /* UTF-8 byte order mark */

                /* Comment lines are skipped, also in the middle of a continuation (like systemd does). */
                p = l + strspn(l, WHITESPACE);
                if (*p && strchr(COMMENTS, *p))
                        continue;

                if (continuation) {
                        size_t a = strlen(continuation), b = strlen(l);
                        char *c;

                        if (a + b > SETTINGS_LINE_MAX)
                                return conf_fail(st, line, "Line too long (more than %u bytes)", SETTINGS_LINE_MAX);
                        c = realloc(continuation, a + b + 1);
                        if (!c)
                                return -ENOMEM;
                        memcpy(c + a, l, b + 1);
                        continuation = c;
                        p = continuation;
                } else
                        p = l;

                if (ends_in_continuation(p)) {
                        /* The backslash becomes a space joining this line to the next. */
                        p[strlen(p) - 1] = ' ';
                        if (!continuation) {
                                continuation = strdup(p);
                                if (!continuation)
                                        return -ENOMEM;
                                first_line = line;
                        }
                        continue;
                }

                /* Messages about a continued line name the line where it starts. */
                r = parse_line(st, continuation ? first_line : line, p);
                if (r < 0)
                        return r;
                continuation = mfree(continuation);
        }

        if (continuation) { /* continuation at EOF: parse what we have, like systemd */
                r = parse_line(st, first_line, continuation);
                if (r < 0)
                        return r;
        }

        if (st->n_notices > CONF_NOTICES_MAX) {
                unsigned more = st->n_notices - CONF_NOTICES_MAX;
                char *m;

                if (asprintf(&m, "%s: %u more notice%s, not shown.", st->name, more, more == 1 ? "" : "s") < 0)
                        return -ENOMEM;
                return push_notice(st, m);
        }
        return 0;
}

int conf_file_open(const char *path, bool trusted, FILE **ret, char **ret_error) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        /* O_NONBLOCK: opening a FIFO (or a device) must not block the daemon; it is refused right below.
         * O_NOFOLLOW for untrusted files: see settings.h. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (trusted ? 0 : O_NOFOLLOW));
        if (fd < 0) {
                r = -errno;
                if (r == -ENOENT)
                        return r;
                if (r == -ELOOP && !trusted) {
                        if (ret_error && asprintf(ret_error, "%s: Is a symbolic link, refusing (settings files "
                                                  "outside the trusted directories must be regular files)",
                                                  path) < 0)
                                *ret_error = NULL;
                        return -EINVAL;
                }
                if (ret_error && asprintf(ret_error, "%s: Failed to open: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }

        if (fstat(fd, &st) < 0) {
                r = -errno;
                if (ret_error && asprintf(ret_error, "%s: Failed to stat: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                if (ret_error && asprintf(ret_error, "%s: Not a regular file, refusing", path) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        if (st.st_size > (off_t) SETTINGS_FILE_MAX) {
                if (ret_error && asprintf(ret_error, "%s: File too large (%jd bytes, at most %u)", path,
                                          (intmax_t) st.st_size, SETTINGS_FILE_MAX) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }

        f = fdopen(fd, "re");
        if (!f) {
                r = -errno;
                if (ret_error && asprintf(ret_error, "%s: Failed to open: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        TAKE_FD(fd);

        *ret = TAKE_PTR(f);
        return 0;
}
