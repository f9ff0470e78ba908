/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The settings parser against files made to hurt it: huge, many assignments, FIFOs, devices, symlinks,
 * escape sequences. Each test is an attack that used to work (a 1 MB file took 40 s, a FIFO hung the
 * daemon, an OSC 52 sequence in Parameters= reached the admin's terminal). */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "settings.h"
#include "strv.h"
#include "test-assert.h"

/* Generous for a loaded 2-core machine; the quadratic parser needed minutes for the same input. */
#define PARSE_SECONDS_MAX 3.0

static double now_seconds(void) {
        struct timespec ts;

        ASSERT(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* A growing text buffer. */
typedef struct Text {
        char *p;
        size_t n, allocated;
} Text;

_printf_(2, 3)
static void text_add(Text *t, const char *fmt, ...) {
        va_list ap;
        int k;

        for (;;) {
                va_start(ap, fmt);
                k = vsnprintf(t->p ? t->p + t->n : NULL, t->allocated - t->n, fmt, ap);
                va_end(ap);
                ASSERT(k >= 0);
                if ((size_t) k < t->allocated - t->n)
                        break;
                t->allocated = (t->allocated + (size_t) k + 1) * 2;
                t->p = realloc(t->p, t->allocated);
                ASSERT(t->p);
        }
        t->n += (size_t) k;
}

/* Parses the first n bytes of text as "test.nspawn"; returns the result, the time taken in *ret_seconds. */
static int parse_timed(const char *text, size_t n, Settings **ret, char **ret_error, double *ret_seconds) {
        _cleanup_fclose_ FILE *f = NULL;
        double t0;
        int r;

        f = fmemopen((void *) text, n, "r");
        ASSERT(f);
        *ret = NULL;
        *ret_error = NULL;
        t0 = now_seconds();
        r = settings_parse(f, "test.nspawn", true, ret, ret_error);
        *ret_seconds = now_seconds() - t0;
        return r;
}

static void test_environment_100k_lines(void) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *error = NULL;
        Text t = {};
        double secs;
        char want[64];

        /* 100,000 assignments over 4,000 keys: the old parser copied the whole list (4,000 strings) for each
         * of them and searched it for the key. */
        text_add(&t, "[Exec]\n");
        for (unsigned i = 0; i < 100000; i++)
                text_add(&t, "Environment=K%u=v%u\n", i % 4000, i);

        ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), 0);
        fprintf(stderr, "100k Environment= lines (%zu bytes): %.3fs\n", t.n, secs);
        ASSERT(secs < PARSE_SECONDS_MAX);

        /* Later assignments replace in place: the order is that of the first assignment, the value the last. */
        ASSERT_EQ(strv_length(s->environment), 4000);
        ASSERT_STREQ(s->environment[0], "K0=v96000");
        (void) snprintf(want, sizeof(want), "K3999=v%u", 99999);
        ASSERT_STREQ(s->environment[3999], want);
        ASSERT(!s->environment_index); /* parse-time only */
        free(t.p);
}

static void test_environment_limit(void) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *error = NULL;
        Text t = {};
        double secs;

        /* SETTINGS_ENTRIES_MAX variables are fine, one more is an error naming the line. */
        text_add(&t, "[Exec]\n");
        for (unsigned i = 0; i < SETTINGS_ENTRIES_MAX; i++)
                text_add(&t, "Environment=V%u=x\n", i);
        text_add(&t, "Environment=V0=again V1=again\n"); /* replacing is not adding */
        ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), 0);
        ASSERT_EQ(strv_length(s->environment), SETTINGS_ENTRIES_MAX);
        ASSERT_STREQ(s->environment[1], "V1=again");
        s = settings_free(s);

        text_add(&t, "Environment=V1=third ONEMORE=x\n");
        ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), -EINVAL);
        ASSERT_STREQ(error, "test.nspawn:4099: Too many entries for Environment= (at most 4096)");
        error = mfree(error);

        /* An empty assignment starts over. */
        text_add(&t, "Environment=\nEnvironment=A=1 B=2 A=3\n");
        t.n = 0;
        text_add(&t, "[Exec]\n");
        for (unsigned i = 0; i < SETTINGS_ENTRIES_MAX; i++)
                text_add(&t, "Environment=V%u=x\n", i);
        text_add(&t, "Environment=\nEnvironment=A=1 B=2 A=3\n");
        ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), 0);
        ASSERT_EQ(strv_length(s->environment), 2);
        ASSERT_STREQ(s->environment[0], "A=3");
        ASSERT_STREQ(s->environment[1], "B=2");
        free(t.p);
}

