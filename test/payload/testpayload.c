/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testpayload: run inside a container by the integration tests, it reports what the container sees and
 * does what a payload may do. Static, no dependencies, one subcommand per run:
 *
 *   report [--out PATH]       key=value lines (pid, ppid, hostname, uid, cwd, env.*, mount, mountprop, cap.*,
 *                             seccomp, nonewprivs, stat.*, umask, groups, rlimit.*, prio.*, sched.*, ioprio,
 *                             cpus, sysctl.*); to PATH
 *                             if given (stdout may go to the journal); $TESTPAYLOAD_STAT adds paths to stat
 *   exit N                    exit with status N
 *   sleep SECS [--ignore-term] [--handle SIG]... [--out PATH] [--report PATH] [--notify STRING] [--exit N]
 *                             sleep (SECS may be "inf"); SIGTERM, SIGINT, SIGRTMIN+3/+4 make it exit 0,
 *                             unless --ignore-term; --handle SIG (name or number) adds SIG to them (also
 *                             with --ignore-term). A PID 1 ignores every signal it has no handler for,
 *                             so the handler is what makes a graceful stop observable. With --out, writes
 *                             "signal=N" to PATH on the way out. --report PATH first writes a report
 *                             (as "report --out PATH"), so one process can both report and stay running.
 *                             --notify STRING first sends STRING (as "notify STRING"), from this process.
 *                             --exit N: exit with status N when SECS have passed (not on a signal).
 *   notify STRING             one datagram to $NOTIFY_SOCKET ("@" = abstract) with SCM_CREDENTIALS
 *   notify-stay SECS STRING [notify options]
 *                             like notify, but then prints "sent", closes stdout and sleeps SECS (SIGTERM etc.
 *                             end it): the sender is still alive when the receiver looks at who sent it.
 *   notify-flood SECS [--child]
 *                             a STATUS= storm for SECS seconds (see cmd_notify_flood())
 *   notify-from DIR           like "sleep inf", but every file that appears in DIR (names not starting with
 *                             ".", in name order) is sent as one datagram to $NOTIFY_SOCKET by this very
 *                             process (so as PID 1 it may make the machine ready), then removed. Lets a test
 *                             drive a PID 1's notifications step by step from the host.
 *   kill-self SIG             raise SIG (number or name) with the default action
 *   alloc MB [--wait PATH] [--child OUT]
 *                             write to every page of MB MiB of anonymous memory, then print "allocated=MB"
 *                             and exit 0. --wait PATH: first wait until PATH exists (so a test can put the
 *                             process in a memory cgroup before it allocates). --child OUT: a child does the
 *                             waiting and allocating; this process writes how it ended ("child=exited N" or
 *                             "child=killed N") to OUT, then sleeps like "sleep inf".
 *   reboot MODE               reboot(2) with RB_AUTOBOOT (MODE "restart"), RB_POWER_OFF ("poweroff") or
 *                             RB_HALT_SYSTEM ("halt"); in a PID namespace the kernel ends its PID 1 with
 *                             SIGHUP (restart) or SIGINT (the others). Prints the errno name if it fails.
 *   write PATH CONTENT        write CONTENT to PATH (created 0644, truncated)
 *   stat PATH                 "type mode" (e.g. "chr 0666") or the errno name
 *   cat PATH                  the file's content, or the errno name
 *   syscall NAME              make system call NAME (sethostname, open_by_handle_at, getppid,
 *                             getpriority-process, getpriority-user, io_uring_setup, userfaultfd, keyctl,
 *                             clone-user: clone(CLONE_NEWUSER)) with harmless arguments; prints "ok" or
 *                             the errno name (EPERM from a seccomp filter).
 *   syscall --out PATH NAME...
 *                             each in turn, appending "NAME=ok" or "NAME=ERRNO" to PATH, flushed before the
 *                             next call (a filter may kill the caller at any of them)
 *   keyring [--out PATH]      what the session keyring holds, through keyctl() (no libkeyutils): "session=SERIAL
 *                             DESCRIPTION" (or the errno name), "session.keys=SERIAL..." (what @s links) and
 *                             "invocation_id=VALUE" (the key systemd puts
 *                             in every service's session keyring; "none" if @s has none, or the errno name)
 *   attack [--ro PATH]... [--ro-file PATH]... [--out PATH]
 *                             the hostile probe (docs/security.md): tries each escape a root payload with
 *                             CAP_SYS_ADMIN in the host's user namespace has, one line each, "NAME=blocked ERRNO"
 *                             or "NAME=ESCAPED". Remounts /proc/sys, /sys, /run/host, /run/host/os-release,
 *                             /run/host/incoming and each --ro PATH (a mount point) read-write; opens each
 *                             --ro-file PATH for writing (never writes); mounts a fresh proc and opens its
 *                             sys/kernel/core_pattern for writing (never writes); opens /proc/sysrq-trigger
 *                             for writing; calls open_by_handle_at(); opens a raw socket; from a child,
 *                             sends READY=1 claiming PID 1 in SCM_CREDENTIALS; then the attempts of
 *                             attack-mounts.h (the new mount API, a remount read-only that must stay
 *                             allowed; last, unmounting /proc/sys and a fresh sysfs).
 *
 * Run as .../init (e.g. copied to /sbin/init) with no subcommand: writes a report to /boot-report.txt and
 * then sleeps like "sleep inf --out /boot-exit.txt".
 *
 * Errors go to stderr with a non-zero exit: 1 for a failed action, 2 for bad usage.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attack-mounts.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

extern char **environ;

static const char *errno_name(int e) {
        static char buf[32];
        switch (e) {
#define E(x) case x: return #x
        E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG); E(ENOEXEC); E(EBADF);
        E(EAGAIN); E(ENOMEM); E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV); E(ENODEV);
        E(ENOTDIR); E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(ETXTBSY); E(EFBIG);
        E(ENOSPC); E(ESPIPE); E(EROFS); E(EMLINK); E(EPIPE); E(ENAMETOOLONG); E(ENOSYS); E(ELOOP);
        E(ENOTEMPTY); E(EOPNOTSUPP); E(ECONNREFUSED); E(EADDRNOTAVAIL); E(EPROTONOSUPPORT);
        E(EAFNOSUPPORT); E(ENOTSOCK); E(EMSGSIZE); E(ENOTCONN); E(EDQUOT); E(ESTALE);
#undef E
        default:
                snprintf(buf, sizeof buf, "errno%d", e);
                return buf;
        }
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
        va_list ap;

        fputs("testpayload: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return 1;
}

