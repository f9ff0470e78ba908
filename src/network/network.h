/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A machine's host-side network: what network_setup() builds from a NetworkConfig for a container whose
 * network namespace is open as netns_fd, what network_teardown() removes, and the record of it that the
 * daemon keeps in its state directory so that a restarted daemon can still remove it.
 *
 * Lifecycle (the daemon's side):
 *   after clone, before releasing the payload:  network_setup(name, &config, netns_fd, &state, &error)
 *                                               network_state_to_string() -> state file
 *   while running: one rtnl_address_monitor_open() fd in sd-event for all machines; when it is readable
 *   and rtnl_address_monitor_drain() is > 0 (or -ENOBUFS): network_refresh_ports(&state, netns_fd) for
 *   each machine with Port= (cheap when nothing changed)
 *   at stop, after a payload crash, on a failed start:  network_teardown(&state)
 *   at daemon start, for every recorded machine that no longer runs:
 *                                               network_state_from_string() + network_teardown()
 *   and once, with the names of the machines that do run:  network_sweep(names)
 *
 * All functions act on the caller's network namespace (the host's) and return -errno; none logs above debug. */

#include <stdbool.h>

#include "net-settings.h"
#include "netlink.h"

typedef struct NetworkState {
        char *machine;
        char *veth;             /* host side of the veth (ve-NAME, vb-NAME), NULL if none */
        int veth_ifindex;       /* its ifindex, 0 if not known (a record of an older version): a link of
                                 * that name with another index is someone else's, never deleted */
        char *zone_bridge;      /* vz-ZONE the veth is attached to: deleted when it has no ports left */
        char *bridge;           /* Bridge=: attached to, never deleted */
        NetIfacePair *veth_extra; /* VirtualEthernetExtra= pairs created (the host sides are deleted, by their
                                   * ifindex when known, as the veth's) */
        size_t n_veth_extra;
        NetIfacePair *moved;    /* Interface= links moved into the container */
        size_t n_moved;
        ExposePort *ports;      /* Port= mappings claimed in the nftables table */
        size_t n_ports;
        bool has_target4, has_target6; /* the ports have been pointed at the container's address */
        NetAddr target4, target6;
} NetworkState;

/* Builds everything: Port= claims, the veth (host side named as nspawn does, container side host0, created
 * directly in netns_fd, MACs derived from machine and the host's machine ID), the zone bridge (created on
 * demand) or Bridge=, VirtualEthernetExtra= pairs, MACVLAN= and IPVLAN= links, Interface= moves. Host-side links are brought up; the
 * container side is left to the container's network manager. If nothing is to be done (no private network)
 * it returns 0 with an empty state. On failure everything done so far is undone and *ret_error (if not
 * NULL) names what was wrong: -ENODEV (a Bridge=, Interface=, MACVLAN=, IPVLAN= link that does not exist),
 * -EMEDIUMTYPE (Bridge= is not a bridge), -EADDRINUSE (Port= held by another machine), -EEXIST (a link
 * called like ours exists already), other -errno from the kernel. */
int network_setup(const char *machine, const NetworkConfig *c, int netns_fd, NetworkState *ret,
                  char **ret_error);

/* Points the Port= forwards at the container's current addresses: the first non-loopback IPv4 address and
 * the first global IPv6 address in netns_fd, read through rtnetlink without entering it. Returns 1 if a
 * target changed, 0 if none did or the container has no address yet, -errno on failure. */
int network_refresh_ports(NetworkState *s, int netns_fd);

/* Removes what s records: the nftables elements of the machine, the veth, the zone bridge if no other
 * machine uses it. Anything already gone is fine (the kernel deletes the veth with the container's network
 * namespace). Idempotent. Returns 0 or the first error (after trying everything). */
int network_teardown(const NetworkState *s);

/* Removes the nftables claims of machines not in running (NULL-terminated): at daemon start, after the
 * recorded states of machines that are gone have been torn down, whatever no record covers. Links are not
 * swept by name pattern (a vz-/ve- link may be nspawn's): only records remove links. Returns the number of
 * claims removed or -errno. */
int network_sweep(char *const *running);

void network_state_done(NetworkState *s);

/* The host-side ifindexes to register with machined (RegisterMachineWithNetwork): the veth's. Returns the
 * number of entries (0: *ret = NULL). */
int network_state_ifindexes(const NetworkState *s, int **ret);

/* The state as text (KEY=VALUE lines) and back. from_string() ignores unknown keys and refuses malformed
 * values with -EINVAL, so that a teardown never acts on a name that is not a valid interface name. */
int network_state_to_string(const NetworkState *s, char **ret);
int network_state_from_string(const char *text, NetworkState *ret);
