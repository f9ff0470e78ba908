/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

usec_t now(clockid_t clock) {
        struct timespec ts;

        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / NSEC_PER_USEC;
}

char *unit_name_escape(const char *s) {
        char *r, *t;

        r = new(char, strlen(s) * 4 + 1);
        if (!r)
                return NULL;

        t = r;
        for (const char *f = s; *f; f++) {
                if (*f == '/')
                        *t++ = '-';
                else if ((*f == '.' && f == s) ||
                         !(isascii((unsigned char) *f) &&
                           (isalnum((unsigned char) *f) || strchr(":_.", *f))))
                        t += sprintf(t, "\\x%02x", (unsigned char) *f);
                else
                        *t++ = *f;
        }
        *t = 0;
        return r;
}

char *machine_scope_name(const char *name) {
        _cleanup_free_ char *e = unit_name_escape(name);
        char *r;

        if (!e || asprintf(&r, "machine-%s.scope", e) < 0)
                return NULL;
        return r;
}

int pid_get_cgroup(pid_t pid, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        char path[64];
        size_t n = 0;

        snprintf(path, sizeof(path), "/proc/%i/cgroup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (getline(&line, &n, f) > 0) {
                const char *p = startswith(line, "0::");
                if (p) {
                        *ret = strndup(p, strcspn(p, "\n"));
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return -ENOMEDIUM;
}

bool cgroup_path_endswith_unit(const char *cgroup, const char *unit, const char *sub) {
        const char *last;
        size_t n;

        if (!cgroup || !unit || !*unit)
                return false;
        last = strrchr(cgroup, '/');
        if (!last)
                return false;
        if (sub) {
                if (!streq(last + 1, sub))
                        return false;
                n = strlen(unit);
                /* "/UNIT" right before "/SUB". */
                return (size_t) (last - cgroup) > n && last[-(ptrdiff_t) n - 1] == '/' &&
                       strncmp(last - n, unit, n) == 0;
        }
        return streq(last + 1, unit);
}

bool pidfd_has_exited(int pidfd) {
        siginfo_t si = {};

        return waitid(P_PIDFD, pidfd, &si, WEXITED | WNOHANG | WNOWAIT) >= 0 && si.si_pid != 0;
}

void cli_exit(int status) {
        if (fflush(stdout) != 0 && status == EXIT_SUCCESS)
                status = EXIT_FAILURE;
#if defined(__SANITIZE_ADDRESS__)
        exit(status);
#else
        _exit(status);
#endif
}
