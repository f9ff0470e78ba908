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
 *   - a method whose "access" in MD (the one place that says it: "root" or "everyone") disagrees with what
 *     CONF lets an unprivileged caller send, evaluated as dbus-daemon does (rules in order, the last
 *     match wins, method calls denied by default on the system bus).
 * Exit status 0 if everything agrees, 1 if anything was reported, 2 on a usage or read error. */

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "macro.h"
#include "strv.h"

typedef enum Kind { KIND_METHOD, KIND_PROPERTY, KIND_SIGNAL, _KIND_MAX } Kind;

static const char *const kind_name[_KIND_MAX] = {
        [KIND_METHOD] = "method",
        [KIND_PROPERTY] = "property",
        [KIND_SIGNAL] = "signal",
};

typedef enum Access { ACCESS_UNKNOWN, ACCESS_EVERYONE, ACCESS_ROOT } Access;

typedef struct Member {
        Kind kind;
        char *iface;
        char *name;
        char *in;               /* method/signal: the in (or signal) signature; property: its type */
        char *out;              /* method: the out signature; NULL otherwise */
        Access access;          /* methods in the markdown file only */
        char *where;            /* "file:line" where it was described, or the XML file */
} Member;

typedef struct MemberList {
        Member *m;
        size_t n;
} MemberList;

static unsigned n_problems;

_printf_(1, 2)
static void problem(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        (void) vprintf(format, ap);
        va_end(ap);
        putchar('\n');
        n_problems++;
}

static void member_list_done(MemberList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->m[i].iface);
                free(l->m[i].name);
                free(l->m[i].in);
                free(l->m[i].out);
                free(l->m[i].where);
        }
        free(l->m);
        *l = (MemberList) {};
}

static Member *member_find(const MemberList *l, Kind kind, const char *iface, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (l->m[i].kind == kind && streq(l->m[i].iface, iface) && streq(l->m[i].name, name))
                        return l->m + i;
        return NULL;
}

/* Appends a member (copying the strings). Returns the new entry, or NULL on OOM. */
static Member *member_add(MemberList *l, Kind kind, const char *iface, const char *name, const char *in,
                          const char *out, Access access, const char *where) {
        Member *a, *m;

        a = realloc(l->m, sizeof(Member) * (l->n + 1));
        if (!a)
                return NULL;
        l->m = a;
        m = l->m + l->n;
        *m = (Member) {
                .kind = kind,
                .iface = strdup(iface),
                .name = strdup(name),
                .in = strdup(in ?: ""),
                .out = out ? strdup(out) : NULL,
                .access = access,
                .where = strdup(where),
        };
        l->n++;
        if (!m->iface || !m->name || !m->in || (out && !m->out) || !m->where)
                return NULL;
        return m;
}

/* ---- introspection XML ------------------------------------------------------------------------------- */

static void xml_freep(char **p) {
        if (*p)
                xmlFree(*p);
}

static void xml_free_docp(xmlDoc **d) {
        if (*d)
                xmlFreeDoc(*d);
}

static char *xml_prop(xmlNode *n, const char *name) {
        return (char *) xmlGetProp(n, (const xmlChar *) name);
}

static bool xml_is(xmlNode *n, const char *name) {
        return n->type == XML_ELEMENT_NODE && streq((const char *) n->name, name);
}

/* Appends the types of N's <arg> children with the given direction ("in", "out"; NULL: any) to buf. */
static int xml_args(xmlNode *n, const char *direction, bool default_in, char *buf, size_t size) {
        buf[0] = '\0';
        for (xmlNode *a = n->children; a; a = a->next) {
                _cleanup_(xml_freep) char *type = NULL, *dir = NULL;

                if (!xml_is(a, "arg"))
                        continue;
                type = xml_prop(a, "type");
                dir = xml_prop(a, "direction");
                if (!type)
                        return -EBADMSG;
                if (direction && !streq(direction, dir ?: (default_in ? "in" : "out")))
                        continue;
                if (strlen(buf) + strlen(type) >= size)
                        return -E2BIG;
                strcat(buf, type);
        }
        return 0;
}

