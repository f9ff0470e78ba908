/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parser for systemd.nspawn(5)-style settings files (NAME.nspawn). See docs/settings.md.
 *
 * The parser is table-driven: every key systemd-nspawn v252 knows (plus our extensions) has a row in the table
 * in nspawn-settings.c naming its section, parser, target field, trust class and whether the runtime applies it.
 * Keys we do not parse yet have a NULL parser and produce a "not supported yet" notice; keys that are parsed
 * but not applied by the runtime yet produce a "parsed but not applied yet" notice, so nothing is silently
 * ignored. Adding a key means adding a field to Settings, a parser (if no existing one fits) and filling in its
 * row; wiring it into the runtime means flipping its row to APPLIED. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sched.h>
#include <sys/resource.h>

#include <systemd/sd-id128.h>

#include "hashmap.h"
#include "macro.h"

typedef enum SettingsTrust {
        _TRUST_UNSET = 0,       /* never valid: a table row that forgets its trust class fails test-settings */
        TRUST_ANY,              /* honoured from any settings file */
        TRUST_PRIVILEGED,       /* honoured only from trusted directories (see settings_trusted_dirs) */
        _TRUST_MAX,
        _TRUST_INVALID = -EINVAL,
} SettingsTrust;

#define SETTINGS_TRUST_VALID(t) ((t) >= TRUST_ANY && (t) < _TRUST_MAX)

/* NotifyAccess= (machined-ext extension): who may send READY=1, STATUS= … on /run/host/notify. */
typedef enum NotifyAccess {
        NOTIFY_ACCESS_MAIN,     /* "main": only the container's PID 1 (the default) */
        NOTIFY_ACCESS_ALL,      /* "all": any process in the machine's cgroup */
        _NOTIFY_ACCESS_MAX,
        _NOTIFY_ACCESS_INVALID = -EINVAL,
} NotifyAccess;

/* Console= (machined-ext extension; systemd-nspawn only has --console=) */
typedef enum ConsoleMode {
        CONSOLE_INTERACTIVE,    /* "interactive" */
        CONSOLE_READ_ONLY,      /* "read-only" */
        CONSOLE_PASSIVE,        /* "passive" */
        CONSOLE_PIPE,           /* "pipe" */
        _CONSOLE_MODE_MAX,
        _CONSOLE_MODE_INVALID = -EINVAL,
} ConsoleMode;

/* Timezone= */
typedef enum TimezoneMode {
        TIMEZONE_OFF, TIMEZONE_COPY, TIMEZONE_BIND, TIMEZONE_SYMLINK, TIMEZONE_DELETE, TIMEZONE_AUTO,
        _TIMEZONE_MODE_MAX,
        _TIMEZONE_MODE_INVALID = -EINVAL,
} TimezoneMode;

/* ResolvConf= */
typedef enum ResolvConfMode {
        RESOLV_CONF_OFF,
        RESOLV_CONF_COPY_HOST, RESOLV_CONF_COPY_STATIC, RESOLV_CONF_COPY_UPLINK, RESOLV_CONF_COPY_STUB,
        RESOLV_CONF_REPLACE_HOST, RESOLV_CONF_REPLACE_STATIC, RESOLV_CONF_REPLACE_UPLINK, RESOLV_CONF_REPLACE_STUB,
        RESOLV_CONF_BIND_HOST, RESOLV_CONF_BIND_STATIC, RESOLV_CONF_BIND_UPLINK, RESOLV_CONF_BIND_STUB,
        RESOLV_CONF_DELETE,
        RESOLV_CONF_AUTO,
        _RESOLV_CONF_MODE_MAX,
        _RESOLV_CONF_MODE_INVALID = -EINVAL,
} ResolvConfMode;

/* LinkJournal= */
typedef enum LinkJournal {
        LINK_JOURNAL_NO, LINK_JOURNAL_HOST, LINK_JOURNAL_TRY_HOST, LINK_JOURNAL_GUEST, LINK_JOURNAL_TRY_GUEST,
        LINK_JOURNAL_AUTO,
        _LINK_JOURNAL_MAX,
        _LINK_JOURNAL_INVALID = -EINVAL,
} LinkJournal;

