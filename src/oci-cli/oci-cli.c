/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* machined-ext-oci: the global options, the output of errors (text or JSON, stderr and --log), and the verbs'
 * table. Every verb is its own file (verb-*.c). */

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "container-config.h"
#include "fd-util.h"
#include "mount-options-cache.h"
#include "oci-cli.h"
#include "parse-util.h"
#include "priv/priv.h"
#include "state.h"
#include "util.h"

const char *arg_root = OCI_ROOT_DEFAULT;
const char *arg_log_path = NULL;
bool arg_log_json = false;
bool arg_debug = false;
CgroupManager arg_cgroup_manager = CGROUP_MANAGER_SYSTEMD;

static const char *const cgroup_manager_table[_CGROUP_MANAGER_MAX] = {
        [CGROUP_MANAGER_SYSTEMD] = "systemd",
        [CGROUP_MANAGER_CGROUPFS] = "cgroupfs",
        [CGROUP_MANAGER_DISABLED] = "disabled",
};

const char *cgroup_manager_to_string(CgroupManager m) {
        return m >= 0 && m < _CGROUP_MANAGER_MAX ? cgroup_manager_table[m] : NULL;
}

CgroupManager cgroup_manager_from_string(const char *s) {
        for (CgroupManager m = 0; m < _CGROUP_MANAGER_MAX; m++)
                if (streq_ptr(s, cgroup_manager_table[m]))
                        return m;
        return _CGROUP_MANAGER_INVALID;
}

static const char *level_name(int level) {
        return level <= 3 ? "error" : level == 4 ? "warning" : level <= 6 ? "info" : "debug";
}

/* One line: text, or {"level","msg","time"} (what runc writes, and podman and containerd read). */
static void log_line(FILE *f, bool json, int level, const char *msg) {
        if (json) {
                struct timespec ts;
                _cleanup_free_ char *t = NULL;
                json_object *o = json_object_new_object();

                (void) clock_gettime(CLOCK_REALTIME, &ts);
                (void) rfc3339_format(&ts, &t);
                if (!o)
                        return;
                (void) json_object_object_add(o, "level", json_object_new_string(level_name(level)));
                (void) json_object_object_add(o, "msg", json_object_new_string(msg));
                (void) json_object_object_add(o, "time", json_object_new_string(strempty(t)));
                fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
        } else if (level <= 3)
                fprintf(f, "machined-ext-oci: %s\n", msg);
        else
                fprintf(f, "machined-ext-oci: %s: %s\n", level_name(level), msg);
        fflush(f);
}

int oci_parse_format(const char *arg, bool *ret_json) {
        if (!streq(arg, "json") && !streq(arg, "table"))
                return oci_error(EINVAL, "--format: expected table or json, got '%s'", arg);
        *ret_json = streq(arg, "json");
        return 0;
}

int oci_parse_preserve_fds(const char *arg, unsigned *ret) {
        uint64_t n;

        if (parse_u64(arg, &n) < 0 || n > CONTAINER_PRESERVE_FDS_MAX)
                return oci_error(EINVAL, "--preserve-fds: expected a number of fds up to %u, got '%s'",
                                 CONTAINER_PRESERVE_FDS_MAX, arg);
        /* They are passed as they are: each must be open now, or another fd of ours could take its number. */
        for (uint64_t fd = 3; fd < 3 + n; fd++)
                if (fcntl((int) fd, F_GETFD) < 0)
                        return oci_error(EBADF, "--preserve-fds %s: fd %" PRIu64 " is not open", arg, fd);
        *ret = (unsigned) n;
        return 0;
}

int oci_log(int level, int error, const char *format, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (level >= 7 && !arg_debug)
                return -abs(error);

        va_start(ap, format);
        r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r < 0)
                return -abs(error);
        /* One line, whatever a path or an id contained. */
        for (char *c = msg; *c; c++)
                if ((unsigned char) *c < ' ' || *c == 0x7f)
                        *c = '?';

        if (arg_log_path) {
                /* 0644 whatever the umask, as runc's: engines parse these lines, only root may add any. */
                int fd = open(arg_log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_CLOEXEC, 0644);
                _cleanup_fclose_ FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
                if (fd >= 0 && !f)
                        close(fd);
                if (f)
                        log_line(f, arg_log_json, level, msg);
        }
        if (level <= 3 || !arg_log_path)
                log_line(stderr, arg_log_json, level, msg);
        return -abs(error);
}

