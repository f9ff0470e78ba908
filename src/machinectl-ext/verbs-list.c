/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* list: the machines as a table like "machinectl list" (NAME CLASS STATE LEADER UNIT READY SINCE STATUS), or JSON
 * (--json=short|pretty, systemd's convention) with the same fields. --all adds the names whose last run
 * ended, as the daemon still knows them (ListExitedMachines), with an EXIT column. The containers of
 * machined-ext-oci (ListOCIContainers) are merged in, with the class "oci". */

#include <assert.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <sys/param.h>

#include "machinectl-ext.h"

typedef struct ListEntry {
        const char *name;               /* strings point into the replies, which outlive the entries */
        const char *state;
        uint32_t leader;                /* 0: none (it ended) */
        const char *unit;               /* NULL: none (it ended) */
        int ready;                      /* ReadyTimestamp > 0: 1 or 0; -1 unknown (it ended, or went meanwhile) */
        const char *exit_code;          /* --all: the result of the last run of an ended machine, else NULL */
        int32_t exit_status;
        uint64_t since;                 /* Timestamp: when it started; 0 unknown */
        char *status;                   /* Status: its last STATUS= text; NULL or "" none */
        const char *path;               /* the object, for its properties; NULL for an OCI container */
        bool oci;                       /* a container of machined-ext-oci, not a machine of the daemon */
        unsigned *pending;              /* ... whose Get is not answered yet while this is set */
} ListEntry;

typedef struct ListContext {
        ListEntry *entries;
        size_t n, allocated;
        unsigned pending;               /* Get calls not answered yet */
} ListContext;

static ListEntry *list_add(ListContext *c) {
        if (c->n >= c->allocated) {
                size_t a = c->allocated * 2 + 8;
                ListEntry *l = reallocarray(c->entries, a, sizeof(ListEntry));

                if (!l)
                        return NULL;
                c->entries = l;
                c->allocated = a;
        }
        c->entries[c->n] = (ListEntry) { .ready = -1 };
        return c->entries + c->n++;
}

static const ListEntry *list_find(const ListContext *c, const char *name) {
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->entries[i].name, name))
                        return c->entries + i;
        return NULL;
}

static int entry_compare(const void *a, const void *b) {
        const ListEntry *x = a, *y = b;

        return strcmp(x->name, y->name);
}

/* The answer to GetAll of one entry: ReadyTimestamp, Timestamp, Status. A machine that went in between
 * stays "unknown". */
static int on_properties(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        ListEntry *e = ASSERT_PTR(userdata);

        if (e->pending) {
                (*e->pending)--;
                e->pending = NULL;
        }
        if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
                return 1;
        for (;;) {
                const char *key, *s;
                uint64_t t;

                if (sd_bus_message_enter_container(m, 'e', "sv") <= 0)
                        break;
                if (sd_bus_message_read(m, "s", &key) <= 0)
                        break;
                if (streq(key, "ReadyTimestamp") && sd_bus_message_read(m, "v", "t", &t) > 0)
                        e->ready = t > 0;
                else if (streq(key, "Timestamp") && sd_bus_message_read(m, "v", "t", &t) > 0)
                        e->since = t;
                else if (streq(key, "Status") && sd_bus_message_read(m, "v", "s", &s) > 0) {
                        free(e->status);
                        e->status = isempty(s) ? NULL : strdup(s);
                } else if (sd_bus_message_skip(m, "v") < 0)
                        break;
                if (sd_bus_message_exit_container(m) < 0)
                        break;
        }
        return 1;
}

/* ListMachines, then GetAll of every machine (for READY, SINCE, STATUS), all sent before the first answer is read.
 * Returns 0 or < 0 after printing why. */
static int list_running(sd_bus *bus, ListContext *c, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "ListMachines",
                               &error, &reply, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to list machines");

        r = sd_bus_message_enter_container(reply, 'a', "(ssuso)");
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse the list of machines");
        for (;;) {
                ListEntry *e = list_add(c);

                if (!e)
                        return log_bus_error(-ENOMEM, NULL, "Failed to list machines");
                r = sd_bus_message_read(reply, "(ssuso)", &e->name, &e->state, &e->leader, &e->unit, &e->path);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to parse the list of machines");
                if (r == 0) {
                        c->n--;
                        break;
                }
        }

        /* The entries do not move from here on: their addresses are the calls' userdata. */
        for (size_t i = 0; i < c->n; i++) {
                r = sd_bus_call_method_async(bus, NULL, BUS_NAME, c->entries[i].path,
                                             "org.freedesktop.DBus.Properties", "GetAll", on_properties,
                                             c->entries + i, "s", BUS_MACHINE_INTERFACE);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to query machine %s", c->entries[i].name);
                c->entries[i].pending = &c->pending;
                c->pending++;
        }
        /* Each answer (or error, or timeout: the default method call timeout) runs its callback once. */
        while (c->pending > 0) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to query the machines");
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to query the machines");
        }

        *ret_reply = TAKE_PTR(reply);
        return 0;
}

