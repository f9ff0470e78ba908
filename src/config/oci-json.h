/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Typed access to json-c values for the OCI parser, with errors that name the JSON path.
 *
 * Every getter takes the value (never NULL: callers look up optional fields with oci_json_field(), which
 * treats JSON null like an absent field, as Go's encoding/json does for runc), the path of that value for
 * error messages, and the error out-parameter. On a type or range error they return -EINVAL and set
 * *error to "PATH: what was wrong" (only the first error is kept); on allocation failure -ENOMEM. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "oci-spec.h"

/* Sets *error to "PATH: message" unless an error is already set. Returns -EINVAL (or -ENOMEM). */
int oci_error(char **error, const char *path, const char *format, ...) _printf_(3, 4);
/* Like oci_error() with a chosen error code. Returns r (or -ENOMEM). */
int oci_error_code(char **error, int r, const char *path, const char *format, ...) _printf_(4, 5);

/* Returns "PARENT.KEY" (or "KEY" for an empty/NULL parent), or NULL on OOM. */
char *oci_path_key(const char *parent, const char *key);
/* Returns "PARENT[I]", or NULL on OOM. */
char *oci_path_index(const char *parent, size_t i);
/* Returns PARENT["KEY"] with KEY quoted and escaped (for map keys from the document), or NULL on OOM. */
char *oci_path_map_key(const char *parent, const char *key);

/* Returns the value of field KEY of object o, or NULL if it is absent or null. */
json_object *oci_json_field(json_object *o, const char *key);

/* Returns a short description of what v is ("a string", "an array", "null", ...). */
const char *oci_json_type_name(json_object *v);

/* Check the JSON type of v. Return 0 or -EINVAL ("PATH: expected an object, got a string"). */
int oci_json_object(json_object *v, const char *path, char **error);
int oci_json_array(json_object *v, const char *path, char **error);
/* Copies a string (no NUL bytes, may be empty). */
int oci_json_string(json_object *v, const char *path, char **ret, char **error);
/* Like oci_json_string(), but the string must be an absolute path. */
int oci_json_abs_path(json_object *v, const char *path, char **ret, char **error);
int oci_json_bool(json_object *v, const char *path, bool *ret, char **error);
/* Integers: JSON numbers without fraction or exponent, within [min, max]. */
int oci_json_int64(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret, char **error);
int oci_json_uint64(json_object *v, const char *path, uint64_t max, uint64_t *ret, char **error);
int oci_json_uint32(json_object *v, const char *path, uint32_t *ret, char **error);
/* An array of strings, each checked by oci_json_string() (or oci_json_abs_path() if absolute). An empty
 * array gives an empty (non-NULL) strv. */
int oci_json_strv(json_object *v, const char *path, bool absolute, char ***ret, char **error);
/* An object whose values are all strings; keys must not be empty. */
int oci_json_string_map(json_object *v, const char *path, OciStringMap *ret, char **error);
/* An array of {containerID, hostID, size} objects. */
int oci_json_id_mappings(json_object *v, const char *path, OciIdMapping **ret, size_t *ret_n, char **error);

void oci_string_map_done(OciStringMap *m);

/* Calls parse(element, element_path, dest + i * size, error) for each element of array v, into a newly
 * allocated zeroed array of n elements of size bytes. On failure the half-filled array is passed to
 * done() (if not NULL) for each element and freed. */
int oci_json_array_parse(json_object *v, const char *path, size_t size,
                         int (*parse)(json_object *e, const char *epath, void *dest, char **error),
                         void (*done)(void *dest),
                         void **ret, size_t *ret_n, char **error);

/* Parsers of the sections, in oci-spec-*.c. Each fills a zeroed struct; on failure the caller frees it. */
int oci_parse_process(json_object *v, const char *path, OciProcess *p, char **error);
void oci_process_done(OciProcess *p);
int oci_parse_linux(json_object *v, const char *path, OciLinux *l, char **error);
void oci_linux_done(OciLinux *l);
int oci_parse_resources(json_object *v, const char *path, OciResources *r, char **error);
void oci_resources_done(OciResources *r);
int oci_parse_seccomp(json_object *v, const char *path, OciSeccomp *s, char **error);
OciSeccomp *oci_seccomp_free(OciSeccomp *s);

/* Looks up field KEY of object O and, if present, parses it with call(value, path_of_field). Used as
 *     r = OCI_FIELD(o, path, "cwd", oci_json_abs_path(_v, _p, &p->cwd, error));
 * Evaluates to 0 if absent, the result of the call otherwise, -ENOMEM if the path could not be built. */
#define OCI_FIELD(o, path, key, call)                                           \
        ({                                                                      \
                json_object *_v = oci_json_field((o), (key));                   \
                int _r = 0;                                                     \
                if (_v) {                                                       \
                        _cleanup_free_ char *_p = oci_path_key((path), (key));  \
                        _r = _p ? (call) : -ENOMEM;                             \
                }                                                               \
                _r;                                                             \
        })

/* Like OCI_FIELD(), but an absent field is an error "PATH.KEY: required field is missing". */
#define OCI_REQUIRED(o, path, key, call)                                                        \
        ({                                                                                      \
                json_object *_v = oci_json_field((o), (key));                                   \
                _cleanup_free_ char *_p = oci_path_key((path), (key));                          \
                int _r;                                                                         \
                if (!_p)                                                                        \
                        _r = -ENOMEM;                                                           \
                else if (!_v)                                                                   \
                        _r = oci_error(error, _p, "required field is missing");                 \
                else                                                                            \
                        _r = (call);                                                            \
                _r;                                                                             \
        })
