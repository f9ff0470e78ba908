/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdio.h>

#include "priv/priv.h"
#include "sysctl.h"

int sysctl_apply(int procfd, const ContainerConfig *c, SetupLog *l) {
        for (char **s = c->sysctls; s && *s; s++) {
                _cleanup_free_ char *path = NULL;
                _cleanup_close_ int fd = -EBADF;
                const char *eq = strchr(*s, '='), *value;
                size_t n;
                int r;

                if (!eq)
                        return setup_fail(l, CONTAINER_STAGE_SYSCTL, -EINVAL, *s);
                /* Re-checked here: the key names a file below /proc/sys, and must stay namespaced. */
                path = strndup(*s, eq - *s);
                if (!path)
                        return setup_fail(l, CONTAINER_STAGE_SYSCTL, -ENOMEM, *s);
                r = sysctl_key_check(path, c->private_network,
                                     !container_config_joined_namespace(c, CONTAINER_NAMESPACE_IPC));
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SYSCTL, r, *s);
                for (char *p = path; *p; p++)
                        if (*p == '.')
                                *p = '/';
                {
                        _cleanup_free_ char *full = NULL;
                        if (asprintf(&full, "sys/%s", path) < 0)
                                return setup_fail(l, CONTAINER_STAGE_SYSCTL, -ENOMEM, *s);
                        fd = priv_openat2(procfd, full, O_WRONLY | O_NOFOLLOW, 0,
                                          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
                }
                if (fd < 0)
                        return setup_fail(l, CONTAINER_STAGE_SYSCTL, fd, *s);
                value = eq + 1;
                n = strlen(value);
                if (write(fd, value, n) != (ssize_t) n)
                        return setup_fail(l, CONTAINER_STAGE_SYSCTL, errno > 0 ? -errno : -EIO, *s);
        }
        return 0;
}
