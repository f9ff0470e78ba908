/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "bus-api.h"
#include "held-calls.h"
#include "log.h"
#include "machine-dbus.h"
#include "manager-dbus.h"
#include "name.h"
#include "polkit.h"
#include "settings.h"
#include "strv.h"

int bus_error_from_machine(sd_bus_error *error, int r, const char *name, const char *message) {
        return bus_api_error_set(error, r, name, message);
}

/* ---- properties -------------------------------------------------------------------------------------- */

static int property_get_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        return sd_bus_message_append_array(reply, 'y', m->id.bytes, sizeof(m->id.bytes));
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        return sd_bus_message_append(reply, "s", machine_state_to_string(m->state));
}

/* The paths and the command of a machine are only for root and callers with manage-machines: the filter
 * below asks polkit for the others before their Get or GetAll is dispatched. A Get of one of them is then
 * refused with AccessDenied; GetAll returns them empty, so that a client listing everything still works. */
static const char *const protected_properties[] = { "RootDirectory", "SettingsFile", "Command", "Warnings" };

static bool property_is_protected(const char *property) {
        for (size_t i = 0; i < ELEMENTSOF(protected_properties); i++)
                if (streq(property, protected_properties[i]))
                        return true;
        return false;
}

static bool caller_may_see(sd_bus *bus, Machine *m) {
        return bus_polkit_call_authorized(sd_bus_get_current_message(bus), m->manager,
                                          POLKIT_ACTION_MANAGE_MACHINES);
}

int machine_properties_filter(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        const char *member, *interface = NULL, *property = NULL;
        int r;

        if (!sd_bus_message_is_method_call(message, "org.freedesktop.DBus.Properties", NULL))
                return 0;
        member = sd_bus_message_get_member(message);
        if (!streq_ptr(member, "Get") && !streq_ptr(member, "GetAll"))
                return 0;
        if (!startswith(strempty(sd_bus_message_get_path(message)), BUS_MACHINE_PATH_PREFIX "/") &&
            !startswith(strempty(sd_bus_message_get_path(message)), BUS_OCI_PATH_PREFIX "/"))
                return 0;

        r = sd_bus_message_read(message, "s", &interface);
        if (r > 0 && streq(member, "Get"))
                r = sd_bus_message_read(message, "s", &property);
        (void) sd_bus_message_rewind(message, true);
        if (r <= 0)
                return 0; /* malformed: sd-bus answers it */
        if (!isempty(interface) && !streq(interface, BUS_MACHINE_INTERFACE))
                return 0;
        if (property && !property_is_protected(property))
                return 0;

        r = bus_verify_polkit_async_full(message, manager, POLKIT_ACTION_MANAGE_MACHINES, false, error);
        if (r == 0)
                return 1; /* polkit was asked: the call is dispatched again with its answer */
        if (r > 0 || !property) {
                sd_bus_error_free(error); /* GetAll: the getters leave them empty */
                return 0;
        }
        /* Get: AccessDenied. Reading is never interactive, so no InteractiveAuthorizationRequired either. */
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED)) {
                sd_bus_error_free(error);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Access denied: %s needs root or %s", property,
                                         POLKIT_ACTION_MANAGE_MACHINES);
        }
        return r;
}

static int property_get_command(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        return bus_append_text_strv(reply, caller_may_see(bus, m) ? m->argv : NULL);
}

static int property_get_path(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        const char *p = streq(property, "RootDirectory") ? m->root : m->settings_path;

        return bus_append_text(reply, caller_may_see(bus, m) ? p : NULL);
}

/* A char* field of the machine (sd-bus passes its address: the property's offset added to the object), as
 * text the bus takes: it may come from a state file. */
static int property_get_text(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return bus_append_text(reply, *(char **) ASSERT_PTR(userdata));
}

static int property_get_notify_access(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        return sd_bus_message_append(reply, "s", notify_access_to_string(m->notify_access));
}

static int property_get_console_mode(sd_bus *bus, const char *path, const char *interface,
                                     const char *property, sd_bus_message *reply, void *userdata,
                                     sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        return sd_bus_message_append(reply, "s", console_mode_to_string(m->console_mode));
}

