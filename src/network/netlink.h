/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* rtnetlink through libmnl: the link operations the network set-up needs, each one request answered by one
 * ACK (or a dump). All functions return >= 0 on success and -errno on failure, with the kernel's errno
 * unchanged (-EEXIST: the name is taken, -ENODEV: no such link, ...). They act on the network namespace
 * the socket was opened in. No logging. */

#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include <libmnl/libmnl.h>

typedef struct Rtnl Rtnl;

typedef union NetAddr {
        struct in_addr in;
        struct in6_addr in6;
} NetAddr;

/* Opens a NETLINK_ROUTE socket (SOCK_CLOEXEC) in the caller's network namespace. */
int rtnl_open(Rtnl **ret);
Rtnl *rtnl_close(Rtnl *nl);
static inline void rtnl_closep(Rtnl **nl) {
        rtnl_close(*nl);
}

/* Returns the ifindex (> 0) of the link called name, -ENODEV if there is none. */
int rtnl_link_ifindex(Rtnl *nl, const char *name);

/* The same in the network namespace with id nsid (see rtnl_netns_id()), without entering it. */
int rtnl_netns_link_ifindex(Rtnl *nl, int nsid, const char *name);

/* Returns the IFLA_INFO_KIND of the link ("bridge", "veth", ...) in ret (empty string for links without
 * one, such as physical NICs), or -ENODEV. */
int rtnl_link_kind(Rtnl *nl, int ifindex, char ret[static 32]);

/* A veth pair: host_name here, peer_name created directly in the network namespace peer_netns_fd (nothing
 * is ever visible under peer_name on the host). MACs may be NULL (kernel-chosen). Both ends stay down. */
int rtnl_veth_create(Rtnl *nl, const char *host_name, const struct ether_addr *host_mac, const char *peer_name,
                     const struct ether_addr *peer_mac, int peer_netns_fd);

/* A bridge called name, down. -EEXIST if the name is taken. */
int rtnl_bridge_create(Rtnl *nl, const char *name);

/* A macvlan (mode bridge) or ipvlan (mode L2) on parent_ifindex, created in netns_fd under name. mac is
 * ignored for ipvlan (it shares the parent's). */
int rtnl_macvlan_create(Rtnl *nl, int parent_ifindex, const char *name, const struct ether_addr *mac,
                        int netns_fd);
int rtnl_ipvlan_create(Rtnl *nl, int parent_ifindex, const char *name, int netns_fd);

/* Moves the link into netns_fd, renamed to new_name if not NULL (Interface=). */
int rtnl_link_move(Rtnl *nl, int ifindex, int netns_fd, const char *new_name);

int rtnl_link_set_up(Rtnl *nl, int ifindex);
int rtnl_link_set_mac(Rtnl *nl, int ifindex, const struct ether_addr *mac);
/* Deletes the link called NAME in one request (RTM_DELLINK by IFLA_IFNAME), or with IFINDEX > 0 the link with
 * that index only (the kernel then goes by the index: a link that took NAME since is left alone, and indexes
 * are not reused until they wrap). Allocates no memory: a worker thread may call it while the process
 * clone3()s children that use malloc (issue #17: deleting a veth waits for RCU grace periods, ~20 ms).
 * Returns 1 (deleted), 0 (no such link) or -errno. */
int rtnl_link_delete_name(Rtnl *nl, const char *name, int ifindex);

/* master_ifindex 0 detaches. */
int rtnl_link_set_master(Rtnl *nl, int ifindex, int master_ifindex);
/* net.ipv4.conf.IF.route_localnet through IFLA_AF_SPEC (no /proc/sys involved). */
int rtnl_link_set_route_localnet(Rtnl *nl, int ifindex, bool b);

/* Deletes the link; -ENODEV if it does not exist. */
int rtnl_link_delete(Rtnl *nl, int ifindex);

/* Returns the number of links whose master is bridge_ifindex. */
int rtnl_bridge_count_ports(Rtnl *nl, int bridge_ifindex);

/* Adds an address to a link (tests, and hosts without networkd). */
int rtnl_addr_add(Rtnl *nl, int ifindex, int family, const NetAddr *addr, unsigned char prefixlen);

/* The id of network namespace netns_fd as seen from the socket's namespace (assigned if it has none). */
int rtnl_netns_id(Rtnl *nl, int netns_fd);

/* The first address of family AF_INET (not 127/8) or AF_INET6 (global scope) in the network namespace with
 * id nsid (IFA_TARGET_NETNSID: nothing enters that namespace). Returns 1 and fills ret if there is one, 0 if
 * there is none. */
int rtnl_netns_first_address(Rtnl *nl, int nsid, int family, NetAddr *ret);

/* A non-blocking, close-on-exec NETLINK_ROUTE socket subscribed to IPv4 and IPv6 address changes in this
 * namespace and, through NETLINK_LISTEN_ALL_NSID, in every namespace that has an id here (the containers':
 * rtnl_netns_id() assigns one). Returns the fd; the caller owns it. */
int rtnl_address_monitor_open(void);

/* Reads everything pending on a monitor fd. Returns the number of address messages from other namespaces
 * (the containers'; the host's own are read and ignored), 0 if none, or -errno (-ENOBUFS: events were lost,
 * refresh everything anyway). */
int rtnl_address_monitor_drain(int fd);
