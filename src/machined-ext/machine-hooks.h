/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The OCI hooks of a bundle machine that the daemon runs (machine-hooks.c). */

#include "machine.h"

/* Starts the prestart, createRuntime and createContainer hooks in a helper, for an init that paused before
 * pivot_root (CONTAINER_STAGE_HOOKS): when they succeeded the init goes on, when one failed the start fails
 * with its path and status. Returns 0 if the helper runs, -errno. */
int machine_hooks_run_create(Machine *m);

/* Runs the poststart or poststop hooks, detached; failures are logged with the hook's path and status. */
void machine_hooks_run_post(Machine *m, OciHookKind kind);

/* Kills the helper of machine_hooks_run_create(), if it runs; the manager reaps it from the event loop whenever
 * it exits (manager_reap_later()). */
void machine_hooks_abort(Machine *m);
