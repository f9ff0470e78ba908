/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interfaces and addresses of a machine, from systemd-machined: it enters the machine's network namespace
 * for GetMachineAddresses, which we need not (and, as a client, should not) do ourselves. */

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine-net.h"
#include "macro.h"
#include "strv.h"

#define MACHINE1_NAME "org.freedesktop.machine1"
#define MACHINE1_PATH "/org/freedesktop/machine1"
#define MACHINE1_MANAGER "org.freedesktop.machine1.Manager"
#define MACHINE1_MACHINE "org.freedesktop.machine1.Machine"

void machine_network_done(MachineNetwork *n) {
        n->interfaces = strv_free(n->interfaces);
        n->addresses = strv_free(n->addresses);
}

/* The host-side interfaces of NAME. Returns 0 (nothing known: none), or -ENOMEM. */
static int get_interfaces(sd_bus *bus, const char *name, int *ret_single_ifindex, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *prop = NULL;
        _cleanup_strv_free_ char **l = NULL;
        const int32_t *ifindexes;
        const char *path;
        size_t size, n = 0;
        int r;

        *ret_single_ifindex = 0;
        r = sd_bus_call_method(bus, MACHINE1_NAME, MACHINE1_PATH, MACHINE1_MANAGER, "GetMachine", NULL, &reply,
                               "s", name);
        if (r < 0)
                return 0;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return 0;
        r = sd_bus_get_property(bus, MACHINE1_NAME, path, MACHINE1_MACHINE, "NetworkInterfaces", NULL, &prop, "ai");
        if (r < 0)
                return 0;
        r = sd_bus_message_read_array(prop, 'i', (const void **) &ifindexes, &size);
        if (r < 0)
                return 0;

        for (size_t i = 0; i < size / sizeof(int32_t); i++) {
                char buf[IF_NAMESIZE + 1], *s;

                if (if_indextoname((unsigned) ifindexes[i], buf))
                        s = strdup(buf);
                else if (asprintf(&s, "#%" PRIi32, ifindexes[i]) < 0)
                        s = NULL;
                if (!s || strv_push_with_size(&l, &n, s) < 0) {
                        free(s);
                        return -ENOMEM;
                }
        }
        if (n == 1)
                *ret_single_ifindex = ifindexes[0];
        *ret = TAKE_PTR(l);
        return 0;
}

/* The addresses of NAME, as machinectl status prints them. Returns 0 (machined cannot tell: none), or -ENOMEM. */
static int get_addresses(sd_bus *bus, const char *name, int ifindex, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **l = NULL;
        char ifname[IF_NAMESIZE + 1] = "";
        size_t n = 0;
        int r;

        /* org.freedesktop.machine1.NoPrivateNetworking for a machine in the host's network namespace. */
        r = sd_bus_call_method(bus, MACHINE1_NAME, MACHINE1_PATH, MACHINE1_MANAGER, "GetMachineAddresses", NULL,
                               &reply, "s", name);
        if (r < 0)
                return 0;
        if (ifindex > 0 && !if_indextoname((unsigned) ifindex, ifname))
                ifname[0] = 0;

        r = sd_bus_message_enter_container(reply, 'a', "(iay)");
        if (r < 0)
                return 0;
        while ((r = sd_bus_message_enter_container(reply, 'r', "iay")) > 0) {
                char buf[INET6_ADDRSTRLEN], *s;
                const void *a;
                int32_t family;
                size_t size;

                r = sd_bus_message_read(reply, "i", &family);
                if (r < 0)
                        return 0;
                r = sd_bus_message_read_array(reply, 'y', &a, &size);
                if (r < 0)
                        return 0;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return 0;
                if (!((family == AF_INET && size == 4) || (family == AF_INET6 && size == 16)))
                        continue;
                if (!inet_ntop(family, a, buf, sizeof(buf)))
                        continue;

                /* A link-local IPv6 address is reached through the host side of the one link: as machinectl
                 * status, with the zone, which is the interface's name here rather than its index. */
                if (family == AF_INET6 && ifname[0] && ((const uint8_t *) a)[0] == 0xfe &&
                    (((const uint8_t *) a)[1] & 0xc0) == 0x80) {
                        if (asprintf(&s, "%s%%%s", buf, ifname) < 0)
                                s = NULL;
                } else
                        s = strdup(buf);
                if (!s || strv_push_with_size(&l, &n, s) < 0) {
                        free(s);
                        return -ENOMEM;
                }
        }
        if (r < 0)
                return 0;

        *ret = TAKE_PTR(l);
        return 0;
}

int machine_network_get(sd_bus *bus, const char *name, MachineNetwork *ret) {
        MachineNetwork n = {};
        int ifindex, r;

        r = get_interfaces(bus, name, &ifindex, &n.interfaces);
        if (r >= 0)
                r = get_addresses(bus, name, ifindex, &n.addresses);
        if (r < 0) {
                machine_network_done(&n);
                return r;
        }
        *ret = n;
        return 0;
}
