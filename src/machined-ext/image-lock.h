/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The locks systemd-nspawn takes on a container's root directory for the container's lifetime (systemd's
 * image_path_lock()), so that systemd-machined's image operations (`machinectl remove`, `rename`, `clean`,
 * `read-only`, ...), which take the same locks with LOCK_EX|LOCK_NB, refuse with EBUSY ("Device or resource
 * busy") while the machine runs:
 *   local   DIR/.#NAME.lck next to the root DIR/NAME (may be shared over NFS);
 *   global  IMAGE_LOCKS_DIR/inode-DEV:INO, by the root's device and inode numbers (decimal), so that the
 *           same tree under another path (a bind mount, a symlink) is the same lock.
 * Both are open file description locks (F_OFD_SETLK, systemd's "UNPOSIX" locks) over the whole file:
 * exclusive for a writable machine, shared for a ReadOnly= one, as nspawn takes them. Once taken, the fds
 * are in a capsule (fd-capsule.h), which the daemon holds, never the payload: not in the daemon's fd table,
 * where every fork would copy them and close them again, each close walking the file's list of locks (one
 * per machine on a shared root, so each start cost O(machines²) in the kernel). */

#define IMAGE_LOCKS_DIR "/run/systemd/nspawn/locks"

typedef struct ImageLock ImageLock;

/* Locks the directory tree ROOT (its symlinks resolved first, as nspawn does), the global lock file in
 * LOCKS_DIR (created 0700 if missing). Returns 0 with *ret, -EBUSY if another holder has a conflicting lock
 * (another machine, systemd-nspawn, or an image operation of systemd-machined), -ENOTDIR if ROOT is not a
 * directory, or another -errno. */
int image_lock_acquire(const char *root, const char *locks_dir, bool shared, ImageLock **ret);

/* Copies of the lock fds (the same open file descriptions; the caller closes them) into FDS, for the
 * machine's capsule in systemd's fd store, so that the locks outlive a crash or restart of the daemon along
 * with the machine (the next instance gets them back: image_lock_adopt_fd()). Returns how many (0..2), or
 * -errno. Accepts NULL. */
int image_lock_copy_fds(const ImageLock *l, int fds[static 2]);

/* Takes FD from the fd store into *L (allocated on first use): a capsule, or one of two bare lock fds as a
 * daemon before the capsules stored them. Returns 0 or -errno (FD is closed then). */
int image_lock_adopt_fd(ImageLock **l, const char *name, int fd);

/* Moves bare lock fds (taken, or adopted as an older daemon stored them) into a capsule: a fork of the
 * daemon (every container's init, every helper) would otherwise copy them and close them again, and each
 * close walks the file's whole list of locks, one per machine on a shared root. Returns 0 or -errno (the fds
 * stay bare then). Accepts NULL. */
int image_lock_seal(ImageLock *l);

/* The fds to store (still owned by L) into FDS: the capsule, or bare lock fds that were adopted. Returns how
 * many (0..2). Accepts NULL. */
int image_lock_fds(const ImageLock *l, int fds[static 2]);

/* "lock-NAME", once adopted; NULL before. */
const char *image_lock_fd_name(const ImageLock *l);

/* The machine is gone: drops the fds from the fd store, releases the locks and removes each lock file that
 * no one else holds. Accepts NULL. Returns NULL. */
ImageLock *image_lock_release(ImageLock *l);
static inline void image_lock_releasep(ImageLock **l) {
        image_lock_release(*l);
}

/* The daemon exits but the machine may not: closes our fds, and leaves the files and what the fd store
 * holds alone. Accepts NULL. Returns NULL. */
ImageLock *image_lock_free(ImageLock *l);
