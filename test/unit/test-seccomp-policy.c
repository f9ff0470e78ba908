/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nspawn's deny list as machined-ext builds it (docs/security.md, "System calls"): each call is made in a child
 * that loaded the filter (after no_new_privs: no privileges needed), with arguments that make the call itself
 * fail harmlessly (EFAULT, EINVAL, EBADF), so that EPERM can only come from the filter (and ENOSYS, for the new
 * mount API, which this kernel has). */

#include <errno.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nspawn-policy.h"
#include "priv/priv.h"
#include "seccomp-policy.h"
#include "strv.h"
#include "test-assert.h"

#define CAP(c) (UINT64_C(1) << (c))
#define BAD_PATH ((const char *) 1)

#define NR_OPEN_TREE_ATTR 467     /* Linux 6.15; the same on x86-64, i386 and arm64 */

#if defined(__x86_64__)
/* A call through the i386 ABI (int $0x80), as a 32-bit program makes it; -1 and errno like syscall(). */
static long int80(long nr, long a, long b, long c) {
        long r;

        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        if (r < 0 && r > -4096) {
                errno = (int) -r;
                return -1;
        }
        return r;
}

/* Whether the kernel takes i386 calls (IA32 emulation, not turned off): else int $0x80 is a SIGSEGV. */
static bool have_i386_abi(void) {
        int status;
        pid_t pid;

        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0)
                _exit(int80(20 /* getpid */, 0, 0, 0) > 0 ? 0 : 1);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#endif

/* The errno of system call NAME with harmless arguments, 0 if it succeeded. */
static int try_call(const char *name) {
        long r = -1;

        errno = 0;
        if (streq(name, "io_uring_setup"))
                r = syscall(__NR_io_uring_setup, 1, NULL);                      /* EFAULT */
        else if (streq(name, "userfaultfd"))
                r = syscall(__NR_userfaultfd, ~0);                              /* EINVAL */
        else if (streq(name, "keyctl"))
                r = syscall(__NR_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        else if (streq(name, "fanotify_init"))
                r = syscall(__NR_fanotify_init, ~0U, 0);                        /* EINVAL */
        else if (streq(name, "modify_ldt"))
                r = syscall(__NR_modify_ldt, 0x1234, NULL, 0);                  /* ENOSYS/EINVAL */
        else if (streq(name, "bpf"))
                r = syscall(__NR_bpf, -1, NULL, 0);                             /* EINVAL */
        else if (streq(name, "clock_settime"))
                r = syscall(__NR_clock_settime, CLOCK_REALTIME, NULL);          /* EFAULT */
        else if (streq(name, "clone3"))
                r = syscall(__NR_clone3, NULL, 0);                              /* EINVAL */
        else if (streq(name, "unshare-user")) {
                r = unshare(CLONE_NEWUSER);
                if (r == 0)
                        return 0;
        } else if (streq(name, "unshare-0"))
                r = unshare(0);
        else if (streq(name, "clone-user")) {
                r = syscall(__NR_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
                if (r == 0)
                        _exit(0);
                if (r > 0) {
                        (void) waitpid((pid_t) r, NULL, 0);
                        return 0;
                }
        } else if (streq(name, "remount-rw"))                                  /* EFAULT: the target */
                r = mount(NULL, BAD_PATH, NULL, MS_REMOUNT | MS_BIND, NULL);
        else if (streq(name, "remount-sb-rw"))
                r = mount(NULL, BAD_PATH, NULL, MS_REMOUNT, NULL);
        else if (streq(name, "remount-ro"))
                r = mount(NULL, BAD_PATH, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL);
        else if (streq(name, "bind"))
                r = mount("/", BAD_PATH, NULL, MS_BIND | MS_REC, NULL);
        else if (streq(name, "mount_setattr"))
                r = syscall(__NR_mount_setattr, -1, "", 0, NULL, 0);            /* EINVAL, EBADF */
        else if (streq(name, "open_tree"))
                r = syscall(__NR_open_tree, -1, "", 0);
        else if (streq(name, "move_mount"))
                r = syscall(__NR_move_mount, -1, "", -1, "", 0);
        else if (streq(name, "fsopen"))
                r = syscall(__NR_fsopen, NULL, 0);
        else if (streq(name, "fspick"))
                r = syscall(__NR_fspick, -1, "", 0);
        else if (streq(name, "fsconfig"))
                r = syscall(__NR_fsconfig, -1, 0, NULL, NULL, 0);
        else if (streq(name, "fsmount"))
                r = syscall(__NR_fsmount, -1, 0, 0);
        else if (streq(name, "open_tree_attr"))
                r = syscall(NR_OPEN_TREE_ATTR, -1, "", 0, NULL, 0);
#if defined(__x86_64__)
        else if (streq(name, "i386-open_tree_attr"))
                r = int80(NR_OPEN_TREE_ATTR, -1, 0, 0);                      /* EBADF, EINVAL */
#endif
        else
                abort();
        return r < 0 ? errno : 0;
}

/* The errno of NAME in a child with the deny list for BOUNDING and ALLOW loaded (!FILTER: none), with the
 * read-only rules KEEP. */
static int errno_of_keep(const char *name, bool filter, uint64_t bounding, ContainerKeepReadOnly keep,
                         char **allow) {
        _cleanup_free_ struct sock_fprog *prog = NULL;
        SetupLog l = {};
        int status;
        pid_t pid;

        if (filter)
                ASSERT_EQ(seccomp_policy_build(bounding, keep, allow, NULL, &prog, &l), 0);
        fflush(NULL);
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                if (priv_set_no_new_privs() < 0)
                        _exit(255);
                if (prog && priv_seccomp_load(prog, 0) < 0)
                        _exit(254);
                _exit(try_call(name));
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status));
        ASSERT(WEXITSTATUS(status) < 254);
        return WEXITSTATUS(status);
}

