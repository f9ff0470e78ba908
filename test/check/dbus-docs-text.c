/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check-dbus-docs: the API as the documentation describes it: the tables of docs/dbus-api.md and the
 * "node ... { interface ... { methods: ... } }" blocks of org.machinedext1(5). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbus-docs.h"

/* ---- text helpers ------------------------------------------------------------------------------------ */

static char *strip(char *s) {
        char *e;

        s += strspn(s, " \t");
        e = s + strlen(s);
        while (e > s && strchr(" \t\r\n", e[-1]))
                *--e = '\0';
        return s;
}

/* "s name, t timeout" (or "(s name, t timeout)", "()", "", "a(ssuso)") -> "st". Each comma-separated item is
 * a type optionally followed by a name; with skip_direction, each item starts with "in" or "out" and only
 * those equal to want_direction count. Returns 0, or -EINVAL if an item has no type. */
static int signature_of(const char *text, bool skip_direction, const char *want_direction, char *buf,
                        size_t size) {
        _cleanup_free_ char *copy = strdup(text);
        char *s, *item, *save = NULL;

        if (!copy)
                return -ENOMEM;
        buf[0] = '\0';
        s = strip(copy);
        if (s[0] == '(' && s[strlen(s) - 1] == ')' && (strchr(s, ' ') || streq(s, "()"))) {
                s[strlen(s) - 1] = '\0';
                s++;
        }
        /* A struct type "(ss)" contains no commas, so splitting at commas is safe for our types. */
        for (item = strtok_r(s, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                char *t, *save2 = NULL;

                t = strtok_r(item, " \t", &save2);
                if (!t)
                        continue;
                if (skip_direction) {
                        bool match = streq(t, want_direction);

                        if (!streq(t, "in") && !streq(t, "out"))
                                return -EINVAL;
                        t = strtok_r(NULL, " \t", &save2);
                        if (!t)
                                return -EINVAL;
                        if (!match)
                                continue;
                }
                if (strlen(buf) + strlen(t) >= size)
                        return -E2BIG;
                strcat(buf, t);
        }
        return 0;
}

/* The text between the first pair of backticks at or after *p; advances *p past it. NULL if none. */
static char *next_backticked(char **p) {
        char *a, *b;

        a = strchr(*p, '`');
        if (!a)
                return NULL;
        b = strchr(a + 1, '`');
        if (!b)
                return NULL;
        *b = '\0';
        *p = b + 1;
        return a + 1;
}

/* ---- docs/dbus-api.md -------------------------------------------------------------------------------- */

/* Splits a table row "| a | b | c |" into at most n cells (stripped); returns the number of cells. */
static size_t table_cells(char *line, char **cells, size_t n) {
        size_t k = 0;
        char *p = strip(line);

        if (*p != '|')
                return 0;
        p++;
        while (k < n) {
                char *e = strchr(p, '|');

                /* A '|' inside backticks is not a cell boundary. */
                for (char *q = p; e && q < e; q++)
                        if (*q == '`') {
                                char *close = strchr(q + 1, '`');
                                if (!close)
                                        break;
                                if (close > e)
                                        e = strchr(close, '|');
                                q = close;
                        }
                if (!e)
                        break;
                *e = '\0';
                cells[k++] = strip(p);
                p = e + 1;
        }
        return k;
}

int load_markdown(const char *path, MemberList *l) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL, *iface = NULL;
        size_t size = 0, lineno = 0;
        int kind = -1, col_sig = -1, col_access = -1;

        f = fopen(path, "re");
        if (!f)
                return fprintf(stderr, "%s: %m\n", path), -errno;

        while (getline(&line, &size, f) >= 0) {
                char *cells[8], where[512];
                size_t n;

                lineno++;
                if (startswith(line, "## ")) {
                        /* "## Manager: `/org/machinedext1`, interface `org.machinedext1.Manager`" */
                        char *p = line, *t;

                        iface = mfree(iface);
                        while ((t = next_backticked(&p)))
                                if (t[0] != '/' && strchr(t, '.')) {
                                        iface = strdup(t);
                                        if (!iface)
                                                return -ENOMEM;
                                }
                        kind = -1;
                        continue;
                }
                if (startswith(line, "### ")) {
                        char *h = strip(line + 4);

                        kind = streq(h, "Methods") ? KIND_METHOD : streq(h, "Properties") ? KIND_PROPERTY :
                               streq(h, "Signals") ? KIND_SIGNAL : -1;
                        col_sig = col_access = -1;
                        continue;
                }
                if (kind < 0)
                        continue;

                n = table_cells(line, cells, ELEMENTSOF(cells));
                if (n < 2 || strspn(cells[0], "-:") == strlen(cells[0]))
                        continue;
                if (!strchr(cells[0], '`')) {
                        /* The header row: find the columns. */
                        col_sig = 1;    /* the signature, or a property's type */
                        for (size_t i = 0; i < n; i++)
                                if (streq(cells[i], "access"))
                                        col_access = (int) i;
                        continue;
                }
                if (col_sig < 0 || (kind == KIND_METHOD && col_access < 0) || (size_t) col_sig >= n ||
                    (col_access >= 0 && (size_t) col_access >= n)) {
                        problem("%s:%zu: table row without a header naming its columns", path, lineno);
                        continue;
                }

                (void) snprintf(where, sizeof(where), "%s:%zu", path, lineno);

                char in[256] = "", out[256] = "", *sig_text, *arrow, *p = cells[0], *t;
                Access access = ACCESS_UNKNOWN;

                sig_text = cells[col_sig];
                if (sig_text[0] == '`' && sig_text[strlen(sig_text) - 1] == '`') {
                        sig_text[strlen(sig_text) - 1] = '\0';
                        sig_text++;
                }
                if (kind == KIND_METHOD) {
                        const char *a = cells[col_access];

                        access = streq(a, "root") ? ACCESS_ROOT : streq(a, "everyone") ? ACCESS_EVERYONE :
                                 streq(a, "polkit") ? ACCESS_POLKIT : ACCESS_UNKNOWN;
                        if (access == ACCESS_UNKNOWN)
                                problem("%s: access must be \"root\", \"polkit\" or \"everyone\", not \"%s\"",
                                        where, a);
                        arrow = strstr(sig_text, "→");
                        if (arrow) {
                                *arrow = '\0';
                                arrow += strlen("→");
                        }
                        if (signature_of(sig_text, false, NULL, in, sizeof(in)) < 0 ||
                            (arrow && signature_of(arrow, false, NULL, out, sizeof(out)) < 0))
                                problem("%s: cannot parse the signature", where);
                } else if (kind == KIND_PROPERTY)
                        (void) snprintf(in, sizeof(in), "%s", sig_text);
                else if (signature_of(sig_text, false, NULL, in, sizeof(in)) < 0)
                        problem("%s: cannot parse the signature", where);

                /* The first cell may name several members ("`A`, `B`"), each with or without its interface. */
                while ((t = next_backticked(&p))) {
                        _cleanup_free_ char *i = NULL;
                        const char *name = t;
                        char *dot = strrchr(t, '.');

                        if (dot) {
                                i = strndup(t, (size_t) (dot - t));
                                name = dot + 1;
                        } else if (iface)
                                i = strdup(iface);
                        else {
                                problem("%s: %s outside of a section naming its interface", where, t);
                                continue;
                        }
                        if (!i)
                                return -ENOMEM;
                        if (member_find(l, (Kind) kind, i, name)) {
                                problem("%s: %s %s.%s is described twice", where, kind_name[kind], i, name);
                                continue;
                        }
                        if (!member_add(l, (Kind) kind, i, name, in, kind == KIND_METHOD ? out : NULL, access,
                                        where))
                                return -ENOMEM;
                }
        }
        return 0;
}

