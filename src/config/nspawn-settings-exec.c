/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of [Exec] keys with their own rules (the generic ones are in conf-values.c). */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>

#include <seccomp.h>

#include "conf-parser.h"
#include "conf-values.h"
#include "name.h"
#include "nspawn-settings.h"
#include "parse-util.h"
#include "strv.h"
#include "syscall-groups.h"
#include "time-util.h"

#define container_of(ptr, type, member) ((type *) ((uint8_t *) (ptr) - offsetof(type, member)))

static void environment_index_free_key(void *value, const char *key) {
        free((char *) key);
}

static void environment_reset(Settings *s) {
        s->environment = strv_free(s->environment);
        s->n_environment = 0;
        if (s->environment_index)
                hashmap_clear(s->environment_index, environment_index_free_key);
}

void environment_index_drop(Settings *s) {
        if (s->environment_index)
                hashmap_clear(s->environment_index, environment_index_free_key);
        s->environment_index = hashmap_free(s->environment_index);
}

/* Settings.environment, KEY=VALUE words: a later assignment of the same KEY replaces the earlier one in
 * place; an empty assignment resets the list to unset (NULL). Keys are looked up in
 * Settings.environment_index, so n assignments cost O(n): copying the list and searching it for each
 * assignment made a 1 MB file take 40 s. Used for that field only (it finds the Settings from it). */
