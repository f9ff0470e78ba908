/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "config-oci.h"
#include "oci-spec.h"
#include "strv.h"

static void check_string(const char *s) {
        if (s)
                (void) strlen(s);
}

static void check_abs(const char *s) {
        if (!s || s[0] != '/')
                abort();
}

/* Accepted documents must satisfy what the parser promises in oci-spec.h; touching every string makes a
 * dangling pointer show up under ASan. */
static void check_spec(const OciSpec *s) {
        if (!s->oci_version || !startswith(s->oci_version, "1.") || isempty(s->root_path))
                abort();
        for (size_t i = 0; i < s->n_mounts; i++) {
                check_abs(s->mounts[i].destination);
                check_string(s->mounts[i].type);
                check_string(s->mounts[i].source);
                STRV_FOREACH(o, s->mounts[i].options)
                        check_string(*o);
                if (!s->mounts[i].n_uid_mappings != !s->mounts[i].n_gid_mappings &&
                    (!s->mounts[i].uid_mappings != !s->mounts[i].gid_mappings))
                        abort();
        }
        if (s->process) {
                const OciProcess *p = s->process;

                if (!p->args || isempty(p->args[0]))
                        abort();
                check_abs(p->cwd);
                STRV_FOREACH(e, p->env)
                        if (!strchr(*e, '=') || (*e)[0] == '=')
                                abort();
                for (size_t i = 0; i < p->n_rlimits; i++)
                        if (p->rlimits[i].soft > p->rlimits[i].hard)
                                abort();
                if (p->uid == (uid_t) -1 || p->gid == (gid_t) -1)
                        abort();
                STRV_FOREACH(c, p->unknown_capabilities)
                        if (!startswith(*c, "CAP_"))
                                abort();
        }
        for (OciHookKind k = 0; k < _OCI_HOOK_KIND_MAX; k++)
                for (size_t i = 0; i < s->n_hooks[k]; i++) {
                        check_abs(s->hooks[k][i].path);
                        if (s->hooks[k][i].timeout < 0)
                                abort();
                }
        for (size_t i = 0; i < s->annotations.n; i++)
                if (isempty(s->annotations.keys[i]) || !s->annotations.values[i])
                        abort();
        if (s->linux_config) {
                const OciLinux *l = s->linux_config;
                unsigned seen = 0;

                for (size_t i = 0; i < l->n_namespaces; i++) {
                        unsigned bit = 1U << l->namespaces[i].type;

                        if (l->namespaces[i].type < 0 || l->namespaces[i].type >= _OCI_NS_MAX || (seen & bit))
                                abort();
                        seen |= bit;
                        if (l->namespaces[i].path)
                                check_abs(l->namespaces[i].path);
                }
                for (size_t i = 0; i < l->n_devices; i++) {
                        check_abs(l->devices[i].path);
                        if (!strchr("cbup", l->devices[i].type) || l->devices[i].file_mode > 07777)
                                abort();
                }
                STRV_FOREACH(m, l->masked_paths)
                        check_abs(*m);
                STRV_FOREACH(m, l->readonly_paths)
                        check_abs(*m);
                check_string(l->cgroups_path);
                if (l->cgroups_path && strstr(l->cgroups_path, "/../"))
                        abort();
                if (l->seccomp)
                        for (size_t i = 0; i < l->seccomp->n_syscalls; i++)
                                if (!l->seccomp->syscalls[i].names || !l->seccomp->syscalls[i].names[0])
                                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(oci_spec_freep) OciSpec *s = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = oci_spec_parse((const char *) data, size, &s, &error);
        if (r < 0) {
                if (s)
                        abort();
                if (r == -ENOMEM)
                        return 0;
                if (!IN_SET(r, -EINVAL, -EBADMSG, -EFBIG, -EPROTONOSUPPORT))
                        abort();
                /* Every refusal says why, on one clean line. */
                if (isempty(error))
                        abort();
                for (const char *c = error; *c; c++)
                        if ((unsigned char) *c < ' ' || *c == 0x7f)
                                abort();
                return 0;
        }

        if (!s || error)
                abort();
        check_spec(s);

        /* The OCI front-end on every accepted document: a model that validates, or a refusal that says why. */
        {
                _cleanup_(oci_container_freep) OciContainer *c = NULL;
                bool abs_root = s->root_path[0] == '/';

                r = oci_container_from_spec(TAKE_PTR(s), "/bundle", "fuzz", NULL, &c, &error);
                if (r < 0) {
                        if (c || (r != -ENOMEM && (r != -EINVAL || isempty(error))))
                                abort();
                        return 0;
                }
                if (!c || error || (abs_root && container_config_validate(&c->config) < 0))
                        abort();
        }
        return 0;
}
