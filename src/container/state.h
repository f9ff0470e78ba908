/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The on-disk state of a container: one JSON file per container, ROOT/ID/state.json (ROOT defaults to
 * /run/machined-ext/containers). Written atomically (temp file in the same directory, fsync, rename), read
 * back with every field typed and checked: a state file is never trusted, whoever could write to it.
 *
 * The leader is recorded as PID + the inode of a pidfd for it (unique per process on pidfs, Linux >= 6.9) +
 * its start time (field 22 of /proc/PID/stat), so that a recycled PID is recognized as such. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define CONTAINER_STATE_ROOT_DEFAULT "/run/machined-ext/containers"
/* The default --root of the OCI runtime command line (machined-ext-oci); the daemon lists its containers. */
#define CONTAINER_STATE_ROOT_OCI_CLI "/run/machined-ext-oci"
#define CONTAINER_STATE_SIZE_MAX (1024U * 1024U)
/* The OCI CLI's copy of the bundle's config.json, made at create, next to state.json: what exec and the hooks
 * read later, as runc and crun keep theirs (the bundle may change or go). */
#define CONTAINER_STATE_CONFIG_FILE "config.json"
#define CONTAINER_STATE_CONFIG_SIZE_MAX (4U * 1024U * 1024U)    /* as OCI_SPEC_SIZE_MAX */
/* The OCI CLI's release FIFO, from create to start. */
#define CONTAINER_STATE_RELEASE_FIFO "exec.fifo"
/* The OCI CLI's create that made the directory: "PID START-TIME PIDFD-INODE" (leader_identify()), so that a
 * directory without state.json can be told from one whose create died (delete --force removes that). */
#define CONTAINER_STATE_CREATOR_FILE "creator"
/* The cgroup directory (below /sys/fs/cgroup) that the OCI CLI's create made with the cgroupfs manager, written
 * right after the mkdir: a delete --force of a create that died removes it too. */
#define CONTAINER_STATE_CREATOR_CGROUP_FILE "creator-cgroup"
#define CONTAINER_STATE_CREATOR_CGROUP_TMP "." CONTAINER_STATE_CREATOR_CGROUP_FILE ".new"
#define CONTAINER_ID_MAX 255

typedef enum ContainerStatus {
        CONTAINER_CREATING,     /* set-up has started; the leader may not exist yet */
        CONTAINER_CREATED,      /* OCI "created": the leader waits for start */
        CONTAINER_RUNNING,
        CONTAINER_PAUSED,
        CONTAINER_STOPPED,
        _CONTAINER_STATUS_MAX,
        _CONTAINER_STATUS_INVALID = -EINVAL,
} ContainerStatus;

typedef enum ContainerOwner {
        CONTAINER_OWNER_DAEMON,         /* machined-ext */
        CONTAINER_OWNER_OCI_CLI,        /* the OCI runtime command line (create/start/delete) */
        _CONTAINER_OWNER_MAX,
        _CONTAINER_OWNER_INVALID = -EINVAL,
} ContainerOwner;

typedef enum LeaderStatus {
        LEADER_GONE,            /* no process with that PID */
        LEADER_REUSED,          /* a process with that PID, but not the recorded one */
        LEADER_ALIVE,           /* the recorded process */
        LEADER_UNKNOWN,         /* could not be told (container_state_list(): an error other than "none") */
        _LEADER_STATUS_MAX,
} LeaderStatus;

