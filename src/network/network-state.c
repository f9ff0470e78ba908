/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NetworkState <-> the text the daemon keeps in its state directory:
 *
 *   MACHINE=web
 *   VETH=ve-web
 *   ZONE_BRIDGE=vz-lab
 *   BRIDGE=br0
 *   VETH_EXTRA=vex0:vex0         (host name:container name)
 *   VETH_EXTRA_IFINDEX=vex0:17   (host name:its ifindex, after its VETH_EXTRA=)
 *   INTERFACE=eth1:eth1          (host name:container name)
 *   PORT=tcp:8080:80
 *
 * Every value is checked on the way in: a teardown must never act on something that is not a valid
 * interface or machine name. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "network.h"

int network_state_to_string(const NetworkState *s, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (!s->machine)
                return -EINVAL;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "MACHINE=%s\n", s->machine);
        if (s->veth)
                fprintf(f, "VETH=%s\n", s->veth);
        if (s->veth && s->veth_ifindex > 0)
                fprintf(f, "VETH_IFINDEX=%i\n", s->veth_ifindex);
        if (s->zone_bridge)
                fprintf(f, "ZONE_BRIDGE=%s\n", s->zone_bridge);
        if (s->bridge)
                fprintf(f, "BRIDGE=%s\n", s->bridge);
        for (size_t i = 0; i < s->n_veth_extra; i++) {
                fprintf(f, "VETH_EXTRA=%s:%s\n", s->veth_extra[i].host, s->veth_extra[i].container);
                if (s->veth_extra[i].ifindex > 0)
                        fprintf(f, "VETH_EXTRA_IFINDEX=%s:%i\n", s->veth_extra[i].host, s->veth_extra[i].ifindex);
        }
        for (size_t i = 0; i < s->n_moved; i++)
                fprintf(f, "INTERFACE=%s:%s\n", s->moved[i].host, s->moved[i].container);
        for (size_t i = 0; i < s->n_ports; i++) {
                char buf[16];
                fprintf(f, "PORT=%s\n", expose_port_to_string(s->ports + i, buf));
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

static int parse_port(const char *v, ExposePort *ret) {
        char proto[4];
        unsigned h, c;
        int n = 0;

        if (sscanf(v, "%3[a-z]:%5u:%5u%n", proto, &h, &c, &n) != 3 || v[n] != 0 ||
            h == 0 || h > 65535 || c == 0 || c > 65535)
                return -EINVAL;
        if (streq(proto, "tcp"))
                ret->protocol = IPPROTO_TCP;
        else if (streq(proto, "udp"))
                ret->protocol = IPPROTO_UDP;
        else
                return -EINVAL;
        ret->host_port = (uint16_t) h;
        ret->container_port = (uint16_t) c;
        return 0;
}

static int set_ifname(char **field, const char *v) {
        if (!ifname_is_valid(v))
                return -EINVAL;
        free(*field);
        *field = strdup(v);
        return *field ? 0 : -ENOMEM;
}

static int push_pair(NetIfacePair **l, size_t *n, const char *v) {
        NetIfacePair pair, *p;
        int r;

        r = net_iface_pair_parse(v, "", &pair);
        if (r < 0)
                return r;
        p = realloc(*l, sizeof(NetIfacePair) * (*n + 1));
        if (!p)
                return -ENOMEM;
        *l = p;
        (*l)[(*n)++] = pair;
        return 0;
}

static int parse_ifindex(const char *v, int *ret) {
        int n = 0;

        if (sscanf(v, "%9d%n", ret, &n) != 1 || v[n] != 0 || *ret <= 0)
                return -EINVAL;
        return 0;
}

/* "HOST:IFINDEX" for the last VETH_EXTRA= of that host name. One that matches no pair is ignored: that pair
 * (if any) goes by name, and the rest of the record still counts. */
static int set_veth_extra_ifindex(NetworkState *s, const char *v) {
        const char *colon = strchr(v, ':');
        size_t len;

        if (!colon)
                return -EINVAL;
        len = colon - v;
        for (size_t i = s->n_veth_extra; i > 0; i--)
                if (strlen(s->veth_extra[i - 1].host) == len && strneq(s->veth_extra[i - 1].host, v, len))
                        return parse_ifindex(colon + 1, &s->veth_extra[i - 1].ifindex);
        return 0;
}

static int parse_line(NetworkState *s, const char *line) {
        const char *v;
        void *p;
        int r;

        if ((v = startswith(line, "MACHINE="))) {
                if (!machine_name_is_valid(v))
                        return -EINVAL;
                free(s->machine);
                s->machine = strdup(v);
                return s->machine ? 0 : -ENOMEM;
        }
        if ((v = startswith(line, "VETH=")))
                return set_ifname(&s->veth, v);
        if ((v = startswith(line, "VETH_IFINDEX=")))
                return parse_ifindex(v, &s->veth_ifindex);
        if ((v = startswith(line, "ZONE_BRIDGE="))) {
                if (!startswith(v, "vz-"))
                        return -EINVAL;
                return set_ifname(&s->zone_bridge, v);
        }
        if ((v = startswith(line, "BRIDGE=")))
                return set_ifname(&s->bridge, v);
        if ((v = startswith(line, "INTERFACE=")))
                return push_pair(&s->moved, &s->n_moved, v);
        if ((v = startswith(line, "VETH_EXTRA=")))
                return push_pair(&s->veth_extra, &s->n_veth_extra, v);
        if ((v = startswith(line, "VETH_EXTRA_IFINDEX=")))
                return set_veth_extra_ifindex(s, v);
        if ((v = startswith(line, "PORT="))) {
                ExposePort port;

                r = parse_port(v, &port);
                if (r < 0)
                        return r;
                p = realloc(s->ports, sizeof(ExposePort) * (s->n_ports + 1));
                if (!p)
                        return -ENOMEM;
                s->ports = p;
                s->ports[s->n_ports++] = port;
                return 0;
        }
        return 0;       /* unknown keys: written by a newer version */
}

int network_state_from_string(const char *text, NetworkState *ret) {
        NetworkState s = {};
        const char *p = text;
        int r = 0;

        while (*p) {
                const char *e = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, e - p);

                if (!line) {
                        r = -ENOMEM;
                        break;
                }
                if (!isempty(line)) {
                        r = parse_line(&s, line);
                        if (r < 0)
                                break;
                }
                p = *e ? e + 1 : e;
        }
        if (r >= 0 && !s.machine)
                r = -EINVAL;
        if (r < 0) {
                network_state_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}
