/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-names NAME [ZONE]: what src/network/ computes for machine NAME on this host (its machine ID), for the
 * integration tests to compare with what the daemon made:
 *   veth=ve-NAME (vb-NAME with ZONE)  host_mac=...  container_mac=...  zone=vz-ZONE */
#include <stdio.h>

#include "net-names.h"

int main(int argc, char *argv[]) {
        char veth[IFNAMSIZ], zone[IFNAMSIZ], host_mac[18], container_mac[18];
        struct ether_addr h, c;
        sd_id128_t id;

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: %s NAME [ZONE]\n", argv[0]);
                return 2;
        }
        (void) net_host_machine_id(&id);
        if (net_veth_host_ifname(argv[1], argc == 3, veth) < 0 ||
            net_generate_mac(id, argv[1], NET_MAC_VETH_HOST, 0, &h) < 0 ||
            net_generate_mac(id, argv[1], NET_MAC_VETH_CONTAINER, 0, &c) < 0 ||
            (argc == 3 && net_zone_ifname(argv[2], zone) < 0)) {
                fprintf(stderr, "invalid name\n");
                return 1;
        }
        printf("veth=%s\nhost_mac=%s\ncontainer_mac=%s\n", veth, net_mac_to_string(&h, host_mac),
               net_mac_to_string(&c, container_mac));
        if (argc == 3)
                printf("zone=%s\n", zone);
        return 0;
}
