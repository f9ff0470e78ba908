/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <ctype.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "message-ids.h"
#include "machine-dbus.h"
#include "machine-listing.h"
#include "machine.h"
#include "manager-dbus.h"
#include "manager-systemd.h"
#include "name.h"
#include "parse-util.h"
#include "oci-containers-dbus.h"
#include "oci-containers.h"
#include "polkit.h"
#include "settings.h"

static int validate_name(const char *name, sd_bus_error *error) {
        const char *reason = machine_name_invalid_reason(name);

        /* sd-bus accepted the argument, so it is valid UTF-8 and can be quoted back. */
        if (reason)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid machine name '%s': %s (a machine name is a hostname of at most "
                                         "64 characters)", name, reason);
        return 1;
}

/* Whether a machine NAME is defined at all, running or not: it has a settings file or an image directory. */
static bool machine_is_defined(const char *name) {
        _cleanup_free_ char *p = NULL;

        if (settings_find(name, NULL, NULL) != 0)
                return true; /* found, or could not look: do not claim that there is none */
        if (asprintf(&p, "/var/lib/machines/%s", name) < 0)
                return true;
        return access(p, F_OK) >= 0 || errno != ENOENT;
}

/* Reads the machine name argument and finds the running machine. Returns 1 with *ret set, or an error. */
static int get_machine_by_name(Manager *manager, sd_bus_message *message, Machine **ret, sd_bus_error *error) {
        const char *name;
        Machine *m;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = validate_name(name, error);
        if (r <= 0)
                return r;

        m = manager_get_machine(manager, name);
        if (!m || m->finalized) {
                if (!machine_is_defined(name))
                        return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE,
                                                 "No such machine '%s' (no settings file %s.nspawn and no "
                                                 "/var/lib/machines/%s)", name, name, name);
                return bus_error_from_machine(error, -MX_ERR_NOT_RUNNING, name, NULL);
        }

        *ret = m;
        return 1;
}

/* Reads the name argument and finds our running machine NAME or, failing that, the container NAME of
 * machined-ext-oci with a live leader (its IDs may be no host names: '_', up to 255 characters). Returns 1
 * with one of *ret_machine and *ret_oci set (the other NULL), or an error. */
static int get_machine_or_oci_by_name(Manager *manager, sd_bus_message *message, Machine **ret_machine,
                                      OciMachine **ret_oci, sd_bus_error *error) {
        _cleanup_free_ char *msg = NULL;
        OciMachine *o = NULL;
        bool is_machine_name;
        const char *name;
        Machine *m;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        is_machine_name = machine_name_is_valid(name);
        if (!is_machine_name && !container_id_is_valid(name))
                return validate_name(name, error);

        m = is_machine_name ? manager_get_machine(manager, name) : NULL;
        if (m && !m->finalized) {
                *ret_machine = m;
                *ret_oci = NULL;
                return 1;
        }

        r = oci_machine_get(manager, name, &o, &msg);
        if (r >= 0) {
                *ret_machine = NULL;
                *ret_oci = o;
                return 1;
        }
        if (r == -MX_ERR_NO_SUCH_MACHINE && !msg) {
                /* Neither: what we know of our machine of that name, or why it cannot be one. */
                if (!is_machine_name)
                        return validate_name(name, error);
                if (!machine_is_defined(name))
                        return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE,
                                                 "No such machine '%s' (no settings file %s.nspawn, no "
                                                 "/var/lib/machines/%s and no container of machined-ext-oci)",
                                                 name, name, name);
                return bus_error_from_machine(error, -MX_ERR_NOT_RUNNING, name, NULL);
        }
        if (!mx_error_is_domain(r))
                log_warning_errno(r, "Failed to look up container %s of machined-ext-oci: %m", name);
        return bus_error_from_oci_machine(error, r, name, msg);
}

