/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's process attributes, set last by the init (init.c) and by an exec'd process: its stdio and
 * controlling terminal, resource limits, OOM score, CPU affinity, scheduling policy, I/O priority, personality,
 * and a clean signal state. */

#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init-process.h"
#include "init-report.h"
#include "macro.h"
#include "priv/priv.h"
#include "pty.h"

/* Makes SRC (or /dev/null if SRC < 0) the payload's fd TARGET. */
static int setup_one_stdio(int src, int target, SetupLog *l) {
        _cleanup_close_ int null = -EBADF;

        if (src < 0) {
                null = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
                if (null < 0)
                        return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "/dev/null");
                src = null;
        }
        if (dup2(src, target) < 0)
                return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "dup2");
        return 0;
}

int init_setup_stdio(const ContainerConfig *c, SetupLog *l) {
        int saved[3] = { -EBADF, -EBADF, -EBADF };
        const int src[3] = { c->stdin_fd, c->stdout_fd, c->stderr_fd };
        int r;

        /* Lift the sources above 0..2 first, so that assigning one cannot clobber another. */
        for (int i = 0; i < 3; i++)
                if (src[i] >= 0) {
                        saved[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10);
                        if (saved[i] < 0)
                                return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "fcntl");
                }
        for (int i = 0; i < 3; i++) {
                r = setup_one_stdio(saved[i], i, l);
                safe_close(saved[i]);
                if (r < 0)
                        return r;
        }
        /* Always a session of its own, as runc's and nspawn's: in the caller's, the payload would have the
         * caller's controlling terminal (a host terminal of machined-ext-oci's user), which /dev/tty opens,
         * and TIOCSTI there would type commands into the host's shell. Then the terminal it was given, if
         * any. */
        if (setsid() < 0)
                return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "setsid");
        if (c->controlling_tty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
                return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "TIOCSCTTY");
        return 0;
}

int init_setup_console(const ContainerConfig *c, int rootfd, int devfd, int sock, SetupLog *l) {
        ContainerReport report = { .stage = CONTAINER_STAGE_CONSOLE };
        _cleanup_close_ int master = -EBADF, peer = -EBADF, node = -EBADF, console = -EBADF;
        struct stat a, b;
        char name[32];
        unsigned n;
        int r;

        r = pty_open_in_root(rootfd, c->console_rows, c->console_columns, &master, &peer);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_CONSOLE, r, "/dev/ptmx");
        if (ioctl(master, TIOCGPTN, &n) < 0)
                return setup_fail(l, CONTAINER_STAGE_CONSOLE, -errno, "TIOCGPTN");

        /* /dev/console is a bind of the peer's node, as runc makes it. /dev and its devpts are the mounts we
         * just made, which nothing else can reach yet; the node must still be the peer's very device. */
        (void) snprintf(name, sizeof(name), "pts/%u", n);
        node = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (node < 0)
                return setup_failf(l, CONTAINER_STAGE_CONSOLE, -errno, 0, "/dev/%s", name);
        if (fstat(node, &a) < 0 || fstat(peer, &b) < 0)
                return setup_failf(l, CONTAINER_STAGE_CONSOLE, -errno, 0, "/dev/%s", name);
        if (!S_ISCHR(a.st_mode) || a.st_rdev != b.st_rdev)
                return setup_failf(l, CONTAINER_STAGE_CONSOLE, -ENOTTY, 0, "/dev/%s", name);
        console = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (console < 0)
                return setup_fail(l, CONTAINER_STAGE_CONSOLE, -errno, "/dev/console");
        r = priv_bind_over(node, "", devfd, "console", 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_CONSOLE, r, "/dev/console");

        (void) snprintf(report.detail, sizeof(report.detail), "/dev/%s", name);
        r = init_send_report(sock, &report, master);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_CONSOLE, r, "report");
        return TAKE_FD(peer);
}

