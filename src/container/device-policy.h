/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The device policy of a machine's cgroup: which device nodes the processes in it may create (mknod) and open.
 * What systemd-nspawn asks of systemd (DevicePolicy=closed: the pseudo devices; DeviceAllow= the ptys and tun),
 * plus a bundle's own devices, compiled to a BPF_PROG_TYPE_CGROUP_DEVICE program that we attach to the machine's
 * cgroup ourselves: systemd loads its own in the scope job, between the cgroup's mkdir and the leader's
 * migration, where it costs every start 0.3-0.9 ms (issue #17). Everything not allowed is denied. */

#include <stddef.h>
#include <stdint.h>

struct bpf_insn;

/* Bits of an access, as the kernel gives them to the program (BPF_DEVCG_ACC_*). */
enum {
        DEVICE_ACCESS_MKNOD = 1 << 0,
        DEVICE_ACCESS_READ  = 1 << 1,
        DEVICE_ACCESS_WRITE = 1 << 2,
        DEVICE_ACCESS_ALL   = DEVICE_ACCESS_MKNOD | DEVICE_ACCESS_READ | DEVICE_ACCESS_WRITE,
};

#define DEVICE_ANY (-1)

/* Allows ACCESS to the devices of TYPE ('c' or 'b') MAJOR:MINOR (either DEVICE_ANY). */
typedef struct DeviceRule {
        char type;
        int32_t major;
        int32_t minor;
        uint8_t access;
} DeviceRule;

/* "rwm" or a subset of it (each letter once, not empty) -> DEVICE_ACCESS_* bits. Returns 0 or -EINVAL. */
int device_access_from_string(const char *s, uint8_t *ret);
/* The rule as a DeviceAllow= of systemd ("/dev/char/1:3" and "rwm"): for a unit whose DevicePolicy= is systemd's
 * (container@.service). Returns 0, -EINVAL for a rule with DEVICE_ANY, or -ENOMEM. */
int device_rule_to_allow(const DeviceRule *rule, char **ret_path, char **ret_access);

/* At most this many rules besides the defaults: a program of at most ~33000 instructions (the kernel takes a
 * million from a privileged loader), enough for a privileged container with every device of a big host. */
#define DEVICE_POLICY_RULES_MAX 4096U

/* The program that allows what the default rules and the N_EXTRA rules EXTRA allow, in *RET (N instructions,
 * to be freed). A rule that cannot match a device (a major past 4095, a minor past 2^20 - 1) is left out.
 * Returns 0, -EINVAL for a rule of another type, -E2BIG for more than DEVICE_POLICY_RULES_MAX, or -ENOMEM. */
int device_policy_compile(const DeviceRule *extra, size_t n_extra, struct bpf_insn **ret, size_t *ret_n);
/* device_policy_compile(), loaded into the kernel: its fd (O_CLOEXEC) in *RET_FD. Returns 0 or -errno. */
int device_policy_load(const DeviceRule *extra, size_t n_extra, int *ret_fd);
/* Attaches the program PROG_FD to the cgroup (v2) CGROUP ("/machine.slice/machine-foo.scope", as
 * /proc/PID/cgroup says it) for as long as that cgroup exists. Returns 0 or -errno. */
int device_policy_attach(int prog_fd, const char *cgroup);
