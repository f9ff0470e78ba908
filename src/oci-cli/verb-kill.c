/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kill [--all] ID [SIGNAL]: SIGNAL is a number or a name in any case, with or without "SIG" (default SIGTERM). */

#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>

#include "name.h"
#include "runtime.h"

int verb_kill(int argc, char **argv) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                {}
        };
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;
        bool all = false;
        int c, sig = SIGTERM;

        while ((c = getopt_long(argc, argv, "a", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (optind >= argc || argc - optind > 2) {
                oci_error(EINVAL, "kill: expected a container id and optionally a signal");
                return EXIT_FAILURE;
        }
        if (argc - optind == 2) {
                /* Any case, as runc takes it ("term", "sigkill"). */
                for (char *p = argv[optind + 1]; *p; p++)
                        *p = (char) toupper((unsigned char) *p);
                sig = signal_from_string(argv[optind + 1]);
                if (sig <= 0) {
                        oci_error(EINVAL, "kill: invalid signal '%s'", argv[optind + 1]);
                        return EXIT_FAILURE;
                }
        }
        if (oci_runtime_load(argv[optind], &l) < 0 || oci_runtime_kill(l, sig, all) < 0)
                return EXIT_FAILURE;
        return EXIT_SUCCESS;
}
