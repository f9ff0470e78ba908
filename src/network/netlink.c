/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/ip.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "macro.h"
#include "netlink.h"

struct Rtnl {
        struct mnl_socket *sock;
        unsigned portid;
        unsigned seq;
};

/* Large enough for any dump message batch the kernel sends (it sizes them by the receiver's buffer). */
#define RTNL_BUF_SIZE (MNL_SOCKET_BUFFER_SIZE * 4)

int rtnl_open(Rtnl **ret) {
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;
        int one = 1;

        nl = new0(Rtnl, 1);
        if (!nl)
                return -ENOMEM;
        nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl->sock)
                return negative_errno();
        if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
                return negative_errno();
        /* Strict checking makes the kernel honour IFA_TARGET_NETNSID in address dumps. */
        if (mnl_socket_setsockopt(nl->sock, NETLINK_GET_STRICT_CHK, &one, sizeof(one)) < 0)
                return negative_errno();
        /* Errors come with the attribute that caused them; ACKs without a copy of the request. */
        (void) mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
        nl->portid = mnl_socket_get_portid(nl->sock);
        nl->seq = (unsigned) time(NULL);
        *ret = TAKE_PTR(nl);
        return 0;
}

Rtnl *rtnl_close(Rtnl *nl) {
        if (!nl)
                return NULL;
        if (nl->sock)
                (void) mnl_socket_close(nl->sock);
        free(nl);
        return NULL;
}

/* buf is MNL_SOCKET_BUFFER_SIZE bytes, zeroed here: attribute padding goes to the kernel as it is. */
static struct nlmsghdr *msg_new(Rtnl *nl, void *buf, uint16_t type, uint16_t flags) {
        struct nlmsghdr *h;

        memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
        h = mnl_nlmsg_put_header(buf);

        h->nlmsg_type = type;
        /* Every request that is not a dump asks for an ACK: it ends the answer (a single reply message
         * would not, for mnl_cb_run()). */
        h->nlmsg_flags = NLM_F_REQUEST | flags | ((flags & NLM_F_DUMP) == NLM_F_DUMP ? 0 : NLM_F_ACK);
        h->nlmsg_seq = ++nl->seq;
        return h;
}

/* Sends h and reads the answer up to its ACK (or NLMSG_DONE for dumps), passing data messages to cb. */
static int transact(Rtnl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data) {
        _cleanup_free_ char *buf = NULL;
        unsigned seq = h->nlmsg_seq;
        int r;

        buf = malloc(RTNL_BUF_SIZE);
        if (!buf)
                return -ENOMEM;
        if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
                return negative_errno();

        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sock, buf, RTNL_BUF_SIZE);
                if (n < 0)
                        return negative_errno();
                r = mnl_cb_run(buf, n, seq, nl->portid, cb, data);
                if (r < 0)
                        return negative_errno();
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

static int request(Rtnl *nl, struct nlmsghdr *h) {
        return transact(nl, h, NULL, NULL);
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *h, int ifindex) {
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        return ifi;
}

struct link_query {
        int ifindex;
        char kind[32];
};

static int link_attr_cb(const struct nlattr *a, void *data) {
        struct link_query *q = data;

        if (mnl_attr_get_type(a) == IFLA_LINKINFO) {
                const struct nlattr *i;

                mnl_attr_for_each_nested(i, a)
                        if (mnl_attr_get_type(i) == IFLA_INFO_KIND && mnl_attr_validate(i, MNL_TYPE_STRING) >= 0)
                                (void) snprintf(q->kind, sizeof(q->kind), "%s", mnl_attr_get_str(i));
        }
        return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *h, void *data) {
        struct link_query *q = data;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);

        q->ifindex = ifi->ifi_index;
        return mnl_attr_parse(h, sizeof(*ifi), link_attr_cb, q);
}

static int link_get(Rtnl *nl, int nsid, int ifindex, const char *name, struct link_query *ret) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_GETLINK, 0);
        struct link_query q = {};
        int r;

        put_ifinfo(h, ifindex);
        if (name) {
                if (strlen(name) >= IFNAMSIZ)
                        return -ENODEV;
                mnl_attr_put_strz(h, IFLA_IFNAME, name);
        }
        if (nsid >= 0)
                mnl_attr_put_u32(h, IFLA_TARGET_NETNSID, (uint32_t) nsid);
        r = transact(nl, h, link_cb, &q);
        if (r < 0)
                return r;
        if (q.ifindex <= 0)
                return -ENODEV;
        *ret = q;
        return 0;
}