int parse_environment(const char *key, const char *value, void *data, char **ret_error) {
        Settings *s = container_of(data, Settings, environment);
        _cleanup_strv_free_ char **words = NULL, **keys = NULL;
        _cleanup_(hashmap_freep) Hashmap *batch = NULL;
        size_t n_words, n_new = 0;
        int r;

        if (isempty(value)) {
                environment_reset(s);
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

        if (!s->environment_index) {
                s->environment_index = hashmap_new();
                if (!s->environment_index)
                        return -ENOMEM;
        }
        n_words = strv_length(words);
        keys = new0(char *, n_words + 1);
        if (!keys)
                return -ENOMEM;
        if (n_words > 1) {
                batch = hashmap_new();
                if (!batch)
                        return -ENOMEM;
        }

        /* Count the keys this assignment adds first, so that the list is unchanged if it would get too long. */
        for (size_t i = 0; i < n_words; i++) {
                keys[i] = strndup(words[i], strchr(words[i], '=') - words[i]);
                if (!keys[i])
                        return -ENOMEM;
                if (hashmap_get(s->environment_index, keys[i]))
                        continue;
                if (!batch) {
                        n_new++;
                        continue;
                }
                r = hashmap_put(batch, keys[i], keys[i]);
                if (r == -ENOMEM)
                        return r;
                if (r > 0)
                        n_new++;
        }
        r = check_entries(ret_error, key, s->n_environment, n_new);
        if (r < 0)
                return r;

        /* From here on only -ENOMEM can fail, and then the whole file is refused. */
        for (size_t i = 0; i < n_words; i++) {
                void *slot = hashmap_get(s->environment_index, keys[i]);
                _cleanup_free_ char *k = NULL, *v = NULL;

                v = strdup(words[i]);
                if (!v)
                        return -ENOMEM;

                if (slot) {
                        size_t j = (size_t) (uintptr_t) slot - 1;

                        free(s->environment[j]);
                        s->environment[j] = TAKE_PTR(v);
                        continue;
                }

                k = strdup(keys[i]);
                if (!k)
                        return -ENOMEM;
                r = strv_push_with_size(&s->environment, &s->n_environment, v);
                if (r < 0)
                        return r;
                TAKE_PTR(v);
                r = hashmap_put(s->environment_index, k, (void *) (uintptr_t) s->n_environment);
                if (r < 0)
                        return r;
                TAKE_PTR(k);
        }

        return 0;
}

/* int field: -1 unset, else a NotifyAccess */
int parse_notify_access(const char *key, const char *value, void *data, char **ret_error) {
        int *a = data;
        NotifyAccess v;

        v = notify_access_from_string(value);
        if (v < 0)
                return invalid(ret_error, key, value, "expected 'main' or 'all'");
        *a = v;
        return 0;
}

/* uint64_t field: 0 unset, else µs; "0" means infinity, like systemd's TimeoutStartSec=0. */
int parse_timeout(const char *key, const char *value, void *data, char **ret_error) {
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

/* int fields holding an enum, -1 = unset: the key names the table. Some keys also take a boolean, like in
 * systemd-nspawn: Volatile= (yes/no), Timezone= and ResolvConf= (yes = auto, no = off). */
int parse_enum(const char *key, const char *value, void *data, char **ret_error) {
        int *field = data, v = -EINVAL, b;

        if (streq(key, "Console"))
                v = console_mode_from_string(value);
        else if (streq(key, "Timezone") || streq(key, "ResolvConf")) {
                v = streq(key, "Timezone") ? (int) timezone_mode_from_string(value)
                                           : (int) resolv_conf_mode_from_string(value);
                b = parse_boolean(value);
                if (v < 0 && b >= 0)
                        v = streq(key, "Timezone") ? (b ? TIMEZONE_AUTO : TIMEZONE_OFF)
                                                   : (b ? RESOLV_CONF_AUTO : RESOLV_CONF_OFF);
        } else if (streq(key, "LinkJournal"))
                v = link_journal_from_string(value);
        else if (streq(key, "Volatile")) {
                b = parse_boolean(value);
                v = b >= 0 ? (b ? VOLATILE_YES : VOLATILE_NO) : (int) volatile_mode_from_string(value);
        } else if (streq(key, "PrivateUsersOwnership"))
                v = user_namespace_ownership_from_string(value);
        else if (streq(key, "PrivateUsersChown")) {
                b = parse_boolean(value);
                if (b >= 0)
                        v = b ? USER_NAMESPACE_OWNERSHIP_CHOWN : USER_NAMESPACE_OWNERSHIP_OFF;
        } else
                assert(!"parse_enum() used for a key it does not know");

        if (v < 0)
                return -EINVAL;
        *field = v;
        return 0;
}

/* char* field: a user name or a decimal UID. */
int parse_user(const char *key, const char *value, void *data, char **ret_error) {
        char **s = data, *c;
        uint32_t uid;

        if (!user_name_is_valid(value) && parse_uid(value, &uid) < 0)
                return invalid(ret_error, key, value, "not a valid user name or UID");
        c = strdup(value);
        if (!c)
                return -ENOMEM;
        free(*s);
        *s = c;
        return 0;
}

/* char* field: a hostname. */
int parse_hostname(const char *key, const char *value, void *data, char **ret_error) {
        char **s = data, *c;

        if (!machine_name_is_valid(value))
                return invalid(ret_error, key, value, "not a valid hostname");
        c = strdup(value);
        if (!c)
                return -ENOMEM;
        free(*s);
        *s = c;
        return 0;
}

/* sd_id128_t field: 32 hex digits (or the UUID form), not all zero. */
int parse_machine_id(const char *key, const char *value, void *data, char **ret_error) {
        sd_id128_t *id = data, v;

        if (sd_id128_from_string(value, &v) < 0)
                return invalid(ret_error, key, value, "expected 32 hexadecimal digits");
        if (sd_id128_is_null(v))
                return invalid(ret_error, key, value, "the null ID is not allowed");
        *id = v;
        return 0;
}

/* SyscallFilter field: names or @groups; a leading "~" makes the assignment a deny list. */
int parse_syscall_filter(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_strv_free_ char **words = NULL;
        SyscallFilter *f = data;
        const char *p = value;
        bool deny;
        int r;

        if (isempty(value)) {
                f->allow = strv_free(f->allow);
                f->deny = strv_free(f->deny);
                return 0;
        }

        deny = *p == '~';
        if (deny)
                p++;

        r = extract_words(key, p, EXTRACT_UNQUOTE, &words, ret_error);
        if (r < 0)
                return r;
        if (!words)
                return invalid(ret_error, key, value, "no system calls listed");

        STRV_FOREACH(w, words) {
                if ((*w)[0] == '@') {
                        if (!syscall_group_exists(*w))
                                return invalid_item(ret_error, key, value, "unknown system call group", *w);
                } else if (seccomp_syscall_resolve_name(*w) == __NR_SCMP_ERROR)
                        return invalid_item(ret_error, key, value, "unknown system call", *w);
        }

        r = check_entries(ret_error, key, strv_length(deny ? f->deny : f->allow), strv_length(words));
        if (r < 0)
                return r;

        return strv_extend_strv(deny ? &f->deny : &f->allow, words);
}

/* int field: -1000…1000. */
int parse_oom_score_adjust(const char *key, const char *value, void *data, char **ret_error) {
        int *field = data;
        uint64_t v;
        bool negative = value[0] == '-';

        if (parse_u64(value + (negative || value[0] == '+'), &v) < 0 || v > 1000)
                return invalid(ret_error, key, value, "expected an integer from -1000 to 1000");
        *field = negative ? -(int) v : (int) v;
        return 0;
}

/* unsigned long field: an architecture name the host can run, as systemd's personality_from_string(). */
int parse_personality(const char *key, const char *value, void *data, char **ret_error) {
        static const struct {
                const char *name;
                unsigned long personality;
        } table[] = {
#if defined(__x86_64__)
                { "x86-64", PER_LINUX }, { "x86", PER_LINUX32 },
#elif defined(__i386__)
                { "x86", PER_LINUX },
#elif defined(__aarch64__)
                { "arm64", PER_LINUX }, { "arm", PER_LINUX32 },
#elif defined(__arm__)
                { "arm", PER_LINUX },
#elif defined(__s390x__)
                { "s390x", PER_LINUX }, { "s390", PER_LINUX32 },
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                { "ppc64-le", PER_LINUX },
#elif defined(__powerpc64__)
                { "ppc64", PER_LINUX }, { "ppc", PER_LINUX32 },
#elif defined(__riscv) && __riscv_xlen == 64
                { "riscv64", PER_LINUX },
#endif
        };
        unsigned long *field = data;

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].name, value)) {
                        *field = table[i].personality;
                        return 0;
                }
        return invalid(ret_error, key, value, "not an architecture this host can run");
}