typedef struct ContainerState {
        char *id;
        ContainerStatus status;
        ContainerOwner owner;
        pid_t pid;              /* 0 if there is no leader (creating, stopped) */
        uint64_t pidfd_inode;   /* st_ino of a pidfd of the leader; set iff pid > 0 */
        uint64_t start_time;    /* /proc/PID/stat field 22, clock ticks after boot; set iff pid > 0 */
        char *bundle;           /* absolute: the OCI bundle, or */
        char *settings;         /* absolute: the .nspawn settings file (at most one of the two is set; a
                                 * daemon machine defined by its root directory alone has neither) */
        char *root;             /* absolute: the root directory, or NULL; required without bundle and settings */
        struct timespec created;/* CLOCK_REALTIME; written as RFC 3339 UTC with nanoseconds */
        char **annotations;     /* key, value, key, value, ..., NULL; keys non-empty and unique */
        char *unit;             /* e.g. "machine-foo.scope", or NULL */
        char *cgroup;           /* absolute cgroup v2 path, or NULL */
        char **daemon;          /* key, value, ...: what the daemon needs to know the container again after a
                                 * restart (its state, STATUS=, timestamps, ...); keys non-empty and unique */
} ContainerState;

/* Returns "creating", "created", "running", "paused", "stopped", or NULL if out of range. */
const char *container_status_to_string(ContainerStatus s);
/* Returns the status named s, or _CONTAINER_STATUS_INVALID. */
ContainerStatus container_status_from_string(const char *s);
/* Returns "daemon", "oci-cli", or NULL if out of range. */
const char *container_owner_to_string(ContainerOwner o);
/* Returns the owner named s, or _CONTAINER_OWNER_INVALID. */
ContainerOwner container_owner_from_string(const char *s);
/* Returns "gone", "reused", "alive", or NULL if out of range. */
const char *leader_status_to_string(LeaderStatus s);

/* Returns true if id is a valid container ID: 1..255 characters of [A-Za-z0-9_+.-], not "." or "..", not
 * starting with '.' (so that it is a safe directory name and never one of our temp files). */
bool container_id_is_valid(const char *id);

/* Frees a state, also a half-built one. Returns NULL. */
ContainerState *container_state_free(ContainerState *s);
static inline void container_state_freep(ContainerState **s) {
        container_state_free(*s);
}

/* Formats ts as RFC 3339 UTC with nanoseconds ("2026-11-30T15:14:32.123456789Z"). Returns 0 or -EINVAL
 * (out of range), -ENOMEM. */
int rfc3339_format(const struct timespec *ts, char **ret);
/* Parses RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", 1-9 fraction digits). Returns 0 or
 * -EINVAL. */
int rfc3339_parse(const char *s, struct timespec *ret);

/* Reads the start time of pid (field 22 of /proc/PID/stat). Returns 0, -ESRCH if there is no such process,
 * -EBADMSG if the file cannot be parsed, or -errno. */
int pid_get_start_time(pid_t pid, uint64_t *ret);

/* Records the identity of the live process pid: the st_ino of a new pidfd for it and its start time.
 * Returns 0 (and, if ret_pidfd is not NULL, the pidfd, O_CLOEXEC, which the caller owns), -ESRCH if pid
 * does not exist, or -errno. */
int leader_identify(pid_t pid, uint64_t *ret_pidfd_inode, uint64_t *ret_start_time, int *ret_pidfd);

/* Whether the kernel records the exit status of a reaped process for its pidfds (PIDFD_GET_INFO with
 * PIDFD_INFO_EXIT, Linux 6.15+): probed once with a child of ours (MACHINED_EXT_PIDFD_INFO_EXIT=0 or 1 in the
 * environment says instead, for tests). Returns 1, 0 (6.13-6.14: the ioctl without that field; older: no
 * ioctl), or -errno. */
int leader_pidfd_exit_supported(void);

/* The exit status of the process of PIDFD, which need not be our child. Returns 1 with *ret_code (CLD_*) and
 * *ret_status if it exited and the kernel has its exit status (PIDFD_INFO_EXIT: recorded when it is reaped),
 * 0 if it still runs, -EAGAIN if it exited but its status is not there yet (not reaped yet, or the moment
 * between the reaping and the recording, where the ioctl says ESRCH), -EOPNOTSUPP if it exited and its status
 * cannot be known (a kernel that does not record it: leader_pidfd_exit_supported()), or -errno. */
int leader_pidfd_exit(int pidfd, int *ret_code, int *ret_status);

