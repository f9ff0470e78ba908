/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

/* Linux's HOST_NAME_MAX; machine names are hostnames. */
#define MACHINE_NAME_MAX 64

/* Returns true if s is a valid machine name: systemd's hostname_is_valid(s, 0), i.e. labels of ASCII letters,
 * digits and hyphens separated by single dots, no label starting or ending with '-', no leading or trailing
 * dot, 1..64 characters. ".host" (systemd's special case) is NOT valid. */
bool machine_name_is_valid(const char *s) _pure_;

/* Returns NULL if s is a valid machine name, else a static English phrase naming the rule it breaks, for
 * "Invalid machine name 'X': <reason>." (e.g. "may not end with '-'"). */
const char *machine_name_invalid_reason(const char *s) _pure_;

#define SIGNAL_VALID(sig) ((sig) > 0 && (sig) < _NSIG)

/* Buffer large enough for any signal_to_string() result, e.g. "SIGRTMIN+30". */
#define SIGNAL_STRING_MAX 16

/* Parses "SIGTERM", "TERM", "15", "SIGRTMIN+3", "RTMIN+3", "SIGRTMAX-1", "RTMAX" … Returns the signal number
 * (1.._NSIG-1) or -EINVAL. */
int signal_from_string(const char *s);

/* Returns the name of sig: a static string ("SIGTERM") for the classic signals, otherwise (real-time
 * signals) "SIGRTMIN+n" formatted into buf, which is then returned. Returns NULL if sig is not a valid
 * signal. buf is not touched for classic signals. */
const char *signal_to_string(int sig, char buf[static SIGNAL_STRING_MAX]);

/* Returns true if s is a valid environment variable name: [A-Za-z_][A-Za-z0-9_]*, at most 4095 chars. */
bool env_name_is_valid(const char *s) _pure_;

/* Returns true if s is valid as an environment variable value: valid UTF-8 is not checked, but control
 * characters other than \t and \n are refused (like systemd's env_value_is_valid()). */
bool env_value_is_valid(const char *s) _pure_;

/* Returns true if s is "KEY=VALUE" with a valid KEY and VALUE. */
bool env_assignment_is_valid(const char *s) _pure_;

/* Returns true if s is a valid user or group name in systemd's strict sense: [A-Za-z_][A-Za-z0-9_-]*, at most
 * 31 characters (so it fits utmp), and not all digits (that would read as a UID). */
bool user_name_is_valid(const char *s) _pure_;

/* Parses a decimal UID (digits only, no sign or spaces). Refuses (uid_t) -1 and (uid_t) -2 truncated to 16 bit
 * (65535), like systemd's parse_uid(). Returns 0 and sets *ret, or -EINVAL. */
int parse_uid(const char *s, uint32_t *ret);

/* Linux's IFNAMSIZ - 1 */
#define IFNAME_MAX 15

/* Returns true if s is a valid network interface name: 1..15 printable ASCII characters, none of them
 * whitespace, '/' or ':', not "." or "..", and not all digits (like systemd's ifname_valid()). */
bool ifname_is_valid(const char *s) _pure_;
