/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bundle's hooks as the runtime command line runs them (hooks.c runs each one): prestart, createRuntime
 * and createContainer while create's init waits before pivot_root, poststart after start, poststop in delete;
 * each where oci_hook_cwd() says. startContainer hooks are the init's own (init.c). */

#include <fcntl.h>
#include <stdio.h>

#include "runtime.h"

int oci_run_hooks(const OciContainer *oci, const char *id, OciHookKind k, const char *status, pid_t pid,
                  int level) {
        _cleanup_free_ char *state = NULL;
        int ns_fds[4] = { -EBADF, -EBADF, -EBADF, -EBADF };
        size_t n_ns = 0;
        int r = 0;

        if (!oci || !oci_container_has_hooks(oci, k))
                return 0;
        if (oci_state_json(oci, id, status, pid, &state) < 0)
                return oci_log(level, ENOMEM, "Out of memory");

        if (k == OCI_HOOK_CREATE_CONTAINER && pid > 0) {
                /* The init is our child and not reaped: its PID cannot have been reused. The mount namespace
                 * last: the others are opened before it. */
                static const char *const ns[] = { "ipc", "uts", "net", "mnt" };
                for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                        char p[64];
                        snprintf(p, sizeof(p), "/proc/%i/ns/%s", (int) pid, ns[i]);
                        ns_fds[n_ns] = open(p, O_RDONLY | O_CLOEXEC);
                        if (ns_fds[n_ns] < 0) {
                                r = oci_log(level, errno, "Failed to open %s: %s", p, strerror(errno));
                                goto finish;
                        }
                        n_ns++;
                }
        }

        for (size_t i = 0; i < oci->n_hooks[k]; i++) {
                const ContainerHook *h = oci->hooks[k] + i;
                _cleanup_free_ char *what = NULL;
                siginfo_t si = {};

                r = container_hook_run(h, state, oci_hook_cwd(oci, k), ns_fds, n_ns, UINT64_MAX, &si);
                if (r >= 0)
                        continue;
                what = container_hook_result_message(h, r, &si);
                r = oci_log(level, r, "%s hook %s (hooks.%s[%zu])", oci_hook_kind_to_string(k), what ?: h->path,
                            oci_hook_kind_to_string(k), i);
                break;
        }
finish:
        for (size_t i = 0; i < n_ns; i++)
                safe_close(ns_fds[i]);
        return r < 0 ? r : 0;
}
