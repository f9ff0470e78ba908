/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "net-names.h"
#include "net-settings.h"
#include "strv.h"

int net_iface_pair_parse(const char *s, const char *prefix, NetIfacePair *ret) {
        const char *colon;
        NetIfacePair p = {};
        size_t l;

        if (isempty(s))
                return -EINVAL;
        colon = strchr(s, ':');
        l = colon ? (size_t) (colon - s) : strlen(s);
        if (l == 0 || l >= IFNAMSIZ)
                return -EINVAL;
        memcpy(p.host, s, l);
        if (!ifname_is_valid(p.host))
                return -EINVAL;

        if (colon) {
                if (strlen(colon + 1) >= IFNAMSIZ || !ifname_is_valid(colon + 1))
                        return -EINVAL;
                strcpy(p.container, colon + 1);
        } else if (net_prefixed_ifname(prefix, p.host, p.container) < 0)
                return -EINVAL;

        *ret = p;
        return 0;
}

static int error(char **ret_error, const char *msg) {
        if (ret_error) {
                free(*ret_error);
                *ret_error = strdup(msg);
        }
        return -EINVAL;
}

static int pairs_from_strv(char **l, const char *prefix, const char *key, NetIfacePair **ret, size_t *ret_n,
                           char **ret_error) {
        size_t n = strv_length(l);
        NetIfacePair *p;

        if (n == 0)
                return 0;
        p = new0(NetIfacePair, n);
        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (net_iface_pair_parse(l[i], prefix, p + i) < 0) {
                        _cleanup_free_ char *m = NULL;

                        free(p);
                        if (asprintf(&m, "%s=%s: not an interface name or HOST:CONTAINER pair", key, l[i]) < 0)
                                return -ENOMEM;
                        return error(ret_error, m);
                }
        *ret = p;
        *ret_n = n;
        return 0;
}

static bool settings_network_configured(const Settings *s) {
        return s->private_network >= 0 || s->network_veth >= 0 || s->network_bridge || s->network_zone ||
                (strv_length(s->network_veth_extra) > 0) ||
                (strv_length(s->network_interfaces) > 0) || (strv_length(s->network_macvlan) > 0) ||
                (strv_length(s->network_ipvlan) > 0);
}

/* Host interfaces may be used once: moved (Interface=) or as a parent (MACVLAN=, IPVLAN=), not both. */
static const char *duplicate_host(const NetworkConfig *c) {
        const struct { NetIfacePair *p; size_t n; } lists[] = {
                { c->interfaces, c->n_interfaces }, { c->macvlan, c->n_macvlan }, { c->ipvlan, c->n_ipvlan },
        };

        for (size_t a = 0; a < ELEMENTSOF(lists); a++)
                for (size_t i = 0; i < lists[a].n; i++) {
                        const char *name = lists[a].p[i].host;

                        /* Interface= moves the link away: nothing else may use it. MACVLAN= and IPVLAN= may
                         * share a parent, like in nspawn, as long as the container-side names differ. */
                        for (size_t b = 0; b < ELEMENTSOF(lists); b++)
                                for (size_t j = 0; j < lists[b].n; j++) {
                                        if (a == b && i == j)
                                                continue;
                                        if ((a == 0 || b == 0) && streq(name, lists[b].p[j].host))
                                                return name;
                                        if (streq(lists[a].p[i].container, lists[b].p[j].container))
                                                return lists[a].p[i].container;
                                }
                }
        return NULL;
}

