/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* settings_verify(): what a file may not say even though each line parses, named with file:line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "settings-verify.h"
#include "test-assert.h"

/* Parses TEXT as "test.nspawn" (trusted) and verifies it. Returns settings_verify()'s result; *ret_error is
 * the message or NULL. */
static int verify(const char *text, char **ret_error) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        char *error = NULL;
        int r;

        f = fmemopen((void *) text, strlen(text), "r");
        ASSERT(f);
        r = settings_parse(f, "test.nspawn", true, &s, &error);
        ASSERT_EQ(r, 0);
        ASSERT(!error);

        r = settings_verify(s, &error);
        if (r >= 0)
                ASSERT(!error);
        *ret_error = error;
        return r;
}

static void assert_verify_fails(const char *text, const char *prefix) {
        _cleanup_free_ char *error = NULL;

        ASSERT_EQ(verify(text, &error), -EINVAL);
        ASSERT(error);
        if (strncmp(error, prefix, strlen(prefix)) != 0) {
                fprintf(stderr, "expected a message starting with '%s', got '%s'\n", prefix, error);
                abort();
        }
}

static void assert_verify_ok(const char *text) {
        _cleanup_free_ char *error = NULL;

        ASSERT_EQ(verify(text, &error), 0);
}

static void test_command(void) {
        _cleanup_free_ char *error = NULL;

        /* Fine: a command, or booting (explicitly, or by default without Parameters=). */
        assert_verify_ok("");
        assert_verify_ok("[Exec]\nBoot=yes\n");
        assert_verify_ok("[Exec]\nParameters=/bin/true\n");
        assert_verify_ok("[Exec]\nBoot=no\nParameters=/bin/true\n");
        assert_verify_ok("[Exec]\nParameters=/bin/true\nBoot=no\n");

        /* The two cases: no Parameters= at all, and a typo of it. file:line is the Boot= line. */
        assert_verify_fails("[Exec]\nBoot=no\n", "test.nspawn:2: Boot=no, but there is no command to run");
        assert_verify_fails("# comment\n[Exec]\nParameter=/bin/sh\nBoot=no\n",
                            "test.nspawn:4: Boot=no, but there is no command to run");
        ASSERT_EQ(verify("[Exec]\nBoot=no\nParameter=/bin/sh\n", &error), -EINVAL);
        ASSERT(strstr(error, "Parameters= is missing or empty"));
        ASSERT(strstr(error, "(note: test.nspawn:3: Unknown key 'Parameter' in section [Exec], ignoring.)"));
        error = mfree(error);

        /* Parameters= reset by an empty assignment; the last Boot= counts. */
        assert_verify_fails("[Exec]\nParameters=/bin/true\nParameters=\nBoot=no\n", "test.nspawn:4: Boot=no");
        assert_verify_fails("[Exec]\nBoot=yes\nBoot=no\n", "test.nspawn:3: Boot=no");
        /* A misspelt section: its Parameters= is ignored. */
        ASSERT_EQ(verify("[Exce]\nParameters=/bin/true\n[Exec]\nBoot=no\n", &error), -EINVAL);
        ASSERT(strstr(error, "test.nspawn:4: Boot=no"));
        ASSERT(strstr(error, "Unknown section '[Exce]'"));
        error = mfree(error);

        /* An empty program name, with or without Boot=. */
        assert_verify_fails("[Exec]\nParameters=\"\" x\n", "test.nspawn:2: Parameters= starts with an empty word");
        assert_verify_fails("[Exec]\nBoot=no\nParameters=''\n", "test.nspawn:3: Parameters= starts with an empty word");
}

