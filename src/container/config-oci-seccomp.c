/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.seccomp -> ContainerSeccompProfile: a profile of any shape (Docker's and podman's defaults: an
 * SCMP_ACT_ERRNO default with a long allow list and argument conditions), as runc and crun take it. The
 * profile becomes a filter of its own, stacked on nspawn's deny list, which keeps applying. What the model
 * cannot do is an error naming the JSON path; oci_seccomp_check() compiles the profile once, so that a rule
 * libseccomp refuses is such an error too, not a failed start (when the model is made, or, for callers that
 * take the filters from a cache, on a miss). */

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "config-oci-resources.h"
#include "config-oci-seccomp.h"
#include "oci-json.h"
#include "seccomp-oci.h"
#include "strv.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* How many unknown names one warning lists before it only counts them. */
#define UNKNOWN_NAMES_LISTED 8

/* ACTION (libseccomp's value, errno or trace data folded in, as the parser gives it) of the field PATH.ACTION_KEY
 * with its data in the field PATH.ERRNO_KEY, as the model's action and data. */
static int map_action(uint32_t action, const char *path, const char *action_key, const char *errno_key,
                      ContainerSeccompAction *ret, uint16_t *ret_data, char **error) {
        uint16_t data = action & 0xffffU;

        switch (action & 0xffff0000U) {
        case SCMP_ACT_ALLOW:
                *ret = CONTAINER_SECCOMP_ALLOW;
                break;
        case SCMP_ACT_ERRNO(0):
                /* The kernel caps the errno at MAX_ERRNO: refuse rather than return another one. */
                if (data > CONTAINER_SECCOMP_ERRNO_MAX)
                        return oci_error_take(error, oci_path_key(path, errno_key), "%u is not an errno (at most %u)",
                                              data, CONTAINER_SECCOMP_ERRNO_MAX);
                *ret = CONTAINER_SECCOMP_ERRNO;
                break;
        case SCMP_ACT_TRACE(0):
                *ret = CONTAINER_SECCOMP_TRACE;
                break;
        case SCMP_ACT_KILL_THREAD:
                *ret = CONTAINER_SECCOMP_KILL_THREAD;
                data = 0;
                break;
        case SCMP_ACT_KILL_PROCESS:
                *ret = CONTAINER_SECCOMP_KILL_PROCESS;
                data = 0;
                break;
        case SCMP_ACT_TRAP:
                *ret = CONTAINER_SECCOMP_TRAP;
                data = 0;
                break;
        case SCMP_ACT_LOG:
                *ret = CONTAINER_SECCOMP_LOG;
                data = 0;
                break;
        case SCMP_ACT_NOTIFY:
                return oci_error_take(error, oci_path_key(path, action_key),
                                      "SCMP_ACT_NOTIFY is not supported (it needs a seccomp agent at listenerPath)");
        default:
                return oci_error_take(error, oci_path_key(path, action_key), "unknown seccomp action 0x%08x",
                                      (unsigned) action);
        }
        *ret_data = data;
        return 0;
}

/* The names of RULE (at PATH) libseccomp knows, as model rules appended to C->seccomp_rules; one warning
 * for the others. */