static int usage(void) {
        fputs("usage: testpayload report [--out PATH] | exit N |\n"
              "       sleep SECS [--ignore-term] [--handle SIG] [--out PATH] [--report PATH] [--notify STRING] |\n"
              "       notify STRING [--no-creds] [--pass-fd] [--nul] [--size N] [--repeat N] | notify-from DIR |\n"
              "       notify-stay SECS STRING [--no-creds] [--pass-fd] [--nul] [--size N] [--repeat N] |\n"
              "       kill-self SIG | write PATH CONTENT | stat PATH | cat PATH | syscall [--out PATH] NAME... |\n"
              "       alloc MB [--wait PATH] [--child OUT] |\n"
              "       keyring [--out PATH] |\n"
              "       keyring-session NAME CMD [ARG...] |\n"
              "       attack [--ro PATH]... [--ro-file PATH]... [--out PATH]\n", stderr);
        return 2;
}

/* Strict decimal parse; returns 0 or -EINVAL/-ERANGE. */
static int parse_long(const char *s, long *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0)
                return -errno;
        if (end == s || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

/* A value on one line: newlines and backslashes escaped, so every report line is one key=value. */
static void print_escaped(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '\n')
                        fputs("\\n", f);
                else if (*s == '\\')
                        fputs("\\\\", f);
                else
                        fputc(*s, f);
        }
}

/* Copies the value of "Key:\t..." from /proc/self/status into buf; "" if absent. */
static void status_field(const char *key, char *buf, size_t size) {
        char line[512];
        size_t n = strlen(key);
        FILE *f;

        buf[0] = '\0';
        f = fopen("/proc/self/status", "re");
        if (!f)
                return;
        while (fgets(line, sizeof line, f)) {
                if (strncmp(line, key, n) == 0 && line[n] == ':') {
                        char *v = line + n + 1;
                        v += strspn(v, " \t");
                        v[strcspn(v, "\n")] = '\0';
                        snprintf(buf, size, "%s", v);
                        break;
                }
        }
        fclose(f);
}

static const char *file_type(mode_t m) {
        switch (m & S_IFMT) {
        case S_IFREG:  return "reg";
        case S_IFDIR:  return "dir";
        case S_IFCHR:  return "chr";
        case S_IFBLK:  return "blk";
        case S_IFIFO:  return "fifo";
        case S_IFSOCK: return "sock";
        case S_IFLNK:  return "lnk";
        default:       return "unknown";
        }
}

/* "type mode[ rdev=MAJ:MIN]" without following a final symlink, or the errno name. */
static void format_stat(const char *path, char *buf, size_t size) {
        struct stat st;

        if (lstat(path, &st) < 0) {
                snprintf(buf, size, "%s", errno_name(errno));
                return;
        }
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                snprintf(buf, size, "%s %04o rdev=%u:%u", file_type(st.st_mode), (unsigned) (st.st_mode & 07777),
                         major(st.st_rdev), minor(st.st_rdev));
        else
                snprintf(buf, size, "%s %04o", file_type(st.st_mode), (unsigned) (st.st_mode & 07777));
}

