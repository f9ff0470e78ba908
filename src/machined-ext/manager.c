/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <malloc.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "device-policy.h"
#include "fd-util.h"
#include "console.h"
#include "fd-capsule.h"
#include "fd-keeper.h"
#include "strv.h"
#include "image-lock.h"
#include "log.h"
#include "machine-dbus.h"
#include "machine.h"
#include "machine-state.h"
#include "manager-dbus.h"
#include "manager-systemd.h"
#include "link-remover.h"
#include "held-calls.h"
#include "manager.h"
#include "container.h"
#include "name.h"
#include "oci-containers-dbus.h"
#include <fcntl.h>
#include <systemd/sd-daemon.h>

/* The heap is trimmed after this many machines were freed (on_gc()). */
#define GC_TRIM_AFTER 64U

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = new0(Manager, 1);
        if (!m)
                return -ENOMEM;

        m->inaccessible_ready = -1;
        m->device_policy = -EBADF;
        m->stop_timeout = 90 * USEC_PER_SEC;
        m->removal_timeout = 10 * USEC_PER_SEC;

        m->machines = hashmap_new();
        m->exits = exit_records_new();
        m->jobs = hashmap_new();
        m->sender_uids = hashmap_new();
        m->held_calls = hashmap_new();
        m->held_users = hashmap_new();
        m->adopted_consoles = hashmap_new();
        m->adopted_locks = hashmap_new();
        m->adopted_fds = hashmap_new();
        m->stored_entries = hashmap_new();
        m->oci_containers = hashmap_new();
        if (!m->machines || !m->exits || !m->jobs || !m->sender_uids || !m->held_calls || !m->held_users || !m->adopted_consoles || !m->adopted_locks ||
            !m->adopted_fds || !m->stored_entries || !m->oci_containers)
                return -ENOMEM;

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

/* Destructors for hashmap_clear(). */
static void destroy_machine(void *value, const char *key) {
        machine_free(value);
}

static void destroy_console(void *value, const char *key) {
        console_free(value);
}

typedef struct AdoptedFd {
        int fd;
        char name[];
} AdoptedFd;

static void destroy_adopted_fd(void *value, const char *key) {
        AdoptedFd *a = value;

        safe_close(a->fd);
        free(a);
}

/* A stored fd no machine took: of one whose state is gone or was not trusted. Kept, a notify socket would keep
 * that machine's network namespace (and so its veth) alive for good. */
