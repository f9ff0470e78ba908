/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The value parsers of settings keys that are not specific to one key: booleans, signals, word lists, paths,
 * capabilities, resource limits, CPU sets, user names; with the messages every value parser uses. Parsers of
 * table rows have the SettingsParseFunc signature (settings.h): they parse VALUE of KEY into *data, return >= 0,
 * -ENOMEM, or -EINVAL with, if they can say more than "Invalid value for KEY=", a message in *ret_error; they
 * leave *data unchanged on failure. Lists hold at most SETTINGS_ENTRIES_MAX entries. */

#include <stddef.h>

#include "macro.h"

/* Replaces *ret (if ret is not NULL) by the formatted message. Returns 0 or -ENOMEM. */
_printf_(2, 3)
int set_message(char **ret, const char *fmt, ...);

/* Sets *ret_error to "Too many entries for KEY= (at most N)" and returns -EINVAL (or -ENOMEM). */
int too_many(char **ret_error, const char *key);

/* Returns 0 if a list of HAVE entries may take ADD more, else too_many(). */
int check_entries(char **ret_error, const char *key, size_t have, size_t add);

/* Sets *ret_error to "Invalid value for KEY=: 'VALUE' (REASON)" and returns -EINVAL (or -ENOMEM). */
int invalid(char **ret_error, const char *key, const char *value, const char *reason);

/* Like invalid(), for a reason that quotes one item of the value: "… (REASON 'ITEM')". */
int invalid_item(char **ret_error, const char *key, const char *value, const char *reason,
                 const char *item);

/* Splits value into words with extract_first_word(…, flags), at most SETTINGS_ENTRIES_MAX of them. Returns 0
 * and the words in *ret (NULL if there are none), -EINVAL with a message on bad quoting or escapes, -ENOMEM. */
int extract_words(const char *key, const char *value, int flags, char ***ret, char **ret_error);

/* Word list helpers: each word is checked (and maybe rewritten) by a function returning 0 and an allocated
 * string, -EINVAL (with reason) or -ENOMEM. Words are appended; an empty assignment resets. */
typedef int (*WordFunc)(const char *word, char **ret);

/* char** field *l: the words of value, each checked by check (invalid_item() with reason if it refuses). */
int parse_checked_list(const char *key, const char *value, char ***l, WordFunc check, const char *reason,
                       char **ret_error);

/* int field: -1 unset, 0/1 */
int parse_tristate(const char *key, const char *value, void *data, char **ret_error);

/* int field: 0 unset, else a signal number */
int parse_signal(const char *key, const char *value, void *data, char **ret_error);

/* char** field: words are appended; an empty assignment resets the list to unset (NULL). */
int parse_word_list(const char *key, const char *value, void *data, char **ret_error);

/* char* field: an absolute path, stored normalized. */
int parse_path(const char *key, const char *value, void *data, char **ret_error);
/* parse_path(), and the path must be UTF-8 (one that a machine's state file keeps). */
int parse_path_utf8(const char *key, const char *value, void *data, char **ret_error);

/* char** field: absolute paths, stored normalized (parse_checked_list()). */
int parse_path_list(const char *key, const char *value, void *data, char **ret_error);

/* char** field: user names (parse_checked_list()). */
int parse_user_list(const char *key, const char *value, void *data, char **ret_error);

/* uint64_t field: a capability mask; words are CAP_* names (any case), numbers or "all"; assignments OR into
 * the mask, an empty one resets it to 0. */
int parse_capability(const char *key, const char *value, void *data, char **ret_error);

/* struct rlimit* field (one of Settings.rlimit[]): "VALUE" (soft and hard) or "SOFT:HARD"; the key (LimitCPU …
 * LimitRTTIME) says the unit. */
int parse_rlimit(const char *key, const char *value, void *data, char **ret_error);

/* cpu_set_t* field: CPU indices and ranges "0-3 5,7"; assignments add, an empty one resets. */
int parse_cpu_affinity(const char *key, const char *value, void *data, char **ret_error);