static void test_mount_sources(void) {
        char dir[] = "/tmp/test-settings-verify.XXXXXX", text[512];

        ASSERT(mkdtemp(dir));

        snprintf(text, sizeof(text), "[Files]\nBind=%s:/mnt\nBindReadOnly=%s\nTemporaryFileSystem=/t\n", dir, dir);
        assert_verify_ok(text);
        /* "+" paths are inside the image, resolved at set-up: not checked here. No source: a temporary dir. */
        assert_verify_ok("[Files]\nBind=+/nonexistent:/mnt\nBind=:/mnt/tmp\n");

        snprintf(text, sizeof(text), "[Files]\nBind=%s:/a\n\nBind=/nonexistent/src:/mnt\n", dir);
        assert_verify_fails(text, "test.nspawn:4: Bind=: source path /nonexistent/src does not exist on the host");
        assert_verify_fails("[Exec]\nParameters=/bin/true\n[Files]\nBindReadOnly=/nonexistent\n",
                            "test.nspawn:4: BindReadOnly=: source path /nonexistent does not exist");
        /* A file as a directory component: also "does not exist". */
        assert_verify_fails("[Files]\nBind=/etc/passwd/x:/mnt\n", "test.nspawn:2: Bind=: source path /etc/passwd/x");

        snprintf(text, sizeof(text), "[Files]\nOverlay=%s:/nonexistent/lower:%s:/mnt\n", dir, dir);
        assert_verify_fails(text, "test.nspawn:2: Overlay=: lower directory /nonexistent/lower does not exist");
        snprintf(text, sizeof(text), "[Files]\nOverlayReadOnly=%s:/nonexistent/upper:/mnt\n", dir);
        assert_verify_fails(text, "test.nspawn:2: OverlayReadOnly=:");
        snprintf(text, sizeof(text), "[Files]\nOverlay=%s:%s:/mnt\n", dir, dir);
        assert_verify_ok(text);

        /* An empty assignment removes the missing one again. */
        assert_verify_ok("[Files]\nBind=/nonexistent:/mnt\nBind=\n");

        ASSERT_EQ(rmdir(dir), 0);
}

static void test_lines(void) {
        _cleanup_(settings_freep) Settings *s = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        const char *text = "[Exec]\nBoot=no\n\nParameters=/bin/a \\\n  b\n[Files]\nTemporaryFileSystem=/t\n"
                           "Bind=/x:/y\n[Exec]\nBoot=yes\n";
        char *error = NULL;

        f = fmemopen((void *) text, strlen(text), "r");
        ASSERT(f);
        ASSERT_EQ(settings_parse(f, "l.nspawn", true, &s, &error), 0);
        ASSERT_EQ(settings_item_line(s, "Exec", "Boot"), 10);       /* the last assignment */
        ASSERT_EQ(settings_item_line(s, "Exec", "Parameters"), 4); /* a continued line: where it starts */
        ASSERT_EQ(settings_item_line(s, "Exec", "User"), 0);
        ASSERT_EQ(settings_item_line(s, "Exec", "NoSuchKey"), 0);
        /* Only the keys that were set are kept (a running machine holds its Settings), each once. */
        ASSERT_EQ(s->n_item_lines, 4);
        ASSERT_EQ(s->custom_mounts.n, 2);
        ASSERT_EQ(s->custom_mounts.mounts[0].line, 7);
        ASSERT_STREQ(custom_mount_key(s->custom_mounts.mounts + 0), "TemporaryFileSystem");
        ASSERT_EQ(s->custom_mounts.mounts[1].line, 8);
        ASSERT_STREQ(custom_mount_key(s->custom_mounts.mounts + 1), "Bind");
}

/* OCIBundle=: the bundle defines the container; only the machine's own keys may go with it. */
static void test_oci_bundle(void) {
        assert_verify_ok("[Files]\nOCIBundle=/srv/b\n");
        assert_verify_ok("[Exec]\nKillSignal=SIGTERM\nNotifyReady=yes\nTimeoutStartSec=5\nNotifyAccess=all\n"
                         "MachineID=0123456789abcdef0123456789abcdef\n[Files]\nOCIBundle=/srv/b\n");
        /* Boot= says what to run: the bundle does. */
        assert_verify_fails("[Exec]\nBoot=no\n[Files]\nOCIBundle=/srv/b\n",
                            "test.nspawn:2: Boot= cannot be combined with OCIBundle=");
        assert_verify_fails("[Files]\nOCIBundle=/srv/b\n[Exec]\nParameters=/bin/true\n",
                            "test.nspawn:4: Parameters= cannot be combined with OCIBundle=");
        assert_verify_fails("[Files]\nBind=/tmp:/x\nOCIBundle=/srv/b\n",
                            "test.nspawn:2: Bind= cannot be combined with OCIBundle=");
}

int main(void) {
        test_command();
        test_oci_bundle();
        test_mount_sources();
        test_lines();
        return 0;
}
