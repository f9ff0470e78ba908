/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

/* Bind=, BindReadOnly=, TemporaryFileSystem=, Overlay=, OverlayReadOnly= below ROOTFD, in order. With
 * USERNS_FD >= 0 (PrivateUsers=) host sources of binds and host layers of overlays are idmapped through it (a
 * file system that cannot be idmapped fails the start, naming the setting, the path and its type), overlays are
 * made with the payload's root as their creator (what it writes lands on disk as it would through a Bind=), and
 * temporary file systems (and a temporary overlay upper directory) belong to the payload's root. Returns 0 or
 * -errno (stage CONTAINER_STAGE_CUSTOM_MOUNTS). */
int mounts_setup_custom(int rootfd, int userns_fd, const ContainerConfig *c, SetupLog *l);

/* The type of the file system PATH (below DIRFD; "" with DIRFD itself) is on, as the caller's mount table
 * names it ("overlay", "proc", ...). Returns 0 and a string to free in *RET, or -errno (-ENOENT: not in the
 * table). */
int mount_fstype(int dirfd, const char *path, char **ret);

/* The model's mounts (C->mounts), in order: binds of host paths and new file systems, with their attributes
 * and propagation. Returns 0 or -errno (stage CONTAINER_STAGE_CUSTOM_MOUNTS, detail "TYPE on DESTINATION"). */
int mounts_setup_model(int rootfd, const ContainerConfig *c, SetupLog *l);

/* Inaccessible=: each path, resolved inside the root, is covered read-only with the node of its type from
 * INACCESSIBLE_FD (/run/host/inaccessible, created by us). A path that does not exist is a warning; any other
 * failure fails. Returns 0 or -errno (stage CONTAINER_STAGE_INACCESSIBLE). */
int mounts_setup_inaccessible(int rootfd, int inaccessible_fd, const ContainerConfig *c, SetupLog *l);

/* The model's readonly_paths (bound over themselves read-only, recursively) and masked_paths (as
 * Inaccessible=), resolved inside the root; missing paths are skipped. Returns 0 or -errno (stage
 * CONTAINER_STAGE_MASKS). */
int mounts_setup_masks(int rootfd, int inaccessible_fd, const ContainerConfig *c, SetupLog *l);

/* ContainerConfig.no_pivot instead of pivot_root(): the full proc and sysfs mounts outside C->root are
 * unmounted (or covered with an empty read-only tmpfs if they cannot be), then the root ROOTFD is moved over
 * "/" and chroot()ed into (runc's msMoveRoot). Returns 0, or the setup_fail() of the failure. */
int mounts_move_root(const ContainerConfig *c, int rootfd, SetupLog *l);
