/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <linux/filter.h>
#include <seccomp.h>
#include <sys/mman.h>

#include "seccomp-policy.h"
#include "strv.h"
#include "syscall-groups.h"

/* Calls that act on the host as a whole, or reach past the namespaces; most need capabilities the bounding set
 * no longer has, this denies them even where a capability is kept (CAP_DAC_READ_SEARCH lets
 * open_by_handle_at() open any host inode; CAP_SYS_ADMIN allows bpf() and perf_event_open()). */
static const char *const default_deny[] = {
        "_sysctl", "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
        "delete_module", "finit_module", "get_kernel_syms", "init_module", "ioperm", "iopl",
        "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "nfsservctl", "open_by_handle_at",
        "perf_event_open", "quotactl", "request_key", "settimeofday", "stime", "swapoff", "swapon",
        "syslog", "uselib", "ustat", "vm86", "vm86old",
};

void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

static int add_rules(scmp_filter_ctx ctx, char **allow_in, char **deny_in, SetupLog *l) {
        _cleanup_strv_free_ char **allow = NULL, **extra_deny = NULL;
        int r;

        /* SystemCallFilter= takes calls off the list; SystemCallFilter=~ adds to it; @groups are expanded
         * (systemd's groups, see syscall-groups.c). */
        for (char **n = allow_in; n && *n; n++) {
                r = syscall_filter_expand(*n, &allow);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, *n);
        }
        for (char **n = deny_in; n && *n; n++) {
                r = syscall_filter_expand(*n, &extra_deny);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, *n);
        }
        for (size_t i = 0; i < ELEMENTSOF(default_deny) + strv_length(extra_deny); i++) {
                const char *name = i < ELEMENTSOF(default_deny) ? default_deny[i]
                                                                : extra_deny[i - ELEMENTSOF(default_deny)];
                int nr;

                if (name[0] == '@' || strv_find(allow, name))
                        continue;
                nr = seccomp_syscall_resolve_name(name);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* newer than libseccomp, or not on this architecture: as systemd does */
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0 && r != -EDOM && r != -EFAULT && r != -EEXIST)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, name);
        }
        return 0;
}

int seccomp_program_export(scmp_filter_ctx ctx, struct sock_fprog **ret, SetupLog *l) {
        _cleanup_close_ int memfd = -EBADF;
        _cleanup_free_ struct sock_fprog *prog = NULL;
        off_t size;
        int r;

        memfd = memfd_create("seccomp", MFD_CLOEXEC);
        if (memfd < 0)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, -errno, "memfd_create");
        r = seccomp_export_bpf(ctx, memfd);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "seccomp_export_bpf");

        size = lseek(memfd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 || size > 65536 * (off_t) sizeof(struct sock_filter))
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, -EBADMSG, "seccomp_export_bpf");
        prog = malloc(sizeof(struct sock_fprog) + size);
        if (!prog)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, -ENOMEM, "seccomp");
        prog->len = (unsigned short) (size / sizeof(struct sock_filter));
        prog->filter = (struct sock_filter *) (prog + 1);
        if (pread(memfd, prog->filter, size, 0) != size)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, -EIO, "seccomp");
        *ret = TAKE_PTR(prog);
        return 0;
}

int seccomp_policy_build(char **allow, char **deny, struct sock_fprog **ret, SetupLog *l) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, -ENOMEM, "seccomp_init");
        /* libseccomp would set no_new_privs before loading; we still hold CAP_SYS_ADMIN and do not need it.
         * NoNewPrivileges= sets it, nothing else. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "SCMP_FLTATR_CTL_NNP");

        /* Filter the compat ABIs too, instead of letting 32-bit calls through. */
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                (void) seccomp_arch_add(ctx, SCMP_ARCH_X86);
                (void) seccomp_arch_add(ctx, SCMP_ARCH_X32);
        }

        r = add_rules(ctx, allow, deny, l);
        if (r < 0)
                return r;
        return seccomp_program_export(ctx, ret, l);
}