int init_apply_limits(const ContainerConfig *c, SetupLog *l) {
        int r;

        if (c->nofile_soft > 0) {
                struct rlimit rl;
                if (getrlimit(RLIMIT_NOFILE, &rl) >= 0 && rl.rlim_cur > c->nofile_soft) {
                        rl.rlim_cur = c->nofile_soft;
                        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, "RLIMIT_NOFILE");
                }
        }

        for (int i = 0; c->rlimits && i < RLIMIT_NLIMITS; i++)
                if (c->rlimits[i] && setrlimit(i, c->rlimits[i]) < 0)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, -errno, "setrlimit");

        if (c->oom_score_adjust != OOM_SCORE_ADJUST_UNSET) {
                _cleanup_close_ int fd = -EBADF;
                char buf[32];
                int n;

                fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, -errno, "/proc/self/oom_score_adj");
                n = snprintf(buf, sizeof(buf), "%i", c->oom_score_adjust);
                if (write(fd, buf, n) != n)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, -errno, "/proc/self/oom_score_adj");
        }

        if (c->cpu_affinity) {
                r = priv_sched_setaffinity(c->cpu_affinity);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, r, c->cpu_affinity_name ?: "CPUAffinity=");
        } else if (c->cpu_affinity_reset) {
                r = priv_sched_setaffinity_all();
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, r, "CPU affinity");
        }
        if (c->personality != PERSONALITY_INVALID) {
                r = priv_personality(c->personality);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, r, "Personality=");
        }
        return 0;
}

int init_apply_scheduling(const ContainerConfig *c, SetupLog *l) {
        int r;

        /* With the capabilities we still have: raising a priority needs CAP_SYS_NICE of the initial user
         * namespace (in one of its own, the container's root is refused, as it should be). */
        if (c->scheduler) {
                const ContainerScheduler *s = c->scheduler;

                r = priv_sched_setattr(s->policy, s->flags, s->nice, s->priority, s->runtime, s->deadline,
                                       s->period);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, r, "process.scheduler");
        }
        if (c->io_priority > 0) {
                r = priv_ioprio_set(c->io_priority);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_LIMITS, r, "process.ioPriority");
        }
        return 0;
}

int init_reset_signals(SetupLog *l) {
        sigset_t ss;

        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&ss);
        if (sigprocmask(SIG_SETMASK, &ss, NULL) < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, "sigprocmask");
        return 0;
}

int init_arrange_fds(unsigned n_preserve, int *sock, int *userns_fd, SetupLog *l) {
        unsigned base = 3 + n_preserve;
        int fds[2] = { *sock, *userns_fd };

        assert(n_preserve <= CONTAINER_PRESERVE_FDS_MAX);

        /* Lift ours above the range first, so that placing them cannot clobber a preserved one or each
         * other. */
        for (size_t i = 0; i < ELEMENTSOF(fds); i++) {
                if (fds[i] < 0)
                        continue;
                if ((unsigned) fds[i] >= 3 && (unsigned) fds[i] < base)
                        return setup_failf(l, CONTAINER_STAGE_STDIO, -EBADF, 0,
                                           "preserved fd %i is not the caller's", fds[i]);
                fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, base + 2);
                if (fds[i] < 0)
                        return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "fcntl");
        }
        for (unsigned fd = 3; fd < base; fd++) {
                int flags = fcntl((int) fd, F_GETFD);

                if (flags < 0 || fcntl((int) fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                        return setup_failf(l, CONTAINER_STAGE_STDIO, -errno, 0, "preserved fd %u", fd);
        }
        if (dup3(fds[0], (int) base, O_CLOEXEC) < 0)
                return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "dup3");
        *sock = (int) base++;
        if (fds[1] >= 0) {
                if (dup3(fds[1], (int) base, O_CLOEXEC) < 0)
                        return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "dup3");
                *userns_fd = (int) base++;
        }
        /* Also the copies made above and everything the set-up left open. */
        if (close_range(base, ~0U, 0) < 0)
                return setup_fail(l, CONTAINER_STAGE_STDIO, -errno, "close_range");
        return 0;
}