/* Volatile= */
typedef enum VolatileMode {
        VOLATILE_NO,            /* "no" or any false boolean */
        VOLATILE_YES,           /* "yes" or any true boolean */
        VOLATILE_STATE,         /* "state" */
        VOLATILE_OVERLAY,       /* "overlay" */
        _VOLATILE_MODE_MAX,
        _VOLATILE_MODE_INVALID = -EINVAL,
} VolatileMode;

/* PrivateUsersOwnership= ("off", "chown", "map", "auto"; PrivateUsersChown=yes/no is chown/off) */
typedef enum UserNamespaceOwnership {
        USER_NAMESPACE_OWNERSHIP_OFF, USER_NAMESPACE_OWNERSHIP_CHOWN, USER_NAMESPACE_OWNERSHIP_MAP,
        USER_NAMESPACE_OWNERSHIP_AUTO,
        _USER_NAMESPACE_OWNERSHIP_MAX,
        _USER_NAMESPACE_OWNERSHIP_INVALID = -EINVAL,
} UserNamespaceOwnership;

/* PrivateUsers= */
typedef enum UserNamespaceMode {
        USER_NAMESPACE_NO,      /* "no" (any false boolean) */
        USER_NAMESPACE_FIXED,   /* "yes", "identity", "UID[:RANGE]" */
        USER_NAMESPACE_PICK,    /* "pick" */
        _USER_NAMESPACE_MODE_MAX,
        _USER_NAMESPACE_MODE_INVALID = -EINVAL,
} UserNamespaceMode;

#define PRIVATE_USERS_SHIFT_FROM_ROOT UINT32_MAX
#define PRIVATE_USERS_RANGE_DEFAULT UINT32_C(0x10000)

typedef struct PrivateUsers {
        int mode;               /* a UserNamespaceMode, -1 = unset */
        uint32_t uid_shift;     /* first host UID; PRIVATE_USERS_SHIFT_FROM_ROOT ("yes", "pick", "no"): take it
                                 * from the owner of the root directory; 0 for "identity" */
        uint32_t uid_range;     /* number of UIDs; PRIVATE_USERS_RANGE_DEFAULT unless "UID:RANGE" says */
} PrivateUsers;

/* Bind=, BindReadOnly=, TemporaryFileSystem=, Overlay=, OverlayReadOnly= */
typedef enum CustomMountType {
        CUSTOM_MOUNT_BIND,
        CUSTOM_MOUNT_TMPFS,
        CUSTOM_MOUNT_OVERLAY,
        _CUSTOM_MOUNT_TYPE_MAX,
        _CUSTOM_MOUNT_TYPE_INVALID = -EINVAL,
} CustomMountType;

typedef struct CustomMount {
        CustomMountType type;
        char *source;           /* BIND: absolute normalized host path, or "+PATH": PATH relative to the container
                                 * root; NULL: a temporary directory. OVERLAY: the upper directory (same "+" rule),
                                 * NULL: a temporary one. TMPFS: NULL. */
        char *destination;      /* absolute, normalized path inside the container */
        char **lower;           /* OVERLAY: the lower directories in the order given ("+" rule), never empty.
                                 * NULL for the other types. */
        bool read_only;         /* BindReadOnly=, OverlayReadOnly= */
        char *options;          /* BIND: comma-separated, each of rbind norbind idmap noidmap rootidmap.
                                 * TMPFS: mount options as given ("mode=0755,size=10M"). NULL: none. */
        unsigned line;          /* line of the settings file that added it, for messages; 0 = unknown */
} CustomMount;

typedef struct CustomMounts {
        CustomMount *mounts;    /* in the order of the file; NULL if n == 0 */
        size_t n;
} CustomMounts;

/* SystemCallFilter=: like systemd-nspawn, two lists; "~…" assignments go to the deny list. Entries are system
 * call names known to libseccomp for the native architecture, or "@group" names of systemd's groups. */
typedef struct SyscallFilter {
        char **allow;           /* NULL = none */
        char **deny;            /* NULL = none */
} SyscallFilter;

/* Port= */
typedef struct ExposePort {
        int protocol;           /* IPPROTO_TCP or IPPROTO_UDP */
        uint16_t host_port;     /* 1…65535 */
        uint16_t container_port;
} ExposePort;

typedef struct ExposePorts {
        ExposePort *ports;      /* NULL if n == 0 */
        size_t n;
} ExposePorts;

/* Longest accepted line (after joining continuation lines), in bytes, excluding the newline. */
#define SETTINGS_LINE_MAX (64U * 1024U)

