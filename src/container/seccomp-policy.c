/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "seccomp-policy.h"
#include "strv.h"
#include "syscall-groups.h"

/* Calls that act on the host as a whole, reach past the namespaces, or open kernel attack surface that
 * containers do not need (docs/security.md has the table and the reasons). Most need capabilities the bounding
 * set no longer has; this denies them even where a capability is kept (CAP_DAC_READ_SEARCH lets
 * open_by_handle_at() open any host inode; CAP_SYS_ADMIN allows bpf() and perf_event_open()). As in
 * systemd-nspawn, the groups of a capability (@clock for CAP_SYS_TIME, ...) are allowed when the machine keeps
 * it; SystemCallFilter= takes any of them off. */
static const struct {
        int capability;                 /* allowed if the bounding set has it; -1: always denied */
        const char *name;
} default_deny[] = {
        { -1,                "@cpu-emulation"   },      /* modify_ldt, vm86: old kernel bugs, no use */
        { -1,                "@keyring"         },      /* keyrings are not namespaced */
        { -1,                "@obsolete"        },
        { -1,                "@swap"            },
        { -1,                "bpf"              },      /* bpffs and maps are not namespaced */
        { -1,                "fanotify_init"    },      /* as nspawn: watches whole mounts */
        { -1,                "fanotify_mark"    },
        { -1,                "io_uring_enter"   },      /* bypasses seccomp for what it submits */
        { -1,                "io_uring_register" },
        { -1,                "io_uring_setup"   },
        { -1,                "kexec_file_load"  },
        { -1,                "kexec_load"       },
        { -1,                "lookup_dcookie"   },
        { -1,                "nfsservctl"       },
        { -1,                "open_by_handle_at" },     /* CVE-2014-3519 ("shocker") */
        { -1,                "perf_event_open"  },
        { -1,                "quotactl"         },
        { -1,                "stime"            },
        { -1,                "userfaultfd"      },      /* stalls kernel accesses: a kernel exploit's tool */
        { -1,                "uselib"           },
        { -1,                "ustat"            },
        { CAP_SYS_TIME,      "@clock"           },
        { CAP_SYS_MODULE,    "@module"          },
        { CAP_SYS_RAWIO,     "@raw-io"          },
        { CAP_SYS_PACCT,     "acct"             },
        { CAP_SYSLOG,        "syslog"           },
};

void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* Without CAP_SYS_ADMIN the machine is not meant to make namespaces, but a user namespace needs no capability:
 * deny CLONE_NEWUSER to unshare() and clone() (as Docker does), and clone3() altogether, whose flags seccomp
 * cannot see (ENOSYS, so that libc falls back to clone()). */
static int add_userns_rules(scmp_filter_ctx ctx, char **allow, SetupLog *l) {
        static const struct {
                const char *name;
                unsigned arg;
        } calls[] = {
                { "unshare", 0 },
                { "clone",   0 },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                int nr;

                if (strv_find(allow, calls[i].name))
                        continue;
                nr = seccomp_syscall_resolve_name(calls[i].name);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                     SCMP_CMP(calls[i].arg, SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
                if (r < 0 && r != -EDOM && r != -EFAULT && r != -EEXIST)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, calls[i].name);
        }
        if (!strv_find(allow, "clone3")) {
                int nr = seccomp_syscall_resolve_name("clone3");

                if (nr != __NR_SCMP_ERROR) {
                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
                        if (r < 0 && r != -EDOM && r != -EFAULT && r != -EEXIST)
                                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "clone3");
                }
        }
        return 0;
}

/* Without a user namespace the payload's CAP_SYS_ADMIN is the host's: the kernel does not lock the mounts the
 * set-up made (it only does so when it copies a mount table into a less privileged user namespace), so the
 * payload could make /proc/sys, /sys, /run/host and the read-only binds writable again. Deny what changes an
 * existing mount's flags towards writable:
 *  - mount() with MS_REMOUNT but without MS_RDONLY (EPERM), per mount (MS_BIND) or of the superblock, with
 *    CONTAINER_KEEP_READ_ONLY_ALL only (Boot=no). Remounting read-only stays allowed. A remount that keeps a
 *    mount writable (to add nosuid or noexec to it) fails too, which is why a booted systemd (Boot=yes), whose
 *    services' sandboxing does exactly that (NoNewPrivileges= with PrivateTmp=, NoExecPaths=), is spared it.
 *  - the new mount API (ENOSYS, so that systemd and libmount fall back to mount(), which the rule above
 *    sees): mount_setattr() clears MOUNT_ATTR_RDONLY, fspick() + fsconfig() reconfigure a superblock,
 *    open_tree() clones a read-only mount into a detached one whose flags mount_setattr() may clear, and
 *    fsopen(), fsmount(), fsconfig(), move_mount() only serve these (mount() still mounts). seccomp cannot
 *    see their arguments (paths, structures), so they go as a whole.
 *  - open_tree_attr() (Linux 6.15) does open_tree() and mount_setattr() in one call (denied unless both are
 *    allowed); see unnamed_prefix().
 * What seccomp cannot see stays possible (docs/security.md): unmounting or moving an over-mount, and a fresh
 * mount of proc or sysfs. SystemCallFilter=NAME takes a call off ("mount": the remount rule). Sets
 * *ret_unnamed when open_tree_attr() is to be denied but libseccomp has no name for it. */
