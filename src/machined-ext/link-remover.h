/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Deleting network links off the event loop. Unregistering a net device waits for RCU grace periods inside
 * the deleting syscall (~20 ms per veth on this kernel, bench/RESULTS.md): done on the loop, every call that
 * arrives meanwhile waits, and stopping N machines costs N × 20 ms of the daemon's time (issue #17). One
 * worker thread takes the jobs in order; each job's callback runs on the event loop once its links are gone.
 * The thread allocates no memory (rtnl_link_delete_name()), so that the daemon's raw clone3() children never
 * find a malloc lock held. */

#include <systemd/sd-event.h>

typedef struct LinkRemover LinkRemover;

/* Called on the event loop: RESULT is 0, or the first -errno of the job's deletions (a link that is gone
 * already counts as deleted). */
typedef void (*link_remover_done_t)(void *userdata, int result);

/* Returns 0 or -errno. Its two fds (a netlink socket, an eventfd) are open from here on; the thread starts
 * with the first job. */
int link_remover_new(sd_event *event, LinkRemover **ret);

/* Lets the job at hand finish, drops the queued ones (their callbacks are not called: the state files still
 * record their links, and the next instance removes them), joins the thread. Returns NULL. */
LinkRemover *link_remover_free(LinkRemover *lr);

/* Queues the deletion of the links NAMES (a strv), each by its index in IFINDEXES where that is > 0 (NULL: all
 * by name). Both are taken on success, freed by the remover. Returns 0 or -errno (both untouched then). */
int link_remover_submit(LinkRemover *lr, char **names, int *ifindexes, link_remover_done_t done,
                        void *userdata);

/* Forgets every job of USERDATA: queued ones are dropped, the one at hand finishes without its callback. */
void link_remover_cancel(LinkRemover *lr, void *userdata);
