/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strv.h"
#include "test-assert.h"

/* Extracts all words of s with flags; returns the result of the last extract_first_word() call and the words
 * joined by '|'. */
static int words(const char *s, int flags, char **ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s;
        int r;

        for (;;) {
                char *w = NULL;

                r = extract_first_word(&p, &w, flags);
                if (r <= 0)
                        break;
                ASSERT(w);
                ASSERT_EQ(strv_push(&l, w), 0);
        }

        *ret = strv_join(l, "|");
        ASSERT(*ret);
        return r;
}

#define CHECK(s, flags, expected)                                       \
        do {                                                            \
                _cleanup_free_ char *_j_ = NULL;                        \
                ASSERT_EQ(words(s, flags, &_j_), 0);                    \
                ASSERT_STREQ(_j_, expected);                            \
        } while (0)

#define CHECK_FAIL(s, flags)                                            \
        do {                                                            \
                _cleanup_free_ char *_j_ = NULL;                        \
                ASSERT_EQ(words(s, flags, &_j_), -EINVAL);              \
        } while (0)

static void test_extract_first_word(void) {
        const int U = EXTRACT_UNQUOTE, C = EXTRACT_CUNESCAPE, UC = EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE;
        const char *p;
        char *w;

        /* End of input */
        p = "";
        w = (char *) 1;
        ASSERT_EQ(extract_first_word(&p, &w, 0), 0);
        ASSERT(!w);
        ASSERT(!p);
        p = "   \t ";
        ASSERT_EQ(extract_first_word(&p, &w, U), 0);
        ASSERT(!p);
        p = NULL;
        ASSERT_EQ(extract_first_word(&p, &w, U), 0);

        CHECK("foo bar", 0, "foo|bar");
        CHECK("  foo   bar  ", 0, "foo|bar");
        CHECK("foo\tbar\nbaz", 0, "foo|bar|baz");

        /* Quotes */
        CHECK("'foo bar' baz", U, "foo bar|baz");
        CHECK("\"foo bar\" baz", U, "foo bar|baz");
        CHECK("a'b c'd", U, "ab cd");
        CHECK("\"it's\"", U, "it's");
        CHECK("'say \"hi\"'", U, "say \"hi\"");
        CHECK("'' x", U, "|x");
        CHECK("\"\"", U, "");
        CHECK("'foo bar'", 0, "'foo|bar'"); /* no unquoting without the flag */
        CHECK_FAIL("'foo", U);
        CHECK_FAIL("\"foo", U);
        CHECK_FAIL("foo 'bar", U);
        CHECK_FAIL("\"foo'", U);

        /* Backslash without CUNESCAPE: takes the next char */
        CHECK("a\\ b", 0, "a b");
        CHECK("a\\nb", 0, "anb");
        CHECK("\\\"x\\\"", U, "\"x\"");
        CHECK("'a\\'b'", U, "a'b");
        CHECK_FAIL("foo\\", 0);
        CHECK_FAIL("foo\\", U);

        /* C escapes */
        CHECK("a\\nb", C, "a\nb");
        CHECK("a\\tb", C, "a\tb");
        CHECK("a\\\\b", C, "a\\b");
        CHECK("\\\"\\'", C, "\"'");
        CHECK("\\x41\\x7a", C, "Az");
        CHECK("\\xc3\\xb6", C, "\xc3\xb6");
        CHECK("\"a\\tb c\"", UC, "a\tb c");
        CHECK("'a\\x20b'", UC, "a b");
        CHECK("FOO=a\\sb", UC, "FOO=a b");
        CHECK_FAIL("\\q", C);
        CHECK_FAIL("\\x4", C);
        CHECK_FAIL("\\xzz", C);
        CHECK_FAIL("\\x00", C);
        CHECK_FAIL("'\\q'", UC);
        CHECK_FAIL("\\", C);

        /* *p after a word points at the next word, or is NULL at the end */
        p = "one  two";
        ASSERT_EQ(extract_first_word(&p, &w, 0), 1);
        ASSERT_STREQ(w, "one");
        ASSERT_STREQ(p, "two");
        free(w);
        ASSERT_EQ(extract_first_word(&p, &w, 0), 1);
        ASSERT_STREQ(w, "two");
        ASSERT(!p);
        free(w);
}

static void test_strv(void) {
        _cleanup_strv_free_ char **a = NULL, **b = NULL, **c = NULL;
        _cleanup_free_ char *j = NULL, *k = NULL;
        char *x;

        ASSERT_EQ(strv_length(NULL), 0);
        ASSERT_EQ(strv_extend(&a, "one"), 0);
        ASSERT_EQ(strv_extend(&a, "two"), 0);
        x = strdup("three");
        ASSERT(x);
        ASSERT_EQ(strv_push(&a, x), 0);
        ASSERT_EQ(strv_length(a), 3);
        ASSERT(strv_find(a, "two") == a[1]);
        ASSERT(!strv_find(a, "four"));
        ASSERT(!strv_find(NULL, "four"));

        b = strv_copy(a);
        ASSERT(b);
        ASSERT(b != a && b[0] != a[0]);
        ASSERT_EQ(strv_length(b), 3);
        ASSERT_EQ(strv_extend_strv(&b, a), 0);
        ASSERT_EQ(strv_extend_strv(&b, NULL), 0);
        ASSERT_EQ(strv_length(b), 6);
        j = strv_join(b, ",");
        ASSERT_STREQ(j, "one,two,three,one,two,three");

        c = strv_copy(NULL);
        ASSERT(c);
        ASSERT_EQ(strv_length(c), 0);
        k = strv_join(c, NULL);
        ASSERT_STREQ(k, "");
        free(k);

        ASSERT_EQ(strv_env_set(&c, "A=1"), 0);
        ASSERT_EQ(strv_env_set(&c, "B=2"), 0);
        ASSERT_EQ(strv_env_set(&c, "AB=3"), 0);
        ASSERT_EQ(strv_env_set(&c, "A=4"), 0);
        ASSERT_EQ(strv_env_set(&c, "B="), 0);
        ASSERT_EQ(strv_env_set(&c, "nope"), -EINVAL);
        k = strv_join(c, " ");
        ASSERT_STREQ(k, "A=4 B= AB=3");
}

/* strv_split_lines() undoes strv_join(l, "\n"); the state keeps a machine's Warnings so. */
static void test_split_lines(void) {
        char *in[] = { "a.nspawn:1: Unknown key 'X', ignoring.", "", "b c", NULL };
        _cleanup_strv_free_ char **l = NULL, **e = NULL, **t = NULL;
        _cleanup_free_ char *j = NULL, *k = NULL;

        j = strv_join(in, "\n");
        ASSERT(j);
        ASSERT_EQ(strv_split_lines(j, &l), 0);
        ASSERT_EQ(strv_length(l), 3);
        k = strv_join(l, "\n");
        ASSERT_STREQ(k, j);
        ASSERT_STREQ(l[0], in[0]);
        ASSERT_STREQ(l[1], "");
        ASSERT_STREQ(l[2], "b c");

        ASSERT_EQ(strv_split_lines("", &e), 0);
        ASSERT(e);
        ASSERT_EQ(strv_length(e), 0);
        ASSERT_EQ(strv_split_lines("x\n", &t), 0);
        ASSERT_EQ(strv_length(t), 1);
        ASSERT_STREQ(t[0], "x");
}

int main(void) {
        test_extract_first_word();
        test_strv();
        test_split_lines();
        return 0;
}