/* A service unit name, e.g. "container@foo.service": what systemd's AttachProcessesToUnit() gets. */
static bool service_name_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n <= 8 || n > 255 || !streq(s + n - 8, ".service"))
                return false;
        for (const char *c = s; *c; c++)
                if (!(isalnum((unsigned char) *c) || strchr(":-_.\\@", *c)))
                        return false;
        return true;
}

/* An absolute directory path without ".." components or control characters (the machine's state keeps it:
 * its writer refuses them), of sane length. */
static bool bundle_path_is_valid(const char *p) {
        if (!p || p[0] != '/' || strlen(p) > 4096 || has_control_chars(p))
                return false;
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if (s[-1] == '/' && (s[2] == 0 || s[2] == '/'))
                        return false;
        return true;
}

/* The manager's by-name methods: find the machine named by the first argument, then run the machine object's
 * handler, which reads the remaining arguments. */
static int redirect_to_machine(sd_bus_message *message, void *userdata, sd_bus_error *error,
                               sd_bus_message_handler_t handler) {
        Machine *m = NULL;
        int r;

        r = get_machine_by_name(ASSERT_PTR(userdata), message, &m, error);
        if (r <= 0)
                return r;
        return handler(message, m, error);
}

/* The start, once authorized: with DATA (what a helper read of the bundle) or without, in which case a bundle to
 * read is handed to a helper and the call is answered when it is done. Returns 1 (answered, or to be), or an
 * error for the caller to answer. */
static int start_machine_now(Manager *manager, sd_bus_message *message, const char *name, const char *unit,
                             const char *bundle, const BundleData *data, sd_bus_error *error) {
        _cleanup_(machine_freep) Machine *m = NULL;
        _cleanup_free_ char *msg = NULL;
        int r;

        m = manager_get_machine(manager, name);
        if (m) {
                Machine *old = TAKE_PTR(m);
                /* The previous run's payload is gone and it is only being cleaned up: start once it is. (Not
                 * when it rebooted: then it starts again by itself.) */
                if (old->exited && !old->finalized && !old->reboot_pending) {
                        r = machine_queue_call(old, message, error);
                        return r < 0 ? r : 1;
                }
                return bus_error_from_machine(error, -MX_ERR_MACHINE_EXISTS, name, NULL);
        }
        /* Another start of NAME waits for its bundle: it comes first. */
        if (!data && manager_bundle_read_pending(manager, name))
                return bus_error_from_machine(error, -MX_ERR_MACHINE_EXISTS, name, NULL);

        r = machine_new(manager, name, &m);
        if (r < 0)
                return r;
        if (unit) {
                m->keep_unit = strdup(unit);
                if (machine_set_unit(m, unit) < 0 || !m->keep_unit)
                        return -ENOMEM;
        }

        m->bundle_data = data;
        r = bundle ? machine_load_bundle(m, bundle, &msg) : machine_load(m, &msg);
        m->bundle_data = NULL;
        if (r == MACHINE_LOAD_BUNDLE_PENDING) {
                /* The bundle (the caller's, or OCIBundle='s) is read by a helper, never by the event loop; the
                 * machine is made again once it is read. */
                r = manager_read_bundle(manager, message, name, unit, bundle, m->bundle_pending);
                return r < 0 ? r : 1;
        }
        if (r == -MX_ERR_NO_SUCH_MACHINE && !msg) {
                if (asprintf(&msg, "No machine '%s': neither /var/lib/machines/%s nor a settings file %s.nspawn exists",
                             name, name, name) < 0)
                        return -ENOMEM;
        }
        if (r < 0)
                return bus_error_from_machine(error, r, name, msg);

        r = machine_start(m, &msg);
        if (r < 0)
                return bus_error_from_machine(error, r, name, msg);

        m->start_message = sd_bus_message_ref(message);
        r = machine_dbus_arm_start_reply(m);
        if (r < 0)
                log_warning_errno(r, "Failed to arm the answer timer of the start of machine %s, ignoring: %m",
                                  m->name);

        r = sd_bus_emit_signal(manager->bus, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "MachineNew", "so",
                               m->name, m->path);
        if (r < 0)
                log_debug_errno(r, "Failed to send MachineNew for %s, ignoring: %m", m->name);

        log_machine(LOG_INFO, MX_MESSAGE_MACHINE_START, m->name, "Starting machine %s (%s) in %s.", m->name, m->root,
                    m->unit);
        TAKE_PTR(m); /* Owned by the manager's table now; freed by the GC once it is gone. */
        return 1;
}

