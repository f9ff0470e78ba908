/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container set-up module. Every privileged system call of machined-ext lives in this file, so that
 * it can be audited in one place. The trust argument, in short:
 *
 *  - The root directory path comes from the daemon's trusted configuration (the machine name, validated as
 *    a hostname, under /var/lib/machines, or a Directory= from a trusted settings file). Its *contents* are
 *    untrusted: the image may contain symlinks planted to redirect our mounts to the host (CVE-2021-30465,
 *    CVE-2024-45310). So every mount target inside the root is opened relative to the root's fd with
 *    openat2(RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS), and mounted by fd with the new mount
 *    API (fsopen/fsmount/move_mount, open_tree). A /proc, /sys or /dev that is a symlink fails the start.
 *  - Everything happens in the child's own mount namespace, whose root was first made a recursive slave:
 *    no mount made here propagates back to the host, and all of them vanish with the namespace.
 *  - Mask sources (/dev/null, empty tmpfs) are objects this module created itself, never image paths
 *    (CVE-2025-31133).
 *  - Before exec: every fd above stderr is closed (CVE-2024-21626), the working directory is the new root,
 *    the capability bounding set is reduced to systemd-nspawn's default set, inheritable and ambient sets
 *    are cleared (CVE-2022-29162), a seccomp filter denies the calls that reach past the namespaces, and the
 *    signal mask and dispositions are reset. The host binary of the caller stops being reachable from the
 *    container at exec (CVE-2019-5736): nothing else runs inside the new pid namespace before that, and the
 *    child is non-dumpable until then.
 */

#include <assert.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/mman.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/random.h>
#include <inttypes.h>
#include <time.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <net/if.h>
#include <limits.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "nsexec.h"
#include "macro.h"
#include "strv.h"
#include "syscall-groups.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const stage_table[_CONTAINER_STAGE_MAX] = {
        [CONTAINER_STAGE_SETUP_DONE]   = "setup-done",
        [CONTAINER_STAGE_PREPARE]      = "prepare",
        [CONTAINER_STAGE_MOUNT_ROOT]   = "mount root directory",
        [CONTAINER_STAGE_MOUNT_PROC]   = "mount /proc",
        [CONTAINER_STAGE_MOUNT_SYS]    = "mount /sys",
        [CONTAINER_STAGE_MOUNT_DEV]    = "set up /dev",
        [CONTAINER_STAGE_MOUNT_RUN]    = "mount /run and /tmp",
        [CONTAINER_STAGE_RUN_HOST]     = "set up /run/host",
        [CONTAINER_STAGE_CUSTOM_MOUNTS] = "set up custom mounts",
        [CONTAINER_STAGE_INACCESSIBLE] = "set up Inaccessible=",
        [CONTAINER_STAGE_ETC]          = "set up /etc",
        [CONTAINER_STAGE_NETWORK]      = "set up the network",
        [CONTAINER_STAGE_USER]         = "switch user",
        [CONTAINER_STAGE_LIMITS]       = "apply limits",
        [CONTAINER_STAGE_HOSTNAME]     = "set hostname",
        [CONTAINER_STAGE_PIVOT_ROOT]   = "pivot_root",
        [CONTAINER_STAGE_COMMAND]      = "find command",
        [CONTAINER_STAGE_CGROUP]       = "set up cgroup namespace",
        [CONTAINER_STAGE_STDIO]        = "set up stdio",
        [CONTAINER_STAGE_CAPABILITIES] = "drop capabilities",
        [CONTAINER_STAGE_SECCOMP]      = "install seccomp filter",
        [CONTAINER_STAGE_EXEC]         = "execute",
        [CONTAINER_STAGE_WARNING]      = "warning",
};

const char *container_stage_to_string(ContainerStage s) {
        if (s < 0 || s >= _CONTAINER_STAGE_MAX)
                return NULL;
        return stage_table[s];
}

uint64_t container_default_capabilities(void) {
        static const int caps[] = {
                CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
                CAP_FOWNER, CAP_FSETID, CAP_IPC_OWNER, CAP_KILL, CAP_LEASE, CAP_LINUX_IMMUTABLE, CAP_MKNOD,
                CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST, CAP_NET_RAW, CAP_SETFCAP, CAP_SETGID, CAP_SETPCAP,
                CAP_SETUID, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_CHROOT, CAP_SYS_NICE, CAP_SYS_PTRACE,
                CAP_SYS_RESOURCE, CAP_SYS_TTY_CONFIG,
        };
        uint64_t m = 0;

        for (size_t i = 0; i < ELEMENTSOF(caps); i++)
                m |= UINT64_C(1) << caps[i];
        return m;
}

/* ---- child side ------------------------------------------------------------------------------------ */

static _noreturn_ void child_fail(int sock, ContainerStage stage, int error, const char *detail) {
        ContainerReport r = {
                .stage = stage,
                .error = abs(error) ?: EIO,
        };

        if (detail)
                snprintf(r.detail, sizeof(r.detail), "%s", detail);
        (void) send(sock, &r, sizeof(r), MSG_NOSIGNAL);
        _exit(EXIT_FAILURE);
}

static void child_warn(int sock, int error, const char *detail) {
        ContainerReport r = { .stage = CONTAINER_STAGE_WARNING, .error = abs(error) };

        snprintf(r.detail, sizeof(r.detail), "%s", detail);
        (void) send(sock, &r, sizeof(r), MSG_NOSIGNAL);
}

#define CHILD_CHECK(expr, sock, stage, detail)                          \
        do {                                                            \
                if ((expr) < 0)                                         \
                        child_fail((sock), (stage), errno, (detail));   \
        } while (0)

/* Opens directory PATH below ROOTFD without following any symlink or leaving the root; creates the last
 * component if it is missing (the parent is then known to be inside the root). Returns an O_PATH fd or -errno. */
static int open_dir_in_root(int rootfd, const char *path, bool create) {
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        if (fd < 0 && errno == ENOENT && create && !strchr(path, '/')) {
                /* mkdirat() never follows a symlink in its last component, and PATH has no other. */
                if (mkdirat(rootfd, path, 0755) < 0 && errno != EEXIST)
                        return -errno;
                fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        }
        return fd < 0 ? -errno : (int) fd;
}

/* Opens PATH below ROOTFD as O_PATH; symlinks are followed but never out of the root, and /proc magic links
 * not at all. Returns the fd or -errno. */
