/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The image's /etc/passwd and /etc/group (untrusted): looked up by name and by UID, never crashing, and a
 * found entry always matches what was asked for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "macro.h"
#include "passwd-parse.h"

static void lookup(const char *data, size_t size, const char *user) {
        PasswdEntry e = {};
        gid_t groups[PASSWD_GROUPS_MAX];
        int r;

        r = passwd_find_user(data, size, user, &e);
        if (r == -ESRCH || r == -EBADMSG)
                return;
        if (r < 0)
                abort();
        if (!e.name || !e.home || !e.shell || !*e.home)
                abort();
        if (!streq(e.name, user)) {
                /* Then it was found by UID. */
                char *end;
                unsigned long v = strtoul(user, &end, 10);
                if (*end || v != e.uid)
                        abort();
        }
        r = group_find_memberships(data, size, e.name, groups, ELEMENTSOF(groups));
        if (r < 0 || r > (int) ELEMENTSOF(groups))
                abort();
        passwd_entry_done(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *d = (const char *) data;
        char first[64];
        size_t n;

        lookup(d, size, "root");
        lookup(d, size, "0");
        lookup(d, size, "65534");
        /* The name on the first line, whatever it is. */
        for (n = 0; n < size && n < sizeof(first) && d[n] != ':' && d[n] != '\n' && d[n] != 0; n++)
                ;
        if (n > 0 && n < sizeof(first)) {
                memcpy(first, d, n);
                first[n] = 0;
                lookup(d, size, first);
        }
        return 0;
}
