/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* priv_launch(): priv_exec_read_only() (priv-self.c) without a C library, for machined-ext-oci's launcher
 * (src/oci-cli/launcher/). A program linked with glibc, even statically, spends about a millisecond on this
 * VM before main() (its CPU feature probe, whose cpuid instructions trap to the hypervisor); this one only
 * makes its system calls. Freestanding: the kernel's headers only, built with -ffreestanding and without a
 * stack protector (no TLS here) or a sanitizer; the launcher's link with -nostdlib fails if anything here
 * needs a library. */

#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/mount.h>

#include "priv-launch.h"

static long raw_syscall5(long n, long a, long b, long c, long d, long e) {
#if defined(__x86_64__)
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        long ret;

        __asm__ volatile ("syscall"
                          : "=a"(ret)
                          : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                          : "rcx", "r11", "memory");
        return ret;
#elif defined(__aarch64__)
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        register long x3 __asm__("x3") = d;
        register long x4 __asm__("x4") = e;

        __asm__ volatile ("svc 0"
                          : "+r"(x0)
                          : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4)
                          : "memory");
        return x0;
#else
#  error "priv-launch.c: no system call convention for this architecture (meson.build builds it for x86_64 and aarch64)"
#endif
}

static long text_length(const char *s) {
        long n = 0;

        while (s[n])
                n++;
        return n;
}

static void write_text(const char *s) {
        long n = text_length(s), k;

        for (const char *p = s; n > 0; p += k, n -= k) {
                k = raw_syscall5(__NR_write, 2, (long) p, n, 0, 0);
                if (k <= 0)
                        return;
        }
}

/* The decimal digits of N (0 ≤ N < 10^7) in BUF. */
static const char *decimal(long n, char buf[static 8]) {
        char *p = buf + 7;

        *p = 0;
        do
                *--p = (char) ('0' + n % 10);
        while ((n /= 10) > 0 && p > buf);
        return p;
}

static long exec_read_only(const char *path, char *const argv[], char *const envp[]) {
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        long tree, r;

        tree = raw_syscall5(__NR_open_tree, AT_FDCWD, (long) path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, 0, 0);
        if (tree < 0)
                return tree;
        r = raw_syscall5(__NR_mount_setattr, tree, (long) "", AT_EMPTY_PATH, (long) &attr, sizeof(attr));
        if (r >= 0)
                r = raw_syscall5(__NR_execveat, tree, (long) "", (long) argv, (long) envp, AT_EMPTY_PATH);
        (void) raw_syscall5(__NR_close, tree, 0, 0, 0, 0);
        return r;
}

void priv_launch(const char *path, char *const argv[], char *const envp[]) {
        char buf[8];
        long r;

        (void) exec_read_only(path, argv, envp);
        /* Not root (-EPERM), a kernel before 5.12 (-ENOSYS), …: the program as it is, which runs itself again
         * from such a mount where it needs to, or refuses and says why. */
        r = raw_syscall5(__NR_execve, (long) path, (long) argv, (long) envp, 0, 0);
        write_text(argv[0]);
        write_text(": cannot execute ");
        write_text(path);
        write_text(r == -2 ? ": No such file or directory\n" :
                   r == -8 ? ": Exec format error\n" :
                   r == -13 ? ": Permission denied\n" : ": error ");
        if (r != -2 && r != -8 && r != -13) {
                write_text(decimal(-r, buf));
                write_text("\n");
        }
        for (;;)
                (void) raw_syscall5(__NR_exit_group, 1, 0, 0, 0, 0);
}
