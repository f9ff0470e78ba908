/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "bus-api.h"
#include "log.h"
#include "machine-dbus.h"
#include "macro.h"
#include "manager.h"
#include "name.h"
#include "oci-containers-dbus.h"
#include "polkit.h"
#include "strv.h"
#include "util.h"

int bus_error_from_oci_machine(sd_bus_error *error, int r, const char *id, const char *message) {
        return bus_api_error_set(error, r, id, message);
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", oci_machine_state(ASSERT_PTR(userdata)));
}

static int property_get_leader(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        OciMachine *o = ASSERT_PTR(userdata);
        return sd_bus_message_append(reply, "u", (uint32_t) o->state->pid);
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        OciMachine *o = ASSERT_PTR(userdata);
        const char *v;

        if (streq(property, "Unit"))
                v = o->state->unit;
        else    /* RootDirectory: as for our machines, only for root and manage-machines (the filter asked) */
                v = bus_polkit_call_authorized(sd_bus_get_current_message(bus), o->manager,
                                               POLKIT_ACTION_MANAGE_MACHINES) ? o->state->root : NULL;
        return bus_append_text(reply, v);
}

static int property_get_timestamp(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        OciMachine *o = ASSERT_PTR(userdata);
        const struct timespec *t = &o->state->created;
        uint64_t usec = t->tv_sec < 0 ? 0 : (uint64_t) t->tv_sec * USEC_PER_SEC + (uint64_t) t->tv_nsec / 1000;
        return sd_bus_message_append(reply, "t", usec);
}

int bus_oci_machine_method_stop(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        OciMachine *o = ASSERT_PTR(userdata);
        int r;

        r = bus_verify_polkit_async(message, o->manager, POLKIT_ACTION_MANAGE_MACHINES, error);
        if (r <= 0)
                return r == 0 ? 1 : r;

        /* As for our machines: the reply says the stop is under way (SIGTERM sent, SIGKILL timer armed). */
        r = oci_machine_stop(o);
        if (r < 0)
                return bus_error_from_oci_machine(error, r, o->id, NULL);
        return sd_bus_reply_method_return(message, NULL);
}

int bus_oci_machine_method_kill(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        OciMachine *o = ASSERT_PTR(userdata);
        const char *whom;
        int32_t sig;
        int r;

        /* Reads from the current position: the manager's KillMachine() has consumed the name already. */
        r = bus_read_kill_arguments(message, &whom, &sig, error);
        if (r < 0)
                return r;

        r = bus_verify_polkit_async(message, o->manager, POLKIT_ACTION_MANAGE_MACHINES, error);
        if (r <= 0)
                return r == 0 ? 1 : r;
        if (streq(whom, "all")) {
                /* Every process of its scope, as for our machines: systemd signals them through the cgroup. */
                r = oci_machine_check_unit(o);
                if (r == -EOPNOTSUPP)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                                 "Container '%s' of machined-ext-oci has no unit of its own "
                                                 "(--cgroup-manager cgroupfs or disabled): only its leader can "
                                                 "be signalled (kill target 'leader')", o->id);
                if (r == -EBADMSG)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                                 "Container '%s' of machined-ext-oci: its state names unit '%s', "
                                                 "which is not the scope of its leader", o->id,
                                                 strna(o->state->unit));
                if (r < 0)
                        return bus_error_from_oci_machine(error, r, o->id, NULL);
                return bus_kill_unit_async(o->manager, message, o->state->unit, sig);
        }

        r = oci_machine_kill(o, sig);
        if (r < 0)
                return bus_error_from_oci_machine(error, r, o->id, NULL);
        return sd_bus_reply_method_return(message, NULL);
}

const sd_bus_vtable oci_machine_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", NULL, offsetof(OciMachine, id), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, 0),
        SD_BUS_PROPERTY("Leader", "u", property_get_leader, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Unit", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("RootDirectory", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Timestamp", "t", property_get_timestamp, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD("Stop", NULL, NULL, bus_oci_machine_method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Kill", SD_BUS_ARGS("s", whom, "i", signal), SD_BUS_NO_RESULT,
                                bus_oci_machine_method_kill, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

int oci_machine_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                              sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        _cleanup_free_ char *id = NULL, *message = NULL;
        OciMachine *o;
        int r;

        r = sd_bus_path_decode(path, BUS_OCI_PATH_PREFIX, &id);
        if (r <= 0)
                return 0;
        r = oci_machine_get(manager, id, &o, &message);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug_errno(r, "No object for OCI container %s: %s", id, message ?: "not found");
                return 0;
        }
        *found = o;
        return 1;
}

int oci_machine_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        _cleanup_strv_free_ char **ids = NULL, **l = NULL;
        size_t n;
        int r;

        /* Read from the CLI's state files, as every lookup is: the daemon keeps no list of them. */
        r = oci_containers_live_ids(CONTAINER_STATE_ROOT_OCI_CLI, &ids);
        if (r < 0)
                return r;
        n = strv_length(ids);
        l = new0(char *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = sd_bus_path_encode(BUS_OCI_PATH_PREFIX, ids[i], &l[i]);
                if (r < 0)
                        return r;
        }
        *nodes = TAKE_PTR(l);
        return 1;
}
