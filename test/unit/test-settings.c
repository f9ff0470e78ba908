/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "conf-parser.h"
#include "escape.h"
#include "settings.h"
#include "syscall-groups.h"
#include "strv.h"
#include "test-assert.h"

/* Parses text as the file "test.nspawn". Returns settings_parse()'s result; *ret_error is always set (NULL on
 * success). */
static int parse(const char *text, bool trusted, Settings **ret, char **ret_error) {
        _cleanup_fclose_ FILE *f = NULL;
        char *error = NULL;
        int r;

        f = fmemopen((void *) text, strlen(text), "r");
        ASSERT(f);

        *ret = NULL;
        r = settings_parse(f, "test.nspawn", trusted, ret, &error);
        if (r >= 0)
                ASSERT(!error);
        else {
                ASSERT(!*ret);
                ASSERT(error);
        }
        *ret_error = error;
        return r;
}

static Settings *parse_ok(const char *text, bool trusted) {
        _cleanup_free_ char *error = NULL;
        Settings *s;

        if (parse(text, trusted, &s, &error) < 0) {
                fprintf(stderr, "Unexpected failure: %s\n", error);
                abort();
        }
        ASSERT(s);
        return s;
}

static void parse_fail(const char *text, const char *expected_error) {
        _cleanup_free_ char *error = NULL;
        Settings *s;
        int r;

        r = parse(text, true, &s, &error);
        if (r != -EINVAL) {
                fprintf(stderr, "Parsing did not fail with -EINVAL but %i: %s\n", r, text);
                settings_free(s);
                abort();
        }
        ASSERT_STREQ(error, expected_error);
}

static void assert_strv(char **l, const char *joined) {
        _cleanup_free_ char *j = NULL;

        ASSERT(l);
        j = strv_join(l, "|");
        ASSERT_STREQ(j, joined);
}

static bool has_notice(const Settings *s, const char *notice) {
        return strv_find(s->notices, notice);
}

static void test_table(void) {
        size_t n = 0;

        /* Every row has an explicit trust class and a known section; no key appears twice. */
        for (const SettingsItem *i = settings_items(); i->section; i++, n++) {
                ASSERT(i->key);
                if (!SETTINGS_TRUST_VALID(i->trust)) {
                        fprintf(stderr, "Key [%s] %s= has no valid trust class\n", i->section, i->key);
                        abort();
                }
                ASSERT(streq(i->section, "Exec") || streq(i->section, "Files") || streq(i->section, "Network"));
                ASSERT(i->key[0] && !strchr(i->key, '='));
                if (i->parse) {
                        ASSERT(i->size > 0);
                        ASSERT(i->offset + i->size <= sizeof(Settings));
                } else
                        ASSERT(!i->applied && i->size == 0);

                for (const SettingsItem *j = i + 1; j->section; j++)
                        ASSERT(!streq(i->section, j->section) || !streq(i->key, j->key));
        }
        ASSERT(n > 50);

        /* The terminator is all-NULL. */
        const SettingsItem *end = settings_items() + n;
        ASSERT(!end->section && !end->key && !end->parse && end->offset == 0 && end->trust == _TRUST_UNSET);
}

static void test_new(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = settings_new();
        ASSERT(s);
        ASSERT(!s->path);
        ASSERT_EQ(s->boot, -1);
        ASSERT(!s->parameters);
        ASSERT(!s->environment);
        ASSERT_EQ(s->notify_ready, -1);
        ASSERT_EQ(s->kill_signal, 0);
        ASSERT(!s->directory);
        ASSERT(!s->notices);
        ASSERT(!settings_free(NULL));
}

static void test_all_keys(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("# A complete file\n"
                     "[Exec]\n"
                     "Boot=yes\n"
                     "Parameters=/bin/sh -c 'echo hello world'\n"
                     "Environment=FOO=bar \"GREETING=hello world\" TAB=a\\tb\n"
                     "NotifyReady=on\n"
                     "KillSignal=SIGRTMIN+3\n"
                     "\n"
                     "[Files]\n"
                     "Directory=/var/lib//machines/./foo/\n",
                     true);
        ASSERT_STREQ(s->path, "test.nspawn");
        ASSERT(s->trusted);
        ASSERT_EQ(s->boot, 1);
        assert_strv(s->parameters, "/bin/sh|-c|echo hello world");
        assert_strv(s->environment, "FOO=bar|GREETING=hello world|TAB=a\tb");
        ASSERT_EQ(s->notify_ready, 1);
        ASSERT_EQ(s->kill_signal, SIGRTMIN + 3);
        ASSERT_STREQ(s->directory, "/var/lib/machines/foo");
        ASSERT(!s->notices);
}

static void test_empty(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("", false);
        ASSERT(!s->trusted);
        ASSERT_EQ(s->boot, -1);
        ASSERT(!s->parameters && !s->environment && !s->directory && !s->notices);
}

