/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>

#include "escape.h"
#include "macro.h"
#include "notify-parse.h"

void notify_message_done(NotifyMessage *m) {
        m->status = mfree(m->status);
}

/* No control characters; and valid UTF-8, or the Status property could not be sent on the bus any more (the
 * status and show commands would fail for the machine). */
bool notify_status_is_valid(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < ' ' || s[i] == 0x7f)
                        return false;
        return utf8_is_valid_n(s, n);
}

int notify_parse(const char *buf, size_t size, NotifyMessage *ret) {
        NotifyMessage m = {};

        assert(buf || size == 0);
        assert(ret);

        if (size == 0 || size > NOTIFY_MESSAGE_MAX || memchr(buf, 0, size))
                return -EBADMSG;

        for (const char *p = buf, *end = buf + size; p < end;) {
                const char *nl = memchr(p, '\n', end - p);
                size_t n = (nl ? nl : end) - p;

                if (n == 7 && memcmp(p, "READY=1", 7) == 0)
                        m.ready = true;
                else if (n == 10 && memcmp(p, "STOPPING=1", 10) == 0)
                        m.stopping = true;
                else if (n >= 7 && memcmp(p, "STATUS=", 7) == 0 && notify_status_is_valid(p + 7, n - 7)) {
                        char *s = strndup(p + 7, n - 7);
                        if (!s) {
                                notify_message_done(&m);
                                return -ENOMEM;
                        }
                        free(m.status);
                        m.status = s;
                }

                p = nl ? nl + 1 : end; /* not "p += n + 1": end + 1 would point past the buffer (UB) */
        }

        *ret = m;
        return 0;
}
