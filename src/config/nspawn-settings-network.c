/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of [Network] keys with their own rules (the generic ones are in conf-values.c). */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-values.h"
#include "name.h"
#include "nspawn-settings.h"
#include "parse-util.h"
#include "strv.h"

/* char* field: a network interface name (Bridge=) or zone name (Zone=). */
int parse_ifname(const char *key, const char *value, void *data, char **ret_error) {
        char **s = data, *c;

        if (streq(key, "Zone")) {
                char name[IFNAME_MAX + 2];

                /* The zone's bridge is called "vz-NAME", which must be a valid interface name. */
                if (strlen(value) > IFNAME_MAX - 3)
                        return invalid(ret_error, key, value, "zone name too long");
                (void) snprintf(name, sizeof(name), "vz-%s", value);
                if (isempty(value) || !ifname_is_valid(name))
                        return invalid(ret_error, key, value, "not a valid zone name");
        } else if (!ifname_is_valid(value))
                return invalid(ret_error, key, value, "not a valid network interface name");

        c = strdup(value);
        if (!c)
                return -ENOMEM;
        free(*s);
        *s = c;
        return 0;
}

/* "HOST" or "HOST:CONTAINER", both interface names. */
static int word_iface_pair(const char *w, char **ret) {
        const char *colon = strchr(w, ':');
        char host[IFNAME_MAX + 2];

        if (colon) {
                if ((size_t) (colon - w) > IFNAME_MAX)
                        return -EINVAL;
                memcpy(host, w, colon - w);
                host[colon - w] = 0;
                if (!ifname_is_valid(host) || !ifname_is_valid(colon + 1))
                        return -EINVAL;
        } else if (!ifname_is_valid(w))
                return -EINVAL;

        *ret = strdup(w);
        return *ret ? 0 : -ENOMEM;
}

int parse_iface_list(const char *key, const char *value, void *data, char **ret_error) {
        return parse_checked_list(key, value, data, word_iface_pair, "not an interface name or HOST:CONTAINER pair",
                                  ret_error);
}

/* char** field: VirtualEthernetExtra=HOST[:CONTAINER], one pair per assignment, stored as HOST:CONTAINER. */
int parse_veth_extra(const char *key, const char *value, void *data, char **ret_error) {
        char ***l = data, *c, *pair;
        int r;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }

        r = check_entries(ret_error, key, strv_length(*l), 1);
        if (r < 0)
                return r;

        r = word_iface_pair(value, &pair);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "expected HOST[:CONTAINER] interface names");

        if (!strchr(pair, ':')) {
                r = asprintf(&c, "%s:%s", pair, pair);
                free(pair);
                if (r < 0)
                        return -ENOMEM;
                pair = c;
        }

        r = strv_push(l, pair);
        if (r < 0)
                free(pair);
        return r;
}

static int parse_port_number(const char *s, uint16_t *ret) {
        uint64_t v;

        if (parse_u64(s, &v) < 0 || v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

/* ExposePorts field: Port=[tcp:|udp:]HOST[:CONTAINER], one per assignment. */
int parse_expose_port(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_free_ char *host = NULL;
        ExposePorts *l = data;
        ExposePort port = { .protocol = IPPROTO_TCP };
        const char *p = value, *colon;
        ExposePort *c;

        if (isempty(value)) {
                l->ports = mfree(l->ports);
                l->n = 0;
                return 0;
        }

        if (startswith(p, "tcp:"))
                p += 4;
        else if (startswith(p, "udp:")) {
                port.protocol = IPPROTO_UDP;
                p += 4;
        }

        colon = strchr(p, ':');
        host = colon ? strndup(p, colon - p) : strdup(p);
        if (!host)
                return -ENOMEM;
        if (parse_port_number(host, &port.host_port) < 0 ||
            parse_port_number(colon ? colon + 1 : host, &port.container_port) < 0)
                return invalid(ret_error, key, value, "expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535");

        if (l->n >= SETTINGS_ENTRIES_MAX)
                return too_many(ret_error, key);
        for (size_t i = 0; i < l->n; i++)
                if (l->ports[i].protocol == port.protocol && l->ports[i].host_port == port.host_port)
                        return invalid(ret_error, key, value, "host port already exposed");

        if (l->n >= SIZE_MAX / sizeof(ExposePort) - 1)
                return -ENOMEM;
        c = realloc(l->ports, sizeof(ExposePort) * (l->n + 1));
        if (!c)
                return -ENOMEM;
        l->ports = c;
        l->ports[l->n++] = port;
        return 0;
}

