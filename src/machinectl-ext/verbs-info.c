/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* status, show: read-only views of what the daemon reports (list: verbs-list.c). */

#include <assert.h>
#include <inttypes.h>
#include <sys/param.h>
#include <time.h>

#include "cgroup-show.h"
#include "escape.h"
#include "json-output.h"
#include "machine-net.h"
#include "machinectl-ext.h"
#include "strv.h"
#include "time-util.h"
#include "util.h"

/* Returns the object path of running machine NAME in *ret_path (a copy). A failed call leaves its error in
 * *error, unprinted; other failures are printed. */
static int get_machine_path_error(sd_bus *bus, const char *name, char **ret_path, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        char *p;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetMachine",
                               error, &reply, "s", name);
        if (r < 0)
                return r;

        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse reply for machine %s", name);

        p = strdup(path);
        if (!p)
                return log_bus_error(-ENOMEM, NULL, "Failed to get machine %s", name);
        *ret_path = p;
        return 0;
}

/* Returns the object path of running machine NAME in *ret_path (a copy), or < 0 after printing why. */
static int get_machine_path(sd_bus *bus, const char *name, char **ret_path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = get_machine_path_error(bus, name, ret_path, &error);
        if (r < 0 && sd_bus_error_is_set(&error))
                return log_bus_error(r, &error, "Failed to get machine %s", name);
        return r;
}

/* GetAll on the machine object at PATH. Returns the reply (positioned before the a{sv}) or < 0 after printing
 * why. */
static int get_properties(sd_bus *bus, const char *name, const char *path, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                               &error, ret_reply, "s", BUS_MACHINE_INTERFACE);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to get properties of machine %s", name);
        return 0;
}

static int get_machine_properties(sd_bus *bus, const char *name, sd_bus_message **ret_reply) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = get_machine_path(bus, name, &path);
        if (r < 0)
                return r;
        return get_properties(bus, name, path, ret_reply);
}

/* Calls f for each property of the a{sv} in m, with m positioned inside the variant, whose contents
 * signature is passed. f must consume the value or return 0 to have it skipped. */
typedef int (*property_func)(const char *name, const char *contents, sd_bus_message *m, void *userdata);

static int for_each_property(sd_bus_message *m, property_func f, void *userdata) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;

        for (;;) {
                const char *name, *contents;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r < 0)
                        return r;
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;

                r = f(name, contents, m, userdata);
                if (r < 0)
                        return r;
                if (r == 0) {
                        r = sd_bus_message_skip(m, contents);
                        if (r < 0)
                                return r;
                }

                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }

        return sd_bus_message_exit_container(m);
}

/* Formats 16 bytes as 32 lowercase hex digits (other lengths: as many digits as there are bytes). */
static char *hexmem(const uint8_t *p, size_t n) {
        static const char table[] = "0123456789abcdef";
        char *s;

        s = malloc(n * 2 + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                s[2 * i] = table[p[i] >> 4];
                s[2 * i + 1] = table[p[i] & 15];
        }
        s[n * 2] = '\0';
        return s;
}

