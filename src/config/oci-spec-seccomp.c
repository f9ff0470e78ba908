/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "linux.seccomp": actions, architectures, flags, syscall rules, validated against libseccomp. */
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>

#include "oci-json.h"
#include "strv.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The SCMP_ACT_* and SCMP_CMP_* names of libseccomp, mapped to libseccomp's own constants. libseccomp has no
 * name lookup for these (it has one for syscalls and architectures, used below). */
typedef enum ActionKind {
        ACTION_PLAIN,
        ACTION_ERRNO,           /* takes errnoRet, default EPERM */
        ACTION_TRACE,           /* takes errnoRet as trace data, default EPERM like runc */
} ActionKind;

static const struct {
        const char *name;
        uint32_t action;
        ActionKind kind;
} action_table[] = {
        { "SCMP_ACT_KILL",         SCMP_ACT_KILL,         ACTION_PLAIN },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACTION_PLAIN },
        { "SCMP_ACT_KILL_THREAD",  SCMP_ACT_KILL_THREAD,  ACTION_PLAIN },
        { "SCMP_ACT_TRAP",         SCMP_ACT_TRAP,         ACTION_PLAIN },
        { "SCMP_ACT_ERRNO",        SCMP_ACT_ERRNO(0),     ACTION_ERRNO },
        { "SCMP_ACT_TRACE",        SCMP_ACT_TRACE(0),     ACTION_TRACE },
        { "SCMP_ACT_ALLOW",        SCMP_ACT_ALLOW,        ACTION_PLAIN },
        { "SCMP_ACT_LOG",          SCMP_ACT_LOG,          ACTION_PLAIN },
        { "SCMP_ACT_NOTIFY",       SCMP_ACT_NOTIFY,       ACTION_PLAIN },
};

