/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include "name.h"
#include "nft-lib.h"
#include "port-forward.h"

#define T "inet " PORT_FORWARD_TABLE

/* Created in one transaction with "create table", so it never exists half-made or twice. */
static const char skeleton[] =
        "create table " T "\n"
        "add set " T " claimed { type inet_proto . inet_service; }\n"
        "add map " T " fwd4 { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
        "add map " T " fwd6 { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
        "add chain " T " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
        "add chain " T " output { type nat hook output priority -100; policy accept; }\n"
        "add chain " T " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
        "add chain " T " localnet { type filter hook prerouting priority raw; policy accept; }\n"
        "add rule " T " prerouting meta nfproto ipv4 fib daddr type local "
                "dnat ip to meta l4proto . th dport map @fwd4\n"
        "add rule " T " prerouting meta nfproto ipv6 fib daddr type local "
                "dnat ip6 to meta l4proto . th dport map @fwd6\n"
        "add rule " T " output meta nfproto ipv4 fib daddr type local "
                "dnat ip to meta l4proto . th dport map @fwd4\n"
        "add rule " T " output meta nfproto ipv6 fib daddr type local "
                "dnat ip6 to meta l4proto . th dport map @fwd6\n"
        "add rule " T " postrouting ip saddr 127.0.0.0/8 ct status dnat masquerade\n"
        "add rule " T " localnet iifname != \"lo\" ip daddr 127.0.0.0/8 drop\n";

static void nft_freep(struct nft_ctx **ctx) {
        if (*ctx)
                nft_lib.ctx_free(*ctx);
}

static int nft_new(bool json, struct nft_ctx **ret) {
        struct nft_ctx *ctx = nft_lib.ctx_new(NFT_CTX_DEFAULT);

        if (!ctx)
                return -ENOMEM;
        /* Never let libnftables print to our stdout/stderr. */
        if (nft_lib.ctx_buffer_output(ctx) < 0 || nft_lib.ctx_buffer_error(ctx) < 0) {
                nft_lib.ctx_free(ctx);
                return -ENOMEM;
        }
        if (json)
                nft_lib.ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
        *ret = ctx;
        return 0;
}

/* Runs cmd as one transaction. On failure returns -EIO (nft does not give us the errno) and, if ret_error
 * is not NULL, nft's first error line. */
static int nft_run(const char *cmd, char **ret_error) {
        _cleanup_(nft_freep) struct nft_ctx *ctx = NULL;
        int r;

        r = nft_new(false, &ctx);
        if (r < 0)
                return r;
        if (nft_lib.run_cmd_from_buffer(ctx, cmd) == 0)
                return 0;
        if (ret_error) {
                const char *e = nft_lib.ctx_get_error_buffer(ctx);
                const char *nl = e ? strchr(e, '\n') : NULL;

                free(*ret_error);
                *ret_error = e ? (nl ? strndup(e, nl - e) : strdup(e)) : NULL;
        }
        return -EIO;
}

