/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model's own mounts: what the settings add (Bind=, TemporaryFileSystem=, Overlay=) and mask
 * (Inaccessible=). Sources are host paths (trusted: only trusted settings files may name one) or "+PATH" inside
 * the root; destinations are always resolved inside the root. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>


#include "libmount-dl.h"
#include "mount-options.h"
#include "mounts.h"
#include "strv.h"
#include "priv/priv.h"

/* Opens the directory SOURCE: a host path, or "+PATH" inside the root. */
static int open_layer(int rootfd, const char *source) {
        if (source[0] == '+')
                return priv_open_in_root(rootfd, source + 1);
        return RET_NERRNO(open(source, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

/* Clones the source of a bind mount. Returns a detached mount fd or -errno. */
static int clone_bind_source(int rootfd, const char *source, bool recursive) {
        _cleanup_close_ int fd = -EBADF;

        if (source[0] != '+')
                return priv_tree_clone(AT_FDCWD, source, recursive ? AT_RECURSIVE : 0);
        fd = priv_open_in_root(rootfd, source + 1);
        if (fd < 0)
                return fd;
        return priv_tree_clone(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
}

/* TemporaryFileSystem=PATH:OPTIONS: "mode=0755,size=10M,ro,nosuid". The options are classified by libmount
 * (mount-options.c), as systemd-nspawn does with mount_option_mangle(): VFS flags (ro, noexec, noatime, ...)
 * become mount attributes, superblock flags (sync, ...) and everything else (mode=, size=, uid=, ...) go to
 * the tmpfs as fsconfig(2) parameters. nosuid and nodev are the default, as in nspawn. With PrivateUsers= it
 * belongs to the payload's root (OWNER) unless OPTIONS say uid=/gid=. */
static int mount_tmpfs_in_root(int rootfd, const char *destination, const char *options, uid_t owner) {
        _cleanup_close_ int target = -EBADF, fsfd = -EBADF, mfd = -EBADF;
        _cleanup_(mount_options_done) MountOptions o = {};
        _cleanup_strv_free_ char **sb_flags = NULL;
        uint64_t attr;
        char *p, *name, *value;
        size_t namesz, valuesz;
        int r;

        r = mount_options_parse(options, &o);
        if (r < 0)
                return r;
        r = mount_options_to_fs_attr(&o, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, &attr, &sb_flags);
        if (r < 0)
                return r;

        r = priv_create_in_root(rootfd, destination, true);
        if (r < 0)
                return r;
        target = priv_open_in_root(rootfd, destination);
        if (target < 0)
                return target;

        fsfd = priv_fs_open("tmpfs");
        if (fsfd < 0)
                return fsfd;
        STRV_FOREACH(f, sb_flags) {
                r = priv_fs_set(fsfd, *f, NULL);
                if (r < 0)
                        return r;
        }
        for (p = o.data; p; ) {
                _cleanup_free_ char *k = NULL, *v = NULL;

                r = sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
                if (r == 1)
                        break;
                if (r < 0)
                        return -EINVAL;
                k = strndup(name, namesz);
                v = value ? strndup(value, valuesz) : NULL;
                if (!k || (value && !v))
                        return -ENOMEM;
                r = priv_fs_set(fsfd, k, v);
                if (r < 0)
                        return r;
        }
        if (!o.data || sym_mnt_optstr_get_option(o.data, "mode", &value, &valuesz) != 0) {
                r = priv_fs_set(fsfd, "mode", "0755");
                if (r < 0)
                        return r;
        }
        if (owner != (uid_t) -1) {
                char id[16];

                snprintf(id, sizeof(id), "%u", (unsigned) owner);
                if (!o.data || sym_mnt_optstr_get_option(o.data, "uid", &value, &valuesz) != 0) {
                        r = priv_fs_set(fsfd, "uid", id);
                        if (r < 0)
                                return r;
                }
                if (!o.data || sym_mnt_optstr_get_option(o.data, "gid", &value, &valuesz) != 0) {
                        r = priv_fs_set(fsfd, "gid", id);
                        if (r < 0)
                                return r;
                }
        }
        mfd = priv_fs_attach(fsfd, (unsigned) attr, target);
        return mfd < 0 ? mfd : 0;
}

#define OVERLAY_LAYERS_MAX 32

typedef struct OverlayFds {
        int fds[OVERLAY_LAYERS_MAX];
        size_t n;
} OverlayFds;

static void overlay_fds_done(OverlayFds *o) {
        for (size_t i = 0; i < o->n; i++)
                safe_close(o->fds[i]);
        o->n = 0;
}

static int fail_not_idmappable(SetupLog *l, int r, const char *setting, const char *source);

/* Opens the layer SOURCE. With USERNS_FD >= 0 a host path is an idmapped clone of it (a detached mount: its
 * files' owners as the user namespace sees them), as overlayfs takes idmapped layers (Linux 5.19); one in the
 * image ("+PATH") fits already. */
static int overlay_fds_add(OverlayFds *o, int rootfd, int userns_fd, const char *setting, const char *source,
                           SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (o->n >= OVERLAY_LAYERS_MAX)
                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -E2BIG, source);
        if (userns_fd >= 0 && source[0] != '+') {
                fd = priv_tree_clone(AT_FDCWD, source, 0);
                if (fd < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, fd, 0, "%s=%s: a lower directory",
                                           setting, source);
                r = priv_mount_idmap(fd, userns_fd, false);
                if (r < 0)
                        return fail_not_idmappable(l, r, setting, source);
        } else {
                fd = open_layer(rootfd, source);
                if (fd < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, fd, 0, "%s=%s: a lower directory",
                                           setting, source);
        }
        o->fds[o->n++] = TAKE_FD(fd);
        return 0;
}

static int fs_set_fd_path(int fsfd, const char *key, int fd) {
        char path[64];

        snprintf(path, sizeof(path), "/proc/self/fd/%i", fd);
        return priv_fs_set(fsfd, key, path);
}

/* Overlay=LOWER…::DST (no upper directory, as in systemd-nspawn): the upper and work directories on a tmpfs
 * of their own, detached (nothing but the overlay holds it: what the payload writes is discarded with the
 * container's mount namespace, nothing is left on the host). With PrivateUsers= OWNER, the payload's root, owns
 * the upper directory, the overlay's root. */
static int overlay_temporary_upper(uid_t owner, const char *destination, int *ret_upper, int *ret_work,
                                   int *ret_mount, SetupLog *l) {
        _cleanup_close_ int fsfd = -EBADF, mnt = -EBADF, upper = -EBADF, work = -EBADF;
        int r;

        fsfd = priv_fs_open("tmpfs");
        if (fsfd < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, fsfd, 0,
                                   "Overlay=%s: the temporary upper directory", destination);
        mnt = priv_fs_create_detached(fsfd, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
        if (mnt < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, mnt, 0,
                                   "Overlay=%s: the temporary upper directory", destination);
        if (mkdirat(mnt, "upper", 0755) < 0 || mkdirat(mnt, "work", 0700) < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, 0,
                                   "Overlay=%s: the temporary upper directory", destination);
        upper = openat(mnt, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        work = openat(mnt, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (upper < 0 || work < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, 0,
                                   "Overlay=%s: the temporary upper directory", destination);
        if (owner != (uid_t) -1) {
                r = priv_chown_fd(upper, owner, owner);
                if (r < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, 0,
                                           "Overlay=%s: the temporary upper directory", destination);
        }
        *ret_upper = TAKE_FD(upper);
        *ret_work = TAKE_FD(work);
        *ret_mount = TAKE_FD(mnt);
        return 0;
}

/* The upper layer SOURCE of an Overlay= and its work directory, created next to it (overlayfs wants both on
 * one mount), as O_PATH fds. With USERNS_FD >= 0 a host SOURCE is reached through an idmapped clone of its
 * parent directory, so that what overlayfs writes there has the owners a Bind= of it would show (the
 * payload's root is 0 on disk); one in the image ("+PATH") fits already, as the root does. *RET_MOUNT is the
 * clone (-EBADF if none), to keep open until the overlay is made: its last close dissolves it, and overlayfs
 * only takes layers that are mounted. */
static int overlay_open_upper(int rootfd, int userns_fd, const char *source, int *ret_upper, int *ret_work,
                              int *ret_mount, SetupLog *l) {
        _cleanup_close_ int upper = -EBADF, parent = -EBADF, work = -EBADF, mnt = -EBADF;
        _cleanup_free_ char *workname = NULL;
        const char *base = strrchr(source, '/');
        int dir;

        base = base ? base + 1 : source;
        if (isempty(base))
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -EINVAL, 0,
                                   "Overlay=%s: the upper directory cannot be the root directory", source);
        if (asprintf(&workname, ".#%s.overlay-work", base) < 0)
                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -ENOMEM, source);
        upper = open_layer(rootfd, source);
        if (upper < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, upper, 0, "Overlay=%s: the upper directory",
                                   source);
        parent = openat(upper, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, 0, "Overlay=%s: the upper directory",
                                   source);
        if (userns_fd >= 0 && source[0] != '+') {
                _cleanup_close_ int tree = -EBADF, fd = -EBADF;
                struct stat a, b;
                int r;

                tree = priv_tree_clone(parent, "", AT_EMPTY_PATH);
                if (tree < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, tree, 0,
                                           "Overlay=%s: the upper directory", source);
                r = priv_mount_idmap(tree, userns_fd, false);
                if (r < 0)
                        return fail_not_idmappable(l, r, "Overlay", source);
                fd = openat(tree, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, 0,
                                           "Overlay=%s: the upper directory", source);
                /* The clone is of the parent's mount only: an upper directory that is a mount point of its
                 * own is not in it (nor could its work directory be next to it, on the same mount). */
                if (fstat(upper, &a) < 0 || fstat(fd, &b) < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, 0,
                                           "Overlay=%s: the upper directory", source);
                if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -EXDEV, CONTAINER_REPORT_COMPLETE,
                                           "Overlay=%s: the upper directory must not be a mount point (its "
                                           "work directory is made next to it, on the same mount)", source);
                safe_close(upper);
                upper = TAKE_FD(fd);
                mnt = TAKE_FD(tree);
        }
        /* Next to the upper directory as overlayfs gets it: in the clone, if there is one. */
        dir = mnt >= 0 ? mnt : parent;
        if (mkdirat(dir, workname, 0700) < 0 && errno != EEXIST)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, 0, "Overlay=%s: its work directory %s",
                                   source, workname);
        work = openat(dir, workname, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (work < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -errno, 0, "Overlay=%s: its work directory %s",
                                   source, workname);
        *ret_upper = TAKE_FD(upper);
        *ret_work = TAKE_FD(work);
        *ret_mount = TAKE_FD(mnt);
        return 0;
}

/* Overlay=LOWER…:UPPER:DST, OverlayReadOnly=LOWER…:DST. Layers are host paths or "+PATH" in the root, named to
 * overlayfs as /proc/self/fd/N of fds opened here. The work directory is created next to the upper one.
 *
 * With a user namespace (USERNS_FD >= 0, OWNER its root), how a writable overlay can work, measured on Linux
 * 6.18:
 *  (a) an idmapped mount of the overlay itself (made from plain layers): overlayfs does not allow it
 *      (mount_setattr(MOUNT_ATTR_IDMAP) on an overlay mount fails with EINVAL: no FS_ALLOW_IDMAP);
 *  (b) an overlay made in the user namespace (as an unprivileged user would, overlayfs is FS_USERNS_MOUNT):
 *      its layers would have to be idmapped (the host's files owned by root would be "nobody" there, and a
 *      copy-up of them fails), and overlayfs refuses layers that are detached mounts of a namespace its maker
 *      has no CAP_SYS_ADMIN in ("failed to clone upperpath"); it also creates files as the shifted UID on
 *      disk, which a machine whose range changes cannot use, and the payload's root could unmount it;
 *  (c) an overlay made by the host's root (UID 0) from an idmapped upper layer: overlayfs works on the layers
 *      as its creator, whom the idmapping does not map ("failed to create directory .../work (errno: 75);
 *      mounting read-only").
 * What we do: the overlay is made here, in the host's user namespace, from layers that are each idmapped into
 * the user namespace (the view a Bind= of that path gets; "+PATH" layers are in the root, which fits
 * already), with our fsuid/fsgid set to the payload's root (our capabilities kept) while overlayfs records its
 * creator's credentials. overlayfs does its own work (its work directory, copy-ups, whiteouts) as that
 * creator, and creates the payload's files as their owner: both go through the idmapped upper layer, so on
 * disk the payload's root is 0 and its users keep their IDs, as in the root image with
 * PrivateUsersOwnership=map (and in a chowned root, where "+PATH" layers are, its files are shifted like the
 * rest of it). The next start, whatever its range, sees them as its own. The overlay belongs to the host's
 * user namespace and is locked with the other mounts when the init enters the user namespace. */
static int mount_overlay_in_root(int rootfd, int userns_fd, uid_t owner, const CustomMount *m, SetupLog *l) {
        _cleanup_(overlay_fds_done) OverlayFds lower = {};
        _cleanup_close_ int fsfd = -EBADF, mfd = -EBADF, target = -EBADF, upper = -EBADF, work = -EBADF;
        _cleanup_close_ int upper_mount = -EBADF;
        _cleanup_(priv_fsids_pop) PrivFsids saved = {};
        const char *setting = m->read_only ? "OverlayReadOnly" : "Overlay";
        int r;

        if (userns_fd < 0)
                owner = (uid_t) -1;
        if (owner != (uid_t) -1) {
                r = priv_fsids_push(owner, owner, &saved);
                if (r < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, 0, "%s=%s: setfsuid(%u)", setting,
                                           m->destination, (unsigned) owner);
        }
        for (char **p = m->lower; p && *p; p++) {
                r = overlay_fds_add(&lower, rootfd, userns_fd, setting, *p, l);
                if (r < 0)
                        return r;
        }
        /* OverlayReadOnly=: like systemd-nspawn, the path in the upper position is the topmost lower layer. */
        if (m->read_only && m->source) {
                r = overlay_fds_add(&lower, rootfd, userns_fd, setting, m->source, l);
                if (r < 0)
                        return r;
        }
        if (!m->read_only) {
                if (m->source)
                        r = overlay_open_upper(rootfd, userns_fd, m->source, &upper, &work, &upper_mount, l);
                else
                        r = overlay_temporary_upper(owner, m->destination, &upper, &work, &upper_mount, l);
                if (r < 0)
                        return r;
        }
        fsfd = priv_fs_open("overlay");
        if (fsfd < 0)
                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, fsfd, m->destination);
        /* overlayfs stacks "lowerdir+" entries top to bottom; the settings list them bottom first. */
        for (size_t i = lower.n; i > 0; i--) {
                r = fs_set_fd_path(fsfd, "lowerdir+", lower.fds[i - 1]);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, m->destination);
        }
        if (upper >= 0) {
                r = fs_set_fd_path(fsfd, "upperdir", upper);
                if (r >= 0)
                        r = fs_set_fd_path(fsfd, "workdir", work);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, m->destination);
        }

        r = priv_create_in_root(rootfd, m->destination, true);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, m->destination);
        target = priv_open_in_root(rootfd, m->destination);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, target, m->destination);
        mfd = priv_fs_attach(fsfd, m->read_only ? MOUNT_ATTR_RDONLY : 0, target);
        if (mfd < 0)
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, mfd, 0, "%s=%s: the overlay", setting,
                                   m->destination);
        return 0;
}

