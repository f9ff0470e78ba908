/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "name.h"
#include "net-names.h"

/* nspawn's keys (src/nspawn/nspawn-network.c, src/shared/netif-util.c in systemd v252): fixed, originally
 * random, so that the same machine name on the same host always yields the same names and MACs. */
static const uint8_t mac_keys[_NET_MAC_KIND_MAX][16] = {
        [NET_MAC_VETH_HOST] = { 0x1a, 0x37, 0x6f, 0xc7, 0x46, 0xec, 0x45, 0x0b,
                                0xad, 0xa3, 0xd5, 0x31, 0x06, 0x60, 0x5d, 0xb1 },
        [NET_MAC_VETH_CONTAINER] = { 0xc3, 0xc4, 0xf9, 0x19, 0xb5, 0x57, 0xb2, 0x1c,
                                     0xe6, 0xcf, 0x14, 0x27, 0x03, 0x9c, 0xee, 0xa2 },
        [NET_MAC_VETH_EXTRA_HOST] = { 0x48, 0xc7, 0xf6, 0xb7, 0xea, 0x9d, 0x4c, 0x9e,
                                      0xb7, 0x28, 0xd4, 0xde, 0x91, 0xd5, 0xbf, 0x66 },
        [NET_MAC_VETH_EXTRA_CONTAINER] = { 0xaf, 0x50, 0x17, 0x61, 0xce, 0xf9, 0x4d, 0x35,
                                           0x84, 0x0d, 0x2b, 0x20, 0x54, 0xbe, 0xce, 0x59 },
        [NET_MAC_MACVLAN] = { 0x00, 0x13, 0x6d, 0xbc, 0x66, 0x83, 0x44, 0x81,
                              0xbb, 0x0c, 0xf9, 0x51, 0x1f, 0x24, 0xa6, 0x6f },
};

static const uint8_t shorten_ifname_key[16] = {
        0xe1, 0x90, 0xa4, 0x04, 0xa8, 0xef, 0x4b, 0x51, 0x8c, 0xcc, 0xc3, 0x3a, 0x9f, 0x11, 0xfc, 0xa2,
};

/* Used when the host has no machine ID (see net_host_machine_id()). */
static const sd_id128_t fallback_machine_id = {
        .bytes = { 0x6d, 0x61, 0x63, 0x68, 0x69, 0x6e, 0x65, 0x64, 0x2d, 0x65, 0x78, 0x74, 0x2d, 0x6e, 0x65, 0x74 },
};

uint64_t net_siphash24(const void *data, size_t size, const uint8_t key[static 16]) {
        uint8_t out[crypto_shorthash_siphash24_BYTES];
        uint64_t le;

        /* libsodium's output is the little-endian encoding of SipHash-2-4's 64-bit result, which is what
         * systemd's siphash24() returns in host order. crypto_shorthash_siphash24() cannot fail. */
        (void) crypto_shorthash_siphash24(out, data, size, key);
        memcpy(&le, out, sizeof(le));
        return le64toh(le);
}

/* systemd's urlsafe_base64char(): RFC 4648 section 5 */
static char urlsafe_base64char(uint64_t x) {
        static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return table[x & 63];
}

int net_shorten_ifname(const char *name, char ret[static IFNAMSIZ]) {
        uint64_t h;
        size_t l;

        if (isempty(name))
                return -EINVAL;

        l = strlen(name);
        if (l < IFNAMSIZ) {
                memcpy(ret, name, l + 1);
                return 0;
        }

        h = net_siphash24(name, l, shorten_ifname_key);
        memcpy(ret, name, IFNAMSIZ - 5);
        ret[IFNAMSIZ - 5] = urlsafe_base64char(h >> 18);
        ret[IFNAMSIZ - 4] = urlsafe_base64char(h >> 12);
        ret[IFNAMSIZ - 3] = urlsafe_base64char(h >> 6);
        ret[IFNAMSIZ - 2] = urlsafe_base64char(h);
        ret[IFNAMSIZ - 1] = 0;
        return 1;
}

int net_prefixed_ifname(const char *prefix, const char *ifname, char ret[static IFNAMSIZ]) {
        _cleanup_free_ char *n = NULL;

        if (isempty(ifname))
                return -EINVAL;
        if (asprintf(&n, "%s%s", prefix, ifname) < 0)
                return -ENOMEM;
        return net_shorten_ifname(n, ret);
}

int net_veth_host_ifname(const char *machine, bool bridged, char ret[static IFNAMSIZ]) {
        return net_prefixed_ifname(bridged ? "vb-" : "ve-", machine, ret);
}

int net_zone_ifname(const char *zone, char ret[static IFNAMSIZ]) {
        char n[IFNAMSIZ];

        if (isempty(zone) || strlen(zone) > IFNAMSIZ - 1 - 3)
                return -EINVAL;
        (void) snprintf(n, sizeof(n), "vz-%s", zone);
        if (!ifname_is_valid(n))
                return -EINVAL;
        memcpy(ret, n, sizeof(n));
        return 0;
}

int net_generate_mac(sd_id128_t machine_id, const char *machine, NetMacKind kind, uint64_t idx,
                     struct ether_addr *ret) {
        _cleanup_free_ uint8_t *v = NULL;
        uint64_t result;
        size_t l, sz;

        if (kind < 0 || kind >= _NET_MAC_KIND_MAX || isempty(machine))
                return -EINVAL;

        l = strlen(machine);
        if (l > MACHINE_NAME_MAX)
                return -EINVAL;
        sz = sizeof(sd_id128_t) + l + (idx > 0 ? sizeof(uint64_t) : 0);
        v = malloc(sz);
        if (!v)
                return -ENOMEM;

        memcpy(v, machine_id.bytes, sizeof(sd_id128_t));
        memcpy(v + sizeof(sd_id128_t), machine, l);
        if (idx > 0) {
                uint64_t le = htole64(idx);
                memcpy(v + sizeof(sd_id128_t) + l, &le, sizeof(le));
        }

        result = htole64(net_siphash24(v, sz, mac_keys[kind]));
        memcpy(ret->ether_addr_octet, &result, ETH_ALEN);
        ret->ether_addr_octet[0] &= 0xfe;       /* unicast */
        ret->ether_addr_octet[0] |= 0x02;       /* locally administered */
        return 0;
}

int net_host_machine_id(sd_id128_t *ret) {
        if (sd_id128_get_machine(ret) >= 0)
                return 0;
        *ret = fallback_machine_id;
        return 1;
}

char *net_mac_to_string(const struct ether_addr *mac, char buf[static 18]) {
        const uint8_t *b = mac->ether_addr_octet;

        (void) snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
        return buf;
}