void manager_start_machine_read(Manager *manager, sd_bus_message *message, const char *name, const char *unit,
                                const char *start_bundle, const BundleData *data, sd_bus_error *ret_error) {
        int r;

        r = start_machine_now(manager, message, name, unit, start_bundle, data, ret_error);
        if (r < 0 || sd_bus_error_is_set(ret_error)) {
                if (!sd_bus_error_is_set(ret_error))
                        (void) sd_bus_error_set_errno(ret_error, r);
                r = sd_bus_reply_method_error(message, ret_error);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer the start of machine %s, ignoring: %m", name);
        }
}

static int start_machine(Manager *manager, sd_bus_message *message, const char *name, const char *unit,
                         const char *bundle, sd_bus_error *error) {
        int r;

        r = validate_name(name, error);
        if (r <= 0)
                return r;
        if (unit && !service_name_is_valid(unit))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid service unit name '%s'", unit);
        if (bundle && !bundle_path_is_valid(bundle)) {
                _cleanup_free_ char *shown = printable_dup(bundle);
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid bundle path '%s': must be absolute, without \"..\" or control "
                                         "characters", strempty(shown));
        }

        r = bus_verify_polkit_async(message, manager, POLKIT_ACTION_MANAGE_MACHINES, error);
        if (r <= 0)
                return r == 0 ? 1 : r; /* 0: polkit was asked, the call comes back with its answer */

        return start_machine_now(manager, message, name, unit, bundle, NULL, error);
}

static int method_start_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *name;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        return start_machine(ASSERT_PTR(userdata), message, name, NULL, NULL, error);
}

static int method_start_machine_from_bundle(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *name, *bundle;
        int r;

        r = sd_bus_message_read(message, "ss", &name, &bundle);
        if (r < 0)
                return r;
        return start_machine(ASSERT_PTR(userdata), message, name, NULL, bundle, error);
}

static int method_start_machine_in_unit(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *name, *unit;
        int r;

        r = sd_bus_message_read(message, "ss", &name, &unit);
        if (r < 0)
                return r;
        return start_machine(ASSERT_PTR(userdata), message, name, unit, NULL, error);
}

/* A wait for machine NAME (the first argument) that comes while the start of NAME waits for its bundle to be
 * read (machine-bundle-read.c) is about the run that start begins: queued behind it, dispatched again once the
 * start is answered, as machinectl-ext's start, which sends its waits right behind the start, needs. Only
 * calls that need no authorization (a queued call is not asked again). Returns 1 if MESSAGE was queued, 0 if
 * not, or -errno. */
static int queue_behind_bundle_read(Manager *manager, sd_bus_message *message, sd_bus_error *error) {
        const char *name;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = manager_get_machine(manager, name) ? 0 : manager_bundle_read_queue(manager, name, message, error);
        if (r == 0)
                (void) sd_bus_message_rewind(message, true);
        return r;
}

static int method_wait_machine_ready(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        int r;

        r = queue_behind_bundle_read(ASSERT_PTR(userdata), message, error);
        if (r != 0)
                return r;
        return redirect_to_machine(message, userdata, error, bus_machine_method_wait_ready);
}

static int method_open_machine_console(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine(message, userdata, error, bus_machine_method_open_console);
}

static int method_get_machine_console_log(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine(message, userdata, error, bus_machine_method_get_console_log);
}

static int method_open_machine_shell(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine(message, userdata, error, bus_machine_method_open_shell);
}

static int method_exec_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine(message, userdata, error, bus_machine_method_exec);
}

static int method_set_machine_console_size(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine(message, userdata, error, bus_machine_method_set_console_size);
}

