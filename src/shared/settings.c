/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "name.h"
#include "settings.h"
#include "strv.h"
#include "time-util.h"

#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"

/* How much of a user-supplied value is quoted back in messages. */
#define VALUE_SHOWN_MAX 256

const char *const settings_trusted_dirs[] = {
        "/etc/machined-ext",
        "/run/machined-ext",
        "/etc/systemd/nspawn",
        "/run/systemd/nspawn",
        NULL,
};

/* ---- value parsers ---------------------------------------------------------------------------------- */

_printf_(2, 3)
static int set_message(char **ret, const char *fmt, ...) {
        va_list ap;
        char *m;
        int r;

        if (!ret)
                return 0;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        free(*ret);
        *ret = m;
        return 0;
}

static int parse_boolean(const char *v) {
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

/* int field: -1 unset, 0/1 */
static int parse_tristate(const char *key, const char *value, void *data, char **ret_error) {
        int *b = data;
        int r;

        r = parse_boolean(value);
        if (r < 0)
                return r;
        *b = r;
        return 0;
}

/* int field: 0 unset, else a signal number */
static int parse_signal(const char *key, const char *value, void *data, char **ret_error) {
        int *sig = data;
        int r;

        r = signal_from_string(value);
        if (r < 0 || !SIGNAL_VALID(r))
                return -EINVAL;
        *sig = r;
        return 0;
}

static int extract_words(const char *key, const char *value, int flags, char ***ret, char **ret_error) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = value;
        int r;

        for (;;) {
                char *w;

                r = extract_first_word(&p, &w, flags);
                if (r == -EINVAL) {
                        /* extract_first_word() leaves p at the end of the input for unbalanced quotes, and at
                         * the backslash for a bad escape. */
                        if (!p || *p == 0)
                                r = set_message(ret_error, "Unbalanced quoting in %s=: '%.*s'",
                                                key, VALUE_SHOWN_MAX, value);
                        else
                                r = set_message(ret_error, "Invalid escape sequence in %s=: '%.*s'",
                                                key, VALUE_SHOWN_MAX, value);
                        return r < 0 ? r : -EINVAL;
                }
                if (r < 0)
                        return r;
                if (r == 0)
                        break;

                r = strv_push(&l, w);
                if (r < 0) {
                        free(w);
                        return r;
                }
        }

        *ret = TAKE_PTR(l);
        return 0;
}

/* char** field: words are appended; an empty assignment resets the list to unset (NULL). */
static int parse_word_list(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_strv_free_ char **words = NULL;
        char ***l = data;
        int r;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }

        r = extract_words(key, value, EXTRACT_UNQUOTE, &words, ret_error);
        if (r < 0)
                return r;

        if (!*l) {
                /* The value is not empty, so there is at least one word. */
                *l = TAKE_PTR(words);
                return 0;
        }

        return strv_extend_strv(l, words);
}

/* char** field of KEY=VALUE: a later assignment of the same KEY replaces the earlier one; an empty assignment
 * resets the list to unset (NULL). */
static int parse_environment(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_strv_free_ char **words = NULL, **copy = NULL;
        char ***l = data;
        int r;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }

        r = extract_words(key, value, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, &words, ret_error);
        if (r < 0)
                return r;

        STRV_FOREACH(w, words)
                if (!env_assignment_is_valid(*w)) {
                        r = set_message(ret_error, "Invalid environment assignment in %s=: '%.*s'",
                                        key, VALUE_SHOWN_MAX, *w);
                        return r < 0 ? r : -EINVAL;
                }

        /* Work on a copy so that *l is unchanged on failure. */
        copy = strv_copy(*l);
        if (!copy)
                return -ENOMEM;

        STRV_FOREACH(w, words) {
                r = strv_env_set(&copy, *w);
                if (r < 0)
                        return r;
        }

        strv_free(*l);
        *l = TAKE_PTR(copy);
        return 0;
}

/* Normalizes an absolute path: collapses "//", drops "." components and a trailing '/'. Refuses relative
 * paths, ".." components, control characters and paths longer than PATH_MAX. */
