/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <netinet/in.h>
#include <string.h>

#include "net-settings.h"
#include "network.h"
#include "strv.h"
#include "test-assert.h"

static Settings *new_settings(void) {
        Settings *s = settings_new();
        ASSERT(s);
        return s;
}

static void test_pairs(void) {
        NetIfacePair p;

        ASSERT_EQ(net_iface_pair_parse("eth1", "", &p), 0);
        ASSERT_STREQ(p.host, "eth1");
        ASSERT_STREQ(p.container, "eth1");
        ASSERT_EQ(net_iface_pair_parse("eth1:lan0", "mv-", &p), 0);
        ASSERT_STREQ(p.host, "eth1");
        ASSERT_STREQ(p.container, "lan0");
        ASSERT_EQ(net_iface_pair_parse("eth1", "mv-", &p), 0);
        ASSERT_STREQ(p.container, "mv-eth1");
        ASSERT_EQ(net_iface_pair_parse("enp0s31f6abcdef", "mv-", &p), 0);   /* shortened like nspawn */
        ASSERT_EQ(strlen(p.container), 15);
        ASSERT(strncmp(p.container, "mv-enp0s31f", 11) == 0);
        ASSERT_EQ(net_iface_pair_parse("", "", &p), -EINVAL);
        ASSERT_EQ(net_iface_pair_parse(":x", "", &p), -EINVAL);
        ASSERT_EQ(net_iface_pair_parse("x:", "", &p), -EINVAL);
        ASSERT_EQ(net_iface_pair_parse("a/b", "", &p), -EINVAL);
        ASSERT_EQ(net_iface_pair_parse("sixteencharsname", "", &p), -EINVAL);
}

static void test_defaults(void) {
        _cleanup_(network_config_done) NetworkConfig c = {};
        Settings *s = new_settings();

        /* no settings file at all: the same default */
        ASSERT_EQ(network_config_from_settings(NULL, &c, NULL), 0);
        ASSERT(c.private_network);
        ASSERT(c.veth);
        ASSERT(!c.bridge && !c.zone && c.n_interfaces == 0 && c.n_ports == 0);
        network_config_done(&c);

        /* nothing configured: private network with a veth, like systemd-nspawn@.service */
        ASSERT_EQ(network_config_from_settings(s, &c, NULL), 0);
        ASSERT(c.private_network);
        ASSERT(c.veth);
        ASSERT(!c.bridge && !c.zone && c.n_interfaces == 0);
        network_config_done(&c);

        /* Private=no alone: the host's network */
        s->private_network = 0;
        ASSERT_EQ(network_config_from_settings(s, &c, NULL), 0);
        ASSERT(!c.private_network);
        ASSERT(!c.veth);
        network_config_done(&c);

        /* Interface= alone: private, no veth */
        s->private_network = -1;
        ASSERT_EQ(strv_push(&s->network_interfaces, strdup("eth1")), 0);
        ASSERT_EQ(network_config_from_settings(s, &c, NULL), 0);
        ASSERT(c.private_network);
        ASSERT(!c.veth);
        ASSERT_EQ(c.n_interfaces, 1);
        ASSERT_STREQ(c.interfaces[0].container, "eth1");
        network_config_done(&c);

        /* VirtualEthernetExtra= alone: private, no veth */
        s->network_interfaces = strv_free(s->network_interfaces);
        ASSERT_EQ(strv_push(&s->network_veth_extra, strdup("vx-host:vx-cont")), 0);
        ASSERT_EQ(network_config_from_settings(s, &c, NULL), 0);
        ASSERT(c.private_network);
        ASSERT(!c.veth);
        ASSERT_EQ(c.n_veth_extra, 1);
        ASSERT_STREQ(c.veth_extra[0].host, "vx-host");
        ASSERT_STREQ(c.veth_extra[0].container, "vx-cont");
        network_config_done(&c);

        /* Zone= implies the veth */
        s->network_zone = strdup("lab");
        ASSERT_EQ(network_config_from_settings(s, &c, NULL), 0);
        ASSERT(c.veth);
        ASSERT_STREQ(c.zone, "lab");
        network_config_done(&c);
        settings_free(s);
}

static void test_conflicts(void) {
        _cleanup_(network_config_done) NetworkConfig c = {};
        _cleanup_free_ char *e = NULL;
        Settings *s = new_settings();

        s->network_bridge = strdup("br0");
        s->network_zone = strdup("lab");
        ASSERT_EQ(network_config_from_settings(s, &c, &e), -EINVAL);
        ASSERT(strstr(e, "Bridge= and Zone="));
        s->network_zone = mfree(s->network_zone);

        s->private_network = 0;
        ASSERT_EQ(network_config_from_settings(s, &c, &e), -EINVAL);
        ASSERT(strstr(e, "Private=no"));
        s->private_network = -1;
        s->network_bridge = mfree(s->network_bridge);

        /* Port= without a veth */
        ExposePort p = { .protocol = IPPROTO_TCP, .host_port = 8080, .container_port = 80 };
        s->expose_ports.ports = new(ExposePort, 1);
        s->expose_ports.ports[0] = p;
        s->expose_ports.n = 1;
        s->network_veth = 0;
        ASSERT_EQ(network_config_from_settings(s, &c, &e), -EINVAL);
        ASSERT(strstr(e, "Port="));
        s->network_veth = 1;
        ASSERT_EQ(network_config_from_settings(s, &c, &e), 0);
        ASSERT_EQ(c.n_ports, 1);
        ASSERT_EQ(c.ports[0].host_port, 8080);
        network_config_done(&c);

        /* one host interface moved and used as a macvlan parent */
        ASSERT_EQ(strv_push(&s->network_interfaces, strdup("eth1")), 0);
        ASSERT_EQ(strv_push(&s->network_macvlan, strdup("eth1")), 0);
        ASSERT_EQ(network_config_from_settings(s, &c, &e), -EINVAL);
        ASSERT(strstr(e, "'eth1' is used twice"));
        settings_free(s);
}

