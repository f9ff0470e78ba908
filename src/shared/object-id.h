/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What identifies code and files for the caches that keep what code computed (seccomp-cache.c,
 * mount-options-cache.c): a cache made by other code, or from other files, is a miss. */

/* The code of the object (program or library) ADDRESS is in: "build-id HEX", or, for an object without a
 * build ID, its file as path_identity() gives it ("file ..."). Returns 0 with *RET, -ENOENT (ADDRESS is in no
 * object, or its file is gone), -ENOMEM. */
int object_identity(const void *address, char **ret);

/* The file PATH (symlinks followed) as "DEV:INODE:SIZE:MTIME.NSEC": a replaced or rewritten file has another.
 * Returns 0 with *RET, -ENOMEM, or stat()'s -errno. */
int path_identity(const char *path, char **ret);

/* path_identity() of the file PATH if it holds the code of the object ADDRESS is in: the GNU build ID of the
 * ELF file is that object's. One open file is both checked and described, so that a file that replaced the
 * object's meanwhile is never described as its. Returns 0 with *RET; -ESTALE (PATH holds other code, or
 * either has no build ID), -ENOEXEC (not an ELF file of our class), -ENOENT (ADDRESS is in no object, or no
 * PATH), -ENOMEM, or another -errno of open()/fstat()/pread(). */
int object_file_identity(const void *address, const char *path, char **ret);
