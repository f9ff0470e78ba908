/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "manager.h"

/* On the daemon's way out: forks a keeper that holds the fds of the running machines (what the fd store
 * holds) in a scope of its own until the next instance takes them. Returns 1 if a keeper holds them, 0 if
 * there was nothing to keep, or -errno. */
int fd_keeper_hand_over(Manager *m);

/* At start: takes the fds from a keeper, if there is one, appending each with its fd store name ("console-X",
 * "lock-X", ...) to *NAMES and *FDS (*N entries). Returns the number taken, or -errno. */
int fd_keeper_take(char ***names, int **fds, size_t *n);
