/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A machine defined by an OCI bundle: config.json through the OCI front-end (src/container/config-oci.c) to
 * the model; the rest of the machine (scope, registration, /run/host, notify, console) is as for any other. */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "oci-spec.h"
#include "machine.h"
#include "machine-network.h"
#include "strv.h"

/* The container BUNDLE as D (a helper's reading of it) says. Returns like machine_load_bundle(). */
static int bundle_container(Machine *m, const char *bundle, const BundleData *d, OciContainer **ret,
                            char **ret_error) {
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        _cleanup_strv_free_ char **defaults = NULL;
        _cleanup_free_ char *error = NULL, *uuid_assignment = NULL;
        char uuid[SD_ID128_UUID_STRING_MAX];
        OciSpec *spec = NULL;
        int r;

        if (d->stage == BUNDLE_READ_DIRECTORY) {
                if (asprintf(ret_error, "Bundle %s of machine '%s': %s", bundle, m->name, strerror(d->error)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_NO_SUCH_MACHINE;
        }
        if (d->stage == BUNDLE_READ_CONFIG) {
                if (asprintf(ret_error, "%s/config.json: %s", bundle, d->message ?: strerror(d->error)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_INVALID_SETTINGS;
        }

        /* The container interface, where process.env does not say otherwise. */
        sd_id128_to_uuid_string(m->id, uuid);
        if (asprintf(&uuid_assignment, "container_uuid=%s", uuid) < 0)
                return -ENOMEM;
        if (strv_extend(&defaults, "container=machined-ext") < 0 ||
            strv_extend(&defaults, uuid_assignment) < 0 ||
            strv_extend(&defaults, "NOTIFY_SOCKET=/run/host/notify") < 0)
                return -ENOMEM;

        /* The daemon's own parser, on the text the helper read; root.path as the helper resolved it (relative
         * to the bundle: realpath() on the bundle's file system). */
        r = oci_spec_parse(d->text, d->size, &spec, &error);
        if (r >= 0 && !d->root) {
                spec = oci_spec_free(spec);
                r = -EBADMSG; /* the helper's parse failed where ours did not: cannot be */
        }
        if (r >= 0) {
                free(spec->root_path);
                spec->root_path = strdup(d->root);
                if (!spec->root_path) {
                        oci_spec_free(spec);
                        return -ENOMEM;
                }
                r = oci_container_from_spec(spec, bundle, m->name, defaults, &c, &error);
        }
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

        if (d->stage == BUNDLE_READ_ROOT) {
                if (asprintf(ret_error, "Root directory %s of machine '%s' (root.path of %s/config.json): %s",
                             c->config.root, m->name, bundle, strerror(d->error)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int machine_load_bundle(Machine *m, const char *bundle, char **ret_error) {
        _cleanup_(oci_container_freep) OciContainer *c = NULL;
        const BundleData *d = m->bundle_data;
        int r;

        if (!d) {
                /* Read by a helper first: the bundle is the caller's path, on whatever file system. */
                free(m->bundle_pending);
                m->bundle_pending = strdup(bundle);
                return m->bundle_pending ? MACHINE_LOAD_BUNDLE_PENDING : -ENOMEM;
        }
        if (!streq(d->bundle, bundle)) {
                /* OCIBundle= changed while the helper read the old one. */
                if (asprintf(ret_error, "The OCI bundle of machine '%s' changed to %s while %s was read",
                             m->name, bundle, d->bundle) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        r = bundle_container(m, bundle, d, &c, ret_error);
        if (r < 0)
                return r;

        m->root = strdup(c->config.root);
        m->hostname = strdup(c->config.hostname);
        m->argv = strv_copy(c->config.argv);
        m->envp = strv_copy(c->config.envp);
        m->bundle = strdup(bundle);
        free(m->bundle_text);
        m->bundle_text = malloc(d->size + 1);
        if (m->bundle_text) {
                memcpy(m->bundle_text, d->text, d->size);
                m->bundle_text[d->size] = 0;
        }
        m->bundle_text_size = d->size;
        if (!m->root || !m->hostname || !m->argv || !m->envp || !m->bundle || !m->bundle_text)
                return -ENOMEM;
        if (c->unit && !m->keep_unit && machine_set_unit(m, c->unit) < 0)
                return -ENOMEM;

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
        if (r != 0)
                return r; /* or MACHINE_LOAD_BUNDLE_PENDING */

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
