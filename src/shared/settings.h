/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parser for systemd.nspawn(5)-style settings files (NAME.nspawn). See docs/settings.md.
 *
 * The parser is table-driven: every key systemd-nspawn v252 knows (plus our extensions) has a row in the table
 * in settings.c naming its section, parser, target field and trust class. Keys we do not implement yet have
 * a NULL parser and produce a "not supported yet" notice instead of being silently ignored. Adding a key means
 * adding a field to Settings, a parser (if no existing one fits) and filling in its row. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* Returns "main" or "all", or NULL if a is out of range. */
const char *notify_access_to_string(NotifyAccess a) _const_;

/* Returns the NotifyAccess named s, or _NOTIFY_ACCESS_INVALID if s is NULL or unknown (case-sensitive). */
NotifyAccess notify_access_from_string(const char *s) _pure_;

/* Longest accepted line (after joining continuation lines), in bytes, excluding the newline. */
#define SETTINGS_LINE_MAX (64U * 1024U)

typedef struct Settings {
        char *path;          /* file parsed, NULL if none */
        bool trusted;        /* whether privileged keys were honoured */

        /* [Exec] */
        int boot;            /* -1 = unset, else 0/1 */
        char **parameters;   /* argv; NULL = unset */
        char **environment;  /* KEY=VALUE, later assignment of same key replaces */
        int notify_ready;    /* -1 = unset */
        int kill_signal;     /* 0 = unset */
        int notify_access;   /* NotifyAccess=: a NotifyAccess, -1 = unset (means NOTIFY_ACCESS_MAIN). Extension. */
        uint64_t timeout_start_usec; /* TimeoutStartSec=: 0 = unset (the daemon's default), UINT64_MAX =
                                      * infinity ("infinity" or "0" in the file, as in systemd). Extension. */

        /* [Files] */
        char *directory;     /* Directory=: absolute, normalized path of the root directory; TRUST_PRIVILEGED */

        char **notices;      /* human-readable notices for the caller to log, each "file:line: text" */
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

/* Opens path (O_CLOEXEC) and parses it as settings_parse() does. Returns -ENOENT if the file does not exist,
 * without setting *ret_error; other open errors set *ret_error to "path: Failed to open: ...". */
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