/* Mountinfo line → "mountpoint fstype options" (per-mount options, then superblock options). */
static void print_mounts(FILE *out) {
        char *line = NULL;
        size_t n = 0;
        FILE *f;

        f = fopen("/proc/self/mountinfo", "re");
        if (!f) {
                fprintf(out, "mount.error=%s\n", errno_name(errno));
                return;
        }
        while (getline(&line, &n, f) > 0) {
                char *fields[16] = {}, *sep, *p, *save = NULL;
                char *post[4] = {};
                int i = 0;

                line[strcspn(line, "\n")] = '\0';
                sep = strstr(line, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                for (p = strtok_r(line, " ", &save); p && i < 16; p = strtok_r(NULL, " ", &save))
                        fields[i++] = p;
                i = 0;
                save = NULL;
                for (p = strtok_r(sep + 3, " ", &save); p && i < 4; p = strtok_r(NULL, " ", &save))
                        post[i++] = p;
                if (!fields[4] || !fields[5] || !post[0])
                        continue;
                /* fields: id parent maj:min root mountpoint options ...; post: fstype source superopts */
                fprintf(out, "mount=%s %s %s%s%s\n", fields[4], post[0], fields[5],
                        post[2] ? "," : "", post[2] ? post[2] : "");
                /* Propagation: the optional fields after the options ("shared:N", "master:N"), or private. */
                fprintf(out, "mountprop=%s %s\n", fields[4],
                        fields[6] && strncmp(fields[6], "shared:", 7) == 0 ? "shared" :
                        fields[6] && strncmp(fields[6], "master:", 7) == 0 ? "slave" : "private");
        }
        free(line);
        fclose(f);
}

/* What an OCI bundle sets: umask, supplementary groups, rlimits, a seccomp rule with an argument condition
 * (getpriority(PRIO_USER) denied, getpriority(PRIO_PROCESS) not), namespaced sysctls, and the owner and mode
 * of each path in $TESTPAYLOAD_STAT (colon-separated). */
static void report_extra(FILE *out) {
        static const struct {
                const char *name;
                int resource;
        } limits[] = {
                { "nofile", RLIMIT_NOFILE }, { "core", RLIMIT_CORE }, { "nproc", RLIMIT_NPROC },
                { "memlock", RLIMIT_MEMLOCK },
        };
        static const char *const sysctls[] = { "kernel/msgmax", "net/ipv4/ip_forward" };
        gid_t groups[64];
        mode_t m;
        int n;
        const char *st;

        /* Our stdio: what it is (a host's directory or socket here would be a way out). */
        for (int fd = 0; fd <= 2; fd++) {
                char path[32], target[256];
                struct stat s;
                ssize_t k;

                snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
                k = readlink(path, target, sizeof target - 1);
                if (k >= 0)
                        target[k] = 0;
                fprintf(out, "fd.%d=%s\n", fd, k >= 0 ? target : errno_name(errno));
                fprintf(out, "fd.%d.type=%s\n", fd,
                        fstat(fd, &s) < 0 ? errno_name(errno) :
                        S_ISDIR(s.st_mode) ? "dir" : S_ISSOCK(s.st_mode) ? "socket" : S_ISCHR(s.st_mode) ? "chr" :
                        S_ISFIFO(s.st_mode) ? "fifo" : S_ISREG(s.st_mode) ? "reg" : "other");
        }
        m = umask(0);
        umask(m);
        fprintf(out, "umask=%04o\n", (unsigned) m);
        n = getgroups(64, groups);
        fputs("groups=", out);
        for (int i = 0; i < n; i++)
                fprintf(out, "%s%u", i > 0 ? "," : "", (unsigned) groups[i]);
        fputc('\n', out);
        for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
                struct rlimit rl;
                if (getrlimit(limits[i].resource, &rl) < 0)
                        continue;
                fprintf(out, "rlimit.%s=", limits[i].name);
                if (rl.rlim_cur == RLIM_INFINITY)
                        fputs("inf", out);
                else
                        fprintf(out, "%llu", (unsigned long long) rl.rlim_cur);
                if (rl.rlim_max == RLIM_INFINITY)
                        fputs(":inf\n", out);
                else
                        fprintf(out, ":%llu\n", (unsigned long long) rl.rlim_max);
        }
        errno = 0;
        if (getpriority(PRIO_PROCESS, 0) == -1 && errno != 0)
                fprintf(out, "prio.process=%s\n", errno_name(errno));
        else
                fputs("prio.process=ok\n", out);
        errno = 0;
        if (getpriority(PRIO_USER, 0) == -1 && errno != 0)
                fprintf(out, "prio.user=%s\n", errno_name(errno));
        else
                fputs("prio.user=ok\n", out);
        {
                /* The scheduling policy (with SCHED_RESET_ON_FORK's bit), its priority, the nice level, and the
                 * I/O priority as "CLASS:LEVEL" (ioprio_get(IOPRIO_WHO_PROCESS, 0)). */
                struct sched_param sp = {};
                int policy = sched_getscheduler(0);
                long io;

                (void) sched_getparam(0, &sp);
                errno = 0;
                fprintf(out, "sched.policy=%d\nsched.priority=%d\nsched.nice=%d\n", policy, sp.sched_priority,
                        getpriority(PRIO_PROCESS, 0));
                io = syscall(SYS_ioprio_get, 1, 0);
                if (io < 0)
                        fprintf(out, "ioprio=%s\n", errno_name(errno));
                else
                        fprintf(out, "ioprio=%ld:%ld\n", io >> 13, io & 0x1fff);
        }
        for (size_t i = 0; i < sizeof sysctls / sizeof sysctls[0]; i++) {
                char path[128], v[128] = "";
                FILE *f;

                snprintf(path, sizeof path, "/proc/sys/%s", sysctls[i]);
                f = fopen(path, "re");
                if (!f || !fgets(v, sizeof v, f))
                        snprintf(v, sizeof v, "%s", errno_name(errno));
                if (f)
                        fclose(f);
                v[strcspn(v, "\n")] = '\0';
                fprintf(out, "sysctl.%s=%s\n", sysctls[i], v);
        }
        {
                struct winsize w;
                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &w) < 0)
                        fprintf(out, "tty.size=%s\n", errno_name(errno));
                else
                        fprintf(out, "tty.size=%ux%u\n", (unsigned) w.ws_row, (unsigned) w.ws_col);
        }
        st = getenv("TESTPAYLOAD_STAT");
        for (const char *p = st; p && *p;) {
                size_t k = strcspn(p, ":");
                char path[PATH_MAX], b[PATH_MAX + 64];
                struct stat sb;

                snprintf(path, sizeof path, "%.*s", (int) k, p);
                format_stat(path, b, sizeof b);
                if (lstat(path, &sb) >= 0)
                        fprintf(out, "stat.%s=%s owner=%u:%u\n", path, b, (unsigned) sb.st_uid, (unsigned) sb.st_gid);
                else
                        fprintf(out, "stat.%s=%s\n", path, b);
                p += k;
                if (*p == ':')
                        p++;
        }
}

static int cmd_report(int argc, char **argv) {
        static const char *const paths[] = { "/proc", "/sys", "/dev/null", "/dev/console", "/dev/ptmx",
                                             "/run", "/tmp" };
        /* Fields of /proc/self/status and the report keys they become. */
        static const struct {
                const char *field, *key;
        } status_keys[] = {
                { "CapBnd", "cap.bnd" }, { "CapEff", "cap.eff" }, { "CapPrm", "cap.prm" }, { "CapInh", "cap.inh" },
                { "CapAmb", "cap.amb" }, { "Seccomp", "seccomp" }, { "NoNewPrivs", "nonewprivs" },
                { "Cpus_allowed_list", "cpus" },
        };
        const char *outpath = NULL;
        char buf[PATH_MAX + 64], tmp[PATH_MAX + 16] = "";
        FILE *out = stdout;

        for (int i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
                        outpath = argv[++i];
                else
                        return usage();
        }
        if (outpath) {
                /* Write to a temporary name and rename: a test polling for the file never sees half of it. */
                snprintf(tmp, sizeof tmp, "%s.tmp", outpath);
                out = fopen(tmp, "we");
                if (!out)
                        return fail("cannot open %s: %s", tmp, errno_name(errno));
        }

        fprintf(out, "pid=%d\n", (int) getpid());
        fprintf(out, "ppid=%d\n", (int) getppid());
        if (gethostname(buf, sizeof buf) < 0)
                snprintf(buf, sizeof buf, "%s", errno_name(errno));
        buf[sizeof buf - 1] = '\0';
        fprintf(out, "hostname=%s\n", buf);
        fprintf(out, "uid=%d\n", (int) getuid());
        fprintf(out, "gid=%d\n", (int) getgid());
        if (!getcwd(buf, sizeof buf))
                snprintf(buf, sizeof buf, "%s", errno_name(errno));
        fprintf(out, "cwd=%s\n", buf);
        for (char **e = environ; e && *e; e++) {
                fputs("env.", out);
                print_escaped(out, *e);
                fputc('\n', out);
        }
        print_mounts(out);
        for (size_t i = 0; i < sizeof status_keys / sizeof status_keys[0]; i++) {
                status_field(status_keys[i].field, buf, sizeof buf);
                fprintf(out, "%s=%s\n", status_keys[i].key, buf);
        }
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
                format_stat(paths[i], buf, sizeof buf);
                fprintf(out, "stat.%s=%s\n", paths[i], buf);
        }
        report_extra(out);

        if (fflush(out) != 0 || ferror(out))
                return fail("write failed: %s", errno_name(errno));
        if (outpath) {
                if (fsync(fileno(out)) < 0 && errno != EINVAL)
                        return fail("fsync %s: %s", tmp, errno_name(errno));
                fclose(out);
                if (rename(tmp, outpath) < 0)
                        return fail("rename %s → %s: %s", tmp, outpath, errno_name(errno));
        }
        return 0;
}