static int property_get_user(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        char ids[32];

        /* A bundle's process.user is numeric: "UID:GID". */
        if (m->oci) {
                snprintf(ids, sizeof(ids), "%u:%u", (unsigned) m->oci->config.uid, (unsigned) m->oci->config.gid);
                return sd_bus_message_append(reply, "s", ids);
        }
        return sd_bus_message_append(reply, "s", m->settings && m->settings->user ? m->settings->user : "root");
}

/* What the settings file parser noticed and ignored, each "file:line: text": unknown sections and keys,
 * privileged keys of an untrusted file, keys parsed but not applied. */
static int property_get_warnings(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        return bus_append_text_strv(reply, caller_may_see(bus, m) ? machine_warnings(m) : NULL);
}

static int property_get_exit(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        const ExitRecord *e = manager_get_exit(m->manager, m->name);

        if (streq(property, "ExitCode"))
                return sd_bus_message_append(reply, "s", e ? exit_code_to_string(e->code) : "");
        return sd_bus_message_append(reply, "i", e ? e->status : 0);
}

/* ---- methods ----------------------------------------------------------------------------------------- */

/* A start of the machine's name is queued behind this run, which has exited: a call that comes after it is
 * about the run that start begins, and waits for it (see machine_queue_call()). Returns 1 if MESSAGE was
 * queued, 0 if not, or -errno. */
static int machine_maybe_queue_call(Machine *m, sd_bus_message *message, sd_bus_error *error) {
        int r;

        if (!machine_start_queued(m))
                return 0;
        r = machine_queue_call(m, message, error);
        return r < 0 ? r : 1;
}

/* Whether MESSAGE comes from a process of UNIT (from its cgroup). Returns > 0 if so, 0 if not, or -errno. */
static int sender_in_unit(sd_bus_message *message, const char *unit) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *u;
        int r;

        r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_PID | SD_BUS_CREDS_UNIT | SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_unit(creds, &u);
        if (IN_SET(r, -ENXIO, -ENODATA, -ENOENT))
                return 0; /* Not in any unit (e.g. a root cgroup). */
        if (r < 0)
                return r;
        return streq(u, unit);
}

static int stop_unit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Machine *m = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int r;

        m->unit_stop_slot = sd_bus_slot_unref(m->unit_stop_slot);
        if (!e)
                return 0; /* The unit's main process stops the machine. */

        log_warning("Failed to stop %s, stopping machine %s directly: %s", m->keep_unit, m->name, e->message);
        r = machine_stop(m);
        if (r < 0)
                log_warning_errno(r, "Failed to stop machine %s: %m", m->name);
        return 0;
}

/* A machine in a unit of its own (container@NAME.service) is stopped by stopping that unit: its main process
 * (machinectl-ext start --keep-unit --wait) then stops the machine, and the unit ends "inactive", as with
 * systemctl stop. Calls from the unit's own processes stop the machine directly. Returns 1 if the stop goes
 * through the unit, 0 if the caller should stop the machine itself. */
static int machine_stop_through_unit(Machine *m, sd_bus_message *message) {
        int r;

        if (!m->keep_unit || !m->released || m->exited || m->stop_requested)
                return 0;
        r = sender_in_unit(message, m->keep_unit);
        if (r < 0)
                log_info_errno(r, "Failed to find the unit of the caller of StopMachine(%s), stopping it directly: %m",
                               m->name);
        if (r != 0)
                return 0;
        if (m->unit_stop_sent)
                return 1; /* Under way already. */

        r = sd_bus_call_method_async(m->manager->bus, &m->unit_stop_slot, "org.freedesktop.systemd1",
                                     "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "StopUnit",
                                     stop_unit_reply, m, "ss", m->keep_unit, "replace");
        if (r < 0) {
                log_warning_errno(r, "Failed to stop %s, stopping machine %s directly: %m", m->keep_unit, m->name);
                return 0;
        }
        m->unit_stop_sent = true;
        log_info("Machine %s: stopping %s, whose main process stops the machine.", m->name, m->keep_unit);
        return 1;
}

