/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI linux.devices. Everything happens inside our /dev tmpfs, which holds only what we created: walked one
 * component at a time without following symlinks (the /dev/fd, /dev/stdin... links are ours too, but a device
 * path must not pass through them). */

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devices.h"
#include "priv/priv.h"

static int open_parent(int devfd, char *rel, char **ret_base) {
        _cleanup_close_ int dir = -EBADF;
        char *s = rel, *slash;

        dir = fcntl(devfd, F_DUPFD_CLOEXEC, 3);
        if (dir < 0)
                return -errno;
        while ((slash = strchr(s, '/'))) {
                int fd;

                *slash = 0;
                if (mkdirat(dir, s, 0755) < 0 && errno != EEXIST)
                        return -errno;
                fd = openat(dir, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                *slash = '/';
                if (fd < 0)
                        return -errno;
                safe_close(dir);
                dir = fd;
                s = slash + 1;
        }
        *ret_base = s;
        return TAKE_FD(dir);
}

int devices_setup(int devfd, const ContainerConfig *c, SetupLog *l) {
        for (size_t i = 0; i < c->n_devices; i++) {
                const ContainerDevice *d = c->devices + i;
                _cleanup_free_ char *rel = NULL;
                _cleanup_close_ int dir = -EBADF;
                char *base = NULL;
                int r;

                if (!startswith(d->path, "/dev/"))
                        return setup_fail(l, CONTAINER_STAGE_DEVICES, -EINVAL, d->path);
                rel = strdup(d->path + 5);
                if (!rel)
                        return setup_fail(l, CONTAINER_STAGE_DEVICES, -ENOMEM, d->path);
                dir = open_parent(devfd, rel, &base);
                if (dir < 0)
                        return setup_fail(l, CONTAINER_STAGE_DEVICES, dir, d->path);
                if (unlinkat(dir, base, 0) < 0 && errno != ENOENT)
                        return setup_fail(l, CONTAINER_STAGE_DEVICES, -errno, d->path);
                r = priv_mknodat(dir, base, d->type | (d->mode & 07777), makedev(d->major, d->minor));
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_DEVICES, r, d->path);
                /* Exactly the mode and owner asked for, whatever the umask did to the mknod. */
                if (fchmodat(dir, base, d->mode & 07777, 0) < 0 ||
                    fchownat(dir, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return setup_fail(l, CONTAINER_STAGE_DEVICES, -errno, d->path);
        }
        return 0;
}
