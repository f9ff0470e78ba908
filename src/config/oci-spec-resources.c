/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "linux.resources": device rules, memory, cpu, blockIO, hugepages, network, pids, unified. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "oci-json.h"

void oci_resources_done(OciResources *r) {
        if (!r)
                return;
        free(r->devices);
        free(r->cpu.cpus);
        free(r->cpu.mems);
        free(r->block_io.weight_devices);
        for (OciThrottleKind k = 0; k < _OCI_THROTTLE_MAX; k++)
                free(r->block_io.throttle[k]);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        oci_string_map_done(&r->network_priorities);
        oci_string_map_done(&r->unified);
}

static int parse_rule_type(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_device_type(v, path, "acb", "a, c or b", dest, error);
}

static int parse_rule_access(json_object *v, const char *path, void *dest, char **error) {
        _cleanup_free_ char *access = NULL;
        size_t n;
        bool ok;
        int r;

        r = oci_parse_string(v, path, &access, error);
        if (r < 0)
                return r;
        n = strlen(access);
        ok = n <= 3;
        for (size_t i = 0; ok && i < n; i++)
                ok = strchr("rwm", access[i]) && !memchr(access, access[i], i);
        if (!ok)
                return oci_error(error, path, "invalid access \"%.64s\" (expected letters of rwm)", access);
        /* Empty: all of it, as systemd's DeviceAllow= reads it. */
        memcpy(dest, n == 0 ? "rwm" : access, n == 0 ? 4 : n + 1);
        return 0;
}

/* -1 is the wildcard, as in runc. */
static OCI_DEFINE_INT_PARSER(parse_dev_number_or_any, int64_t, -1, UINT32_MAX)

static const OciField device_rule_fields[] = {
        { "allow",  oci_parse_bool,          offsetof(OciDeviceRule, allow), OCI_MANDATORY },
        { "type",   parse_rule_type,         offsetof(OciDeviceRule, type) },
        { "major",  parse_dev_number_or_any, offsetof(OciDeviceRule, major) },
        { "minor",  parse_dev_number_or_any, offsetof(OciDeviceRule, minor) },
        { "access", parse_rule_access,       offsetof(OciDeviceRule, access) },
        {}
};

static int parse_device_rule(json_object *e, const char *path, void *dest, char **error) {
        OciDeviceRule *d = dest;

        *d = (OciDeviceRule) { .type = 'a', .major = -1, .minor = -1, .access = "rwm" };
        return oci_dispatch(e, path, device_rule_fields, d, error);
}

static const OciArrayType device_rule_array = { .size = sizeof(OciDeviceRule), .parse = parse_device_rule };

/* -1 means unlimited (memory limit and swap, cpu quota). */
static OCI_DEFINE_OPT_INT_PARSER(parse_limit, -1)
static OCI_DEFINE_OPT_UINT_PARSER(parse_swappiness, 100)

#define MEMORY(name) offsetof(OciResources, memory.name)

static const OciField memory_fields[] = {
        { "limit",             parse_limit,        MEMORY(limit) },
        { "reservation",       parse_limit,        MEMORY(reservation) },
        { "swap",              parse_limit,        MEMORY(swap) },
        { "kernel",            parse_limit,        MEMORY(kernel) },
        { "kernelTCP",         parse_limit,        MEMORY(kernel_tcp) },
        { "swappiness",        parse_swappiness,   MEMORY(swappiness) },
        { "disableOOMKiller",  oci_parse_bool,     MEMORY(disable_oom_killer) },
        { "useHierarchy",      oci_parse_bool,     MEMORY(use_hierarchy) },
        { "checkBeforeUpdate", oci_parse_bool,     MEMORY(check_before_update) },
        {}
};

static int parse_cpu_idle(json_object *v, const char *path, void *dest, char **error) {
        OciOptI64 *idle = dest;
        int r;

        r = oci_parse_opt_int64(v, path, idle, error);
        if (r < 0)
                return r;
        if (idle->value != 0 && idle->value != 1)
                return oci_error(error, path, "must be 0 or 1");
        return 0;
}

