/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "held-calls.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "polkit.h"

/* A message held by a user other than root; it keeps its own reference, so that no other message can take
 * its address (the key) while it is counted. */
typedef struct HeldCall {
        char key[2 * sizeof(void *) + 3];       /* "%p" of the message */
        sd_bus_message *message;
        uid_t uid;
        unsigned holds;
} HeldCall;

typedef struct HeldUser {
        char key[16];                           /* "%u" of the uid */
        unsigned holds;
} HeldUser;

static HeldUser *held_user(Manager *m, uid_t uid, bool create) {
        char key[16];
        HeldUser *u;

        (void) snprintf(key, sizeof(key), "%u", (unsigned) uid);
        u = hashmap_get(m->held_users, key);
        if (u || !create)
                return u;
        u = new0(HeldUser, 1);
        if (!u)
                return NULL;
        memcpy(u->key, key, sizeof(key));
        if (hashmap_put(m->held_users, u->key, u) < 0)
                return mfree(u);
        return u;
}

int manager_hold_call(Manager *m, sd_bus_message *message, sd_bus_error *error) {
        _cleanup_free_ HeldCall *new_call = NULL;
        char key[sizeof(((HeldCall *) NULL)->key)];
        HeldCall *c;
        HeldUser *u;
        uid_t uid;
        int r;

        (void) snprintf(key, sizeof(key), "%p", (void *) message);
        c = hashmap_get(m->held_calls, key);
        if (c) {
                c->holds++;
                u = held_user(m, c->uid, false);
                if (u)
                        u->holds++;
                m->n_held_calls++;
                return 0;
        }
        /* Whose: a sender already gone cannot be told, and its call is not kept (no one hears the answer). */
        r = bus_sender_uid(m, message, &uid);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to tell who sent this call: %m");
        if (uid == 0)
                return 0;

        u = held_user(m, uid, true);
        if (!u)
                return -ENOMEM;
        if (u->holds >= HELD_CALLS_PER_USER_MAX || m->n_held_calls >= HELD_CALLS_MAX) {
                if (u->holds == 0)
                        free(hashmap_remove(m->held_users, u->key));
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many calls wait for machines (at most %u of user %u, %u of all "
                                         "users but root), try again later",
                                         HELD_CALLS_PER_USER_MAX, (unsigned) uid, HELD_CALLS_MAX);
        }
        new_call = new0(HeldCall, 1);
        if (!new_call)
                return -ENOMEM;
        memcpy(new_call->key, key, sizeof(key));
        new_call->uid = uid;
        new_call->holds = 1;
        r = hashmap_put(m->held_calls, new_call->key, new_call);
        if (r < 0) {
                if (u->holds == 0)
                        free(hashmap_remove(m->held_users, u->key));
                return r;
        }
        new_call->message = sd_bus_message_ref(message);
        TAKE_PTR(new_call);
        u->holds++;
        m->n_held_calls++;
        return 0;
}

void manager_release_call(Manager *m, sd_bus_message *message) {
        char key[sizeof(((HeldCall *) NULL)->key)];
        HeldCall *c;
        HeldUser *u;

        if (!message)
                return;
        (void) snprintf(key, sizeof(key), "%p", (void *) message);
        c = hashmap_get(m->held_calls, key);
        if (c) {
                u = held_user(m, c->uid, false);
                if (u && u->holds > 0 && --u->holds == 0)
                        free(hashmap_remove(m->held_users, u->key));
                if (m->n_held_calls > 0)
                        m->n_held_calls--;
                if (--c->holds == 0) {
                        hashmap_remove(m->held_calls, c->key);
                        sd_bus_message_unref(c->message);
                        free(c);
                }
        }
        sd_bus_message_unref(message);
}

static void held_call_free(void *value, const char *key) {
        HeldCall *c = value;

        (void) key;
        sd_bus_message_unref(c->message);
        free(c);
}

static void held_user_free(void *value, const char *key) {
        (void) key;
        free(value);
}

void manager_held_calls_done(Manager *m) {
        hashmap_clear(m->held_calls, held_call_free);
        hashmap_clear(m->held_users, held_user_free);
        m->n_held_calls = 0;
}
