/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* create (and run): the bundle through the OCI front-end (config-oci.c) to the model, the init cloned by this
 * process (container_spawn(): it is our child, so that a subreaper above us, conmon or containerd's shim,
 * inherits it), its hooks, its scope or cgroup, its registration with systemd-machined, then the state file
 * and the pid file. The init then waits on ROOT/ID/exec.fifo for start (or, for run, on our release). */

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "container.h"
#include "escape.h"
#include "fd-util.h"
#include "name.h"
#include "runtime.h"
#include "seccomp-cache.h"
#include "strv.h"
#include "util.h"

OciInstance *oci_instance_free(OciInstance *i) {
        if (!i)
                return NULL;
        container_state_free(i->state);
        oci_container_free(i->oci);
        safe_close(i->dir_fd);
        safe_close(i->pidfd);
        safe_close(i->sync_fd);
        safe_close(i->console_sock);
        safe_close(i->console_master);
        oci_call_free(i->registration);
        oci_bus_done(&i->bus);
        return mfree(i);
}

/* --root and its parents, as mkdir -p (containerd names one below a directory it has not made). */
static int root_make(void) {
        _cleanup_free_ char *dir = strdup(arg_root);

        if (!dir)
                return -ENOMEM;
        for (char *p = dir + 1; ; p++) {
                p = strchr(p, '/');
                if (p)
                        *p = 0;
                if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                        return -errno;
                if (!p)
                        return 0;
                *p = '/';
        }
}

/* nspawn's deny list and the profile, compiled here before the clone, once for every container of the same
 * settings (the cache they share in --root), rather than by each init. 1 if they came from the cache, 0 if
 * they were compiled (and saved), or a negative errno: then the init, or exec's process, compiles its own and
 * reports what failed. */
int oci_seccomp_programs_shared(const ContainerConfig *config, ContainerSeccompPrograms *ret) {
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        int r;

        root_fd = open(arg_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) {
                r = -errno;
                oci_debug("Failed to open %s, the seccomp filters are compiled later: %s", arg_root, strerror(-r));
                return r;
        }
        dir_fd = container_seccomp_cache_dir_open(root_fd, CONTAINER_SECCOMP_SHARED_DIR_OCI);
        if (dir_fd < 0) {
                oci_debug("The seccomp cache %s/" CONTAINER_SECCOMP_SHARED_DIR_OCI " is not used: %s", arg_root,
                          strerror(-dir_fd));
                return dir_fd;
        }
        r = container_seccomp_programs_get(dir_fd, config, ret);
        if (r < 0)
                oci_debug("Failed to compile the seccomp filters, they are compiled later: %s", strerror(-r));
        return r;
}

/* The ROOT/ID directory, new (ROOT exists: root_make()): a second create of ID fails here, before anything
 * else is done. */
static int make_state_dir(const char *id, int *ret_fd) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (asprintf(&dir, "%s/%s", arg_root, id) < 0)
                return oci_error(ENOMEM, "Out of memory");
        if (mkdir(dir, 0700) < 0) {
                if (errno == EEXIST)
                        return oci_error(EEXIST, "Container '%s' already exists", id);
                return oci_error(errno, "Failed to create %s: %s", dir, strerror(errno));
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                int e = errno;
                (void) rmdir(dir);
                return oci_error(e, "Failed to open %s: %s", dir, strerror(e));
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Who is creating the container (CONTAINER_STATE_CREATOR_FILE): until state.json exists, that is all a delete
 * --force can tell a create under way from one that died (SIGKILLed: nothing cleaned up). Returns 0 or
 * -errno. */
static int save_creator(int dir_fd) {
        _cleanup_close_ int fd = -EBADF;
        uint64_t inode, start;
        char buf[80];
        int n, r;

        r = leader_identify(getpid(), &inode, &start, NULL);
        if (r < 0)
                return r;
        n = snprintf(buf, sizeof(buf), "%i %" PRIu64 " %" PRIu64 "\n", (int) getpid(), start, inode);
        fd = openat(dir_fd, CONTAINER_STATE_CREATOR_FILE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        return loop_write(fd, buf, (size_t) n);
}

/* The config.json the container is made from (TEXT, SIZE bytes), as CONTAINER_STATE_CONFIG_FILE in the new
 * state directory DIR_FD: exec and the hooks read it later, whatever becomes of the bundle (runc and crun
 * keep theirs too). */
static int save_config_copy(int dir_fd, const char *text, size_t size) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dir_fd, CONTAINER_STATE_CONFIG_FILE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        return loop_write(fd, text, size);
}

/* The lock other calls for ID wait for. Taken once the init exists, on a file description of our own: the
 * init shares every one we had when it was cloned (until its exec), and would hold a lock taken on it. Until
 * then the directory has no state.json, which the others take for "being created". */
static int lock_state_dir(OciInstance *i) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(i->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX) < 0)
                return oci_error(errno, "Failed to lock %s/%s: %s", arg_root, i->state->id, strerror(errno));
        safe_close(i->dir_fd);
        i->dir_fd = TAKE_FD(fd);
        return 0;
}