static int path_normalize_absolute(const char *p, char **ret) {
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

/* char* field: an absolute path, stored normalized. */
static int parse_path(const char *key, const char *value, void *data, char **ret_error) {
        char **s = data, *n;
        int r;

        r = path_normalize_absolute(value, &n);
        if (r < 0)
                return r;

        free(*s);
        *s = n;
        return 0;
}

/* Sets *ret_error to "Invalid value for KEY=: 'VALUE' (REASON)" and returns -EINVAL (or -ENOMEM). */
static int invalid(char **ret_error, const char *key, const char *value, const char *reason) {
        int r;

        r = set_message(ret_error, "Invalid value for %s=: '%.*s' (%s)", key, VALUE_SHOWN_MAX, value, reason);
        return r < 0 ? r : -EINVAL;
}

static const char *const notify_access_table[_NOTIFY_ACCESS_MAX] = {
        [NOTIFY_ACCESS_MAIN] = "main",
        [NOTIFY_ACCESS_ALL]  = "all",
};

/* Looks s up in a sparse table of n entries; returns the index or -EINVAL. */
static int table_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

const char *notify_access_to_string(NotifyAccess a) {
        if (a < 0 || a >= _NOTIFY_ACCESS_MAX)
                return NULL;
        return notify_access_table[a];
}

NotifyAccess notify_access_from_string(const char *s) {
        int r = table_lookup(notify_access_table, ELEMENTSOF(notify_access_table), s);
        return r < 0 ? _NOTIFY_ACCESS_INVALID : (NotifyAccess) r;
}

/* int field: -1 unset, else a NotifyAccess */
static int parse_notify_access(const char *key, const char *value, void *data, char **ret_error) {
        int *a = data;
        NotifyAccess v;

        v = notify_access_from_string(value);
        if (v < 0)
                return invalid(ret_error, key, value, "expected 'main' or 'all'");
        *a = v;
        return 0;
}

/* uint64_t field: 0 unset, else µs; "0" means infinity, like systemd's TimeoutStartSec=0. */
static int parse_timeout(const char *key, const char *value, void *data, char **ret_error) {
        uint64_t *t = data, v;
        int r;

        r = parse_timespan(value, &v);
        if (r == -ERANGE)
                return invalid(ret_error, key, value, "out of range");
        if (r < 0)
                return -EINVAL;
        *t = v == 0 ? USEC_INFINITY : v;
        return 0;
}

/* ---- the table -------------------------------------------------------------------------------------- */

/* applied: APPLIED if the runtime uses the value, NOT_APPLIED if it is only parsed and stored so far. */
#define APPLIED true
#define NOT_APPLIED false
#define SUPPORTED(section, key, parser, field, trust, applied) \
        { section, key, parser, offsetof(Settings, field), sizeof(((Settings *) NULL)->field), trust, applied }
/* A key systemd-nspawn v252 knows (or one of our extensions) that we do not implement yet. Its trust class is
 * what it will need once implemented: TRUST_PRIVILEGED for anything that adds privilege, mounts host paths,
 * touches the network or host resources. */
#define NOT_YET(section, key, trust) \
        { section, key, NULL, 0, 0, trust, false }

static const SettingsItem items[] = {
        SUPPORTED("Exec",  "Boot",                   parse_tristate,    boot,         TRUST_ANY, APPLIED),
        SUPPORTED("Exec",  "Parameters",             parse_word_list,   parameters,   TRUST_ANY, APPLIED),
        SUPPORTED("Exec",  "Environment",            parse_environment, environment,  TRUST_ANY, APPLIED),
        SUPPORTED("Exec",  "NotifyReady",            parse_tristate,    notify_ready, TRUST_ANY, APPLIED),
        SUPPORTED("Exec",  "KillSignal",             parse_signal,      kill_signal,  TRUST_ANY, APPLIED),
        SUPPORTED("Exec",  "NotifyAccess",           parse_notify_access, notify_access, TRUST_ANY, APPLIED), /* ext. */
        SUPPORTED("Exec",  "TimeoutStartSec",        parse_timeout,     timeout_start_usec, TRUST_ANY, APPLIED), /* ext. */
        NOT_YET("Exec",    "Ephemeral",              TRUST_ANY),
        NOT_YET("Exec",    "ProcessTwo",             TRUST_ANY),
        NOT_YET("Exec",    "User",                   TRUST_ANY),
        NOT_YET("Exec",    "WorkingDirectory",       TRUST_ANY),
        NOT_YET("Exec",    "PivotRoot",              TRUST_ANY),
        NOT_YET("Exec",    "Capability",             TRUST_PRIVILEGED),
        NOT_YET("Exec",    "AmbientCapability",      TRUST_PRIVILEGED),
        NOT_YET("Exec",    "DropCapability",         TRUST_ANY),
        NOT_YET("Exec",    "NoNewPrivileges",        TRUST_ANY),
        NOT_YET("Exec",    "Personality",            TRUST_ANY),
        NOT_YET("Exec",    "MachineID",              TRUST_ANY),
        NOT_YET("Exec",    "PrivateUsers",           TRUST_ANY),
        NOT_YET("Exec",    "SystemCallFilter",       TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitCPU",               TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitFSIZE",             TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitDATA",              TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitSTACK",             TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitCORE",              TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitRSS",               TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitNOFILE",            TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitAS",                TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitNPROC",             TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitMEMLOCK",           TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitLOCKS",             TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitSIGPENDING",        TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitMSGQUEUE",          TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitNICE",              TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitRTPRIO",            TRUST_PRIVILEGED),
        NOT_YET("Exec",    "LimitRTTIME",            TRUST_PRIVILEGED),
        NOT_YET("Exec",    "Hostname",               TRUST_ANY),
        NOT_YET("Exec",    "OOMScoreAdjust",         TRUST_PRIVILEGED),
        NOT_YET("Exec",    "CPUAffinity",            TRUST_PRIVILEGED),
        NOT_YET("Exec",    "ResolvConf",             TRUST_ANY),
        NOT_YET("Exec",    "Timezone",               TRUST_ANY),
        NOT_YET("Exec",    "LinkJournal",            TRUST_PRIVILEGED), /* writes into the host's /var/log/journal */
        NOT_YET("Exec",    "SuppressSync",           TRUST_ANY),
        NOT_YET("Exec",    "PrivateUsersChown",      TRUST_ANY),        /* deprecated alias */
        NOT_YET("Exec",    "Console",                TRUST_PRIVILEGED), /* machined-ext extension */
        SUPPORTED("Files", "Directory",              parse_path,        directory,    TRUST_PRIVILEGED, APPLIED),
        NOT_YET("Files",   "ReadOnly",               TRUST_ANY),
        NOT_YET("Files",   "Volatile",               TRUST_ANY),
        NOT_YET("Files",   "Bind",                   TRUST_PRIVILEGED),
        NOT_YET("Files",   "BindReadOnly",           TRUST_PRIVILEGED),
        NOT_YET("Files",   "TemporaryFileSystem",    TRUST_PRIVILEGED),
        NOT_YET("Files",   "Inaccessible",           TRUST_PRIVILEGED),
        NOT_YET("Files",   "Overlay",                TRUST_PRIVILEGED),
        NOT_YET("Files",   "OverlayReadOnly",        TRUST_PRIVILEGED),
        NOT_YET("Files",   "PrivateUsersChown",      TRUST_ANY),        /* deprecated alias */
        NOT_YET("Files",   "PrivateUsersOwnership",  TRUST_ANY),
        NOT_YET("Files",   "BindUser",               TRUST_PRIVILEGED), /* CVE-2026-40226 */
        NOT_YET("Network", "Private",                TRUST_PRIVILEGED),
        NOT_YET("Network", "VirtualEthernet",        TRUST_PRIVILEGED),
        NOT_YET("Network", "VirtualEthernetExtra",   TRUST_PRIVILEGED),
        NOT_YET("Network", "Interface",              TRUST_PRIVILEGED),
        NOT_YET("Network", "MACVLAN",                TRUST_PRIVILEGED),
        NOT_YET("Network", "IPVLAN",                 TRUST_PRIVILEGED),
        NOT_YET("Network", "Bridge",                 TRUST_PRIVILEGED),
        NOT_YET("Network", "Zone",                   TRUST_PRIVILEGED),
        NOT_YET("Network", "Port",                   TRUST_PRIVILEGED),
        {}
};

const SettingsItem *settings_items(void) {
        return items;
}

static const SettingsItem *settings_item_find(const char *section, const char *key) {
        for (const SettingsItem *i = items; i->section; i++)
                if (streq(i->section, section) && streq(i->key, key))
                        return i;
        return NULL;
}

static bool settings_section_is_known(const char *section) {
        for (const SettingsItem *i = items; i->section; i++)
                if (streq(i->section, section))
                        return true;
        return false;
}

/* ---- object ----------------------------------------------------------------------------------------- */

Settings *settings_new(void) {
        Settings *s;

        s = new0(Settings, 1);
        if (!s)
                return NULL;

        *s = (Settings) {
                .boot = -1,
                .notify_ready = -1,
                .notify_access = -1,
        };
        return s;
}

Settings *settings_free(Settings *s) {
        if (!s)
                return NULL;

        free(s->path);
        strv_free(s->parameters);
        strv_free(s->environment);
        free(s->directory);
        strv_free(s->notices);
        return mfree(s);
}

void settings_freep(Settings **s) {
        settings_free(*s);
}

/* ---- the file parser -------------------------------------------------------------------------------- */

typedef struct ParseState {
        Settings *settings;
        const char *name;       /* path for messages */
        char *section;          /* current section, NULL before the first header */
        bool section_known;
        char *error;            /* the error message, set when returning -EINVAL */
} ParseState;

/* Replaces control characters in an allocated message by '?', so that a message quoting hostile input
 * cannot forge extra log lines or terminal escapes. */
static char *sanitize(char *m) {
        for (char *c = m; c && *c; c++)
                if ((unsigned char) *c < ' ' || *c == 0x7f)
                        *c = '?';
        return m;
}

_printf_(3, 4)
static int add_notice(ParseState *st, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        char *m;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        if (asprintf(&m, "%s:%u: %s", st->name, line, text) < 0)
                return -ENOMEM;

        r = strv_push(&st->settings->notices, sanitize(m));
        if (r < 0)
                free(m);
        return r;
}

_printf_(3, 4)
static int fail(ParseState *st, unsigned line, const char *fmt, ...) {
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

static char *strstrip(char *s) {
        size_t n;

        s += strspn(s, WHITESPACE);
        n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                n--;
        s[n] = 0;
        return s;
}

static int parse_assignment(ParseState *st, unsigned line, char *l) {
        _cleanup_free_ char *error = NULL;
        const SettingsItem *item;
        char *eq, *key, *value;
        int r;

        if (!st->section)
                return add_notice(st, line, "Assignment outside of any section, ignoring.");
        if (!st->section_known)
                return 0; /* already noted at the section header */

        eq = strchr(l, '=');
        if (!eq)
                return add_notice(st, line, "Missing '=', ignoring line.");
        *eq = 0;
        key = strstrip(l);
        value = strstrip(eq + 1);

        item = settings_item_find(st->section, key);
        if (!item) {
                if (startswith(key, "X-"))
                        return 0; /* reserved for other tools, like in unit files */
                return add_notice(st, line, "Unknown key '%.*s' in section [%s], ignoring.",
                                  VALUE_SHOWN_MAX, key, st->section);
        }

        if (item->trust != TRUST_ANY && !st->settings->trusted)
                return add_notice(st, line, "Ignoring privileged key '%s=' in untrusted settings file.",
                                  item->key);

        if (!item->parse)
                return add_notice(st, line, "Key '%s=' is not supported yet, ignoring.", item->key);

        r = item->parse(item->key, value, (uint8_t *) st->settings + item->offset, &error);
        if (r == -EINVAL) {
                if (error)
                        return fail(st, line, "%s", error);
                return fail(st, line, "Invalid value for %s=: '%.*s'", item->key, VALUE_SHOWN_MAX, value);
        }
        if (r < 0)
                return r;

        if (!item->applied)
                return add_notice(st, line, "Key '%s=' is parsed but not applied yet, ignoring.", item->key);
        return 0;
}

static int parse_line(ParseState *st, unsigned line, char *text) {
        char *l;
        size_t n;

        l = strstrip(text);
        if (*l == 0)
                return 0;

        if (*l != '[')
                return parse_assignment(st, line, l);

        n = strlen(l);
        if (n < 3 || l[n - 1] != ']' || memchr(l + 1, '[', n - 2) || memchr(l + 1, ']', n - 2))
                return fail(st, line, "Invalid section header '%.*s'", VALUE_SHOWN_MAX, l);

        free(st->section);
        st->section = strndup(l + 1, n - 2);
        if (!st->section)
                return -ENOMEM;

        st->section_known = settings_section_is_known(st->section);
        if (!st->section_known && !startswith(st->section, "X-"))
                return add_notice(st, line, "Unknown section '[%.*s]', ignoring.", VALUE_SHOWN_MAX,
                                  st->section);
        return 0;
}

/* Reads one line into *buf (reallocated as needed), without the trailing "\n" or "\r\n". Returns 1 with a
 * line, 0 at EOF, -ENOBUFS if the line exceeds SETTINGS_LINE_MAX (memory use stays bounded), -EBADMSG if it
 * contains a NUL byte, -EIO on read errors. */
static int read_line(FILE *f, char **buf, size_t *allocated) {
        size_t n = 0;
        bool nul = false;
        int c;

        for (;;) {
                c = getc(f);
                if (c == EOF) {
                        if (ferror(f))
                                return -EIO;
                        if (n == 0)
                                return 0;
                        break;
                }
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

static int settings_parse_lines(FILE *f, ParseState *st) {
        _cleanup_free_ char *buf = NULL, *continuation = NULL;
        size_t allocated = 0;
        unsigned line = 0, first_line = 0;
        int r;

        for (;;) {
                char *l, *p;

                r = read_line(f, &buf, &allocated);
                if (r == -ENOBUFS)
                        return fail(st, line + 1, "Line too long (more than %u bytes)", SETTINGS_LINE_MAX);
                if (r == -EBADMSG)
                        return fail(st, line + 1, "Line contains a NUL byte");
                if (r == -EIO)
                        return fail(st, line + 1, "Read error") == -EINVAL ? -EIO : -ENOMEM;
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
                                return fail(st, line, "Line too long (more than %u bytes)", SETTINGS_LINE_MAX);
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

        if (continuation) /* continuation at EOF: parse what we have, like systemd */
                return parse_line(st, first_line, continuation);

        return 0;
}

int settings_parse(FILE *f, const char *path, bool trusted, Settings **ret, char **ret_error) {
        _cleanup_(settings_freep) Settings *s = NULL;
        ParseState st = {};
        int r;

        if (!f || !ret)
                return -EINVAL;

        s = settings_new();
        if (!s)
                return -ENOMEM;
        s->trusted = trusted;
        if (path) {
                s->path = strdup(path);
                if (!s->path)
                        return -ENOMEM;
        }

        st = (ParseState) {
                .settings = s,
                .name = path ?: "<input>",
        };

        r = settings_parse_lines(f, &st);
        free(st.section);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(st.error);
                free(st.error);
                return r;
        }
        free(st.error);

        *ret = TAKE_PTR(s);
        return 0;
}

int settings_load(const char *path, bool trusted, Settings **ret, char **ret_error) {
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        if (!path || !ret)
                return -EINVAL;

        f = fopen(path, "re");
        if (!f) {
                r = -errno;
                if (r == -ENOENT)
                        return r;
                if (ret_error && asprintf(ret_error, "%s: Failed to open: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }

        return settings_parse(f, path, trusted, ret, ret_error);
}

/* Checks dir/NAME.nspawn. Returns 1 and the path if it exists, 0 if not, -errno on other errors. */
static int settings_try_dir(const char *dir, size_t dir_len, const char *name, char **ret_path) {
        _cleanup_free_ char *p = NULL;

        if (dir_len == 0)
                return 0; /* empty component of $MACHINED_EXT_SETTINGS_PATH */

        if (asprintf(&p, "%.*s/%s.nspawn", (int) dir_len, dir, name) < 0)
                return -ENOMEM;

        if (access(p, F_OK) < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                return -errno;
        }

        *ret_path = TAKE_PTR(p);
        return 1;
}

int settings_find(const char *name, char **ret_path, bool *ret_trusted) {
        _cleanup_free_ char *found = NULL;
        const char *env, *untrusted;
        bool trusted = true;
        int r = 0;

        if (!machine_name_is_valid(name))
                return -EINVAL;

        env = secure_getenv(SETTINGS_PATH_ENV);
        if (env) {
                for (const char *d = env; r == 0; ) {
                        size_t n = strcspn(d, ":");

                        r = settings_try_dir(d, n, name, &found);
                        if (d[n] == 0)
                                break;
                        d += n + 1;
                }
        } else
                for (const char *const *d = settings_trusted_dirs; *d && r == 0; d++)
                        r = settings_try_dir(*d, strlen(*d), name, &found);
        if (r < 0)
                return r;

        if (r == 0) {
                untrusted = secure_getenv(SETTINGS_UNTRUSTED_DIR_ENV) ?: SETTINGS_UNTRUSTED_DIR;
                r = settings_try_dir(untrusted, strlen(untrusted), name, &found);
                if (r <= 0)
                        return r;
                trusted = false;
        }

        if (ret_path)
                *ret_path = TAKE_PTR(found);
        if (ret_trusted)
                *ret_trusted = trusted;
        return 1;
}
