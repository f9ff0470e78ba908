/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ResolvConf= and Timezone=. Writes go to the container's /etc, opened inside the root; the file is never
 * followed if it is a symlink (copy modes leave a symlink alone, replace modes remove it). Sources are host
 * files. */

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "nspawn-etc.h"
#include "priv/priv.h"
#include "util.h"

static void tmp_name(char *buf, size_t size, const char *name) {
        uint64_t r = 0;

        if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
                r = now(CLOCK_MONOTONIC) ^ (uint64_t) (uintptr_t) buf;
        snprintf(buf, size, ".#%s.%016" PRIx64, name, r);
}

/* Copies the host file SOURCE to NAME in the directory ETCFD, replacing what is there atomically (several
 * machines may share a root and do this at the same time). */
static int copy_file_at(const char *source, int etcfd, const char *name) {
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        char buf[8192], tmp[64];
        ssize_t n;

        in = open(source, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        /* O_TMPFILE needs the file system's support; a random name does not. (Not the PID: in its new PID
         * namespace every container's init is 1.) */
        tmp_name(tmp, sizeof(tmp), name);
        (void) unlinkat(etcfd, tmp, 0);
        out = openat(etcfd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (out < 0)
                return -errno;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, n) != n) {
                        (void) unlinkat(etcfd, tmp, 0);
                        return -EIO;
                }
        if (n < 0 || renameat(etcfd, tmp, etcfd, name) < 0) {
                int e = errno;
                (void) unlinkat(etcfd, tmp, 0);
                return -e;
        }
        return 0;
}

static int bind_host_file(int rootfd, const char *source, const char *destination) {
        _cleanup_close_ int tree = -EBADF;

        tree = priv_tree_clone(AT_FDCWD, source, 0);
        if (tree < 0)
                return tree;
        return priv_attach_in_root(rootfd, tree, destination, true);
}

static int setup_resolv_conf(int rootfd, int etcfd, const ContainerConfig *c, SetupLog *l) {
        static const char *const resolv_sources[] = {
                "/etc/resolv.conf", "/usr/lib/systemd/resolv.conf", "/run/systemd/resolve/resolv.conf",
                "/run/systemd/resolve/stub-resolv.conf",
        };
        int mode = c->resolv_conf, r = 0;
        struct stat st;
        bool exists, is_link;

        exists = fstatat(etcfd, "resolv.conf", &st, AT_SYMLINK_NOFOLLOW) >= 0;
        is_link = exists && S_ISLNK(st.st_mode);
        if (mode == RESOLV_CONF_AUTO)
                mode = c->read_only ? RESOLV_CONF_BIND_HOST : RESOLV_CONF_COPY_HOST;

        if (mode == RESOLV_CONF_DELETE) {
                if (exists && unlinkat(etcfd, "resolv.conf", 0) < 0)
                        r = -errno;
        } else if (mode >= RESOLV_CONF_COPY_HOST && mode <= RESOLV_CONF_COPY_STUB) {
                if (!is_link)
                        r = copy_file_at(resolv_sources[mode - RESOLV_CONF_COPY_HOST], etcfd, "resolv.conf");
        } else if (mode >= RESOLV_CONF_REPLACE_HOST && mode <= RESOLV_CONF_REPLACE_STUB)
                r = copy_file_at(resolv_sources[mode - RESOLV_CONF_REPLACE_HOST], etcfd, "resolv.conf");
        else if (mode >= RESOLV_CONF_BIND_HOST && mode <= RESOLV_CONF_BIND_STUB)
                r = bind_host_file(rootfd, resolv_sources[mode - RESOLV_CONF_BIND_HOST], "/etc/resolv.conf");

        if (r == -ENOENT) {
                setup_warn(l, ENOENT, "ResolvConf=: the host file does not exist, leaving /etc/resolv.conf alone");
                r = 0;
        } else if (r == -EROFS) {
                setup_warn(l, EROFS, "ResolvConf=: /etc is read-only, leaving /etc/resolv.conf alone");
                r = 0;
        }
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_ETC, r, "/etc/resolv.conf");
        return 0;
}

static int setup_timezone(int rootfd, int etcfd, const ContainerConfig *c, SetupLog *l) {
        char target[PATH_MAX];
        const char *zone = NULL;
        int mode = c->timezone, r = 0;
        struct stat st;
        bool exists;
        ssize_t n;

        n = readlink("/etc/localtime", target, sizeof(target) - 1);
        if (n > 0) {
                target[n] = 0;
                zone = strstr(target, "zoneinfo/");
                if (zone)
                        zone += strlen("zoneinfo/");
        }
        exists = fstatat(etcfd, "localtime", &st, AT_SYMLINK_NOFOLLOW) >= 0;

        if (mode == TIMEZONE_AUTO) {
                char p[PATH_MAX];
                _cleanup_close_ int z = -EBADF;

                snprintf(p, sizeof(p), "/usr/share/zoneinfo/%s", strempty(zone));
                z = zone ? priv_open_in_root(rootfd, p) : -ENOENT;
                mode = c->read_only ? TIMEZONE_BIND : z >= 0 ? TIMEZONE_SYMLINK : TIMEZONE_COPY;
        }

        if (mode == TIMEZONE_DELETE) {
                if (exists && unlinkat(etcfd, "localtime", 0) < 0)
                        r = -errno;
        } else if (access("/etc/localtime", F_OK) < 0)
                setup_warn(l, ENOENT, "Timezone=: the host has no /etc/localtime, leaving it alone");
        else if (mode == TIMEZONE_COPY)
                r = copy_file_at("/etc/localtime", etcfd, "localtime");
        else if (mode == TIMEZONE_SYMLINK) {
                char p[PATH_MAX];

                snprintf(p, sizeof(p), "../usr/share/zoneinfo/%s", zone ?: "UTC");
                (void) unlinkat(etcfd, "localtime", 0);
                if (symlinkat(p, etcfd, "localtime") < 0)
                        r = -errno;
        } else if (mode == TIMEZONE_BIND && !(exists && S_ISLNK(st.st_mode)))
                r = bind_host_file(rootfd, "/etc/localtime", "/etc/localtime");

        if (r == -EROFS) {
                setup_warn(l, EROFS, "Timezone=: /etc is read-only, leaving /etc/localtime alone");
                r = 0;
        }
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_ETC, r, "/etc/localtime");
        return 0;
}

int policy_setup_etc(int rootfd, const ContainerConfig *c, SetupLog *l) {
        _cleanup_close_ int etcfd = -EBADF;
        int r;

        if (c->resolv_conf <= RESOLV_CONF_OFF && c->timezone <= TIMEZONE_OFF)
                return 0;

        etcfd = priv_openat2(rootfd, "/etc", O_RDONLY | O_DIRECTORY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (etcfd < 0)
                return 0; /* no /etc: nothing to configure */

        if (c->resolv_conf > RESOLV_CONF_OFF) {
                r = setup_resolv_conf(rootfd, etcfd, c, l);
                if (r < 0)
                        return r;
        }
        if (c->timezone > TIMEZONE_OFF) {
                r = setup_timezone(rootfd, etcfd, c, l);
                if (r < 0)
                        return r;
        }
        return 0;
}
