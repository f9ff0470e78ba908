/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A machine's root directory locked the way systemd-nspawn locks it: see image-lock.h. */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "fd-util.h"
#include "fd-capsule.h"
#include "image-lock.h"
#include "macro.h"

typedef struct LockFile {
        char *path;                     /* NULL: no such lock, or its file was gone when we adopted it */
        int fd;                         /* while we take the lock; afterwards only a lock adopted as a bare fd */
        bool exclusive;
        bool in_capsule;                /* its fd is in the capsule, after the local lock's if both are */
} LockFile;

struct ImageLock {
        LockFile local;
        LockFile global;
        int capsule;                    /* the lock fds in flight (fd-capsule.h): none in our fd table */
        char *fd_name;                  /* "lock-NAME", if adopted under that name */
};
/* An open file description lock on the whole file, without waiting: F_WRLCK or F_RDLCK. Returns 0, -EBUSY
 * if someone else holds a conflicting lock (what systemd's make_lock_file() returns), or -errno. */
static int ofd_lock(int fd, short type) {
        struct flock fl = {
                .l_type = type,
                .l_whence = SEEK_SET,
        };

        if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
                return IN_SET(errno, EAGAIN, EACCES) ? -EBUSY : -errno;
        return 0;
}

/* Opens (creating it, mode 0600) and locks PATH. As in systemd, a lock file that its last holder removed
 * between our open and our lock is stale: open it again. Returns 0 or -errno (-EBUSY: held by another). */
static int lock_file_make(const char *path, bool exclusive, LockFile *ret) {
        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                struct stat st;
                int r;

                fd = open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
                if (fd < 0)
                        return -errno;

                r = ofd_lock(fd, exclusive ? F_WRLCK : F_RDLCK);
                if (r < 0)
                        return r;

                if (fstat(fd, &st) < 0)
                        return -errno;
                if (st.st_nlink == 0)
                        continue;

                ret->path = strdup(path);
                if (!ret->path)
                        return -ENOMEM;
                ret->fd = TAKE_FD(fd);
                ret->exclusive = exclusive;
                return 0;
        }
}

/* Like systemd's release_lock_file(): the file is removed if we hold it exclusively, or can get it so. Then
 * the lock is dropped explicitly: copies of our open file description (in systemd's fd store, in a capsule
 * there) may outlive our fd for a while, and must not hold the tree meanwhile. */
static void lock_file_release(LockFile *f) {
        if (f->fd >= 0 && f->path) {
                if (f->exclusive || ofd_lock(f->fd, F_WRLCK) >= 0)
                        (void) unlink(f->path);
        }
        if (f->fd >= 0)
                (void) ofd_lock(f->fd, F_UNLCK);
        f->fd = safe_close(f->fd);
        f->path = mfree(f->path);
}

/* The fds in the capsule back into their LockFiles (copies of the same open file descriptions). */
static int image_lock_unseal(ImageLock *l) {
        LockFile *slots[] = { &l->local, &l->global };
        int fds[ELEMENTSOF(slots)], n;
        size_t k = 0;

        if (l->capsule < 0)
                return 0;
        n = fd_capsule_peek(l->capsule, fds, ELEMENTSOF(fds), NULL, 0);
        if (n < 0)
                return n;
        for (size_t i = 0; i < ELEMENTSOF(slots); i++)
                if (slots[i]->in_capsule && slots[i]->fd < 0 && k < (size_t) n)
                        slots[i]->fd = fds[k++];
        while (k < (size_t) n)
                safe_close(fds[k++]);
        return 0;
}

int image_lock_seal(ImageLock *l) {
        if (!l || l->capsule >= 0)
                return 0;

        LockFile *slots[] = { &l->local, &l->global };
        int fds[ELEMENTSOF(slots)], capsule;
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(slots); i++)
                if (slots[i]->fd >= 0)
                        fds[n++] = slots[i]->fd;
        if (n == 0)
                return 0;
        capsule = fd_capsule_new(fds, n, "lock");
        if (capsule < 0)
                return capsule;
        l->capsule = fd_move_high(capsule);
        for (size_t i = 0; i < ELEMENTSOF(slots); i++)
                if (slots[i]->fd >= 0) {
                        slots[i]->fd = safe_close(slots[i]->fd);
                        slots[i]->in_capsule = true;
                }
        return 0;
}

