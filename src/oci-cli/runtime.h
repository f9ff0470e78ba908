/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's life as the OCI runtime command line sees it: created by this process (create, run), and
 * found again from its state directory ROOT/ID (state.json: src/container/state.h; exec.fifo: the release
 * FIFO of create/start) by every later call (start, state, kill, delete, list). */

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

#include "config-oci.h"
#include "oci-cli.h"
#include "seccomp-cache.h"
#include "state.h"
#include "util.h"

#define OCI_RELEASE_FIFO CONTAINER_STATE_RELEASE_FIFO
#define OCI_SERVICE_NAME "machined-ext-oci"

/* The keys of ContainerState.daemon this runtime records. */
#define OCI_STATE_MACHINE "machine"             /* the name registered with systemd-machined, if any */
#define OCI_STATE_CGROUP_MANAGER "cgroup-manager"
#define OCI_STATE_NO_NEW_KEYRING "no-new-keyring" /* "yes": create --no-new-keyring, which exec keeps too */

typedef struct OciCreate {
        const char *id;
        const char *bundle;             /* NULL: the current directory */
        const char *pid_file;
        const char *console_socket;
        bool run;                       /* run: this process stays the payload's parent */
        unsigned preserve_fds;          /* --preserve-fds: our fds 3.. passed to the payload */
        bool no_pivot;                  /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
        bool no_new_keyring;            /* --no-new-keyring: the payload keeps the caller's session keyring */
} OciCreate;

/* The connections of one create (or delete): to systemd for the scope, to the system bus for
 * systemd-machined. Both handshakes run while the caller does other work (the init's set-up, the other
 * call), driven by oci_bus_wait(). They are closed when create returns, so that a container holds no
 * connection (dbus-daemon limits them per user; systemd queues its signals for every direct one). run keeps
 * them for its clean-up while its payload is young (oci_runtime_wait()). */
typedef struct OciBus {
        sd_bus *systemd;
        sd_bus *machined;
} OciBus;

/* A call to systemd-machined in flight (runtime-systemd.c). */
typedef struct OciCall OciCall;

/* A container this process created (create, run). */
typedef struct OciInstance {
        ContainerState *state;
        OciContainer *oci;
        int dir_fd;                     /* ROOT/ID, flock()ed */
        pid_t pid;
        int pidfd;
        int sync_fd;
        int console_sock;               /* --console-socket, connected, until the master went there; or -EBADF */
        const char *console_socket_path;
        int console_master;             /* run without a console socket: the console's master, to relay */
        OciBus bus;                     /* run: create's connections (oci_runtime_wait()) */
        OciCall *registration;          /* run: RegisterMachine, answered after the release */
} OciInstance;

OciInstance *oci_instance_free(OciInstance *i);
static inline void oci_instance_freep(OciInstance **i) {
        oci_instance_free(*i);
}

/* A container found in the state directory, locked, with its status derived from the facts. */
typedef struct OciLoaded {
        ContainerState *state;
        ContainerStatus status;         /* created, running, paused or stopped */
        int dir_fd;                     /* ROOT/ID, flock()ed */
        int pidfd;                      /* of the live leader, or -EBADF */
} OciLoaded;

OciLoaded *oci_loaded_free(OciLoaded *l);
static inline void oci_loaded_freep(OciLoaded **l) {
        oci_loaded_free(*l);
}

/* runtime-create.c. Sets up the container O->id up to "created" (the init waits for start on the FIFO): its
 * namespaces and file systems, its scope or cgroup, its registration, its state file and O->pid_file.
 * Returns 0 and *ret; on failure logs one error line, leaves nothing behind and returns -errno. */
int oci_runtime_create(const OciCreate *o, OciInstance **ret);

/* Writes PID into the --pid-file PATH (a new file renamed over it). Returns 0, or -errno after oci_error(). */
int oci_write_pid_file(const char *path, pid_t pid);
/* Calls F for each PID of the cgroup directory DIR_FD and its subgroups (OCI_CGROUP_DEPTH_MAX levels deep at
 * most; a subgroup removed meanwhile is skipped), until F returns < 0. Returns 0, F's error, or -errno. */
