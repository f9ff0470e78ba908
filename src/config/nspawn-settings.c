/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Settings (settings.h): the key table, the string tables of its enums, the object, and how a file is parsed
 * (conf-parser.c reads it, the table says what each key means), loaded and found. The parsers of the keys are
 * in conf-values.c (generic) and nspawn-settings-{exec,files,network}.c (key-specific). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-parser.h"
#include "conf-values.h"
#include "name.h"
#include "nspawn-settings.h"
#include "parse-util.h"
#include "settings.h"
#include "strv.h"
#include "tables.h"

const char *const settings_trusted_dirs[] = {
        "/etc/machined-ext",
        "/run/machined-ext",
        "/etc/systemd/nspawn",
        "/run/systemd/nspawn",
        NULL,
};

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
 * together with PrivateUsers=, which is privileged); Directory=, OCIBundle= and Console= are ours. */
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
        SUPPORTED("Exec",  "PrivateUsers",          parse_private_users,    private_users,      TRUST_PRIVILEGED, APPLIED),
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
        SUPPORTED("Exec",  "PrivateUsersChown",     parse_enum,             private_users_ownership, TRUST_PRIVILEGED, APPLIED), /* deprecated alias */
        SUPPORTED("Exec",  "Console",               parse_enum,             console,            TRUST_PRIVILEGED, APPLIED)    , /* ext. */
        SUPPORTED("Files", "Directory",             parse_path_utf8,        directory,          TRUST_PRIVILEGED, APPLIED),     /* ext. */
        SUPPORTED("Files", "OCIBundle",             parse_path_utf8,        oci_bundle,         TRUST_PRIVILEGED, APPLIED),     /* ext. */
        SUPPORTED("Files", "ReadOnly",              parse_tristate,         read_only,          TRUST_ANY,        APPLIED)    ,
        SUPPORTED("Files", "Volatile",              parse_enum,             volatile_mode,      TRUST_ANY,        NOT_APPLIED),
        SUPPORTED("Files", "Bind",                  parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "BindReadOnly",          parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "TemporaryFileSystem",   parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "Inaccessible",          parse_path_list,        inaccessible,       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "Overlay",               parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "OverlayReadOnly",       parse_custom_mount,     custom_mounts,      TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Files", "PrivateUsersChown",     parse_enum,             private_users_ownership, TRUST_PRIVILEGED, APPLIED), /* deprecated alias */
        SUPPORTED("Files", "PrivateUsersOwnership", parse_enum,             private_users_ownership, TRUST_PRIVILEGED, APPLIED),
        SUPPORTED("Files", "BindUser",              parse_user_list,        bind_user,          TRUST_PRIVILEGED, NOT_APPLIED), /* CVE-2026-40226 */
        SUPPORTED("Network", "Private",             parse_tristate,         private_network,    TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "VirtualEthernet",     parse_tristate,         network_veth,       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "VirtualEthernetExtra", parse_veth_extra,      network_veth_extra, TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "Interface",           parse_iface_list,       network_interfaces, TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "MACVLAN",             parse_iface_list,       network_macvlan,    TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "IPVLAN",              parse_iface_list,       network_ipvlan,     TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "Bridge",              parse_ifname,           network_bridge,     TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "Zone",                parse_ifname,           network_zone,       TRUST_PRIVILEGED, APPLIED)    ,
        SUPPORTED("Network", "Port",                parse_expose_port,      expose_ports,       TRUST_PRIVILEGED, APPLIED)    ,
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

        if (!s || !section || !key)
                return 0;
        i = settings_item_find(section, key);
        if (!i)
                return 0;
        for (size_t k = 0; k < s->n_item_lines; k++)
                if (s->item_lines[k].item == (unsigned) (i - items))
                        return s->item_lines[k].line;
        return 0;
}

/* Remembers LINE as the last assignment of ITEM (at most one entry per key, ELEMENTSOF(items) in all). */
static int settings_set_item_line(Settings *s, const SettingsItem *item, unsigned line) {
        unsigned index = (unsigned) (item - items);
        SettingsItemLine *l;

        for (size_t k = 0; k < s->n_item_lines; k++)
                if (s->item_lines[k].item == index) {
                        s->item_lines[k].line = line;
                        return 0;
                }
        l = reallocarray(s->item_lines, s->n_item_lines + 1, sizeof(SettingsItemLine));
        if (!l)
                return -ENOMEM;
        s->item_lines = l;
        s->item_lines[s->n_item_lines++] = (SettingsItemLine) { .item = index, .line = line };
        return 0;
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
        free(s->oci_bundle);
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
        r = settings_set_item_line(st->settings, item, line);
        if (r < 0)
                return r;
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
        s->n_notices = p.n_notices;
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
