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
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "nsexec.h"
#include "macro.h"

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

/* Creates a new file system of type FSTYPE and attaches it on TARGET_FD. OPTIONS are key/value pairs (a
 * NULL value sets a flag). Returns the fd of the new mount's root (O_PATH-like, usable as a dirfd), or -errno. */
static int mount_new_fs(int target_fd, const char *fstype, const char *const *options, unsigned attr) {
        _cleanup_close_ int fsfd = -EBADF, mfd = -EBADF;

        fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return -errno;

        for (const char *const *o = options; o && *o; o += 2) {
                int r = o[1] ? fsconfig(fsfd, FSCONFIG_SET_STRING, o[0], o[1], 0)
                             : fsconfig(fsfd, FSCONFIG_SET_FLAG, o[0], NULL, 0);
                if (r < 0)
                        return -errno;
        }
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;

        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attr);
        if (mfd < 0)
                return -errno;

        if (move_mount(mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;

        return TAKE_FD(mfd);
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

static int setup_dev(int sock, int rootfd) {
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

        /* /dev/console: the console issue gives containers a pty; until then it is the container's /dev/null. */
        fd = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, "/dev/console");
        fd = safe_close(fd);
        r = bind_over(devfd, "null", devfd, "console", 0);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, r, "/dev/console");

        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                CHILD_CHECK(symlinkat(links[i].target, devfd, links[i].name), sock, CONTAINER_STAGE_MOUNT_DEV,
                            links[i].name);

        CHILD_CHECK(mkdirat(devfd, "pts", 0755), sock, CONTAINER_STAGE_MOUNT_DEV, "/dev/pts");
        fd = openat(devfd, "pts", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, "/dev/pts");
        r = mount_new_fs(fd, "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, r, "/dev/pts");
        safe_close(r);
        fd = safe_close(fd);

        CHILD_CHECK(mkdirat(devfd, "shm", 01777), sock, CONTAINER_STAGE_MOUNT_DEV, "/dev/shm");
        fd = openat(devfd, "shm", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, "/dev/shm");
        r = mount_new_fs(fd, "tmpfs", shm_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, r, "/dev/shm");
        safe_close(r);
        fd = safe_close(fd);

        /* The mqueue file system shows the IPC namespace of the mounter: ours is new. */
        CHILD_CHECK(mkdirat(devfd, "mqueue", 0755), sock, CONTAINER_STAGE_MOUNT_DEV, "/dev/mqueue");
        fd = openat(devfd, "mqueue", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, errno, "/dev/mqueue");
        r = mount_new_fs(fd, "mqueue", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_DEV, r, "/dev/mqueue");
        safe_close(r);

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

static void child_warn(int sock, int error, const char *detail) {
        ContainerReport r = { .stage = CONTAINER_STAGE_WARNING, .error = abs(error) };

        snprintf(r.detail, sizeof(r.detail), "%s", detail);
        (void) send(sock, &r, sizeof(r), MSG_NOSIGNAL);
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
static void setup_run_host(int sock, int runfd, const ContainerConfig *c) {
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
        if (mknodat(ifd, "chr", S_IFCHR | 0000, makedev(0, 0)) < 0)
                child_warn(sock, errno, "/run/host/inaccessible/chr: cannot create device nodes, leaving chr and blk out");
        else if (mknodat(ifd, "blk", S_IFBLK | 0000, makedev(0, 0)) < 0)
                child_warn(sock, errno, "/run/host/inaccessible/blk: cannot create device nodes, leaving it out");

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

static void drop_capabilities(int sock, uint64_t keep) {
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

        caps = cap_get_proc();
        if (!caps)
                child_fail(sock, CONTAINER_STAGE_CAPABILITIES, errno, "cap_get_proc");
        if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0) {
                int e = errno;
                cap_free(caps);
                child_fail(sock, CONTAINER_STAGE_CAPABILITIES, e, "inheritable set");
        }
        cap_free(caps);
}

static void install_seccomp(int sock) {
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

        /* Filter the compat ABIs too, instead of letting 32-bit calls through. */
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                (void) seccomp_arch_add(ctx, SCMP_ARCH_X86);
                (void) seccomp_arch_add(ctx, SCMP_ARCH_X32);
        }

        for (size_t i = 0; i < ELEMENTSOF(deny); i++) {
                int nr = seccomp_syscall_resolve_name(deny[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0 && r != -EDOM && r != -EFAULT) {
                        seccomp_release(ctx);
                        child_fail(sock, CONTAINER_STAGE_SECCOMP, r, deny[i]);
                }
        }

        r = seccomp_load(ctx);
        seccomp_release(ctx);
        if (r < 0)
                child_fail(sock, CONTAINER_STAGE_SECCOMP, r, "seccomp_load");
}

static _noreturn_ void container_child(const ContainerConfig *c, int sock) {
        _cleanup_close_ int rootfd = -EBADF, devfd = -EBADF, fd = -EBADF;
        ContainerReport ok = { .stage = CONTAINER_STAGE_SETUP_DONE };
        _cleanup_free_ char *command = NULL;
        sigset_t ss;
        char go;
        int r, e = 0;

        /* Until released, die with the caller: a half-created container must not outlive it. If the caller
         * is already gone, the read of the release byte below sees end-of-file and we exit. */
        CHILD_CHECK(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), sock, CONTAINER_STAGE_PREPARE, "PR_SET_PDEATHSIG");
        CHILD_CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), sock, CONTAINER_STAGE_PREPARE, "PR_SET_DUMPABLE");
        umask(0);

        /* Nothing we mount may propagate to the host. */
        CHILD_CHECK(mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL), sock, CONTAINER_STAGE_MOUNT_ROOT, "/");

        /* The root directory becomes a mount point of its own, so that it can be pivoted into. */
        CHILD_CHECK(mount(c->root, c->root, NULL, MS_BIND | MS_REC, NULL), sock, CONTAINER_STAGE_MOUNT_ROOT,
                    c->root);
        rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                child_fail(sock, CONTAINER_STAGE_MOUNT_ROOT, errno, c->root);

        devfd = setup_dev(sock, rootfd);
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
        setup_run_host(sock, fd, c);
        fd = safe_close(fd);
        safe_close(setup_tmpfs(sock, rootfd, "tmp", "1777"));

        CHILD_CHECK(sethostname(c->hostname, strlen(c->hostname)), sock, CONTAINER_STAGE_HOSTNAME, c->hostname);

        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new. */
        CHILD_CHECK(fchdir(rootfd), sock, CONTAINER_STAGE_PIVOT_ROOT, c->root);
        CHILD_CHECK(syscall(SYS_pivot_root, ".", "."), sock, CONTAINER_STAGE_PIVOT_ROOT, c->root);
        CHILD_CHECK(umount2(".", MNT_DETACH), sock, CONTAINER_STAGE_PIVOT_ROOT, "old root");
        CHILD_CHECK(chdir("/"), sock, CONTAINER_STAGE_PIVOT_ROOT, "/");
        rootfd = safe_close(rootfd);
        devfd = safe_close(devfd);

        command = resolve_command(c->argv[0], c->envp, &e);
        if (!command)
                child_fail(sock, CONTAINER_STAGE_COMMAND, e, c->argv[0]);

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

        umask(0022);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&ss);
        CHILD_CHECK(sigprocmask(SIG_SETMASK, &ss, NULL), sock, CONTAINER_STAGE_PREPARE, "sigprocmask");

        drop_capabilities(sock, c->capability_bounding);
        install_seccomp(sock);

        execve(command, c->argv, c->envp);
        child_fail(sock, CONTAINER_STAGE_EXEC, errno, command);
}

