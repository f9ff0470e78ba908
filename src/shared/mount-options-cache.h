/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A memo of libmount's answers to mount_options_parse() (mount-options.h), kept in a file for the next
 * process: machined-ext-oci create, run and exec classify the mount options of a config.json with libmount,
 * and loading it (with libblkid, libselinux and libpcre2) costs each of them 1.6-2.0 ms before the clone,
 * the same answers every time (issue #17).
 *
 * The file holds the option strings seen and what libmount made of them, with a key: our code's build ID, the
 * file libmount was loaded from (its path and identity), and those of the dynamic loader's cache and preload
 * list. A process that has not loaded libmount uses the answers only if the key still matches (a rebuild, an
 * upgrade of libmount or a changed ld.so.cache is a miss, never a different answer), and never where the
 * environment could make the loader choose another libmount (LD_LIBRARY_PATH, LD_PRELOAD). Only the process
 * the program started as reads the file (libmount_may_load()): a child of ours may be in a container's mount
 * namespace. The directory and the file must be our user's, writable by nobody else (open_own_dir(),
 * open_own_file()): whoever writes them decides how options are read.
 *
 * Only what an OCI bundle's mounts say is kept: strings of printable ASCII whose file system options are
 * among a few that say nothing secret (mode, size, uid, gid, ...), without mount(8)'s own (x-*, noauto). A
 * network file system's credentials never end up in the file; such a config is classified by libmount. */

#define MOUNT_OPTIONS_CACHE_DIR_OCI ".mount-options-cache"      /* in machined-ext-oci's --root; not an id */
#define MOUNT_OPTIONS_CACHE_FILE "options.json"
#define MOUNT_OPTIONS_CACHE_ENTRIES_MAX 64U             /* the oldest go first */
#define MOUNT_OPTIONS_CACHE_STRING_MAX 4096U            /* longer option strings are not kept */

/* Makes mount_options_parse() use the memo in DIR (an absolute path; made 0700 at the first save). Nothing is
 * read before a string is looked up. Returns 0 or -ENOMEM. */
int mount_options_cache_use(const char *dir);

/* Writes the answers libmount gave this process that the file did not have, if any, atomically. Returns 1
 * (written), 0 (nothing new, or the memo is not used here), or -errno. */
int mount_options_cache_save(void);

/* Forgets the memo (in memory; the file stays) and stops using it. */
void mount_options_cache_done(void);