static void test_values(void) {
        static const struct {
                const char *text;
                int value;
        } bools[] = {
                { "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 }, { "1", 1 }, { "0", 0 },
                { "on", 1 }, { "off", 0 }, { "YES", 1 }, { "Off", 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(bools); i++) {
                _cleanup_(settings_freep) Settings *s = NULL;
                _cleanup_free_ char *text = NULL;

                ASSERT(asprintf(&text, "[Exec]\nBoot=%s\nNotifyReady =  %s  \n", bools[i].text, bools[i].text) > 0);
                s = parse_ok(text, false);
                ASSERT_EQ(s->boot, bools[i].value);
                ASSERT_EQ(s->notify_ready, bools[i].value);
        }

        /* Later assignments of scalars win. */
        {
                _cleanup_(settings_freep) Settings *s = NULL;
                s = parse_ok("[Exec]\nBoot=yes\nBoot=no\nKillSignal=TERM\nKillSignal=9\n"
                             "[Files]\nDirectory=/a\nDirectory=/\n", true);
                ASSERT_EQ(s->boot, 0);
                ASSERT_EQ(s->kill_signal, SIGKILL);
                ASSERT_STREQ(s->directory, "/");
        }
        {
                _cleanup_(settings_freep) Settings *s = NULL;
                s = parse_ok("[Exec]\nKillSignal=RTMAX-1\n[Files]\nDirectory=//srv//x//\n", true);
                ASSERT_EQ(s->kill_signal, SIGRTMAX - 1);
                ASSERT_STREQ(s->directory, "/srv/x");
        }
}

static void test_invalid_values(void) {
        parse_fail("[Exec]\nBoot=maybe\n", "test.nspawn:2: Invalid value for Boot=: 'maybe'");
        parse_fail("[Exec]\n\nBoot=\n", "test.nspawn:3: Invalid value for Boot=: ''");
        parse_fail("[Exec]\nBoot=yes please\n", "test.nspawn:2: Invalid value for Boot=: 'yes please'");
        parse_fail("[Exec]\nNotifyReady=2\n", "test.nspawn:2: Invalid value for NotifyReady=: '2'");
        parse_fail("[Exec]\nKillSignal=SIGFOO\n", "test.nspawn:2: Invalid value for KillSignal=: 'SIGFOO'");
        parse_fail("[Exec]\nKillSignal=0\n", "test.nspawn:2: Invalid value for KillSignal=: '0'");
        parse_fail("[Exec]\nKillSignal=65\n", "test.nspawn:2: Invalid value for KillSignal=: '65'");
        parse_fail("[Exec]\nKillSignal=-9\n", "test.nspawn:2: Invalid value for KillSignal=: '-9'");
        parse_fail("[Exec]\nKillSignal=\n", "test.nspawn:2: Invalid value for KillSignal=: ''");
        parse_fail("[Exec]\nParameters=/bin/sh 'foo\n",
                   "test.nspawn:2: Unbalanced quoting in Parameters=: '/bin/sh 'foo'");
        parse_fail("[Exec]\nEnvironment=\"FOO=bar\n",
                   "test.nspawn:2: Unbalanced quoting in Environment=: '\"FOO=bar'");
        parse_fail("[Exec]\nEnvironment=FOO=\\q\n",
                   "test.nspawn:2: Invalid escape sequence in Environment=: 'FOO=\\q'");
        parse_fail("[Exec]\nEnvironment=A=1 NOEQUALS B=2\n",
                   "test.nspawn:2: Invalid environment assignment in Environment=: 'NOEQUALS'");
        parse_fail("[Exec]\nEnvironment=1A=x\n",
                   "test.nspawn:2: Invalid environment assignment in Environment=: '1A=x'");
        parse_fail("[Exec]\nEnvironment=A=\\x01\n",
                   "test.nspawn:2: Invalid environment assignment in Environment=: 'A=?'");
        parse_fail("[Files]\nDirectory=relative/path\n",
                   "test.nspawn:2: Invalid value for Directory=: 'relative/path'");
        parse_fail("[Files]\nDirectory=/var/../etc\n",
                   "test.nspawn:2: Invalid value for Directory=: '/var/../etc'");
        parse_fail("[Files]\nDirectory=/..\n", "test.nspawn:2: Invalid value for Directory=: '/..'");
        parse_fail("[Files]\nDirectory=\n", "test.nspawn:2: Invalid value for Directory=: ''");
        parse_fail("[Exec\nBoot=yes\n", "test.nspawn:1: Invalid section header '[Exec'");
        parse_fail("[]\n", "test.nspawn:1: Invalid section header '[]'");
        parse_fail("[Exec]]\n", "test.nspawn:1: Invalid section header '[Exec]]'");
        parse_fail("[Exec]\nBoot=yes\nBoot=no\n\n\n[Exec]\nKillSignal=NOPE\n",
                   "test.nspawn:7: Invalid value for KillSignal=: 'NOPE'");

        /* Control characters are not echoed back verbatim. */
        parse_fail("[Exec]\nBoot=\x1b[31m\n", "test.nspawn:2: Invalid value for Boot=: '?[31m'");

        /* The paths a machine's state file keeps must be UTF-8 (it is JSON, read back only then); others
         * are taken as systemd-nspawn takes them, and shown on the bus with '?' (bus_append_text()). */
        parse_fail("[Files]\nDirectory=/srv/\xc3\n", "test.nspawn:2: Invalid value for Directory=: '/srv/?' (not UTF-8)");
        parse_fail("[Files]\nOCIBundle=/b\xef\xbf\xbe\n",
                   "test.nspawn:2: Invalid value for OCIBundle=: '/b???" "' (not UTF-8)");
        {
                Settings *ok = parse_ok("[Exec]\nWorkingDirectory=/caf\xe9\nParameters=/bin/echo \xff\n"
                                        "[Files]\nInaccessible=/b\xff\n", true);
                ASSERT_STREQ(ok->working_directory, "/caf\xe9");
                assert_strv(ok->parameters, "/bin/echo|\xff");
                assert_strv(ok->inaccessible, "/b\xff");
                settings_free(ok);
        }
        {
                Settings *ok = parse_ok("[Exec]\nParameters=/bin/echo gr\xc3\xbc\xc3\x9f \xe2\x82\xac\n"
                                        "WorkingDirectory=/srv/\xc3\xa9t\xc3\xa9\n", true);
                assert_strv(ok->parameters, "/bin/echo|gr\xc3\xbc\xc3\x9f|\xe2\x82\xac");
                ASSERT_STREQ(ok->working_directory, "/srv/\xc3\xa9t\xc3\xa9");
                settings_free(ok);
        }

        /* The error names the first line of a continued line. */
        parse_fail("[Exec]\nBoot=\\\nmaybe\n", "test.nspawn:2: Invalid value for Boot=: 'maybe'");

        /* NULL path */
        {
                _cleanup_fclose_ FILE *f = fmemopen((void *) "[Exec]\nBoot=x\n", 14, "r");
                _cleanup_free_ char *error = NULL;
                Settings *s = NULL;

                ASSERT(f);
                ASSERT_EQ(settings_parse(f, NULL, true, &s, &error), -EINVAL);
                ASSERT(!s);
                ASSERT_STREQ(error, "<input>:2: Invalid value for Boot=: 'x'");
        }
}

static void test_notify_access_timeout(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        /* String table round trip */
        for (NotifyAccess a = 0; a < _NOTIFY_ACCESS_MAX; a++) {
                const char *n = notify_access_to_string(a);
                ASSERT(n);
                ASSERT_EQ(notify_access_from_string(n), a);
        }
        ASSERT_STREQ(notify_access_to_string(NOTIFY_ACCESS_MAIN), "main");
        ASSERT_STREQ(notify_access_to_string(NOTIFY_ACCESS_ALL), "all");
        ASSERT(!notify_access_to_string(_NOTIFY_ACCESS_MAX));
        ASSERT(!notify_access_to_string(_NOTIFY_ACCESS_INVALID));
        ASSERT_EQ(notify_access_from_string(NULL), _NOTIFY_ACCESS_INVALID);
        ASSERT_EQ(notify_access_from_string("All"), _NOTIFY_ACCESS_INVALID);
        ASSERT_EQ(notify_access_from_string("exec"), _NOTIFY_ACCESS_INVALID);

        s = settings_new();
        ASSERT(s);
        ASSERT_EQ(s->notify_access, -1);
        ASSERT_EQ(s->timeout_start_usec, 0);
        s = settings_free(s);

        /* Both are TRUST_ANY and applied: no notice, also from an untrusted file. */
        s = parse_ok("[Exec]\nNotifyAccess=all\nTimeoutStartSec=1min 30s\n", false);
        ASSERT_EQ(s->notify_access, NOTIFY_ACCESS_ALL);
        ASSERT_EQ(s->timeout_start_usec, 90 * USEC_PER_SEC);
        ASSERT(!s->notices);
        s = settings_free(s);

        s = parse_ok("[Exec]\nNotifyAccess=all\nNotifyAccess=main\nTimeoutStartSec=5\nTimeoutStartSec=500ms\n", false);
        ASSERT_EQ(s->notify_access, NOTIFY_ACCESS_MAIN);
        ASSERT_EQ(s->timeout_start_usec, 500 * USEC_PER_MSEC);
        s = settings_free(s);

        s = parse_ok("[Exec]\nTimeoutStartSec=90\n", false);
        ASSERT_EQ(s->timeout_start_usec, 90 * USEC_PER_SEC);
        s = settings_free(s);
        s = parse_ok("[Exec]\nTimeoutStartSec=90s\n", false);
        ASSERT_EQ(s->timeout_start_usec, 90 * USEC_PER_SEC);
        s = settings_free(s);
        s = parse_ok("[Exec]\nTimeoutStartSec=infinity\n", false);
        ASSERT_EQ(s->timeout_start_usec, UINT64_MAX);
        s = settings_free(s);
        /* 0 disables the timeout, as in systemd: stored as infinity, not as "unset". */
        s = parse_ok("[Exec]\nTimeoutStartSec=0\n", false);
        ASSERT_EQ(s->timeout_start_usec, UINT64_MAX);
        s = settings_free(s);

        parse_fail("[Exec]\nNotifyAccess=exec\n",
                   "test.nspawn:2: Invalid value for NotifyAccess=: 'exec' (expected 'main' or 'all')");
        parse_fail("[Exec]\nNotifyAccess=\n",
                   "test.nspawn:2: Invalid value for NotifyAccess=: '' (expected 'main' or 'all')");
        parse_fail("[Exec]\nNotifyAccess=MAIN\n",
                   "test.nspawn:2: Invalid value for NotifyAccess=: 'MAIN' (expected 'main' or 'all')");
        parse_fail("[Exec]\n\nTimeoutStartSec=\n", "test.nspawn:3: Invalid value for TimeoutStartSec=: ''");
        parse_fail("[Exec]\nTimeoutStartSec=-5s\n", "test.nspawn:2: Invalid value for TimeoutStartSec=: '-5s'");
        parse_fail("[Exec]\nTimeoutStartSec=5 parsecs\n",
                   "test.nspawn:2: Invalid value for TimeoutStartSec=: '5 parsecs'");
        parse_fail("[Exec]\nTimeoutStartSec=forever\n",
                   "test.nspawn:2: Invalid value for TimeoutStartSec=: 'forever'");
        parse_fail("[Exec]\nTimeoutStartSec=99999999999y\n",
                   "test.nspawn:2: Invalid value for TimeoutStartSec=: '99999999999y' (out of range)");
}

static void test_long_lines(void) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        _cleanup_(settings_freep) Settings *s = NULL;
        size_t n = SETTINGS_LINE_MAX + 100;

        /* One line too long */
        text = malloc(n + 64);
        ASSERT(text);
        strcpy(text, "[Exec]\nParameters=");
        memset(text + strlen(text), 'a', n);
        strcpy(text + 18 + n, "\n");
        ASSERT_EQ(parse(text, true, &s, &error), -EINVAL);
        ASSERT_STREQ(error, "test.nspawn:2: Line too long (more than 65536 bytes)");
        error = mfree(error);

        /* Exactly at the limit is fine */
        memset(text, 'a', SETTINGS_LINE_MAX);
        memcpy(text, "[Exec]\nParameters=", 18);
        memcpy(text + 7, "Parameters=", 11);
        text[SETTINGS_LINE_MAX + 7] = '\n';
        text[SETTINGS_LINE_MAX + 8] = 0;
        s = parse_ok(text, true);
        ASSERT_EQ(strlen(s->parameters[0]), SETTINGS_LINE_MAX - 11);
        s = settings_free(s);

        /* Too long only after joining continuation lines */
        free(text);
        text = malloc(3 * 40000 + 64);
        ASSERT(text);
        strcpy(text, "[Exec]\nParameters=");
        for (int i = 0; i < 3; i++) {
                size_t l = strlen(text);
                memset(text + l, 'b', 40000);
                strcpy(text + l + 40000, " \\\n");
        }
        strcat(text, "end\n");
        ASSERT_EQ(parse(text, true, &s, &error), -EINVAL);
        ASSERT_STREQ(error, "test.nspawn:3: Line too long (more than 65536 bytes)");
}

static void test_nul_and_crlf(void) {
        static const char nul[] = "[Exec]\nBoot=y\0es\n";
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *error = NULL;

        f = fmemopen((void *) nul, sizeof(nul) - 1, "r");
        ASSERT(f);
        ASSERT_EQ(settings_parse(f, "nul.nspawn", true, &s, &error), -EINVAL);
        ASSERT_STREQ(error, "nul.nspawn:2: Line contains a NUL byte");

        s = parse_ok("\xef\xbb\xbf[Exec]\r\nBoot=yes\r\nParameters=a b\r\n\r\n[Files]\r\nDirectory=/x\r\n", true);
        ASSERT_EQ(s->boot, 1);
        assert_strv(s->parameters, "a|b");
        ASSERT_STREQ(s->directory, "/x");
        ASSERT(!s->notices);
}

static void test_lists(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        /* Repeated assignments append; Environment's same key replaces in place. */
        s = parse_ok("[Exec]\n"
                     "Parameters=a b\n"
                     "Parameters=\"c d\"\n"
                     "Environment=A=1 B=2\n"
                     "Environment=C=3\n"
                     "Environment=A=4\n",
                     false);
        assert_strv(s->parameters, "a|b|c d");
        assert_strv(s->environment, "A=4|B=2|C=3");
        s = settings_free(s);

        /* An empty assignment resets. */
        s = parse_ok("[Exec]\n"
                     "Parameters=a b\n"
                     "Parameters=\n"
                     "Environment=A=1\n"
                     "Environment=  \n",
                     false);
        ASSERT(!s->parameters);
        ASSERT(!s->environment);
        s = settings_free(s);

        s = parse_ok("[Exec]\n"
                     "Parameters=a b\n"
                     "Parameters=\n"
                     "Parameters=c\n"
                     "Environment=A=1\n"
                     "Environment=\n"
                     "Environment=B=2\n",
                     false);
        assert_strv(s->parameters, "c");
        assert_strv(s->environment, "B=2");
        s = settings_free(s);

        /* An empty quoted word is a word. */
        s = parse_ok("[Exec]\nParameters=''\n", false);
        assert_strv(s->parameters, "");
        ASSERT_EQ(strv_length(s->parameters), 1);
        s = settings_free(s);

        /* A failed assignment leaves nothing half-applied (the whole parse fails anyway, but parsers promise
         * to leave their field alone). Backslashes in Parameters= are not C escapes. */
        s = parse_ok("[Exec]\nParameters=a\\nb 'x\\'y'\nEnvironment=\"A=\\\"q\\\"\" B=\\x41\n", false);
        assert_strv(s->parameters, "anb|x'y");
        assert_strv(s->environment, "A=\"q\"|B=A");
}

static void test_syntax_ok(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("# comment\n"                         /* 1 */
                     "; another comment\n"                 /* 2 */
                     "   # indented comment\n"             /* 3 */
                     "[Exec]\n"                            /* 4 */
                     "  Boot  =  yes  \n"                  /* 5 */
                     "Parameters=a \\\n"                   /* 6 */
                     "  b \\\n"                            /* 7 */
                     "# a comment inside a continuation\n" /* 8 */
                     "  c\n"                               /* 9 */
                     "Environment=A=x\\\\\n"               /* 10: escaped backslash: no continuation */
                     "NotifyReady=yes\n"                   /* 11 */
                     "Parameters=d\\\n"                    /* 12: continuation at EOF */,
                     true);
        ASSERT_EQ(s->boot, 1);
        assert_strv(s->parameters, "a|b|c|d");
        assert_strv(s->environment, "A=x\\");
        ASSERT_EQ(s->notify_ready, 1);
        ASSERT(!s->notices);
}

static void test_notices(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("Boot=yes\n"                         /* 1 */
                     "[Exec]\n"                           /* 2 */
                     "Foo=bar\n"                          /* 3 */
                     "Hostname=foo\n"                     /* 4 */
                     "Console=pipe\n"                     /* 5 */
                     "X-Vendor=whatever\n"                /* 6: X- keys are silently ignored */
                     "no equals sign\n"                   /* 7 */
                     "[Frobnicate]\n"                     /* 8 */
                     "Boot=no\n"                          /* 9: ignored, section already noted */
                     "[X-Vendor]\n"                       /* 10: silently ignored */
                     "Boot=no\n"                          /* 11 */
                     "[Network]\n"                        /* 12 */
                     "Boot=no\n"                          /* 13 */
                     "Zone=foo\n"                         /* 14 */
                     "[Files]\n"                          /* 15 */
                     "Bind=/a:/b\n"                       /* 16 */
                     "ReadOnly=yes\n",                    /* 17 */
                     true);
        ASSERT_EQ(s->boot, -1);
        ASSERT(has_notice(s, "test.nspawn:1: Assignment outside of any section, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:3: Unknown key 'Foo' in section [Exec], ignoring."));
        /* Hostname=, Console=, Bind= and ReadOnly= are applied: no notice. */
        ASSERT(!has_notice(s, "test.nspawn:4: Key 'Hostname=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:7: Missing '=', ignoring line."));
        ASSERT(has_notice(s, "test.nspawn:8: Unknown section '[Frobnicate]', ignoring."));
        ASSERT(has_notice(s, "test.nspawn:13: Unknown key 'Boot' in section [Network], ignoring."));
        /* [Network] is applied (src/machined-ext/machine-network.c): no notice either. */
        ASSERT(!has_notice(s, "test.nspawn:14: Key 'Zone=' is parsed but not applied yet, ignoring."));
        ASSERT_EQ(strv_length(s->notices), 5);

        /* Keys are case-sensitive, like in unit files. */
        s = settings_free(s);
        s = parse_ok("[Exec]\nboot=yes\n", true);
        ASSERT_EQ(s->boot, -1);
        ASSERT(has_notice(s, "test.nspawn:2: Unknown key 'boot' in section [Exec], ignoring."));
}

/* Every key of the table gets a notice when it is not implemented: build a file with every unimplemented key
 * and check each one is reported (trusted) — never silently ignored. */
static void test_not_supported_walk(void) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *m;

        m = open_memstream(&text, &len);
        ASSERT(m);
        for (const SettingsItem *i = settings_items(); i->section; i++)
                if (!i->parse)
                        fprintf(m, "[%s]\n%s=x\n", i->section, i->key);
        ASSERT_EQ(fclose(m), 0);

        s = parse_ok(text, true);
        unsigned line = 0;
        for (const SettingsItem *i = settings_items(); i->section; i++) {
                _cleanup_free_ char *notice = NULL;

                if (i->parse)
                        continue;
                line += 2;
                ASSERT(asprintf(&notice, "test.nspawn:%u: Key '%s=' is not supported yet, ignoring.", line,
                                i->key) > 0);
                ASSERT(has_notice(s, notice));
        }
}