static int open_in_root(int rootfd, const char *path) {
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

/* Creates the missing components of PATH below ROOTFD (directories; the last one a directory if IS_DIR, else
 * an empty regular file), each resolved inside the root. Returns 0 or -errno. */
static int create_in_root(int rootfd, const char *path, bool is_dir) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        if (p[0] != '/')
                return -EINVAL;

        for (char *s = p + 1;; s++) {
                bool last = !strchr(s, '/');
                char *e = last ? s + strlen(s) : strchr(s, '/');
                char saved = *e;
                int fd;

                *e = 0;
                fd = open_in_root(rootfd, p);
                if (fd == -ENOENT) {
                        char *slash = strrchr(p, '/');
                        _cleanup_close_ int parent = -EBADF;

                        *slash = 0;
                        parent = open_in_root(rootfd, *p ? p : "/");
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

/* Creates the file system configured in FSFD, mounts it with ATTR and attaches it on TARGET_FD. Returns the
 * fd of the new mount's root, or -errno. */
static int attach_new_fs(int fsfd, unsigned attr, int target_fd) {
        _cleanup_close_ int mfd = -EBADF;

        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attr);
        if (mfd < 0)
                return -errno;
        if (move_mount(mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return TAKE_FD(mfd);
}

/* Creates a new file system of type FSTYPE and attaches it on TARGET_FD. OPTIONS are key/value pairs (a
 * NULL value sets a flag). Returns the fd of the new mount's root (O_PATH-like, usable as a dirfd), or -errno. */
static int mount_new_fs(int target_fd, const char *fstype, const char *const *options, unsigned attr) {
        _cleanup_close_ int fsfd = -EBADF;

        fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return -errno;

        for (const char *const *o = options; o && *o; o += 2) {
                int r = o[1] ? fsconfig(fsfd, FSCONFIG_SET_STRING, o[0], o[1], 0)
                             : fsconfig(fsfd, FSCONFIG_SET_FLAG, o[0], NULL, 0);
                if (r < 0)
                        return -errno;
        }
        return attach_new_fs(fsfd, attr, target_fd);
}

/* Bind-mounts SOURCE (relative to SRC_DIRFD, an object this module created) over PATH below DIRFD, with
 * ATTR. PATH names kernel-provided entries (/proc/...), never image content. Returns 0, -ENOENT if PATH does
 * not exist, or -errno. */
static int bind_over(int src_dirfd, const char *source, int dirfd, const char *path, unsigned attr) {
        _cleanup_close_ int tree = -EBADF, target = -EBADF;
        struct mount_attr a = { .attr_set = attr };

        target = openat(dirfd, path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (target < 0)
                return -errno;

        tree = open_tree(src_dirfd, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW |
                                                    (*source ? 0 : AT_EMPTY_PATH));
        if (tree < 0)
                return -errno;
        if (attr != 0 && mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
                return -errno;
        if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/* Clones the source of a bind mount: a host path (trusted: only trusted settings files may name one), or
 * "+PATH", resolved inside the container's root. Returns a detached mount fd or -errno. */
static int clone_bind_source(int rootfd, const char *source, bool recursive) {
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        _cleanup_close_ int fd = -EBADF;
        int tree;

        if (source[0] != '+')
                return RET_NERRNO(open_tree(AT_FDCWD, source, flags));

        fd = open_in_root(rootfd, source + 1);
        if (fd < 0)
                return fd;
        tree = open_tree(fd, "", flags | AT_EMPTY_PATH);
        return tree < 0 ? -errno : tree;
}

/* Attaches the detached mount TREE at DESTINATION inside the root, creating the mount point. */
static int attach_in_root(int rootfd, int tree, const char *destination, bool read_only) {
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int target = -EBADF;
        struct stat st;
        int r;

        if (fstat(tree, &st) < 0)
                return -errno;
        r = create_in_root(rootfd, destination, S_ISDIR(st.st_mode));
        if (r < 0)
                return r;
        target = open_in_root(rootfd, destination);
        if (target < 0)
                return target;
        if (read_only && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
                return -errno;
        if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/* TemporaryFileSystem=PATH:OPTIONS: "mode=0755,size=10M,ro,nosuid". */
static int mount_tmpfs_in_root(int rootfd, const char *destination, const char *options) {
        _cleanup_close_ int target = -EBADF, fsfd = -EBADF, mfd = -EBADF;
        _cleanup_free_ char *opts = NULL;
        unsigned attr = MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID;
        bool have_mode = false;
        int r;

        r = create_in_root(rootfd, destination, true);
        if (r < 0)
                return r;
        target = open_in_root(rootfd, destination);
        if (target < 0)
                return target;

        fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return -errno;
        if (options) {
                opts = strdup(options);
                if (!opts)
                        return -ENOMEM;
                for (char *saveptr = NULL, *o = strtok_r(opts, ",", &saveptr); o; o = strtok_r(NULL, ",", &saveptr)) {
                        char *eq = strchr(o, '=');

                        if (streq(o, "ro"))
                                attr |= MOUNT_ATTR_RDONLY;
                        else if (streq(o, "rw"))
                                attr &= ~MOUNT_ATTR_RDONLY;
                        else if (streq(o, "noexec"))
                                attr |= MOUNT_ATTR_NOEXEC;
                        else if (streq(o, "exec"))
                                attr &= ~MOUNT_ATTR_NOEXEC;
                        else if (streq(o, "dev"))
                                attr &= ~MOUNT_ATTR_NODEV;
                        else if (streq(o, "suid"))
                                attr &= ~MOUNT_ATTR_NOSUID;
                        else if (streq(o, "nodev") || streq(o, "nosuid"))
                                ;
                        else if (eq) {
                                *eq = 0;
                                have_mode = have_mode || streq(o, "mode");
                                if (fsconfig(fsfd, FSCONFIG_SET_STRING, o, eq + 1, 0) < 0)
                                        return -errno;
                        } else if (fsconfig(fsfd, FSCONFIG_SET_FLAG, o, NULL, 0) < 0)
                                return -errno;
                }
        }
        if (!have_mode && fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0)
                return -errno;
        mfd = attach_new_fs(fsfd, attr, target);
        return mfd < 0 ? mfd : 0;
}

/* Overlay=LOWER…:UPPER:DST, OverlayReadOnly=LOWER…:DST. Layers are host paths or "+PATH" in the root, named to
 * overlayfs as /proc/self/fd/N of fds opened here. The work directory is created next to the upper one. */
static int mount_overlay_in_root(int rootfd, const CustomMount *m) {
        _cleanup_close_ int fsfd = -EBADF, mfd = -EBADF, target = -EBADF, upper = -EBADF, work = -EBADF, parent = -EBADF;
        int lower_fds[32];
        size_t n_lower = 0;
        char path[64];
        int r = 0;

        for (char **l = m->lower; l && *l; l++) {
                if (n_lower >= ELEMENTSOF(lower_fds)) {
                        r = -E2BIG;
                        goto finish;
                }
                lower_fds[n_lower] = (*l)[0] == '+' ? open_in_root(rootfd, *l + 1)
                                                    : RET_NERRNO(open(*l, O_PATH | O_DIRECTORY | O_CLOEXEC));
                if (lower_fds[n_lower] < 0) {
                        r = lower_fds[n_lower];
                        goto finish;
                }
                n_lower++;
        }

        /* OverlayReadOnly=: like systemd-nspawn, the path in the upper position is the topmost lower layer. */
        if (m->read_only && m->source) {
                if (n_lower >= ELEMENTSOF(lower_fds)) {
                        r = -E2BIG;
                        goto finish;
                }
                lower_fds[n_lower] = m->source[0] == '+' ? open_in_root(rootfd, m->source + 1)
                                                         : RET_NERRNO(open(m->source, O_PATH | O_DIRECTORY | O_CLOEXEC));
                if (lower_fds[n_lower] < 0) {
                        r = lower_fds[n_lower];
                        goto finish;
                }
                n_lower++;
        }

        fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fsfd < 0) {
                r = -errno;
                goto finish;
        }
        /* overlayfs stacks "lowerdir+" entries top to bottom; the settings list them bottom first. */
        for (size_t i = n_lower; i > 0; i--) {
                snprintf(path, sizeof(path), "/proc/self/fd/%i", lower_fds[i - 1]);
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", path, 0) < 0) {
                        r = -errno;
                        goto finish;
                }
        }

        if (!m->read_only) {
                _cleanup_free_ char *workname = NULL;
                const char *base;

                if (!m->source) {
                        r = -EOPNOTSUPP; /* a temporary upper directory */
                        goto finish;
                }
                upper = m->source[0] == '+' ? open_in_root(rootfd, m->source + 1)
                                            : RET_NERRNO(open(m->source, O_PATH | O_DIRECTORY | O_CLOEXEC));
                if (upper < 0) {
                        r = upper;
                        goto finish;
                }
                parent = openat(upper, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (parent < 0) {
                        r = -errno;
                        goto finish;
                }
                base = strrchr(m->source, '/');
                if (asprintf(&workname, ".#%s.overlay-work", base ? base + 1 : m->source) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                if (mkdirat(parent, workname, 0700) < 0 && errno != EEXIST) {
                        r = -errno;
                        goto finish;
                }
                work = openat(parent, workname, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (work < 0) {
                        r = -errno;
                        goto finish;
                }
                snprintf(path, sizeof(path), "/proc/self/fd/%i", upper);
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", path, 0) < 0) {
                        r = -errno;
                        goto finish;
                }
                snprintf(path, sizeof(path), "/proc/self/fd/%i", work);
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", path, 0) < 0) {
                        r = -errno;
                        goto finish;
                }
        }

        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = -errno;
                goto finish;
        }
        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, m->read_only ? MOUNT_ATTR_RDONLY : 0);
        if (mfd < 0) {
                r = -errno;
                goto finish;
        }
        r = create_in_root(rootfd, m->destination, true);
        if (r < 0)
                goto finish;
        target = open_in_root(rootfd, m->destination);
        if (target < 0) {
                r = target;
                goto finish;
        }
        if (move_mount(mfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                r = -errno;

finish:
        for (size_t i = 0; i < n_lower; i++)
                safe_close(lower_fds[i]);
        return r;
}

static void setup_custom_mounts(int sock, int rootfd, const ContainerConfig *c) {
        for (size_t i = 0; i < c->n_custom_mounts; i++) {
                const CustomMount *m = c->custom_mounts + i;
                int r;

                switch (m->type) {
                case CUSTOM_MOUNT_BIND: {
                        bool recursive = !(m->options && strstr(m->options, "norbind"));
                        int tree;

                        if (!m->source || (m->options && strstr(m->options, "idmap")))
                                child_fail(sock, CONTAINER_STAGE_CUSTOM_MOUNTS, EOPNOTSUPP, m->destination);
                        tree = clone_bind_source(rootfd, m->source, recursive);
                        if (tree < 0)
                                child_fail(sock, CONTAINER_STAGE_CUSTOM_MOUNTS, tree, m->source);
                        r = attach_in_root(rootfd, tree, m->destination, m->read_only);
                        safe_close(tree);
                        break;
                }
                case CUSTOM_MOUNT_TMPFS:
                        r = mount_tmpfs_in_root(rootfd, m->destination, m->options);
                        break;
                case CUSTOM_MOUNT_OVERLAY:
                        r = mount_overlay_in_root(rootfd, m);
                        break;
                default:
                        r = -EOPNOTSUPP;
                }
                if (r < 0)
                        child_fail(sock, CONTAINER_STAGE_CUSTOM_MOUNTS, r, m->destination);
        }
}

/* Inaccessible=: each path, resolved inside the root, is covered read-only with the /run/host/inaccessible
 * node of its type (created by us, never an image path). After every other mount. A path that does not exist
 * is skipped with a warning; any other failure fails the start. */
static void setup_inaccessible(int sock, int rootfd, int inaccessible_fd, const ContainerConfig *c) {
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                             MOUNT_ATTR_NOEXEC };

        for (char **p = c->inaccessible; p && *p; p++) {
                _cleanup_close_ int target = -EBADF, tree = -EBADF;
                const char *node;
                struct stat st;
                char msg[CONTAINER_REPORT_DETAIL_MAX];

                target = open_in_root(rootfd, *p);
                if (target == -ENOENT) {
                        snprintf(msg, sizeof(msg), "Inaccessible=%s: does not exist, skipping", *p);
                        child_warn(sock, ENOENT, msg);
                        continue;
                }
                if (target < 0)
                        child_fail(sock, CONTAINER_STAGE_INACCESSIBLE, target, *p);
                if (fstat(target, &st) < 0)
                        child_fail(sock, CONTAINER_STAGE_INACCESSIBLE, errno, *p);

                node = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "reg" : S_ISFIFO(st.st_mode) ? "fifo" :
                       S_ISSOCK(st.st_mode) ? "sock" : S_ISCHR(st.st_mode) ? "chr" : S_ISBLK(st.st_mode) ? "blk" : NULL;
                if (!node)
                        child_fail(sock, CONTAINER_STAGE_INACCESSIBLE, EBADFD, *p);

                tree = open_tree(inaccessible_fd, node, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
                if (tree < 0)
                        child_fail(sock, CONTAINER_STAGE_INACCESSIBLE, errno, *p);
                if (mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
                    move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        child_fail(sock, CONTAINER_STAGE_INACCESSIBLE, errno, *p);
        }
}

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

/* ResolvConf= and Timezone=, systemd-nspawn's modes. Writes go to the container's /etc, opened inside the
 * root; NAME is never followed if it is a symlink (copy modes leave a symlink alone, replace modes remove it). */
static void setup_etc(int sock, int rootfd, const ContainerConfig *c) {
        static const char *const resolv_sources[] = {
                "/etc/resolv.conf", "/usr/lib/systemd/resolv.conf", "/run/systemd/resolve/resolv.conf",
                "/run/systemd/resolve/stub-resolv.conf",
        };
        _cleanup_close_ int etcfd = -EBADF;
        struct stat st;
        bool exists, is_link;
        int r = 0;

        if (c->resolv_conf <= RESOLV_CONF_OFF && c->timezone <= TIMEZONE_OFF)
                return;

        {
                struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
                long fd = syscall(SYS_openat2, rootfd, "/etc", &how, sizeof(how));
                if (fd < 0)
                        return; /* no /etc: nothing to configure */
                etcfd = (int) fd;
        }

        if (c->resolv_conf > RESOLV_CONF_OFF) {
                int mode = c->resolv_conf;

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
                else if (mode >= RESOLV_CONF_BIND_HOST && mode <= RESOLV_CONF_BIND_STUB) {
                        int tree = open_tree(AT_FDCWD, resolv_sources[mode - RESOLV_CONF_BIND_HOST],
                                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                        r = tree < 0 ? -errno : attach_in_root(rootfd, tree, "/etc/resolv.conf", true);
                        safe_close(tree);
                }
                if (r == -ENOENT) {
                        child_warn(sock, ENOENT, "ResolvConf=: the host file does not exist, leaving /etc/resolv.conf alone");
                        r = 0;
                } else if (r == -EROFS) {
                        child_warn(sock, EROFS, "ResolvConf=: /etc is read-only, leaving /etc/resolv.conf alone");
                        r = 0;
                }
                if (r < 0)
                        child_fail(sock, CONTAINER_STAGE_ETC, r, "/etc/resolv.conf");
        }

        if (c->timezone > TIMEZONE_OFF) {
                char target[PATH_MAX];
                const char *zone = NULL;
                ssize_t n;
                int mode = c->timezone;

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
                        z = zone ? open_in_root(rootfd, p) : -ENOENT;
                        mode = c->read_only ? TIMEZONE_BIND : z >= 0 ? TIMEZONE_SYMLINK : TIMEZONE_COPY;
                }

                if (mode == TIMEZONE_DELETE) {
                        if (exists && unlinkat(etcfd, "localtime", 0) < 0)
                                r = -errno;
                } else if (access("/etc/localtime", F_OK) < 0)
                        child_warn(sock, ENOENT, "Timezone=: the host has no /etc/localtime, leaving it alone");
                else if (mode == TIMEZONE_COPY)
                        r = copy_file_at("/etc/localtime", etcfd, "localtime");
                else if (mode == TIMEZONE_SYMLINK) {
                        char p[PATH_MAX];
                        snprintf(p, sizeof(p), "../usr/share/zoneinfo/%s", zone ?: "UTC");
                        (void) unlinkat(etcfd, "localtime", 0);
                        if (symlinkat(p, etcfd, "localtime") < 0)
                                r = -errno;
                } else if (mode == TIMEZONE_BIND) {
                        int tree = open_tree(AT_FDCWD, "/etc/localtime", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                        r = tree < 0 ? -errno : exists && S_ISLNK(st.st_mode) ? 0 :
                            attach_in_root(rootfd, tree, "/etc/localtime", true);
                        safe_close(tree);
                }
                if (r == -EROFS) {
                        child_warn(sock, EROFS, "Timezone=: /etc is read-only, leaving /etc/localtime alone");
                        r = 0;
                }
                if (r < 0)
                        child_fail(sock, CONTAINER_STAGE_ETC, r, "/etc/localtime");
        }
}

/* Brings up "lo" in a new network namespace. */
static void setup_loopback(int sock) {
        struct ifreq ifr = { .ifr_name = "lo" };
        _cleanup_close_ int fd = -EBADF;

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_NETWORK, errno, "socket");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                child_fail(sock, CONTAINER_STAGE_NETWORK, errno, "lo");
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                child_fail(sock, CONTAINER_STAGE_NETWORK, errno, "lo");
}

typedef struct UserCreds {
        uid_t uid;
        gid_t gid;
        gid_t groups[64];
        size_t n_groups;
        char name[64];
        char home[256];
        char shell[256];
} UserCreds;

/* Looks USER (a name or a UID) up in the container's /etc/passwd and its supplementary groups in /etc/group
 * (after pivot_root: the container's files, parsed by hand; no NSS module of the image is loaded). */
static int lookup_user(const char *user, UserCreds *ret) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        bool found = false;

        f = fopen("/etc/passwd", "re");
        if (!f)
                return -errno;
        while (getline(&line, &n, f) > 0) {
                char *fields[7], *p = line;
                int k = 0;

                line[strcspn(line, "\n")] = 0;
                for (; k < 7 && p; k++)
                        fields[k] = strsep(&p, ":");
                if (k < 7)
                        continue;
                if (streq(fields[0], user) || (user[strspn(user, "0123456789")] == 0 && streq(fields[2], user))) {
                        ret->uid = (uid_t) strtoul(fields[2], NULL, 10);
                        ret->gid = (gid_t) strtoul(fields[3], NULL, 10);
                        snprintf(ret->name, sizeof(ret->name), "%s", fields[0]);
                        snprintf(ret->home, sizeof(ret->home), "%s", *fields[5] ? fields[5] : "/");
                        snprintf(ret->shell, sizeof(ret->shell), "%s", fields[6]);
                        found = true;
                        break;
                }
        }
        if (!found)
                return -ESRCH;

        ret->n_groups = 0;
        fclose(TAKE_PTR(f));
        f = fopen("/etc/group", "re");
        if (!f)
                return 0;
        while (getline(&line, &n, f) > 0 && ret->n_groups < ELEMENTSOF(ret->groups)) {
                char *fields[4], *p = line;
                int k = 0;

                line[strcspn(line, "\n")] = 0;
                for (; k < 4 && p; k++)
                        fields[k] = strsep(&p, ":");
                if (k < 4)
                        continue;
                for (char *m, *q = fields[3]; (m = strsep(&q, ","));)
                        if (streq(m, ret->name)) {
                                ret->groups[ret->n_groups++] = (gid_t) strtoul(fields[2], NULL, 10);
                                break;
                        }
        }
        return 0;
}

static void apply_limits(int sock, const ContainerConfig *c) {
        char buf[32];
        int fd, n;

        for (int i = 0; c->rlimits && i < RLIMIT_NLIMITS; i++)
                if (c->rlimits[i] && setrlimit(i, c->rlimits[i]) < 0)
                        child_fail(sock, CONTAINER_STAGE_LIMITS, errno, "setrlimit");

        if (c->oom_score_adjust != OOM_SCORE_ADJUST_UNSET) {
                fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        child_fail(sock, CONTAINER_STAGE_LIMITS, errno, "/proc/self/oom_score_adj");
                n = snprintf(buf, sizeof(buf), "%i", c->oom_score_adjust);
                if (write(fd, buf, n) != n)
                        child_fail(sock, CONTAINER_STAGE_LIMITS, errno, "/proc/self/oom_score_adj");
                safe_close(fd);
        }

        if (c->cpu_affinity && sched_setaffinity(0, sizeof(cpu_set_t), c->cpu_affinity) < 0)
                child_fail(sock, CONTAINER_STAGE_LIMITS, errno, "CPUAffinity=");

        if (c->personality != PERSONALITY_INVALID && personality(c->personality) < 0)
                child_fail(sock, CONTAINER_STAGE_LIMITS, errno, "Personality=");
}

static void setup_proc(int sock, int rootfd, int devfd) {
        static const char *const readonly[] = { "sys", "sysrq-trigger", "irq", "bus", "fs" };
        static const char *const masked_files[] = {
                "kcore", "keys", "timer_list", "latency_stats", "sched_debug", "kallsyms",
        };
        static const char *const masked_dirs[] = { "acpi", "scsi" };
        static const char *const empty_opts[] = { "size", "0", "mode", "0555", NULL };
        _cleanup_close_ int target = -EBADF, procfd = -EBADF;
        int r;

        target = open_dir_in_root(rootfd, "proc", true);
        if (target < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_PROC, target, "/proc");
        procfd = mount_new_fs(target, "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (procfd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_PROC, procfd, "/proc");

        /* Kernel knobs that are not namespaced stay visible but read-only, like systemd-nspawn does. */
        for (size_t i = 0; i < ELEMENTSOF(readonly); i++) {
                r = bind_over(procfd, readonly[i], procfd, readonly[i],
                              MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
                if (r < 0 && r != -ENOENT)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_PROC, r, readonly[i]);
        }
        /* Files that leak host memory or keys are hidden behind the container's own /dev/null. */
        for (size_t i = 0; i < ELEMENTSOF(masked_files); i++) {
                r = bind_over(devfd, "null", procfd, masked_files[i], MOUNT_ATTR_RDONLY);
                if (r < 0 && r != -ENOENT)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_PROC, r, masked_files[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(masked_dirs); i++) {
                _cleanup_close_ int d = openat(procfd, masked_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (d < 0)
                        continue;
                r = mount_new_fs(d, "tmpfs", empty_opts, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                                 MOUNT_ATTR_NOEXEC);
                if (r < 0)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_PROC, r, masked_dirs[i]);
                safe_close(r);
        }
}

/* Creates /dev/NAME in our /dev tmpfs and mounts a new FSTYPE on it. */
static void mount_dev_subdir(int sock, int devfd, const char *name, mode_t mode, const char *fstype,
                             const char *const *options, unsigned attr) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        CHILD_CHECK(mkdirat(devfd, name, mode), sock, CONTAINER_STAGE_MOUNT_DEV, name);
        fd = openat(devfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, name);
        r = mount_new_fs(fd, fstype, options, attr);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, r, name);
        safe_close(r);
}

static int setup_dev(int sock, int rootfd, int console_fd) {
        static const struct {
                const char *name;
                unsigned major, minor;
        } nodes[] = {
                { "null",    1, 3 },
                { "zero",    1, 5 },
                { "full",    1, 7 },
                { "random",  1, 8 },
                { "urandom", 1, 9 },
                { "tty",     5, 0 },
        };
        static const struct {
                const char *target, *name;
        } links[] = {
                { "pts/ptmx",        "ptmx"   },
                { "/proc/self/fd",   "fd"     },
                { "/proc/self/fd/0", "stdin"  },
                { "/proc/self/fd/1", "stdout" },
                { "/proc/self/fd/2", "stderr" },
        };
        static const char *const dev_opts[] = { "mode", "0755", "size", "4m", "nr_inodes", "64k", NULL };
        static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666", "mode", "0620", "gid", "5", NULL };
        static const char *const shm_opts[] = { "mode", "1777", NULL };
        _cleanup_close_ int target = -EBADF, devfd = -EBADF, fd = -EBADF;
        int r;

        target = open_dir_in_root(rootfd, "dev", true);
        if (target < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, target, "/dev");
        /* Not nodev: this tmpfs holds the device nodes. It only ever contains what is created below. */
        devfd = mount_new_fs(target, "tmpfs", dev_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_STRICTATIME);
        if (devfd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, devfd, "/dev");

        for (size_t i = 0; i < ELEMENTSOF(nodes); i++)
                CHILD_CHECK(mknodat(devfd, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)),
                            sock, CONTAINER_STAGE_MOUNT_DEV, nodes[i].name);

        /* /dev/console: the console's pty (a bind of the host-side slave, like systemd-nspawn), or none. */
        if (console_fd >= 0) {
                char fdpath[64], pts[PATH_MAX];
                struct stat a, b;
                ssize_t n;

                /* By path (the host's /dev/pts, still visible here): a mount reached through an fd of the
                 * caller belongs to the caller's mount namespace, and cannot be cloned in ours. */
                snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%i", console_fd);
                n = readlink(fdpath, pts, sizeof(pts) - 1);
                if (n < 0)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, "/dev/console");
                pts[n] = 0;
                if (stat(pts, &a) < 0 || fstat(console_fd, &b) < 0)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, pts);
                if (!S_ISCHR(a.st_mode) || a.st_rdev != b.st_rdev)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, ENOTTY, pts);

                fd = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd < 0)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, "/dev/console");
                fd = safe_close(fd);
                r = bind_over(AT_FDCWD, pts, devfd, "console", 0);
                if (r < 0)
                        child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, r, "/dev/console");
        }

        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                CHILD_CHECK(symlinkat(links[i].target, devfd, links[i].name), sock, CONTAINER_STAGE_MOUNT_DEV,
                            links[i].name);

        mount_dev_subdir(sock, devfd, "pts", 0755, "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        mount_dev_subdir(sock, devfd, "shm", 01777, "tmpfs", shm_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        /* The mqueue file system shows the IPC namespace of the mounter: ours is new. */
        mount_dev_subdir(sock, devfd, "mqueue", 0755, "mqueue", NULL,
                         MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);

        return TAKE_FD(devfd);
}

static int setup_tmpfs(int sock, int rootfd, const char *name, const char *mode) {
        const char *const opts[] = { "mode", mode, "size", "20%", "nr_inodes", "400k", NULL };
        _cleanup_close_ int target = -EBADF;
        int r;

        target = open_dir_in_root(rootfd, name, true);
        if (target < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_RUN, target, name);
        r = mount_new_fs(target, "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_RUN, r, name);
        return r;
}


static void write_file_at(int sock, int dirfd, const char *name, const char *line) {
        _cleanup_close_ int fd = -EBADF;
        size_t n = strlen(line);

        fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, name);
        if (write(fd, line, n) != (ssize_t) n || write(fd, "\n", 1) != 1)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno ?: EIO, name);
}

/* The systemd container interface (CONTAINER_INTERFACE.md): a small tmpfs at /run/host, made read-only once
 * the notify socket is bound in it (see finish_run_host()). Everything in it is created here; the only
 * outside objects are the host's os-release and the host-side propagation directory, both host paths. */
static int setup_run_host(int sock, int runfd, const ContainerConfig *c) {
        static const char *const host_opts[] = { "mode", "0755", "size", "1m", "nr_inodes", "1k", NULL };
        static const char *const os_release[] = { "/etc/os-release", "/usr/lib/os-release" };
        _cleanup_close_ int target = -EBADF, hostfd = -EBADF, ifd = -EBADF, fd = -EBADF, tree = -EBADF;
        struct mount_attr ro = {
                .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
        };
        char path[64];

        CHILD_CHECK(mkdirat(runfd, "host", 0755), sock, CONTAINER_STAGE_RUN_HOST, "/run/host");
        target = openat(runfd, "host", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (target < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "/run/host");
        hostfd = mount_new_fs(target, "tmpfs", host_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (hostfd < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, hostfd, "/run/host");

        /* inaccessible/: one node of each type, mode 0000, for masking paths of that type. */
        CHILD_CHECK(mkdirat(hostfd, "inaccessible", 0755), sock, CONTAINER_STAGE_RUN_HOST, "inaccessible");
        ifd = openat(hostfd, "inaccessible", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (ifd < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "inaccessible");
        fd = openat(ifd, "reg", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0000);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "inaccessible/reg");
        fd = safe_close(fd);
        CHILD_CHECK(mkdirat(ifd, "dir", 0000), sock, CONTAINER_STAGE_RUN_HOST, "inaccessible/dir");
        CHILD_CHECK(mknodat(ifd, "fifo", S_IFIFO | 0000, 0), sock, CONTAINER_STAGE_RUN_HOST, "inaccessible/fifo");
        CHILD_CHECK(mknodat(ifd, "sock", S_IFSOCK | 0000, 0), sock, CONTAINER_STAGE_RUN_HOST, "inaccessible/sock");
        for (size_t i = 0; i < 2; i++) {
                static const char *const names[] = { "chr", "blk" };
                const mode_t types[] = { S_IFCHR, S_IFBLK };
                char src[PATH_MAX], msg[CONTAINER_REPORT_DETAIL_MAX];

                if (c->inaccessible_dir) {
                        /* The host's nodes (created by the caller, host-owned), bound over placeholders. */
                        snprintf(src, sizeof(src), "%s/%s", c->inaccessible_dir, names[i]);
                        fd = openat(ifd, names[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0000);
                        if (fd >= 0 && bind_over(AT_FDCWD, src, ifd, names[i], MOUNT_ATTR_RDONLY) >= 0) {
                                fd = safe_close(fd);
                                continue;
                        }
                        fd = safe_close(fd);
                        (void) unlinkat(ifd, names[i], 0);
                }
                if (mknodat(ifd, names[i], types[i] | 0000, makedev(0, 0)) < 0) {
                        snprintf(msg, sizeof(msg), "/run/host/inaccessible/%s: cannot create device nodes, leaving it out",
                                 names[i]);
                        child_warn(sock, errno, msg);
                }
        }

        write_file_at(sock, hostfd, "container-manager", c->manager_name ?: "machined-ext");
        if (c->uuid)
                write_file_at(sock, hostfd, "container-uuid", c->uuid);

        /* os-release: the host's, read-only. A host path, resolved on the host before we pivot. */
        fd = openat(hostfd, "os-release", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "os-release");
        for (size_t i = 0; i < ELEMENTSOF(os_release) && tree < 0; i++)
                tree = open_tree(AT_FDCWD, os_release[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0)
                child_warn(sock, errno, "/run/host/os-release: the host has no os-release, leaving it empty");
        else if (mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
                 move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "/run/host/os-release");
        fd = safe_close(fd);
        tree = safe_close(tree);

        /* incoming/: the host-side propagation directory. A bind of a slave mount is a slave of the same
         * master, so mounts made below the host directory show up here, and nothing goes the other way. This
         * uses mount(2) rather than open_tree(), whose detached copies do not keep that relationship. */
        CHILD_CHECK(mkdirat(hostfd, "incoming", 0755), sock, CONTAINER_STAGE_RUN_HOST, "incoming");
        if (c->propagate_dir) {
                fd = openat(hostfd, "incoming", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "incoming");
                snprintf(path, sizeof(path), "/proc/self/fd/%i", fd);
                CHILD_CHECK(mount(c->propagate_dir, path, NULL, MS_BIND, NULL), sock, CONTAINER_STAGE_RUN_HOST,
                            c->propagate_dir);
                fd = safe_close(fd);

                /* Re-open: the fd must name the new mount, not the directory below it. */
                fd = openat(hostfd, "incoming", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "incoming");
                ro.propagation = MS_SLAVE;
                CHILD_CHECK(mount_setattr(fd, "", AT_EMPTY_PATH, &ro, sizeof(ro)), sock, CONTAINER_STAGE_RUN_HOST,
                            "/run/host/incoming");
        }

        return TAKE_FD(ifd);
}

/* Binds the notify socket (after pivot_root, at its final path) and makes /run/host read-only. Returns the
 * socket fd, to be passed to the caller, or -EBADF if no socket was asked for. */
static int finish_run_host(int sock, const ContainerConfig *c) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/host/notify" };
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int fd = -EBADF, hostfd = -EBADF;

        if (c->notify) {
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0)
                        child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "/run/host/notify");
                CHILD_CHECK(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), sock, CONTAINER_STAGE_RUN_HOST,
                            "/run/host/notify");
        }

        hostfd = open("/run/host", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (hostfd < 0)
                child_fail(sock, CONTAINER_STAGE_RUN_HOST, errno, "/run/host");
        CHILD_CHECK(mount_setattr(hostfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)), sock, CONTAINER_STAGE_RUN_HOST,
                    "/run/host");

        return TAKE_FD(fd);
}

/* Sends REPORT, with FD attached if FD >= 0. */
static int send_report(int sock, const ContainerReport *report, int fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *) report, .iov_len = sizeof(*report) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *cmsg;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Resolves ARGV0 inside the (already pivoted) container like execvp() would, with the payload's PATH. */
static char *resolve_command(const char *argv0, char **envp, int *ret_error) {
        const char *path = DEFAULT_PATH;
        char *p;

        if (strchr(argv0, '/')) {
                if (access(argv0, X_OK) < 0) {
                        *ret_error = errno;
                        return NULL;
                }
                return strdup(argv0);
        }

        for (char **e = envp; e && *e; e++)
                if (startswith(*e, "PATH="))
                        path = *e + 5;

        *ret_error = ENOENT;
        for (const char *s = path; *s;) {
                size_t n = strcspn(s, ":");

                if (n > 0 && s[0] == '/') {
                        if (asprintf(&p, "%.*s/%s", (int) n, s, argv0) < 0) {
                                *ret_error = ENOMEM;
                                return NULL;
                        }
                        if (access(p, X_OK) >= 0)
                                return p;
                        if (errno != ENOENT)
                                *ret_error = errno;
                        free(p);
                }
                s += n;
                if (*s == ':')
                        s++;
        }
        return NULL;
}

static void setup_cgroup(int sock) {
        _cleanup_close_ int target = -EBADF;
        int r;

        /* The caller has placed us in our cgroup by now; make it the root of what the payload sees. */
        CHILD_CHECK(unshare(CLONE_NEWCGROUP), sock, CONTAINER_STAGE_CGROUP, "cgroup namespace");

        target = open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (target < 0)
                child_fail(sock, CONTAINER_STAGE_CGROUP, errno, "/sys/fs/cgroup");
        r = mount_new_fs(target, "cgroup2", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_CGROUP, r, "/sys/fs/cgroup");
        safe_close(r);
}

/* Makes FD (or /dev/null if FD < 0) the payload's TARGET fd. SAVED is a copy made above every target. */
static void setup_one_stdio(int sock, int saved, int target) {
        int fd;

        if (saved < 0) {
                fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        child_fail(sock, CONTAINER_STAGE_STDIO, errno, "/dev/null");
        } else
                fd = saved;

        if (dup2(fd, target) < 0)
                child_fail(sock, CONTAINER_STAGE_STDIO, errno, "dup2");
        if (fd != saved)
                safe_close(fd);
}

static void setup_stdio(int sock, const ContainerConfig *c) {
        int saved[3] = { -EBADF, -EBADF, -EBADF };
        const int src[3] = { c->stdin_fd, c->stdout_fd, c->stderr_fd };

        /* Lift the sources above 0..2 first, so that assigning one cannot clobber another. */
        for (int i = 0; i < 3; i++)
                if (src[i] >= 0) {
                        saved[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10);
                        if (saved[i] < 0)
                                child_fail(sock, CONTAINER_STAGE_STDIO, errno, "fcntl");
                }
        for (int i = 0; i < 3; i++)
                setup_one_stdio(sock, saved[i], i);
}

static void drop_capabilities(int sock, uint64_t keep, uint64_t ambient) {
        cap_t caps;

        for (unsigned long cap = 0;; cap++) {
                int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
                if (r < 0)
                        break; /* past the kernel's last capability */
                if (r > 0 && (cap >= 64 || !(keep & (UINT64_C(1) << cap))))
                        CHILD_CHECK(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), sock, CONTAINER_STAGE_CAPABILITIES,
                                    "bounding set");
        }

        CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), sock, CONTAINER_STAGE_CAPABILITIES,
                    "ambient set");

        /* Inheritable = the ambient set (required for raising it), nothing else. */
        caps = cap_get_proc();
        if (!caps)
                child_fail(sock, CONTAINER_STAGE_CAPABILITIES, errno, "cap_get_proc");
        if (cap_clear_flag(caps, CAP_INHERITABLE) < 0) {
                cap_free(caps);
                child_fail(sock, CONTAINER_STAGE_CAPABILITIES, errno, "inheritable set");
        }
        for (int cap = 0; cap < 64; cap++)
                if ((ambient & keep) & (UINT64_C(1) << cap)) {
                        cap_value_t v = cap;
                        (void) cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
                }
        if (cap_set_proc(caps) < 0) {
                int e = errno;
                cap_free(caps);
                child_fail(sock, CONTAINER_STAGE_CAPABILITIES, e, "inheritable set");
        }
        cap_free(caps);
}

