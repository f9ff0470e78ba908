/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "process": arguments, environment, user, capabilities, rlimits, scheduler, I/O priority. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "oci-json.h"
#include "strv.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_ISO
#define SCHED_ISO 4     /* reserved by the kernel, never implemented; the spec lists it */
#endif

/* getrlimit(2)'s resources. Neither glibc nor any library we use maps the names, so this table does. */
static const OciNameValue rlimit_table[] = {
        { "RLIMIT_AS",         RLIMIT_AS },
        { "RLIMIT_CORE",       RLIMIT_CORE },
        { "RLIMIT_CPU",        RLIMIT_CPU },
        { "RLIMIT_DATA",       RLIMIT_DATA },
        { "RLIMIT_FSIZE",      RLIMIT_FSIZE },
        { "RLIMIT_LOCKS",      RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK",    RLIMIT_MEMLOCK },
        { "RLIMIT_MSGQUEUE",   RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE",       RLIMIT_NICE },
        { "RLIMIT_NOFILE",     RLIMIT_NOFILE },
        { "RLIMIT_NPROC",      RLIMIT_NPROC },
        { "RLIMIT_RSS",        RLIMIT_RSS },
        { "RLIMIT_RTPRIO",     RLIMIT_RTPRIO },
        { "RLIMIT_RTTIME",     RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
        { "RLIMIT_STACK",      RLIMIT_STACK },
};

static const OciNameValue sched_policy_table[] = {
        { "SCHED_OTHER",    SCHED_OTHER },
        { "SCHED_FIFO",     SCHED_FIFO },
        { "SCHED_RR",       SCHED_RR },
        { "SCHED_BATCH",    SCHED_BATCH },
        { "SCHED_ISO",      SCHED_ISO },
        { "SCHED_IDLE",     SCHED_IDLE },
        { "SCHED_DEADLINE", SCHED_DEADLINE },
};

/* The values of <linux/sched.h>, which cannot be included next to <sched.h>. */
static const OciNameValue sched_flag_table[] = {
        { "SCHED_FLAG_RESET_ON_FORK",  0x01 },
        { "SCHED_FLAG_RECLAIM",        0x02 },
        { "SCHED_FLAG_DL_OVERRUN",     0x04 },
        { "SCHED_FLAG_KEEP_POLICY",    0x08 },
        { "SCHED_FLAG_KEEP_PARAMS",    0x10 },
        { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
        { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static const OciNameValue ioprio_class_table[] = {
        { "IOPRIO_CLASS_RT",   1 },
        { "IOPRIO_CLASS_BE",   2 },
        { "IOPRIO_CLASS_IDLE", 3 },
};

void oci_process_done(OciProcess *p) {
        if (!p)
                return;
        free(p->additional_gids);
        free(p->username);
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        strv_free(p->unknown_capabilities);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p->exec_cpu_affinity_initial);
        free(p->exec_cpu_affinity_final);
}

typedef struct ConsoleSize {
        uint32_t height, width;
} ConsoleSize;

static const OciField console_size_fields[] = {
        { "height", oci_parse_uint32, offsetof(ConsoleSize, height), OCI_MANDATORY },
        { "width",  oci_parse_uint32, offsetof(ConsoleSize, width),  OCI_MANDATORY },
        {}
};

static int parse_console_size(json_object *v, const char *path, void *dest, char **error) {
        OciProcess *p = dest;
        ConsoleSize c = {};
        int r;

        /* "Runtimes MUST ignore consoleSize if terminal is false or unset." */
        if (!p->terminal)
                return 0;
        r = oci_dispatch(v, path, console_size_fields, &c, error);
        if (r < 0)
                return r;
        /* struct winsize has unsigned short fields. */
        if (c.height > UINT16_MAX || c.width > UINT16_MAX)
                return oci_error(error, path, "console size %ux%u too large", c.width, c.height);
        p->has_console_size = true;
        p->console_height = c.height;
        p->console_width = c.width;
        return 0;
}

static int parse_id(json_object *v, const char *path, void *dest, char **error) {
        uint32_t *id = dest;
        int r;

        r = oci_parse_uint32(v, path, id, error);
        if (r < 0)
                return r;
        if (*id == UINT32_MAX)
                return oci_error(error, path, "4294967295 is not a valid user or group ID");
        return 0;
}

static const OciArrayType gid_array = { .size = sizeof(gid_t), .parse = parse_id };

static int check_umask(json_object *v, const char *path, void *dest, char **error) {
        OciProcess *p = dest;

        if (p->has_umask && p->umask > 0777)
                return oci_error(error, path, "umask %#o out of range [0, 0777]", (unsigned) p->umask);
        return 0;
}

/* user itself is optional (the JSON schema does not require it; runc then runs as 0:0), but when given, uid
 * and gid are required (config.md, POSIX-platform User). */
static const OciField user_fields[] = {
        { "uid",            parse_id,         offsetof(OciProcess, uid), OCI_MANDATORY },
        { "gid",            parse_id,         offsetof(OciProcess, gid), OCI_MANDATORY },
        { "umask",          oci_parse_uint32, offsetof(OciProcess, umask), OCI_PRESENT(OciProcess, has_umask) },
        { OCI_CHECK(check_umask) },
        { OCI_ARRAY("additionalGids", OciProcess, additional_gids, n_additional_gids, &gid_array) },
        { "username",       oci_parse_string, offsetof(OciProcess, username) },
        {}
};

static int parse_env(json_object *v, const char *path, void *dest, char **error) {
        char ***env = dest;
        int r;

        r = oci_parse_strv(v, path, env, error);
        if (r < 0)
                return r;
        for (size_t i = 0; (*env)[i]; i++) {
                const char *eq = strchr((*env)[i], '=');

                if (!eq || eq == (*env)[i])
                        return oci_error_take(error, oci_path_index(path, i), "expected KEY=VALUE");
        }
        return 0;
}

static int parse_args(json_object *v, const char *path, void *dest, char **error) {
        char ***args = dest;
        int r;

        r = oci_parse_strv(v, path, args, error);
        if (r < 0)
                return r;
        if (!(*args)[0])
                return oci_error(error, path, "must contain at least one entry");
        if (isempty((*args)[0]))
                return oci_error(error, path, "the executable (first entry) must not be empty");
        return 0;
}

/* Capability names: CAP_ and upper case, as in capabilities(7). A malformed name is an error; a well-formed
 * name libcap does not know is kept in unknown_capabilities: the spec says such values MUST be logged as a
 * warning and runtimes SHOULD NOT fail. */
static int parse_cap_names(json_object *v, const char *path, void *dest, char **error) {
        char ***names = dest;
        int r;

        r = oci_parse_strv(v, path, names, error);
        if (r < 0)
                return r;
        for (size_t i = 0; (*names)[i]; i++) {
                const char *n = (*names)[i];
                bool ok = startswith(n, "CAP_") && n[4];

                for (const char *q = n; ok && *q; q++)
                        ok = isupper((unsigned char) *q) || isdigit((unsigned char) *q) || *q == '_';
                if (!ok)
                        return oci_error_take(error, oci_path_index(path, i), "invalid capability name \"%.64s\"", n);
        }
        return 0;
}

typedef struct CapabilityNames {
        char **sets[_OCI_CAP_SET_MAX];
} CapabilityNames;

static void capability_names_done(CapabilityNames *c) {
        for (OciCapabilitySet s = 0; s < _OCI_CAP_SET_MAX; s++)
                strv_free(c->sets[s]);
}

#define CAP_SET(set, name) { name, parse_cap_names, offsetof(CapabilityNames, sets[set]) }

static const OciField capability_fields[] = {
        CAP_SET(OCI_CAP_BOUNDING,    "bounding"),
        CAP_SET(OCI_CAP_EFFECTIVE,   "effective"),
        CAP_SET(OCI_CAP_INHERITABLE, "inheritable"),
        CAP_SET(OCI_CAP_PERMITTED,   "permitted"),
        CAP_SET(OCI_CAP_AMBIENT,     "ambient"),
        {}
};

static int parse_capabilities(json_object *v, const char *path, void *dest, char **error) {
        _cleanup_(capability_names_done) CapabilityNames c = {};
        OciProcess *p = dest;
        int r;

        r = oci_dispatch(v, path, capability_fields, &c, error);
        if (r < 0)
                return r;
        for (OciCapabilitySet s = 0; s < _OCI_CAP_SET_MAX; s++)
                STRV_FOREACH(n, c.sets[s]) {
                        cap_value_t cap;

                        if (cap_from_name(*n, &cap) < 0 || cap < 0 || cap >= 64) {
                                if (!strv_find(p->unknown_capabilities, *n) &&
                                    strv_extend(&p->unknown_capabilities, *n) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        p->capabilities[s] |= UINT64_C(1) << cap;
                }
        return 0;
}

static int parse_rlimit_type(json_object *e, const char *path, void *dest, char **error) {
        _cleanup_free_ char *type = NULL;
        OciRlimit *l = dest;
        long res;
        int r;

        r = oci_read_field(e, path, "type", OCI_MANDATORY, oci_parse_string, &type, error);
        if (r < 0)
                return r;
        /* An unknown type is reported at the entry. */
        if (oci_name_lookup(rlimit_table, ELEMENTSOF(rlimit_table), type, &res) < 0)
                return oci_error(error, path, "unknown rlimit type \"%.64s\"", type);
        l->resource = (int) res;
        return 0;
}

static int check_rlimit(json_object *e, const char *path, void *dest, char **error) {
        OciRlimit *l = dest;

        if (l->soft > l->hard)
                return oci_error(error, path, "soft limit %" PRIu64 " exceeds hard limit %" PRIu64,
                                 l->soft, l->hard);
        return 0;
}

static const OciField rlimit_fields[] = {
        { OCI_CHECK(parse_rlimit_type) },
        { "soft", oci_parse_uint64, offsetof(OciRlimit, soft), OCI_MANDATORY },
        { "hard", oci_parse_uint64, offsetof(OciRlimit, hard), OCI_MANDATORY },
        { OCI_CHECK(check_rlimit) },
        {}
};

static const OciArrayType rlimit_array = { sizeof(OciRlimit), rlimit_fields };

static int parse_rlimits(json_object *v, const char *path, void *dest, char **error) {
        OciProcess *p = dest;
        size_t i, j;
        int r;

        r = oci_json_array_parse(v, path, &rlimit_array, (void **) &p->rlimits, &p->n_rlimits, error);
        if (r < 0)
                return r;
        /* "If rlimits contains duplicated entries with same type, the runtime MUST generate an error." */
        if (oci_find_duplicate(p->rlimits, p->n_rlimits, sizeof(OciRlimit), offsetof(OciRlimit, resource), &i, &j))
                return oci_error_take(error, oci_path_index(path, i), "duplicate rlimit type (also in entry %zu)", j);
        return 0;
}

/* The kernel's range for /proc/PID/oom_score_adj. */
static OCI_DEFINE_INT_PARSER(parse_oom_score_adj, int, -1000, 1000)
static OCI_DEFINE_INT_PARSER(parse_nice, int32_t, -20, 19)
static OCI_DEFINE_INT_PARSER(parse_io_priority_level, int, 0, 7)

static int parse_sched_policy(json_object *v, const char *path, void *dest, char **error) {
        long policy;
        int r;

        r = oci_json_enum(v, path, sched_policy_table, ELEMENTSOF(sched_policy_table), "scheduling policy",
                          &policy, error);
        if (r < 0)
                return r;
        *(int *) dest = (int) policy;
        return 0;
}

static int sched_flag(json_object *e, const char *path, size_t i, void *userdata, char **error) {
        uint64_t *flags = userdata;
        long f;
        int r;

        r = oci_json_enum(e, path, sched_flag_table, ELEMENTSOF(sched_flag_table), "scheduler flag", &f, error);
        if (r < 0)
                return r;
        *flags |= (uint64_t) f;
        return 0;
}

static int parse_sched_flags(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_array_foreach(v, path, sched_flag, dest, error);
}

static const OciField scheduler_fields[] = {
        { "policy",   parse_sched_policy, offsetof(OciScheduler, policy), OCI_MANDATORY },
        { "nice",     parse_nice,         offsetof(OciScheduler, nice) },
        { "priority", oci_parse_int32,    offsetof(OciScheduler, priority) },
        { "flags",    parse_sched_flags,  offsetof(OciScheduler, flags) },
        { "runtime",  oci_parse_uint64,   offsetof(OciScheduler, runtime) },
        { "deadline", oci_parse_uint64,   offsetof(OciScheduler, deadline) },
        { "period",   oci_parse_uint64,   offsetof(OciScheduler, period) },
        {}
};

static int parse_io_priority_class(json_object *v, const char *path, void *dest, char **error) {
        long class;
        int r;

        r = oci_json_enum(v, path, ioprio_class_table, ELEMENTSOF(ioprio_class_table), "I/O priority class",
                          &class, error);
        if (r < 0)
                return r;
        *(int *) dest = (int) class;
        return 0;
}

static const OciField io_priority_fields[] = {
        { "class",    parse_io_priority_class, offsetof(OciProcess, io_priority_class), OCI_MANDATORY },
        { "priority", parse_io_priority_level, offsetof(OciProcess, io_priority),       OCI_MANDATORY },
        {}
};

static int parse_cpu_list(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_cpu_list(v, path, "CPU list", "", dest, error);
}

static const OciField exec_cpu_affinity_fields[] = {
        { "initial", parse_cpu_list, offsetof(OciProcess, exec_cpu_affinity_initial) },
        { "final",   parse_cpu_list, offsetof(OciProcess, exec_cpu_affinity_final) },
        {}
};

static const OciField process_fields[] = {
        { "terminal",        oci_parse_bool,      offsetof(OciProcess, terminal) },
        { "consoleSize",     parse_console_size,  0 },
        { OCI_OBJECT("user", user_fields, 0) },
        /* Non-Windows: args is required with at least one entry; commandLine is Windows-only, ignored. */
        { "args",            parse_args,          offsetof(OciProcess, args), OCI_MANDATORY },
        { "env",             parse_env,           offsetof(OciProcess, env) },
        { "cwd",             oci_parse_abs_path,  offsetof(OciProcess, cwd), OCI_MANDATORY },
        { "capabilities",    parse_capabilities,  0, OCI_PRESENT(OciProcess, has_capabilities) },
        { "rlimits",         parse_rlimits,       0 },
        { "noNewPrivileges", oci_parse_bool,      offsetof(OciProcess, no_new_privileges) },
        { "apparmorProfile", oci_parse_string,    offsetof(OciProcess, apparmor_profile) },
        { "selinuxLabel",    oci_parse_string,    offsetof(OciProcess, selinux_label) },
        { "oomScoreAdj",     parse_oom_score_adj, offsetof(OciProcess, oom_score_adj),
                             OCI_PRESENT(OciProcess, has_oom_score_adj) },
        { OCI_OBJECT("scheduler", scheduler_fields, offsetof(OciProcess, scheduler)),
          OCI_PRESENT(OciProcess, has_scheduler) },
        { OCI_OBJECT("ioPriority", io_priority_fields, 0), OCI_PRESENT(OciProcess, has_io_priority) },
        { OCI_OBJECT("execCPUAffinity", exec_cpu_affinity_fields, 0) },
        {}
};

int oci_parse_process(json_object *v, const char *path, void *dest, char **error) {
        return oci_dispatch_new(v, path, process_fields, sizeof(OciProcess), dest, error);
}
