/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounts. Everything here runs in a mount namespace of the container's own, whose mounts were first made
 * recursive slaves (priv_mount_make_rslave()), except priv_make_shared_mount_point(), which sets up a host
 * directory of ours, and the clone of a bind source, which happens on the host side and is detached. Targets
 * inside a root are opened by the caller with priv_open_in_root() and mounted on by fd. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "macro.h"
#include "priv.h"

int priv_mount_make_rslave(void) {
        /* Nothing we mount may propagate to the host. */
        return RET_NERRNO(mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL));
}

int priv_mount_bind_self(const char *path) {
        /* PATH is the root directory from the daemon's trusted configuration: a host path. */
        if (!path || path[0] != '/')
                return -EINVAL;
        return RET_NERRNO(mount(path, path, NULL, MS_BIND | MS_REC, NULL));
}

int priv_fs_open(const char *fstype) {
        return RET_NERRNO(fsopen(fstype, FSOPEN_CLOEXEC));
}

int priv_fs_set(int fsfd, const char *key, const char *value) {
        if (!key)
                return -EINVAL;
        return RET_NERRNO(value ? fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0)
                                : fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0));
}

int priv_fs_create_detached(int fsfd, unsigned attr) {
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        return RET_NERRNO(fsmount(fsfd, FSMOUNT_CLOEXEC, attr));
}

int priv_fs_attach(int fsfd, unsigned attr, int target_fd) {
        _cleanup_close_ int mfd = -EBADF;

        mfd = priv_fs_create_detached(fsfd, attr);
        if (mfd < 0)
                return mfd;
        if (move_mount(mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return TAKE_FD(mfd);
}

int priv_fs_mount(int target_fd, const char *fstype, const char *const *options, unsigned attr) {
        _cleanup_close_ int fsfd = -EBADF;
        int r;

        fsfd = priv_fs_open(fstype);
        if (fsfd < 0)
                return fsfd;
        for (const char *const *o = options; o && *o; o += 2) {
                r = priv_fs_set(fsfd, o[0], o[1]);
                if (r < 0)
                        return r;
        }
        return priv_fs_attach(fsfd, attr, target_fd);
}

int priv_tree_clone(int dirfd, const char *path, unsigned flags) {
        if (!path)
                return -EINVAL;
        return RET_NERRNO(open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags));
}

int priv_mount_setattr(int fd, bool recursive, const struct mount_attr *attr) {
        return RET_NERRNO(mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
                                        (struct mount_attr *) attr, sizeof(*attr)));
}

int priv_move_mount(int tree, int target_fd) {
        return RET_NERRNO(move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
}

int priv_bind_over(int src_dirfd, const char *source, int dirfd, const char *path, unsigned attr) {
        _cleanup_close_ int tree = -EBADF, target = -EBADF;
        struct mount_attr a = { .attr_set = attr };
        int r;

        target = openat(dirfd, path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (target < 0)
                return -errno;

        tree = priv_tree_clone(src_dirfd, source, AT_SYMLINK_NOFOLLOW | (*source ? 0 : AT_EMPTY_PATH));
        if (tree < 0)
                return tree;
        if (attr != 0) {
                r = priv_mount_setattr(tree, false, &a);
                if (r < 0)
                        return r;
        }
        return priv_move_mount(tree, target);
}

int priv_attach_in_root(int rootfd, int tree, const char *destination, bool read_only) {
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int target = -EBADF;
        struct stat st;
        int r;

        if (fstat(tree, &st) < 0)
                return -errno;
        r = priv_create_in_root(rootfd, destination, S_ISDIR(st.st_mode));
        if (r < 0)
                return r;
        target = priv_open_in_root(rootfd, destination);
        if (target < 0)
                return target;
        if (read_only) {
                r = priv_mount_setattr(tree, true, &ro);
                if (r < 0)
                        return r;
        }
        return priv_move_mount(tree, target);
}

int priv_bind_slave(const char *source, int parent_fd, const char *name) {
        struct mount_attr a = {
                .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                .propagation = MS_SLAVE,
        };
        _cleanup_close_ int fd = -EBADF;
        char path[64];

        if (!source || source[0] != '/' || !name || strchr(name, '/'))
                return -EINVAL;
        fd = openat(parent_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        /* A bind of a slave mount is a slave of the same master, so mounts made below SOURCE on the host show
         * up here, and nothing goes the other way. open_tree()'s detached copies do not keep that. */
        snprintf(path, sizeof(path), "/proc/self/fd/%i", fd);
        if (mount(source, path, NULL, MS_BIND, NULL) < 0)
                return -errno;
        fd = safe_close(fd);

        /* Re-open: the fd must name the new mount, not the directory below it. */
        fd = openat(parent_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        return priv_mount_setattr(fd, false, &a);
}

int priv_umount_detach(const char *path) {
        /* A host path the daemon made itself (a staging mount point in a propagation directory). */
        if (!path || path[0] != '/')
                return -EINVAL;
        return RET_NERRNO(umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW));
}

int priv_pivot_root(int rootfd) {
        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new. */
        if (fchdir(rootfd) < 0)
                return -errno;
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return -errno;
        if (umount2(".", MNT_DETACH) < 0)
                return -errno;
        return RET_NERRNO(chdir("/"));
}

int priv_move_root(int rootfd) {
        /* runc's msMoveRoot (--no-pivot): the root (a bind of our own, in our own namespace) is moved over "/"
         * and chroot()ed into; the old root stays below it, out of reach by path. */
        if (fchdir(rootfd) < 0)
                return -errno;
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                return -errno;
        if (chroot(".") < 0)
                return -errno;
        return RET_NERRNO(chdir("/"));
}

int priv_make_shared_mount_point(const char *dir) {
        _cleanup_free_ char *parent = NULL;
        struct statx a, b;
        char *slash;

        if (!dir || dir[0] != '/')
                return -EINVAL;
        parent = strdup(dir);
        if (!parent)
                return -ENOMEM;
        slash = strrchr(parent, '/');
        if (!slash || slash == parent)
                return -EINVAL;
        *slash = 0;

        if (statx(AT_FDCWD, dir, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &a) < 0 ||
            statx(AT_FDCWD, parent, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &b) < 0)
                return -errno;

        /* A trusted host path of ours (below /run), set up on the host: that is its purpose. */
        if (a.stx_mnt_id == b.stx_mnt_id && mount(dir, dir, NULL, MS_BIND, NULL) < 0)
                return -errno;
        return RET_NERRNO(mount(NULL, dir, NULL, MS_SHARED, NULL));
}