int mount_fstype(int dirfd, const char *path, char **ret) {
        struct libmnt_table *table = NULL;
        struct libmnt_iter *iter = NULL;
        struct libmnt_fs *fs;
        struct statx stx;
        const char *type = NULL;
        char *t;
        int r;

        if (statx(dirfd, path, AT_EMPTY_PATH | AT_NO_AUTOMOUNT, STATX_MNT_ID, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        r = dlopen_libmount();
        if (r < 0)
                return r;
        table = sym_mnt_new_table_from_file("/proc/self/mountinfo");
        iter = table ? sym_mnt_new_iter(MNT_ITER_FORWARD) : NULL;
        while (iter && sym_mnt_table_next_fs(table, iter, &fs) == 0)
                if ((uint64_t) sym_mnt_fs_get_id(fs) == stx.stx_mnt_id) {
                        type = sym_mnt_fs_get_fstype(fs);
                        break;
                }
        t = type ? strdup(type) : NULL;
        sym_mnt_free_iter(iter);
        sym_mnt_unref_table(table);
        if (!type)
                return -ENOENT;
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

/* SETTING=SOURCE: the host path SOURCE could not be idmapped into the user namespace (R from
 * priv_mount_idmap()). The error names the setting, the path and its file system type. */
static int fail_not_idmappable(SetupLog *l, int r, const char *setting, const char *source) {
        _cleanup_free_ char *type = NULL;

        (void) mount_fstype(AT_FDCWD, source, &type);
        if (IN_SET(r, -EINVAL, -EOPNOTSUPP, -EPERM))
                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, CONTAINER_REPORT_COMPLETE,
                                   "%s=%s: its file system (%s) cannot be idmapped into the user namespace "
                                   "(PrivateUsers=); use a source on a file system that can (tmpfs, ext4, "
                                   "btrfs, xfs, ...), or PrivateUsers=no", setting, source, type ?: "unknown");
        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, 0,
                           "%s=%s: an idmapped mount for the user namespace (PrivateUsers=) on %s", setting,
                           source, type ?: "unknown");
}

int mounts_setup_custom(int rootfd, int userns_fd, const ContainerConfig *c, SetupLog *l) {
        for (size_t i = 0; i < c->n_custom_mounts; i++) {
                const CustomMount *m = c->custom_mounts + i;
                int r;

                switch (m->type) {
                case CUSTOM_MOUNT_BIND: {
                        _cleanup_close_ int tree = -EBADF;
                        BindIdmap idmap;
                        bool recursive;

                        r = mount_bind_options_parse(m->options, &recursive, &idmap);
                        if (r < 0)
                                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, m->destination);
                        /* ":idmap" only means something with a user namespace, where every host source is
                         * idmapped anyway. */
                        if (!m->source || (idmap != BIND_IDMAP_NO && userns_fd < 0))
                                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -EOPNOTSUPP, m->destination);
                        tree = clone_bind_source(rootfd, m->source, recursive);
                        if (tree < 0)
                                return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, tree, m->source);
                        /* PrivateUsers=: a host directory is idmapped into the user namespace (its root is the
                         * payload's root); one from the image ("+PATH") fits already. Where its file system
                         * cannot be idmapped the start fails: bound as it is, its files would keep their host
                         * owners (and the payload's root could not use it as its own), which is not what a
                         * Bind= asks for (systemd-nspawn -U binds it so without ":idmap"). */
                        if (userns_fd >= 0 && m->source[0] != '+') {
                                r = priv_mount_idmap(tree, userns_fd, recursive);
                                if (r < 0)
                                        return fail_not_idmappable(l, r, m->read_only ? "BindReadOnly" : "Bind",
                                                                   m->source);
                        }
                        r = priv_attach_in_root(rootfd, tree, m->destination, m->read_only);
                        break;
                }
                case CUSTOM_MOUNT_TMPFS:
                        r = mount_tmpfs_in_root(rootfd, m->destination, m->options,
                                                userns_fd >= 0 ? c->userns_shift : (uid_t) -1);
                        break;
                case CUSTOM_MOUNT_OVERLAY:
                        r = mount_overlay_in_root(rootfd, userns_fd, c->userns_shift, m, l);
                        if (r < 0)
                                return r;
                        break;
                default:
                        r = -EOPNOTSUPP;
                }
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, m->destination);
        }
        return 0;
}