static int method_bind_mount_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine(message, userdata, error, bus_machine_method_bind_mount);
}

/* StopMachine, KillMachine: our machine NAME, or else the container NAME of machined-ext-oci. */
static int redirect_to_machine_or_oci(sd_bus_message *message, void *userdata, sd_bus_error *error,
                                      sd_bus_message_handler_t machine_handler,
                                      sd_bus_message_handler_t oci_handler) {
        OciMachine *o = NULL;
        Machine *m = NULL;
        int r;

        r = get_machine_or_oci_by_name(ASSERT_PTR(userdata), message, &m, &o, error);
        if (r <= 0)
                return r;
        return m ? machine_handler(message, m, error) : oci_handler(message, o, error);
}

static int method_stop_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine_or_oci(message, userdata, error, bus_machine_method_stop,
                                          bus_oci_machine_method_stop);
}

static int method_kill_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return redirect_to_machine_or_oci(message, userdata, error, bus_machine_method_kill,
                                          bus_oci_machine_method_kill);
}

static int method_get_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        OciMachine *o = NULL;
        Machine *m = NULL;
        int r;

        r = get_machine_or_oci_by_name(ASSERT_PTR(userdata), message, &m, &o, error);
        if (r <= 0)
                return r;
        return sd_bus_reply_method_return(message, "o", m ? m->path : o->path);
}

static int method_wait_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        const ExitRecord *e;
        const char *name;
        Machine *m;
        int r;

        r = queue_behind_bundle_read(manager, message, error);
        if (r != 0)
                return r;
        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = validate_name(name, error);
        if (r <= 0)
                return r;

        m = manager_get_machine(manager, name);
        if (m && !m->finalized)
                return bus_machine_method_wait(message, m, error);

        e = manager_get_exit(manager, name);
        if (!e)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE,
                                         "Machine '%s' is not running and has not run", name);
        return sd_bus_reply_method_return(message, "si", exit_code_to_string(e->code) ?: "", e->status);
}

/* The last run of a name that is not running now (or, while it runs again, the run before). */
static int method_get_exited_machine(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        const ExitRecord *e;
        const char *name;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = validate_name(name, error);
        if (r <= 0)
                return r;

        e = manager_get_exit(manager, name);
        if (!e)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE, "No machine '%s' has run", name);
        return sd_bus_reply_method_return(message, "sitts", exit_code_to_string(e->code) ?: "", (int32_t) e->status,
                                          (uint64_t) e->start_timestamp, (uint64_t) e->timestamp, e->unit);
}

static int method_list_machines(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *manager = ASSERT_PTR(userdata);
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssuso)");
        if (r < 0)
                return r;
        r = machine_listing_append(&manager->listing, manager->machines, reply);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The containers of machined-ext-oci under its default root, read from their state files at each call: they
 * are few, and reading them when asked cannot go stale as a watch could miss a leader's death. */
static int method_list_oci_containers(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error auth_error = SD_BUS_ERROR_NULL;
        Manager *manager = ASSERT_PTR(userdata);
        bool show_bundle;
        int r;

        /* Listing is open; the bundle paths only for root and who may manage machines (never interactive). */
        r = bus_verify_polkit_async_full(message, manager, POLKIT_ACTION_MANAGE_MACHINES, false, &auth_error);
        if (r == 0)
                return 1; /* polkit was asked, the call comes back with its answer */
        show_bundle = r > 0;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssuss)");
        if (r < 0)
                return r;
        r = oci_containers_append(reply, CONTAINER_STATE_ROOT_OCI_CLI, show_bundle);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to read %s: %m", CONTAINER_STATE_ROOT_OCI_CLI);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The result of the last run of every name that ran since this instance of the daemon started (or whose
 * run it adopted), also of names running again. machinectl-ext list --all shows the ended ones. */