static int cmd_exit(int argc, char **argv) {
        long v;

        if (argc != 1 || parse_long(argv[0], &v) < 0 || v < 0 || v > 255)
                return usage();
        fflush(stdout);
        _exit((int) v);
}

static volatile sig_atomic_t got_signal = 0;

static void on_signal(int sig) {
        got_signal = sig;
}

static int cmd_notify(int argc, char **argv);
static int parse_signal(const char *s);

static int cmd_sleep(int argc, char **argv) {
        bool ignore_term = false, forever = false;
        const char *outpath = NULL, *secs = NULL, *reportpath = NULL, *notify = NULL;
        struct sigaction sa = { .sa_handler = on_signal };
        long exit_status = 0;
        struct timespec ts;
        int handle[8];
        size_t n_handle = 0;
        long v = 0;

        for (int i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--ignore-term") == 0)
                        ignore_term = true;
                else if (strcmp(argv[i], "--handle") == 0 && i + 1 < argc) {
                        int sig = parse_signal(argv[++i]);
                        if (sig < 0 || sig == SIGKILL || sig == SIGSTOP ||
                            n_handle >= sizeof handle / sizeof handle[0])
                                return usage();
                        handle[n_handle++] = sig;
                }
                else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
                        outpath = argv[++i];
                else if (strcmp(argv[i], "--report") == 0 && i + 1 < argc)
                        reportpath = argv[++i];
                else if (strcmp(argv[i], "--notify") == 0 && i + 1 < argc)
                        notify = argv[++i];
                else if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc) {
                        if (parse_long(argv[++i], &exit_status) < 0 || exit_status < 0 || exit_status > 255)
                                return usage();
                } else if (!secs)
                        secs = argv[i];
                else
                        return usage();
        }
        if (!secs)
                return usage();
        if (strcmp(secs, "inf") == 0 || strcmp(secs, "infinity") == 0)
                forever = true;
        else if (parse_long(secs, &v) < 0 || v < 0)
                return usage();

        if (!ignore_term) {
                /* No SA_RESTART: the signal interrupts nanosleep() and we look at got_signal. */
                sigemptyset(&sa.sa_mask);
                (void) sigaction(SIGTERM, &sa, NULL);
                (void) sigaction(SIGINT, &sa, NULL);
                (void) sigaction(SIGRTMIN + 3, &sa, NULL);   /* systemd's "halt", what Boot=yes stop sends */
                (void) sigaction(SIGRTMIN + 4, &sa, NULL);   /* systemd's "poweroff" (machinectl poweroff) */
        }
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < n_handle; i++)
                (void) sigaction(handle[i], &sa, NULL);

        /* Handlers first, then the report: whoever waits for the report may stop us right away. */
        if (reportpath) {
                char *rep[] = { (char *) "--out", (char *) reportpath };
                int r = cmd_report(2, rep);
                if (r != 0)
                        return r;
        }
        /* From this very process: as PID 1 it is the one allowed to report readiness. */
        if (notify) {
                char *n[] = { (char *) notify };
                int r = cmd_notify(1, n);
                if (r != 0)
                        return r;
        }

        ts = (struct timespec) { .tv_sec = forever ? 3600 : v };
        for (;;) {
                struct timespec rem;

                if (nanosleep(&ts, &rem) == 0) {
                        if (forever) {
                                ts = (struct timespec) { .tv_sec = 3600 };
                                continue;
                        }
                        break;
                }
                if (errno != EINTR)
                        return fail("nanosleep: %s", errno_name(errno));
                if (got_signal)
                        break;
                ts = rem;
        }

        if (outpath) {
                FILE *f = fopen(outpath, "we");
                if (f) {
                        fprintf(f, "signal=%d\n", (int) got_signal);
                        fclose(f);
                }
        }
        return got_signal ? 0 : (int) exit_status;
}

/* notify STRING [--no-creds] [--pass-fd] [--nul] [--size N] [--repeat N]: sends STRING (with the abuse options:
 * without SCM_CREDENTIALS, with an fd of /dev/null attached, with a NUL byte appended, padded to N bytes,
 * N times) to $NOTIFY_SOCKET. */
static int cmd_notify(int argc, char **argv) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
        } control = {};
        bool no_creds = false, pass_fd = false, nul = false;
        long size = -1, repeat = 1;
        char *payload = NULL;
        int passfd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct ucred *ucred;
        struct cmsghdr *cmsg;
        const char *path;
        struct iovec iov;
        struct msghdr mh = {};
        socklen_t salen;
        size_t len;
        int fd;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--no-creds") == 0)
                        no_creds = true;
                else if (strcmp(argv[i], "--pass-fd") == 0)
                        pass_fd = true;
                else if (strcmp(argv[i], "--nul") == 0)
                        nul = true;
                else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
                        if (parse_long(argv[++i], &size) < 0 || size < 0 || size > 65536)
                                return usage();
                } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
                        if (parse_long(argv[++i], &repeat) < 0 || repeat < 1)
                                return usage();
                } else
                        return usage();
        }
        if (argc < 1)
                return usage();
        path = getenv("NOTIFY_SOCKET");
        if (!path || !*path)
                return fail("$NOTIFY_SOCKET is not set");
        len = strlen(path);
        if (len >= sizeof sa.sun_path)
                return fail("$NOTIFY_SOCKET too long: %s", path);
        memcpy(sa.sun_path, path, len);
        if (path[0] == '@')
                sa.sun_path[0] = '\0';
        else if (path[0] != '/')
                return fail("$NOTIFY_SOCKET is neither a path nor abstract: %s", path);
        salen = offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '@' ? 0 : 1);

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return fail("socket: %s", errno_name(errno));

        {
                size_t l = strlen(argv[0]);
                size_t total = size >= 0 && (size_t) size > l + nul ? (size_t) size : l + nul;

                payload = calloc(1, total + 1);
                if (!payload)
                        return fail("out of memory");
                memcpy(payload, argv[0], l);
                if (total > l + nul)
                        memset(payload + l + nul, 'x', total - l - nul);
                iov = (struct iovec) { .iov_base = payload, .iov_len = size == 0 ? 0 : total };
        }
        if (pass_fd) {
                passfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (passfd < 0)
                        return fail("open /dev/null: %s", errno_name(errno));
        }

        mh = (struct msghdr) {
                .msg_name = &sa,
                .msg_namelen = salen,
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = 0,
        };
        cmsg = (struct cmsghdr *) control.buf;
        if (!no_creds) {
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_CREDENTIALS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(struct ucred));
                ucred = (struct ucred *) CMSG_DATA(cmsg);
                *ucred = (struct ucred) { .pid = getpid(), .uid = getuid(), .gid = getgid() };
                mh.msg_controllen += CMSG_SPACE(sizeof(struct ucred));
                cmsg = (struct cmsghdr *) ((uint8_t *) cmsg + CMSG_SPACE(sizeof(struct ucred)));
        }
        if (pass_fd) {
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &passfd, sizeof(int));
                mh.msg_controllen += CMSG_SPACE(sizeof(int));
        }
        if (mh.msg_controllen == 0)
                mh.msg_control = NULL;

        for (long i = 0; i < repeat; i++)
                if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
                        int e = errno;
                        /* Linux >= 6.16, SO_PASSRIGHTS off at the receiver: the kernel refuses the fd. Said
                         * once, and the datagram sent without it (the SCM_RIGHTS header is the last). */
                        if (e == EPERM && pass_fd && mh.msg_controllen >= CMSG_SPACE(sizeof(int))) {
                                printf("fds refused\n");
                                mh.msg_controllen -= CMSG_SPACE(sizeof(int));
                                if (mh.msg_controllen == 0)
                                        mh.msg_control = NULL;
                                pass_fd = false;
                                i--;
                                continue;
                        }
                        close(fd);
                        free(payload);
                        return fail("sendmsg to %s: %s", path, errno_name(e));
                }
        close(fd);
        if (passfd >= 0)
                close(passfd);
        free(payload);
        return 0;
}

