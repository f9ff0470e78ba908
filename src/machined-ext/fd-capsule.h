/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* A capsule: the receiving end of an AF_UNIX datagram socket pair with fds in flight in it, in one message.
 * The fds stay open (and what they hold stays held: a lock of their open file description, a process of a
 * pidfd) for as long as some copy of the capsule does, but they are in no process's fd table: a fork does not
 * copy them, a close elsewhere does not touch them, and systemd's fd store, which drops stored fds that
 * report POLLHUP (a pidfd of a reaped process), keeps a capsule. */

#define FD_CAPSULE_MAX 8

/* A capsule for FDS[0..N) (1 ≤ N ≤ FD_CAPSULE_MAX), TAG its data (a few bytes saying what is in it). The
 * caller keeps its own fds. Returns the capsule (O_CLOEXEC) or -errno. */
int fd_capsule_new(const int *fds, size_t n, const char *tag);

/* Copies of the fds in CAPSULE (O_CLOEXEC), peeked at: they stay in it. Fills FDS with up to MAX of them in
 * the order they were put in, closes any beyond MAX, and puts its tag into RET_TAG (TAG_SIZE bytes, cut
 * short if need be) unless NULL. Returns how many (≥ 1), or -errno: -EBADMSG if the capsule holds none,
 * -EMFILE if not all of them could be installed (none are kept then). */
int fd_capsule_peek(int capsule, int *fds, size_t max, char *ret_tag, size_t tag_size);

/* fd_capsule_peek(), but the fds are taken out: the capsule is empty afterwards, and what they hold is held
 * by the caller's fds alone (not by any other copy of the capsule, e.g. one a fork inherited). */
int fd_capsule_take(int capsule, int *fds, size_t max, char *ret_tag, size_t tag_size);
