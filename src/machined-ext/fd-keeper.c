/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fds of the running machines across an explicit `systemctl stop` of the daemon.
 *
 * systemd keeps the fd store over a crash (Restart=) and a `systemctl restart`, but empties it when the
 * service is stopped (systemd 252 has no FileDescriptorStorePreserve=). So on its way out the daemon forks
 * a keeper: a child that holds every fd the store would hold (console readers, root directory locks, notify
 * sockets, pidfd capsules), moves to a scope of its own (machined-ext-fd-keeper-PID.scope, so that the
 * service's stop does not kill it), and hands them to the next instance over FD_KEEPER_SOCKET, then exits.
 * The next instance takes them as if they came from the fd store (manager_adopt_consoles()). */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "fd-capsule.h"
#include "fd-keeper.h"
#include "log.h"
#include "machine.h"
#include "strv.h"

#define FD_KEEPER_SOCKET "/run/machined-ext/fd-keeper.sock"
#define FD_KEEPER_NAME_MAX 128

typedef struct KeptFd {
        char name[FD_KEEPER_NAME_MAX];
        int fds[2];
        int n;
} KeptFd;

static int kept_add(KeptFd **l, size_t *n, const char *prefix, const char *name, const int *fds, int n_fds) {
        KeptFd *a;

        if (n_fds <= 0)
                return 0;
        a = reallocarray(*l, *n + 1, sizeof(KeptFd));
        if (!a)
                return -ENOMEM;
        *l = a;
        a[*n] = (KeptFd) { .n = n_fds };
        (void) snprintf(a[*n].name, sizeof(a[*n].name), "%s%s", prefix, name);
        for (int i = 0; i < n_fds; i++)
                a[*n].fds[i] = fds[i];
        (*n)++;
        return 0;
}

static int cmp_int(const void *a, const void *b) {
        return *(const int *) a - *(const int *) b;
}

/* In the child: closes every fd but the N in KEEP. */
static void close_all_but(int *keep, size_t n) {
        int from = 0;

        qsort(keep, n, sizeof(int), cmp_int);
        for (size_t i = 0; i < n; i++) {
                if (keep[i] > from)
                        (void) close_range((unsigned) from, (unsigned) keep[i] - 1, 0);
                from = keep[i] + 1;
        }
        (void) close_range((unsigned) from, ~0U, 0);
}

static int send_kept(int fd, const KeptFd *k) {
        union {
                struct cmsghdr cmsg;
                uint8_t buf[CMSG_SPACE(sizeof(int) * 2)];
        } control = {};
        struct iovec iov = { .iov_base = (char *) k->name, .iov_len = strlen(k->name) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = CMSG_SPACE(sizeof(int) * k->n),
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * k->n);
        memcpy(CMSG_DATA(c), k->fds, sizeof(int) * k->n);
        return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The keeper: serves the fds to the first root client, then exits. Never returns. */
_noreturn_ static void keeper_run(int listen_fd, const KeptFd *kept, size_t n) {
        for (;;) {
                struct ucred cred = {};
                socklen_t len = sizeof(cred);
                int c;

                c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        _exit(EXIT_FAILURE);
                }
                if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
                        close(c);
                        continue;
                }
                (void) unlink(FD_KEEPER_SOCKET);
                for (size_t i = 0; i < n; i++)
                        (void) send_kept(c, &kept[i]);
                close(c);
                _exit(EXIT_SUCCESS);
        }
}

/* Moves PID into a scope of its own, so that the stop of our service does not take it along, and waits
 * until it is there. Returns 0 or -errno. */
static int keeper_move_to_scope(Manager *m, pid_t pid) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL;
        int r;

        if (!m->bus)
                return -ENOTCONN;
        if (asprintf(&unit, "machined-ext-fd-keeper-%i.scope", (int) pid) < 0)
                return -ENOMEM;
        r = sd_bus_message_new_method_call(m->bus, &call, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", unit, "fail");
        if (r >= 0)
                r = sd_bus_message_append(call, "a(sv)a(sa(sv))", 3,
                                          "Description", "s", "Console and notify fds of machined-ext's machines",
                                          "CollectMode", "s", "inactive-or-failed",
                                          "PIDs", "au", 1, (uint32_t) pid,
                                          0);
        if (r < 0)
                return r;
        r = sd_bus_call(m->bus, call, 5 * USEC_PER_SEC, &error, &reply);
        if (r < 0) {
                log_warning("Failed to create %s: %s", unit, error.message ?: strerror(-r));
                return r;
        }

        /* The scope's start job moves it: wait for that (our stop waits for an empty cgroup anyway). */
        if (asprintf(&path, "/proc/%i/cgroup", (int) pid) < 0)
                return -ENOMEM;
        for (unsigned i = 0; i < 200; i++) {
                _cleanup_free_ char *cg = NULL;

                if (pid_get_cgroup(pid, &cg) >= 0 && strstr(cg, unit))
                        return 0;
                (void) usleep(10 * USEC_PER_MSEC);
        }
        return -ETIMEDOUT;
}

static void close_capsules(int **capsules) {
        for (int *c = *capsules; c && *c >= 0; c++)
                safe_close(*c);
        free(*capsules);
}