static int cmd_notify_stay(int argc, char **argv) {
        struct sigaction sa = { .sa_handler = on_signal };
        struct timespec ts;
        long v;
        int r;

        if (argc < 2 || parse_long(argv[0], &v) < 0 || v < 0)
                return usage();
        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGTERM, &sa, NULL);
        (void) sigaction(SIGINT, &sa, NULL);
        r = cmd_notify(argc - 1, argv + 1);
        if (r != 0)
                return r;
        printf("sent\n");
        fflush(stdout);
        fclose(stdout);
        ts = (struct timespec) { .tv_sec = v };
        while (!got_signal && nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        return 0;
}

/* notify-flood SECS [--child]: for SECS seconds sends "STATUS=flood N" datagrams to $NOTIFY_SOCKET as fast as
 * it can, without blocking (from a child process with --child: a sender that is not the container's PID 1);
 * then prints "flood: sent S of A" and, as PID 1, sends "STATUS=flood done" (blocking, so that it arrives)
 * and sleeps until SIGTERM. The attack of a STATUS= storm. */
static int cmd_notify_flood(int argc, char **argv) {
        struct sigaction sig = { .sa_handler = on_signal };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        unsigned long sent = 0, attempts = 0;
        struct timespec start, t;
        bool child = argc > 1 && strcmp(argv[1], "--child") == 0;
        const char *path = getenv("NOTIFY_SOCKET");
        char buf[64];
        pid_t pid = 0;
        long secs;
        int fd, n;

        if (argc < 1 || parse_long(argv[0], &secs) < 0 || secs < 0)
                return usage();
        if (!path || path[0] != '/' || strlen(path) >= sizeof sa.sun_path)
                return fail("$NOTIFY_SOCKET is not a usable path");
        strcpy(sa.sun_path, path);
        sigemptyset(&sig.sa_mask);
        (void) sigaction(SIGTERM, &sig, NULL);

        if (child) {
                pid = fork();
                if (pid < 0)
                        return fail("fork: %s", errno_name(errno));
        }
        if (pid == 0) {
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return fail("socket: %s", errno_name(errno));
                (void) clock_gettime(CLOCK_MONOTONIC, &start);
                do {
                        n = snprintf(buf, sizeof buf, "STATUS=flood %lu", attempts);
                        attempts++;
                        if (sendto(fd, buf, (size_t) n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *) &sa,
                                   sizeof sa) >= 0)
                                sent++;
                        (void) clock_gettime(CLOCK_MONOTONIC, &t);
                } while (t.tv_sec - start.tv_sec < secs);
                printf("flood: sent %lu of %lu\n", sent, attempts);
                fflush(stdout);
                if (child)
                        _exit(0);
                n = snprintf(buf, sizeof buf, "STATUS=flood done");
                if (sendto(fd, buf, (size_t) n, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof sa) < 0)
                        return fail("sendto: %s", errno_name(errno));
                close(fd);
        } else
                (void) waitpid(pid, NULL, 0);

        while (!got_signal)
                pause();
        return 0;
}

static int skip_dot(const struct dirent *de) {
        return de->d_name[0] != '.';
}

static int cmd_notify_from(int argc, char **argv) {
        struct sigaction sa = { .sa_handler = on_signal };

        if (argc != 1)
                return usage();
        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGTERM, &sa, NULL);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGRTMIN + 3, &sa, NULL);
        (void) sigaction(SIGRTMIN + 4, &sa, NULL);

        while (!got_signal) {
                struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
                struct dirent **names = NULL;
                int n;

                n = scandir(argv[0], &names, skip_dot, alphasort);
                for (int i = 0; i < n; i++) {
                        char path[PATH_MAX], *content = NULL;
                        size_t size = 0;
                        FILE *f;

                        snprintf(path, sizeof path, "%s/%s", argv[0], names[i]->d_name);
                        f = fopen(path, "re");
                        if (f) {
                                content = calloc(1, 65537);
                                if (content)
                                        size = fread(content, 1, 65536, f);
                                fclose(f);
                        }
                        if (content) {
                                char *a[] = { content };
                                content[size] = '\0';
                                (void) cmd_notify(1, a);
                                free(content);
                        }
                        (void) unlink(path);
                        free(names[i]);
                }
                free(names);
                (void) nanosleep(&ts, NULL);
        }
        return 0;
}