/* PrivateUsers field: yes/no (booleans), "pick", "identity", "UID" or "UID:RANGE". Numbers are UIDs, never
 * booleans (as in systemd-nspawn). */
int parse_private_users(const char *key, const char *value, void *data, char **ret_error) {
        PrivateUsers *pu = data, v = {
                .mode = USER_NAMESPACE_FIXED,
                .uid_shift = PRIVATE_USERS_SHIFT_FROM_ROOT,
                .uid_range = PRIVATE_USERS_RANGE_DEFAULT,
        };
        const char *colon;
        int b = -1;

        if (strspn(value, "0123456789") != strlen(value) || isempty(value))
                b = parse_boolean(value);

        if (b == 0)
                v.mode = USER_NAMESPACE_NO;
        else if (b > 0)
                ; /* fixed, shift from the root directory */
        else if (streq(value, "pick"))
                v.mode = USER_NAMESPACE_PICK;
        else if (streq(value, "identity"))
                v.uid_shift = 0;
        else {
                _cleanup_free_ char *shift = NULL;
                uint64_t range = PRIVATE_USERS_RANGE_DEFAULT;

                colon = strchr(value, ':');
                shift = colon ? strndup(value, colon - value) : strdup(value);
                if (!shift)
                        return -ENOMEM;
                if (parse_uid(shift, &v.uid_shift) < 0 || (colon && parse_u64(colon + 1, &range) < 0))
                        return invalid(ret_error, key, value,
                                       "expected yes, no, pick, identity, UID or UID:RANGE");
                if (range == 0 || range > UINT32_MAX - (uint64_t) v.uid_shift)
                        return invalid(ret_error, key, value, "UID range empty or beyond the last UID");
                v.uid_range = (uint32_t) range;
        }

        *pu = v;
        return 0;
}

