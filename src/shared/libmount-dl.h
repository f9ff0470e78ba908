/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libmount, loaded with dlopen() by the first user in a process, as systemd loads it (DLSYM_PROTOTYPE,
 * sym_mnt_*()): a command that never parses a mount option (machined-ext-oci exec, state, kill, ...) does not
 * map it, nor libblkid, libselinux and libpcre2 that it pulls in, about half a millisecond of every start of
 * the CLI (issue #17).
 *
 * Only the process the program started as loads it. A child of ours may be in a container's mount namespace,
 * where the library's path is the image's: dlopen_libmount() refuses to load in any process whose PID is not
 * the one recorded at start-up (every fork or clone of ours), so whoever clones a child that uses libmount
 * loads it first (container_spawn() for an init that uses it, container_config_init_uses_libmount();
 * container_bind_mount(), the daemon's bundle reader), and the child uses that. (A program running as PID 1
 * of its PID namespace cannot tell an init it clones into a new one, PID 1 there too, from itself this way:
 * there an init that uses libmount finds it loaded already, and one that does not never asks.) */

#include <libmount/libmount.h>
#include <stdbool.h>

#define DLSYM_PROTOTYPE(symbol) typeof(symbol) *sym_##symbol

extern DLSYM_PROTOTYPE(mnt_free_iter);
extern DLSYM_PROTOTYPE(mnt_fs_get_fstype);
extern DLSYM_PROTOTYPE(mnt_fs_get_id);
extern DLSYM_PROTOTYPE(mnt_fs_get_root);
extern DLSYM_PROTOTYPE(mnt_fs_get_target);
extern DLSYM_PROTOTYPE(mnt_get_builtin_optmap);
extern DLSYM_PROTOTYPE(mnt_new_iter);
extern DLSYM_PROTOTYPE(mnt_new_table_from_file);
extern DLSYM_PROTOTYPE(mnt_optstr_append_option);
extern DLSYM_PROTOTYPE(mnt_optstr_get_flags);
extern DLSYM_PROTOTYPE(mnt_optstr_get_option);
extern DLSYM_PROTOTYPE(mnt_optstr_next_option);
extern DLSYM_PROTOTYPE(mnt_split_optstr);
extern DLSYM_PROTOTYPE(mnt_table_next_fs);
extern DLSYM_PROTOTYPE(mnt_unref_table);

/* Loads libmount and resolves the sym_mnt_*() above, once per process (it stays loaded). Returns 0, -EPERM
 * in a child that did not get it from its parent, or -EOPNOTSUPP if it cannot be loaded (not installed, or a
 * symbol missing). */
int dlopen_libmount(void);

/* Whether this process has loaded it (or got it from the parent that did). */
bool libmount_loaded(void);

/* Whether this process may load it: the one the program started as. */
bool libmount_may_load(void);

/* The file it was loaded from (the dynamic loader's absolute path for its soname), or NULL if it is not
 * loaded. */
const char *libmount_path(void);

/* path_identity() of that file, taken right after it was loaded if the file then held the code loaded (its
 * build ID, object_file_identity()): the library that answers in this process, even once the file was
 * replaced. NULL if it is not loaded, or if it could not be told (the file was replaced between the load and
 * the check, or has no build ID): then nothing is saved under it. */
const char *libmount_loaded_identity(void);
