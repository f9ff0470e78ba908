/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Mount option strings ("ro,nosuid,mode=0755") and OCI option arrays, classified with libmount's own option
 * maps (MNT_LINUX_MAP, MNT_USERSPACE_MAP) into what mount(2) and mount_setattr(2) want. No option table of
 * our own: libmount knows every VFS flag and its inverse ("rw", "suid", "dev", "exec", "atime", ...). It is
 * loaded on first use (libmount-dl.h): the functions that need it also return dlopen_libmount()'s errors,
 * -EOPNOTSUPP (it cannot be loaded) or -EPERM (in a child of ours whose parent did not load it). */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define MOUNT_OPTIONS_UNAVAILABLE_MESSAGE "libmount (libmount.so.1) cannot be loaded to parse the mount options"

/* Whether R, from a function here, means that libmount could not be loaded (not that an option is bad). */
static inline bool mount_options_unavailable(int r) {
        return r == -EOPNOTSUPP || r == -EPERM;
}

typedef enum MountExtension {
        /* OCI runtime extensions (runtime-spec config.md, "Linux mount options"): not kernel options. */
        MOUNT_EXT_IDMAP     = 1 << 0,   /* idmap: apply the mount's uid/gidMappings */
        MOUNT_EXT_RIDMAP    = 1 << 1,   /* ridmap: ... recursively */
        MOUNT_EXT_TMPCOPYUP = 1 << 2,   /* tmpcopyup: copy the underlying directory into a new tmpfs */
} MountExtension;

typedef struct MountOptions {
        unsigned long flags;            /* MS_* to set: MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RELATIME,
                                         * MS_STRICTATIME, ... (never MS_BIND, MS_REC or propagation) */
        unsigned long clear;            /* MS_* explicitly cleared: "rw" clears MS_RDONLY, "suid" MS_NOSUID, ... */
        bool bind;                      /* bind or rbind */
        bool recursive_bind;            /* rbind */
        unsigned long propagation;      /* one of MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, or 0 */
        bool recursive_propagation;     /* rshared, rslave, rprivate, runbindable */
        char *data;                     /* filesystem-specific options for mount(2)'s data, or NULL */
        char *userspace;                /* mount(8)/fstab options (noauto, nofail, x-*): not for the kernel */
        unsigned extensions;            /* MountExtension bits */
} MountOptions;

/* Frees the strings of m and zeroes it. */
void mount_options_done(MountOptions *m);

/* What mount_options_parse() asks before it loads libmount, and tells what libmount made of a string:
 * mount-options-cache.c, a memo of libmount's answers that lets a short-lived process (machined-ext-oci create,
 * run, exec) classify the options of a config.json it has seen before without loading libmount and the
 * libraries it pulls in (1.6-2.0 ms of each of those processes, issue #17). */
typedef struct MountOptionsMemo {
        /* 1 with *RET filled as mount_options_parse() would, 0 if OPTIONS is not known, or -ENOMEM. */
        int (*lookup)(const char *options, MountOptions *ret);
        /* M is what libmount made of OPTIONS. */
        void (*remember)(const char *options, const MountOptions *m);
} MountOptionsMemo;

/* Makes mount_options_parse() use MEMO (NULL: none, the default). */
void mount_options_set_memo(const MountOptionsMemo *memo);

/* Classifies a comma-separated option string (quotes as in mount(8): context="a,b"). Later options win over
 * earlier ones ("ro,rw" is read-write). Fills *ret (zeroed first) and returns 0, or -EINVAL for an option
 * string libmount cannot parse, -ENOMEM. *ret is untouched on failure. */
int mount_options_parse(const char *options, MountOptions *ret);

/* Like mount_options_parse() for a list of single options (OCI "options": ["nosuid", "mode=755"]). An entry
 * that is empty or contains a comma is refused with -EINVAL; *ret_bad_index (if not NULL) is then set to its
 * index. */
int mount_options_parse_strv(char * const *options, MountOptions *ret, size_t *ret_bad_index);

/* Parses a single propagation name: shared, slave, private, unbindable or their recursive r* forms.
 * Returns 0 with *ret = MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE, or'ed with MS_REC for r*, -EINVAL for
 * anything else. */
int mount_propagation_from_string(const char *s, unsigned long *ret);

/* Translates the flags of m for mount_setattr(2)/fsmount(2): MOUNT_ATTR_* bits to set and to clear (an atime
 * mode also clears MOUNT_ATTR__ATIME, as the kernel requires). MS_* flags that have no MOUNT_ATTR_*
 * counterpart (sync, dirsync, lazytime, iversion, silent, mand, remount, ...) are returned in
 * *ret_unsupported (if not NULL) for the caller to refuse or pass as fs options. Returns 0. */
int mount_options_to_attr(const MountOptions *m, uint64_t *ret_set, uint64_t *ret_clear,
                          unsigned long *ret_unsupported);

typedef enum BindIdmap {
        BIND_IDMAP_NO,                  /* noidmap (the default) */
        BIND_IDMAP_YES,                 /* idmap */
        BIND_IDMAP_ROOT,                /* rootidmap */
} BindIdmap;

/* The options of systemd.nspawn(5)'s Bind=/BindReadOnly= (SRC:DST:OPTIONS): rbind|norbind and
 * idmap|noidmap|rootidmap, later ones winning. These are nspawn's words, not mount(8) options (libmount's map
 * knows only "rbind"), so they are matched here, split by libmount's own option tokenizer. NULL or "" is the
 * default (rbind, noidmap). Returns 0 and sets *ret_recursive and *ret_idmap (either may be NULL), or -EINVAL
 * for an empty, unknown or valued option. */
int mount_bind_options_parse(const char *options, bool *ret_recursive, BindIdmap *ret_idmap);

/* Fills in the flags of tmpfs-like options (TemporaryFileSystem=PATH:OPTIONS): *ret_attr gets the
 * MOUNT_ATTR_* bits that result from DEFAULT_ATTR and the VFS options of m. MS_* flags that mount_setattr(2)
 * does not know but the superblock does (sync, dirsync, lazytime, mand) are returned as their libmount names
 * in *ret_sb_flags (a strv; NULL if none), for fsconfig(FSCONFIG_SET_FLAG). Returns 0, -EINVAL if m holds
 * anything else (bind, propagation, userspace options such as nofail or x-*, OCI extensions, or a flag that
 * is neither), -ENOMEM. */
int mount_options_to_fs_attr(const MountOptions *m, uint64_t default_attr, uint64_t *ret_attr, char ***ret_sb_flags);
