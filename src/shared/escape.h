/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Escaping of text that came from a container (console output, STATUS=, a command line) before it reaches a
 * terminal, so that it cannot act on it: set the clipboard (OSC 52), the title, clear the screen, hide text.
 * What is escaped is what journalctl calls unprintable: C0 controls, DEL, C1 controls (U+0080-U+009F) and
 * bytes that are not valid UTF-8. Each such byte becomes "\xNN" (like systemd's cescape()); valid UTF-8
 * text, including backslashes, is left as it is. */

typedef enum EscapeFlags {
        ESCAPE_KEEP_NEWLINES = 1 << 0,  /* keep "\n", "\t" and the "\r" of "\r\n" (text of many lines) */
} EscapeFlags;

/* Returns an allocated, NUL-terminated copy of the n bytes at s, escaped as above, or NULL on OOM. */
char *escape_terminal(const char *s, size_t n, EscapeFlags flags);

/* Returns true if escape_terminal() would change anything. */
bool needs_terminal_escape(const char *s, size_t n, EscapeFlags flags);

/* Returns true if the n bytes at s are valid UTF-8 (NUL bytes count as valid). */
bool utf8_is_valid_n(const char *s, size_t n);

/* Replaces, in the NUL-terminated string s, each byte that escape_terminal() would escape (without
 * ESCAPE_KEEP_NEWLINES) by REPLACEMENT, an ASCII character: what is left is printable, valid UTF-8 of the
 * same length, one line. Returns s. */
char *replace_unprintable(char *s, char replacement);

/* A copy of s (NULL: "") with replace_unprintable(copy, '?') applied, or NULL when out of memory: text to be
 * shown (a message, the bus) quoting a path or a value that may be anything. */
char *printable_dup(const char *s);

/* Quoting of a word for a POSIX shell, by systemd's rules (shell_maybe_quote(), quote_command_line() with
 * SHELL_ESCAPE_EMPTY), so that `eval` gives the word back:
 *  - a word of nothing but printable UTF-8 without white space or any of "\\`$'()<>|&;!*?[ is left as it is;
 *  - the empty word is "";
 *  - otherwise the word is put in double quotes, with ", \, ` and $ backslash-escaped;
 *  - except that a word holding control characters (C0, DEL, C1) or bytes that are not valid UTF-8 is put in
 *    $'...' (POSIX.1-2024, bash, zsh, busybox ash), with ' and \ backslash-escaped and each such byte as
 *    \n, \t, ... or \NNN. systemd writes those in double quotes too, where the shell reads "\n" as two
 *    characters: that would not give the word back. None of them reaches the terminal raw.
 * Returns an allocated string, or NULL on OOM. */
char *shell_maybe_quote(const char *s);

/* The words of argv, each quoted with shell_maybe_quote(), joined by single spaces ("" for an empty argv).
 * Returns an allocated string, or NULL on OOM. */
char *quote_command_line(char * const *argv);
