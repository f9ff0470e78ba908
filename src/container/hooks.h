/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running one OCI hook (runtime-spec config.md, "POSIX-platform Hooks"): fork, optionally join namespaces,
 * exec PATH with ARGV and exactly ENVP, the state JSON on stdin, wait at most TIMEOUT seconds, then SIGKILL.
 * Used by the daemon's hook helper (prestart, createRuntime, createContainer, poststart, poststop) and by the
 * container's init (startContainer). */

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* A hook without a timeout still gets one: a hung hook must not hang a start. */
#define CONTAINER_HOOK_TIMEOUT_DEFAULT_SEC 60

typedef struct ContainerHook {
        const char *path;               /* absolute; resolved where the hook runs */
        char **argv;                    /* NULL: { path } */
        char **envp;                    /* NULL: an empty environment */
        int timeout;                    /* seconds; 0: CONTAINER_HOOK_TIMEOUT_DEFAULT_SEC */
} ContainerHook;

/* Runs H with STATE (NUL-terminated) on its stdin, after joining each of NS_FDS (namespace fds, -EBADF
 * entries skipped) in the child, changing to the directory CWD there ("/" if it is gone; NULL: the caller's,
 * or the root of a joined mount namespace) and taking every capability not in BOUNDING out of its sets (UINT64_MAX: the
 * caller's; priv_caps_limit()), and waits for it. Every fd of the caller but stdout and stderr is closed in
 * the hook. Returns 0 if it exited with status 0; -ETIMEDOUT if it was killed after its timeout; -EPROTO if
 * it exited otherwise (*ret_si says how); -errno if it could not be started (exec's errno for a missing or
 * non-executable PATH). */
int container_hook_run(const ContainerHook *h, const char *state, const char *cwd, const int *ns_fds,
                       size_t n_ns_fds, uint64_t bounding, siginfo_t *ret_si);

/* "exited with status N", "was killed by signal SIG", "timed out after N s", or "could not be executed:
 * strerror" for the result R, SI of container_hook_run(). Returns a new string or NULL (OOM). */
char *container_hook_result_message(const ContainerHook *h, int r, const siginfo_t *si);
