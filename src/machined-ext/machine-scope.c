/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <signal.h>
#include <sys/wait.h>

#include "bus-api.h"
#include "device-policy.h"
#include "log.h"
#include "machine-bus.h"
#include "machine-dbus.h"
#include "machine-internal.h"
#include "machine-network.h"
#include "manager-dbus.h"
#include "manager-systemd.h"
#include "name.h"
#include "settings.h"
#include "strv.h"
#include "util.h"

/* The calls to systemd and systemd-machined for a machine: its scope (StartTransientUnit, StopUnit,
 * SetUnitProperties) and its registration (RegisterMachine, UnregisterMachine). */

static int register_machine_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Machine *m = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        m->machined_slot = sd_bus_slot_unref(m->machined_slot);
        if (e)
                machine_registered(m, -sd_bus_error_get_errno(e) ?: -EIO, e->message);
        else
                machine_registered(m, 0, NULL);
        return 0;
}

int machine_dbus_new_register_call(Machine *m, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_free_ int *ifindexes = NULL;
        int n, r;

        n = machine_network_ifindexes(m, &ifindexes);
        if (n < 0) {
                log_warning_errno(n, "Machine %s: cannot look up its network interfaces, registering it without: %m",
                                  m->name);
                n = 0;
        }
        /* Always RegisterMachineWithNetwork (with no interfaces for a machine without a veth). */
        r = machine_bus_new_register(m->manager->bus, m->name, m->id, "machined-ext", m->leader, m->root,
                                     ifindexes ?: (const int[]) { 0 }, (size_t) n, &call);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(call);
        return 0;
}

/* RegisterMachineWithNetwork: machined takes the unit from the leader's cgroup (our scope, or the keep-unit
 * service), and lists the host side of the machine's veth ("machinectl status": Iface). */
int machine_dbus_register_in_unit(Machine *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        r = machine_dbus_new_register_call(m, &call);
        if (r < 0)
                return r;
        return sd_bus_call_async(m->manager->bus, &m->machined_slot, call, register_machine_reply, m, 0);
}

static int attach_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Machine *m = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        m->scope_slot = sd_bus_slot_unref(m->scope_slot);
        if (e) {
                char *msg = NULL;
                if (asprintf(&msg, "Failed to move the payload into %s: %s", m->unit, e->message) < 0)
                        msg = NULL;
                /* SetupFailed with systemd's message, whatever systemd's errno. */
                machine_scope_failed(m, -MX_ERR_SETUP_FAILED, msg);
                return 0;
        }

        machine_scope_started(m, "done");
        return 0;
}

static int unregister_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Machine *m = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        m->machined_slot = sd_bus_slot_unref(m->machined_slot);
        if (e)
                log_debug("Failed to unregister machine %s: %s", m->name, e->message);
        /* Either way machined no longer has it; the MachineRemoved signal may come first or not at all. */
        machine_machined_removed(m);
        return 0;
}

int machine_dbus_unregister(Machine *m) {
        return sd_bus_call_method_async(m->manager->bus, &m->machined_slot, "org.freedesktop.machine1",
                                        "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                        "UnregisterMachine", unregister_reply, m, "s", m->name);
}

static const char *description_of(Machine *m) {
        static char buf[128];
        snprintf(buf, sizeof(buf), "Container %s", m->name);
        return buf;
}

static int start_scope_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Machine *m = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *job;
        int r;

        m->scope_slot = sd_bus_slot_unref(m->scope_slot);
        if (e) {
                char *msg = NULL;
                if (m->scope_stopping) { /* StopUnit: "no such unit" means it is gone already */
                        machine_scope_started(m, "done");
                        return 0;
                }
                if (asprintf(&msg, "Failed to create %s: %s", m->unit, e->message) < 0)
                        msg = NULL;
                /* SetupFailed with systemd's message, whatever systemd's errno (UnitExists is EEXIST). */
                machine_scope_failed(m, -MX_ERR_SETUP_FAILED, msg);
                return 0;
        }

        r = sd_bus_message_read(reply, "o", &job);
        if (r >= 0) {
                m->scope_job = strdup(job);
                r = m->scope_job ? hashmap_put(m->manager->jobs, m->scope_job, m) : -ENOMEM;
        }
        if (r < 0)
                machine_scope_failed(m, r, NULL);
        return 0;
}

