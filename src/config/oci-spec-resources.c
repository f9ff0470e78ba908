/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "linux.resources": device rules, memory, cpu, blockIO, hugepages, network, pids, unified. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "oci-json.h"

static const char *const throttle_table[_OCI_THROTTLE_MAX] = {
        [OCI_THROTTLE_READ_BPS]   = "throttleReadBpsDevice",
        [OCI_THROTTLE_WRITE_BPS]  = "throttleWriteBpsDevice",
        [OCI_THROTTLE_READ_IOPS]  = "throttleReadIOPSDevice",
        [OCI_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

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

static int opt_i64(json_object *o, const char *path, const char *key, int64_t min, OciOptI64 *ret, char **error) {
        int r;

        r = OCI_FIELD(o, path, key, oci_json_int64(_v, _p, min, INT64_MAX, &ret->value, error));
        if (r < 0)
                return r;
        ret->set = oci_json_field(o, key);
        return 0;
}

static int opt_u64(json_object *o, const char *path, const char *key, uint64_t max, OciOptU64 *ret, char **error) {
        int r;

        r = OCI_FIELD(o, path, key, oci_json_uint64(_v, _p, max, &ret->value, error));
        if (r < 0)
                return r;
        ret->set = oci_json_field(o, key);
        return 0;
}

static int opt_u16(json_object *o, const char *path, const char *key, bool *ret_set, uint16_t *ret, char **error) {
        uint64_t u = 0;
        int r;

        r = OCI_FIELD(o, path, key, oci_json_uint64(_v, _p, UINT16_MAX, &u, error));
        if (r < 0)
                return r;
        *ret_set = oci_json_field(o, key);
        *ret = (uint16_t) u;
        return 0;
}

static int parse_device_rule(json_object *e, const char *path, void *dest, char **error) {
        OciDeviceRule *d = dest;
        _cleanup_free_ char *type = NULL, *access = NULL;
        int r;

        *d = (OciDeviceRule) { .type = 'a', .major = -1, .minor = -1, .access = "rwm" };
        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "allow", oci_json_bool(_v, _p, &d->allow, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(e, path, "type", oci_json_string(_v, _p, &type, error));
        if (r < 0)
                return r;
        if (type) {
                if (strlen(type) != 1 || !strchr("acb", type[0])) {
                        _cleanup_free_ char *tp = oci_path_key(path, "type");
                        return tp ? oci_error(error, tp, "unknown device type \"%.64s\" (expected a, c or b)", type)
                                  : -ENOMEM;
                }
                d->type = type[0];
        }
        /* -1 is the wildcard, as in runc. */
        r = OCI_FIELD(e, path, "major", oci_json_int64(_v, _p, -1, UINT32_MAX, &d->major, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(e, path, "minor", oci_json_int64(_v, _p, -1, UINT32_MAX, &d->minor, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(e, path, "access", oci_json_string(_v, _p, &access, error));
        if (r < 0)
                return r;
        if (access) {
                size_t n = strlen(access);
                bool ok = n <= 3;

                for (size_t i = 0; ok && i < n; i++)
                        ok = strchr("rwm", access[i]) && !memchr(access, access[i], i);
                if (!ok) {
                        _cleanup_free_ char *ap = oci_path_key(path, "access");
                        return ap ? oci_error(error, ap, "invalid access \"%.64s\" (expected letters of rwm)", access)
                                  : -ENOMEM;
                }
                memcpy(d->access, access, n + 1);
        }
        return 0;
}

static int parse_memory(json_object *v, const char *path, OciResources *res, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        /* -1 means unlimited for limit and swap. */
        if ((r = opt_i64(v, path, "limit", -1, &res->memory.limit, error)) < 0 ||
            (r = opt_i64(v, path, "reservation", -1, &res->memory.reservation, error)) < 0 ||
            (r = opt_i64(v, path, "swap", -1, &res->memory.swap, error)) < 0 ||
            (r = opt_i64(v, path, "kernel", -1, &res->memory.kernel, error)) < 0 ||
            (r = opt_i64(v, path, "kernelTCP", -1, &res->memory.kernel_tcp, error)) < 0 ||
            (r = opt_u64(v, path, "swappiness", 100, &res->memory.swappiness, error)) < 0)
                return r;
        r = OCI_FIELD(v, path, "disableOOMKiller", oci_json_bool(_v, _p, &res->memory.disable_oom_killer, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "useHierarchy", oci_json_bool(_v, _p, &res->memory.use_hierarchy, error));
        if (r < 0)
                return r;
        return OCI_FIELD(v, path, "checkBeforeUpdate",
                         oci_json_bool(_v, _p, &res->memory.check_before_update, error));
}

static int parse_cpu_list(json_object *v, const char *path, char **ret, char **error) {
        int r;

        r = oci_json_string(v, path, ret, error);
        if (r < 0)
                return r;
        for (const char *q = *ret; *q; q++)
                if (!isdigit((unsigned char) *q) && *q != ',' && *q != '-')
                        return oci_error(error, path, "invalid list \"%.64s\" (expected like \"0-3,7\")", *ret);
        return 0;
}

static int parse_cpu(json_object *v, const char *path, OciResources *res, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        if ((r = opt_u64(v, path, "shares", UINT64_MAX, &res->cpu.shares, error)) < 0 ||
            (r = opt_i64(v, path, "quota", -1, &res->cpu.quota, error)) < 0 ||
            (r = opt_u64(v, path, "burst", UINT64_MAX, &res->cpu.burst, error)) < 0 ||
            (r = opt_u64(v, path, "period", UINT64_MAX, &res->cpu.period, error)) < 0 ||
            (r = opt_i64(v, path, "realtimeRuntime", INT64_MIN, &res->cpu.realtime_runtime, error)) < 0 ||
            (r = opt_u64(v, path, "realtimePeriod", UINT64_MAX, &res->cpu.realtime_period, error)) < 0 ||
            (r = opt_i64(v, path, "idle", INT64_MIN, &res->cpu.idle, error)) < 0)
                return r;
        if (res->cpu.idle.set && res->cpu.idle.value != 0 && res->cpu.idle.value != 1) {
                _cleanup_free_ char *ip = oci_path_key(path, "idle");
                return ip ? oci_error(error, ip, "must be 0 or 1") : -ENOMEM;
        }
        /* "If specified with any (valid) positive value, [quota] MUST be no smaller than burst." */
        if (res->cpu.burst.set && res->cpu.quota.set && res->cpu.quota.value > 0 &&
            res->cpu.burst.value > (uint64_t) res->cpu.quota.value)
                return oci_error(error, path, "burst must not be larger than quota");
        r = OCI_FIELD(v, path, "cpus", parse_cpu_list(_v, _p, &res->cpu.cpus, error));
        if (r < 0)
                return r;
        return OCI_FIELD(v, path, "mems", parse_cpu_list(_v, _p, &res->cpu.mems, error));
}

static int parse_major_minor(json_object *e, const char *path, int64_t *major, int64_t *minor, char **error) {
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "major", oci_json_int64(_v, _p, 0, UINT32_MAX, major, error));
        if (r < 0)
                return r;
        return OCI_REQUIRED(e, path, "minor", oci_json_int64(_v, _p, 0, UINT32_MAX, minor, error));
}

static int parse_weight_device(json_object *e, const char *path, void *dest, char **error) {
        OciWeightDevice *w = dest;
        int r;

        r = parse_major_minor(e, path, &w->major, &w->minor, error);
        if (r < 0)
                return r;
        r = opt_u16(e, path, "weight", &w->has_weight, &w->weight, error);
        if (r < 0)
                return r;
        r = opt_u16(e, path, "leafWeight", &w->has_leaf_weight, &w->leaf_weight, error);
        if (r < 0)
                return r;
        if (!w->has_weight && !w->has_leaf_weight)
                return oci_error(error, path, "at least one of weight and leafWeight is required");
        return 0;
}

static int parse_throttle_device(json_object *e, const char *path, void *dest, char **error) {
        OciThrottleDevice *t = dest;
        int r;

        r = parse_major_minor(e, path, &t->major, &t->minor, error);
        if (r < 0)
                return r;
        return OCI_REQUIRED(e, path, "rate", oci_json_uint64(_v, _p, UINT64_MAX, &t->rate, error));
}

static int parse_block_io(json_object *v, const char *path, OciResources *res, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = opt_u16(v, path, "weight", &res->block_io.has_weight, &res->block_io.weight, error);
        if (r < 0)
                return r;
        r = opt_u16(v, path, "leafWeight", &res->block_io.has_leaf_weight, &res->block_io.leaf_weight, error);
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "weightDevice",
                      oci_json_array_parse(_v, _p, sizeof(OciWeightDevice), parse_weight_device, NULL,
                                           (void **) &res->block_io.weight_devices, &res->block_io.n_weight_devices,
                                           error));
        if (r < 0)
                return r;
        for (OciThrottleKind k = 0; k < _OCI_THROTTLE_MAX; k++) {
                r = OCI_FIELD(v, path, throttle_table[k],
                              oci_json_array_parse(_v, _p, sizeof(OciThrottleDevice), parse_throttle_device, NULL,
                                                   (void **) &res->block_io.throttle[k],
                                                   &res->block_io.n_throttle[k], error));
                if (r < 0)
                        return r;
        }
        return 0;
}

static void hugepage_done(void *p) {
        free(((OciHugepageLimit *) p)->page_size);
}

static int parse_hugepage_limit(json_object *e, const char *path, void *dest, char **error) {
        OciHugepageLimit *h = dest;
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "pageSize", oci_json_string(_v, _p, &h->page_size, error));
        if (r < 0)
                return r;
        /* Becomes part of a cgroup file name (hugetlb.<pageSize>.max): "2MB", "1GB", ... */
        if (isempty(h->page_size) || strspn(h->page_size, "0123456789KMGTB") != strlen(h->page_size)) {
                _cleanup_free_ char *pp = oci_path_key(path, "pageSize");
                return pp ? oci_error(error, pp, "invalid page size \"%.64s\"", h->page_size) : -ENOMEM;
        }
        return OCI_REQUIRED(e, path, "limit", oci_json_uint64(_v, _p, UINT64_MAX, &h->limit, error));
}

static int parse_priority(json_object *e, const char *path, OciResources *res, char **error) {
        OciStringMap *m = &res->network_priorities;
        _cleanup_free_ char *name = NULL, *prio = NULL;
        uint32_t u = 0;
        int r;

        r = oci_json_object(e, path, error);
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "name", oci_json_string(_v, _p, &name, error));
        if (r < 0)
                return r;
        r = OCI_REQUIRED(e, path, "priority", oci_json_uint32(_v, _p, &u, error));
        if (r < 0)
                return r;
        if (asprintf(&prio, "%u", u) < 0) {
                prio = NULL;
                return -ENOMEM;
        }
        m->keys[m->n] = TAKE_PTR(name);
        m->values[m->n] = TAKE_PTR(prio);
        m->n++;
        return 0;
}

static int parse_network(json_object *v, const char *path, OciResources *res, char **error) {
        json_object *prios;
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "classID", oci_json_uint32(_v, _p, &res->network_class_id, error));
        if (r < 0)
                return r;
        res->has_network_class_id = oci_json_field(v, "classID");

        prios = oci_json_field(v, "priorities");
        if (prios) {
                _cleanup_free_ char *pp = oci_path_key(path, "priorities");
                size_t n;

                if (!pp)
                        return -ENOMEM;
                r = oci_json_array(prios, pp, error);
                if (r < 0)
                        return r;
                n = json_object_array_length(prios);
                res->network_priorities.keys = new0(char *, n ?: 1);
                res->network_priorities.values = new0(char *, n ?: 1);
                if (!res->network_priorities.keys || !res->network_priorities.values)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *ep = oci_path_index(pp, i);
                        if (!ep)
                                return -ENOMEM;
                        r = parse_priority(json_object_array_get_idx(prios, i), ep, res, error);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int parse_pids(json_object *v, const char *path, OciResources *res, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        /* -1 (and, by runc's reading, 0 and any negative value) means no limit. */
        return opt_i64(v, path, "limit", INT64_MIN, &res->pids_limit, error);
}

static int parse_unified(json_object *v, const char *path, OciResources *res, char **error) {
        int r;

        r = oci_json_string_map(v, path, &res->unified, error);
        if (r < 0)
                return r;
        /* Keys are file names in the container's cgroup directory: "controller.knob", no path components. */
        for (size_t i = 0; i < res->unified.n; i++) {
                const char *k = res->unified.keys[i];
                if (strchr(k, '/') || k[0] == '.' || !strchr(k, '.')) {
                        _cleanup_free_ char *kp = oci_path_map_key(path, k);
                        return kp ? oci_error(error, kp, "invalid cgroup file name") : -ENOMEM;
                }
        }
        return 0;
}

int oci_parse_resources(json_object *v, const char *path, OciResources *res, char **error) {
        int r;

        r = oci_json_object(v, path, error);
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "devices",
                      oci_json_array_parse(_v, _p, sizeof(OciDeviceRule), parse_device_rule, NULL,
                                           (void **) &res->devices, &res->n_devices, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "memory", parse_memory(_v, _p, res, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "cpu", parse_cpu(_v, _p, res, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "blockIO", parse_block_io(_v, _p, res, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "hugepageLimits",
                      oci_json_array_parse(_v, _p, sizeof(OciHugepageLimit), parse_hugepage_limit, hugepage_done,
                                           (void **) &res->hugepage_limits, &res->n_hugepage_limits, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "network", parse_network(_v, _p, res, error));
        if (r < 0)
                return r;
        r = OCI_FIELD(v, path, "pids", parse_pids(_v, _p, res, error));
        if (r < 0)
                return r;
        /* rdma: ignored. */
        return OCI_FIELD(v, path, "unified", parse_unified(_v, _p, res, error));
}