static int check_cpu_burst(json_object *v, const char *path, void *dest, char **error) {
        OciResources *res = dest;

        /* "If specified with any (valid) positive value, [quota] MUST be no smaller than burst." */
        if (res->cpu.burst.set && res->cpu.quota.set && res->cpu.quota.value > 0 &&
            res->cpu.burst.value > (uint64_t) res->cpu.quota.value)
                return oci_error(error, path, "burst must not be larger than quota");
        return 0;
}

static int parse_cpu_list(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_cpu_list(v, path, "list", " (expected like \"0-3,7\")", dest, error);
}

#define CPU(name) offsetof(OciResources, cpu.name)

static const OciField cpu_fields[] = {
        { "shares",          oci_parse_opt_uint64, CPU(shares) },
        { "quota",           parse_limit,          CPU(quota) },
        { "burst",           oci_parse_opt_uint64, CPU(burst) },
        { "period",          oci_parse_opt_uint64, CPU(period) },
        { "realtimeRuntime", oci_parse_opt_int64,  CPU(realtime_runtime) },
        { "realtimePeriod",  oci_parse_opt_uint64, CPU(realtime_period) },
        { "idle",            parse_cpu_idle,       CPU(idle) },
        { OCI_CHECK(check_cpu_burst) },
        { "cpus",            parse_cpu_list,       CPU(cpus) },
        { "mems",            parse_cpu_list,       CPU(mems) },
        {}
};

static OCI_DEFINE_UINT_PARSER(parse_weight, uint16_t, UINT16_MAX)

static int check_weight_device(json_object *e, const char *path, void *dest, char **error) {
        OciWeightDevice *w = dest;

        if (!w->has_weight && !w->has_leaf_weight)
                return oci_error(error, path, "at least one of weight and leafWeight is required");
        return 0;
}

static const OciField weight_device_fields[] = {
        { "major",      oci_parse_dev_number, offsetof(OciWeightDevice, major), OCI_MANDATORY },
        { "minor",      oci_parse_dev_number, offsetof(OciWeightDevice, minor), OCI_MANDATORY },
        { "weight",     parse_weight,         offsetof(OciWeightDevice, weight),
                        OCI_PRESENT(OciWeightDevice, has_weight) },
        { "leafWeight", parse_weight,         offsetof(OciWeightDevice, leaf_weight),
                        OCI_PRESENT(OciWeightDevice, has_leaf_weight) },
        { OCI_CHECK(check_weight_device) },
        {}
};

static const OciArrayType weight_device_array = { sizeof(OciWeightDevice), weight_device_fields };

static const OciField throttle_device_fields[] = {
        { "major", oci_parse_dev_number, offsetof(OciThrottleDevice, major), OCI_MANDATORY },
        { "minor", oci_parse_dev_number, offsetof(OciThrottleDevice, minor), OCI_MANDATORY },
        { "rate",  oci_parse_uint64,     offsetof(OciThrottleDevice, rate),  OCI_MANDATORY },
        {}
};

static const OciArrayType throttle_device_array = { sizeof(OciThrottleDevice), throttle_device_fields };

#define THROTTLE(kind, name) \
        { OCI_ARRAY(name, OciResources, block_io.throttle[kind], block_io.n_throttle[kind], &throttle_device_array) }

static const OciField block_io_fields[] = {
        { "weight",     parse_weight, offsetof(OciResources, block_io.weight),
                        OCI_PRESENT(OciResources, block_io.has_weight) },
        { "leafWeight", parse_weight, offsetof(OciResources, block_io.leaf_weight),
                        OCI_PRESENT(OciResources, block_io.has_leaf_weight) },
        { OCI_ARRAY("weightDevice", OciResources, block_io.weight_devices, block_io.n_weight_devices,
                    &weight_device_array) },
        THROTTLE(OCI_THROTTLE_READ_BPS,   "throttleReadBpsDevice"),
        THROTTLE(OCI_THROTTLE_WRITE_BPS,  "throttleWriteBpsDevice"),
        THROTTLE(OCI_THROTTLE_READ_IOPS,  "throttleReadIOPSDevice"),
        THROTTLE(OCI_THROTTLE_WRITE_IOPS, "throttleWriteIOPSDevice"),
        {}
};

