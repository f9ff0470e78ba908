/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "macro.h"
#include "setup-log.h"

/* The container's init, from clone to exec (spawn.c calls it in the child). SOCK is the child's end of the
 * sync socket; USERNS_FD the user namespace of PrivateUsers= (C->userns_range > 0), or -EBADF; NETNS_FD the
 * network namespace it owns, to join (C->private_network), or -EBADF; NS_FDS the opened C->join_namespaces,
 * in order. Never returns: it execs the payload, or reports the failure on SOCK and exits. */
_noreturn_ void container_init(const ContainerConfig *c, int sock, int userns_fd, int netns_fd, const int *ns_fds);

/* The joiner of a PID namespace (spawn.c): setns() into C's joined PID namespace, then clone3()s the init
 * (CLONE_PARENT | FLAGS) and sends its pid with its pidfd on JSOCK, or a ContainerReport of the failure. The
 * init gets SOCK, USERNS_FD, NETNS_FD and NS_FDS. Never returns. */
_noreturn_ void container_pid_joiner(const ContainerConfig *c, uint64_t flags, int jsock, int sock, int userns_fd,
                                     int netns_fd, const int *ns_fds);

/* The process container_exec() starts (enter.c), once it has joined the container: PROC's user, environment,
 * working directory (checked to be inside the container), limits and stdio; CONTAINER's seccomp filter; PROC's
 * capabilities within CONTAINER's bounding set; then the exec. Reports a failure on SOCK and exits; never
 * returns. */
_noreturn_ void container_exec_init(const ContainerConfig *proc, const ContainerConfig *container, int sock);

/* Runs FN(USERDATA) in a short-lived helper child (enter.c's). On failure reports what FN recorded in its
 * SetupLog on SOCK and exits with failure; on success exits 0 without a report. */
_noreturn_ void container_helper_run(int sock, int (*fn)(void *userdata, SetupLog *l), void *userdata);
