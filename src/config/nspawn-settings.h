/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Inside the settings parser: the parsers of keys with their own rules, which the key table in
 * nspawn-settings.c names, and what Settings needs of them. Each parser has the SettingsParseFunc signature
 * (settings.h): it parses VALUE of KEY into *data (the field of the key's row) and returns >= 0, -ENOMEM, or
 * -EINVAL with a message in *ret_error if it can say more than "Invalid value for KEY=". Not for outside use:
 * the API is settings.h. */

#include "settings.h"

/* [Exec], nspawn-settings-exec.c */
int parse_environment(const char *key, const char *value, void *data, char **ret_error); /* Settings.environment only */
int parse_notify_access(const char *key, const char *value, void *data, char **ret_error);
int parse_timeout(const char *key, const char *value, void *data, char **ret_error);
int parse_enum(const char *key, const char *value, void *data, char **ret_error); /* Exec and Files keys */
int parse_user(const char *key, const char *value, void *data, char **ret_error);
int parse_hostname(const char *key, const char *value, void *data, char **ret_error);
int parse_machine_id(const char *key, const char *value, void *data, char **ret_error);
int parse_syscall_filter(const char *key, const char *value, void *data, char **ret_error);
int parse_oom_score_adjust(const char *key, const char *value, void *data, char **ret_error);
int parse_personality(const char *key, const char *value, void *data, char **ret_error);
int parse_private_users(const char *key, const char *value, void *data, char **ret_error);

/* Frees the parser's index of Environment= (Settings.environment_index) and sets it to NULL. */
void environment_index_drop(Settings *s);

/* [Files], nspawn-settings-files.c */
int parse_custom_mount(const char *key, const char *value, void *data, char **ret_error);

/* Frees the mounts of l and empties it. */
void custom_mounts_done(CustomMounts *l);

/* [Network], nspawn-settings-network.c */
int parse_ifname(const char *key, const char *value, void *data, char **ret_error);
int parse_iface_list(const char *key, const char *value, void *data, char **ret_error);
int parse_veth_extra(const char *key, const char *value, void *data, char **ret_error);
int parse_expose_port(const char *key, const char *value, void *data, char **ret_error);
