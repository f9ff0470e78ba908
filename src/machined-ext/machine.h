/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>

#include "bus-api.h"
#include "config-oci.h"
#include "console.h"
#include "image-lock.h"
#include "manager.h"
#include "network.h"
#include "ratelimit.h"
#include "settings.h"
#include "tables.h"

/* Machine operations return -errno for real failures and -MX_ERR_* (bus-api.h) for domain conditions (no such
 * machine, not running, already running, invalid settings, ...), which machine-dbus.c turns into their bus
 * errors: the two ranges cannot collide. */

#define MACHINE_DEFAULT_TIMEOUT_START_USEC (90 * USEC_PER_SEC)

/* Notifications read per machine: at most BURST per INTERVAL; the rest wait in the socket (see on_notify()). */
#define MACHINE_NOTIFY_RATELIMIT_INTERVAL_USEC (1 * USEC_PER_SEC)
#define MACHINE_NOTIFY_RATELIMIT_BURST 256U

typedef struct ReadyWaiter ReadyWaiter;
typedef struct BindOperation BindOperation;
typedef struct ExecOperation ExecOperation;

struct Machine {
        Manager *manager;

        const char *name;               /* these three in STRINGS (below) */
        const char *path;               /* D-Bus object path */
        const char *unit;               /* machine-NAME.scope, or UNIT_OWNED (machine_set_unit()) */
        char *unit_owned;
        char *root;
        char *settings_path;
        Settings *settings;             /* the parsed settings file; NULL if there is none */
        char **warnings_kept;           /* its notices at the start, from the state: a machine adopted without
                                         * its settings (OCIBundle=, from the copy of its config.json) */
        char *bundle;                   /* an OCI bundle directory (StartMachineFromBundle, OCIBundle=), or NULL */
        const struct BundleData *bundle_data; /* borrowed during a load: what a helper read of the bundle */
        char *bundle_pending;           /* a load without it: the bundle directory for a helper to read */
        char *bundle_text;              /* the config.json loaded, until the state has its copy (a restarted */
        size_t bundle_text_size;        /* daemon adopts from that, never from the bundle's file system) */
        OciContainer *oci;              /* ... its model, instead of the settings' */
        int hook_pidfd;                 /* the helper running prestart, createRuntime, createContainer hooks */
        int hook_msg_fd;                /* ... its message, if one failed */
        sd_event_source *hook_event_source;
        bool hooks_created;             /* ... they succeeded: poststop hooks are due once it is gone */
        char *hostname;
        int console_mode;               /* ConsoleMode */
        int read_only;                  /* int, not bool: exposed on the bus as "b" */
        Console *console;
        ImageLock *image_lock;          /* on the root directory, from the start until the payload exited */
        char **argv;
        char **envp;
        sd_id128_t id;
        MachineState state;
        int boot;                       /* int, not bool: exposed on the bus as "b" */
        int notify_ready;
        int kill_signal;
        usec_t timestamp;
        usec_t timestamp_monotonic;

        pid_t leader;
        int leader_pidfd;
        uint64_t leader_inode;          /* st_ino of its pidfd and its start time: its identity in the state */
        uint64_t leader_start_time;
        bool adopted;                   /* started by a previous instance of the daemon (machine-state.c) */
        unsigned reap_tries;            /* adopted: polls for the exit status of an exited leader */
        int mntns_capsule;              /* the mount namespace the init was cloned into, in a capsule, held
                                         * until the payload's exec (machine_hold_mount_namespace()) */
        bool fds_stored;                /* "machine-NAME" is in systemd's fd store (machine-state.h) */
        bool notify_stored;             /* "notify-NAME" is in systemd's fd store */
        int sync_fd;
        sd_event_source *sync_event_source;
        sd_event_source *child_event_source;
        sd_event_source *timer_event_source;
        sd_bus_slot *scope_slot;        /* StartTransientUnit, AttachProcessesToUnit or StopUnit, in flight */
        sd_bus_slot *machined_slot;     /* RegisterMachine or UnregisterMachine, in flight: apart from the
                                         * scope's, so that no reply handler can drop another call's slot */
        char *scope_job;                /* the start job of our scope, while it runs */

