/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device policy of a machine's cgroup (device-policy.h), compiled to BPF as systemd's bpf-devices.c and
 * crun's ebpf.c do: the access (type, bits, major, minor) is loaded from the context once, then each rule is a
 * block of comparisons that falls through to "allow" or jumps to the next rule; after the last, "deny". */

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <limits.h>
#include <linux/major.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device-policy.h"
#include "macro.h"
#include "priv/priv.h"

#define MAJOR_MAX 0xfff
#define MINOR_MAX 0xfffff
#define TUN_MINOR 200                   /* /dev/net/tun, a misc device (linux/miscdevice.h) */

/* systemd's DevicePolicy=closed (bpf_devices_allow_list_static()) and what systemd-nspawn@.service adds with
 * DeviceAllow=: /dev/net/tun and "char-pts" (the ptys, which devpts creates: read and write, no mknod). */
static const DeviceRule default_rules[] = {
        { 'c', 1, 3, DEVICE_ACCESS_ALL },                       /* /dev/null */
        { 'c', 1, 5, DEVICE_ACCESS_ALL },                       /* /dev/zero */
        { 'c', 1, 7, DEVICE_ACCESS_ALL },                       /* /dev/full */
        { 'c', 1, 8, DEVICE_ACCESS_ALL },                       /* /dev/random */
        { 'c', 1, 9, DEVICE_ACCESS_ALL },                       /* /dev/urandom */
        { 'c', TTYAUX_MAJOR, 0, DEVICE_ACCESS_ALL },            /* /dev/tty */
        { 'c', TTYAUX_MAJOR, 2, DEVICE_ACCESS_ALL },            /* /dev/ptmx */
        { 'c', 0, 0, DEVICE_ACCESS_ALL },                       /* the inaccessible nodes (/run/host/inaccessible) */
        { 'b', 0, 0, DEVICE_ACCESS_ALL },
        { 'c', UNIX98_PTY_SLAVE_MAJOR, DEVICE_ANY, DEVICE_ACCESS_READ | DEVICE_ACCESS_WRITE },
        { 'c', MISC_MAJOR, TUN_MINOR, DEVICE_ACCESS_ALL },      /* /dev/net/tun */
};

int device_access_from_string(const char *s, uint8_t *ret) {
        uint8_t a = 0;

        if (!s || !*s)
                return -EINVAL;
        for (; *s; s++) {
                uint8_t bit = *s == 'r' ? DEVICE_ACCESS_READ : *s == 'w' ? DEVICE_ACCESS_WRITE :
                              *s == 'm' ? DEVICE_ACCESS_MKNOD : 0;
                if (bit == 0 || (a & bit))
                        return -EINVAL;
                a |= bit;
        }
        *ret = a;
        return 0;
}