/* After switching to a user other than root: keep exactly the ambient capabilities, and raise them so that
 * they survive the exec. */
static void raise_ambient(int sock, uint64_t ambient) {
        cap_t caps;

        if (ambient == 0)
                return;

        caps = cap_init();
        if (!caps)
                child_fail(sock, CONTAINER_STAGE_CAPABILITIES, errno, "cap_init");
        for (int cap = 0; cap < 64; cap++)
                if (ambient & (UINT64_C(1) << cap)) {
                        cap_value_t v = cap;
                        (void) cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
                        (void) cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
                        (void) cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
                }
        if (cap_set_proc(caps) < 0) {
                int e = errno;
                cap_free(caps);
                child_fail(sock, CONTAINER_STAGE_CAPABILITIES, e, "AmbientCapability=");
        }
        cap_free(caps);

        for (int cap = 0; cap < 64; cap++)
                if (ambient & (UINT64_C(1) << cap))
                        CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0, 0), sock,
                                    CONTAINER_STAGE_CAPABILITIES, "AmbientCapability=");
}

static bool env_has(char **l, const char *prefix) {
        for (; l && *l; l++)
                if (startswith(*l, prefix))
                        return true;
        return false;
}

/* Builds the seccomp filter and compiles it to BPF: during set-up, so that only the load is left for the
 * critical path after the release. Returns the program (never NULL: failures end the child). */