static int map_rule(OciContainer *c, const OciSeccompRule *rule, const char *path, size_t *origin, size_t index,
                    char **error) {
        _cleanup_strv_free_ char **unknown = NULL;
        _cleanup_free_ char *list = NULL;
        ContainerSeccompAction action;
        size_t n_unknown = 0;
        uint16_t data;
        int r;

        r = map_action(rule->action, path, "action", "errnoRet", &action, &data, error);
        if (r < 0)
                return r;
        if (rule->n_args > CONTAINER_SECCOMP_ARGS_MAX)
                return oci_error_take(error, oci_path_key(path, "args"), "at most %u conditions, not %zu",
                                      CONTAINER_SECCOMP_ARGS_MAX, rule->n_args);

        STRV_FOREACH(name, rule->names) {
                ContainerSeccompRule *m;

                /* Names this libseccomp does not know (newer calls, other architectures') are skipped, as
                 * runc and crun do. */
                if (seccomp_syscall_resolve_name(*name) == __NR_SCMP_ERROR) {
                        if (n_unknown++ < UNKNOWN_NAMES_LISTED && strv_extend(&unknown, *name) < 0)
                                return -ENOMEM;
                        continue;
                }
                origin[c->n_seccomp_rules] = index;
                m = c->seccomp_rules + c->n_seccomp_rules++;
                *m = (ContainerSeccompRule) {
                        .name = *name,
                        .action = action,
                        .data = data,
                        .n_args = rule->n_args,
                };
                for (size_t j = 0; j < rule->n_args; j++)
                        m->args[j] = (ContainerSeccompArg) {
                                .index = rule->args[j].index,
                                .op = (ContainerSeccompOp) rule->args[j].op,
                                .value = rule->args[j].value,
                                .value_two = rule->args[j].value_two,
                        };
        }
        if (n_unknown == 0)
                return 0;
        list = strv_join(unknown, ", ");
        if (!list)
                return -ENOMEM;
        if (n_unknown == 1)
                return oci_container_warn(c, "%s: unknown system call %s, skipping", path, list);
        return oci_container_warn(c, "%s: %zu unknown system calls (%s%s), skipping", path, n_unknown, list,
                                  n_unknown > UNKNOWN_NAMES_LISTED ? ", ..." : "");
}

int oci_seccomp_check(OciContainer *c, char **error) {
        _cleanup_free_ struct sock_fprog *prog = NULL;
        size_t failed = SIZE_MAX;
        SetupLog log = {};
        int r;

        if (!c->config.seccomp_profile)
                return 0;
        r = seccomp_profile_build(&c->seccomp_profile, &prog, NULL, &failed, &log);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && failed < c->n_seccomp_rules) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "linux.seccomp.syscalls[%zu]", c->seccomp_origin[failed]) < 0)
                        return -ENOMEM;
                return oci_error(error, path, "libseccomp refuses the rule for %s: %s",
                                 c->seccomp_rules[failed].name, strerror(-r));
        }
        if (r < 0)
                return oci_error(error, "linux.seccomp", "libseccomp refuses the profile: %s: %s",
                                 log.failure.detail, strerror(-r));
        for (size_t i = 0; i < log.n_warnings; i++) {
                r = oci_container_warn(c, "linux.seccomp.flags: %s", log.warnings[i].detail);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_seccomp_to_profile(OciContainer *c, char **error) {
        const OciSeccomp *s = c->spec->linux_config ? c->spec->linux_config->seccomp : NULL;
        ContainerSeccompProfile *p = &c->seccomp_profile;
        unsigned long flags;
        size_t n = 0;
        int r;

        if (!s)
                return 0;
        if (s->listener_path)
                return oci_error(error, "linux.seccomp.listenerPath", "not supported (no seccomp agent)");

        r = map_action(s->default_action, "linux.seccomp", "defaultAction", "defaultErrnoRet", &p->default_action,
                       &p->default_data, error);
        if (r < 0)
                return r;

        flags = s->flags;
        if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
                r = oci_container_warn(c, "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only "
                                       "applies to a listener, ignoring");
                if (r < 0)
                        return r;
        }
        p->flags = (unsigned) (flags & CONTAINER_SECCOMP_FLAGS_SUPPORTED);
        p->architectures = s->architectures;
        p->n_architectures = s->n_architectures;

        for (size_t i = 0; i < s->n_syscalls; i++)
                n += strv_length(s->syscalls[i].names);
        c->seccomp_rules = new0(ContainerSeccompRule, n ?: 1);
        c->seccomp_origin = new0(size_t, n ?: 1);
        if (!c->seccomp_rules || !c->seccomp_origin)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_syscalls; i++) {
                char path[64];

                snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu]", i);
                r = map_rule(c, s->syscalls + i, path, c->seccomp_origin, i, error);
                if (r < 0)
                        return r;
        }
        p->rules = c->seccomp_rules;
        p->n_rules = c->n_seccomp_rules;
        c->config.seccomp_profile = p;
        return 0;
}
