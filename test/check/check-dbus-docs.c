/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check-dbus-docs: the D-Bus API as the daemon introspects it, as docs/dbus-api.md and org.machinedext1(5)
 * describe it, and as the bus policy opens it, must agree.
 *
 *   check-dbus-docs --bus-name NAME --markdown MD --man PAGE --policy CONF INTROSPECTION.xml...
 *   check-dbus-docs --print-access --markdown MD
 *
 * INTROSPECTION.xml: what org.freedesktop.DBus.Introspectable.Introspect returned for each object (busctl
 * introspect --xml-interface), e.g. the manager and one machine. Reported, one line each:
 *   - a method, property or signal of the daemon missing from MD (every interface) or from PAGE (the
 *     interfaces under NAME), or described there with another signature or type;
 *   - a member MD or PAGE describes that the daemon does not have;
 *   - a method of NAME's interfaces that PAGE's paragraphs "Only root may call ..." / "Root, or a caller
 *     polkit authorizes, may call ..." / "Everyone may call ..." do not name with the access MD gives it;
 *   - a method whose "access" in MD (the one place that says it: "root", "polkit" or "everyone") disagrees
 *     with what CONF lets an unprivileged caller send (root: denied; polkit and everyone: allowed, the daemon
 *     decides), evaluated as dbus-daemon does (rules in order, the last
 *     match wins, method calls denied by default on the system bus).
 * Exit status 0 if everything agrees, 1 if anything was reported, 2 on a usage or read error. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dbus-docs.h"
#include "strv.h"

/* ---- the bus policy ---------------------------------------------------------------------------------- */

typedef struct PolicyRules {
        xmlNode **rule;         /* <allow>/<deny> elements that apply to an unprivileged caller, in order */
        size_t n;
} PolicyRules;

static int policy_collect(xmlNode *policy, PolicyRules *rules) {
        for (xmlNode *r = policy->children; r; r = r->next) {
                xmlNode **a;

                if (!xml_is(r, "allow") && !xml_is(r, "deny"))
                        continue;
                a = realloc(rules->rule, sizeof(xmlNode *) * (rules->n + 1));
                if (!a)
                        return -ENOMEM;
                rules->rule = a;
                rules->rule[rules->n++] = r;
        }
        return 0;
}

/* dbus-daemon applies the default context, then group and user policies, then the mandatory context; a
 * later match overrides an earlier one. For "an unprivileged caller" only the default and mandatory
 * contexts and user="*"/group="*" say anything; a policy for one particular user or group is reported. */
static int load_policy(const char *path, xmlDoc **ret_doc, PolicyRules *ret) {
        static const char *const order[] = { "context=default", "group=*", "user=*", "context=mandatory", NULL };
        _cleanup_(xml_free_docp) xmlDoc *doc = NULL;
        xmlNode *root;
        int r;

        doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR);
        if (!doc)
                return fprintf(stderr, "%s: not well-formed XML\n", path), -EBADMSG;
        root = xmlDocGetRootElement(doc);
        if (!root || !xml_is(root, "busconfig"))
                return fprintf(stderr, "%s: not a bus configuration (no <busconfig>)\n", path), -EBADMSG;

        for (size_t o = 0; order[o]; o++)
                for (xmlNode *p = root->children; p; p = p->next) {
                        char which[256] = "";

                        if (!xml_is(p, "policy"))
                                continue;
                        for (xmlAttr *a = p->properties; a; a = a->next) {
                                _cleanup_(xml_freep) char *v = xml_prop(p, (const char *) a->name);
                                (void) snprintf(which, sizeof(which), "%s=%s", a->name, v ?: "");
                        }
                        if (o == 0 && !strv_find((char **) order, which) && !streq(which, "user=root"))
                                problem("%s: <policy %s>: cannot tell whether it applies to unprivileged callers",
                                        path, which);
                        if (!streq(which, order[o]))
                                continue;
                        r = policy_collect(p, ret);
                        if (r < 0)
                                return r;
                }

        *ret_doc = TAKE_PTR(doc);
        return 0;
}

/* Whether RULE matches a method call of iface.member to bus_name. Returns 1/0, or -EOPNOTSUPP (after
 * reporting it) for an attribute this check does not evaluate. */
