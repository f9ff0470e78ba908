/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "oci-json.h"
#include "strv.h"

_printf_(4, 0)
static int oci_verror(char **error, int r, const char *path, const char *format, va_list ap) {
        _cleanup_free_ char *msg = NULL;
        char *full;

        if (!error || *error)
                return r;
        if (vasprintf(&msg, format, ap) < 0)
                return -ENOMEM;
        if (isempty(path))
                full = TAKE_PTR(msg);
        else if (asprintf(&full, "%s: %s", path, msg) < 0)
                return -ENOMEM;
        /* Values and map keys from the document end up in messages: no control character may reach a log
         * line or a terminal, and the daemon sends the message as a D-Bus error, which must be text sd-bus
         * takes (a key cut short in the middle of a character, a noncharacter from a \uFFFE escape). */
        *error = replace_unprintable(full, '?');
        return r;
}

int oci_error(char **error, const char *path, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = oci_verror(error, -EINVAL, path, format, ap);
        va_end(ap);
        return r;
}

int oci_error_code(char **error, int r, const char *path, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        r = oci_verror(error, r, path, format, ap);
        va_end(ap);
        return r;
}

int oci_error_take(char **error, char *path, const char *format, ...) {
        _cleanup_free_ char *p = path;
        va_list ap;
        int r;

        if (!p)
                return -ENOMEM;
        va_start(ap, format);
        r = oci_verror(error, -EINVAL, p, format, ap);
        va_end(ap);
        return r;
}

char *oci_path_key(const char *parent, const char *key) {
        char *p;

        if (isempty(parent))
                return strdup(key);
        if (asprintf(&p, "%s.%s", parent, key) < 0)
                return NULL;
        return p;
}

char *oci_path_index(const char *parent, size_t i) {
        char *p;

        if (asprintf(&p, "%s[%zu]", strempty(parent), i) < 0)
                return NULL;
        return p;
}

char *oci_path_map_key(const char *parent, const char *key) {
        /* Keys come from the document: print them escaped and cut short, so that an error message stays one
         * readable line whatever the key contains. */
        json_object *s;
        const char *q;
        char *p;
        int r;

        s = json_object_new_string_len(key, (int) strnlen(key, 64));
        if (!s)
                return NULL;
        q = json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = q ? asprintf(&p, "%s[%s%s]", strempty(parent), q, strlen(key) > 64 ? "..." : "") : -1;
        json_object_put(s);
        return r < 0 ? NULL : p;
}

