/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The privileged boundary (STYLE.md): the only code of machined-ext that references mount and the new mount
 * API, setns, unshare, clone3, pivot_root, capset and PR_CAPBSET_DROP, setresuid/setresgid/setgroups,
 * sethostname, mknod, personality, sched_setaffinity, sched_setattr, ioprio_set, the seccomp load, keyctl, the
 * device policy's bpf(), and the generic syscall()/prctl() entry points through which any of them could be
 * reached.
 * test/check/privileged-symbols.sh fails the build's tests if any object outside this library references one of
 * those symbols.
 *
 * Rules for every function here: it does one privileged thing (or a small fixed sequence that only makes sense
 * together), re-checks its own invariants, returns >= 0 or -errno, and never logs, never touches a socket,
 * never exits. Callers decide what a failure means and report it. Paths inside a container root are always
 * resolved relative to the root's fd, inside it (priv_open_in_root()): the image is untrusted. */

#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sock_fprog;
struct bpf_insn;

/* ---- processes and namespaces (priv-ns.c) ---- */

/* clone3() with CLONE_PIDFD and the namespace FLAGS (and CLONE_PARENT: the child is our parent's). Returns
 * like fork(): the child's pid in the caller (with its O_CLOEXEC pidfd in *ret_pidfd), 0 in the child; -errno
 * on failure. Without FLAGS, where a seccomp filter makes clone3() ENOSYS (a container's: clone3()'s flags
 * are out of a filter's sight), fork() and pidfd_open(). */
long priv_clone_pidfd(uint64_t flags, int *ret_pidfd);
/* priv_clone_pidfd() with the child as the PID 1 of the PID namespace PIDNS_FD (one without a process yet:
 * FLAGS must not have CLONE_NEWPID); the caller's PID namespace for its children is put back before
 * returning. Same returns; -EBADF without PIDNS_FD. */
long priv_clone_pidfd_into(uint64_t flags, int pidns_fd, int *ret_pidfd);
/* FLAGS may have CLONE_FILES: the child then shares our fd table, and must not close, open or move any fd
 * until it has called priv_unshare_fds(); we must not close one it needs before it says it has. It spares
 * the copy of the whole table (a reference on each of our fds) and the close of every copy (issue #17). */
/* In such a child: a table of its own with only its fds below END (close_range(CLOSE_RANGE_UNSHARE)); before
 * Linux 5.9 a copy of all. Returns 0 or -errno. */
int priv_unshare_fds(unsigned end);
/* Reads the message of N bytes that the child of PIDFD writes or sends to FD at once, unless it exits first:
 * for a child that shares our fd table, whose end of the pipe or socket stays open here too. Returns 0,
 * -EIO if the child exited without it (or it was short), -EBADF if FD or PIDFD is not open, or -errno. */
int priv_read_child_message(int fd, int pidfd, void *buf, size_t n);
/* priv_clone_pidfd() of a process that joins the running container whose init is LEADER_PIDFD: born in the
 * init's PID namespace (setns(CLONE_NEWPID) for our children, put back before returning) and, with CGROUP_FD
 * >= 0, in that cgroup (v2) directory (CLONE_INTO_CGROUP: no migration afterwards, which would wait for an
 * RCU grace period). It is visible in the container from its birth, so it is born not dumpable (ours is
 * cleared around the clone and put back): nobody in there may ptrace it or open its /proc/PID/exe, a host
 * binary (CVE-2019-5736). It still has our other namespaces: it joins them itself. Same returns. */
long priv_clone_pidfd_join(int leader_pidfd, int cgroup_fd, int *ret_pidfd);
/* setns() into the namespaces NSTYPE of the process (pidfd) or namespace file FD. Returns 0 or -errno. */
int priv_setns(int fd, int nstype);
/* unshare(CLONE_NEWCGROUP): makes the caller's current cgroup the root of a new cgroup namespace. */
int priv_unshare_cgroup(void);
/* sethostname() in the caller's UTS namespace. Refuses (-EPERM) if that is the UTS namespace of the host's
 * init (as seen through the /proc the caller has mounted): a container's hostname must never leak out. */
int priv_sethostname(const char *name);
/* Brings the loopback interface up, in a network namespace of our own. */
int priv_loopback_up(void);
/* prctl(PR_SET_PDEATHSIG, SIG) (0 clears it). */
int priv_set_pdeathsig(int sig);
/* prctl(PR_SET_DUMPABLE, B). */
int priv_set_dumpable(bool b);
/* prctl(PR_SET_CHILD_SUBREAPER, B). */
int priv_set_child_subreaper(bool b);
/* personality(PERSONA). */
int priv_personality(unsigned long persona);
/* sched_setaffinity(0, ...). */
int priv_sched_setaffinity(const cpu_set_t *set);
/* sched_setaffinity(0, ...) with every CPU the kernel may have (it keeps those that exist and the cgroup's
 * cpuset allows), not only the 1024 of a cpu_set_t. */
