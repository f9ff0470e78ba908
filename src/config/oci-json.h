/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Typed access to json-c values for the OCI parser, with errors that name the JSON path.
 *
 * Every reader takes the value (NULL stands for JSON null: optional fields are looked up with oci_json_field(),
 * which treats null like an absent field, as Go's encoding/json does for runc), the path of that value for
 * error messages, where to store the result, and the error out-parameter. On a type or range error they
 * return -EINVAL and set *error to "PATH: what was wrong" (only the first error is kept); on allocation
 * failure -ENOMEM.
 *
 * An object is read with a table of its fields, walked in order (like systemd's JSON dispatch tables):
 *
 *     static const OciField hook_fields[] = {
 *             { "path",    oci_parse_abs_path, offsetof(OciHook, path), OCI_MANDATORY },
 *             { "args",    oci_parse_strv,     offsetof(OciHook, args) },
 *             { OCI_CHECK(check_hook_timeout) },
 *             {}
 *     };
 *     r = oci_dispatch(v, path, hook_fields, hook, error);
 *
 * Fields are read in table order, so the first error in that order is the one reported. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "oci-spec.h"

/* Sets *error to "PATH: message" unless an error is already set. Returns -EINVAL (or -ENOMEM). */
int oci_error(char **error, const char *path, const char *format, ...) _printf_(3, 4);
/* Like oci_error() with a chosen error code. Returns r (or -ENOMEM). */
int oci_error_code(char **error, int r, const char *path, const char *format, ...) _printf_(4, 5);
/* Like oci_error() at a path made by one of the oci_path_*() calls below, which it frees. A NULL path (the
 * call ran out of memory) gives -ENOMEM. Used as
 *     return oci_error_take(error, oci_path_index(path, i), "expected KEY=VALUE"); */
int oci_error_take(char **error, char *path, const char *format, ...) _printf_(3, 4);

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

/* Integers: JSON numbers without fraction or exponent, within [min, max]. */
int oci_json_int64(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret, char **error);
int oci_json_uint64(json_object *v, const char *path, uint64_t max, uint64_t *ret, char **error);

/* The walkers. Both check the type of v first, then call the function for each element (with the path
 * "PATH[I]") or for each member in document order (with the path PATH["KEY"], see oci_path_map_key()), and
 * stop at the first error, which they return. */
typedef int (*OciElementFunc)(json_object *e, const char *path, size_t i, void *userdata, char **error);
int oci_json_array_foreach(json_object *v, const char *path, OciElementFunc f, void *userdata, char **error);
typedef int (*OciMemberFunc)(json_object *v, const char *path, const char *key, void *userdata, char **error);
int oci_json_object_foreach(json_object *v, const char *path, OciMemberFunc f, void *userdata, char **error);

/* A reader of one value into *dest (whose type each reader names). Also the type of table steps. */
typedef int (*OciParser)(json_object *v, const char *path, void *dest, char **error);

/* The typed readers. Strings are copied (no NUL bytes, may be empty; a string replaces what dest held). */
int oci_parse_string(json_object *v, const char *path, void *dest, char **error);        /* char * */
int oci_parse_abs_path(json_object *v, const char *path, void *dest, char **error);      /* char *, absolute */
int oci_parse_bool(json_object *v, const char *path, void *dest, char **error);          /* bool */
/* Arrays of strings (or absolute paths): an empty array gives an empty (non-NULL) strv. */
int oci_parse_strv(json_object *v, const char *path, void *dest, char **error);          /* char ** */
int oci_parse_abs_strv(json_object *v, const char *path, void *dest, char **error);      /* char ** */
/* An object whose values are all strings; keys must not be empty. */
int oci_parse_string_map(json_object *v, const char *path, void *dest, char **error);    /* OciStringMap */
/* Integers over the full range of their type; a device number is 0..UINT32_MAX, stored as int64_t. The
 * OciOpt* readers also set .set. */
int oci_parse_int32(json_object *v, const char *path, void *dest, char **error);         /* int32_t */
int oci_parse_int64(json_object *v, const char *path, void *dest, char **error);         /* int64_t */
int oci_parse_uint32(json_object *v, const char *path, void *dest, char **error);        /* uint32_t */
int oci_parse_uint64(json_object *v, const char *path, void *dest, char **error);        /* uint64_t */
int oci_parse_dev_number(json_object *v, const char *path, void *dest, char **error);    /* int64_t */
int oci_parse_opt_int64(json_object *v, const char *path, void *dest, char **error);     /* OciOptI64 */
int oci_parse_opt_uint64(json_object *v, const char *path, void *dest, char **error);    /* OciOptU64 */

/* Define further integer readers with their own range: "static OCI_DEFINE_INT_PARSER(parse_nice, int32_t,
 * -20, 19)" reads an integer in [-20, 19] into an int32_t; the OPT variants fill an OciOptI64/OciOptU64. */
#define OCI_DEFINE_INT_PARSER(name, type, min, max)                                     \
        int name(json_object *v, const char *path, void *dest, char **error) {         \
                int64_t _i;                                                             \
                int _r = oci_json_int64(v, path, (min), (max), &_i, error);             \
                if (_r < 0)                                                             \
                        return _r;                                                      \
                *(type *) dest = (type) _i;                                             \
                return 0;                                                               \
        }
#define OCI_DEFINE_UINT_PARSER(name, type, max)                                         \
        int name(json_object *v, const char *path, void *dest, char **error) {         \
                uint64_t _u;                                                            \
                int _r = oci_json_uint64(v, path, (max), &_u, error);                   \
                if (_r < 0)                                                             \
                        return _r;                                                      \
                *(type *) dest = (type) _u;                                             \
                return 0;                                                               \
        }
#define OCI_DEFINE_OPT_INT_PARSER(name, min)                                            \
        int name(json_object *v, const char *path, void *dest, char **error) {         \
                OciOptI64 *_o = dest;                                                   \
                int _r = oci_json_int64(v, path, (min), INT64_MAX, &_o->value, error);  \
                if (_r < 0)                                                             \
                        return _r;                                                      \
                _o->set = true;                                                         \
                return 0;                                                               \
        }
#define OCI_DEFINE_OPT_UINT_PARSER(name, max)                                           \
        int name(json_object *v, const char *path, void *dest, char **error) {         \
                OciOptU64 *_o = dest;                                                   \
                int _r = oci_json_uint64(v, path, (max), &_o->value, error);            \
                if (_r < 0)                                                             \
                        return _r;                                                      \
                _o->set = true;                                                         \
                return 0;                                                               \
        }

/* Names the document spells out ("RLIMIT_NOFILE", "SCMP_CMP_EQ", ...) and their values. */
typedef struct OciNameValue {
        const char *name;
        long value;
} OciNameValue;

/* Returns 0 and *ret for NAME in table (n entries), or -ENOENT. */
int oci_name_lookup(const OciNameValue *table, size_t n, const char *name, long *ret);
/* Reads a string that must be a name of table: "PATH: unknown WHAT \"NAME\"" otherwise. */
int oci_json_enum(json_object *v, const char *path, const OciNameValue *table, size_t n, const char *what,
                  long *ret, char **error);

/* A string made of digits, ',' and '-' only (a CPU or memory-node list as in cpuset(7), like "0-3,7"). The
 * error is "PATH: invalid WHAT \"VALUE\"HINT". */
int oci_json_cpu_list(json_object *v, const char *path, const char *what, const char *hint, char **ret,
                      char **error);

typedef struct OciField OciField;

/* A string of one letter out of allowed: "PATH: unknown device type \"VALUE\" (expected EXPECTED)". */
int oci_json_device_type(json_object *v, const char *path, const char *allowed, const char *expected, char *ret,
                         char **error);

/* Looks for two of the n elements (of size bytes) of array a with the same int at offset. Returns true with
 * the index of the later one in *ret_i and of the earlier one in *ret_j (the first such pair in that order). */
bool oci_find_duplicate(const void *a, size_t n, size_t size, size_t offset, size_t *ret_i, size_t *ret_j);

/* An array of objects (or other values), read into a newly allocated zeroed array. */
typedef struct OciArrayType {
        size_t size;                    /* of an element */
        const OciField *fields;         /* an object element: its table, see oci_dispatch() */
        OciParser parse;                /* or the parser of an element, into the element */
        void (*done)(void *element);    /* frees what was put into an element, or NULL */
} OciArrayType;

/* Parses each element of array v into *ret, *ret_n (with the path "PATH[I]"; a null element is "PATH[I]:
 * expected an object, got null"). On failure the elements parsed so far are passed to t->done and the array
 * is freed. */
int oci_json_array_parse(json_object *v, const char *path, const OciArrayType *t, void **ret, size_t *ret_n,
                         char **error);

/* {containerID, hostID, size} objects (OciIdMapping). */
extern const OciArrayType oci_id_mapping_array;

/* The longest key oci_json_string_map() takes: what a container's state file (src/container/state.c) reads. */
#define OCI_MAP_KEY_MAX 4096U

/* Reads an object into the fields of an OciStringMap: each key (a key must not be empty: "PATH[\"\"]:
 * EMPTY_KEY_MESSAGE") with its value read by parse(value, PATH["KEY"], &values[i], error). */
int oci_json_string_map(json_object *v, const char *path, OciParser parse, const char *empty_key_message,
                        OciStringMap *ret, char **error);
/* Like oci_parse_string_map() into *ret, then each key in turn must pass valid_key: "PATH[\"KEY\"]: MESSAGE". */
int oci_json_string_map_keys(json_object *v, const char *path, bool (*valid_key)(const char *key),
                             const char *message, OciStringMap *ret, char **error);
void oci_string_map_done(OciStringMap *m);

/* The dispatch tables. */
typedef enum OciFieldFlags {
        OCI_MANDATORY = 1 << 0,         /* absent or null: "PATH.KEY: required field is missing" */
        OCI_HAS       = 1 << 1,         /* set the bool at has_offset once the field is read */
} OciFieldFlags;

struct OciField {
        const char *name;               /* NULL: a step on the whole object, see OCI_CHECK() */
        OciParser parse;                /* reads the value into base + offset */
        size_t offset;
        OciFieldFlags flags;
        size_t has_offset;              /* with OCI_HAS */
        const OciField *fields;         /* instead of parse: an object, read with this table into base + offset */
        const OciArrayType *array;      /* instead of parse: an array into base + offset, its length into base +
                                         * count_offset (size_t) */
        size_t count_offset;
};

/* The parts of special rows, each written in braces like any row:
 *     { OCI_CHECK(fn) }: a step at this point of the walk that sees the whole object: fn(object, path of the
 *                        object, base, error). For checks across fields (the error names the object) and
 *                        for fields that are read together.
 *     { OCI_ARRAY("key", Type, member, count, &elem) }: an array field, elements of type elem into
 *                        Type.member, their number into Type.count.
 *     { OCI_OBJECT("key", table, off) }: an object field read with its own table, into base + off.
 *     OCI_PRESENT(Type, member), after the other parts of a row: set the bool Type.member once the field
 *                        is read. */
#define OCI_CHECK(fn) .parse = (fn)
#define OCI_ARRAY(key, type, member, count, elem) \
        .name = (key), .offset = offsetof(type, member), .array = (elem), .count_offset = offsetof(type, count)
#define OCI_OBJECT(key, table, off) .name = (key), .fields = (table), .offset = (off)
#define OCI_PRESENT(type, member) .flags = OCI_HAS, .has_offset = offsetof(type, member)

/* Checks that v is an object, then reads its fields (and runs the steps) of table, which ends with an empty
 * row, into base. Fields not in the table are ignored. Returns 0 or the first error. */
int oci_dispatch(json_object *v, const char *path, const OciField *table, void *base, char **error);
/* Like oci_dispatch() into a newly allocated zeroed object of size bytes, stored in *(void **) ret even on
 * failure (the caller frees it). */
int oci_dispatch_new(json_object *v, const char *path, const OciField *table, size_t size, void *ret,
                     char **error);
/* Reads the one field f of object o into base. Returns 0 if it is absent and not mandatory. */
int oci_dispatch_field(json_object *o, const char *path, const OciField *f, void *base, char **error);
/* Reads field KEY of object o with parse into dest. Returns 0 if it is absent and not OCI_MANDATORY. */
int oci_read_field(json_object *o, const char *path, const char *key, OciFieldFlags flags, OciParser parse,
                   void *dest, char **error);

/* Parsers of the sections, in oci-spec-*.c. process, linux and seccomp allocate the struct (dest is an
 * OciProcess **, OciLinux **, OciSeccomp **; on failure the caller frees it); resources fill an OciResources. */
int oci_parse_process(json_object *v, const char *path, void *dest, char **error);
void oci_process_done(OciProcess *p);
int oci_parse_linux(json_object *v, const char *path, void *dest, char **error);
void oci_linux_done(OciLinux *l);
int oci_parse_resources(json_object *v, const char *path, void *dest, char **error);
void oci_resources_done(OciResources *r);
int oci_parse_seccomp(json_object *v, const char *path, void *dest, char **error);
OciSeccomp *oci_seccomp_free(OciSeccomp *s);