/* The untrusted walk: a file setting every TRUST_PRIVILEGED key, parsed untrusted, must apply none of them and
 * note each one. The value used is valid for the implemented keys, so that they would take effect if the
 * trust check were missing. */
static const char *valid_value(const SettingsItem *i) {
        static const struct {
                const char *key, *value;
        } values[] = {
                { "Directory",             "/srv/escape" },
                { "OCIBundle",             "/srv/bundle" },
                { "Capability",            "CAP_SYS_MODULE" },
                { "AmbientCapability",     "CAP_SYS_ADMIN" },
                { "MachineID",             "0123456789abcdef0123456789abcdef" },
                { "PrivateUsers",          "pick" },
                { "SystemCallFilter",      "@mount kexec_load" },
                { "OOMScoreAdjust",        "-1000" },
                { "CPUAffinity",           "0-3" },
                { "LinkJournal",           "host" },
                { "PrivateUsersChown",     "yes" },
                { "PrivateUsersOwnership", "chown" },
                { "Console",               "interactive" },
                { "Bind",                  "/:/host" },
                { "BindReadOnly",          "/etc/shadow" },
                { "TemporaryFileSystem",   "/etc:mode=0777" },
                { "Inaccessible",          "/proc/kcore" },
                { "Overlay",               "/usr:/var/tmp/up:/usr" },
                { "OverlayReadOnly",       "/a:/b" },
                { "BindUser",              "root" },
                { "Private",               "no" },
                { "VirtualEthernet",       "yes" },
                { "VirtualEthernetExtra",  "veth9:host9" },
                { "Interface",             "eth0" },
                { "MACVLAN",               "eth0" },
                { "IPVLAN",                "eth0" },
                { "Bridge",                "br0" },
                { "Zone",                  "z" },
                { "Port",                  "tcp:22:22" },
        };

        if (startswith(i->key, "Limit"))
                return "infinity";
        for (size_t k = 0; k < ELEMENTSOF(values); k++)
                if (streq(values[k].key, i->key))
                        return values[k].value;
        fprintf(stderr, "No valid value known for privileged key %s=; add one to valid_value()\n", i->key);
        abort();
}

static void test_untrusted_walk(void) {
        _cleanup_(settings_freep) Settings *s = NULL, *t = NULL, *empty = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len = 0, n_privileged = 0;
        FILE *m;

        m = open_memstream(&text, &len);
        ASSERT(m);
        for (const SettingsItem *i = settings_items(); i->section; i++)
                if (i->trust == TRUST_PRIVILEGED) {
                        fprintf(m, "[%s]\n%s=%s\n", i->section, i->key, valid_value(i));
                        n_privileged++;
                }
        ASSERT_EQ(fclose(m), 0);
        ASSERT(n_privileged > 0);

        s = parse_ok(text, false);
        ASSERT(!s->trusted);

        /* Nothing took effect: the parsed object equals a fresh one, field by field (except path, trusted,
         * notices). */
        empty = settings_new();
        ASSERT(empty);
        ASSERT_EQ(s->boot, empty->boot);
        ASSERT(!s->parameters && !s->environment && !s->directory);
        ASSERT_EQ(s->notify_ready, empty->notify_ready);
        ASSERT_EQ(s->kill_signal, empty->kill_signal);
        for (const SettingsItem *i = settings_items(); i->section; i++)
                if (i->parse && i->trust == TRUST_PRIVILEGED) {
                        /* Generic check on the raw field: byte for byte what settings_new() sets. */
                        if (memcmp((uint8_t *) s + i->offset, (uint8_t *) empty + i->offset, i->size) != 0) {
                                fprintf(stderr, "Privileged key %s= took effect in an untrusted file\n", i->key);
                                abort();
                        }
                }

        unsigned line = 0;
        for (const SettingsItem *i = settings_items(); i->section; i++) {
                _cleanup_free_ char *notice = NULL;

                if (i->trust != TRUST_PRIVILEGED)
                        continue;
                line += 2;
                ASSERT(asprintf(&notice,
                                "test.nspawn:%u: Ignoring privileged key '%s=' in untrusted settings file.",
                                line, i->key) > 0);
                if (!has_notice(s, notice)) {
                        fprintf(stderr, "Missing notice: %s\n", notice);
                        abort();
                }
        }
        ASSERT_EQ(strv_length(s->notices), n_privileged);

        /* Even an invalid value of a privileged key is not looked at in an untrusted file. */
        t = parse_ok("[Files]\nDirectory=relative\n", false);
        ASSERT(!t->directory);
        ASSERT(has_notice(t, "test.nspawn:2: Ignoring privileged key 'Directory=' in untrusted settings file."));
        t = settings_free(t);

        /* And the same file, trusted, does apply the implemented ones: every field differs from a fresh object,
         * so the values above are valid and would have taken effect. */
        t = parse_ok(text, true);
        ASSERT_STREQ(t->directory, "/srv/escape");
        for (const SettingsItem *i = settings_items(); i->section; i++)
                if (i->parse && i->trust == TRUST_PRIVILEGED &&
                    memcmp((uint8_t *) t + i->offset, (uint8_t *) empty + i->offset, i->size) == 0) {
                        fprintf(stderr, "Privileged key %s= did not take effect in a trusted file\n", i->key);
                        abort();
                }
}

/* Parses "[SECTION]\nLINE\n" trusted; aborts on failure. */
static Settings *parse_line_ok(const char *section, const char *line) {
        _cleanup_free_ char *text = NULL;

        ASSERT(asprintf(&text, "[%s]\n%s\n", section, line) > 0);
        return parse_ok(text, true);
}

static void test_enum_tables(void) {
        for (ConsoleMode m = 0; m < _CONSOLE_MODE_MAX; m++)
                ASSERT_EQ(console_mode_from_string(console_mode_to_string(m)), m);
        for (TimezoneMode m = 0; m < _TIMEZONE_MODE_MAX; m++)
                ASSERT_EQ(timezone_mode_from_string(timezone_mode_to_string(m)), m);
        for (ResolvConfMode m = 0; m < _RESOLV_CONF_MODE_MAX; m++)
                ASSERT_EQ(resolv_conf_mode_from_string(resolv_conf_mode_to_string(m)), m);
        for (LinkJournal m = 0; m < _LINK_JOURNAL_MAX; m++)
                ASSERT_EQ(link_journal_from_string(link_journal_to_string(m)), m);
        for (VolatileMode m = 0; m < _VOLATILE_MODE_MAX; m++)
                ASSERT_EQ(volatile_mode_from_string(volatile_mode_to_string(m)), m);
        for (UserNamespaceOwnership m = 0; m < _USER_NAMESPACE_OWNERSHIP_MAX; m++)
                ASSERT_EQ(user_namespace_ownership_from_string(user_namespace_ownership_to_string(m)), m);
        for (CustomMountType m = 0; m < _CUSTOM_MOUNT_TYPE_MAX; m++)
                ASSERT_EQ(custom_mount_type_from_string(custom_mount_type_to_string(m)), m);

        ASSERT(!console_mode_to_string(_CONSOLE_MODE_MAX));
        ASSERT(!console_mode_to_string(_CONSOLE_MODE_INVALID));
        ASSERT_EQ(console_mode_from_string(NULL), _CONSOLE_MODE_INVALID);
        ASSERT_EQ(console_mode_from_string("autopipe"), _CONSOLE_MODE_INVALID);
        ASSERT_STREQ(resolv_conf_mode_to_string(RESOLV_CONF_REPLACE_UPLINK), "replace-uplink");
        ASSERT_STREQ(link_journal_to_string(LINK_JOURNAL_TRY_GUEST), "try-guest");
        ASSERT(syscall_group_exists("@system-service"));
        ASSERT(syscall_group_exists("@known"));
        ASSERT(!syscall_group_exists("@nope"));
        ASSERT(!syscall_group_exists("system-service"));
        ASSERT(!syscall_group_exists(NULL));
}