/* Checks whether the leader recorded in s is still the same process. Returns LEADER_ALIVE (and, if
 * ret_pidfd is not NULL, a pidfd for it, to be closed by the caller), LEADER_GONE, LEADER_REUSED, or
 * -errno if it cannot tell. A state without a leader (pid 0) is LEADER_GONE. */
int container_state_check_leader(const ContainerState *s, int *ret_pidfd);

/* Whether the cgroup CGROUP (a path below /sys/fs/cgroup; NULL: none) is frozen: cgroup.freeze says 1. */
bool container_cgroup_is_frozen(const char *cgroup);

/* The status of S's container whose leader lives, as runc derives it (machined-ext-oci's "state", the
 * daemon's listing of its containers): paused while its cgroup is frozen, started or not; else created until
 * started, else running. No "paused" is recorded. */
ContainerStatus container_state_live_status(const ContainerState *s);

/* Writes ROOT/ID/state.json atomically (root NULL: CONTAINER_STATE_ROOT_DEFAULT), creating ROOT and ROOT/ID
 * (0700) as needed. s is validated first like a loaded one, and its text is parsed back as the reader would:
 * returns 0, -EINVAL for an invalid state, -EBADMSG for one its reader would refuse (text that is not UTF-8,
 * a map key too long), -EFBIG for one too large, or -errno; no temp file is left behind on failure. */
int container_state_save(const char *root, const ContainerState *s);

/* The copy of the config.json a container was made from (CONTAINER_STATE_CONFIG_FILE): save writes SIZE bytes
 * of TEXT atomically, as container_state_save() does; load reads it (at most CONTAINER_STATE_CONFIG_SIZE_MAX bytes,
 * NUL-terminated). Return 0, -EINVAL for an invalid id, -ENOENT, -EFBIG, -ELOOP (a symlink), -EBADFD (not a
 * regular file) or -errno. */
int container_state_save_config(const char *root, const char *id, const char *text, size_t size);
int container_state_load_config(const char *root, const char *id, char **ret, size_t *ret_size);

/* Reads and validates ROOT/ID/state.json. Returns 0 and *ret; -EINVAL for an invalid id; -ENOENT if there
 * is no such container; -EBADMSG for an unparsable or inconsistent file, -ELOOP for a symlink, -EBADFD for a
 * non-regular file, -EFBIG for one above CONTAINER_STATE_SIZE_MAX; each of the last four with a reason in
 * *ret_error (if not NULL, to be freed). */
int container_state_load(const char *root, const char *id, ContainerState **ret, char **ret_error);

/* Parses and validates a state document of n bytes; id (if not NULL) must match its "id". Returns 0 and
 * *ret, -EBADMSG with a reason in *error (to be freed), or -ENOMEM. */
int container_state_parse(const char *data, size_t n, const char *id, ContainerState **ret, char **error);

/* Removes ROOT/ID: state.json, the config.json copy, the release FIFO, the seccomp cache, stale temp files,
 * the directory. Returns 0, -ENOENT if it did not exist,
 * -EINVAL for an invalid id, or -errno. */
int container_state_remove(const char *root, const char *id);

typedef struct ContainerStateEntry {
        ContainerState *state;
        LeaderStatus leader;    /* for a state with pid > 0; LEADER_GONE otherwise */
} ContainerStateEntry;

/* Frees an array of n entries. Returns NULL. */
ContainerStateEntry *container_state_entries_free(ContainerStateEntry *e, size_t n);

/* Lists the containers under ROOT, sorted by id, each with the liveness of its leader: stale entries (gone
 * or reused leader) are returned for the caller to decide about. Corrupt entries (any load error other than
 * a missing state.json, which may be a container being created) are removed; a message per removed or
 * skipped entry is appended to *ret_problems if not NULL ("ID: reason"), and so is each entry whose leader
 * cannot be told (LEADER_UNKNOWN: kept, never removed). A missing ROOT is an empty list.
 * Returns 0 with *ret and *ret_n, or -errno. */
int container_state_list(const char *root, ContainerStateEntry **ret, size_t *ret_n, char ***ret_problems);