static struct sock_fprog *prepare_seccomp(int sock, char **allow_in, char **deny_in) {
        struct sock_fprog *prog;
        _cleanup_close_ int memfd = -EBADF;
        off_t size;
        _cleanup_strv_free_ char **allow = NULL, **extra_deny = NULL;
        /* Calls that act on the host as a whole, or reach past the namespaces; most need capabilities the
         * bounding set no longer has, this denies them even where a capability is kept (CAP_DAC_READ_SEARCH
         * lets open_by_handle_at() open any host inode; CAP_SYS_ADMIN allows bpf() and perf_event_open()). */
        static const char *const deny[] = {
                "_sysctl", "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
                "delete_module", "finit_module", "get_kernel_syms", "init_module", "ioperm", "iopl",
                "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "nfsservctl", "open_by_handle_at",
                "perf_event_open", "quotactl", "request_key", "settimeofday", "stime", "swapoff", "swapon",
                "syslog", "uselib", "ustat", "vm86", "vm86old",
        };
        scmp_filter_ctx ctx;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                child_fail(sock, CONTAINER_STAGE_SECCOMP, ENOMEM, "seccomp_init");
        /* libseccomp would set no_new_privs before loading; we still hold CAP_SYS_ADMIN and do not need it.
         * NoNewPrivileges= sets it, nothing else. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0) {
                seccomp_release(ctx);
                child_fail(sock, CONTAINER_STAGE_SECCOMP, r, "SCMP_FLTATR_CTL_NNP");
        }

        /* Filter the compat ABIs too, instead of letting 32-bit calls through. */
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                (void) seccomp_arch_add(ctx, SCMP_ARCH_X86);
                (void) seccomp_arch_add(ctx, SCMP_ARCH_X32);
        }

        /* SystemCallFilter= takes calls off this list; SystemCallFilter=~ adds to it; @groups are expanded
         * (systemd's groups, see syscall-groups.c). */
        for (char **n = allow_in; n && *n; n++) {
                r = syscall_filter_expand(*n, &allow);
                if (r < 0) {
                        seccomp_release(ctx);
                        child_fail(sock, CONTAINER_STAGE_SECCOMP, r, *n);
                }
        }
        for (char **n = deny_in; n && *n; n++) {
                r = syscall_filter_expand(*n, &extra_deny);
                if (r < 0) {
                        seccomp_release(ctx);
                        child_fail(sock, CONTAINER_STAGE_SECCOMP, r, *n);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(deny) + strv_length(extra_deny); i++) {
                const char *name = i < ELEMENTSOF(deny) ? deny[i] : extra_deny[i - ELEMENTSOF(deny)];
                int nr;

                if (name[0] == '@' || strv_find(allow, name))
                        continue;
                nr = seccomp_syscall_resolve_name(name);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0 && r != -EDOM && r != -EFAULT && r != -EEXIST) {
                        seccomp_release(ctx);
                        child_fail(sock, CONTAINER_STAGE_SECCOMP, r, name);
                }
        }

        memfd = memfd_create("seccomp", MFD_CLOEXEC);
        if (memfd < 0) {
                seccomp_release(ctx);
                child_fail(sock, CONTAINER_STAGE_SECCOMP, errno, "memfd_create");
        }
        r = seccomp_export_bpf(ctx, memfd);
        seccomp_release(ctx);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_SECCOMP, r, "seccomp_export_bpf");

        size = lseek(memfd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 || size > 65536 * (off_t) sizeof(struct sock_filter))
                child_fail(sock, CONTAINER_STAGE_SECCOMP, EBADMSG, "seccomp_export_bpf");
        prog = malloc(sizeof(struct sock_fprog) + size);
        if (!prog)
                child_fail(sock, CONTAINER_STAGE_SECCOMP, ENOMEM, "seccomp");
        prog->len = (unsigned short) (size / sizeof(struct sock_filter));
        prog->filter = (struct sock_filter *) (prog + 1);
        if (pread(memfd, prog->filter, size, 0) != size)
                child_fail(sock, CONTAINER_STAGE_SECCOMP, EIO, "seccomp");
        return prog;
}

