/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"

#define FAULT_ENV "MACHINED_EXT_FAULT"

#if FAULT_INJECTION
/* $MACHINED_EXT_FAULT if it is POINT:NAME, else NULL. */
static const char *fault_matches(const char *point, const char *name) {
        const char *e = getenv(FAULT_ENV);
        size_t n = strlen(point);

        if (!e || strncmp(e, point, n) != 0 || e[n] != ':' || strcmp(e + n + 1, name) != 0)
                return NULL;
        return e;
}
#endif

void fault_point(const char *point, const char *name) {
#if FAULT_INJECTION
        const char *e = fault_matches(point, name);

        if (!e)
                return;
        log_error("Fault injection (" FAULT_ENV "=%s): exiting at %s of the start of machine %s.", e, point, name);
        _exit(EXIT_FAILURE);
#else
        (void) point;
        (void) name;
#endif
}

void fault_stall(const char *point, const char *name) {
#if FAULT_INJECTION
        const char *e = fault_matches(point, name);

        if (!e)
                return;
        log_warning("Fault injection (" FAULT_ENV "=%s): stalling for %u s at %s of machine %s.", e,
                    FAULT_STALL_SEC, point, name);
        (void) sleep(FAULT_STALL_SEC);
#else
        (void) point;
        (void) name;
#endif
}

void fault_check_environment(void) {
        const char *e = getenv(FAULT_ENV);

        if (!e)
                return;
#if FAULT_INJECTION
        log_warning("Fault injection is on: " FAULT_ENV "=%s.", e);
#else
        log_warning(FAULT_ENV "=%s is ignored: this build has no fault injection (meson -Dfault-injection=true).", e);
#endif
}