static void test_state_roundtrip(void) {
        NetIfacePair moved = { "eth1", "lan0" }, extra = { "vx-host", "vx-cont" };
        ExposePort ports[] = { { IPPROTO_TCP, 8080, 80 }, { IPPROTO_UDP, 53, 5353 } };
        NetworkState s = {
                .machine = (char *) "web", .veth = (char *) "vb-web", .veth_ifindex = 42,
                .zone_bridge = (char *) "vz-lab", .moved = &moved, .n_moved = 1, .ports = ports, .n_ports = 2,
                .veth_extra = &extra, .n_veth_extra = 1,
        };
        _cleanup_free_ char *text = NULL, *text2 = NULL;
        NetworkState t;

        ASSERT_EQ(network_state_to_string(&s, &text), 0);
        ASSERT_STREQ(text, "MACHINE=web\nVETH=vb-web\nVETH_IFINDEX=42\nZONE_BRIDGE=vz-lab\nVETH_EXTRA=vx-host:vx-cont\n"
                           "INTERFACE=eth1:lan0\n"
                           "PORT=tcp:8080:80\nPORT=udp:53:5353\n");
        ASSERT_EQ(network_state_from_string(text, &t), 0);
        ASSERT_EQ(network_state_to_string(&t, &text2), 0);
        ASSERT_STREQ(text, text2);
        ASSERT_EQ(t.n_ports, 2);
        ASSERT_EQ(t.ports[1].protocol, IPPROTO_UDP);
        ASSERT_EQ(t.veth_ifindex, 42);
        network_state_done(&t);

        /* An older version's record has no index: 0, "not known". */
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH=ve-web\n", &t), 0);
        ASSERT_EQ(t.veth_ifindex, 0);
        network_state_done(&t);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH=ve-web\nVETH_IFINDEX=0\n", &t), -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH=ve-web\nVETH_IFINDEX=-3\n", &t), -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH=ve-web\nVETH_IFINDEX=7x\n", &t), -EINVAL);

        /* VirtualEthernetExtra= pairs: an index per host name, after its pair; unknown (0) without. */
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH_EXTRA=vx-a:ca\nVETH_EXTRA=vx-b:cb\n"
                                            "VETH_EXTRA_IFINDEX=vx-b:9\n", &t), 0);
        ASSERT_EQ(t.n_veth_extra, 2);
        ASSERT_EQ(t.veth_extra[0].ifindex, 0);
        ASSERT_EQ(t.veth_extra[1].ifindex, 9);
        text2 = mfree(text2);
        ASSERT_EQ(network_state_to_string(&t, &text2), 0);
        ASSERT_STREQ(text2, "MACHINE=web\nVETH_EXTRA=vx-a:ca\nVETH_EXTRA=vx-b:cb\nVETH_EXTRA_IFINDEX=vx-b:9\n");
        text2 = mfree(text2);
        network_state_done(&t);
        /* An index before its pair, or of no pair: ignored (that pair goes by name), the record stands. */
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH_EXTRA_IFINDEX=vx-b:9\nVETH_EXTRA=vx-b:cb\n"
                                            "VETH_EXTRA_IFINDEX=vx-c:4\n", &t), 0);
        ASSERT_EQ(t.n_veth_extra, 1);
        ASSERT_EQ(t.veth_extra[0].ifindex, 0);
        network_state_done(&t);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH_EXTRA=vx-b:cb\nVETH_EXTRA_IFINDEX=vx-b:0\n", &t),
                  -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH_EXTRA=vx-b:cb\nVETH_EXTRA_IFINDEX=vx-b\n", &t),
                  -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH_EXTRA=vx-b:cb\nVETH_EXTRA_IFINDEX=vx-b:3x\n", &t),
                  -EINVAL);

        /* never act on names that are not names */
        ASSERT_EQ(network_state_from_string("MACHINE=web\nVETH=../../x\n", &t), -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nZONE_BRIDGE=eth0\n", &t), -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nPORT=tcp:0:80\n", &t), -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nPORT=sctp:1:80\n", &t), -EINVAL);
        ASSERT_EQ(network_state_from_string("MACHINE=web\nPORT=tcp:1:80x\n", &t), -EINVAL);
        ASSERT_EQ(network_state_from_string("VETH=ve-web\n", &t), -EINVAL);      /* no machine */
        ASSERT_EQ(network_state_from_string("MACHINE=web\nFUTURE=1\n\n", &t), 0);
        ASSERT_STREQ(t.machine, "web");
        network_state_done(&t);
}

int main(void) {
        test_pairs();
        test_defaults();
        test_conflicts();
        test_state_roundtrip();
        return 0;
}
