/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network library against the real kernel and nftables, without the bed: the test first moves itself
 * into a network namespace of its own (the "host"), and each "container" is a child in a further one. All
 * traffic stays in these namespaces; the real host's network is never touched. Needs root (exit 77 if not,
 * or if network namespaces or nftables are unavailable). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "net-names.h"
#include "network.h"
#include "port-forward.h"
#include "test-assert.h"

typedef struct Container {
        pid_t pid;
        int sock;       /* commands to the child */
        int netns;      /* its network namespace */
} Container;

static int set_addr(const char *ifname, const char *cidr) {
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;
        char a[64], *slash;
        NetAddr addr = {};
        int ifindex;

        snprintf(a, sizeof(a), "%s", cidr);
        slash = strchr(a, '/');
        *slash = 0;
        if (inet_pton(AF_INET, a, &addr.in) != 1 || rtnl_open(&nl) < 0)
                return -EINVAL;
        ifindex = rtnl_link_ifindex(nl, ifname);
        if (ifindex < 0)
                return ifindex;
        if (rtnl_addr_add(nl, ifindex, AF_INET, &addr, (unsigned char) atoi(slash + 1)) < 0)
                return -EIO;
        return rtnl_link_set_up(nl, ifindex);
}

static int tcp_fetch(const char *ip, int port, char *buf, size_t size) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
        bool v6 = strchr(ip, ':');
        struct timeval tv = { .tv_sec = 2 };
        _cleanup_close_ int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ssize_t n;

        if (v6 ? inet_pton(AF_INET6, ip, &sa6.sin6_addr) != 1 : inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
                return -EINVAL;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (v6 ? connect(fd, (struct sockaddr *) &sa6, sizeof(sa6)) : connect(fd, (struct sockaddr *) &sa, sizeof(sa)))
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        return 0;
}

/* Serves greeting on port, on all IPv4 and IPv6 addresses. */
static void serve(int port, const char *greeting) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT };
        int zero = 0, one = 1, fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
                _exit(1);
        if (fork() == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;) {
                        int c = accept(fd, NULL, NULL);
                        if (c >= 0) {
                                (void) !write(c, greeting, strlen(greeting));
                                close(c);
                        }
                }
        }
        close(fd);
}

/* The container side: runs commands sent by the test, in its own network namespace. */
static void _noreturn_ container_main(int sock, const char *name) {
        char cmd[256], reply[256];
        ssize_t n;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWNET) < 0 || set_addr("lo", "127.0.0.1/8") < 0)
                _exit(1);
        (void) !write(sock, "ready", 5);

        while ((n = read(sock, cmd, sizeof(cmd) - 1)) > 0) {
                char a[64], ifname[IFNAMSIZ];
                int port, r = 0;

                cmd[n] = 0;
                reply[0] = 0;
                if (sscanf(cmd, "addr %15s %63s", ifname, a) == 2)
                        r = set_addr(ifname, a);
                else if (sscanf(cmd, "listen %d", &port) == 1) {
                        char g[128];
                        snprintf(g, sizeof(g), "hello from %s\n", name);
                        serve(port, g);
                } else if (startswith(cmd, "sh "))
                        r = system(cmd + 3) == 0 ? 0 : -EIO;
                else if (sscanf(cmd, "fetch %63s %d", a, &port) == 2)
                        r = tcp_fetch(a, port, reply, sizeof(reply));
                else if (sscanf(cmd, "mac %15s", ifname) == 1) {
                        /* SIOCGIFHWADDR works on any socket of this namespace */
                        struct ifreq ifr = {};
                        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
                        if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
                                r = -errno;
                        else
                                net_mac_to_string((struct ether_addr *) ifr.ifr_hwaddr.sa_data, reply);
                        close(fd);
                } else
                        r = -EINVAL;
                if (r < 0)
                        snprintf(reply, sizeof(reply), "error %d", r);
                (void) !write(sock, reply, strlen(reply) + 1);
        }
        _exit(0);
}

static Container container_new(const char *name) {
        int sv[2];
        char buf[16], path[64];
        Container c;

        ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        c.pid = fork();
        ASSERT(c.pid >= 0);
        if (c.pid == 0) {
                close(sv[0]);
                container_main(sv[1], name);
        }
        close(sv[1]);
        c.sock = sv[0];
        ASSERT(read(c.sock, buf, sizeof(buf)) == 5);
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) c.pid);
        c.netns = open(path, O_RDONLY | O_CLOEXEC);
        ASSERT(c.netns >= 0);
        return c;
}

