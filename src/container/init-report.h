/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The child's side of the sync socket (init.c, init-joiner.c): reports, warnings, and the one way out. */

#include "container-config.h"
#include "setup-log.h"

/* Sends the message DATA of SIZE bytes on SOCK, with FD attached if FD >= 0. Returns 0 or -errno. */
int init_send_fd_message(int sock, const void *data, size_t size, int fd);

/* Sends REPORT, with FD attached if FD >= 0. Returns 0 or -errno. */
int init_send_report(int sock, const ContainerReport *report, int fd);

/* Sends the warnings L collected, and forgets them. */
void init_flush_warnings(int sock, SetupLog *l);

/* Sends L's warnings and its failure, then exits. */
_noreturn_ void init_report_and_exit(int sock, SetupLog *l);

/* Records the failure R of joining the namespace N (stage CONTAINER_STAGE_NAMESPACES, its origin and path).
 * Returns R. */
int init_fail_namespace(SetupLog *l, const ContainerNamespace *n, int r);
