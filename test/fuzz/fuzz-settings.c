/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fuzz.h"
#include "settings.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_fclose_ FILE *f = NULL;

        if (size == 0)
                return 0; /* fmemopen() refuses a zero-sized buffer on older glibc */

        f = fmemopen((void *) data, size, "r");
        if (!f)
                return 0;

        /* Trusted, so that every implemented parser is reached. */
        if (settings_parse(f, "fuzz.nspawn", true, &s, &error) < 0)
                return 0;

        /* Touch the results, so that a dangling pointer shows up under ASan. */
        STRV_FOREACH(n, s->notices)
                (void) strlen(*n);
        STRV_FOREACH(p, s->parameters)
                (void) strlen(*p);
        STRV_FOREACH(e, s->environment)
                (void) strlen(*e);
        if (s->directory)
                (void) strlen(s->directory);

        return 0;
}