#define OCI_CGROUP_DEPTH_MAX 64U
int oci_cgroup_foreach_pid(int dir_fd, int (*f)(int pid, void *userdata), void *userdata);
/* Writes FROZEN to the cgroup.freeze of the cgroup DIR_FD and waits until its cgroup.events says so (freezing
 * is asynchronous), at most 10 s. Returns 0, -ETIMEDOUT, or -errno. */
int oci_cgroup_set_frozen(int dir_fd, bool frozen);
/* From now on the signals a terminal or a supervisor sends us go to the process PIDFD (-EBADF: to nobody). */
void oci_forward_signals(int pidfd);

/* runtime-console.c. Connects to --console-socket PATH. Returns 0 and the socket, or logs and returns -errno. */
int oci_console_socket_connect(const char *path, int *ret_sock);
/* runtime-console.c. Sends the pty master MASTER on SOCK (connected to PATH), with its peer's name inside the
 * container ("/dev/pts/N") as data, as runc does. Returns 0, or logs and returns -errno. */
int oci_console_socket_send(int sock, const char *path, int master);
/* runtime-console.c. run or exec with a terminal and no console socket, in the foreground: relays our stdin to
 * the pty's MASTER and its output to our stdout (stdin in raw mode if it is a terminal, whose window size the
 * pty follows) until the process PIDFD exited and its output is out. Returns 0, or logs and returns -errno. */
int oci_console_relay(int master, int pidfd);

/* runtime-create.c. Lets a container this process created exec its payload (run), and waits until it did.
 * Returns 0, or logs and returns -errno (the container is then destroyed). */
int oci_runtime_release(OciInstance *i);
/* runtime-create.c, for run after oci_runtime_release(): waits for the answer to the registration, which went
 * out with the payload already on its way (as in the daemon). A failure fails the run, unless the payload
 * was done before systemd-machined got to it. Returns 0, or logs and returns -errno. */
int oci_runtime_registered(OciInstance *i);
/* runtime-create.c, for run: waits for the payload's end into *RET (not reaped yet if that fails). The
 * connections in I->bus stay open for the clean-up if it ends within OCI_RUN_KEEP_BUS_USEC; otherwise they
 * are closed then, and the clean-up opens new ones. Returns 0, or logs and returns -errno. */
#define OCI_RUN_KEEP_BUS_USEC (1 * USEC_PER_SEC)
int oci_runtime_wait(OciInstance *i, siginfo_t *ret);

/* runtime.c. Loads and locks the container ID. Returns 0 and *ret, or logs and returns -errno (-ENOENT: no
 * such container). */
int oci_runtime_load(const char *id, OciLoaded **ret);
/* The same; with REMOVE_ABANDONED, a directory whose create died before it wrote state.json (SIGKILLed) is
 * removed instead, and 0 returned with *RET NULL (delete --force). */
int oci_runtime_load_full(const char *id, bool remove_abandoned, OciLoaded **ret);
/* For state and list, which only read: as oci_runtime_load(), without waiting for the lock when another verb
 * holds it (a create running its hooks, a delete): its state.json as it is then (it is only ever replaced
 * whole), or "does not exist (or is being created)" before a create wrote it, as runc's state does. */
int oci_runtime_peek(const char *id, OciLoaded **ret);
/* --root as a state directory must be: ours, writable by no one else. Returns 0, -ENOENT if it does not exist
 * (not logged), or logs and returns -errno (-EPERM: another's, or writable by others). */
int oci_root_check(void);
/* Whether DIR_FD is still the directory ROOT/ID names (not removed, not replaced by a new one of the id):
 * 1 or 0, or -errno. For a lock on it that was waited for. */
int oci_dir_is_current(int dir_fd, const char *id);

/* CONFIG's seccomp filters from the cache the containers of --root share, compiled and saved there on a miss:
 * 1 from the cache, 0 compiled, or a negative errno (logged at debug level). */
int oci_seccomp_programs_shared(const ContainerConfig *config, ContainerSeccompPrograms *ret);

/* runtime.c. Saves the answers libmount gave this process for the mount options of a config.json in --root
 * (mount-options-cache.h), for the next create, start or exec of one with the same options; best effort. */
void oci_mount_options_cache_save(void);

