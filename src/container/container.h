/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container set-up API the daemon and CLIs use.
 *
 * Protocol between the caller ("creator") and the container's init ("child"), over a SOCK_SEQPACKET pair:
 *   1. container_spawn() clones the child into new mount, pid, uts, ipc (and optionally net) namespaces, or
 *      ones joined by path (container-config.h: a joined PID namespace takes a short-lived joiner process);
 *      with PrivateUsers=, the pid and net namespaces are owned by the container's user namespace.
 *      The child sets up the root file system, pivot_roots into it and resolves the command; then sends a
 *      ContainerReport with stage CONTAINER_STAGE_SETUP_DONE, or one with the failing stage and errno.
 *   2. The creator places the child in its cgroup (a transient scope, through systemd) and calls
 *      container_release() -- or, with ContainerConfig.release_fifo ("create/start"), leaves that to any
 *      process that can open the FIFO: container_start(). The creator may exit after SETUP_DONE then.
 *   3. The child enters a new cgroup namespace, mounts /sys/fs/cgroup, drops privileges, closes every
 *      other fd and execs. The socket is O_CLOEXEC: end-of-file on it means the exec succeeded; a report
 *      with an error means it failed.
 * Until it is released the child waits; container_cancel() (creator) or container_start(..., false) (anyone
 * with the FIFO) makes it exit instead. Without a FIFO it also dies with its creator (PR_SET_PDEATHSIG) until
 * released, and exits when the creator closes the socket. */

#include "container-config.h"
#include "nspawn-policy.h"

const char *container_stage_to_string(ContainerStage s);

/* "STAGE: DETAIL: strerror(ERROR)" for a failure report (without the strerror() part if the detail is
 * complete). Returns a new string, or NULL on OOM. */
char *container_report_message(const ContainerReport *r);

/* Clones the container's init. On success returns 0 in the caller and fills *ret (the child never returns).
 * Returns -EINVAL for an incomplete configuration, -errno if the clone itself failed; failures inside the child
 * arrive as a ContainerReport. Returns once the init has a fd table of its own (see below). */
int container_spawn(const ContainerConfig *c, Container *ret);

/* Like container_spawn(); a failure found before the init runs (a joined namespace that is missing or of the
 * wrong type, a PID namespace that cannot be entered) also gets a message naming the namespace's origin in
 * *ret_error (may stay NULL; RET_ERROR may be NULL).
 *
 * It returns right after the clone. The init is born sharing our fd table (CLONE_FILES), so that it never
 * copies the fds of ours that it does not use (the daemon's, of every running machine: issue #17); its first
 * act is a table of its own with the low fds only (up to the highest it uses), and its first message on
 * ret->sync_fd says so. Until then the caller must not close any fd the init uses (C's stdio and console
 * fds, ret->netns_fd), nor read ret->sync_fd, nor make ret->pidfd another fd; then container_spawn_settle()
 * (waiting for that message if need be) closes the fds of the spawn that the init used (ret->held_fds).
 * Waiting right after the clone cost a start on a busy host a wait for the init to get a CPU. */
int container_spawn_full(const ContainerConfig *c, Container *ret, char **ret_error);

/* See container_spawn_full(): waits until the init has a fd table of its own (or is gone), then closes
 * C->held_fds. Returns 0, -EIO if the init exited before, or -errno (the fds are closed either way). */
int container_spawn_settle(Container *c);
/* Closes C->held_fds without waiting: for a caller that gives up on the init (and kills it). */
void container_spawn_drop(Container *c);

/* Reaps (waiting for it) and closes c->helper_pidfd, if there is one. container_spawn() does it itself;
 * after container_spawn_full() the caller reaps it when it suits (it exits at once, but may need a CPU for
 * that first: not on the critical path of a start). */
void container_reap_helper(Container *c);

/* Tells a child waiting after CONTAINER_STAGE_SETUP_DONE to go on and exec. Returns 0 or -errno. */
int container_release(int sync_fd);

/* The largest state JSON container_continue_hooks() passes on: that of the largest state file
 * (CONTAINER_STATE_SIZE_MAX, checked in spawn.c), whose annotations Kubernetes fills. */
#define CONTAINER_HOOK_STATE_MAX (1024U * 1024U)

/* Lets a child that reported CONTAINER_STAGE_HOOKS (paused, hooks_pause) go on, with STATE (the OCI state JSON
 * its startContainer hooks get on stdin). Returns 0, -E2BIG (STATE is larger than CONTAINER_HOOK_STATE_MAX),
 * or -errno. container_cancel() makes it exit instead. */
int container_continue_hooks(int sync_fd, const char *state);

/* Tells a child waiting after CONTAINER_STAGE_SETUP_DONE to exit instead. Returns 0 or -errno. */
int container_cancel(int sync_fd);

/* Releases (GO) or cancels (!GO) the created container waiting on the FIFO at PATH, from any process that
 * may open it. Returns 0, -ENXIO if no container waits on it (never created, already started, or gone),
 * -EBADFD if PATH is not a FIFO, or -errno. */
