/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include "fault.h"
#include "fd-util.h"
#include "log.h"
#include "link-remover.h"
#include "machine-network.h"
#include "machine-state.h"
#include "machine-userns.h"
#include "machined-watch.h"
#include "fd-keeper.h"
#include "manager.h"
#include "oci-containers.h"
#include "priv/priv.h"
#include "time-util.h"

static usec_t arg_stop_timeout = 90 * USEC_PER_SEC;

static void help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Container manager daemon: starts machines as systemd machines.\n\n"
               "  -h --help              Show this help\n"
               "     --version           Show package version\n"
               "     --stop-timeout=SEC  Time between the stop signal and SIGKILL (default: 90s)\n"
               "\nSee the machined-ext(8) man page for details.\n",
               program_invocation_short_name);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_STOP_TIMEOUT };
        static const struct option options[] = {
                { "help",         no_argument,       NULL, 'h'              },
                { "version",      no_argument,       NULL, ARG_VERSION      },
                { "stop-timeout", required_argument, NULL, ARG_STOP_TIMEOUT },
                {}
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("machined-ext %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_STOP_TIMEOUT:
                        r = parse_timespan(optarg, &arg_stop_timeout);
                        if (r >= 0 && arg_stop_timeout == USEC_INFINITY)
                                r = -ERANGE; /* SIGKILL must follow at some point */
                        if (r < 0)
                                return log_error_errno(r, "Invalid --stop-timeout= value: %s", optarg);
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }

        if (optind < argc)
                return log_error_errno(EINVAL, "This program takes no arguments.");
        return 1;
}

/* SIGTERM, SIGINT: what the machines need from us that the fd store may not keep (an explicit stop of the
 * service empties it) goes to a keeper, while the bus is still there; then the loop ends. */
static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        int r;

        r = fd_keeper_hand_over(m);
        if (r < 0)
                log_warning_errno(r, "Failed to hand the fds of the running machines to a keeper, ignoring: %m");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        sigset_t ss;
        int r, self, fd;

        /* Before anything is opened: fds 0-2 (fd-util.h); then, as our machines' inits and the processes we
         * put into them are copies of us, we run from a read-only mount of our file (priv.h, CVE-2019-5736). */
        r = stdio_ensure_open(&fd);
        self = r < 0 ? 0 : geteuid() == 0 ? priv_exec_self_read_only(argv) : 0;

        log_parse_environment();
        log_open_journal("machined-ext starting.");
        fault_check_environment();

        if (r < 0) {
                log_error_errno(r, "fd %d is closed, and /dev/null cannot be opened in its place: %m", fd);
                return EXIT_FAILURE;
        }
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (geteuid() != 0) {
                log_error("machined-ext must run as root.");
                return EXIT_FAILURE;
        }
        if (self < 0) {
                log_error_errno(self, "Failed to run from a read-only mount of our own file, which keeps a "
                                "container from rewriting it (CVE-2019-5736): %m");
                return EXIT_FAILURE;
        }

        /* Each machine holds a few fds (pidfd, notify socket): raise the soft limit to the hard one, like
         * systemd does for itself. Payloads get 1024 back (see ContainerConfig.nofile_soft). */
        {
                struct rlimit rl;
                if (getrlimit(RLIMIT_NOFILE, &rl) >= 0 && rl.rlim_cur < rl.rlim_max) {
                        rl.rlim_cur = rl.rlim_max;
                        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                                log_warning_errno(errno, "Failed to raise RLIMIT_NOFILE, ignoring: %m");
                }
        }

        r = machine_userns_init_lookups();
        if (r < 0)
                log_warning_errno(r, "Failed to set $SYSTEMD_BYPASS_USERDB, ignoring: %m");

        /* sd-event watches children through pidfds and needs SIGCHLD blocked; SIGTERM/SIGINT become events. */
        sigemptyset(&ss);
        sigaddset(&ss, SIGCHLD);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0) {
                log_error_errno(errno, "Failed to block signals: %m");
                return EXIT_FAILURE;
        }

        r = manager_new(&m);
        if (r < 0) {
                log_error_errno(r, "Failed to allocate manager: %m");
                return EXIT_FAILURE;
        }
        m->stop_timeout = arg_stop_timeout;

        /* Now, so that its fd is there from the start and no start waits for the load. */
        r = manager_device_policy(m);
        if (r < 0)
                log_warning_errno(r, "Failed to load the machines' device policy, trying again at each start: %m");

        r = link_remover_new(m->event, &m->link_remover);
        if (r < 0)
                log_warning_errno(r, "Failed to set up the link remover, exited machines' links are deleted on "
                                  "the event loop: %m");

        r = sd_event_add_signal(m->event, NULL, SIGTERM, on_exit_signal, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, on_exit_signal, m);
        if (r < 0) {
                log_error_errno(r, "Failed to watch signals: %m");
                return EXIT_FAILURE;
        }

        r = manager_adopt_consoles(m);
        if (r < 0)
                log_warning_errno(r, "Failed to take the stored console fds, ignoring: %m");

        r = manager_connect_bus(m);
        if (r < 0) {
                log_error_errno(r, "Failed to connect to the system bus: %m");
                return EXIT_FAILURE;
        }

        r = manager_watch_machined(m);
        if (r < 0)
                log_warning_errno(r, "Failed to watch systemd-machined's restarts, ignoring: %m");

        /* Before any machine is adopted or started: no address change of a container is missed. */
        r = manager_watch_addresses(m);
        if (r < 0)
                log_warning_errno(r, "Failed to watch the containers' addresses, Port= forwards will not follow "
                                  "them: %m");

        /* Before the first request is dispatched: the machines of a previous instance are known again. */
        r = manager_adopt_machines(m);
        if (r < 0)
                log_warning_errno(r, "Failed to read the state of the machines of a previous instance, ignoring: %m");
        /* ... and what no record covers of those that are gone is removed. */
        manager_drop_adopted_fds(m);
        manager_forget_stored_entries(m);
        manager_network_sweep(m);
        /* The stops of machined-ext-oci's containers that were under way: their SIGKILL timers again. */
        r = oci_machines_resume_stops(m);
        if (r < 0)
                log_warning_errno(r, "Failed to read the stops of OCI containers a previous instance recorded, "
                                  "ignoring: %m");

        (void) sd_notify(false, "READY=1\nSTATUS=Processing requests...");
        log_debug("machined-ext running.");

        r = sd_event_loop(m->event);
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down...");
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                return EXIT_FAILURE;
        }
        /* sd-bus ends the loop with EXIT_FAILURE when the system bus connection is gone; a signal with 0. */
        if (r > 0) {
                log_error("Lost the connection to the system bus, exiting.");
                return EXIT_FAILURE;
        }

        /* Machines are not stopped: they live in their own scopes and do not depend on us. */
        return EXIT_SUCCESS;
}
