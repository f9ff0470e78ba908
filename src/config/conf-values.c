/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "conf-parser.h"
#include "conf-values.h"
#include "escape.h"
#include "name.h"
#include "parse-util.h"
#include "settings.h"
#include "strv.h"

_printf_(2, 3)
int set_message(char **ret, const char *fmt, ...) {
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

int too_many(char **ret_error, const char *key) {
        int r;

        r = set_message(ret_error, "Too many entries for %s= (at most %u)", key, SETTINGS_ENTRIES_MAX);
        return r < 0 ? r : -EINVAL;
}

int check_entries(char **ret_error, const char *key, size_t have, size_t add) {
        if (have > SETTINGS_ENTRIES_MAX || add > SETTINGS_ENTRIES_MAX - have)
                return too_many(ret_error, key);
        return 0;
}

int parse_tristate(const char *key, const char *value, void *data, char **ret_error) {
        int *b = data;
        int r;

        r = parse_boolean(value);
        if (r < 0)
                return r;
        *b = r;
        return 0;
}

int parse_signal(const char *key, const char *value, void *data, char **ret_error) {
        int *sig = data;
        int r;

        r = signal_from_string(value);
        if (r < 0 || !SIGNAL_VALID(r))
                return -EINVAL;
        *sig = r;
        return 0;
}

int extract_words(const char *key, const char *value, int flags, char ***ret, char **ret_error) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = value;
        size_t n = 0;
        int r;

        for (;;) {
                char *w;

                if (n >= SETTINGS_ENTRIES_MAX && p && p[strspn(p, WHITESPACE)] != 0)
                        return too_many(ret_error, key);

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

                r = strv_push_with_size(&l, &n, w);
                if (r < 0) {
                        free(w);
                        return r;
                }
        }

        *ret = TAKE_PTR(l);
        return 0;
}

int parse_word_list(const char *key, const char *value, void *data, char **ret_error) {
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

        /* The command line is shown to admins (Command, machinectl-ext status): an escape sequence hidden in
         * it would reach their terminal. */
        STRV_FOREACH(w, words)
                if (has_control_chars(*w))
                        return invalid_item(ret_error, key, value, "control character in argument", *w);

        r = check_entries(ret_error, key, strv_length(*l), strv_length(words));
        if (r < 0)
                return r;

        if (!*l) {
                /* The value is not empty, so there is at least one word. */
                *l = TAKE_PTR(words);
                return 0;
        }

        return strv_extend_strv(l, words);
}

int parse_path(const char *key, const char *value, void *data, char **ret_error) {
        char **s = data, *n;
        int r;

        r = path_normalize_absolute(value, &n);
        if (r < 0)
                return r;

        free(*s);
        *s = n;
        return 0;
}

int parse_path_utf8(const char *key, const char *value, void *data, char **ret_error) {
        /* A path the machine's state file keeps (the root directory, the bundle): that file is JSON, read
         * back only if it is UTF-8, or a restarted daemon would lose the running machine. */
        if (!utf8_is_valid_n(value, strlen(value)))
                return invalid(ret_error, key, value, "not UTF-8");
        return parse_path(key, value, data, ret_error);
}

int invalid(char **ret_error, const char *key, const char *value, const char *reason) {
        int r;

        r = set_message(ret_error, "Invalid value for %s=: '%.*s' (%s)", key, VALUE_SHOWN_MAX, value, reason);
        return r < 0 ? r : -EINVAL;
}

int invalid_item(char **ret_error, const char *key, const char *value, const char *reason,
                 const char *item) {
        int r;

        r = set_message(ret_error, "Invalid value for %s=: '%.*s' (%s '%.*s')", key, VALUE_SHOWN_MAX, value,
                        reason, VALUE_SHOWN_MAX, item);
        return r < 0 ? r : -EINVAL;
}

