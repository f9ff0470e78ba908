/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

struct sock_fprog;

/* Builds the container's seccomp filter (nspawn-like deny list, minus ALLOW, plus DENY; @groups expanded; then
 * the N_RULES RULES with their argument conditions) and
 * compiles it to BPF, so that only the load (priv_seccomp_load()) is left for after the release. Returns 0 and
 * the program in *ret (one allocation: free() it), or -errno (stage CONTAINER_STAGE_SECCOMP). */
int seccomp_policy_build(char **allow, char **deny, const ContainerSeccompRule *rules, size_t n_rules,
                         struct sock_fprog **ret, SetupLog *l);
