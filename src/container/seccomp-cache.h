/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

struct sock_fprog;

/* The container's filters, compiled: what its init loads, and every process exec'd into it. */
typedef struct ContainerSeccompPrograms {
        struct sock_fprog *policy;      /* nspawn's deny list (one allocation) */
        struct sock_fprog *profile;     /* the profile's (OCI linux.seccomp), or NULL */
        unsigned profile_flags;         /* SECCOMP_FILTER_FLAG_* to load the profile with */
} ContainerSeccompPrograms;

/* The file in a container's state directory (OCI CLI) that keeps them, and its temporary files. */
#define CONTAINER_SECCOMP_CACHE_FILE "seccomp.bpf"
#define CONTAINER_SECCOMP_CACHE_TMP_PREFIX ".#seccomp.bpf."

void container_seccomp_programs_done(ContainerSeccompPrograms *p);

/* Compiles C's filters: nspawn's deny list for its bounding set, SystemCallFilter= lists and read-only
 * mounts, and its profile. Returns 0, or -errno reported in L (stage CONTAINER_STAGE_SECCOMP). */
int container_seccomp_programs_build(const ContainerConfig *c, ContainerSeccompPrograms *ret, SetupLog *l);

/* The filters of C kept in DIR_FD's CONTAINER_SECCOMP_CACHE_FILE by container_seccomp_cache_save(), if they
 * were compiled from exactly what C says now, by this version and this libseccomp (the file holds those
 * inputs, compared byte for byte: a changed config.json, profile or upgrade is a miss, never a wrong filter).
 * The caller holds the directory's lock. Returns 0, -ENOENT (none), -ESTALE (made from other inputs),
 * -EBADMSG (not one of ours: malformed, truncated, not a regular file of our user's that only it can write),
 * -ENOMEM, or -errno of reading it. */
int container_seccomp_cache_load(int dir_fd, const ContainerConfig *c, ContainerSeccompPrograms *ret);

/* The cache that containers share, a directory of root's that only root can write (the OCI CLI's in its
 * --root, the daemon's in /run/machined-ext): one file per set of inputs, named after a hash of its key and
 * loaded only if the whole key matches (as CONTAINER_SECCOMP_CACHE_FILE is), at most
 * CONTAINER_SECCOMP_SHARED_MAX of them. */
#define CONTAINER_SECCOMP_SHARED_DIR_OCI ".seccomp-cache"  /* not a container id: those cannot begin with '.' */
#define CONTAINER_SECCOMP_SHARED_PREFIX "bpf-"
#define CONTAINER_SECCOMP_SHARED_MAX 32U

/* Opens (making it, 0700) the directory NAME in PARENT_FD for the shared cache. Returns the fd, -EPERM if it
 * is not ours or others can write to it, or -errno. */
int container_seccomp_cache_dir_open(int parent_fd, const char *name);

/* C's filters, from the shared cache in CACHE_DIR_FD, or compiled and stored there (replacing a file of
 * another key of the same name, and the oldest file beyond CONTAINER_SECCOMP_SHARED_MAX). Made by the host
 * before the clone, so that the init, and every container of the same settings, loads them instead of
 * compiling them again. Returns 1 (loaded), 0 (compiled; storing is best effort), or -errno of the build (the
 * caller leaves it to the init, which reports it). */
int container_seccomp_programs_get(int cache_dir_fd, const ContainerConfig *c, ContainerSeccompPrograms *ret);

/* Stores P, compiled from C, in DIR_FD's CONTAINER_SECCOMP_CACHE_FILE (0600, replaced atomically). Returns 0
 * or -errno. */
int container_seccomp_cache_save(int dir_fd, const ContainerConfig *c, const ContainerSeccompPrograms *p);
