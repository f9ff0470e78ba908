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
