/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "notify-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        NotifyMessage m = {};
        int r;

        r = notify_parse((const char *) data, size, &m);
        if (r == -EBADMSG) {
                /* Refused only when empty, too long, or with a NUL byte. */
                if (!(size == 0 || size > NOTIFY_MESSAGE_MAX || memchr(data, 0, size)))
                        abort();
                return 0;
        }
        if (r < 0) {
                if (r != -ENOMEM)
                        abort();
                return 0;
        }

        /* Accepted: within the size limit, and the status (if any) is a clean, shorter string. */
        if (size == 0 || size > NOTIFY_MESSAGE_MAX)
                abort();
        if (m.status) {
                size_t n = strlen(m.status);

                if (n + strlen("STATUS=") > size)
                        abort();
                for (size_t i = 0; i < n; i++)
                        if ((unsigned char) m.status[i] < ' ' || m.status[i] == 0x7f)
                                abort();
        }

        notify_message_done(&m);
        if (m.status)
                abort();
        return 0;
}
