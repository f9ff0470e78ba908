/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state ID (the runtime-spec state JSON) and list (every container under --root). */

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime.h"

int verb_state(int argc, char **argv) {
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
        _cleanup_free_ char *json = NULL;
        int r;

        if (argc != 2) {
                oci_error(EINVAL, "state: expected exactly one container id");
                return EXIT_FAILURE;
        }
        if (oci_runtime_peek(argv[1], &l) < 0)
                return EXIT_FAILURE;
        r = oci_runtime_state_json(l, true, &json);
        if (r < 0) {
                oci_error(r, "Out of memory");
                return EXIT_FAILURE;
        }
        printf("%s\n", json);
        return EXIT_SUCCESS;
}

int verb_list(int argc, char **argv) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "quiet",  no_argument,       NULL, 'q' },
                {}
        };
        ContainerStateEntry *entries = NULL;
        size_t n = 0;
        bool json = false, quiet = false;
        json_object *array = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "f:q", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        if (oci_parse_format(optarg, &json) < 0)
                                return EXIT_FAILURE;
                        break;
                case 'q':
                        quiet = true;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (optind != argc) {
                oci_error(EINVAL, "list: takes no arguments");
                return EXIT_FAILURE;
        }

        r = oci_root_check();
        if (r < 0 && r != -ENOENT)
                return EXIT_FAILURE;
        r = container_state_list(arg_root, &entries, &n, NULL);
        if (r < 0) {
                oci_error(r, "Failed to list %s: %s", arg_root, strerror(-r));
                return EXIT_FAILURE;
        }
        if (json) {
                array = json_object_new_array();
                if (!array) {
                        container_state_entries_free(entries, n);
                        oci_error(ENOMEM, "Out of memory");
                        return EXIT_FAILURE;
                }
        } else if (!quiet)
                printf("%-32s %-8s %-10s %s\n", "ID", "PID", "STATUS", "BUNDLE");

        for (size_t k = 0; k < n; k++) {
                _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
                _cleanup_free_ char *s = NULL;

                if (entries[k].state->owner != CONTAINER_OWNER_OCI_CLI)
                        continue;
                /* Loaded again, as state loads it, so that the status is derived the same way. */
                if (oci_runtime_peek(entries[k].state->id, &l) < 0)
                        continue;
                if (quiet)
                        printf("%s\n", l->state->id);
                else if (json) {
                        if (oci_runtime_state_json(l, false, &s) >= 0)
                                (void) json_object_array_add(array, json_tokener_parse(s));
                } else
                        printf("%-32s %-8i %-10s %s\n", l->state->id,
                               l->status == CONTAINER_STOPPED ? 0 : (int) l->state->pid,
                               container_status_to_string(l->status), l->state->bundle);
        }
        container_state_entries_free(entries, n);
        if (json) {
                printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PLAIN |
                                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(array);
        }
        return EXIT_SUCCESS;
}