static int mount_set_propagation(int rootfd, const ContainerMount *m) {
        struct mount_attr a = { .propagation = m->propagation };
        _cleanup_close_ int fd = -EBADF;

        if (m->propagation == 0)
                return 0;
        /* The new mount, as it is attached now (a detached tree has no peer group to join). */
        fd = priv_open_in_root(rootfd, m->destination);
        if (fd < 0)
                return fd;
        return priv_mount_setattr(fd, m->recursive, &a);
}

static int mount_model_bind(int rootfd, const ContainerMount *m) {
        struct mount_attr a = { .attr_set = m->attr };
        _cleanup_close_ int tree = -EBADF;
        int r;

        /* A host path: only the trusted caller names one. */
        tree = priv_tree_clone(AT_FDCWD, m->source, m->recursive ? AT_RECURSIVE : 0);
        if (tree < 0)
                return tree;
        if (m->attr != 0) {
                r = priv_mount_setattr(tree, m->recursive, &a);
                if (r < 0)
                        return r;
        }
        return priv_attach_in_root(rootfd, tree, m->destination, false);
}

static int mount_model_fs(int rootfd, const ContainerMount *m) {
        _cleanup_close_ int fsfd = -EBADF, target = -EBADF, mfd = -EBADF;
        int r;

        fsfd = priv_fs_open(m->type);
        if (fsfd < 0)
                return fsfd;
        if (m->source) {
                r = priv_fs_set(fsfd, "source", m->source);
                if (r < 0)
                        return r;
        }
        for (char **o = m->options; o && *o; o++) {
                _cleanup_free_ char *key = NULL;
                const char *eq = strchr(*o, '=');

                key = eq ? strndup(*o, eq - *o) : strdup(*o);
                if (!key)
                        return -ENOMEM;
                r = priv_fs_set(fsfd, key, eq ? eq + 1 : NULL);
                if (r < 0)
                        return r;
        }
        r = priv_create_in_root(rootfd, m->destination, true);
        if (r < 0)
                return r;
        target = priv_open_in_root(rootfd, m->destination);
        if (target < 0)
                return target;
        mfd = priv_fs_attach(fsfd, m->attr, target);
        return mfd < 0 ? mfd : 0;
}

