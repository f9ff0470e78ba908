/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"

static bool ascii_isalnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

const char *machine_name_invalid_reason(const char *s) {
        bool dot = true, hyphen = false; /* "dot" starts true: a name may not begin with '.' or '-' */
        const char *p;

        if (isempty(s))
                return "the name is empty";

        for (p = s; *p; p++) {
                if (p - s >= MACHINE_NAME_MAX)
                        return "longer than 64 characters";

                if (*p == '.') {
                        if (p == s)
                                return "may not start with '.'";
                        if (dot)
                                return "may not contain two '.' in a row";
                        if (hyphen)
                                return "'-' may not come right before '.'";
                        dot = true;
                        hyphen = false;
                } else if (*p == '-') {
                        if (p == s)
                                return "may not start with '-'";
                        if (dot)
                                return "'-' may not come right after '.'";
                        hyphen = true;
                } else if (ascii_isalnum(*p)) {
                        dot = false;
                        hyphen = false;
                } else
                        return "only ASCII letters, digits, '-' and '.' are allowed";
        }

        if (dot)
                return "may not end with '.'";
        if (hyphen)
                return "may not end with '-'";
        return NULL;
}

bool machine_name_is_valid(const char *s) {
        return !machine_name_invalid_reason(s);
}

static const char *const signal_table[] = {
        [SIGHUP]    = "SIGHUP",
        [SIGINT]    = "SIGINT",
        [SIGQUIT]   = "SIGQUIT",
        [SIGILL]    = "SIGILL",
        [SIGTRAP]   = "SIGTRAP",
        [SIGABRT]   = "SIGABRT",
        [SIGBUS]    = "SIGBUS",
        [SIGFPE]    = "SIGFPE",
        [SIGKILL]   = "SIGKILL",
        [SIGUSR1]   = "SIGUSR1",
        [SIGSEGV]   = "SIGSEGV",
        [SIGUSR2]   = "SIGUSR2",
        [SIGPIPE]   = "SIGPIPE",
        [SIGALRM]   = "SIGALRM",
        [SIGTERM]   = "SIGTERM",
#ifdef SIGSTKFLT
        [SIGSTKFLT] = "SIGSTKFLT",
#endif
        [SIGCHLD]   = "SIGCHLD",
        [SIGCONT]   = "SIGCONT",
        [SIGSTOP]   = "SIGSTOP",
        [SIGTSTP]   = "SIGTSTP",
        [SIGTTIN]   = "SIGTTIN",
        [SIGTTOU]   = "SIGTTOU",
        [SIGURG]    = "SIGURG",
        [SIGXCPU]   = "SIGXCPU",
        [SIGXFSZ]   = "SIGXFSZ",
        [SIGVTALRM] = "SIGVTALRM",
        [SIGPROF]   = "SIGPROF",
        [SIGWINCH]  = "SIGWINCH",
        [SIGIO]     = "SIGIO",
        [SIGPWR]    = "SIGPWR",
        [SIGSYS]    = "SIGSYS",
};

/* Parses a decimal number made only of digits (no sign, no spaces), at most max. Returns it or -EINVAL. */
static int parse_small_uint(const char *s, int max) {
        int v = 0;

        if (!s[0])
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (*s - '0');
                if (v > max)
                        return -EINVAL;
        }
        return v;
}

int signal_from_string(const char *s) {
        const char *p;
        int n;

        if (!s)
                return -EINVAL;

        /* A plain number. */
        n = parse_small_uint(s, _NSIG - 1);
        if (n >= 0)
                return n > 0 ? n : -EINVAL;

        p = startswith(s, "SIG") ?: s;

        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (signal_table[i] && streq(signal_table[i] + 3, p))
                        return (int) i;

        /* Real-time signals, relative to the libc's SIGRTMIN/SIGRTMAX (which reserve a few for itself). */
        if (startswith(p, "RTMIN")) {
                p += 5;
                if (*p == 0)
                        return SIGRTMIN;
                if (*p != '+')
                        return -EINVAL;
                n = parse_small_uint(p + 1, SIGRTMAX - SIGRTMIN);
                if (n < 0)
                        return -EINVAL;
                return SIGRTMIN + n;
        }
        if (startswith(p, "RTMAX")) {
                p += 5;
                if (*p == 0)
                        return SIGRTMAX;
                if (*p != '-')
                        return -EINVAL;
                n = parse_small_uint(p + 1, SIGRTMAX - SIGRTMIN);
                if (n < 0)
                        return -EINVAL;
                return SIGRTMAX - n;
        }

        return -EINVAL;
}

const char *signal_to_string(int sig, char buf[static SIGNAL_STRING_MAX]) {
        if (sig > 0 && (size_t) sig < ELEMENTSOF(signal_table) && signal_table[sig])
                return signal_table[sig];

        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
                if (sig == SIGRTMIN)
                        (void) snprintf(buf, SIGNAL_STRING_MAX, "SIGRTMIN");
                else
                        (void) snprintf(buf, SIGNAL_STRING_MAX, "SIGRTMIN+%d", sig - SIGRTMIN);
                return buf;
        }

        return NULL;
}

static bool env_name_is_valid_n(const char *s, size_t n) {
        if (n == 0 || n > 4095) /* systemd bounds this by sysconf(_SC_ARG_MAX) - 2; this is plenty */
                return false;
        if (s[0] >= '0' && s[0] <= '9')
                return false;

        for (size_t i = 0; i < n; i++)
                if (!ascii_isalnum(s[i]) && s[i] != '_')
                        return false;

        return true;
}

bool env_name_is_valid(const char *s) {
        return s && env_name_is_valid_n(s, strlen(s));
}

bool env_value_is_valid(const char *s) {
        if (!s)
                return false;

        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if ((*p < ' ' && *p != '\t' && *p != '\n') || *p == 0x7f)
                        return false;

        return true;
}

bool env_assignment_is_valid(const char *s) {
        const char *eq;

        if (!s)
                return false;
        eq = strchr(s, '=');
        if (!eq)
                return false;

        return env_name_is_valid_n(s, eq - s) && env_value_is_valid(eq + 1);
}

bool user_name_is_valid(const char *s) {
        bool all_digits = true;
        size_t n = 0;

        if (isempty(s))
                return false;
        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
                return false;

        for (const char *p = s; *p; p++, n++) {
                if (n >= 31)
                        return false;
                if (!ascii_isalnum(*p) && *p != '_' && *p != '-')
                        return false;
                if (*p < '0' || *p > '9')
                        all_digits = false;
        }

        return !all_digits;
}

int parse_uid(const char *s, uint32_t *ret) {
        uint64_t v = 0;

        if (isempty(s))
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (*p - '0');
                if (v > UINT32_MAX)
                        return -EINVAL;
        }
        /* (uid_t) -1 is "invalid" for the kernel, 65535 is (uid_t) -1 of 16-bit UIDs; systemd refuses both. */
        if (v == UINT32_MAX || v == 65535)
                return -EINVAL;

        *ret = (uint32_t) v;
        return 0;
}

bool ifname_is_valid(const char *s) {
        bool all_digits = true;
        size_t n;

        if (isempty(s))
                return false;
        n = strlen(s);
        if (n > IFNAME_MAX)
                return false;
        if (streq(s, ".") || streq(s, ".."))
                return false;

        for (const char *p = s; *p; p++) {
                if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f || *p == '/' || *p == ':')
                        return false;
                if (*p < '0' || *p > '9')
                        all_digits = false;
        }

        return !all_digits;
}