static int read_hex(sd_bus_message *m, char **ret) {
        const void *p;
        size_t n;
        char *s;
        int r;

        r = sd_bus_message_read_array(m, 'y', &p, &n);
        if (r < 0)
                return r;
        s = hexmem(p, n);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

typedef struct MachineStatus {
        const char *name;
        char *id;
        const char *state;
        const char *status;     /* STATUS= of the payload */
        uint32_t leader;
        const char *unit;
        const char *root;
        uint64_t timestamp;
        char **command;
        char **warnings;
        int boot;
        int notify_ready;
        bool have_boot, have_notify_ready;   /* the properties were there */
        const char *settings_file;
        const char *exit_code;
        int32_t exit_status;

        /* Not properties of ours: from /proc, systemd and systemd-machined (status_gather()). */
        char *leader_comm;
        MachineNetwork network;
        char *control_group;
        CGroupNode *cgroup_tree;
} MachineStatus;

static void machine_status_done(MachineStatus *s) {
        free(s->id);
        strv_free(s->command);
        strv_free(s->warnings);
        free(s->leader_comm);
        machine_network_done(&s->network);
        free(s->control_group);
        cgroup_node_free(s->cgroup_tree);
}

/* What status shows beyond our properties, as machinectl status: the leader's comm, the network as
 * systemd-machined sees it, the unit's cgroup tree. What cannot be had is left out (a process gone, a unit
 * systemd does not know): status still shows the rest. Returns 0 or -ENOMEM. */
static int status_gather(sd_bus *bus, const char *name, MachineStatus *s) {
        char path[64];
        int r;

        if (s->leader > 0) {
                _cleanup_fclose_ FILE *f = NULL;
                char comm[64];

                (void) snprintf(path, sizeof(path), "/proc/%" PRIu32 "/comm", s->leader);
                f = fopen(path, "re");
                if (f && fgets(comm, sizeof(comm), f)) {
                        comm[strcspn(comm, "\n")] = 0;
                        s->leader_comm = strdup(comm);
                        if (!s->leader_comm)
                                return -ENOMEM;
                }
        }

        r = machine_network_get(bus, name, &s->network);
        if (r < 0)
                return r;

        /* The unit's cgroup as systemd has it; else the leader's (a daemon without systemd's answer). */
        r = -ENOENT;
        if (!isempty(s->unit))
                r = unit_get_control_group(bus, s->unit, &s->control_group, NULL);
        if (r < 0 && s->leader > 0)
                r = pid_get_cgroup((pid_t) s->leader, &s->control_group);
        if (r == -ENOMEM)
                return r;
        if (s->control_group) {
                r = cgroup_tree_read(s->control_group, &s->cgroup_tree);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

static int status_property(const char *name, const char *contents, sd_bus_message *m, void *userdata) {
        MachineStatus *s = ASSERT_PTR(userdata);
        int r;

        /* Values of an unexpected type are skipped, so a newer daemon cannot confuse us. */
        if (streq(contents, "s")) {
                const char **field =
                        streq(name, "Name")          ? &s->name :
                        streq(name, "State")         ? &s->state :
                        streq(name, "Status")        ? &s->status :
                        streq(name, "Unit")          ? &s->unit :
                        streq(name, "RootDirectory") ? &s->root :
                        streq(name, "SettingsFile")  ? &s->settings_file :
                        streq(name, "ExitCode")      ? &s->exit_code : NULL;
                if (!field)
                        return 0;
                r = sd_bus_message_read(m, "s", field);
        } else if (streq(contents, "u") && streq(name, "Leader"))
                r = sd_bus_message_read(m, "u", &s->leader);
        else if (streq(contents, "t") && streq(name, "Timestamp"))
                r = sd_bus_message_read(m, "t", &s->timestamp);
        else if (streq(contents, "i") && streq(name, "ExitStatus"))
                r = sd_bus_message_read(m, "i", &s->exit_status);
        else if (streq(contents, "b") && streq(name, "Boot")) {
                r = sd_bus_message_read(m, "b", &s->boot);
                s->have_boot = true;
        } else if (streq(contents, "b") && streq(name, "NotifyReady")) {
                r = sd_bus_message_read(m, "b", &s->notify_ready);
                s->have_notify_ready = true;
        }
        else if (streq(contents, "ay") && streq(name, "Id")) {
                s->id = mfree(s->id);
                r = read_hex(m, &s->id);
        } else if (streq(contents, "as") && streq(name, "Command")) {
                s->command = strv_free(s->command);
                r = sd_bus_message_read_strv(m, &s->command);
        } else if (streq(contents, "as") && streq(name, "Warnings")) {
                s->warnings = strv_free(s->warnings);
                r = sd_bus_message_read_strv(m, &s->warnings);
        } else
                return 0;

        return r < 0 ? r : 1;
}

/* "5min 3s", "2h 10min", "3d 4h": the two most significant units, like systemd's format_timespan(). */
static void format_ago(char *buf, size_t size, uint64_t usec) {
        static const struct { const char *suffix; uint64_t usec; } units[] = {
                { "d",   24 * 60 * 60 * USEC_PER_SEC },
                { "h",   60 * 60 * USEC_PER_SEC },
                { "min", 60 * USEC_PER_SEC },
                { "s",   USEC_PER_SEC },
        };
        size_t l = 0;
        int shown = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(units) && shown < 2; i++) {
                uint64_t v = usec / units[i].usec;

                if (v == 0 && shown == 0)
                        continue;
                usec -= v * units[i].usec;
                if (v > 0) {
                        l += (size_t) snprintf(buf + l, size - MIN(l, size), "%s%" PRIu64 "%s",
                                               shown > 0 ? " " : "", v, units[i].suffix);
                        if (l >= size)
                                break;
                }
                shown++;
        }
        if (buf[0] == '\0')
                (void) snprintf(buf, size, "0s");
}

/* Every string comes from the daemon, and some from the payload (Status, Command): on a terminal they are
 * escaped (terminal_safe()). */
static void print_status(const MachineStatus *s, const char *fallback_name) {
        _cleanup_free_ char *b_name = NULL, *b_unit = NULL, *b_state = NULL, *b_status = NULL, *b_root = NULL,
                *b_file = NULL, *b_exit = NULL;
        char since[128], ago[64];

        printf("%s (%s)\n", terminal_safe(stdout, s->name ?: fallback_name, &b_name), s->id ?: "n/a");

        if (format_timestamp(since, sizeof(since), s->timestamp)) {
                uint64_t n = now(CLOCK_REALTIME);

                if (n >= s->timestamp) {
                        format_ago(ago, sizeof(ago), n - s->timestamp);
                        printf("           Since: %s; %s ago\n", since, ago);
                } else
                        printf("           Since: %s\n", since);
        }

        if (s->leader > 0) {
                _cleanup_free_ char *b = NULL;

                printf("          Leader: %" PRIu32, s->leader);
                if (s->leader_comm)
                        printf(" (%s)", terminal_safe(stdout, s->leader_comm, &b));
                printf("\n");
        }
        if (!isempty(s->unit))
                printf("            Unit: %s\n", terminal_safe(stdout, s->unit, &b_unit));
        if (!isempty(s->state))
                printf("           State: %s%s%s\n", streq(s->state, "running") ? ansi_highlight_green() : "",
                       terminal_safe(stdout, s->state, &b_state), streq(s->state, "running") ? ansi_normal() : "");
        if (!isempty(s->status))
                printf("          Status: \"%s\"\n", terminal_safe(stdout, s->status, &b_status));
        if (!isempty(s->root))
                printf("            Root: %s\n", terminal_safe(stdout, s->root, &b_root));
        STRV_FOREACH(i, s->network.interfaces)
                printf("%s%s%s", i == s->network.interfaces ? "           Iface: " : " ", *i, i[1] ? "" : "\n");
        STRV_FOREACH(a, s->network.addresses)
                printf("%s %s\n", a == s->network.addresses ? "         Address:" : "                 ", *a);
        if (s->command && s->command[0]) {
                _cleanup_free_ char *q = quote_command_line(s->command);

                printf("         Command: %s\n", q ?: "(out of memory)");
        }
        /* (A container of machined-ext-oci has neither.) */
        if (s->have_boot)
                printf("            Boot: %s\n", s->boot ? "yes" : "no");
        if (s->have_notify_ready)
                printf("     NotifyReady: %s\n", s->notify_ready ? "yes" : "no");
        if (!isempty(s->settings_file))
                printf("   Settings file: %s\n", terminal_safe(stdout, s->settings_file, &b_file));
        if (!isempty(s->exit_code))
                printf("       Last exit: %s, status=%" PRIi32 "\n", terminal_safe(stdout, s->exit_code, &b_exit),
                       s->exit_status);
        /* What the settings file parser ignored: one per line, aligned under the first. */
        STRV_FOREACH(w, s->warnings) {
                _cleanup_free_ char *b = NULL;
                printf("%s %s\n", w == s->warnings ? "        Warnings:" : "                 ",
                       terminal_safe(stdout, *w, &b));
        }
        /* As systemctl status: the cgroup, then its processes and sub-cgroups, cut to the terminal's width
         * (not when written elsewhere, nor with --full). */
        if (s->control_group) {
                _cleanup_free_ char *b = NULL;
                CGroupShowStyle style = {
                        .utf8 = locale_is_utf8(),
                        .colors = colors_enabled(),
                        .width = arg_full || !isatty(STDOUT_FILENO) ? SIZE_MAX : columns(),
                };

                printf("          CGroup: %s\n", terminal_safe(stdout, s->control_group, &b));
                if (s->cgroup_tree)
                        cgroup_tree_print(s->cgroup_tree, "                  ", &style);
        }
}

/* --json=: the properties of one machine as one object; with s (status), what status_gather() found too. */
static int print_properties_json(sd_bus_message *reply, const MachineStatus *s) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        r = for_each_property(reply, property_to_json, o);
        if (r < 0)
                return r;

        if (s) {
                r = json_add_value(o, "NetworkInterfaces", strv_to_json(s->network.interfaces));
                r = r ?: json_add_value(o, "Addresses", strv_to_json(s->network.addresses));
                if (r == 0 && s->control_group)
                        r = json_add_value(o, "ControlGroup", json_object_new_string(s->control_group));
                if (r == 0 && s->cgroup_tree) {
                        json_object *t = NULL;

                        r = cgroup_tree_to_json(s->cgroup_tree, &t);
                        r = r ?: json_add_value(o, "ControlGroupTree", t);
                }
                if (r < 0)
                        return r;
        }
        return json_print(o);
}

/* The last lines (at most n) of the console log of a running machine, if the caller may read it (root). */
static void print_console_tail(sd_bus *bus, const char *name, unsigned n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const void *data;
        const char *p, *start;
        size_t size;
        unsigned lines = 0;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetMachineConsoleLog",
                               NULL, &reply, "s", name);
        if (r < 0)
                return; /* not root, no console: nothing to show */
        r = sd_bus_message_read_array(reply, 'y', &data, &size);
        if (r < 0 || size == 0)
                return;

        /* Back from the end over n line breaks (a last line without one counts too). */
        p = (const char *) data + size;
        if (p[-1] == '\n')
                p--;
        start = p;
        while (start > (const char *) data && lines < n) {
                if (start[-1] == '\n' && ++lines == n)
                        break;
                start--;
        }

        printf("\n");
        while (start < p) {
                _cleanup_free_ char *line = NULL, *b = NULL;
                const char *e = memchr(start, '\n', (size_t) (p - start)) ?: p;

                line = strndup(start, (size_t) (e - start));
                if (!line)
                        return;
                /* Without the carriage returns a tty's console sends. */
                line[strcspn(line, "\r")] = '\0';
                printf("%s\n", terminal_safe(stdout, line, &b));
                start = e + 1;
        }
}

