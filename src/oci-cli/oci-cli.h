/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* machined-ext-oci: an OCI runtime command line compatible with runc and crun, one file per verb, each a thin
 * layer over the container core (src/container/) and runtime.c (create, start, delete: the container's life
 * on disk, in its scope and in systemd-machined). */

#include <stdbool.h>

#include "macro.h"
#include "state.h"

typedef enum CgroupManager {
        CGROUP_MANAGER_SYSTEMD,         /* a transient scope PREFIX-NAME.scope (cgroupsPath SLICE:PREFIX:NAME) */
        CGROUP_MANAGER_CGROUPFS,        /* a cgroup directory of our own under /sys/fs/cgroup */
        CGROUP_MANAGER_DISABLED,        /* the caller's cgroup */
        _CGROUP_MANAGER_MAX,
        _CGROUP_MANAGER_INVALID = -EINVAL,
} CgroupManager;

const char *cgroup_manager_to_string(CgroupManager m);
CgroupManager cgroup_manager_from_string(const char *s);

#define OCI_ROOT_DEFAULT CONTAINER_STATE_ROOT_OCI_CLI

/* The global options, before the verb. */
extern const char *arg_root;
extern const char *arg_log_path;
extern bool arg_log_json;
extern bool arg_debug;
extern CgroupManager arg_cgroup_manager;

/* Output of the command line: errors are one line (one JSON object with --log-format json) on stderr and, with
 * --log, appended to the log file; warnings and debug messages (--debug) go to the log file if there is one,
 * else to stderr. Each *_errno() returns -abs(error); "%m" is not supported, use strerror(). */
int oci_log(int level, int error, const char *format, ...) _printf_(3, 4);
#define oci_error(e, ...)   oci_log(3, (e), __VA_ARGS__)
#define oci_warning(...)    (void) oci_log(4, 0, __VA_ARGS__)
#define oci_debug(...)      (void) oci_log(7, 0, __VA_ARGS__)

/* --format of list and ps: "table" or "json" into *RET_JSON. Returns 0, or -EINVAL after an error line. */
int oci_parse_format(const char *arg, bool *ret_json);

/* --preserve-fds of create, run and exec: N (at most CONTAINER_PRESERVE_FDS_MAX) into *RET, after checking that
 * fds 3..3+N-1 are open. Returns 0, or -EINVAL/-EBADF after an error line. */
int oci_parse_preserve_fds(const char *arg, unsigned *ret);

/* Verbs: ARGV[0] is the verb. Each returns the process's exit status (0, or 1 after an error line). */
int verb_spec(int argc, char **argv);
int verb_features(int argc, char **argv);
int verb_create(int argc, char **argv);
int verb_run(int argc, char **argv);
int verb_start(int argc, char **argv);
int verb_state(int argc, char **argv);
int verb_list(int argc, char **argv);
int verb_kill(int argc, char **argv);
int verb_delete(int argc, char **argv);
int verb_exec(int argc, char **argv);
int verb_pause(int argc, char **argv);
int verb_resume(int argc, char **argv);
int verb_ps(int argc, char **argv);
int verb_update(int argc, char **argv);
