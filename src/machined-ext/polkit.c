/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>

#include <systemd/sd-event.h>

#include "log.h"
#include "manager.h"
#include "polkit.h"

/* At most this many calls wait for polkit at once: a caller cannot make the daemon hold an unbounded
 * number of messages by calling faster than polkit answers. */
#define POLKIT_QUERIES_MAX 256U

struct PolkitQuery {
        PolkitRegistry *registry;
        sd_bus_message *request;        /* the method call being authorized */
        sd_bus_message *reply;          /* polkit's answer (or the bus's error), once there */
        char *action;
        sd_bus_slot *slot;              /* the pending CheckAuthorization */
        sd_event_source *defer;         /* frees the query after the call was dispatched again */
        PolkitQuery *prev, *next;
};

static PolkitQuery *polkit_query_free(PolkitQuery *q) {
        if (!q)
                return NULL;
        if (q->registry) {
                if (q->prev)
                        q->prev->next = q->next;
                else
                        q->registry->queries = q->next;
                if (q->next)
                        q->next->prev = q->prev;
                q->registry->n_queries--;
        }
        sd_bus_slot_unref(q->slot);
        sd_event_source_disable_unref(q->defer);
        sd_bus_message_unref(q->request);
        sd_bus_message_unref(q->reply);
        free(q->action);
        return mfree(q);
}

void polkit_registry_done(PolkitRegistry *registry) {
        while (registry->queries)
                polkit_query_free(registry->queries);
        registry->authorized = NULL;
}

static PolkitQuery *polkit_query_find(PolkitRegistry *registry, sd_bus_message *call) {
        for (PolkitQuery *q = registry->queries; q; q = q->next)
                if (q->request == call)
                        return q;
        return NULL;
}

/* dbus-daemon never reuses a unique name, so the answer of its GetConnectionCredentials (a synchronous
 * round trip) is cached per name; the cache is bounded. */
int bus_sender_uid(Manager *manager, sd_bus_message *message, uid_t *ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *sender = sd_bus_message_get_sender(message);
        char *key;
        uid_t uid;
        void *v;
        int r;

        if (sender && (v = hashmap_get(manager->sender_uids, sender))) {
                *ret = (uid_t) (uintptr_t) v - 1;
                return 0;
        }

        r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return r;

        if (sender && sender[0] == ':') {
                if (hashmap_size(manager->sender_uids) >= 4096)
                        manager_flush_sender_uids(manager);
                key = strdup(sender);
                if (key && hashmap_put(manager->sender_uids, key, (void *) (uintptr_t) (uid + 1)) < 0)
                        free(key);
        }
        *ret = uid;
        return 0;
}

static int polkit_query_defer(sd_event_source *s, void *userdata) {
        polkit_query_free(userdata);
        return 0;
}

static int polkit_query_callback(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitQuery *q = ASSERT_PTR(userdata);
        sd_bus *bus = sd_bus_message_get_bus(q->request);
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        q->reply = sd_bus_message_ref(reply);

        /* Dispatch the call again, from the start: its handler finds its object again (which may be gone by
         * now), parses again and finds this answer. Freed once that is done: at the next idle moment. */
        r = sd_event_add_defer(sd_bus_get_event(bus), &q->defer, polkit_query_defer, q);
        if (r >= 0)
                r = sd_event_source_set_priority(q->defer, SD_EVENT_PRIORITY_IDLE);
        if (r >= 0)
                (void) sd_event_source_set_description(q->defer, "polkit-query-done");
        if (r >= 0)
                r = sd_bus_message_rewind(q->request, true);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(bus, q->request);
        if (r < 0) {
                log_debug_errno(r, "Failed to dispatch a call again after polkit's answer: %m");
                (void) sd_bus_reply_method_errorf(q->request, SD_BUS_ERROR_ACCESS_DENIED,
                                                  "Failed to process polkit's answer: %s", strerror(-r));
                polkit_query_free(q);
        }
        return 1;
}