static int method_list_exited_machines(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *manager = ASSERT_PTR(userdata);
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssit)");
        if (r < 0)
                return r;
        EXIT_RECORDS_FOREACH(e, manager->exits) {
                r = sd_bus_message_append(reply, "(ssit)", e->name, exit_code_to_string(e->code) ?: "",
                                          (int32_t) e->status, (uint64_t) e->timestamp);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The handler a queued call goes through again: the manager's by-name methods, and the machine object's
 * methods that machine_maybe_queue_call() queues. */
static sd_bus_message_handler_t queued_call_handler(sd_bus_message *message, bool *ret_is_start, bool *ret_object) {
        static const struct {
                const char *member;
                sd_bus_message_handler_t handler;
                bool is_start;
        } manager_calls[] = {
                { "StartMachine",       method_start_machine,         true  },
                { "StartMachineInUnit", method_start_machine_in_unit, true  },
                { "StartMachineFromBundle", method_start_machine_from_bundle, true },
                { "WaitMachine",        method_wait_machine,          false },
                { "WaitMachineReady",   method_wait_machine_ready,    false },
                { "StopMachine",        method_stop_machine,          false },
                { "KillMachine",        method_kill_machine,          false },
        }, object_calls[] = {
                { "Wait",               bus_machine_method_wait,       false },
                { "WaitReady",          bus_machine_method_wait_ready, false },
                { "Stop",               bus_machine_method_stop,       false },
                { "Kill",               bus_machine_method_kill,       false },
        };
        const char *member = sd_bus_message_get_member(message);

        *ret_is_start = *ret_object = false;
        if (!member)
                return NULL;
        if (streq_ptr(sd_bus_message_get_interface(message), BUS_MANAGER_INTERFACE)) {
                for (size_t i = 0; i < ELEMENTSOF(manager_calls); i++)
                        if (streq(member, manager_calls[i].member)) {
                                *ret_is_start = manager_calls[i].is_start;
                                return manager_calls[i].handler;
                        }
        } else if (streq_ptr(sd_bus_message_get_interface(message), BUS_MACHINE_INTERFACE)) {
                *ret_object = true;
                for (size_t i = 0; i < ELEMENTSOF(object_calls); i++)
                        if (streq(member, object_calls[i].member))
                                return object_calls[i].handler;
        }
        return NULL;
}

void manager_dbus_run_queued_call(Manager *manager, sd_bus_message *message, sd_bus_error *start_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *name = NULL;
        sd_bus_message_handler_t handler;
        bool is_start, object;
        void *userdata = manager;
        int r;

        handler = queued_call_handler(message, &is_start, &object);
        if (!handler)
                r = -EINVAL; /* Only the calls above are ever queued. */
        else if (!is_start && sd_bus_error_is_set(start_error))
                /* The start this call came after failed: the run it is about never began. */
                r = sd_bus_error_copy(&error, start_error);
        else
                r = sd_bus_message_rewind(message, true);

        if (r >= 0 && object) {
                /* The machine object's methods: the machine of the new run. */
                Machine *m = NULL;

                r = sd_bus_path_decode(sd_bus_message_get_path(message), BUS_MACHINE_PATH_PREFIX, &name);
                if (r > 0)
                        m = manager_get_machine(manager, name);
                if (!m || m->finalized)
                        r = bus_error_from_machine(&error, -MX_ERR_NOT_RUNNING, strna(name), NULL);
                userdata = m;
        }
        if (r >= 0) {
                /* It was authorized before it was queued (root or polkit): not asked again. */
                manager->polkit.authorized = message;
                r = handler(message, userdata, &error);
                manager->polkit.authorized = NULL;
        }

        if (is_start) {
                sd_bus_error_free(start_error);
                if (r <= 0 && sd_bus_error_is_set(&error))
                        (void) sd_bus_error_copy(start_error, &error);
                else if (r <= 0)
                        (void) sd_bus_error_set_errno(start_error, r < 0 ? r : -EIO);
        }
        if (r > 0)
                return;
        if (sd_bus_error_is_set(&error))
                r = sd_bus_reply_method_error(message, &error);
        else
                r = sd_bus_reply_method_errno(message, r < 0 ? r : -EIO, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a queued call, ignoring: %m");
}

const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("StartMachine", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", path),
                                method_start_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartMachineInUnit", SD_BUS_ARGS("s", name, "s", unit), SD_BUS_RESULT("o", path),
                                method_start_machine_in_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartMachineFromBundle", SD_BUS_ARGS("s", name, "s", bundle),
                                SD_BUS_RESULT("o", path), method_start_machine_from_bundle,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("WaitMachineReady", SD_BUS_ARGS("s", name, "t", timeout_usec), SD_BUS_NO_RESULT,
                                method_wait_machine_ready, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("BindMountMachine",
                                SD_BUS_ARGS("s", name, "s", source, "s", destination, "b", read_only, "b", mkdir),
                                SD_BUS_NO_RESULT, method_bind_mount_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenMachineConsole", SD_BUS_ARGS("s", name), SD_BUS_RESULT("h", fd, "s", pty),
                                method_open_machine_console, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetMachineConsoleLog", SD_BUS_ARGS("s", name), SD_BUS_RESULT("ay", log),
                                method_get_machine_console_log, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetMachineConsoleSize", SD_BUS_ARGS("s", name, "q", rows, "q", columns),
                                SD_BUS_NO_RESULT, method_set_machine_console_size, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenMachineShell",
                                SD_BUS_ARGS("s", name, "s", user, "s", path, "as", argv, "as", env),
                                SD_BUS_RESULT("h", pty_master, "u", pid), method_open_machine_shell,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ExecMachine",
                                SD_BUS_ARGS("s", name, "s", user, "as", argv, "as", env, "s", cwd, "h", stdin,
                                            "h", stdout, "h", stderr),
                                SD_BUS_RESULT("u", pid), method_exec_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StopMachine", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_stop_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("KillMachine", SD_BUS_ARGS("s", name, "s", whom, "i", signal), SD_BUS_NO_RESULT,
                                method_kill_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetMachine", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", path),
                                method_get_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListMachines", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ssuso)", machines),
                                method_list_machines, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListOCIContainers", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ssuss)", containers),
                                method_list_oci_containers, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListExitedMachines", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ssit)", machines),
                                method_list_exited_machines, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetExitedMachine", SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("s", exit_code, "i", exit_status, "t", start_timestamp,
                                              "t", exit_timestamp, "s", unit),
                                method_get_exited_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("WaitMachine", SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("s", exit_code, "i", exit_status),
                                method_wait_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("MachineNew", SD_BUS_ARGS("s", name, "o", path), 0),
        SD_BUS_SIGNAL_WITH_ARGS("MachineRemoved", SD_BUS_ARGS("s", name, "o", path), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ExecExited",
                                SD_BUS_ARGS("s", name, "u", pid, "s", exit_code, "i", exit_status), 0),
        SD_BUS_VTABLE_END
};

static int match_machine_removed(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        const char *name, *path;
        int r;

        r = sd_bus_message_read(message, "so", &name, &path);
        if (r < 0) {
                log_debug_errno(r, "Failed to parse MachineRemoved signal, ignoring: %m");
                return 0;
        }
        manager_machined_removed(manager, name);
        return 0;
}

int manager_dbus_subscribe(Manager *m) {
        int r;

        /* Synchronous, as every match of the system bus connection: the adoption of a previous instance's
         * machines keeps the event loop from running for as long as it takes (~55 s for 2000 machines that
         * ended while no daemon ran), and sd-bus, once it runs again, times out the calls whose answers
         * still wait in its queue before it dispatches them. An AddMatch that timed out fails the whole
         * connection (sd-bus's default install callback), which left the daemon without its bus. */
        r = sd_bus_match_signal(m->bus, NULL, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                "org.freedesktop.machine1.Manager", "MachineRemoved", match_machine_removed, m);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(m->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", manager_match_job_removed, m);
        if (r < 0)
                return r;
        /* systemd only sends JobRemoved while someone is subscribed. */
        return sd_bus_call_method_async(m->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, NULL);
}