ImageLock *image_lock_free(ImageLock *l) {
        if (!l)
                return NULL;
        safe_close(l->capsule);
        safe_close(l->global.fd);
        safe_close(l->local.fd);
        free(l->global.path);
        free(l->local.path);
        free(l->fd_name);
        return mfree(l);
}

ImageLock *image_lock_release(ImageLock *l) {
        if (!l)
                return NULL;
        if (l->fd_name)
                (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s", l->fd_name);
        /* Without the fds the files stay and the locks go with the last copy of the capsule. */
        (void) image_lock_unseal(l);
        /* The reverse order of taking them. Our own copies in the fd store share our open file
         * descriptions, so they do not keep us from upgrading to exclusive and removing the files. */
        lock_file_release(&l->global);
        lock_file_release(&l->local);
        return image_lock_free(l);
}

const char *image_lock_fd_name(const ImageLock *l) {
        return l ? l->fd_name : NULL;
}

int image_lock_copy_fds(const ImageLock *l, int fds[static 2]) {
        int n = 0;

        if (!l)
                return 0;
        if (l->capsule >= 0)
                return fd_capsule_peek(l->capsule, fds, 2, NULL, 0);

        const LockFile *slots[] = { &l->local, &l->global };
        for (size_t i = 0; i < ELEMENTSOF(slots); i++) {
                if (slots[i]->fd < 0)
                        continue;
                fds[n] = fcntl(slots[i]->fd, F_DUPFD_CLOEXEC, 3);
                if (fds[n] < 0) {
                        int e = errno;
                        while (n > 0)
                                safe_close(fds[--n]);
                        return -e;
                }
                n++;
        }
        return n;
}

/* The path FD is open on, into *RET: NULL if the file was removed already (then there is nothing to remove
 * once the machine is gone). */
static int fd_path(int fd, char **ret) {
        char proc[64], target[PATH_MAX];
        ssize_t k;

        *ret = NULL;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%i", fd);
        k = readlink(proc, target, sizeof(target) - 1);
        if (k <= 0 || target[0] != '/')
                return 0;
        target[k] = 0;
        if (strstr(target, " (deleted)"))
                return 0;
        *ret = strdup(target);
        return *ret ? 0 : -ENOMEM;
}

/* FD is a capsule of ours: its lock fds are looked at for their paths, and it is kept as it is. */
static int adopt_capsule(ImageLock *l, int fd) {
        LockFile *slots[] = { &l->local, &l->global };
        int fds[ELEMENTSOF(slots)], n;

        for (size_t i = 0; i < ELEMENTSOF(slots); i++)
                if (slots[i]->fd >= 0 || slots[i]->in_capsule)
                        return -E2BIG;
        n = fd_capsule_peek(fd, fds, ELEMENTSOF(fds), NULL, 0);
        if (n < 0)
                return n;
        /* Without its path a file is only not removed at the end: the lock is kept either way. */
        for (int i = 0; i < n; i++) {
                (void) fd_path(fds[i], &slots[i]->path);
                slots[i]->in_capsule = true;
                safe_close(fds[i]);
        }
        l->capsule = fd;
        return 0;
}

int image_lock_adopt_fd(ImageLock **l, const char *name, int fd) {
        _cleanup_close_ int fd_close = fd;
        struct stat st;
        LockFile *f;
        int r;

        assert(l);
        assert(name);

        if (!*l) {
                *l = new0(ImageLock, 1);
                if (!*l)
                        return -ENOMEM;
                **l = (ImageLock) { .local.fd = -EBADF, .global.fd = -EBADF, .capsule = -EBADF };
                if (asprintf(&(*l)->fd_name, "lock-%s", name) < 0) {
                        (*l)->fd_name = NULL;
                        return -ENOMEM;
                }
        }
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fstat(fd, &st) < 0)
                return -errno;
        /* Whether they are shared or exclusive is not known: release tries to upgrade them either way. */
        if (S_ISSOCK(st.st_mode)) {
                r = adopt_capsule(*l, fd);
                if (r >= 0)
                        TAKE_FD(fd_close);
                return r;
        }

        /* A bare lock fd, as a daemon before the capsules stored them. */
        f = (*l)->local.fd < 0 && !(*l)->local.in_capsule ? &(*l)->local :
            (*l)->global.fd < 0 && !(*l)->global.in_capsule ? &(*l)->global : NULL;
        if (!f)
                return -E2BIG;
        r = fd_path(fd, &f->path);
        if (r < 0)
                return r;
        f->exclusive = false;
        f->fd = TAKE_FD(fd_close);
        return 0;
}