int mounts_setup_model(int rootfd, const ContainerConfig *c, SetupLog *l) {
        for (size_t i = 0; i < c->n_mounts; i++) {
                const ContainerMount *m = c->mounts + i;
                int r;

                r = streq(m->type, "bind") ? mount_model_bind(rootfd, m) : mount_model_fs(rootfd, m);
                if (r >= 0)
                        r = mount_set_propagation(rootfd, m);
                if (r < 0)
                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, 0, "%s on %s", m->type,
                                           m->destination);
        }
        return 0;
}

/* Covers TARGET (an O_PATH fd inside the root) read-only with the node of its type from INACCESSIBLE_FD. */
static int mask_one(int inaccessible_fd, int target) {
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                             MOUNT_ATTR_NOEXEC };
        _cleanup_close_ int tree = -EBADF;
        const char *node;
        struct stat st;
        int r;

        if (fstat(target, &st) < 0)
                return -errno;
        node = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "reg" : S_ISFIFO(st.st_mode) ? "fifo" :
               S_ISSOCK(st.st_mode) ? "sock" : S_ISCHR(st.st_mode) ? "chr" : S_ISBLK(st.st_mode) ? "blk" : NULL;
        if (!node)
                return -EBADFD;
        tree = priv_tree_clone(inaccessible_fd, node, AT_SYMLINK_NOFOLLOW);
        if (tree < 0)
                return tree;
        r = priv_mount_setattr(tree, false, &ro);
        if (r < 0)
                return r;
        return priv_move_mount(tree, target);
}

