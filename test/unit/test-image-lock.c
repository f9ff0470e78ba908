/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The root directory locks (image-lock.h) against each other and against what systemd-machined does before
 * removing an image: an exclusive, non-blocking open file description lock on the same two files. Everything
 * lives in a temporary directory, the global lock directory too. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-lock.h"
#include "macro.h"
#include "test-assert.h"

static char tmp[] = "/tmp/test-image-lock.XXXXXX";
static char root[256], locks[256], local[256], global[512];

/* What systemd-machined's image_remove() does first: 1 if it would get both locks, 0 if busy. */
static int machined_could_remove(void) {
        const char *paths[] = { local, global };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_close_ int fd = open(paths[i], O_CREAT | O_RDWR | O_CLOEXEC, 0600);
                struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

                ASSERT(fd >= 0);
                if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
                        ASSERT(errno == EAGAIN);
                        return 0;
                }
        }
        (void) unlink(local);
        (void) unlink(global);
        return 1;
}

/* Whether we have an fd open on PATH. */
static bool have_fd_on(const char *path) {
        for (int fd = 3; fd < 100; fd++) {
                char proc[64], target[512];
                ssize_t k;

                snprintf(proc, sizeof(proc), "/proc/self/fd/%i", fd);
                k = readlink(proc, target, sizeof(target) - 1);
                if (k <= 0)
                        continue;
                target[k] = 0;
                if (strcmp(target, path) == 0)
                        return true;
        }
        return false;
}

/* What a daemon before the capsules stored: the bare fd, locked. */
static int bare_lock(const char *path, short type) {
        struct flock fl = { .l_type = type, .l_whence = SEEK_SET };
        int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);

        ASSERT(fd >= 0);
        ASSERT(fcntl(fd, F_OFD_SETLK, &fl) == 0);
        return fd;
}

/* A dup of the fd L would store (what systemd's fd store gets). */
static int stored_copy(ImageLock *l) {
        int fds[2], copy;

        ASSERT_EQ(image_lock_fds(l, fds), 1);
        copy = fcntl(fds[0], F_DUPFD_CLOEXEC, 100);
        ASSERT(copy >= 0);
        return copy;
}

