/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* delete [--force] ID: a stopped or created container, or with --force any (killed first). */

#include <getopt.h>
#include <stdlib.h>

#include "runtime.h"

int verb_delete(int argc, char **argv) {
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                {}
        };
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
        bool force = false;
        int c;

        while ((c = getopt_long(argc, argv, "f", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        force = true;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (optind != argc - 1) {
                oci_error(EINVAL, "delete: expected exactly one container id");
                return EXIT_FAILURE;
        }
        if (oci_runtime_load_full(argv[optind], force, &l) < 0)
                return EXIT_FAILURE;
        if (!l)         /* what a create that died left, removed */
                return EXIT_SUCCESS;
        if (!force && IN_SET(l->status, CONTAINER_RUNNING, CONTAINER_PAUSED)) {
                oci_error(EBUSY, "Container '%s' is %s: stop it first, or use delete --force", l->state->id,
                          container_status_to_string(l->status));
                return EXIT_FAILURE;
        }
        if (oci_runtime_destroy(l->state, l->pidfd, l->dir_fd) < 0)
                return EXIT_FAILURE;
        return EXIT_SUCCESS;
}