static int add_mount_rules(scmp_filter_ctx ctx, ContainerKeepReadOnly keep, char **allow, bool *ret_unnamed,
                           SetupLog *l) {
        static const char *const new_api[] = {
                "fsconfig", "fsmount", "fsopen", "fspick", "mount_setattr", "move_mount", "open_tree",
                "open_tree_attr",
        };
        int nr, r;

        if (keep == CONTAINER_KEEP_READ_ONLY_ALL && !strv_find(allow, "mount")) {
                nr = seccomp_syscall_resolve_name("mount");
                if (nr == __NR_SCMP_ERROR)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, -ENOSYS, "mount");
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                     SCMP_CMP(3, SCMP_CMP_MASKED_EQ, MS_REMOUNT | MS_RDONLY, MS_REMOUNT));
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "mount");
        }
        for (size_t i = 0; i < ELEMENTSOF(new_api); i++) {
                if (strv_find(allow, new_api[i]))
                        continue;
                /* It does what these two do (libseccomp may not know its name, for SystemCallFilter=). */
                if (streq(new_api[i], "open_tree_attr") && strv_find(allow, "open_tree") &&
                    strv_find(allow, "mount_setattr"))
                        continue;
                nr = seccomp_syscall_resolve_name(new_api[i]);
                if (nr == __NR_SCMP_ERROR) {
                        /* Older than libseccomp knows (then older than the kernel has, too), or newer. */
                        if (streq(new_api[i], "open_tree_attr"))
                                *ret_unnamed = true;
                        continue;
                }
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
                if (r < 0 && r != -EDOM && r != -EFAULT && r != -EEXIST)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, new_api[i]);
        }
        return 0;
}

static int add_rules(scmp_filter_ctx ctx, uint64_t bounding, ContainerKeepReadOnly keep_read_only, char **allow_in, char **deny_in,
                     bool *ret_unnamed, SetupLog *l) {
        _cleanup_strv_free_ char **allow = NULL, **deny = NULL;
        int r;

        /* SystemCallFilter= takes calls off the list; SystemCallFilter=~ adds to it; @groups are expanded
         * (systemd's groups, see syscall-groups.c). */
        for (char **n = allow_in; n && *n; n++) {
                r = syscall_filter_expand(*n, &allow);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, *n);
        }
        for (size_t i = 0; i < ELEMENTSOF(default_deny); i++) {
                if (default_deny[i].capability >= 0 && (bounding & (UINT64_C(1) << default_deny[i].capability)))
                        continue;
                r = syscall_filter_expand(default_deny[i].name, &deny);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, default_deny[i].name);
        }
        for (char **n = deny_in; n && *n; n++) {
                r = syscall_filter_expand(*n, &deny);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, *n);
        }
        for (char **n = deny; n && *n; n++) {
                int nr;

                if ((*n)[0] == '@' || strv_find(allow, *n))
                        continue;
                nr = seccomp_syscall_resolve_name(*n);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* newer than libseccomp, or not on this architecture: as systemd does */
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0 && r != -EDOM && r != -EFAULT && r != -EEXIST)
                        return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, *n);
        }
        if (!(bounding & (UINT64_C(1) << CAP_SYS_ADMIN)))
                return add_userns_rules(ctx, allow, l);
        if (keep_read_only != CONTAINER_KEEP_READ_ONLY_NO)
                return add_mount_rules(ctx, keep_read_only, allow, ret_unnamed, l);
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

/* open_tree_attr() is newer than the libseccomp we build with (Debian 12's 2.5.4) knows: it takes a rule for a
 * number without a name on the native architecture only (it translates every number through its own tables for
 * the others), and 32-bit callers would get through. So, as long as it has no name for it, a few instructions of
 * our own go in front of libseccomp's program (which starts by loading the architecture itself): the call is
 * 467 on x86-64, i386, x32 (with its bit) and arm64, the numbers every architecture shares since Linux 5.1
 * (424 on), but alpha, ia64 and mips, which do not get this prefix. */
#define NR_OPEN_TREE_ATTR 467U
#define X32_SYSCALL_BIT 0x40000000U

static int unnamed_prefix(struct sock_fprog **prog, SetupLog *l) {
        static const struct sock_filter prefix[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_OPEN_TREE_ATTR, 1, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_OPEN_TREE_ATTR | X32_SYSCALL_BIT, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        };
        struct sock_fprog *p;
        size_t n = (*prog)->len;

        if (seccomp_arch_native() != SCMP_ARCH_X86_64 && seccomp_arch_native() != SCMP_ARCH_AARCH64)
                return 0;
        if (n + ELEMENTSOF(prefix) > BPF_MAXINSNS)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, -E2BIG, "open_tree_attr");
        p = malloc(sizeof(struct sock_fprog) + (n + ELEMENTSOF(prefix)) * sizeof(struct sock_filter));
        if (!p)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, -ENOMEM, "seccomp");
        p->len = (unsigned short) (n + ELEMENTSOF(prefix));
        p->filter = (struct sock_filter *) (p + 1);
        memcpy(p->filter, prefix, sizeof(prefix));
        memcpy(p->filter + ELEMENTSOF(prefix), (*prog)->filter, n * sizeof(struct sock_filter));
        free(*prog);
        *prog = p;
        return 0;
}

int seccomp_policy_build(uint64_t bounding, ContainerKeepReadOnly keep_read_only, char **allow, char **deny,
                         struct sock_fprog **ret, SetupLog *l) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        _cleanup_free_ struct sock_fprog *prog = NULL;
        bool unnamed = false;
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

        r = add_rules(ctx, bounding, keep_read_only, allow, deny, &unnamed, l);
        if (r < 0)
                return r;
        r = seccomp_program_export(ctx, &prog, l);
        if (r < 0)
                return r;
        if (unnamed) {
                r = unnamed_prefix(&prog, l);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(prog);
        return 0;
}
