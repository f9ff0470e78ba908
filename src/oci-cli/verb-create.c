/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* create and run: runtime-create.c does the work; run then releases the container and, in the foreground,
 * waits for it, forwards signals to it, removes it and exits with its status. */

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "runtime.h"

static int parse_create_options(int argc, char **argv, bool run, OciCreate *o, bool *ret_detach) {
        enum {
                ARG_PID_FILE = 0x100,
                ARG_CONSOLE_SOCKET,
                ARG_NO_PIVOT,
                ARG_NO_NEW_KEYRING,
                ARG_PRESERVE_FDS,
                ARG_CONFIG,
                ARG_KEEP,
                ARG_NO_SUBREAPER,
        };
        static const struct option options[] = {
                { "bundle",         required_argument, NULL, 'b'                },
                { "pid-file",       required_argument, NULL, ARG_PID_FILE       },
                { "console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET },
                { "no-pivot",       no_argument,       NULL, ARG_NO_PIVOT       },
                { "no-new-keyring", no_argument,       NULL, ARG_NO_NEW_KEYRING },
                { "preserve-fds",   required_argument, NULL, ARG_PRESERVE_FDS   },
                { "config",         required_argument, NULL, ARG_CONFIG         },
                { "detach",         no_argument,       NULL, 'd'                },
                { "keep",           no_argument,       NULL, ARG_KEEP           },
                { "no-subreaper",   no_argument,       NULL, ARG_NO_SUBREAPER   },
                {}
        };
        const char *config = NULL;
        int c;

        while ((c = getopt_long(argc, argv, run ? "b:d" : "b:", options, NULL)) >= 0)
                switch (c) {
                case 'b':
                        o->bundle = optarg;
                        break;
                case ARG_PID_FILE:
                        o->pid_file = optarg;
                        break;
                case ARG_CONSOLE_SOCKET:
                        o->console_socket = optarg;
                        break;
                case ARG_NO_PIVOT:
                        o->no_pivot = true;
                        break;
                case ARG_NO_NEW_KEYRING:
                        o->no_new_keyring = true;
                        break;
                case ARG_NO_SUBREAPER:
                case ARG_KEEP:
                        break;
                case ARG_PRESERVE_FDS:
                        if (oci_parse_preserve_fds(optarg, &o->preserve_fds) < 0)
                                return -EINVAL;
                        break;
                case ARG_CONFIG:
                        config = optarg;
                        break;
                case 'd':
                        if (!run)
                                return oci_error(EINVAL, "--detach: only for run");
                        *ret_detach = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind != argc - 1)
                return oci_error(EINVAL, "%s: expected exactly one container id", argv[0]);
        o->id = argv[optind];
        if (config) {
                /* Only the bundle's own: create keeps a copy of it in the state directory, which exec and
                 * the hooks read later. */
                _cleanup_free_ char *want = NULL, *a = NULL, *b = NULL;
                if (asprintf(&want, "%s/config.json", o->bundle ?: ".") < 0)
                        return oci_error(ENOMEM, "Out of memory");
                a = realpath(config, NULL);
                b = realpath(want, NULL);
                if (!a || !b || !streq(a, b))
                        return oci_error(EOPNOTSUPP, "--config %s: only the bundle's config.json is supported", config);
        }
        return 0;
}

int verb_create(int argc, char **argv) {
        _cleanup_(oci_instance_freep) OciInstance *i = NULL;
        OciCreate o = {};
        bool detach = false;

        if (parse_create_options(argc, argv, false, &o, &detach) < 0)
                return EXIT_FAILURE;
        if (oci_runtime_create(&o, &i) < 0)
                return EXIT_FAILURE;
        /* The init waits on the FIFO; our end of its socket closes with us, which it takes calmly. */
        return EXIT_SUCCESS;
}

int verb_run(int argc, char **argv) {
        _cleanup_(oci_instance_freep) OciInstance *i = NULL;
        OciCreate o = { .run = true };
        bool detach = false;
        siginfo_t si = {};
        int r;

        if (parse_create_options(argc, argv, true, &o, &detach) < 0)
                return EXIT_FAILURE;
        if (detach && o.console_socket == NULL) {
                /* Fine: the payload keeps our stdio. */
        }
        o.run = !detach;
        if (oci_runtime_create(&o, &i) < 0)
                return EXIT_FAILURE;

        /* Signals for the container from here on (a terminal's ^C, a supervisor's SIGTERM). */
        if (!detach)
                oci_forward_signals(i->pidfd);

        r = oci_runtime_release(i);
        if (r >= 0 && !detach)
                r = oci_runtime_registered(i);
        if (r < 0) {
                (void) oci_runtime_destroy_full(i->state, i->pidfd, i->dir_fd, i->oci, &i->bus);
                (void) waitid(P_PIDFD, i->pidfd, &si, WEXITED);
                return EXIT_FAILURE;
        }
        if (detach)
                return EXIT_SUCCESS;
        /* While it runs, state, kill and delete --force are for everyone; at its end, ours again. */
        (void) flock(i->dir_fd, LOCK_UN);

        /* Until the payload exits (relaying a terminal without a console socket: its master is ours). */
        if (oci_runtime_wait(i, &si) < 0)
                return EXIT_FAILURE;
        oci_forward_signals(-EBADF);
        (void) flock(i->dir_fd, LOCK_EX);
        i->state->status = CONTAINER_STOPPED;
        /* A delete --force while it ran cleaned up already, and the id may be another container's now: its
         * scope, registration and state are not ours to remove. */
        if (oci_dir_is_current(i->dir_fd, i->state->id) > 0)
                (void) oci_runtime_destroy_full(i->state, -EBADF, i->dir_fd, i->oci, &i->bus);

        if (si.si_code == CLD_EXITED)
                return si.si_status;
        return 128 + si.si_status;
}