        bool released;                  /* allowed to exec */
        bool setup_done;                /* the child reported CONTAINER_STAGE_SETUP_DONE */
        bool scope_requested;           /* StartTransientUnit (or AttachProcessesToUnit) was sent */
        bool scope_ready;               /* ... and its job is done: the leader is in its unit */
        bool scope_stopping;            /* StopUnit of our scope was sent after a failed start */
        bool scope_gone;                /* the scope will not be there (failed start) */
        bool register_sent;
        bool registration_settled;      /* machined has it, or the payload was gone before it could */
        bool exec_done;                 /* the payload was exec'd */
        bool start_done;                /* StartMachine was answered (or there was none) */
        bool registered;                /* systemd-machined has it */
        bool machined_gone;             /* ... and has dropped it again (or never had it) */
        bool machined_missed;           /* the payload was gone before machined could register it: our scope
                                         * must be stopped and seen gone by us, see machine_scope_must_go() */
        bool exited;                    /* the payload was reaped */
        bool finalized;
        bool removal_timer_armed;
        bool unregister_sent;
        bool in_gc_queue;
        bool stop_requested;            /* StopMachine (or a failed readiness) asked it to end */
        usec_t stop_deadline;           /* CLOCK_MONOTONIC of the SIGKILL after the stop signal, 0 if none */
        bool reboot_pending;            /* the leader died of SIGHUP (reboot(2)): start again once gone */
        unsigned n_reboots;             /* reboots since reboot_burst_start, see machine_reboot_allowed() */
        usec_t reboot_burst_start;
        int exit_code;                  /* CLD_* */
        int exit_status;

        /* Pending bus calls, answered by machine-dbus.c. */
        sd_bus_message *start_message;
        sd_event_source *start_reply_event_source; /* answers start_message early, see START_REPLY_USEC */
        bool start_answered_early;      /* StartMachine was answered while the start was under way */
        int start_error;                /* why the start failed, -errno, with a message */
        char *start_error_message;
        sd_bus_message **waiters;       /* WaitMachine: answered when the payload exited (or, if it never
                                         * ran, when the machine is gone) */
        size_t n_waiters;
        sd_bus_message **queued_calls;  /* a start of the same name that came while this run was being
                                         * cleaned up, and the calls after it, which are about the run it
                                         * begins: dispatched again, in order, once this one is gone */
        size_t n_queued_calls;

        /* The container interface: /run/host, readiness. */
        char *propagate_dir;            /* /run/systemd/nspawn/propagate/NAME: /run/host/incoming */
        int notify_fd;
        sd_event_source *notify_event_source;
        RateLimit notify_ratelimit;
        sd_event_source *notify_resume_event_source; /* re-enables notify_event_source after the limit's window */
        char **changed_properties;      /* PropertiesChanged queued for the end of this event loop iteration */
        sd_event_source *changed_event_source;
        int notify_access;              /* NotifyAccess */
        char *cgroup;                   /* the payload's cgroup, for NotifyAccess=all */
        char *status_text;              /* last STATUS= */
        usec_t ready_timestamp;
        usec_t ready_timestamp_monotonic;
        usec_t timeout_start_usec;
        sd_event_source *start_timer_event_source;
        int ready_error;                /* why it never became ready, -errno */
        char *ready_error_message;
        ReadyWaiter *ready_waiters;
        BindOperation *bind_operations;
        ExecOperation *exec_operations; /* OpenShell, Exec: processes run inside (machine-shell.c) */

        /* PrivateUsers= (machine-userns.c): the UID range of the current run, 0 = none, and its lock. */
        uid_t userns_shift;
        uint32_t userns_range;
        int userns_lock_fd;
        bool userns_lock_stored;        /* ... the one in its capsule in the store (adopted from there) */
        sd_event_source *userns_helper_event_source; /* the exited helper that made the user namespace */

        /* The private network (machine-network.c): what the definition asks for, and what this run has on the
         * host (recorded in the state as "network", torn down when the payload is gone). */
        NetworkConfig network_config;
        NetworkState network;
        bool network_removing;          /* its links are being deleted by the manager's link remover: the
                                         * record stays (and the machine is not finalized) until they are gone */

        /* Started by container@NAME.service: the payload goes into that unit's cgroup (subgroup "payload"),
         * the unit is registered with systemd-machined, and no scope is created. */
        char *keep_unit;
        sd_bus_slot *unit_stop_slot;    /* StopUnit of keep_unit, for a StopMachine from outside it */
        bool unit_stop_sent;