static int load_introspection(const char *path, MemberList *l) {
        _cleanup_(xml_free_docp) xmlDoc *doc = NULL;
        xmlNode *root;

        doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR);
        if (!doc) {
                fprintf(stderr, "%s: not well-formed XML\n", path);
                return -EBADMSG;
        }
        root = xmlDocGetRootElement(doc);
        if (!root || !xml_is(root, "node")) {
                fprintf(stderr, "%s: not D-Bus introspection data (no <node>)\n", path);
                return -EBADMSG;
        }

        for (xmlNode *i = root->children; i; i = i->next) {
                _cleanup_(xml_freep) char *iface = NULL;

                if (!xml_is(i, "interface"))
                        continue;       /* child <node>s: other objects, introspected on their own */
                iface = xml_prop(i, "name");
                if (!iface)
                        return fprintf(stderr, "%s: <interface> without a name\n", path), -EBADMSG;

                for (xmlNode *c = i->children; c; c = c->next) {
                        _cleanup_(xml_freep) char *name = NULL, *type = NULL;
                        char in[256], out[256];
                        Member *old, *m;
                        Kind kind;
                        int r;

                        if (xml_is(c, "method"))
                                kind = KIND_METHOD;
                        else if (xml_is(c, "property"))
                                kind = KIND_PROPERTY;
                        else if (xml_is(c, "signal"))
                                kind = KIND_SIGNAL;
                        else
                                continue;
                        name = xml_prop(c, "name");
                        if (!name)
                                return fprintf(stderr, "%s: %s without a name\n", path, kind_name[kind]), -EBADMSG;

                        out[0] = '\0';
                        if (kind == KIND_PROPERTY) {
                                type = xml_prop(c, "type");
                                if (!type || strlen(type) >= sizeof(in))
                                        return fprintf(stderr, "%s: property %s: bad type\n", path, name), -EBADMSG;
                                strcpy(in, type);
                        } else {
                                r = xml_args(c, kind == KIND_METHOD ? "in" : NULL, true, in, sizeof(in));
                                if (r >= 0 && kind == KIND_METHOD)
                                        r = xml_args(c, "out", true, out, sizeof(out));
                                if (r < 0)
                                        return fprintf(stderr, "%s: %s %s: bad <arg>s\n", path, kind_name[kind],
                                                       name), r;
                        }

                        /* Several objects share interfaces (the standard ones, all machines): once each. */
                        old = member_find(l, kind, iface, name);
                        if (old) {
                                if (!streq(old->in, in) || !streq_ptr(old->out, kind == KIND_METHOD ? out : NULL))
                                        problem("%s: %s %s.%s differs from the one in %s", path, kind_name[kind],
                                                iface, name, old->where);
                                continue;
                        }
                        m = member_add(l, kind, iface, name, in, kind == KIND_METHOD ? out : NULL,
                                       ACCESS_UNKNOWN, path);
                        if (!m)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* ---- text helpers ------------------------------------------------------------------------------------ */

static char *strip(char *s) {
        char *e;

        s += strspn(s, " \t");
        e = s + strlen(s);
        while (e > s && strchr(" \t\r\n", e[-1]))
                *--e = '\0';
        return s;
}

/* "s name, t timeout" (or "(s name, t timeout)", "()", "", "a(ssuso)") -> "st". Each comma-separated item is
 * a type optionally followed by a name; with skip_direction, each item starts with "in" or "out" and only
 * those equal to want_direction count. Returns 0, or -EINVAL if an item has no type. */
static int signature_of(const char *text, bool skip_direction, const char *want_direction, char *buf,
                        size_t size) {
        _cleanup_free_ char *copy = strdup(text);
        char *s, *item, *save = NULL;

        if (!copy)
                return -ENOMEM;
        buf[0] = '\0';
        s = strip(copy);
        if (s[0] == '(' && s[strlen(s) - 1] == ')' && (strchr(s, ' ') || streq(s, "()"))) {
                s[strlen(s) - 1] = '\0';
                s++;
        }
        /* A struct type "(ss)" contains no commas, so splitting at commas is safe for our types. */
        for (item = strtok_r(s, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                char *t, *save2 = NULL;

                t = strtok_r(item, " \t", &save2);
                if (!t)
                        continue;
                if (skip_direction) {
                        bool match = streq(t, want_direction);

                        if (!streq(t, "in") && !streq(t, "out"))
                                return -EINVAL;
                        t = strtok_r(NULL, " \t", &save2);
                        if (!t)
                                return -EINVAL;
                        if (!match)
                                continue;
                }
                if (strlen(buf) + strlen(t) >= size)
                        return -E2BIG;
                strcat(buf, t);
        }
        return 0;
}

/* The text between the first pair of backticks at or after *p; advances *p past it. NULL if none. */
static char *next_backticked(char **p) {
        char *a, *b;

        a = strchr(*p, '`');
        if (!a)
                return NULL;
        b = strchr(a + 1, '`');
        if (!b)
                return NULL;
        *b = '\0';
        *p = b + 1;
        return a + 1;
}

/* ---- docs/dbus-api.md -------------------------------------------------------------------------------- */

/* Splits a table row "| a | b | c |" into at most n cells (stripped); returns the number of cells. */
static size_t table_cells(char *line, char **cells, size_t n) {
        size_t k = 0;
        char *p = strip(line);

        if (*p != '|')
                return 0;
        p++;
        while (k < n) {
                char *e = strchr(p, '|');

                /* A '|' inside backticks is not a cell boundary. */
                for (char *q = p; e && q < e; q++)
                        if (*q == '`') {
                                char *close = strchr(q + 1, '`');
                                if (!close)
                                        break;
                                if (close > e)
                                        e = strchr(close, '|');
                                q = close;
                        }
                if (!e)
                        break;
                *e = '\0';
                cells[k++] = strip(p);
                p = e + 1;
        }
        return k;
}

static int load_markdown(const char *path, MemberList *l) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL, *iface = NULL;
        size_t size = 0, lineno = 0;
        int kind = -1, col_sig = -1, col_access = -1;

        f = fopen(path, "re");
        if (!f)
                return fprintf(stderr, "%s: %m\n", path), -errno;

        while (getline(&line, &size, f) >= 0) {
                char *cells[8], where[512];
                size_t n;

                lineno++;
                if (startswith(line, "## ")) {
                        /* "## Manager: `/org/machinedext1`, interface `org.machinedext1.Manager`" */
                        char *p = line, *t;

                        iface = mfree(iface);
                        while ((t = next_backticked(&p)))
                                if (t[0] != '/' && strchr(t, '.')) {
                                        iface = strdup(t);
                                        if (!iface)
                                                return -ENOMEM;
                                }
                        kind = -1;
                        continue;
                }
                if (startswith(line, "### ")) {
                        char *h = strip(line + 4);

                        kind = streq(h, "Methods") ? KIND_METHOD : streq(h, "Properties") ? KIND_PROPERTY :
                               streq(h, "Signals") ? KIND_SIGNAL : -1;
                        col_sig = col_access = -1;
                        continue;
                }
                if (kind < 0)
                        continue;

                n = table_cells(line, cells, ELEMENTSOF(cells));
                if (n < 2 || strspn(cells[0], "-:") == strlen(cells[0]))
                        continue;
                if (!strchr(cells[0], '`')) {
                        /* The header row: find the columns. */
                        col_sig = 1;    /* the signature, or a property's type */
                        for (size_t i = 0; i < n; i++)
                                if (streq(cells[i], "access"))
                                        col_access = (int) i;
                        continue;
                }
                if (col_sig < 0 || (kind == KIND_METHOD && col_access < 0) || (size_t) col_sig >= n ||
                    (col_access >= 0 && (size_t) col_access >= n)) {
                        problem("%s:%zu: table row without a header naming its columns", path, lineno);
                        continue;
                }

                (void) snprintf(where, sizeof(where), "%s:%zu", path, lineno);

                char in[256] = "", out[256] = "", *sig_text, *arrow, *p = cells[0], *t;
                Access access = ACCESS_UNKNOWN;

                sig_text = cells[col_sig];
                if (sig_text[0] == '`' && sig_text[strlen(sig_text) - 1] == '`') {
                        sig_text[strlen(sig_text) - 1] = '\0';
                        sig_text++;
                }
                if (kind == KIND_METHOD) {
                        const char *a = cells[col_access];

                        access = streq(a, "root") ? ACCESS_ROOT : streq(a, "everyone") ? ACCESS_EVERYONE :
                                 ACCESS_UNKNOWN;
                        if (access == ACCESS_UNKNOWN)
                                problem("%s: access must be \"root\" or \"everyone\", not \"%s\"", where, a);
                        arrow = strstr(sig_text, "→");
                        if (arrow) {
                                *arrow = '\0';
                                arrow += strlen("→");
                        }
                        if (signature_of(sig_text, false, NULL, in, sizeof(in)) < 0 ||
                            (arrow && signature_of(arrow, false, NULL, out, sizeof(out)) < 0))
                                problem("%s: cannot parse the signature", where);
                } else if (kind == KIND_PROPERTY)
                        (void) snprintf(in, sizeof(in), "%s", sig_text);
                else if (signature_of(sig_text, false, NULL, in, sizeof(in)) < 0)
                        problem("%s: cannot parse the signature", where);

                /* The first cell may name several members ("`A`, `B`"), each with or without its interface. */
                while ((t = next_backticked(&p))) {
                        _cleanup_free_ char *i = NULL;
                        const char *name = t;
                        char *dot = strrchr(t, '.');

                        if (dot) {
                                i = strndup(t, (size_t) (dot - t));
                                name = dot + 1;
                        } else if (iface)
                                i = strdup(iface);
                        else {
                                problem("%s: %s outside of a section naming its interface", where, t);
                                continue;
                        }
                        if (!i)
                                return -ENOMEM;
                        if (member_find(l, (Kind) kind, i, name)) {
                                problem("%s: %s %s.%s is described twice", where, kind_name[kind], i, name);
                                continue;
                        }
                        if (!member_add(l, (Kind) kind, i, name, in, kind == KIND_METHOD ? out : NULL, access,
                                        where))
                                return -ENOMEM;
                }
        }
        return 0;
}

/* ---- the man page: its "node ... { interface ... { methods: ... } }" blocks -------------------------- */

static int load_man(const char *path, MemberList *l) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL, *iface = NULL, *pending = NULL, *pending_where = NULL;
        size_t size = 0, lineno = 0;
        int kind = -1;

        f = fopen(path, "re");
        if (!f)
                return fprintf(stderr, "%s: %m\n", path), -errno;

        while (getline(&line, &size, f) >= 0) {
                char where[512], *s = strip(line), *name, *e;

                lineno++;
                (void) snprintf(where, sizeof(where), "%s:%zu", path, lineno);

                if (startswith(s, "interface ") && s[strlen(s) - 1] == '{') {
                        s[strlen(s) - 1] = '\0';
                        free(iface);
                        iface = strdup(strip(s + strlen("interface ")));
                        if (!iface)
                                return -ENOMEM;
                        kind = -1;
                        continue;
                }
                if (!iface)
                        continue;
                if (streq(s, "};")) {
                        iface = mfree(iface);
                        continue;
                }
                if (streq(s, "methods:") || streq(s, "properties:") || streq(s, "signals:")) {
                        kind = s[0] == 'm' ? KIND_METHOD : s[0] == 'p' ? KIND_PROPERTY : KIND_SIGNAL;
                        continue;
                }
                if (kind < 0 || s[0] == '@' || s[0] == '\0')
                        continue;

                if (kind == KIND_PROPERTY) {
                        /* "readonly s Name = '...';" */
                        char type[128], pname[128];

                        if (sscanf(s, "readonly %127s %127[A-Za-z0-9_]", type, pname) != 2) {
                                problem("%s: cannot parse the property line \"%s\"", where, s);
                                continue;
                        }
                        if (member_find(l, KIND_PROPERTY, iface, pname))
                                problem("%s: property %s.%s is described twice", where, iface, pname);
                        else if (!member_add(l, KIND_PROPERTY, iface, pname, type, NULL, ACCESS_UNKNOWN, where))
                                return -ENOMEM;
                        continue;
                }

                /* Methods and signals: "Name(in  s a," ... "out o b);", possibly over several lines. */
                if (!pending) {
                        pending = strdup(s);
                        pending_where = strdup(where);
                } else {
                        char *j;

                        if (asprintf(&j, "%s %s", pending, s) < 0)
                                return -ENOMEM;
                        free(pending);
                        pending = j;
                }
                if (!pending || !pending_where)
                        return -ENOMEM;
                if (!strstr(pending, ");"))
                        continue;

                char in[256], out[256] = "";
                name = pending;
                e = strchr(name, '(');
                if (!e || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                          (size_t) (e - name)) {
                        problem("%s: cannot parse \"%s\"", pending_where, pending);
                } else {
                        *e = '\0';
                        *strstr(e + 1, ");") = '\0';
                        if (signature_of(e + 1, kind == KIND_METHOD, "in", in, sizeof(in)) < 0 ||
                            (kind == KIND_METHOD && signature_of(e + 1, true, "out", out, sizeof(out)) < 0))
                                problem("%s: cannot parse the arguments of %s", pending_where, name);
                        else if (member_find(l, (Kind) kind, iface, name))
                                problem("%s: %s %s.%s is described twice", pending_where, kind_name[kind], iface,
                                        name);
                        else if (!member_add(l, (Kind) kind, iface, name, in, kind == KIND_METHOD ? out : NULL,
                                             ACCESS_UNKNOWN, pending_where))
                                return -ENOMEM;
                }
                pending = mfree(pending);
                pending_where = mfree(pending_where);
        }
        if (pending)
                problem("%s: unterminated \"%s\"", pending_where, pending);
        return 0;
}

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
        static const char *const order[] = { "context=default", "group=*", "user=*", "context=mandatory" };
        _cleanup_(xml_free_docp) xmlDoc *doc = NULL;
        xmlNode *root;
        int r;

        doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR);
        if (!doc)
                return fprintf(stderr, "%s: not well-formed XML\n", path), -EBADMSG;
        root = xmlDocGetRootElement(doc);
        if (!root || !xml_is(root, "busconfig"))
                return fprintf(stderr, "%s: not a bus configuration (no <busconfig>)\n", path), -EBADMSG;

        for (size_t o = 0; o < ELEMENTSOF(order); o++)
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

static void help(void) {
        printf("%s --bus-name NAME --markdown FILE --man FILE --policy FILE INTROSPECTION-XML...\n"
               "%s --print-access --markdown FILE\n\n"
               "Compares the D-Bus API the daemon introspects with its documentation and bus policy.\n"
               "--print-access lists the methods of FILE with their access (root, everyone).\n",
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
        MemberList daemon = {}, md = {}, man = {};
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
                                printf("%s.%s %s\n", md.m[i].iface, md.m[i].name,
                                       md.m[i].access == ACCESS_ROOT ? "root" :
                                       md.m[i].access == ACCESS_EVERYONE ? "everyone" : "unknown");
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
                r = load_man(man_path, &man);
        if (r >= 0)
                r = load_policy(policy_path, &policy_doc, &rules);
        if (r < 0) {
                if (r == -ENOMEM)
                        fprintf(stderr, "Out of memory.\n");
                goto finish;
        }

        compare(&daemon, &md, md_path, NULL);
        compare(&daemon, &man, man_path, prefix);

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
        free(rules.rule);
        return r < 0 ? 2 : n_problems > 0 ? 1 : 0;
}