int rtnl_link_ifindex(Rtnl *nl, const char *name) {
        struct link_query q;
        int r;

        if (isempty(name))
                return -EINVAL;
        r = link_get(nl, -1, 0, name, &q);
        return r < 0 ? r : q.ifindex;
}

int rtnl_netns_link_ifindex(Rtnl *nl, int nsid, const char *name) {
        struct link_query q;
        int r;

        if (isempty(name) || nsid < 0)
                return -EINVAL;
        r = link_get(nl, nsid, 0, name, &q);
        return r < 0 ? r : q.ifindex;
}

int rtnl_link_kind(Rtnl *nl, int ifindex, char ret[static 32]) {
        struct link_query q;
        int r;

        r = link_get(nl, -1, ifindex, NULL, &q);
        if (r < 0)
                return r;
        memcpy(ret, q.kind, sizeof(q.kind));
        return 0;
}

static struct nlattr *put_linkinfo(struct nlmsghdr *h, const char *kind, struct nlattr **ret_data) {
        struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);

        mnl_attr_put_strz(h, IFLA_INFO_KIND, kind);
        *ret_data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
        return info;
}

int rtnl_veth_create(Rtnl *nl, const char *host_name, const struct ether_addr *host_mac, const char *peer_name,
                     const struct ether_addr *peer_mac, int peer_netns_fd) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct nlattr *info, *data, *peer;

        put_ifinfo(h, 0);
        mnl_attr_put_strz(h, IFLA_IFNAME, host_name);
        if (host_mac)
                mnl_attr_put(h, IFLA_ADDRESS, ETH_ALEN, host_mac);
        info = put_linkinfo(h, "veth", &data);
        peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
        put_ifinfo(h, 0);       /* the peer's ifinfomsg, then its attributes */
        mnl_attr_put_strz(h, IFLA_IFNAME, peer_name);
        if (peer_mac)
                mnl_attr_put(h, IFLA_ADDRESS, ETH_ALEN, peer_mac);
        if (peer_netns_fd >= 0)
                mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t) peer_netns_fd);
        mnl_attr_nest_end(h, peer);
        mnl_attr_nest_end(h, data);
        mnl_attr_nest_end(h, info);
        return request(nl, h);
}

int rtnl_bridge_create(Rtnl *nl, const char *name) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct nlattr *info;

        put_ifinfo(h, 0);
        mnl_attr_put_strz(h, IFLA_IFNAME, name);
        info = mnl_attr_nest_start(h, IFLA_LINKINFO);
        mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(h, info);
        return request(nl, h);
}

static int vlan_create(Rtnl *nl, const char *kind, int parent_ifindex, const char *name,
                       const struct ether_addr *mac, int netns_fd) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct nlattr *info, *data;

        put_ifinfo(h, 0);
        mnl_attr_put_strz(h, IFLA_IFNAME, name);
        mnl_attr_put_u32(h, IFLA_LINK, (uint32_t) parent_ifindex);
        if (mac)
                mnl_attr_put(h, IFLA_ADDRESS, ETH_ALEN, mac);
        if (netns_fd >= 0)
                mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t) netns_fd);
        info = put_linkinfo(h, kind, &data);
        if (streq(kind, "macvlan"))
                mnl_attr_put_u32(h, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
        else
                mnl_attr_put_u16(h, IFLA_IPVLAN_MODE, IPVLAN_MODE_L2);
        mnl_attr_nest_end(h, data);
        mnl_attr_nest_end(h, info);
        return request(nl, h);
}

int rtnl_macvlan_create(Rtnl *nl, int parent_ifindex, const char *name, const struct ether_addr *mac,
                        int netns_fd) {
        return vlan_create(nl, "macvlan", parent_ifindex, name, mac, netns_fd);
}

int rtnl_ipvlan_create(Rtnl *nl, int parent_ifindex, const char *name, int netns_fd) {
        return vlan_create(nl, "ipvlan", parent_ifindex, name, NULL, netns_fd);
}

static struct nlmsghdr *setlink_new(Rtnl *nl, void *buf, int ifindex, struct ifinfomsg **ret_ifi) {
        struct nlmsghdr *h = msg_new(nl, buf, RTM_SETLINK, NLM_F_ACK);
        struct ifinfomsg *ifi = put_ifinfo(h, ifindex);

        if (ret_ifi)
                *ret_ifi = ifi;
        return h;
}

int rtnl_link_move(Rtnl *nl, int ifindex, int netns_fd, const char *new_name) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = setlink_new(nl, buf, ifindex, NULL);

        mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t) netns_fd);
        if (new_name)
                mnl_attr_put_strz(h, IFLA_IFNAME, new_name);
        return request(nl, h);
}

