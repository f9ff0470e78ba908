/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "exit-records.h"
#include "hashmap.h"
#include "machine-listing.h"
#include "polkit.h"
#include "util.h"

typedef struct Machine Machine;
struct BundleData;


typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus *systemd_bus;            /* systemd's private socket, for our scopes' jobs (manager-systemd.c) */
        usec_t systemd_bus_retry;       /* after a failure to open it: not before this (CLOCK_MONOTONIC) */

        Hashmap *machines;      /* name → Machine */
        MachineListing listing; /* ListMachines' entries of MACHINES (machine-listing.h) */
        ExitRecords *exits;     /* the last runs of names that are gone */
        Hashmap *sender_uids;   /* unique bus name (owned key) → uid + 1 */
        Hashmap *held_calls;    /* "%p" of a call held for a user other than root → HeldCall (held-calls.h) */
        Hashmap *held_users;    /* "%u" of such a user → HeldUser: how many of its calls are held */
        unsigned n_held_calls;  /* how many calls of users other than root are held in all */
        PolkitRegistry polkit;  /* calls waiting for (or just answered by) polkit */
        Hashmap *jobs;                  /* systemd job path → Machine, for the start jobs of our scopes */
        Hashmap *adopted_consoles;      /* name → Console of machines of a previous instance of the daemon */
        Hashmap *adopted_locks;         /* "lock-NAME" → ImageLock of those machines */
        Hashmap *adopted_fds;           /* "pidfd-NAME", "notify-NAME", "userns-NAME" → AdoptedFd, until adopted */
        Hashmap *stored_entries;        /* the names in systemd's fd store at start-up, until the adoption is done */

        struct Orphan *orphans;                 /* killed helpers, reaped whenever they exit (manager_reap_later()) */
        struct BundleRead *bundle_reads;        /* helpers reading a bundle for a start (machine-bundle-read.c) */
        struct BindOperation *bind_orphans;     /* BindMount helpers that outlived their machine (machine-bind.c) */

        sd_event_source *address_event_source;  /* the containers' address changes (machine-network.c) */
        struct LinkRemover *link_remover;       /* deletes exited machines' links off the loop (its fds exist
                                                 * from the start: the fd count does not grow with use) */

        Machine *gc_queue;
        sd_event_source *gc_event_source;
        unsigned n_freed_since_trim;    /* machines freed since the heap was last trimmed (on_gc()) */

        int device_policy;              /* the default device policy's program (device-policy.h), or -EBADF
                                         * until it is loaded (manager_device_policy()) */

        bool propagation_ready;
        int inaccessible_ready;         /* -1: not tried yet, 0: failed, 1: /run/machined-ext/inaccessible is there */

        Hashmap *oci_containers;        /* id → OciMachine: machined-ext-oci's, while a client cares */
        struct OciMachine *oci_gc_queue;
        sd_event_source *oci_gc_event_source;

        usec_t stop_timeout;    /* SIGKILL this long after the stop signal */
        usec_t removal_timeout; /* how long to wait for machined to drop a machine whose payload exited */
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        manager_free(*m);
}

/* Connects to the system bus, publishes the objects and takes the name. Returns 0 or -errno. */
int manager_connect_bus(Manager *m);

Machine *manager_get_machine(Manager *m, const char *name);
const ExitRecord *manager_get_exit(Manager *m, const char *name);
/* Records the result of NAME's last run, replacing an older one. Returns 0 or -ENOMEM. */
int manager_record_exit(Manager *m, const char *name, int code, int status, usec_t start_timestamp, const char *unit);

/* The program of the default device policy (device-policy.h) that every machine without devices of its own
 * gets: loaded once, on the first call that succeeds. Returns its fd (ours) or -errno. */
int manager_device_policy(Manager *m);

/* Empties the sender uid cache. */
void manager_flush_sender_uids(Manager *m);

/* Takes the console fds systemd kept for us in its fd store ($LISTEN_FDS, names "console-NAME") and keeps
 * forwarding them to the journal. Closes every other fd passed. Returns the number adopted, or -errno. */
int manager_adopt_consoles(Manager *m);

/* Takes the fd stored as NAME ("pidfd-X", "notify-X", "userns-X") out of adopted_fds. Returns it, or -ENOENT. */
int manager_take_adopted_fd(Manager *m, const char *name);

/* Closes the stored fds no adopted machine took, and removes them from systemd's fd store. */
void manager_drop_adopted_fds(Manager *m);

/* Whether systemd's fd store had the entry PREFIX NAME when the daemon started: NULL if not, else for a machine's
 * capsule (MACHINE_FDS_PREFIX) the tag it held, "" for any other entry. */
const char *manager_stored_entry(Manager *m, const char *prefix, const char *name);
/* Forgets those names (the adoption is done). */
void manager_forget_stored_entries(Manager *m);

/* Takes PIDFD, a child of ours that was sent SIGKILL, and reaps it from the event loop whenever it exits (a task
 * waiting for a hung file system exits only once it answers). Never waits. Returns nothing. */
void manager_reap_later(Manager *m, int pidfd, const char *what);
/* Frees those still there (the daemon exits). */
void manager_orphans_free(Manager *m);

/* Starts a helper that reads the OCI bundle BUNDLE for the start MESSAGE of machine NAME (UNIT, START_BUNDLE: the
 * call's arguments), whose answer then comes from manager_start_machine_read() or after BUNDLE_READ_USEC with
 * org.machinedext1.Timeout. Returns 0 or -errno. (machine-bundle-read.c) */
int manager_read_bundle(Manager *m, sd_bus_message *message, const char *name, const char *unit,
                        const char *start_bundle, const char *bundle);
/* Whether a start of NAME waits for its bundle to be read. */
bool manager_bundle_read_pending(Manager *m, const char *name);
/* Frees the bundle-read helpers (SIGKILLs those still there). */
void manager_bundle_reads_free(Manager *m);

/* The start of machine NAME (the call MESSAGE with UNIT, START_BUNDLE) once its bundle was read (DATA): answers
 * MESSAGE, and sets *RET_ERROR to the error it answered with, if any. (manager-dbus.c) */
void manager_start_machine_read(Manager *m, sd_bus_message *message, const char *name, const char *unit,
                                const char *start_bundle, const struct BundleData *data, sd_bus_error *ret_error);
/* Queues MESSAGE (a call about machine NAME that needs no authorization) behind the start of NAME that waits for
 * its bundle, if there is one. Returns 1 if queued, 0 if not, -ENOMEM. */
int manager_bundle_read_queue(Manager *m, const char *name, sd_bus_message *message, sd_bus_error *error);

/* Frees the BindMount helpers of machines that are gone (SIGKILLs those still there). (machine-bind.c) */
void manager_bind_orphans_free(Manager *m);

/* Machines are freed from an idle-priority defer event, never inside their own callbacks. */
void manager_enqueue_gc(Manager *m, Machine *machine);

/* The host directory with the chr/blk nodes for /run/host/inaccessible, or NULL if it cannot be made. */
const char *manager_inaccessible_dir(Manager *m);

/* Makes sure /run/systemd/nspawn/propagate is a shared mount point (once). Returns 0 or -errno. */
int manager_setup_propagation(Manager *m);

/* Called when systemd-machined reports that machine NAME is gone. */
void manager_machined_removed(Manager *m, const char *name);