int mounts_setup_inaccessible(int rootfd, int inaccessible_fd, const ContainerConfig *c, SetupLog *l) {
        for (char **p = c->inaccessible; p && *p; p++) {
                _cleanup_close_ int target = -EBADF;
                int r;

                target = priv_open_in_root(rootfd, *p);
                if (target == -ENOENT) {
                        setup_warn(l, ENOENT, "Inaccessible=%s: does not exist, skipping", *p);
                        continue;
                }
                if (target < 0)
                        return setup_fail(l, CONTAINER_STAGE_INACCESSIBLE, target, *p);
                r = mask_one(inaccessible_fd, target);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_INACCESSIBLE, r, *p);
        }
        return 0;
}

int mounts_setup_masks(int rootfd, int inaccessible_fd, const ContainerConfig *c, SetupLog *l) {
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

        /* Read-only first (recursively, a bind of the path over itself), then the masks over everything. A
         * path that does not exist is skipped, as runc does. */
        for (char **p = c->readonly_paths; p && *p; p++) {
                _cleanup_close_ int target = -EBADF, tree = -EBADF;
                int r;

                target = priv_open_in_root(rootfd, *p);
                if (target == -ENOENT)
                        continue;
                if (target < 0)
                        return setup_fail(l, CONTAINER_STAGE_MASKS, target, *p);
                tree = priv_tree_clone(target, "", AT_EMPTY_PATH | AT_RECURSIVE);
                if (tree < 0)
                        return setup_fail(l, CONTAINER_STAGE_MASKS, tree, *p);
                r = priv_mount_setattr(tree, true, &ro);
                if (r >= 0)
                        r = priv_move_mount(tree, target);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_MASKS, r, *p);
        }
        for (char **p = c->masked_paths; p && *p; p++) {
                _cleanup_close_ int target = -EBADF;
                int r;

                target = priv_open_in_root(rootfd, *p);
                if (target == -ENOENT)
                        continue;
                if (target < 0)
                        return setup_fail(l, CONTAINER_STAGE_MASKS, target, *p);
                r = mask_one(inaccessible_fd, target);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_MASKS, r, *p);
        }
        return 0;
}

