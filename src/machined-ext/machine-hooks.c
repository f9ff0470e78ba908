/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI hooks the daemon runs (runtime-spec runtime.md, "Lifecycle"), each in a helper process so that the
 * event loop never waits for a hook:
 *   prestart, createRuntime   in the runtime namespace, while the init waits before pivot_root
 *                             (CONTAINER_STAGE_HOOKS): the container's namespaces exist;
 *   createContainer           the same, in the container's mount (and UTS, IPC, network) namespace;
 *   poststart                 once the payload was exec'd;
 *   poststop                  once the container is gone.
 * Each runs where oci_hook_cwd() says. A failure of the first three fails the start (the
 * message names the hook's path and how it ended) and the usual clean-up leaves nothing; poststart and
 * poststop failures are logged. startContainer hooks are run by the init itself (init.c). */

#include <assert.h>
#include <fcntl.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "container.h"
#include "hooks.h"
#include "log.h"
#include "machine-hooks.h"
#include "manager.h"
#include "priv/priv.h"

static const char *const hook_status[_OCI_HOOK_KIND_MAX] = {
        [OCI_HOOK_PRESTART] = "creating",
        [OCI_HOOK_CREATE_RUNTIME] = "creating",
        [OCI_HOOK_CREATE_CONTAINER] = "creating",
        [OCI_HOOK_START_CONTAINER] = "created",
        [OCI_HOOK_POSTSTART] = "running",
        [OCI_HOOK_POSTSTOP] = "stopped",
};

/* In the helper: runs the hooks of KINDS in order, stops at the first failure and writes what failed to
 * MSG_FD (if >= 0) and to the log. Never returns. */
static _noreturn_ void hooks_helper(const Machine *m, const OciHookKind *kinds, size_t n_kinds, int msg_fd) {
        /* Nothing of the daemon's: not its bus, not the init's sync socket (whose end-of-file tells the init
         * that its creator is gone). */
        if (msg_fd >= 0) {
                if (dup2(msg_fd, 3) < 0)
                        _exit(EXIT_FAILURE);
                msg_fd = 3;
        }
        if (close_range(msg_fd >= 0 ? 4 : 3, ~0U, 0) < 0)
                _exit(EXIT_FAILURE);

        for (size_t k = 0; k < n_kinds; k++) {
                OciHookKind kind = kinds[k];
                _cleanup_free_ char *state = NULL;
                int ns_fds[4] = { -EBADF, -EBADF, -EBADF, -EBADF };
                size_t n_ns = 0;

                if (!oci_container_has_hooks(m->oci, kind))
                        continue;
                if (oci_state_json(m->oci, m->name, hook_status[kind], kind == OCI_HOOK_POSTSTOP ? 0 : m->leader,
                                   &state) < 0)
                        _exit(EXIT_FAILURE);
                if (kind == OCI_HOOK_CREATE_CONTAINER) {
                        /* The leader is our parent's child, not reaped: its PID cannot have been reused. The
                         * mount namespace last, the others are opened before it. */
                        static const char *const ns[] = { "ipc", "uts", "net", "mnt" };
                        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                                char p[64];
                                snprintf(p, sizeof(p), "/proc/%i/ns/%s", (int) m->leader, ns[i]);
                                ns_fds[n_ns++] = open(p, O_RDONLY | O_CLOEXEC);
                        }
                }

                for (size_t i = 0; i < m->oci->n_hooks[kind]; i++) {
                        const ContainerHook *h = m->oci->hooks[kind] + i;
                        _cleanup_free_ char *what = NULL, *msg = NULL;
                        siginfo_t si = {};
                        int r;

                        r = container_hook_run(h, state, oci_hook_cwd(m->oci, kind), ns_fds, n_ns, UINT64_MAX,
                                               &si);
                        if (r >= 0)
                                continue;
                        what = container_hook_result_message(h, r, &si);
                        if (asprintf(&msg, "%s hook %s (hooks.%s[%zu])", oci_hook_kind_to_string(kind),
                                     what ?: h->path, oci_hook_kind_to_string(kind), i) < 0)
                                _exit(EXIT_FAILURE);
                        log_error("Machine %s: %s", m->name, msg);
                        if (msg_fd >= 0)
                                (void) write(msg_fd, msg, strlen(msg));
                        _exit(EXIT_FAILURE);
                }
        }
        _exit(EXIT_SUCCESS);
}

