/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

/* Checks what the parser cannot see line by line, before anything is started, so that the error names the
 * file and line of the key at fault:
 *   - Boot=no without a command (Parameters= missing, empty, or its first word empty): there is nothing to
 *     execute. (With Boot= unset and no Parameters=, the machine boots /sbin/init.)
 *   - a host path given as the source of Bind=, BindReadOnly=, Overlay= or OverlayReadOnly= (upper or lower
 *     directory) that does not exist or cannot be looked at. Paths starting with "+" (inside the container
 *     root) are resolved at set-up time and not checked here.
 * Returns 0 if all is well; -EINVAL with *ret_error set to an allocated "file:line: text" message (the file
 * alone if the line is not known); -ENOMEM (then *ret_error is NULL). */
int settings_verify(const Settings *s, char **ret_error);
