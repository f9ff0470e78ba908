/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Port= through nftables (libnftables): one table of our own, "inet machined_ext", shared by all machines.
 *
 *   set claimed { type inet_proto . inet_service }              who forwards which host port: one element per
 *                                                                Port=, its comment is the machine's name
 *   map fwd4 { inet_proto . inet_service : ipv4_addr . inet_service }   where to: the container's address
 *   map fwd6 { inet_proto . inet_service : ipv6_addr . inet_service }   and port, same key and comment
 *   chain prerouting (nat, dstnat):   fib daddr type local dnat to the map: traffic from outside
 *   chain output (nat, -100):         the same for connections made on the host, 127.0.0.1 included
 *   chain postrouting (nat, srcnat):  ip saddr 127.0.0.0/8 ct status dnat masquerade
 *   chain localnet (filter, raw):     iifname != "lo" ip daddr 127.0.0.0/8 drop
 *
 * A machine's ports are claimed when it starts (atomically, before its address is known: "create element"
 * fails for a port another machine holds) and get their target once the container has an address. Loopback
 * connections need route_localnet=1 on the host-side link (set by network.c on links it creates); the
 * localnet chain drops what route_localnet would otherwise let in: packets from outside addressed to 127/8.
 * Everything of one machine is found by its comment, so release and the sweep after a restart need no
 * handles. The table goes away with the last element.
 *
 * The functions build nft commands from validated values only (machine names are hostnames, ports numbers);
 * each call is one nft transaction. They return -errno; where a message helps the user, *ret_error (if not
 * NULL) gets one. No logging. libnftables' netlink socket lives only during the call. */

#include <stddef.h>
#include <stdint.h>

#include "netlink.h"
#include "settings.h"

#define PORT_FORWARD_TABLE "machined_ext"

typedef struct PortForwardEntry {
        char *machine;          /* the comment */
        int protocol;           /* IPPROTO_TCP, IPPROTO_UDP */
        uint16_t host_port;
} PortForwardEntry;

/* Claims every (protocol, host port) of ports for machine, all or none; creates the table if it is missing.
 * -EADDRINUSE if another machine (or this one, twice) holds one of them: *ret_error says which and who. */
int port_forward_claim(const char *machine, const ExposePort *ports, size_t n, char **ret_error);

/* Forwards machine's claimed ports to addr (AF_INET: fwd4, AF_INET6: fwd6), replacing a previous target of
 * that family. -ENOENT if a port is not claimed by machine. */
int port_forward_set_target(const char *machine, const ExposePort *ports, size_t n, int family,
                            const NetAddr *addr, char **ret_error);

/* Removes every element with machine's comment, and the table when no claim is left. Returns the number of
 * claims removed (0 if none, or no table). */
int port_forward_release(const char *machine);

/* Removes the elements of every machine not in keep (NULL or NULL-terminated), for a daemon that restarted:
 * machines that died meanwhile leave nothing. Returns the number of claims removed. */
int port_forward_sweep(char *const *keep);

/* The claims in the table (empty if there is no table). */
int port_forward_list(PortForwardEntry **ret, size_t *ret_n);
void port_forward_entries_free(PortForwardEntry *e, size_t n);