static int parse_signal(const char *s) {
        static const struct { const char *name; int sig; } table[] = {
                { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
                { "ABRT", SIGABRT }, { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "SEGV", SIGSEGV },
                { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
                { "USR2", SIGUSR2 }, { "BUS", SIGBUS }, { "TRAP", SIGTRAP }, { "SYS", SIGSYS },
        };
        long v;

        if (parse_long(s, &v) == 0)
                return v > 0 && v < _NSIG ? (int) v : -1;
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
                if (strcmp(s, table[i].name) == 0)
                        return table[i].sig;
        return -1;
}

static int cmd_kill_self(int argc, char **argv) {
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigset_t ss;
        int sig;

        if (argc != 1)
                return usage();
        sig = parse_signal(argv[0]);
        if (sig < 0)
                return fail("invalid signal %s", argv[0]);
        fflush(stdout);
        (void) sigaction(sig, &sa, NULL);
        sigemptyset(&ss);
        sigaddset(&ss, sig);
        (void) sigprocmask(SIG_UNBLOCK, &ss, NULL);
        if (raise(sig) < 0)
                return fail("raise(%d): %s", sig, errno_name(errno));
        /* Still here: the signal was ignored, as it is for the PID 1 of a PID namespace. A real fault is
         * delivered even to PID 1, so produce one for the signals that have one. */
        switch (sig) {
        case SIGSEGV: {
                /* A write to read-only data: a store through a NULL pointer is undefined behaviour, which
                 * the compiler may (and here did) drop. */
                static const char ro[] = "ro";
                *(volatile char *) ro = 0;
                break;
        }
        case SIGILL:
                __builtin_trap();
        case SIGFPE: {
                volatile int zero = 0;
                sig = 1 / zero;
                break;
        }
        default:
                break;
        }
        return fail("still alive after signal %d (PID 1 ignores signals sent to itself)", sig);
}

/* Polls every 10 ms until PATH exists. */
static void wait_for_path(const char *path) {
        struct stat st;

        while (stat(path, &st) < 0) {
                struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
                (void) nanosleep(&ts, NULL);
        }
}

/* Every page written, not just mapped: only pages that are touched are charged to the memory cgroup. */
static int alloc_touch(long mb) {
        size_t len = (size_t) mb << 20, page = (size_t) sysconf(_SC_PAGESIZE);
        char *p;

        p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return fail("mmap of %ld MiB: %s", mb, errno_name(errno));
        for (size_t i = 0; i < len; i += page)
                ((volatile char *) p)[i] = 1;
        printf("allocated=%ld\n", mb);
        fflush(stdout);
        (void) munmap(p, len);
        return 0;
}

static int cmd_alloc(int argc, char **argv) {
        const char *waitpath = NULL, *childout = NULL;
        char *slp[] = { (char *) "inf" };
        int status;
        long mb = -1;
        pid_t pid;
        FILE *f;

        for (int i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
                        waitpath = argv[++i];
                else if (strcmp(argv[i], "--child") == 0 && i + 1 < argc)
                        childout = argv[++i];
                else if (mb < 0) {
                        if (parse_long(argv[i], &mb) < 0 || mb <= 0 || mb > 65536)
                                return usage();
                } else
                        return usage();
        }
        if (mb < 0)
                return usage();

        if (!childout) {
                if (waitpath)
                        wait_for_path(waitpath);
                return alloc_touch(mb);
        }

        pid = fork();
        if (pid < 0)
                return fail("fork: %s", errno_name(errno));
        if (pid == 0) {
                if (waitpath)
                        wait_for_path(waitpath);
                _exit(alloc_touch(mb));
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return fail("waitpid: %s", errno_name(errno));
        f = fopen(childout, "we");
        if (!f)
                return fail("open %s: %s", childout, errno_name(errno));
        if (WIFSIGNALED(status))
                fprintf(f, "child=killed %d\n", WTERMSIG(status));
        else
                fprintf(f, "child=exited %d\n", WEXITSTATUS(status));
        fclose(f);
        return cmd_sleep(1, slp);
}

static int cmd_write(int argc, char **argv) {
        size_t len, done = 0;
        int fd;

        if (argc != 2)
                return usage();
        fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0) {
                printf("%s\n", errno_name(errno));
                return fail("open %s: %s", argv[0], errno_name(errno));
        }
        len = strlen(argv[1]);
        while (done < len) {
                ssize_t n = write(fd, argv[1] + done, len - done);
                if (n < 0) {
                        int e = errno;
                        if (e == EINTR)
                                continue;
                        close(fd);
                        printf("%s\n", errno_name(e));
                        return fail("write %s: %s", argv[0], errno_name(e));
                }
                done += (size_t) n;
        }
        if (close(fd) < 0) {
                printf("%s\n", errno_name(errno));
                return fail("close %s: %s", argv[0], errno_name(errno));
        }
        return 0;
}

static int cmd_stat(int argc, char **argv) {
        char buf[64];
        struct stat st;

        if (argc != 1)
                return usage();
        format_stat(argv[0], buf, sizeof buf);
        printf("%s\n", buf);
        return lstat(argv[0], &st) < 0 ? 1 : 0;
}

static int cmd_cat(int argc, char **argv) {
        char buf[4096];
        int fd;

        if (argc != 1)
                return usage();
        fd = open(argv[0], O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int e = errno;
                printf("%s\n", errno_name(e));
                return fail("open %s: %s", argv[0], errno_name(e));
        }
        for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n < 0) {
                        int e = errno;
                        if (e == EINTR)
                                continue;
                        close(fd);
                        printf("%s\n", errno_name(e));
                        return fail("read %s: %s", argv[0], errno_name(e));
                }
                if (n == 0)
                        break;
                if (fwrite(buf, 1, (size_t) n, stdout) != (size_t) n)
                        break;
        }
        close(fd);
        return fflush(stdout) == 0 ? 0 : 1;
}

/* Makes system call NAME with harmless arguments: 0 or -1 with errno set. -2 for an unknown NAME. */
static long try_syscall(const char *name) {
        if (strcmp(name, "sethostname") == 0) {
                char host[256] = "";
                /* Set it to what it is: the call is made, nothing changes. */
                if (gethostname(host, sizeof host - 1) < 0)
                        return -1;
                return sethostname(host, strlen(host));
        }
        if (strcmp(name, "open_by_handle_at") == 0)
                /* An invalid mount fd and no handle: EBADF or EFAULT if let through, EPERM from a filter. */
                return syscall(SYS_open_by_handle_at, -1, NULL, 0);
        /* Calls that cannot fail: any errno is a filter's. Through syscall(), since glibc's getppid() never
         * sets errno. */
        if (strcmp(name, "getppid") == 0)
                return syscall(SYS_getppid) < 0 ? -1 : 0;
        /* Calls the default deny list takes away, with arguments that make the call itself fail (EFAULT,
         * EINVAL): EPERM is a filter's. */
        if (strcmp(name, "io_uring_setup") == 0)
                return syscall(SYS_io_uring_setup, 1, NULL);
        if (strcmp(name, "userfaultfd") == 0)
                return syscall(SYS_userfaultfd, ~0);
        if (strcmp(name, "keyctl") == 0)
                return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) < 0 ? -1 : 0;
        /* A nested user namespace, in a child that exits at once. */
        if (strcmp(name, "clone-user") == 0) {
                long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
                if (pid == 0)
                        _exit(0);
                if (pid > 0)
                        (void) waitpid((pid_t) pid, NULL, 0);
                return pid < 0 ? -1 : 0;
        }
        if (strcmp(name, "getpriority-process") == 0)
                return syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0 ? -1 : 0;
        if (strcmp(name, "getpriority-user") == 0)
                return syscall(SYS_getpriority, PRIO_USER, 0) < 0 ? -1 : 0;
        return -2;
}

