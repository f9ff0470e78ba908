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

static const struct {
        const char *name;
        enum scmp_compare op;
} op_table[] = {
        { "SCMP_CMP_NE",        SCMP_CMP_NE },
        { "SCMP_CMP_LT",        SCMP_CMP_LT },
        { "SCMP_CMP_LE",        SCMP_CMP_LE },
        { "SCMP_CMP_EQ",        SCMP_CMP_EQ },
        { "SCMP_CMP_GE",        SCMP_CMP_GE },
        { "SCMP_CMP_GT",        SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct {
        const char *name;
        unsigned long flag;
} flag_table[] = {
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

/* Parses the action string at path, then folds in errnoRet (the field errno_key of object o) where the
 * action takes one; an errnoRet with any other action is an error, as the spec requires. */
static int parse_action(json_object *o, const char *path, const char *key, const char *errno_key,
                        uint32_t *ret, char **error) {
        _cleanup_free_ char *name = NULL;
        uint64_t e = EPERM;
        size_t i;
        int r;

        r = OCI_REQUIRED(o, path, key, oci_json_string(_v, _p, &name, error));
        if (r < 0)
                return r;
        for (i = 0; i < ELEMENTSOF(action_table); i++)
                if (streq(action_table[i].name, name))
                        break;
        if (i >= ELEMENTSOF(action_table)) {
                _cleanup_free_ char *ap = oci_path_key(path, key);
                return ap ? oci_error(error, ap, "unknown seccomp action \"%.64s\"", name) : -ENOMEM;
        }

        /* The data field of a seccomp return value is 16 bits wide. */
        r = OCI_FIELD(o, path, errno_key, oci_json_uint64(_v, _p, 0xffff, &e, error));
        if (r < 0)
                return r;
        if (oci_json_field(o, errno_key) && action_table[i].kind == ACTION_PLAIN) {
                _cleanup_free_ char *ep = oci_path_key(path, errno_key);
                return ep ? oci_error(error, ep, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", name)
                          : -ENOMEM;
        }

        switch (action_table[i].kind) {
        case ACTION_ERRNO:
                *ret = SCMP_ACT_ERRNO((uint32_t) e);
                break;
        case ACTION_TRACE:
                *ret = SCMP_ACT_TRACE((uint32_t) e);
                break;
        default:
                *ret = action_table[i].action;
        }
        return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64". */
static int parse_arch(json_object *e, const char *path, void *dest, char **error) {
        _cleanup_free_ char *name = NULL;
        char lower[32];
        const char *s;
        size_t n;
        int r;

        r = oci_json_string(e, path, &name, error);
        if (r < 0)
                return r;
        s = startswith(name, "SCMP_ARCH_");
        n = s ? strlen(s) : 0;
        if (n == 0 || n >= sizeof(lower))
                return oci_error(error, path, "unknown seccomp architecture \"%.64s\"", name);
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char) tolower((unsigned char) s[i]);
        *(uint32_t *) dest = seccomp_arch_resolve_name(lower);
        if (*(uint32_t *) dest == 0)
                return oci_error(error, path, "unknown seccomp architecture \"%.64s\"", name);
        return 0;
}

static int parse_flags(json_object *v, const char *path, unsigned long *ret, char **error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = oci_json_strv(v, path, false, &l, error);
        if (r < 0)
                return r;
        for (size_t i = 0; l[i]; i++) {
                size_t j;

                for (j = 0; j < ELEMENTSOF(flag_table); j++)
                        if (streq(flag_table[j].name, l[i]))
                                break;
                if (j >= ELEMENTSOF(flag_table)) {
                        _cleanup_free_ char *ep = oci_path_index(path, i);
                        return ep ? oci_error(error, ep, "unknown seccomp flag \"%.64s\"", l[i]) : -ENOMEM;
                }
                *ret |= flag_table[j].flag;
        }
        return 0;
}

static int parse_arg(json_object *e, const char *path, void *dest, char **error) {
        OciSeccompArg *a = dest;
        _cleanup_free_ char *op = NULL;
        uint64_t index = 0;
        size_t i;
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        /* System calls have six arguments. */
        r = OCI_REQUIRED(e, path, "index", oci_json_uint64(_v, _p, 5, &index, error));
        if (r < 0)
                return r;
        a->index = (unsigned) index;
        r = OCI_REQUIRED(e, path, "value", oci_json_uint64(_v, _p, UINT64_MAX, &a->value, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(e, path, "valueTwo", oci_json_uint64(_v, _p, UINT64_MAX, &a->value_two, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "op", oci_json_string(_v, _p, &op, error));
        if (r < 0)
                return r;
        for (i = 0; i < ELEMENTSOF(op_table); i++)
                if (streq(op_table[i].name, op))
                        break;
        if (i >= ELEMENTSOF(op_table)) {
                _cleanup_free_ char *opp = oci_path_key(path, "op");
                return opp ? oci_error(error, opp, "unknown seccomp operator \"%.64s\"", op) : -ENOMEM;
        }
        a->op = op_table[i].op;
        return 0;
}

/* Syscall names must look like names; names this libseccomp does not know are kept, not refused: profiles
 * (Docker's, podman's) list calls newer than the library, and runc and crun skip those. The consumer skips
 * them when seccomp_syscall_resolve_name() returns __NR_SCMP_ERROR. */
static int parse_names(json_object *v, const char *path, char ***ret, char **error) {
        int r;

        r = oci_json_strv(v, path, false, ret, error);
        if (r < 0)
                return r;
        if (!(*ret)[0])
                return oci_error(error, path, "must contain at least one entry");
        for (size_t i = 0; (*ret)[i]; i++) {
                const char *n = (*ret)[i];
                bool ok = n[0] && strlen(n) < 64;

                for (const char *q = n; ok && *q; q++)
                        ok = islower((unsigned char) *q) || isdigit((unsigned char) *q) || *q == '_';
                if (!ok) {
                        _cleanup_free_ char *ep = oci_path_index(path, i);
                        return ep ? oci_error(error, ep, "invalid system call name \"%.64s\"", n) : -ENOMEM;
                }
        }
        return 0;
}

static int parse_rule(json_object *e, const char *path, void *dest, char **error) {
        OciSeccompRule *rule = dest;
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "names", parse_names(_v, _p, &rule->names, error));
        if (r < 0)
                return r;
        r = parse_action(e, path, "action", "errnoRet", &rule->action, error);
        if (r < 0)
                return r;
        return OCI_FIELD(e, path, "args",
                         oci_json_array_parse(_v, _p, sizeof(OciSeccompArg), parse_arg, NULL,
                                              (void **) &rule->args, &rule->n_args, error));
}

int oci_parse_seccomp(json_object *v, const char *path, OciSeccomp *s, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = parse_action(v, path, "defaultAction", "defaultErrnoRet", &s->default_action, error);
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "architectures",
                      oci_json_array_parse(_v, _p, sizeof(uint32_t), parse_arch, NULL,
                                           (void **) &s->architectures, &s->n_architectures, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "flags", parse_flags(_v, _p, &s->flags, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "listenerPath", oci_json_abs_path(_v, _p, &s->listener_path, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "listenerMetadata", oci_json_string(_v, _p, &s->listener_metadata, error));
        if (r < 0)
                return r;
        if (s->listener_metadata && !s->listener_path)
                return oci_error(error, path, "listenerMetadata must not be set without listenerPath");
        return OCI_FIELD(v, path, "syscalls",
                         oci_json_array_parse(_v, _p, sizeof(OciSeccompRule), parse_rule, rule_done,
                                              (void **) &s->syscalls, &s->n_syscalls, error));
}
