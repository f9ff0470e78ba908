/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <seccomp.h>

#include "container-config.h"
#include "setup-log.h"

struct sock_fprog;

/* Builds nspawn's deny list as a seccomp filter (minus ALLOW, plus DENY; @groups expanded; the groups of the
 * capabilities in BOUNDING allowed; CLONE_NEWUSER denied without CAP_SYS_ADMIN in it; with CAP_SYS_ADMIN and
 * KEEP_READ_ONLY (the payload has no user namespace): the new mount API denied, and with
 * CONTAINER_KEEP_READ_ONLY_ALL remounts that do not set MS_RDONLY) and compiles it to BPF, so that only the load (priv_seccomp_load()) is left for after the release.
 * Returns 0 and the program in *ret (one allocation: free() it), or -errno (stage CONTAINER_STAGE_SECCOMP). */
int seccomp_policy_build(uint64_t bounding, ContainerKeepReadOnly keep_read_only, char **allow, char **deny,
                         struct sock_fprog **ret, SetupLog *l);

/* Compiles CTX to BPF. Returns 0 and the program in *ret (one allocation: free() it), or -errno (stage
 * CONTAINER_STAGE_SECCOMP). */
int seccomp_program_export(scmp_filter_ctx ctx, struct sock_fprog **ret, SetupLog *l);

/* For _cleanup_(): releases *CTX if set. */
void seccomp_releasep(scmp_filter_ctx *ctx);