int machine_attach_device_policy(Machine *m) {
        _cleanup_close_ int own = -EBADF;
        _cleanup_free_ char *cgroup = NULL;
        int prog, r;

        if (m->oci && m->oci->n_device_rules > 0) {
                r = device_policy_load(m->oci->device_rules, m->oci->n_device_rules, &own);
                prog = own;
        } else
                r = prog = manager_device_policy(m->manager);
        if (r < 0)
                return r;
        /* The leader has not run the payload: it is in its unit's cgroup (keep-unit: its "payload" subgroup),
         * where systemd put it. Anywhere else, the policy would confine the wrong processes. */
        r = pid_get_cgroup(m->leader, &cgroup);
        if (r < 0)
                return r;
        if (m->keep_unit ? !cgroup_path_endswith_unit(cgroup, m->keep_unit, "payload") :
                           !cgroup_path_endswith_unit(cgroup, m->unit, NULL))
                return -EXDEV;
        return device_policy_attach(prog, cgroup);
}

int machine_dbus_stop_scope(Machine *m) {
        return sd_bus_call_method_async(manager_systemd_bus(m->manager), &m->scope_slot,
                                        "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "StopUnit", start_scope_reply, m, "ss",
                                        m->unit, "replace");
}

static int set_unit_properties_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e)
                log_warning("Failed to set a bundle's resources on its container@ unit, ignoring: %s", e->message);
        return 0;
}

static int set_keep_unit_properties(Machine *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        sd_bus *bus = manager_systemd_bus(m->manager);
        r = machine_bus_new_set_unit_properties(bus, m->keep_unit, m->oci, true, &call);
        if (r < 0)
                return r;
        /* Floating (the machine may be gone when the reply comes): it only says whether it worked. */
        return sd_bus_call_async(bus, NULL, call, set_unit_properties_reply, NULL, 0);
}

int machine_dbus_register(Machine *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        if (m->keep_unit && m->oci && (m->oci->n_scope_properties > 0 || m->oci->n_device_rules > 0)) {
                /* A bundle in container@NAME.service: its resources and devices go to that unit, for this run
                 * (runtime), before the payload is attached to it (systemd handles our calls in order), so
                 * that the unit's DevicePolicy=closed (systemd's, not ours) lets the bundle's device nodes be
                 * made and used. */
                r = set_keep_unit_properties(m);
                if (r < 0)
                        return r;
        }
        if (m->keep_unit)
                /* Keep-unit mode, step 1: into the unit's delegated cgroup, whose "payload" subgroup the unit's
                 * main process (machinectl-ext start --keep-unit) has created. */
                return sd_bus_call_method_async(manager_systemd_bus(m->manager), &m->scope_slot,
                                                "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                "org.freedesktop.systemd1.Manager", "AttachProcessesToUnit",
                                                attach_reply, m, "ssau", m->keep_unit, "/payload", 1,
                                                (uint32_t) m->leader);

        /* Our own transient scope (machine-bus.c says what it gets), then RegisterMachine. */
        sd_bus *bus = manager_systemd_bus(m->manager);
        r = machine_bus_new_start_scope(bus, &(MachineScope) {
                                                .unit = m->unit,
                                                .description = description_of(m),
                                                .slice = m->oci ? m->oci->slice : NULL,
                                                .kill_signal = m->kill_signal,
                                                .leader = m->leader,
                                                .oci = m->oci,
                                        }, &call);
        if (r < 0)
                return r;
        return sd_bus_call_async(bus, &m->scope_slot, call, start_scope_reply, m, 0);
}