/* The same for a machine from settings (Boot=no) with or without a user namespace (USERNS). */
static int errno_of_userns(const char *name, bool filter, uint64_t bounding, bool userns, char **allow) {
        return errno_of_keep(name, filter, bounding,
                             userns ? CONTAINER_KEEP_READ_ONLY_NO : CONTAINER_KEEP_READ_ONLY_ALL, allow);
}

/* The same for a machine with a user namespace (nothing depends on it but the mount rules). */
static int errno_of(const char *name, bool filter, uint64_t bounding, char **allow) {
        return errno_of_userns(name, filter, bounding, true, allow);
}

/* Boot=yes without a user namespace: the new mount API is denied, remounts are not (systemd's sandboxing of
 * its services remounts writable mounts nosuid). */
static void test_mount_rules_boot(void) {
        uint64_t caps = container_default_capabilities();

        ASSERT_EQ(errno_of_keep("remount-rw", true, caps, CONTAINER_KEEP_READ_ONLY_NEW_API, NULL), EFAULT);
        ASSERT_EQ(errno_of_keep("remount-sb-rw", true, caps, CONTAINER_KEEP_READ_ONLY_NEW_API, NULL), EFAULT);
        ASSERT_EQ(errno_of_keep("remount-rw", true, caps, CONTAINER_KEEP_READ_ONLY_ALL, NULL), EPERM);
        ASSERT_EQ(errno_of_keep("mount_setattr", true, caps, CONTAINER_KEEP_READ_ONLY_NEW_API, NULL), ENOSYS);
        ASSERT_EQ(errno_of_keep("open_tree", true, caps, CONTAINER_KEEP_READ_ONLY_NEW_API, NULL), ENOSYS);
        ASSERT_EQ(errno_of_keep("fspick", true, caps, CONTAINER_KEEP_READ_ONLY_NEW_API, NULL), ENOSYS);
        ASSERT_EQ(errno_of_keep("open_tree_attr", true, caps, CONTAINER_KEEP_READ_ONLY_NEW_API, NULL), ENOSYS);
}