/* Polkit's answer for Q. Returns 1 if authorized, or a negative errno with ERROR set. */
static int polkit_query_result(PolkitQuery *q, const char *action, sd_bus_error *error) {
        int authorized, challenge, r;

        if (!streq(q->action, action))
                /* The same call checked for another action than the one polkit was asked about. */
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Authorization for %s requested while %s was checked", action, q->action);

        if (sd_bus_message_is_method_error(q->reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(q->reply);

                /* Not installed, not running, masked, not answering: only root may. */
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Access denied: %s needs root or a polkit authorization, and polkit "
                                         "did not answer (%s: %s)", action, e->name, strna(e->message));
        }

        r = sd_bus_message_rewind(q->reply, true);
        if (r >= 0)
                r = sd_bus_message_enter_container(q->reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(q->reply, "bb", &authorized, &challenge);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Access denied: polkit's answer for %s could not be read", action);
        if (authorized)
                return 1;
        if (challenge)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                         "Interactive authentication required for %s.", action);
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "Access denied: not authorized for %s (root or polkit)", action);
}

static int polkit_query_start(sd_bus_message *call, Manager *manager, const char *action, bool interactive,
                              sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *pk = NULL;
        PolkitRegistry *registry = &manager->polkit;
        const char *sender = sd_bus_message_get_sender(call);
        uint32_t flags = 0;
        PolkitQuery *q;
        int r;

        if (!sender)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Access denied: the caller has no bus name");
        if (registry->n_queries >= POLKIT_QUERIES_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                        "Too many calls are waiting for an authorization, try again later");

        if (interactive && sd_bus_message_get_allow_interactive_authorization(call) > 0)
                flags |= 1; /* CheckAuthorizationFlags.AllowUserInteraction */

        r = sd_bus_message_new_method_call(sd_bus_message_get_bus(call), &pk, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        r = sd_bus_message_append(pk, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action,
                                  0, flags, "");
        if (r < 0)
                return r;

        q = new0(PolkitQuery, 1);
        if (!q)
                return -ENOMEM;
        q->action = strdup(action);
        if (!q->action) {
                free(q);
                return -ENOMEM;
        }
        q->request = sd_bus_message_ref(call);

        /* An interactive check waits for the user to type a password: as long as systemd lets it. */
        r = sd_bus_call_async(sd_bus_message_get_bus(call), &q->slot, pk, polkit_query_callback, q,
                              flags ? 120 * USEC_PER_SEC : 0);
        if (r < 0) {
                polkit_query_free(q);
                return r;
        }

        q->registry = registry;
        q->next = registry->queries;
        if (q->next)
                q->next->prev = q;
        registry->queries = q;
        registry->n_queries++;
        return 0;
}

int bus_verify_polkit_async_full(sd_bus_message *call, Manager *manager, const char *action, bool interactive,
                                 sd_bus_error *error) {
        PolkitQuery *q;
        uid_t uid;
        int r;

        assert(call);
        assert(action);

        r = bus_sender_uid(manager, call, &uid);
        if (r < 0)
                return r;
        if (uid == 0)
                return 1;
        if (manager->polkit.authorized == call)
                return 1;

        q = polkit_query_find(&manager->polkit, call);
        if (q) {
                if (!q->reply)
                        return 0; /* Dispatched again before the answer? Keep waiting. */
                return polkit_query_result(q, action, error);
        }

        r = polkit_query_start(call, manager, action, interactive, error);
        if (r < 0 && !sd_bus_error_is_set(error))
                return sd_bus_error_set_errnof(error, r, "Failed to ask polkit for %s: %s", action, strerror(-r));
        return r;
}

bool bus_polkit_call_authorized(sd_bus_message *call, Manager *manager, const char *action) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        PolkitQuery *q;
        uint8_t type;
        uid_t uid;

        /* Only the call being answered: a getter may also run for a signal, which everyone receives. */
        if (!call || sd_bus_message_get_type(call, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL)
                return false;
        if (bus_sender_uid(manager, call, &uid) >= 0 && uid == 0)
                return true;
        q = polkit_query_find(&manager->polkit, call);
        return q && q->reply && polkit_query_result(q, action, &e) > 0;
}