static int setup_failed(const char *id, const ContainerReport *report) {
        _cleanup_free_ char *what = container_report_message(report);

        return oci_error(report->error ?: EIO, "Failed to set up container '%s': %s", id, what ?: "out of memory");
}

/* What create talks to while the init sets itself up: systemd (the scope's job) and systemd-machined (the
 * registration, sent as soon as the job has put the init into its scope: machined takes the unit from the
 * init's cgroup). Both overlap the set-up instead of following it. */
typedef struct CreateCalls {
        OciBus bus;
        OciCgroupJob *job;
        int device_policy;              /* the loaded program (oci_cgroup_device_policy()) */
        bool in_cgroup;                 /* the cgroup is finished (oci_cgroup_finish()) */
        bool register_machine;          /* the id is a machine name */
        sd_id128_t machine_id;
        OciCall *registration;          /* sent */
        int register_error;             /* < 0: could not be sent */
} CreateCalls;

static void create_calls_done(CreateCalls *c) {
        c->registration = oci_call_free(c->registration);
        c->job = oci_cgroup_job_free(c->job);
        c->device_policy = safe_close(c->device_policy);
        oci_bus_done(&c->bus);
}

/* Sends the registration once the init is in its unit: at once with a manager other than systemd, which
 * places it when the cgroup is finished. */
static void maybe_register(OciInstance *i, CreateCalls *c) {
        if (!c->register_machine || c->registration || c->register_error < 0)
                return;
        if (!c->in_cgroup && !(c->job && oci_cgroup_job_state(c->job) > 0))
                return;
        c->register_error = oci_register_begin(&c->bus, i->state->id, c->machine_id, i->pid, i->oci->config.root,
                                               &c->registration);
        if (c->register_error > 0)
                c->register_error = 0;
        /* Recorded as soon as it may be registered: a failure from here on unregisters it (a "no such
         * machine" is fine). */
        if (c->register_error == 0 &&
            (strv_extend(&i->state->daemon, OCI_STATE_MACHINE) < 0 || strv_extend(&i->state->daemon, i->state->id) < 0))
                c->register_error = -ENOMEM;
}

/* Drops the OCI_STATE_MACHINE entry maybe_register() appended last. */
static void forget_machine(ContainerState *s) {
        size_t n = strv_length(s->daemon);

        if (n >= 2 && streq(s->daemon[n - 2], OCI_STATE_MACHINE)) {
                s->daemon[n - 2] = mfree(s->daemon[n - 2]);
                s->daemon[n - 1] = mfree(s->daemon[n - 1]);
        }
}

static int finish_cgroup(OciInstance *i, CreateCalls *c) {
        int r;

        if (c->in_cgroup)
                return 0;
        r = oci_cgroup_finish(&c->bus, i->state->id, i->pid, i->oci, c->job, i->state->unit, c->device_policy,
                              i->dir_fd, &i->state->cgroup);
        if (r < 0)
                return r;
        c->in_cgroup = true;
        maybe_register(i, c);
        return 0;
}

