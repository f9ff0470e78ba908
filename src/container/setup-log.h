/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a set-up step leaves for its caller besides its -errno: the stage and detail of a failure, and the
 * warnings of things it left out. Steps never talk to the sync socket themselves; init.c (the only reporter)
 * sends what they collected. */

#include "container-config.h"
#include "macro.h"

#define SETUP_LOG_WARNINGS_MAX 16

typedef struct SetupLog {
        ContainerReport failure;
        ContainerReport warnings[SETUP_LOG_WARNINGS_MAX];
        size_t n_warnings;
} SetupLog;

/* Records a failure of STAGE about DETAIL (may be NULL). Returns R, which must be < 0 (-EIO if it is not). */
int setup_fail(SetupLog *l, ContainerStage stage, int r, const char *detail);
/* Like setup_fail(), with a formatted detail and ContainerReportFlags. */
int setup_failf(SetupLog *l, ContainerStage stage, int r, uint32_t flags, const char *format, ...) _printf_(5, 6);
/* Records a warning (errno ERROR, may be 0) with a formatted message; set-up goes on. Beyond
 * SETUP_LOG_WARNINGS_MAX warnings, the last one is overwritten. */
void setup_warn(SetupLog *l, int error, const char *format, ...) _printf_(3, 4);