/* Loads the program of prepare_seccomp(). We hold CAP_SYS_ADMIN, so no_new_privs is not needed (and not set:
 * NoNewPrivileges= does that). The process is single-threaded: no TSYNC. */
static void load_seccomp(int sock, const struct sock_fprog *prog) {
        CHILD_CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0), sock, CONTAINER_STAGE_SECCOMP,
                    "PR_SET_SECCOMP");
}

static _noreturn_ void container_child(const ContainerConfig *c, int sock) {
        _cleanup_close_ int rootfd = -EBADF, devfd = -EBADF, fd = -EBADF, inaccessible_fd = -EBADF;
        ContainerReport ok = { .stage = CONTAINER_STAGE_SETUP_DONE };
        _cleanup_free_ char *command = NULL;
        UserCreds creds = {};
        struct sock_fprog *seccomp_prog = NULL;
        char **envp = c->envp;
        sigset_t ss;
        char go;
        int r, e = 0;

        /* Until released, die with the caller: a half-created container must not outlive it. If the caller
         * is already gone, the read of the release byte below sees end-of-file and we exit. */
        CHILD_CHECK(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), sock, CONTAINER_STAGE_PREPARE, "PR_SET_PDEATHSIG");
        CHILD_CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), sock, CONTAINER_STAGE_PREPARE, "PR_SET_DUMPABLE");
        umask(0);

        if (c->private_network)
                setup_loopback(sock);

        /* Nothing we mount may propagate to the host. */
        CHILD_CHECK(mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL), sock, CONTAINER_STAGE_MOUNT_ROOT, "/");

        /* The root directory becomes a mount point of its own, so that it can be pivoted into. */
        CHILD_CHECK(mount(c->root, c->root, NULL, MS_BIND | MS_REC, NULL), sock, CONTAINER_STAGE_MOUNT_ROOT,
                    c->root);
        rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_ROOT, errno, c->root);

        /* The API file systems, then /run/host, then what the settings add, then the masks over all of it. */
        devfd = setup_dev(sock, rootfd, c->console_fd);
        setup_proc(sock, rootfd, devfd);

        fd = open_dir_in_root(rootfd, "sys", true);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_SYS, fd, "/sys");
        r = mount_new_fs(fd, "sysfs", NULL,
                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_SYS, r, "/sys");
        safe_close(r);
        fd = safe_close(fd);

        fd = setup_tmpfs(sock, rootfd, "run", "0755");
        inaccessible_fd = setup_run_host(sock, fd, c);
        fd = safe_close(fd);
        safe_close(setup_tmpfs(sock, rootfd, "tmp", "1777"));

        setup_custom_mounts(sock, rootfd, c);
        setup_etc(sock, rootfd, c);
        setup_inaccessible(sock, rootfd, inaccessible_fd, c);

        if (c->read_only) {
                struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
                /* Only the root mount itself: /proc, /dev, /run, ... and Bind= mounts keep their own flags. */
                CHILD_CHECK(mount_setattr(rootfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)), sock,
                            CONTAINER_STAGE_MOUNT_ROOT, "ReadOnly=");
        }

        CHILD_CHECK(sethostname(c->hostname, strlen(c->hostname)), sock, CONTAINER_STAGE_HOSTNAME, c->hostname);

        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new. */
        CHILD_CHECK(fchdir(rootfd), sock, CONTAINER_STAGE_PIVOT_ROOT, c->root);
        CHILD_CHECK(syscall(SYS_pivot_root, ".", "."), sock, CONTAINER_STAGE_PIVOT_ROOT, c->root);
        CHILD_CHECK(umount2(".", MNT_DETACH), sock, CONTAINER_STAGE_PIVOT_ROOT, "old root");
        CHILD_CHECK(chdir("/"), sock, CONTAINER_STAGE_PIVOT_ROOT, "/");
        rootfd = safe_close(rootfd);
        devfd = safe_close(devfd);
        inaccessible_fd = safe_close(inaccessible_fd);

        /* User= is looked up in the container's own files; HOME, USER and LOGNAME follow it unless set. */
        if (c->user) {
                r = lookup_user(c->user, &creds);
                if (r < 0)
                        child_fail(sock, CONTAINER_STAGE_USER, r == -ESRCH ? ENOENT : r, c->user);
                envp = strv_copy(c->envp);
                if (!envp)
                        child_fail(sock, CONTAINER_STAGE_USER, ENOMEM, c->user);
                if (!env_has(c->envp, "HOME=")) {
                        char b[300];
                        snprintf(b, sizeof(b), "HOME=%s", creds.home);
                        (void) strv_env_set(&envp, b);
                }
                {
                        char b[80];
                        snprintf(b, sizeof(b), "USER=%s", creds.name);
                        (void) strv_env_set(&envp, b);
                        snprintf(b, sizeof(b), "LOGNAME=%s", creds.name);
                        (void) strv_env_set(&envp, b);
                }
        }
        if (c->working_directory && chdir(c->working_directory) < 0)
                child_fail(sock, CONTAINER_STAGE_USER, errno, c->working_directory);

        command = resolve_command(c->argv[0], envp, &e);
        if (!command)
                child_fail(sock, CONTAINER_STAGE_COMMAND, e, c->argv[0]);

        seccomp_prog = prepare_seccomp(sock, c->syscall_allow, c->syscall_deny);
        fd = finish_run_host(sock, c);

        /* Set-up is done: report (with the notify socket), and wait to be placed in the container's cgroup. */
        if (send_report(sock, &ok, fd) < 0)
                _exit(EXIT_FAILURE);
        fd = safe_close(fd);
        if (read(sock, &go, 1) != 1)
                _exit(EXIT_FAILURE); /* The caller went away, or gave up on us. */

        /* From here on the container lives on its own. */
        CHILD_CHECK(prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0), sock, CONTAINER_STAGE_PREPARE, "PR_SET_PDEATHSIG");

        setup_cgroup(sock);
        setup_stdio(sock, c);
        if (c->controlling_tty) {
                CHILD_CHECK(setsid(), sock, CONTAINER_STAGE_STDIO, "setsid");
                CHILD_CHECK(ioctl(STDIN_FILENO, TIOCSCTTY, 0), sock, CONTAINER_STAGE_STDIO, "TIOCSCTTY");
        }

        /* Close every fd but stdio and the report socket (moved to fd 3, still O_CLOEXEC). */
        if (sock != 3) {
                CHILD_CHECK(dup3(sock, 3, O_CLOEXEC), sock, CONTAINER_STAGE_STDIO, "dup3");
                sock = 3;
        }
        CHILD_CHECK(close_range(4, ~0U, 0), sock, CONTAINER_STAGE_STDIO, "close_range");

        if (c->nofile_soft > 0) {
                struct rlimit rl;
                if (getrlimit(RLIMIT_NOFILE, &rl) >= 0 && rl.rlim_cur > c->nofile_soft) {
                        rl.rlim_cur = c->nofile_soft;
                        CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &rl), sock, CONTAINER_STAGE_PREPARE, "RLIMIT_NOFILE");
                }
        }
        apply_limits(sock, c);

        umask(0022);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&ss);
        CHILD_CHECK(sigprocmask(SIG_SETMASK, &ss, NULL), sock, CONTAINER_STAGE_PREPARE, "sigprocmask");

        /* Privileges last: bounding set, then the filter (loading it needs CAP_SYS_ADMIN, or no_new_privs),
         * then the user, then the ambient set that survives the exec. */
        drop_capabilities(sock, c->capability_bounding, c->capability_ambient);
        load_seccomp(sock, seccomp_prog);
        if (c->user) {
                if (c->capability_ambient != 0)
                        CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), sock, CONTAINER_STAGE_USER, "PR_SET_KEEPCAPS");
                CHILD_CHECK(setgroups(creds.n_groups, creds.groups), sock, CONTAINER_STAGE_USER, "setgroups");
                CHILD_CHECK(setresgid(creds.gid, creds.gid, creds.gid), sock, CONTAINER_STAGE_USER, "setresgid");
                CHILD_CHECK(setresuid(creds.uid, creds.uid, creds.uid), sock, CONTAINER_STAGE_USER, "setresuid");
        }
        raise_ambient(sock, c->capability_ambient & c->capability_bounding);
        if (c->no_new_privileges)
                CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), sock, CONTAINER_STAGE_CAPABILITIES,
                            "NoNewPrivileges=");

        execve(command, c->argv, envp);
        child_fail(sock, CONTAINER_STAGE_EXEC, errno, command);
}

