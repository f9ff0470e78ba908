/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>

#include "settings.h"
#include "strv.h"
#include "syscall-groups.h"
#include "test-assert.h"

static void assert_no_duplicates(char * const *l) {
        for (size_t i = 0; l && l[i]; i++)
                for (size_t j = i + 1; l[j]; j++)
                        if (streq(l[i], l[j])) {
                                fprintf(stderr, "duplicate entry '%s'\n", l[i]);
                                ASSERT(false);
                        }
}

static void test_every_group(void) {
        const char *const *names = syscall_group_names();
        size_t n = 0;

        for (const char *const *g = names; *g; g++, n++) {
                _cleanup_strv_free_ char **l = NULL;

                ASSERT(syscall_group_exists(*g));
                ASSERT_EQ(syscall_filter_expand(*g, &l), 0);
                ASSERT(strv_length(l) > 0);
                assert_no_duplicates(l);
                STRV_FOREACH(s, l)
                        ASSERT((*s)[0] != '@'); /* fully expanded */
        }

        /* The 29 groups of systemd v252 plus @sandbox (v253). */
        ASSERT_EQ(n, 30);
        const char *expected[] = {
                "@default", "@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug", "@file-system",
                "@io-event", "@ipc", "@keyring", "@memlock", "@module", "@mount", "@network-io", "@obsolete",
                "@pkey", "@privileged", "@process", "@raw-io", "@reboot", "@resources", "@sandbox", "@setuid",
                "@signal", "@swap", "@sync", "@system-service", "@timer", "@known",
        };
        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                ASSERT(syscall_group_exists(expected[i]));
}

static void test_exists(void) {
        ASSERT(syscall_group_exists("@system-service"));
        ASSERT(syscall_group_exists("@known"));
        ASSERT(!syscall_group_exists("@nope"));
        ASSERT(!syscall_group_exists("system-service"));
        ASSERT(!syscall_group_exists("@"));
        ASSERT(!syscall_group_exists(""));
        ASSERT(!syscall_group_exists(NULL));
        ASSERT(!syscall_group_exists("@System-Service"));
}

static void test_nesting(void) {
        _cleanup_strv_free_ char **priv = NULL, **svc = NULL, **known = NULL, **obsolete = NULL;

        /* @privileged includes @clock, @chown, @module, @raw-io, @reboot, @swap */
        ASSERT_EQ(syscall_filter_expand("@privileged", &priv), 0);
        ASSERT(strv_find(priv, "clock_settime"));       /* via @clock */
        ASSERT(strv_find(priv, "fchownat"));            /* via @chown */
        ASSERT(strv_find(priv, "init_module"));         /* via @module */
        ASSERT(strv_find(priv, "iopl"));                /* via @raw-io */
        ASSERT(strv_find(priv, "reboot"));              /* via @reboot */
        ASSERT(strv_find(priv, "swapon"));              /* via @swap */
        ASSERT(strv_find(priv, "capset"));              /* direct */
        ASSERT(!strv_find(priv, "mount"));              /* @mount is not part of it */

        /* @system-service includes @default, @basic-io, @file-system, @network-io, @process, @signal … */
        ASSERT_EQ(syscall_filter_expand("@system-service", &svc), 0);
        ASSERT(strv_find(svc, "execve"));               /* via @default */
        ASSERT(strv_find(svc, "read"));                 /* via @basic-io */
        ASSERT(strv_find(svc, "openat"));               /* via @file-system */
        ASSERT(strv_find(svc, "io_uring_setup"));       /* via @aio */
        ASSERT(strv_find(svc, "epoll_wait"));           /* via @io-event */
        ASSERT(strv_find(svc, "socket"));               /* via @network-io */
        ASSERT(strv_find(svc, "clone"));                /* via @process */
        ASSERT(strv_find(svc, "rt_sigaction"));         /* via @signal */
        ASSERT(strv_find(svc, "fsync"));                /* via @sync */
        ASSERT(strv_find(svc, "timerfd_create"));       /* via @timer */
        ASSERT(strv_find(svc, "setuid"));               /* via @setuid */
        ASSERT(strv_find(svc, "ioctl"));                /* direct */
        ASSERT(!strv_find(svc, "mount"));
        ASSERT(!strv_find(svc, "reboot"));
        ASSERT(!strv_find(svc, "init_module"));

        /* @known includes @obsolete */
        ASSERT_EQ(syscall_filter_expand("@known", &known), 0);
        ASSERT_EQ(syscall_filter_expand("@obsolete", &obsolete), 0);
        STRV_FOREACH(s, obsolete)
                ASSERT(strv_find(known, *s));
        ASSERT(strv_length(known) > 400);
}

