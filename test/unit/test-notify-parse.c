/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "notify-parse.h"
#include "test-assert.h"

/* Parses a string literal (without its terminating NUL). */
#define PARSE(lit, m) notify_parse((lit), sizeof(lit) - 1, (m))

static void test_basic(void) {
        NotifyMessage m;

        ASSERT_EQ(PARSE("READY=1", &m), 0);
        ASSERT(m.ready);
        ASSERT(!m.stopping);
        ASSERT(!m.status);
        notify_message_done(&m);

        ASSERT_EQ(PARSE("STATUS=x", &m), 0);
        ASSERT(!m.ready);
        ASSERT_STREQ(m.status, "x");
        notify_message_done(&m);
        ASSERT(!m.status);

        ASSERT_EQ(PARSE("STOPPING=1", &m), 0);
        ASSERT(m.stopping);
        ASSERT(!m.ready);
        notify_message_done(&m);

        /* the last STATUS= wins */
        ASSERT_EQ(PARSE("READY=1\nSTATUS=a\nSTATUS=b", &m), 0);
        ASSERT(m.ready);
        ASSERT_STREQ(m.status, "b");
        notify_message_done(&m);

        /* trailing newline, empty lines, unknown keys */
        ASSERT_EQ(PARSE("\n\nFOO=bar\nREADY=1\n\nMAINPID=1\n", &m), 0);
        ASSERT(m.ready);
        ASSERT(!m.status);
        notify_message_done(&m);

        /* STATUS= with an empty value */
        ASSERT_EQ(PARSE("STATUS=", &m), 0);
        ASSERT_STREQ(m.status, "");
        notify_message_done(&m);
}

static void test_not_ready(void) {
        NotifyMessage m;

        ASSERT_EQ(PARSE("READY=0", &m), 0);
        ASSERT(!m.ready);
        notify_message_done(&m);

        ASSERT_EQ(PARSE("READY=11", &m), 0);
        ASSERT(!m.ready);
        notify_message_done(&m);

        ASSERT_EQ(PARSE(" READY=1", &m), 0);
        ASSERT(!m.ready);
        notify_message_done(&m);

        /* CRLF: "READY=1\r" is not "READY=1", and a status with \r is dropped */
        ASSERT_EQ(PARSE("READY=1\r\nSTATUS=x\r\n", &m), 0);
        ASSERT(!m.ready);
        ASSERT(!m.status);
        notify_message_done(&m);
}

static void test_bad(void) {
        NotifyMessage m = { .ready = true };
        static char big[NOTIFY_MESSAGE_MAX + 1];

        ASSERT_EQ(notify_parse("", 0, &m), -EBADMSG);
        ASSERT_EQ(notify_parse(NULL, 0, &m), -EBADMSG);
        ASSERT_EQ(PARSE("READY=1\0", &m), -EBADMSG);
        ASSERT_EQ(PARSE("\0READY=1", &m), -EBADMSG);
        ASSERT_EQ(PARSE("STATUS=a\0b", &m), -EBADMSG);
        /* *ret untouched on failure */
        ASSERT(m.ready);
        ASSERT(!m.status);

        /* 4097 bytes: refused; 4096 bytes: accepted */
        memset(big, 'x', sizeof(big));
        memcpy(big, "READY=1\nSTATUS=", 15);
        ASSERT_EQ(notify_parse(big, NOTIFY_MESSAGE_MAX + 1, &m), -EBADMSG);

        m = (NotifyMessage) {};
        ASSERT_EQ(notify_parse(big, NOTIFY_MESSAGE_MAX, &m), 0);
        ASSERT(m.ready);
        ASSERT(m.status);
        ASSERT_EQ(strlen(m.status), NOTIFY_MESSAGE_MAX - 15);
        notify_message_done(&m);
}

static void test_control_chars(void) {
        NotifyMessage m;

        ASSERT_EQ(PARSE("STATUS=a\x01" "b", &m), 0);
        ASSERT(!m.status);
        notify_message_done(&m);

        ASSERT_EQ(PARSE("STATUS=a\tb", &m), 0);
        ASSERT(!m.status);
        notify_message_done(&m);

        ASSERT_EQ(PARSE("STATUS=a\x7f", &m), 0);
        ASSERT(!m.status);
        notify_message_done(&m);

        /* a dropped STATUS= does not clear an earlier one */
        ASSERT_EQ(PARSE("STATUS=good\nSTATUS=\x1b[31mred", &m), 0);
        ASSERT_STREQ(m.status, "good");
        notify_message_done(&m);

        /* UTF-8 is kept */
        ASSERT_EQ(PARSE("STATUS=Grüße", &m), 0);
        ASSERT_STREQ(m.status, "Grüße");
        notify_message_done(&m);

        /* not UTF-8: dropped, or the Status property could not be sent on the bus */
        ASSERT_EQ(PARSE("STATUS=good\nSTATUS=\xff\xfe\xc3", &m), 0);
        ASSERT_STREQ(m.status, "good");
        notify_message_done(&m);
        ASSERT_EQ(PARSE("STATUS=\xed\xa0\x80", &m), 0);
        ASSERT(!m.status);
        notify_message_done(&m);
        /* noncharacters (U+FFFE, U+FDD0), which sd-bus refuses as well */
        ASSERT_EQ(PARSE("STATUS=good\nSTATUS=a\xef\xbf\xbe", &m), 0);
        ASSERT_STREQ(m.status, "good");
        notify_message_done(&m);
        ASSERT_EQ(PARSE("STATUS=\xef\xb7\x90", &m), 0);
        ASSERT(!m.status);
        notify_message_done(&m);

        /* C1 controls are valid UTF-8: kept, and escaped where they are shown (machinectl-ext) */
        ASSERT_EQ(PARSE("STATUS=a\xc2\x9b" "2J", &m), 0);
        ASSERT_STREQ(m.status, "a\xc2\x9b" "2J");
        notify_message_done(&m);
}

int main(void) {
        test_basic();
        test_not_ready();
        test_bad();
        test_control_chars();
        printf("test-notify-parse: OK\n");
        return 0;
}
