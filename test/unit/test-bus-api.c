/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bus-api: the error names of the docs are those of the map and the other way round; every name maps to a
 * distinct errno and back; domain codes never collide with an errno, and a real errno never becomes one of
 * our error names. Argument: the source root (for docs/dbus-api.md and man/org.machinedext1.5). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "bus-api.h"
#include "macro.h"
#include "strv.h"
#include "test-assert.h"

#define OUR_PREFIX "org.machinedext1."

/* Appends each "org.machinedext1.Xxx" that follows PREFIX (".B": ".B " or ".BR ") on a line of FILE after the line START (until a
 * line starting with STOP), once. */
static char **names_in(const char *file, const char *start, const char *prefix, const char *stop) {
        char **names = NULL, *line = NULL;
        size_t size = 0;
        bool in = false;
        FILE *f;

        f = fopen(file, "re");
        ASSERT(f);
        while (getline(&line, &size, f) > 0) {
                char *p, *e;

                if (!in) {
                        in = strncmp(line, start, strlen(start)) == 0;
                        continue;
                }
                if (strncmp(line, stop, strlen(stop)) == 0)
                        break;
                if (strncmp(line, prefix, strlen(prefix)) != 0)
                        continue;
                p = line + strlen(prefix);
                if (streq(prefix, ".B"))        /* ".B NAME" or ".BR NAME \" (ERRNO)\"" */
                        p += strspn(p, "R ");
                if (strncmp(p, OUR_PREFIX, strlen(OUR_PREFIX)) != 0)
                        continue;
                e = p + strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.1");
                *e = 0;
                if (!strv_find(names, p))
                        ASSERT(strv_extend(&names, p) >= 0);
        }
        ASSERT(in);
        free(line);
        fclose(f);
        return names;
}

static bool in_map(const char *name) {
        for (const sd_bus_error_map *m = bus_api_error_map; m->name; m++)
                if (streq(m->name, name))
                        return true;
        return false;
}

static void test_docs_match_map(const char *root) {
        char path[4096], **md, **man;
        size_t n_map = 0;

        snprintf(path, sizeof(path), "%s/docs/dbus-api.md", root);
        md = names_in(path, "## Errors", "| `", "## ");
        snprintf(path, sizeof(path), "%s/man/org.machinedext1.5", root);
        man = names_in(path, ".SH ERRORS", ".B", ".SH ");

        for (const sd_bus_error_map *m = bus_api_error_map; m->name; m++) {
                n_map++;
                if (!strv_find(md, m->name) || !strv_find(man, m->name)) {
                        fprintf(stderr, "%s is in the map but not documented in %s\n", m->name,
                                strv_find(md, m->name) ? "org.machinedext1(5)" : "docs/dbus-api.md");
                        abort();
                }
        }
        STRV_FOREACH(n, md)
                if (!in_map(*n)) {
                        fprintf(stderr, "%s is in docs/dbus-api.md but not in bus_api_error_map\n", *n);
                        abort();
                }
        STRV_FOREACH(n, man)
                if (!in_map(*n)) {
                        fprintf(stderr, "%s is in org.machinedext1(5) but not in bus_api_error_map\n", *n);
                        abort();
                }
        /* The errno column of docs/dbus-api.md is the map's. */
        for (const sd_bus_error_map *m = bus_api_error_map; m->name; m++) {
                char want[256], line[1024];
                bool found = false;
                FILE *f;

                snprintf(want, sizeof(want), "| `%s` | `%s` |", m->name, strerrorname_np(m->code));
                snprintf(path, sizeof(path), "%s/docs/dbus-api.md", root);
                f = fopen(path, "re");
                ASSERT(f);
                while (!found && fgets(line, sizeof(line), f))
                        found = strncmp(line, want, strlen(want)) == 0;
                fclose(f);
                if (!found) {
                        fprintf(stderr, "docs/dbus-api.md has no row starting with '%s'\n", want);
                        abort();
                }
        }
        ASSERT_EQ(strv_length(md), n_map);
        ASSERT_EQ(strv_length(man), n_map);
        strv_free(md);
        strv_free(man);
}

static void test_map_round_trip(void) {
        ASSERT_EQ(bus_api_add_error_map(), 0);

        for (const sd_bus_error_map *m = bus_api_error_map; m->name; m++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;

                ASSERT(strncmp(m->name, OUR_PREFIX, strlen(OUR_PREFIX)) == 0);
                ASSERT(m->code > 0 && m->code < 4096);
                /* name -> errno, as a client sees it */
                ASSERT_EQ(sd_bus_error_set(&e, m->name, "x"), -m->code);
                ASSERT_EQ(sd_bus_error_get_errno(&e), m->code);
                sd_bus_error_free(&e);
                /* errno -> name: distinct errnos, so each errno names one error */
                for (const sd_bus_error_map *o = bus_api_error_map; o->name; o++)
                        if (o != m)
                                ASSERT(o->code != m->code && !streq(o->name, m->name));
        }
}

