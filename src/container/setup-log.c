/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>
#include <stdio.h>

#include "setup-log.h"

_printf_(5, 0)
static void setup_vfail(SetupLog *l, ContainerStage stage, int r, uint32_t flags, const char *format, va_list ap) {
        l->failure = (ContainerReport) {
                .stage = stage,
                .error = r < 0 ? -r : EIO,
                .flags = flags,
        };
        (void) vsnprintf(l->failure.detail, sizeof(l->failure.detail), format, ap);
}

int setup_failf(SetupLog *l, ContainerStage stage, int r, uint32_t flags, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        setup_vfail(l, stage, r, flags, format, ap);
        va_end(ap);
        return r < 0 ? r : -EIO;
}

int setup_fail(SetupLog *l, ContainerStage stage, int r, const char *detail) {
        return setup_failf(l, stage, r, 0, "%s", strempty(detail));
}

void setup_warn(SetupLog *l, int error, const char *format, ...) {
        ContainerReport *w;
        va_list ap;

        if (l->n_warnings < SETUP_LOG_WARNINGS_MAX)
                l->n_warnings++;
        w = l->warnings + l->n_warnings - 1;
        *w = (ContainerReport) { .stage = CONTAINER_STAGE_WARNING, .error = error < 0 ? -error : error };
        va_start(ap, format);
        (void) vsnprintf(w->detail, sizeof(w->detail), format, ap);
        va_end(ap);
}
