/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* check-dbus-docs: the members of a D-Bus API as one source describes them (the daemon's introspection
 * data, docs/dbus-api.md, the man page), and the readers of those sources. */

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "macro.h"

typedef enum Kind { KIND_METHOD, KIND_PROPERTY, KIND_SIGNAL, _KIND_MAX } Kind;

extern const char *const kind_name[_KIND_MAX];

/* root: the bus policy lets only root send it; polkit: the bus policy lets everyone send it and the daemon
 * allows root or a caller polkit authorizes; everyone: anyone. */
typedef enum Access { ACCESS_UNKNOWN, ACCESS_EVERYONE, ACCESS_ROOT, ACCESS_POLKIT } Access;

static inline const char *access_to_string(Access a) {
        return a == ACCESS_ROOT ? "root" : a == ACCESS_EVERYONE ? "everyone" : a == ACCESS_POLKIT ? "polkit" : "unknown";
}

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

/* Prints one problem (a line) and counts it in n_problems. */
extern unsigned n_problems;
void problem(const char *format, ...) _printf_(1, 2);

void member_list_done(MemberList *l);
/* Returns the member, or NULL. */
Member *member_find(const MemberList *l, Kind kind, const char *iface, const char *name);
/* Appends a member (copying the strings). Returns the new entry, or NULL on OOM. */
Member *member_add(MemberList *l, Kind kind, const char *iface, const char *name, const char *in,
                   const char *out, Access access, const char *where);

void xml_freep(char **p);
void xml_free_docp(xmlDoc **d);
/* An attribute of n (free with xmlFree()), or NULL. */
char *xml_prop(xmlNode *n, const char *name);
/* Whether n is an element named name. */
bool xml_is(xmlNode *n, const char *name);

/* Each reads one source into l. Problems in the source itself are reported with problem(); returns 0, or
 * -errno (after a message on stderr) if the file cannot be read or is not of its kind at all. */
int load_introspection(const char *path, MemberList *l);   /* Introspect XML; several objects may share interfaces */
int load_markdown(const char *path, MemberList *l);        /* "## ... interface `X`" + "### Methods" tables */
/* The "interface X {" blocks of the man page into l; the methods its paragraphs "Only root may call" and
 * "Everyone may call" name into access (interface ""). */
int load_man(const char *path, MemberList *l, MemberList *access);
