/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes and namespaces: clone3, setns, unshare, sethostname, the session keyring, and the prctl()s of the
 * container's init. */

#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "macro.h"
#include "priv.h"

long priv_clone_pidfd(uint64_t flags, int *ret_pidfd) {
        struct clone_args args = {
                .flags = CLONE_PIDFD | flags,
                .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                /* CLONE_PARENT: the child is our parent's, with our own exit signal (clone3() wants 0). */
                .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
        };
        long pid;

        if (!ret_pidfd)
                return -EINVAL;
        /* The callers are single-threaded, so the child may use everything of its copy of the address space. */
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0 && errno == ENOSYS && flags == 0) {
                /* Our own child: nobody else can reap it, so its PID stays its until we have the pidfd. */
                pid = fork();
                if (pid <= 0)
                        return pid < 0 ? -errno : 0;
                *ret_pidfd = pidfd_open(pid, 0);        /* O_CLOEXEC, always */
                if (*ret_pidfd < 0) {
                        int e = errno;
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        return -e;
                }
        }
        return pid < 0 ? -errno : pid;
}

long priv_clone_pidfd_join(int leader_pidfd, int cgroup_fd, int *ret_pidfd) {
        struct clone_args args = {
                .flags = CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
                .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                .exit_signal = SIGCHLD,
                .cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0,
        };
        _cleanup_close_ int own = -EBADF;
        int dumpable;
        long pid;

        if (leader_pidfd < 0 || !ret_pidfd)
                return -EBADF;
        /* Our own (active) PID namespace, to go back to (see priv_clone_pidfd_into()). */
        own = open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (own < 0)
                return -errno;
        dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        if (dumpable < 0)
                return -errno;
        /* The child's memory descriptor copies ours, with this flag. */
        if (dumpable != 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return -errno;
        if (setns(leader_pidfd, CLONE_NEWPID) < 0) {
                int e = errno;
                (void) prctl(PR_SET_DUMPABLE, (unsigned long) dumpable, 0, 0, 0);
                return -e;
        }
        /* The callers are single-threaded, so the child may use everything of its copy of the address space.
         * The kernel checks CGROUP_FD as a write to its cgroup.procs would (a populated domain with
         * controllers enabled for its children refuses: EBUSY). */
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid == 0)
                return 0;
        if (pid < 0)
                pid = -errno;
        if (setns(own, CLONE_NEWPID) < 0) {
                /* Never leave later children of ours in the container's PID namespace. */
                int e = errno;
                if (pid > 0) {
                        (void) priv_pidfd_send_signal(*ret_pidfd, SIGKILL);
                        (void) waitid(P_PIDFD, *ret_pidfd, NULL, WEXITED);
                        *ret_pidfd = safe_close(*ret_pidfd);
                }
                pid = -e;
        }
        (void) prctl(PR_SET_DUMPABLE, (unsigned long) dumpable, 0, 0, 0);
        return pid;
}

long priv_clone_pidfd_into(uint64_t flags, int pidns_fd, int *ret_pidfd) {
        _cleanup_close_ int own = -EBADF;
        long pid;

        if (pidns_fd < 0)
                return -EBADF;
        if (flags & CLONE_NEWPID)
                return -EINVAL;
        /* Our own (active) PID namespace, to go back to: setns() always allows it, and PIDNS_FD is a
         * descendant of it. setns(CLONE_NEWPID) only changes where our children go, never our own PID. */
        own = open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (own < 0)
                return -errno;
        if (setns(pidns_fd, CLONE_NEWPID) < 0)
                return -errno;
        pid = priv_clone_pidfd(flags, ret_pidfd);
        if (pid == 0) {
                /* Our OWN is the parent's, with a shared table: not ours to close. */
                if (flags & CLONE_FILES)
                        own = -EBADF;
                return 0;
        }
        if (setns(own, CLONE_NEWPID) < 0) {
                /* Never leave later children of ours in the container's PID namespace. */
                int e = errno;
                if (pid > 0) {
                        (void) priv_pidfd_send_signal(*ret_pidfd, SIGKILL);
                        (void) waitid(P_PIDFD, *ret_pidfd, NULL, WEXITED);
                        *ret_pidfd = safe_close(*ret_pidfd);
                }
                return -e;
        }
        return pid;
}

int priv_unshare_fds(unsigned end) {
        if (close_range(end, ~0U, CLOSE_RANGE_UNSHARE) >= 0)
                return 0;
        /* Before Linux 5.9 (or close_range() filtered): a copy of the whole table. */
        if (!IN_SET(errno, EINVAL, ENOSYS, EPERM))
                return -errno;
        return RET_NERRNO(unshare(CLONE_FILES));
}

int priv_read_child_message(int fd, int pidfd, void *buf, size_t n) {
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = fd, .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                };
                ssize_t k;

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if ((p[0].revents | p[1].revents) & POLLNVAL)
                        return -EBADF;
                /* The message first: the child may have sent it and exited since. */
                if (p[0].revents != 0) {
                        k = read(fd, buf, n);
                        if (k < 0)
                                return -errno;
                        return (size_t) k == n ? 0 : -EIO;
                }
                if (p[1].revents != 0)
                        return -EIO;
        }
}