/* ---- caller side ----------------------------------------------------------------------------------- */

/* clone3() with CLONE_PIDFD and FLAGS (namespaces): returns like fork(), the child's pid or 0 in the child, and
 * the pidfd (O_CLOEXEC) in *ret_pidfd; -errno on failure. The callers are single-threaded, so the child may
 * use everything of its copy of the address space. */
static long clone_with_pidfd(uint64_t flags, int *ret_pidfd) {
        struct clone_args args = {
                .flags = CLONE_PIDFD | flags,
                .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                .exit_signal = SIGCHLD,
        };
        long pid;

        pid = syscall(SYS_clone3, &args, sizeof(args));
        return pid < 0 ? -errno : pid;
}

int container_spawn(const ContainerConfig *c, Container *ret) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        int pidfd = -EBADF;
        long pid;

        assert(c);
        assert(c->root && c->root[0] == '/');
        assert(c->hostname);
        assert(c->argv && c->argv[0]);
        assert(ret);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;

        pid = clone_with_pidfd(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                               (c->private_network ? CLONE_NEWNET : 0), &pidfd);
        if (pid < 0)
                return (int) pid;
        if (pid == 0) {
                pair[0] = safe_close(pair[0]);
                container_child(c, pair[1]);
        }

        pair[1] = safe_close(pair[1]);
        if (fcntl(pair[0], F_SETFL, O_NONBLOCK) < 0) {
                int e = -errno;
                (void) kill((pid_t) pid, SIGKILL);
                safe_close(pidfd);
                return e;
        }

        *ret = (Container) {
                .pid = (pid_t) pid,
                .pidfd = pidfd,
                .sync_fd = TAKE_FD(pair[0]),
        };
        return 0;
}