/* Whether PATH is ROOT or below it. */
static bool path_below(const char *path, const char *root) {
        size_t n = strlen(root);

        while (n > 1 && root[n - 1] == '/')
                n--;
        return strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/');
}

int mounts_move_root(const ContainerConfig *c, int rootfd, SetupLog *l) {
        struct libmnt_table *table = NULL;
        struct libmnt_iter *iter = NULL;
        char fdpath[64], root[PATH_MAX];
        struct libmnt_fs *fs;
        ssize_t n;
        int r = 0;

        /* The root as mountinfo names it: resolved (the configured path may go through a symlink, a bundle's
         * rootfs may be one), from the fd we hold. */
        (void) snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%i", rootfd);
        n = readlink(fdpath, root, sizeof(root) - 1);
        if (n <= 0 || root[0] != '/')
                return setup_fail(l, CONTAINER_STAGE_PIVOT_ROOT, n < 0 ? -errno : -EBADF, c->root);
        root[n] = 0;

        /* runc's msMoveRoot: the host's full proc and sysfs mounts would stay in the mount namespace below the
         * moved root, where the kernel counts them as "fully visible" and so lets a new proc or sysfs be
         * mounted without the root's masks. They go first: unmounted (our namespace's copies; everything is a
         * slave, nothing propagates), or covered with an empty tmpfs where they cannot be (locked). */
        r = dlopen_libmount();
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_PIVOT_ROOT, r, "libmount");
        table = sym_mnt_new_table_from_file("/proc/self/mountinfo");
        iter = table ? sym_mnt_new_iter(MNT_ITER_FORWARD) : NULL;
        if (!iter)
                r = setup_fail(l, CONTAINER_STAGE_PIVOT_ROOT, -ENOMEM, "/proc/self/mountinfo");
        while (r >= 0 && iter && sym_mnt_table_next_fs(table, iter, &fs) == 0) {
                const char *target = sym_mnt_fs_get_target(fs), *type = sym_mnt_fs_get_fstype(fs);
                const char *fsroot = sym_mnt_fs_get_root(fs);
                _cleanup_close_ int fd = -EBADF;
                int k;

                if (!target || !type || !streq_ptr(fsroot, "/") || !(streq(type, "proc") || streq(type, "sysfs")) ||
                    path_below(target, root))
                        continue;
                k = priv_umount_detach(target);
                if (k >= 0 || k == -ENOENT)
                        continue; /* gone, or below one that was */
                if (!IN_SET(k, -EINVAL, -EPERM)) {
                        r = setup_failf(l, CONTAINER_STAGE_PIVOT_ROOT, k, 0, "--no-pivot: unmount %s", target);
                        break;
                }
                fd = open(target, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                k = fd < 0 ? -errno : priv_fs_mount(fd, "tmpfs", NULL, MOUNT_ATTR_RDONLY);
                if (k < 0)
                        r = setup_failf(l, CONTAINER_STAGE_PIVOT_ROOT, k, 0, "--no-pivot: cover %s", target);
                else
                        safe_close(k);
        }
        sym_mnt_free_iter(iter);
        sym_mnt_unref_table(table);
        if (r < 0)
                return r;

        r = priv_move_root(rootfd);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_PIVOT_ROOT, r, c->root);
        return 0;
}
