/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

struct sock_fprog;

/* libseccomp's SCMP_ACT_* value of action A with DATA (the errno, the trace data) in *ret. Returns 0, or
 * -EINVAL for an unknown action or an errno above CONTAINER_SECCOMP_ERRNO_MAX. */
int seccomp_action_to_scmp(ContainerSeccompAction a, uint16_t data, uint32_t *ret);

/* Compiles the profile P to BPF for priv_seccomp_load(): its default action, its architectures besides the
 * native one, its rules (calls libseccomp does not know are skipped, rules with the default action left out).
 * Flags that libseccomp or the kernel do not support are warned about in L and left out. Returns 0, the
 * program in *ret (one allocation: free() it) and the SECCOMP_FILTER_FLAG_* to load it with in *ret_flags (if
 * not NULL); or -errno (stage CONTAINER_STAGE_SECCOMP), with the index of the rule libseccomp refused in
 * *ret_failed_rule (if not NULL; untouched if no rule failed). */
int seccomp_profile_build(const ContainerSeccompProfile *p, struct sock_fprog **ret, unsigned *ret_flags,
                          size_t *ret_failed_rule, SetupLog *l);