static int cmd_syscall(int argc, char **argv) {
        FILE *out = NULL;
        int ret = 0;

        if (argc >= 2 && strcmp(argv[0], "--out") == 0) {
                out = fopen(argv[1], "ae");
                if (!out)
                        return fail("%s: %s", argv[1], errno_name(errno));
                argc -= 2;
                argv += 2;
        }
        if (argc < 1 || (!out && argc != 1))
                return usage();
        for (int i = 0; i < argc; i++) {
                long r;

                errno = 0;
                r = try_syscall(argv[i]);
                if (r == -2)
                        return usage();
                if (r < 0)
                        ret = 1;
                /* With --out, one NAME=RESULT line each, on disk before the next call (which may kill us). */
                if (out) {
                        fprintf(out, "%s=%s\n", argv[i], r < 0 ? errno_name(errno) : "ok");
                        fflush(out);
                } else
                        printf("%s\n", r < 0 ? errno_name(errno) : "ok");
        }
        if (out)
                fclose(out);
        return ret;
}

/* A new session keyring NAME with a user key "mxtest-possessed" in it that only its possessors may view
 * (/proc/keys lists it to a process only if the process possesses it: has that session keyring), then CMD. */
static int cmd_keyring_session(int argc, char **argv) {
        long ses, key;

        if (argc < 2)
                return usage();
        ses = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, argv[0], 0, 0, 0);
        if (ses < 0)
                return fail("KEYCTL_JOIN_SESSION_KEYRING: %s", errno_name(errno));
        key = syscall(SYS_add_key, "user", "mxtest-possessed", "x", 1, KEY_SPEC_SESSION_KEYRING);
        if (key < 0)
                return fail("add_key: %s", errno_name(errno));
        if (syscall(SYS_keyctl, KEYCTL_SETPERM, key, 0x3f000000, 0, 0) < 0)
                return fail("KEYCTL_SETPERM: %s", errno_name(errno));
        execvp(argv[1], argv + 1);
        return fail("%s: %s", argv[1], errno_name(errno));
}

static int cmd_keyring(int argc, char **argv) {
        FILE *out = stdout;
        char desc[256], value[256];
        long serial, key, n;

        if (argc == 2 && strcmp(argv[0], "--out") == 0) {
                out = fopen(argv[1], "we");
                if (!out)
                        return fail("%s: %s", argv[1], errno_name(errno));
        } else if (argc != 0)
                return usage();

        serial = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        if (serial < 0)
                fprintf(out, "session=%s\n", errno_name(errno));
        else {
                n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, desc, sizeof desc - 1);
                if (n < 0)
                        snprintf(desc, sizeof desc, "%s", errno_name(errno));
                else
                        desc[MIN((size_t) n, sizeof desc - 1)] = 0;
                fprintf(out, "session=%ld %s\n", serial, desc);
        }

        {
                int32_t ids[64];

                /* The serials of the keys linked into @s, space-separated. */
                n = syscall(SYS_keyctl, KEYCTL_READ, KEY_SPEC_SESSION_KEYRING, ids, sizeof ids);
                if (n < 0)
                        fprintf(out, "session.keys=%s\n", errno_name(errno));
                else {
                        fputs("session.keys=", out);
                        for (long i = 0; i < MIN(n, (long) sizeof ids) / (long) sizeof ids[0]; i++)
                                fprintf(out, "%s%" PRIi32, i > 0 ? " " : "", ids[i]);
                        fputc('\n', out);
                }
        }

        key = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "invocation_id", 0);
        if (key < 0)
                fprintf(out, "invocation_id=%s\n", errno == ENOKEY ? "none" : errno_name(errno));
        else {
                n = syscall(SYS_keyctl, KEYCTL_READ, key, value, sizeof value);
                if (n < 0)
                        fprintf(out, "invocation_id=%s\n", errno_name(errno));
                else {
                        fputs("invocation_id=", out);
                        for (long i = 0; i < MIN(n, (long) sizeof value); i++)
                                fprintf(out, "%02x", (unsigned char) value[i]);
                        fputc('\n', out);
                }
        }
        if (out != stdout)
                return fclose(out) == 0 ? 0 : 1;
        return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_reboot(int argc, char **argv) {
        int how;

        if (argc != 1)
                return usage();
        if (strcmp(argv[0], "restart") == 0)
                how = RB_AUTOBOOT;
        else if (strcmp(argv[0], "poweroff") == 0)
                how = RB_POWER_OFF;
        else if (strcmp(argv[0], "halt") == 0)
                how = RB_HALT_SYSTEM;
        else
                return usage();
        fflush(stdout);
        if (reboot(how) < 0) {
                int e = errno;
                printf("%s\n", errno_name(e));
                return fail("reboot: %s", errno_name(e));
        }
        /* Not reached as PID 1 of a PID namespace: the kernel kills it. Elsewhere, e.g. as another process of
         * the container, the kernel kills the namespace's PID 1 and with it this process. */
        for (;;)
                pause();
}

/* attack: one line per attempt. Nothing is ever written: an open for writing is the escape. */
static FILE *attack_out;

static void attack_result(const char *name, int r, int e) {
        if (r < 0)
                fprintf(attack_out, "%s=blocked %s\n", name, errno_name(e));
        else
                fprintf(attack_out, "%s=ESCAPED\n", name);
}

/* A bind remount without MS_RDONLY: makes a read-only mount writable, unless it is locked. */
static void attack_remount(const char *name, const char *path) {
        int r = mount(NULL, path, NULL, MS_REMOUNT | MS_BIND, NULL);
        attack_result(name, r, errno);
}

static void attack_open_write(const char *name, const char *path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
        attack_result(name, fd, errno);
        if (fd >= 0)
                close(fd);
}

/* A process other than PID 1 claims PID 1 in its credentials: only CAP_SYS_ADMIN over its PID namespace's
 * owner allows that. With AS_NOBODY it first becomes UID/GID 65534 (a service of the container, not its
 * root): in a container whose PID namespace its user namespace owns, root may claim any of its PIDs (as it may
 * ptrace PID 1), an unprivileged user none. */
