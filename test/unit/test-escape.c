/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "test-assert.h"

static void check(const char *in, size_t n, EscapeFlags flags, const char *want) {
        char *got = escape_terminal(in, n, flags);

        ASSERT(got);
        ASSERT_STREQ(got, want);
        ASSERT(needs_terminal_escape(in, n, flags) == (strcmp(in, want) != 0 || strlen(in) != n));
        free(got);
}

#define CHECK(in, flags, want) check(in, sizeof(in) - 1, flags, want)

int main(void) {
        /* The attacks: OSC 52 (clipboard), OSC 0 (title), clear screen, CSI as one C1 byte. */
        CHECK("\x1b]52;c;cm0gLXJmIH4K\x07", 0, "\\x1b]52;c;cm0gLXJmIH4K\\x07");
        CHECK("\x1b]0;pwned\x1b\\", 0, "\\x1b]0;pwned\\x1b\\");
        CHECK("\x1b[2J\x1b[H", ESCAPE_KEEP_NEWLINES, "\\x1b[2J\\x1b[H");
        CHECK("a\xc2\x9b" "2Jb", 0, "a\\xc2\\x9b2Jb");          /* U+009B, CSI */
        CHECK("a\x9b" "2J", 0, "a\\x9b2J");                    /* a lone 0x9b byte */
        CHECK("rm -rf /\rls", ESCAPE_KEEP_NEWLINES, "rm -rf /\\x0dls");
        CHECK("\x7f\x08", 0, "\\x7f\\x08");

        /* Lines and tabs stay in text of many lines, not in one-line values. */
        CHECK("a\tb\nc\r\nd", ESCAPE_KEEP_NEWLINES, "a\tb\nc\r\nd");
        CHECK("a\tb\nc\r\nd", 0, "a\\x09b\\x0ac\\x0d\\x0ad");

        /* UTF-8 text and backslashes are left alone; broken UTF-8 is escaped byte by byte. */
        CHECK("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x90\xa7 C:\\x", 0, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x90\xa7 C:\\x");
        CHECK("\xc3", 0, "\\xc3");
        CHECK("\xc0\xaf", 0, "\\xc0\\xaf");                     /* overlong '/' */
        CHECK("\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf");
        CHECK("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");            /* a surrogate */
        CHECK("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80");   /* beyond U+10FFFF */

        /* NUL bytes inside the data. */
        check("a\0b", 3, 0, "a\\x00b");
        CHECK("", 0, "");
        ASSERT(utf8_is_valid_n("h\xc3\xa9llo \xc2\x9b \x1b", 11));
        ASSERT(utf8_is_valid_n("", 0));
        ASSERT(!utf8_is_valid_n("\xff", 1));
        ASSERT(!utf8_is_valid_n("a\xc3", 2));
        ASSERT(!utf8_is_valid_n("\xed\xa0\x80", 3));
        return 0;
}