int priv_sched_setaffinity_all(void);
/* sched_setattr(0, ...) (glibc has no wrapper) with the fields of struct sched_attr (sched_setattr(2)); the
 * utilization clamps 0. */
int priv_sched_setattr(uint32_t policy, uint64_t flags, int32_t nice, uint32_t priority, uint64_t runtime,
                       uint64_t deadline, uint64_t period);
/* ioprio_set(IOPRIO_WHO_PROCESS, 0, VALUE): VALUE is IOPRIO_PRIO_VALUE(class, level). */
int priv_ioprio_set(int value);
/* Writes TEXT ("inside outside count" lines) to /proc/PID/WHICH ("uid_map" or "gid_map") of a child in a new
 * user namespace. */
int priv_write_id_map(pid_t pid, const char *which, const char *text);
/* keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): the caller (and what it execs) gets a new, empty, anonymous session
 * keyring instead of the one it inherited. Returns 0 or -errno (-ENOSYS: no keyrings in this kernel). */
int priv_join_new_session_keyring(void);
/* pidfd_send_signal(PIDFD, SIG). */
int priv_pidfd_send_signal(int pidfd, int sig);

/* ---- credentials (priv-creds.c) ---- */

/* Drops every capability not in KEEP from the bounding set (all above 63 too). */
int priv_capbset_limit(uint64_t keep);
/* Every capability not in KEEP out of every set: the bounding set where we may (CAP_SETPCAP; without it, as
 * after a payload's drop of privileges, it stays, and with no_new_privs or no file capabilities it gives
 * nothing back), the ambient, inheritable, permitted and effective sets always. */
int priv_caps_limit(uint64_t keep);
/* Clears the ambient set, and makes the inheritable set exactly INHERITABLE. */
int priv_caps_set_inheritable(uint64_t inheritable);
/* After a switch away from root: permitted = effective = inheritable = AMBIENT, then raises AMBIENT in the
 * ambient set so that it survives execve(). AMBIENT == 0 is a no-op. */
int priv_caps_raise_ambient(uint64_t ambient);
/* Sets the effective, permitted and inheritable sets to exactly these masks (EFFECTIVE must be a subset of
 * PERMITTED). */
