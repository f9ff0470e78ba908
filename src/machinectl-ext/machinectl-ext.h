/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "bus-api.h"
#include "macro.h"


/* For calls that legitimately take as long as the machine needs (StartMachine with NotifyReady=, StopMachine
 * with its stop timeout, WaitMachine for the whole run). Not UINT64_MAX: sd-bus treats some all-ones values
 * specially across versions; half of it is "forever" and safe to add to a monotonic timestamp. */
#define BUS_TIMEOUT_LONG (UINT64_MAX / 2)

/* --json=: systemd's convention. */
typedef enum JsonMode {
        JSON_MODE_OFF,
        JSON_MODE_SHORT,
        JSON_MODE_PRETTY,
} JsonMode;

/* Options, set by parse_argv() in machinectl-ext.c. */
extern bool arg_legend;
extern bool arg_all;
extern JsonMode arg_json;
extern bool arg_quiet;
extern bool arg_value;
extern bool arg_wait;
extern bool arg_no_block;
extern bool arg_ready;
extern bool arg_keep_unit;
extern bool arg_read_only;
extern bool arg_mkdir;
extern bool arg_console_log;
extern bool arg_console_stream;
extern const char *arg_kill_whom;
extern int arg_signal;
extern char **arg_property;
extern unsigned arg_lines;
extern bool arg_full;
extern const char *arg_uid;
extern char **arg_setenv;

/* Prints "<formatted>: <reason>" to stderr, the reason being the D-Bus error's message if there is one, else
 * strerror(-r). Returns r (always negative), so callers can "return log_bus_error(...);". */
int log_bus_error(int r, const sd_bus_error *error, const char *format, ...) _printf_(3, 4);

/* Returns s, or, if f is a terminal and s holds characters a terminal would act on, an escaped copy (see
 * escape.h) in *buf, which the caller frees. One-line values: newlines and tabs are escaped too. */
const char *terminal_safe(FILE *f, const char *s, char **buf);

/* Whether to colour standard output, as systemd decides it: $SYSTEMD_COLORS (a boolean, or 16, 256, 24bit:
 * on) first, then $NO_COLOR (set: off), then whether stdout is a terminal that is not "dumb". */
bool colors_enabled(void);

/* ANSI sequences, or "" when colors_enabled() is false. */
const char *ansi_highlight_green(void);
const char *ansi_highlight_red(void);
const char *ansi_grey(void);
const char *ansi_normal(void);

/* Whether to draw with UTF-8 (tree glyphs, "…"), as systemd's is_locale_utf8(): $SYSTEMD_UTF8, then the
 * codeset of LC_CTYPE. */
bool locale_is_utf8(void);

/* The width of the terminal: $COLUMNS, else that of stdout, else 80. */
size_t columns(void);

/* Returns true if NAME was requested with --property= (or if no property was requested at all). */
bool property_selected(const char *name);

/* Formats realtime µs as "Tue 2024-01-02 10:00:00 UTC" into buf. Returns buf, or NULL for 0 or on failure. */
char *format_timestamp(char *buf, size_t size, uint64_t usec);

/* Verbs. Each returns < 0 on failure (after printing an error), otherwise the exit status of the program. */
int verb_list(sd_bus *bus, char **args);
int verb_status(sd_bus *bus, char **args);
int verb_show(sd_bus *bus, char **args);
int verb_start(sd_bus *bus, char **args);
int verb_stop(sd_bus *bus, char **args);
int verb_kill(sd_bus *bus, char **args);
int verb_bind(sd_bus *bus, char **args);
int verb_console(sd_bus *bus, char **args);
int verb_shell(sd_bus *bus, char **args);
int verb_exec(sd_bus *bus, char **args);
