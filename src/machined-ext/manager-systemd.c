/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How the daemon talks to systemd about its scopes. As systemctl does for root, on systemd's private socket
 * (/run/systemd/private): a StartTransientUnit, its answer and the job's JobRemoved then go straight between
 * systemd and us, not each through dbus-daemon, which on a busy machine waits its turn for the CPU like
 * everyone else (issue #17). systemd sends every signal to every such connection; we read them and keep
 * JobRemoved. The system bus subscription stays (manager_dbus_subscribe()): a job whose answer came on the
 * private connection ends at whichever JobRemoved comes first after it (Manager.jobs forgets it then), so a
 * connection lost in between (systemd re-executing) costs nothing but that connection. */

#include <assert.h>

#include "log.h"
#include "machine-bus.h"
#include "machine.h"
#include "manager-systemd.h"

/* After a failure to open the private connection, the system bus for this long before the next try. */
#define RETRY_USEC (30 * USEC_PER_SEC)

int manager_match_job_removed(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        const char *job, *unit, *result;
        Machine *m;
        uint32_t id;
        int r;

        r = sd_bus_message_read(message, "uoss", &id, &job, &unit, &result);
        if (r < 0) {
                log_debug_errno(r, "Failed to parse JobRemoved signal, ignoring: %m");
                return 0;
        }
        m = hashmap_remove(manager->jobs, job);
        if (m)
                machine_scope_started(m, result);
        return 0;
}

sd_bus *manager_systemd_bus(Manager *m) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        usec_t t;
        int r;

        if (m->systemd_bus && sd_bus_is_open(m->systemd_bus) > 0)
                return m->systemd_bus;
        /* Lost (systemd re-executed, or went away). Only our reference goes: while a call is pending on it,
         * its slot keeps it, and sd-bus answers that call with an error as it finishes closing. */
        m->systemd_bus = sd_bus_unref(m->systemd_bus);

        t = now(CLOCK_MONOTONIC);
        if (t < m->systemd_bus_retry)
                return m->bus;
        r = systemd_private_open(&bus);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "JobRemoved", manager_match_job_removed,
                                        m);
        if (r >= 0)
                r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                log_debug_errno(r, "Cannot talk to systemd on its private socket, using the system bus: %m");
                m->systemd_bus_retry = t + RETRY_USEC;
                return m->bus;
        }
        m->systemd_bus = TAKE_PTR(bus);
        return m->systemd_bus;
}