static int on_create_hooks_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);
        _cleanup_free_ char *state = NULL;
        char buf[1024];
        char *msg = NULL;
        ssize_t n;
        int r;

        n = read(m->hook_msg_fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        m->hook_event_source = sd_event_source_disable_unref(m->hook_event_source);
        m->hook_pidfd = safe_close(m->hook_pidfd);
        m->hook_msg_fd = safe_close(m->hook_msg_fd);

        if (m->start_error != 0 || m->exited || m->sync_fd < 0)
                return 0; /* the start failed meanwhile: the init is being killed */

        if (si->si_code != CLD_EXITED || si->si_status != 0) {
                if (asprintf(&msg, "Failed to start machine '%s': %s", m->name,
                             n > 0 ? buf : "the hook helper failed") < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
                return 0;
        }

        m->hooks_created = true;
        r = oci_state_json(m->oci, m->name, hook_status[OCI_HOOK_START_CONTAINER], m->leader, &state);
        if (r >= 0)
                r = container_continue_hooks(m->sync_fd, state);
        if (r < 0) {
                if (asprintf(&msg, "Failed to let machine '%s' go on after its hooks: %s", m->name, strerror(-r)) < 0)
                        msg = NULL;
                machine_fail_start(m, -MX_ERR_SETUP_FAILED, msg);
        }
        return 0;
}

int machine_hooks_run_create(Machine *m) {
        static const OciHookKind kinds[] = { OCI_HOOK_PRESTART, OCI_HOOK_CREATE_RUNTIME, OCI_HOOK_CREATE_CONTAINER };
        _cleanup_close_pair_ int pipe_fds[2] = { -EBADF, -EBADF };
        _cleanup_close_ int pidfd = -EBADF;
        long pid;
        int r;

        if (!m->oci || m->hook_pidfd >= 0)
                return -EINVAL;
        if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;

        pid = priv_clone_pidfd(0, &pidfd);
        if (pid < 0)
                return (int) pid;
        if (pid == 0) {
                (void) priv_set_pdeathsig(SIGKILL);
                hooks_helper(m, kinds, ELEMENTSOF(kinds), pipe_fds[1]);
        }
        pipe_fds[1] = safe_close(pipe_fds[1]);

        r = sd_event_add_child_pidfd(m->manager->event, &m->hook_event_source, pidfd, WEXITED, on_create_hooks_exit, m);
        if (r < 0) {
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, pidfd, &(siginfo_t) {}, WEXITED);
                return r;
        }
        (void) sd_event_source_set_description(m->hook_event_source, "machine-hooks");
        m->hook_pidfd = TAKE_FD(pidfd);
        m->hook_msg_fd = TAKE_FD(pipe_fds[0]);
        return 0;
}

void machine_hooks_run_post(Machine *m, OciHookKind kind) {
        _cleanup_close_ int pidfd = -EBADF;
        siginfo_t si = {};
        long pid;

        if (!m->oci || !oci_container_has_hooks(m->oci, kind))
                return;

        /* Detached, so that they outlive the machine object (poststop runs as it goes): the helper forks the
         * runner and exits at once; the runner logs a failure itself. */
        pid = priv_clone_pidfd(0, &pidfd);
        if (pid < 0) {
                log_warning_errno((int) pid, "Machine %s: failed to run %s hooks: %m", m->name,
                                  oci_hook_kind_to_string(kind));
                return;
        }
        if (pid == 0) {
                pid_t p = fork();
                if (p < 0)
                        _exit(EXIT_FAILURE);
                if (p > 0)
                        _exit(EXIT_SUCCESS);
                hooks_helper(m, &kind, 1, -EBADF);
        }
        (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
}

void machine_hooks_abort(Machine *m) {
        m->hook_event_source = sd_event_source_disable_unref(m->hook_event_source);
        /* SIGKILLed and reaped from the event loop whenever it exits: never waited for here (a helper that a
         * hung file system holds would hold the daemon). */
        if (m->hook_pidfd >= 0 && m->manager)
                manager_reap_later(m->manager, TAKE_FD(m->hook_pidfd), "hooks helper");
        else if (m->hook_pidfd >= 0)
                (void) pidfd_send_signal(m->hook_pidfd, SIGKILL, NULL, 0);
        m->hook_pidfd = safe_close(m->hook_pidfd);
        m->hook_msg_fd = safe_close(m->hook_msg_fd);
}