static void test_new_defaults(void) {
        _cleanup_(settings_freep) Settings *s = settings_new();

        ASSERT(s);
        ASSERT_EQ(s->ephemeral, -1);
        ASSERT_EQ(s->process_two, -1);
        ASSERT(!s->user && !s->working_directory && !s->hostname);
        ASSERT_EQ(s->capability, 0);
        ASSERT_EQ(s->drop_capability, 0);
        ASSERT_EQ(s->ambient_capability, 0);
        ASSERT_EQ(s->no_new_privileges, -1);
        ASSERT(sd_id128_is_null(s->machine_id));
        ASSERT(!s->syscall_filter.allow && !s->syscall_filter.deny);
        for (size_t i = 0; i < ELEMENTSOF(s->rlimit); i++)
                ASSERT(!s->rlimit[i]);
        ASSERT_EQ(s->oom_score_adjust, OOM_SCORE_ADJUST_UNSET);
        ASSERT(!s->cpu_affinity);
        ASSERT_EQ(s->timezone, -1);
        ASSERT_EQ(s->resolv_conf, -1);
        ASSERT(s->personality == PERSONALITY_INVALID);
        ASSERT_EQ(s->console, -1);
        ASSERT_EQ(s->private_users.mode, -1);
        ASSERT_EQ(s->link_journal, -1);
        ASSERT_EQ(s->suppress_sync, -1);
        ASSERT_EQ(s->read_only, -1);
        ASSERT_EQ(s->volatile_mode, -1);
        ASSERT(!s->custom_mounts.mounts && s->custom_mounts.n == 0);
        ASSERT(!s->inaccessible && !s->bind_user);
        ASSERT_EQ(s->private_users_ownership, -1);
        ASSERT_EQ(s->private_network, -1);
        ASSERT_EQ(s->network_veth, -1);
        ASSERT(!s->network_veth_extra && !s->network_interfaces && !s->network_macvlan && !s->network_ipvlan);
        ASSERT(!s->network_bridge && !s->network_zone);
        ASSERT(!s->expose_ports.ports && s->expose_ports.n == 0);
}

static void test_exec_scalars(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("[Exec]\n"
                     "Ephemeral=yes\n"                                  /* 2 */
                     "ProcessTwo=no\n"                                  /* 3 */
                     "User=nobody\n"                                    /* 4 */
                     "WorkingDirectory=/home//u/./x/\n"                 /* 5 */
                     "Hostname=web-1.example.com\n"                     /* 6 */
                     "NoNewPrivileges=true\n"                           /* 7 */
                     "MachineID=0123456789ABCDEF0123456789abcdef\n"     /* 8 */
                     "OOMScoreAdjust=-1000\n"                           /* 9 */
                     "Timezone=symlink\n"                               /* 10 */
                     "ResolvConf=bind-stub\n"                           /* 11 */
                     "Personality=x86\n"                                /* 12 */
                     "Console=read-only\n"                              /* 13 */
                     "LinkJournal=try-guest\n"                          /* 14 */
                     "SuppressSync=1\n",                                /* 15 */
                     true);
        ASSERT_EQ(s->ephemeral, 1);
        ASSERT_EQ(s->process_two, 0);
        ASSERT_STREQ(s->user, "nobody");
        ASSERT_STREQ(s->working_directory, "/home/u/x");
        ASSERT_STREQ(s->hostname, "web-1.example.com");
        ASSERT_EQ(s->no_new_privileges, 1);
        ASSERT(sd_id128_equal(s->machine_id, SD_ID128_MAKE(01,23,45,67,89,ab,cd,ef,01,23,45,67,89,ab,cd,ef)));
        ASSERT_EQ(s->oom_score_adjust, -1000);
        ASSERT_EQ(s->timezone, TIMEZONE_SYMLINK);
        ASSERT_EQ(s->resolv_conf, RESOLV_CONF_BIND_STUB);
#if defined(__x86_64__)
        ASSERT_EQ(s->personality, PER_LINUX32);
#endif
        ASSERT_EQ(s->console, CONSOLE_READ_ONLY);
        ASSERT_EQ(s->link_journal, LINK_JOURNAL_TRY_GUEST);
        ASSERT_EQ(s->suppress_sync, 1);

        /* The ones the runtime does not apply yet get one notice each, naming its line: Ephemeral=,
         * ProcessTwo=, LinkJournal=, SuppressSync=. */
        ASSERT_EQ(strv_length(s->notices), 4);
        ASSERT(has_notice(s, "test.nspawn:3: Key 'ProcessTwo=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:14: Key 'LinkJournal=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:2: Key 'Ephemeral=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:15: Key 'SuppressSync=' is parsed but not applied yet, ignoring."));
        s = settings_free(s);

        /* Other valid forms; the last assignment wins. */
        s = parse_ok("[Exec]\n"
                     "User=1000\nUser=_svc-x\n"
                     "MachineID=01234567-89ab-cdef-0123-456789abcdef\n"
                     "OOMScoreAdjust=1000\nOOMScoreAdjust=+5\nOOMScoreAdjust=0\n"
                     "Timezone=no\nResolvConf=yes\n"
                     "Personality=x86-64\n"
                     "Console=interactive\nConsole=pipe\n"
                     "Hostname=a\n",
                     true);
        ASSERT_STREQ(s->user, "_svc-x");
        ASSERT(sd_id128_equal(s->machine_id, SD_ID128_MAKE(01,23,45,67,89,ab,cd,ef,01,23,45,67,89,ab,cd,ef)));
        ASSERT_EQ(s->oom_score_adjust, 0);
        ASSERT_EQ(s->timezone, TIMEZONE_OFF);
        ASSERT_EQ(s->resolv_conf, RESOLV_CONF_AUTO);
#if defined(__x86_64__)
        ASSERT_EQ(s->personality, PER_LINUX);
#endif
        ASSERT_EQ(s->console, CONSOLE_PIPE);
        ASSERT_STREQ(s->hostname, "a");
        s = settings_free(s);

        for (ResolvConfMode m = 0; m < _RESOLV_CONF_MODE_MAX; m++) {
                _cleanup_free_ char *l = NULL;
                ASSERT(asprintf(&l, "ResolvConf=%s", resolv_conf_mode_to_string(m)) > 0);
                s = parse_line_ok("Exec", l);
                ASSERT_EQ(s->resolv_conf, m);
                s = settings_free(s);
        }
        for (TimezoneMode m = 0; m < _TIMEZONE_MODE_MAX; m++) {
                _cleanup_free_ char *l = NULL;
                ASSERT(asprintf(&l, "Timezone=%s", timezone_mode_to_string(m)) > 0);
                s = parse_line_ok("Exec", l);
                ASSERT_EQ(s->timezone, m);
                s = settings_free(s);
        }
        for (LinkJournal m = 0; m < _LINK_JOURNAL_MAX; m++) {
                _cleanup_free_ char *l = NULL;
                ASSERT(asprintf(&l, "LinkJournal=%s", link_journal_to_string(m)) > 0);
                s = parse_line_ok("Exec", l);
                ASSERT_EQ(s->link_journal, m);
                s = settings_free(s);
        }

        parse_fail("[Exec]\nEphemeral=sometimes\n", "test.nspawn:2: Invalid value for Ephemeral=: 'sometimes'");
        parse_fail("[Exec]\nProcessTwo=\n", "test.nspawn:2: Invalid value for ProcessTwo=: ''");
        parse_fail("[Exec]\nUser=\n", "test.nspawn:2: Invalid value for User=: '' (not a valid user name or UID)");
        parse_fail("[Exec]\nUser=root user\n",
                   "test.nspawn:2: Invalid value for User=: 'root user' (not a valid user name or UID)");
        parse_fail("[Exec]\nUser=-1\n", "test.nspawn:2: Invalid value for User=: '-1' (not a valid user name or UID)");
        parse_fail("[Exec]\nUser=4294967295\n",
                   "test.nspawn:2: Invalid value for User=: '4294967295' (not a valid user name or UID)");
        parse_fail("[Exec]\nUser=65535\n",
                   "test.nspawn:2: Invalid value for User=: '65535' (not a valid user name or UID)");
        parse_fail("[Exec]\nUser=../etc\n",
                   "test.nspawn:2: Invalid value for User=: '../etc' (not a valid user name or UID)");
        parse_fail("[Exec]\nUser=abcdefghijklmnopqrstuvwxyz012345\n",
                   "test.nspawn:2: Invalid value for User=: 'abcdefghijklmnopqrstuvwxyz012345' (not a valid user name or UID)");
        parse_fail("[Exec]\nWorkingDirectory=home\n", "test.nspawn:2: Invalid value for WorkingDirectory=: 'home'");
        parse_fail("[Exec]\nWorkingDirectory=/home/../etc\n",
                   "test.nspawn:2: Invalid value for WorkingDirectory=: '/home/../etc'");
        parse_fail("[Exec]\nHostname=-foo\n", "test.nspawn:2: Invalid value for Hostname=: '-foo' (not a valid hostname)");
        parse_fail("[Exec]\nHostname=a..b\n", "test.nspawn:2: Invalid value for Hostname=: 'a..b' (not a valid hostname)");
        parse_fail("[Exec]\nHostname=\n", "test.nspawn:2: Invalid value for Hostname=: '' (not a valid hostname)");
        parse_fail("[Exec]\nHostname=a_b\n", "test.nspawn:2: Invalid value for Hostname=: 'a_b' (not a valid hostname)");
        parse_fail("[Exec]\nNoNewPrivileges=maybe\n", "test.nspawn:2: Invalid value for NoNewPrivileges=: 'maybe'");
        parse_fail("[Exec]\nMachineID=0123456789abcdef0123456789abcde\n",
                   "test.nspawn:2: Invalid value for MachineID=: '0123456789abcdef0123456789abcde' (expected 32 hexadecimal digits)");
        parse_fail("[Exec]\nMachineID=0123456789abcdef0123456789abcdeg\n",
                   "test.nspawn:2: Invalid value for MachineID=: '0123456789abcdef0123456789abcdeg' (expected 32 hexadecimal digits)");
        parse_fail("[Exec]\nMachineID=00000000000000000000000000000000\n",
                   "test.nspawn:2: Invalid value for MachineID=: '00000000000000000000000000000000' (the null ID is not allowed)");
        parse_fail("[Exec]\nMachineID=\n", "test.nspawn:2: Invalid value for MachineID=: '' (expected 32 hexadecimal digits)");
        parse_fail("[Exec]\nOOMScoreAdjust=1001\n",
                   "test.nspawn:2: Invalid value for OOMScoreAdjust=: '1001' (expected an integer from -1000 to 1000)");
        parse_fail("[Exec]\nOOMScoreAdjust=-1001\n",
                   "test.nspawn:2: Invalid value for OOMScoreAdjust=: '-1001' (expected an integer from -1000 to 1000)");
        parse_fail("[Exec]\nOOMScoreAdjust=\n",
                   "test.nspawn:2: Invalid value for OOMScoreAdjust=: '' (expected an integer from -1000 to 1000)");
        parse_fail("[Exec]\nOOMScoreAdjust=-\n",
                   "test.nspawn:2: Invalid value for OOMScoreAdjust=: '-' (expected an integer from -1000 to 1000)");
        parse_fail("[Exec]\nOOMScoreAdjust=5x\n",
                   "test.nspawn:2: Invalid value for OOMScoreAdjust=: '5x' (expected an integer from -1000 to 1000)");
        parse_fail("[Exec]\nOOMScoreAdjust=99999999999999999999999\n",
                   "test.nspawn:2: Invalid value for OOMScoreAdjust=: '99999999999999999999999' (expected an integer from -1000 to 1000)");
        parse_fail("[Exec]\nTimezone=local\n", "test.nspawn:2: Invalid value for Timezone=: 'local'");
        parse_fail("[Exec]\nResolvConf=copy\n", "test.nspawn:2: Invalid value for ResolvConf=: 'copy'");
        parse_fail("[Exec]\nResolvConf=\n", "test.nspawn:2: Invalid value for ResolvConf=: ''");
        parse_fail("[Exec]\nPersonality=sparc\n",
                   "test.nspawn:2: Invalid value for Personality=: 'sparc' (not an architecture this host can run)");
        parse_fail("[Exec]\nPersonality=X86\n",
                   "test.nspawn:2: Invalid value for Personality=: 'X86' (not an architecture this host can run)");
        parse_fail("[Exec]\nConsole=autopipe\n", "test.nspawn:2: Invalid value for Console=: 'autopipe'");
        parse_fail("[Exec]\nConsole=yes\n", "test.nspawn:2: Invalid value for Console=: 'yes'");
        parse_fail("[Exec]\nLinkJournal=yes\n", "test.nspawn:2: Invalid value for LinkJournal=: 'yes'");
        parse_fail("[Exec]\nSuppressSync=2\n", "test.nspawn:2: Invalid value for SuppressSync=: '2'");
}

