/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One OCI hook: a child with a pidfd, bounded in time. The hook is a program the bundle's author named (the
 * bundle comes from root, through a root-only method), so it runs with the caller's privileges, as with runc;
 * what must not happen is that it inherits the caller's fds (every one is closed), hangs the start (timeout,
 * then SIGKILL), or outlives its caller unnoticed (PR_SET_PDEATHSIG). */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "hooks.h"
#include "macro.h"
#include "priv/priv.h"

static void hook_child(const ContainerHook *h, int stdin_fd, int err_fd, const char *cwd, const int *ns_fds,
                       size_t n_ns_fds, uint64_t bounding) {
        char *const default_argv[] = { (char *) h->path, NULL };
        char *const empty_env[] = { NULL };
        sigset_t ss;
        int e;

        if (priv_set_pdeathsig(SIGKILL) < 0)
                goto fail;
        for (size_t i = 0; i < n_ns_fds; i++)
                if (ns_fds[i] >= 0 && priv_setns(ns_fds[i], 0) < 0)
                        goto fail;
        /* A bundle directory removed before delete's poststop hooks does not keep them from running. */
        if (cwd && chdir(cwd) < 0 && chdir("/") < 0)
                goto fail;
        if (bounding != UINT64_MAX && priv_caps_limit(bounding) < 0)
                goto fail;
        if (dup2(stdin_fd, STDIN_FILENO) < 0)
                goto fail;
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&ss);
        (void) sigprocmask(SIG_SETMASK, &ss, NULL);
        /* Everything above stderr is closed on exec; ERR_FD (O_CLOEXEC) reports a failed exec. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                goto fail;

        execve(h->path, h->argv && h->argv[0] ? h->argv : default_argv, h->envp ?: empty_env);
fail:
        e = errno;
        (void) write(err_fd, &e, sizeof(e));
        _exit(127);
}

static uint64_t now_msec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int container_hook_run(const ContainerHook *h, const char *state, const char *cwd, const int *ns_fds,
                       size_t n_ns_fds, uint64_t bounding, siginfo_t *ret_si) {
        _cleanup_close_pair_ int err[2] = { -EBADF, -EBADF };
        _cleanup_close_ int pidfd = -EBADF, in = -EBADF;
        int timeout = h->timeout > 0 ? h->timeout : CONTAINER_HOOK_TIMEOUT_DEFAULT_SEC;
        siginfo_t si = {};
        uint64_t deadline;
        ssize_t n;
        long pid;
        int e = 0;

        if (!h->path || h->path[0] != '/')
                return -EINVAL;
        /* The state on stdin: a file of its own, whole, read at the hook's pace (a pipe would take 64 KiB
         * without blocking us, and a large state, Kubernetes' annotations, would reach the hook cut short). */
        in = memfd_create("hook-state", MFD_CLOEXEC);
        if (in < 0)
                return -errno;
        if (state) {
                size_t len = strlen(state);
                n = write(in, state, len);
                if (n < 0)
                        return -errno;
                if ((size_t) n != len)
                        return -EIO;
                if (lseek(in, 0, SEEK_SET) < 0)
                        return -errno;
        }
        if (pipe2(err, O_CLOEXEC) < 0)
                return -errno;

        pid = priv_clone_pidfd(0, &pidfd);
        if (pid < 0)
                return (int) pid;
        if (pid == 0)
                hook_child(h, in, err[1], cwd, ns_fds, n_ns_fds, bounding); /* never returns */

        in = safe_close(in);
        err[1] = safe_close(err[1]);

        /* end-of-file: exec'd. */
        do
                n = read(err[0], &e, sizeof(e));
        while (n < 0 && errno == EINTR);
        if (n == sizeof(e)) {
                (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
                return -(e ?: EIO);
        }

        deadline = now_msec() + (uint64_t) timeout * 1000;
        for (;;) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                uint64_t t = now_msec();
                int r;

                if (t >= deadline) {
                        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
                        if (ret_si)
                                *ret_si = si;
                        return -ETIMEDOUT;
                }
                r = poll(&p, 1, (int) (deadline - t));
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (r > 0)
                        break;
        }
        if (waitid(P_PIDFD, pidfd, &si, WEXITED) < 0)
                return -errno;
        if (ret_si)
                *ret_si = si;
        return si.si_code == CLD_EXITED && si.si_status == 0 ? 0 : -EPROTO;
}

char *container_hook_result_message(const ContainerHook *h, int r, const siginfo_t *si) {
        char *s = NULL;
        int timeout = h->timeout > 0 ? h->timeout : CONTAINER_HOOK_TIMEOUT_DEFAULT_SEC;

        if (r == -ETIMEDOUT)
                r = asprintf(&s, "%s timed out after %i s and was killed", h->path, timeout);
        else if (r == -EPROTO && si->si_code == CLD_EXITED)
                r = asprintf(&s, "%s exited with status %i", h->path, si->si_status);
        else if (r == -EPROTO)
                r = asprintf(&s, "%s was killed by signal %s", h->path, strsignal(si->si_status));
        else if (r < 0)
                r = asprintf(&s, "%s could not be executed: %s", h->path, strerror(-r));
        else
                r = asprintf(&s, "%s succeeded", h->path);
        return r < 0 ? NULL : s;
}
