/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device policy (device-policy.h): the compiled program, run by a small interpreter of the instructions it
 * may use against a plain reading of the rules, for every access of interest; then, as root on a cgroup v2
 * hierarchy, the same program in the kernel on a cgroup of our own: what a process in it may create and open.
 * The kernel part is skipped (with a note) without root or a writable cgroup2; the rest always runs. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "device-policy.h"
#include "macro.h"
#include "priv/priv.h"
#include "test-assert.h"
#include "util.h"

/* What a machine may do without rules of its own (systemd's DevicePolicy=closed plus nspawn's ptys and tun),
 * written out here again, independently of the table in device-policy.c. */
static const DeviceRule expected_defaults[] = {
        { 'c', 1, 3, DEVICE_ACCESS_ALL }, { 'c', 1, 5, DEVICE_ACCESS_ALL }, { 'c', 1, 7, DEVICE_ACCESS_ALL },
        { 'c', 1, 8, DEVICE_ACCESS_ALL }, { 'c', 1, 9, DEVICE_ACCESS_ALL }, { 'c', 5, 0, DEVICE_ACCESS_ALL },
        { 'c', 5, 2, DEVICE_ACCESS_ALL }, { 'c', 0, 0, DEVICE_ACCESS_ALL }, { 'b', 0, 0, DEVICE_ACCESS_ALL },
        { 'c', 136, DEVICE_ANY, DEVICE_ACCESS_READ | DEVICE_ACCESS_WRITE }, { 'c', 10, 200, DEVICE_ACCESS_ALL },
};

/* The kernel's devices have majors up to 4095 and minors up to 2^20 - 1: a rule past those matches nothing
 * (and is left out of the program). */
static bool rule_allows(const DeviceRule *r, char type, uint8_t access, uint32_t major, uint32_t minor) {
        return r->major <= 0xfff && r->minor <= 0xfffff && r->type == type && (access & ~r->access) == 0 &&
               (r->major == DEVICE_ANY || (uint32_t) r->major == major) &&
               (r->minor == DEVICE_ANY || (uint32_t) r->minor == minor);
}

static bool reference(const DeviceRule *extra, size_t n_extra, char type, uint8_t access, uint32_t major,
                      uint32_t minor) {
        for (size_t i = 0; i < ELEMENTSOF(expected_defaults); i++)
                if (rule_allows(expected_defaults + i, type, access, major, minor))
                        return true;
        for (size_t i = 0; i < n_extra; i++)
                if (rule_allows(extra + i, type, access, major, minor))
                        return true;
        return false;
}

/* Runs PROG on the context as the kernel would, for the instructions device_policy_compile() emits; anything
 * else fails the test. Checks that every jump stays inside the program. */
static int interpret(const struct bpf_insn *prog, size_t n, const struct bpf_cgroup_dev_ctx *ctx) {
        uint64_t reg[11] = {};
        int steps = 0;

        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = prog + pc;
                uint64_t imm = (uint64_t) (int64_t) i->imm;

                ASSERT(++steps <= 4096);
                ASSERT(i->dst_reg < 11 && i->src_reg < 11);
                switch (i->code) {
                case BPF_LDX | BPF_W | BPF_MEM:
                        ASSERT(i->src_reg == BPF_REG_1 && i->off >= 0 && (size_t) i->off + 4 <= sizeof(*ctx));
                        /* r1 must still be the context: the program only reads it in its prologue. */
                        ASSERT(pc < 6);
                        uint32_t v;
                        memcpy(&v, (const char *) ctx + i->off, 4);
                        reg[i->dst_reg] = v;
                        break;
                case BPF_ALU64 | BPF_AND | BPF_K:
                        reg[i->dst_reg] &= imm;
                        break;
                case BPF_ALU64 | BPF_RSH | BPF_K:
                        reg[i->dst_reg] >>= i->imm;
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_X:
                        reg[i->dst_reg] = reg[i->src_reg];
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        reg[i->dst_reg] = imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        ASSERT(i->off >= 0 && pc + i->off + 1 < n);
                        if (reg[i->dst_reg] != imm)
                                pc += i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int) reg[BPF_REG_0];
                default:
                        fprintf(stderr, "unexpected instruction 0x%02x at %zu\n", i->code, pc);
                        ASSERT(false);
                }
        }
        ASSERT(!"the program ran off its end");
        return -1;
}