        Machine *gc_next;

        /* NAME, PATH and the default UNIT, in the Machine's allocation: a ListMachines of thousands of machines
         * then reads one place per machine, not four (issue #17). */
        char strings[];
};

struct ReadyWaiter {
        Machine *machine;
        sd_bus_message *message;
        sd_event_source *timer;
        ReadyWaiter *next;
};

/* Frees W (not linked in any list any more) with its timer and message. */
void ready_waiter_free(ReadyWaiter *w);

/* A BindMount call and its helper (machine-bind.c). In its machine's bind_operations, or, once the machine is
 * gone with the helper still there (killed, but held by a hung file system), in its manager's bind_orphans
 * until it exits. */
struct BindOperation {
        Machine *machine;               /* NULL once the machine is gone */
        Manager *manager;
        sd_bus_message *message;        /* the call, NULL once answered */
        int pidfd;                      /* the helper's, -EBADF once reaped */
        int report_fd;
        sd_event_source *child_event_source;
        sd_event_source *timer_event_source;    /* the answer's deadline (BIND_REPLY_USEC) */
        char *machine_name;
        char *source;
        char *destination;
        char *staged;                   /* with a user namespace: the staging directory (container_bind_mount()) */
        BindOperation *next;
};

/* Creates machine NAME (validated by the caller) and adds it to the manager. Returns 0 or -errno. */
int machine_new(Manager *manager, const char *name, Machine **ret);
/* Another unit than machine-NAME.scope (a keep-unit, an OCI cgroupsPath). Returns 0 or -ENOMEM. */
int machine_set_unit(Machine *m, const char *unit);
/* The setters of the fields ListMachines lists: they invalidate the manager's listing (machine-listing.h). */
void machine_set_leader(Machine *m, pid_t leader);
Machine *machine_free(Machine *m);
static inline void machine_freep(Machine **m) {
        machine_free(*m);
}

/* What a bundle-read helper found (machine-bundle-read.c): the failed stage and its errno, or config.json's text
 * and its root.path made absolute. */
typedef enum BundleReadStage {
        BUNDLE_READ_DONE,
        BUNDLE_READ_DIRECTORY,          /* the bundle is not a directory */
        BUNDLE_READ_CONFIG,             /* config.json cannot be read (message says why) */
        BUNDLE_READ_ROOT,               /* root.path is not a directory */
        _BUNDLE_READ_STAGE_MAX,
} BundleReadStage;

typedef struct BundleData {
        char *bundle;                   /* the directory read */
        BundleReadStage stage;
        int error;                      /* positive errno of STAGE */
        char *message;                  /* BUNDLE_READ_CONFIG: what oci_spec_read() said, or NULL */
        char *text;                     /* config.json, SIZE bytes, NUL-terminated */
        size_t size;
        char *root;                     /* root.path, absolute; NULL if the helper could not parse the text */
} BundleData;

void bundle_data_done(BundleData *d);

/* Returned (positive) by machine_load() and machine_load_bundle() without Machine.bundle_data: the bundle
 * Machine.bundle_pending must be read by a helper first (the daemon never touches a bundle's file system). */
#define MACHINE_LOAD_BUNDLE_PENDING 1

/* Reads the machine's definition: settings file and root directory. Returns 0, or -MX_ERR_NO_SUCH_MACHINE,
 * -MX_ERR_INVALID_SETTINGS (with *ret_error naming file:line), -MX_ERR_SETUP_FAILED, -errno. */
int machine_load(Machine *m, char **ret_error);

/* The Warnings of the settings M was started from (NULL: none). */
char * const *machine_warnings(const Machine *m);
/* How many warnings there were: also those that machine_warnings() does not hold. */
size_t machine_warnings_total(const Machine *m);

/* Reads the OCI bundle BUNDLE (an absolute directory) as the machine's definition. Returns 0, or
 * -MX_ERR_NO_SUCH_MACHINE (no such directory), -MX_ERR_INVALID_SETTINGS (*ret_error names config.json and the
 * JSON path), -MX_ERR_SETUP_FAILED (the root directory is unusable), -ENOMEM, or MACHINE_LOAD_BUNDLE_PENDING
 * (no Machine.bundle_data: nothing of the bundle is read here). (machine-bundle.c) */