static void test_list_limits(void) {
        static const char *const keys[] = {
                "[Exec]\nParameters=", "[Files]\nInaccessible=/", "[Exec]\nSystemCallFilter=",
                "[Files]\nBindUser=u",
        };
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *error = NULL;
        double secs;

        /* One line with 10,000 words, for several list keys. */
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                Text t = {};

                text_add(&t, "%s", keys[k]);
                for (unsigned i = 0; i < 10000; i++)
                        text_add(&t, k == 2 ? "read " : k == 1 ? "/%u " : k == 3 ? "u%u " : "%u ", i);
                text_add(&t, "\n");
                ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), -EINVAL);
                fprintf(stderr, "%s: %s (%.3fs)\n", keys[k], error, secs);
                ASSERT(strstr(error, "test.nspawn:2: Too many entries for "));
                ASSERT(secs < PARSE_SECONDS_MAX);
                error = mfree(error);
                free(t.p);
        }

        /* Over many lines. */
        {
                Text t = {};

                text_add(&t, "[Files]\n");
                for (unsigned i = 0; i <= SETTINGS_ENTRIES_MAX; i++)
                        text_add(&t, "TemporaryFileSystem=/t%u\n", i);
                ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), -EINVAL);
                ASSERT_STREQ(error, "test.nspawn:4098: Too many assignments of TemporaryFileSystem= (at most 4096)");
                error = mfree(error);
                free(t.p);
        }
        {
                Text t = {};

                text_add(&t, "[Files]\nOverlay=");
                for (unsigned i = 0; i < 8000; i++)
                        text_add(&t, "/l%u:", i);
                text_add(&t, "/upper:/dst\n");
                ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), -EINVAL);
                ASSERT_STREQ(error, "test.nspawn:2: Too many entries for Overlay= (at most 4096)");
                ASSERT(secs < PARSE_SECONDS_MAX);
                error = mfree(error);
                free(t.p);
        }
}

/* A file of the largest size accepted, made of the cheapest lines that make the most work: each list key
 * appended to right up to its limit (with resets in between), the rest Environment= replacements. */
static void test_max_size_file(void) {
        static const struct {
                const char *section, *key, *value;
        } lists[] = {
                { "Exec",  "Parameters",          "x"         },
                { "Files", "Inaccessible",        "/x"        },
                { "Exec",  "SystemCallFilter",    "read"      },
                { "Files", "BindUser",            "u"         },
                { "Files", "TemporaryFileSystem", "/t"        },
                { "Exec",  "CPUAffinity",         "0-1023"    },
                { "Exec",  "Capability",          "all"       },
        };
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *error = NULL;
        Text t = {};
        double secs;
        unsigned i = 0;

        for (size_t k = 0; k < ELEMENTSOF(lists); k++) {
                text_add(&t, "[%s]\n", lists[k].section);
                for (unsigned j = 0; j < SETTINGS_ENTRIES_MAX; j++)
                        text_add(&t, "%s=%s\n", lists[k].key, j % 2000 == 1999 ? "" : lists[k].value);
        }
        text_add(&t, "[Exec]\n");
        while (t.n < SETTINGS_FILE_MAX - 64)
                text_add(&t, "Environment=K%u=%u\n", i % 4000, i), i++;
        ASSERT(t.n <= SETTINGS_FILE_MAX);

        ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), 0);
        fprintf(stderr, "max-size file (%zu bytes): %.3fs\n", t.n, secs);
        ASSERT(secs < PARSE_SECONDS_MAX);
        s = settings_free(s);

        /* One more assignment of a key is an error. */
        {
                Text u = {};
                text_add(&u, "[Exec]\n");
                for (unsigned j = 0; j <= SETTINGS_ENTRIES_MAX; j++)
                        text_add(&u, "Boot=%s\n", j % 2 ? "yes" : "no");
                ASSERT_EQ(parse_timed(u.p, u.n, &s, &error, &secs), -EINVAL);
                ASSERT_STREQ(error, "test.nspawn:4098: Too many assignments of Boot= (at most 4096)");
                error = mfree(error);
                free(u.p);
        }

        /* One byte more than the size limit is refused, wherever the file comes from. */
        while (t.n <= SETTINGS_FILE_MAX)
                text_add(&t, "# padding\n");
        ASSERT_EQ(parse_timed(t.p, t.n, &s, &error, &secs), -EINVAL);
        ASSERT(strstr(error, ": File too large (more than 4194304 bytes)"));
        free(t.p);
}