int parse_capability(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_strv_free_ char **words = NULL;
        uint64_t *mask = data, m = 0;
        int r;

        if (isempty(value)) {
                *mask = 0;
                return 0;
        }

        r = extract_words(key, value, EXTRACT_UNQUOTE, &words, ret_error);
        if (r < 0)
                return r;

        STRV_FOREACH(w, words) {
                cap_value_t c;
                bool number = **w && strspn(*w, "0123456789") == strlen(*w);

                if (streq(*w, "all")) {
                        m = UINT64_MAX;
                        continue;
                }
                /* cap_from_name() is lenient (it accepts "CAP_CHOWN,CAP_KILL", for one); only hand it what looks
                 * like a single name or a number. */
                if ((!number && (strncasecmp(*w, "cap_", 4) != 0 ||
                                 strspn(*w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                                 strlen(*w))) ||
                    cap_from_name(*w, &c) < 0 || c < 0 || c > 63)
                        return invalid_item(ret_error, key, value, "unknown capability", *w);
                m |= UINT64_C(1) << c;
        }

        *mask |= m;
        return 0;
}

static const struct {
        const char *key;
        int resource;
        RlimitUnit unit;
} rlimits[] = {
        { "LimitCPU",        RLIMIT_CPU,        RLIMIT_UNIT_SEC    },
        { "LimitFSIZE",      RLIMIT_FSIZE,      RLIMIT_UNIT_BYTES  },
        { "LimitDATA",       RLIMIT_DATA,       RLIMIT_UNIT_BYTES  },
        { "LimitSTACK",      RLIMIT_STACK,      RLIMIT_UNIT_BYTES  },
        { "LimitCORE",       RLIMIT_CORE,       RLIMIT_UNIT_BYTES  },
        { "LimitRSS",        RLIMIT_RSS,        RLIMIT_UNIT_BYTES  },
        { "LimitNOFILE",     RLIMIT_NOFILE,     RLIMIT_UNIT_NUMBER },
        { "LimitAS",         RLIMIT_AS,         RLIMIT_UNIT_BYTES  },
        { "LimitNPROC",      RLIMIT_NPROC,      RLIMIT_UNIT_NUMBER },
        { "LimitMEMLOCK",    RLIMIT_MEMLOCK,    RLIMIT_UNIT_BYTES  },
        { "LimitLOCKS",      RLIMIT_LOCKS,      RLIMIT_UNIT_NUMBER },
        { "LimitSIGPENDING", RLIMIT_SIGPENDING, RLIMIT_UNIT_NUMBER },
        { "LimitMSGQUEUE",   RLIMIT_MSGQUEUE,   RLIMIT_UNIT_BYTES  },
        { "LimitNICE",       RLIMIT_NICE,       RLIMIT_UNIT_NICE   },
        { "LimitRTPRIO",     RLIMIT_RTPRIO,     RLIMIT_UNIT_NUMBER },
        { "LimitRTTIME",     RLIMIT_RTTIME,     RLIMIT_UNIT_USEC   },
};

int parse_rlimit(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_free_ char *soft = NULL;
        struct rlimit **rl = data, *n;
        const char *colon, *hard;
        RlimitUnit unit = RLIMIT_UNIT_NUMBER;
        rlim_t a, b;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(rlimits); i++)
                if (streq(rlimits[i].key, key))
                        unit = rlimits[i].unit;

        colon = strchr(value, ':');
        if (colon) {
                soft = strndup(value, colon - value);
                if (!soft)
                        return -ENOMEM;
                hard = colon + 1;
        } else
                hard = value;

        r = parse_rlimit_value(soft ?: value, unit, &a);
        if (r >= 0)
                r = parse_rlimit_value(hard, unit, &b);
        if (r == -ERANGE)
                return invalid(ret_error, key, value, "out of range");
        if (r < 0)
                return -EINVAL;
        if (a > b)
                return invalid(ret_error, key, value, "soft limit above hard limit");

        n = new(struct rlimit, 1);
        if (!n)
                return -ENOMEM;
        *n = (struct rlimit) { .rlim_cur = a, .rlim_max = b };
        free(*rl);
        *rl = n;
        return 0;
}

int parse_cpu_affinity(const char *key, const char *value, void *data, char **ret_error) {
        cpu_set_t **field = data, set;
        const char *reason;

        if (isempty(value)) {
                *field = mfree(*field);
                return 0;
        }
        if (parse_cpu_set(value, &set, &reason) < 0)
                return invalid(ret_error, key, value, reason);

        if (!*field) {
                *field = new0(cpu_set_t, 1);
                if (!*field)
                        return -ENOMEM;
        }
        CPU_OR(*field, *field, &set);
        return 0;
}

int parse_checked_list(const char *key, const char *value, char ***l, WordFunc check, const char *reason,
                       char **ret_error) {
        _cleanup_strv_free_ char **words = NULL, **out = NULL;
        size_t n = 0;
        int r;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }

        r = extract_words(key, value, EXTRACT_UNQUOTE, &words, ret_error);
        if (r < 0)
                return r;

        STRV_FOREACH(w, words) {
                char *c;

                r = check(*w, &c);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid_item(ret_error, key, value, reason, *w);
                r = strv_push_with_size(&out, &n, c);
                if (r < 0) {
                        free(c);
                        return r;
                }
        }

        r = check_entries(ret_error, key, strv_length(*l), n);
        if (r < 0)
                return r;

        return strv_extend_strv(l, out);
}

static int word_path(const char *w, char **ret) {
        return path_normalize_absolute(w, ret);
}

static int word_user(const char *w, char **ret) {
        if (!user_name_is_valid(w))
                return -EINVAL;
        *ret = strdup(w);
        return *ret ? 0 : -ENOMEM;
}

int parse_path_list(const char *key, const char *value, void *data, char **ret_error) {
        return parse_checked_list(key, value, data, word_path, "not an absolute path without '..'", ret_error);
}

int parse_user_list(const char *key, const char *value, void *data, char **ret_error) {
        return parse_checked_list(key, value, data, word_user, "not a valid user name", ret_error);
}