/* What one settings file may ask of the parser, which the daemon runs in its event loop on files that may be
 * untrusted: at most SETTINGS_FILE_MAX bytes (systemd reads configuration with a similar bound), and at most
 * SETTINGS_ENTRIES_MAX entries in each list: Environment= variables, Parameters= words, SystemCallFilter=
 * names (each of the allow and the deny list), Inaccessible= paths, custom mounts (Bind=, BindReadOnly=,
 * TemporaryFileSystem=, Overlay=, OverlayReadOnly= together), Port= entries, the network interface lists,
 * BindUser=; and at most SETTINGS_ENTRIES_MAX assignments of each key (Environment= excepted: it is
 * indexed, and replacing a variable adds nothing). Exceeding a limit is an error naming file:line. A file at
 * the size limit parses in well under a second. */
#define SETTINGS_FILE_MAX (4U * 1024U * 1024U)
#define SETTINGS_ENTRIES_MAX 4096U

#define PERSONALITY_INVALID 0xffffffffLU
#define OOM_SCORE_ADJUST_UNSET INT32_MIN

/* String tables of the enums above: *_to_string() returns the name, or NULL if the value is out of range;
 * *_from_string() returns the value, or the enum's _INVALID (-EINVAL) if s is NULL or not a name (names are
 * case-sensitive; the boolean aliases some keys accept are handled by their parsers, not here). */
const char *notify_access_to_string(NotifyAccess a) _const_;
NotifyAccess notify_access_from_string(const char *s) _pure_;
const char *console_mode_to_string(ConsoleMode m) _const_;
ConsoleMode console_mode_from_string(const char *s) _pure_;
const char *timezone_mode_to_string(TimezoneMode m) _const_;
TimezoneMode timezone_mode_from_string(const char *s) _pure_;
const char *resolv_conf_mode_to_string(ResolvConfMode m) _const_;
ResolvConfMode resolv_conf_mode_from_string(const char *s) _pure_;
const char *link_journal_to_string(LinkJournal m) _const_;
LinkJournal link_journal_from_string(const char *s) _pure_;
const char *volatile_mode_to_string(VolatileMode m) _const_;
VolatileMode volatile_mode_from_string(const char *s) _pure_;
const char *user_namespace_ownership_to_string(UserNamespaceOwnership m) _const_;
UserNamespaceOwnership user_namespace_ownership_from_string(const char *s) _pure_;
const char *custom_mount_type_to_string(CustomMountType t) _const_;
CustomMountType custom_mount_type_from_string(const char *s) _pure_;

/* A key of settings_items() that a settings file set, and the line of its last assignment. */
typedef struct SettingsItemLine {
        unsigned item;          /* its index in settings_items() */
        unsigned line;
} SettingsItemLine;