static void test_parameters_control_chars(void) {
        static const char *const bad[] = {
                "[Exec]\nParameters=/bin/echo \x1b]52;c;cm0gLXJmIH4K\x07\n",      /* OSC 52: clipboard */
                "[Exec]\nParameters=/bin/echo \"\x1b[2J\"\n",                     /* clear screen */
                "[Exec]\nParameters=/bin/echo 'a\tb'\n",                          /* a tab inside quotes */
                "[Exec]\nParameters=/bin/echo \x7f\n",
        };
        _cleanup_(settings_freep) Settings *s = NULL;
        double secs;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *error = NULL;

                ASSERT_EQ(parse_timed(bad[i], strlen(bad[i]), &s, &error, &secs), -EINVAL);
                fprintf(stderr, "%s\n", error);
                ASSERT(startswith(error, "test.nspawn:2: Invalid value for Parameters=: '"));
                ASSERT(strstr(error, "(control character in argument '"));
                for (const char *c = error; *c; c++) /* the message itself carries none */
                        ASSERT((unsigned char) *c >= ' ' && *c != 0x7f);
        }

        /* Plain text, UTF-8 and escapes that stay text are fine. */
        {
                static const char good[] = "[Exec]\nParameters=/bin/echo 'a b' \\\\e[2J h\xc3\xa9llo\n";
                _cleanup_free_ char *error = NULL;

                ASSERT_EQ(parse_timed(good, strlen(good), &s, &error, &secs), 0);
                ASSERT_STREQ(s->parameters[2], "\\e[2J");
        }
}