static void test_capabilities(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("[Exec]\n"
                     "Capability=CAP_NET_ADMIN cap_sys_time\n"
                     "Capability=CAP_MKNOD\n"
                     "DropCapability=CAP_SYS_ADMIN 0\n"
                     "AmbientCapability=CAP_NET_BIND_SERVICE\n",
                     true);
        ASSERT_EQ(s->capability, (1ULL << 12) | (1ULL << 25) | (1ULL << 27)); /* NET_ADMIN, SYS_TIME, MKNOD */
        ASSERT_EQ(s->drop_capability, (1ULL << 21) | 1ULL);                   /* SYS_ADMIN, CHOWN */
        ASSERT_EQ(s->ambient_capability, 1ULL << 10);                         /* NET_BIND_SERVICE */
        s = settings_free(s);

        s = parse_ok("[Exec]\nCapability=all\nDropCapability=CAP_CHOWN\nDropCapability=\nDropCapability=CAP_KILL\n",
                     true);
        ASSERT_EQ(s->capability, UINT64_MAX);
        ASSERT_EQ(s->drop_capability, 1ULL << 5); /* the empty assignment reset CAP_CHOWN */
        s = settings_free(s);

        /* DropCapability= is honoured from untrusted files; the adding ones are not. */
        s = parse_ok("[Exec]\nCapability=CAP_SYS_ADMIN\nDropCapability=CAP_NET_RAW\nAmbientCapability=CAP_SYS_ADMIN\n",
                     false);
        ASSERT_EQ(s->capability, 0);
        ASSERT_EQ(s->ambient_capability, 0);
        ASSERT_EQ(s->drop_capability, 1ULL << 13);
        ASSERT(has_notice(s, "test.nspawn:2: Ignoring privileged key 'Capability=' in untrusted settings file."));
        ASSERT_EQ(strv_length(s->notices), 2); /* DropCapability= is applied: no notice */
        ASSERT(has_notice(s, "test.nspawn:4: Ignoring privileged key 'AmbientCapability=' in untrusted settings file."));
        s = settings_free(s);

        parse_fail("[Exec]\nCapability=CAP_NET_ADMIN CAP_FOO\n",
                   "test.nspawn:2: Invalid value for Capability=: 'CAP_NET_ADMIN CAP_FOO' (unknown capability 'CAP_FOO')");
        parse_fail("[Exec]\nDropCapability=net_admin\n",
                   "test.nspawn:2: Invalid value for DropCapability=: 'net_admin' (unknown capability 'net_admin')");
        parse_fail("[Exec]\nAmbientCapability=64\n",
                   "test.nspawn:2: Invalid value for AmbientCapability=: '64' (unknown capability '64')");
        parse_fail("[Exec]\nCapability=CAP_CHOWN,CAP_KILL\n",
                   "test.nspawn:2: Invalid value for Capability=: 'CAP_CHOWN,CAP_KILL' (unknown capability 'CAP_CHOWN,CAP_KILL')");
        parse_fail("[Exec]\nCapability=ALL\n",
                   "test.nspawn:2: Invalid value for Capability=: 'ALL' (unknown capability 'ALL')");
        parse_fail("[Exec]\nCapability='CAP_CHOWN\n",
                   "test.nspawn:2: Unbalanced quoting in Capability=: ''CAP_CHOWN'");
}

static void test_syscall_filter(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("[Exec]\n"
                     "SystemCallFilter=@system-service openat\n"
                     "SystemCallFilter=~@mount kexec_load\n"
                     "SystemCallFilter=read\n"
                     "SystemCallFilter=~@debug\n",
                     true);
        assert_strv(s->syscall_filter.allow, "@system-service|openat|read");
        assert_strv(s->syscall_filter.deny, "@mount|kexec_load|@debug");
        s = settings_free(s);

        s = parse_ok("[Exec]\nSystemCallFilter=read\nSystemCallFilter=~write\nSystemCallFilter=\nSystemCallFilter=~@swap\n",
                     true);
        ASSERT(!s->syscall_filter.allow);
        assert_strv(s->syscall_filter.deny, "@swap");
        s = settings_free(s);

        parse_fail("[Exec]\nSystemCallFilter=read frobnicate\n",
                   "test.nspawn:2: Invalid value for SystemCallFilter=: 'read frobnicate' (unknown system call 'frobnicate')");
        parse_fail("[Exec]\nSystemCallFilter=~@nope\n",
                   "test.nspawn:2: Invalid value for SystemCallFilter=: '~@nope' (unknown system call group '@nope')");
        parse_fail("[Exec]\nSystemCallFilter=~\n",
                   "test.nspawn:2: Invalid value for SystemCallFilter=: '~' (no system calls listed)");
        parse_fail("[Exec]\nSystemCallFilter=read ~write\n",
                   "test.nspawn:2: Invalid value for SystemCallFilter=: 'read ~write' (unknown system call '~write')");
}

static void test_rlimits(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("[Exec]\n"
                     "LimitCPU=1min:infinity\n"
                     "LimitFSIZE=1G\n"
                     "LimitDATA=1.5M:2M\n"
                     "LimitSTACK=8M\n"
                     "LimitCORE=0\n"
                     "LimitRSS=infinity\n"
                     "LimitNOFILE=1024:524288\n"
                     "LimitAS=4096B\n"
                     "LimitNPROC=100\n"
                     "LimitMEMLOCK=64K\n"
                     "LimitLOCKS=10\n"
                     "LimitSIGPENDING=20\n"
                     "LimitMSGQUEUE=800K\n"
                     "LimitNICE=+10:-5\n"
                     "LimitRTPRIO=50\n"
                     "LimitRTTIME=500:1s\n",
                     true);
        for (int r = 0; r < RLIMIT_NLIMITS; r++)
                ASSERT(s->rlimit[r]);
        ASSERT_EQ(s->rlimit[RLIMIT_CPU]->rlim_cur, 60);
        ASSERT(s->rlimit[RLIMIT_CPU]->rlim_max == RLIM_INFINITY);
        ASSERT_EQ(s->rlimit[RLIMIT_FSIZE]->rlim_cur, 1ULL << 30);
        ASSERT_EQ(s->rlimit[RLIMIT_FSIZE]->rlim_max, 1ULL << 30);
        ASSERT_EQ(s->rlimit[RLIMIT_DATA]->rlim_cur, 3ULL << 19);
        ASSERT_EQ(s->rlimit[RLIMIT_DATA]->rlim_max, 2ULL << 20);
        ASSERT_EQ(s->rlimit[RLIMIT_CORE]->rlim_max, 0);
        ASSERT(s->rlimit[RLIMIT_RSS]->rlim_cur == RLIM_INFINITY);
        ASSERT_EQ(s->rlimit[RLIMIT_NOFILE]->rlim_cur, 1024);
        ASSERT_EQ(s->rlimit[RLIMIT_NOFILE]->rlim_max, 524288);
        ASSERT_EQ(s->rlimit[RLIMIT_AS]->rlim_max, 4096);
        ASSERT_EQ(s->rlimit[RLIMIT_MEMLOCK]->rlim_max, 65536);
        ASSERT_EQ(s->rlimit[RLIMIT_NICE]->rlim_cur, 10);   /* nice +10 → 20 - 10 */
        ASSERT_EQ(s->rlimit[RLIMIT_NICE]->rlim_max, 25);   /* nice -5 → 20 - (-5) */
        ASSERT_EQ(s->rlimit[RLIMIT_RTPRIO]->rlim_cur, 50);
        ASSERT_EQ(s->rlimit[RLIMIT_RTTIME]->rlim_cur, 500);          /* µs without a unit */
        ASSERT_EQ(s->rlimit[RLIMIT_RTTIME]->rlim_max, 1000000);
        s = settings_free(s);

        /* Seconds are rounded up; the NICE raw form; later assignments replace. */
        s = parse_ok("[Exec]\nLimitCPU=1500ms\nLimitNICE=40\nLimitNOFILE=1\nLimitNOFILE=2:3\nLimitCPU=90\n", true);
        ASSERT_EQ(s->rlimit[RLIMIT_CPU]->rlim_cur, 90);
        ASSERT_EQ(s->rlimit[RLIMIT_NICE]->rlim_max, 40);
        ASSERT_EQ(s->rlimit[RLIMIT_NOFILE]->rlim_cur, 2);
        ASSERT_EQ(s->rlimit[RLIMIT_NOFILE]->rlim_max, 3);
        s = settings_free(s);
        s = parse_ok("[Exec]\nLimitCPU=1500ms\n", true);
        ASSERT_EQ(s->rlimit[RLIMIT_CPU]->rlim_cur, 2);
        s = settings_free(s);

        parse_fail("[Exec]\nLimitNOFILE=2:1\n",
                   "test.nspawn:2: Invalid value for LimitNOFILE=: '2:1' (soft limit above hard limit)");
        parse_fail("[Exec]\nLimitNOFILE=infinity:1\n",
                   "test.nspawn:2: Invalid value for LimitNOFILE=: 'infinity:1' (soft limit above hard limit)");
        parse_fail("[Exec]\nLimitNOFILE=1K\n", "test.nspawn:2: Invalid value for LimitNOFILE=: '1K'");
        parse_fail("[Exec]\nLimitNOFILE=\n", "test.nspawn:2: Invalid value for LimitNOFILE=: ''");
        parse_fail("[Exec]\nLimitNOFILE=-1\n", "test.nspawn:2: Invalid value for LimitNOFILE=: '-1'");
        parse_fail("[Exec]\nLimitNOFILE=1:2:3\n", "test.nspawn:2: Invalid value for LimitNOFILE=: '1:2:3'");
        parse_fail("[Exec]\nLimitNOFILE=:5\n", "test.nspawn:2: Invalid value for LimitNOFILE=: ':5'");
        parse_fail("[Exec]\nLimitNOFILE=18446744073709551615\n",
                   "test.nspawn:2: Invalid value for LimitNOFILE=: '18446744073709551615' (out of range)");
        parse_fail("[Exec]\nLimitAS=1Q\n", "test.nspawn:2: Invalid value for LimitAS=: '1Q'");
        parse_fail("[Exec]\nLimitAS=16E\n", "test.nspawn:2: Invalid value for LimitAS=: '16E' (out of range)");
        parse_fail("[Exec]\nLimitCPU=5 parsecs\n", "test.nspawn:2: Invalid value for LimitCPU=: '5 parsecs'");
        parse_fail("[Exec]\nLimitNICE=+20\n", "test.nspawn:2: Invalid value for LimitNICE=: '+20' (out of range)");
        parse_fail("[Exec]\nLimitNICE=-21\n", "test.nspawn:2: Invalid value for LimitNICE=: '-21' (out of range)");
        parse_fail("[Exec]\nLimitNICE=41\n", "test.nspawn:2: Invalid value for LimitNICE=: '41' (out of range)");
        parse_fail("[Exec]\nLimitRTTIME=1x\n", "test.nspawn:2: Invalid value for LimitRTTIME=: '1x'");
}