static void container_free(Container *c) {
        close(c->sock);
        close(c->netns);
        kill(c->pid, SIGKILL);
        (void) waitpid(c->pid, NULL, 0);
}

/* Sends a command, returns the reply (static buffer). */
static const char *run(Container *c, const char *fmt, ...) _printf_(2, 3);
static const char *run(Container *c, const char *fmt, ...) {
        static char reply[256];
        char cmd[256];
        va_list ap;
        ssize_t n;

        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        ASSERT(write(c->sock, cmd, strlen(cmd)) > 0);
        n = read(c->sock, reply, sizeof(reply) - 1);
        ASSERT(n > 0);
        reply[n] = 0;
        return reply;
}

static bool host_has_link(const char *name) {
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;

        ASSERT(rtnl_open(&nl) >= 0);
        return rtnl_link_ifindex(nl, name) > 0;
}

static const char *host_mac(const char *ifname) {
        static char buf[18];
        struct ifreq ifr = {};
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
        ASSERT(ioctl(fd, SIOCGIFHWADDR, &ifr) == 0);
        return net_mac_to_string((struct ether_addr *) ifr.ifr_hwaddr.sa_data, buf);
}

static const char *expected_mac(const char *machine, NetMacKind kind, uint64_t idx) {
        static char buf[18];
        struct ether_addr mac;
        sd_id128_t id;

        (void) net_host_machine_id(&id);
        ASSERT(net_generate_mac(id, machine, kind, idx, &mac) == 0);
        return net_mac_to_string(&mac, buf);
}

/* What `ip -o link` and `nft list ruleset` say in the test's "host" namespace, must show nothing of ours. */
static void assert_host_clean(void) {
        char line[512];
        FILE *f;

        f = popen("ip -o link show", "r");
        ASSERT(f);
        while (fgets(line, sizeof(line), f))
                ASSERT(!strstr(line, ": ve-") && !strstr(line, ": vb-") && !strstr(line, ": vz-"));
        ASSERT(pclose(f) == 0);

        f = popen("nft list ruleset", "r");
        ASSERT(f);
        ASSERT(!fgets(line, sizeof(line), f));          /* empty */
        ASSERT(pclose(f) == 0);
}

static NetworkConfig veth_config(void) {
        return (NetworkConfig) { .private_network = true, .veth = true };
}

