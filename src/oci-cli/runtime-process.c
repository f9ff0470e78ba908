/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the CLI does for a process of a container it started (run) or put into one (exec): its --pid-file, and
 * the signals it forwards to it while it waits for it. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "runtime.h"
#include "util.h"

static int forward_pidfd = -EBADF;

static void forward_signal(int sig) {
        if (forward_pidfd >= 0)
                (void) pidfd_send_signal(forward_pidfd, sig, NULL, 0);
}

void oci_forward_signals(int pidfd) {
        bool first = forward_pidfd < 0 && pidfd >= 0;

        forward_pidfd = pidfd;
        if (!first)
                return;
        /* The process has a session of its own (init_setup_stdio()): a terminal's ^C reaches only us. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (!IN_SET(sig, SIGKILL, SIGSTOP, SIGCHLD, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTTOU, SIGTTIN,
                            SIGTSTP, SIGPIPE, SIGWINCH) &&
                    (sig < SIGRTMIN || sig > SIGRTMAX))
                        (void) sigaction(sig, &(struct sigaction) { .sa_handler = forward_signal,
                                                                   .sa_flags = SA_RESTART }, NULL);
}

int oci_write_pid_file(const char *path, pid_t pid) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[32];
        int n;

        /* A new file renamed over PATH: never written through a symlink or into a file that is there. */
        if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
                return oci_error(ENOMEM, "Out of memory");
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return oci_error(errno, "--pid-file: failed to create %s: %s", tmp, strerror(errno));
        n = snprintf(buf, sizeof(buf), "%i", (int) pid);
        if (write(fd, buf, n) != n || fchmod(fd, 0644) < 0 || rename(tmp, path) < 0) {
                int e = errno;
                (void) unlink(tmp);
                return oci_error(e, "--pid-file: failed to write %s: %s", path, strerror(e));
        }
        return 0;
}