static void test_cpu_affinity(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("[Exec]\nCPUAffinity=0-3 5\nCPUAffinity=7,9-10 1023\n", true);
        ASSERT(s->cpu_affinity);
        ASSERT_EQ(CPU_COUNT(s->cpu_affinity), 9);
        ASSERT(CPU_ISSET(0, s->cpu_affinity) && CPU_ISSET(3, s->cpu_affinity) && CPU_ISSET(5, s->cpu_affinity));
        ASSERT(!CPU_ISSET(4, s->cpu_affinity));
        ASSERT(CPU_ISSET(10, s->cpu_affinity) && CPU_ISSET(1023, s->cpu_affinity));
        s = settings_free(s);

        s = parse_ok("[Exec]\nCPUAffinity=1\nCPUAffinity=\n", true);
        ASSERT(!s->cpu_affinity);
        s = settings_free(s);
        s = parse_ok("[Exec]\nCPUAffinity=1\nCPUAffinity=\nCPUAffinity=2\n", true);
        ASSERT_EQ(CPU_COUNT(s->cpu_affinity), 1);
        ASSERT(CPU_ISSET(2, s->cpu_affinity));
        s = settings_free(s);

        parse_fail("[Exec]\nCPUAffinity=1024\n", "test.nspawn:2: Invalid value for CPUAffinity=: '1024' (CPU index above 1023)");
        parse_fail("[Exec]\nCPUAffinity=3-1\n", "test.nspawn:2: Invalid value for CPUAffinity=: '3-1' (range with start above end)");
        parse_fail("[Exec]\nCPUAffinity=a\n",
                   "test.nspawn:2: Invalid value for CPUAffinity=: 'a' (expected CPU indices or ranges like '0-3 5')");
        parse_fail("[Exec]\nCPUAffinity=-1\n",
                   "test.nspawn:2: Invalid value for CPUAffinity=: '-1' (expected CPU indices or ranges like '0-3 5')");
        parse_fail("[Exec]\nCPUAffinity=1-\n",
                   "test.nspawn:2: Invalid value for CPUAffinity=: '1-' (expected CPU indices or ranges like '0-3 5')");
        parse_fail("[Exec]\nCPUAffinity=0-99999999999999999999999\n",
                   "test.nspawn:2: Invalid value for CPUAffinity=: '0-99999999999999999999999' (expected CPU indices or ranges like '0-3 5')");
}

static void test_private_users(void) {
        static const struct {
                const char *value;
                int mode;
                uint32_t shift, range;
        } ok[] = {
                { "yes",          USER_NAMESPACE_FIXED, PRIVATE_USERS_SHIFT_FROM_ROOT, 0x10000 },
                { "no",           USER_NAMESPACE_NO,    PRIVATE_USERS_SHIFT_FROM_ROOT, 0x10000 },
                { "pick",         USER_NAMESPACE_PICK,  PRIVATE_USERS_SHIFT_FROM_ROOT, 0x10000 },
                { "identity",     USER_NAMESPACE_FIXED, 0,                             0x10000 },
                { "1",            USER_NAMESPACE_FIXED, 1,                             0x10000 }, /* a UID, not "yes" */
                { "0",            USER_NAMESPACE_FIXED, 0,                             0x10000 },
                { "65536:65536",  USER_NAMESPACE_FIXED, 65536,                         65536 },
                { "4294901760:65535", USER_NAMESPACE_FIXED, 4294901760U,               65535 },
        };

        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_(settings_freep) Settings *s = NULL;
                _cleanup_free_ char *l = NULL;

                ASSERT(asprintf(&l, "PrivateUsers=%s", ok[i].value) > 0);
                s = parse_line_ok("Exec", l);
                ASSERT_EQ(s->private_users.mode, ok[i].mode);
                ASSERT_EQ(s->private_users.uid_shift, ok[i].shift);
                ASSERT_EQ(s->private_users.uid_range, ok[i].range);
        }

        parse_fail("[Exec]\nPrivateUsers=maybe\n",
                   "test.nspawn:2: Invalid value for PrivateUsers=: 'maybe' (expected yes, no, pick, identity, UID or UID:RANGE)");
        parse_fail("[Exec]\nPrivateUsers=\n",
                   "test.nspawn:2: Invalid value for PrivateUsers=: '' (expected yes, no, pick, identity, UID or UID:RANGE)");
        parse_fail("[Exec]\nPrivateUsers=100:0\n",
                   "test.nspawn:2: Invalid value for PrivateUsers=: '100:0' (UID range empty or beyond the last UID)");
        parse_fail("[Exec]\nPrivateUsers=4294901760:65536\n",
                   "test.nspawn:2: Invalid value for PrivateUsers=: '4294901760:65536' (UID range empty or beyond the last UID)");
        parse_fail("[Exec]\nPrivateUsers=-5\n",
                   "test.nspawn:2: Invalid value for PrivateUsers=: '-5' (expected yes, no, pick, identity, UID or UID:RANGE)");
        parse_fail("[Exec]\nPrivateUsers=5:\n",
                   "test.nspawn:2: Invalid value for PrivateUsers=: '5:' (expected yes, no, pick, identity, UID or UID:RANGE)");

        {
                _cleanup_(settings_freep) Settings *s = NULL;
                s = parse_ok("[Files]\nPrivateUsersOwnership=map\n[Exec]\nPrivateUsersChown=yes\n", true);
                ASSERT_EQ(s->private_users_ownership, USER_NAMESPACE_OWNERSHIP_CHOWN);
                s = settings_free(s);
                s = parse_ok("[Files]\nPrivateUsersChown=no\nPrivateUsersOwnership=auto\n", true);
                ASSERT_EQ(s->private_users_ownership, USER_NAMESPACE_OWNERSHIP_AUTO);
        }
        parse_fail("[Files]\nPrivateUsersOwnership=yes\n", "test.nspawn:2: Invalid value for PrivateUsersOwnership=: 'yes'");
        parse_fail("[Files]\nPrivateUsersChown=map\n", "test.nspawn:2: Invalid value for PrivateUsersChown=: 'map'");
}

static const CustomMount *mount_at(const Settings *s, size_t i) {
        ASSERT(i < s->custom_mounts.n);
        return s->custom_mounts.mounts + i;
}

