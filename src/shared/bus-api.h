/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The org.machinedext1 API in one place: bus name, object paths, interfaces, every error name, and the
 * sd_bus_error_map that the daemon and every client register (sd_bus_error_add_map()), so that
 * sd_bus_error_get_errno() and the return value of sd_bus_call() give a client a meaningful errno.
 *
 * The rule for domain errors (docs/dbus-api.md, "Errors"):
 *
 *   A domain condition (no such machine, not running, already running, invalid settings, ...) is never a
 *   borrowed errno. Inside the daemon it is -MX_ERR_*: a negative code above the errno range (every errno the
 *   kernel or libc returns is at most MAX_ERRNO, 4095), so "r < 0" still means "failed", and no real failure
 *   on the same path (a kill() failing with ESRCH, a read failing with ENXIO) can be mistaken for one.
 *   bus_api_error_set() turns -MX_ERR_* into its error name; any other negative value is a real failure and
 *   becomes org.freedesktop.DBus.Error.Failed (with the caller's message) or the errno's own D-Bus error,
 *   never one of ours. Only on the wire, and only name -> errno, does each error name stand for an errno
 *   (bus_api_error_map): distinct ones, so a client can tell every name apart by its errno. */

#include <stdbool.h>

#include <systemd/sd-bus.h>

#define BUS_NAME                "org.machinedext1"
#define BUS_MANAGER_PATH        "/org/machinedext1"
#define BUS_MANAGER_INTERFACE   "org.machinedext1.Manager"
#define BUS_MACHINE_INTERFACE   "org.machinedext1.Machine"
#define BUS_MACHINE_PATH_PREFIX "/org/machinedext1/machine"
/* The containers of machined-ext-oci (GetMachine finds them too): BUS_OCI_PATH_PREFIX/<id, bus-label escaped> */
#define BUS_OCI_PATH_PREFIX     "/org/machinedext1/oci"

#define BUS_ERROR_NO_SUCH_MACHINE  "org.machinedext1.NoSuchMachine"
#define BUS_ERROR_MACHINE_EXISTS   "org.machinedext1.MachineExists"
#define BUS_ERROR_INVALID_SETTINGS "org.machinedext1.InvalidSettings"
#define BUS_ERROR_SETUP_FAILED     "org.machinedext1.SetupFailed"
#define BUS_ERROR_EXEC_FAILED      "org.machinedext1.ExecFailed"
#define BUS_ERROR_START_TIMEOUT    "org.machinedext1.StartTimeout"
#define BUS_ERROR_NOT_READY        "org.machinedext1.NotReady"
#define BUS_ERROR_CONSOLE_BUSY     "org.machinedext1.ConsoleBusy"
#define BUS_ERROR_NO_CONSOLE       "org.machinedext1.NoConsole"
#define BUS_ERROR_NO_SUCH_USER     "org.machinedext1.NoSuchUser"
#define BUS_ERROR_TIMEOUT          "org.machinedext1.Timeout"

/* Domain codes, returned negated (-MX_ERR_NOT_RUNNING). Above MAX_ERRNO: never an errno. */
typedef enum MxError {
        _MX_ERR_FIRST = 0x10000,
        MX_ERR_NO_SUCH_MACHINE = _MX_ERR_FIRST, /* no image directory and no settings file */
        MX_ERR_NOT_RUNNING,                     /* defined, but not running (or already exited) */
        MX_ERR_MACHINE_EXISTS,                  /* already running (or starting, or stopping) */
        MX_ERR_INVALID_SETTINGS,                /* the settings file is invalid (message: file:line) */
        MX_ERR_SETUP_FAILED,                    /* setting up or registering the container failed */
        MX_ERR_START_CANCELLED,                 /* the start was cancelled by a stop */
        MX_ERR_EXEC_FAILED,                     /* the command could not be executed */
        MX_ERR_START_TIMEOUT,                   /* no READY=1 within the start timeout (or the caller's) */
        MX_ERR_NOT_READY,                       /* it exited or is stopping before it was ready */
        MX_ERR_CONSOLE_BUSY,                    /* another client is attached to the console */
        MX_ERR_NO_CONSOLE,                      /* the console mode has nothing to attach to */
        MX_ERR_NO_SUCH_USER,                    /* OpenShell, Exec: no such user in the container */
        MX_ERR_TIMEOUT,                         /* an operation's helper did not finish in time (BindMount) */
        _MX_ERR_END,
} MxError;

/* Whether r (negative) is one of the -MX_ERR_* domain codes. */
static inline bool mx_error_is_domain(int r) {
        return r <= -_MX_ERR_FIRST && r > -_MX_ERR_END;
}

/* name -> errno, for sd_bus_error_add_map() (terminated by SD_BUS_ERROR_MAP_END). */
extern const sd_bus_error_map bus_api_error_map[];

/* Registers bus_api_error_map with sd-bus. Returns 0 or -errno. */
int bus_api_add_error_map(void);

/* The error name of domain code -MX_ERR_* (or MX_ERR_*), or NULL if r is not one. */
const char *mx_error_to_name(int r);

/* A short text for r: the default message of a domain code, strerror() of an errno. Never NULL. */
const char *mx_strerror(int r);

/* Sets *error for the failure r of an operation on machine NAME. Domain codes get their own name, with
 * MESSAGE if given, else a default naming the machine; anything else is a real failure: -ENOMEM stays
 * NoMemory, others become org.freedesktop.DBus.Error.Failed with MESSAGE, or the errno's own error with
 * "Machine 'NAME': <strerror>". Returns the (negative) result of sd_bus_error_set*(), as a handler returns it. */
int bus_api_error_set(sd_bus_error *error, int r, const char *name, const char *message);

/* Appends S (NULL: "") as a string to M; text sd-bus would refuse (bytes that are not UTF-8, noncharacters),
 * and control characters, go as '?': a path, a command or a name from a bundle, an image or a state file
 * must not make a reply or a property fail for everyone. Returns what sd_bus_message_append_basic() returns,
 * or -ENOMEM. */
int bus_append_text(sd_bus_message *m, const char *s);

/* What bus_append_text() sends for S: S itself (NULL: ""), or a copy with '?' in place of what it replaces,
 * put into *RET_COPY for the caller to free. Returns the text, or NULL on OOM. */
const char *bus_text(const char *s, char **ret_copy);

/* The same for an array of strings ("as"; NULL: empty). */
int bus_append_text_strv(sd_bus_message *m, char * const *l);