/* runtime.c. The model of the container whose state is S, from the copy of config.json its create kept in
 * ROOT/ID (with the root it resolved then), or from the bundle for a container made without one; with
 * FLAGS. The text read goes to *RET_TEXT and *RET_SIZE if RET_TEXT is not NULL. Returns 0, -ENOMEM, or -errno
 * with a message naming the file in *RET_ERROR (if not NULL). */
int oci_runtime_load_config(const ContainerState *s, OciModelFlags flags, char **ret_text, size_t *ret_size,
                            OciContainer **ret, char **ret_error);

/* runtime.c. The value of KEY in S->daemon, or NULL. */
const char *oci_state_get(const ContainerState *s, const char *key);

/* runtime.c. The runtime-spec state JSON of L (with "systemd-scope" as crun). Returns 0 or -ENOMEM. */
int oci_runtime_state_json(const OciLoaded *l, bool pretty, char **ret);

/* runtime.c. start: releases the created container L. Returns 0, or logs and returns -errno. */
int oci_runtime_start(OciLoaded *l);

/* runtime.c. Sends SIG to the leader of L, or with ALL to every process of its cgroup. Returns 0, or logs and
 * returns -errno. */
int oci_runtime_kill(OciLoaded *l, int sig, bool all);

/* runtime.c. Removes everything of the container ID whose state is S: kills what is left of it (its leader
 * by PIDFD if >= 0), stops its scope or removes its cgroup, unregisters it, runs its poststop hooks, removes
 * ROOT/ID. Returns 0, or logs and returns -errno. */
int oci_runtime_destroy(const ContainerState *s, int pidfd, int dir_fd);
/* oci_runtime_destroy() with the bundle's model OCI already loaded (run has it: poststop hooks without parsing
 * config.json again), and with BUS's connections if it is not NULL (run's: no new handshakes; closed when
 * this returns). */
int oci_runtime_destroy_full(const ContainerState *s, int pidfd, int dir_fd, const OciContainer *oci, OciBus *bus);

/* runtime-systemd.c: the scope or cgroup, and systemd-machined. */
int oci_bus_open(sd_bus **ret);
/* A connection to systemd (PID 1) for its Manager calls: its private socket when we are root (as systemctl
 * does), else the system bus. Returns 0 or -errno. */
int oci_systemd_open(sd_bus **ret);

/* Starts the connections asked for that B does not have yet. Returns 0, or -errno if systemd's failed (the
 * system bus's is only logged at debug level: its calls fail with -ENOTCONN). */
int oci_bus_connect(OciBus *b, bool systemd, bool machined);
/* Closes B's connections (what is still queued is dropped: wait for the answers first). */
void oci_bus_done(OciBus *b);
/* Processes B's connections (handshakes, replies, signals: their callbacks run) and, if that ran none, waits
 * at most TIMEOUT (USEC_INFINITY: no limit) for one of them or for FD (if >= 0) to be readable. Returns 1 if
 * FD is, 0 otherwise (the caller checks its condition again), or -errno. */
int oci_bus_wait(OciBus *b, int fd, usec_t timeout);
/* Processes B's connection to systemd without waiting: a handshake whose answer has come is finished, and a
 * call queued behind it goes out now rather than at the next oci_bus_wait(). (Only systemd's: a connection to
 * the system bus may carry fds from any local sender, not to be received while a child shares our fd table.) */
void oci_systemd_kick(OciBus *b);

/* Puts LEADER into its cgroup per arg_cgroup_manager, in two steps so that systemd's scope job overlaps the
 * init's set-up (the move into a new cgroup waits for an RCU grace period, 10-20 ms). begin: with systemd,
 * sends StartTransientUnit on B and returns at once with the job and the unit's name (the scope may exist
 * from now on: the caller stops it on failure); other managers: nothing (*ret_job and *ret_unit NULL).
 * finish: waits for the job, or creates and enters the cgroup directory (cgroupfs: recorded in STATE_DIR_FD
 * first), and attaches the device policy DEVICE_POLICY (from oci_cgroup_device_policy()) to the cgroup; the
 * cgroup path in *ret_cgroup. Both
 * return 0, or log and return -errno. */
typedef struct OciCgroupJob OciCgroupJob;
int oci_cgroup_begin(OciBus *b, const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob **ret_job,
                     char **ret_unit);