static void test_custom_mounts(void) {
        _cleanup_(settings_freep) Settings *s = NULL;
        const CustomMount *m;

        s = parse_ok("[Files]\n"
                     "Bind=/srv/data\n"                                 /* 0 */
                     "Bind=/srv//a/:/mnt/b/\n"                          /* 1 */
                     "BindReadOnly=+/usr/share:/opt/share:norbind,idmap\n" /* 2 */
                     "Bind=+/var/lib\n"                                 /* 3 */
                     "Bind=:/scratch\n"                                 /* 4 */
                     "Bind=/with\\:colon:/dst\\:x:rbind\n"              /* 5 */
                     "TemporaryFileSystem=/tmp/x\n"                     /* 6 */
                     "TemporaryFileSystem=/run/y:mode=0755,size=10M\n"  /* 7 */
                     "Overlay=/lower1:/lower2:/upper:/dst\n"            /* 8 */
                     "OverlayReadOnly=+/lower:/upper\n"                 /* 9 */
                     "Overlay=/l::/dst2\n",                             /* 10 */
                     true);
        ASSERT_EQ(s->custom_mounts.n, 11);

        m = mount_at(s, 0);
        ASSERT_EQ(m->type, CUSTOM_MOUNT_BIND);
        ASSERT_STREQ(m->source, "/srv/data");
        ASSERT_STREQ(m->destination, "/srv/data");
        ASSERT(!m->read_only && !m->options && !m->lower);

        m = mount_at(s, 1);
        ASSERT_STREQ(m->source, "/srv/a");
        ASSERT_STREQ(m->destination, "/mnt/b");

        m = mount_at(s, 2);
        ASSERT(m->read_only);
        ASSERT_STREQ(m->source, "+/usr/share");
        ASSERT_STREQ(m->destination, "/opt/share");
        ASSERT_STREQ(m->options, "norbind,idmap");

        m = mount_at(s, 3);
        ASSERT_STREQ(m->source, "+/var/lib");
        ASSERT_STREQ(m->destination, "/var/lib");

        m = mount_at(s, 4);
        ASSERT(!m->source);
        ASSERT_STREQ(m->destination, "/scratch");

        m = mount_at(s, 5);
        ASSERT_STREQ(m->source, "/with:colon");
        ASSERT_STREQ(m->destination, "/dst:x");
        ASSERT_STREQ(m->options, "rbind");

        m = mount_at(s, 6);
        ASSERT_EQ(m->type, CUSTOM_MOUNT_TMPFS);
        ASSERT(!m->source && !m->options);
        ASSERT_STREQ(m->destination, "/tmp/x");

        m = mount_at(s, 7);
        ASSERT_STREQ(m->destination, "/run/y");
        ASSERT_STREQ(m->options, "mode=0755,size=10M");

        m = mount_at(s, 8);
        ASSERT_EQ(m->type, CUSTOM_MOUNT_OVERLAY);
        ASSERT(!m->read_only);
        assert_strv(m->lower, "/lower1|/lower2");
        ASSERT_STREQ(m->source, "/upper");
        ASSERT_STREQ(m->destination, "/dst");

        m = mount_at(s, 9);
        ASSERT(m->read_only);
        assert_strv(m->lower, "+/lower");
        ASSERT_STREQ(m->source, "/upper");
        ASSERT_STREQ(m->destination, "/upper");

        m = mount_at(s, 10);
        assert_strv(m->lower, "/l");
        ASSERT(!m->source); /* a temporary upper directory */
        ASSERT_STREQ(m->destination, "/dst2");
        s = settings_free(s);

        /* An empty assignment removes the entries of that key only. */
        s = parse_ok("[Files]\n"
                     "Bind=/a\nBindReadOnly=/b\nTemporaryFileSystem=/c\nBind=/d\nOverlay=/e:/f\nOverlayReadOnly=/g:/h\n"
                     "Bind=\n", true);
        ASSERT_EQ(s->custom_mounts.n, 4);
        ASSERT_STREQ(mount_at(s, 0)->destination, "/b");
        ASSERT_STREQ(mount_at(s, 1)->destination, "/c");
        ASSERT_STREQ(mount_at(s, 2)->destination, "/f");
        ASSERT_STREQ(mount_at(s, 3)->destination, "/h");
        s = settings_free(s);
        s = parse_ok("[Files]\nBind=/a\nBindReadOnly=/b\nTemporaryFileSystem=/c\nOverlay=/e:/f\nOverlayReadOnly=/g:/h\n"
                     "BindReadOnly=\nTemporaryFileSystem=\nOverlay=\nOverlayReadOnly=\nBind=\n", true);
        ASSERT_EQ(s->custom_mounts.n, 0);
        ASSERT(!s->custom_mounts.mounts);
        s = settings_free(s);
        s = parse_ok("[Files]\nBind=/a\nBind=\nBind=/z\n", true);
        ASSERT_EQ(s->custom_mounts.n, 1);
        ASSERT_STREQ(mount_at(s, 0)->destination, "/z");
        s = settings_free(s);

        parse_fail("[Files]\nBind=relative\n",
                   "test.nspawn:2: Invalid value for Bind=: 'relative' (source must be an absolute path without '..')");
        parse_fail("[Files]\nBind=/a/../etc:/x\n",
                   "test.nspawn:2: Invalid value for Bind=: '/a/../etc:/x' (source must be an absolute path without '..')");
        parse_fail("[Files]\nBind=/a:rel\n",
                   "test.nspawn:2: Invalid value for Bind=: '/a:rel' (destination must be an absolute path without '..')");
        parse_fail("[Files]\nBind=/a:/x/..\n",
                   "test.nspawn:2: Invalid value for Bind=: '/a:/x/..' (destination must be an absolute path without '..')");
        parse_fail("[Files]\nBind=/a:\n",
                   "test.nspawn:2: Invalid value for Bind=: '/a:' (destination must be an absolute path without '..')");
        parse_fail("[Files]\nBind=+rel\n",
                   "test.nspawn:2: Invalid value for Bind=: '+rel' (source must be an absolute path without '..')");
        parse_fail("[Files]\nBind=/a:/b:bind\n",
                   "test.nspawn:2: Invalid value for Bind=: '/a:/b:bind' (options must be a comma-separated list of rbind, norbind, idmap, noidmap, rootidmap)");
        parse_fail("[Files]\nBindReadOnly=/a:/b:rbind,\n",
                   "test.nspawn:2: Invalid value for BindReadOnly=: '/a:/b:rbind,' (options must be a comma-separated list of rbind, norbind, idmap, noidmap, rootidmap)");
        parse_fail("[Files]\nBind=/a:/b:idmap:x\n",
                   "test.nspawn:2: Invalid value for Bind=: '/a:/b:idmap:x' (options must be a comma-separated list of rbind, norbind, idmap, noidmap, rootidmap)");
        parse_fail("[Files]\nBind=:\n",
                   "test.nspawn:2: Invalid value for Bind=: ':' (destination must be an absolute path without '..')");
        /* An escaped backslash at the end is no continuation, and in the path it is a literal backslash. (A
         * single trailing backslash cannot reach the parser: it continues the line.) */
        s = parse_ok("[Files]\nBind=/a\\\\\n", true);
        ASSERT_STREQ(mount_at(s, 0)->source, "/a\\");
        s = settings_free(s);
        parse_fail("[Files]\nTemporaryFileSystem=tmp\n",
                   "test.nspawn:2: Invalid value for TemporaryFileSystem=: 'tmp' (path must be absolute without '..')");
        /* Options are classified by libmount when the file is read, not when the tmpfs is made. */
        parse_fail("[Files]\nTemporaryFileSystem=/t:mode=0755,nofail\n",
                   "test.nspawn:2: Invalid value for TemporaryFileSystem=: '/t:mode=0755,nofail' (options must be mount "
                   "options libmount can parse (no bind, propagation, nofail/x-* or other userspace options))");
        parse_fail("[Files]\nTemporaryFileSystem=/t:rbind\n",
                   "test.nspawn:2: Invalid value for TemporaryFileSystem=: '/t:rbind' (options must be mount "
                   "options libmount can parse (no bind, propagation, nofail/x-* or other userspace options))");
        s = parse_ok("[Files]\nTemporaryFileSystem=/t:noatime,mode=0700,size=1M\nBind=/a:/b:noidmap,norbind\n", true);
        s = settings_free(s);
        parse_fail("[Files]\nTemporaryFileSystem=:mode=0755\n",
                   "test.nspawn:2: Invalid value for TemporaryFileSystem=: ':mode=0755' (path must be absolute without '..')");
        parse_fail("[Files]\nOverlay=/a\n",
                   "test.nspawn:2: Invalid value for Overlay=: '/a' (expected at least two colon-separated paths)");
        parse_fail("[Files]\nOverlayReadOnly=/a:\n",
                   "test.nspawn:2: Invalid value for OverlayReadOnly=: '/a:' (upper directory must be an absolute path without '..')");
        parse_fail("[Files]\nOverlay=rel:/up:/dst\n",
                   "test.nspawn:2: Invalid value for Overlay=: 'rel:/up:/dst' (lower directories must be absolute paths without '..')");
        parse_fail("[Files]\nOverlay=:/up:/dst\n",
                   "test.nspawn:2: Invalid value for Overlay=: ':/up:/dst' (lower directories must be absolute paths without '..')");
        parse_fail("[Files]\nOverlay=/lo:/up:dst\n",
                   "test.nspawn:2: Invalid value for Overlay=: '/lo:/up:dst' (destination must be an absolute path without '..')");
        parse_fail("[Files]\nOverlay=/lo:up:/dst\n",
                   "test.nspawn:2: Invalid value for Overlay=: '/lo:up:/dst' (upper directory must be an absolute path without '..')");
}

static void test_files_other(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("[Files]\n"
                     "ReadOnly=yes\n"
                     "Volatile=state\n"
                     "Inaccessible=/proc/kcore /sys//firmware/\n"
                     "Inaccessible=\"/with space\"\n"
                     "BindUser=alice bob\n"
                     "BindUser=carol\n",
                     true);
        ASSERT_EQ(s->read_only, 1);
        ASSERT_EQ(s->volatile_mode, VOLATILE_STATE);
        assert_strv(s->inaccessible, "/proc/kcore|/sys/firmware|/with space");
        assert_strv(s->bind_user, "alice|bob|carol");
        s = settings_free(s);

        s = parse_ok("[Files]\nVolatile=true\nInaccessible=/a\nInaccessible=\nBindUser=x\nBindUser=\n", true);
        ASSERT_EQ(s->volatile_mode, VOLATILE_YES);
        ASSERT(!s->inaccessible && !s->bind_user);
        s = settings_free(s);
        s = parse_ok("[Files]\nVolatile=overlay\nVolatile=no\n", true);
        ASSERT_EQ(s->volatile_mode, VOLATILE_NO);
        s = settings_free(s);

        parse_fail("[Files]\nReadOnly=ro\n", "test.nspawn:2: Invalid value for ReadOnly=: 'ro'");
        parse_fail("[Files]\nVolatile=tmpfs\n", "test.nspawn:2: Invalid value for Volatile=: 'tmpfs'");
        parse_fail("[Files]\nInaccessible=/a rel\n",
                   "test.nspawn:2: Invalid value for Inaccessible=: '/a rel' (not an absolute path without '..' 'rel')");
        parse_fail("[Files]\nInaccessible=/a/../b\n",
                   "test.nspawn:2: Invalid value for Inaccessible=: '/a/../b' (not an absolute path without '..' '/a/../b')");
        parse_fail("[Files]\nBindUser=root 0\n",
                   "test.nspawn:2: Invalid value for BindUser=: 'root 0' (not a valid user name '0')");
        parse_fail("[Files]\nBindUser=a:b\n",
                   "test.nspawn:2: Invalid value for BindUser=: 'a:b' (not a valid user name 'a:b')");
}

static void test_network(void) {
        _cleanup_(settings_freep) Settings *s = NULL;

        s = parse_ok("[Network]\n"
                     "Private=yes\n"
                     "VirtualEthernet=no\n"
                     "VirtualEthernetExtra=veth-a\n"
                     "VirtualEthernetExtra=veth-b:host1\n"
                     "Interface=eth1 eth2:inner\n"
                     "Interface=eth3\n"
                     "MACVLAN=eth0\n"
                     "IPVLAN=eth0:iv0\n"
                     "Bridge=br-lan\n"
                     "Zone=dmz\n"
                     "Port=80\n"
                     "Port=tcp:8080:80\n"
                     "Port=udp:53:5353\n"
                     "Port=udp:80\n",
                     true);
        ASSERT_EQ(s->private_network, 1);
        ASSERT_EQ(s->network_veth, 0);
        assert_strv(s->network_veth_extra, "veth-a:veth-a|veth-b:host1");
        assert_strv(s->network_interfaces, "eth1|eth2:inner|eth3");
        assert_strv(s->network_macvlan, "eth0");
        assert_strv(s->network_ipvlan, "eth0:iv0");
        ASSERT_STREQ(s->network_bridge, "br-lan");
        ASSERT_STREQ(s->network_zone, "dmz");
        ASSERT_EQ(s->expose_ports.n, 4);
        ASSERT_EQ(s->expose_ports.ports[0].protocol, IPPROTO_TCP);
        ASSERT_EQ(s->expose_ports.ports[0].host_port, 80);
        ASSERT_EQ(s->expose_ports.ports[0].container_port, 80);
        ASSERT_EQ(s->expose_ports.ports[1].host_port, 8080);
        ASSERT_EQ(s->expose_ports.ports[1].container_port, 80);
        ASSERT_EQ(s->expose_ports.ports[2].protocol, IPPROTO_UDP);
        ASSERT_EQ(s->expose_ports.ports[2].host_port, 53);
        ASSERT_EQ(s->expose_ports.ports[2].container_port, 5353);
        ASSERT_EQ(s->expose_ports.ports[3].protocol, IPPROTO_UDP);
        ASSERT_EQ(s->expose_ports.ports[3].host_port, 80);
        s = settings_free(s);

        s = parse_ok("[Network]\nPort=80\nPort=\nPort=81\nInterface=a\nInterface=\nMACVLAN=b\nMACVLAN=\n"
                     "IPVLAN=c\nIPVLAN=\nVirtualEthernetExtra=d\nVirtualEthernetExtra=\n", true);
        ASSERT_EQ(s->expose_ports.n, 1);
        ASSERT_EQ(s->expose_ports.ports[0].host_port, 81);
        ASSERT(!s->network_interfaces && !s->network_macvlan && !s->network_ipvlan && !s->network_veth_extra);
        s = settings_free(s);

        parse_fail("[Network]\nPrivate=sure\n", "test.nspawn:2: Invalid value for Private=: 'sure'");
        parse_fail("[Network]\nVirtualEthernet=\n", "test.nspawn:2: Invalid value for VirtualEthernet=: ''");
        parse_fail("[Network]\nVirtualEthernetExtra=a b\n",
                   "test.nspawn:2: Invalid value for VirtualEthernetExtra=: 'a b' (expected HOST[:CONTAINER] interface names)");
        parse_fail("[Network]\nVirtualEthernetExtra=a:\n",
                   "test.nspawn:2: Invalid value for VirtualEthernetExtra=: 'a:' (expected HOST[:CONTAINER] interface names)");
        parse_fail("[Network]\nInterface=this-name-is-too-long\n",
                   "test.nspawn:2: Invalid value for Interface=: 'this-name-is-too-long' (not an interface name or HOST:CONTAINER pair 'this-name-is-too-long')");
        parse_fail("[Network]\nInterface=eth0 123\n",
                   "test.nspawn:2: Invalid value for Interface=: 'eth0 123' (not an interface name or HOST:CONTAINER pair '123')");
        parse_fail("[Network]\nMACVLAN=a/b\n",
                   "test.nspawn:2: Invalid value for MACVLAN=: 'a/b' (not an interface name or HOST:CONTAINER pair 'a/b')");
        parse_fail("[Network]\nIPVLAN=a:b:c\n",
                   "test.nspawn:2: Invalid value for IPVLAN=: 'a:b:c' (not an interface name or HOST:CONTAINER pair 'a:b:c')");
        parse_fail("[Network]\nIPVLAN=..\n",
                   "test.nspawn:2: Invalid value for IPVLAN=: '..' (not an interface name or HOST:CONTAINER pair '..')");
        parse_fail("[Network]\nBridge=\n",
                   "test.nspawn:2: Invalid value for Bridge=: '' (not a valid network interface name)");
        parse_fail("[Network]\nBridge=br 0\n",
                   "test.nspawn:2: Invalid value for Bridge=: 'br 0' (not a valid network interface name)");
        parse_fail("[Network]\nZone=0123456789abc\n",
                   "test.nspawn:2: Invalid value for Zone=: '0123456789abc' (zone name too long)");
        parse_fail("[Network]\nZone=\n", "test.nspawn:2: Invalid value for Zone=: '' (not a valid zone name)");
        parse_fail("[Network]\nZone=a/b\n", "test.nspawn:2: Invalid value for Zone=: 'a/b' (not a valid zone name)");
        parse_fail("[Network]\nPort=0\n",
                   "test.nspawn:2: Invalid value for Port=: '0' (expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535)");
        parse_fail("[Network]\nPort=65536\n",
                   "test.nspawn:2: Invalid value for Port=: '65536' (expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535)");
        parse_fail("[Network]\nPort=sctp:80\n",
                   "test.nspawn:2: Invalid value for Port=: 'sctp:80' (expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535)");
        parse_fail("[Network]\nPort=80:\n",
                   "test.nspawn:2: Invalid value for Port=: '80:' (expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535)");
        parse_fail("[Network]\nPort=80\nPort=tcp:80:81\n",
                   "test.nspawn:3: Invalid value for Port=: 'tcp:80:81' (host port already exposed)");
}

