/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.resources (and the device nodes of linux.devices) -> properties of the machine's transient scope,
 * which systemd writes to the cgroup: the cgroup v2 conversions crun uses with its systemd driver. */

#include <inttypes.h>
#include <stdio.h>

#include "config-oci-resources.h"
#include "macro.h"
#include "oci-json.h"
#include "strv.h"

#define USEC_PER_SEC_U64 UINT64_C(1000000)
#define CPU_PERIOD_DEFAULT UINT64_C(100000)

static int add_property(OciContainer *c, OciScopeProperty p) {
        OciScopeProperty *n;

        n = realloc(c->scope_properties, (c->n_scope_properties + 1) * sizeof(OciScopeProperty));
        if (!n) {
                oci_scope_property_done(&p);
                return -ENOMEM;
        }
        c->scope_properties = n;
        c->scope_properties[c->n_scope_properties++] = p;
        return 0;
}

static int add_u64(OciContainer *c, const char *name, uint64_t v) {
        return add_property(c, (OciScopeProperty) { .name = name, .type = OCI_SCOPE_PROPERTY_U64, .u64 = v });
}

/* -1 (or any negative value) is "no limit". */
static uint64_t limit_or_infinity(int64_t v) {
        return v < 0 ? UINT64_MAX : (uint64_t) v;
}

/* MAJOR and MINOR are 0 ... UINT32_MAX (the parser's range); one past what a rule can match is as good as any
 * (device_policy_compile() leaves such a rule out). */
static int add_device_rule(OciContainer *c, char type, int64_t major, int64_t minor, const char *access) {
        DeviceRule *n, rule = {
                .type = type,
                .major = (int32_t) (major > INT32_MAX ? INT32_MAX : major),
                .minor = (int32_t) (minor > INT32_MAX ? INT32_MAX : minor),
        };
        int r;

        r = device_access_from_string(access, &rule.access);
        if (r < 0)
                return r;
        n = realloc(c->device_rules, (c->n_device_rules + 1) * sizeof(DeviceRule));
        if (!n)
                return -ENOMEM;
        c->device_rules = n;
        c->device_rules[c->n_device_rules++] = rule;
        return 0;
}

/* "0-3,7" -> a bit mask, as systemd's AllowedCPUs= takes it ("ay", CPU 0 = bit 0 of byte 0). */
static int parse_cpu_list(const char *s, uint8_t **ret, size_t *ret_n) {
        _cleanup_free_ uint8_t *b = NULL;
        size_t n = 0;

        for (const char *p = s; *p;) {
                unsigned long lo, hi;
                char *e;

                if (*p < '0' || *p > '9')
                        return -EINVAL;
                lo = strtoul(p, &e, 10);
                hi = lo;
                if (*e == '-') {
                        if (e[1] < '0' || e[1] > '9')
                                return -EINVAL;
                        hi = strtoul(e + 1, &e, 10);
                }
                if (hi < lo || hi >= 8192)
                        return -EINVAL;
                if (hi / 8 + 1 > n) {
                        uint8_t *nb = realloc(b, hi / 8 + 1);
                        if (!nb)
                                return -ENOMEM;
                        memset(nb + n, 0, hi / 8 + 1 - n);
                        b = nb;
                        n = hi / 8 + 1;
                }
                for (unsigned long i = lo; i <= hi; i++)
                        b[i / 8] |= 1U << (i % 8);
                p = e;
                if (*p == ',')
                        p++;
                else if (*p)
                        return -EINVAL;
        }
        *ret = TAKE_PTR(b);
        *ret_n = n;
        return 0;
}

static int add_cpu_list(OciContainer *c, const char *name, const char *list, const char *path, char **error) {
        OciScopeProperty p = { .name = name, .type = OCI_SCOPE_PROPERTY_BYTES };
        int r;

        r = parse_cpu_list(list, &p.bytes, &p.n_bytes);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return oci_error(error, path, "invalid list \"%s\"", list);
        return add_property(c, p);
}

static int add_devices(OciContainer *c, const char *name, size_t n, const int64_t *majors, size_t stride,
                       const uint64_t *values) {
        OciScopeProperty p = { .name = name, .type = OCI_SCOPE_PROPERTY_DEVICES };

        p.device_values = new0(uint64_t, n);
        if (!p.device_values)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const int64_t *mm = (const int64_t *) ((const uint8_t *) majors + i * stride);
                _cleanup_free_ char *d = NULL;

                if (asprintf(&d, "/dev/block/%" PRIi64 ":%" PRIi64, mm[0], mm[1]) < 0 ||
                    strv_extend(&p.device_paths, d) < 0) {
                        oci_scope_property_done(&p);
                        return -ENOMEM;
                }
                p.device_values[i] = values[i];
        }
        p.n_devices = n;
        return add_property(c, p);
}