static const char *proto_name(int protocol) {
        return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

static int proto_from_json(json_object *o) {
        if (json_object_is_type(o, json_type_string)) {
                const char *s = json_object_get_string(o);
                return streq(s, "tcp") ? IPPROTO_TCP : streq(s, "udp") ? IPPROTO_UDP : -EINVAL;
        }
        if (json_object_is_type(o, json_type_int))
                return json_object_get_int(o);
        return -EINVAL;
}

void port_forward_entries_free(PortForwardEntry *e, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(e[i].machine);
        free(e);
}

/* Elements of set or map `name` of our table: (protocol, port, comment). Elements without a comment are
 * not ours and are skipped. No table: 0 entries. */
static int list_elements(const char *name, PortForwardEntry **ret, size_t *ret_n) {
        _cleanup_(nft_freep) struct nft_ctx *ctx = NULL;
        _cleanup_free_ char *cmd = NULL;
        json_object *root = NULL, *items;
        PortForwardEntry *l = NULL;
        const char *out;
        size_t n = 0;
        int r;

        r = nft_new(true, &ctx);
        if (r < 0)
                return r;
        if (asprintf(&cmd, "list set " T " %s", name) < 0)
                return -ENOMEM;
        if (nft_lib.run_cmd_from_buffer(ctx, cmd) != 0) {
                /* Most likely there is no table (or set). Anything else shows up at the next change. */
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }

        out = nft_lib.ctx_get_output_buffer(ctx);
        if (isempty(out))
                return -EBADMSG;
        root = json_tokener_parse(out);
        if (!root || !json_object_object_get_ex(root, "nftables", &items) ||
            !json_object_is_type(items, json_type_array)) {
                json_object_put(root);
                return -EBADMSG;
        }

        for (size_t i = 0; i < json_object_array_length(items); i++) {
                json_object *o = json_object_array_get_idx(items, i), *s, *elems;

                if (!json_object_object_get_ex(o, "set", &s) && !json_object_object_get_ex(o, "map", &s))
                        continue;
                if (!json_object_object_get_ex(s, "elem", &elems) || !json_object_is_type(elems, json_type_array))
                        continue;

                for (size_t j = 0; j < json_object_array_length(elems); j++) {
                        json_object *e = json_object_array_get_idx(elems, j), *inner, *val, *concat, *comment;
                        PortForwardEntry *c;
                        int proto, port;

                        if (json_object_is_type(e, json_type_array))    /* map: [ key, data ] */
                                e = json_object_array_get_idx(e, 0);
                        if (!json_object_object_get_ex(e, "elem", &inner) ||
                            !json_object_object_get_ex(inner, "val", &val) ||
                            !json_object_object_get_ex(val, "concat", &concat) ||
                            json_object_array_length(concat) != 2 ||
                            !json_object_object_get_ex(inner, "comment", &comment))
                                continue;
                        proto = proto_from_json(json_object_array_get_idx(concat, 0));
                        port = json_object_get_int(json_object_array_get_idx(concat, 1));
                        if (proto < 0 || port <= 0 || port > 65535)
                                continue;

                        c = realloc(l, sizeof(PortForwardEntry) * (n + 1));
                        if (!c)
                                goto oom;
                        l = c;
                        l[n] = (PortForwardEntry) { .protocol = proto, .host_port = (uint16_t) port };
                        l[n].machine = strdup(json_object_get_string(comment));
                        if (!l[n].machine)
                                goto oom;
                        n++;
                }
        }

        json_object_put(root);
        *ret = l;
        *ret_n = n;
        return 0;

oom:
        json_object_put(root);
        port_forward_entries_free(l, n);
        return -ENOMEM;
}

int port_forward_list(PortForwardEntry **ret, size_t *ret_n) {
        _cleanup_(nft_lib_unrefp) int nft = 0;

        nft = nft_lib_ref(NULL);
        if (nft < 0)
                return nft;
        return list_elements("claimed", ret, ret_n);
}

static const PortForwardEntry *find_entry(const PortForwardEntry *l, size_t n, int protocol, uint16_t port) {
        for (size_t i = 0; i < n; i++)
                if (l[i].protocol == protocol && l[i].host_port == port)
                        return l + i;
        return NULL;
}

static int table_exists(void) {
        _cleanup_(nft_freep) struct nft_ctx *ctx = NULL;
        int r;

        r = nft_new(false, &ctx);
        if (r < 0)
                return r;
        return nft_lib.run_cmd_from_buffer(ctx, "list table " T) == 0;
}

int port_forward_claim(const char *machine, const ExposePort *ports, size_t n, char **ret_error) {
        _cleanup_(nft_lib_unrefp) int nft = 0;
        _cleanup_free_ char *cmd = NULL, *nft_error = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (!machine_name_is_valid(machine))
                return -EINVAL;
        if (n == 0)
                return 0;

        nft = nft_lib_ref(&nft_error);
        if (nft < 0) {
                if (ret_error && asprintf(ret_error, "Port= needs libnftables: %s", strna(nft_error)) < 0)
                        *ret_error = NULL;
                return nft;
        }
        r = table_exists();
        if (r < 0)
                return r;
        if (r == 0) {
                r = nft_run(skeleton, &nft_error);
                /* Lost a race with another creator: fine, the table is there now. */
                if (r < 0 && table_exists() <= 0) {
                        if (ret_error && asprintf(ret_error, "Failed to create nftables table %s: %s", T,
                                                  strna(nft_error)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }

        f = open_memstream(&cmd, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "create element " T " claimed { %s . %u comment \"%s\" }\n",
                        proto_name(ports[i].protocol), ports[i].host_port, machine);
        if (fclose(f) != 0)
                return -ENOMEM;

        r = nft_run(cmd, &nft_error);
        if (r >= 0)
                return 0;

        /* Find out who holds what: the only failure a user can fix. */
        PortForwardEntry *l = NULL;
        size_t k = 0;
        if (list_elements("claimed", &l, &k) >= 0)
                for (size_t i = 0; i < n; i++) {
                        const PortForwardEntry *e = find_entry(l, k, ports[i].protocol, ports[i].host_port);
                        if (!e)
                                continue;
                        if (ret_error && asprintf(ret_error, "Port=%s:%u: host port already forwarded by machine '%s'",
                                                  proto_name(ports[i].protocol), ports[i].host_port, e->machine) < 0)
                                *ret_error = NULL;
                        port_forward_entries_free(l, k);
                        return -EADDRINUSE;
                }
        port_forward_entries_free(l, k);
        if (ret_error && asprintf(ret_error, "Failed to claim ports in nftables table %s: %s", T,
                                  strna(nft_error)) < 0)
                *ret_error = NULL;
        return r;
}

int port_forward_set_target(const char *machine, const ExposePort *ports, size_t n, int family,
                            const NetAddr *addr, char **ret_error) {
        _cleanup_(nft_lib_unrefp) int nft = 0;
        _cleanup_free_ char *cmd = NULL, *nft_error = NULL;
        PortForwardEntry *claimed = NULL, *old = NULL;
        size_t n_claimed = 0, n_old = 0, size = 0;
        const char *map = family == AF_INET ? "fwd4" : "fwd6";
        char a[INET6_ADDRSTRLEN];
        FILE *f;
        int r;

        if (!machine_name_is_valid(machine) || !IN_SET(family, AF_INET, AF_INET6))
                return -EINVAL;
        if (!inet_ntop(family, addr, a, sizeof(a)))
                return -EINVAL;
        nft = nft_lib_ref(NULL);
        if (nft < 0)
                return nft;

        r = list_elements("claimed", &claimed, &n_claimed);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const PortForwardEntry *e = find_entry(claimed, n_claimed, ports[i].protocol, ports[i].host_port);
                if (!e || !streq(e->machine, machine)) {
                        port_forward_entries_free(claimed, n_claimed);
                        return -ENOENT;
                }
        }
        port_forward_entries_free(claimed, n_claimed);

        r = list_elements(map, &old, &n_old);
        if (r < 0)
                return r;

        f = open_memstream(&cmd, &size);
        if (!f) {
                port_forward_entries_free(old, n_old);
                return -ENOMEM;
        }
        /* A map element's data cannot be replaced by "add": delete this machine's, then add, atomically. */
        for (size_t i = 0; i < n_old; i++)
                if (streq(old[i].machine, machine))
                        fprintf(f, "delete element " T " %s { %s . %u }\n", map, proto_name(old[i].protocol),
                                old[i].host_port);
        port_forward_entries_free(old, n_old);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "add element " T " %s { %s . %u comment \"%s\" : %s . %u }\n", map,
                        proto_name(ports[i].protocol), ports[i].host_port, machine, a, ports[i].container_port);
        if (fclose(f) != 0)
                return -ENOMEM;

        r = nft_run(cmd, &nft_error);
        if (r < 0 && ret_error && asprintf(ret_error, "Failed to forward ports of machine '%s' to %s: %s",
                                           machine, a, strna(nft_error)) < 0)
                *ret_error = NULL;
        return r;
}

static bool keep_machine(char *const *keep, const char *m) {
        for (char *const *k = keep; k && *k; k++)
                if (streq(*k, m))
                        return true;
        return false;
}

/* Deletes the elements of machine (if not NULL) or of every machine not in keep. */
static int remove_elements(const char *machine, char *const *keep) {
        static const char *const sets[] = { "claimed", "fwd4", "fwd6" };
        _cleanup_free_ char *cmd = NULL;
        size_t size = 0, left = 0;
        int removed = 0, r = 0;
        FILE *f;

        if (table_exists() <= 0)
                return 0;

        f = open_memstream(&cmd, &size);
        if (!f)
                return -ENOMEM;
        for (size_t s = 0; s < ELEMENTSOF(sets); s++) {
                PortForwardEntry *l = NULL;
                size_t n = 0;

                r = list_elements(sets[s], &l, &n);
                if (r < 0)
                        break;
                for (size_t i = 0; i < n; i++) {
                        if (machine ? !streq(l[i].machine, machine) : keep_machine(keep, l[i].machine)) {
                                left++;
                                continue;
                        }
                        fprintf(f, "delete element " T " %s { %s . %u }\n", sets[s],
                                proto_name(l[i].protocol), l[i].host_port);
                        if (s == 0)
                                removed++;
                }
                port_forward_entries_free(l, n);
        }
        if (r >= 0 && left == 0)
                fputs("delete table " T "\n", f);
        if (fclose(f) != 0)
                return -ENOMEM;
        if (r < 0)
                return r;
        if (isempty(cmd))
                return 0;

        r = nft_run(cmd, NULL);
        return r < 0 ? r : removed;
}

int port_forward_release(const char *machine) {
        _cleanup_(nft_lib_unrefp) int nft = 0;

        if (!machine_name_is_valid(machine))
                return -EINVAL;
        nft = nft_lib_ref(NULL);
        if (nft < 0)
                return nft;
        return remove_elements(machine, NULL);
}

int port_forward_sweep(char *const *keep) {
        _cleanup_(nft_lib_unrefp) int nft = 0;

        nft = nft_lib_ref(NULL);
        if (nft < 0)
                return nft;
        return remove_elements(NULL, keep);
}
