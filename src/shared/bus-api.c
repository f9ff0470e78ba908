/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "bus-api.h"
#include "escape.h"
#include "macro.h"

/* Each name stands for a distinct errno on the client side: see the rule in bus-api.h. */
const sd_bus_error_map bus_api_error_map[] = {
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_MACHINE,  ENXIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_MACHINE_EXISTS,   EEXIST),
        SD_BUS_ERROR_MAP(BUS_ERROR_INVALID_SETTINGS, EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_SETUP_FAILED,     ENOTRECOVERABLE),
        SD_BUS_ERROR_MAP(BUS_ERROR_EXEC_FAILED,      ENOEXEC),
        SD_BUS_ERROR_MAP(BUS_ERROR_START_TIMEOUT,    ETIMEDOUT),
        SD_BUS_ERROR_MAP(BUS_ERROR_NOT_READY,        ESRCH),
        SD_BUS_ERROR_MAP(BUS_ERROR_CONSOLE_BUSY,     EBUSY),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_CONSOLE,       EOPNOTSUPP),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_USER,     ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_TIMEOUT,          ETIME),
        SD_BUS_ERROR_MAP_END
};

int bus_api_add_error_map(void) {
        int r;

        r = sd_bus_error_add_map(bus_api_error_map);
        return r < 0 ? r : 0;
}

/* Each default message is BEFORE 'NAME' AFTER: no format string is built from data. */
static const struct {
        const char *name;
        const char *before, *after;
} domain_errors[_MX_ERR_END - _MX_ERR_FIRST] = {
        [MX_ERR_NO_SUCH_MACHINE - _MX_ERR_FIRST] =
                { BUS_ERROR_NO_SUCH_MACHINE, "No such machine ", "" },
        [MX_ERR_NOT_RUNNING - _MX_ERR_FIRST] =
                { BUS_ERROR_NO_SUCH_MACHINE, "Machine ", " is not running" },
        [MX_ERR_MACHINE_EXISTS - _MX_ERR_FIRST] =
                { BUS_ERROR_MACHINE_EXISTS, "Machine ", " is already running" },
        [MX_ERR_INVALID_SETTINGS - _MX_ERR_FIRST] =
                { BUS_ERROR_INVALID_SETTINGS, "Invalid settings file of machine ", "" },
        [MX_ERR_SETUP_FAILED - _MX_ERR_FIRST] =
                { BUS_ERROR_SETUP_FAILED, "Failed to set up machine ", "" },
        [MX_ERR_START_CANCELLED - _MX_ERR_FIRST] =
                { BUS_ERROR_SETUP_FAILED, "Machine ", " was stopped during start-up" },
        [MX_ERR_EXEC_FAILED - _MX_ERR_FIRST] =
                { BUS_ERROR_EXEC_FAILED, "Failed to execute the command of machine ", "" },
        [MX_ERR_START_TIMEOUT - _MX_ERR_FIRST] =
                { BUS_ERROR_START_TIMEOUT, "Timed out waiting for machine ", " to become ready" },
        [MX_ERR_NOT_READY - _MX_ERR_FIRST] =
                { BUS_ERROR_NOT_READY, "Machine ", " exited or is stopping" },
        [MX_ERR_CONSOLE_BUSY - _MX_ERR_FIRST] =
                { BUS_ERROR_CONSOLE_BUSY, "Another client is attached to the console of machine ", "" },
        [MX_ERR_NO_CONSOLE - _MX_ERR_FIRST] =
                { BUS_ERROR_NO_CONSOLE, "Machine ", " has no console to attach to" },
        [MX_ERR_NO_SUCH_USER - _MX_ERR_FIRST] =
                { BUS_ERROR_NO_SUCH_USER, "No such user in machine ", "" },
        [MX_ERR_TIMEOUT - _MX_ERR_FIRST] =
                { BUS_ERROR_TIMEOUT, "Timed out waiting for an operation on machine ", "" },
};

