/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who the leader of a container is, in a way that survives PID reuse: the inode of a pidfd (pidfs gives each
 * process its own, Linux >= 6.9; older kernels share one anon inode, and then the start time decides) and
 * the start time from /proc/PID/stat. Also the RFC 3339 timestamps of state files. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
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