static void test_plain_and_errors(void) {
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_EQ(syscall_filter_expand("getpid", &l), 0);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "getpid");

        /* no duplicates across calls either */
        ASSERT_EQ(syscall_filter_expand("getpid", &l), 0);
        ASSERT_EQ(strv_length(l), 1);

        /* a name unknown to libseccomp is kept: the caller decides */
        ASSERT_EQ(syscall_filter_expand("no_such_call", &l), 0);
        ASSERT_EQ(strv_length(l), 2);

        /* unknown groups and empty names fail and leave the list alone */
        ASSERT_EQ(syscall_filter_expand("@nope", &l), -EINVAL);
        ASSERT_EQ(syscall_filter_expand("@", &l), -EINVAL);
        ASSERT_EQ(syscall_filter_expand("", &l), -EINVAL);
        ASSERT_EQ(strv_length(l), 2);

        _cleanup_strv_free_ char **empty = NULL;
        ASSERT_EQ(syscall_filter_expand("@nope", &empty), -EINVAL);
        ASSERT(!empty);

        /* a group after a plain name: getpid (in @default) stays once */
        ASSERT_EQ(syscall_filter_expand("@default", &l), 0);
        assert_no_duplicates(l);
        ASSERT_STREQ(l[0], "getpid");
        ASSERT_STREQ(l[1], "no_such_call");
}

/* Names in the main groups that libseccomp does not know at all (not even as another architecture's call):
 * calls newer than the libseccomp release. src/container/seccomp-policy.c skips such names, as systemd does.
 * With Debian 12's libseccomp 2.5.4 only the first two are unknown; the others are listed for older libseccomp
 * releases. */
static const char *const unresolvable_ok[] = {
        "riscv_hwprobe",        /* Linux 6.4, in @default on Debian's 252 branch; unknown to libseccomp 2.5 */
        "uretprobe",            /* Linux 6.11, likewise */
        "epoll_pwait2",         /* libseccomp >= 2.5.2 */
        "mount_setattr",        /* libseccomp >= 2.5.2 */
        "quotactl_fd",          /* libseccomp >= 2.5.2 */
        "futex_waitv",          /* libseccomp >= 2.5.4 */
        "set_mempolicy_home_node", /* libseccomp >= 2.5.4 */
        "fchmodat2",            /* libseccomp >= 2.5.5 (Debian backports it to 2.5.4) */
};

static bool is_unresolvable_ok(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(unresolvable_ok); i++)
                if (streq(unresolvable_ok[i], s))
                        return true;
        return false;
}

static void test_resolve(void) {
#if defined(__x86_64__) && !defined(__ILP32__)
        /* All groups but @known and @obsolete (which list calls of every architecture, some unknown even to
         * libseccomp, as in systemd). */
        const char *const *names = syscall_group_names();
        unsigned bad = 0;

        for (const char *const *g = names; *g; g++) {
                _cleanup_strv_free_ char **l = NULL;

                if (streq(*g, "@known") || streq(*g, "@obsolete"))
                        continue;

                ASSERT_EQ(syscall_filter_expand(*g, &l), 0);
                STRV_FOREACH(s, l) {
                        /* Resolves to a number: a negative pseudo-number for another architecture's call
                         * (chown32 …) is fine, __NR_SCMP_ERROR means libseccomp does not know the name. */
                        int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, *s);
                        if (nr != __NR_SCMP_ERROR || is_unresolvable_ok(*s))
                                continue;
                        fprintf(stderr, "%s: '%s' unknown to libseccomp\n", *g, *s);
                        bad++;
                }
        }
        ASSERT_EQ(bad, 0);

        /* and the common ones really are x86-64 calls */
        ASSERT(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "clock_settime") >= 0);
        ASSERT(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "openat") >= 0);
#else
        printf("test_resolve: skipped, not x86-64\n");
#endif
}

int main(void) {
        test_exists();
        test_every_group();
        test_nesting();
        test_plain_and_errors();
        test_resolve();
        printf("test-syscall-groups: OK\n");
        return 0;
}
