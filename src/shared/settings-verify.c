/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "settings-verify.h"
#include "strv.h"

/* "file:line: " or "file: " if the line is not known. */
_printf_(4, 5)
static int verify_fail(const Settings *s, unsigned line, char **ret_error, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        const char *file = s->path ?: "<input>";
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }

        r = line > 0 ? asprintf(ret_error, "%s:%u: %s", file, line, text) : asprintf(ret_error, "%s: %s", file, text);
        if (r < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        /* The message quotes the file: no control characters in what ends up in logs and terminals. */
        for (char *c = *ret_error; *c; c++)
                if ((unsigned char) *c < ' ' || *c == 0x7f)
                        *c = '?';
        return -EINVAL;
}

/* The first notice about something that was ignored, which may be why the command is missing (a typo such as
 * "Parameter=", a misspelt "[Exce]" section, Parameters= in the wrong section). NULL if there is none. */
static const char *first_ignored_notice(const Settings *s) {
        STRV_FOREACH(n, s->notices)
                if (strstr(*n, "Unknown key") || strstr(*n, "Unknown section") ||
                    strstr(*n, "outside of any section") || strstr(*n, "Missing '='"))
                        return *n;
        return NULL;
}

static int verify_command(const Settings *s, char **ret_error) {
        const char *hint;

        if (s->boot > 0)
                return 0; /* Boot=yes runs /sbin/init; Parameters= are its arguments */

        if (s->parameters && s->parameters[0]) {
                if (s->parameters[0][0])
                        return 0;
                return verify_fail(s, settings_item_line(s, "Exec", "Parameters"), ret_error,
                                   "Parameters= starts with an empty word: the first word must be the program "
                                   "to run (an absolute path or a name found in $PATH)");
        }

        if (s->boot < 0)
                return 0; /* neither Boot= nor a command: boot /sbin/init, like systemd-nspawn@.service */

        hint = first_ignored_notice(s);
        return verify_fail(s, settings_item_line(s, "Exec", "Boot"), ret_error,
                           "Boot=no, but there is no command to run: Parameters= is missing or empty. Without "
                           "Boot=yes the machine runs only the program given by Parameters= (e.g. "
                           "'Parameters=/bin/sh -c \"...\"'); set it, or set Boot=yes to run /sbin/init%s%s%s",
                           hint ? " (note: " : "", strempty(hint), hint ? ")" : "");
}

/* A host path (not "+PATH", not NULL for a temporary directory) that must exist. */
static int verify_source(const Settings *s, const CustomMount *m, const char *path, const char *what,
                         char **ret_error) {
        struct stat st;

        if (!path || path[0] != '/')
                return 0;
        if (stat(path, &st) >= 0)
                return 0;
        if (errno == ENOENT || errno == ENOTDIR)
                return verify_fail(s, m->line, ret_error, "%s=: %s %s does not exist on the host: %s",
                                   custom_mount_key(m), what, path, strerror(errno));
        return verify_fail(s, m->line, ret_error, "%s=: cannot access %s %s: %s", custom_mount_key(m), what, path,
                           strerror(errno));
}

static int verify_mounts(const Settings *s, char **ret_error) {
        int r;

        for (size_t i = 0; i < s->custom_mounts.n; i++) {
                const CustomMount *m = s->custom_mounts.mounts + i;

                switch (m->type) {
                case CUSTOM_MOUNT_BIND:
                        r = verify_source(s, m, m->source, "source path", ret_error);
                        break;
                case CUSTOM_MOUNT_OVERLAY:
                        r = 0;
                        STRV_FOREACH(l, m->lower) {
                                r = verify_source(s, m, *l, "lower directory", ret_error);
                                if (r < 0)
                                        break;
                        }
                        if (r >= 0)
                                r = verify_source(s, m, m->source, "upper directory", ret_error);
                        break;
                default:
                        r = 0;
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* With OCIBundle=, the bundle's config.json defines the container: only the keys about the machine around it
 * may be set next to it. */
static int verify_oci_bundle(const Settings *s, char **ret_error) {
        static const char *const machine_keys[] = {
                "OCIBundle", "MachineID", "KillSignal", "NotifyReady", "NotifyAccess", "TimeoutStartSec",
        };
        const SettingsItem *items = settings_items();

        if (!s->oci_bundle)
                return 0;
        for (size_t k = 0; k < s->n_item_lines; k++) {
                const SettingsItem *item = items + s->item_lines[k].item;
                bool ok = false;

                for (size_t j = 0; j < ELEMENTSOF(machine_keys); j++)
                        if (streq(item->key, machine_keys[j]))
                                ok = true;
                if (!ok)
                        return verify_fail(s, s->item_lines[k].line, ret_error,
                                           "%s= cannot be combined with OCIBundle=: the bundle's config.json "
                                           "defines the container (only MachineID=, KillSignal=, NotifyReady=, "
                                           "NotifyAccess= and TimeoutStartSec= may be set next to it)",
                                           item->key);
        }
        return 0;
}

int settings_verify(const Settings *s, char **ret_error) {
        int r;

        if (!s || !ret_error)
                return -EINVAL;

        if (s->oci_bundle)
                return verify_oci_bundle(s, ret_error);

        r = verify_command(s, ret_error);
        if (r < 0)
                return r;
        return verify_mounts(s, ret_error);
}