int bus_machine_method_stop(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        int r;

        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_MANAGE_MACHINES, error);
        if (r <= 0)
                return r == 0 ? 1 : r; /* 0: polkit was asked, the call comes back with its answer */

        r = machine_maybe_queue_call(m, message, error);
        if (r != 0)
                return r;

        /* As systemd's StopUnit: the reply says the stop is under way (the stop signal sent and the SIGKILL
         * timer armed, or the unit's stop job queued), not that it is done, which may take the whole stop
         * timeout. The end is seen in State, MachineRemoved and WaitMachine; machinectl-ext stop waits for
         * it. */
        if (machine_stop_through_unit(m, message) > 0)
                return sd_bus_reply_method_return(message, NULL);

        r = machine_stop(m);
        if (r < 0)
                return bus_error_from_machine(error, r, m->name, NULL);
        return sd_bus_reply_method_return(message, NULL);
}

static int kill_unit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e)
                (void) sd_bus_reply_method_error(call, e);
        else
                (void) sd_bus_reply_method_return(call, NULL);
        return 0;
}

int bus_kill_unit_async(Manager *manager, sd_bus_message *call, const char *unit, int sig) {
        int r;

        r = sd_bus_call_method_async(manager->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "KillUnit", kill_unit_reply,
                                     sd_bus_message_ref(call), "ssi", unit, "all", sig);
        if (r < 0) {
                sd_bus_message_unref(call);
                return r;
        }
        return 1;
}

int bus_read_kill_arguments(sd_bus_message *message, const char **ret_whom, int32_t *ret_signal,
                            sd_bus_error *error) {
        const char *whom;
        int32_t sig;
        int r;

        r = sd_bus_message_read(message, "si", &whom, &sig);
        if (r < 0)
                return r;
        if (!SIGNAL_VALID(sig))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid signal %i", sig);
        if (!isempty(whom) && !streq(whom, "leader") && !streq(whom, "all"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid kill target '%s', expected 'leader' or 'all'", whom);
        *ret_whom = whom;
        *ret_signal = sig;
        return 0;
}

int bus_machine_method_kill(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        const char *whom;
        int32_t sig;
        int r;

        /* Reads from the current position: the manager's KillMachine() has consumed the name already. */
        r = bus_read_kill_arguments(message, &whom, &sig, error);
        if (r < 0)
                return r;

        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_MANAGE_MACHINES, error);
        if (r <= 0)
                return r == 0 ? 1 : r; /* 0: polkit was asked, the call comes back with its answer */

        r = machine_maybe_queue_call(m, message, error);
        if (r != 0)
                return r;

        /* Before the release the container is not in its scope yet: the leader is all there is. */
        if (isempty(whom) || streq(whom, "leader") || !m->released) {
                r = machine_kill_leader(m, sig);
                if (r < 0)
                        return bus_error_from_machine(error, r, m->name, NULL);
                return sd_bus_reply_method_return(message, NULL);
        }

        /* Every process of the scope: systemd knows them, and signals them race-free through the cgroup. */
        return bus_kill_unit_async(m->manager, message, m->unit, sig);
}

int bus_machine_method_wait(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        int r;

        r = machine_maybe_queue_call(m, message, error);
        if (r != 0)
                return r;

        r = machine_add_waiter(m, message, error);
        if (r < 0)
                return r;
        return 1;
}

int bus_machine_method_wait_ready(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        uint64_t timeout;
        int r;

        r = sd_bus_message_read(message, "t", &timeout);
        if (r < 0)
                return r;
        r = machine_maybe_queue_call(m, message, error);
        if (r != 0)
                return r;
        r = machine_add_ready_waiter(m, message, timeout, error);
        if (r < 0)
                return r;
        return 1;
}

/* An absolute path without "." or ".." components. */
bool path_is_normalized_absolute(const char *p) {
        if (!p || p[0] != '/' || strlen(p) >= 4096)
                return false;
        for (const char *c = p; *c;) {
                size_t n;
                c += strspn(c, "/");
                n = strcspn(c, "/");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
        }
        return true;
}

int bus_machine_method_bind_mount(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        const char *source, *destination;
        int read_only, make_dir, r;

        r = sd_bus_message_read(message, "ssbb", &source, &destination, &read_only, &make_dir);
        if (r < 0)
                return r;
        if (!path_is_normalized_absolute(source))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Source path '%s' is not an absolute, normalized path", source);
        if (!path_is_normalized_absolute(destination) || streq(destination, "/"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Destination path '%s' is not an absolute, normalized path", destination);

        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_MANAGE_MACHINES, error);
        if (r <= 0)
                return r == 0 ? 1 : r; /* 0: polkit was asked, the call comes back with its answer */

        r = machine_bind_mount(m, source, destination, read_only, make_dir, message);
        if (mx_error_is_domain(r))
                return bus_error_from_machine(error, r, m->name, NULL);
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                         "Machine '%s' runs in a user namespace (PrivateUsers=, the default): bind "
                                         "mounts into it need its /run/host/incoming (to arrive locked) and Linux "
                                         "6.11 (PIDFD_GET_USER_NAMESPACE)", m->name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to bind-mount %s into machine '%s': %s", source,
                                               m->name, strerror(-r));
        return 1;
}

int bus_machine_method_open_console(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        _cleanup_close_ int fd = -EBADF;
        const char *tty = NULL;
        int r;

        /* The console is as good as a root shell in the container. */
        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_CONSOLE, error);
        if (r <= 0)
                return r == 0 ? 1 : r; /* 0: polkit was asked, the call comes back with its answer */

        if (!m->console || m->exited)
                return bus_error_from_machine(error, -MX_ERR_NOT_RUNNING, m->name, NULL);
        r = console_attach(m->console, &fd, &tty);
        if (r == -MX_ERR_CONSOLE_BUSY)
                return bus_error_from_machine(error, r, m->name, NULL);
        if (r == -MX_ERR_NO_CONSOLE)
                return sd_bus_error_setf(error, BUS_ERROR_NO_CONSOLE,
                                         "Machine '%s' has no console to attach to (Console=%s)", m->name,
                                         console_mode_to_string(m->console_mode));
        if (r < 0)
                return r;

        return sd_bus_reply_method_return(message, "hs", fd, strempty(tty));
}