int rtnl_link_set_up(Rtnl *nl, int ifindex) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct ifinfomsg *ifi;
        struct nlmsghdr *h = setlink_new(nl, buf, ifindex, &ifi);

        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
        return request(nl, h);
}

int rtnl_link_set_mac(Rtnl *nl, int ifindex, const struct ether_addr *mac) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = setlink_new(nl, buf, ifindex, NULL);

        mnl_attr_put(h, IFLA_ADDRESS, ETH_ALEN, mac);
        return request(nl, h);
}

int rtnl_link_set_master(Rtnl *nl, int ifindex, int master_ifindex) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = setlink_new(nl, buf, ifindex, NULL);

        mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t) master_ifindex);
        return request(nl, h);
}

int rtnl_link_set_route_localnet(Rtnl *nl, int ifindex, bool b) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = setlink_new(nl, buf, ifindex, NULL);
        struct nlattr *spec, *inet, *conf;

        /* IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { IPV4_DEVCONF_ROUTE_LOCALNET: u32 } } } */
        spec = mnl_attr_nest_start(h, IFLA_AF_SPEC);
        inet = mnl_attr_nest_start(h, AF_INET);
        conf = mnl_attr_nest_start(h, IFLA_INET_CONF);
        mnl_attr_put_u32(h, IPV4_DEVCONF_ROUTE_LOCALNET, b);
        mnl_attr_nest_end(h, conf);
        mnl_attr_nest_end(h, inet);
        mnl_attr_nest_end(h, spec);
        return request(nl, h);
}

int rtnl_link_delete(Rtnl *nl, int ifindex) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_DELLINK, NLM_F_ACK);

        if (ifindex <= 0)
                return -ENODEV;
        put_ifinfo(h, ifindex);
        return request(nl, h);
}

int rtnl_link_delete_name(Rtnl *nl, const char *name, int ifindex) {
        char buf[MNL_SOCKET_BUFFER_SIZE], answer[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h;
        unsigned seq;
        int r;

        if (!name || strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        h = msg_new(nl, buf, RTM_DELLINK, NLM_F_ACK);
        seq = h->nlmsg_seq;
        put_ifinfo(h, ifindex > 0 ? ifindex : 0);
        if (ifindex <= 0)
                mnl_attr_put_strz(h, IFLA_IFNAME, name);
        /* transact() without its heap buffer: an ACK (or an error) is all that comes back. */
        if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
                return negative_errno();
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sock, answer, sizeof(answer));
                if (n < 0)
                        return negative_errno();
                r = mnl_cb_run(answer, n, seq, nl->portid, NULL, NULL);
                if (r < 0)
                        return errno == ENODEV ? 0 : negative_errno();
                if (r == MNL_CB_STOP)
                        return 1;
        }
}

struct port_count {
        uint32_t master;
        int n;
};

static int port_attr_cb(const struct nlattr *a, void *data) {
        struct port_count *c = data;

        if (mnl_attr_get_type(a) == IFLA_MASTER && mnl_attr_validate(a, MNL_TYPE_U32) >= 0 &&
            mnl_attr_get_u32(a) == c->master)
                c->n++;
        return MNL_CB_OK;
}

static int port_cb(const struct nlmsghdr *h, void *data) {
        return mnl_attr_parse(h, sizeof(struct ifinfomsg), port_attr_cb, data);
}

int rtnl_bridge_count_ports(Rtnl *nl, int bridge_ifindex) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_GETLINK, NLM_F_DUMP);
        struct port_count c = { .master = (uint32_t) bridge_ifindex };
        int r;

        put_ifinfo(h, 0);
        /* Let the kernel filter: only links enslaved to this master. */
        mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t) bridge_ifindex);
        r = transact(nl, h, port_cb, &c);
        return r < 0 ? r : c.n;
}

int rtnl_addr_add(Rtnl *nl, int ifindex, int family, const NetAddr *addr, unsigned char prefixlen) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
        size_t len = family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);

        if (!IN_SET(family, AF_INET, AF_INET6))
                return -EAFNOSUPPORT;
        ifa->ifa_family = family;
        ifa->ifa_prefixlen = prefixlen;
        ifa->ifa_index = ifindex;
        mnl_attr_put(h, IFA_LOCAL, len, addr);
        mnl_attr_put(h, IFA_ADDRESS, len, addr);
        return request(nl, h);
}