/* DIR/.#NAME.lck for the path DIR/NAME: systemd's make_lock_file_for(). */
static int local_lock_path(const char *path, char **ret) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        const char *dir, *name;

        a = strdup(path);
        b = strdup(path);
        if (!a || !b)
                return -ENOMEM;
        dir = dirname(a);
        name = basename(b);
        if (isempty(name) || streq(name, "/") || streq(name, ".") || streq(name, ".."))
                return -EINVAL;
        if (asprintf(ret, "%s/.#%s.lck", streq(dir, "/") ? "" : dir, name) < 0)
                return -ENOMEM;
        return 0;
}

static int mkdir_parents_of_locks_dir(const char *locks_dir) {
        _cleanup_free_ char *parent = NULL;

        /* /run/systemd/nspawn/locks: its parents 0755 as systemd makes them, the directory itself 0700. */
        parent = strdup(locks_dir);
        if (!parent)
                return -ENOMEM;
        for (char *p = parent + 1; (p = strchr(p, '/')); p++) {
                *p = 0;
                if (mkdir(parent, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(locks_dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int image_lock_acquire(const char *root, const char *locks_dir, bool shared, ImageLock **ret) {
        _cleanup_(image_lock_releasep) ImageLock *l = NULL;
        _cleanup_free_ char *path = NULL, *local = NULL, *global = NULL;
        struct stat st;
        int r;

        assert(root);
        assert(locks_dir);
        assert(ret);

        l = new0(ImageLock, 1);
        if (!l)
                return -ENOMEM;
        *l = (ImageLock) { .local.fd = -EBADF, .global.fd = -EBADF, .capsule = -EBADF };

        /* nspawn locks the path with its symlinks resolved: machined finds the same lock file next to it. */
        path = realpath(root, NULL);
        if (!path)
                return -errno;
        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;

        /* The host's own root is never locked exclusively; a shared lock on it would protect nothing. */
        if (streq(path, "/")) {
                if (!shared)
                        return -EBUSY;
                *ret = TAKE_PTR(l);
                return 0;
        }

        r = local_lock_path(path, &local);
        if (r < 0)
                return r;
        r = lock_file_make(local, !shared, &l->local);
        /* A read-only tree may sit on a read-only file system: then only the global lock protects it. */
        if (r < 0 && !(shared && r == -EROFS))
                return r;

        if (asprintf(&global, "%s/inode-%lu:%lu", locks_dir, (unsigned long) st.st_dev,
                     (unsigned long) st.st_ino) < 0)
                return -ENOMEM;
        r = mkdir_parents_of_locks_dir(locks_dir);
        if (r < 0)
                return r;
        r = lock_file_make(global, !shared, &l->global);
        if (r < 0)
                return r;
        r = image_lock_seal(l);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(l);
        return 0;
}

int image_lock_fds(const ImageLock *l, int fds[static 2]) {
        int n = 0;

        if (!l)
                return 0;
        if (l->capsule >= 0)
                fds[n++] = l->capsule;
        if (l->local.fd >= 0)
                fds[n++] = l->local.fd;
        if (l->global.fd >= 0 && n < 2)
                fds[n++] = l->global.fd;
        return n;
}
