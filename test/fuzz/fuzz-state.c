/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "state.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_free_ char *error = NULL, *created = NULL;
        int r;

        r = container_state_parse((const char *) data, size, NULL, &s, &error);
        if (r < 0) {
                if (s || (r != -ENOMEM && (r != -EBADMSG || isempty(error))))
                        abort();
                return 0;
        }

        /* Accepted: the invariants of state.h hold. */
        if (!s || !container_id_is_valid(s->id) || !container_status_to_string(s->status) ||
            !container_owner_to_string(s->owner) || s->pid < 0 || (s->pid > 0) != (s->start_time > 0) ||
            (s->bundle && s->settings) ||
            (!s->bundle && !s->settings && (!s->root || s->owner != CONTAINER_OWNER_DAEMON)) ||
            strv_length(s->annotations) % 2 != 0 || strv_length(s->daemon) % 2 != 0)
                abort();
        if (rfc3339_format(&s->created, &created) < 0)
                abort();
        return 0;
}
