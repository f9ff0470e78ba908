/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "settings-verify.h"
#include "settings.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_fclose_ FILE *f = NULL;

        if (size == 0)
                return 0; /* fmemopen() refuses a zero-sized buffer on older glibc */

        f = fmemopen((void *) data, size, "r");
        if (!f)
                return 0;

        /* Trusted, so that every implemented parser is reached. */
        if (settings_parse(f, "fuzz.nspawn", true, &s, &error) < 0)
                return 0;

        /* Touch the results, so that a dangling pointer shows up under ASan. */
        STRV_FOREACH(n, s->notices)
                (void) strlen(*n);
        STRV_FOREACH(p, s->parameters)
                (void) strlen(*p);
        STRV_FOREACH(e, s->environment)
                (void) strlen(*e);
        if (s->directory)
                (void) strlen(s->directory);
        const char *strings[] = { s->user, s->working_directory, s->hostname, s->network_bridge, s->network_zone };
        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
                if (strings[i])
                        (void) strlen(strings[i]);
        char **lists[] = { s->syscall_filter.allow, s->syscall_filter.deny, s->inaccessible, s->bind_user,
                           s->network_veth_extra, s->network_interfaces, s->network_macvlan, s->network_ipvlan };
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
                STRV_FOREACH(w, lists[i])
                        (void) strlen(*w);
        for (size_t i = 0; i < s->custom_mounts.n; i++) {
                const CustomMount *m = s->custom_mounts.mounts + i;

                (void) strlen(m->destination);
                if (m->source)
                        (void) strlen(m->source);
                if (m->options)
                        (void) strlen(m->options);
                STRV_FOREACH(l, m->lower)
                        (void) strlen(*l);
        }
        for (size_t i = 0; i < s->expose_ports.n; i++)
                if (s->expose_ports.ports[i].host_port == 0)
                        abort(); /* the parser refuses port 0 */
        for (size_t i = 0; i < ELEMENTSOF(s->rlimit); i++)
                if (s->rlimit[i] && s->rlimit[i]->rlim_cur > s->rlimit[i]->rlim_max)
                        abort(); /* the parser refuses soft > hard */
        if (s->cpu_affinity)
                (void) CPU_COUNT(s->cpu_affinity);

        /* What the daemon does next: whatever the file says, an error (with a message) or success, never a
         * crash; and success means there is something to execute. */
        {
                _cleanup_free_ char *verify_error = NULL;
                int r = settings_verify(s, &verify_error);

                if (r == -EINVAL && !verify_error)
                        abort();
                if (r >= 0 && s->boot == 0 && !(s->parameters && s->parameters[0] && s->parameters[0][0]))
                        abort();
        }

        return 0;
}