typedef struct Settings {
        char *path;          /* file parsed, NULL if none */
        bool trusted;        /* whether privileged keys were honoured */

        /* Unless said otherwise: tristates are int, -1 = unset, else 0/1; strings and lists are NULL when unset;
         * scalars: the last assignment wins; lists: assignments append, an empty assignment resets to unset.
         * "Not applied" keys are parsed and stored, but the runtime does not use them yet (see the table). */

        /* [Exec] */
        int boot;            /* -1 = unset, else 0/1 */
        char **parameters;   /* argv; NULL = unset */
        char **environment;  /* KEY=VALUE, later assignment of same key replaces; keys are unique */
        size_t n_environment;        /* entries of environment, kept by the parser */
        Hashmap *environment_index;  /* the parser's index KEY -> position + 1 in environment, so that an
                                      * assignment costs O(1), not O(entries); NULL outside settings_parse() */
        int notify_ready;    /* -1 = unset */
        int kill_signal;     /* 0 = unset */
        int notify_access;   /* NotifyAccess=: a NotifyAccess, -1 = unset (means NOTIFY_ACCESS_MAIN). Extension. */
        uint64_t timeout_start_usec; /* TimeoutStartSec=: 0 = unset (the daemon's default), UINT64_MAX =
                                      * infinity ("infinity" or "0" in the file, as in systemd). Extension. */
        int ephemeral;               /* Ephemeral=: tristate */
        int process_two;             /* ProcessTwo=: tristate */
        char *user;                  /* User=: a user name (user_name_is_valid()) or a decimal UID */
        char *working_directory;     /* WorkingDirectory=: absolute, normalized */
        char *hostname;              /* Hostname=: machine_name_is_valid() */
        uint64_t capability;         /* Capability=: mask of 1 << CAP_*; UINT64_MAX for "all"; 0 = unset */
        uint64_t drop_capability;    /* DropCapability=: as Capability= */
        uint64_t ambient_capability; /* AmbientCapability=: as Capability= */
        int no_new_privileges;       /* NoNewPrivileges=: tristate */
        sd_id128_t machine_id;       /* MachineID=: SD_ID128_NULL = unset (a null ID is refused) */
        SyscallFilter syscall_filter;         /* SystemCallFilter= */
        struct rlimit *rlimit[RLIMIT_NLIMITS]; /* LimitCPU= … LimitRTTIME=, indexed by RLIMIT_*: NULL = unset;
                                               * RLIM_INFINITY for "infinity"; rlim_cur <= rlim_max. Units as
                                               * setrlimit(2): seconds for CPU, µs for RTTIME, bytes for sizes,
                                               * 20 - nice for NICE. */
        int oom_score_adjust;        /* OOMScoreAdjust=: -1000…1000, OOM_SCORE_ADJUST_UNSET = unset */
        cpu_set_t *cpu_affinity;     /* CPUAffinity=: CPUs 0…CPU_SETSIZE-1 (1023); NULL = unset */
        int timezone;                /* Timezone=: a TimezoneMode, -1 = unset */
        int resolv_conf;             /* ResolvConf=: a ResolvConfMode, -1 = unset */
        unsigned long personality;   /* Personality=: PER_LINUX or PER_LINUX32, PERSONALITY_INVALID = unset */
        int console;                 /* Console=: a ConsoleMode, -1 = unset. Extension. */
        PrivateUsers private_users;  /* PrivateUsers= */
        int link_journal;            /* LinkJournal=: a LinkJournal, -1 = unset */
        int suppress_sync;           /* SuppressSync=: tristate */

        /* [Files] */
        char *directory;     /* Directory=: absolute, normalized path of the root directory; TRUST_PRIVILEGED */
        char *oci_bundle;    /* OCIBundle=: absolute, normalized path of an OCI bundle defining the container;
                              * TRUST_PRIVILEGED */
        int read_only;               /* ReadOnly=: tristate */
        int volatile_mode;           /* Volatile=: a VolatileMode, -1 = unset */
        CustomMounts custom_mounts;  /* Bind=, BindReadOnly=, TemporaryFileSystem=, Overlay=, OverlayReadOnly=;
                                      * an empty assignment removes the entries of that key only */
        char **inaccessible;         /* Inaccessible=: absolute, normalized paths */
        int private_users_ownership; /* PrivateUsersOwnership=, PrivateUsersChown=: an UserNamespaceOwnership,
                                      * -1 = unset */
        char **bind_user;            /* BindUser=: user names */

        /* [Network] */
        int private_network;         /* Private=: tristate */
        int network_veth;            /* VirtualEthernet=: tristate */
        char **network_veth_extra;   /* VirtualEthernetExtra=: "HOST:CONTAINER" (the container name defaults to
                                      * the host name) */
        char **network_interfaces;   /* Interface=: "HOST" or "HOST:CONTAINER", as given */
        char **network_macvlan;      /* MACVLAN=: as Interface= */
        char **network_ipvlan;       /* IPVLAN=: as Interface= */
        char *network_bridge;        /* Bridge=: an interface name */
        char *network_zone;          /* Zone=: a zone name ("vz-" + name is an interface name) */
        ExposePorts expose_ports;    /* Port=; a (protocol, host port) pair may appear only once */

        char **notices;      /* human-readable notices for the caller to log, each "file:line: text" */
        unsigned n_notices;  /* how many notices the file gave: past CONF_NOTICES_MAX, more than notices holds
                              * (its last line says how many it left out) */
        SettingsItemLine *item_lines; /* the keys that were set, each once, with the line of its last
                                       * assignment (a machine keeps its Settings: only what was set) */
        size_t n_item_lines;
} Settings;

/* Parses value (already stripped of surrounding whitespace) for key into *data (the field at the row's
 * offset in Settings). Returns >= 0 on success, -ENOMEM, or -EINVAL on a bad value; on -EINVAL it may set
 * *ret_error to a message (without the "file:line: " prefix), else a generic "Invalid value for KEY=: 'VALUE'"
 * is used. Must leave *data unchanged on failure. */