static int nsid_attr_cb(const struct nlattr *a, void *data) {
        if (mnl_attr_get_type(a) == NETNSA_NSID && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                *(int *) data = (int32_t) mnl_attr_get_u32(a);
        return MNL_CB_OK;
}

static int nsid_cb(const struct nlmsghdr *h, void *data) {
        return mnl_attr_parse(h, sizeof(struct rtgenmsg), nsid_attr_cb, data);
}

static int nsid_request(Rtnl *nl, uint16_t type, int netns_fd, int *ret) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, type, type == RTM_NEWNSID ? NLM_F_ACK : 0);
        struct rtgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof(*g));

        g->rtgen_family = AF_UNSPEC;
        mnl_attr_put_u32(h, NETNSA_FD, (uint32_t) netns_fd);
        if (type == RTM_NEWNSID)
                mnl_attr_put_u32(h, NETNSA_NSID, (uint32_t) -1);  /* let the kernel pick */
        return transact(nl, h, nsid_cb, ret);
}

int rtnl_netns_id(Rtnl *nl, int netns_fd) {
        int id = -1, r;

        r = nsid_request(nl, RTM_GETNSID, netns_fd, &id);
        if (r < 0)
                return r;
        if (id >= 0)
                return id;
        r = nsid_request(nl, RTM_NEWNSID, netns_fd, &id);
        if (r < 0 && r != -EEXIST)      /* -EEXIST: assigned in between */
                return r;
        id = -1;
        r = nsid_request(nl, RTM_GETNSID, netns_fd, &id);
        if (r < 0)
                return r;
        return id >= 0 ? id : -ENOENT;
}

struct addr_query {
        int family;
        bool found;
        NetAddr addr;
};

static int addr_attr_cb(const struct nlattr *a, void *data) {
        struct addr_query *q = data;
        size_t len = q->family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
        NetAddr v = {};

        if (q->found || mnl_attr_get_type(a) != (q->family == AF_INET ? IFA_LOCAL : IFA_ADDRESS) ||
            mnl_attr_get_payload_len(a) != len)
                return MNL_CB_OK;
        memcpy(&v, mnl_attr_get_payload(a), len);
        if (q->family == AF_INET && (ntohl(v.in.s_addr) >> 24) == 127)
                return MNL_CB_OK;
        q->addr = v;
        q->found = true;
        return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *h, void *data) {
        struct addr_query *q = data;
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);

        if (q->found || ifa->ifa_family != q->family || ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
            (ifa->ifa_flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
                return MNL_CB_OK;
        return mnl_attr_parse(h, sizeof(*ifa), addr_attr_cb, q);
}

int rtnl_netns_first_address(Rtnl *nl, int nsid, int family, NetAddr *ret) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = msg_new(nl, buf, RTM_GETADDR, NLM_F_DUMP);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
        struct addr_query q = { .family = family };
        int r;

        if (!IN_SET(family, AF_INET, AF_INET6))
                return -EAFNOSUPPORT;
        ifa->ifa_family = family;
        mnl_attr_put_u32(h, IFA_TARGET_NETNSID, (uint32_t) nsid);
        r = transact(nl, h, addr_cb, &q);
        if (r < 0)
                return r;
        if (!q.found)
                return 0;
        *ret = q.addr;
        return 1;
}

int rtnl_address_monitor_open(void) {
        struct sockaddr_nl sa = {
                .nl_family = AF_NETLINK,
                .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
        };
        _cleanup_close_ int fd = -EBADF;
        int one = 1;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one)) < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int rtnl_address_monitor_drain(int fd) {
        _cleanup_free_ char *buf = NULL;
        int n = 0;

        buf = malloc(RTNL_BUF_SIZE);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                char control[CMSG_SPACE(sizeof(int))] = {};
                struct iovec iov = { .iov_base = buf, .iov_len = RTNL_BUF_SIZE };
                struct msghdr mh = {
                        .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control, .msg_controllen = sizeof(control),
                };
                bool peer = false;
                ssize_t k;
                int l;

                k = recvmsg(fd, &mh, MSG_DONTWAIT);
                if (k < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return n;
                        return -errno;
                }
                /* Messages from another namespace carry its id; our own namespace's do not. */
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID)
                                peer = true;
                if (!peer)
                        continue;

                l = (int) k;
                for (const struct nlmsghdr *h = (const struct nlmsghdr *) buf; mnl_nlmsg_ok(h, l);
                     h = mnl_nlmsg_next(h, &l))
                        if (IN_SET(h->nlmsg_type, RTM_NEWADDR, RTM_DELADDR))
                                n++;
        }
}
