/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who the leader of a container is, in a way that survives PID reuse: the inode of a pidfd (pidfs gives each
 * process its own, Linux >= 6.9; older kernels share one anon inode, and then the start time decides) and
 * the start time from /proc/PID/stat; the status of a container whose leader lives. Also the RFC 3339
 * timestamps of state files. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "state.h"

int rfc3339_format(const struct timespec *ts, char **ret) {
        struct tm tm;
        char buf[64];

        if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L || !gmtime_r(&ts->tv_sec, &tm))
                return -EINVAL;
        if (strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                return -EINVAL;
        if (asprintf(ret, "%s.%09ldZ", buf, (long) ts->tv_nsec) < 0)
                return -ENOMEM;
        return 0;
}

int rfc3339_parse(const char *s, struct timespec *ret) {
        struct tm tm = {};
        const char *p;
        long nsec = 0, offset = 0;
        time_t t;

        /* strptime() would skip leading whitespace and take short fields: check the shape first. */
        static const char shape[] = "dddd-dd-ddTdd:dd:dd";
        for (size_t i = 0; i < sizeof(shape) - 1; i++)
                if (shape[i] == 'd' ? !isdigit((unsigned char) s[i]) : s[i] != shape[i])
                        return -EINVAL;

        p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!p || p != s + sizeof(shape) - 1)
                return -EINVAL;

        if (*p == '.') {
                int digits = 0;

                for (p++; isdigit((unsigned char) *p); p++, digits++) {
                        if (digits >= 9)
                                return -EINVAL;
                        nsec = nsec * 10 + (*p - '0');
                }
                if (digits == 0)
                        return -EINVAL;
                for (; digits < 9; digits++)
                        nsec *= 10;
        }

        if (*p == 'Z')
                p++;
        else if ((*p == '+' || *p == '-') && isdigit((unsigned char) p[1]) && isdigit((unsigned char) p[2]) &&
                 p[3] == ':' && isdigit((unsigned char) p[4]) && isdigit((unsigned char) p[5])) {
                long h = (p[1] - '0') * 10 + (p[2] - '0'), m = (p[4] - '0') * 10 + (p[5] - '0');

                if (h > 23 || m > 59)
                        return -EINVAL;
                offset = (h * 60 + m) * 60 * (*p == '+' ? 1 : -1);
                p += 6;
        } else
                return -EINVAL;
        if (*p)
                return -EINVAL;

        t = timegm(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret = (struct timespec) { .tv_sec = t - offset, .tv_nsec = nsec };
        return 0;
}

int pid_get_start_time(pid_t pid, uint64_t *ret) {
        _cleanup_close_ int fd = -EBADF;
        char path[64], buf[2048];
        const char *p;
        ssize_t n;
        int field;

        if (pid <= 0)
                return -EINVAL;
        (void) snprintf(path, sizeof(path), "/proc/%i/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return errno == ESRCH ? -ESRCH : -errno;
        buf[n] = 0;

        /* "PID (COMM) S PPID ...": COMM may contain anything, even ") ", so go from the last ')'. Field 3 is
         * the first after it; field 22 is starttime. */
        p = strrchr(buf, ')');
        if (!p)
                return -EBADMSG;
        p++;
        for (field = 3; field <= 22; field++) {
                char *end;
                unsigned long long v;

                while (*p == ' ')
                        p++;
                if (!*p)
                        return -EBADMSG;
                if (field < 22) {
                        p = strchr(p, ' ');
                        if (!p)
                                return -EBADMSG;
                        continue;
                }
                errno = 0;
                v = strtoull(p, &end, 10);
                if (errno != 0 || end == p || (*end != ' ' && *end != '\n' && *end != 0))
                        return -EBADMSG;
                *ret = v;
                return 0;
        }
        return -EBADMSG;
}

int leader_identify(pid_t pid, uint64_t *ret_pidfd_inode, uint64_t *ret_start_time, int *ret_pidfd) {
        _cleanup_close_ int pidfd = -EBADF;
        uint64_t start;
        struct stat st;
        int r;

        if (pid <= 0)
                return -EINVAL;
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
                /* ENOENT (EINVAL before Linux 6.9): PID names a thread of some other process now, no process. */
                return IN_SET(errno, ENOENT, EINVAL) ? -ESRCH : -errno;
        if (fstat(pidfd, &st) < 0)
                return -errno;
        r = pid_get_start_time(pid, &start);
        if (r < 0)
                return r;
        /* The pidfd pins the identity: if the process died and pid was reused between pidfd_open() and
         * reading /proc, the pidfd no longer refers to a running process. */
        if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
                return errno == ESRCH ? -ESRCH : -errno;

        *ret_pidfd_inode = (uint64_t) st.st_ino;
        *ret_start_time = start;
        if (ret_pidfd)
                *ret_pidfd = TAKE_FD(pidfd);
        return 0;
}

bool container_cgroup_is_frozen(const char *cgroup) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[2] = {};

        if (!cgroup || asprintf(&path, "/sys/fs/cgroup%s/cgroup.freeze", cgroup) < 0)
                return false;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || read(fd, buf, 1) != 1)
                return false;
        return buf[0] == '1';
}