int oci_cgroup_finish(OciBus *b, const char *id, pid_t leader, const OciContainer *oci, OciCgroupJob *job,
                      const char *unit, int device_policy, int state_dir_fd, char **ret_cgroup);
/* The cgroupfs cgroup that a create which died made (CONTAINER_STATE_CREATOR_CGROUP_FILE in DIR_FD), removed
 * once empty. 0 if there is none or it is gone, or logs and returns -errno (-EBUSY: it still has processes;
 * the record stays). */
int oci_cgroupfs_remove_abandoned(int dir_fd);
/* The container's device policy (device-policy.h: the machines' default devices and OCI's rules), loaded:
 * its fd in *RET_FD, -EBADF with a manager that has no cgroup of its own (disabled). A load takes the kernel
 * 0.1-0.5 ms whatever the program (not the verifier: a load's fixed cost): the caller does it while it would
 * wait anyway, between oci_cgroup_begin() and oci_cgroup_finish(), not while a child shares its fd table.
 * Returns 0, or logs and returns -errno. */
int oci_cgroup_device_policy(const char *id, const OciContainer *oci, int *ret_fd);
/* The name of the scope of container ID (OCI's linux.cgroupsPath, or the runtime's name and the id, as crun's):
 * 0 with *RET, or -ENOMEM. */
int oci_scope_name(const char *id, const OciContainer *oci, char **ret);
/* Whether the unit J's StartTransientUnit names may be ours: false only if systemd refused the call (e.g.
 * UnitExists: the name is another's unit, which our clean-up must not stop), waiting for its answer (at most
 * 5 s; no answer by then counts as ours). True for NULL. */
bool oci_cgroup_job_unit_is_ours(OciBus *b, OciCgroupJob *j);
/* Where J is: 0 still running (or not answered yet), 1 done, -EIO failed, or the call's -errno. */
int oci_cgroup_job_state(const OciCgroupJob *j);
OciCgroupJob *oci_cgroup_job_free(OciCgroupJob *j);
static inline void oci_cgroup_job_freep(OciCgroupJob **j) {
        oci_cgroup_job_free(*j);
}
/* Sends StopUnit for UNIT on B and returns at once with its job (NULL if UNIT is NULL or the call could not
 * be sent: logged at debug level). */
OciCgroupJob *oci_cgroup_leave_begin(OciBus *b, const char *unit);
/* Waits for STOP (from oci_cgroup_leave_begin(B, UNIT)), or with CGROUPFS removes the cgroup directory
 * CGROUP. Logs (debug) and returns. */
void oci_cgroup_leave(OciBus *b, OciCgroupJob *stop, const char *unit, const char *cgroup, bool cgroupfs);

OciCall *oci_call_free(OciCall *c);
static inline void oci_call_freep(OciCall **c) {
        oci_call_free(*c);
}
/* Whether C has its answer. */
bool oci_call_done(const OciCall *c);
/* Waits for C's answer, processing B. Returns 0, or -errno with the error's message in *ret_error. */
int oci_call_wait(OciBus *b, OciCall *c, char **ret_error);
/* Sends RegisterMachine for NAME (LEADER must be in its unit already: machined takes the unit from its
 * cgroup) on B's system bus connection. Returns 0 and *ret, or -errno (-ENOTCONN: no connection). */
int oci_register_begin(OciBus *b, const char *name, sd_id128_t id, pid_t leader, const char *root, OciCall **ret);
/* Sends UnregisterMachine for NAME (connecting B if needed) and returns at once with the call (NULL if it
 * could not be sent: logged at debug level). */
OciCall *oci_unregister_begin(OciBus *b, const char *name);
/* Waits for C's answer (from oci_unregister_begin(B, NAME); NULL: nothing to wait for), ignoring "no such
 * machine". Logs (debug) and returns. */
void oci_unregister_end(OciBus *b, OciCall *c, const char *name);

/* runtime-hooks.c: the hooks of kind K of the bundle, in order; stops at the first failure. STATUS, PID: for
 * the state JSON. NS_PID > 0: createContainer's namespaces are those of that process. Returns 0, or -errno
 * with the failure logged (at LEVEL: 3 fails the caller, 4 is only a warning). */
int oci_run_hooks(const OciContainer *oci, const char *id, OciHookKind k, const char *status, pid_t pid,
                  int level);