static int rule_matches(const char *path, xmlNode *rule, const char *bus_name, const char *iface,
                        const char *member) {
        bool send = false, match = true;

        for (xmlAttr *a = rule->properties; a; a = a->next) {
                const char *an = (const char *) a->name;
                _cleanup_(xml_freep) char *v = NULL;

                if (!startswith(an, "send_"))
                        continue;
                send = true;
                v = xml_prop(rule, an);
                if (!v)
                        return -ENOMEM;
                if (streq(an, "send_destination"))
                        match = match && (streq(v, "*") || streq(v, bus_name));
                else if (streq(an, "send_interface"))
                        match = match && streq(v, iface);
                else if (streq(an, "send_member"))
                        match = match && streq(v, member);
                else if (streq(an, "send_type"))
                        match = match && (streq(v, "*") || streq(v, "method_call"));
                else {
                        problem("%s:%u: <%s %s=\"%s\">: this check does not evaluate %s", path,
                                (unsigned) xmlGetLineNo(rule), rule->name, an, v, an);
                        return -EOPNOTSUPP;
                }
        }
        return send && match;
}

static int policy_allows(const char *path, const PolicyRules *rules, const char *bus_name, const char *iface,
                         const char *member) {
        bool allowed = false;   /* the system bus denies method calls by default */

        for (size_t i = 0; i < rules->n; i++) {
                int r = rule_matches(path, rules->rule[i], bus_name, iface, member);
                if (r < 0)
                        return r;
                if (r > 0)
                        allowed = xml_is(rules->rule[i], "allow");
        }
        return allowed;
}

/* ---- comparison -------------------------------------------------------------------------------------- */

static void compare(const MemberList *daemon, const MemberList *doc, const char *doc_path, const char *prefix) {
        for (size_t i = 0; i < daemon->n; i++) {
                const Member *d = daemon->m + i, *m;

                if (prefix && !startswith(d->iface, prefix))
                        continue;
                m = member_find(doc, d->kind, d->iface, d->name);
                if (!m)
                        problem("%s: the daemon's %s %s.%s is not described", doc_path, kind_name[d->kind],
                                d->iface, d->name);
                else if (!streq(m->in, d->in) || !streq(strempty(m->out), strempty(d->out)))
                        problem("%s: %s %s.%s: described as \"%s\"%s%s%s, the daemon's is \"%s\"%s%s%s", m->where,
                                kind_name[d->kind], d->iface, d->name, m->in, d->out ? " → \"" : "",
                                strempty(m->out), d->out ? "\"" : "", d->in, d->out ? " → \"" : "",
                                strempty(d->out), d->out ? "\"" : "");
        }
        for (size_t i = 0; i < doc->n; i++) {
                const Member *m = doc->m + i;

                if (!member_find(daemon, m->kind, m->iface, m->name))
                        problem("%s: %s %s.%s is described, but the daemon has no such %s", m->where,
                                kind_name[m->kind], m->iface, m->name, kind_name[m->kind]);
        }
}

/* The man page's prose says who may call what: it must name each method of our interfaces with the access
 * the markdown file gives it, and only methods the daemon has. */
static void compare_man_access(const MemberList *daemon, const MemberList *md, const MemberList *access,
                               const char *man_path, const char *prefix) {
        for (size_t i = 0; i < daemon->n; i++) {
                const Member *d = daemon->m + i, *m, *a;

                if (d->kind != KIND_METHOD || !startswith(d->iface, prefix))
                        continue;
                m = member_find(md, KIND_METHOD, d->iface, d->name);
                if (!m || m->access == ACCESS_UNKNOWN)
                        continue;       /* reported already */
                a = member_find(access, KIND_METHOD, "", d->name);
                if (!a)
                        problem("%s: %s.%s is in none of \"Only root may call\", \"Root, or a caller polkit "
                                "authorizes, may call\" and \"Everyone may call\"", man_path, d->iface, d->name);
                else if (a->access != m->access)
                        problem("%s: %s is listed as %s, but %s says %s", a->where, d->name,
                                a->access == ACCESS_ROOT ? "root-only" : a->access == ACCESS_POLKIT ? "for polkit" :
                                "for everyone", m->where, access_to_string(m->access));
        }
        for (size_t i = 0; i < access->n; i++) {
                const Member *a = access->m + i;
                bool found = false;

                for (size_t j = 0; j < daemon->n && !found; j++)
                        found = daemon->m[j].kind == KIND_METHOD && streq(daemon->m[j].name, a->name);
                if (!found)
                        problem("%s: %s is listed as %s, but the daemon has no such method", a->where, a->name,
                                a->access == ACCESS_ROOT ? "root-only" : a->access == ACCESS_POLKIT ? "for polkit" :
                                "for everyone");
        }
}

