/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* String vectors: NULL-terminated arrays of malloc'ed strings. strv_free()/_cleanup_strv_free_ live in
 * macro.h. A NULL strv is a valid empty list everywhere, unless noted. All functions returning int return
 * >= 0 on success and -ENOMEM on allocation failure; on failure the list is left unchanged. */

/* Returns the number of entries in l (0 for NULL). */
size_t strv_length(char * const *l);

/* Appends a copy of value to *l (allocating the list if *l is NULL). Returns 0 or -ENOMEM. */
int strv_extend(char ***l, const char *value);

/* Appends value to *l, taking ownership of it. On failure value is NOT freed (the caller keeps it).
 * Returns 0 or -ENOMEM. */
int strv_push(char ***l, char *value);

/* Like strv_push(), for a caller that keeps the length of *l in *n (incremented on success): O(1) amortized,
 * where strv_push() first walks the list. */
int strv_push_with_size(char ***l, size_t *n, char *value);

/* Merges the environment assignments of add (whose keys must be unique, as Settings.environment's are) into
 * *l: an entry of *l with the same KEY is replaced, the others are appended, in order. Only the entries *l
 * had before the call are searched, so this is O(length(*l) * length(add)), not quadratic in add.
 * Returns 0, -EINVAL if an entry of add has no '=', or -ENOMEM (then *l may hold some of add). */
int strv_env_merge(char ***l, char * const *add);

/* Appends copies of all strings of b to *a. All-or-nothing. Returns 0 or -ENOMEM. */
int strv_extend_strv(char ***a, char * const *b);

/* Returns a deep copy of l (an empty list for NULL l), or NULL on OOM. */
char **strv_copy(char * const *l);

/* Returns the first entry equal to name, or NULL. */
char *strv_find(char * const *l, const char *name);

/* Sets the environment assignment "KEY=VALUE" in *l: replaces an existing entry with the same KEY in place,
 * otherwise appends a copy. assignment must contain '='. Returns 0 or -ENOMEM, -EINVAL if there is no '='. */
int strv_env_set(char ***l, const char *assignment);

/* Joins l with separator (" " if NULL) into a newly allocated string ("" for an empty list), NULL on OOM. */
char *strv_join(char * const *l, const char *separator);

/* The lines of text as a new list (strv_join(l, "\n")'s inverse for lines without "\n"): "" gives an empty
 * list, a final "\n" no empty last line. Returns 0 or -ENOMEM. */
int strv_split_lines(const char *text, char ***ret);

#define STRV_FOREACH(s, l) for (char * const *s = (l); s && *s; s++)

typedef enum ExtractFlags {
        EXTRACT_UNQUOTE   = 1 << 0, /* Strip '…' and "…" quotes; whitespace inside them is kept */
        EXTRACT_CUNESCAPE = 1 << 1, /* Decode C escapes (\n \t \\ \" \' \xNN …) instead of taking the next char */
} ExtractFlags;

/* Extracts the first whitespace-separated word of *p into a newly allocated *ret and advances *p past it
 * (and past following whitespace). Without EXTRACT_CUNESCAPE a backslash takes the next character verbatim;
 * with it, a C escape sequence is decoded and an unknown one is an error. Quotes may start in the middle of a
 * word (a"b c"d → "ab cd"); "" yields an empty word.
 * Returns 1 with a word, 0 (and *ret = NULL, *p = NULL) when no word is left, -EINVAL on unbalanced quotes,
 * an invalid escape or a trailing backslash, -ENOMEM. On error *ret is untouched and *p points near the
 * offending character. */
int extract_first_word(const char **p, char **ret, int flags);
