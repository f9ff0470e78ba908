/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A seccomp profile of any shape (ContainerSeccompProfile, from OCI linux.seccomp) compiled to BPF with
 * libseccomp, as runc and crun build theirs: the default action, the architectures, the rules with their
 * argument conditions. It is the machine's second filter: nspawn's deny list (seccomp-policy.c) is loaded
 * first and keeps applying, since the kernel runs every filter and takes the most restrictive result. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "seccomp-oci.h"
#include "seccomp-policy.h"

int seccomp_action_to_scmp(ContainerSeccompAction a, uint16_t data, uint32_t *ret) {
        switch (a) {
        case CONTAINER_SECCOMP_ALLOW:
                *ret = SCMP_ACT_ALLOW;
                return 0;
        case CONTAINER_SECCOMP_ERRNO:
                if (data > CONTAINER_SECCOMP_ERRNO_MAX)
                        return -EINVAL;
                *ret = SCMP_ACT_ERRNO(data);
                return 0;
        case CONTAINER_SECCOMP_KILL_THREAD:
                *ret = SCMP_ACT_KILL_THREAD;
                return 0;
        case CONTAINER_SECCOMP_KILL_PROCESS:
                *ret = SCMP_ACT_KILL_PROCESS;
                return 0;
        case CONTAINER_SECCOMP_TRAP:
                *ret = SCMP_ACT_TRAP;
                return 0;
        case CONTAINER_SECCOMP_LOG:
                *ret = SCMP_ACT_LOG;
                return 0;
        case CONTAINER_SECCOMP_TRACE:
                *ret = SCMP_ACT_TRACE(data);
                return 0;
        default:
                return -EINVAL;
        }
}

/* The load flags a profile may ask for, and the libseccomp attribute of each. libseccomp applies these only
 * in seccomp_load(), which runs after the release in priv/ from our own BPF instead: setting the attribute
 * here asks libseccomp whether it and the kernel support the flag, and the load passes the flag itself. */
static const struct {
        unsigned flag;
        enum scmp_filter_attr attr;
        const char *name;
} flag_attrs[] = {
        { SECCOMP_FILTER_FLAG_TSYNC,      SCMP_FLTATR_CTL_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC" },
        { SECCOMP_FILTER_FLAG_LOG,        SCMP_FLTATR_CTL_LOG,   "SECCOMP_FILTER_FLAG_LOG" },
        { SECCOMP_FILTER_FLAG_SPEC_ALLOW, SCMP_FLTATR_CTL_SSB,   "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
};

static int add_rule(scmp_filter_ctx ctx, uint32_t default_action, const ContainerSeccompRule *rule, SetupLog *l) {
        struct scmp_arg_cmp cmp[CONTAINER_SECCOMP_ARGS_MAX];
        uint32_t action;
        int nr, r;

        r = seccomp_action_to_scmp(rule->action, rule->data, &action);
        if (r < 0 || rule->n_args > CONTAINER_SECCOMP_ARGS_MAX)
                return setup_failf(l, CONTAINER_STAGE_SECCOMP, -EINVAL, 0, "%s: invalid rule", rule->name);
        /* What happens anyway; libseccomp refuses such rules (EACCES), runc and crun leave them out. */
        if (action == default_action)
                return 0;
        /* Newer than libseccomp, or another architecture's: skipped, as runc and crun do. */
        nr = seccomp_syscall_resolve_name(rule->name);
        if (nr == __NR_SCMP_ERROR)
                return 0;

        for (size_t j = 0; j < rule->n_args; j++)
                cmp[j] = (struct scmp_arg_cmp) {
                        .arg = rule->args[j].index,
                        .op = (enum scmp_compare) rule->args[j].op,
                        .datum_a = rule->args[j].value,
                        .datum_b = rule->args[j].value_two,
                };
        r = seccomp_rule_add_array(ctx, action, nr, rule->n_args, cmp);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, rule->name);
        return 0;
}

int seccomp_profile_build(const ContainerSeccompProfile *p, struct sock_fprog **ret, unsigned *ret_flags,
                          size_t *ret_failed_rule, SetupLog *l) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        uint32_t default_action;
        unsigned flags = 0;
        int r;

        r = seccomp_action_to_scmp(p->default_action, p->default_data, &default_action);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "default action");
        ctx = seccomp_init(default_action);
        if (!ctx)
                /* libseccomp refuses an action the kernel lacks (SCMP_ACT_LOG before Linux 4.14). */
                return setup_failf(l, CONTAINER_STAGE_SECCOMP, -EOPNOTSUPP, 0, "default action SCMP_ACT_%s",
                                   container_seccomp_action_to_string(p->default_action));
        /* As in seccomp_policy_build(): no_new_privs is the model's business, not libseccomp's. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_SECCOMP, r, "SCMP_FLTATR_CTL_NNP");

        /* Only the listed architectures besides the native one: calls of any other ABI kill the caller
         * (libseccomp's default for a foreign architecture), as with runc and crun. */
        for (size_t i = 0; i < p->n_architectures; i++) {
                r = seccomp_arch_add(ctx, p->architectures[i]);
                if (r < 0 && r != -EEXIST)
                        return setup_failf(l, CONTAINER_STAGE_SECCOMP, r, 0, "architecture 0x%08x",
                                           (unsigned) p->architectures[i]);
        }

        for (size_t i = 0; i < ELEMENTSOF(flag_attrs); i++) {
                if (!(p->flags & flag_attrs[i].flag))
                        continue;
                r = seccomp_attr_set(ctx, flag_attrs[i].attr, 1);
                if (r < 0) {
                        setup_warn(l, -r, "%s is not supported by libseccomp or the kernel, ignoring",
                                   flag_attrs[i].name);
                        continue;
                }
                flags |= flag_attrs[i].flag;
        }

        for (size_t i = 0; i < p->n_rules; i++) {
                r = add_rule(ctx, default_action, p->rules + i, l);
                if (r < 0) {
                        if (ret_failed_rule)
                                *ret_failed_rule = i;
                        return r;
                }
        }

        r = seccomp_program_export(ctx, ret, l);
        if (r < 0)
                return r;
        if (ret_flags)
                *ret_flags = flags;
        return 0;
}