static void help(void) {
        printf("%s --bus-name NAME --markdown FILE --man FILE --policy FILE INTROSPECTION-XML...\n"
               "%s --print-access --markdown FILE\n\n"
               "Compares the D-Bus API the daemon introspects with its documentation and bus policy.\n"
               "--print-access lists the methods of FILE with their access (root, polkit, everyone).\n",
               program_invocation_short_name, program_invocation_short_name);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",     no_argument,       NULL, 'h' },
                { "bus-name", required_argument, NULL, 'b' },
                { "markdown", required_argument, NULL, 'd' },
                { "man",      required_argument, NULL, 'm' },
                { "policy",   required_argument, NULL, 'p' },
                { "print-access", no_argument,   NULL, 'a' },
                {}
        };
        _cleanup_(xml_free_docp) xmlDoc *policy_doc = NULL;
        const char *bus_name = NULL, *md_path = NULL, *man_path = NULL, *policy_path = NULL;
        _cleanup_free_ char *prefix = NULL;
        MemberList daemon = {}, md = {}, man = {}, man_access = {};
        PolicyRules rules = {};
        size_t n_methods = 0;
        bool print_access = false;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'b':
                        bus_name = optarg;
                        break;
                case 'd':
                        md_path = optarg;
                        break;
                case 'm':
                        man_path = optarg;
                        break;
                case 'p':
                        policy_path = optarg;
                        break;
                case 'a':
                        print_access = true;
                        break;
                default:
                        return 2;
                }
        if (print_access && md_path) {
                /* "INTERFACE.METHOD root|everyone" for each method of the markdown file, for tests that call
                 * every method as an unprivileged user. */
                r = load_markdown(md_path, &md);
                for (size_t i = 0; r >= 0 && i < md.n; i++)
                        if (md.m[i].kind == KIND_METHOD)
                                printf("%s.%s %s\n", md.m[i].iface, md.m[i].name, access_to_string(md.m[i].access));
                member_list_done(&md);
                return r < 0 ? 2 : n_problems > 0 ? 1 : 0;
        }
        if (!bus_name || !md_path || !man_path || !policy_path || optind >= argc) {
                help();
                return 2;
        }
        if (asprintf(&prefix, "%s.", bus_name) < 0)
                return 2;

        for (int i = optind; i < argc && r >= 0; i++)
                r = load_introspection(argv[i], &daemon);
        if (r >= 0)
                r = load_markdown(md_path, &md);
        if (r >= 0)
                r = load_man(man_path, &man, &man_access);
        if (r >= 0)
                r = load_policy(policy_path, &policy_doc, &rules);
        if (r < 0) {
                if (r == -ENOMEM)
                        fprintf(stderr, "Out of memory.\n");
                goto finish;
        }

        compare(&daemon, &md, md_path, NULL);
        compare(&daemon, &man, man_path, prefix);
        compare_man_access(&daemon, &md, &man_access, man_path, prefix);

        for (size_t i = 0; i < daemon.n; i++) {
                const Member *d = daemon.m + i, *m;
                int allowed;

                if (d->kind != KIND_METHOD)
                        continue;
                n_methods++;
                m = member_find(&md, KIND_METHOD, d->iface, d->name);
                if (!m || m->access == ACCESS_UNKNOWN)
                        continue;       /* already reported */
                allowed = policy_allows(policy_path, &rules, bus_name, d->iface, d->name);
                if (allowed < 0)
                        continue;
                if (allowed && m->access == ACCESS_ROOT)
                        problem("%s: %s.%s is root-only (%s), but unprivileged callers may send it", policy_path,
                                d->iface, d->name, m->where);
                else if (!allowed && m->access == ACCESS_EVERYONE)
                        problem("%s: %s.%s is for everyone (%s), but unprivileged callers may not send it",
                                policy_path, d->iface, d->name, m->where);
                else if (!allowed && m->access == ACCESS_POLKIT)
                        problem("%s: %s.%s is for polkit to decide (%s), but unprivileged callers may not send it",
                                policy_path, d->iface, d->name, m->where);
        }

        if (n_problems == 0)
                printf("ok: %zu members (%zu methods) of %s agree with %s, %s and %s\n", daemon.n, n_methods,
                       bus_name, md_path, man_path, policy_path);
        else
                printf("%u problem%s\n", n_problems, n_problems == 1 ? "" : "s");

finish:
        member_list_done(&daemon);
        member_list_done(&md);
        member_list_done(&man);
        member_list_done(&man_access);
        free(rules.rule);
        return r < 0 ? 2 : n_problems > 0 ? 1 : 0;
}