int container_start(const char *release_fifo, bool go);

/* Reads one report from the child. Returns 1 and fills *ret if a report arrived, 0 on end-of-file (the child
 * exec'd, or died), -EAGAIN if nothing is there yet, other -errno on failure. A SETUP_DONE report may carry
 * the notify socket: *ret_fd gets it (O_CLOEXEC), or -EBADF. Any other fd that arrives is closed. */
int container_read_report(int sync_fd, ContainerReport *ret, int *ret_fd);

/* Bind-mounts SOURCE (a host path) at DESTINATION inside the running container whose leader is LEADER_PIDFD,
 * with the new mount API, entirely in a short-lived child, so that a SOURCE on a hung file system (dead NFS, a
 * FUSE server that does not answer) blocks that child, never the caller: the child waits for
 * container_release(*ret_report_fd) (send it once the child is watched; closing *ret_report_fd instead makes
 * it exit at once, without touching SOURCE), clones SOURCE with open_tree(OPEN_TREE_CLONE) in the host's
 * namespaces, joins the container's mount namespace and move_mount()s the tree to DESTINATION, resolved
 * inside the container's root. With USERNS_FD (the leader's user namespace) and STAGING (a new, empty
 * directory of container_bind_mount_staging() in the host side of its /run/host/incoming) the clone is
 * idmapped into that user namespace and staged at STAGING first, so that the container gets a locked copy (a
 * read-only bind stays read-only for its root), which the child moves; container_bind_mount_unstage(STAGING)
 * once the child is gone removes what is left. The child reports a failure through a ContainerReport on
 * *ret_report_fd (stage CONTAINER_STAGE_CUSTOM_MOUNTS: SOURCE could not be cloned, with its errno, or, error
 * EMEDIUMTYPE, its file system (named in the detail) cannot be idmapped; other stages: the detail names the
 * path concerned) and exits 0 on success; watch *ret_pidfd. Returns 0 if the child runs, -errno otherwise.
 * (enter.c) */
int container_bind_mount(int leader_pidfd, int userns_fd, const char *staging, const char *source,
                         const char *destination, bool read_only, bool make_dir, int *ret_pidfd,
                         int *ret_report_fd);
/* Makes a new, empty staging directory for container_bind_mount() below PROPAGATE_DIR. Returns 0 and its path,
 * or -errno. */
int container_bind_mount_staging(const char *propagate_dir, char **ret);
/* Unmounts and removes the staging directory STAGED of container_bind_mount() with what is in it (NULL:
 * nothing). Never looks into a tree mounted there. */
void container_bind_mount_unstage(const char *staged);

/* Runs PROC (argv, envp, cwd, user, capabilities, limits, stdio: a model of its own) in the running container
 * CONTAINER (its init is LEADER, LEADER_PIDFD): the process, a child of the caller, is cloned straight into
 * the leader's PID namespace and into CGROUP (a cgroup v2 path, or NULL; CLONE_INTO_CGROUP, no migration),
 * joins the leader's other namespaces, sets itself up (container_exec_init()) and execs. Returns 0 with the
 * process's pidfd and PID and the report socket: end-of-file on it means the exec succeeded, a report that
 * it failed (container_read_report()); -EPROTO if the process could not join the container (why in
 * *ret_failure, if not NULL); or -errno. (enter.c) */
int container_exec(int leader_pidfd, pid_t leader, const char *cgroup, const ContainerConfig *proc,
                   const ContainerConfig *container, int *ret_pidfd, pid_t *ret_pid, int *ret_report_fd,
                   ContainerReport *ret_failure);

/* container_exec(), and with PROC->exec_pty the master of the process's pty (allocated inside the container,
 * see ContainerConfig.exec_pty) in *ret_pty_master, O_CLOEXEC. The process is not dumpable from its birth
 * until its exec (CVE-2019-5736). (enter.c) */
int container_exec_full(int leader_pidfd, pid_t leader, const char *cgroup, const ContainerConfig *proc,
                        const ContainerConfig *container, int *ret_pidfd, pid_t *ret_pid, int *ret_report_fd,
                        int *ret_pty_master, ContainerReport *ret_failure);

/* container_exec_full() in two steps, for a caller that must not wait (the daemon's event loop): clones the
 * process (the caller's child, which reaps it) and returns its pidfd and PID and the report socket at once.
 * Returns 0 or -errno. (enter.c) */
int container_exec_begin(int leader_pidfd, pid_t leader, const char *cgroup, const ContainerConfig *proc,
                         const ContainerConfig *container, int *ret_pidfd, pid_t *ret_pid, int *ret_report_fd);
/* Once REPORT_FD of container_exec_begin() is readable: the process's first report, that it joined the
 * container (with PTY the pty's master in *ret_pty_master), after which REPORT_FD reports its exec. Returns 0,
 * -EAGAIN (nothing there yet), -ECHILD (it died without a report), -EPROTO (it could not join; why in
 * *ret_failure if not NULL), or -errno. (enter.c) */
int container_exec_end(int report_fd, bool pty, int *ret_pty_master, ContainerReport *ret_failure);
