/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check-dbus-docs: the member list, and the daemon's introspection data (libxml2). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "dbus-docs.h"

const char *const kind_name[_KIND_MAX] = {
        [KIND_METHOD] = "method",
        [KIND_PROPERTY] = "property",
        [KIND_SIGNAL] = "signal",
};

unsigned n_problems;

void problem(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        (void) vprintf(format, ap);
        va_end(ap);
        putchar('\n');
        n_problems++;
}

void member_list_done(MemberList *l) {
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

Member *member_find(const MemberList *l, Kind kind, const char *iface, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (l->m[i].kind == kind && streq(l->m[i].iface, iface) && streq(l->m[i].name, name))
                        return l->m + i;
        return NULL;
}

Member *member_add(MemberList *l, Kind kind, const char *iface, const char *name, const char *in,
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

void xml_freep(char **p) {
        if (*p)
                xmlFree(*p);
}

void xml_free_docp(xmlDoc **d) {
        if (*d)
                xmlFreeDoc(*d);
}

char *xml_prop(xmlNode *n, const char *name) {
        return (char *) xmlGetProp(n, (const xmlChar *) name);
}

bool xml_is(xmlNode *n, const char *name) {
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

int load_introspection(const char *path, MemberList *l) {
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

