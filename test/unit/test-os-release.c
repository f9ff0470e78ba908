/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's os-release -> $container_host_*, as systemd-nspawn does it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "os-release.h"
#include "strv.h"
#include "test-assert.h"

static char **env_of(const char *text) {
        _cleanup_fclose_ FILE *f = NULL;
        char **env = NULL;

        f = fmemopen((void *) text, strlen(text), "r");
        ASSERT(f);
        ASSERT_EQ(os_release_host_env(f, &env), 0);
        return env;
}

static void test_debian(void) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *joined = NULL;

        env = env_of("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                     "NAME=\"Debian GNU/Linux\"\n"
                     "VERSION_ID=\"12\"\n"
                     "VERSION=\"12 (bookworm)\"\n"
                     "VERSION_CODENAME=bookworm\n"
                     "ID=debian\n"
                     "HOME_URL=\"https://www.debian.org/\"\n");
        joined = strv_join(env, "|");
        ASSERT_STREQ(joined, "container_host_version_id=12|container_host_id=debian");
}

static void test_all_four_and_only_four(void) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *joined = NULL;

        env = env_of("# comment\n"
                     "  ; another\n"
                     "ID=fedora\n"
                     "VARIANT_ID='workstation'\n"
                     "BUILD_ID=\"2024-01-02\"\n"
                     "VERSION_ID=40\r\n"
                     "IMAGE_ID=my-image\n"
                     "IMAGE_VERSION=1.2\n"
                     "ID_LIKE=\"rhel centos\"\n"
                     "SYSEXT_LEVEL=1\n");
        joined = strv_join(env, "|");
        ASSERT_STREQ(joined, "container_host_id=fedora|container_host_variant_id=workstation|"
                             "container_host_build_id=2024-01-02|container_host_version_id=40");
}

static void test_odd_lines(void) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *joined = NULL;

        env = env_of("ID=first\n"
                     "ID=second\n"                 /* the later one wins */
                     "VERSION_ID=\"unbalanced\n"   /* skipped */
                     "BUILD_ID=two words\n"        /* not valid os-release: skipped */
                     "VARIANT_ID\n"                /* no '=' */
                     "IDX=1\n"
                     " ID_ = 2\n"
                     "id=lower\n"                  /* keys are case-sensitive */
                     "VARIANT_ID=\n");             /* empty is a value */
        joined = strv_join(env, "|");
        ASSERT_STREQ(joined, "container_host_id=second|container_host_variant_id=");

        strv_free(env);
        env = env_of("");
        ASSERT(!env);
}

static void test_load(void) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_EQ(os_release_host_env_load("/nonexistent-root", &env), -ENOENT);
        ASSERT(!env);
        /* The real host: whatever it says, every entry has the prefix. */
        if (os_release_host_env_load("/", &env) >= 0)
                STRV_FOREACH(e, env)
                        ASSERT(strncmp(*e, "container_host_", 15) == 0);
}

int main(void) {
        test_debian();
        test_all_four_and_only_four();
        test_odd_lines();
        test_load();
        return 0;
}
