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
 * exclusive for a writable machine, shared for a ReadOnly= one, as nspawn takes them. The fds are O_CLOEXEC
 * and held by the daemon, never by the payload. */

#define IMAGE_LOCKS_DIR "/run/systemd/nspawn/locks"

typedef struct ImageLock ImageLock;

/* Locks the directory tree ROOT (its symlinks resolved first, as nspawn does), the global lock file in
 * LOCKS_DIR (created 0700 if missing). Returns 0 with *ret, -EBUSY if another holder has a conflicting lock
 * (another machine, systemd-nspawn, or an image operation of systemd-machined), -ENOTDIR if ROOT is not a
 * directory, or another -errno. */
int image_lock_acquire(const char *root, const char *locks_dir, bool shared, ImageLock **ret);

/* Releases the locks, removing each lock file if no one else holds it. Accepts NULL. Returns NULL. */
ImageLock *image_lock_release(ImageLock *l);
static inline void image_lock_releasep(ImageLock **l) {
        image_lock_release(*l);
}
