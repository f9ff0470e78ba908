/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* start ID: releases a created container through its FIFO (runtime.c). */

#include <stdlib.h>

#include "runtime.h"

int verb_start(int argc, char **argv) {
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;

        if (argc != 2) {
                oci_error(EINVAL, "start: expected exactly one container id");
                return EXIT_FAILURE;
        }
        if (oci_runtime_load(argv[1], &l) < 0 || oci_runtime_start(l) < 0)
                return EXIT_FAILURE;
        return EXIT_SUCCESS;
}