int priv_setns(int fd, int nstype) {
        if (fd < 0)
                return -EBADF;
        return RET_NERRNO(setns(fd, nstype));
}

int priv_unshare_cgroup(void) {
        return RET_NERRNO(unshare(CLONE_NEWCGROUP));
}

int priv_sethostname(const char *name) {
        struct stat self, init;

        if (!name || !*name)
                return -EINVAL;
        /* Like bubblewrap's PRIV_SEP_OP_SET_HOSTNAME: refuse in the host's namespace, even if the caller
         * believes it unshared. */
        if (stat("/proc/self/ns/uts", &self) >= 0 && stat("/proc/1/ns/uts", &init) >= 0 &&
            self.st_dev == init.st_dev && self.st_ino == init.st_ino)
                return -EPERM;
        return RET_NERRNO(sethostname(name, strlen(name)));
}

int priv_loopback_up(void) {
        struct ifreq ifr = { .ifr_name = "lo" };
        _cleanup_close_ int fd = -EBADF;

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        return RET_NERRNO(ioctl(fd, SIOCSIFFLAGS, &ifr));
}

int priv_set_pdeathsig(int sig) {
        return RET_NERRNO(prctl(PR_SET_PDEATHSIG, (unsigned long) sig, 0, 0, 0));
}

int priv_set_dumpable(bool b) {
        return RET_NERRNO(prctl(PR_SET_DUMPABLE, (unsigned long) b, 0, 0, 0));
}

int priv_set_child_subreaper(bool b) {
        return RET_NERRNO(prctl(PR_SET_CHILD_SUBREAPER, (unsigned long) b, 0, 0, 0));
}

int priv_personality(unsigned long persona) {
        return RET_NERRNO(personality(persona));
}

int priv_sched_setaffinity(const cpu_set_t *set) {
        if (!set)
                return -EINVAL;
        return RET_NERRNO(sched_setaffinity(0, sizeof(cpu_set_t), set));
}

int priv_sched_setaffinity_all(void) {
        /* runc's reset takes 65536 CPUs (configs.MaxCPU); the kernel clamps the mask to nr_cpu_ids. */
        static uint8_t all[65536 / 8];

        if (all[0] == 0)
                memset(all, 0xff, sizeof(all));
        return RET_NERRNO(sched_setaffinity(0, sizeof(all), (const cpu_set_t *) all));
}

int priv_sched_setattr(uint32_t policy, uint64_t flags, int32_t nice, uint32_t priority, uint64_t runtime,
                       uint64_t deadline, uint64_t period) {
        /* struct sched_attr, SCHED_ATTR_SIZE_VER1: <linux/sched/types.h> clashes with glibc's <sched.h>. */
        struct {
                uint32_t size;
                uint32_t policy;
                uint64_t flags;
                int32_t nice;
                uint32_t priority;
                uint64_t runtime;
                uint64_t deadline;
                uint64_t period;
                uint32_t util_min;
                uint32_t util_max;
        } attr = {
                .size = 56,
                .policy = policy,
                .flags = flags,
                .nice = nice,
                .priority = priority,
                .runtime = runtime,
                .deadline = deadline,
                .period = period,
        };
        _Static_assert(sizeof(attr) == 56, "struct sched_attr VER1");

        return RET_NERRNO(syscall(SYS_sched_setattr, 0, &attr, 0));
}

int priv_ioprio_set(int value) {
        /* IOPRIO_WHO_PROCESS: the calling thread's, which its children inherit. */
        return RET_NERRNO(syscall(SYS_ioprio_set, 1, 0, value));
}

int priv_write_id_map(pid_t pid, const char *which, const char *text) {
        _cleanup_close_ int fd = -EBADF;
        char path[64];
        size_t n;

        if (pid <= 1 || !which || !(streq(which, "uid_map") || streq(which, "gid_map")) || !text)
                return -EINVAL;
        snprintf(path, sizeof(path), "/proc/%i/%s", (int) pid, which);
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        /* The kernel takes the whole map in one write(), and only once. */
        n = strlen(text);
        if (write(fd, text, n) != (ssize_t) n)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

int priv_pidfd_send_signal(int pidfd, int sig) {
        if (pidfd < 0)
                return -EBADF;
        return RET_NERRNO(syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0));
}

int priv_join_new_session_keyring(void) {
        long serial;

        /* KEYCTL_JOIN_SESSION_KEYRING with no name: a new anonymous session keyring, owned by the caller, that
         * replaces the one inherited from the daemon (systemd gives every service its own, with the service's
         * invocation ID in it). Nothing of the daemon's keyrings stays reachable through @s (or @us, which
         * is per user and, without a user namespace, root's: nspawn and runc leave that one too). */
        serial = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (unsigned long) 0, 0UL, 0UL, 0UL);
        return serial < 0 ? -errno : 0;
}
