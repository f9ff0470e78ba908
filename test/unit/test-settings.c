/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

#include "settings.h"
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

        ASSERT_EQ(parse(text, true, &s, &error), -EINVAL);
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
        ASSERT(has_notice(s, "test.nspawn:4: Key 'Hostname=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:5: Key 'Console=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:7: Missing '=', ignoring line."));
        ASSERT(has_notice(s, "test.nspawn:8: Unknown section '[Frobnicate]', ignoring."));
        ASSERT(has_notice(s, "test.nspawn:13: Unknown key 'Boot' in section [Network], ignoring."));
        ASSERT(has_notice(s, "test.nspawn:14: Key 'Zone=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:16: Key 'Bind=' is parsed but not applied yet, ignoring."));
        ASSERT(has_notice(s, "test.nspawn:17: Key 'ReadOnly=' is parsed but not applied yet, ignoring."));
        ASSERT_EQ(strv_length(s->notices), 10);

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

int main(void) {
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
        test_not_supported_walk();
        test_untrusted_walk();
        test_load_and_find();
        return 0;
}