/* Every key from an untrusted file: the privileged ones are ignored without parsing, the others parsed. The
 * TRUST_ANY keys systemd-nspawn honours from untrusted files are exactly these. */
static void test_untrusted_any_keys(void) {
        static const char *const any[] = {
                "Boot", "Parameters", "Environment", "NotifyReady", "KillSignal", "NotifyAccess", "TimeoutStartSec",
                "Ephemeral", "ProcessTwo", "User", "WorkingDirectory", "PivotRoot", "DropCapability",
                "NoNewPrivileges", "Personality", "Hostname", "ResolvConf", "Timezone", "SuppressSync",
                "ReadOnly", "Volatile",
        };
        size_t n = 0;

        for (const SettingsItem *i = settings_items(); i->section; i++) {
                bool found = false;

                for (size_t k = 0; k < ELEMENTSOF(any); k++)
                        found = found || streq(any[k], i->key);
                if (found != (i->trust == TRUST_ANY)) {
                        fprintf(stderr, "Key %s= has an unexpected trust class\n", i->key);
                        abort();
                }
                n += found;
        }
        ASSERT_EQ(n, ELEMENTSOF(any));
}

static void write_file(const char *path, const char *text) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        ASSERT(f);
        ASSERT(fputs(text, f) >= 0);
}

static void test_load_and_find(void) {
        char tmp[] = "/tmp/test-settings-XXXXXX";
        _cleanup_free_ char *t1 = NULL, *t2 = NULL, *u = NULL, *p = NULL, *path = NULL, *error = NULL;
        _cleanup_(settings_freep) Settings *s = NULL;
        bool trusted;

        ASSERT(mkdtemp(tmp));
        ASSERT(asprintf(&t1, "%s/t1", tmp) > 0);
        ASSERT(asprintf(&t2, "%s/t2", tmp) > 0);
        ASSERT(asprintf(&u, "%s/u", tmp) > 0);
        ASSERT_EQ(mkdir(t1, 0755), 0);
        ASSERT_EQ(mkdir(t2, 0755), 0);
        ASSERT_EQ(mkdir(u, 0755), 0);

        ASSERT(asprintf(&p, "%s:/nonexistent::%s", t1, t2) > 0);
        ASSERT_EQ(setenv(SETTINGS_PATH_ENV, p, 1), 0);
        ASSERT_EQ(setenv(SETTINGS_UNTRUSTED_DIR_ENV, u, 1), 0);

        ASSERT_EQ(settings_find("foo", &path, &trusted), 0);
        ASSERT(!path);
        ASSERT_EQ(settings_find("../foo", &path, &trusted), -EINVAL);
        ASSERT_EQ(settings_find("", &path, &trusted), -EINVAL);

        free(p);
        ASSERT(asprintf(&p, "%s/foo.nspawn", u) > 0);
        write_file(p, "[Exec]\nBoot=yes\n[Files]\nDirectory=/x\n");
        ASSERT_EQ(settings_find("foo", &path, &trusted), 1);
        ASSERT_STREQ(path, p);
        ASSERT(!trusted);

        ASSERT_EQ(settings_load(path, trusted, &s, &error), 0);
        ASSERT_STREQ(s->path, p);
        ASSERT_EQ(s->boot, 1);
        ASSERT(!s->directory);
        ASSERT_EQ(strv_length(s->notices), 1);
        s = settings_free(s);
        path = mfree(path);

        free(p);
        ASSERT(asprintf(&p, "%s/foo.nspawn", t2) > 0);
        write_file(p, "[Exec]\nBoot=no\n");
        ASSERT_EQ(settings_find("foo", &path, &trusted), 1);
        ASSERT_STREQ(path, p);
        ASSERT(trusted);
        path = mfree(path);

        free(p);
        ASSERT(asprintf(&p, "%s/foo.nspawn", t1) > 0);
        write_file(p, "[Exec]\nBoot=maybe\n");
        trusted = false;
        ASSERT_EQ(settings_find("foo", &path, &trusted), 1);
        ASSERT_STREQ(path, p);
        ASSERT(trusted);
        ASSERT_EQ(settings_find("foo", NULL, NULL), 1);

        ASSERT_EQ(settings_load(path, trusted, &s, &error), -EINVAL);
        ASSERT(!s);
        free(p);
        ASSERT(asprintf(&p, "%s:2: Invalid value for Boot=: 'maybe'", path) > 0);
        ASSERT_STREQ(error, p);
        error = mfree(error);

        /* Missing file: -ENOENT and no message */
        free(p);
        ASSERT(asprintf(&p, "%s/missing.nspawn", t1) > 0);
        ASSERT_EQ(settings_load(p, true, &s, &error), -ENOENT);
        ASSERT(!s);
        ASSERT(!error);

        /* Not a file */
        ASSERT(settings_load(t1, true, &s, &error) < 0);
        ASSERT(!s);

        /* Clean up */
        error = mfree(error);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        ASSERT_EQ(system(cmd), 0);
}

/* A notice quotes the file: bytes that are not UTF-8 (a raw 0xff, a multi-byte character cut at
 * VALUE_SHOWN_MAX) become '?', so that Warnings can go over D-Bus and into the state file. */
static void test_notices_utf8(void) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_free_ char *text = NULL, *euros = NULL;

        euros = malloc(100 * 3 + 1);
        ASSERT(euros);
        for (int i = 0; i < 100; i++)
                memcpy(euros + 3 * i, "\xe2\x82\xac", 3);
        euros[300] = 0;
        ASSERT(asprintf(&text, "[Exec]\nK\xff\xc2\x9by=1\n%s=2\n", euros) > 0);
        s = parse_ok(text, false);
        ASSERT(strv_length(s->notices) >= 2);
        STRV_FOREACH(n, s->notices) {
                ASSERT(utf8_is_valid_n(*n, strlen(*n)));
                ASSERT(!needs_terminal_escape(*n, strlen(*n), 0));
        }
        ASSERT(strstr(s->notices[0], "K???y"));
}

/* An untrusted file of lines that each give a notice: CONF_NOTICES_MAX kept, then how many more there were. */
static void test_notices_bounded(void) {
        _cleanup_free_ char *text = NULL;
        size_t n = CONF_NOTICES_MAX + 5, k = 0;
        char *p;

        text = malloc(8 + n * 16 + 1);
        ASSERT(text);
        p = stpcpy(text, "[Exec]\n");
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "Nope%zu=1\n", i);
        {
                _cleanup_(settings_freep) Settings *s = parse_ok(text, false);

                k = strv_length(s->notices);
                ASSERT_EQ(k, CONF_NOTICES_MAX + 1);
                ASSERT_STREQ(s->notices[0], "test.nspawn:2: Unknown key 'Nope0' in section [Exec], ignoring.");
                ASSERT(strstr(s->notices[CONF_NOTICES_MAX - 1], "'Nope999'"));
                ASSERT_STREQ(s->notices[CONF_NOTICES_MAX], "test.nspawn: 5 more notices, not shown.");
                ASSERT_EQ(s->n_notices, n);
        }
        /* One over: "notice", and exactly CONF_NOTICES_MAX: no such line. */
        p = stpcpy(text, "[Exec]\n");
        for (size_t i = 0; i <= CONF_NOTICES_MAX; i++)
                p += sprintf(p, "Nope%zu=1\n", i);
        {
                _cleanup_(settings_freep) Settings *s = parse_ok(text, false);
                ASSERT_STREQ(s->notices[CONF_NOTICES_MAX], "test.nspawn: 1 more notice, not shown.");
        }
        p = stpcpy(text, "[Exec]\n");
        for (size_t i = 0; i < CONF_NOTICES_MAX; i++)
                p += sprintf(p, "Nope%zu=1\n", i);
        {
                _cleanup_(settings_freep) Settings *s = parse_ok(text, false);
                ASSERT_EQ(strv_length(s->notices), CONF_NOTICES_MAX);
                ASSERT_EQ(s->n_notices, CONF_NOTICES_MAX);
        }
}

int main(void) {
        test_notices_bounded();
        test_table();
        test_new();
        test_all_keys();
        test_empty();
        test_values();
        test_invalid_values();
        test_notify_access_timeout();
        test_long_lines();
        test_nul_and_crlf();
        test_lists();
        test_syntax_ok();
        test_notices();
        test_notices_utf8();
        test_not_supported_walk();
        test_untrusted_walk();
        test_enum_tables();
        test_new_defaults();
        test_exec_scalars();
        test_capabilities();
        test_syscall_filter();
        test_rlimits();
        test_cpu_affinity();
        test_private_users();
        test_custom_mounts();
        test_files_other();
        test_network();
        test_untrusted_any_keys();
        test_load_and_find();
        return 0;
}