int bus_machine_method_get_console_log(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Machine *m = ASSERT_PTR(userdata);
        _cleanup_free_ void *data = NULL;
        size_t size = 0;
        int r;

        /* The output may hold secrets the payload printed: root only, like the journal's system logs. */
        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_CONSOLE, error);
        if (r <= 0)
                return r == 0 ? 1 : r; /* 0: polkit was asked, the call comes back with its answer */

        if (m->console) {
                r = console_get_log(m->console, &data, &size);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(reply, 'y', data ?: "", size);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int machine_method_stop(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return bus_machine_method_stop(message, userdata, error);
}

const sd_bus_vtable machine_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", NULL, offsetof(Machine, name), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Id", "ay", property_get_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Leader", "u", NULL, offsetof(Machine, leader), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Unit", "s", property_get_text, offsetof(Machine, unit), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("RootDirectory", "s", property_get_path, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Timestamp", "t", NULL, offsetof(Machine, timestamp), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("TimestampMonotonic", "t", NULL, offsetof(Machine, timestamp_monotonic),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("SettingsFile", "s", property_get_path, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Command", "as", property_get_command, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Warnings", "as", property_get_warnings, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Boot", "b", NULL, offsetof(Machine, boot), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("NotifyReady", "b", NULL, offsetof(Machine, notify_ready), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("KillSignal", "i", NULL, offsetof(Machine, kill_signal), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Hostname", "s", property_get_text, offsetof(Machine, hostname),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("User", "s", property_get_user, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ConsoleMode", "s", property_get_console_mode, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ReadOnly", "b", NULL, offsetof(Machine, read_only), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Status", "s", NULL, offsetof(Machine, status_text), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ReadyTimestamp", "t", NULL, offsetof(Machine, ready_timestamp),
                        SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("ReadyTimestampMonotonic", "t", NULL, offsetof(Machine, ready_timestamp_monotonic),
                        SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("NotifyAccess", "s", property_get_notify_access, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("TimeoutStartUSec", "t", NULL, offsetof(Machine, timeout_start_usec),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ExitCode", "s", property_get_exit, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ExitStatus", "i", property_get_exit, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD("Stop", NULL, NULL, machine_method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Kill", SD_BUS_ARGS("s", whom, "i", signal), SD_BUS_NO_RESULT,
                                bus_machine_method_kill, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("WaitReady", SD_BUS_ARGS("t", timeout_usec), SD_BUS_NO_RESULT,
                                bus_machine_method_wait_ready, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("BindMount",
                                SD_BUS_ARGS("s", source, "s", destination, "b", read_only, "b", mkdir),
                                SD_BUS_NO_RESULT, bus_machine_method_bind_mount, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenConsole", SD_BUS_NO_ARGS, SD_BUS_RESULT("h", fd, "s", pty),
                                bus_machine_method_open_console, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetConsoleLog", SD_BUS_NO_ARGS, SD_BUS_RESULT("ay", log),
                                bus_machine_method_get_console_log, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetConsoleSize", SD_BUS_ARGS("q", rows, "q", columns), SD_BUS_NO_RESULT,
                                bus_machine_method_set_console_size, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenShell", SD_BUS_ARGS("s", user, "s", path, "as", argv, "as", env),
                                SD_BUS_RESULT("h", pty_master, "u", pid), bus_machine_method_open_shell,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Exec",
                                SD_BUS_ARGS("s", user, "as", argv, "as", env, "s", cwd, "h", stdin, "h", stdout,
                                            "h", stderr),
                                SD_BUS_RESULT("u", pid), bus_machine_method_exec, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Wait", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", exit_code, "i", exit_status),
                                bus_machine_method_wait, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

int machine_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                        sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        _cleanup_free_ char *name = NULL;
        Machine *m;
        int r;

        r = sd_bus_path_decode(path, BUS_MACHINE_PATH_PREFIX, &name);
        if (r <= 0)
                return 0;

        m = manager_get_machine(manager, name);
        if (!m)
                return 0;

        *found = m;
        return 1;
}

int machine_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;
        Machine *m;

        l = new0(char *, hashmap_size(manager->machines) + 1);
        if (!l)
                return -ENOMEM;
        HASHMAP_FOREACH(m, manager->machines) {
                l[n] = strdup(m->path);
                if (!l[n])
                        return -ENOMEM;
                n++;
        }
        *nodes = TAKE_PTR(l);
        return 1;
}

/* ---- outgoing ---------------------------------------------------------------------------------------- */

void machine_dbus_reply_ready(ReadyWaiter *w, int error, const char *message) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        if (error == 0)
                r = sd_bus_reply_method_return(w->message, NULL);
        else {
                (void) bus_error_from_machine(&e, error, w->machine->name, message);
                r = sd_bus_reply_method_error(w->message, &e);
        }
        if (r < 0)
                log_debug_errno(r, "Failed to answer WaitMachineReady(%s), ignoring: %m", w->machine->name);

        ready_waiter_free(w);
}

void machine_dbus_reply_bind(sd_bus_message *message, const sd_bus_error *error) {
        int r;

        if (!error)
                r = sd_bus_reply_method_return(message, NULL);
        else
                r = sd_bus_reply_method_error(message, error);
        if (r < 0)
                log_debug_errno(r, "Failed to answer BindMount, ignoring: %m");
}

void machine_dbus_start_done(Machine *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = TAKE_PTR(m->start_message);
        int r;

        m->start_reply_event_source = sd_event_source_disable_unref(m->start_reply_event_source);
        if (!call)
                return;
        r = sd_bus_reply_method_return(call, "o", m->path);
        if (r < 0)
                log_debug_errno(r, "Failed to reply to StartMachine(%s), ignoring: %m", m->name);
}

static int on_start_reply_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Machine *m = ASSERT_PTR(userdata);

        m->start_reply_event_source = sd_event_source_disable_unref(m->start_reply_event_source);
        if (!m->start_message)
                return 0;
        /* As systemd's StartUnit answers once the job is queued: the start is under way, its end is told by
         * State, WaitMachineReady, WaitMachine and MachineRemoved. */
        log_info("Machine %s: still being set up after %llu s, answering its start now; it is \"starting\".",
                 m->name, (unsigned long long) (START_REPLY_USEC / USEC_PER_SEC));
        m->start_answered_early = true;
        machine_dbus_start_done(m);
        return 0;
}

int machine_dbus_arm_start_reply(Machine *m) {
        int r;

        m->start_reply_event_source = sd_event_source_disable_unref(m->start_reply_event_source);
        r = sd_event_add_time_relative(m->manager->event, &m->start_reply_event_source, CLOCK_MONOTONIC,
                                       START_REPLY_USEC, 0, on_start_reply_timeout, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->start_reply_event_source, "machine-start-reply");
        return 0;
}

static bool is_exit_waiter(sd_bus_message *w) {
        const char *member = sd_bus_message_get_member(w);
        return streq_ptr(member, "WaitMachine") || streq_ptr(member, "Wait");
}

void machine_dbus_reply_exit_waiters(Machine *m) {
        size_t k = 0;
        int r;

        for (size_t i = 0; i < m->n_waiters; i++) {
                sd_bus_message *w = m->waiters[i];

                if (!is_exit_waiter(w)) {
                        m->waiters[k++] = w;
                        continue;
                }
                r = sd_bus_reply_method_return(w, "si", exit_code_to_string(m->exit_code) ?: "", m->exit_status);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer a waiter of machine %s, ignoring: %m", m->name);
                manager_release_call(m->manager, w);
        }
        m->n_waiters = k;
}

void machine_dbus_finalized(Machine *m) {
        int r;

        machine_dbus_flush_changed(m); /* the last State change before the replies and MachineRemoved */
        m->start_reply_event_source = sd_event_source_disable_unref(m->start_reply_event_source);

        if (m->start_message) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = TAKE_PTR(m->start_message);
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                (void) bus_error_from_machine(&error, m->start_error ?: -MX_ERR_SETUP_FAILED, m->name,
                                              m->start_error_message);
                r = sd_bus_reply_method_error(call, &error);
                if (r < 0)
                        log_debug_errno(r, "Failed to reply to StartMachine(%s), ignoring: %m", m->name);
        }

        for (size_t i = 0; i < m->n_waiters; i++) {
                sd_bus_message *w = m->waiters[i];

                if (is_exit_waiter(w)) {
                        if (m->released)
                                r = sd_bus_reply_method_return(w, "si", exit_code_to_string(m->exit_code) ?: "",
                                                               m->exit_status);
                        else
                                r = sd_bus_reply_method_errorf(w, BUS_ERROR_SETUP_FAILED,
                                                               "Machine '%s' failed to start: %s", m->name,
                                                               strna(m->start_error_message));
                } else
                        r = sd_bus_reply_method_return(w, NULL);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer a waiter of machine %s, ignoring: %m", m->name);
                manager_release_call(m->manager, w);
        }
        m->waiters = mfree(m->waiters);
        m->n_waiters = 0;

        r = sd_bus_emit_signal(m->manager->bus, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
                               "MachineRemoved", "so", m->name, m->path);
        if (r < 0)
                log_debug_errno(r, "Failed to send MachineRemoved for %s, ignoring: %m", m->name);

        /* A start of the same name that came in while this run was being cleaned up, and the calls about
         * the run it begins, in the order they came. */
        {
                _cleanup_(sd_bus_error_free) sd_bus_error start_error = SD_BUS_ERROR_NULL;
                sd_bus_message **calls = TAKE_PTR(m->queued_calls);
                size_t n = m->n_queued_calls;

                m->n_queued_calls = 0;
                for (size_t i = 0; i < n; i++) {
                        manager_dbus_run_queued_call(m->manager, calls[i], &start_error);
                        manager_release_call(m->manager, calls[i]);
                }
                free(calls);
        }
}