/* OCI's CPU shares (2..262144) and blkio weights (10..1000) to cgroup v2 weights (1..10000), as crun does. */
static uint64_t shares_to_weight(uint64_t shares) {
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

static uint64_t blkio_to_io_weight(uint64_t w) {
        if (w < 10)
                w = 10;
        if (w > 1000)
                w = 1000;
        return 1 + ((w - 10) * 9999) / 990;
}

static int map_memory(OciContainer *c, const OciResources *res) {
        int r = 0;

        if (res->memory.limit.set)
                r = add_u64(c, "MemoryMax", limit_or_infinity(res->memory.limit.value));
        if (r >= 0 && res->memory.reservation.set)
                r = add_u64(c, "MemoryLow", limit_or_infinity(res->memory.reservation.value));
        /* OCI's swap is memory + swap; systemd's MemorySwapMax= is swap alone. */
        if (r >= 0 && res->memory.swap.set) {
                uint64_t v = UINT64_MAX;
                if (res->memory.swap.value >= 0 && res->memory.limit.set && res->memory.limit.value >= 0)
                        v = res->memory.swap.value >= res->memory.limit.value ?
                                (uint64_t) (res->memory.swap.value - res->memory.limit.value) : 0;
                else if (res->memory.swap.value >= 0)
                        v = res->memory.swap.value;
                r = add_u64(c, "MemorySwapMax", v);
        }
        if (r < 0)
                return r;
        if (res->memory.kernel.set || res->memory.kernel_tcp.set)
                (void) oci_container_warn(c, "linux.resources.memory.kernel: not in cgroup v2, ignoring");
        if (res->memory.swappiness.set)
                (void) oci_container_warn(c, "linux.resources.memory.swappiness: not in cgroup v2, ignoring");
        if (res->memory.disable_oom_killer)
                (void) oci_container_warn(c, "linux.resources.memory.disableOOMKiller: not in cgroup v2, ignoring");
        return 0;
}

static int map_cpu(OciContainer *c, const OciResources *res, char **error) {
        uint64_t period = res->cpu.period.set && res->cpu.period.value > 0 ? res->cpu.period.value
                                                                           : CPU_PERIOD_DEFAULT;
        int r = 0;

        if (res->cpu.shares.set && res->cpu.shares.value > 0)
                r = add_u64(c, "CPUWeight", shares_to_weight(res->cpu.shares.value));
        if (r >= 0 && res->cpu.quota.set && res->cpu.quota.value > 0)
                r = add_u64(c, "CPUQuotaPerSecUSec", (uint64_t) res->cpu.quota.value * USEC_PER_SEC_U64 / period);
        if (r >= 0 && res->cpu.period.set && res->cpu.period.value > 0)
                r = add_u64(c, "CPUQuotaPeriodUSec", period);
        if (r >= 0 && !isempty(res->cpu.cpus))
                r = add_cpu_list(c, "AllowedCPUs", res->cpu.cpus, "linux.resources.cpu.cpus", error);
        if (r >= 0 && !isempty(res->cpu.mems))
                r = add_cpu_list(c, "AllowedMemoryNodes", res->cpu.mems, "linux.resources.cpu.mems", error);
        if (r < 0)
                return r;
        if (res->cpu.realtime_period.set || res->cpu.realtime_runtime.set)
                (void) oci_container_warn(c, "linux.resources.cpu.realtime*: not in cgroup v2, ignoring");
        if (res->cpu.burst.set || res->cpu.idle.set)
                (void) oci_container_warn(c, "linux.resources.cpu: burst and idle are not supported, ignoring");
        return 0;
}

static int map_block_io(OciContainer *c, const OciResources *res) {
        static const char *const names[_OCI_THROTTLE_MAX] = {
                [OCI_THROTTLE_READ_BPS] = "IOReadBandwidthMax",
                [OCI_THROTTLE_WRITE_BPS] = "IOWriteBandwidthMax",
                [OCI_THROTTLE_READ_IOPS] = "IOReadIOPSMax",
                [OCI_THROTTLE_WRITE_IOPS] = "IOWriteIOPSMax",
        };
        int r = 0;

        if (res->block_io.has_weight && res->block_io.weight > 0)
                r = add_u64(c, "IOWeight", blkio_to_io_weight(res->block_io.weight));
        for (size_t k = 0; r >= 0 && k < _OCI_THROTTLE_MAX; k++) {
                _cleanup_free_ uint64_t *v = NULL;
                size_t n = res->block_io.n_throttle[k];

                if (n == 0)
                        continue;
                v = new0(uint64_t, n);
                if (!v)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        v[i] = res->block_io.throttle[k][i].rate;
                r = add_devices(c, names[k], n, &res->block_io.throttle[k][0].major, sizeof(OciThrottleDevice), v);
        }
        if (r >= 0 && res->block_io.n_weight_devices > 0) {
                _cleanup_free_ uint64_t *v = new0(uint64_t, res->block_io.n_weight_devices);

                if (!v)
                        return -ENOMEM;
                for (size_t i = 0; i < res->block_io.n_weight_devices; i++)
                        v[i] = blkio_to_io_weight(res->block_io.weight_devices[i].weight);
                r = add_devices(c, "IODeviceWeight", res->block_io.n_weight_devices,
                                &res->block_io.weight_devices[0].major, sizeof(OciWeightDevice), v);
        }
        if (r < 0)
                return r;
        if (res->block_io.has_leaf_weight)
                (void) oci_container_warn(c, "linux.resources.blockIO.leafWeight: not in cgroup v2, ignoring");
        return 0;
}

/* A cgroup v2 file of linux.resources.unified, to the scope property that writes it. "max" is no limit. */
static int map_unified(OciContainer *c, const OciResources *res, char **error) {
        static const struct {
                const char *file;
                const char *property;
        } table[] = {
                { "memory.max",      "MemoryMax" },
                { "memory.high",     "MemoryHigh" },
                { "memory.low",      "MemoryLow" },
                { "memory.min",      "MemoryMin" },
                { "memory.swap.max", "MemorySwapMax" },
                { "pids.max",        "TasksMax" },
                { "cpu.weight",      "CPUWeight" },
                { "io.weight",       "IOWeight" },
        };

        for (size_t i = 0; i < res->unified.n; i++) {
                const char *k = res->unified.keys[i], *v = res->unified.values[i];
                const char *property = NULL;
                char path[128];
                uint64_t u;
                int r;

                snprintf(path, sizeof(path), "linux.resources.unified[\"%.64s\"]", k);
                for (size_t j = 0; j < ELEMENTSOF(table); j++)
                        if (streq(k, table[j].file))
                                property = table[j].property;

                if (streq(k, "cpu.max")) {
                        unsigned long long quota, period = CPU_PERIOD_DEFAULT;
                        char q[16];

                        if (sscanf(v, "%15s %llu", q, &period) < 1 || period == 0)
                                return oci_error(error, path, "invalid value \"%.64s\"", v);
                        if (streq(q, "max"))
                                r = add_u64(c, "CPUQuotaPerSecUSec", UINT64_MAX);
                        else if (sscanf(q, "%llu", &quota) == 1)
                                r = add_u64(c, "CPUQuotaPerSecUSec", quota * USEC_PER_SEC_U64 / period);
                        else
                                return oci_error(error, path, "invalid value \"%.64s\"", v);
                        if (r >= 0)
                                r = add_u64(c, "CPUQuotaPeriodUSec", period);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!property)
                        return oci_error(error, path, "not supported (supported: cpu.max, cpu.weight, io.weight, "
                                         "memory.{max,high,low,min,swap.max}, pids.max)");
                if (streq(v, "max"))
                        u = UINT64_MAX;
                else {
                        char *e;
                        errno = 0;
                        u = strtoull(v, &e, 10);
                        if (errno != 0 || e == v || *e != 0 || v[0] == '-')
                                return oci_error(error, path, "invalid value \"%.64s\"", v);
                }
                r = add_u64(c, property, u);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_resources_to_scope_properties(OciContainer *c, char **error) {
        const OciLinux *l = c->spec->linux_config;
        const OciResources *res = &l->resources;
        int r;

        /* The device nodes the bundle creates are usable (the machine's device policy denies what it does not
         * allow), as with runc, which allows each of linux.devices in the cgroup. */
        if (l->n_devices > DEVICE_POLICY_RULES_MAX)
                return oci_error(error, "linux.devices", "%zu devices, at most %u", l->n_devices,
                                 DEVICE_POLICY_RULES_MAX);
        for (size_t i = 0; i < l->n_devices; i++)
                if (l->devices[i].type != 'p') {
                        r = add_device_rule(c, l->devices[i].type == 'b' ? 'b' : 'c', l->devices[i].major,
                                            l->devices[i].minor, "rwm");
                        if (r < 0)
                                return r;
                }

        if (!l->has_resources)
                return 0;
        if (c->n_device_rules + res->n_devices > DEVICE_POLICY_RULES_MAX)
                return oci_error(error, "linux.resources.devices", "%zu rules with linux.devices' %zu, at most %u",
                                 res->n_devices, c->n_device_rules, DEVICE_POLICY_RULES_MAX);

        for (size_t i = 0; i < res->n_devices; i++) {
                const OciDeviceRule *d = res->devices + i;

                /* Denials: the device policy denies everything it does not allow already. */
                if (!d->allow)
                        continue;
                if (d->type == 'a' || d->major < 0 || d->minor < 0) {
                        (void) oci_container_warn(c, "linux.resources.devices[%zu]: wildcard rules are not "
                                                  "supported, ignoring", i);
                        continue;
                }
                r = add_device_rule(c, d->type, d->major, d->minor, d->access);
                if (r < 0)
                        return r;
        }

        r = map_memory(c, res);
        if (r < 0)
                return r;
        r = map_cpu(c, res, error);
        if (r < 0)
                return r;
        r = map_block_io(c, res);
        if (r < 0)
                return r;
        if (res->pids_limit.set) {
                r = add_u64(c, "TasksMax", res->pids_limit.value > 0 ? (uint64_t) res->pids_limit.value
                                                                      : UINT64_MAX);
                if (r < 0)
                        return r;
        }
        if (res->n_hugepage_limits > 0)
                (void) oci_container_warn(c, "linux.resources.hugepageLimits: not supported, ignoring");
        if (res->has_network_class_id || res->network_priorities.n > 0)
                (void) oci_container_warn(c, "linux.resources.network: not in cgroup v2, ignoring");

        return map_unified(c, res, error);
}