/* Reads the init's set-up reports until it is done, while the calls of C go on; runs the hooks when the init
 * asks for them, once it is in its scope (the job is waited for first: runc too applies the cgroup before the
 * hooks). */
static int wait_setup(OciInstance *i, CreateCalls *c) {
        const char *id = i->state->id;

        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                ContainerReport report;
                int r;

                r = container_read_report(i->sync_fd, &report, &fd);
                if (r == -EAGAIN) {
                        /* The init's socket, and the calls' connections if there are any (left). */
                        r = oci_bus_wait(&c->bus, i->sync_fd, USEC_INFINITY);
                        if (r < 0)
                                return oci_error(r, "Failed to wait for container '%s': %s", id, strerror(-r));
                        maybe_register(i, c);
                        continue;
                }
                if (r < 0)
                        return oci_error(r, "Failed to read the set-up report of container '%s': %s", id,
                                         strerror(-r));
                if (r == 0)
                        return oci_error(EIO, "The init of container '%s' died during set-up", id);

                switch (report.stage) {
                case CONTAINER_STAGE_SETUP_DONE:
                        return 0;
                case CONTAINER_STAGE_WARNING:
                        oci_warning("Container %s: %s: %s", id, report.detail, strerror(report.error));
                        continue;
                case CONTAINER_STAGE_CONSOLE:
                        if (report.error != 0 || fd < 0)
                                return setup_failed(id, &report);
                        /* The console's master, of the container's devpts: to the console socket, or ours to
                         * relay (run). */
                        if (i->console_sock >= 0) {
                                r = oci_console_socket_send(i->console_sock, i->console_socket_path, fd);
                                if (r < 0)
                                        return r;
                                i->console_sock = safe_close(i->console_sock);
                        } else
                                i->console_master = TAKE_FD(fd);
                        continue;
                case CONTAINER_STAGE_HOOKS:
                        if (report.error == 0) {
                                _cleanup_free_ char *state = NULL;

                                r = finish_cgroup(i, c);
                                if (r < 0)
                                        return r;
                                static const OciHookKind kinds[] = {
                                        OCI_HOOK_PRESTART, OCI_HOOK_CREATE_RUNTIME, OCI_HOOK_CREATE_CONTAINER,
                                };
                                for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                                        r = oci_run_hooks(i->oci, id, kinds[k], "creating", i->pid, 3);
                                        if (r < 0)
                                                return r;
                                }
                                r = oci_state_json(i->oci, id, "created", i->pid, &state);
                                if (r >= 0)
                                        r = container_continue_hooks(i->sync_fd, state);
                                if (r < 0)
                                        return oci_error(r, "Failed to resume container '%s' after its hooks: %s",
                                                         id, strerror(-r));
                                continue;
                        }
                        __attribute__((fallthrough));
                default:
                        return setup_failed(id, &report);
                }
        }
}

/* A registration that could not be sent (ERROR NULL) or failed with R: fails create with systemd as the
 * cgroup manager (logged, -errno); is only a warning with another (0). */
static int registration_failed(OciInstance *i, int r, const char *error) {
        const char *id = i->state->id;

        /* Not ours to unregister in the clean-up: the name may be another's (machined refuses a second
         * machine of a name). Unless the call only timed out (machined may have done it anyway) and the
         * failure fails create, whose clean-up then unregisters it. */
        if (r != -ETIMEDOUT || arg_cgroup_manager != CGROUP_MANAGER_SYSTEMD)
                forget_machine(i->state);
        if (r == -ENOMEM)
                return oci_error(r, "Out of memory");
        /* sd-bus refuses such a string: say why, rather than "Invalid argument". */
        if (!error && r == -EINVAL && i->state->root && !utf8_is_valid_n(i->state->root, strlen(i->state->root)))
                error = "its root directory is not a UTF-8 path, which D-Bus cannot carry";
        if (arg_cgroup_manager == CGROUP_MANAGER_SYSTEMD)
                return oci_error(r, "Failed to register container '%s' with systemd-machined: %s", id,
                                 error ?: strerror(-r));
        oci_warning("Failed to register container '%s' with systemd-machined, ignoring: %s", id,
                    error ?: strerror(-r));
        return 0;
}

