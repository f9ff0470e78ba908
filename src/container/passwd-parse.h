/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The image's /etc/passwd and /etc/group are untrusted input: read bounded, as regular files only, inside the
 * root, and parsed here without NSS (no module of the image is ever loaded) and without privileges. */

#include <stddef.h>
#include <sys/types.h>

#define PASSWD_FILE_SIZE_MAX (4U * 1024U * 1024U)
#define PASSWD_GROUPS_MAX 64

typedef struct PasswdEntry {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;             /* "/" if the field is empty */
        char *shell;            /* may be "" */
} PasswdEntry;

void passwd_entry_done(PasswdEntry *e);

/* Reads PATH below ROOTFD (resolved inside the root, never through a symlink in its last component, never
 * blocking on a FIFO) into a NUL-terminated buffer. Returns 0 with *ret and *ret_size, -ENOENT if it does not
 * exist, -EBADFD if it is not a regular file, -EFBIG if it is larger than MAX, or -errno. */
int passwd_read_file(int rootfd, const char *path, size_t max, char **ret, size_t *ret_size);

/* Finds USER (a name, or a decimal UID) in the passwd data DATA (SIZE bytes). Lines with fewer than seven
 * fields are skipped; a matching line with a UID or GID that is not a valid number is -EBADMSG. Returns 0 with
 * *ret filled (release with passwd_entry_done()), -ESRCH if there is no such user, -ENOMEM. */
int passwd_find_user(const char *data, size_t size, const char *user, PasswdEntry *ret);

/* Collects the GIDs of the groups in the group data DATA that list NAME as a member, at most MAX (the rest is
 * ignored). Malformed lines are skipped. Returns the number found, or -ENOMEM. */
int group_find_memberships(const char *data, size_t size, const char *name, gid_t *ret_gids, size_t max);
