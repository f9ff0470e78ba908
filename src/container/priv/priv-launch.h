/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* For a program without a C library (priv-launch.c): executes PATH with ARGV and ENVP from a detached read-only
 * (nosuid, nodev) bind mount of its file, as priv_exec_read_only() does; where that cannot be done (not root,
 * a kernel before 5.12), PATH as it is. If PATH cannot be executed either, writes why to stderr and exits
 * with 1. ARGV[0] must be set. Never returns. */
__attribute__((noreturn)) void priv_launch(const char *path, char *const argv[], char *const envp[]);
