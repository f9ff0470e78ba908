/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening and creating paths inside a container root: the image is untrusted, so every lookup is relative to
 * the root's fd and stays inside it (openat2 RESOLVE_IN_ROOT), never through /proc magic links; mount targets
 * are then mounted on by fd (CVE-2021-30465, CVE-2024-45310). */

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "macro.h"
#include "priv.h"

int priv_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
        struct open_how how = { .flags = flags | O_CLOEXEC, .mode = mode, .resolve = resolve };
        long fd;

        if (!path)
                return -EINVAL;
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

int priv_open_in_root(int rootfd, const char *path) {
        return priv_openat2(rootfd, path, O_PATH, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

int priv_open_dir_in_root(int rootfd, const char *name, bool create) {
        const uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        int fd;

        fd = priv_openat2(rootfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0, resolve);
        if (fd == -ENOENT && create && !strchr(name, '/')) {
                /* mkdirat() never follows a symlink in its last component, and NAME has no other. */
                if (mkdirat(rootfd, name, 0755) < 0 && errno != EEXIST)
                        return -errno;
                fd = priv_openat2(rootfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0, resolve);
        }
        return fd;
}

int priv_create_in_root(int rootfd, const char *path, bool is_dir) {
        _cleanup_free_ char *p = NULL;

        if (!path || path[0] != '/')
                return -EINVAL;
        p = strdup(path);
        if (!p)
                return -ENOMEM;

        for (char *s = p + 1;; s++) {
                bool last = !strchr(s, '/');
                char *e = last ? s + strlen(s) : strchr(s, '/');
                char saved = *e;
                int fd;

                *e = 0;
                fd = priv_open_in_root(rootfd, p);
                if (fd == -ENOENT) {
                        char *slash = strrchr(p, '/');
                        _cleanup_close_ int parent = -EBADF;

                        *slash = 0;
                        parent = priv_open_in_root(rootfd, *p ? p : "/");
                        *slash = '/';
                        if (parent < 0)
                                return parent;
                        if (!last || is_dir) {
                                if (mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST)
                                        return -errno;
                        } else {
                                int f = openat(parent, slash + 1, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                                               0644);
                                if (f < 0 && errno != EEXIST)
                                        return -errno;
                                safe_close(f);
                        }
                } else if (fd < 0)
                        return fd;
                else
                        safe_close(fd);
                *e = saved;
                if (last)
                        return 0;
                s = e;
        }
}

int priv_mknodat(int dirfd, const char *name, mode_t mode, dev_t dev) {
        /* One component, created in a directory the caller made: mknodat() never follows a symlink there. */
        if (!name || !*name || strchr(name, '/'))
                return -EINVAL;
        return RET_NERRNO(mknodat(dirfd, name, mode, dev));
}