static const OciNameValue op_table[] = {
        { "SCMP_CMP_NE",        SCMP_CMP_NE },
        { "SCMP_CMP_LT",        SCMP_CMP_LT },
        { "SCMP_CMP_LE",        SCMP_CMP_LE },
        { "SCMP_CMP_EQ",        SCMP_CMP_EQ },
        { "SCMP_CMP_GE",        SCMP_CMP_GE },
        { "SCMP_CMP_GT",        SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const OciNameValue flag_table[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC",              SECCOMP_FILTER_FLAG_TSYNC },
        { "SECCOMP_FILTER_FLAG_LOG",                SECCOMP_FILTER_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW",         SECCOMP_FILTER_FLAG_SPEC_ALLOW },
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static void rule_done(void *p) {
        OciSeccompRule *r = p;

        strv_free(r->names);
        free(r->args);
}

OciSeccomp *oci_seccomp_free(OciSeccomp *s) {
        if (!s)
                return NULL;
        free(s->architectures);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_syscalls; i++)
                rule_done(&s->syscalls[i]);
        free(s->syscalls);
        return mfree(s);
}

/* The data field of a seccomp return value is 16 bits wide. */
static OCI_DEFINE_UINT_PARSER(parse_errno_ret, uint32_t, 0xffff)

/* Reads the action string of field key of object o, then folds in errnoRet (the field errno_key) where the
 * action takes one; an errnoRet with any other action is an error, as the spec requires. */
static int parse_action(json_object *o, const char *path, const char *key, const char *errno_key,
                        uint32_t *ret, char **error) {
        _cleanup_free_ char *name = NULL;
        uint32_t e = EPERM;
        size_t i;
        int r;

        r = oci_read_field(o, path, key, OCI_MANDATORY, oci_parse_string, &name, error);
        if (r < 0)
                return r;
        for (i = 0; i < ELEMENTSOF(action_table); i++)
                if (streq(action_table[i].name, name))
                        break;
        if (i >= ELEMENTSOF(action_table))
                return oci_error_take(error, oci_path_key(path, key), "unknown seccomp action \"%.64s\"", name);

        r = oci_read_field(o, path, errno_key, 0, parse_errno_ret, &e, error);
        if (r < 0)
                return r;
        if (oci_json_field(o, errno_key) && action_table[i].kind == ACTION_PLAIN)
                return oci_error_take(error, oci_path_key(path, errno_key),
                                      "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", name);

        switch (action_table[i].kind) {
        case ACTION_ERRNO:
                *ret = SCMP_ACT_ERRNO(e);
                break;
        case ACTION_TRACE:
                *ret = SCMP_ACT_TRACE(e);
                break;
        default:
                *ret = action_table[i].action;
        }
        return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64". */
static int parse_arch(json_object *e, const char *path, void *dest, char **error) {
        _cleanup_free_ char *name = NULL;
        uint32_t *arch = dest;
        char lower[32];
        const char *s;
        size_t n;
        int r;

        r = oci_parse_string(e, path, &name, error);
        if (r < 0)
                return r;
        s = startswith(name, "SCMP_ARCH_");
        n = s ? strlen(s) : 0;
        if (n == 0 || n >= sizeof(lower))
                return oci_error(error, path, "unknown seccomp architecture \"%.64s\"", name);
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char) tolower((unsigned char) s[i]);
        *arch = seccomp_arch_resolve_name(lower);
        if (*arch == 0)
                return oci_error(error, path, "unknown seccomp architecture \"%.64s\"", name);
        return 0;
}

static const OciArrayType arch_array = { .size = sizeof(uint32_t), .parse = parse_arch };

static int parse_flags(json_object *v, const char *path, void *dest, char **error) {
        _cleanup_strv_free_ char **l = NULL;
        unsigned long *flags = dest;
        int r;

        r = oci_parse_strv(v, path, &l, error);
        if (r < 0)
                return r;
        for (size_t i = 0; l[i]; i++) {
                long f;

                if (oci_name_lookup(flag_table, ELEMENTSOF(flag_table), l[i], &f) < 0)
                        return oci_error_take(error, oci_path_index(path, i), "unknown seccomp flag \"%.64s\"", l[i]);
                *flags |= (unsigned long) f;
        }
        return 0;
}

static OCI_DEFINE_UINT_PARSER(parse_arg_index, unsigned, 5)   /* system calls have six arguments */

static int parse_op(json_object *v, const char *path, void *dest, char **error) {
        long op;
        int r;

        r = oci_json_enum(v, path, op_table, ELEMENTSOF(op_table), "seccomp operator", &op, error);
        if (r < 0)
                return r;
        *(int *) dest = (int) op;
        return 0;
}

static const OciField arg_fields[] = {
        { "index",    parse_arg_index,  offsetof(OciSeccompArg, index),     OCI_MANDATORY },
        { "value",    oci_parse_uint64, offsetof(OciSeccompArg, value),     OCI_MANDATORY },
        { "valueTwo", oci_parse_uint64, offsetof(OciSeccompArg, value_two) },
        { "op",       parse_op,         offsetof(OciSeccompArg, op),        OCI_MANDATORY },
        {}
};

static const OciArrayType arg_array = { sizeof(OciSeccompArg), arg_fields };

/* Syscall names must look like names; names this libseccomp does not know are kept, not refused: profiles
 * (Docker's, podman's) list calls newer than the library, and runc and crun skip those. The consumer skips
 * them when seccomp_syscall_resolve_name() returns __NR_SCMP_ERROR. */
static int parse_names(json_object *v, const char *path, void *dest, char **error) {
        char ***names = dest;
        int r;

        r = oci_parse_strv(v, path, names, error);
        if (r < 0)
                return r;
        if (!(*names)[0])
                return oci_error(error, path, "must contain at least one entry");
        for (size_t i = 0; (*names)[i]; i++) {
                const char *n = (*names)[i];
                bool ok = n[0] && strlen(n) < 64;

                for (const char *q = n; ok && *q; q++)
                        ok = islower((unsigned char) *q) || isdigit((unsigned char) *q) || *q == '_';
                if (!ok)
                        return oci_error_take(error, oci_path_index(path, i), "invalid system call name \"%.64s\"", n);
        }
        return 0;
}

static int parse_rule_action(json_object *e, const char *path, void *dest, char **error) {
        return parse_action(e, path, "action", "errnoRet", dest, error);
}

static const OciField rule_fields[] = {
        { "names", parse_names, offsetof(OciSeccompRule, names), OCI_MANDATORY },
        { OCI_CHECK(parse_rule_action), .offset = offsetof(OciSeccompRule, action) },
        { OCI_ARRAY("args", OciSeccompRule, args, n_args, &arg_array) },
        {}
};

static const OciArrayType rule_array = { sizeof(OciSeccompRule), rule_fields, NULL, rule_done };

static int parse_default_action(json_object *v, const char *path, void *dest, char **error) {
        return parse_action(v, path, "defaultAction", "defaultErrnoRet", dest, error);
}

static int check_listener(json_object *v, const char *path, void *dest, char **error) {
        OciSeccomp *s = dest;

        if (s->listener_metadata && !s->listener_path)
                return oci_error(error, path, "listenerMetadata must not be set without listenerPath");
        return 0;
}

static const OciField seccomp_fields[] = {
        { OCI_CHECK(parse_default_action), .offset = offsetof(OciSeccomp, default_action) },
        { OCI_ARRAY("architectures", OciSeccomp, architectures, n_architectures, &arch_array) },
        { "flags",            parse_flags,        offsetof(OciSeccomp, flags) },
        { "listenerPath",     oci_parse_abs_path, offsetof(OciSeccomp, listener_path) },
        { "listenerMetadata", oci_parse_string,   offsetof(OciSeccomp, listener_metadata) },
        { OCI_CHECK(check_listener) },
        { OCI_ARRAY("syscalls", OciSeccomp, syscalls, n_syscalls, &rule_array) },
        {}
};

int oci_parse_seccomp(json_object *v, const char *path, void *dest, char **error) {
        return oci_dispatch_new(v, path, seccomp_fields, sizeof(OciSeccomp), dest, error);
}