static void hugepage_done(void *p) {
        free(((OciHugepageLimit *) p)->page_size);
}

/* Becomes part of a cgroup file name (hugetlb.<pageSize>.max): "2MB", "1GB", ... */
static int parse_page_size(json_object *v, const char *path, void *dest, char **error) {
        char **size = dest;
        int r;

        r = oci_parse_string(v, path, size, error);
        if (r < 0)
                return r;
        if (isempty(*size) || strspn(*size, "0123456789KMGTB") != strlen(*size))
                return oci_error(error, path, "invalid page size \"%.64s\"", *size);
        return 0;
}

static const OciField hugepage_fields[] = {
        { "pageSize", parse_page_size,  offsetof(OciHugepageLimit, page_size), OCI_MANDATORY },
        { "limit",    oci_parse_uint64, offsetof(OciHugepageLimit, limit),     OCI_MANDATORY },
        {}
};

static const OciArrayType hugepage_array = { sizeof(OciHugepageLimit), hugepage_fields, NULL, hugepage_done };

typedef struct Priority {
        char *name;
        uint32_t priority;
} Priority;

static void priority_done(Priority *p) {
        free(p->name);
}

static const OciField priority_fields[] = {
        { "name",     oci_parse_string, offsetof(Priority, name),     OCI_MANDATORY },
        { "priority", oci_parse_uint32, offsetof(Priority, priority), OCI_MANDATORY },
        {}
};

static int priority(json_object *e, const char *path, size_t i, void *userdata, char **error) {
        _cleanup_(priority_done) Priority p = {};
        OciStringMap *m = userdata;
        char *prio;
        int r;

        r = oci_dispatch(e, path, priority_fields, &p, error);
        if (r < 0)
                return r;
        if (asprintf(&prio, "%u", p.priority) < 0)
                return -ENOMEM;
        m->keys[m->n] = TAKE_PTR(p.name);
        m->values[m->n] = prio;
        m->n++;
        return 0;
}

/* The priorities are kept as a map from interface name to priority. */
static int parse_priorities(json_object *v, const char *path, void *dest, char **error) {
        OciStringMap *m = dest;
        size_t n;
        int r;

        r = oci_json_array(v, path, error);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        m->keys = new0(char *, n);
        m->values = new0(char *, n);
        if (!m->keys || !m->values)
                return -ENOMEM;
        return oci_json_array_foreach(v, path, priority, m, error);
}

static const OciField network_fields[] = {
        { "classID",    oci_parse_uint32, offsetof(OciResources, network_class_id),
                        OCI_PRESENT(OciResources, has_network_class_id) },
        { "priorities", parse_priorities, offsetof(OciResources, network_priorities) },
        {}
};

/* -1 (and, by runc's reading, 0 and any negative value) means no limit. */
static const OciField pids_fields[] = {
        { "limit", oci_parse_opt_int64, offsetof(OciResources, pids_limit) },
        {}
};

/* Keys are file names in the container's cgroup directory: "controller.knob", no path components. */
static bool cgroup_file_name_valid(const char *k) {
        return !(strchr(k, '/') || k[0] == '.' || !strchr(k, '.'));
}

static int parse_unified(json_object *v, const char *path, void *dest, char **error) {
        return oci_json_string_map_keys(v, path, cgroup_file_name_valid, "invalid cgroup file name", dest, error);
}

static const OciField resources_fields[] = {
        { OCI_ARRAY("devices", OciResources, devices, n_devices, &device_rule_array) },
        { OCI_OBJECT("memory",  memory_fields,   0) },
        { OCI_OBJECT("cpu",     cpu_fields,      0) },
        { OCI_OBJECT("blockIO", block_io_fields, 0) },
        { OCI_ARRAY("hugepageLimits", OciResources, hugepage_limits, n_hugepage_limits, &hugepage_array) },
        { OCI_OBJECT("network", network_fields,  0) },
        { OCI_OBJECT("pids",    pids_fields,     0) },
        /* rdma: ignored. */
        { "unified", parse_unified, offsetof(OciResources, unified) },
        {}
};

int oci_parse_resources(json_object *v, const char *path, void *dest, char **error) {
        return oci_dispatch(v, path, resources_fields, dest, error);
}
