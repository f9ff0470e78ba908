/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Writes all N bytes at BUF to FD (a blocking one), again after EINTR and short writes. Returns 0, -EIO if
 * write() wrote nothing, or its -errno. */
int loop_write(int fd, const void *buf, size_t n);

/* NAME in DIR_FD, whole or as it was: SIZE bytes of DATA written to TMP (one left there is replaced; never
 * through a symlink), renamed over NAME; TMP is removed on failure. Returns 0 or -errno. */
int write_file_replace_at(int dir_fd, const char *name, const char *tmp, const void *data, size_t size);

/* Opens NAME below DIR_FD read-only (never following a symlink, never blocking on a FIFO) if it is one of
 * our own files: a regular file of our effective user's, with one link, that nobody else can write, as the
 * files of a state directory are. Returns the fd (O_CLOEXEC) and its stat in *RET_ST (if not NULL), -EBADMSG
 * if it is something else (a symlink too), or -errno (-ENOENT: none). */
int open_own_file(int dir_fd, const char *name, struct stat *ret_st);

/* Opens /dev/null onto each of fds 0, 1 and 2 that is closed, as the first thing a program does: otherwise the
 * first fds it opens (a bus socket, a directory of the host) would take their numbers, and whatever it passes
 * on as its stdio (machined-ext-oci: to the container's payload) would be those. Returns 0, or -errno with
 * *RET_FD the fd that stayed closed. */
int stdio_ensure_open(int *ret_fd);

/* Sets O_NONBLOCK on FD. Returns 0 or -errno. */
int fd_nonblock(int fd);

/* Opens the directory NAME below PARENT_FD (never following a symlink), made with CREATE_MODE if missing and
 * CREATE_MODE is not 0, if it is our user's and only it can write to it: whoever else could would choose what
 * a cache there holds. Returns the fd (O_CLOEXEC), -EPERM if it is someone else's or others can write to it,
 * or -errno (-ENOENT: none, and not made). */
int open_own_dir(int parent_fd, const char *name, mode_t create_mode);

/* Reads all of FD, which must be a regular file of at most MAX bytes: checked with fstat(), and again while
 * reading, since the file may grow in between (at most MAX + 1 bytes are read). Returns 0 with *RET (to be
 * freed, NUL-terminated) and *RET_SIZE; -EBADFD if FD is not a regular file, -EFBIG if it holds more than MAX
 * bytes, -ENOMEM, or the -errno of fstat() or read(). */
int read_regular_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* The lowest fd number fd_move_high() moves to. */
#define FD_HIGH_MIN 1024

/* Moves FD (O_CLOEXEC) to the lowest free number from FD_HIGH_MIN on and closes FD. For the fds the daemon
 * keeps as long as a machine runs: below FD_HIGH_MIN they would be among the few that a start opens for its
 * init, which then copies our fd table only up to the highest of its own (container_spawn_full(), issue
 * #17). Call it before FD is watched by an event source (epoll knows it by number). Returns the new fd, or
 * FD itself where it cannot be moved (RLIMIT_NOFILE at or below FD_HIGH_MIN, or no fd free): it still works
 * there, it only costs each init more. */
int fd_move_high(int fd);