/* ListOCIContainers: the containers of machined-ext-oci, class "oci". Returns 0 or < 0 after printing why. */
static int list_oci(sd_bus *bus, ListContext *c, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "ListOCIContainers",
                               &error, &reply, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to list the OCI containers");

        r = sd_bus_message_enter_container(reply, 'a', "(ssuss)");
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse the list of OCI containers");
        for (;;) {
                const char *id, *status, *unit, *bundle;
                uint32_t leader;
                ListEntry *e;

                r = sd_bus_message_read(reply, "(ssuss)", &id, &status, &leader, &unit, &bundle);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to parse the list of OCI containers");
                if (r == 0)
                        break;
                e = list_add(c);
                if (!e)
                        return log_bus_error(-ENOMEM, NULL, "Failed to list machines");
                e->name = id;
                e->state = status;
                e->leader = leader;
                e->unit = isempty(unit) ? NULL : unit;
                e->oci = true;
        }

        *ret_reply = TAKE_PTR(reply);
        return 0;
}

static const char *entry_class(const ListEntry *e) {
        return e->oci ? "oci" : "container";
}

/* --all: ListExitedMachines, for the names that are not running. Returns 0 or < 0 after printing why. */
static int list_exited(sd_bus *bus, ListContext *c, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "ListExitedMachines",
                               &error, &reply, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to list the machines that ended");

        r = sd_bus_message_enter_container(reply, 'a', "(ssit)");
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse the list of machines that ended");
        for (;;) {
                const char *name, *code;
                int32_t status;
                uint64_t timestamp;
                ListEntry *e;

                r = sd_bus_message_read(reply, "(ssit)", &name, &code, &status, &timestamp);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to parse the list of machines that ended");
                if (r == 0)
                        break;

                /* Its last run ended, but it runs again: it is listed as running. */
                if (list_find(c, name) && !list_find(c, name)->oci)
                        continue;

                e = list_add(c);
                if (!e)
                        return log_bus_error(-ENOMEM, NULL, "Failed to list machines");
                e->name = name;
                e->state = "stopped";
                e->exit_code = code;
                e->exit_status = status;
        }

        *ret_reply = TAKE_PTR(reply);
        return 0;
}

static const char *ready_string(int ready) {
        return ready < 0 ? "-" : ready ? "yes" : "no";
}

static const char *since_string(const ListEntry *e, char *buf, size_t size) {
        return format_timestamp(buf, size, e->since) ?: "-";
}

static void print_table(const ListContext *c) {
        size_t w_name = 4, w_class = strlen("container"), w_state = 5, w_leader = 6, w_unit = 4, w_ready = 5,
                w_since = 5, w_status = 6;

        for (size_t i = 0; i < c->n; i++) {
                const ListEntry *e = c->entries + i;
                char buf[16], since[64];

                w_name = MAX(w_name, strlen(e->name));
                w_state = MAX(w_state, strlen(e->state));
                if (e->leader > 0)
                        w_leader = MAX(w_leader, (size_t) snprintf(buf, sizeof(buf), "%" PRIu32, e->leader));
                w_unit = MAX(w_unit, strlen(e->unit ?: "-"));
                w_since = MAX(w_since, strlen(since_string(e, since, sizeof(since))));
                w_status = MAX(w_status, strlen(e->status ?: "-"));
        }

        if (c->n > 0) {
                if (arg_legend)
                        printf("%-*s %-*s %-*s %-*s %-*s %-*s %-*s %-*s%s\n", (int) w_name, "NAME",
                               (int) w_class, "CLASS", (int) w_state, "STATE", (int) w_leader, "LEADER",
                               (int) w_unit, "UNIT", (int) w_ready, "READY", (int) w_since, "SINCE",
                               arg_all ? (int) w_status : 0, "STATUS", arg_all ? " EXIT" : "");
                for (size_t i = 0; i < c->n; i++) {
                        const ListEntry *e = c->entries + i;
                        char leader[16] = "-", result[64] = "-", since[64];

                        if (e->leader > 0)
                                (void) snprintf(leader, sizeof(leader), "%" PRIu32, e->leader);
                        if (e->exit_code)
                                (void) snprintf(result, sizeof(result), "%s %" PRIi32, e->exit_code,
                                                e->exit_status);
                        printf("%-*s %-*s %-*s %-*s %-*s %-*s %-*s %-*s", (int) w_name, e->name, (int) w_class,
                               entry_class(e), (int) w_state, e->state, (int) w_leader, leader, (int) w_unit,
                               e->unit ?: "-", (int) w_ready, ready_string(e->ready), (int) w_since,
                               since_string(e, since, sizeof(since)), arg_all ? (int) w_status : 0,
                               e->status ?: "-");
                        if (arg_all)
                                printf(" %s", result);
                        putchar('\n');
                }
        }

        /* Same wording as machinectl, including "1 machines listed." */
        if (arg_legend) {
                if (c->n > 0)
                        printf("\n%zu machines listed.\n", c->n);
                else
                        printf("No machines.\n");
        }
}