/* Sends the registration if it is not out yet (it normally went during the set-up). Returns 1 if it is out
 * and its answer is to be waited for, 0 if there is none (not a machine name, or a failure that is only a
 * warning), or logs and returns -errno. */
static int start_registration(OciInstance *i, CreateCalls *c) {
        int r;

        if (!c->register_machine) {
                oci_warning("Container id '%s' is not a valid machine name: not registering it with "
                            "systemd-machined", i->state->id);
                return 0;
        }
        maybe_register(i, c);
        if (c->register_error < 0) {
                r = registration_failed(i, c->register_error, NULL);
                return r < 0 ? r : 0;
        }
        return 1;
}

/* The registration's answer. Returns 0, or logs and returns -errno where a failure fails create. */
static int finish_registration(OciInstance *i, OciBus *bus, OciCall *registration) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = oci_call_wait(bus, registration, &error);
        if (r >= 0)
                return 0;
        return registration_failed(i, r, error);
}

static int state_init(OciInstance *i, const char *id, const char *bundle, bool no_new_keyring) {
        ContainerState *s;
        const OciStringMap *a = &i->oci->spec->annotations;

        s = i->state = new0(ContainerState, 1);
        if (!s)
                return -ENOMEM;
        s->status = CONTAINER_CREATING;
        s->owner = CONTAINER_OWNER_OCI_CLI;
        s->id = strdup(id);
        s->bundle = strdup(bundle);
        s->root = strdup(i->oci->config.root);
        if (!s->id || !s->bundle || !s->root)
                return -ENOMEM;
        (void) clock_gettime(CLOCK_REALTIME, &s->created);
        for (size_t k = 0; k < a->n; k++)
                if (strv_extend(&s->annotations, a->keys[k]) < 0 || strv_extend(&s->annotations, a->values[k]) < 0)
                        return -ENOMEM;
        if (strv_extend(&s->daemon, OCI_STATE_CGROUP_MANAGER) < 0 ||
            strv_extend(&s->daemon, cgroup_manager_to_string(arg_cgroup_manager)) < 0)
                return -ENOMEM;
        if (no_new_keyring &&
            (strv_extend(&s->daemon, OCI_STATE_NO_NEW_KEYRING) < 0 || strv_extend(&s->daemon, "yes") < 0))
                return -ENOMEM;
        return 0;
}

/* Records the init's identity (pidfd inode, start time: kept across its exec) and saves the state as STATUS.
 * Returns 0, or logs and returns -errno. */
static int identify_and_save(OciInstance *i, ContainerStatus status) {
        int r;

        if (i->state->start_time == 0) {
                r = leader_identify(i->pid, &i->state->pidfd_inode, &i->state->start_time, NULL);
                if (r < 0)
                        return oci_error(r, "Failed to identify the init of container '%s': %s", i->state->id,
                                         strerror(-r));
        }
        i->state->status = status;
        r = container_state_save(arg_root, i->state);
        if (r < 0)
                return oci_error(r, "Failed to save the state of container '%s': %s", i->state->id, strerror(-r));
        return 0;
}

