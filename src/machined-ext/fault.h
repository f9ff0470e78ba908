/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Fault injection, for the tests of a daemon that dies in the middle of a start (test-faults.sh). Only in
 * builds configured with -Dfault-injection=true (off by default): with MACHINED_EXT_FAULT=POINT:NAME in its
 * environment, the daemon _exit()s when the start of machine NAME reaches POINT, as a crash there would:
 *   after-clone     the container's init exists (cloned, waiting for its release), nothing asked of systemd
 *   after-scope     systemd's job for the scope is done, machined not yet asked
 *   after-release   the container's init released (its payload runs), machined not yet asked
 *   after-register  the same, and RegisterMachine sent
 *   after-exit-reply  the payload exited and its exit status was sent to its waiters (WaitMachine), its
 *                   network not yet removed
 * and where fault_stall() is called, the daemon sleeps FAULT_STALL_SEC there instead, its event loop stopped:
 *   stall-adoption  a previous instance's machine NAME is being adopted (before the event loop runs), as
 *                   the adoption of ~1000 machines that ended while no daemon ran takes that long
 * Other builds ignore the variable (fault_check_environment() says so in the journal). */

/* Longer than sd-bus's default method call timeout (25 s). */
#define FAULT_STALL_SEC 30U

void fault_point(const char *point, const char *name);
void fault_stall(const char *point, const char *name);

/* Logs that MACHINED_EXT_FAULT is set, and whether this build honours it. */
void fault_check_environment(void);
