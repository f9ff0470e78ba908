/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interface names and MACs must be systemd-nspawn's, byte for byte: the expected values below were produced
 * by systemd-nspawn 252 (Debian 12) on a host with the machine ID used here. */
#include <string.h>

#include "net-names.h"
#include "test-assert.h"

static const sd_id128_t nspawn_host = {
        .bytes = { 0x3d, 0x12, 0x19, 0xc7, 0xc4, 0xc5, 0x40, 0x4a, 0xaa, 0x1f, 0x6d, 0x2a, 0x48, 0xad, 0xfd, 0xa4 },
};

static void assert_mac(sd_id128_t id, const char *machine, NetMacKind kind, uint64_t idx, const char *expected) {
        struct ether_addr mac;
        char buf[18];

        ASSERT_EQ(net_generate_mac(id, machine, kind, idx, &mac), 0);
        ASSERT_STREQ(net_mac_to_string(&mac, buf), expected);
}

static void test_siphash(void) {
        /* The reference vector of the SipHash paper (Aumasson, Bernstein 2012, appendix A). */
        uint8_t key[16], msg[15];

        for (size_t i = 0; i < sizeof(key); i++)
                key[i] = (uint8_t) i;
        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t) i;
        ASSERT(net_siphash24(msg, sizeof(msg), key) == UINT64_C(0xa129ca6149be45e5));
}

static void test_ifnames(void) {
        char n[IFNAMSIZ];

        ASSERT_EQ(net_veth_host_ifname("web", false, n), 0);
        ASSERT_STREQ(n, "ve-web");
        ASSERT_EQ(net_veth_host_ifname("web", true, n), 0);
        ASSERT_STREQ(n, "vb-web");
        /* exactly IFNAMSIZ-1: unchanged */
        ASSERT_EQ(net_veth_host_ifname("abcdefghijkl", false, n), 0);
        ASSERT_STREQ(n, "ve-abcdefghijkl");

        /* nspawn 252: "Network interface name 've-averyveryverylongname' has been changed to 've-averyverUARo'" */
        ASSERT_EQ(net_veth_host_ifname("averyveryverylongname", false, n), 1);
        ASSERT_STREQ(n, "ve-averyverUARo");
        ASSERT_EQ(net_veth_host_ifname("anotherlongmachine", true, n), 1);
        ASSERT_STREQ(n, "vb-anotherlTJG_");
        ASSERT_EQ(strlen(n), IFNAMSIZ - 1);

        /* names that differ only after the cut still differ */
        char a[IFNAMSIZ], b[IFNAMSIZ];
        ASSERT_EQ(net_veth_host_ifname("abcdefghijklmnop1", false, a), 1);
        ASSERT_EQ(net_veth_host_ifname("abcdefghijklmnop2", false, b), 1);
        ASSERT(strcmp(a, b) != 0);

        ASSERT_EQ(net_veth_host_ifname("", false, n), -EINVAL);

        ASSERT_EQ(net_prefixed_ifname("mv-", "eth0", n), 0);
        ASSERT_STREQ(n, "mv-eth0");

        ASSERT_EQ(net_zone_ifname("lab", n), 0);
        ASSERT_STREQ(n, "vz-lab");
        ASSERT_EQ(net_zone_ifname("twelvechars1", n), 0);
        ASSERT_STREQ(n, "vz-twelvechars1");
        ASSERT_EQ(net_zone_ifname("thirteenchars", n), -EINVAL);        /* zones are never shortened */
        ASSERT_EQ(net_zone_ifname("a/b", n), -EINVAL);
        ASSERT_EQ(net_zone_ifname("", n), -EINVAL);
}