int fd_keeper_hand_over(Manager *m) {
        _cleanup_free_ KeptFd *kept = NULL;
        _cleanup_free_ int *keep = NULL;
        _cleanup_(close_capsules) int *capsules = NULL;
        _cleanup_close_ int listen_fd = -EBADF;
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } addr = { .un.sun_family = AF_UNIX };
        size_t n = 0, n_keep = 0, n_capsules = 0;
        Machine *machine;
        Console *c;
        ImageLock *l;
        const char *key;
        HashmapIter i = {};
        pid_t pid;
        int fds[2], r;

        /* The pidfds and UID range locks in capsules (fd-capsule.h): made here, for the keeper only. */
        capsules = new(int, 2 * hashmap_size(m->machines) + 1);
        if (!capsules)
                return -ENOMEM;
        capsules[0] = -EBADF;
        HASHMAP_FOREACH(machine, m->machines) {
                if (!machine->released || machine->exited || machine->leader_pidfd < 0)
                        continue;
                fds[0] = console_reader_fd(machine->console);
                r = kept_add(&kept, &n, "console-", machine->name, fds, fds[0] >= 0);
                if (r >= 0)
                        r = kept_add(&kept, &n, "lock-", machine->name, fds, image_lock_fds(machine->image_lock, fds));
                fds[0] = machine->notify_fd;
                if (r >= 0)
                        r = kept_add(&kept, &n, "notify-", machine->name, fds, fds[0] >= 0);
                fds[0] = fd_capsule_new(&machine->leader_pidfd, 1, "pidfd");
                if (fds[0] < 0)
                        log_debug_errno(fds[0], "Failed to make a capsule for the pidfd of machine %s, ignoring: %m",
                                        machine->name);
                else {
                        capsules[n_capsules++] = fds[0];
                        capsules[n_capsules] = -EBADF;
                }
                if (r >= 0)
                        r = kept_add(&kept, &n, "pidfd-", machine->name, fds, fds[0] >= 0);
                /* The range stays taken until the next instance has it again. */
                fds[0] = machine->userns_lock_fd >= 0 ? fd_capsule_new(&machine->userns_lock_fd, 1, "userns") : -EBADF;
                if (fds[0] >= 0) {
                        capsules[n_capsules++] = fds[0];
                        capsules[n_capsules] = -EBADF;
                }
                if (r >= 0)
                        r = kept_add(&kept, &n, "userns-", machine->name, fds, fds[0] >= 0);
                if (r < 0)
                        return r;
        }
        /* Machines of a previous instance known only by their console. */
        while (hashmap_iterate(m->adopted_consoles, &i, (void **) &c, &key) > 0) {
                fds[0] = console_reader_fd(c);
                r = kept_add(&kept, &n, "console-", key, fds, fds[0] >= 0);
                if (r < 0)
                        return r;
        }
        i = (HashmapIter) {};
        while (hashmap_iterate(m->adopted_locks, &i, (void **) &l, &key) > 0) {
                r = kept_add(&kept, &n, "", key, fds, image_lock_fds(l, fds));
                if (r < 0)
                        return r;
        }
        if (n == 0)
                return 0;

        keep = new(int, n * 2 + 1);
        if (!keep)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++)
                for (int j = 0; j < kept[k].n; j++)
                        keep[n_keep++] = kept[k].fds[j];

        listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (listen_fd < 0)
                return -errno;
        strncpy(addr.un.sun_path, FD_KEEPER_SOCKET, sizeof(addr.un.sun_path) - 1);
        (void) mkdir("/run/machined-ext", 0755);
        (void) unlink(FD_KEEPER_SOCKET);
        {
                mode_t old = umask(0077);       /* root only; the keeper checks SO_PEERCRED too */
                r = bind(listen_fd, &addr.sa, sizeof(addr.un)) < 0 ? -errno : 0;
                umask(old);
        }
        if (r < 0)
                return r;
        if (listen(listen_fd, 4) < 0)
                return -errno;
        keep[n_keep++] = listen_fd;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* Nothing else of the daemon: not its bus connection (its name must go with it), not its
                 * event loop. SIGTERM stays blocked, as sd-event left it: the service's final SIGTERM to its
                 * cgroup must not end us before we are in our scope. */
                close_all_but(keep, n_keep);
                keeper_run(listen_fd, kept, n);
        }

        r = keeper_move_to_scope(m, pid);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                (void) unlink(FD_KEEPER_SOCKET);
                return r;
        }
        log_info("Handed the fds of %zu running machine(s) to a keeper (PID %i) for the next instance.",
                 (size_t) hashmap_size(m->machines), (int) pid);
        return 1;
}

int fd_keeper_take(char ***names, int **fds, size_t *n) {
        _cleanup_close_ int fd = -EBADF;
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } addr = { .un.sun_family = AF_UNIX };
        int taken = 0;

        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        strncpy(addr.un.sun_path, FD_KEEPER_SOCKET, sizeof(addr.un.sun_path) - 1);
        if (connect(fd, &addr.sa, sizeof(addr.un)) < 0)
                return IN_SET(errno, ENOENT, ECONNREFUSED) ? 0 : -errno;

        for (;;) {
                union {
                        struct cmsghdr cmsg;
                        uint8_t buf[CMSG_SPACE(sizeof(int) * 2)];
                } control = {};
                char name[FD_KEEPER_NAME_MAX + 1];
                struct iovec iov = { .iov_base = name, .iov_len = FD_KEEPER_NAME_MAX };
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof(control),
                };
                ssize_t k;

                k = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                name[k] = 0;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                        size_t m;
                        int got[2];

                        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                                continue;
                        m = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        if (m > 2)
                                m = 2;
                        memcpy(got, CMSG_DATA(c), m * sizeof(int));
                        for (size_t j = 0; j < m; j++) {
                                int *a = reallocarray(*fds, *n + 1, sizeof(int));

                                if (!a || strv_extend(names, name) < 0) {
                                        if (a)
                                                *fds = a;
                                        safe_close(got[j]);
                                        continue;
                                }
                                *fds = a;
                                a[(*n)++] = got[j];
                                taken++;
                        }
                }
        }
        return taken;
}