const char *mx_error_to_name(int r) {
        if (r < 0)
                r = -r;
        if (r < _MX_ERR_FIRST || r >= _MX_ERR_END)
                return NULL;
        return domain_errors[r - _MX_ERR_FIRST].name;
}

const char *mx_strerror(int r) {
        static const char *const text[_MX_ERR_END - _MX_ERR_FIRST] = {
                [MX_ERR_NO_SUCH_MACHINE - _MX_ERR_FIRST]  = "No such machine",
                [MX_ERR_NOT_RUNNING - _MX_ERR_FIRST]      = "Machine is not running",
                [MX_ERR_MACHINE_EXISTS - _MX_ERR_FIRST]   = "Machine is already running",
                [MX_ERR_INVALID_SETTINGS - _MX_ERR_FIRST] = "Invalid settings file",
                [MX_ERR_SETUP_FAILED - _MX_ERR_FIRST]     = "Container set-up failed",
                [MX_ERR_START_CANCELLED - _MX_ERR_FIRST]  = "Start cancelled by a stop",
                [MX_ERR_EXEC_FAILED - _MX_ERR_FIRST]      = "Failed to execute command",
                [MX_ERR_START_TIMEOUT - _MX_ERR_FIRST]    = "Timed out waiting for READY=1",
                [MX_ERR_NOT_READY - _MX_ERR_FIRST]        = "Machine exited or is stopping before it was ready",
                [MX_ERR_CONSOLE_BUSY - _MX_ERR_FIRST]     = "Console is busy",
                [MX_ERR_NO_CONSOLE - _MX_ERR_FIRST]       = "Machine has no console",
                [MX_ERR_NO_SUCH_USER - _MX_ERR_FIRST]     = "No such user in the machine",
                [MX_ERR_TIMEOUT - _MX_ERR_FIRST]          = "Operation timed out",
        };
        int a = r < 0 ? -r : r;

        if (a >= _MX_ERR_FIRST && a < _MX_ERR_END)
                return text[a - _MX_ERR_FIRST];
        return strerror(a);
}

int bus_api_error_set(sd_bus_error *error, int r, const char *name, const char *message) {
        const char *n = mx_error_to_name(r);
        _cleanup_free_ char *text = NULL;

        if (r >= 0)
                r = -EIO;       /* a caller's bug: still an error, never a success */
        /* Messages quote paths, settings and documents: sent as text sd-bus takes, or the reply would fail and
         * the caller wait for its timeout instead of an error. */
        if (message && needs_terminal_escape(message, strlen(message), 0)) {
                message = text = printable_dup(message);
                if (!text)
                        return sd_bus_error_set_errno(error, -ENOMEM);
        }
        if (n) {
                if (message)
                        return sd_bus_error_set(error, n, message);
                return sd_bus_error_setf(error, n, "%s'%s'%s", domain_errors[-r - _MX_ERR_FIRST].before,
                                         strna(name), domain_errors[-r - _MX_ERR_FIRST].after);
        }
        if (r == -ENOMEM)
                return sd_bus_error_set_errno(error, r);
        if (message)
                return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, message);
        return sd_bus_error_set_errnof(error, r, "Machine '%s': %s", strna(name), strerror(-r));
}

const char *bus_text(const char *s, char **ret_copy) {
        *ret_copy = NULL;
        s = strempty(s);
        if (!needs_terminal_escape(s, strlen(s), 0))
                return s;
        return *ret_copy = printable_dup(s);
}

int bus_append_text(sd_bus_message *m, const char *s) {
        _cleanup_free_ char *copy = NULL;

        s = bus_text(s, &copy);
        if (!s)
                return -ENOMEM;
        return sd_bus_message_append_basic(m, 's', s);
}

int bus_append_text_strv(sd_bus_message *m, char * const *l) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "s");
        for (char * const *i = l; r >= 0 && i && *i; i++)
                r = bus_append_text(m, *i);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}