static void test_macs(void) {
        struct ether_addr h, c, h2;

        /* nspawn 252 --network-veth -M web: ve-web de:33:ab:0b:45:44, host0 fe:38:c6:95:1d:f9 */
        assert_mac(nspawn_host, "web", NET_MAC_VETH_HOST, 0, "de:33:ab:0b:45:44");
        assert_mac(nspawn_host, "web", NET_MAC_VETH_CONTAINER, 0, "fe:38:c6:95:1d:f9");
        /* nspawn 252 --network-zone=lab -M anotherlongmachine */
        assert_mac(nspawn_host, "anotherlongmachine", NET_MAC_VETH_HOST, 0, "e6:1a:ff:ce:2d:0c");
        assert_mac(nspawn_host, "anotherlongmachine", NET_MAC_VETH_CONTAINER, 0, "26:a4:f1:9d:b4:15");

        /* nspawn 252 -M web --network-veth-extra=vx-host:vx-cont --network-veth-extra=vx-h2:vx-c2 */
        assert_mac(nspawn_host, "web", NET_MAC_VETH_EXTRA_HOST, 0, "b6:79:e7:37:bd:1f");
        assert_mac(nspawn_host, "web", NET_MAC_VETH_EXTRA_CONTAINER, 0, "6e:be:12:05:d1:6e");
        assert_mac(nspawn_host, "web", NET_MAC_VETH_EXTRA_HOST, 1, "fa:57:91:69:b7:da");
        assert_mac(nspawn_host, "web", NET_MAC_VETH_EXTRA_CONTAINER, 1, "36:c4:4e:68:bf:31");

        /* properties: deterministic, unicast, locally administered, host != container, per name and index */
        ASSERT_EQ(net_generate_mac(nspawn_host, "x", NET_MAC_VETH_HOST, 0, &h), 0);
        ASSERT_EQ(net_generate_mac(nspawn_host, "x", NET_MAC_VETH_HOST, 0, &h2), 0);
        ASSERT(memcmp(&h, &h2, sizeof(h)) == 0);
        ASSERT_EQ(net_generate_mac(nspawn_host, "x", NET_MAC_VETH_CONTAINER, 0, &c), 0);
        ASSERT(memcmp(&h, &c, sizeof(h)) != 0);
        for (int k = 0; k < _NET_MAC_KIND_MAX; k++)
                for (uint64_t idx = 0; idx < 3; idx++) {
                        ASSERT_EQ(net_generate_mac(nspawn_host, "x", k, idx, &c), 0);
                        ASSERT_EQ(c.ether_addr_octet[0] & 0x01, 0);
                        ASSERT_EQ(c.ether_addr_octet[0] & 0x02, 0x02);
                }
        ASSERT_EQ(net_generate_mac(nspawn_host, "y", NET_MAC_VETH_HOST, 0, &h2), 0);
        ASSERT(memcmp(&h, &h2, sizeof(h)) != 0);
        ASSERT_EQ(net_generate_mac(nspawn_host, "x", NET_MAC_MACVLAN, 0, &h), 0);
        ASSERT_EQ(net_generate_mac(nspawn_host, "x", NET_MAC_MACVLAN, 1, &h2), 0);
        ASSERT(memcmp(&h, &h2, sizeof(h)) != 0);
        /* another host, other MACs */
        ASSERT_EQ(net_generate_mac(SD_ID128_NULL, "web", NET_MAC_VETH_HOST, 0, &h2), 0);
        ASSERT_EQ(net_generate_mac(nspawn_host, "web", NET_MAC_VETH_HOST, 0, &h), 0);
        ASSERT(memcmp(&h, &h2, sizeof(h)) != 0);

        ASSERT_EQ(net_generate_mac(nspawn_host, "", NET_MAC_VETH_HOST, 0, &h), -EINVAL);
        ASSERT_EQ(net_generate_mac(nspawn_host, "x", _NET_MAC_KIND_MAX, 0, &h), -EINVAL);

        sd_id128_t id;
        ASSERT(net_host_machine_id(&id) >= 0);
        ASSERT(!sd_id128_is_null(id));
}

int main(void) {
        test_siphash();
        test_ifnames();
        test_macs();
        return 0;
}
