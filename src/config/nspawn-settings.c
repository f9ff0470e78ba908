/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include "conf-parser.h"
#include "conf-values.h"
#include "mount-options.h"
#include "name.h"
#include "parse-util.h"
#include "settings.h"
#include "tables.h"
#include "strv.h"
#include "syscall-groups.h"
#include "time-util.h"

const char *const settings_trusted_dirs[] = {
        "/etc/machined-ext",
        "/run/machined-ext",
        "/etc/systemd/nspawn",
        "/run/systemd/nspawn",
        NULL,
};

/* ---- value parsers ---------------------------------------------------------------------------------- */

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

static void environment_index_drop(Settings *s) {
        if (s->environment_index)
                hashmap_clear(s->environment_index, environment_index_free_key);
        s->environment_index = hashmap_free(s->environment_index);
}

/* Settings.environment, KEY=VALUE words: a later assignment of the same KEY replaces the earlier one in
 * place; an empty assignment resets the list to unset (NULL). Keys are looked up in
 * Settings.environment_index, so n assignments cost O(n): copying the list and searching it for each
 * assignment made a 1 MB file take 40 s. Used for that field only (it finds the Settings from it). */
static int parse_environment(const char *key, const char *value, void *data, char **ret_error) {
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

/* ---- string tables ---------------------------------------------------------------------------------- */

static const char *const notify_access_table[_NOTIFY_ACCESS_MAX] = {
        [NOTIFY_ACCESS_MAIN] = "main",
        [NOTIFY_ACCESS_ALL]  = "all",
};
DEFINE_STRING_TABLE(notify_access, NotifyAccess, _NOTIFY_ACCESS_MAX)

static const char *const console_mode_table[_CONSOLE_MODE_MAX] = {
        [CONSOLE_INTERACTIVE] = "interactive",
        [CONSOLE_READ_ONLY]   = "read-only",
        [CONSOLE_PASSIVE]     = "passive",
        [CONSOLE_PIPE]        = "pipe",
};
DEFINE_STRING_TABLE(console_mode, ConsoleMode, _CONSOLE_MODE_MAX)

static const char *const timezone_mode_table[_TIMEZONE_MODE_MAX] = {
        [TIMEZONE_OFF]     = "off",
        [TIMEZONE_COPY]    = "copy",
        [TIMEZONE_BIND]    = "bind",
        [TIMEZONE_SYMLINK] = "symlink",
        [TIMEZONE_DELETE]  = "delete",
        [TIMEZONE_AUTO]    = "auto",
};
DEFINE_STRING_TABLE(timezone_mode, TimezoneMode, _TIMEZONE_MODE_MAX)

static const char *const resolv_conf_mode_table[_RESOLV_CONF_MODE_MAX] = {
        [RESOLV_CONF_OFF]            = "off",
        [RESOLV_CONF_COPY_HOST]      = "copy-host",
        [RESOLV_CONF_COPY_STATIC]    = "copy-static",
        [RESOLV_CONF_COPY_UPLINK]    = "copy-uplink",
        [RESOLV_CONF_COPY_STUB]      = "copy-stub",
        [RESOLV_CONF_REPLACE_HOST]   = "replace-host",
        [RESOLV_CONF_REPLACE_STATIC] = "replace-static",
        [RESOLV_CONF_REPLACE_UPLINK] = "replace-uplink",
        [RESOLV_CONF_REPLACE_STUB]   = "replace-stub",
        [RESOLV_CONF_BIND_HOST]      = "bind-host",
        [RESOLV_CONF_BIND_STATIC]    = "bind-static",
        [RESOLV_CONF_BIND_UPLINK]    = "bind-uplink",
        [RESOLV_CONF_BIND_STUB]      = "bind-stub",
        [RESOLV_CONF_DELETE]         = "delete",
        [RESOLV_CONF_AUTO]           = "auto",
};
DEFINE_STRING_TABLE(resolv_conf_mode, ResolvConfMode, _RESOLV_CONF_MODE_MAX)

static const char *const link_journal_table[_LINK_JOURNAL_MAX] = {
        [LINK_JOURNAL_NO]        = "no",
        [LINK_JOURNAL_HOST]      = "host",
        [LINK_JOURNAL_TRY_HOST]  = "try-host",
        [LINK_JOURNAL_GUEST]     = "guest",
        [LINK_JOURNAL_TRY_GUEST] = "try-guest",
        [LINK_JOURNAL_AUTO]      = "auto",
};
DEFINE_STRING_TABLE(link_journal, LinkJournal, _LINK_JOURNAL_MAX)

static const char *const volatile_mode_table[_VOLATILE_MODE_MAX] = {
        [VOLATILE_NO]      = "no",
        [VOLATILE_YES]     = "yes",
        [VOLATILE_STATE]   = "state",
        [VOLATILE_OVERLAY] = "overlay",
};
DEFINE_STRING_TABLE(volatile_mode, VolatileMode, _VOLATILE_MODE_MAX)

static const char *const user_namespace_ownership_table[_USER_NAMESPACE_OWNERSHIP_MAX] = {
        [USER_NAMESPACE_OWNERSHIP_OFF]   = "off",
        [USER_NAMESPACE_OWNERSHIP_CHOWN] = "chown",
        [USER_NAMESPACE_OWNERSHIP_MAP]   = "map",
        [USER_NAMESPACE_OWNERSHIP_AUTO]  = "auto",
};
DEFINE_STRING_TABLE(user_namespace_ownership, UserNamespaceOwnership, _USER_NAMESPACE_OWNERSHIP_MAX)

static const char *const custom_mount_type_table[_CUSTOM_MOUNT_TYPE_MAX] = {
        [CUSTOM_MOUNT_BIND]    = "bind",
        [CUSTOM_MOUNT_TMPFS]   = "tmpfs",
        [CUSTOM_MOUNT_OVERLAY] = "overlay",
};
DEFINE_STRING_TABLE(custom_mount_type, CustomMountType, _CUSTOM_MOUNT_TYPE_MAX)



/* ---- more value parsers ----------------------------------------------------------------------------- */

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

/* int fields holding an enum, -1 = unset: the key names the table. Some keys also take a boolean, like in
 * systemd-nspawn: Volatile= (yes/no), Timezone= and ResolvConf= (yes = auto, no = off). */
static int parse_enum(const char *key, const char *value, void *data, char **ret_error) {
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
static int parse_user(const char *key, const char *value, void *data, char **ret_error) {
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
static int parse_hostname(const char *key, const char *value, void *data, char **ret_error) {
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

/* char* field: a network interface name (Bridge=) or zone name (Zone=). */
static int parse_ifname(const char *key, const char *value, void *data, char **ret_error) {
        char **s = data, *c;

        if (streq(key, "Zone")) {
                char name[IFNAME_MAX + 2];

                /* The zone's bridge is called "vz-NAME", which must be a valid interface name. */
                if (strlen(value) > IFNAME_MAX - 3)
                        return invalid(ret_error, key, value, "zone name too long");
                (void) snprintf(name, sizeof(name), "vz-%s", value);
                if (isempty(value) || !ifname_is_valid(name))
                        return invalid(ret_error, key, value, "not a valid zone name");
        } else if (!ifname_is_valid(value))
                return invalid(ret_error, key, value, "not a valid network interface name");

        c = strdup(value);
        if (!c)
                return -ENOMEM;
        free(*s);
        *s = c;
        return 0;
}

/* sd_id128_t field: 32 hex digits (or the UUID form), not all zero. */
static int parse_machine_id(const char *key, const char *value, void *data, char **ret_error) {
        sd_id128_t *id = data, v;

        if (sd_id128_from_string(value, &v) < 0)
                return invalid(ret_error, key, value, "expected 32 hexadecimal digits");
        if (sd_id128_is_null(v))
                return invalid(ret_error, key, value, "the null ID is not allowed");
        *id = v;
        return 0;
}

/* SyscallFilter field: names or @groups; a leading "~" makes the assignment a deny list. */
static int parse_syscall_filter(const char *key, const char *value, void *data, char **ret_error) {
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
static int parse_oom_score_adjust(const char *key, const char *value, void *data, char **ret_error) {
        int *field = data;
        uint64_t v;
        bool negative = value[0] == '-';

        if (parse_u64(value + (negative || value[0] == '+'), &v) < 0 || v > 1000)
                return invalid(ret_error, key, value, "expected an integer from -1000 to 1000");
        *field = negative ? -(int) v : (int) v;
        return 0;
}

/* unsigned long field: an architecture name the host can run, as systemd's personality_from_string(). */
static int parse_personality(const char *key, const char *value, void *data, char **ret_error) {
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
static int parse_private_users(const char *key, const char *value, void *data, char **ret_error) {
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

/* Normalizes a host-side source path: absolute, or "+PATH" relative to the container root. */
static int source_normalize(const char *s, char **ret) {
        _cleanup_free_ char *n = NULL;
        bool plus = s[0] == '+';
        int r;

        r = path_normalize_absolute(s + plus, &n);
        if (r < 0)
                return r;
        if (plus) {
                char *c;

                if (asprintf(&c, "+%s", n) < 0)
                        return -ENOMEM;
                free(n);
                n = c;
        }
        *ret = TAKE_PTR(n);
        return 0;
}

static void custom_mount_done(CustomMount *m) {
        free(m->source);
        free(m->destination);
        strv_free(m->lower);
        free(m->options);
}

static void custom_mounts_done(CustomMounts *l) {
        for (size_t i = 0; i < l->n; i++)
                custom_mount_done(l->mounts + i);
        l->mounts = mfree(l->mounts);
        l->n = 0;
}

/* Appends *m to l, taking over its contents (m is zeroed). */
static int custom_mounts_add(CustomMounts *l, CustomMount *m) {
        CustomMount *c;

        if (l->n >= SIZE_MAX / sizeof(CustomMount) - 1)
                return -ENOMEM;
        c = realloc(l->mounts, sizeof(CustomMount) * (l->n + 1));
        if (!c)
                return -ENOMEM;
        l->mounts = c;
        l->mounts[l->n++] = *m;
        *m = (CustomMount) {};
        return 0;
}

/* Bind=/BindReadOnly=: SRC[:DST[:OPTIONS]] */
static int parse_bind(const char *key, const char *value, CustomMount *m, char **ret_error) {
        _cleanup_free_ char *src = NULL, *dst = NULL;
        const char *p = value;
        int r;

        r = extract_colon_field(&p, &src);
        if (r >= 0 && p)
                r = extract_colon_field(&p, &dst);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "trailing backslash");

        if (isempty(src)) {
                if (!dst)
                        return invalid(ret_error, key, value, "expected SRC[:DST[:OPTIONS]]");
                m->source = NULL; /* a temporary directory */
        } else if (source_normalize(src, &m->source) < 0)
                return invalid(ret_error, key, value, "source must be an absolute path without '..'");

        r = path_normalize_absolute(dst ?: src + (src[0] == '+'), &m->destination);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "destination must be an absolute path without '..'");

        if (!isempty(p)) {
                if (mount_bind_options_parse(p, NULL, NULL) < 0)
                        return invalid(ret_error, key, value,
                                       "options must be a comma-separated list of rbind, norbind, idmap, noidmap, rootidmap");
                m->options = strdup(p);
                if (!m->options)
                        return -ENOMEM;
        }
        return 0;
}

/* TemporaryFileSystem=: PATH[:OPTIONS] */
/* TemporaryFileSystem= options: what mounts.c will give the tmpfs, checked now. Returns 0 or -EINVAL/-ENOMEM. */
static int tmpfs_options_valid(const char *opts) {
        _cleanup_(mount_options_done) MountOptions o = {};
        _cleanup_strv_free_ char **sb_flags = NULL;
        uint64_t attr;
        int r;

        r = mount_options_parse(opts, &o);
        if (r < 0)
                return r;
        return mount_options_to_fs_attr(&o, 0, &attr, &sb_flags);
}

static int parse_tmpfs(const char *key, const char *value, CustomMount *m, char **ret_error) {
        _cleanup_free_ char *path = NULL;
        const char *p = value;
        int r;

        r = extract_colon_field(&p, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "trailing backslash");

        r = path_normalize_absolute(path, &m->destination);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "path must be absolute without '..'");

        if (!isempty(p)) {
                for (const char *c = p; *c; c++)
                        if ((unsigned char) *c < ' ' || *c == 0x7f)
                                return invalid(ret_error, key, value, "control character in options");
                r = tmpfs_options_valid(p);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid(ret_error, key, value, "options must be mount options libmount can parse "
                                       "(no bind, propagation, nofail/x-* or other userspace options)");
                m->options = strdup(p);
                if (!m->options)
                        return -ENOMEM;
        }
        return 0;
}

/* Overlay=/OverlayReadOnly=: LOWER…:UPPER:DST, or LOWER:UPPER (the destination is UPPER without "+"). */
static int parse_overlay(const char *key, const char *value, CustomMount *m, char **ret_error) {
        _cleanup_strv_free_ char **fields = NULL;
        const char *p = value;
        size_t n = 0, n_lower = 0;
        int r;

        for (;;) {
                char *f;

                if (n > SETTINGS_ENTRIES_MAX)
                        return too_many(ret_error, key);
                r = extract_colon_field(&p, &f);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid(ret_error, key, value, "trailing backslash");
                if (r == 0)
                        break;
                r = strv_push_with_size(&fields, &n, f);
                if (r < 0) {
                        free(f);
                        return r;
                }
        }

        if (n < 2)
                return invalid(ret_error, key, value, "expected at least two colon-separated paths");

        if (n == 2) {
                if (isempty(fields[1]) || source_normalize(fields[1], &m->source) < 0)
                        return invalid(ret_error, key, value, "upper directory must be an absolute path without '..'");
                r = path_normalize_absolute(m->source + (m->source[0] == '+'), &m->destination);
                if (r < 0)
                        return r;
                n = 1;
        } else {
                if (!isempty(fields[n - 2]) && source_normalize(fields[n - 2], &m->source) < 0)
                        return invalid(ret_error, key, value, "upper directory must be an absolute path without '..'");
                r = path_normalize_absolute(fields[n - 1], &m->destination);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid(ret_error, key, value, "destination must be an absolute path without '..'");
                n -= 2;
        }

        for (size_t i = 0; i < n; i++) {
                char *l;

                if (isempty(fields[i]) || source_normalize(fields[i], &l) < 0)
                        return invalid(ret_error, key, value, "lower directories must be absolute paths without '..'");
                r = strv_push_with_size(&m->lower, &n_lower, l);
                if (r < 0) {
                        free(l);
                        return r;
                }
        }
        return 0;
}

/* CustomMounts field: Bind=, BindReadOnly=, TemporaryFileSystem=, Overlay=, OverlayReadOnly= add one mount
 * each; an empty assignment removes the mounts added by the same key. */
static int parse_custom_mount(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_(custom_mount_done) CustomMount m = {};
        CustomMounts *l = data;
        int r;

        if (streq(key, "Bind") || streq(key, "BindReadOnly"))
                m = (CustomMount) { .type = CUSTOM_MOUNT_BIND, .read_only = streq(key, "BindReadOnly") };
        else if (streq(key, "TemporaryFileSystem"))
                m = (CustomMount) { .type = CUSTOM_MOUNT_TMPFS };
        else if (streq(key, "Overlay") || streq(key, "OverlayReadOnly"))
                m = (CustomMount) { .type = CUSTOM_MOUNT_OVERLAY, .read_only = streq(key, "OverlayReadOnly") };
        else
                assert(!"parse_custom_mount() used for a key it does not know");

        if (isempty(value)) {
                size_t k = 0;

                for (size_t i = 0; i < l->n; i++) {
                        if (l->mounts[i].type == m.type && l->mounts[i].read_only == m.read_only)
                                custom_mount_done(l->mounts + i);
                        else
                                l->mounts[k++] = l->mounts[i];
                }
                l->n = k;
                if (k == 0)
                        l->mounts = mfree(l->mounts);
                return 0;
        }

        if (l->n >= SETTINGS_ENTRIES_MAX)
                return too_many(ret_error, key);

        switch (m.type) {
        case CUSTOM_MOUNT_BIND:
                r = parse_bind(key, value, &m, ret_error);
                break;
        case CUSTOM_MOUNT_TMPFS:
                r = parse_tmpfs(key, value, &m, ret_error);
                break;
        default:
                r = parse_overlay(key, value, &m, ret_error);
                break;
        }
        if (r < 0)
                return r;

        return custom_mounts_add(l, &m);
}

/* "HOST" or "HOST:CONTAINER", both interface names. */
static int word_iface_pair(const char *w, char **ret) {
        const char *colon = strchr(w, ':');
        char host[IFNAME_MAX + 2];

        if (colon) {
                if ((size_t) (colon - w) > IFNAME_MAX)
                        return -EINVAL;
                memcpy(host, w, colon - w);
                host[colon - w] = 0;
                if (!ifname_is_valid(host) || !ifname_is_valid(colon + 1))
                        return -EINVAL;
        } else if (!ifname_is_valid(w))
                return -EINVAL;

        *ret = strdup(w);
        return *ret ? 0 : -ENOMEM;
}

static int parse_iface_list(const char *key, const char *value, void *data, char **ret_error) {
        return parse_checked_list(key, value, data, word_iface_pair, "not an interface name or HOST:CONTAINER pair",
                                  ret_error);
}

/* char** field: VirtualEthernetExtra=HOST[:CONTAINER], one pair per assignment, stored as HOST:CONTAINER. */
static int parse_veth_extra(const char *key, const char *value, void *data, char **ret_error) {
        char ***l = data, *c, *pair;
        int r;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }

        r = check_entries(ret_error, key, strv_length(*l), 1);
        if (r < 0)
                return r;

        r = word_iface_pair(value, &pair);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "expected HOST[:CONTAINER] interface names");

        if (!strchr(pair, ':')) {
                r = asprintf(&c, "%s:%s", pair, pair);
                free(pair);
                if (r < 0)
                        return -ENOMEM;
                pair = c;
        }

        r = strv_push(l, pair);
        if (r < 0)
                free(pair);
        return r;
}

static int parse_port_number(const char *s, uint16_t *ret) {
        uint64_t v;

        if (parse_u64(s, &v) < 0 || v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

/* ExposePorts field: Port=[tcp:|udp:]HOST[:CONTAINER], one per assignment. */
static int parse_expose_port(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_free_ char *host = NULL;
        ExposePorts *l = data;
        ExposePort port = { .protocol = IPPROTO_TCP };
        const char *p = value, *colon;
        ExposePort *c;

        if (isempty(value)) {
                l->ports = mfree(l->ports);
                l->n = 0;
                return 0;
        }

        if (startswith(p, "tcp:"))
                p += 4;
        else if (startswith(p, "udp:")) {
                port.protocol = IPPROTO_UDP;
                p += 4;
        }

        colon = strchr(p, ':');
        host = colon ? strndup(p, colon - p) : strdup(p);
        if (!host)
                return -ENOMEM;
        if (parse_port_number(host, &port.host_port) < 0 ||
            parse_port_number(colon ? colon + 1 : host, &port.container_port) < 0)
                return invalid(ret_error, key, value, "expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535");

        if (l->n >= SETTINGS_ENTRIES_MAX)
                return too_many(ret_error, key);
        for (size_t i = 0; i < l->n; i++)
                if (l->ports[i].protocol == port.protocol && l->ports[i].host_port == port.host_port)
                        return invalid(ret_error, key, value, "host port already exposed");

        if (l->n >= SIZE_MAX / sizeof(ExposePort) - 1)
                return -ENOMEM;
        c = realloc(l->ports, sizeof(ExposePort) * (l->n + 1));
        if (!c)
                return -ENOMEM;
        l->ports = c;
        l->ports[l->n++] = port;
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

/* Trust classes follow systemd-nspawn v252's merge_settings(): what it ignores from untrusted files is
 * TRUST_PRIVILEGED here. Deviations (see docs/settings.md): SystemCallFilter= is privileged as a whole (nspawn
 * honours pure deny lists); PrivateUsersOwnership=/PrivateUsersChown= are privileged (nspawn takes them only
 * together with PrivateUsers=, which is privileged); Directory= and Console= are ours. */
static const SettingsItem items[] = {
        SUPPORTED("Exec",  "Boot",                  parse_tristate,         boot,               TRUST_ANY,        APPLIED),
        SUPPORTED("Exec",  "Parameters",            parse_word_list,        parameters,         TRUST_ANY,        APPLIED),
        SUPPORTED("Exec",  "Environment",           parse_environment,      environment,        TRUST_ANY,        APPLIED),
        SUPPORTED("Exec",  "NotifyReady",           parse_tristate,         notify_ready,       TRUST_ANY,        APPLIED),
        SUPPORTED("Exec",  "KillSignal",            parse_signal,           kill_signal,        TRUST_ANY,        APPLIED),
        SUPPORTED("Exec",  "NotifyAccess",          parse_notify_access,    notify_access,      TRUST_ANY,        APPLIED), /* ext. */
        SUPPORTED("Exec",  "TimeoutStartSec",       parse_timeout,          timeout_start_usec, TRUST_ANY,        APPLIED), /* ext. */
        SUPPORTED("Exec",  "Ephemeral",             parse_tristate,         ephemeral,          TRUST_ANY,        NOT_APPLIED),
        SUPPORTED("Exec",  "ProcessTwo",            parse_tristate,         process_two,        TRUST_ANY,        NOT_APPLIED),
        SUPPORTED("Exec",  "User",                  parse_user,             user,               TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Exec",  "WorkingDirectory",      parse_path,             working_directory,  TRUST_ANY,        APPLIED)    ,
        NOT_YET("Exec",    "PivotRoot",             TRUST_ANY),
        SUPPORTED("Exec",  "Capability",            parse_capability,       capability,         TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "AmbientCapability",     parse_capability,       ambient_capability, TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "DropCapability",        parse_capability,       drop_capability,    TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Exec",  "NoNewPrivileges",       parse_tristate,         no_new_privileges,  TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Exec",  "Personality",           parse_personality,      personality,        TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Exec",  "MachineID",             parse_machine_id,       machine_id,         TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "PrivateUsers",          parse_private_users,    private_users,      TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Exec",  "SystemCallFilter",      parse_syscall_filter,   syscall_filter,     TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitCPU",              parse_rlimit,           rlimit[RLIMIT_CPU],        TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitFSIZE",            parse_rlimit,           rlimit[RLIMIT_FSIZE],      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitDATA",             parse_rlimit,           rlimit[RLIMIT_DATA],       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitSTACK",            parse_rlimit,           rlimit[RLIMIT_STACK],      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitCORE",             parse_rlimit,           rlimit[RLIMIT_CORE],       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitRSS",              parse_rlimit,           rlimit[RLIMIT_RSS],        TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitNOFILE",           parse_rlimit,           rlimit[RLIMIT_NOFILE],     TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitAS",               parse_rlimit,           rlimit[RLIMIT_AS],         TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitNPROC",            parse_rlimit,           rlimit[RLIMIT_NPROC],      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitMEMLOCK",          parse_rlimit,           rlimit[RLIMIT_MEMLOCK],    TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitLOCKS",            parse_rlimit,           rlimit[RLIMIT_LOCKS],      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitSIGPENDING",       parse_rlimit,           rlimit[RLIMIT_SIGPENDING], TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitMSGQUEUE",         parse_rlimit,           rlimit[RLIMIT_MSGQUEUE],   TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitNICE",             parse_rlimit,           rlimit[RLIMIT_NICE],       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitRTPRIO",           parse_rlimit,           rlimit[RLIMIT_RTPRIO],     TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "LimitRTTIME",           parse_rlimit,           rlimit[RLIMIT_RTTIME],     TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "Hostname",              parse_hostname,         hostname,           TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Exec",  "OOMScoreAdjust",        parse_oom_score_adjust, oom_score_adjust,   TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "CPUAffinity",           parse_cpu_affinity,     cpu_affinity,       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Exec",  "ResolvConf",            parse_enum,             resolv_conf,        TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Exec",  "Timezone",              parse_enum,             timezone,           TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Exec",  "LinkJournal",           parse_enum,             link_journal,       TRUST_PRIVILEGED, NOT_APPLIED), /* writes into the host's /var/log/journal */
        SUPPORTED("Exec",  "SuppressSync",          parse_tristate,         suppress_sync,      TRUST_ANY,        NOT_APPLIED),
        SUPPORTED("Exec",  "PrivateUsersChown",     parse_enum,             private_users_ownership, TRUST_PRIVILEGED, NOT_APPLIED), /* deprecated alias */
        SUPPORTED("Exec",  "Console",               parse_enum,             console,            TRUST_PRIVILEGED, APPLIED)    , /* ext. */
        SUPPORTED("Files", "Directory",             parse_path,             directory,          TRUST_PRIVILEGED, APPLIED),     /* ext. */
        SUPPORTED("Files", "ReadOnly",              parse_tristate,         read_only,          TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Files", "Volatile",              parse_enum,             volatile_mode,      TRUST_ANY,        NOT_APPLIED),
        SUPPORTED("Files", "Bind",                  parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "BindReadOnly",          parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "TemporaryFileSystem",   parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "Inaccessible",          parse_path_list,        inaccessible,       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "Overlay",               parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "OverlayReadOnly",       parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "PrivateUsersChown",     parse_enum,             private_users_ownership, TRUST_PRIVILEGED, NOT_APPLIED), /* deprecated alias */
        SUPPORTED("Files", "PrivateUsersOwnership", parse_enum,             private_users_ownership, TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Files", "BindUser",              parse_user_list,        bind_user,          TRUST_PRIVILEGED, NOT_APPLIED), /* CVE-2026-40226 */
        SUPPORTED("Network", "Private",             parse_tristate,         private_network,    TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "VirtualEthernet",     parse_tristate,         network_veth,       TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Network", "VirtualEthernetExtra", parse_veth_extra,      network_veth_extra, TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Network", "Interface",           parse_iface_list,       network_interfaces, TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Network", "MACVLAN",             parse_iface_list,       network_macvlan,    TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Network", "IPVLAN",              parse_iface_list,       network_ipvlan,     TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Network", "Bridge",              parse_ifname,           network_bridge,     TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Network", "Zone",                parse_ifname,           network_zone,       TRUST_PRIVILEGED, NOT_APPLIED),
        SUPPORTED("Network", "Port",                parse_expose_port,      expose_ports,       TRUST_PRIVILEGED, NOT_APPLIED),
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

unsigned settings_item_line(const Settings *s, const char *section, const char *key) {
        const SettingsItem *i;

        if (!s || !s->item_lines || !section || !key)
                return 0;
        i = settings_item_find(section, key);
        return i ? s->item_lines[i - items] : 0;
}

const char *custom_mount_key(const CustomMount *m) {
        switch (m->type) {
        case CUSTOM_MOUNT_BIND:
                return m->read_only ? "BindReadOnly" : "Bind";
        case CUSTOM_MOUNT_TMPFS:
                return "TemporaryFileSystem";
        default:
                return m->read_only ? "OverlayReadOnly" : "Overlay";
        }
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
                .ephemeral = -1,
                .process_two = -1,
                .no_new_privileges = -1,
                .oom_score_adjust = OOM_SCORE_ADJUST_UNSET,
                .timezone = -1,
                .resolv_conf = -1,
                .personality = PERSONALITY_INVALID,
                .console = -1,
                .private_users = {
                        .mode = -1,
                        .uid_shift = PRIVATE_USERS_SHIFT_FROM_ROOT,
                        .uid_range = PRIVATE_USERS_RANGE_DEFAULT,
                },
                .link_journal = -1,
                .suppress_sync = -1,
                .read_only = -1,
                .volatile_mode = -1,
                .private_users_ownership = -1,
                .private_network = -1,
                .network_veth = -1,
        };
        s->item_lines = new0(unsigned, ELEMENTSOF(items));
        if (!s->item_lines)
                return mfree(s);
        return s;
}

Settings *settings_free(Settings *s) {
        if (!s)
                return NULL;

        free(s->path);

        strv_free(s->parameters);
        environment_index_drop(s);
        strv_free(s->environment);
        free(s->user);
        free(s->working_directory);
        free(s->hostname);
        strv_free(s->syscall_filter.allow);
        strv_free(s->syscall_filter.deny);
        for (size_t i = 0; i < ELEMENTSOF(s->rlimit); i++)
                free(s->rlimit[i]);
        free(s->cpu_affinity);

        free(s->directory);
        custom_mounts_done(&s->custom_mounts);
        strv_free(s->inaccessible);
        strv_free(s->bind_user);

        strv_free(s->network_veth_extra);
        strv_free(s->network_interfaces);
        strv_free(s->network_macvlan);
        strv_free(s->network_ipvlan);
        free(s->network_bridge);
        free(s->network_zone);
        free(s->expose_ports.ports);

        strv_free(s->notices);
        free(s->item_lines);
        return mfree(s);
}

void settings_freep(Settings **s) {
        settings_free(*s);
}

/* ---- the file parser -------------------------------------------------------------------------------- */

typedef struct ParseState {
        Settings *settings;
        unsigned *assignments;  /* indexed like items[]: assignments of each key so far */
} ParseState;

/* The table's part of an assignment (conf-parser.c found KEY=VALUE in a known section): which key, whether this
 * file may set it, its parser, and where it was set. */
static int parse_assignment(ConfParser *p, unsigned line, const char *key, const char *value) {
        ParseState *st = p->userdata;
        _cleanup_free_ char *error = NULL;
        const SettingsItem *item;
        size_t n_mounts;
        int r;

        item = settings_item_find(p->section, key);
        if (!item) {
                if (startswith(key, "X-"))
                        return 0; /* reserved for other tools, like in unit files */
                return conf_notice(p, line, "Unknown key '%.*s' in section [%s], ignoring.",
                                   VALUE_SHOWN_MAX, key, p->section);
        }

        if (item->trust != TRUST_ANY && !st->settings->trusted)
                return conf_notice(p, line, "Ignoring privileged key '%s=' in untrusted settings file.",
                                   item->key);

        if (!item->parse)
                return conf_notice(p, line, "Key '%s=' is not supported yet, ignoring.", item->key);

        /* Bounds the work one key can cause: a list append walks the list, so n appends of one key cost
         * O(n * SETTINGS_ENTRIES_MAX) at most. Environment= is indexed (O(1) per assignment) and bounded by its
         * number of variables instead. */
        if (item->parse != parse_environment &&
            ++st->assignments[item - items] > SETTINGS_ENTRIES_MAX)
                return conf_fail(p, line, "Too many assignments of %s= (at most %u)", item->key, SETTINGS_ENTRIES_MAX);

        n_mounts = st->settings->custom_mounts.n;
        r = item->parse(item->key, value, (uint8_t *) st->settings + item->offset, &error);
        if (r == -EINVAL) {
                if (error)
                        return conf_fail(p, line, "%s", error);
                return conf_fail(p, line, "Invalid value for %s=: '%.*s'", item->key, VALUE_SHOWN_MAX, value);
        }
        if (r < 0)
                return r;

        /* Remembered for checks made later, outside the parser, that must name file:line too. */
        st->settings->item_lines[item - items] = line;
        for (size_t i = n_mounts; i < st->settings->custom_mounts.n; i++)
                st->settings->custom_mounts.mounts[i].line = line;

        if (!item->applied)
                return conf_notice(p, line, "Key '%s=' is parsed but not applied yet, ignoring.", item->key);
        return 0;
}

int settings_parse(FILE *f, const char *path, bool trusted, Settings **ret, char **ret_error) {
        _cleanup_(settings_freep) Settings *s = NULL;
        ParseState st = {};
        ConfParser p = {};
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
                .assignments = new0(unsigned, ELEMENTSOF(items)),
        };
        if (!st.assignments)
                return -ENOMEM;
        p = (ConfParser) {
                .name = path ?: "<input>",
                .notices = &s->notices,
                .section_is_known = settings_section_is_known,
                .assignment = parse_assignment,
                .userdata = &st,
        };

        r = conf_parse_file(f, &p);
        free(p.section);
        free(st.assignments);
        environment_index_drop(s);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(p.error);
                free(p.error);
                return r;
        }
        free(p.error);

        *ret = TAKE_PTR(s);
        return 0;
}

int settings_load(const char *path, bool trusted, Settings **ret, char **ret_error) {
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        if (!path || !ret)
                return -EINVAL;

        r = conf_file_open(path, trusted, &f, ret_error);
        if (r < 0)
                return r;

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
