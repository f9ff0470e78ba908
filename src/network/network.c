/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "name.h"
#include "net-names.h"
#include "network.h"
#include "port-forward.h"

static int set_error(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int set_error(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                free(*ret_error);
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}

void network_state_done(NetworkState *s) {
        s->machine = mfree(s->machine);
        s->veth = mfree(s->veth);
        s->zone_bridge = mfree(s->zone_bridge);
        s->bridge = mfree(s->bridge);
        s->veth_extra = mfree(s->veth_extra);
        s->moved = mfree(s->moved);
        s->ports = mfree(s->ports);
        *s = (NetworkState) {};
}

static void network_state_donep(NetworkState *s) {
        network_state_done(s);
}

/* The link called name must exist (and be a bridge if want_bridge); returns its ifindex. */
static int resolve_link(Rtnl *nl, const char *key, const char *name, bool want_bridge, char **ret_error) {
        char kind[32];
        int ifindex, r;

        ifindex = rtnl_link_ifindex(nl, name);
        if (ifindex == -ENODEV)
                return set_error(ret_error, -ENODEV, "%s=%s: no such network interface on the host", key, name);
        if (ifindex < 0)
                return set_error(ret_error, ifindex, "%s=%s: cannot look up network interface: %s", key, name,
                                 strerror(-ifindex));
        if (want_bridge) {
                r = rtnl_link_kind(nl, ifindex, kind);
                if (r < 0)
                        return set_error(ret_error, r, "%s=%s: cannot look up network interface: %s", key, name,
                                         strerror(-r));
                if (!streq(kind, "bridge"))
                        return set_error(ret_error, -EMEDIUMTYPE, "%s=%s: not a bridge", key, name);
        }
        return ifindex;
}

/* The container-side name must be free in the container (checked from here, through its namespace id). */
static int check_container_name(Rtnl *nl, int nsid, const char *key, const char *host, const char *name,
                                char **ret_error) {
        int r = rtnl_netns_link_ifindex(nl, nsid, name);

        if (r > 0)
                return set_error(ret_error, -EEXIST, "%s=%s: the container has a network interface '%s' already",
                                 key, host, name);
        if (r != -ENODEV)
                return set_error(ret_error, r, "%s=%s: cannot look up '%s' in the container: %s", key, host, name,
                                 strerror(-r));
        return 0;
}

/* Everything a user can get wrong, checked before anything is created. */
static int check_config(Rtnl *nl, const NetworkConfig *c, int netns_fd, char **ret_error) {
        const struct { const char *key; const NetIfacePair *p; size_t n; } lists[] = {
                { "VirtualEthernetExtra", c->veth_extra, c->n_veth_extra },
                { "Interface", c->interfaces, c->n_interfaces },
                { "MACVLAN", c->macvlan, c->n_macvlan },
                { "IPVLAN", c->ipvlan, c->n_ipvlan },
        };
        int nsid, r;

        if (c->bridge) {
                r = resolve_link(nl, "Bridge", c->bridge, true, ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_veth_extra; i++) {
                /* VirtualEthernetExtra= names a link to create: it must not exist. */
                r = rtnl_link_ifindex(nl, c->veth_extra[i].host);
                if (r > 0)
                        return set_error(ret_error, -EEXIST, "VirtualEthernetExtra=%s: a network interface of "
                                         "that name exists already", c->veth_extra[i].host);
                if (r != -ENODEV)
                        return set_error(ret_error, r, "VirtualEthernetExtra=%s: cannot look it up: %s",
                                         c->veth_extra[i].host, strerror(-r));
        }
        for (size_t a = 1; a < ELEMENTSOF(lists); a++)
                for (size_t i = 0; i < lists[a].n; i++) {
                        r = resolve_link(nl, lists[a].key, lists[a].p[i].host, false, ret_error);
                        if (r < 0)
                                return r;
                }

        nsid = rtnl_netns_id(nl, netns_fd);
        if (nsid < 0)
                return set_error(ret_error, nsid, "Cannot identify the container's network namespace: %s",
                                 strerror(-nsid));
        if (c->veth) {
                r = check_container_name(nl, nsid, "VirtualEthernet", "yes", "host0", ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t a = 0; a < ELEMENTSOF(lists); a++)
                for (size_t i = 0; i < lists[a].n; i++) {
                        r = check_container_name(nl, nsid, lists[a].key, lists[a].p[i].host,
                                                 lists[a].p[i].container, ret_error);
                        if (r < 0)
                                return r;
                        /* ... and unique among what we create */
                        for (size_t b = 0; b <= a; b++)
                                for (size_t j = 0; j < (b == a ? i : lists[b].n); j++)
                                        if (streq(lists[a].p[i].container, lists[b].p[j].container))
                                                return set_error(ret_error, -EEXIST,
                                                                 "%s=%s: the name '%s' is used twice in the container",
                                                                 lists[a].key, lists[a].p[i].host,
                                                                 lists[a].p[i].container);
                }
        return 0;
}

static int join_zone(Rtnl *nl, const char *zone, int veth_ifindex, NetworkState *s, char **ret_error) {
        _cleanup_free_ char *recorded = NULL;
        char name[IFNAMSIZ];
        int br, r;

        r = net_zone_ifname(zone, name);
        if (r < 0)
                return set_error(ret_error, r, "Zone=%s: not a valid zone name", zone);
        recorded = strdup(name);
        if (!recorded)
                return -ENOMEM;

        br = rtnl_link_ifindex(nl, name);
        if (br == -ENODEV) {
                r = rtnl_bridge_create(nl, name);
                if (r < 0 && r != -EEXIST)      /* -EEXIST: another machine of the zone was faster */
                        return set_error(ret_error, r, "Zone=%s: cannot create bridge %s: %s", zone, name,
                                         strerror(-r));
                br = rtnl_link_ifindex(nl, name);
        }
        if (br < 0)
                return set_error(ret_error, br, "Zone=%s: cannot look up bridge %s: %s", zone, name, strerror(-br));

        s->zone_bridge = TAKE_PTR(recorded);

        r = rtnl_link_set_master(nl, veth_ifindex, br);
        if (r >= 0)
                r = rtnl_link_set_up(nl, br);
        /* Loopback connections to Port= leave through the bridge: see port-forward.h. */
        if (r >= 0)
                r = rtnl_link_set_route_localnet(nl, br, true);
        if (r < 0)
                return set_error(ret_error, r, "Zone=%s: cannot attach %s to bridge %s: %s", zone, s->veth, name,
                                 strerror(-r));
        return 0;
}

static int setup_veth(Rtnl *nl, const char *machine, const NetworkConfig *c, int netns_fd, NetworkState *s,
                      char **ret_error) {
        struct ether_addr mac_host, mac_container;
        _cleanup_free_ char *recorded = NULL;
        char name[IFNAMSIZ];
        sd_id128_t id;
        int ifindex, r;

        r = net_veth_host_ifname(machine, c->bridge || c->zone, name);
        if (r < 0)
                return r;
        (void) net_host_machine_id(&id);
        r = net_generate_mac(id, machine, NET_MAC_VETH_HOST, 0, &mac_host);
        if (r >= 0)
                r = net_generate_mac(id, machine, NET_MAC_VETH_CONTAINER, 0, &mac_container);
        if (r < 0)
                return r;
        /* Allocated before the link exists, recorded only once it is ours: a teardown must never delete a
         * link of that name we did not create (-EEXIST), nor miss one we did (ENOMEM). */
        recorded = strdup(name);
        if (!recorded)
                return -ENOMEM;

        r = rtnl_veth_create(nl, name, &mac_host, "host0", &mac_container, netns_fd);
        if (r == -EEXIST)
                return set_error(ret_error, r, "Cannot create virtual Ethernet link %s: a network interface of "
                                 "that name exists already", name);
        if (r < 0)
                return set_error(ret_error, r, "Cannot create virtual Ethernet link %s: %s", name, strerror(-r));
        s->veth = TAKE_PTR(recorded);

        ifindex = rtnl_link_ifindex(nl, name);
        if (ifindex < 0)
                return set_error(ret_error, ifindex, "Cannot look up %s: %s", name, strerror(-ifindex));
        s->veth_ifindex = ifindex;

        if (c->zone) {
                r = join_zone(nl, c->zone, ifindex, s, ret_error);
                if (r < 0)
                        return r;
        } else if (c->bridge) {
                int br = rtnl_link_ifindex(nl, c->bridge);

                r = br < 0 ? br : rtnl_link_set_master(nl, ifindex, br);
                if (r < 0)
                        return set_error(ret_error, r, "Bridge=%s: cannot attach %s: %s", c->bridge, name,
                                         strerror(-r));
                s->bridge = strdup(c->bridge);
                if (!s->bridge)
                        return -ENOMEM;
        } else if (c->n_ports > 0) {
                r = rtnl_link_set_route_localnet(nl, ifindex, true);
                if (r < 0)
                        return set_error(ret_error, r, "Cannot set route_localnet on %s: %s", name, strerror(-r));
        }

        r = rtnl_link_set_up(nl, ifindex);
        if (r < 0)
                return set_error(ret_error, r, "Cannot bring up %s: %s", name, strerror(-r));
        return 0;
}

/* nspawn's setup_veth_extra(): MACs from their own keys and the pair's position. */
static int setup_veth_extra(Rtnl *nl, const char *machine, const NetworkConfig *c, int netns_fd, NetworkState *s,
                            char **ret_error) {
        sd_id128_t id;
        int r;

        if (c->n_veth_extra == 0)
                return 0;
        s->veth_extra = new0(NetIfacePair, c->n_veth_extra);
        if (!s->veth_extra)
                return -ENOMEM;
        (void) net_host_machine_id(&id);

        for (size_t i = 0; i < c->n_veth_extra; i++) {
                const NetIfacePair *p = c->veth_extra + i;
                struct ether_addr mac_host, mac_container;
                int ifindex;

                r = net_generate_mac(id, machine, NET_MAC_VETH_EXTRA_HOST, i, &mac_host);
                if (r >= 0)
                        r = net_generate_mac(id, machine, NET_MAC_VETH_EXTRA_CONTAINER, i, &mac_container);
                if (r < 0)
                        return r;
                r = rtnl_veth_create(nl, p->host, &mac_host, p->container, &mac_container, netns_fd);
                if (r < 0)
                        return set_error(ret_error, r, "VirtualEthernetExtra=%s:%s: cannot create it: %s", p->host,
                                         p->container, strerror(-r));
                s->veth_extra[s->n_veth_extra++] = *p;

                ifindex = rtnl_link_ifindex(nl, p->host);
                if (ifindex > 0)
                        s->veth_extra[i].ifindex = ifindex;
                r = ifindex < 0 ? ifindex : rtnl_link_set_up(nl, ifindex);
                if (r < 0)
                        return set_error(ret_error, r, "Cannot bring up %s: %s", p->host, strerror(-r));
        }
        return 0;
}

static int setup_moves(Rtnl *nl, const NetworkConfig *c, int netns_fd, NetworkState *s, char **ret_error) {
        int r;

        if (c->n_interfaces == 0)
                return 0;
        s->moved = new0(NetIfacePair, c->n_interfaces);
        if (!s->moved)
                return -ENOMEM;

        for (size_t i = 0; i < c->n_interfaces; i++) {
                const NetIfacePair *p = c->interfaces + i;
                int ifindex = rtnl_link_ifindex(nl, p->host);

                r = ifindex < 0 ? ifindex
                                : rtnl_link_move(nl, ifindex, netns_fd,
                                                 streq(p->host, p->container) ? NULL : p->container);
                if (r < 0)
                        return set_error(ret_error, r, "Interface=%s: cannot move it into the container: %s",
                                         p->host, strerror(-r));
                s->moved[s->n_moved++] = *p;
        }
        return 0;
}

static int setup_vlans(Rtnl *nl, const char *machine, const NetworkConfig *c, int netns_fd, char **ret_error) {
        sd_id128_t id;
        int r;

        (void) net_host_machine_id(&id);
        for (size_t i = 0; i < c->n_macvlan; i++) {
                const NetIfacePair *p = c->macvlan + i;
                struct ether_addr mac;
                int parent = rtnl_link_ifindex(nl, p->host);

                r = net_generate_mac(id, machine, NET_MAC_MACVLAN, i, &mac);
                if (r < 0)
                        return r;
                r = parent < 0 ? parent : rtnl_macvlan_create(nl, parent, p->container, &mac, netns_fd);
                if (r < 0)
                        return set_error(ret_error, r, "MACVLAN=%s: cannot create %s: %s", p->host, p->container,
                                         strerror(-r));
        }
        for (size_t i = 0; i < c->n_ipvlan; i++) {
                const NetIfacePair *p = c->ipvlan + i;
                int parent = rtnl_link_ifindex(nl, p->host);

                r = parent < 0 ? parent : rtnl_ipvlan_create(nl, parent, p->container, netns_fd);
                if (r < 0)
                        return set_error(ret_error, r, "IPVLAN=%s: cannot create %s: %s", p->host, p->container,
                                         strerror(-r));
        }
        return 0;
}

int network_setup(const char *machine, const NetworkConfig *c, int netns_fd, NetworkState *ret,
                  char **ret_error) {
        _cleanup_(network_state_donep) NetworkState s = {};
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;
        int r;

        if (!machine_name_is_valid(machine) || (c->private_network && netns_fd < 0))
                return -EINVAL;

        s.machine = strdup(machine);
        if (!s.machine)
                return -ENOMEM;
        if (!c->private_network) {
                *ret = s;
                s = (NetworkState) {};
                return 0;
        }

        r = rtnl_open(&nl);
        if (r < 0)
                return set_error(ret_error, r, "Cannot open rtnetlink socket: %s", strerror(-r));
        r = check_config(nl, c, netns_fd, ret_error);
        if (r < 0)
                return r;

        if (c->n_ports > 0) {
                r = port_forward_claim(machine, c->ports, c->n_ports, ret_error);
                if (r < 0)
                        return r;
                s.ports = new(ExposePort, c->n_ports);
                if (!s.ports) {
                        (void) port_forward_release(machine);
                        return -ENOMEM;
                }
                memcpy(s.ports, c->ports, sizeof(ExposePort) * c->n_ports);
                s.n_ports = c->n_ports;
        }

        /* What is created in the container's namespace (host0, macvlan, ipvlan links) is not removed on
         * failure: it dies with the namespace, which a failed start destroys. Everything on the host is. */
        r = 0;
        if (c->veth)
                r = setup_veth(nl, machine, c, netns_fd, &s, ret_error);
        if (r >= 0)
                r = setup_veth_extra(nl, machine, c, netns_fd, &s, ret_error);
        if (r >= 0)
                r = setup_vlans(nl, machine, c, netns_fd, ret_error);
        /* Moves last: a link moved into the container cannot be moved back from here (that would mean
         * entering its namespace); everything that could fail after it has been checked by now. */
        if (r >= 0)
                r = setup_moves(nl, c, netns_fd, &s, ret_error);
        if (r < 0) {
                (void) network_teardown(&s);
                return r;
        }

        log_debug("Network of machine '%s' set up: veth=%s zone=%s bridge=%s ports=%zu", machine, strna(s.veth),
                  strna(s.zone_bridge), strna(s.bridge), s.n_ports);
        *ret = s;
        s = (NetworkState) {};
        return 0;
}

int network_refresh_ports(NetworkState *s, int netns_fd) {
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;
        int nsid, r, changed = 0;

        if (s->n_ports == 0)
                return 0;
        r = rtnl_open(&nl);
        if (r < 0)
                return r;
        nsid = rtnl_netns_id(nl, netns_fd);
        if (nsid < 0)
                return nsid;

        for (int family = AF_INET; family != -1; family = family == AF_INET ? AF_INET6 : -1) {
                bool *has = family == AF_INET ? &s->has_target4 : &s->has_target6;
                NetAddr *t = family == AF_INET ? &s->target4 : &s->target6;
                size_t len = family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
                NetAddr a = {};

                r = rtnl_netns_first_address(nl, nsid, family, &a);
                if (r < 0)
                        return r;
                /* No address (any more): keep the old target, the container may get it back. */
                if (r == 0 || (*has && memcmp(&a, t, len) == 0))
                        continue;
                r = port_forward_set_target(s->machine, s->ports, s->n_ports, family, &a, NULL);
                if (r < 0)
                        return r;
                *t = a;
                *has = true;
                changed = 1;
        }
        return changed;
}

int network_teardown(const NetworkState *s) {
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;
        int r, ret = 0;

        if (!s->machine)
                return 0;
        if (s->n_ports > 0) {
                r = port_forward_release(s->machine);
                if (r < 0)
                        ret = r;
        }
        if (!s->veth && !s->zone_bridge && s->n_veth_extra == 0)
                return ret;

        r = rtnl_open(&nl);
        if (r < 0)
                return r;
        if (s->veth) {
                /* By its index when known: after the container's network namespace went, the kernel deleted
                 * our link, and the name may be another's by now. */
                r = rtnl_link_delete_name(nl, s->veth, s->veth_ifindex);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        for (size_t i = 0; i < s->n_veth_extra; i++) {
                r = rtnl_link_delete_name(nl, s->veth_extra[i].host, s->veth_extra[i].ifindex);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        if (s->zone_bridge) {
                int br = rtnl_link_ifindex(nl, s->zone_bridge);

                r = br < 0 ? br : rtnl_bridge_count_ports(nl, br);
                if (r == 0)
                        r = rtnl_link_delete(nl, br);
                if (r < 0 && r != -ENODEV && ret == 0)
                        ret = r;
        }
        return ret;
}

int network_sweep(char *const *running) {
        return port_forward_sweep(running);
}

int network_state_ifindexes(const NetworkState *s, int **ret) {
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;
        int ifindex, r, *l;

        if (!s->veth) {
                *ret = NULL;
                return 0;
        }
        /* Recorded by network_setup(); looked up only for a record of an older version. */
        ifindex = s->veth_ifindex;
        if (ifindex <= 0) {
                r = rtnl_open(&nl);
                if (r < 0)
                        return r;
                ifindex = rtnl_link_ifindex(nl, s->veth);
                if (ifindex < 0)
                        return ifindex;
        }
        l = new(int, 1);
        if (!l)
                return -ENOMEM;
        l[0] = ifindex;
        *ret = l;
        return 1;
}