int container_release(int sync_fd) {
        if (send(sync_fd, "G", 1, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

int container_read_report(int sync_fd, ContainerReport *ret, int *ret_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * 4)];
        } control;
        ContainerReport r;
        struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        int fd = -EBADF;
        ssize_t n;

        n = recvmsg(sync_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;

        for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg))
                if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
                        size_t k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int f;
                                memcpy(&f, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
                                if (fd < 0)
                                        fd = f;
                                else
                                        safe_close(f);
                        }
                }

        if (n == 0) {
                safe_close(fd);
                return 0;
        }
        if (n != sizeof(r) || r.stage < 0 || r.stage >= _CONTAINER_STAGE_MAX || (mh.msg_flags & MSG_CTRUNC)) {
                safe_close(fd);
                return -EBADMSG;
        }
        r.detail[sizeof(r.detail) - 1] = 0;
        *ret = r;
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 1;
}

int inaccessible_nodes_setup(const char *dir) {
        _cleanup_close_ int dfd = -EBADF;
        struct stat st;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        /* Host-side, in a directory only root can write: the nodes cannot be swapped for anything else. */
        if (fstatat(dfd, "chr", &st, AT_SYMLINK_NOFOLLOW) < 0 &&
            mknodat(dfd, "chr", S_IFCHR | 0000, makedev(0, 0)) < 0)
                return -errno;
        if (fstatat(dfd, "blk", &st, AT_SYMLINK_NOFOLLOW) < 0 &&
            mknodat(dfd, "blk", S_IFBLK | 0000, makedev(0, 0)) < 0)
                return -errno;
        return 0;
}

