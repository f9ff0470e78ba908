/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "machine.h"

extern const sd_bus_vtable machine_vtable[];

int machine_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                        sd_bus_error *error);
/* An sd-bus filter (userdata: the Manager): asks polkit, for callers other than root, before a Get or GetAll of
 * a machine's paths and command is dispatched. Returns 1 if it handled MESSAGE, 0 to let it through. */
int machine_properties_filter(sd_bus_message *message, void *userdata, sd_bus_error *error);
int machine_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);

/* Turns a -errno from a machine operation into the bus error for the caller. Returns the result of
 * sd_bus_error_set*(). */
int bus_error_from_machine(sd_bus_error *error, int r, const char *name, const char *message);

/* Reads KillMachine()'s (and Kill()'s) "si" from the current position of MESSAGE: WHOM ("", "leader" or "all")
 * and a valid SIGNAL. Returns 0, or a negative errno with ERROR set (InvalidArgs). */
int bus_read_kill_arguments(sd_bus_message *message, const char **ret_whom, int32_t *ret_signal,
                            sd_bus_error *error);

/* Asks systemd to send SIG to every process of UNIT (KillUnit(UNIT, "all", SIG)) and answers CALL with its
 * outcome when it comes. Returns 1 (the reply follows), or -errno. */
int bus_kill_unit_async(Manager *manager, sd_bus_message *call, const char *unit, int sig);

/* Whether P is an absolute path without "." or ".." components, shorter than PATH_MAX. */
bool path_is_normalized_absolute(const char *p);

/* Asks systemd-machined to create the machine's scope and register it; the outcome goes to
 * machine_registered(). Returns 0 if the call was sent, -errno otherwise. */
int machine_dbus_register(Machine *m);

/* StopUnit of the machine's scope; the job's end goes to machine_scope_started(). */
int machine_dbus_stop_scope(Machine *m);

/* RegisterMachineWithNetwork for a leader already in its unit. The outcome goes to machine_registered(). */
int machine_dbus_register_in_unit(Machine *m);

/* The RegisterMachineWithNetwork call for M (name, id, leader, root, its network interfaces), unsent. Returns 0
 * or -errno. */
int machine_dbus_new_register_call(Machine *m, sd_bus_message **ret);

/* Answers the WaitMachine/Wait calls (the payload has exited). */
void machine_dbus_reply_exit_waiters(Machine *m);

/* Asks systemd-machined to drop the registration (keep-unit machines); MachineRemoved follows. */
int machine_dbus_unregister(Machine *m);

/* Answers a WaitMachineReady call (ERROR = 0: ready) and frees the waiter. */
void machine_dbus_reply_ready(ReadyWaiter *w, int error, const char *message);
/* Answers a BindMount call: with ERROR, or success if NULL. */
void machine_dbus_reply_bind(sd_bus_message *message, const sd_bus_error *error);

/* Answers the pending StartMachine call with the machine's object path. */
void machine_dbus_start_done(Machine *m);

/* How long StartMachine may keep its caller waiting: below the D-Bus default method call timeout (25 s). */
#define START_REPLY_USEC (20 * USEC_PER_SEC)

/* Arms the timer that answers the pending StartMachine with the machine's path if the start is still under way
 * after START_REPLY_USEC (slow OCI hooks, a slow systemd): the machine is "starting" then, and the outcome is
 * told by State, WaitMachineReady, WaitMachine and MachineRemoved. Returns 0 or -errno. */
int machine_dbus_arm_start_reply(Machine *m);
/* Answers everything pending on a machine that is gone, and announces its removal. */
void machine_dbus_finalized(Machine *m);
/* machine-changes.c: queues PROPERTY for one PropertiesChanged signal of m, sent at the end of this event
 * loop iteration with everything else queued by then (like systemd's unit D-Bus queue): a storm of STATUS=
 * becomes one signal per iteration, not one per datagram. */
void machine_dbus_send_changed(Machine *m, const char *property);
/* Sends what is queued now. */
void machine_dbus_flush_changed(Machine *m);
/* Drops the queue and its event source (machine_free()). */
void machine_dbus_changed_done(Machine *m);

/* Shared by the manager's by-name methods and the machine's own. */
int bus_machine_method_stop(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_kill(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_wait(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_wait_ready(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_open_console(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_get_console_log(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_bind_mount(sd_bus_message *message, void *userdata, sd_bus_error *error);
/* machine-dbus-shell.c */
int bus_machine_method_open_shell(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_exec(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_machine_method_set_console_size(sd_bus_message *message, void *userdata, sd_bus_error *error);
