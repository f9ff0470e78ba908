/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <string.h>

#include "name.h"
#include "test-assert.h"

static void test_machine_name(void) {
        char buf[128];

        ASSERT(machine_name_is_valid("foo"));
        ASSERT(machine_name_is_valid("a"));
        ASSERT(machine_name_is_valid("0"));
        ASSERT(machine_name_is_valid("foo-bar"));
        ASSERT(machine_name_is_valid("foo--bar"));
        ASSERT(machine_name_is_valid("foo.bar"));
        ASSERT(machine_name_is_valid("foo.bar.baz"));
        ASSERT(machine_name_is_valid("Fedora-40.x86-64"));
        ASSERT(machine_name_is_valid("a.b-c.d"));

        ASSERT(!machine_name_is_valid(NULL));
        ASSERT(!machine_name_is_valid(""));
        ASSERT(!machine_name_is_valid("."));
        ASSERT(!machine_name_is_valid(".."));
        ASSERT(!machine_name_is_valid(".host"));
        ASSERT(!machine_name_is_valid(".foo"));
        ASSERT(!machine_name_is_valid("foo."));
        ASSERT(!machine_name_is_valid("foo.bar."));
        ASSERT(!machine_name_is_valid("foo..bar"));
        ASSERT(!machine_name_is_valid("-foo"));
        ASSERT(!machine_name_is_valid("foo-"));
        ASSERT(!machine_name_is_valid("foo-.bar"));
        ASSERT(!machine_name_is_valid("foo.-bar"));
        ASSERT(!machine_name_is_valid("-"));
        ASSERT(!machine_name_is_valid("foo_bar"));
        ASSERT(!machine_name_is_valid("foo bar"));
        ASSERT(!machine_name_is_valid("foo/bar"));
        ASSERT(!machine_name_is_valid("../foo"));
        ASSERT(!machine_name_is_valid("foo\n"));
        ASSERT(!machine_name_is_valid("f\xc3\xb6\xc3\xb6"));

        /* 64 characters is the limit, 65 is too long. */
        memset(buf, 'a', 64);
        buf[64] = 0;
        ASSERT(machine_name_is_valid(buf));
        buf[64] = 'a';
        buf[65] = 0;
        ASSERT(!machine_name_is_valid(buf));
        memset(buf, 'a', 120);
        buf[120] = 0;
        ASSERT(!machine_name_is_valid(buf));
        /* 64 with dots */
        memset(buf, 'a', 64);
        buf[10] = buf[20] = '.';
        buf[64] = 0;
        ASSERT(machine_name_is_valid(buf));
}

/* Each invalid name is refused with the rule it breaks, so that "Invalid machine name 'X'" can say why. */
static void test_machine_name_reason(void) {
        char buf[128];

        ASSERT(!machine_name_invalid_reason("foo"));
        ASSERT(!machine_name_invalid_reason("a.b-c.d"));
        ASSERT_STREQ(machine_name_invalid_reason(NULL), "the name is empty");
        ASSERT_STREQ(machine_name_invalid_reason(""), "the name is empty");
        ASSERT_STREQ(machine_name_invalid_reason("my machine"), "only ASCII letters, digits, '-' and '.' are allowed");
        ASSERT_STREQ(machine_name_invalid_reason("foo_bar"), "only ASCII letters, digits, '-' and '.' are allowed");
        ASSERT_STREQ(machine_name_invalid_reason("f\xc3\xb6"), "only ASCII letters, digits, '-' and '.' are allowed");
        ASSERT_STREQ(machine_name_invalid_reason(".host"), "may not start with '.'");
        ASSERT_STREQ(machine_name_invalid_reason("-foo"), "may not start with '-'");
        ASSERT_STREQ(machine_name_invalid_reason("foo."), "may not end with '.'");
        ASSERT_STREQ(machine_name_invalid_reason("foo-"), "may not end with '-'");
        ASSERT_STREQ(machine_name_invalid_reason("foo..bar"), "may not contain two '.' in a row");
        ASSERT_STREQ(machine_name_invalid_reason("foo-.bar"), "'-' may not come right before '.'");
        ASSERT_STREQ(machine_name_invalid_reason("foo.-bar"), "'-' may not come right after '.'");
        memset(buf, 'a', 65);
        buf[65] = 0;
        ASSERT_STREQ(machine_name_invalid_reason(buf), "longer than 64 characters");
}