typedef struct Verb {
        const char *name;
        int (*func)(int argc, char **argv);
        bool enters_container;  /* clones a process that ends up in a container */
} Verb;

static const Verb verbs[] = {
        { "create",   verb_create,  true },
        { "start",    verb_start    },
        { "run",      verb_run,     true },
        { "state",    verb_state    },
        { "kill",     verb_kill     },
        { "delete",   verb_delete   },
        { "list",     verb_list     },
        { "spec",     verb_spec     },
        { "features", verb_features },
        { "exec",     verb_exec,    true },
        { "pause",    verb_pause    },
        { "resume",   verb_resume   },
        { "ps",       verb_ps       },
        { "update",   verb_update   },
};

static void help(void) {
        printf("machined-ext-oci [OPTIONS...] COMMAND [ARGS...]\n\n"
               "An OCI runtime (runc and crun compatible) whose containers are systemd machines.\n\n"
               "Commands:\n"
               "  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--no-pivot]\n"
               "         [--no-new-keyring] [--preserve-fds N] ID\n"
               "                         Create a container; its process waits for start\n"
               "  start ID               Run the created container's process\n"
               "  run [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--detach] [--no-pivot]\n"
               "      [--no-new-keyring] [--preserve-fds N] ID\n"
               "                         Create and start; wait for it and exit with its status\n"
               "  state ID               Show the state of a container as JSON\n"
               "  kill [--all] ID [SIGNAL]\n"
               "                         Send a signal (default SIGTERM) to the container\n"
               "  delete [--force] ID    Remove a stopped (with --force: any) container\n"
               "  list [--format table|json] [--quiet]\n"
               "                         List the containers\n"
               "  exec [--process FILE] [--tty] [--console-socket SOCKET] [--detach] [--pid-file FILE]\n"
               "       [--env KEY=VALUE] [--cwd DIR] [--user UID[:GID]] [--cap CAP] [--no-new-privs] ID [ARGS...]\n"
               "                         Run a new process in the container\n"
               "  pause ID               Freeze every process of the container\n"
               "  resume ID              Thaw them\n"
               "  ps [--format table|json] ID\n"
               "                         List the processes of the container\n"
               "  update --resources FILE|- ID\n"
               "                         Change the resources of its scope\n"
               "  spec [--bundle DIR]    Write a default config.json\n"
               "  features               Show what this runtime supports as JSON\n\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --root=DIR          State directory (default " OCI_ROOT_DEFAULT ")\n"
               "     --log=FILE          Also write messages to FILE\n"
               "     --log-format=FORMAT Format of messages: text or json\n"
               "     --systemd-cgroup    Same as --cgroup-manager=systemd\n"
               "     --cgroup-manager=MANAGER\n"
               "                         systemd (a transient scope, the default), cgroupfs or disabled\n"
               "     --debug             Also show debug messages\n");
}

