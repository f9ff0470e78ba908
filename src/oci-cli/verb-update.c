/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* update --resources FILE|- ID: a runtime-spec LinuxResources object, read through the same parser and
 * front-end as a bundle's linux.resources (as the "resources" of a minimal spec), becomes properties of the
 * container's scope (SetUnitProperties, runtime: as systemctl set-property --runtime). */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "fd-util.h"
#include "machine-bus.h"
#include "runtime.h"

#define RESOURCES_MAX (1024U * 1024U)

static int read_resources(const char *path, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, allocated = 0;
        _cleanup_close_ int fd = -EBADF;
        int in = STDIN_FILENO;

        if (!streq(path, "-")) {
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
                in = fd;
        }
        for (;;) {
                ssize_t k;

                if (n + 4096 > allocated) {
                        char *p;
                        if (allocated >= RESOURCES_MAX)
                                return -EFBIG;
                        allocated += 64 * 1024;
                        p = realloc(buf, allocated + 1);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                }
                k = read(in, buf + n, allocated - n);
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += k;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

int verb_update(int argc, char **argv) {
        static const struct option options[] = {
                { "resources", required_argument, NULL, 'r' },
                {}
        };
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *text = NULL, *doc = NULL, *error = NULL;
        const char *resources = NULL;
        int ch, r;

        while ((ch = getopt_long(argc, argv, "r:", options, NULL)) >= 0)
                switch (ch) {
                case 'r':
                        resources = optarg;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (optind != argc - 1 || !resources) {
                oci_error(EINVAL, "update: expected --resources FILE|- and a container id");
                return EXIT_FAILURE;
        }
        r = read_resources(resources, &text);
        if (r < 0) {
                oci_error(r, "--resources %s: %s", resources, strerror(-r));
                return EXIT_FAILURE;
        }
        if (asprintf(&doc, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/\"},"
                     "\"process\":{\"args\":[\"/\"],\"cwd\":\"/\"},\"linux\":{\"resources\":%s}}",
                     text) < 0)
                return EXIT_FAILURE;
        r = oci_spec_parse(doc, strlen(doc), &spec, &error);
        if (r >= 0)
                r = oci_container_from_spec(TAKE_PTR(spec), "/", "update", NULL, &c, &error);
        if (r < 0) {
                oci_error(r, "--resources %s: %s", resources, error ?: strerror(-r));
                return EXIT_FAILURE;
        }

        /* As runc: the device policy stays as create made it. */
        if (c->n_device_rules > 0)
                oci_warning("--resources %s: devices are not changed by update, ignoring them", resources);
        if (oci_runtime_load(argv[optind], &l) < 0)
                return EXIT_FAILURE;
        if (!IN_SET(l->status, CONTAINER_CREATED, CONTAINER_RUNNING, CONTAINER_PAUSED)) {
                oci_error(ESRCH, "Container '%s' is not running", l->state->id);
                return EXIT_FAILURE;
        }
        if (!l->state->unit) {
                oci_error(EOPNOTSUPP, "update: only containers in a scope (--cgroup-manager systemd)");
                return EXIT_FAILURE;
        }
        r = oci_systemd_open(&bus);
        if (r >= 0)
                r = machine_bus_new_set_unit_properties(bus, l->state->unit, c, false, &call);
        if (r >= 0)
                r = sd_bus_call(bus, call, 0, &e, NULL);
        if (r < 0) {
                oci_error(r, "Failed to update %s: %s", l->state->unit, e.message ?: strerror(-r));
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