static void json_object_putp(json_object **o) {
        json_object_put(*o);
}

/* Adds KEY to O: V (taken) if PRESENT, else JSON null. Returns 0, or -ENOMEM (also for a V that could not be
 * made). */
static int json_add(json_object *o, const char *key, bool present, json_object *v) {
        if (present && !v)
                return -ENOMEM;
        if (json_object_object_add(o, key, present ? v : NULL) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

/* One object with the table's fields: name, class, state, leader, unit, ready (null: none, or unknown), and
 * with --all exit_code and exit_status (null for a running machine). */
static int entry_to_json(const ListEntry *e, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        r = json_add(o, "name", true, json_object_new_string(e->name));
        r = r ?: json_add(o, "class", true, json_object_new_string(entry_class(e)));
        r = r ?: json_add(o, "state", true, json_object_new_string(e->state));
        r = r ?: json_add(o, "leader", e->leader > 0, e->leader > 0 ? json_object_new_int64(e->leader) : NULL);
        r = r ?: json_add(o, "unit", !!e->unit, e->unit ? json_object_new_string(e->unit) : NULL);
        r = r ?: json_add(o, "ready", e->ready >= 0, e->ready >= 0 ? json_object_new_boolean(e->ready) : NULL);
        r = r ?: json_add(o, "since", e->since > 0, e->since > 0 ? json_object_new_uint64(e->since) : NULL);
        r = r ?: json_add(o, "status", !!e->status, e->status ? json_object_new_string(e->status) : NULL);
        if (arg_all) {
                r = r ?: json_add(o, "exit_code", !!e->exit_code,
                                  e->exit_code ? json_object_new_string(e->exit_code) : NULL);
                r = r ?: json_add(o, "exit_status", !!e->exit_code,
                                  e->exit_code ? json_object_new_int(e->exit_status) : NULL);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

/* One array of objects, on one line (--json=short) or indented (--json=pretty). Returns 0 or -ENOMEM. */
static int print_json(const ListContext *c) {
        _cleanup_(json_object_putp) json_object *a = NULL;
        const char *s;
        int flags, r;

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < c->n; i++) {
                json_object *o;

                r = entry_to_json(c->entries + i, &o);
                if (r < 0)
                        return r;
                if (json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
        }

        flags = JSON_C_TO_STRING_NOSLASHESCAPE;
        flags |= arg_json == JSON_MODE_PRETTY ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                              : JSON_C_TO_STRING_PLAIN;
        s = json_object_to_json_string_ext(a, flags);
        if (!s)
                return -ENOMEM;
        printf("%s\n", s);
        return 0;
}

int verb_list(sd_bus *bus, char **args) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *running = NULL, *oci = NULL, *exited = NULL;
        _cleanup_free_ ListEntry *entries = NULL;
        ListContext c = {};
        int r;

        r = list_running(bus, &c, &running);
        if (r >= 0)
                r = list_oci(bus, &c, &oci);
        if (r >= 0 && arg_all)
                r = list_exited(bus, &c, &exited);
        entries = c.entries;
        if (r < 0)
                goto finish;

        if (c.n > 0)
                qsort(c.entries, c.n, sizeof(ListEntry), entry_compare);

        if (arg_json != JSON_MODE_OFF) {
                r = print_json(&c);
                if (r < 0)
                        r = log_bus_error(r, NULL, "Failed to format the list of machines");
        } else {
                print_table(&c);
                r = 0;
        }
finish:
        for (size_t i = 0; i < c.n; i++)
                free(c.entries[i].status);
        return r;
}