/* ---- the man page: its "node ... { interface ... { methods: ... } }" blocks -------------------------- */

/* The paragraphs "Only root may call ...", "Root, or a caller polkit authorizes, may call ..." and
 * "Everyone may call ...": the bold words (.B/.BR) in them are
 * method names, recorded in *access with their access and an empty interface. Returns 1 if the line was
 * part of them, 0 if not, -ENOMEM. */
static int man_access_line(char *s, const char *where, Access *mode, MemberList *access) {
        char word[128];

        if (startswith(s, "Only root may call"))
                *mode = ACCESS_ROOT;
        else if (startswith(s, "Root, or a caller polkit authorizes, may call"))
                *mode = ACCESS_POLKIT;
        else if (startswith(s, "Everyone may call"))
                *mode = ACCESS_EVERYONE;
        else if (startswith(s, ".PP") || startswith(s, ".SH"))
                *mode = ACCESS_UNKNOWN;
        if (*mode == ACCESS_UNKNOWN)
                return 0;

        if ((startswith(s, ".B ") || startswith(s, ".BR ")) &&
            sscanf(strchr(s, ' ') + 1, "%127[A-Za-z0-9_]", word) == 1) {
                Member *old = member_find(access, KIND_METHOD, "", word);

                if (old && old->access != *mode)
                        problem("%s: %s is listed as %s and as %s", where, word, access_to_string(old->access),
                                access_to_string(*mode));
                else if (!old && !member_add(access, KIND_METHOD, "", word, NULL, NULL, *mode, where))
                        return -ENOMEM;
        }
        return 1;
}

