/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's init, PrivateUsers= steps (init.c runs them): fitting the root directory to the user
 * namespace, handing what the runtime made to the payload's root, entering the user namespace. */
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init-userns.h"
#include "macro.h"
#include "priv/priv.h"

/* PrivateUsers=: makes the root directory fit the user namespace, and binds it onto itself. "map" (and "auto"
 * where the file system allows it) idmaps the bind: the image's UID 0 is the shifted root, nothing on disk
 * changes. "chown" (and "auto" otherwise) shifts the owners on disk once: the root directory's owner records
 * that it is done (as nspawn does). "off" leaves the files as they are (owned by "nobody" inside). */
int setup_root_userns(const ContainerConfig *c, int userns_fd, bool *ret_idmapped, SetupLog *l) {
        int ownership = c->userns_ownership;
        struct stat st;
        int r;

        if (stat(c->root, &st) < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_ROOT, -errno, c->root);
        /* Already shifted to this range (an earlier chown): nothing to map or change. */
        if (ownership == USER_NAMESPACE_OWNERSHIP_AUTO && st.st_uid == c->userns_shift && c->userns_shift != 0)
                ownership = USER_NAMESPACE_OWNERSHIP_OFF;

        if (IN_SET(ownership, USER_NAMESPACE_OWNERSHIP_MAP, USER_NAMESPACE_OWNERSHIP_AUTO)) {
                r = priv_bind_idmapped_self(c->root, userns_fd);
                if (r >= 0) {
                        *ret_idmapped = true;
                        return 0;
                }
                if (ownership == USER_NAMESPACE_OWNERSHIP_MAP || (c->userns_shift & UINT32_C(0xFFFF)) != 0 ||
                    c->userns_range != 0x10000)
                        return setup_failf(l, CONTAINER_STAGE_USER_NAMESPACE, r, 0,
                                           "PrivateUsersOwnership=%s: an idmapped mount of %s",
                                           ownership == USER_NAMESPACE_OWNERSHIP_MAP ? "map" : "auto", c->root);
                setup_warn(l, -r, "The file system of %s cannot be idmapped: shifting the owners of its files "
                           "to the range at %u instead (PrivateUsersOwnership=chown)", c->root,
                           (unsigned) c->userns_shift);
                ownership = USER_NAMESPACE_OWNERSHIP_CHOWN;
        }
        if (ownership == USER_NAMESPACE_OWNERSHIP_CHOWN && (st.st_uid != c->userns_shift ||
                                                            st.st_gid != c->userns_shift)) {
                r = priv_chown_tree(c->root, c->userns_shift);
                if (r < 0)
                        return setup_failf(l, CONTAINER_STAGE_USER_NAMESPACE, r, 0,
                                           "PrivateUsersOwnership=chown: %s", c->root);
        }
        r = priv_mount_bind_self(c->root);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_ROOT, r, c->root);
        return 0;
}

/* PrivateUsers=: the file systems the runtime makes for the payload (/dev, /run, /tmp, its console) belong
 * to its (shifted) root, as they would to root without a user namespace. */
int userns_own(const ContainerConfig *c, int fd, const char *what, SetupLog *l) {
        int r;

        if (c->userns_range == 0)
                return 0;
        r = priv_chown_fd(fd, c->userns_shift, c->userns_shift);
        return r < 0 ? setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, r, what) : 0;
}

int userns_own_at(const ContainerConfig *c, int dirfd, const char *name, const char *what, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;

        if (c->userns_range == 0)
                return 0;
        fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, -errno, what);
        return userns_own(c, fd, what, l);
}

/* PrivateUsers=, last of the privileged steps: the payload's cgroup is handed to its root (as nspawn does,
 * so that a systemd inside can manage it), then the init enters the user namespace, with new mount, UTS, IPC
 * and cgroup namespaces owned by it (container-config.h), and becomes its root. */
int enter_user_namespace(const ContainerConfig *c, int userns_fd, SetupLog *l) {
        static const char *const cgroup_files[] = { "cgroup.procs", "cgroup.threads", "cgroup.subtree_control" };
        _cleanup_close_ int cg = -EBADF;
        int flags = CLONE_NEWNS, r;
        bool new_cgroup;

        cg = open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (cg < 0)
                return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, -errno, "/sys/fs/cgroup");
        r = userns_own(c, cg, "/sys/fs/cgroup", l);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(cgroup_files); i++) {
                r = userns_own_at(c, cg, cgroup_files[i], cgroup_files[i], l);
                if (r < 0)
                        return r;
        }
        /* A joined mount namespace stays the one the payload runs in (its owner's mounts are not locked). */
        if (container_config_joined_namespace(c, CONTAINER_NAMESPACE_MOUNT))
                flags = 0;
        if (container_config_new_namespace(c, CONTAINER_NAMESPACE_UTS))
                flags |= CLONE_NEWUTS;
        /* A new IPC namespace would lose the sysctls set in the current one. */
        if (container_config_new_namespace(c, CONTAINER_NAMESPACE_IPC) && (!c->sysctls || !c->sysctls[0]))
                flags |= CLONE_NEWIPC;
        /* PrivateUsers=: the cgroup namespace too, rooted where policy_setup_cgroup() rooted its own (our
         * cgroup has not changed since), and a cgroup2 mount of it over the one made for that. A joined user
         * namespace (OCI) keeps the cgroup namespace made or joined before. */
        new_cgroup = c->userns_range > 0 && (flags & CLONE_NEWNS) &&
                     container_config_new_namespace(c, CONTAINER_NAMESPACE_CGROUP);
        r = priv_enter_userns(userns_fd, flags | (new_cgroup ? CLONE_NEWCGROUP : 0));
        if (r < 0) {
                for (size_t i = 0; i < c->n_join_namespaces; i++)
                        if (c->join_namespaces[i].type == CONTAINER_NAMESPACE_USER)
                                return setup_failf(l, CONTAINER_STAGE_NAMESPACES, r, 0, "%s (%s)",
                                                   c->join_namespaces[i].origin ?: c->join_namespaces[i].path,
                                                   c->join_namespaces[i].path);
                return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, r, "setns");
        }
        if (new_cgroup) {
                /* CG is of the mount namespace we left: the new one's /sys/fs/cgroup is another mount. */
                safe_close(cg);
                cg = open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (cg < 0)
                        return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, -errno, "/sys/fs/cgroup");
                r = priv_fs_mount(cg, "cgroup2", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                                  (c->cgroup_read_only ? MOUNT_ATTR_RDONLY : 0));
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, r,
                                          "/sys/fs/cgroup in the user namespace");
                safe_close(r);
        }
        r = priv_switch_user(0, 0, NULL, 0);
        /* A joined user namespace whose owner denied setgroups() (unshare --map-root-user does): the groups
         * cannot change, the IDs can. */
        if (r == -EPERM && c->userns_range == 0)
                r = priv_switch_ids(0, 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_USER_NAMESPACE, r, "root in the user namespace");
        return 0;
}
