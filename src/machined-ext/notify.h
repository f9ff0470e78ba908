/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "notify-parse.h"

typedef enum NotifySender {
        NOTIFY_SENDER_LEADER,           /* only the container's PID 1 */
        NOTIFY_SENDER_CGROUP,           /* any process in the machine's cgroup (NotifyAccess=all) */
} NotifySender;

/* Turns on SO_PASSCRED (and SO_PASSPIDFD where the kernel has it) on a machine's notify socket, and off
 * SO_PASSRIGHTS where the kernel has it (Linux 6.16: fds sent to it are refused, EPERM to the sender). */
int notify_socket_setup(int fd);

/* The end of a run's notify socket FD: shut for reading (senders get EPIPE), what is queued taken out (the
 * fds passed along closed with fd_close_detached(), not by the kernel in our close), then closed. */
void notify_socket_close(int fd);

/* Receives one datagram from FD and accepts it only from the allowed sender: the leader (LEADER, through
 * LEADER_PIDFD), or with NOTIFY_SENDER_CGROUP any process whose cgroup is CGROUP or below it. Every fd passed
 * along is closed, with fd_close_detached(). Returns 1 with *ret filled for an accepted message, 0 if a datagram was dropped (the
 * reason goes to *ret_reason, a static string), -EAGAIN if there is nothing to read, other -errno. */
int notify_receive(int fd, pid_t leader, int leader_pidfd, NotifySender sender, const char *cgroup,
                   NotifyMessage *ret, const char **ret_reason);
