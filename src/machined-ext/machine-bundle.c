/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A machine defined by an OCI bundle: config.json through the OCI front-end (src/container/config-oci.c) to
 * the model; the rest of the machine (scope, registration, /run/host, notify, console) is as for any other. */

#include <signal.h>
#include <sys/stat.h>

#include "log.h"
#include "machine.h"
#include "machine-network.h"
#include "strv.h"

int machine_load_bundle(Machine *m, const char *bundle, char **ret_error) {
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        _cleanup_strv_free_ char **defaults = NULL;
        _cleanup_free_ char *error = NULL, *uuid_assignment = NULL;
        char uuid[SD_ID128_UUID_STRING_MAX];
        struct stat st;
        int r;

        if (stat(bundle, &st) < 0 || !S_ISDIR(st.st_mode)) {
                r = -errno ?: -ENOTDIR;
                if (asprintf(ret_error, "Bundle %s of machine '%s': %s", bundle, m->name, strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_NO_SUCH_MACHINE;
        }

        /* The container interface, where process.env does not say otherwise. */
        sd_id128_to_uuid_string(m->id, uuid);
        if (asprintf(&uuid_assignment, "container_uuid=%s", uuid) < 0)
                return -ENOMEM;
        if (strv_extend(&defaults, "container=machined-ext") < 0 ||
            strv_extend(&defaults, uuid_assignment) < 0 ||
            strv_extend(&defaults, "NOTIFY_SOCKET=/run/host/notify") < 0)
                return -ENOMEM;

        r = oci_container_load(bundle, m->name, defaults, &c, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (asprintf(ret_error, "%s/config.json: %s", bundle, error ?: strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_INVALID_SETTINGS;
        }
        if (c->cgroups_path) {
                if (asprintf(ret_error, "%s/config.json: linux.cgroupsPath: only the systemd form SLICE:PREFIX:NAME "
                             "is supported", bundle) < 0)
                        *ret_error = NULL;
                return -MX_ERR_INVALID_SETTINGS;
        }
        STRV_FOREACH(w, c->warnings)
                log_warning("Machine %s: %s/config.json: %s", m->name, bundle, *w);

        if (stat(c->config.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
                r = -errno ?: -ENOTDIR;
                if (asprintf(ret_error, "Root directory %s of machine '%s' (root.path of %s/config.json): %s",
                             c->config.root, m->name, bundle, strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        m->root = strdup(c->config.root);
        m->hostname = strdup(c->config.hostname);
        m->argv = strv_copy(c->config.argv);
        m->envp = strv_copy(c->config.envp);
        m->bundle = strdup(bundle);
        if (!m->root || !m->hostname || !m->argv || !m->envp || !m->bundle)
                return -ENOMEM;
        if (c->unit && !m->keep_unit) {
                free(m->unit);
                m->unit = strdup(c->unit);
                if (!m->unit)
                        return -ENOMEM;
        }

        /* An OCI payload is an application, not a booted init: no READY=1 to wait for, and stop means SIGKILL
         * (as systemd-nspawn without --boot), since a PID 1 that does not handle SIGTERM ignores it. */
        m->boot = false;
        m->notify_ready = false;
        m->kill_signal = SIGKILL;
        m->read_only = c->config.read_only;
        /* process.terminal: a pty (attachable, the payload's controlling terminal), else stdout and stderr to the
         * journal and no /dev/console, as a runtime without a console socket. */
        m->console_mode = c->spec->process->terminal ? CONSOLE_INTERACTIVE : CONSOLE_PIPE;
        m->oci = TAKE_PTR(c);
        return machine_network_load(m, ret_error);
}

int machine_load_settings_bundle(Machine *m, Settings *settings, char *settings_path, char **ret_error) {
        _cleanup_(settings_freep) Settings *s = settings;
        _cleanup_free_ char *path = settings_path;
        int r;

        if (!sd_id128_is_null(s->machine_id))
                m->id = s->machine_id; /* before the bundle: $container_uuid */
        r = machine_load_bundle(m, s->oci_bundle, ret_error);
        if (r == -MX_ERR_NO_SUCH_MACHINE)
                return -MX_ERR_SETUP_FAILED; /* there is a machine: its bundle is missing */
        if (r < 0)
                return r;

        if (s->notify_ready >= 0)
                m->notify_ready = s->notify_ready;
        if (s->notify_access >= 0)
                m->notify_access = s->notify_access;
        if (s->timeout_start_usec > 0)
                m->timeout_start_usec = s->timeout_start_usec;
        if (s->kill_signal > 0)
                m->kill_signal = s->kill_signal;
        m->settings_path = TAKE_PTR(path);
        m->settings = TAKE_PTR(s);
        return 0;
}