static void drop_adopted_fd(void *value, const char *key) {
        AdoptedFd *a = value;
        const char *machine = startswith(a->name, "pidfd-") ?: startswith(a->name, "notify-") ?:
                              startswith(a->name, "userns-");

        log_info("Stored fd %s belongs to no machine known from its state, dropping it.", a->name);
        (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s", a->name);
        /* It may have come out of that machine's capsule (machine-state.h): that goes too. */
        if (machine)
                (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=" MACHINE_FDS_PREFIX "%s", machine);
        destroy_adopted_fd(value, key);
}

void manager_drop_adopted_fds(Manager *m) {
        hashmap_clear(m->adopted_fds, drop_adopted_fd);
}

static void destroy_image_lock(void *value, const char *key) {
        image_lock_free(value);         /* not released: the machines may still run */
}

typedef struct Orphan {
        Manager *manager;
        struct Orphan *next;
        int pidfd;
        char *what;
        sd_event_source *child_event_source;
} Orphan;

static Orphan *orphan_free(Orphan *o) {
        if (!o)
                return NULL;
        for (Orphan **p = &o->manager->orphans; *p; p = &(*p)->next)
                if (*p == o) {
                        *p = o->next;
                        break;
                }
        sd_event_source_disable_unref(o->child_event_source);
        safe_close(o->pidfd);
        free(o->what);
        return mfree(o);
}

void manager_orphans_free(Manager *m) {
        while (m->orphans)
                orphan_free(m->orphans);
}

static int on_orphan_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Orphan *o = userdata;

        log_debug("The abandoned %s has exited.", o->what ?: "helper");
        orphan_free(o);
        return 0;
}

void manager_reap_later(Manager *m, int pidfd, const char *what) {
        Orphan *o;
        int r;

        if (pidfd < 0)
                return;
        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        o = new0(Orphan, 1);
        if (!o) {
                safe_close(pidfd);      /* a zombie until the daemon exits: better than waiting */
                return;
        }
        *o = (Orphan) { .manager = m, .pidfd = pidfd, .what = what ? strdup(what) : NULL };
        r = sd_event_add_child_pidfd(m->event, &o->child_event_source, pidfd, WEXITED, on_orphan_exit, o);
        if (r < 0) {
                log_debug_errno(r, "Failed to watch the abandoned %s, ignoring: %m", what ?: "helper");
                safe_close(o->pidfd);
                free(o->what);
                free(o);
                return;
        }
        (void) sd_event_source_set_description(o->child_event_source, "orphan-helper");
        o->next = m->orphans;
        m->orphans = o;
}

Manager *manager_free(Manager *m) {
        Machine *machine;

        if (!m)
                return NULL;

        /* First: its thread reads no machine, but their callbacks must not run any more. What it did not do
         * yet stays recorded in the machines' state files, for the next instance. */
        m->link_remover = link_remover_free(m->link_remover);

        /* Machines keep running without us; this only drops our bookkeeping. */
        while (m->gc_queue) {
                machine = m->gc_queue;
                m->gc_queue = machine->gc_next;
                machine_free(machine);
        }
        hashmap_clear(m->machines, destroy_machine);
        hashmap_free(m->machines);
        machine_listing_done(&m->listing);
        manager_bind_orphans_free(m);
        manager_bundle_reads_free(m);
        manager_orphans_free(m);
        oci_containers_free_all(m);
        hashmap_free(m->oci_containers);
        exit_records_free(m->exits);
        hashmap_free(m->jobs);
        hashmap_clear(m->adopted_consoles, destroy_console);
        hashmap_free(m->adopted_consoles);
        hashmap_clear(m->adopted_locks, destroy_image_lock);
        hashmap_free(m->adopted_locks);
        hashmap_clear(m->adopted_fds, destroy_adopted_fd);
        hashmap_free(m->adopted_fds);
        manager_forget_stored_entries(m);
        hashmap_free(m->stored_entries);
        manager_held_calls_done(m);
        hashmap_free(m->held_calls);
        hashmap_free(m->held_users);
        polkit_registry_done(&m->polkit);
        manager_flush_sender_uids(m);
        hashmap_free(m->sender_uids);

        sd_event_source_disable_unref(m->gc_event_source);
        sd_event_source_disable_unref(m->address_event_source);
        sd_bus_flush_close_unref(m->systemd_bus);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        safe_close(m->device_policy);
        return mfree(m);
}

static void destroy_key(void *value, const char *key) {
        free((char *) key);
}

void manager_flush_sender_uids(Manager *m) {
        hashmap_clear(m->sender_uids, destroy_key);
}

int manager_device_policy(Manager *m) {
        int fd, r;

        if (m->device_policy >= 0)
                return m->device_policy;
        r = device_policy_load(NULL, 0, &fd);
        if (r < 0)
                return r;
        return (m->device_policy = fd);
}

Machine *manager_get_machine(Manager *m, const char *name) {
        return hashmap_get(m->machines, name);
}

const ExitRecord *manager_get_exit(Manager *m, const char *name) {
        return exit_records_get(m->exits, name);
}

int manager_record_exit(Manager *m, const char *name, int code, int status, usec_t start_timestamp, const char *unit) {
        return exit_records_add(m->exits, name, code, status, now(CLOCK_REALTIME), start_timestamp, unit);
}

static int on_gc(sd_event_source *s, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);

        while (m->gc_queue) {
                Machine *machine = m->gc_queue;
                m->gc_queue = machine->gc_next;
                machine_free(machine);
                m->n_freed_since_trim++;
        }
        /* Many machines gone (a burst of an engine's containers, a scale test): what they leave free in whole
         * pages is given back. glibc keeps it inside its heap otherwise, and the daemon's resident anonymous
         * memory is copied into every container init it forks, as page tables and then page by page on each
         * write (bench/RESULTS.md: 0.4 MB fresh, 5.9 MB after 1000 machines came and went, 4.5 MB with this;
         * the rest is free memory in pages that records still in use pin). */
        if (m->n_freed_since_trim >= GC_TRIM_AFTER) {
                m->n_freed_since_trim = 0;
                (void) malloc_trim(0);
        }
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

void manager_enqueue_gc(Manager *m, Machine *machine) {
        int r;

        if (machine->in_gc_queue)
                return;
        machine->in_gc_queue = true;
        machine->gc_next = m->gc_queue;
        m->gc_queue = machine;

        if (!m->gc_event_source) {
                r = sd_event_add_defer(m->event, &m->gc_event_source, on_gc, m);
                if (r < 0) {
                        log_warning_errno(r, "Failed to add GC event source, machine freed at exit: %m");
                        return;
                }
                (void) sd_event_source_set_priority(m->gc_event_source, SD_EVENT_PRIORITY_IDLE);
                (void) sd_event_source_set_description(m->gc_event_source, "manager-gc");
        }
        (void) sd_event_source_set_enabled(m->gc_event_source, SD_EVENT_ONESHOT);
}

const char *manager_inaccessible_dir(Manager *m) {
        int r;

        if (m->inaccessible_ready < 0) {
                if (mkdir("/run/machined-ext", 0755) < 0 && errno != EEXIST)
                        r = -errno;
                else
                        r = inaccessible_nodes_setup("/run/machined-ext/inaccessible");
                if (r < 0)
                        log_warning_errno(r, "Failed to create the inaccessible device nodes, containers will make their own: %m");
                m->inaccessible_ready = r >= 0;
        }
        return m->inaccessible_ready ? "/run/machined-ext/inaccessible" : NULL;
}

int manager_setup_propagation(Manager *m) {
        int r;

        if (m->propagation_ready)
                return 0;
        if (mkdir("/run/systemd", 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir("/run/systemd/nspawn", 0755) < 0 && errno != EEXIST)
                return -errno;
        r = propagate_dir_setup("/run/systemd/nspawn/propagate");
        if (r < 0)
                return r;
        m->propagation_ready = true;
        return 0;
}

static int on_adopted_console_gc(sd_event_source *s, void *userdata) {
        console_free(userdata);
        return 0;
}

static void on_adopted_console_ended(Console *c, void *userdata) {
        Manager *m = ASSERT_PTR(userdata);
        int r;

        /* The machine of a previous instance is gone: drop its fd from the store, and free the console once
         * its own callback is done. */
        log_info("Machine %s (of a previous instance of the daemon) is gone.", console_name(c));
        (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=" MACHINE_FDS_PREFIX "%s", console_name(c));
        r = sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=console-%s", console_name(c));
        if (r < 0)
                log_debug_errno(r, "Failed to remove a console fd from the store, ignoring: %m");
        {
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "lock-%s", console_name(c)) >= 0)
                        image_lock_release(hashmap_remove(m->adopted_locks, key));
        }
        hashmap_remove(m->adopted_consoles, console_name(c));
        r = sd_event_add_defer(m->event, NULL, on_adopted_console_gc, c);
        if (r < 0)
                log_warning_errno(r, "Failed to queue a console for freeing, leaking it: %m");
}

/* Appends FD as PREFIX+NAME to NAMES/FDS. Takes FD (closed on failure). */
static int append_fd(char ***names, int **fds, size_t *n, const char *prefix, const char *name, int fd) {
        _cleanup_free_ char *full = NULL;
        int *a;

        if (asprintf(&full, "%s%s", prefix, name) < 0)
                full = NULL;
        a = full ? reallocarray(*fds, *n + 1, sizeof(int)) : NULL;
        if (a)
                *fds = a;
        if (!a || strv_extend(names, full) < 0) {
                safe_close(fd);
                return -ENOMEM;
        }
        (*fds)[(*n)++] = fd;
        return 0;
}

/* Opens a "machine-NAME" capsule of the store (machine-state.h) into what it holds, under the names a keeper
 * hands over: "pidfd-NAME", "lock-NAME" and "userns-NAME" in capsules of their own (a bare lock fd in our fd
 * table would be copied by every fork), "console-NAME" and "notify-NAME" bare. Takes CAPSULE; systemd's copy stays in the store until the
 * machine is gone or stored anew. */
static void unpack_machine_capsule(const char *name, int capsule, char ***names, int **fds, size_t *n,
                                   char ret_tag[static 64]) {
        int got[FD_CAPSULE_MAX], locks[2], n_locks = 0, k, c;
        char tag[64], *p = tag, *word;

        k = fd_capsule_peek(capsule, got, ELEMENTSOF(got), tag, sizeof(tag));
        safe_close(capsule);
        if (k < 0) {
                log_warning_errno(k, "Failed to open the stored fds of machine %s, ignoring: %m", name);
                return;
        }
        strcpy(ret_tag, tag);
        for (int i = 0; i < k; i++) {
                word = strsep(&p, " ");
                if (word && (streq(word, MACHINE_FDS_PIDFD) || streq(word, MACHINE_FDS_USERNS))) {
                        c = fd_capsule_new(&got[i], 1, word);
                        safe_close(got[i]);
                        if (c >= 0)
                                (void) append_fd(names, fds, n, streq(word, MACHINE_FDS_PIDFD) ? "pidfd-" : "userns-",
                                                 name, c);
                } else if (word && streq(word, MACHINE_FDS_CONSOLE))
                        (void) append_fd(names, fds, n, "console-", name, got[i]);
                else if (word && streq(word, MACHINE_FDS_LOCK) && n_locks < (int) ELEMENTSOF(locks))
                        locks[n_locks++] = got[i];
                else if (word && streq(word, MACHINE_FDS_NOTIFY))
                        (void) append_fd(names, fds, n, "notify-", name, got[i]);
                else
                        safe_close(got[i]);
        }
        if (n_locks > 0) {
                c = fd_capsule_new(locks, n_locks, MACHINE_FDS_LOCK);
                for (int i = 0; i < n_locks; i++)
                        safe_close(locks[i]);
                if (c >= 0)
                        (void) append_fd(names, fds, n, "lock-", name, c);
        }
}

/* An entry of the fd store at start-up: its name, and for a machine's capsule the tag it was opened with ("" for
 * one it could not be opened with, NULL for any other entry). */
typedef struct StoredEntry {
        const char *tag;
        char name[];
} StoredEntry;

static int record_stored_entry(Hashmap *stored, const char *name, const char *tag) {
        StoredEntry *e = malloc(sizeof(StoredEntry) + strlen(name) + 1 + (tag ? strlen(tag) + 1 : 0));
        int r;

        if (!e)
                return -ENOMEM;
        strcpy(e->name, name);
        e->tag = tag ? strcpy(e->name + strlen(name) + 1, tag) : NULL;
        r = hashmap_put(stored, e->name, e);
        if (r < 0)
                free(e);
        return r;
}

static void destroy_stored_entry(void *value, const char *key) {
        free(value);
}

const char *manager_stored_entry(Manager *m, const char *prefix, const char *name) {
        _cleanup_free_ char *key = NULL;
        StoredEntry *e;

        if (hashmap_size(m->stored_entries) == 0 || asprintf(&key, "%s%s", prefix, name) < 0)
                return NULL;
        e = hashmap_get(m->stored_entries, key);
        return e ? e->tag ?: "" : NULL;
}

void manager_forget_stored_entries(Manager *m) {
        hashmap_clear(m->stored_entries, destroy_stored_entry);
}

/* The fds of the fd store, then those of a keeper (fd-keeper.c) under names the store did not have. The store's
 * names go into STORED (with the tags of the machines' capsules). */
static int collect_stored_fds(Hashmap *stored, char ***ret_names, int **ret_fds, size_t *ret_n) {
        _cleanup_strv_free_ char **names = NULL, **kept_names = NULL, **store_names = NULL;
        _cleanup_free_ int *fds = NULL, *kept = NULL;
        size_t n = 0, n_kept = 0;
        bool record_failed = false;
        int k, r;

        k = sd_listen_fds_with_names(true, &names);
        if (k < 0)
                return k;
        if (k > 0) {
                fds = new(int, k);
                if (!fds) {
                        for (int i = 0; i < k; i++)
                                safe_close(SD_LISTEN_FDS_START + i);
                        return -ENOMEM;
                }
                for (int i = 0; i < k; i++)
                        fds[n++] = SD_LISTEN_FDS_START + i;
                while (strv_length(names) < n)         /* unnamed fds: closed below */
                        if (strv_extend(&names, "") < 0) {
                                for (size_t i = 0; i < n; i++)
                                        safe_close(fds[i]);
                                return -ENOMEM;
                        }
        }
        for (size_t i = 0, end = n; i < end; i++) {
                const char *name = startswith(names[i], MACHINE_FDS_PREFIX);
                char tag[64] = "";

                if (!name) {
                        if (!isempty(names[i]) && record_stored_entry(stored, names[i], NULL) < 0)
                                record_failed = true;
                        continue;
                }
                unpack_machine_capsule(name, fds[i], &names, &fds, &n, tag);
                if (record_stored_entry(stored, names[i], tag) < 0)
                        record_failed = true;
                fds[i] = -EBADF;
                names[i][0] = 0;                /* nothing left under that name: skipped below */
        }
        /* A name twice, or no memory: what the store holds is not known for sure, every machine is stored anew
         * (machine_state_store_fds()). */
        if (record_failed)
                hashmap_clear(stored, destroy_stored_entry);

        r = fd_keeper_take(&kept_names, &kept, &n_kept);
        if (r < 0)
                log_warning_errno(r, "Failed to take the fds from the fd keeper, ignoring: %m");
        /* What the store has is the same: systemd kept it (a crash or restart, then a stop). Decided against
         * the store's names alone, so that a keeper's two "lock-X" fds both go in. */
        store_names = strv_copy(names);
        if (!store_names && names) {
                for (size_t i = 0; i < n; i++)
                        safe_close(fds[i]);
                for (size_t i = 0; i < n_kept; i++)
                        safe_close(kept[i]);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_kept; i++) {
                if (strv_find(store_names, kept_names[i])) {
                        safe_close(kept[i]);
                        continue;
                }
                (void) append_fd(&names, &fds, &n, "", kept_names[i], kept[i]);
        }
        if (n_kept > 0)
                log_info("Took %zu fds of running machines from the fd keeper.", n_kept);
        /* Each is kept as long as its machine runs. */
        for (size_t i = 0; i < n; i++)
                fds[i] = fd_move_high(fds[i]);

        *ret_names = TAKE_PTR(names);
        *ret_fds = TAKE_PTR(fds);
        *ret_n = n;
        return 0;
}

int manager_adopt_consoles(Manager *m) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ int *fds = NULL;
        size_t n_fds = 0;
        int n, adopted = 0, r;

        r = collect_stored_fds(m->stored_entries, &names, &fds, &n_fds);
        if (r < 0)
                return r;
        n = (int) n_fds;
        if (n <= 0)
                return 0;

        for (int i = 0; i < n; i++) {
                int fd = fds[i];
                const char *name = names && names[i] ? startswith(names[i], "console-") : NULL;
                Console *c;

                if (names && names[i] && startswith(names[i], "lock-"))
                        continue;       /* below, once the consoles are known */
                if (names && names[i] && (startswith(names[i], "pidfd-") || startswith(names[i], "notify-") ||
                                          startswith(names[i], "userns-"))) {
                        /* For manager_adopt_machines(). */
                        AdoptedFd *a = malloc(sizeof(AdoptedFd) + strlen(names[i]) + 1);

                        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
                        if (a) {
                                a->fd = fd;
                                strcpy(a->name, names[i]);
                        }
                        if (!a || hashmap_get(m->adopted_fds, a->name) || hashmap_put(m->adopted_fds, a->name, a) < 0) {
                                free(a);
                                safe_close(fd);
                        }
                        continue;
                }
                if (!name || !machine_name_is_valid(name) || hashmap_get(m->adopted_consoles, name)) {
                        safe_close(fd);
                        continue;
                }
                (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
                r = console_adopt(m->event, name, fd, on_adopted_console_ended, m, &c);
                if (r < 0) {
                        log_warning_errno(r, "Failed to adopt the console of machine %s, ignoring: %m", name);
                        continue;
                }
                r = hashmap_put(m->adopted_consoles, console_name(c), c);
                if (r < 0) {
                        console_free(c);
                        continue;
                }
                log_info("Machine %s of a previous instance of the daemon is still running; forwarding its console.",
                         name);
                adopted++;
        }

        /* The root directory locks of those machines: held until their console ends, i.e. they are gone. */
        for (int i = 0; i < n; i++) {
                int fd = fds[i];
                const char *name = names && names[i] ? startswith(names[i], "lock-") : NULL;
                ImageLock *l;

                if (!name)
                        continue;
                l = hashmap_get(m->adopted_locks, names[i]);
                if (!machine_name_is_valid(name) || !hashmap_get(m->adopted_consoles, name)) {
                        /* Its machine is not known to be running: let go of the lock. */
                        ImageLock *gone = NULL;
                        (void) image_lock_adopt_fd(&gone, name, fd);
                        if (gone)
                                image_lock_release(gone);
                        else
                                (void) sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s", names[i]);
                        continue;
                }
                r = image_lock_adopt_fd(&l, name, fd);
                if (r < 0) {
                        log_warning_errno(r, "Failed to adopt a root directory lock of machine %s, ignoring: %m", name);
                        if (!l)
                                continue;
                }
                if (!hashmap_get(m->adopted_locks, names[i])) {
                        r = hashmap_put(m->adopted_locks, image_lock_fd_name(l), l);
                        if (r < 0)
                                image_lock_free(l);
                }
        }
        return adopted;
}

int manager_take_adopted_fd(Manager *m, const char *name) {
        AdoptedFd *a = hashmap_remove(m->adopted_fds, name);
        int fd;

        if (!a)
                return -ENOENT;
        fd = a->fd;
        free(a);
        return fd;
}

void manager_machined_removed(Manager *m, const char *name) {
        Machine *machine = manager_get_machine(m, name);

        if (machine)
                machine_machined_removed(machine);
}

int manager_connect_bus(Manager *m) {
        int r;

        /* Our error names map to errnos for sd-bus as for our clients (bus-api.h). */
        r = bus_api_add_error_map();
        if (r < 0)
                return r;

        r = sd_bus_default_system(&m->bus);
        if (r < 0)
                return r;

        r = sd_bus_add_object_vtable(m->bus, NULL, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
                                     manager_vtable, m);
        if (r < 0)
                return r;
        r = sd_bus_add_fallback_vtable(m->bus, NULL, BUS_MACHINE_PATH_PREFIX, BUS_MACHINE_INTERFACE,
                                       machine_vtable, machine_object_find, m);
        if (r < 0)
                return r;
        r = sd_bus_add_node_enumerator(m->bus, NULL, BUS_MACHINE_PATH_PREFIX, machine_node_enumerator, m);
        if (r < 0)
                return r;
        /* machined-ext-oci's containers: a path of their own, the same interface with what applies to them. */
        r = sd_bus_add_fallback_vtable(m->bus, NULL, BUS_OCI_PATH_PREFIX, BUS_MACHINE_INTERFACE,
                                       oci_machine_vtable, oci_machine_object_find, m);
        if (r < 0)
                return r;
        r = sd_bus_add_node_enumerator(m->bus, NULL, BUS_OCI_PATH_PREFIX, oci_machine_node_enumerator, m);
        if (r < 0)
                return r;
        r = sd_bus_add_filter(m->bus, NULL, machine_properties_filter, m);
        if (r < 0)
                return r;

        r = manager_dbus_subscribe(m);
        if (r < 0)
                return r;
        /* Now, not at the first start: its handshake is out of the way, and the daemon's fds are what they
         * will stay. */
        (void) manager_systemd_bus(m);

        r = sd_bus_request_name(m->bus, BUS_NAME, 0);
        if (r < 0)
                return r;

        /* Without the system bus nobody can reach us: leave (with a failure, so that systemd starts the
         * next instance, which adopts the machines) rather than run on unreachable. */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return r;
        return sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
}