/* Without a user namespace, with CAP_SYS_ADMIN: no remount that leaves MS_RDONLY clear, no new mount API. */
static void test_mount_rules(void) {
        uint64_t caps = container_default_capabilities();
        char *allow_mount[] = { (char *) "mount", NULL };
        char *allow_group[] = { (char *) "@mount", NULL };
        static const char *const new_api[] = {
                "mount_setattr", "open_tree", "move_mount", "fsopen", "fspick", "fsconfig", "fsmount",
        };

        ASSERT(caps & CAP(CAP_SYS_ADMIN));
        /* The baseline: the kernel fails each with EFAULT (the target is looked up before anything else). */
        ASSERT_EQ(errno_of_userns("remount-rw", false, 0, false, NULL), EFAULT);
        ASSERT_EQ(errno_of_userns("remount-rw", true, caps, false, NULL), EPERM);
        ASSERT_EQ(errno_of_userns("remount-sb-rw", true, caps, false, NULL), EPERM);
        /* Remounting read-only (with other flags) and bind mounts stay allowed. */
        ASSERT_EQ(errno_of_userns("remount-ro", true, caps, false, NULL), EFAULT);
        ASSERT_EQ(errno_of_userns("bind", true, caps, false, NULL), EFAULT);
        /* With a user namespace the mounts are locked instead; without CAP_SYS_ADMIN there is no mount. */
        ASSERT_EQ(errno_of_userns("remount-rw", true, caps, true, NULL), EFAULT);
        ASSERT_EQ(errno_of_userns("remount-rw", true, caps & ~CAP(CAP_SYS_ADMIN), false, NULL), EFAULT);
        /* SystemCallFilter=mount (or @mount) takes the rule off. */
        ASSERT_EQ(errno_of_userns("remount-rw", true, caps, false, allow_mount), EFAULT);
        ASSERT_EQ(errno_of_userns("remount-rw", true, caps, false, allow_group), EFAULT);

        for (size_t i = 0; i < ELEMENTSOF(new_api); i++) {
                const char *n = new_api[i];
                int e = errno_of_userns(n, false, 0, false, NULL);

                ASSERT(e != 0 && e != ENOSYS);
                ASSERT_EQ(errno_of_userns(n, true, caps, false, NULL), ENOSYS);
                ASSERT_EQ(errno_of_userns(n, true, caps, true, NULL), e);
                ASSERT_EQ(errno_of_userns(n, true, caps, false, allow_group), e);
        }
        ASSERT_EQ(errno_of_userns("open_tree", true, caps, false, allow_mount), ENOSYS);

        /* open_tree_attr(), which libseccomp may not know by name, on this kernel (6.15 or later). */
        if (errno_of_userns("open_tree_attr", false, 0, false, NULL) != ENOSYS) {
                int e = errno_of_userns("open_tree_attr", false, 0, false, NULL);
                char *allow_it[] = { (char *) "open_tree_attr", NULL };

                ASSERT(e != 0 && e != EPERM);
                ASSERT_EQ(errno_of_userns("open_tree_attr", true, caps, false, NULL), ENOSYS);
                ASSERT_EQ(errno_of_userns("open_tree_attr", true, caps, true, NULL), e);
                ASSERT_EQ(errno_of_userns("open_tree_attr", true, caps, false, allow_it), e);
                ASSERT_EQ(errno_of_userns("open_tree_attr", true, caps, false, allow_group), e);
                ASSERT_EQ(errno_of_userns("open_tree_attr", true, caps, false, allow_mount), ENOSYS);
#if defined(__x86_64__)
                /* And through the i386 ABI, where the kernel has it (IA32 emulation). */
                if (have_i386_abi()) {
                        e = errno_of_userns("i386-open_tree_attr", false, 0, false, NULL);
                        ASSERT(e != 0 && e != ENOSYS && e != EPERM);
                        ASSERT_EQ(errno_of_userns("i386-open_tree_attr", true, caps, false, NULL), ENOSYS);
                        ASSERT_EQ(errno_of_userns("i386-open_tree_attr", true, caps, true, NULL), e);
                } else
                        fprintf(stderr, "No i386 ABI: skipping open_tree_attr() through it\n");
#endif
        } else
                fprintf(stderr, "open_tree_attr() not in this kernel: skipping it\n");
}

int main(void) {
        uint64_t caps = container_default_capabilities();
        char *allow_uring[] = { (char *) "io_uring_setup", NULL };
        char *allow_keyring[] = { (char *) "@keyring", NULL };

        /* Denied by default, whatever the capabilities; and the baseline shows that the call itself does not
         * fail with EPERM. */
        static const char *const denied[] = {
                "io_uring_setup", "userfaultfd", "keyctl", "fanotify_init", "modify_ldt", "bpf",
        };

        for (size_t i = 0; i < ELEMENTSOF(denied); i++) {
                const char *n = denied[i];

                ASSERT_EQ(errno_of(n, true, caps, NULL), EPERM);
                ASSERT_EQ(errno_of(n, true, ~UINT64_C(0), NULL), EPERM);
                ASSERT(errno_of(n, false, 0, NULL) != EPERM);
        }
        /* SystemCallFilter= takes them off. */
        ASSERT(errno_of("io_uring_setup", true, caps, allow_uring) != EPERM);
        ASSERT(errno_of("keyctl", true, caps, allow_keyring) != EPERM);

        /* @clock follows CAP_SYS_TIME, as in systemd-nspawn. */
        ASSERT_EQ(errno_of("clock_settime", true, caps, NULL), EPERM);
        ASSERT_EQ(errno_of("clock_settime", true, caps | CAP(CAP_SYS_TIME), NULL), EFAULT);

        /* Without CAP_SYS_ADMIN no user namespaces: CLONE_NEWUSER is EPERM, clone3() ENOSYS; other flags pass. */
        caps &= ~CAP(CAP_SYS_ADMIN);
        ASSERT_EQ(errno_of("unshare-user", true, caps, NULL), EPERM);
        ASSERT_EQ(errno_of("clone-user", true, caps, NULL), EPERM);
        ASSERT_EQ(errno_of("clone3", true, caps, NULL), ENOSYS);
        ASSERT_EQ(errno_of("unshare-0", true, caps, NULL), 0);
        /* With it, as without a filter (which may itself refuse user namespaces here). */
        caps |= CAP(CAP_SYS_ADMIN);
        ASSERT_EQ(errno_of("unshare-user", true, caps, NULL), errno_of("unshare-user", false, 0, NULL));
        ASSERT_EQ(errno_of("clone3", true, caps, NULL), EINVAL);

        test_mount_rules();
        test_mount_rules_boot();
        return 0;
}
