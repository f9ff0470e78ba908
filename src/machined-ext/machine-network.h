/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A machine's private network on the host (src/network/, docs/network.md): what its definition asks for,
 * set up after the clone and before the payload is released, recorded in its state, torn down when the run
 * is gone; Port= forwards kept pointed at the container's address by one address monitor. */

#include "machine.h"

/* Derives the machine's NetworkConfig from its definition: a settings file's [Network] section (none: a
 * private network with a veth, as systemd-nspawn@.service), or a bundle's namespaces (a new network namespace
 * in config.json: the same default; none, or one joined by path: nothing to do). Returns 0, or
 * -MX_ERR_INVALID_SETTINGS with *ret_error naming file:line and the key, or -ENOMEM. */
int machine_network_load(Machine *m, char **ret_error);

/* Builds the host side for the spawned, not yet released leader, into m->network, in NETNS_FD (the namespace
 * container_spawn() made for it) or, if that is -EBADF, in the leader's own. Returns 0 (also when there
 * is nothing to build), -MX_ERR_INVALID_SETTINGS (a Bridge=, Interface=, MACVLAN=, IPVLAN= link that is
 * missing or not a bridge, a Port= another machine forwards, a link name in use) or -MX_ERR_SETUP_FAILED,
 * with *ret_error; -ESRCH without a message if the leader is gone already (its own exit says why). On
 * failure nothing of it is left. */
int machine_network_setup(Machine *m, int netns_fd, char **ret_error);

/* Removes what m->network records (idempotent) and forgets it. Logs failures. Does nothing while
 * machine_network_teardown_async() is at work. */
void machine_network_teardown(Machine *m);

/* The same, off the event loop where it can be (links only: veth, VirtualEthernetExtra=; a zone bridge or
 * Port= forwards are removed here, at once): sets m->network_removing, and once the links are gone forgets
 * m->network, saves the state and calls machine_maybe_finalize(). */
void machine_network_teardown_async(Machine *m);

/* The record of m->network for the machine's state (NULL in *ret if there is none). Returns 0 or -ENOMEM. */
int machine_network_record(Machine *m, char **ret);

/* An adopted machine: takes the record TEXT from its state into m->network. Returns 0 or -EINVAL. */
int machine_network_adopt(Machine *m, const char *text);

/* The host-side ifindexes of the machine's links, for RegisterMachineWithNetwork. Returns their number (0:
 * *ret = NULL) or -errno. */
int machine_network_ifindexes(Machine *m, int **ret);

/* Tears down the network of machine NAME from its recorded TEXT: a machine that is gone, found in the state
 * of a previous instance of the daemon. Logs failures. */
void manager_network_teardown_record(const char *name, const char *text);

/* Removes the Port= claims of machines that are not among the manager's running machines. Logs failures. */
void manager_network_sweep(Manager *m);

/* Opens the address monitor (one for all machines) and watches it: a change of a container's addresses
 * points its Port= forwards at the new address. Returns 0 or -errno. */
int manager_watch_addresses(Manager *m);