static void check_against_reference(const DeviceRule *extra, size_t n_extra) {
        static const uint32_t majors[] = { 0, 1, 5, 7, 8, 10, 136, 137, 4095, 5000, INT32_MAX, UINT32_MAX };
        static const uint32_t minors[] = { 0, 1, 2, 3, 5, 9, 200, 229, 1048575, 1048576, INT32_MAX };
        _cleanup_free_ struct bpf_insn *prog = NULL;
        size_t n, allowed = 0, checked = 0;

        ASSERT(device_policy_compile(extra, n_extra, &prog, &n) == 0);
        ASSERT(n > 8 && n <= BPF_MAXINSNS);
        for (int t = 0; t < 2; t++)
                for (uint8_t access = 1; access <= DEVICE_ACCESS_ALL; access++)
                        for (size_t a = 0; a < ELEMENTSOF(majors); a++)
                                for (size_t b = 0; b < ELEMENTSOF(minors); b++) {
                                        char type = t ? 'b' : 'c';
                                        struct bpf_cgroup_dev_ctx ctx = {
                                                .access_type = (uint32_t) access << 16 |
                                                               (t ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                                                .major = majors[a],
                                                .minor = minors[b],
                                        };
                                        bool want = reference(extra, n_extra, type, access, majors[a], minors[b]);
                                        int got = interpret(prog, n, &ctx);
                                        if (got != want)
                                                fprintf(stderr, "%c %u:%u access %u: %d, expected %d\n", type,
                                                        majors[a], minors[b], access, got, want);
                                        ASSERT(got == want);
                                        allowed += want;
                                        checked++;
                                }
        /* Both answers occur. */
        ASSERT(allowed > 0 && allowed < checked);
}

static void test_compile(void) {
        _cleanup_free_ struct bpf_insn *prog = NULL;
        struct bpf_insn *p = NULL;
        size_t n;

        /* The defaults alone: the pseudo devices, ptys (no mknod), tun; nothing else. */
        check_against_reference(NULL, 0);
        {
                ASSERT(device_policy_compile(NULL, 0, &prog, &n) == 0);
                struct bpf_cgroup_dev_ctx mem = { BPF_DEVCG_ACC_READ << 16 | BPF_DEVCG_DEV_CHAR, 1, 1 };
                struct bpf_cgroup_dev_ctx null = { BPF_DEVCG_ACC_READ << 16 | BPF_DEVCG_DEV_CHAR, 1, 3 };
                struct bpf_cgroup_dev_ctx pts_rw = { (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE) << 16 |
                                                     BPF_DEVCG_DEV_CHAR, 136, 7 };
                struct bpf_cgroup_dev_ctx pts_mknod = { BPF_DEVCG_ACC_MKNOD << 16 | BPF_DEVCG_DEV_CHAR, 136, 7 };
                struct bpf_cgroup_dev_ctx sda = { BPF_DEVCG_ACC_READ << 16 | BPF_DEVCG_DEV_BLOCK, 8, 0 };
                struct bpf_cgroup_dev_ctx null_as_block = { BPF_DEVCG_ACC_READ << 16 | BPF_DEVCG_DEV_BLOCK, 1, 3 };
                ASSERT_EQ(interpret(prog, n, &mem), 0);
                ASSERT_EQ(interpret(prog, n, &null), 1);
                ASSERT_EQ(interpret(prog, n, &pts_rw), 1);
                ASSERT_EQ(interpret(prog, n, &pts_mknod), 0);
                ASSERT_EQ(interpret(prog, n, &sda), 0);
                ASSERT_EQ(interpret(prog, n, &null_as_block), 0);
        }

        /* A bundle's rules: exact devices, a subset of the access, a wildcard minor; one that cannot match
         * (major past 4095) is left out and allows nothing. */
        static const DeviceRule extra[] = {
                { 'c', 10, 229, DEVICE_ACCESS_ALL },
                { 'b', 7, 3, DEVICE_ACCESS_READ | DEVICE_ACCESS_WRITE },
                { 'b', 8, DEVICE_ANY, DEVICE_ACCESS_READ },
                { 'c', 5000, 1, DEVICE_ACCESS_ALL },
                { 'c', DEVICE_ANY, 9, DEVICE_ACCESS_MKNOD },
                { 'c', INT32_MAX, INT32_MAX, DEVICE_ACCESS_ALL },       /* the clamp of config-oci-resources.c */
                { 'b', 1, 1048576, DEVICE_ACCESS_ALL },
        };
        check_against_reference(extra, ELEMENTSOF(extra));
        {
                /* The rules that cannot match are left out: the program is that of the others. */
                _cleanup_free_ struct bpf_insn *all = NULL, *some = NULL, *base = NULL;
                size_t n_all, n_some, n_base;
                ASSERT(device_policy_compile(extra, ELEMENTSOF(extra), &all, &n_all) == 0);
                ASSERT(device_policy_compile(extra, 3, &some, &n_some) == 0);
                ASSERT(device_policy_compile(NULL, 0, &base, &n_base) == 0);
                ASSERT(device_policy_compile(extra + 4, 1, &p, &n) == 0);
                /* all = the first three, then the fifth's block: nothing of the fourth, sixth or seventh. */
                ASSERT_EQ(n_all, n_some + (n - n_base));
                ASSERT(memcmp(all, some, (n_some - 2) * sizeof(struct bpf_insn)) == 0);
                ASSERT(memcmp(all + n_some - 2, p + n_base - 2, (n - n_base) * sizeof(struct bpf_insn)) == 0);
                p = mfree(p);
        }
        /* More rules than the limit: refused, not truncated. */
        {
                _cleanup_free_ DeviceRule *many = calloc(DEVICE_POLICY_RULES_MAX + 1, sizeof(DeviceRule));
                ASSERT(many);
                for (size_t i = 0; i <= DEVICE_POLICY_RULES_MAX; i++)
                        many[i] = (DeviceRule) { 'c', 1, (int32_t) i, DEVICE_ACCESS_READ };
                ASSERT_EQ(device_policy_compile(many, DEVICE_POLICY_RULES_MAX + 1, &p, &n), -E2BIG);
                ASSERT(device_policy_compile(many, DEVICE_POLICY_RULES_MAX, &p, &n) == 0);
                p = mfree(p);
        }

        /* Refused: a rule of another type. */
        static const DeviceRule bad[] = { { 'a', 1, 1, DEVICE_ACCESS_ALL } };
        ASSERT_EQ(device_policy_compile(bad, 1, &p, &n), -EINVAL);
        ASSERT(!p);
}

static void test_strings(void) {
        _cleanup_free_ char *path = NULL, *access = NULL;
        uint8_t a;

        ASSERT(device_access_from_string("rwm", &a) == 0 && a == DEVICE_ACCESS_ALL);
        ASSERT(device_access_from_string("mr", &a) == 0 && a == (DEVICE_ACCESS_MKNOD | DEVICE_ACCESS_READ));
        ASSERT(device_access_from_string("w", &a) == 0 && a == DEVICE_ACCESS_WRITE);
        ASSERT_EQ(device_access_from_string("", &a), -EINVAL);
        ASSERT_EQ(device_access_from_string("rr", &a), -EINVAL);
        ASSERT_EQ(device_access_from_string("rx", &a), -EINVAL);

        ASSERT(device_rule_to_allow(&(DeviceRule) { 'c', 10, 229, DEVICE_ACCESS_ALL }, &path, &access) == 0);
        ASSERT_STREQ(path, "/dev/char/10:229");
        ASSERT_STREQ(access, "rwm");
        path = mfree(path);
        access = mfree(access);
        ASSERT(device_rule_to_allow(&(DeviceRule) { 'b', 7, 3, DEVICE_ACCESS_READ | DEVICE_ACCESS_MKNOD }, &path,
                                    &access) == 0);
        ASSERT_STREQ(path, "/dev/block/7:3");
        ASSERT_STREQ(access, "rm");
        path = mfree(path);
        access = mfree(access);
        ASSERT_EQ(device_rule_to_allow(&(DeviceRule) { 'c', 136, DEVICE_ANY, DEVICE_ACCESS_ALL }, &path, &access),
                  -EINVAL);
        ASSERT(!path && !access);
}

/* Where the callers check that a leader is in its unit's cgroup before they attach the policy there. */
static void test_cgroup_path(void) {
        ASSERT(cgroup_path_endswith_unit("/machine.slice/machine-a.scope", "machine-a.scope", NULL));
        ASSERT(!cgroup_path_endswith_unit("/machine.slice/machine-a.scope/init.scope", "machine-a.scope", NULL));
        ASSERT(!cgroup_path_endswith_unit("/machine.slice/xmachine-a.scope", "machine-a.scope", NULL));
        ASSERT(!cgroup_path_endswith_unit("/system.slice/machined-ext.service", "machine-a.scope", NULL));
        ASSERT(!cgroup_path_endswith_unit("machine-a.scope", "machine-a.scope", NULL));
        ASSERT(cgroup_path_endswith_unit("/system.slice/container@a.service/payload", "container@a.service",
                                         "payload"));
        ASSERT(!cgroup_path_endswith_unit("/system.slice/container@a.service", "container@a.service", "payload"));
        ASSERT(!cgroup_path_endswith_unit("/system.slice/xcontainer@a.service/payload", "container@a.service",
                                          "payload"));
        ASSERT(!cgroup_path_endswith_unit("container@a.service/payload", "container@a.service", "payload"));
        ASSERT(!cgroup_path_endswith_unit("/payload", "container@a.service", "payload"));
        ASSERT(!cgroup_path_endswith_unit("/machine.slice/machine-a.scope", "", NULL));
}

/* ---- in the kernel ---- */

static char cgroup_dir[PATH_MAX], node_dir[PATH_MAX];

/* errno of open(PATH, O_RDONLY), 0 if it opened. */
static int open_errno(const char *dir, const char *name) {
        char p[PATH_MAX];
        int fd;

        ASSERT(snprintf(p, sizeof(p), "%s/%s", dir, name) < (int) sizeof(p));
        fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

static int mknod_errno(const char *dir, const char *name, mode_t type, unsigned major, unsigned minor) {
        char p[PATH_MAX];

        ASSERT(snprintf(p, sizeof(p), "%s/%s", dir, name) < (int) sizeof(p));
        return mknod(p, type | 0600, makedev(major, minor)) < 0 ? errno : 0;
}

/* In a child that has moved itself into the cgroup with the program. */
static void in_policed_cgroup(void) {
        char p[PATH_MAX], pid[32];
        int fd;

        ASSERT(snprintf(p, sizeof(p), "%s/cgroup.procs", cgroup_dir) < (int) sizeof(p));
        fd = open(p, O_WRONLY | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT(snprintf(pid, sizeof(pid), "%i", (int) getpid()) < (int) sizeof(pid));
        ASSERT(write(fd, pid, strlen(pid)) == (ssize_t) strlen(pid));
        close(fd);

        /* Nodes the host (the image) made before: only those the policy allows open. */
        ASSERT_EQ(open_errno(node_dir, "null"), 0);
        ASSERT_EQ(open_errno(node_dir, "fuse"), EPERM);
        ASSERT_EQ(open_errno(node_dir, "loop"), EPERM);
        ASSERT_EQ(open_errno(node_dir, "extra"), 0);          /* c 1:11, the bundle's rule */
        /* mknod: allowed for the pseudo devices, not for the ptys (read and write only) or anything else. */
        ASSERT_EQ(mknod_errno(node_dir, "null2", S_IFCHR, 1, 3), 0);
        ASSERT_EQ(mknod_errno(node_dir, "pts2", S_IFCHR, 136, 3), EPERM);
        ASSERT_EQ(mknod_errno(node_dir, "loop2", S_IFBLK, 7, 0), EPERM);
        ASSERT_EQ(mknod_errno(node_dir, "fuse2", S_IFCHR, 10, 229), EPERM);
}

static bool kernel_test_possible(char *ret_root, size_t size) {
        _cleanup_free_ char *own = NULL;
        FILE *f;
        char line[4096];
        bool found = false;

        if (geteuid() != 0)
                return false;
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        while (!found && fgets(line, sizeof(line), f)) {
                char mp[PATH_MAX];
                const char *sep = strstr(line, " - cgroup2 ");
                if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
                        snprintf(ret_root, size, "%s", mp);
                        found = true;
                }
        }
        fclose(f);
        if (!found || pid_get_cgroup(getpid(), &own) < 0)
                return false;
        ASSERT(snprintf(cgroup_dir, sizeof(cgroup_dir), "%s%s/test-device-policy-%i", ret_root,
                 streq(own, "/") ? "" : own, (int) getpid()) < (int) sizeof(cgroup_dir));
        return mkdir(cgroup_dir, 0755) >= 0;
}

static void test_kernel(void) {
        static const DeviceRule extra[] = { { 'c', 1, 11, DEVICE_ACCESS_READ } };
        char root[PATH_MAX], p[PATH_MAX];
        _cleanup_close_ int prog = -EBADF, dirfd = -EBADF;

        if (!kernel_test_possible(root, sizeof(root))) {
                fprintf(stderr, "test-device-policy: no root or no writable cgroup2, kernel part skipped\n");
                return;
        }
        ASSERT(snprintf(node_dir, sizeof(node_dir), "/tmp/test-device-policy.XXXXXX") < (int) sizeof(node_dir));
        ASSERT(mkdtemp(node_dir));
        /* Made here, outside the cgroup: the host (or an image) may have any node. */
        ASSERT_EQ(mknod_errno(node_dir, "null", S_IFCHR, 1, 3), 0);
        ASSERT_EQ(mknod_errno(node_dir, "fuse", S_IFCHR, 10, 229), 0);
        ASSERT_EQ(mknod_errno(node_dir, "loop", S_IFBLK, 7, 0), 0);
        ASSERT_EQ(mknod_errno(node_dir, "extra", S_IFCHR, 1, 11), 0);

        ASSERT_EQ(device_policy_load(extra, ELEMENTSOF(extra), &prog), 0);
        ASSERT(prog >= 0);
        ASSERT(fcntl(prog, F_GETFD) & FD_CLOEXEC);
        /* device_policy_attach() takes the path below /sys/fs/cgroup: give it the fd's path instead when the
         * hierarchy is mounted elsewhere (the host's /sys/fs/cgroup/unified). */
        if (streq(root, "/sys/fs/cgroup"))
                ASSERT_EQ(device_policy_attach(prog, cgroup_dir + strlen(root)), 0);
        else {
                dirfd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                ASSERT(dirfd >= 0);
                ASSERT_EQ(priv_bpf_device_program_attach(dirfd, prog), 0);
        }
        /* Refused: a path outside /sys/fs/cgroup's names. */
        ASSERT_EQ(device_policy_attach(prog, "machine.slice"), -EINVAL);
        ASSERT_EQ(device_policy_attach(prog, "/../etc"), -EINVAL);

        in_child(in_policed_cgroup);

        /* Outside the cgroup the policy does not apply: whatever the drivers say, it is not EPERM. */
        ASSERT(open_errno(node_dir, "fuse") != EPERM);
        ASSERT(open_errno(node_dir, "loop") != EPERM);

        const char *names[] = { "null", "fuse", "loop", "extra", "null2", "pts2", "loop2", "fuse2" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                ASSERT(snprintf(p, sizeof(p), "%s/%s", node_dir, names[i]) < (int) sizeof(p));
                (void) unlink(p);
        }
        ASSERT(rmdir(node_dir) == 0);
        /* Empty once the child is reaped; the kernel may still be releasing it for a moment. */
        for (int i = 0; i < 100 && rmdir(cgroup_dir) < 0; i++) {
                ASSERT(errno == EBUSY);
                usleep(10000);
        }
        ASSERT(access(cgroup_dir, F_OK) < 0);
}

int main(void) {
        test_compile();
        test_strings();
        test_cgroup_path();
        test_kernel();
        return 0;
}
