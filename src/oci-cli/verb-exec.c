/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec [OPTIONS] ID [ARGS...]: a new process in a running container, described by --process FILE (a
 * runtime-spec Process object) or by the container's own process with ARGS and the options applied. The
 * description goes through the bundle parser and front-end like config.json's (as the "process" of a minimal
 * spec); container_exec() (enter.c) joins the container's cgroup and namespaces and gives it the container's
 * seccomp filter and at most its bounding set. */

#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "container.h"
#include "priv/priv.h"
#include "runtime.h"
#include "seccomp-cache.h"
#include "strv.h"

typedef struct ExecOptions {
        const char *process;
        const char *console_socket;
        const char *pid_file;
        const char *cwd;
        const char *user;
        char **env;
        char **caps;
        bool tty;
        bool detach;
        bool no_new_privs;
        unsigned preserve_fds;
} ExecOptions;

static int json_set(json_object *o, const char *key, json_object *v) {
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static json_object *strv_to_json(char **l) {
        json_object *a = json_object_new_array();

        STRV_FOREACH(s, l)
                if (a && json_object_array_add(a, json_object_new_string(*s)) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

/* The process object: the container's own (of its config.json's TEXT, SIZE bytes, read once for both), with
 * ARGS and the options on top. */
static int build_process(const char *text, size_t size, const ExecOptions *o, char **args, json_object **ret) {
        json_object *config, *process, *p, *v;
        json_tokener *tok;
        int r = 0;

        tok = json_tokener_new();
        if (!tok)
                return oci_error(ENOMEM, "Out of memory");
        config = json_tokener_parse_ex(tok, text, (int) size);
        json_tokener_free(tok);
        if (!config)
                return oci_error(EBADMSG, "Failed to parse the container's config.json");
        if (!json_object_object_get_ex(config, "process", &process) || !json_object_is_type(process, json_type_object)) {
                json_object_put(config);
                return oci_error(EINVAL, "The container's config.json has no process");
        }
        p = json_object_get(process);
        json_object_put(config);

        if (json_set(p, "args", strv_to_json(args)) < 0)
                r = -ENOMEM;
        json_object_object_add(p, "terminal", json_object_new_boolean(o->tty));
        if (r >= 0 && o->cwd)
                r = json_set(p, "cwd", json_object_new_string(o->cwd));
        if (r >= 0 && o->env) {
                json_object *env;
                if (!json_object_object_get_ex(p, "env", &env) || !json_object_is_type(env, json_type_array)) {
                        env = json_object_new_array();
                        r = json_set(p, "env", env);
                }
                STRV_FOREACH(e, o->env)
                        if (r >= 0 && json_object_array_add(env, json_object_new_string(*e)) < 0)
                                r = -ENOMEM;
        }
        if (r >= 0 && o->user) {
                unsigned uid, gid = 0;
                char c;
                json_object *u = json_object_new_object();

                if (sscanf(o->user, "%u:%u%c", &uid, &gid, &c) != 2 && sscanf(o->user, "%u%c", &uid, &c) != 1) {
                        json_object_put(u);
                        json_object_put(p);
                        return oci_error(EINVAL, "--user: expected UID[:GID], got '%s'", o->user);
                }
                if (!u || json_set(u, "uid", json_object_new_int64(uid)) < 0 ||
                    json_set(u, "gid", json_object_new_int64(gid)) < 0 || json_set(p, "user", u) < 0)
                        r = -ENOMEM;
        }
        if (r >= 0 && o->caps) {
                /* Added to the bounding, effective and permitted sets (the container's bounding set still
                 * limits them), and to the ambient one only if the process has inheritable capabilities
                 * already; never to the inheritable set, which an exec'd program's children would keep
                 * through files' inheritable capabilities (runc's fix of CVE-2022-29162). */
                static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
                json_object *caps;
                size_t n_sets = 3;
                if (!json_object_object_get_ex(p, "capabilities", &caps)) {
                        caps = json_object_new_object();
                        r = json_set(p, "capabilities", caps);
                } else if (json_object_object_get_ex(caps, "inheritable", NULL))
                        n_sets = 4;
                for (size_t i = 0; r >= 0 && i < n_sets; i++) {
                        if (!json_object_object_get_ex(caps, sets[i], &v)) {
                                v = json_object_new_array();
                                r = json_set(caps, sets[i], v);
                        }
                        STRV_FOREACH(cap, o->caps)
                                if (r >= 0 && json_object_array_add(v, json_object_new_string(*cap)) < 0)
                                        r = -ENOMEM;
                }
        }
        if (r >= 0 && o->no_new_privs)
                r = json_set(p, "noNewPrivileges", json_object_new_boolean(true));
        if (r < 0) {
                json_object_put(p);
                return oci_error(r, "Out of memory");
        }
        *ret = p;
        return 0;
}

/* The process object as a model: the spec parser and the OCI front-end, on a minimal spec around it. */
static int process_model(json_object *p, const char *bundle, const char *id, OciContainer **ret) {
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_free_ char *error = NULL, *doc = NULL;
        const char *text;
        int r;

        text = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
        if (asprintf(&doc, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/\"},\"process\":%s}", text) < 0)
                return oci_error(ENOMEM, "Out of memory");
        r = oci_spec_parse(doc, strlen(doc), &spec, &error);
        if (r >= 0)
                r = oci_container_from_spec_full(TAKE_PTR(spec), bundle, id, NULL, OCI_MODEL_NO_MOUNTS | OCI_MODEL_EXEC,
                                                 ret, &error);
        if (r < 0)
                return oci_error(r, "exec: %s", error ?: strerror(-r));
        return 0;
}

static int wait_exec(int fd, const char *id) {
        for (;;) {
                ContainerReport report;
                int r;

                r = container_read_report(fd, &report, NULL);
                if (r == -EAGAIN) {
                        struct pollfd p = { .fd = fd, .events = POLLIN };
                        (void) poll(&p, 1, -1);
                        continue;
                }
                if (r == 0)
                        return 0;
                if (r < 0)
                        return oci_error(r, "Failed to read the report of exec in '%s': %s", id, strerror(-r));
                if (report.stage == CONTAINER_STAGE_WARNING)
                        continue;
                _cleanup_free_ char *what = container_report_message(&report);
                return oci_error(report.error ?: EIO, "Failed to exec in container '%s': %s", id,
                                 what ?: "out of memory");
        }
}

static int parse_options(int argc, char **argv, ExecOptions *o) {
        enum {
                ARG_CONSOLE_SOCKET = 0x100,
                ARG_PID_FILE,
                ARG_CWD,
                ARG_CAP,
                ARG_NO_NEW_PRIVS,
                ARG_PRESERVE_FDS,
                ARG_IGNORED,
        };
        static const struct option options[] = {
                { "process",        required_argument, NULL, 'p'                },
                { "tty",            no_argument,       NULL, 't'                },
                { "console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET },
                { "detach",         no_argument,       NULL, 'd'                },
                { "pid-file",       required_argument, NULL, ARG_PID_FILE       },
                { "env",            required_argument, NULL, 'e'                },
                { "cwd",            required_argument, NULL, ARG_CWD            },
                { "user",           required_argument, NULL, 'u'                },
                { "cap",            required_argument, NULL, ARG_CAP            },
                { "no-new-privs",   no_argument,       NULL, ARG_NO_NEW_PRIVS   },
                { "preserve-fds",   required_argument, NULL, ARG_PRESERVE_FDS   },
                { "process-label",  required_argument, NULL, ARG_IGNORED        },
                { "apparmor",       required_argument, NULL, ARG_IGNORED        },
                {}
        };
        int c;

        /* "+": the command's own options after the id are its arguments. */
        while ((c = getopt_long(argc, argv, "+p:tde:u:", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        o->process = optarg;
                        break;
                case 't':
                        o->tty = true;
                        break;
                case ARG_CONSOLE_SOCKET:
                        o->console_socket = optarg;
                        break;
                case 'd':
                        o->detach = true;
                        break;
                case ARG_PID_FILE:
                        o->pid_file = optarg;
                        break;
                case 'e':
                        if (!strchr(optarg, '='))
                                return oci_error(EINVAL, "--env: expected KEY=VALUE, got '%s'", optarg);
                        if (strv_extend(&o->env, optarg) < 0)
                                return oci_error(ENOMEM, "Out of memory");
                        break;
                case ARG_CWD:
                        o->cwd = optarg;
                        break;
                case 'u':
                        o->user = optarg;
                        break;
                case ARG_CAP:
                        if (strv_extend(&o->caps, optarg) < 0)
                                return oci_error(ENOMEM, "Out of memory");
                        break;
                case ARG_NO_NEW_PRIVS:
                        o->no_new_privs = true;
                        break;
                case ARG_PRESERVE_FDS:
                        if (oci_parse_preserve_fds(optarg, &o->preserve_fds) < 0)
                                return -EINVAL;
                        break;
                case ARG_IGNORED:
                        break;
                default:
                        return -EINVAL;
                }
        if (optind >= argc)
                return oci_error(EINVAL, "exec: expected a container id");
        if (!o->process && optind + 1 >= argc)
                return oci_error(EINVAL, "exec: expected a command (or --process FILE)");
        return 0;
}

int verb_exec(int argc, char **argv) {
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
        _cleanup_(oci_container_freep) OciContainer *container = NULL, *proc = NULL;
        _cleanup_close_ int console_sock = -EBADF, master = -EBADF, pidfd = -EBADF, report_fd = -EBADF;
        _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms programs = {};
        _cleanup_free_ char *text = NULL, *error = NULL;
        size_t text_size = 0;
        ExecOptions o = {};
        json_object *p = NULL;
        ContainerConfig config;
        ContainerReport failure = {};
        siginfo_t si = {};
        const char *id;
        pid_t pid;
        int r, ret = EXIT_FAILURE;

        if (parse_options(argc, argv, &o) < 0)
                goto finish;
        id = argv[optind];
        if (oci_runtime_load(id, &l) < 0)
                goto finish;
        /* Not a created one (runc's exec takes it): our init waits for start before it drops its privileges
         * (the bundle's capabilities, bounding set and user are applied after start), which a process put
         * beside it could reach, with CAP_SYS_PTRACE. runc's init drops them before it waits. */
        if (l->status != CONTAINER_RUNNING) {
                oci_error(ESRCH, "Container '%s' is %s, not running", id, container_status_to_string(l->status));
                goto finish;
        }
        /* The config the container was created with (its mounts are made: left out of the model). */
        r = oci_runtime_load_config(l->state, OCI_MODEL_NO_MOUNTS | OCI_MODEL_SECCOMP_UNCHECKED, &text, &text_size,
                                    &container, &error);
        if (r < 0) {
                oci_error(r, "%s", error ?: strerror(-r));
                goto finish;
        }
        /* The container's filters, kept in its state directory; the first exec takes them from the cache
         * create filled (or compiles them there). If that fails, the process compiles them itself and reports
         * what failed. */
        r = container_seccomp_cache_load(l->dir_fd, &container->config, &programs);
        if (r < 0) {
                if (r != -ENOENT)
                        oci_debug("The seccomp cache of '%s' is not used: %s", id, strerror(-r));
                r = oci_seccomp_programs_shared(&container->config, &programs);
                /* Not from a cache: the profile (the state's copy may have been edited since create) is
                 * compiled once more, for its errors, which name the JSON path. */
                if (r != 1) {
                        int k = oci_container_check_seccomp(container, &error);

                        if (k < 0) {
                                oci_error(k, "The config of container '%s': %s", id, error ?: strerror(-k));
                                goto finish;
                        }
                }
                if (r >= 0) {
                        r = container_seccomp_cache_save(l->dir_fd, &container->config, &programs);
                        if (r < 0)
                                oci_debug("Failed to save the seccomp cache of '%s': %s", id, strerror(-r));
                }
        }
        if (programs.policy)
                container->config.seccomp_programs = &programs;

        if (o.process) {
                p = json_object_from_file(o.process);
                if (!p) {
                        oci_error(EBADMSG, "--process %s: not a JSON document", o.process);
                        goto finish;
                }
        } else if (build_process(text, text_size, &o, argv + optind + 1, &p) < 0)
                goto finish;
        if (process_model(p, l->state->bundle, id, &proc) < 0)
                goto finish;
        /* execCPUAffinity.initial is the runtime's, as runc's parent thread: the process inherits it at its
         * birth (where the cgroup's cpuset allows) and gets its final CPUs before its exec. */
        if (proc->exec_affinity_initial) {
                r = priv_sched_setaffinity(proc->exec_affinity_initial);
                if (r < 0) {
                        oci_error(r, "exec: process.execCPUAffinity.initial: %s", strerror(-r));
                        goto finish;
                }
        }

        config = proc->config;
        config.stdin_fd = STDIN_FILENO;
        config.stdout_fd = STDOUT_FILENO;
        config.stderr_fd = STDERR_FILENO;
        config.controlling_tty = false;
        config.preserve_fds = o.preserve_fds;
        config.keep_session_keyring = streq_ptr(oci_state_get(l->state, OCI_STATE_NO_NEW_KEYRING), "yes");
        if (proc->spec->process->terminal) {
                const OciProcess *tp = proc->spec->process;

                /* A pty of the container's devpts (container_exec(), inside its namespaces): its master goes
                 * to the console socket, or we relay it in the foreground, as runc. */
                if (o.console_socket) {
                        if (oci_console_socket_connect(o.console_socket, &console_sock) < 0)
                                goto finish;
                } else if (o.detach) {
                        oci_error(EINVAL, "exec: a terminal (--tty, process.terminal) with --detach needs "
                                  "--console-socket");
                        goto finish;
                }
                config.exec_pty = true;
                if (tp->has_console_size) {
                        config.exec_pty_rows = tp->console_height;
                        config.exec_pty_columns = tp->console_width;
                }
        }

        /* Our lock is not for the process to keep (the helper shares our fds until it execs). */
        l->dir_fd = safe_close(l->dir_fd);
        r = container_exec_full(l->pidfd, l->state->pid, l->state->cgroup, &config, &container->config, &pidfd,
                                &pid, &report_fd, config.exec_pty ? &master : NULL, &failure);
        if (r == -EPROTO) {
                _cleanup_free_ char *what = container_report_message(&failure);
                oci_error(failure.error ?: EIO, "Failed to join container '%s': %s", id, what ?: "out of memory");
                goto finish;
        }
        if (r < 0) {
                oci_error(r, "Failed to join container '%s': %s", id, strerror(-r));
                goto finish;
        }
        if (console_sock >= 0) {
                if (oci_console_socket_send(console_sock, o.console_socket, master) < 0) {
                        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
                        goto finish;
                }
                master = safe_close(master);
        }
        if (wait_exec(report_fd, id) < 0) {
                (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
                goto finish;
        }
        /* As create writes it; a process whose pid could not be told is not left behind. */
        if (o.pid_file && oci_write_pid_file(o.pid_file, pid) < 0) {
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
                goto finish;
        }
        if (o.detach) {
                ret = EXIT_SUCCESS;
                goto finish;
        }
        /* In a session of its own (init_setup_stdio()): a terminal's ^C reaches it through us, as run's. */
        oci_forward_signals(pidfd);
        if (master >= 0 && oci_console_relay(master, pidfd) < 0) {
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
                goto finish;
        }
        while (waitid(P_PIDFD, pidfd, &si, WEXITED) < 0)
                if (errno != EINTR) {
                        oci_error(errno, "Failed to wait for the process: %s", strerror(errno));
                        goto finish;
                }
        ret = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
finish:
        json_object_put(p);
        strv_free(o.env);
        strv_free(o.caps);
        return ret;
}
