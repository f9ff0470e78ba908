/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-bpf COMMAND PROGRAM [ARGUMENT...]: runs PROGRAM with bpf(2) failing with EPERM for one of its commands,
 * COMMAND being prog-load (BPF_PROG_LOAD) or prog-attach (BPF_PROG_ATTACH); every other bpf() command and
 * every other system call as before. For the tests of what the daemon and machined-ext-oci do when the
 * device policy of a machine (src/container/device-policy.h) cannot be loaded or attached: the start must
 * fail, and leave nothing behind. The filter is inherited by every child and survives exec, as seccomp
 * filters do; no_new_privs is left alone (root loads it with CAP_SYS_ADMIN). Never installed. */
#include <errno.h>
#include <linux/bpf.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        scmp_filter_ctx ctx;
        unsigned cmd;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: %s prog-load|prog-attach PROGRAM [ARGUMENT...]\n", argv[0]);
                return 2;
        }
        if (strcmp(argv[1], "prog-load") == 0)
                cmd = BPF_PROG_LOAD;
        else if (strcmp(argv[1], "prog-attach") == 0)
                cmd = BPF_PROG_ATTACH;
        else {
                fprintf(stderr, "%s: unknown bpf command '%s' (prog-load or prog-attach)\n", argv[0], argv[1]);
                return 2;
        }

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx) {
                fprintf(stderr, "%s: seccomp_init() failed\n", argv[0]);
                return 1;
        }
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(bpf), 1, SCMP_A0(SCMP_CMP_EQ, cmd));
        if (r >= 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        if (r < 0) {
                fprintf(stderr, "%s: failed to load the filter: %s\n", argv[0], strerror(-r));
                return 1;
        }
        execvp(argv[2], argv + 2);
        fprintf(stderr, "%s: failed to execute %s: %s\n", argv[0], argv[2], strerror(errno));
        return 127;
}
