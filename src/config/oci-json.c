/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
         * line. */
        for (char *c = full; *c; c++)
                if ((unsigned char) *c < ' ' || *c == 0x7f)
                        *c = '?';
        *error = full;
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

int oci_json_string(json_object *v, const char *path, char **ret, char **error) {
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

int oci_json_abs_path(json_object *v, const char *path, char **ret, char **error) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = oci_json_string(v, path, &s, error);
        if (r < 0)
                return r;
        if (s[0] != '/')
                return oci_error(error, path, "must be an absolute path");
        free(*ret);
        *ret = TAKE_PTR(s);
        return 0;
}

int oci_json_bool(json_object *v, const char *path, bool *ret, char **error) {
        if (!json_object_is_type(v, json_type_boolean))
                return oci_error(error, path, "expected a boolean, got %s", oci_json_type_name(v));
        *ret = json_object_get_boolean(v);
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

int oci_json_uint32(json_object *v, const char *path, uint32_t *ret, char **error) {
        uint64_t u;
        int r;

        r = oci_json_uint64(v, path, UINT32_MAX, &u, error);
        if (r < 0)
                return r;
        *ret = (uint32_t) u;
        return 0;
}

int oci_json_strv(json_object *v, const char *path, bool absolute, char ***ret, char **error) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        r = oci_json_array(v, path, error);
        if (r < 0)
                return r;

        n = json_object_array_length(v);
        l = new0(char *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = oci_path_index(path, i);
                if (!p)
                        return -ENOMEM;
                if (absolute)
                        r = oci_json_abs_path(json_object_array_get_idx(v, i), p, &l[i], error);
                else
                        r = oci_json_string(json_object_array_get_idx(v, i), p, &l[i], error);
                if (r < 0)
                        return r;
        }

        strv_free(*ret);
        *ret = TAKE_PTR(l);
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

int oci_json_string_map(json_object *v, const char *path, OciStringMap *ret, char **error) {
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

        json_object_object_foreach(v, key, val) {
                _cleanup_free_ char *p = oci_path_map_key(path, key);
                if (!p)
                        return -ENOMEM;
                if (isempty(key))
                        return oci_error(error, p, "key must not be empty");
                if (m.n >= n)   /* cannot happen, but never write past the arrays */
                        return -EINVAL;
                m.keys[m.n] = strdup(key);
                if (!m.keys[m.n])
                        return -ENOMEM;
                m.n++;
                if (!val)
                        return oci_error(error, p, "expected a string, got null");
                r = oci_json_string(val, p, &m.values[m.n - 1], error);
                if (r < 0)
                        return r;
        }

        oci_string_map_done(ret);
        *ret = m;
        m = (OciStringMap) {};
        return 0;
}

static int parse_id_mapping(json_object *e, const char *path, void *dest, char **error) {
        OciIdMapping *m = dest;
        uint64_t end;
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "containerID", oci_json_uint32(_v, _p, &m->container_id, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "hostID", oci_json_uint32(_v, _p, &m->host_id, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "size", oci_json_uint32(_v, _p, &m->size, error));
        if (r < 0)
                return r;
        if (m->size == 0)
                return oci_error(error, path, "size must be positive");
        /* IDs are 32 bit and (uid_t) -1 is reserved: a range must end below it on both sides. */
        end = (uint64_t) m->size - 1;
        if ((uint64_t) m->container_id + end >= UINT32_MAX || (uint64_t) m->host_id + end >= UINT32_MAX)
                return oci_error(error, path, "mapping exceeds the 32-bit ID range");
        return 0;
}

int oci_json_id_mappings(json_object *v, const char *path, OciIdMapping **ret, size_t *ret_n, char **error) {
        return oci_json_array_parse(v, path, sizeof(OciIdMapping), parse_id_mapping, NULL,
                                    (void **) ret, ret_n, error);
}

int oci_json_array_parse(json_object *v, const char *path, size_t size,
                         int (*parse)(json_object *e, const char *epath, void *dest, char **error),
                         void (*done)(void *dest),
                         void **ret, size_t *ret_n, char **error) {
        uint8_t *a;
        size_t n;
        int r;

        r = oci_json_array(v, path, error);
        if (r < 0)
                return r;

        n = json_object_array_length(v);
        a = calloc(n ?: 1, size);
        if (!a)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = oci_path_index(path, i);
                json_object *e = json_object_array_get_idx(v, i);

                r = p ? 0 : -ENOMEM;
                if (r >= 0 && !e)
                        r = oci_error(error, p, "expected an object, got null");
                if (r >= 0)
                        r = parse(e, p, a + i * size, error);
                if (r < 0) {
                        if (done)
                                for (size_t j = 0; j <= i; j++)
                                        done(a + j * size);
                        free(a);
                        return r;
                }
        }

        *ret = a;
        *ret_n = n;
        return 0;
}