static void attack_forged_ready(const char *name, bool as_nobody) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred))];
        } control = {};
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = getenv("NOTIFY_SOCKET");
        int st = 0, pipefd[2];
        char res[2] = "";
        pid_t pid;

        if (!path || strlen(path) >= sizeof(sa.sun_path) || pipe(pipefd) < 0) {
                fprintf(attack_out, "%s=blocked ENOENT\n", name);
                return;
        }
        strcpy(sa.sun_path, path);
        pid = fork();
        if (pid == 0) {
                char msg[] = "READY=1";
                struct iovec iov = { .iov_base = msg, .iov_len = strlen(msg) };
                struct msghdr mh = {
                        .msg_name = &sa, .msg_namelen = sizeof(sa),
                        .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = &control, .msg_controllen = sizeof(control),
                };
                struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
                struct ucred uc;
                int fd, e = 0;

                if (as_nobody && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)) {
                        res[0] = (char) EIO;
                        (void) write(pipefd[1], res, 1);
                        _exit(0);
                }
                uc = (struct ucred) { .pid = 1, .uid = getuid(), .gid = getgid() };
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_CREDENTIALS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(uc));
                memcpy(CMSG_DATA(cmsg), &uc, sizeof(uc));
                if (fd < 0 || sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                        e = errno;
                res[0] = e > 0 && e < 127 ? (char) e : 0;
                (void) write(pipefd[1], res, 1);
                _exit(0);
        }
        close(pipefd[1]);
        if (pid < 0 || read(pipefd[0], res, 1) != 1)
                res[0] = EIO;
        close(pipefd[0]);
        if (pid > 0)
                (void) waitpid(pid, &st, 0);
        attack_result(name, res[0] ? -1 : 0, res[0]);
}

static int cmd_attack(int argc, char **argv) {
        const char *ro[16], *ro_file[16];
        const char *out = NULL;
        size_t n_ro = 0, n_ro_file = 0;
        struct stat st;
        int r, fd;

        for (int i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--ro") == 0 && i + 1 < argc && n_ro < 16)
                        ro[n_ro++] = argv[++i];
                else if (strcmp(argv[i], "--ro-file") == 0 && i + 1 < argc && n_ro_file < 16)
                        ro_file[n_ro_file++] = argv[++i];
                else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
                        out = argv[++i];
                else
                        return usage();
        }
        attack_out = out ? fopen(out, "we") : stdout;
        if (!attack_out)
                return fail("%s: %s", out, errno_name(errno));

        attack_remount("remount-proc-sys", "/proc/sys");
        attack_open_write("write-core-pattern", "/proc/sys/kernel/core_pattern");
        attack_remount("remount-sys", "/sys");
        attack_remount("remount-run-host", "/run/host");
        attack_remount("remount-run-host-os-release", "/run/host/os-release");
        attack_remount("remount-run-host-incoming", "/run/host/incoming");
        for (size_t i = 0; i < n_ro; i++) {
                char name[64];
                snprintf(name, sizeof name, "remount-ro-bind-%zu", i);
                attack_remount(name, ro[i]);
        }
        for (size_t i = 0; i < n_ro_file; i++) {
                char name[64];
                snprintf(name, sizeof name, "write-ro-file-%zu", i);
                attack_open_write(name, ro_file[i]);
        }
        (void) mkdir("/tmp/attack-proc", 0700);
        r = mount("proc", "/tmp/attack-proc", "proc", 0, NULL);
        attack_result("mount-proc", r, errno);
        if (r >= 0) {
                attack_open_write("write-fresh-core-pattern", "/tmp/attack-proc/sys/kernel/core_pattern");
                (void) umount2("/tmp/attack-proc", MNT_DETACH);
        }
        attack_open_write("write-sysrq-trigger", "/proc/sysrq-trigger");
        {
                /* CVE-2014-3519 ("shocker"): a handle is a way around the root; any answer but EPERM means
                 * the call got through to the file system. */
                struct { unsigned bytes; int type; unsigned char h[8]; } fh = { .bytes = 8, .type = 1 };
                r = syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY);
                attack_result("open-by-handle", r < 0 && errno == EPERM ? -1 : 0, errno);
                if (r >= 0)
                        close(r);
        }
        fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
        attack_result("raw-socket", fd, errno);
        if (fd >= 0)
                close(fd);
        /* Where that raw socket would listen: the test compares it with the host's network namespace. */
        if (stat("/proc/self/ns/net", &st) >= 0)
                fprintf(attack_out, "netns=%llu\n", (unsigned long long) st.st_ino);
        attack_forged_ready("forged-ready", false);
        attack_forged_ready("forged-ready-user", true);
        attack_mounts(attack_out, errno_name);
        attack_unmounts(attack_out, errno_name);
        fprintf(attack_out, "done=1\n");
        if (out)
                fclose(attack_out);
        else
                fflush(stdout);
        return 0;
}

/* Booted as init: report, then behave like a PID 1 that stops on SIGTERM / SIGRTMIN+3. */
static int run_as_init(void) {
        char *rep[] = { (char *) "--out", (char *) "/boot-report.txt" };
        char *slp[] = { (char *) "inf", (char *) "--out", (char *) "/boot-exit.txt" };

        (void) cmd_report(2, rep);
        return cmd_sleep(3, slp);
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*func)(int argc, char **argv);
        } cmds[] = {
                { "report",    cmd_report },
                { "exit",      cmd_exit },
                { "sleep",     cmd_sleep },
                { "notify",    cmd_notify },
                { "notify-from", cmd_notify_from },
                { "notify-stay", cmd_notify_stay },
                { "notify-flood", cmd_notify_flood },
                { "kill-self", cmd_kill_self },
                { "alloc",     cmd_alloc },
                { "reboot",    cmd_reboot },
                { "write",     cmd_write },
                { "stat",      cmd_stat },
                { "cat",       cmd_cat },
                { "syscall",   cmd_syscall },
                { "keyring",   cmd_keyring },
                { "keyring-session", cmd_keyring_session },
                { "attack",    cmd_attack },
        };
        const char *base;

        base = argv[0] ? strrchr(argv[0], '/') : NULL;
        base = base ? base + 1 : (argv[0] ? argv[0] : "");
        if (argc < 2 && strcmp(base, "init") == 0)
                return run_as_init();
        /* Booted with Parameters= as arguments to init: the first one may be a subcommand. */
        if (argc < 2)
                return usage();

        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
                if (strcmp(argv[1], cmds[i].name) == 0)
                        return cmds[i].func(argc - 2, argv + 2);
        return usage();
}
