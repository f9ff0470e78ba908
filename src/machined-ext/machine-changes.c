/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PropertiesChanged of machines, coalesced: one signal per machine and event loop iteration, whatever
 * changed how often in between. A payload that sent STATUS= in a tight loop made one signal per datagram
 * (345,000 in 8 s), which slowed down every client of the bus. */
#include <assert.h>

#include "bus-api.h"
#include "log.h"
#include "machine.h"
#include "machine-dbus.h"
#include "strv.h"

static int on_changed(sd_event_source *s, void *userdata) {
        machine_dbus_flush_changed(ASSERT_PTR(userdata));
        return 0;
}

void machine_dbus_flush_changed(Machine *m) {
        _cleanup_strv_free_ char **l = TAKE_PTR(m->changed_properties);
        int r;

        if (m->changed_event_source)
                (void) sd_event_source_set_enabled(m->changed_event_source, SD_EVENT_OFF);
        if (!l || !m->manager->bus || !m->path)
                return;

        r = sd_bus_emit_properties_changed_strv(m->manager->bus, m->path, BUS_MACHINE_INTERFACE, l);
        if (r < 0)
                log_debug_errno(r, "Failed to send PropertiesChanged for %s, ignoring: %m", m->name);
}

void machine_dbus_send_changed(Machine *m, const char *property) {
        int r;

        if (!m->manager->bus)
                return;

        if (!strv_find(m->changed_properties, property)) {
                r = strv_extend(&m->changed_properties, property);
                if (r < 0) {
                        /* Cannot queue: send what we have and this one now rather than lose it. */
                        machine_dbus_flush_changed(m);
                        (void) sd_bus_emit_properties_changed(m->manager->bus, m->path, BUS_MACHINE_INTERFACE,
                                                              property, NULL);
                        return;
                }
        }

        if (m->changed_event_source) {
                r = sd_event_source_set_enabled(m->changed_event_source, SD_EVENT_ONESHOT);
                if (r >= 0)
                        return;
        } else {
                /* A defer source of normal priority runs after the sources that are already pending, e.g. the
                 * rest of a burst of notifications, so changes made in between go out together. */
                r = sd_event_add_defer(m->manager->event, &m->changed_event_source, on_changed, m);
                if (r >= 0) {
                        (void) sd_event_source_set_description(m->changed_event_source,
                                                               "machine-properties-changed");
                        return;
                }
        }

        log_debug_errno(r, "Failed to queue PropertiesChanged for %s, sending it now: %m", m->name);
        machine_dbus_flush_changed(m);
}

void machine_dbus_changed_done(Machine *m) {
        m->changed_event_source = sd_event_source_disable_unref(m->changed_event_source);
        m->changed_properties = strv_free(m->changed_properties);
}
