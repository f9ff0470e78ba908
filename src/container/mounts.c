/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model's own mounts: what the settings add (Bind=, TemporaryFileSystem=, Overlay=) and mask
 * (Inaccessible=). Sources are host paths (trusted: only trusted settings files may name one) or "+PATH" inside
 * the root; destinations are always resolved inside the root. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <libmount/libmount.h>

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

                r = mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
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
        if (!o.data || mnt_optstr_get_option(o.data, "mode", &value, &valuesz) != 0) {
                r = priv_fs_set(fsfd, "mode", "0755");
                if (r < 0)
                        return r;
        }
        if (owner != (uid_t) -1) {
                char id[16];

                snprintf(id, sizeof(id), "%u", (unsigned) owner);
                if (!o.data || mnt_optstr_get_option(o.data, "uid", &value, &valuesz) != 0) {
                        r = priv_fs_set(fsfd, "uid", id);
                        if (r < 0)
                                return r;
                }
                if (!o.data || mnt_optstr_get_option(o.data, "gid", &value, &valuesz) != 0) {
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

static int overlay_fds_add(OverlayFds *o, int rootfd, const char *source) {
        int fd;

        if (o->n >= OVERLAY_LAYERS_MAX)
                return -E2BIG;
        fd = open_layer(rootfd, source);
        if (fd < 0)
                return fd;
        o->fds[o->n++] = fd;
        return 0;
}

static int fs_set_fd_path(int fsfd, const char *key, int fd) {
        char path[64];

        snprintf(path, sizeof(path), "/proc/self/fd/%i", fd);
        return priv_fs_set(fsfd, key, path);
}

/* Overlay=LOWER…:UPPER:DST, OverlayReadOnly=LOWER…:DST. Layers are host paths or "+PATH" in the root, named to
 * overlayfs as /proc/self/fd/N of fds opened here. The work directory is created next to the upper one. */
static int mount_overlay_in_root(int rootfd, const CustomMount *m) {
        _cleanup_(overlay_fds_done) OverlayFds lower = {};
        _cleanup_close_ int fsfd = -EBADF, mfd = -EBADF, target = -EBADF, upper = -EBADF, work = -EBADF,
                            parent = -EBADF;
        int r;

        for (char **l = m->lower; l && *l; l++) {
                r = overlay_fds_add(&lower, rootfd, *l);
                if (r < 0)
                        return r;
        }
        /* OverlayReadOnly=: like systemd-nspawn, the path in the upper position is the topmost lower layer. */
        if (m->read_only && m->source) {
                r = overlay_fds_add(&lower, rootfd, m->source);
                if (r < 0)
                        return r;
        }

        fsfd = priv_fs_open("overlay");
        if (fsfd < 0)
                return fsfd;
        /* overlayfs stacks "lowerdir+" entries top to bottom; the settings list them bottom first. */
        for (size_t i = lower.n; i > 0; i--) {
                r = fs_set_fd_path(fsfd, "lowerdir+", lower.fds[i - 1]);
                if (r < 0)
                        return r;
        }

        if (!m->read_only) {
                _cleanup_free_ char *workname = NULL;
                const char *base;

                if (!m->source)
                        return -EOPNOTSUPP; /* a temporary upper directory */
                upper = open_layer(rootfd, m->source);
                if (upper < 0)
                        return upper;
                parent = openat(upper, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (parent < 0)
                        return -errno;
                base = strrchr(m->source, '/');
                if (asprintf(&workname, ".#%s.overlay-work", base ? base + 1 : m->source) < 0)
                        return -ENOMEM;
                if (mkdirat(parent, workname, 0700) < 0 && errno != EEXIST)
                        return -errno;
                work = openat(parent, workname, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (work < 0)
                        return -errno;
                r = fs_set_fd_path(fsfd, "upperdir", upper);
                if (r < 0)
                        return r;
                r = fs_set_fd_path(fsfd, "workdir", work);
                if (r < 0)
                        return r;
        }

        r = priv_create_in_root(rootfd, m->destination, true);
        if (r < 0)
                return r;
        target = priv_open_in_root(rootfd, m->destination);
        if (target < 0)
                return target;
        mfd = priv_fs_attach(fsfd, m->read_only ? MOUNT_ATTR_RDONLY : 0, target);
        return mfd < 0 ? mfd : 0;
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
                         * cannot be idmapped, it is bound as it is, as systemd-nspawn -U binds without ":idmap"
                         * (its files keep their host owners: "nobody" inside unless in the range; the mount is
                         * locked all the same), unless ":idmap" asked for it. */
                        if (userns_fd >= 0 && m->source[0] != '+') {
                                r = priv_mount_idmap(tree, userns_fd, recursive);
                                if (r < 0 && (idmap != BIND_IDMAP_NO || !IN_SET(r, -EINVAL, -EOPNOTSUPP, -EPERM)))
                                        return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, r, 0,
                                                           "Bind=%s: an idmapped mount for the user namespace "
                                                           "(PrivateUsers=)", m->source);
                                if (r < 0)
                                        setup_warn(l, -r, "Bind=%s: its file system cannot be idmapped into the user "
                                                   "namespace (PrivateUsers=): bound without, its files keep their "
                                                   "host owners", m->source);
                        }
                        r = priv_attach_in_root(rootfd, tree, m->destination, m->read_only);
                        break;
                }
                case CUSTOM_MOUNT_TMPFS:
                        r = mount_tmpfs_in_root(rootfd, m->destination, m->options,
                                                userns_fd >= 0 ? c->userns_shift : (uid_t) -1);
                        break;
                case CUSTOM_MOUNT_OVERLAY:
                        if (userns_fd >= 0)
                                return setup_failf(l, CONTAINER_STAGE_CUSTOM_MOUNTS, -EOPNOTSUPP,
                                                   CONTAINER_REPORT_COMPLETE,
                                                   "Overlay=%s: not supported with PrivateUsers= yet",
                                                   m->destination);
                        r = mount_overlay_in_root(rootfd, m);
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
