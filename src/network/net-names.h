/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Interface names and MAC addresses of a machine's network links, computed exactly as systemd-nspawn (v252)
 * computes them, so that a machine moved between nspawn and machined-ext keeps its names and addresses (and
 * with them its DHCP leases and systemd-networkd's 80-container-*.network matches). Pure functions. */

#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-id128.h>

/* Which of nspawn's fixed, originally random hash keys a MAC is derived with. */
typedef enum NetMacKind {
        NET_MAC_VETH_HOST,              /* ve-NAME / vb-NAME, the host side of the veth */
        NET_MAC_VETH_CONTAINER,         /* host0, the container side */
        NET_MAC_VETH_EXTRA_HOST,        /* VirtualEthernetExtra=, host side */
        NET_MAC_VETH_EXTRA_CONTAINER,   /* VirtualEthernetExtra=, container side */
        NET_MAC_MACVLAN,                /* MACVLAN= interfaces, idx = 0, 1, ... in the order given */
        _NET_MAC_KIND_MAX,
        _NET_MAC_KIND_INVALID = -EINVAL,
} NetMacKind;

/* systemd's siphash24() of data with a 16-byte key, as a host-order integer (via libsodium). */
uint64_t net_siphash24(const void *data, size_t size, const uint8_t key[static 16]);

/* nspawn's net_shorten_ifname(): a name of at most IFNAMSIZ-1 characters is copied unchanged (returns 0);
 * a longer one keeps its first IFNAMSIZ-5 characters followed by the low 24 bits of the siphash24 of the
 * whole name with SHORTEN_IFNAME_HASH_KEY, in URL-safe base64 (returns 1). -EINVAL if name is empty. */
int net_shorten_ifname(const char *name, char ret[static IFNAMSIZ]);

/* The host-side veth name of machine: "ve-NAME", or "vb-NAME" when the veth is attached to a bridge
 * (Bridge=, Zone=), shortened as above. Returns 0 or 1 (shortened), -EINVAL for an empty name. */
int net_veth_host_ifname(const char *machine, bool bridged, char ret[static IFNAMSIZ]);

/* "vz-ZONE". -EINVAL if the result is not a valid interface name (nspawn never shortens zone names). */
int net_zone_ifname(const char *zone, char ret[static IFNAMSIZ]);

/* "PREFIX" + ifname, shortened: "mv-" for MACVLAN=, "iv-" for IPVLAN= (nspawn's container-side defaults). */
int net_prefixed_ifname(const char *prefix, const char *ifname, char ret[static IFNAMSIZ]);

/* nspawn's generate_mac(): siphash24(machine_id || machine [|| le64(idx) if idx > 0]) with the key of kind;
 * the first 6 bytes of its little-endian value, multicast bit cleared, locally administered bit set.
 * nspawn uses the host's /etc/machine-id; so should the caller (net_host_machine_id()), so that a machine
 * gets the same MACs under nspawn and machined-ext. Returns 0, -EINVAL for a bad kind or empty name. */
int net_generate_mac(sd_id128_t machine_id, const char *machine, NetMacKind kind, uint64_t idx,
                     struct ether_addr *ret);

/* The host's machine ID (sd_id128_get_machine()); if the host has none (an empty /etc/machine-id in an
 * image being built), a fixed fallback so that MACs stay stable and distinct per machine name. Returns 0 on
 * the machine ID, 1 on the fallback. */
int net_host_machine_id(sd_id128_t *ret);

/* "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes). Returns buf. */
char *net_mac_to_string(const struct ether_addr *mac, char buf[static 18]);