int main(void) {
        ImageLock *a = NULL, *b = NULL;
        struct stat st;
        char link[256];

        ASSERT(mkdtemp(tmp));
        snprintf(root, sizeof(root), "%s/root", tmp);
        snprintf(locks, sizeof(locks), "%s/run/locks", tmp);
        snprintf(local, sizeof(local), "%s/.#root.lck", tmp);
        snprintf(link, sizeof(link), "%s/link", tmp);
        ASSERT(mkdir(root, 0755) == 0);
        ASSERT(symlink("root", link) == 0);
        ASSERT(stat(root, &st) == 0);
        snprintf(global, sizeof(global), "%s/inode-%lu:%lu", locks, (unsigned long) st.st_dev,
                 (unsigned long) st.st_ino);

        /* Exclusive: the files are there, 0600 and 0700 for the directory, and nobody else gets in. */
        ASSERT_EQ(image_lock_acquire(root, locks, false, &a), 0);
        /* Held through the capsule: no fd of ours is open on the files (a fork would copy it). */
        ASSERT(!have_fd_on(local) && !have_fd_on(global));
        ASSERT(stat(local, &st) == 0 && (st.st_mode & 07777) == 0600);
        ASSERT(stat(global, &st) == 0 && (st.st_mode & 07777) == 0600);
        ASSERT(stat(locks, &st) == 0 && (st.st_mode & 07777) == 0700);
        ASSERT_EQ(machined_could_remove(), 0);
        ASSERT_EQ(image_lock_acquire(root, locks, false, &b), -EBUSY);
        ASSERT_EQ(image_lock_acquire(root, locks, true, &b), -EBUSY);
        /* Through a symlink it is the same tree. */
        ASSERT_EQ(image_lock_acquire(link, locks, true, &b), -EBUSY);
        ASSERT(!b);

        /* Copies for the machine's capsule in the fd store: the same two open file descriptions; closing
         * them leaves the lock held. */
        {
                int fds[2];
                char proc[64], target[512];
                ssize_t k;

                ASSERT_EQ(image_lock_copy_fds(a, fds), 2);
                snprintf(proc, sizeof(proc), "/proc/self/fd/%i", fds[0]);
                k = readlink(proc, target, sizeof(target) - 1);
                ASSERT(k > 0);
                target[k] = 0;
                ASSERT_STREQ(target, local);
                snprintf(proc, sizeof(proc), "/proc/self/fd/%i", fds[1]);
                k = readlink(proc, target, sizeof(target) - 1);
                ASSERT(k > 0);
                target[k] = 0;
                ASSERT_STREQ(target, global);
                close(fds[0]);
                close(fds[1]);
                ASSERT_EQ(machined_could_remove(), 0);
                ASSERT_EQ(image_lock_copy_fds(NULL, fds), 0);
        }

        /* Released: the files are gone, the tree is free. */
        a = image_lock_release(a);
        ASSERT(access(local, F_OK) < 0 && errno == ENOENT);
        ASSERT(access(global, F_OK) < 0 && errno == ENOENT);

        /* Shared: two readers, no writer, no removal; the files stay until the last reader is gone. */
        ASSERT_EQ(image_lock_acquire(root, locks, true, &a), 0);
        ASSERT_EQ(image_lock_acquire(link, locks, true, &b), 0);
        ASSERT_EQ(machined_could_remove(), 0);
        {
                ImageLock *c = NULL;
                ASSERT_EQ(image_lock_acquire(root, locks, false, &c), -EBUSY);
        }
        a = image_lock_release(a);
        ASSERT(access(global, F_OK) == 0);
        ASSERT_EQ(machined_could_remove(), 0);
        b = image_lock_release(b);
        ASSERT(access(global, F_OK) < 0 && errno == ENOENT);
        ASSERT_EQ(machined_could_remove(), 1);

        /* The daemon exits with the machine running: our capsule closes, the files stay; a copy of it (what
         * systemd's fd store keeps) still holds the lock, and the next instance adopts it from there. */
        {
                ImageLock *adopted = NULL;
                int copy;

                ASSERT_EQ(image_lock_acquire(root, locks, false, &a), 0);
                copy = stored_copy(a);
                a = image_lock_free(a);
                ASSERT(access(local, F_OK) == 0);
                ASSERT(access(global, F_OK) == 0);
                ASSERT_EQ(machined_could_remove(), 0);

                ASSERT_EQ(image_lock_adopt_fd(&adopted, "m", copy), 0);
                ASSERT_STREQ(image_lock_fd_name(adopted), "lock-m");
                ASSERT(!have_fd_on(local) && !have_fd_on(global));
                /* A capsule holds both: a second one for the same machine is refused. */
                ASSERT_EQ(image_lock_adopt_fd(&adopted, "m", stored_copy(adopted)), -E2BIG);
                ASSERT_EQ(image_lock_acquire(root, locks, true, &b), -EBUSY);
                adopted = image_lock_release(adopted);
                ASSERT(access(local, F_OK) < 0 && errno == ENOENT);
                ASSERT(access(global, F_OK) < 0 && errno == ENOENT);
                ASSERT_EQ(machined_could_remove(), 1);
        }

        /* Release lets go of the tree at once, even while a copy of the capsule (the fd store's, until
         * systemd has read FDSTOREREMOVE) is still open. */
        {
                int copy;

                ASSERT_EQ(image_lock_acquire(root, locks, true, &a), 0);
                copy = stored_copy(a);
                a = image_lock_release(a);
                ASSERT(access(global, F_OK) < 0 && errno == ENOENT);
                ASSERT_EQ(machined_could_remove(), 1);
                ASSERT_EQ(image_lock_acquire(root, locks, false, &a), 0);
                a = image_lock_release(a);
                close(copy);
        }

        /* Bare lock fds, as a daemon before the capsules stored them under "lock-NAME". */
        {
                ImageLock *adopted = NULL;

                ASSERT(mkdir(locks, 0700) == 0 || errno == EEXIST);
                ASSERT_EQ(image_lock_adopt_fd(&adopted, "old", bare_lock(local, F_RDLCK)), 0);
                ASSERT_EQ(image_lock_adopt_fd(&adopted, "old", bare_lock(global, F_RDLCK)), 0);
                ASSERT(have_fd_on(local) && have_fd_on(global));
                /* Moved into a capsule once the machine took them: no fd of ours on the files, still held. */
                ASSERT_EQ(image_lock_seal(adopted), 0);
                ASSERT(!have_fd_on(local) && !have_fd_on(global));
                ASSERT_EQ(machined_could_remove(), 0);
                ASSERT_EQ(image_lock_acquire(root, locks, false, &b), -EBUSY);
                adopted = image_lock_release(adopted);
                ASSERT(access(local, F_OK) < 0 && errno == ENOENT);
                ASSERT(access(global, F_OK) < 0 && errno == ENOENT);
                ASSERT_EQ(machined_could_remove(), 1);
        }

        /* Not a directory, or missing. */
        ASSERT_EQ(image_lock_acquire(local, locks, false, &a), -ENOENT);
        ASSERT(close(open(local, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) == 0);
        ASSERT_EQ(image_lock_acquire(local, locks, false, &a), -ENOTDIR);
        ASSERT(image_lock_release(NULL) == NULL);

        ASSERT(unlink(local) == 0);
        ASSERT(unlink(link) == 0);
        ASSERT(rmdir(root) == 0);
        ASSERT(rmdir(locks) == 0);
        snprintf(link, sizeof(link), "%s/run", tmp);
        ASSERT(rmdir(link) == 0);
        ASSERT(rmdir(tmp) == 0);
        return 0;
}