static void test_domain_codes(void) {
        /* Every errno is outside the domain range, every domain code inside it. */
        for (int i = 1; i <= 4095; i++) {
                ASSERT(!mx_error_is_domain(-i));
                ASSERT(!mx_error_to_name(-i));
        }
        ASSERT(!mx_error_is_domain(0));

        for (int c = _MX_ERR_FIRST; c < _MX_ERR_END; c++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                const char *name = mx_error_to_name(-c);
                int r;

                ASSERT(mx_error_is_domain(-c));
                ASSERT(name);
                ASSERT(in_map(name));
                ASSERT(!strstr(mx_strerror(-c), "Unknown error"));
                /* code -> name -> errno: the handler's return value is the map's errno */
                r = bus_api_error_set(&e, -c, "foo", NULL);
                ASSERT(r < 0 && r > -4096);
                ASSERT_STREQ(e.name, name);
                ASSERT(strstr(e.message, "'foo'"));
                ASSERT_EQ(-sd_bus_error_get_errno(&e), r);
                sd_bus_error_free(&e);
                ASSERT(bus_api_error_set(&e, -c, "foo", "the message") < 0);
                ASSERT_STREQ(e.message, "the message");
                sd_bus_error_free(&e);
        }

        ASSERT_STREQ(mx_error_to_name(-MX_ERR_NO_SUCH_MACHINE), BUS_ERROR_NO_SUCH_MACHINE);
        ASSERT_STREQ(mx_error_to_name(-MX_ERR_NOT_RUNNING), BUS_ERROR_NO_SUCH_MACHINE);
        ASSERT_STREQ(mx_error_to_name(-MX_ERR_START_CANCELLED), BUS_ERROR_SETUP_FAILED);
        ASSERT_STREQ(mx_error_to_name(-MX_ERR_NOT_READY), BUS_ERROR_NOT_READY);
        ASSERT_STREQ(mx_error_to_name(-MX_ERR_NO_SUCH_USER), BUS_ERROR_NO_SUCH_USER);
        ASSERT_STREQ(mx_error_to_name(-MX_ERR_TIMEOUT), BUS_ERROR_TIMEOUT);
}

/* The errnos once borrowed for domain conditions are real failures now: a kill() failing with ESRCH, a
 * read failing with ENXIO never becomes one of our names. */
static void test_real_errnos_stay_real(void) {
        static const int borrowed[] = { ENXIO, EEXIST, EBADMSG, ENOEXEC, ENOTRECOVERABLE, ECANCELED, ETIMEDOUT,
                                         ESRCH, EBUSY, EOPNOTSUPP, ENOENT, ETIME };

        for (size_t i = 0; i < ELEMENTSOF(borrowed); i++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;

                ASSERT(bus_api_error_set(&e, -borrowed[i], "foo", NULL) < 0);
                ASSERT(strncmp(e.name, OUR_PREFIX, strlen(OUR_PREFIX)) != 0);
                ASSERT(strstr(e.message, strerror(borrowed[i])));
                sd_bus_error_free(&e);

                ASSERT(bus_api_error_set(&e, -borrowed[i], "foo", "Failed to frobnicate") < 0);
                ASSERT_STREQ(e.name, SD_BUS_ERROR_FAILED);
                sd_bus_error_free(&e);
        }
}

/* A message quoting a path or a document is sent as text the bus takes: a reply that sd-bus cannot build would
 * leave the caller waiting for its timeout. */
static void test_message_text(void) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int pair[2];

        ASSERT(bus_api_error_set(&e, -MX_ERR_SETUP_FAILED, "foo", "Root /srv/\xff\xef\xbf\xbe: \x1b[2J\xe2\x82\xac") < 0);
        ASSERT_STREQ(e.name, BUS_ERROR_SETUP_FAILED);
        ASSERT_STREQ(e.message, "Root /srv/????: ?[2J\xe2\x82\xac");

        ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) >= 0);
        ASSERT(sd_bus_new(&bus) >= 0);
        ASSERT(sd_bus_set_fd(bus, pair[0], pair[0]) >= 0);
        ASSERT(sd_bus_start(bus) >= 0);
        ASSERT(sd_bus_message_new_signal(bus, &m, "/a", "a.b", "C") >= 0);
        ASSERT(sd_bus_message_append(m, "ss", e.name, e.message) >= 0);
        sd_bus_error_free(&e);
        close(pair[1]);
}

int main(int argc, char *argv[]) {
        ASSERT(argc == 2);
        test_message_text();
        test_docs_match_map(argv[1]);
        test_map_round_trip();
        test_domain_codes();
        test_real_errnos_stay_real();
        return 0;
}
