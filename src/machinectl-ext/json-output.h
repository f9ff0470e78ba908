/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "machinectl-ext.h"

static inline void json_object_putp(json_object **o) {
        json_object_put(*o);
}

/* Adds V under KEY to O, taking V (also on failure; NULL V is -ENOMEM). Returns 0 or -ENOMEM. */
int json_add_value(json_object *o, const char *key, json_object *v);

/* Returns l (NULL: empty) as a new JSON array of strings, or NULL on OOM. */
json_object *strv_to_json(char * const *l);

/* A property_func (verbs-info.c) that adds each property selected with --property= to the json_object
 * userdata: strings, booleans and numbers as such, arrays of strings as arrays, 16-byte IDs as 32 hex
 * digits. Other types are skipped (0). */
int property_to_json(const char *name, const char *contents, sd_bus_message *m, void *userdata);

/* Prints O on one line (--json=short) or indented (--json=pretty). Returns 0 or -ENOMEM. */
int json_print(json_object *o);
