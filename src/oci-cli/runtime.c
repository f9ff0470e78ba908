/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container found again from ROOT/ID: its status derived from the facts (is the recorded leader alive, has
 * it exec'd, is its cgroup frozen), and what start, kill and delete do to it. */

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "fd-util.h"
#include "mount-options-cache.h"
#include "name.h"
#include "runtime.h"
#include "strv.h"

OciLoaded *oci_loaded_free(OciLoaded *l) {
        if (!l)
                return NULL;
        container_state_free(l->state);
        safe_close(l->dir_fd);
        safe_close(l->pidfd);
        return mfree(l);
}

const char *oci_state_get(const ContainerState *s, const char *key) {
        for (char **k = s->daemon; k && k[0] && k[1]; k += 2)
                if (streq(k[0], key))
                        return k[1];
        return NULL;
}

/* Whether the process is a zombie: it exited and waits for its parent (a subreaper) to reap it. */
static bool pid_is_zombie(pid_t pid) {
        char path[64], buf[512];
        _cleanup_close_ int fd = -EBADF;
        const char *p;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%i/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return false;
        buf[n] = 0;
        p = strrchr(buf, ')');
        return p && p[1] == ' ' && IN_SET(p[2], 'Z', 'X');
}

/* A directory of the state: ours, and no one else may write it (its state files name the units, cgroups,
 * machines and hooks a root process acts on). Logs and returns -EPERM if not. */
static int check_own_dir(const char *what, const char *path, const struct stat *st) {
        if (!S_ISDIR(st->st_mode))
                return oci_error(ENOTDIR, "%s %s is not a directory", what, path);
        if (st->st_uid != geteuid() || (st->st_mode & (S_IWGRP | S_IWOTH)))
                return oci_error(EPERM, "%s %s is owned by UID %u with mode %04o: refusing a state directory "
                                 "that others than UID %u can write", what, path, (unsigned) st->st_uid,
                                 (unsigned) (st->st_mode & 07777), (unsigned) geteuid());
        return 0;
}

int oci_root_check(void) {
        struct stat st;

        if (stat(arg_root, &st) < 0)
                return errno == ENOENT ? -ENOENT : oci_error(errno, "Failed to check --root %s: %s", arg_root,
                                                             strerror(errno));
        return check_own_dir("--root", arg_root, &st);
}

int oci_dir_is_current(int dir_fd, const char *id) {
        _cleanup_free_ char *dir = NULL;
        struct stat a, b;

        if (asprintf(&dir, "%s/%s", arg_root, id) < 0)
                return -ENOMEM;
        if (fstat(dir_fd, &a) < 0)
                return -errno;
        if (lstat(dir, &b) < 0)
                return errno == ENOENT ? 0 : -errno;
        return a.st_nlink > 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* ROOT/ID (DIR_FD, locked) has no state.json: 1 if its create died (the creator file names a process that is
 * gone), 0 if it may be under way (or the file is missing or unreadable: an older create, or one killed
 * before it wrote it). */
static int create_died(int dir_fd) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        unsigned long long start, inode;
        size_t size;
        int pid;

        fd = openat(dir_fd, CONTAINER_STATE_CREATOR_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 || read_regular_fd(fd, 128, &text, &size) < 0)
                return 0;
        if (sscanf(text, "%i %llu %llu", &pid, &start, &inode) != 3 || pid <= 0)
                return 0;
        /* The same identity check as that of a container's leader. */
        return IN_SET(container_state_check_leader(&(ContainerState) { .pid = pid, .pidfd_inode = inode,
                                                                       .start_time = start }, NULL),
                      LEADER_GONE, LEADER_REUSED);
}

static int runtime_load(const char *id, bool remove_abandoned, bool wait, OciLoaded **ret);

int oci_runtime_load(const char *id, OciLoaded **ret) {
        return runtime_load(id, false, true, ret);
}

int oci_runtime_load_full(const char *id, bool remove_abandoned, OciLoaded **ret) {
        return runtime_load(id, remove_abandoned, true, ret);
}

int oci_runtime_peek(const char *id, OciLoaded **ret) {
        return runtime_load(id, false, false, ret);
}

static int runtime_load(const char *id, bool remove_abandoned, bool wait, OciLoaded **ret) {
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
        _cleanup_free_ char *dir = NULL, *error = NULL;
        int r;

        if (!container_id_is_valid(id))
                return oci_error(EINVAL, "Invalid container id '%s'", id);
        l = new0(OciLoaded, 1);
        if (!l)
                return oci_error(ENOMEM, "Out of memory");
        l->dir_fd = l->pidfd = -EBADF;

        if (asprintf(&dir, "%s/%s", arg_root, id) < 0)
                return oci_error(ENOMEM, "Out of memory");
        r = oci_root_check();
        if (r == -ENOENT)
                return oci_error(ENOENT, "Container '%s' does not exist", id);
        if (r < 0)
                return r;
        /* Locked, the directory must still be the one ROOT/ID names: a delete we waited for removed it, and a
         * create may have made a new one of the id meanwhile (that one is the container asked for). */
        for (unsigned tries = 0;; tries++) {
                l->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (l->dir_fd < 0) {
                        if (errno == ENOENT)
                                return oci_error(ENOENT, "Container '%s' does not exist", id);
                        return oci_error(errno, "Failed to open %s: %s", dir, strerror(errno));
                }
                /* Without WAIT: shared if free; if another verb holds it, not locked at all. */
                if (flock(l->dir_fd, wait ? LOCK_EX : LOCK_SH | LOCK_NB) < 0 && (wait || errno != EWOULDBLOCK))
                        return oci_error(errno, "Failed to lock %s: %s", dir, strerror(errno));
                r = oci_dir_is_current(l->dir_fd, id);
                if (r < 0)
                        return oci_error(r, "Failed to check %s: %s", dir, strerror(-r));
                if (r > 0) {
                        struct stat st;

                        if (fstat(l->dir_fd, &st) < 0)
                                return oci_error(errno, "Failed to check %s: %s", dir, strerror(errno));
                        r = check_own_dir("The state directory", dir, &st);
                        if (r < 0)
                                return r;
                        break;
                }
                if (tries >= 16)
                        return oci_error(EBUSY, "Container '%s' keeps being replaced while waiting for its lock", id);
                l->dir_fd = safe_close(l->dir_fd);
        }

        r = container_state_load(arg_root, id, &l->state, &error);
        if (r == -ENOENT && remove_abandoned && create_died(l->dir_fd) > 0) {
                /* Its create was killed before it wrote state.json: what it left goes, the id is free. */
                oci_debug("The create of container '%s' died before it was done; removing what it left.", id);
                r = oci_cgroupfs_remove_abandoned(l->dir_fd);
                if (r < 0)
                        return r;
                r = container_state_remove(arg_root, id);
                if (r < 0)
                        return oci_error(r, "Failed to remove %s: %s", dir, strerror(-r));
                *ret = NULL;
                return 0;
        }
        if (r == -ENOENT)
                /* The directory without state.json: a create that is still under way, or that died. */
                return oci_error(ENOENT, "Container '%s' does not exist (or is being created)", id);
        if (r < 0)
                return oci_error(r, "Failed to load the state of container '%s': %s", id, error ?: strerror(-r));
        if (l->state->owner != CONTAINER_OWNER_OCI_CLI)
                return oci_error(EPERM, "Container '%s' belongs to machined-ext's daemon", id);

        r = container_state_check_leader(l->state, &l->pidfd);
        if (r < 0)
                return oci_error(r, "Failed to check the init of container '%s': %s", id, strerror(-r));
        if (r != LEADER_ALIVE || pid_is_zombie(l->state->pid)) {
                l->pidfd = safe_close(l->pidfd);
                l->status = CONTAINER_STOPPED;
        } else
                l->status = container_state_live_status(l->state);

        *ret = TAKE_PTR(l);
        return 0;
}

static int json_add(json_object *o, const char *key, json_object *v) {
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int oci_runtime_state_json(const OciLoaded *l, bool pretty, char **ret) {
        _cleanup_free_ char *created = NULL;
        const ContainerState *s = l->state;
        json_object *o, *a;
        int r = 0;

        if (rfc3339_format(&s->created, &created) < 0)
                return -ENOMEM;
        o = json_object_new_object();
        a = json_object_new_object();
        if (!o || !a) {
                json_object_put(o);
                json_object_put(a);
                return -ENOMEM;
        }
        for (char **k = s->annotations; k && k[0] && k[1]; k += 2)
                if (json_add(a, k[0], json_object_new_string(k[1])) < 0)
                        r = -ENOMEM;
        if (r < 0 ||
            json_add(o, "ociVersion", json_object_new_string("1.2.0")) < 0 ||
            json_add(o, "id", json_object_new_string(s->id)) < 0 ||
            json_add(o, "pid", json_object_new_int64(l->status == CONTAINER_STOPPED ? 0 : s->pid)) < 0 ||
            json_add(o, "status", json_object_new_string(container_status_to_string(l->status))) < 0 ||
            json_add(o, "bundle", json_object_new_string(s->bundle)) < 0 ||
            json_add(o, "rootfs", json_object_new_string(strempty(s->root))) < 0 ||
            json_add(o, "created", json_object_new_string(created)) < 0 ||
            (s->unit && json_add(o, "systemd-scope", json_object_new_string(s->unit)) < 0) ||
            json_add(o, "owner", json_object_new_string("")) < 0) {
                json_object_put(o);
                json_object_put(a);
                return -ENOMEM;
        }
        if (json_add(o, "annotations", a) < 0) {
                json_object_put(o);
                return -ENOMEM;
        }
        *ret = strdup(json_object_to_json_string_ext(o, (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return *ret ? 0 : -ENOMEM;
}

/* DIR/config.json, create's copy: a regular file of ours, one link, that nobody else can write, as the state
 * directory's other files. Returns 0 with its text, -ENOENT, -EBADMSG (not such a file), or -errno. */
static int read_config_copy(const char *dir, char **ret, size_t *ret_size) {
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;

        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;
        fd = open_own_file(dir_fd, CONTAINER_STATE_CONFIG_FILE, NULL);
        if (fd < 0)
                return fd;
        return read_regular_fd(fd, OCI_SPEC_SIZE_MAX, ret, ret_size);
}

void oci_mount_options_cache_save(void) {
        int r;

        r = mount_options_cache_save();
        if (r < 0)
                oci_debug("Failed to save libmount's answers in %s/" MOUNT_OPTIONS_CACHE_DIR_OCI ": %s", arg_root,
                          strerror(-r));
}

int oci_runtime_load_config(const ContainerState *s, OciModelFlags flags, char **ret_text, size_t *ret_size,
                            OciContainer **ret, char **ret_error) {
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_free_ char *dir = NULL, *error = NULL, *text = NULL;
        const char *from;
        size_t size = 0;
        int r;

        if (asprintf(&dir, "%s/%s", arg_root, s->id) < 0)
                return -ENOMEM;
        from = dir;
        r = read_config_copy(dir, &text, &size);
        if (r == -ENOENT) {
                /* Made by a version that kept no copy: the bundle's, as it is now. */
                oci_debug("Container '%s' has no copy of its config.json, reading the bundle's", s->id);
                from = s->bundle;
                r = oci_container_load_full(s->bundle, s->id, NULL, flags, &text, &size, ret, &error);
        } else {
                if (r == -EBADMSG)
                        error = strdup("not a regular file of root's with one link that only root can write");
                else if (r < 0)
                        error = strdup(strerror(-r));
                if (r >= 0)
                        r = oci_spec_parse(text, size, &spec, &error);
                /* The root the container was made with, resolved then: the bundle may have moved or gone. */
                if (r >= 0 && s->root) {
                        free(spec->root_path);
                        spec->root_path = strdup(s->root);
                        if (!spec->root_path)
                                r = -ENOMEM;
                } else if (r >= 0)
                        r = oci_spec_resolve_root(spec, s->bundle, &error);
                if (r >= 0)
                        r = oci_container_from_spec_full(TAKE_PTR(spec), s->bundle, s->id, NULL, flags, ret, &error);
        }
        if (r == -ENOMEM)
                return r;
        oci_mount_options_cache_save();
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s/config.json: %s", from, error ?: strerror(-r)) < 0)
                        return -ENOMEM;
                return r;
        }
        if (ret_text) {
                *ret_text = TAKE_PTR(text);
                *ret_size = size;
        }
        return 0;
}

static int load_spec(const ContainerState *s, OciContainer **ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        /* For the hooks: no seccomp filter is needed. */
        r = oci_runtime_load_config(s, OCI_MODEL_SECCOMP_UNCHECKED, NULL, NULL, ret, &error);
        if (r < 0)
                oci_debug("Failed to load the config of container '%s' again: %s", s->id, error ?: strerror(-r));
        return r;
}

int oci_runtime_start(OciLoaded *l) {
        _cleanup_(oci_container_freep) OciContainer *oci = NULL;
        _cleanup_free_ char *fifo = NULL;
        int r;

        if (l->status != CONTAINER_CREATED)
                return oci_error(EBUSY, "Container '%s' is %s, not created: it cannot be started", l->state->id,
                                 container_status_to_string(l->status));
        if (asprintf(&fifo, "%s/%s/" OCI_RELEASE_FIFO, arg_root, l->state->id) < 0)
                return oci_error(ENOMEM, "Out of memory");
        r = container_start(fifo, true);
        if (r < 0)
                return oci_error(r, "Failed to start container '%s': %s", l->state->id,
                                 r == -ENXIO ? "its init does not wait for start any more" : strerror(-r));
        (void) unlink(fifo);

        l->state->status = CONTAINER_RUNNING;
        l->status = CONTAINER_RUNNING;
        r = container_state_save(arg_root, l->state);
        if (r < 0)
                return oci_error(r, "Failed to save the state of container '%s': %s", l->state->id, strerror(-r));
        if (load_spec(l->state, &oci) >= 0)
                (void) oci_run_hooks(oci, l->state->id, OCI_HOOK_POSTSTART, "running", l->state->pid, 4);
        return 0;
}

static int cgroup_foreach_pid(int dir_fd, int (*f)(int pid, void *userdata), void *userdata, unsigned depth) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_fclose_ FILE *procs = NULL;
        DIR *d;
        int pid, r = 0;

        if (depth > OCI_CGROUP_DEPTH_MAX)
                return 0;
        fd = openat(dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        procs = fdopen(fd, "r");
        if (!procs)
                return -errno;
        TAKE_FD(fd);
        while (r >= 0 && fscanf(procs, "%i", &pid) == 1)
                r = f(pid, userdata);
        if (r < 0)
                return r;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        for (struct dirent *de; r >= 0 && (de = readdir(d)); ) {
                _cleanup_close_ int sub = -EBADF;

                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0)
                        r = cgroup_foreach_pid(sub, f, userdata, depth + 1);
                /* Removed meanwhile (a unit of a systemd in there stopping): gone with its processes. */
                if (IN_SET(r, -ENOENT, -ENODEV))
                        r = 0;
        }
        closedir(d);
        return r;
}

int oci_cgroup_foreach_pid(int dir_fd, int (*f)(int pid, void *userdata), void *userdata) {
        return cgroup_foreach_pid(dir_fd, f, userdata, 0);
}

/* Whether cgroup.events says "frozen 1". Returns 1, 0, or -errno. */
static int cgroup_events_frozen(int dir_fd) {
        _cleanup_close_ int fd = -EBADF;
        char buf[256];
        ssize_t n;

        fd = openat(dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        return strstr(buf, "frozen 1") != NULL;
}

int oci_cgroup_set_frozen(int dir_fd, bool frozen) {
        _cleanup_close_ int fd = -EBADF;
        usec_t end;
        int r;

        fd = openat(dir_fd, "cgroup.freeze", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, frozen ? "1" : "0", 1) != 1)
                return -errno;
        end = now(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;
        while ((r = cgroup_events_frozen(dir_fd)) >= 0 && (r > 0) != frozen) {
                if (now(CLOCK_MONOTONIC) > end)
                        return -ETIMEDOUT;
                (void) poll(NULL, 0, 5);
        }
        return r < 0 ? r : 0;
}

typedef struct KillAll {
        int sig;
        int error;      /* the last failure; the others are signalled all the same */
} KillAll;

static int kill_one(int pid, void *userdata) {
        KillAll *k = userdata;

        if (kill(pid, k->sig) < 0 && errno != ESRCH)
                k->error = -errno;
        return 0;
}

/* Signals every process of the container's cgroup and of its subgroups (kill --all), as runc does. */
static int kill_cgroup(const char *cgroup, int sig) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        KillAll k = { .sig = sig };
        bool thaw;
        int r;

        if (!cgroup)
                return -ENOMEDIUM;
        if (sig == SIGKILL) {
                _cleanup_close_ int fd = -EBADF;

                if (asprintf(&path, "/sys/fs/cgroup%s/cgroup.kill", cgroup) < 0)
                        return -ENOMEM;
                fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd >= 0 && write(fd, "1", 1) == 1)
                        return 0;
                path = mfree(path);
        }
        if (asprintf(&path, "/sys/fs/cgroup%s", cgroup) < 0)
                return -ENOMEM;
        dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;
        /* Frozen meanwhile, as runc does: no process of the cgroup exits (and has its PID taken by another
         * process of the host) or forks between the read of cgroup.procs and the kill(). A cgroup paused
         * already stays so; one that cannot be frozen is signalled all the same, and thawed after also when
         * its freeze did not finish in time (cgroup.freeze says 1 then). */
        thaw = !container_cgroup_is_frozen(cgroup);
        if (thaw)
                (void) oci_cgroup_set_frozen(dir_fd, true);
        r = oci_cgroup_foreach_pid(dir_fd, kill_one, &k);
        if (thaw)
                (void) oci_cgroup_set_frozen(dir_fd, false);
        return r < 0 ? r : k.error;
}

int oci_runtime_kill(OciLoaded *l, int sig, bool all) {
        int r;

        if (l->status == CONTAINER_STOPPED)
                return oci_error(ESRCH, "Container '%s' is not running", l->state->id);
        if (all) {
                if (!l->state->cgroup)
                        return oci_error(ENOMEDIUM, "Container '%s' has no cgroup of its own (--cgroup-manager disabled): "
                                         "kill --all cannot find its processes", l->state->id);
                r = kill_cgroup(l->state->cgroup, sig);
                if (r < 0)
                        return oci_error(r, "Failed to signal the processes of container '%s': %s", l->state->id,
                                         strerror(-r));
                return 0;
        }
        if (pidfd_send_signal(l->pidfd, sig, NULL, 0) < 0)
                return oci_error(errno, "Failed to signal container '%s': %s", l->state->id, strerror(errno));
        return 0;
}

/* Kills the leader and waits (at most 10 s) until it has exited: it may not be our child, poll the pidfd. */
static void kill_and_wait(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        if (pidfd < 0)
                return;
        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        (void) poll(&p, 1, 10 * 1000);
}

/* Whether the scope UNIT, whose cgroup was CGROUP, is gone already: systemd removes a scope's cgroup when it
 * stops it (as it does once its last process is gone), and collects the unit before it reads the next
 * message (its garbage collection queue runs first on every turn of its event loop), so that a StopUnit
 * would only answer NoSuchUnit and a new scope of the name can be started. */
static bool scope_gone(const char *unit, const char *cgroup) {
        _cleanup_free_ char *dir = NULL;

        /* The unit's own cgroup only (not one below it, nor one of another manager). */
        if (!cgroup_path_endswith_unit(cgroup, unit, NULL) || asprintf(&dir, "/sys/fs/cgroup%s", cgroup) < 0)
                return false;
        return access(dir, F_OK) < 0 && errno == ENOENT;
}

int oci_runtime_destroy_full(const ContainerState *s, int pidfd, int dir_fd, const OciContainer *oci, OciBus *bus) {
        _cleanup_(oci_container_freep) OciContainer *loaded = NULL;
        _cleanup_(oci_cgroup_job_freep) OciCgroupJob *stop = NULL;
        _cleanup_(oci_call_freep) OciCall *unregister = NULL;
        const char *machine = oci_state_get(s, OCI_STATE_MACHINE);
        OciBus own = {}, *b = bus ?: &own;
        int r;

        kill_and_wait(pidfd);
        if (s->cgroup && s->status != CONTAINER_CREATING)
                (void) kill_cgroup(s->cgroup, SIGKILL);
        /* Both connections at once: systemd's handshake goes on while machined answers. UnregisterMachine
         * goes out first: a machine whose unit stops is stopped by systemd-machined itself (one more
         * StopUnit, through dbus-daemon). On a connection that is up (run's, which registered the machine)
         * StopUnit follows without waiting for the answer (issue #17): dbus-daemon has our call before
         * systemd can signal the unit's end, and systemd-machined handles its messages in order. On one still
         * in its handshake (delete's) the call waits in sd-bus's queue: its answer first, as the wait for it
         * is bounded (JOB_TIMEOUT_USEC) and the handshake's own is not as short. */
        r = oci_bus_connect(b, s->unit != NULL, machine != NULL);
        if (r < 0)
                oci_debug("Failed to connect to systemd: %s", strerror(-r));
        if (machine)
                unregister = oci_unregister_begin(b, machine);
        if (unregister && sd_bus_is_ready(b->machined) > 0)
                (void) sd_bus_flush(b->machined);
        else if (unregister) {
                oci_unregister_end(b, unregister, machine);
                unregister = oci_call_free(unregister);
        }
        if (!scope_gone(s->unit, s->cgroup))
                stop = oci_cgroup_leave_begin(b, s->unit);
        oci_unregister_end(b, unregister, machine);
        unregister = oci_call_free(unregister);
        oci_cgroup_leave(b, stop, s->unit, s->cgroup,
                         streq_ptr(oci_state_get(s, OCI_STATE_CGROUP_MANAGER), "cgroupfs"));
        stop = oci_cgroup_job_free(stop);
        oci_bus_done(b);
        /* A run killed before its init was in its cgroupfs cgroup: state.json names none, the record does. */
        if (!s->cgroup && streq_ptr(oci_state_get(s, OCI_STATE_CGROUP_MANAGER), "cgroupfs")) {
                r = oci_cgroupfs_remove_abandoned(dir_fd);
                if (r < 0)
                        return r;
        }

        /* The poststop hooks are those of the config the container was made with: its copy goes with the
         * state. */
        if (!oci && s->status != CONTAINER_CREATING && load_spec(s, &loaded) >= 0)
                oci = loaded;
        (void) unlinkat(dir_fd, OCI_RELEASE_FIFO, 0);
        r = container_state_remove(arg_root, s->id);
        if (r < 0 && r != -ENOENT)
                return oci_error(r, "Failed to remove the state of container '%s': %s", s->id, strerror(-r));

        if (s->status == CONTAINER_CREATING)
                return 0;
        if (oci)
                (void) oci_run_hooks(oci, s->id, OCI_HOOK_POSTSTOP, "stopped", 0, 4);
        return 0;
}

int oci_runtime_destroy(const ContainerState *s, int pidfd, int dir_fd) {
        return oci_runtime_destroy_full(s, pidfd, dir_fd, NULL, NULL);
}
