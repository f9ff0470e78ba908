/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The joiner of a PID namespace (container-config.h, spawn.c): setns(CLONE_NEWPID) only applies to the
 * caller's children, so a short-lived process joins and clones the init as the creator's child. */

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "init.h"
#include "init-report.h"
#include "priv/priv.h"

_noreturn_ void container_pid_joiner(const ContainerConfig *c, uint64_t flags, int jsock, int sock, int userns_fd,
                                     int netns_fd, const int *ns_fds) {
        SetupLog l = {};
        int pidfd = -EBADF, r;
        int32_t pid32;
        long pid;

        /* Until the init is made, die with the creator, as the init does. */
        r = priv_set_pdeathsig(SIGKILL);
        if (r < 0) {
                (void) setup_fail(&l, CONTAINER_STAGE_PREPARE, r, "PR_SET_PDEATHSIG");
                init_report_and_exit(jsock, &l);
        }
        for (size_t i = 0; i < c->n_join_namespaces; i++)
                if (c->join_namespaces[i].type == CONTAINER_NAMESPACE_PID) {
                        r = priv_setns(ns_fds[i], CLONE_NEWPID);
                        if (r < 0) {
                                (void) init_fail_namespace(&l, c->join_namespaces + i, r);
                                init_report_and_exit(jsock, &l);
                        }
                }
        pid = priv_clone_pidfd(CLONE_PARENT | flags, &pidfd);
        if (pid < 0) {
                const ContainerNamespace *n = NULL;

                for (size_t i = 0; i < c->n_join_namespaces; i++)
                        if (c->join_namespaces[i].type == CONTAINER_NAMESPACE_PID)
                                n = c->join_namespaces + i;
                /* alloc_pid() fails with ENOMEM in a PID namespace whose init has exited. */
                if (pid == -ENOMEM && n)
                        (void) setup_failf(&l, CONTAINER_STAGE_NAMESPACES, (int) pid, CONTAINER_REPORT_COMPLETE,
                                           "%s (%s): the PID namespace has no init any more (or no memory)",
                                           n->origin ?: n->path, n->path);
                else
                        (void) setup_fail(&l, CONTAINER_STAGE_NAMESPACES, (int) pid, "clone3");
                init_report_and_exit(jsock, &l);
        }
        if (pid == 0) {
                safe_close(jsock);
                container_init(c, sock, userns_fd, netns_fd, ns_fds);
        }
        /* The init is the creator's child: hand it over, with its pidfd. If that fails the creator hears of
         * nothing but end-of-file and kills nothing: do it here. */
        pid32 = (int32_t) pid;
        if (init_send_fd_message(jsock, &pid32, sizeof(pid32), pidfd) < 0) {
                (void) priv_pidfd_send_signal(pidfd, SIGKILL);
                _exit(EXIT_FAILURE);
        }
        _exit(EXIT_SUCCESS);
}