static int run(int argc, char **argv) {
        enum {
                ARG_VERSION = 0x100,
                ARG_ROOT,
                ARG_LOG,
                ARG_LOG_FORMAT,
                ARG_LOG_LEVEL,
                ARG_SYSTEMD_CGROUP,
                ARG_CGROUP_MANAGER,
                ARG_DEBUG,
                ARG_ROOTLESS,
        };
        static const struct option options[] = {
                { "help",           no_argument,       NULL, 'h'                },
                { "version",        no_argument,       NULL, ARG_VERSION        },
                { "root",           required_argument, NULL, ARG_ROOT           },
                { "log",            required_argument, NULL, ARG_LOG            },
                { "log-format",     required_argument, NULL, ARG_LOG_FORMAT     },
                { "log-level",      required_argument, NULL, ARG_LOG_LEVEL      },
                { "systemd-cgroup", no_argument,       NULL, ARG_SYSTEMD_CGROUP },
                { "cgroup-manager", required_argument, NULL, ARG_CGROUP_MANAGER },
                { "debug",          no_argument,       NULL, ARG_DEBUG          },
                { "rootless",       required_argument, NULL, ARG_ROOTLESS       },
                {}
        };
        int c;

        /* "+": the options end at the verb, which has its own. */
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                case ARG_VERSION:
                        printf("machined-ext-oci version %s\nspec: 1.2.0\n", PACKAGE_VERSION);
                        return EXIT_SUCCESS;
                case ARG_ROOT:
                        arg_root = optarg;
                        break;
                case ARG_LOG:
                        arg_log_path = optarg;
                        break;
                case ARG_LOG_FORMAT:
                        if (streq(optarg, "json"))
                                arg_log_json = true;
                        else if (streq(optarg, "text"))
                                arg_log_json = false;
                        else {
                                oci_error(EINVAL, "--log-format: expected text or json, got '%s'", optarg);
                                return EXIT_FAILURE;
                        }
                        break;
                case ARG_LOG_LEVEL:
                        if (streq(optarg, "debug"))
                                arg_debug = true;
                        break;
                case ARG_SYSTEMD_CGROUP:
                        arg_cgroup_manager = CGROUP_MANAGER_SYSTEMD;
                        break;
                case ARG_CGROUP_MANAGER:
                        arg_cgroup_manager = cgroup_manager_from_string(optarg);
                        if (arg_cgroup_manager < 0) {
                                oci_error(EINVAL, "--cgroup-manager: expected systemd, cgroupfs or disabled, got '%s'",
                                          optarg);
                                return EXIT_FAILURE;
                        }
                        break;
                case ARG_DEBUG:
                        arg_debug = true;
                        break;
                case ARG_ROOTLESS:
                        if (!streq(optarg, "false") && !streq(optarg, "auto")) {
                                oci_error(EOPNOTSUPP, "--rootless: only root can use this runtime");
                                return EXIT_FAILURE;
                        }
                        break;
                case '?':
                        return EXIT_FAILURE;
                default:
                        return EXIT_FAILURE;
                }

        if (arg_root[0] != '/') {
                oci_error(EINVAL, "--root: must be an absolute path: %s", arg_root);
                return EXIT_FAILURE;
        }
        /* libmount's answers for the mount options of config.json, kept in --root (read when first asked). */
        {
                _cleanup_free_ char *cache_dir = NULL;

                if (asprintf(&cache_dir, "%s/" MOUNT_OPTIONS_CACHE_DIR_OCI, arg_root) < 0 ||
                    mount_options_cache_use(cache_dir) < 0) {
                        oci_error(ENOMEM, "Out of memory");
                        return EXIT_FAILURE;
                }
        }
        if (optind >= argc) {
                oci_error(EINVAL, "No command given (see --help)");
                return EXIT_FAILURE;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name)) {
                        int n = argc - optind;

                        /* These put processes of ours into a container: they run from a read-only mount of
                         * this binary (priv.h, CVE-2019-5736). getopt's "+" left ARGV as it came. */
                        if (verbs[i].enters_container) {
                                int r = priv_exec_self_read_only(argv);
                                if (r < 0) {
                                        oci_error(-r, "Failed to run from a read-only mount of this program's "
                                                  "file, which keeps a container from rewriting it: %s",
                                                  strerror(-r));
                                        return EXIT_FAILURE;
                                }
                        }
                        optind = 0; /* the verb parses its own options, from its argv[1] */
                        return verbs[i].func(n, argv + (argc - n));
                }
        if (streq(argv[optind], "checkpoint") || streq(argv[optind], "restore"))
                oci_error(EOPNOTSUPP, "%s: not supported", argv[optind]);
        else
                oci_error(EINVAL, "Unknown command '%s' (see --help)", argv[optind]);
        return EXIT_FAILURE;
}

int main(int argc, char **argv) {
        int fd, r;

        /* Before anything is opened: our stdio is the payload's (fd-util.h). */
        r = stdio_ensure_open(&fd);
        if (r < 0) {
                oci_error(r, "fd %d is closed, and /dev/null cannot be opened in its place: %s", fd, strerror(-r));
                cli_exit(EXIT_FAILURE);
        }
        cli_exit(run(argc, argv));
}
