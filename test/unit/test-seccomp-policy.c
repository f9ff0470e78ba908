/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nspawn's deny list as machined-ext builds it (docs/security.md, "System calls"): each call is made in a child
 * that loaded the filter (after no_new_privs: no privileges needed), with arguments that make the call itself
 * fail harmlessly (EFAULT, EINVAL, EBADF), so that EPERM can only come from the filter. */

#include <errno.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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
        } else
                abort();
        return r < 0 ? errno : 0;
}

/* The errno of NAME in a child with the deny list for BOUNDING and ALLOW loaded (NULL: no filter). */
static int errno_of(const char *name, bool filter, uint64_t bounding, char **allow) {
        _cleanup_free_ struct sock_fprog *prog = NULL;
        SetupLog l = {};
        int status;
        pid_t pid;

        if (filter)
                ASSERT_EQ(seccomp_policy_build(bounding, allow, NULL, &prog, &l), 0);
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
        return 0;
}
