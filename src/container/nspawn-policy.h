/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd-nspawn's policy for the container's API file systems: which capabilities a container keeps, how
 * /dev, /proc, /sys, /run and /tmp look, and the /run/host hierarchy of the container interface. Each step
 * returns >= 0 or -errno, with the failing stage and detail in the SetupLog; all privileged work is priv/. */

#include "container-config.h"
#include "setup-log.h"

/* The capabilities a container keeps by default: systemd-nspawn's default set. */
uint64_t container_default_capabilities(void);

/* A tmpfs /dev below ROOTFD with nspawn's nodes, links, pts, shm, mqueue and (CONSOLE_FD >= 0) /dev/console.
 * Returns an fd of the new /dev. */
int policy_setup_dev(int rootfd, int console_fd, SetupLog *l);
/* A new /proc below ROOTFD. Returns an fd of it. */
int policy_mount_proc(int rootfd, SetupLog *l);
/* nspawn's read-only and masked entries in the new /proc PROCFD (masks are DEVFD's "null"). */
int policy_lock_proc(int procfd, int devfd, SetupLog *l);
/* A read-only sysfs on /sys. */
int policy_setup_sys(int rootfd, SetupLog *l);
/* A tmpfs on NAME (one component: "run", "tmp") with MODE. Returns an fd of it. */
int policy_setup_tmpfs(int rootfd, const char *name, const char *mode, SetupLog *l);
/* /run/host in RUNFD (the container interface). Returns an fd of /run/host/inaccessible. */
int policy_setup_run_host(int runfd, const ContainerConfig *c, SetupLog *l);
/* After pivot_root: binds /run/host/notify (if C->notify) and makes /run/host read-only. Returns 0 with the
 * notify socket's fd in *RET_NOTIFY_FD (-EBADF if none was asked for), or -errno. */
int policy_finish_run_host(const ContainerConfig *c, int *ret_notify_fd, SetupLog *l);
/* After the caller placed us in our cgroup: a new cgroup namespace if NEW_NS (else the caller joined one, or
 * stays in its creator's), and a cgroup2 mount on /sys/fs/cgroup. */
int policy_setup_cgroup(bool new_ns, bool read_only, SetupLog *l);

/* Creates DIR (mode 0755) with the character and block device nodes "chr" and "blk", 0:0, mode 0000, for
 * /run/host/inaccessible/. Idempotent. Returns 0 or -errno. */
int inaccessible_nodes_setup(const char *dir);

/* Makes DIR (created if needed) a mount point with shared propagation in the caller's mount namespace, so that
 * mounts made below it reach the containers' /run/host/incoming even where the host's / is not shared (as in
 * a container). Idempotent. Returns 0 or -errno. */
int propagate_dir_setup(const char *dir);
