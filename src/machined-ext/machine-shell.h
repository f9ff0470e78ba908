/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A process run inside a running machine on a client's behalf (OpenShell, Exec): the model side. */

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "machine.h"

typedef struct ExecRequest {
        const char *user;               /* looked up in the container's passwd; NULL or "": root */
        const char *path;               /* absolute, or NULL: argv[0] in PATH (or, with PTY, the user's shell) */
        char **argv;                    /* may be empty with PTY: { shell, "-l" } */
        char **env;                     /* "KEY=VALUE", on top of PATH (and HOME, USER, LOGNAME, SHELL from
                                         * passwd); with PTY, COLUMNS= and LINES= set the pty's initial
                                         * size instead (not passed on) */
        const char *cwd;                /* absolute, or NULL */
        bool pty;                       /* a pty of the container; else STDIO */
        int stdio[3];                   /* the caller's fds (Exec); -EBADF: /dev/null */
} ExecRequest;

/* Runs REQ in machine M: it joins every namespace and the cgroup of the machine's PID 1 and gets exactly what
 * the payload gets from the machine's model (bounding set and capabilities, seccomp filters, no_new_privs,
 * limits, a fresh session keyring). MESSAGE is answered once the process was exec'd (OpenShell: (h, u), Exec:
 * u) or could not be (NoSuchUser, ExecFailed, SetupFailed); when it exits, ExecExited goes to the caller.
 * Returns 0 if the process runs (the answer follows), -MX_ERR_NOT_RUNNING, or -errno. */
int machine_exec(Machine *m, const ExecRequest *req, sd_bus_message *message);

/* Frees every operation of M (the machine is going away): their events, fds and calls. */
void machine_exec_operations_free(Machine *m);