/* The last run of NAME, for a machine that is not running. Returns 1 if shown, 0 if the daemon knows no
 * run of it, < 0 on failure (after printing why). */
static int status_exited(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *b_code = NULL, *b_unit = NULL;
        const char *code, *unit;
        uint64_t started, ended, n;
        int32_t status;
        char t[128], ago[64];
        bool bad;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE, "GetExitedMachine",
                               &error, &reply, "s", name);
        if (r < 0) {
                /* (InvalidArgs: a name that only a container of machined-ext-oci can have.) */
                if (sd_bus_error_has_name(&error, BUS_ERROR_NO_SUCH_MACHINE) ||
                    sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_METHOD) ||
                    sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS))
                        return 0;
                return log_bus_error(r, &error, "Failed to get the last run of machine %s", name);
        }
        r = sd_bus_message_read(reply, "sitts", &code, &status, &started, &ended, &unit);
        if (r < 0)
                return log_bus_error(r, NULL, "Failed to parse the last run of machine %s", name);

        if (arg_json != JSON_MODE_OFF) {
                _cleanup_(json_object_putp) json_object *o = json_object_new_object();

                if (!o)
                        return log_bus_error(-ENOMEM, NULL, "Failed to show machine %s", name);
                r = json_add_value(o, "Name", json_object_new_string(name));
                r = r ?: json_add_value(o, "State", json_object_new_string("exited"));
                r = r ?: json_add_value(o, "ExitCode", json_object_new_string(code));
                r = r ?: json_add_value(o, "ExitStatus", json_object_new_int(status));
                r = r ?: json_add_value(o, "StartTimestamp", json_object_new_uint64(started));
                r = r ?: json_add_value(o, "ExitTimestamp", json_object_new_uint64(ended));
                r = r ?: json_add_value(o, "Unit", json_object_new_string(unit));
                r = r ?: json_print(o);
                if (r < 0)
                        return log_bus_error(r, NULL, "Failed to show machine %s", name);
                return 1;
        }

        n = now(CLOCK_REALTIME);
        printf("%s\n", name);
        printf("           State: %s\n", "exited");
        bad = !streq(code, "exited") || status != 0;
        printf("       Last exit: %s%s, %s=%" PRIi32 "%s\n", bad ? ansi_highlight_red() : "",
               terminal_safe(stdout, isempty(code) ? "unknown" : code, &b_code),
               streq(code, "exited") ? "status" : "signal", status, bad ? ansi_normal() : "");
        if (format_timestamp(t, sizeof(t), started))
                printf("         Started: %s\n", t);
        if (format_timestamp(t, sizeof(t), ended)) {
                if (n >= ended) {
                        format_ago(ago, sizeof(ago), n - ended);
                        printf("           Ended: %s; %s ago\n", t, ago);
                } else
                        printf("           Ended: %s\n", t);
        }
        if (started > 0 && ended >= started) {
                format_ago(ago, sizeof(ago), ended - started);
                printf("             Ran: %s\n", ago);
        }
        if (!isempty(unit))
                printf("            Unit: %s\n", terminal_safe(stdout, unit, &b_unit));
        return 1;
}