int load_man(const char *path, MemberList *l, MemberList *access) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL, *iface = NULL, *pending = NULL, *pending_where = NULL;
        size_t size = 0, lineno = 0;
        Access mode = ACCESS_UNKNOWN;
        int kind = -1, r;

        f = fopen(path, "re");
        if (!f)
                return fprintf(stderr, "%s: %m\n", path), -errno;

        while (getline(&line, &size, f) >= 0) {
                char where[512], *s = strip(line), *name, *e;

                lineno++;
                (void) snprintf(where, sizeof(where), "%s:%zu", path, lineno);

                r = man_access_line(s, where, &mode, access);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;

                if (startswith(s, "interface ") && s[strlen(s) - 1] == '{') {
                        s[strlen(s) - 1] = '\0';
                        free(iface);
                        iface = strdup(strip(s + strlen("interface ")));
                        if (!iface)
                                return -ENOMEM;
                        kind = -1;
                        continue;
                }
                if (!iface)
                        continue;
                if (streq(s, "};")) {
                        iface = mfree(iface);
                        continue;
                }
                if (streq(s, "methods:") || streq(s, "properties:") || streq(s, "signals:")) {
                        kind = s[0] == 'm' ? KIND_METHOD : s[0] == 'p' ? KIND_PROPERTY : KIND_SIGNAL;
                        continue;
                }
                if (kind < 0 || s[0] == '@' || s[0] == '\0')
                        continue;

                if (kind == KIND_PROPERTY) {
                        /* "readonly s Name = '...';" */
                        char type[128], pname[128];

                        if (sscanf(s, "readonly %127s %127[A-Za-z0-9_]", type, pname) != 2) {
                                problem("%s: cannot parse the property line \"%s\"", where, s);
                                continue;
                        }
                        if (member_find(l, KIND_PROPERTY, iface, pname))
                                problem("%s: property %s.%s is described twice", where, iface, pname);
                        else if (!member_add(l, KIND_PROPERTY, iface, pname, type, NULL, ACCESS_UNKNOWN, where))
                                return -ENOMEM;
                        continue;
                }

                /* Methods and signals: "Name(in  s a," ... "out o b);", possibly over several lines. */
                if (!pending) {
                        pending = strdup(s);
                        pending_where = strdup(where);
                } else {
                        char *j;

                        if (asprintf(&j, "%s %s", pending, s) < 0)
                                return -ENOMEM;
                        free(pending);
                        pending = j;
                }
                if (!pending || !pending_where)
                        return -ENOMEM;
                if (!strstr(pending, ");"))
                        continue;

                char in[256], out[256] = "", *end;
                name = pending;
                e = strchr(name, '(');
                end = e ? strstr(e + 1, ");") : NULL;
                if (!end || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                            (size_t) (e - name)) {
                        problem("%s: cannot parse \"%s\"", pending_where, pending);
                } else {
                        *e = '\0';
                        *end = '\0';
                        if (signature_of(e + 1, kind == KIND_METHOD, "in", in, sizeof(in)) < 0 ||
                            (kind == KIND_METHOD && signature_of(e + 1, true, "out", out, sizeof(out)) < 0))
                                problem("%s: cannot parse the arguments of %s", pending_where, name);
                        else if (member_find(l, (Kind) kind, iface, name))
                                problem("%s: %s %s.%s is described twice", pending_where, kind_name[kind], iface,
                                        name);
                        else if (!member_add(l, (Kind) kind, iface, name, in, kind == KIND_METHOD ? out : NULL,
                                             ACCESS_UNKNOWN, pending_where))
                                return -ENOMEM;
                }
                pending = mfree(pending);
                pending_where = mfree(pending_where);
        }
        if (pending)
                problem("%s: unterminated \"%s\"", pending_where, pending);
        return 0;
}