static int create_container(const OciCreate *o, OciInstance *i, char **defaults, CreateCalls *calls) {
        _cleanup_free_ char *bundle = NULL, *error = NULL, *fifo = NULL, *text = NULL;
        _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms programs = {};
        size_t text_size = 0;
        char uuid[SD_ID128_UUID_STRING_MAX];
        ContainerConfig config;
        const char *id = o->id;
        struct stat st;
        _cleanup_(container_spawn_drop) Container c = {};
        int r;

        if (!container_id_is_valid(id))
                return oci_error(EINVAL, "Invalid container id '%s': 1-255 characters of A-Z a-z 0-9 _ + . -, "
                                 "not starting with '.'", id);

        /* The connections first: their handshakes (PID 1's auth, dbus-daemon's Hello) go on while the bundle
         * is read and the init is cloned and sets up (they only take calls later, and are closed on any
         * failure). */
        calls->register_machine = machine_name_is_valid(id);
        r = oci_bus_connect(&calls->bus, arg_cgroup_manager == CGROUP_MANAGER_SYSTEMD, calls->register_machine);
        if (r < 0)
                return oci_error(r, "Failed to connect to systemd: %s", strerror(-r));

        bundle = realpath(o->bundle ?: ".", NULL);
        if (!bundle)
                return oci_error(errno, "--bundle %s: %s", o->bundle ?: ".", strerror(errno));
        /* The state file keeps it: JSON, read back (state, kill, delete) only if it is UTF-8. */
        if (needs_terminal_escape(bundle, strlen(bundle), 0)) {
                _cleanup_free_ char *shown = printable_dup(bundle);
                return oci_error(EINVAL, "--bundle %s: not a UTF-8 path without control characters, which the "
                                 "container's state cannot keep", strempty(shown));
        }

        (void) sd_id128_randomize(&calls->machine_id);
        sd_id128_to_uuid_string(calls->machine_id, uuid);
        if (asprintf(&defaults[1], "container_uuid=%s", uuid) < 0)
                return oci_error(ENOMEM, "Out of memory");

        /* Everything that can be checked without side effects first: a bad bundle leaves nothing. The text
         * is kept for the copy in the state directory. */
        r = oci_container_load_full(bundle, id, defaults, OCI_MODEL_SECCOMP_UNCHECKED, &text, &text_size, &i->oci,
                                    &error);
        if (r == -ENOMEM)
                return oci_error(r, "Out of memory");
        if (r < 0)
                return oci_error(r, "%s/config.json: %s", bundle, error ?: strerror(-r));
        if (stat(i->oci->config.root, &st) < 0 || !S_ISDIR(st.st_mode))
                return oci_error(errno ?: ENOTDIR, "%s/config.json: root.path %s: %s", bundle, i->oci->config.root,
                                 strerror(errno ?: ENOTDIR));
        if (!i->oci->spec->process)
                return oci_error(EINVAL, "%s/config.json: process: required to create a container", bundle);
        if (arg_cgroup_manager == CGROUP_MANAGER_SYSTEMD) {
                _cleanup_free_ char *unit = NULL;

                if (oci_scope_name(id, i->oci, &unit) < 0)
                        return oci_error(ENOMEM, "Out of memory");
                if (strlen(unit) > UNIT_NAME_LENGTH_MAX)
                        return oci_error(ENAMETOOLONG, "Container id '%.32s…': the name of its scope would be %zu "
                                         "characters long, systemd takes at most %d (a shorter id, or a "
                                         "linux.cgroupsPath)", id, strlen(unit), UNIT_NAME_LENGTH_MAX);
        }
        /* The seccomp filters, from the cache when a container of the same config compiled them before;
         * otherwise the profile is compiled once more for its errors, which name the JSON path. (The only
         * trace a refused profile leaves is --root and its cache directory, made if missing.) */
        r = root_make();
        if (r < 0)
                return oci_error(r, "Failed to create the state directory %s: %s", arg_root, strerror(-r));
        r = oci_root_check();
        if (r < 0)
                return r == -ENOENT ? oci_error(r, "--root %s is gone", arg_root) : r;
        oci_mount_options_cache_save();
        if (oci_seccomp_programs_shared(&i->oci->config, &programs) != 1) {
                r = oci_container_check_seccomp(i->oci, &error);
                if (r == -ENOMEM)
                        return oci_error(r, "Out of memory");
                if (r < 0)
                        return oci_error(r, "%s/config.json: %s", bundle, error);
        }
        /* runc-style bundles always have some: for --debug, but a confinement that the config asks for and
         * the container goes without is a warning. */
        STRV_FOREACH(w, i->oci->warnings)
                if (startswith(*w, "process.apparmorProfile:") || startswith(*w, "process.selinuxLabel:"))
                        oci_warning("%s/config.json: %s", bundle, *w);
                else
                        oci_debug("%s/config.json: %s", bundle, *w);
        /* Without a cgroup manager, the container's cgroup is its caller's: never writable from inside
         * (cgroup.kill there would kill the caller). */
        if (arg_cgroup_manager == CGROUP_MANAGER_DISABLED && !i->oci->config.cgroup_read_only) {
                oci_warning("%s/config.json: the cgroup mount is read-only with --cgroup-manager disabled (the "
                            "container's cgroup is its caller's)", bundle);
                i->oci->config.cgroup_read_only = true;
        }
        /* The limits of linux.resources are the scope's properties: without systemd, nothing sets them. */
        if (arg_cgroup_manager != CGROUP_MANAGER_SYSTEMD && i->oci->n_scope_properties > 0) {
                _cleanup_free_ char *names = NULL;
                size_t n = 0;

                for (size_t k = 0; k < i->oci->n_scope_properties; k++)
                        n += strlen(i->oci->scope_properties[k].name) + 2;
                names = new0(char, n + 1);
                if (!names)
                        return oci_error(ENOMEM, "Out of memory");
                for (size_t k = 0; k < i->oci->n_scope_properties; k++) {
                        if (k > 0)
                                strcat(names, ", ");
                        strcat(names, i->oci->scope_properties[k].name);
                }
                oci_warning("%s/config.json: linux.resources: not applied with --cgroup-manager %s, only the "
                            "systemd cgroup manager sets them (as the scope's %s)", bundle,
                            arg_cgroup_manager == CGROUP_MANAGER_CGROUPFS ? "cgroupfs" : "disabled", names);
        }

        r = state_init(i, id, bundle, o->no_new_keyring);
        if (r < 0)
                return oci_error(r, "Out of memory");

        /* Before anything exists: a console socket nobody listens on leaves nothing behind. */
        if (i->oci->spec->process->terminal && o->console_socket) {
                r = oci_console_socket_connect(o->console_socket, &i->console_sock);
                if (r < 0)
                        return r;
                i->console_socket_path = o->console_socket;
        }

        r = make_state_dir(id, &i->dir_fd);
        if (r < 0)
                return r;
        /* From here on, failures are cleaned up by the caller (oci_runtime_destroy()); a create that is killed
         * is cleaned up by delete --force, which this file tells that it died. */
        r = save_creator(i->dir_fd);
        if (r < 0)
                oci_debug("Failed to record the creator of %s/%s, ignoring: %s", arg_root, id, strerror(-r));
        r = save_config_copy(i->dir_fd, text, text_size);
        if (r < 0)
                return oci_error(r, "Failed to keep a copy of %s/config.json in %s/%s: %s", bundle, arg_root, id,
                                 strerror(-r));
        if (asprintf(&fifo, "%s/%s/" OCI_RELEASE_FIFO, arg_root, id) < 0)
                return oci_error(ENOMEM, "Out of memory");
        if (mkfifo(fifo, 0600) < 0)
                return oci_error(errno, "Failed to create %s: %s", fifo, strerror(errno));

        config = i->oci->config;
        config.stdin_fd = STDIN_FILENO;
        config.stdout_fd = STDOUT_FILENO;
        config.stderr_fd = STDERR_FILENO;
        config.console_fd = -EBADF;
        config.preserve_fds = o->preserve_fds;
        config.no_pivot = o->no_pivot;
        config.keep_session_keyring = o->no_new_keyring;
        if (i->oci->spec->process->terminal) {
                const OciProcess *p = i->oci->spec->process;

                /* The init makes the pty in the container's devpts, once its /dev is there, and sends us the
                 * master (wait_setup()): to the console socket, or (run in the foreground) ours to relay. */
                if (!o->console_socket && !o->run)
                        return oci_error(EINVAL, "%s/config.json: process.terminal is set, but there is no "
                                         "--console-socket", bundle);
                config.console_pty = true;
                if (p->has_console_size) {
                        config.console_rows = p->console_height;
                        config.console_columns = p->console_width;
                }
        }
        config.manager_name = "machined-ext";
        config.uuid = uuid;
        config.release_fifo = fifo;

        if (programs.policy)
                config.seccomp_programs = &programs;

        r = container_spawn_full(&config, &c, NULL);
        if (r < 0)
                return oci_error(r, "Failed to create the namespaces of container '%s': %s", id, strerror(-r));
        container_reap_helper(&c);
        i->pid = c.pid;
        i->pidfd = c.pidfd;
        i->sync_fd = c.sync_fd;
        r = lock_state_dir(i);
        if (r < 0)
                return r;

        /* The scope now, while the init sets up its root: the two overlap, as in the daemon. The init waits to
         * be released, so it is in its unit before its payload runs (and before the hooks: see wait_setup()). */
        r = oci_cgroup_begin(&calls->bus, id, i->pid, i->oci, &calls->job, &i->state->unit);
        if (r < 0)
                return r;
        /* sd-bus only queued the call if it had not yet read PID 1's answer to the handshake. That answer
         * normally came while the bundle was read: then the call goes out now, not after the steps below
         * (if not, at the first wait, as before). */
        oci_systemd_kick(&calls->bus);
        /* With StartTransientUnit on its way: the init has its own fd table by now, or soon (container.h). */
        r = container_spawn_settle(&c);
        if (r < 0)
                oci_debug("The init of container '%s' is gone before it had its own fd table: %s", id, strerror(-r));
        /* The device policy's program, while systemd makes the scope and the init sets up. */
        r = oci_cgroup_device_policy(id, i->oci, &calls->device_policy);
        if (r < 0)
                return r;
        i->state->pid = i->pid;
        /* run: the state is saved now, while the init sets up and we would only wait, not between the set-up
         * and the release; it is saved again, complete and as running, after the release
         * (oci_runtime_release()). What a run that dies in between leaves, delete --force takes. */
        if (o->run) {
                r = identify_and_save(i, CONTAINER_CREATED);
                if (r < 0)
                        return r;
        }

        r = wait_setup(i, calls);
        if (r < 0)
                return r;
        r = finish_cgroup(i, calls);
        if (r < 0)
                return r;
        /* run: the answer comes while the payload is on its way (oci_runtime_registered()). */
        r = start_registration(i, calls);
        if (r > 0 && !o->run)
                r = finish_registration(i, &calls->bus, calls->registration);
        if (r < 0)
                return r;

        if (!o->run) {
                r = identify_and_save(i, CONTAINER_CREATED);
                if (r < 0)
                        return r;
        }

        if (o->pid_file) {
                r = oci_write_pid_file(o->pid_file, i->pid);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_runtime_create(const OciCreate *o, OciInstance **ret) {
        _cleanup_(oci_instance_freep) OciInstance *i = NULL;
        _cleanup_strv_free_ char **defaults = NULL;
        CreateCalls calls = { .device_policy = -EBADF };
        int r;

        i = new0(OciInstance, 1);
        if (!i)
                return oci_error(ENOMEM, "Out of memory");
        i->dir_fd = i->pidfd = i->sync_fd = i->console_sock = i->console_master = -EBADF;

        /* The container interface's variables, where process.env does not set them; the UUID is filled in by
         * create_container(). */
        defaults = new0(char *, 3);
        if (!defaults || !(defaults[0] = strdup("container=machined-ext")))
                return oci_error(ENOMEM, "Out of memory");

        r = create_container(o, i, defaults, &calls);
        if (r >= 0 && o->run) {
                i->bus = calls.bus;
                calls.bus = (OciBus) {};
                i->registration = TAKE_PTR(calls.registration);
        }
        /* A unit systemd would not make for us (linux.cgroupsPath may name any scope) is never stopped. */
        if (r < 0 && i->state && i->state->unit && !oci_cgroup_job_unit_is_ours(&calls.bus, calls.job)) {
                oci_debug("%s is not ours, leaving it alone.", i->state->unit);
                i->state->unit = mfree(i->state->unit);
        }
        create_calls_done(&calls);
        if (r < 0) {
                if (i->dir_fd >= 0 && i->state)
                        (void) oci_runtime_destroy_full(i->state, i->pidfd, i->dir_fd, i->oci, NULL);
                if (i->pidfd >= 0)
                        (void) waitid(P_PIDFD, i->pidfd, &(siginfo_t) {}, WEXITED);
                return r;
        }
        *ret = TAKE_PTR(i);
        return 0;
}

int oci_runtime_release(OciInstance *i) {
        int r;

        r = container_release(i->sync_fd);
        if (r < 0)
                return oci_error(r, "Failed to start container '%s': %s", i->state->id, strerror(-r));

        /* End-of-file on the socket (O_CLOEXEC) is the exec; a report is a failure. */
        for (;;) {
                ContainerReport report;

                r = container_read_report(i->sync_fd, &report, NULL);
                if (r == -EAGAIN) {
                        struct pollfd p = { .fd = i->sync_fd, .events = POLLIN };
                        if (poll(&p, 1, -1) < 0 && errno != EINTR)
                                return oci_error(errno, "poll: %s", strerror(errno));
                        continue;
                }
                if (r == 0)
                        break;
                if (r < 0)
                        return oci_error(r, "Failed to read the start report of container '%s': %s", i->state->id,
                                         strerror(-r));
                if (report.stage == CONTAINER_STAGE_WARNING) {
                        oci_warning("Container %s: %s: %s", i->state->id, report.detail, strerror(report.error));
                        continue;
                }
                _cleanup_free_ char *what = container_report_message(&report);
                return oci_error(report.error ?: EIO, "Failed to start container '%s': %s", i->state->id,
                                 what ?: "out of memory");
        }
        i->sync_fd = safe_close(i->sync_fd);

        r = identify_and_save(i, CONTAINER_RUNNING);
        if (r < 0)
                return r;
        (void) oci_run_hooks(i->oci, i->state->id, OCI_HOOK_POSTSTART, "running", i->pid, 4);
        return 0;
}

int oci_runtime_registered(OciInstance *i) {
        _cleanup_(oci_call_freep) OciCall *registration = TAKE_PTR(i->registration);
        _cleanup_free_ char *error = NULL;
        int r;

        if (!registration)
                return 0;
        r = oci_call_wait(&i->bus, registration, &error);
        if (r >= 0)
                return 0;
        /* machined takes the unit from the leader's cgroup, which a payload that is done may have left. The
         * run is complete without it; a registration that went through anyway is undone by the clean-up. */
        if (pidfd_has_exited(i->pidfd)) {
                oci_debug("Container '%s' exited before systemd-machined registered it: %s", i->state->id,
                          error ?: strerror(-r));
                if (r != -ETIMEDOUT)
                        forget_machine(i->state);
                return 0;
        }
        return registration_failed(i, r, error);
}

int oci_runtime_wait(OciInstance *i, siginfo_t *ret) {
        usec_t end = now(CLOCK_MONOTONIC) + OCI_RUN_KEEP_BUS_USEC;
        int r;

        /* A payload that ends soon (a build step, a test) finds the connections for its clean-up open, which
         * then needs no new handshakes with a systemd and a dbus-daemon that are busy with its scope's end. A
         * longer one gives them up after OCI_RUN_KEEP_BUS_USEC (see OciBus). A terminal's relay keeps none. */
        if (i->console_master >= 0) {
                oci_bus_done(&i->bus);
                (void) oci_console_relay(i->console_master, i->pidfd);
        }
        for (;;) {
                usec_t t;

                *ret = (siginfo_t) {};
                if (waitid(P_PIDFD, i->pidfd, ret, WEXITED | WNOHANG) >= 0 && ret->si_pid != 0)
                        return 0;
                t = now(CLOCK_MONOTONIC);
                if (t >= end || (!i->bus.systemd && !i->bus.machined))
                        break;
                r = oci_bus_wait(&i->bus, i->pidfd, end - t);
                if (r < 0)
                        break;
        }
        oci_bus_done(&i->bus);
        while (waitid(P_PIDFD, i->pidfd, ret, WEXITED) < 0)
                if (errno != EINTR)
                        return oci_error(errno, "Failed to wait for container '%s': %s", i->state->id,
                                         strerror(errno));
        return 0;
}
