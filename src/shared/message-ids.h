/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The MESSAGE_ID= of the daemon's journal messages about a machine (each also carries MACHINE=NAME), generated
 * once with `systemd-id128 new`. catalog/machined-ext.catalog explains each; machined-ext(8) lists them. Never
 * change one: journalctl MESSAGE_ID=... queries and the catalog depend on it. */

#define MX_MESSAGE_MACHINE_START  "40e48f95e96b4146ac8de0aadab6e74f" /* StartMachine() accepted, set-up begins */
#define MX_MESSAGE_MACHINE_READY  "3638e37638aa46849523f76a3fabf67d" /* READY=1 (or set-up done): running */
#define MX_MESSAGE_MACHINE_STOP   "819287d0ec354672896085c8434b44b9" /* stopping: the kill signal was sent */
#define MX_MESSAGE_MACHINE_EXIT   "c49fa9996d1b497fba4a2fbb370d826c" /* the payload (container init) ended */
#define MX_MESSAGE_MACHINE_FAILED "99a94049088e4ae69cc1161ca69c200b" /* the start failed (set-up, exec, timeout) */