ContainerStatus container_state_live_status(const ContainerState *s) {
        if (container_cgroup_is_frozen(s->cgroup))
                return CONTAINER_PAUSED;
        return s->status == CONTAINER_CREATED ? CONTAINER_CREATED : CONTAINER_RUNNING;
}

int container_state_check_leader(const ContainerState *s, int *ret_pidfd) {
        uint64_t inode, start;
        int pidfd = -EBADF, r;

        if (s->pid <= 0)
                return LEADER_GONE;

        r = leader_identify(s->pid, &inode, &start, ret_pidfd ? &pidfd : NULL);
        if (r == -ESRCH)
                return LEADER_GONE;
        if (r < 0)
                return r;
        if (inode != s->pidfd_inode || start != s->start_time) {
                safe_close(pidfd);
                return LEADER_REUSED;
        }
        if (ret_pidfd)
                *ret_pidfd = pidfd;
        return LEADER_ALIVE;
}

/* PIDFD_GET_INFO (Linux 6.13+; its exit status, PIDFD_INFO_EXIT, 6.15+): not in the kernel headers of every
 * build host yet. */
struct mx_pidfd_info {
        uint64_t mask;
        uint64_t cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t exit_code;
};
#define MX_PIDFD_GET_INFO _IOWR(0xFF, 11, struct mx_pidfd_info)
#define MX_PIDFD_INFO_EXIT (UINT64_C(1) << 3)

int leader_pidfd_exit_supported(void) {
        static int cached = -1;
        struct mx_pidfd_info info = { .mask = MX_PIDFD_INFO_EXIT };
        const char *e;
        int pidfd, r;
        pid_t pid;

        /* The tests' way to be an older kernel. */
        e = getenv("MACHINED_EXT_PIDFD_INFO_EXIT");
        if (e && (streq(e, "0") || streq(e, "1")))
                return streq(e, "1");
        if (cached >= 0)
                return cached;
        /* A child of ours that exited and was reaped: what the kernel says of it is what it would say of a
         * reaped leader (6.13-6.14: ESRCH, as for the moment before 6.15+ records the status). */
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                _exit(0);
        pidfd = pidfd_open(pid, 0);
        r = pidfd < 0 ? -errno : 0;
        (void) waitpid(pid, NULL, 0);
        if (r < 0)
                return r;
        r = ioctl(pidfd, MX_PIDFD_GET_INFO, &info) < 0 ? -errno : 0;
        safe_close(pidfd);
        if (r < 0 && !IN_SET(r, -ESRCH, -ENOTTY, -EINVAL, -EOPNOTSUPP))
                return r;
        cached = r >= 0 && (info.mask & MX_PIDFD_INFO_EXIT);
        return cached;
}

int leader_pidfd_exit(int pidfd, int *ret_code, int *ret_status) {
        struct mx_pidfd_info info = { .mask = MX_PIDFD_INFO_EXIT };
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int r;

        /* A pidfd is readable once its process exited (a zombie included). */
        if (poll(&p, 1, 0) < 0)
                return -errno;
        if (!(p.revents & (POLLIN | POLLHUP)))
                return 0;
        /* A kernel that never records it: waiting for it would be in vain. */
        r = leader_pidfd_exit_supported();
        if (r == 0)
                return -EOPNOTSUPP;

        if (ioctl(pidfd, MX_PIDFD_GET_INFO, &info) < 0) {
                if (errno == ESRCH)
                        return -EAGAIN;         /* reaped, exit status not recorded yet: a moment */
                if (IN_SET(errno, ENOTTY, EINVAL, EOPNOTSUPP))
                        return -EOPNOTSUPP;
                return -errno;
        }
        if (!(info.mask & MX_PIDFD_INFO_EXIT))
                return -EAGAIN;                 /* a zombie: the exit status comes with the reaping */

        if (WIFEXITED(info.exit_code)) {
                *ret_code = CLD_EXITED;
                *ret_status = WEXITSTATUS(info.exit_code);
        } else if (WIFSIGNALED(info.exit_code)) {
                *ret_code = WCOREDUMP(info.exit_code) ? CLD_DUMPED : CLD_KILLED;
                *ret_status = WTERMSIG(info.exit_code);
        } else
                return -EBADMSG;
        return 1;
}
