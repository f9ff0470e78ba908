/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device policy's BPF program: loaded and attached to a cgroup (v2), as systemd's DevicePolicy= and crun
 * do. glibc has no wrapper for bpf(2). */

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "priv.h"

static int bpf_call(int cmd, union bpf_attr *attr) {
        long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : (int) r;
}

int priv_bpf_device_program_load(const struct bpf_insn *insns, size_t n, int *ret_fd) {
        static const char license[] = "GPL";
        union bpf_attr attr;
        int fd;

        /* BPF_COMPLEXITY_LIMIT_INSNS: what the kernel takes from a privileged loader. */
        if (!insns || n == 0 || n > 1000000 || !ret_fd)
                return -EINVAL;
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.expected_attach_type = BPF_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) insns;
        attr.insn_cnt = (uint32_t) n;
        attr.license = (uint64_t) (uintptr_t) license;
        memcpy(attr.prog_name, "mx_devices", sizeof("mx_devices"));
        /* The kernel makes the fd O_CLOEXEC. */
        fd = bpf_call(BPF_PROG_LOAD, &attr);
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

int priv_bpf_device_program_attach(int cgroup_fd, int prog_fd) {
        union bpf_attr attr;
        int r;

        if (cgroup_fd < 0 || prog_fd < 0)
                return -EBADF;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) prog_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        /* Next to systemd's programs and those of the cgroups below: every one of them must allow an access. */
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        r = bpf_call(BPF_PROG_ATTACH, &attr);
        return r < 0 ? r : 0;
}