int machine_load_bundle(Machine *m, const char *bundle, char **ret_error);

/* machine_load() for a settings file S (found at PATH; both taken) with OCIBundle=: the bundle defines the
 * container, S the machine keys that may go with it (MachineID=, KillSignal=, NotifyReady=, NotifyAccess=,
 * TimeoutStartSec=). Returns like machine_load_bundle(), but -MX_ERR_SETUP_FAILED for a missing bundle.
 * (machine-bundle.c) */
int machine_load_settings_bundle(Machine *m, Settings *s, char *path, char **ret_error);

/* Starts the container. Returns 0 when the child runs; completion is reported through
 * machine_dbus_start_done(). On failure returns -MX_ERR_SETUP_FAILED (or -errno) and sets *ret_error. */
int machine_start(Machine *m, char **ret_error);

/* Sends the stop signal to the leader (KillSignal=; SIGRTMIN+3 with Boot=, else SIGKILL as systemd-nspawn
 * does), and SIGKILL after the stop timeout. A second call while the first is under way does nothing. */
int machine_stop(Machine *m);

/* Sends SIG to the leader through its pidfd. Returns 0, -MX_ERR_NOT_RUNNING if it has exited, or -errno. */
int machine_kill_leader(Machine *m, int sig);

/* Called by machine-dbus.c with the outcome of the registration with systemd-machined. */
void machine_registered(Machine *m, int error, const char *message);

/* Called by the manager when systemd-machined dropped this machine. */
void machine_machined_removed(Machine *m);

/* Adds a pending WaitMachineReady call, answered when the machine is ready or failed, or after TIMEOUT
 * (0 = none). Answers at once if the machine is ready already. */
int machine_add_ready_waiter(Machine *m, sd_bus_message *message, usec_t timeout, sd_bus_error *error);

/* Bind-mounts SOURCE at DESTINATION in the running container, through a helper process that does every access
 * to SOURCE; MESSAGE is answered when it is done, or with org.machinedext1.Timeout after 20 s. Returns 0,
 * -MX_ERR_NOT_RUNNING, -EOPNOTSUPP (a user namespace, but no propagation directory or a kernel before 6.11), or
 * -errno (a real failure, whatever its errno). (machine-bind.c) */
int machine_bind_mount(Machine *m, const char *source, const char *destination, bool read_only, bool make_dir,
                       sd_bus_message *message);

/* Queues a call about this machine's name (a StartMachine, or a call after a queued one), to be dispatched
 * again once this run is gone. Returns 0 or -ENOMEM. */
int machine_queue_call(Machine *m, sd_bus_message *message, sd_bus_error *error);

/* Whether a start of this name is queued behind this (exited) run: calls about the machine then concern the
 * run that start begins, and are queued too. */
static inline bool machine_start_queued(const Machine *m) {
        return m->n_queued_calls > 0;
}

/* Called with the result of the scope's start (or stop) job, or of the attachment to the keep-unit. */
void machine_scope_started(Machine *m, const char *result);
/* Called when the scope could not be created at all. Takes MESSAGE. */
void machine_scope_failed(Machine *m, int error, char *message);

/* Adds a pending WaitMachine call, answered when the payload exited. Returns 0 or -ENOMEM. */
int machine_add_waiter(Machine *m, sd_bus_message *message, sd_bus_error *error);

void machine_set_state(Machine *m, MachineState state);

/* The payload (the leader) ended with CODE (CLD_*) and STATUS: whether reaped by us or, for an adopted
 * machine, seen through its pidfd. */
void machine_payload_exited(Machine *m, int code, int status);

/* Watches FD, the machine's /run/host/notify socket (set up already), and owns it. Returns 0 or -errno. */
int machine_watch_notify(Machine *m, int fd);

/* (Re-)arms the start timeout (READY=1 must come within USEC). Returns 0 or -errno. */
int machine_arm_start_timeout(Machine *m, usec_t usec);

/* Arms the SIGKILL that follows the stop signal after the stop timeout. Returns 0 or -errno. */
int machine_arm_stop_timer(Machine *m);
/* Fails the pending start with ERROR and MESSAGE (taken), and kills the init. The first reason stays. */
void machine_fail_start(Machine *m, int error, char *message);