static void test_veth(void) {
        Container c = container_new("web");
        NetworkConfig cfg = veth_config();
        NetworkState s = {}, restored = {};
        _cleanup_free_ char *text = NULL;
        char buf[128];

        ASSERT_EQ(network_setup("web", &cfg, c.netns, &s, NULL), 0);
        ASSERT_STREQ(s.veth, "ve-web");
        ASSERT(host_has_link("ve-web"));
        ASSERT_STREQ(host_mac("ve-web"), expected_mac("web", NET_MAC_VETH_HOST, 0));
        ASSERT_STREQ(run(&c, "mac host0"), expected_mac("web", NET_MAC_VETH_CONTAINER, 0));
        ASSERT(!host_has_link("host0"));

        int *ifindexes = NULL;
        ASSERT_EQ(network_state_ifindexes(&s, &ifindexes), 1);
        ASSERT(ifindexes[0] > 0);
        free(ifindexes);

        /* across the link, both ways */
        ASSERT_EQ(set_addr("ve-web", "10.0.0.1/24"), 0);
        ASSERT_STREQ(run(&c, "addr host0 10.0.0.2/24"), "");
        ASSERT_STREQ(run(&c, "listen 80"), "");
        serve(7777, "hello from host\n");
        ASSERT_EQ(tcp_fetch("10.0.0.2", 80, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "hello from web\n");
        ASSERT_STREQ(run(&c, "fetch 10.0.0.1 7777"), "hello from host\n");

        /* a restarted daemon tears down from the record */
        ASSERT_EQ(network_state_to_string(&s, &text), 0);
        network_state_done(&s);
        ASSERT_EQ(network_state_from_string(text, &restored), 0);
        ASSERT_EQ(network_teardown(&restored), 0);
        ASSERT(!host_has_link("ve-web"));
        ASSERT(strstr(run(&c, "mac host0"), "error"));
        ASSERT_EQ(network_teardown(&restored), 0);      /* idempotent */
        network_state_done(&restored);

        /* VirtualEthernetExtra= pairs, MACs like nspawn's, both names ours */
        NetIfacePair extra[] = { { "vx-host", "vx-cont" }, { "vx-h2", "vx-c2" } };
        NetworkConfig ec = { .private_network = true, .veth_extra = extra, .n_veth_extra = 2 };
        ASSERT_EQ(network_setup("web", &ec, c.netns, &s, NULL), 0);
        ASSERT_STREQ(host_mac("vx-h2"), expected_mac("web", NET_MAC_VETH_EXTRA_HOST, 1));
        ASSERT_STREQ(run(&c, "mac vx-cont"), expected_mac("web", NET_MAC_VETH_EXTRA_CONTAINER, 0));
        ASSERT(!s.veth);
        {
                _cleanup_(rtnl_closep) Rtnl *nl = NULL;
                _cleanup_free_ char *etext = NULL;
                NetworkState erestored;

                /* Each pair's host side is recorded with its ifindex, and the teardown of the record goes by
                 * it: a link that took the name after ours went is someone else's. */
                ASSERT(rtnl_open(&nl) >= 0);
                ASSERT(s.veth_extra[0].ifindex > 0);
                ASSERT_EQ(s.veth_extra[1].ifindex, rtnl_link_ifindex(nl, "vx-h2"));
                ASSERT_EQ(network_state_to_string(&s, &etext), 0);
                ASSERT_EQ(network_state_from_string(etext, &erestored), 0);
                ASSERT_EQ(erestored.veth_extra[1].ifindex, s.veth_extra[1].ifindex);
                ASSERT_EQ(rtnl_link_delete_name(nl, "vx-h2", 0), 1);
                ASSERT(!host_has_link("vx-h2"));
                ASSERT_EQ(system("ip link add vx-h2 type bridge"), 0);
                ASSERT_EQ(network_teardown(&erestored), 0);
                ASSERT(!host_has_link("vx-host"));
                ASSERT(host_has_link("vx-h2"));         /* not ours */
                ASSERT_EQ(rtnl_link_delete_name(nl, "vx-h2", 0), 1);
                network_state_done(&erestored);
        }
        ASSERT_EQ(network_teardown(&s), 0);
        ASSERT(!host_has_link("vx-host") && !host_has_link("vx-h2"));
        network_state_done(&s);

        /* the daemon's link remover: one request by name, in a thread; a link that is gone is no error */
        {
                _cleanup_(rtnl_closep) Rtnl *nl = NULL;

                ASSERT_EQ(network_setup("web", &cfg, c.netns, &s, NULL), 0);
                ASSERT(host_has_link("ve-web"));
                ASSERT(rtnl_open(&nl) >= 0);
                ASSERT(s.veth_ifindex > 0);
                ASSERT_EQ(s.veth_ifindex, rtnl_link_ifindex(nl, "ve-web"));
                /* By index: another index leaves the link of the name alone. */
                ASSERT_EQ(rtnl_link_delete_name(nl, "ve-web", s.veth_ifindex + 1000), 0);
                ASSERT(host_has_link("ve-web"));
                ASSERT_EQ(rtnl_link_delete_name(nl, "ve-web", 0), 1);
                ASSERT(!host_has_link("ve-web"));
                ASSERT(strstr(run(&c, "mac host0"), "error"));  /* the pair goes with it */
                ASSERT_EQ(rtnl_link_delete_name(nl, "ve-web", 0), 0);
                ASSERT_EQ(rtnl_link_delete_name(nl, "this-name-is-too-long", 0), -EINVAL);
                ASSERT_EQ(network_teardown(&s), 0);     /* the record of what is gone: nothing to do */
                network_state_done(&s);
        }

        /* a long name is shortened like nspawn does it */
        ASSERT_EQ(network_setup("averyveryverylongname", &cfg, c.netns, &s, NULL), 0);
        ASSERT(host_has_link("ve-averyverUARo"));
        ASSERT_EQ(network_teardown(&s), 0);
        network_state_done(&s);

        container_free(&c);
        assert_host_clean();
}

static void test_zone(void) {
        Container a = container_new("a"), b = container_new("b");
        NetworkConfig cfg = veth_config();
        NetworkState sa = {}, sb = {};
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;

        cfg.zone = (char *) "lab";
        ASSERT_EQ(network_setup("a", &cfg, a.netns, &sa, NULL), 0);
        ASSERT_EQ(network_setup("b", &cfg, b.netns, &sb, NULL), 0);
        ASSERT_STREQ(sa.veth, "vb-a");
        ASSERT_STREQ(sa.zone_bridge, "vz-lab");
        ASSERT(rtnl_open(&nl) >= 0);
        ASSERT_EQ(rtnl_bridge_count_ports(nl, rtnl_link_ifindex(nl, "vz-lab")), 2);

        /* the two machines reach each other over the zone's bridge */
        ASSERT_STREQ(run(&a, "addr host0 10.1.0.2/24"), "");
        ASSERT_STREQ(run(&b, "addr host0 10.1.0.3/24"), "");
        ASSERT_STREQ(run(&b, "listen 80"), "");
        ASSERT_STREQ(run(&a, "fetch 10.1.0.3 80"), "hello from b\n");

        /* the bridge stays while a machine uses it, and goes with the last one */
        ASSERT_EQ(network_teardown(&sa), 0);
        ASSERT(!host_has_link("vb-a"));
        ASSERT(host_has_link("vz-lab"));
        ASSERT_EQ(network_teardown(&sb), 0);
        ASSERT(!host_has_link("vz-lab"));

        network_state_done(&sa);
        network_state_done(&sb);
        container_free(&a);
        container_free(&b);
        assert_host_clean();
}

static void test_ports(void) {
        Container c = container_new("web"), o = container_new("other");
        ExposePort p = { .protocol = IPPROTO_TCP, .host_port = 8080, .container_port = 80 };
        NetworkConfig cfg = veth_config();
        NetworkState s = {}, so = {};
        _cleanup_free_ char *error = NULL;
        char buf[128];

        cfg.ports = &p;
        cfg.n_ports = 1;
        ASSERT_EQ(network_setup("web", &cfg, c.netns, &s, NULL), 0);
        ASSERT_EQ(network_refresh_ports(&s, c.netns), 0);               /* no address yet */
        ASSERT_EQ(set_addr("ve-web", "10.0.0.1/24"), 0);

        /* the daemon learns of the container's new address without polling */
        _cleanup_close_ int monitor = rtnl_address_monitor_open();
        ASSERT(monitor >= 0);
        ASSERT(rtnl_address_monitor_drain(monitor) >= 0);
        ASSERT_STREQ(run(&c, "addr host0 10.0.0.2/24"), "");
        struct pollfd pfd = { .fd = monitor, .events = POLLIN };
        ASSERT_EQ(poll(&pfd, 1, 2000), 1);
        ASSERT(rtnl_address_monitor_drain(monitor) > 0);
        ASSERT_STREQ(run(&c, "listen 80"), "");
        ASSERT_EQ(network_refresh_ports(&s, c.netns), 1);
        ASSERT_EQ(network_refresh_ports(&s, c.netns), 0);               /* unchanged */

        /* a loopback connection on the host side reaches the container */
        ASSERT_EQ(tcp_fetch("127.0.0.1", 8080, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "hello from web\n");
        ASSERT_EQ(tcp_fetch("10.0.0.1", 8080, buf, sizeof(buf)), 0);   /* a host address, too */
        ASSERT_STREQ(buf, "hello from web\n");

        /* IPv6, once the container has a global address */
        ASSERT(system("ip -6 addr add fd00:6::1/64 dev ve-web nodad") == 0);
        ASSERT_STREQ(run(&c, "sh ip -6 addr add fd00:6::2/64 dev host0 nodad"), "");
        ASSERT_EQ(network_refresh_ports(&s, c.netns), 1);
        ASSERT(s.has_target6);
        ASSERT_EQ(tcp_fetch("fd00:6::1", 8080, buf, sizeof(buf)), 0);
        ASSERT_STREQ(buf, "hello from web\n");

        /* route_localnet on ve-web must not open the host's 127/8 to the container: make the container
         * route 127.0.0.99 over host0 to us, where a service listens on all addresses */
        serve(7778, "hello from host\n");
        ASSERT_STREQ(run(&c, "sh ip rule del pref 0 lookup local && ip rule add pref 100 lookup local && "
                             "ip rule add to 127.0.0.99 lookup 100 pref 10 && "
                             "ip route add 127.0.0.99/32 via 10.0.0.1 dev host0 table 100 && "
                             "echo 1 > /proc/sys/net/ipv4/conf/host0/route_localnet"), "");
        ASSERT(strstr(run(&c, "fetch 127.0.0.99 7778"), "error"));
        /* ... and it is the localnet chain that stops it */
        ASSERT(system("nft flush chain inet " PORT_FORWARD_TABLE " localnet") == 0);
        ASSERT_STREQ(run(&c, "fetch 127.0.0.99 7778"), "hello from host\n");
        ASSERT(system("nft add rule inet " PORT_FORWARD_TABLE " localnet iifname != lo ip daddr 127.0.0.0/8 drop") == 0);
        ASSERT(strstr(run(&c, "fetch 127.0.0.99 7778"), "error"));

        /* another machine may not take the port, and leaves nothing behind */
        p.container_port = 81;
        ASSERT_EQ(network_setup("other", &cfg, o.netns, &so, &error), -EADDRINUSE);
        ASSERT(strstr(error, "Port=tcp:8080") && strstr(error, "'web'"));
        ASSERT(!host_has_link("ve-other"));
        PortForwardEntry *l;
        size_t n;
        ASSERT_EQ(port_forward_list(&l, &n), 0);
        ASSERT_EQ(n, 1);
        ASSERT_STREQ(l[0].machine, "web");
        port_forward_entries_free(l, n);

        /* a daemon that restarted sweeps claims of machines that are gone, and keeps the others' */
        p.host_port = 9090;
        ASSERT_EQ(port_forward_claim("ghost", &p, 1, NULL), 0);
        char *running[] = { (char *) "web", NULL };
        ASSERT_EQ(network_sweep(running), 1);
        ASSERT_EQ(port_forward_list(&l, &n), 0);
        ASSERT_EQ(n, 1);
        port_forward_entries_free(l, n);

        ASSERT_EQ(network_teardown(&s), 0);
        ASSERT(tcp_fetch("127.0.0.1", 8080, buf, sizeof(buf)) < 0);
        network_state_done(&s);
        container_free(&c);
        container_free(&o);
        assert_host_clean();
}

static void test_invalid(void) {
        Container c = container_new("bad");
        NetworkConfig cfg = veth_config();
        NetIfacePair missing = { "nosuchif0", "nosuchif0" };
        NetworkState s = {};
        _cleanup_free_ char *error = NULL;
        ExposePort p = { .protocol = IPPROTO_UDP, .host_port = 5353, .container_port = 53 };

        cfg.bridge = (char *) "br-missing";
        cfg.ports = &p;
        cfg.n_ports = 1;
        ASSERT_EQ(network_setup("bad", &cfg, c.netns, &s, &error), -ENODEV);
        ASSERT_STREQ(error, "Bridge=br-missing: no such network interface on the host");
        assert_host_clean();

        ASSERT(system("ip link add notabridge type veth peer name notabridge-p") == 0);
        cfg.bridge = (char *) "notabridge";
        ASSERT_EQ(network_setup("bad", &cfg, c.netns, &s, &error), -EMEDIUMTYPE);
        ASSERT_STREQ(error, "Bridge=notabridge: not a bridge");

        cfg = veth_config();
        cfg.interfaces = &missing;
        cfg.n_interfaces = 1;
        ASSERT_EQ(network_setup("bad", &cfg, c.netns, &s, &error), -ENODEV);
        ASSERT_STREQ(error, "Interface=nosuchif0: no such network interface on the host");
        cfg.interfaces = NULL;
        cfg.n_interfaces = 0;
        cfg.macvlan = &missing;
        cfg.n_macvlan = 1;
        ASSERT_EQ(network_setup("bad", &cfg, c.netns, &s, &error), -ENODEV);
        ASSERT(strstr(error, "MACVLAN=nosuchif0"));

        /* a name taken on the host */
        ASSERT(system("ip link add ve-bad type veth peer name ve-bad-p") == 0);
        cfg = veth_config();
        cfg.ports = &p;         /* claimed first, released again */
        cfg.n_ports = 1;
        ASSERT_EQ(network_setup("bad", &cfg, c.netns, &s, &error), -EEXIST);
        ASSERT(strstr(error, "ve-bad"));
        ASSERT(system("ip link del ve-bad && ip link del notabridge") == 0);

        container_free(&c);
        assert_host_clean();
}

static void test_interfaces(void) {
        Container c = container_new("ifs");
        NetIfacePair moved = { "dummy0", "eth9" }, mv = { "dummy1", "mv-dummy1" }, iv = { "dummy1", "iv-dummy1" };
        NetworkConfig cfg = { .private_network = true };
        NetworkState s = {};
        _cleanup_free_ char *error = NULL;
        int r;

        ASSERT(system("ip link add dummy0 type veth peer name dummy0-p && ip link add dummy1 type veth peer name dummy1-p") == 0);
        cfg.interfaces = &moved;
        cfg.n_interfaces = 1;
        cfg.macvlan = &mv;
        cfg.n_macvlan = 1;
        r = network_setup("ifs", &cfg, c.netns, &s, &error);
        if (r < 0)
                fprintf(stderr, "%s\n", error);
        ASSERT_EQ(r, 0);
        ASSERT(!host_has_link("dummy0"));
        ASSERT(!strstr(run(&c, "mac eth9"), "error"));
        ASSERT_STREQ(run(&c, "mac mv-dummy1"), expected_mac("ifs", NET_MAC_MACVLAN, 0));
        ASSERT(!s.veth);
        ASSERT_EQ(network_teardown(&s), 0);
        network_state_done(&s);
        container_free(&c);             /* the veth moved in dies with the namespace */

        /* IPVLAN=, where the kernel has it */
        if (system("ip link add ivprobe link dummy1 type ipvlan 2>/dev/null && ip link del ivprobe") == 0) {
                NetworkConfig ic = { .private_network = true, .ipvlan = &iv, .n_ipvlan = 1 };

                c = container_new("ifs");
                ASSERT_EQ(network_setup("ifs", &ic, c.netns, &s, &error), 0);
                ASSERT_STREQ(run(&c, "mac iv-dummy1"), host_mac("dummy1"));     /* shares the parent's */
                ASSERT_EQ(network_teardown(&s), 0);
                network_state_done(&s);
                container_free(&c);
        } else
                fprintf(stderr, "test-network-netns: no ipvlan in this kernel, IPVLAN= not tested\n");

        /* names taken in the container fail before anything is created or moved */
        c = container_new("ifs");
        ASSERT(system("ip link add dummy2 type veth peer name dummy2-p") == 0);
        ASSERT_STREQ(run(&c, "sh ip link add eth9 type veth peer name eth9-p"), "");
        strcpy(moved.host, "dummy2");
        cfg.macvlan = NULL;
        cfg.n_macvlan = 0;
        ASSERT_EQ(network_setup("ifs", &cfg, c.netns, &s, &error), -EEXIST);
        ASSERT_STREQ(error, "Interface=dummy2: the container has a network interface 'eth9' already");
        ASSERT(host_has_link("dummy2"));
        strcpy(moved.container, "eth8");
        strcpy(mv.container, "eth8");
        cfg.macvlan = &mv;
        cfg.n_macvlan = 1;
        ASSERT_EQ(network_setup("ifs", &cfg, c.netns, &s, &error), -EEXIST);
        ASSERT(strstr(error, "'eth8' is used twice"));
        ASSERT(host_has_link("dummy2"));
        ASSERT(strstr(run(&c, "mac eth8"), "error"));
        ASSERT(system("ip link del dummy2 && ip link del dummy1") == 0);
        container_free(&c);
        assert_host_clean();
}

int main(void) {
        _cleanup_(rtnl_closep) Rtnl *nl = NULL;

        log_parse_environment();

        if (geteuid() != 0) {
                fprintf(stderr, "test-network-netns: needs root, skipping\n");
                return 77;
        }
        /* First of all: leave the real host's network namespace. */
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "test-network-netns: no network namespaces (%m), skipping\n");
                return 77;
        }
        if (system("nft list ruleset >/dev/null 2>&1 && ip link show lo >/dev/null 2>&1") != 0) {
                fprintf(stderr, "test-network-netns: nft or ip unavailable, skipping\n");
                return 77;
        }
        ASSERT(set_addr("lo", "127.0.0.1/8") == 0 || true);
        ASSERT(rtnl_open(&nl) >= 0);
        ASSERT(rtnl_link_set_up(nl, rtnl_link_ifindex(nl, "lo")) >= 0);

        test_veth();
        test_zone();
        test_ports();
        test_invalid();
        test_interfaces();
        return 0;
}