int network_config_from_settings(const Settings *s, NetworkConfig *ret, char **ret_error) {
        _cleanup_(network_config_done) NetworkConfig c = {};
        const char *dup;
        int r;

        if (!s) {
                /* No settings file: the default. */
                *ret = (NetworkConfig) { .private_network = true, .veth = true };
                return 0;
        }
        if (!settings_network_configured(s)) {
                c.private_network = true;
                c.veth = true;
        } else {
                bool other = s->network_veth > 0 || s->network_bridge || s->network_zone ||
                        (strv_length(s->network_veth_extra) > 0) ||
                        (strv_length(s->network_interfaces) > 0) || (strv_length(s->network_macvlan) > 0) ||
                        (strv_length(s->network_ipvlan) > 0);

                if (s->network_bridge && s->network_zone)
                        return error(ret_error, "Bridge= and Zone= may not be combined");
                if (s->network_veth == 0 && (s->network_bridge || s->network_zone))
                        return error(ret_error, "VirtualEthernet=no may not be combined with Bridge= or Zone=");
                if (s->private_network == 0 && other)
                        return error(ret_error, "Private=no may not be combined with VirtualEthernet=, "
                                                "VirtualEthernetExtra=, Bridge=, Zone=, Interface=, MACVLAN= "
                                                "or IPVLAN=");

                c.veth = s->network_veth >= 0 ? s->network_veth > 0 : (s->network_bridge || s->network_zone);
                c.private_network = s->private_network >= 0 ? s->private_network > 0 : other;
        }

        if (s->network_bridge) {
                c.bridge = strdup(s->network_bridge);
                if (!c.bridge)
                        return -ENOMEM;
        }
        if (s->network_zone) {
                char n[IFNAMSIZ];

                if (net_zone_ifname(s->network_zone, n) < 0)
                        return error(ret_error, "Zone=: not a valid zone name");
                c.zone = strdup(s->network_zone);
                if (!c.zone)
                        return -ENOMEM;
        }

        r = pairs_from_strv(s->network_veth_extra, "", "VirtualEthernetExtra", &c.veth_extra, &c.n_veth_extra,
                            ret_error);
        if (r < 0)
                return r;
        r = pairs_from_strv(s->network_interfaces, "", "Interface", &c.interfaces, &c.n_interfaces, ret_error);
        if (r < 0)
                return r;
        r = pairs_from_strv(s->network_macvlan, "mv-", "MACVLAN", &c.macvlan, &c.n_macvlan, ret_error);
        if (r < 0)
                return r;
        r = pairs_from_strv(s->network_ipvlan, "iv-", "IPVLAN", &c.ipvlan, &c.n_ipvlan, ret_error);
        if (r < 0)
                return r;
        dup = duplicate_host(&c);
        if (dup) {
                _cleanup_free_ char *m = NULL;

                if (asprintf(&m, "Network interface '%s' is used twice by Interface=, MACVLAN= or IPVLAN=", dup) < 0)
                        return -ENOMEM;
                return error(ret_error, m);
        }

        if (s->expose_ports.n > 0) {
                /* The forwarded traffic is NATed to the container's address behind a link we create. */
                if (!c.veth)
                        return error(ret_error, "Port= needs a virtual Ethernet link (VirtualEthernet=, Bridge= "
                                                "or Zone=)");
                c.ports = new(ExposePort, s->expose_ports.n);
                if (!c.ports)
                        return -ENOMEM;
                memcpy(c.ports, s->expose_ports.ports, sizeof(ExposePort) * s->expose_ports.n);
                c.n_ports = s->expose_ports.n;
        }

        *ret = c;
        c = (NetworkConfig) {};
        return 0;
}

void network_config_done(NetworkConfig *c) {
        c->bridge = mfree(c->bridge);
        c->zone = mfree(c->zone);
        c->veth_extra = mfree(c->veth_extra);
        c->interfaces = mfree(c->interfaces);
        c->macvlan = mfree(c->macvlan);
        c->ipvlan = mfree(c->ipvlan);
        c->ports = mfree(c->ports);
        c->n_veth_extra = c->n_interfaces = c->n_macvlan = c->n_ipvlan = c->n_ports = 0;
}

char *expose_port_to_string(const ExposePort *p, char buf[static 16]) {
        (void) snprintf(buf, 16, "%s:%u:%u", p->protocol == IPPROTO_UDP ? "udp" : "tcp", p->host_port,
                        p->container_port);
        return buf;
}
