/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ps [--format table|json] ID: the processes of the container's cgroup (and its subgroups), as host PIDs. */

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "fd-util.h"
#include "runtime.h"

static int add_pid(int pid, void *userdata) {
        return json_object_array_add(userdata, json_object_new_int(pid)) < 0 ? -ENOMEM : 0;
}

static void print_cmdline(int pid) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        char path[64];
        size_t n = 0;

        snprintf(path, sizeof(path), "/proc/%i/cmdline", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && read_regular_fd(fd, 4096, &text, &n) >= 0)
                for (size_t i = 0; i + 1 < n; i++)
                        if (text[i] == 0)
                                text[i] = ' ';
        printf("%-8i %s\n", pid, text && n > 0 ? text : "");
}

int verb_ps(int argc, char **argv) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                {}
        };
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        json_object *a;
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "f:", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        if (oci_parse_format(optarg, &json) < 0)
                                return EXIT_FAILURE;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        /* runc passes what follows the id to ps(1): accepted, ignored. */
        if (optind >= argc) {
                oci_error(EINVAL, "ps: expected a container id");
                return EXIT_FAILURE;
        }
        if (oci_runtime_load(argv[optind], &l) < 0)
                return EXIT_FAILURE;
        if (l->status == CONTAINER_STOPPED || !l->state->cgroup) {
                oci_error(ESRCH, "Container '%s' is %s", l->state->id,
                          l->state->cgroup ? "not running" : "without a cgroup of its own");
                return EXIT_FAILURE;
        }
        if (asprintf(&path, "/sys/fs/cgroup%s", l->state->cgroup) < 0)
                return EXIT_FAILURE;
        dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        a = json_object_new_array();
        if (dir_fd < 0 || !a) {
                json_object_put(a);
                oci_error(errno ?: ENOMEM, "Failed to open %s: %s", path, strerror(errno ?: ENOMEM));
                return EXIT_FAILURE;
        }
        r = oci_cgroup_foreach_pid(dir_fd, add_pid, a);
        if (r < 0) {
                json_object_put(a);
                oci_error(r, "Failed to read the processes of %s: %s", path, strerror(-r));
                return EXIT_FAILURE;
        }
        if (json)
                printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
        else {
                printf("%-8s %s\n", "PID", "CMD");
                for (size_t i = 0; i < json_object_array_length(a); i++)
                        print_cmdline(json_object_get_int(json_object_array_get_idx(a, i)));
        }
        json_object_put(a);
        return EXIT_SUCCESS;
}
