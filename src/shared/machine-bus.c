/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scope and registration calls of a machine (machine-bus.h), for the daemon and the OCI runtime CLI. */

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "machine-bus.h"
#include "macro.h"

/* A bundle's linux.resources (config-oci-resources.c), after ours: later assignments win. */
static int append_oci_scope_properties(sd_bus_message *call, const OciContainer *c) {
        int r;

        for (size_t i = 0; i < c->n_scope_properties; i++) {
                const OciScopeProperty *p = c->scope_properties + i;

                switch (p->type) {
                case OCI_SCOPE_PROPERTY_U64:
                        r = sd_bus_message_append(call, "(sv)", p->name, "t", p->u64);
                        break;
                case OCI_SCOPE_PROPERTY_STRING:
                        r = sd_bus_message_append(call, "(sv)", p->name, "s", p->string);
                        break;
                case OCI_SCOPE_PROPERTY_BYTES:
                        r = sd_bus_message_open_container(call, 'r', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append(call, "s", p->name);
                        if (r >= 0)
                                r = sd_bus_message_open_container(call, 'v', "ay");
                        if (r >= 0)
                                r = sd_bus_message_append_array(call, 'y', p->bytes, p->n_bytes);
                        if (r >= 0)
                                r = sd_bus_message_close_container(call);
                        if (r >= 0)
                                r = sd_bus_message_close_container(call);
                        break;
                case OCI_SCOPE_PROPERTY_DEVICES:
                        r = sd_bus_message_open_container(call, 'r', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append(call, "s", p->name);
                        if (r >= 0)
                                r = sd_bus_message_open_container(call, 'v', "a(st)");
                        if (r >= 0)
                                r = sd_bus_message_open_container(call, 'a', "(st)");
                        for (size_t j = 0; r >= 0 && j < p->n_devices; j++)
                                r = sd_bus_message_append(call, "(st)", p->device_paths[j], p->device_values[j]);
                        if (r >= 0)
                                r = sd_bus_message_close_container(call);
                        if (r >= 0)
                                r = sd_bus_message_close_container(call);
                        if (r >= 0)
                                r = sd_bus_message_close_container(call);
                        break;
                default:
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The bundle's device rules as DeviceAllow= entries (systemd adds each to the list). */
static int append_device_allow(sd_bus_message *call, const OciContainer *c) {
        int r;

        for (size_t i = 0; i < c->n_device_rules; i++) {
                _cleanup_free_ char *path = NULL, *access = NULL;

                r = device_rule_to_allow(c->device_rules + i, &path, &access);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(call, "(sv)", "DeviceAllow", "a(ss)", 1, path, access);
                if (r < 0)
                        return r;
        }
        return 0;
}

int machine_bus_new_set_unit_properties(sd_bus *bus, const char *unit, const OciContainer *oci, bool devices,
                                        sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "SetUnitProperties");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "sb", unit, 1);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(call, 'a', "(sv)");
        if (r < 0)
                return r;
        r = append_oci_scope_properties(call, oci);
        if (r < 0)
                return r;
        if (devices) {
                r = append_device_allow(call, oci);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(call);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(call);
        return 0;
}

int machine_bus_new_start_scope(sd_bus *bus, const MachineScope *s, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        /* What machined's CreateMachine would do, minus its AddRef=yes, which costs systemd a D-Bus match rule
         * per scope (dbus-daemon allows 512 per connection, which capped the number of machines). The
         * container's PID 1 alone gets the stop signal (scopes have no main process: with KillMode=mixed,
         * systemd's own stop of the scope goes straight to SIGKILL). No DevicePolicy=: systemd would load its
         * device program in the scope job, between the mkdir and the leader's migration; the caller attaches
         * the machine's own (device-policy.h) before the payload runs. */
        r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "ss", s->unit, "fail");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(call, 'a', "(sv)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)",
                                  "Description", "s", s->description,
                                  "Slice", "s", s->slice ?: "machine.slice",
                                  "Delegate", "b", 1,
                                  "CollectMode", "s", "inactive-or-failed",
                                  "TasksMax", "t", UINT64_C(16384),
                                  "KillMode", "s", "mixed",
                                  "KillSignal", "i", s->kill_signal);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "(sv)", "PIDs", "au", 1, (uint32_t) s->leader);
        if (r < 0)
                return r;
        if (s->oci) {
                r = append_oci_scope_properties(call, s->oci);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(call);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(call);
        return 0;
}

int machine_bus_new_register(sd_bus *bus, const char *name, sd_id128_t id, const char *service, pid_t leader,
                             const char *root, const int *ifindexes, size_t n_ifindexes, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                           "org.freedesktop.machine1.Manager",
                                           ifindexes ? "RegisterMachineWithNetwork" : "RegisterMachine");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_append_array(call, 'y', id.bytes, sizeof(id.bytes));
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "ssus", service, "container", (uint32_t) leader, root ?: "");
        if (r < 0)
                return r;
        if (ifindexes) {
                r = sd_bus_message_append_array(call, 'i', ifindexes, n_ifindexes * sizeof(int));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(call);
        return 0;
}

#define SYSTEMD_PRIVATE_SOCKET "/run/systemd/private"

int systemd_private_open(sd_bus **ret) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        struct ucred ucred;
        socklen_t n = sizeof(ucred);
        int r;

        if (geteuid() != 0)
                return -EPERM;
        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, "unix:path=" SYSTEMD_PRIVATE_SOCKET);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        /* Only PID 1's socket is root's: anyone else's is not systemd. */
        if (getsockopt(sd_bus_get_fd(bus), SOL_SOCKET, SO_PEERCRED, &ucred, &n) < 0)
                return -errno;
        if (ucred.uid != 0)
                return -EPERM;
        *ret = TAKE_PTR(bus);
        return 0;
}