/* Exit status: 0 if all run, 3 (LSB "not running", as systemctl status) if one only ran before, < 0 (1) if
 * one is unknown or a call failed. */
int verb_status(sd_bus *bus, char **args) {
        int ret = 0, r;

        for (char **name = args; *name; name++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *path = NULL;
                MachineStatus s = {};

                if (name != args && arg_json == JSON_MODE_OFF)
                        printf("\n");

                r = get_machine_path_error(bus, *name, &path, &error);
                if (r < 0 && sd_bus_error_has_name(&error, BUS_ERROR_NO_SUCH_MACHINE)) {
                        /* Not running: its last run, if it had one. */
                        int k = status_exited(bus, *name);
                        if (k > 0) {
                                if (ret == 0)
                                        ret = 3;
                                continue;
                        }
                        if (k < 0) {
                                if (ret >= 0)
                                        ret = k;
                                continue;
                        }
                }
                if (r < 0) {
                        if (sd_bus_error_is_set(&error)) /* else printed already */
                                r = log_bus_error(r, &error, "Failed to get machine %s", *name);
                        if (ret >= 0)
                                ret = r;
                        continue;
                }

                r = get_properties(bus, *name, path, &reply);
                if (r < 0) {
                        if (ret >= 0)
                                ret = r;
                        continue;
                }

                r = for_each_property(reply, status_property, &s);
                if (r >= 0)
                        r = status_gather(bus, *name, &s);
                if (r < 0) {
                        (void) log_bus_error(r, NULL, "Failed to parse properties of machine %s", *name);
                        if (ret >= 0)
                                ret = r;
                } else if (arg_json != JSON_MODE_OFF) {
                        r = sd_bus_message_rewind(reply, true);
                        if (r >= 0)
                                r = print_properties_json(reply, &s);
                        if (r < 0) {
                                (void) log_bus_error(r, NULL, "Failed to print properties of machine %s", *name);
                                if (ret >= 0)
                                        ret = r;
                        }
                } else {
                        print_status(&s, *name);
                        if (arg_lines > 0)
                                print_console_tail(bus, *name, arg_lines);
                }

                machine_status_done(&s);
        }

        return ret;
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);

        return a >= b && streq(s + a - b, suffix);
}

