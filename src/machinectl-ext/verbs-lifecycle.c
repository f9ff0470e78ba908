/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* start, stop, kill: each is one call on the manager object; the daemon does the work. */

#include <assert.h>
#include <inttypes.h>

#include "machinectl-ext.h"

/* Calls METHOD(name) on the manager for each name. Every name is tried; returns 0 if all succeeded, else the
 * first error (each one already printed as "Failed to <what> machine NAME: ..."). */
static int call_for_each(sd_bus *bus, char **names, const char *method, const char *what, uint64_t timeout) {
        int ret = 0, r;

        for (char **name = names; *name; name++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_MANAGER_PATH,
                                                   BUS_MANAGER_INTERFACE, method);
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", *name);
                if (r >= 0)
                        r = sd_bus_call(bus, m, timeout, &error, &reply);
                if (r < 0) {
                        (void) log_bus_error(r, &error, "Failed to %s machine %s", what, *name);
                        if (ret == 0)
                                ret = r;
                }
        }

        return ret;
}

typedef struct PendingCall {
        sd_bus_message *reply;          /* the reply or error message (also local timeouts), once it arrived */
        int r;
        bool done;
} PendingCall;

static int pending_call_handler(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PendingCall *c = ASSERT_PTR(userdata);

        c->reply = sd_bus_message_ref(m);
        c->r = -sd_bus_message_get_errno(m);
        c->done = true;
        return 1;
}

static int call_async(sd_bus *bus, sd_bus_slot **ret_slot, const char *method, const char *name,
                      PendingCall *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, method);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return r;
        return sd_bus_call_async(bus, ret_slot, m, pending_call_handler, c, BUS_TIMEOUT_LONG);
}

/* start --wait NAME: StartMachine and WaitMachine are sent back to back, without waiting for the first reply,
 * so the wait is queued behind the start and covers exactly the run that this start began, however short it
 * is. Returns the payload's exit status (128+signal if it was killed), or < 0 after printing the error. */
static int start_and_wait(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *start_slot = NULL, *wait_slot = NULL;
        PendingCall start = {}, wait = {};
        const char *exit_code;
        int32_t exit_status;
        int r;

        r = call_async(bus, &start_slot, "StartMachine", name, &start);
        if (r < 0) {
                (void) log_bus_error(r, NULL, "Failed to start machine %s", name);
                goto finish;
        }
        r = call_async(bus, &wait_slot, "WaitMachine", name, &wait);
        if (r < 0) {
                (void) log_bus_error(r, NULL, "Failed to wait for machine %s", name);
                goto finish;
        }

        /* Wait for both replies, but stop early if the start failed: the wait would only report an older run. */
        while (!(start.done && wait.done) && !(start.done && start.r < 0)) {
                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        (void) log_bus_error(r, NULL, "Failed to process bus for machine %s", name);
                        goto finish;
                }
                if (r > 0)
                        continue;

                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR) {
                        (void) log_bus_error(r, NULL, "Failed to wait on bus for machine %s", name);
                        goto finish;
                }
        }

        if (start.done && start.r < 0) {
                r = log_bus_error(start.r, sd_bus_message_get_error(start.reply),
                                  "Failed to start machine %s", name);
                goto finish;
        }
        if (wait.r < 0) {
                r = log_bus_error(wait.r, sd_bus_message_get_error(wait.reply),
                                  "Failed to wait for machine %s", name);
                goto finish;
        }

        r = sd_bus_message_read(wait.reply, "si", &exit_code, &exit_status);
        if (r < 0) {
                (void) log_bus_error(r, NULL, "Failed to parse result of machine %s", name);
                goto finish;
        }

        if (streq(exit_code, "exited"))
                r = exit_status & 0xff;
        else if (streq(exit_code, "killed") || streq(exit_code, "dumped"))
                r = 128 + exit_status;
        else {
                fprintf(stderr, "Machine %s ended with unknown result '%s' (status %" PRIi32 ").\n",
                        name, exit_code, exit_status);
                r = -EBADMSG;
        }

finish:
        sd_bus_message_unref(start.reply);
        sd_bus_message_unref(wait.reply);
        return r;
}

int verb_start(sd_bus *bus, char **args) {
        if (arg_wait) {
                assert(args[0] && !args[1]);
                return start_and_wait(bus, args[0]);
        }

        return call_for_each(bus, args, "StartMachine", "start", BUS_TIMEOUT_LONG);
}

int verb_stop(sd_bus *bus, char **args) {
        /* StopMachine replies only once the machine is gone, after up to the daemon's stop timeout. */
        return call_for_each(bus, args, "StopMachine", "stop", BUS_TIMEOUT_LONG);
}

int verb_kill(sd_bus *bus, char **args) {
        int ret = 0, r;

        for (char **name = args; *name; name++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "KillMachine",
                                       &error, NULL, "ssi", *name, arg_kill_whom, (int32_t) arg_signal);
                if (r < 0) {
                        (void) log_bus_error(r, &error, "Failed to kill machine %s", *name);
                        if (ret == 0)
                                ret = r;
                }
        }

        return ret;
}
