/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The containers of the OCI runtime command line (machined-ext-oci) under its default state root, as the
 * daemon sees them: listed (ListOCIContainers), and each one with a live leader also a machine that
 * GetMachine finds and StopMachine/KillMachine act on, through a pidfd of its leader. Their state files are
 * read when asked, never written: the CLI owns that directory, and its `state` and `delete` see what we did
 * (a stopped leader is "stopped" there as here); the leader's parent (the CLI's `run`, conmon, a shim) reaps
 * it, not us. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "state.h"

typedef struct Manager Manager;

/* A container of the CLI that a client asked about while its leader lived. Kept (in Manager.oci_containers,
 * by id) until the leader exits: a stop under way needs its SIGKILL timer, and sd-bus needs an object behind
 * the path. */
typedef struct OciMachine {
        Manager *manager;
        char *id;                       /* the key */
        char *path;                     /* BUS_OCI_PATH_PREFIX/<id, bus-label escaped> */
        ContainerState *state;          /* as last read; replaced by every lookup */
        int leader_pidfd;               /* of state->pid, checked by pidfd inode and start time */
        sd_event_source *exit_source;   /* the pidfd is readable: the leader has exited */
        sd_event_source *kill_timer;    /* SIGKILL at stop_deadline */
        usec_t stop_timestamp;          /* CLOCK_MONOTONIC of the stop's SIGTERM, 0 if none */
        usec_t stop_deadline;           /* CLOCK_MONOTONIC of its SIGKILL: stop_timeout after the SIGTERM */
        bool exited;
        struct OciMachine *gc_next;
        bool in_gc_queue;
} OciMachine;

/* Appends one "(ssuss)" per valid container of the OCI CLI under ROOT to REPLY (inside an open array): id,
 * status (derived from the facts as the CLI's `state` derives it: a recorded leader that is gone or whose PID
 * was recycled is "stopped", a frozen cgroup "paused"),
 * leader PID (0 without a live leader), unit (or ""), bundle (or ""; always "" without SHOW_BUNDLE). Entries
 * that cannot be read or do not validate are skipped (logged at debug). A missing ROOT is no entries. Returns 0
 * or -errno. */
int oci_containers_append(sd_bus_message *reply, const char *root, bool show_bundle);

/* The IDs of the containers of the CLI under ROOT with a live leader (those that oci_machine_get() finds, for
 * the bus's node enumerator), in *RET (NULL if there are none). Unreadable or invalid entries are skipped. A
 * missing ROOT is no entries. Returns 0 or -errno. */
int oci_containers_live_ids(const char *root, char ***ret);

/* Finds the container ID of the CLI under CONTAINER_STATE_ROOT_OCI_CLI with a live leader, reading its state
 * file again (validated as the CLI validates it). Returns 0 and *ret (owned by the manager), or:
 * -MX_ERR_NO_SUCH_MACHINE (no such container, or not the CLI's), -MX_ERR_NOT_RUNNING (its leader is gone or
 * was never started), each with a message in *ret_error, which also explains an invalid state file
 * (-MX_ERR_NO_SUCH_MACHINE); -ENOMEM or another -errno. */
int oci_machine_get(Manager *m, const char *id, OciMachine **ret, char **ret_error);

/* SIGTERM to the leader and a SIGKILL timer (the manager's stop timeout), as StopMachine does for our own
 * machines; answers at once. The stop is recorded (oci-stop-record.h) until the leader has exited, so that
 * the next instance of the daemon sends the SIGKILL at the same deadline. A second call while the stop is
 * under way changes nothing. Returns 0, -MX_ERR_NOT_RUNNING if the leader has exited, or -errno. */
int oci_machine_stop(OciMachine *o);

/* Resumes the stops a previous instance of the daemon recorded: for each container whose leader is still the
 * recorded one (PID, pidfd inode, start time, checked against the CLI's state file too), its object is
 * "stopping" again and SIGKILL follows at the recorded deadline (at once if it has passed). Records of
 * containers that are gone, of another run of the ID, and corrupt ones are logged and removed. Returns the
 * number of stops resumed, or -errno if the records cannot be listed. */
int oci_machines_resume_stops(Manager *m);

/* Whether "all" of the container can be signalled through its unit (KillUnit): the state names a scope and the
 * leader's cgroup is in it. Returns 0, -EOPNOTSUPP (no unit: --cgroup-manager cgroupfs or disabled), -EBADMSG
 * (not a scope, or not the leader's), -MX_ERR_NOT_RUNNING, or -errno. */
int oci_machine_check_unit(OciMachine *o);

/* SIG to the leader, through its pidfd. Returns 0, -MX_ERR_NOT_RUNNING if it has exited, or -errno. */
int oci_machine_kill(OciMachine *o, int sig);

/* "stopping" while a stop is under way, else the status as the CLI derives it: "created", "paused" (its cgroup
 * is frozen) or "running". */
const char *oci_machine_state(const OciMachine *o);

/* Drops every entry (the containers are not touched). */
void oci_containers_free_all(Manager *m);