/* Prints one property as Key=value (or only the value with --value). Returns 1 if printed, 0 if the type is not
 * printable on one line (the caller skips it), < 0 on a parse error. */
static int print_value(const char *name, const char *contents, sd_bus_message *m) {
        _cleanup_free_ char *owned = NULL, *escaped = NULL;
        char buf[128];
        const char *v;
        union {
                uint8_t y;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
                int b;
                const char *s;
        } u;
        int r;

        if (strlen(contents) == 1)
                switch (contents[0]) {
                case 's':
                case 'o':
                case 'g':
                        r = sd_bus_message_read_basic(m, contents[0], &u.s);
                        v = u.s;
                        break;
                case 'b':
                        r = sd_bus_message_read_basic(m, 'b', &u.b);
                        v = u.b ? "yes" : "no";
                        break;
                case 'y':
                        r = sd_bus_message_read_basic(m, 'y', &u.y);
                        (void) snprintf(buf, sizeof(buf), "%u", (unsigned) u.y);
                        v = buf;
                        break;
                case 'n':
                        r = sd_bus_message_read_basic(m, 'n', &u.n);
                        (void) snprintf(buf, sizeof(buf), "%" PRIi16, u.n);
                        v = buf;
                        break;
                case 'q':
                        r = sd_bus_message_read_basic(m, 'q', &u.q);
                        (void) snprintf(buf, sizeof(buf), "%" PRIu16, u.q);
                        v = buf;
                        break;
                case 'i':
                        r = sd_bus_message_read_basic(m, 'i', &u.i);
                        (void) snprintf(buf, sizeof(buf), "%" PRIi32, u.i);
                        v = buf;
                        break;
                case 'u':
                        r = sd_bus_message_read_basic(m, 'u', &u.u);
                        (void) snprintf(buf, sizeof(buf), "%" PRIu32, u.u);
                        v = buf;
                        break;
                case 'x':
                        r = sd_bus_message_read_basic(m, 'x', &u.x);
                        (void) snprintf(buf, sizeof(buf), "%" PRIi64, u.x);
                        v = buf;
                        break;
                case 't':
                        r = sd_bus_message_read_basic(m, 't', &u.t);
                        /* Like systemctl show: realtime timestamps as dates (empty if unset), time spans
                         * as "1min 30s" ("infinity"), monotonic timestamps as µs. */
                        if (r >= 0 && has_suffix(name, "Timestamp"))
                                v = strempty(format_timestamp(buf, sizeof(buf), u.t));
                        else if (r >= 0 && has_suffix(name, "USec"))
                                v = format_timespan(buf, sizeof(buf), u.t);
                        else {
                                (void) snprintf(buf, sizeof(buf), "%" PRIu64, u.t);
                                v = buf;
                        }
                        break;
                case 'd':
                        r = sd_bus_message_read_basic(m, 'd', &u.d);
                        (void) snprintf(buf, sizeof(buf), "%g", u.d);
                        v = buf;
                        break;
                default:
                        return 0;
                }
        else if (streq(contents, "ay")) {
                r = read_hex(m, &owned);
                v = owned;
        } else if (streq(contents, "as")) {
                _cleanup_strv_free_ char **l = NULL;

                r = sd_bus_message_read_strv(m, &l);
                if (r < 0)
                        return r;
                /* An argv is quoted for a shell, as systemctl show has ExecStart=: eval gives it back. */
                owned = streq(name, "Command") ? quote_command_line(l) : strv_join(l, " ");
                if (!owned)
                        return -ENOMEM;
                v = owned;
        } else
                return 0;       /* not printable as one line: skipped, like systemctl show without --all */
        if (r < 0)
                return r;

        /* Like systemctl show, the value as it is; but not to a terminal, which could act on it. */
        v = terminal_safe(stdout, v, &escaped);
        if (arg_value)
                printf("%s\n", v);
        else
                printf("%s=%s\n", name, v);
        return 1;
}

static int show_property(const char *name, const char *contents, sd_bus_message *m, void *userdata) {
        if (!property_selected(name))
                return 0;

        return print_value(name, contents, m);
}

int verb_show(sd_bus *bus, char **args) {
        int ret = 0, r;

        for (char **name = args; *name; name++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

                r = get_machine_properties(bus, *name, &reply);
                if (r < 0) {
                        if (ret == 0)
                                ret = r;
                        continue;
                }

                if (arg_json != JSON_MODE_OFF) {
                        r = print_properties_json(reply, NULL);
                        if (r < 0) {
                                (void) log_bus_error(r, NULL, "Failed to parse properties of machine %s", *name);
                                if (ret == 0)
                                        ret = r;
                        }
                        continue;
                }

                if (name != args)
                        printf("\n");

                r = for_each_property(reply, show_property, NULL);
                if (r < 0) {
                        (void) log_bus_error(r, NULL, "Failed to parse properties of machine %s", *name);
                        if (ret == 0)
                                ret = r;
                }
        }

        return ret;
}
