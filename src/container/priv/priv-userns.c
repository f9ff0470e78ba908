/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespaces (PrivateUsers=): making one with given maps, idmapping a tree with it, entering it, and
 * shifting the owners of an image that cannot be idmapped.
 *
 * The trust argument: the maps come from the daemon (a range it picked and locked, or the trusted settings'
 * explicit range), never from the image. The image's tree is untrusted: the chown walk opens every directory
 * relative to its parent with O_NOFOLLOW, never crosses into another file system, never follows a symlink
 * (it changes the link itself), and only ever sets owners inside the machine's own range. */

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "priv.h"

#ifndef PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE
#define PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE _IO(0xFF, 6)
#endif
#ifndef PIDFD_GET_USER_NAMESPACE
#define PIDFD_GET_USER_NAMESPACE _IO(0xFF, 9)
#endif

static int write_map(pid_t pid, const char *which, uid_t shift, uint32_t range) {
        char text[64];

        snprintf(text, sizeof(text), "0 %u %u\n", (unsigned) shift, (unsigned) range);
        return priv_write_id_map(pid, which, text);
}

static int open_ns(long pid, const char *which) {
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/proc/%li/ns/%s", pid, which);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

/* The helper that owns the new namespaces until we hold them by fd: it says how its unshare(CLONE_NEWPID)
 * went, then waits for the end of WAIT_FD and leaves. */
typedef struct HelperArgs {
        int ready_fd;
        int wait_fd;
} HelperArgs;

/* Where the kernel and the CPU allow it, the helper shares our memory (CLONE_VM): a fork would copy the page
 * tables of all our resident memory and make it copy-on-write, which costs the daemon more the larger its
 * heap is (two forks a start; bench/RESULTS.md), and the helper's exit would tear that copy down again. Such
 * a child runs on a stack of its own, kept until it is gone, and makes raw system calls only: it shares our
 * thread's TLS (glibc's wrappers write errno there). */
#if defined(__x86_64__)
#  define HAVE_RAW_SYSCALL 1
static inline long raw_syscall4(long n, long a, long b, long c, long d) {
        register long r10 __asm__("r10") = d;
        long ret;

        __asm__ volatile ("syscall" : "=a" (ret) : "a" (n), "D" (a), "S" (b), "d" (c), "r" (r10)
                          : "rcx", "r11", "memory");
        return ret;
}
#elif defined(__aarch64__)
#  define HAVE_RAW_SYSCALL 1
static inline long raw_syscall4(long n, long a, long b, long c, long d) {
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        register long x3 __asm__("x3") = d;

        __asm__ volatile ("svc 0" : "+r" (x0) : "r" (x8), "r" (x1), "r" (x2), "r" (x3) : "memory");
        return x0;
}
#else
#  define HAVE_RAW_SYSCALL 0
#endif

#if HAVE_RAW_SYSCALL
#define HELPER_STACK_SIZE (64U * 1024U)
#define HELPER_STACKS_MAX 64U

/* A stack for a helper of ours, and the helper that last ran on it: free again once that one has exited.
 * Its PID, not a pidfd, so that no fd outlives the helper: until the helper is reaped its PID stays ours;
 * once it is, waitid() on the PID says ECHILD, or (reused by another child of ours) that one is running,
 * which only keeps the stack taken a little longer. Not thread-safe: the callers make their helpers from
 * one thread. */
typedef struct HelperStack {
        void *base;
        pid_t pid;
} HelperStack;

static HelperStack helper_stacks[HELPER_STACKS_MAX];

static bool helper_stack_is_free(const HelperStack *s) {
        siginfo_t si = {};

        if (s->pid <= 0)
                return true;
        if (waitid(P_PID, (id_t) s->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
                return errno == ECHILD;
        return si.si_pid != 0;
}

/* A free stack (with a guard page below it), or NULL: then the helper is forked. */
static HelperStack *helper_stack_get(void) {
        for (size_t i = 0; i < HELPER_STACKS_MAX; i++) {
                HelperStack *s = helper_stacks + i;

                if (!s->base) {
                        void *p = mmap(NULL, HELPER_STACK_SIZE, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
                        if (p == MAP_FAILED)
                                return NULL;
                        if (mprotect(p, (size_t) sysconf(_SC_PAGESIZE), PROT_NONE) < 0) {
                                (void) munmap(p, HELPER_STACK_SIZE);
                                return NULL;
                        }
                        *s = (HelperStack) { .base = p };
                        return s;
                }
                if (helper_stack_is_free(s)) {
                        s->pid = 0;
                        return s;
                }
        }
        return NULL;
}

/* Not instrumented: a sanitizer's or the stack protector's runtime state is per thread, and this runs in our
 * memory with our thread's TLS. */
__attribute__((no_sanitize_address, no_sanitize("undefined"), no_stack_protector))
static int helper_main(void *userdata) {
        const HelperArgs a = *(const HelperArgs *) userdata;
        int e = 0;
        char b;
        long r;

        (void) raw_syscall4(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
        r = raw_syscall4(SYS_unshare, CLONE_NEWPID, 0, 0, 0);
        if (r < 0)
                e = (int) -r;
        (void) raw_syscall4(SYS_write, a.ready_fd, (long) &e, sizeof(e), 0);
        (void) raw_syscall4(SYS_read, a.wait_fd, (long) &b, 1, 0);
        return 0;       /* glibc's clone() makes the exit call */
}

/* The helper in our memory: its PID, or -errno (-ENOSPC: no stack for it, fork it). */
static long helper_clone_vm(int flags, const HelperArgs *args, HelperStack **ret_stack, int *ret_pidfd) {
        HelperStack *s;
        int pidfd = -EBADF;
        long pid;

        s = helper_stack_get();
        if (!s)
                return -ENOSPC;
        pid = clone(helper_main, (char *) s->base + HELPER_STACK_SIZE,
                    flags | CLONE_VM | CLONE_FILES | CLONE_PIDFD | SIGCHLD, (void *) args, &pidfd);
        if (pid < 0)
                return -errno;
        *ret_stack = s;
        *ret_pidfd = pidfd;
        return pid;
}
#endif

int priv_userns_new(uid_t shift, uint32_t range, bool netns, PrivUserns *ret) {
        struct clone_args args = {
                .flags = CLONE_NEWUSER | CLONE_FILES | CLONE_PIDFD | (netns ? CLONE_NEWNET : 0),
                .exit_signal = SIGCHLD,
        };
        _cleanup_close_pair_ int wait_pipe[2] = { -EBADF, -EBADF }, ready_pipe[2] = { -EBADF, -EBADF };
        _cleanup_close_ int pidfd = -EBADF, userns = -EBADF, pidns = -EBADF, net = -EBADF;
        int child_errno = 0, r;
        long pid = -ENOSPC;
#if HAVE_RAW_SYSCALL
        HelperStack *stack = NULL;
#endif

        if (!ret || range == 0 || (uint64_t) shift + range > UINT32_MAX)
                return -EINVAL;
        if (pipe2(wait_pipe, O_CLOEXEC) < 0 || pipe2(ready_pipe, O_CLOEXEC) < 0)
                return -errno;

        /* A child that only exists to own the new namespaces until we hold them by fd. In the new user
         * namespace it has every capability there, and unshares a PID namespace, which is therefore owned by
         * that user namespace: the caller clones the container's init into it (priv_clone_pidfd_into()), so
         * that the payload's root may reboot(2) it (the kernel wants CAP_SYS_BOOT in the user namespace that
         * owns the PID namespace), as the init of a systemd-nspawn -U container can. The network namespace
         * comes with the clone, owned by it too. The child says how its unshare went, then waits for the end
         * of the pipe and leaves. */
#if HAVE_RAW_SYSCALL
        pid = helper_clone_vm((int) args.flags & ~CLONE_PIDFD,
                              &(HelperArgs) { .ready_fd = ready_pipe[1], .wait_fd = wait_pipe[0] }, &stack, &pidfd);
#endif
        if (pid == -ENOSPC) {
                args.pidfd = (uint64_t) (uintptr_t) &pidfd;
                pid = syscall(SYS_clone3, &args, sizeof(args));
                if (pid < 0)
                        return -errno;
                if (pid == 0) {
                        int e = 0;
                        char b;

                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                        if (unshare(CLONE_NEWPID) < 0)
                                e = errno;
                        (void) write(ready_pipe[1], &e, sizeof(e));
                        (void) read(wait_pipe[0], &b, 1);
                        _exit(EXIT_SUCCESS);
                }
        } else if (pid < 0)
                return (int) pid;
        /* The child shares our fd table (CLONE_FILES): a copy of it would cost a reference on every fd we have,
         * and the child's exit a close of each (some 5 per running machine; issue #17). So both pipes stay
         * open here until it is gone, and its death is seen on its pidfd, not as the end of the pipe. */
        r = write_map((pid_t) pid, "uid_map", shift, range);
        if (r >= 0)
                r = write_map((pid_t) pid, "gid_map", shift, range);
        if (r >= 0)
                r = priv_read_child_message(ready_pipe[0], pidfd, &child_errno, sizeof(child_errno));
        if (r >= 0 && child_errno > 0)
                r = -child_errno;
        /* The pidfd proves that /proc/PID was still our child when we opened its namespaces: it cannot have
         * been reaped (we are its parent and have not waited). */
        if (r >= 0)
                r = userns = open_ns(pid, "user");
        /* Not /proc/PID/ns/pid_for_children: that refuses a PID namespace without its PID 1 yet (ENOENT). The
         * pidfd's ioctl (Linux 6.11) does not. Older kernels: no such PID namespace, the caller makes its own
         * (owned by the host's user namespace, where reboot(2) fails with EPERM). */
        if (r >= 0) {
                pidns = ioctl(pidfd, PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE, 0);
                if (pidns < 0 && !IN_SET(errno, ENOTTY, EINVAL, EOPNOTSUPP))
                        r = -errno;
        }
        if (r >= 0 && netns)
                r = net = open_ns(pid, "net");
        /* Killed before its pipe ends: blocked in read(), it leaves without running any more of its code. */
        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        wait_pipe[1] = safe_close(wait_pipe[1]);
#if HAVE_RAW_SYSCALL
        /* Its stack is taken until it has exited. */
        if (stack)
                stack->pid = (pid_t) pid;
#endif
        if (r < 0) {
                (void) waitid(P_PIDFD, pidfd, NULL, WEXITED);
                return r;
        }
        /* Not reaped here: until the killed helper gets a CPU to exit, waitid() blocks (0.5-22 ms on a loaded
         * host, issue #17), and nothing needs it gone before the container's init is cloned. */
        *ret = (PrivUserns) {
                .userns_fd = TAKE_FD(userns),
                .pidns_fd = TAKE_FD(pidns),
                .netns_fd = TAKE_FD(net),
                .helper_pidfd = TAKE_FD(pidfd),
        };
        return 0;
}

int priv_pidfd_get_userns(int pidfd) {
        int fd;

        fd = ioctl(pidfd, PIDFD_GET_USER_NAMESPACE, 0);
        if (fd < 0)
                return IN_SET(errno, ENOTTY, EINVAL) ? -EOPNOTSUPP : -errno;
        return fd;
}

void priv_userns_done(PrivUserns *u) {
        if (!u)
                return;
        u->userns_fd = safe_close(u->userns_fd);
        u->pidns_fd = safe_close(u->pidns_fd);
        u->netns_fd = safe_close(u->netns_fd);
        if (u->helper_pidfd >= 0)
                (void) waitid(P_PIDFD, u->helper_pidfd, NULL, WEXITED);
        u->helper_pidfd = safe_close(u->helper_pidfd);
}

int priv_mount_idmap(int tree, int userns_fd, bool recursive) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_IDMAP,
                .userns_fd = (uint64_t) userns_fd,
        };

        if (tree < 0 || userns_fd < 0)
                return -EBADF;
        return priv_mount_setattr(tree, recursive, &attr);
}

int priv_bind_idmapped_self(const char *path, int userns_fd) {
        _cleanup_close_ int tree = -EBADF, target = -EBADF;
        int r;

        /* PATH is the root directory from the daemon's trusted configuration: a host path. With the mounts
         * below it, like priv_mount_bind_self(): each of them must allow idmapping, or none is. */
        if (!path || path[0] != '/')
                return -EINVAL;
        tree = priv_tree_clone(AT_FDCWD, path, AT_RECURSIVE);
        if (tree < 0)
                return tree;
        r = priv_mount_idmap(tree, userns_fd, true);
        if (r < 0)
                return r;
        target = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (target < 0)
                return -errno;
        return priv_move_mount(tree, target);
}

int priv_enter_userns(int userns_fd, int unshare_flags) {
        if (userns_fd < 0)
                return -EBADF;
        if (unshare_flags & CLONE_NEWUSER)
                return -EINVAL;
        /* Joining the user namespace gives us every capability in it (we hold CAP_SYS_ADMIN over it: the
         * daemon made it). The namespaces unshared after that are owned by it: the mount namespace is a copy
         * of ours, and the kernel locks every mount copied into a less privileged namespace (MNT_LOCKED, with
         * their read-only, nosuid, nodev, noexec and atime flags): the payload can neither unmount them nor
         * remount them writable. */
        if (setns(userns_fd, CLONE_NEWUSER) < 0)
                return -errno;
        if (unshare_flags != 0 && unshare(unshare_flags) < 0)
                return -errno;
        return 0;
}

/* The owner ID shifted into the range at SHIFT: the low 16 bits are kept (nspawn's rule). */
static uint32_t shift_id(uint32_t id, uid_t shift) {
        return (id & UINT32_C(0xFFFF)) | shift;
}

static int chown_one(int dirfd, const char *name, const struct stat *st, uid_t shift) {
        uid_t u = shift_id(st->st_uid, shift);
        gid_t g = shift_id(st->st_gid, shift);

        if (st->st_uid == u && st->st_gid == g)
                return 0;
        if (fchownat(dirfd, name, u, g, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) < 0)
                return -errno;
        /* chown() clears the set-user-ID and set-group-ID bits: put them back. */
        if (S_ISLNK(st->st_mode) || !(st->st_mode & (S_ISUID | S_ISGID)))
                return 0;
        /* Never through a symlink: the entry may have been swapped for one since it was looked at. */
        if (!*name)
                return RET_NERRNO(fchmod(dirfd, st->st_mode & 07777));
        return RET_NERRNO(fchmodat(dirfd, name, st->st_mode & 07777, AT_SYMLINK_NOFOLLOW));
}

static void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

static int chown_tree_fd(int fd, uint64_t mnt_id, uid_t shift, unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        if (depth > 256)
                return -ELOOP;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        for (errno = 0; (de = readdir(d)); errno = 0) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (S_ISDIR(st.st_mode)) {
                        struct statx sx;

                        /* Another file system mounted below is not the image's. Compared by mount ID, since
                         * st_dev of an overlayfs file is its layer's. */
                        if (statx(dirfd(d), de->d_name, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
                                return -errno;
                        if (!(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id != mnt_id)
                                continue;
                        int sub = openat(dirfd(d), de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                        if (sub < 0)
                                return -errno;
                        r = chown_tree_fd(sub, mnt_id, shift, depth + 1);
                        if (r < 0)
                                return r;
                }
                r = chown_one(dirfd(d), de->d_name, &st, shift);
                if (r < 0)
                        return r;
        }
        return errno > 0 ? -errno : 0;
}

int priv_chown_tree(const char *path, uid_t shift) {
        _cleanup_close_ int fd = -EBADF;
        struct statx sx;
        struct stat st;
        int r;

        if (!path || path[0] != '/' || (shift & UINT32_C(0xFFFF)) != 0)
                return -EINVAL;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0)
                return -errno;
        if (!(sx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        /* The root directory last: its owner records that the whole tree is done (as nspawn does). */
        r = chown_tree_fd(fcntl(fd, F_DUPFD_CLOEXEC, 3), sx.stx_mnt_id, shift, 0);
        if (r < 0)
                return r;
        return chown_one(fd, "", &st, shift);
}

int priv_chown_fd(int fd, uid_t uid, gid_t gid) {
        return RET_NERRNO(fchownat(fd, "", uid, gid, AT_EMPTY_PATH));
}