static void test_load_refuses(void) {
        char dir[] = "/tmp/test-settings-limits-XXXXXX", p[128];
        _cleanup_(settings_freep) Settings *s = NULL;
        double t0;
        int fd;

        ASSERT(mkdtemp(dir));

        /* Whatever happens, this test must not hang: a FIFO used to block the open() forever. */
        alarm(30);

        struct {
                const char *name;
                bool trusted;
                const char *error;
        } cases[] = {
                { "fifo.nspawn",     true,  "Not a regular file, refusing" },
                { "fifo.nspawn",     false, "Not a regular file, refusing" },
                { "zero.nspawn",     true,  "Not a regular file, refusing" },      /* symlink to /dev/zero */
                { "zero.nspawn",     false, "Is a symbolic link, refusing" },
                { "link.nspawn",     false, "Is a symbolic link, refusing" },      /* symlink to a good file */
                { "huge.nspawn",     true,  "File too large (5242880 bytes, at most 4194304)" },
                { "dir.nspawn",      true,  "Not a regular file, refusing" },
        };

        (void) snprintf(p, sizeof(p), "%s/fifo.nspawn", dir);
        ASSERT(mkfifo(p, 0600) == 0);
        (void) snprintf(p, sizeof(p), "%s/zero.nspawn", dir);
        ASSERT(symlink("/dev/zero", p) == 0);
        (void) snprintf(p, sizeof(p), "%s/good.nspawn", dir);
        fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ASSERT(fd >= 0);
        ASSERT(write(fd, "[Exec]\nBoot=yes\n", 16) == 16);
        close(fd);
        (void) snprintf(p, sizeof(p), "%s/link.nspawn", dir);
        ASSERT(symlink("good.nspawn", p) == 0);
        (void) snprintf(p, sizeof(p), "%s/huge.nspawn", dir);
        fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ASSERT(fd >= 0);
        ASSERT(ftruncate(fd, 5 * 1024 * 1024) == 0);
        close(fd);
        (void) snprintf(p, sizeof(p), "%s/dir.nspawn", dir);
        ASSERT(mkdir(p, 0700) == 0);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *error = NULL, *want = NULL;

                (void) snprintf(p, sizeof(p), "%s/%s", dir, cases[i].name);
                t0 = now_seconds();
                ASSERT_EQ(settings_load(p, cases[i].trusted, &s, &error), -EINVAL);
                ASSERT(now_seconds() - t0 < 1.0);
                ASSERT(!s);
                ASSERT(asprintf(&want, "%s: %s", p, cases[i].error) >= 0);
                if (!startswith(error, want)) {
                        fprintf(stderr, "%s: got '%s', want '%s'\n", cases[i].name, error, want);
                        abort();
                }
        }

        /* A symlink in a trusted directory is still followed, to a regular file. */
        {
                _cleanup_free_ char *error = NULL;

                (void) snprintf(p, sizeof(p), "%s/link.nspawn", dir);
                ASSERT_EQ(settings_load(p, true, &s, &error), 0);
                ASSERT_EQ(s->boot, 1);
        }
        alarm(0);

        const char *const names[] = { "fifo", "zero", "good", "link", "huge" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                (void) snprintf(p, sizeof(p), "%s/%s.nspawn", dir, names[i]);
                (void) unlink(p);
        }
        (void) snprintf(p, sizeof(p), "%s/dir.nspawn", dir);
        (void) rmdir(p);
        (void) rmdir(dir);
}

static void test_strv_linear_helpers(void) {
        _cleanup_strv_free_ char **l = NULL, **env = NULL;
        size_t n = 0;
        double t0;

        /* 1,000,000 appends: linear. */
        t0 = now_seconds();
        for (unsigned i = 0; i < 1000000; i++) {
                char *v;

                ASSERT(asprintf(&v, "%u", i) >= 0);
                ASSERT_EQ(strv_push_with_size(&l, &n, v), 0);
        }
        ASSERT(now_seconds() - t0 < PARSE_SECONDS_MAX);
        ASSERT_EQ(n, 1000000);
        ASSERT_EQ(strv_length(l), 1000000);
        ASSERT_STREQ(l[999999], "999999");
        ASSERT_EQ(strv_push_with_size(&l, &n, NULL), -EINVAL);

        /* strv_env_merge(): replaces the base's entries, appends the rest in order. */
        ASSERT_EQ(strv_extend(&env, "PATH=/bin"), 0);
        ASSERT_EQ(strv_extend(&env, "container=x"), 0);
        ASSERT_EQ(strv_env_merge(&env, (char *[]) { (char *) "A=1", (char *) "PATH=/usr/bin", (char *) "B=2", NULL }), 0);
        {
                _cleanup_free_ char *j = strv_join(env, "|");
                ASSERT_STREQ(j, "PATH=/usr/bin|container=x|A=1|B=2");
        }
        ASSERT_EQ(strv_env_merge(&env, (char *[]) { (char *) "NOEQUALS", NULL }), -EINVAL);
}

int main(void) {
        test_strv_linear_helpers();
        test_environment_100k_lines();
        test_environment_limit();
        test_list_limits();
        test_max_size_file();
        test_parameters_control_chars();
        test_load_refuses();
        return 0;
}
