/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Machine methods that run a process inside (OpenShell, Exec) or size its console (SetConsoleSize):
 * parse, validate, authorize, act; the answer of the first two comes from machine-shell.c once the process
 * was exec'd or failed to be. */

#include <assert.h>
#include <string.h>

#include "bus-api.h"
#include "log.h"
#include "machine-dbus.h"
#include "machine-shell.h"
#include "name.h"
#include "polkit.h"
#include "strv.h"

#define EXEC_ARGS_MAX 4096U
#define EXEC_ENV_MAX 1024U
#define EXEC_USER_MAX 256U

static bool strv_isempty(char **l) {
        return !l || !l[0];
}

static const char *empty_to_null(const char *s) {
        return isempty(s) ? NULL : s;
}

/* A user name (as useradd allows it) or a decimal UID; empty means root. */
static bool user_valid(const char *u) {
        size_t n = strlen(u);

        if (n > EXEC_USER_MAX || u[0] == '-')
                return false;
        for (const char *c = u; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      IN_SET(*c, '_', '.', '-')))
                        return false;
        return true;
}

/* Returns NULL, or the first entry of ENV that is not a valid "KEY=VALUE" (env_assignment_is_valid()). */
static const char *env_invalid(char **env) {
        STRV_FOREACH(e, env)
                if (!env_assignment_is_valid(*e))
                        return *e;
        return NULL;
}

static int check_common(const char *user, char **argv, char **env, sd_bus_error *error) {
        const char *bad;

        if (!user_valid(user))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid user name '%s'", user);
        if (strv_length(argv) > EXEC_ARGS_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "More than %u arguments", EXEC_ARGS_MAX);
        if (strv_length(env) > EXEC_ENV_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "More than %u environment variables",
                                         EXEC_ENV_MAX);
        bad = env_invalid(env);
        if (bad)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid environment assignment '%s', expected KEY=VALUE", bad);
        return 0;
}

static int exec_error(sd_bus_error *error, int r, Machine *m) {
        if (mx_error_is_domain(r))
                return bus_error_from_machine(error, r, m->name, NULL);
        return sd_bus_error_set_errnof(error, r, "Failed to run a process in machine '%s': %s", m->name,
                                       strerror(-r));
}

int bus_machine_method_open_shell(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **argv = NULL, **env = NULL;
        Machine *m = ASSERT_PTR(userdata);
        const char *user, *path;
        ExecRequest req;
        int r;

        r = sd_bus_message_read(message, "ss", &user, &path);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(message, &argv);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(message, &env);
        if (r < 0)
                return r;
        r = check_common(user, argv, env, error);
        if (r < 0)
                return r;
        if (!isempty(path) && !path_is_normalized_absolute(path))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Path '%s' is not an absolute, normalized path", path);
        /* A command is a path and its arguments: the shell of the user is only for an empty one. */
        if (!strv_isempty(argv) && isempty(path))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Arguments given without a path");

        /* As good as a root shell in the container. */
        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_SHELL, error);
        if (r <= 0)
                return r == 0 ? 1 : r;

        req = (ExecRequest) {
                .user = user,
                .path = empty_to_null(path),
                .argv = argv,
                .env = env,
                .pty = true,
                .stdio = { -EBADF, -EBADF, -EBADF },
        };
        r = machine_exec(m, &req, message);
        if (r < 0)
                return exec_error(error, r, m);
        return 1;
}

int bus_machine_method_exec(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **argv = NULL, **env = NULL;
        Machine *m = ASSERT_PTR(userdata);
        const char *user, *cwd;
        int fds[3], r;
        ExecRequest req;

        r = sd_bus_message_read(message, "s", &user);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(message, &argv);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(message, &env);
        if (r < 0)
                return r;
        r = sd_bus_message_read(message, "shhh", &cwd, &fds[0], &fds[1], &fds[2]);
        if (r < 0)
                return r;
        r = check_common(user, argv, env, error);
        if (r < 0)
                return r;
        if (strv_isempty(argv) || isempty(argv[0]))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "No command given");
        if (!isempty(cwd) && !path_is_normalized_absolute(cwd))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Working directory '%s' is not an absolute, normalized path", cwd);

        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_SHELL, error);
        if (r <= 0)
                return r == 0 ? 1 : r;

        req = (ExecRequest) {
                .user = user,
                .argv = argv,
                .env = env,
                .cwd = empty_to_null(cwd),
                .stdio = { fds[0], fds[1], fds[2] },
        };
        r = machine_exec(m, &req, message);
        if (r < 0)
                return exec_error(error, r, m);
        return 1;
}

int bus_machine_method_set_console_size(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Machine *m = ASSERT_PTR(userdata);
        uint16_t rows, columns;
        int r;

        r = sd_bus_message_read(message, "qq", &rows, &columns);
        if (r < 0)
                return r;
        if (rows == 0 || columns == 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid window size %ux%u",
                                         (unsigned) rows, (unsigned) columns);

        r = bus_verify_polkit_async(message, m->manager, POLKIT_ACTION_CONSOLE, error);
        if (r <= 0)
                return r == 0 ? 1 : r;

        if (!m->console || m->exited)
                return bus_error_from_machine(error, -MX_ERR_NOT_RUNNING, m->name, NULL);
        r = console_set_size(m->console, rows, columns);
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, BUS_ERROR_NO_CONSOLE, "Machine '%s' has no terminal as console "
                                         "(Console=%s)", m->name, console_mode_to_string(m->console_mode));
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to set the console size of machine '%s': %s",
                                               m->name, strerror(-r));
        return sd_bus_reply_method_return(message, NULL);
}