static void test_signals(void) {
        char buf[SIGNAL_STRING_MAX];

        ASSERT_EQ(signal_from_string("SIGTERM"), SIGTERM);
        ASSERT_EQ(signal_from_string("TERM"), SIGTERM);
        ASSERT_EQ(signal_from_string("15"), SIGTERM);
        ASSERT_EQ(signal_from_string("SIGKILL"), SIGKILL);
        ASSERT_EQ(signal_from_string("HUP"), SIGHUP);
        ASSERT_EQ(signal_from_string("SIGRTMIN"), SIGRTMIN);
        ASSERT_EQ(signal_from_string("SIGRTMIN+3"), SIGRTMIN + 3);
        ASSERT_EQ(signal_from_string("RTMIN+3"), SIGRTMIN + 3);
        ASSERT_EQ(signal_from_string("RTMIN+0"), SIGRTMIN);
        ASSERT_EQ(signal_from_string("RTMAX-1"), SIGRTMAX - 1);
        ASSERT_EQ(signal_from_string("SIGRTMAX"), SIGRTMAX);
        ASSERT_EQ(signal_from_string("1"), 1);
        ASSERT_EQ(signal_from_string("64"), _NSIG - 1);

        ASSERT_EQ(signal_from_string(NULL), -EINVAL);
        ASSERT_EQ(signal_from_string(""), -EINVAL);
        ASSERT_EQ(signal_from_string("0"), -EINVAL);
        ASSERT_EQ(signal_from_string("65"), -EINVAL);
        ASSERT_EQ(signal_from_string("-1"), -EINVAL);
        ASSERT_EQ(signal_from_string("+15"), -EINVAL);
        ASSERT_EQ(signal_from_string(" 15"), -EINVAL);
        ASSERT_EQ(signal_from_string("99999999999999999999"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIG"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIGFOO"), -EINVAL);
        ASSERT_EQ(signal_from_string("term"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIGSIGTERM"), -EINVAL);
        ASSERT_EQ(signal_from_string("RTMIN+"), -EINVAL);
        ASSERT_EQ(signal_from_string("RTMIN-1"), -EINVAL);
        ASSERT_EQ(signal_from_string("RTMAX+1"), -EINVAL);
        ASSERT_EQ(signal_from_string("RTMIN+100"), -EINVAL);

        ASSERT_STREQ(signal_to_string(SIGTERM, buf), "SIGTERM");
        ASSERT_STREQ(signal_to_string(SIGKILL, buf), "SIGKILL");
        ASSERT_STREQ(signal_to_string(SIGRTMIN, buf), "SIGRTMIN");
        ASSERT_STREQ(signal_to_string(SIGRTMIN + 3, buf), "SIGRTMIN+3");
        ASSERT(signal_to_string(0, buf) == NULL);
        ASSERT(signal_to_string(-1, buf) == NULL);
        ASSERT(signal_to_string(_NSIG, buf) == NULL);

        /* Round trip every signal. */
        for (int sig = 1; sig < _NSIG; sig++) {
                const char *n = signal_to_string(sig, buf);
                if (!n)
                        continue; /* 32/33: reserved by glibc below SIGRTMIN */
                ASSERT_EQ(signal_from_string(n), sig);
        }
}

static void test_env(void) {
        ASSERT(env_name_is_valid("FOO"));
        ASSERT(env_name_is_valid("_foo_1"));
        ASSERT(!env_name_is_valid(""));
        ASSERT(!env_name_is_valid("1FOO"));
        ASSERT(!env_name_is_valid("FOO-BAR"));
        ASSERT(!env_name_is_valid("FOO=BAR"));

        ASSERT(env_assignment_is_valid("FOO=bar"));
        ASSERT(env_assignment_is_valid("FOO="));
        ASSERT(env_assignment_is_valid("FOO=a=b"));
        ASSERT(env_assignment_is_valid("FOO=a b\tc\nd"));
        ASSERT(env_assignment_is_valid("FOO=\xc3\xb6"));
        ASSERT(!env_assignment_is_valid(NULL));
        ASSERT(!env_assignment_is_valid(""));
        ASSERT(!env_assignment_is_valid("FOO"));
        ASSERT(!env_assignment_is_valid("=bar"));
        ASSERT(!env_assignment_is_valid("1X=bar"));
        ASSERT(!env_assignment_is_valid("FOO BAR=x"));
        ASSERT(!env_assignment_is_valid("FOO=\x01"));
        ASSERT(!env_assignment_is_valid("FOO=a\x1b[31m"));
        ASSERT(!env_assignment_is_valid("FOO=\x7f"));
}

int main(void) {
        test_machine_name();
        test_machine_name_reason();
        test_signals();
        test_env();
        return 0;
}
