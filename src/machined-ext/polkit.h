/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

/* Authorization of D-Bus callers: root, or polkit (policy/org.machinedext1.policy). Modelled on systemd's
 * bus-polkit.c: the first call of bus_verify_polkit_async() for a method call asks polkit asynchronously
 * and returns 0; when the answer comes, the call is dispatched again from the start (its handler runs
 * again, parses again and calls bus_verify_polkit_async() again, which now has the answer). */

#define POLKIT_ACTION_MANAGE_MACHINES "org.machinedext1.manage-machines"
#define POLKIT_ACTION_SHELL           "org.machinedext1.shell"
#define POLKIT_ACTION_CONSOLE         "org.machinedext1.console"

typedef struct PolkitQuery PolkitQuery;
typedef struct Manager Manager;

typedef struct PolkitRegistry {
        PolkitQuery *queries;           /* pending and answered queries, one per method call */
        size_t n_queries;
        sd_bus_message *authorized;     /* a call authorized before, being run again from a queue */
} PolkitRegistry;

/* Frees every query (their calls get no reply: the daemon is going away). */
void polkit_registry_done(PolkitRegistry *registry);

/* The effective uid of the sender of MESSAGE (cached per unique name). Returns 0 or -errno. */
int bus_sender_uid(Manager *manager, sd_bus_message *message, uid_t *ret);

/* Whether the caller of CALL may do ACTION: uid 0 always may; anyone else if polkit says so. Asks polkit
 * with the "allow user interaction" flag when the caller allowed it (ALLOW_INTERACTIVE_AUTHORIZATION on the
 * message) and INTERACTIVE is true.
 *
 * Returns 1 if authorized; 0 if polkit was asked: the handler must then return 1 without replying, CALL is
 * dispatched again when polkit answers; or a negative errno with ERROR set: AccessDenied (not authorized,
 * polkit not running or not answering), InteractiveAuthorizationRequired (polkit wants a password the caller
 * did not let it ask for), or another error. A method handler uses it in one line pair:
 *
 *         r = bus_verify_polkit_async(message, manager, POLKIT_ACTION_SHELL, error);
 *         if (r <= 0)
 *                 return r == 0 ? 1 : r;
 */
int bus_verify_polkit_async_full(sd_bus_message *call, Manager *manager, const char *action, bool interactive,
                                 sd_bus_error *error);

static inline int bus_verify_polkit_async(sd_bus_message *call, Manager *manager, const char *action,
                                          sd_bus_error *error) {
        return bus_verify_polkit_async_full(call, manager, action, true, error);
}

/* Whether CALL (the message being dispatched, NULL outside of one) was authorized for ACTION: it comes
 * from uid 0, or polkit's answer for it is there and says yes. Never asks polkit. For property getters
 * whose call a filter authorized with bus_verify_polkit_async_full() first. */
bool bus_polkit_call_authorized(sd_bus_message *call, Manager *manager, const char *action);
