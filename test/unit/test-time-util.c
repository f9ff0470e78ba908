/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "test-assert.h"
#include "time-util.h"

static void ok(const char *s, uint64_t expected) {
        uint64_t v = 42;

        if (parse_timespan(s, &v) != 0 || v != expected) {
                fprintf(stderr, "parse_timespan(\"%s\"): got %llu, expected %llu\n", s, (unsigned long long) v,
                        (unsigned long long) expected);
                abort();
        }
}

static void bad(const char *s, int expected) {
        uint64_t v = 42;

        ASSERT_EQ(parse_timespan(s, &v), expected);
        ASSERT_EQ(v, 42); /* untouched */
}

static void fmt(uint64_t usec, const char *expected) {
        char buf[FORMAT_TIMESPAN_MAX];

        if (!streq(format_timespan(buf, sizeof(buf), usec), expected)) {
                fprintf(stderr, "format_timespan(%llu): got \"%s\", expected \"%s\"\n", (unsigned long long) usec, buf,
                        expected);
                abort();
        }
}

static void test_format_timespan(void) {
        uint64_t back;

        fmt(0, "0");
        fmt(USEC_INFINITY, "infinity");
        fmt(1, "1us");
        fmt(100 * USEC_PER_MSEC, "100ms");
        fmt(90 * USEC_PER_SEC, "1min 30s");
        fmt(USEC_PER_SEC + USEC_PER_SEC / 2, "1.500000s");
        fmt(2500, "2.500ms");
        fmt(5 * USEC_PER_SEC, "5s");
        fmt(3600 * USEC_PER_SEC + 1, "1h 1us");
        fmt(61 * USEC_PER_SEC + 5 * USEC_PER_MSEC, "1min 1.005000s"); /* as systemd: the rest under a minute */
        fmt((uint64_t) 86400 * 8 * USEC_PER_SEC, "1w 1d");
        /* What it prints parses back to the same value. */
        for (uint64_t v = 1; v < UINT64_MAX / 7; v = v * 7 + 3) {
                char buf[FORMAT_TIMESPAN_MAX];
                ASSERT_EQ(parse_timespan(format_timespan(buf, sizeof(buf), v), &back), 0);
                ASSERT_EQ(back, v);
        }
}

int main(void) {
        test_format_timespan();
        ok("90", 90 * USEC_PER_SEC);
        ok("90s", 90 * USEC_PER_SEC);
        ok("90 s", 90 * USEC_PER_SEC);
        ok("1min 30s", 90 * USEC_PER_SEC);
        ok("1min30s", 90 * USEC_PER_SEC);
        ok("1m30s", 90 * USEC_PER_SEC);
        ok("  1 minute   30 seconds ", 90 * USEC_PER_SEC);
        ok("500ms", 500 * USEC_PER_MSEC);
        ok("500msec", 500 * USEC_PER_MSEC);
        ok("1.5s", 1500 * USEC_PER_MSEC);
        ok("0.5", 500 * USEC_PER_MSEC);
        ok(".5s", 500 * USEC_PER_MSEC);
        ok("1.", USEC_PER_SEC);
        ok("1.0000001s", USEC_PER_SEC); /* below 1 µs: truncated */
        ok("1.5us", 1);
        ok("7us", 7);
        ok("7usec", 7);
        ok("7\xc2\xb5s", 7);
        ok("7\xce\xbcs", 7);
        ok("2h", 2 * 3600 * USEC_PER_SEC);
        ok("2hr 1hour 1hours", 4 * 3600 * USEC_PER_SEC);
        ok("1d", 86400 * USEC_PER_SEC);
        ok("1w", 7 * 86400 * USEC_PER_SEC);
        ok("1M", 2629800 * USEC_PER_SEC);
        ok("1y", 31557600 * USEC_PER_SEC);
        ok("1years 1year", 2 * 31557600 * USEC_PER_SEC);
        ok("0", 0);
        ok("0s", 0);
        ok("5 3", 8 * USEC_PER_SEC); /* unit-less components add up, like systemd */
        ok("infinity", USEC_INFINITY);
        ok(" infinity ", USEC_INFINITY);
        ok("18446744073709551614us", UINT64_MAX - 1);

        bad("", -EINVAL);
        bad("   ", -EINVAL);
        bad(NULL, -EINVAL);
        bad("-1", -EINVAL);
        bad("+1", -EINVAL);
        bad("1x", -EINVAL);
        bad("1secs", -EINVAL);
        bad("s", -EINVAL);
        bad("1 s s", -EINVAL);
        bad(".", -EINVAL);
        bad("1.5.3", -EINVAL);
        bad("1..5", -EINVAL);
        bad("infinity 1s", -EINVAL);
        bad("Infinity", -EINVAL);
        bad("1S", -EINVAL);
        bad("0x10", -EINVAL);
        bad("1e3", -EINVAL);
        bad("18446744073709551615us", -ERANGE); /* would be infinity */
        bad("18446744073709551616us", -ERANGE);
        bad("99999999999999999999999", -ERANGE);
        bad("1000000y", -ERANGE);
        bad("18446744073709551614us 1us", -ERANGE);
        bad("18446744073709551614us 2us", -ERANGE);
        return 0;
}
