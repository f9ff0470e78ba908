/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The [Network] section of a machine's Settings as the network set-up needs it. The keys themselves are
 * parsed and checked by src/config/nspawn-settings*.c (Port= into ExposePort, interface names with
 * ifname_is_valid()); this derives what to build from them, with systemd-nspawn's rules. Pure functions. */

#include <net/if.h>
#include <stdbool.h>

#include "settings.h"

/* One Interface=, MACVLAN= or IPVLAN= entry: the host interface and the name it gets in the container. */
typedef struct NetIfacePair {
        char host[IFNAMSIZ];
        char container[IFNAMSIZ];
        int ifindex;            /* a NetworkState's VirtualEthernetExtra= pair: its host side's, 0 if not known */
} NetIfacePair;

typedef struct NetworkConfig {
        bool private_network;           /* a network namespace of its own (all else implies it) */
        bool veth;                      /* VirtualEthernet=: ve-NAME/vb-NAME <-> host0 */
        char *bridge;                   /* Bridge=: an existing host bridge for the veth */
        char *zone;                     /* Zone=: the zone name, its bridge is vz-ZONE */
        NetIfacePair *veth_extra;       /* VirtualEthernetExtra=: more veth pairs, host:container names */
        size_t n_veth_extra;
        NetIfacePair *interfaces;       /* Interface=: moved into the container */
        size_t n_interfaces;
        NetIfacePair *macvlan;          /* MACVLAN=: macvlan on the host interface, "mv-HOST" inside */
        size_t n_macvlan;
        NetIfacePair *ipvlan;           /* IPVLAN=: ipvlan, "iv-HOST" inside */
        size_t n_ipvlan;
        ExposePort *ports;              /* Port= */
        size_t n_ports;
} NetworkConfig;

/* Derives the configuration from s like systemd-nspawn@.service (which runs nspawn with --network-veth)
 * does: when s is NULL (no settings file) or sets none of Private=, VirtualEthernet=, VirtualEthernetExtra=,
 * Bridge=, Zone=, Interface=, MACVLAN=, IPVLAN=, the machine gets a private network with a veth; when it sets
 * any, they replace that default, and VirtualEthernet= defaults to yes with Bridge= or Zone=, Private= to yes
 * with any of them. Port= is kept as given. Returns 0, -ENOMEM, or -EINVAL with *ret_error (if not NULL)
 * naming the conflict: Bridge= with Zone=, Private=no with another network key, Port= without a veth, one
 * host interface given twice. */
int network_config_from_settings(const Settings *s, NetworkConfig *ret, char **ret_error);

void network_config_done(NetworkConfig *c);

/* Splits "HOST" or "HOST:CONTAINER" (as Settings stores Interface=, MACVLAN=, IPVLAN=): without CONTAINER the
 * container-side name is prefix + HOST, shortened like nspawn does (prefix "" for Interface=). -EINVAL if
 * either name is not a valid interface name. */
int net_iface_pair_parse(const char *s, const char *prefix, NetIfacePair *ret);

/* "tcp:8080:80" for a Port= mapping, into buf (at least 16 bytes). Returns buf. */
char *expose_port_to_string(const ExposePort *p, char buf[static 16]);
