/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmount with dlopen() (libmount-dl.h): not mapped until the first user loads it; a child loads
 * nothing (-EPERM, nothing mapped), but keeps what its parent loaded; mount options parse through it. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libmount-dl.h"
#include "mount-options.h"
#include "oci-spec.h"
#include "test-assert.h"

/* A fork of ours refuses: its PID is not the one that started. */
static void child_before_load(void) {
        MountOptions m = {};

        ASSERT_EQ(dlopen_libmount(), -EPERM);
        ASSERT_EQ(mount_options_parse("nosuid", &m), -EPERM);
        ASSERT(!libmount_mapped());

        /* A parser that needs it says so, naming where. */
        {
                static const char json[] = "{ \"ociVersion\": \"1.0.2\", \"root\": { \"path\": \"/r\" },"
                                           "  \"linux\": { \"rootfsPropagation\": \"rslave\" } }";
                OciSpec *spec = NULL;
                char *error = NULL;

                ASSERT_EQ(oci_spec_parse(json, strlen(json), &spec, &error), -EINVAL);
                ASSERT(error && strstr(error, "linux.rootfsPropagation") && strstr(error, "libmount.so.1"));
                free(error);
        }
        ASSERT(!libmount_mapped());
}

static void child_after_load(void) {
        MountOptions m = {};

        ASSERT_EQ(dlopen_libmount(), 0);
        ASSERT_EQ(mount_options_parse("ro,nosuid,mode=0755", &m), 0);
        ASSERT_EQ(m.flags, MS_RDONLY | MS_NOSUID);
        ASSERT_STREQ(m.data, "mode=0755");
        mount_options_done(&m);
}

int main(void) {
        MountOptions m = {};

        ASSERT(!libmount_mapped());
        in_child(child_before_load);
        ASSERT(!libmount_mapped());

        /* Nothing to parse: nothing loaded. */
        ASSERT_EQ(mount_options_parse("", &m), 0);
        ASSERT(!libmount_mapped());

        ASSERT_EQ(mount_options_parse("rw,noexec", &m), 0);
        ASSERT(libmount_mapped());
        ASSERT_EQ(m.flags, MS_NOEXEC);
        ASSERT_EQ(m.clear & MS_RDONLY, MS_RDONLY);
        mount_options_done(&m);
        ASSERT_EQ(dlopen_libmount(), 0);
        in_child(child_after_load);

        printf("test-libmount-dl: OK\n");
        return 0;
}
