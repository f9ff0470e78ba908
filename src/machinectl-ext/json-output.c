/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --json= for status and show: D-Bus property values as JSON values (json-c), printed as systemd does. */

#include <json-c/json.h>
#include <systemd/sd-id128.h>

#include "json-output.h"
#include "strv.h"

/* Adds V under KEY to O, taking V (also on failure). Returns 0 or -ENOMEM. */
int json_add_value(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

json_object *strv_to_json(char * const *l) {
        json_object *a = json_object_new_array();

        STRV_FOREACH(s, l)
                if (!a || json_object_array_add(a, json_object_new_string(*s)) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

/* Reads the value of a property (m inside its variant, of signature contents) into *ret. Returns 1 if
 * converted, 0 if the type has no JSON form here (the caller skips it), < 0 on failure. */
static int value_to_json(const char *contents, sd_bus_message *m, json_object **ret) {
        union {
                const char *s;
                int b;
                uint8_t y;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
        } u;
        json_object *v = NULL;
        int r;

        if (strlen(contents) == 1) {
                if (!strchr("sogbynqiuxtd", contents[0]))
                        return 0;
                r = sd_bus_message_read_basic(m, contents[0], &u);
                if (r < 0)
                        return r;
                switch (contents[0]) {
                case 's': case 'o': case 'g': v = json_object_new_string(u.s); break;
                case 'b': v = json_object_new_boolean(u.b); break;
                case 'y': v = json_object_new_int64(u.y); break;
                case 'n': v = json_object_new_int64(u.n); break;
                case 'q': v = json_object_new_int64(u.q); break;
                case 'i': v = json_object_new_int64(u.i); break;
                case 'u': v = json_object_new_int64(u.u); break;
                case 'x': v = json_object_new_int64(u.x); break;
                case 't': v = json_object_new_uint64(u.t); break;
                case 'd': v = json_object_new_double(u.d); break;
                }
        } else if (streq(contents, "ay")) {
                const void *p;
                size_t n;

                r = sd_bus_message_read_array(m, 'y', &p, &n);
                if (r < 0)
                        return r;
                if (n == sizeof(sd_id128_t)) {
                        /* An ID, as systemd's JSON output has them: 32 hex digits. */
                        char s[SD_ID128_STRING_MAX];
                        sd_id128_t id;

                        memcpy(&id, p, n);
                        v = json_object_new_string(sd_id128_to_string(id, s));
                } else {
                        v = json_object_new_array();
                        for (size_t i = 0; v && i < n; i++)
                                if (json_object_array_add(v, json_object_new_int(((const uint8_t *) p)[i])) < 0) {
                                        json_object_put(v);
                                        return -ENOMEM;
                                }
                }
        } else if (streq(contents, "as")) {
                _cleanup_strv_free_ char **l = NULL;

                r = sd_bus_message_read_strv(m, &l);
                if (r < 0)
                        return r;
                v = json_object_new_array();
                STRV_FOREACH(s, l)
                        if (!v || json_object_array_add(v, json_object_new_string(*s)) < 0) {
                                json_object_put(v);
                                return -ENOMEM;
                        }
        } else
                return 0;

        if (!v)
                return -ENOMEM;
        *ret = v;
        return 1;
}

int property_to_json(const char *name, const char *contents, sd_bus_message *m, void *userdata) {
        json_object *o = userdata, *v = NULL;
        int r;

        if (!property_selected(name))
                return 0;
        r = value_to_json(contents, m, &v);
        if (r <= 0)
                return r;
        r = json_add_value(o, name, v);
        return r < 0 ? r : 1;
}

int json_print(json_object *o) {
        const char *s;
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

        flags |= arg_json == JSON_MODE_PRETTY ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                              : JSON_C_TO_STRING_PLAIN;
        s = json_object_to_json_string_ext(o, flags);
        if (!s)
                return -ENOMEM;
        printf("%s\n", s);
        return 0;
}
