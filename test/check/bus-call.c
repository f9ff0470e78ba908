/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bus-call PATH INTERFACE METHOD SIGNATURE VALUE...: calls org.machinedext1 on the system bus, like busctl
 * call, but also with fd arguments ("h": the value is an fd number of ours, which busctl 252 cannot pass).
 * Supported types: s, b, q, i, u, t, h, and "as" (its value is one string, or "" for an empty array).
 * Prints "ok" or "ERROR.NAME: message"; exits 0 either way, 2 on a usage error. For test-docs.sh. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

int main(int argc, char *argv[]) {
        sd_bus_message *call = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        const char *sig;
        int r, k = 5;

        if (argc < 5) {
                fprintf(stderr, "usage: %s PATH INTERFACE METHOD SIGNATURE VALUE...\n", argv[0]);
                return 2;
        }
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &call, "org.machinedext1", argv[1], argv[2], argv[3]);
        for (sig = argv[4]; r >= 0 && *sig; sig++) {
                const char *v = k < argc ? argv[k++] : NULL;

                if (!v) {
                        fprintf(stderr, "too few values for %s\n", argv[4]);
                        return 2;
                }
                switch (*sig) {
                case 's':
                        r = sd_bus_message_append(call, "s", v);
                        break;
                case 'b':
                        r = sd_bus_message_append(call, "b", strcmp(v, "true") == 0);
                        break;
                case 'q':
                        r = sd_bus_message_append(call, "q", (uint16_t) strtoul(v, NULL, 10));
                        break;
                case 'i':
                        r = sd_bus_message_append(call, "i", (int32_t) strtol(v, NULL, 10));
                        break;
                case 'u':
                        r = sd_bus_message_append(call, "u", (uint32_t) strtoul(v, NULL, 10));
                        break;
                case 't':
                        r = sd_bus_message_append(call, "t", (uint64_t) strtoull(v, NULL, 10));
                        break;
                case 'h':
                        r = sd_bus_message_append(call, "h", atoi(v));
                        break;
                case 'a':
                        if (sig[1] != 's') {
                                fprintf(stderr, "unsupported type in %s\n", argv[4]);
                                return 2;
                        }
                        sig++;
                        r = *v ? sd_bus_message_append(call, "as", 1, v) : sd_bus_message_append(call, "as", 0);
                        break;
                default:
                        fprintf(stderr, "unsupported type in %s\n", argv[4]);
                        return 2;
                }
        }
        if (r >= 0)
                r = sd_bus_call(bus, call, 30 * 1000000ULL, &error, &reply);
        if (r >= 0)
                printf("ok\n");
        else if (sd_bus_error_is_set(&error))
                printf("%s: %s\n", error.name, error.message);
        else
                printf("failed: %s\n", strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(call);
        sd_bus_flush_close_unref(bus);
        return 0;
}