int device_rule_to_allow(const DeviceRule *rule, char **ret_path, char **ret_access) {
        char access[4], *path, *a;
        size_t k = 0;

        if (!IN_SET(rule->type, 'c', 'b') || rule->major < 0 || rule->minor < 0 || rule->access == 0)
                return -EINVAL;
        if (rule->access & DEVICE_ACCESS_READ)
                access[k++] = 'r';
        if (rule->access & DEVICE_ACCESS_WRITE)
                access[k++] = 'w';
        if (rule->access & DEVICE_ACCESS_MKNOD)
                access[k++] = 'm';
        access[k] = 0;
        if (asprintf(&path, "/dev/%s/%i:%i", rule->type == 'b' ? "block" : "char", (int) rule->major,
                     (int) rule->minor) < 0)
                return -ENOMEM;
        a = strdup(access);
        if (!a) {
                free(path);
                return -ENOMEM;
        }
        *ret_path = path;
        *ret_access = a;
        return 0;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
        return (struct bpf_insn) { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

/* DST = the 32-bit field at OFFSET of the context (r1). */
static struct bpf_insn load_ctx(uint8_t dst, size_t offset) {
        return insn(BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, (int16_t) offset, 0);
}

/* The context's fields into r2 (type), r3 (access bits), r4 (major), r5 (minor). */
static size_t emit_prologue(struct bpf_insn *p) {
        size_t n = 0;

        p[n++] = load_ctx(BPF_REG_2, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
        p[n++] = load_ctx(BPF_REG_3, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[n++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
        p[n++] = load_ctx(BPF_REG_4, offsetof(struct bpf_cgroup_dev_ctx, major));
        p[n++] = load_ctx(BPF_REG_5, offsetof(struct bpf_cgroup_dev_ctx, minor));
        return n;
}

/* One rule: each test jumps past the block when it fails; the block ends in "return 1". */
static size_t emit_rule(struct bpf_insn *p, const DeviceRule *rule) {
        struct bpf_insn tests[6];
        size_t t = 0, n = 0;

        tests[t++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
                          rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
        if ((rule->access & DEVICE_ACCESS_ALL) != DEVICE_ACCESS_ALL) {
                /* Every bit asked for must be allowed: (access & ~allowed) == 0. r1 (the context) is free now. */
                tests[t++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
                tests[t++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, ~(int32_t) rule->access);
                tests[t++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, 0, 0);
        }
        if (rule->major != DEVICE_ANY)
                tests[t++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, rule->major);
        if (rule->minor != DEVICE_ANY)
                tests[t++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, rule->minor);

        size_t len = t + 2;
        for (size_t i = 0; i < t; i++) {
                p[n] = tests[i];
                if (BPF_CLASS(p[n].code) == BPF_JMP)
                        p[n].off = (int16_t) (len - n - 1);
                n++;
        }
        p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
        p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        return n;
}

static bool rule_can_match(const DeviceRule *r) {
        return r->major <= MAJOR_MAX && r->minor <= MINOR_MAX && r->major >= DEVICE_ANY && r->minor >= DEVICE_ANY &&
               (r->access & DEVICE_ACCESS_ALL) != 0;
}

int device_policy_compile(const DeviceRule *extra, size_t n_extra, struct bpf_insn **ret, size_t *ret_n) {
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n = 0, n_rules = ELEMENTSOF(default_rules) + n_extra;

        for (size_t i = 0; i < n_extra; i++)
                if (!IN_SET(extra[i].type, 'c', 'b'))
                        return -EINVAL;
        if (n_extra > DEVICE_POLICY_RULES_MAX)
                return -E2BIG;
        /* The prologue, at most 8 instructions a rule, the epilogue. */
        p = calloc(6 + n_rules * 8 + 2, sizeof(struct bpf_insn));
        if (!p)
                return -ENOMEM;
        n += emit_prologue(p);
        for (size_t i = 0; i < n_rules; i++) {
                const DeviceRule *r = i < ELEMENTSOF(default_rules) ? default_rules + i :
                                                                      extra + i - ELEMENTSOF(default_rules);
                if (rule_can_match(r))
                        n += emit_rule(p + n, r);
        }
        p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
        p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        *ret = TAKE_PTR(p);
        *ret_n = n;
        return 0;
}

int device_policy_load(const DeviceRule *extra, size_t n_extra, int *ret_fd) {
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n;
        int r;

        r = device_policy_compile(extra, n_extra, &p, &n);
        if (r < 0)
                return r;
        return priv_bpf_device_program_load(p, n, ret_fd);
}

int device_policy_attach(int prog_fd, const char *cgroup) {
        _cleanup_close_ int fd = -EBADF;
        char path[PATH_MAX];

        if (!cgroup || cgroup[0] != '/' || strstr(cgroup, "/..") ||
            snprintf(path, sizeof(path), "/sys/fs/cgroup%s", cgroup) >= (int) sizeof(path))
                return -EINVAL;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        return priv_bpf_device_program_attach(fd, prog_fd);
}