int propagate_dir_setup(const char *dir) {
        struct statx a, b;
        _cleanup_free_ char *parent = NULL;
        char *slash;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;

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
        if (mount(NULL, dir, NULL, MS_SHARED, NULL) < 0)
                return -errno;
        return 0;
}

/* Runs in the short-lived child of container_bind_mount(), in the container's mount namespace. */
static _noreturn_ void bind_mount_child(int sock, int leader_pidfd, int tree, const char *destination,
                                        bool is_dir, bool make_dir) {
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int rootfd = -EBADF, target = -EBADF;

        CHILD_CHECK(setns(leader_pidfd, CLONE_NEWNS), sock, CONTAINER_STAGE_PREPARE, "setns");
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                child_fail(sock, CONTAINER_STAGE_PREPARE, errno, "/");

        /* The container's tree is untrusted: every lookup stays inside its root. */
        if (make_dir) {
                int r = create_in_root(rootfd, destination, is_dir);
                if (r < 0)
                        child_fail(sock, CONTAINER_STAGE_EXEC, r, destination);
        }

        target = (int) syscall(SYS_openat2, rootfd, destination, &how, sizeof(how));
        if (target < 0)
                child_fail(sock, CONTAINER_STAGE_EXEC, errno, destination);
        CHILD_CHECK(move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH), sock,
                    CONTAINER_STAGE_EXEC, destination);
        _exit(EXIT_SUCCESS);
}

int container_bind_mount(int leader_pidfd, const char *source, const char *destination, bool read_only,
                         bool make_dir, int *ret_pidfd, int *ret_report_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_close_ int tree = -EBADF;
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        struct stat st;
        int pidfd = -EBADF;
        long pid;

        if (!source || source[0] != '/' || !destination || destination[0] != '/')
                return -EINVAL;

        /* SOURCE comes from a root caller and names a host path: clone it here, in the host's namespace. */
        tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (tree < 0)
                return -errno;
        if (fstat(tree, &st) < 0)
                return -errno;
        if (read_only && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
                return -errno;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;

        pid = clone_with_pidfd(0, &pidfd);
        if (pid < 0)
                return (int) pid;
        if (pid == 0) {
                pair[0] = safe_close(pair[0]);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                bind_mount_child(pair[1], leader_pidfd, tree, destination, S_ISDIR(st.st_mode), make_dir);
        }

        *ret_pidfd = pidfd;
        *ret_report_fd = TAKE_FD(pair[0]);
        return 0;
}