/* ---- caller side ----------------------------------------------------------------------------------- */

int container_spawn(const ContainerConfig *c, Container *ret) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        struct clone_args args = {};
        int pidfd = -EBADF;
        long pid;

        assert(c);
        assert(c->root && c->root[0] == '/');
        assert(c->hostname);
        assert(c->argv && c->argv[0]);
        assert(ret);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;

        args = (struct clone_args) {
                .flags = CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                         (c->private_network ? CLONE_NEWNET : 0),
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };

        /* The raw clone3() returns twice like fork(). The caller is single-threaded, so the child may
         * use everything of its copy of the address space. */
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return -errno;
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
        const uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        _cleanup_close_ int rootfd = -EBADF, target = -EBADF;
        _cleanup_free_ char *p = NULL;
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = resolve };

        CHILD_CHECK(setns(leader_pidfd, CLONE_NEWNS), sock, CONTAINER_STAGE_PREPARE, "setns");
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                child_fail(sock, CONTAINER_STAGE_PREPARE, errno, "/");

        /* The container's tree is untrusted: every lookup stays inside its root. */
        if (make_dir) {
                p = strdup(destination);
                if (!p)
                        child_fail(sock, CONTAINER_STAGE_PREPARE, ENOMEM, destination);
                for (char *s = p + 1;; s++) {
                        bool last = !strchr(s, '/');
                        char *e = last ? s + strlen(s) : strchr(s, '/');
                        char saved = *e;
                        long fd;

                        *e = 0;
                        fd = syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
                        if (fd < 0 && errno == ENOENT) {
                                char *slash = strrchr(p, '/');
                                _cleanup_close_ int parent = -EBADF;

                                *slash = 0;
                                parent = (int) syscall(SYS_openat2, rootfd, *p ? p : "/", &how, sizeof(how));
                                *slash = '/';
                                if (parent < 0)
                                        child_fail(sock, CONTAINER_STAGE_EXEC, errno, destination);
                                if (!last || is_dir) {
                                        if (mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST)
                                                child_fail(sock, CONTAINER_STAGE_EXEC, errno, destination);
                                } else {
                                        int f = openat(parent, slash + 1,
                                                       O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                                        if (f < 0 && errno != EEXIST)
                                                child_fail(sock, CONTAINER_STAGE_EXEC, errno, destination);
                                        safe_close(f);
                                }
                        } else if (fd < 0)
                                child_fail(sock, CONTAINER_STAGE_EXEC, errno, destination);
                        else
                                safe_close((int) fd);
                        *e = saved;
                        if (last)
                                break;
                        s = e;
                }
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
        struct clone_args args = {};
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

        args = (struct clone_args) {
                .flags = CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                pair[0] = safe_close(pair[0]);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                bind_mount_child(pair[1], leader_pidfd, tree, destination, S_ISDIR(st.st_mode), make_dir);
        }

        *ret_pidfd = pidfd;
        *ret_report_fd = TAKE_FD(pair[0]);
        return 0;
}