json_object *oci_json_field(json_object *o, const char *key) {
        json_object *v = NULL;

        if (!json_object_is_type(o, json_type_object))
                return NULL;
        if (!json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;       /* NULL for JSON null */
}

const char *oci_json_type_name(json_object *v) {
        switch (json_object_get_type(v)) {
        case json_type_null:    return "null";
        case json_type_boolean: return "a boolean";
        case json_type_double:  return "a number with a fraction or exponent";
        case json_type_int:     return "an integer";
        case json_type_object:  return "an object";
        case json_type_array:   return "an array";
        case json_type_string:  return "a string";
        }
        return "an unknown type";
}

int oci_json_object(json_object *v, const char *path, char **error) {
        if (!json_object_is_type(v, json_type_object))
                return oci_error(error, path, "expected an object, got %s", oci_json_type_name(v));
        return 0;
}

int oci_json_array(json_object *v, const char *path, char **error) {
        if (!json_object_is_type(v, json_type_array))
                return oci_error(error, path, "expected an array, got %s", oci_json_type_name(v));
        return 0;
}

int oci_json_array_foreach(json_object *v, const char *path, OciElementFunc f, void *userdata, char **error) {
        size_t n;
        int r;

        r = oci_json_array(v, path, error);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = oci_path_index(path, i);

                if (!p)
                        return -ENOMEM;
                r = f(json_object_array_get_idx(v, i), p, i, userdata, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_json_object_foreach(json_object *v, const char *path, OciMemberFunc f, void *userdata, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        json_object_object_foreach(v, key, val) {
                _cleanup_free_ char *p = oci_path_map_key(path, key);

                if (!p)
                        return -ENOMEM;
                r = f(val, p, key, userdata, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_parse_string(json_object *v, const char *path, void *dest, char **error) {
        char **ret = dest;
        const char *s;
        size_t n;
        char *c;

        if (!json_object_is_type(v, json_type_string))
                return oci_error(error, path, "expected a string, got %s", oci_json_type_name(v));
        s = json_object_get_string(v);
        n = (size_t) json_object_get_string_len(v);
        if (strlen(s) != n)
                return oci_error(error, path, "string contains a NUL byte");
        c = strdup(s);
        if (!c)
                return -ENOMEM;
        free(*ret);
        *ret = c;
        return 0;
}

int oci_parse_abs_path(json_object *v, const char *path, void *dest, char **error) {
        _cleanup_free_ char *s = NULL;
        char **ret = dest;
        int r;

        r = oci_parse_string(v, path, &s, error);
        if (r < 0)
                return r;
        if (s[0] != '/')
                return oci_error(error, path, "must be an absolute path");
        free(*ret);
        *ret = TAKE_PTR(s);
        return 0;
}

int oci_parse_bool(json_object *v, const char *path, void *dest, char **error) {
        if (!json_object_is_type(v, json_type_boolean))
                return oci_error(error, path, "expected a boolean, got %s", oci_json_type_name(v));
        *(bool *) dest = json_object_get_boolean(v);
        return 0;
}

/* json-c keeps integers as int64, or uint64 above INT64_MAX; literals beyond the 64-bit range are clamped to
 * the nearest bound by json-c itself (so 1e30 written as digits reads as UINT64_MAX, like RLIM_INFINITY).
 * Both accessors are consulted to get the sign and the magnitude right. */
int oci_json_int64(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret, char **error) {
        int64_t i;

        if (!json_object_is_type(v, json_type_int))
                return oci_error(error, path, "expected an integer, got %s", oci_json_type_name(v));
        i = json_object_get_int64(v);
        if (i == INT64_MAX && json_object_get_uint64(v) > (uint64_t) INT64_MAX)
                return oci_error(error, path, "integer %s out of range", json_object_get_string(v));
        if (i < min || i > max)
                return oci_error(error, path, "value %" PRIi64 " out of range [%" PRIi64 ", %" PRIi64 "]",
                                 i, min, max);
        *ret = i;
        return 0;
}

int oci_json_uint64(json_object *v, const char *path, uint64_t max, uint64_t *ret, char **error) {
        uint64_t u;

        if (!json_object_is_type(v, json_type_int))
                return oci_error(error, path, "expected an unsigned integer, got %s", oci_json_type_name(v));
        if (json_object_get_int64(v) < 0)
                return oci_error(error, path, "expected an unsigned integer, got %s", json_object_get_string(v));
        u = json_object_get_uint64(v);
        if (u > max)
                return oci_error(error, path, "value %" PRIu64 " out of range [0, %" PRIu64 "]", u, max);
        *ret = u;
        return 0;
}

OCI_DEFINE_INT_PARSER(oci_parse_int32, int32_t, INT32_MIN, INT32_MAX)
OCI_DEFINE_INT_PARSER(oci_parse_int64, int64_t, INT64_MIN, INT64_MAX)
OCI_DEFINE_UINT_PARSER(oci_parse_uint32, uint32_t, UINT32_MAX)
OCI_DEFINE_UINT_PARSER(oci_parse_uint64, uint64_t, UINT64_MAX)
/* dev_t numbers are 32 bit wide. */
OCI_DEFINE_INT_PARSER(oci_parse_dev_number, int64_t, 0, UINT32_MAX)
OCI_DEFINE_OPT_INT_PARSER(oci_parse_opt_int64, INT64_MIN)
OCI_DEFINE_OPT_UINT_PARSER(oci_parse_opt_uint64, UINT64_MAX)

typedef struct StrvBuilder {
        char **strv;
        OciParser parse;
} StrvBuilder;

static int strv_element(json_object *e, const char *path, size_t i, void *userdata, char **error) {
        StrvBuilder *b = userdata;

        return b->parse(e, path, &b->strv[i], error);
}

static int parse_strv(json_object *v, const char *path, OciParser parse, char ***ret, char **error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = oci_json_array(v, path, error);
        if (r < 0)
                return r;
        l = new0(char *, json_object_array_length(v) + 1);
        if (!l)
                return -ENOMEM;
        r = oci_json_array_foreach(v, path, strv_element, &(StrvBuilder) { l, parse }, error);
        if (r < 0)
                return r;

        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

int oci_parse_strv(json_object *v, const char *path, void *dest, char **error) {
        return parse_strv(v, path, oci_parse_string, dest, error);
}

int oci_parse_abs_strv(json_object *v, const char *path, void *dest, char **error) {
        return parse_strv(v, path, oci_parse_abs_path, dest, error);
}

int oci_name_lookup(const OciNameValue *table, size_t n, const char *name, long *ret) {
        for (size_t i = 0; i < n; i++)
                if (streq(table[i].name, name)) {
                        *ret = table[i].value;
                        return 0;
                }
        return -ENOENT;
}

int oci_json_enum(json_object *v, const char *path, const OciNameValue *table, size_t n, const char *what,
                  long *ret, char **error) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = oci_parse_string(v, path, &s, error);
        if (r < 0)
                return r;
        if (oci_name_lookup(table, n, s, ret) < 0)
                return oci_error(error, path, "unknown %s \"%.64s\"", what, s);
        return 0;
}

int oci_json_cpu_list(json_object *v, const char *path, const char *what, const char *hint, char **ret,
                      char **error) {
        int r;

        r = oci_parse_string(v, path, ret, error);
        if (r < 0)
                return r;
        for (const char *q = *ret; *q; q++)
                if (!isdigit((unsigned char) *q) && *q != ',' && *q != '-')
                        return oci_error(error, path, "invalid %s \"%.64s\"%s", what, *ret, hint);
        return 0;
}

int oci_json_device_type(json_object *v, const char *path, const char *allowed, const char *expected, char *ret,
                         char **error) {
        _cleanup_free_ char *type = NULL;
        int r;

        r = oci_parse_string(v, path, &type, error);
        if (r < 0)
                return r;
        if (strlen(type) != 1 || !strchr(allowed, type[0]))
                return oci_error(error, path, "unknown device type \"%.64s\" (expected %s)", type, expected);
        *ret = type[0];
        return 0;
}

bool oci_find_duplicate(const void *a, size_t n, size_t size, size_t offset, size_t *ret_i, size_t *ret_j) {
        const uint8_t *b = a;

        for (size_t i = 1; i < n; i++)
                for (size_t j = 0; j < i; j++)
                        if (*(const int *) (b + i * size + offset) == *(const int *) (b + j * size + offset)) {
                                *ret_i = i;
                                *ret_j = j;
                                return true;
                        }
        return false;
}

typedef struct ArrayBuilder {
        const OciArrayType *type;
        uint8_t *elements;
        size_t n_touched;       /* elements that may hold something to free */
} ArrayBuilder;

static int array_element(json_object *e, const char *path, size_t i, void *userdata, char **error) {
        ArrayBuilder *b = userdata;
        void *dest = b->elements + i * b->type->size;

        b->n_touched = i + 1;
        if (!e)
                return oci_error(error, path, "expected an object, got null");
        if (b->type->fields)
                return oci_dispatch(e, path, b->type->fields, dest, error);
        return b->type->parse(e, path, dest, error);
}

int oci_json_array_parse(json_object *v, const char *path, const OciArrayType *t, void **ret, size_t *ret_n,
                         char **error) {
        ArrayBuilder b = { .type = t };
        size_t n;
        int r;

        r = oci_json_array(v, path, error);
        if (r < 0)
                return r;

        n = json_object_array_length(v);
        b.elements = calloc(n ?: 1, t->size);
        if (!b.elements)
                return -ENOMEM;

        r = oci_json_array_foreach(v, path, array_element, &b, error);
        if (r < 0) {
                if (t->done)
                        for (size_t j = 0; j < b.n_touched; j++)
                                t->done(b.elements + j * t->size);
                free(b.elements);
                return r;
        }

        *ret = b.elements;
        *ret_n = n;
        return 0;
}

void oci_string_map_done(OciStringMap *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++) {
                free(m->keys[i]);
                free(m->values[i]);
        }
        m->keys = mfree(m->keys);
        m->values = mfree(m->values);
        m->n = 0;
}

typedef struct MapBuilder {
        OciStringMap *map;
        size_t n_allocated;
        OciParser parse;
        const char *empty_key_message;
} MapBuilder;

static int map_member(json_object *v, const char *path, const char *key, void *userdata, char **error) {
        MapBuilder *b = userdata;
        OciStringMap *m = b->map;

        if (isempty(key))
                return oci_error(error, path, "%s", b->empty_key_message);
        /* A container's state file keeps annotations; its reader takes keys of at most this size. */
        if (strlen(key) > OCI_MAP_KEY_MAX)
                return oci_error(error, path, "key longer than %u bytes", OCI_MAP_KEY_MAX);
        if (m->n >= b->n_allocated)     /* cannot happen, but never write past the arrays */
                return -EINVAL;
        m->keys[m->n] = strdup(key);
        if (!m->keys[m->n])
                return -ENOMEM;
        m->n++;
        return b->parse(v, path, &m->values[m->n - 1], error);
}

int oci_json_string_map(json_object *v, const char *path, OciParser parse, const char *empty_key_message,
                        OciStringMap *ret, char **error) {
        _cleanup_(oci_string_map_done) OciStringMap m = {};
        size_t n;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;

        n = (size_t) json_object_object_length(v);
        m.keys = new0(char *, n);
        m.values = new0(char *, n);
        if (!m.keys || !m.values)
                return -ENOMEM;

        r = oci_json_object_foreach(v, path, map_member, &(MapBuilder) { &m, n, parse, empty_key_message }, error);
        if (r < 0)
                return r;

        oci_string_map_done(ret);
        *ret = m;
        m = (OciStringMap) {};
        return 0;
}

int oci_parse_string_map(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_string_map(v, path, oci_parse_string, "key must not be empty", dest, error);
}

int oci_json_string_map_keys(json_object *v, const char *path, bool (*valid_key)(const char *key),
                             const char *message, OciStringMap *ret, char **error) {
        int r;

        r = oci_parse_string_map(v, path, ret, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ret->n; i++)
                if (!valid_key(ret->keys[i]))
                        return oci_error_take(error, oci_path_map_key(path, ret->keys[i]), "%s", message);
        return 0;
}

static int check_id_mapping(json_object *e, const char *path, void *dest, char **error) {
        OciIdMapping *m = dest;
        uint64_t end;

        if (m->size == 0)
                return oci_error(error, path, "size must be positive");
        /* IDs are 32 bit and (uid_t) -1 is reserved: a range must end below it on both sides. */
        end = (uint64_t) m->size - 1;
        if ((uint64_t) m->container_id + end >= UINT32_MAX || (uint64_t) m->host_id + end >= UINT32_MAX)
                return oci_error(error, path, "mapping exceeds the 32-bit ID range");
        return 0;
}

static const OciField id_mapping_fields[] = {
        { "containerID", oci_parse_uint32, offsetof(OciIdMapping, container_id), OCI_MANDATORY },
        { "hostID",      oci_parse_uint32, offsetof(OciIdMapping, host_id),      OCI_MANDATORY },
        { "size",        oci_parse_uint32, offsetof(OciIdMapping, size),         OCI_MANDATORY },
        { OCI_CHECK(check_id_mapping) },
        {}
};

const OciArrayType oci_id_mapping_array = {
        .size = sizeof(OciIdMapping),
        .fields = id_mapping_fields,
};

int oci_dispatch_field(json_object *o, const char *path, const OciField *f, void *base, char **error) {
        _cleanup_free_ char *p = NULL;
        uint8_t *b = base;
        json_object *v;
        int r;

        v = oci_json_field(o, f->name);
        if (!v) {
                if (f->flags & OCI_MANDATORY)
                        return oci_error_take(error, oci_path_key(path, f->name), "required field is missing");
                return 0;
        }

        p = oci_path_key(path, f->name);
        if (!p)
                return -ENOMEM;
        if (f->fields)
                r = oci_dispatch(v, p, f->fields, b + f->offset, error);
        else if (f->array)
                r = oci_json_array_parse(v, p, f->array, (void **) (b + f->offset), (size_t *) (b + f->count_offset),
                                         error);
        else
                r = f->parse(v, p, b + f->offset, error);
        if (r < 0)
                return r;

        if (f->flags & OCI_HAS)
                *(bool *) (b + f->has_offset) = true;
        return 0;
}

int oci_dispatch(json_object *v, const char *path, const OciField *table, void *base, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;

        for (const OciField *f = table; f->name || f->parse; f++) {
                if (f->name)
                        r = oci_dispatch_field(v, path, f, base, error);
                else
                        r = f->parse(v, path, (uint8_t *) base + f->offset, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_dispatch_new(json_object *v, const char *path, const OciField *table, size_t size, void *ret,
                     char **error) {
        void **p = ret;

        *p = calloc(1, size);
        if (!*p)
                return -ENOMEM;
        return oci_dispatch(v, path, table, *p, error);
}

int oci_read_field(json_object *o, const char *path, const char *key, OciFieldFlags flags, OciParser parse,
                   void *dest, char **error) {
        const OciField f = { .name = key, .parse = parse, .flags = flags };

        return oci_dispatch_field(o, path, &f, dest, error);
}