typedef int (*SettingsParseFunc)(const char *key, const char *value, void *data, char **ret_error);

typedef struct SettingsItem {
        const char *section;            /* without brackets, e.g. "Exec" */
        const char *key;                /* without '=' */
        SettingsParseFunc parse;        /* NULL: a known nspawn key we do not implement yet */
        size_t offset;                  /* offsetof(Settings, field); unused when parse is NULL */
        size_t size;                    /* sizeof the field; 0 when parse is NULL */
        SettingsTrust trust;
        bool applied;                   /* the runtime applies the value. A parsed key with applied == false is
                                         * stored but also gets the notice "Key 'X=' is parsed but not applied
                                         * yet, ignoring."; flip the flag in the table when wiring the key. */
} SettingsItem;

/* Returns the key table, terminated by an all-NULL entry (section == NULL). */
const SettingsItem *settings_items(void);

/* Returns the line of the last assignment of SECTION/KEY in the file s was parsed from, or 0 if the key was
 * not assigned (or is unknown). */
unsigned settings_item_line(const Settings *s, const char *section, const char *key) _pure_;

/* Returns the settings file key that produced m: "Bind", "BindReadOnly", "TemporaryFileSystem", "Overlay" or
 * "OverlayReadOnly". */
const char *custom_mount_key(const CustomMount *m) _pure_;

/* Returns a new Settings with every field unset, or NULL on OOM. */
Settings *settings_new(void);

/* Frees s and everything it owns. NULL-safe. Returns NULL. */
Settings *settings_free(Settings *s);
void settings_freep(Settings **s);

/* Parses the settings file f. path is only used in messages ("<input>" if NULL) and stored in
 * (*ret)->path. If trusted is false, TRUST_PRIVILEGED keys are not applied (each gets a notice).
 * Returns 0 and a new Settings in *ret on success (non-fatal problems become (*ret)->notices).
 * On failure returns -EINVAL (bad value, bad section header, line too long, NUL byte), -EIO or another
 * -errno for read errors, -ENOMEM; then *ret is untouched and, if ret_error is not NULL, *ret_error is set
 * to an allocated "file:line: text" message (or NULL on -ENOMEM). ret_error is untouched on success. */
int settings_parse(FILE *f, const char *path, bool trusted, Settings **ret, char **ret_error);

/* Opens path and parses it as settings_parse() does. Returns -ENOENT if the file does not exist, without
 * setting *ret_error; other open errors set *ret_error to "path: Failed to open: ...". The file must be a
 * regular file of at most SETTINGS_FILE_MAX bytes (-EINVAL and "path: Not a regular file, refusing" or "path:
 * File too large ..." otherwise): it is opened with O_NONBLOCK, so that a FIFO or a device put there cannot
 * block the caller, and, if untrusted, with O_NOFOLLOW (-ELOOP: a symlink in an image directory could point at
 * any host file, whose lines would be quoted back in notices). */
int settings_load(const char *path, bool trusted, Settings **ret, char **ret_error);

/* Trusted directories, searched in this order, NULL-terminated. */
extern const char *const settings_trusted_dirs[];
#define SETTINGS_UNTRUSTED_DIR "/var/lib/machines"

/* Environment overrides for tests: $MACHINED_EXT_SETTINGS_PATH (colon-separated trusted directories) replaces
 * settings_trusted_dirs, $MACHINED_EXT_UNTRUSTED_DIR replaces SETTINGS_UNTRUSTED_DIR. Read with
 * secure_getenv(), so they have no effect in setuid/setgid processes. */
#define SETTINGS_PATH_ENV "MACHINED_EXT_SETTINGS_PATH"
#define SETTINGS_UNTRUSTED_DIR_ENV "MACHINED_EXT_UNTRUSTED_DIR"

/* Searches the trusted directories in order, then the untrusted directory, for NAME.nspawn; the first found
 * wins. Returns 1 and sets *ret_path (allocated) and *ret_trusted if found, 0 if none exists (outputs
 * untouched), -EINVAL if name is not a valid machine name, -ENOMEM, or -errno if a directory could not be
 * searched. Either output may be NULL. */
int settings_find(const char *name, char **ret_path, bool *ret_trusted);
