/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The parser for sd_notify() datagrams received on a container's /run/host/notify. The input is untrusted
 * (any process in the container may send, and the sender check comes first, in the daemon). */

#define NOTIFY_MESSAGE_MAX 4096 /* PIPE_BUF: larger datagrams are dropped, like systemd-nspawn does */

typedef struct NotifyMessage {
        bool ready;             /* READY=1 */
        bool stopping;          /* STOPPING=1 */
        char *status;           /* STATUS=..., or NULL */
} NotifyMessage;

void notify_message_done(NotifyMessage *m);

/* Parses BUF (SIZE bytes, not NUL-terminated) as newline-separated assignments. Returns 0 and fills *ret,
 * -EBADMSG if the datagram is empty, longer than NOTIFY_MESSAGE_MAX, or contains a NUL byte (the whole
 * datagram is then ignored, as systemd PID 1 does), -ENOMEM. Unknown assignments are ignored. A STATUS=
 * with control characters (C0, DEL) or that is not valid UTF-8 is dropped. */
int notify_parse(const char *buf, size_t size, NotifyMessage *ret);

/* Whether S (N bytes) is a STATUS= text notify_parse() keeps: no control characters (C0, DEL), valid UTF-8
 * that sd-bus takes. */
bool notify_status_is_valid(const char *s, size_t n);