int priv_caps_set_exact(uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* Raises AMBIENT in the ambient set (each bit must be permitted and inheritable already). */
int priv_ambient_raise(uint64_t ambient);
/* prctl(PR_SET_KEEPCAPS, B). */
int priv_set_keepcaps(bool b);
/* setgroups(), setresgid(G, G, G), setresuid(U, U, U), in this order. */
int priv_switch_user(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups);
/* setresgid(G, G, G), setresuid(U, U, U), without setgroups(): for a user namespace whose owner denied
 * setgroups (/proc/PID/setgroups "deny"), where the supplementary groups cannot change. */
int priv_switch_ids(uid_t uid, gid_t gid);
/* setfsgid(GID), setfsuid(UID): the owner of the files the caller creates from now on. Moving the fsuid away
 * from 0 drops the file capabilities (CAP_CHOWN, CAP_DAC_OVERRIDE, ...) from the effective set, moving it back
 * restores them. Returns 0, or -EPERM if the IDs did not change. */
int priv_set_fsids(uid_t uid, gid_t gid);
/* What priv_fsids_push() changed, for priv_fsids_pop(). */
typedef struct PrivFsids {
        uid_t uid;
        gid_t gid;
        uint64_t effective;
        bool pushed;
} PrivFsids;
/* setfsgid(GID), setfsuid(UID), then the effective capability set made the permitted one (a move of the fsuid
 * away from 0 drops the file capabilities from it): the caller creates files as UID:GID, with all its
 * privileges (a file system made now, such as an overlayfs, keeps these credentials as its creator's). Saves
 * what it changes in *RET_SAVED. Returns 0 or -errno (nothing changed). */
int priv_fsids_push(uid_t uid, gid_t gid, PrivFsids *ret_saved);
/* Puts back the fsuid, fsgid and effective set saved by a successful priv_fsids_push() (nothing otherwise);
 * for _cleanup_. */
void priv_fsids_pop(PrivFsids *saved);
/* prctl(PR_SET_NO_NEW_PRIVS, 1). */
int priv_set_no_new_privs(void);
/* Loads the seccomp filter PROG (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER), or seccomp(SECCOMP_SET_MODE_FILTER,
 * FLAGS) with FLAGS, of SECCOMP_FILTER_FLAG_TSYNC, _LOG and _SPEC_ALLOW only). Filters stack: each load adds
 * one. Single-threaded callers only. */
int priv_seccomp_load(const struct sock_fprog *prog, unsigned flags);

/* ---- the device policy (priv-bpf.c) ---- */

/* Loads the N instructions INSNS as a BPF_PROG_TYPE_CGROUP_DEVICE program; its fd (O_CLOEXEC) in *RET_FD.
 * Returns 0 or -errno (-EINVAL for none or more than a million; the verifier's refusal as the kernel says). */
int priv_bpf_device_program_load(const struct bpf_insn *insns, size_t n, int *ret_fd);
/* Attaches the device program PROG_FD to the cgroup (v2) directory CGROUP_FD, with BPF_F_ALLOW_MULTI: it runs
 * for every process in that cgroup and below, next to the programs others attach; any of them may deny. The
 * attachment lasts as long as the cgroup, whatever becomes of PROG_FD. Returns 0 or -errno. */
int priv_bpf_device_program_attach(int cgroup_fd, int prog_fd);

/* ---- files inside a root (priv-resolve.c) ---- */

/* openat2(DIRFD, PATH, how). A thin wrapper: openat2 has no libc wrapper, and syscall() is reserved to this
 * library. Returns the fd or -errno. */
int priv_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
/* Opens PATH below ROOTFD as O_PATH; symlinks are followed but never out of the root, /proc magic links not at
 * all. Returns the fd or -errno. */
int priv_open_in_root(int rootfd, const char *path);
/* Opens the directory NAME (one component) below ROOTFD without following any symlink; creates it if missing
 * and CREATE. Returns an O_PATH fd or -errno. */
int priv_open_dir_in_root(int rootfd, const char *name, bool create);
/* Creates the missing components of PATH below ROOTFD (directories; the last one a directory if IS_DIR, else
 * an empty regular file), each resolved inside the root. Returns 0 or -errno. */
int priv_create_in_root(int rootfd, const char *path, bool is_dir);
/* mknodat(DIRFD, NAME, MODE, DEV). NAME must be a single component. */
int priv_mknodat(int dirfd, const char *name, mode_t mode, dev_t dev);

/* ---- mounts (priv-mount.c) ---- */

/* Makes every mount of the caller's (new) mount namespace a recursive slave: nothing propagates to the host. */
int priv_mount_make_rslave(void);
/* Bind-mounts the host directory PATH (recursively) onto itself, so that it can be pivoted into. */
int priv_mount_bind_self(const char *path);
/* fsopen(FSTYPE). Returns the fs context fd or -errno. */
int priv_fs_open(const char *fstype);
/* fsconfig() a string option KEY=VALUE, or the flag KEY if VALUE is NULL. */
int priv_fs_set(int fsfd, const char *key, const char *value);
/* Creates the file system configured in FSFD and mounts it with ATTR (MOUNT_ATTR_*), detached: it is attached
 * nowhere, and goes away with the last reference to it. Returns the mount fd or -errno. */
int priv_fs_create_detached(int fsfd, unsigned attr);
/* Creates the file system configured in FSFD, mounts it with ATTR (MOUNT_ATTR_*) and attaches it on TARGET_FD.
 * Returns an fd of the new mount's root, or -errno. */
int priv_fs_attach(int fsfd, unsigned attr, int target_fd);
/* fsopen + priv_fs_set for each KEY, VALUE pair of OPTIONS (NULL-terminated) + priv_fs_attach. */
int priv_fs_mount(int target_fd, const char *fstype, const char *const *options, unsigned attr);
/* open_tree(DIRFD, PATH, OPEN_TREE_CLONE | FLAGS): a detached copy. Returns the mount fd or -errno. */
int priv_tree_clone(int dirfd, const char *path, unsigned flags);
/* mount_setattr(FD, "", AT_EMPTY_PATH | (RECURSIVE ? AT_RECURSIVE : 0), ATTR). */
int priv_mount_setattr(int fd, bool recursive, const struct mount_attr *attr);
/* move_mount(TREE -> TARGET_FD), both by fd. */
int priv_move_mount(int tree, int target_fd);
/* Bind-mounts SOURCE (below SRC_DIRFD; "" = SRC_DIRFD itself) over PATH below DIRFD (never following a symlink
 * in its last component), with ATTR. Returns 0, -ENOENT if PATH does not exist, or -errno. */
int priv_bind_over(int src_dirfd, const char *source, int dirfd, const char *path, unsigned attr);
/* Attaches the detached mount TREE at DESTINATION inside the root (created first, resolved inside the root),
 * read-only (recursively) if READ_ONLY. */
int priv_attach_in_root(int rootfd, int tree, const char *destination, bool read_only);
/* Binds the host directory SOURCE on the directory NAME (one component) in PARENT_FD with mount(2) (which,
 * unlike open_tree(), keeps the relationship to SOURCE's peer group), then makes the new mount a read-only
 * (nosuid, nodev, noexec) slave. */
int priv_bind_slave(const char *source, int parent_fd, const char *name);
/* umount2(PATH, MNT_DETACH | UMOUNT_NOFOLLOW) of the absolute host path PATH, a mount point of ours. */
int priv_umount_detach(const char *path);
/* fchdir(ROOTFD), pivot_root(".", "."), detaches the old root, chdir("/"). */
int priv_pivot_root(int rootfd);
/* fchdir(ROOTFD), mount(".", "/", MS_MOVE), chroot("."), chdir("/"): the root without pivot_root (runc's
 * --no-pivot, for a root on ramfs/initramfs). */
int priv_move_root(int rootfd);
/* Makes the host directory DIR a mount point (bind onto itself if it is not one) with shared propagation. */
int priv_make_shared_mount_point(const char *dir);

/* ---- this program's own file (priv-self.c) ---- */

/* CVE-2019-5736: a process we put into a container is a copy of us until its execve(), and a file of the
 * image can make that execve() run /proc/self/exe (a "#!/proc/self/exe" script, a symlink swapped in after
 * our checks): our file, which root in the container could then open for writing through /proc/PID/exe, at
 * once or after we exit. So a program that does so first runs itself again, with ARGV and environ, from a
 * detached read-only (nosuid, nodev) bind mount of its file: returns only on failure (-errno), or 0 when it
 * already runs from such a mount (then also after that exec; a read-only mount of the namespace, which an admin
 * may remount read-write, is not enough, unless the kernel cannot tell mounts apart: before Linux 5.8). */
int priv_exec_self_read_only(char *const argv[]);

/* ---- user namespaces (priv-userns.c) ---- */

/* The namespaces of PrivateUsers=, as O_CLOEXEC fds (-EBADF: none). */
typedef struct PrivUserns {
        int userns_fd;
        int pidns_fd;                   /* owned by the user namespace, no process yet: the first process
                                         * cloned into it (priv_clone_pidfd_into()) is its PID 1; -EBADF
                                         * before Linux 6.11 (no PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE) */
        int netns_fd;                   /* owned by the user namespace (with NETNS), or -EBADF */
        int helper_pidfd;               /* the caller's child that made them, killed already: to be reaped
                                         * (waitid(P_PIDFD)) when convenient; priv_userns_done() waits for it */
} PrivUserns;

#define PRIV_USERNS_NULL                                                                                     \
        ((PrivUserns) { .userns_fd = -EBADF, .pidns_fd = -EBADF, .netns_fd = -EBADF, .helper_pidfd = -EBADF })

/* A new user namespace owned by the caller, mapping UIDs and GIDs 0..RANGE-1 to SHIFT..SHIFT+RANGE-1, and
 * owned by it a PID namespace and (with NETNS) a network namespace (made by a short-lived child). Returns 0
 * and fills *RET, or -errno (nothing held). */
int priv_userns_new(uid_t shift, uint32_t range, bool netns, PrivUserns *ret);
/* Closes the fds of U, after reaping its helper if it still has it. */
void priv_userns_done(PrivUserns *u);
/* Makes the detached mount TREE idmapped through the user namespace USERNS_FD. Returns 0 or -errno
 * (-EINVAL, -EOPNOTSUPP, -EPERM: the file system cannot be idmapped). */
int priv_mount_idmap(int tree, int userns_fd, bool recursive);
/* The user namespace of the process PIDFD (ioctl PIDFD_GET_USER_NAMESPACE, Linux 6.11), as an O_CLOEXEC fd.
 * Returns the fd or -errno (-EOPNOTSUPP: an older kernel). */
int priv_pidfd_get_userns(int pidfd);
/* Like priv_mount_bind_self(), but the bind (with the mounts below it) is idmapped through USERNS_FD. */
int priv_bind_idmapped_self(const char *path, int userns_fd);
/* setns() into the user namespace USERNS_FD, then unshare(UNSHARE_FLAGS) (CLONE_NEWNS, _NEWUTS, ...): those
 * namespaces are owned by it, and every mount copied into the new mount namespace is locked. */
int priv_enter_userns(int userns_fd, int unshare_flags);
/* Shifts the owner of every file below the host directory PATH (one file system, symlinks not followed) into
 * the range at SHIFT (a multiple of 65536), keeping the low 16 bits and the set-ID bits; the root directory
 * last, so that its owner records a finished shift. Returns 0 or -errno. */
int priv_chown_tree(const char *path, uid_t shift);
/* fchownat(FD, "", UID, GID, AT_EMPTY_PATH): FD may be an O_PATH fd. */
int priv_chown_fd(int fd, uid_t uid, gid_t gid);
