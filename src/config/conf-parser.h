/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The generic reader of ini-style files (systemd.syntax(7)), as settings files are: it opens a file with the
 * bounds an untrusted file needs, reads it line by line (at most SETTINGS_LINE_MAX bytes a line, after joining
 * continuation lines, SETTINGS_FILE_MAX bytes in all, no NUL bytes), skips comments, tracks [Section] headers,
 * splits KEY=VALUE and hands each assignment to its caller. Notices and the error name file:line. What the keys
 * mean is the caller's: see nspawn-settings.c. */

#include <stdbool.h>
#include <stdio.h>

#include "macro.h"

/* How much of a user-supplied value is quoted back in messages. */
#define VALUE_SHOWN_MAX 256

typedef struct ConfParser ConfParser;

/* Handles KEY=VALUE at LINE (the first line of a continued one) in st->section, a known section. key and value
 * are stripped of surrounding whitespace. Returns >= 0 to go on, or -errno to stop: -EINVAL after conf_fail(). */
typedef int (*ConfAssignmentFunc)(ConfParser *st, unsigned line, const char *key, const char *value);

struct ConfParser {
        const char *name;       /* path for messages */
        char *section;          /* current section, NULL before the first header */
        bool section_known;
        char *error;            /* the error message, set when returning -EINVAL */
        char ***notices;        /* where notices are appended */
        unsigned n_notices;     /* how many there were, also those not kept (CONF_NOTICES_MAX) */
        bool (*section_is_known)(const char *section); /* false: a notice, and its assignments are skipped */
        ConfAssignmentFunc assignment;
        void *userdata;         /* the caller's, for assignment() */
};

/* A file of untrusted settings may be SETTINGS_FILE_MAX bytes of lines that each give a notice: the first
 * CONF_NOTICES_MAX are kept (and logged, and shown as Warnings), and conf_parse_file() ends the list with a
 * line saying how many more there were. */
#define CONF_NOTICES_MAX 1000U

/* Appends "NAME:LINE: TEXT" to *st->notices, control characters and text that is not UTF-8 replaced by '?',
 * unless CONF_NOTICES_MAX are there already. Returns 0 or -ENOMEM. */
_printf_(3, 4)
int conf_notice(ConfParser *st, unsigned line, const char *fmt, ...);

/* Sets st->error to "NAME:LINE: TEXT", control characters replaced by '?'. Returns -EINVAL, or -ENOMEM. */
_printf_(3, 4)
int conf_fail(ConfParser *st, unsigned line, const char *fmt, ...);

/* Reads the file f to its end, calling st->assignment for each assignment in a known section. A UTF-8 byte
 * order mark is skipped; lines starting with '#' or ';' are comments (also inside a continuation); a line
 * ending in an unescaped backslash continues on the next one. Returns 0; -EINVAL with st->error set (invalid
 * section header, line too long, NUL byte, file too large, or what st->assignment refused); -EIO with
 * st->error set on a read error; -ENOMEM; or what st->assignment returned. The caller frees st->section and
 * st->error. */
int conf_parse_file(FILE *f, ConfParser *st);

/* Opens path for conf_parse_file(). Returns -ENOENT if the file does not exist, without setting *ret_error;
 * other open errors set *ret_error to "path: Failed to open: ...". The file must be a regular file of at most
 * SETTINGS_FILE_MAX bytes (-EINVAL and "path: Not a regular file, refusing" or "path: File too large ..."
 * otherwise): it is opened with O_NONBLOCK, so that a FIFO or a device put there cannot block the caller, and,
 * if untrusted, with O_NOFOLLOW (-EINVAL and "path: Is a symbolic link, refusing ..."). Returns 0 and the
 * stream in *ret on success; *ret_error (may be NULL) is then untouched. */
int conf_file_open(const char *path, bool trusted, FILE **ret, char **ret_error);
