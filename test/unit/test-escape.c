/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

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

static void check_quote(const char *in, const char *want) {
        char *got = shell_maybe_quote(in);

        ASSERT(got);
        ASSERT_STREQ(got, want);
        free(got);
}

static void check_command_line(char **argv, const char *want) {
        char *got = quote_command_line(argv);

        ASSERT(got);
        ASSERT_STREQ(got, want);
        free(got);
}

/* systemd's rules (test-escape.c: shell_maybe_quote() with SHELL_ESCAPE_EMPTY), and $'...' where a word holds
 * what double quotes cannot give back. */
static void test_shell_quote(void) {
        check_quote("", "\"\"");
        check_quote("foobar", "foobar");
        check_quote("/usr/bin/sleep", "/usr/bin/sleep");
        check_quote("a=b,c:d@e%f+g-h_i.j~k", "a=b,c:d@e%f+g-h_i.j~k");
        check_quote("h\xc3\xa9llo\xe2\x82\xac", "h\xc3\xa9llo\xe2\x82\xac");
        check_quote("foo bar", "\"foo bar\"");
        check_quote("\\", "\"\\\\\"");
        check_quote("\"", "\"\\\"\"");
        check_quote("foo \"bar\" waldo", "\"foo \\\"bar\\\" waldo\"");
        check_quote("foo$bar", "\"foo\\$bar\"");
        check_quote("`id`", "\"\\`id\\`\"");
        check_quote("it's", "\"it's\"");
        check_quote("*", "\"*\"");
        check_quote("a?", "\"a?\"");
        check_quote("[x]", "\"[x]\"");
        check_quote("(x)<y>|&;!", "\"(x)<y>|&;!\"");
        /* Control characters and broken UTF-8: $'...', each byte escaped. */
        check_quote("a\tb", "$'a\\tb'");
        check_quote("a\nb", "$'a\\nb'");
        check_quote("it's\x1b[2J", "$'it\\'s\\033[2J'");
        check_quote("\\\x07", "$'\\\\\\a'");
        check_quote("$\"`\r", "$'$\"`\\r'");
        check_quote("\xff", "$'\\377'");
        check_quote("\xc2\x9b", "$'\\302\\233'");  /* U+009B, CSI */
        check_quote("\x7f", "$'\\177'");

        check_command_line((char *[]) { NULL }, "");
        check_command_line((char *[]) { (char *) "/bin/sh", NULL }, "/bin/sh");
        check_command_line((char *[]) { (char *) "/bin/sh", (char *) "-c", (char *) "echo \"hi $x\"",
                                        (char *) "", NULL },
                           "/bin/sh -c \"echo \\\"hi \\$x\\\"\" \"\"");
}

/* replace_unprintable(): in place, same length, what escape_terminal() escapes becomes the replacement. */
static void check_replace(const char *in, const char *want) {
        char *s = strdup(in);

        ASSERT(s);
        ASSERT(replace_unprintable(s, '?') == s);
        ASSERT_STREQ(s, want);
        ASSERT(!needs_terminal_escape(s, strlen(s), 0));
        free(s);
}

static void test_replace_unprintable(void) {
        check_replace("plain \xe2\x82\xac text", "plain \xe2\x82\xac text");   /* valid UTF-8 stays */
        check_replace("a\nb\tc\x1b[2J\x7f", "a?b?c?[2J?");
        check_replace("k\xff\xfe=1", "k?" "?=1");                           /* not UTF-8 at all */
        check_replace("cut \xe2\x82", "cut ??");                          /* a character cut short */
        check_replace("\xe2\x82'", "?" "?'");
        check_replace("csi \xc2\x9b", "csi ??");                          /* U+009B, a C1 control */
        check_replace("\xc0\xaf \xed\xa0\x80", "?? ???");                 /* overlong, a surrogate */
        /* Noncharacters, which sd-bus refuses in a string: U+FFFE, U+FFFF, U+FDD0, U+10FFFF, U+1FFFE. */
        check_replace("k\xef\xbf\xbe \xef\xbf\xbf", "k??? ???");
        check_replace("\xef\xb7\x90|\xf4\x8f\xbf\xbf|\xf0\x9f\xbf\xbe", "???|????|????");
        check_replace("\xf4\x90\x80\x80 \xf5\x80\x80\x80", "???? ????");   /* beyond U+10FFFF */
        /* Their neighbours stay: U+FFFD, U+FDCF, U+FDF0, U+10FFFD. */
        check_replace("\xef\xbf\xbd \xef\xb7\x8f \xef\xb7\xb0 \xf4\x8f\xbf\xbd",
                      "\xef\xbf\xbd \xef\xb7\x8f \xef\xb7\xb0 \xf4\x8f\xbf\xbd");
        check_replace("", "");
        ASSERT(!replace_unprintable(NULL, '?'));
}

/* What utf8_is_valid_n() accepts is what sd-bus takes in a string (the libsystemd we run with): a reply or a
 * property with text that passed it never fails on the bus. */
static void check_bus_agrees(const char *s) {
        sd_bus_message *m = NULL;
        sd_bus *bus = NULL;
        int pair[2], r;

        /* A started bus on one end of a socket pair: messages can be built, nothing is sent. */
        ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) >= 0);
        ASSERT(sd_bus_new(&bus) >= 0);
        ASSERT(sd_bus_set_fd(bus, pair[0], pair[0]) >= 0);
        ASSERT(sd_bus_start(bus) >= 0);
        ASSERT(sd_bus_message_new_signal(bus, &m, "/a", "a.b", "C") >= 0);
        r = sd_bus_message_append(m, "s", s);
        ASSERT(r >= 0 || r == -EINVAL);
        if (utf8_is_valid_n(s, strlen(s)) != (r >= 0)) {
                fprintf(stderr, "utf8_is_valid_n() and sd-bus disagree on \"%s\" (sd-bus: %d)\n", s, r);
                abort();
        }
        sd_bus_message_unref(m);
        sd_bus_close_unref(bus);
        close(pair[1]);
}

static void test_bus_agrees(void) {
        static const char *const cases[] = {
                "plain", "\xe2\x82\xac", "\xf0\x9f\x90\xa7", "\xc2\x9b", "\x1b[2J",
                "\xef\xbf\xbe", "\xef\xbf\xbf", "\xef\xb7\x90", "\xef\xb7\xaf", "\xef\xb7\x8f", "\xef\xb7\xb0",
                "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbe", "\xf4\x8f\xbf\xbd", "\xf0\x9f\xbf\xbe", "\xf0\x9f\xbf\xbd",
                "\xef\xbf\xbd", "\xed\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xc0\xaf", "\xe0\x80\xaf",
                "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3", "a\xe2\x82",
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_bus_agrees(cases[i]);
}

int main(void) {
        test_bus_agrees();
        test_replace_unprintable();
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

        test_shell_quote();
        return 0;
}
