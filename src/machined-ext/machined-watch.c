/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Our registrations with systemd-machined outlive a restart of systemd-machined. */
#include <assert.h>

#include "log.h"
#include "machine-dbus.h"
#include "machine.h"
#include "machined-watch.h"

typedef struct Recheck {
        Manager *manager;
        char *name;
} Recheck;

static Recheck *recheck_free(Recheck *c) {
        if (!c)
                return NULL;
        free(c->name);
        return mfree(c);
}

static void recheck_destroy(void *userdata) {
        recheck_free(userdata);
}

/* Sends CALL with a floating slot that owns C (freed with it). Returns 0 or -errno (C is freed then). */
static int call_floating(Manager *manager, sd_bus_message *call, sd_bus_message_handler_t handler, Recheck *c) {
        sd_bus_slot *slot = NULL;
        int r;

        r = sd_bus_call_async(manager->bus, &slot, call, handler, c, 0);
        if (r < 0) {
                recheck_free(c);
                return r;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, recheck_destroy);
        (void) sd_bus_slot_set_floating(slot, true);
        sd_bus_slot_unref(slot);
        return 0;
}

static int reregister_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Recheck *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e)
                log_warning("Failed to register machine %s with systemd-machined again: %s", c->name,
                            e->message);
        else
                log_info("Machine %s: registered with systemd-machined again.", c->name);
        return 0;
}

static int get_machine_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Recheck *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        Machine *m;
        Recheck *again;
        int r;

        if (!e || !sd_bus_error_has_name(e, "org.freedesktop.machine1.NoSuchMachine"))
                return 0;       /* known (or cannot tell: leave it) */

        m = manager_get_machine(c->manager, c->name);
        if (!m || !m->registered || m->exited || m->unregister_sent)
                return 0;

        /* As machine_dbus_register_in_unit() does, with its own reply: this is no start. */
        r = machine_dbus_new_register_call(m, &call);
        if (r < 0)
                goto fail;
        again = new0(Recheck, 1);
        if (!again || !(again->name = strdup(m->name))) {
                recheck_free(again);
                r = -ENOMEM;
                goto fail;
        }
        again->manager = c->manager;
        r = call_floating(c->manager, call, reregister_reply, again);
        if (r < 0)
                goto fail;
        return 0;

fail:
        log_warning_errno(r, "Failed to register machine %s with systemd-machined again: %m", c->name);
        return 0;
}

static int on_machined_owner_changed(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *manager = ASSERT_PTR(userdata);
        const char *name, *old_owner, *new_owner;
        Machine *m;
        int r;

        r = sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner);
        if (r < 0 || isempty(new_owner))
                return 0;

        log_debug("systemd-machined has a new owner of its bus name: checking our registrations.");
        HASHMAP_FOREACH(m, manager->machines) {
                r = machined_recheck(m);
                if (r < 0)
                        log_warning_errno(r, "Failed to check machine %s with systemd-machined: %m", m->name);
        }
        return 0;
}

int machined_recheck(Machine *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        Recheck *c;
        int r;

        if (!m->registered || m->exited || m->unregister_sent)
                return 0;
        c = new0(Recheck, 1);
        if (!c || !(c->name = strdup(m->name))) {
                recheck_free(c);
                return -ENOMEM;
        }
        c->manager = m->manager;
        /* The reply looks the machine up by name again: it may be gone by then. */
        r = sd_bus_message_new_method_call(m->manager->bus, &call, "org.freedesktop.machine1",
                                           "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                           "GetMachine");
        if (r >= 0)
                r = sd_bus_message_append(call, "s", m->name);
        if (r < 0) {
                recheck_free(c);
                return r;
        }
        return call_floating(m->manager, call, get_machine_reply, c);
}

int manager_watch_machined(Manager *m) {
        /* Synchronous, as the other matches (manager_dbus_subscribe() says why). */
        return sd_bus_add_match(m->bus, NULL,
                                "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                "arg0='org.freedesktop.machine1'",
                                on_machined_owner_changed, m);
}
