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

typedef struct NameValue {
        const char *name;
        long value;
} NameValue;

static int lookup(const NameValue *table, size_t n, const char *name, long *ret) {
        for (size_t i = 0; i < n; i++)
                if (streq(table[i].name, name)) {
                        *ret = table[i].value;
                        return 0;
                }
        return -ENOENT;
}

/* getrlimit(2)'s resources. Neither glibc nor any library we use maps the names, so this table does. */
static const NameValue rlimit_table[] = {
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

static const NameValue sched_policy_table[] = {
        { "SCHED_OTHER",    SCHED_OTHER },
        { "SCHED_FIFO",     SCHED_FIFO },
        { "SCHED_RR",       SCHED_RR },
        { "SCHED_BATCH",    SCHED_BATCH },
        { "SCHED_ISO",      SCHED_ISO },
        { "SCHED_IDLE",     SCHED_IDLE },
        { "SCHED_DEADLINE", SCHED_DEADLINE },
};

/* The values of <linux/sched.h>, which cannot be included next to <sched.h>. */
static const NameValue sched_flag_table[] = {
        { "SCHED_FLAG_RESET_ON_FORK",  0x01 },
        { "SCHED_FLAG_RECLAIM",        0x02 },
        { "SCHED_FLAG_DL_OVERRUN",     0x04 },
        { "SCHED_FLAG_KEEP_POLICY",    0x08 },
        { "SCHED_FLAG_KEEP_PARAMS",    0x10 },
        { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
        { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static const NameValue ioprio_class_table[] = {
        { "IOPRIO_CLASS_RT",   1 },
        { "IOPRIO_CLASS_BE",   2 },
        { "IOPRIO_CLASS_IDLE", 3 },
};

static const char *const cap_set_table[_OCI_CAP_SET_MAX] = {
        [OCI_CAP_BOUNDING]    = "bounding",
        [OCI_CAP_EFFECTIVE]   = "effective",
        [OCI_CAP_INHERITABLE] = "inheritable",
        [OCI_CAP_PERMITTED]   = "permitted",
        [OCI_CAP_AMBIENT]     = "ambient",
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

static int parse_console_size(json_object *v, const char *path, OciProcess *p, char **error) {
        uint32_t h = 0, w = 0;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "height", oci_json_uint32(_v, _p, &h, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "width", oci_json_uint32(_v, _p, &w, error));
        if (r < 0)
                return r;
        /* struct winsize has unsigned short fields. */
        if (h > UINT16_MAX || w > UINT16_MAX)
                return oci_error(error, path, "console size %ux%u too large", w, h);
        p->has_console_size = true;
        p->console_height = h;
        p->console_width = w;
        return 0;
}

static int parse_id(json_object *v, const char *path, uint32_t *ret, char **error) {
        int r;

        r = oci_json_uint32(v, path, ret, error);
        if (r < 0)
                return r;
        if (*ret == UINT32_MAX)
                return oci_error(error, path, "4294967295 is not a valid user or group ID");
        return 0;
}

static int parse_gid_element(json_object *e, const char *path, void *dest, char **error) {
        return parse_id(e, path, dest, error);
}

static int parse_user(json_object *v, const char *path, OciProcess *p, char **error) {
        uint32_t u = 0;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "uid", parse_id(_v, _p, &u, error));
        if (r < 0)
                return r;
        p->uid = u;
        r = OCI_REQUIRED(v, path, "gid", parse_id(_v, _p, &u, error));
        if (r < 0)
                return r;
        p->gid = u;
        r = OCI_FIELD(v, path, "umask", oci_json_uint32(_v, _p, &u, error));
        if (r < 0)
                return r;
        if (oci_json_field(v, "umask")) {
                if (u > 0777)
                        return oci_error(error, path, "umask %#o out of range [0, 0777]", u);
                p->has_umask = true;
                p->umask = u;
        }
        r = OCI_FIELD(v, path, "additionalGids",
                      oci_json_array_parse(_v, _p, sizeof(gid_t), parse_gid_element, NULL,
                                           (void **) &p->additional_gids, &p->n_additional_gids, error));
        if (r < 0)
                return r;
        return OCI_FIELD(v, path, "username", oci_json_string(_v, _p, &p->username, error));
}

static int parse_env(json_object *v, const char *path, char ***ret, char **error) {
        int r;

        r = oci_json_strv(v, path, false, ret, error);
        if (r < 0)
                return r;
        for (size_t i = 0; (*ret)[i]; i++) {
                const char *eq = strchr((*ret)[i], '=');
                if (!eq || eq == (*ret)[i]) {
                        _cleanup_free_ char *p = oci_path_index(path, i);
                        return p ? oci_error(error, p, "expected KEY=VALUE") : -ENOMEM;
                }
        }
        return 0;
}

static int parse_args(json_object *v, const char *path, char ***ret, char **error) {
        int r;

        r = oci_json_strv(v, path, false, ret, error);
        if (r < 0)
                return r;
        if (!(*ret)[0])
                return oci_error(error, path, "must contain at least one entry");
        if (isempty((*ret)[0]))
                return oci_error(error, path, "the executable (first entry) must not be empty");
        return 0;
}

/* Capability names: CAP_ and upper case, as in capabilities(7). A malformed name is an error; a well-formed
 * name libcap does not know is kept in unknown_capabilities: the spec says such values MUST be logged as a
 * warning and runtimes SHOULD NOT fail. */
static int parse_cap_set(json_object *v, const char *path, OciProcess *p, OciCapabilitySet set, char **error) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = oci_json_strv(v, path, false, &names, error);
        if (r < 0)
                return r;

        for (size_t i = 0; names[i]; i++) {
                const char *n = names[i];
                cap_value_t c;
                bool ok = startswith(n, "CAP_") && n[4];

                for (const char *q = n; ok && *q; q++)
                        ok = isupper((unsigned char) *q) || isdigit((unsigned char) *q) || *q == '_';
                if (!ok) {
                        _cleanup_free_ char *ep = oci_path_index(path, i);
                        return ep ? oci_error(error, ep, "invalid capability name \"%.64s\"", n) : -ENOMEM;
                }
                if (cap_from_name(n, &c) < 0 || c < 0 || c >= 64) {
                        if (!strv_find(p->unknown_capabilities, n) && strv_extend(&p->unknown_capabilities, n) < 0)
                                return -ENOMEM;
                        continue;
                }
                p->capabilities[set] |= UINT64_C(1) << c;
        }
        return 0;
}

static int parse_capabilities(json_object *v, const char *path, OciProcess *p, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        p->has_capabilities = true;
        for (OciCapabilitySet s = 0; s < _OCI_CAP_SET_MAX; s++) {
                r = OCI_FIELD(v, path, cap_set_table[s], parse_cap_set(_v, _p, p, s, error));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_rlimit(json_object *e, const char *path, void *dest, char **error) {
        OciRlimit *l = dest;
        _cleanup_free_ char *type = NULL;
        long res;
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "type", oci_json_string(_v, _p, &type, error));
        if (r < 0)
                return r;
        if (lookup(rlimit_table, ELEMENTSOF(rlimit_table), type, &res) < 0)
                return oci_error(error, path, "unknown rlimit type \"%.64s\"", type);
        l->resource = (int) res;
        r = OCI_REQUIRED(e, path, "soft", oci_json_uint64(_v, _p, UINT64_MAX, &l->soft, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "hard", oci_json_uint64(_v, _p, UINT64_MAX, &l->hard, error));
        if (r < 0)
                return r;
        if (l->soft > l->hard)
                return oci_error(error, path, "soft limit %" PRIu64 " exceeds hard limit %" PRIu64,
                                 l->soft, l->hard);
        return 0;
}

static int parse_rlimits(json_object *v, const char *path, OciProcess *p, char **error) {
        int r;

        r = oci_json_array_parse(v, path, sizeof(OciRlimit), parse_rlimit, NULL,
                                 (void **) &p->rlimits, &p->n_rlimits, error);
        if (r < 0)
                return r;
        /* "If rlimits contains duplicated entries with same type, the runtime MUST generate an error." */
        for (size_t i = 1; i < p->n_rlimits; i++)
                for (size_t j = 0; j < i; j++)
                        if (p->rlimits[i].resource == p->rlimits[j].resource) {
                                _cleanup_free_ char *ep = oci_path_index(path, i);
                                return ep ? oci_error(error, ep, "duplicate rlimit type (also in entry %zu)", j)
                                          : -ENOMEM;
                        }
        return 0;
}

static int parse_enum(json_object *v, const char *path, const NameValue *table, size_t n, const char *what,
                      long *ret, char **error) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = oci_json_string(v, path, &s, error);
        if (r < 0)
                return r;
        if (lookup(table, n, s, ret) < 0)
                return oci_error(error, path, "unknown %s \"%.64s\"", what, s);
        return 0;
}

static int parse_sched_flags(json_object *v, const char *path, uint64_t *ret, char **error) {
        size_t n;
        int r;

        r = oci_json_array(v, path, error);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *ep = oci_path_index(path, i);
                long f;

                if (!ep)
                        return -ENOMEM;
                r = parse_enum(json_object_array_get_idx(v, i), ep, sched_flag_table, ELEMENTSOF(sched_flag_table),
                               "scheduler flag", &f, error);
                if (r < 0)
                        return r;
                *ret |= (uint64_t) f;
        }
        return 0;
}

static int parse_scheduler(json_object *v, const char *path, OciProcess *p, char **error) {
        OciScheduler *s = &p->scheduler;
        int64_t i = 0;
        long policy;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "policy", parse_enum(_v, _p, sched_policy_table, ELEMENTSOF(sched_policy_table),
                                                       "scheduling policy", &policy, error));
        if (r < 0)
                return r;
        s->policy = (int) policy;
        r = OCI_FIELD(v, path, "nice", oci_json_int64(_v, _p, -20, 19, &i, error));
        if (r < 0)
                return r;
        s->nice = (int32_t) i;
        i = 0;
        r = OCI_FIELD(v, path, "priority", oci_json_int64(_v, _p, INT32_MIN, INT32_MAX, &i, error));
        if (r < 0)
                return r;
        s->priority = (int32_t) i;
        r = OCI_FIELD(v, path, "flags", parse_sched_flags(_v, _p, &s->flags, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "runtime", oci_json_uint64(_v, _p, UINT64_MAX, &s->runtime, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "deadline", oci_json_uint64(_v, _p, UINT64_MAX, &s->deadline, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "period", oci_json_uint64(_v, _p, UINT64_MAX, &s->period, error));
        if (r < 0)
                return r;
        p->has_scheduler = true;
        return 0;
}

static int parse_io_priority(json_object *v, const char *path, OciProcess *p, char **error) {
        int64_t prio = 0;
        long class;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "class", parse_enum(_v, _p, ioprio_class_table, ELEMENTSOF(ioprio_class_table),
                                                      "I/O priority class", &class, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "priority", oci_json_int64(_v, _p, 0, 7, &prio, error));
        if (r < 0)
                return r;
        p->has_io_priority = true;
        p->io_priority_class = (int) class;
        p->io_priority = (int) prio;
        return 0;
}

/* A CPU list as in cpuset(7): "0-3,7". */
static int parse_cpu_list(json_object *v, const char *path, char **ret, char **error) {
        int r;

        r = oci_json_string(v, path, ret, error);
        if (r < 0)
                return r;
        for (const char *q = *ret; *q; q++)
                if (!isdigit((unsigned char) *q) && *q != ',' && *q != '-')
                        return oci_error(error, path, "invalid CPU list \"%.64s\"", *ret);
        return 0;
}

static int parse_exec_cpu_affinity(json_object *v, const char *path, OciProcess *p, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "initial", parse_cpu_list(_v, _p, &p->exec_cpu_affinity_initial, error));
        if (r < 0)
                return r;
        return OCI_FIELD(v, path, "final", parse_cpu_list(_v, _p, &p->exec_cpu_affinity_final, error));
}

int oci_parse_process(json_object *v, const char *path, OciProcess *p, char **error) {
        int64_t i = 0;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;

        r = OCI_FIELD(v, path, "terminal", oci_json_bool(_v, _p, &p->terminal, error));
        if (r < 0)
                return r;
        /* "Runtimes MUST ignore consoleSize if terminal is false or unset." */
        if (p->terminal) {
                r = OCI_FIELD(v, path, "consoleSize", parse_console_size(_v, _p, p, error));
                if (r < 0)
                        return r;
        }
        /* user itself is optional (the JSON schema does not require it; runc then runs as 0:0), but when
         * given, uid and gid are required (config.md, POSIX-platform User). */
        r = OCI_FIELD(v, path, "user", parse_user(_v, _p, p, error));
        if (r < 0)
                return r;
        /* Non-Windows: args is required with at least one entry; commandLine is Windows-only, ignored. */
        r = OCI_REQUIRED(v, path, "args", parse_args(_v, _p, &p->args, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "env", parse_env(_v, _p, &p->env, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(v, path, "cwd", oci_json_abs_path(_v, _p, &p->cwd, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "capabilities", parse_capabilities(_v, _p, p, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "rlimits", parse_rlimits(_v, _p, p, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "noNewPrivileges", oci_json_bool(_v, _p, &p->no_new_privileges, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "apparmorProfile", oci_json_string(_v, _p, &p->apparmor_profile, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "selinuxLabel", oci_json_string(_v, _p, &p->selinux_label, error));
        if (r < 0)
                return r;
        /* The kernel's range for /proc/PID/oom_score_adj. */
        r = OCI_FIELD(v, path, "oomScoreAdj", oci_json_int64(_v, _p, -1000, 1000, &i, error));
        if (r < 0)
                return r;
        if (oci_json_field(v, "oomScoreAdj")) {
                p->has_oom_score_adj = true;
                p->oom_score_adj = (int) i;
        }
        r = OCI_FIELD(v, path, "scheduler", parse_scheduler(_v, _p, p, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "ioPriority", parse_io_priority(_v, _p, p, error));
        if (r < 0)
                return r;
        return OCI_FIELD(v, path, "execCPUAffinity", parse_exec_cpu_affinity(_v, _p, p, error));
}
