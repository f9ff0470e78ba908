/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* priv_fsids_push()/priv_fsids_pop(): the file system IDs an overlay's creator gets (mounts.c), with the
 * capabilities kept, and everything put back afterwards. Needs root; skipped (77) otherwise. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "priv/priv.h"
#include "test-assert.h"

static bool cap_effective(cap_value_t cap) {
        cap_flag_value_t v = CAP_CLEAR;
        cap_t caps = cap_get_proc();

        ASSERT(caps);
        ASSERT(cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) >= 0);
        cap_free(caps);
        return v == CAP_SET;
}

static uid_t fsuid(void) {
        return setfsuid((uid_t) -1);
}

static gid_t fsgid(void) {
        return setfsgid((gid_t) -1);
}

/* Creates NAME in DIR, which must then be owned by UID:GID. */
static void assert_creates_as(int dir, const char *name, uid_t uid, gid_t gid) {
        struct stat st;
        int fd;

        fd = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        ASSERT(fd >= 0);
        ASSERT(fstat(fd, &st) >= 0);
        ASSERT_EQ(st.st_uid, uid);
        ASSERT_EQ(st.st_gid, gid);
        close(fd);
}

static void test_push_pop(int dir) {
        PrivFsids saved = {};

        ASSERT_EQ(fsuid(), 0);
        ASSERT(cap_effective(CAP_DAC_OVERRIDE));
        ASSERT_EQ(priv_fsids_push(4711, 4712, &saved), 0);
        ASSERT_EQ(fsuid(), 4711);
        ASSERT_EQ(fsgid(), 4712);
        /* A plain setfsuid() away from 0 would have dropped these. */
        ASSERT(cap_effective(CAP_DAC_OVERRIDE));
        ASSERT(cap_effective(CAP_CHOWN));
        ASSERT(cap_effective(CAP_FOWNER));
        /* DIR is 0700 and owned by another user: writing there takes CAP_DAC_OVERRIDE. */
        assert_creates_as(dir, "a", 4711, 4712);
        priv_fsids_pop(&saved);
        ASSERT_EQ(fsuid(), 0);
        ASSERT_EQ(fsgid(), 0);
        ASSERT(cap_effective(CAP_DAC_OVERRIDE));
        assert_creates_as(dir, "b", 0, 0);
        priv_fsids_pop(&saved); /* twice: nothing */
        ASSERT_EQ(fsuid(), 0);
}

/* Already moved away from 0, as the init is in an idmapped root: the capabilities come back for the push and
 * are dropped again by the pop, the IDs are put back. */
static void test_push_pop_nested(int dir) {
        PrivFsids saved = {};

        ASSERT_EQ(priv_set_fsids(1000, 1000), 0);
        ASSERT(!cap_effective(CAP_DAC_OVERRIDE));
        ASSERT_EQ(priv_fsids_push(4711, 4711, &saved), 0);
        ASSERT(cap_effective(CAP_DAC_OVERRIDE));
        assert_creates_as(dir, "c", 4711, 4711);
        priv_fsids_pop(&saved);
        ASSERT_EQ(fsuid(), 1000);
        ASSERT_EQ(fsgid(), 1000);
        ASSERT(!cap_effective(CAP_DAC_OVERRIDE));
        ASSERT_EQ(priv_set_fsids(0, 0), 0);
        ASSERT(cap_effective(CAP_DAC_OVERRIDE));
}

static void test_invalid(void) {
        PrivFsids saved = {};

        ASSERT_EQ(priv_fsids_push((uid_t) -1, 0, &saved), -EINVAL);
        ASSERT_EQ(priv_fsids_push(0, (gid_t) -1, &saved), -EINVAL);
        ASSERT_EQ(priv_fsids_push(0, 0, NULL), -EINVAL);
        ASSERT(!saved.pushed);
        priv_fsids_pop(&saved);
        ASSERT_EQ(fsuid(), 0);
}

int main(void) {
        char tmpl[] = "/tmp/test-priv-fsids.XXXXXX";
        int dir;

        if (geteuid() != 0) {
                fprintf(stderr, "not root, skipping\n");
                return 77;
        }
        ASSERT(mkdtemp(tmpl));
        ASSERT(chown(tmpl, 65534, 65534) >= 0);
        ASSERT(chmod(tmpl, 0700) >= 0);
        dir = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT(dir >= 0);

        test_push_pop(dir);
        test_push_pop_nested(dir);
        test_invalid();

        (void) unlinkat(dir, "a", 0);
        (void) unlinkat(dir, "b", 0);
        (void) unlinkat(dir, "c", 0);
        close(dir);
        ASSERT(rmdir(tmpl) >= 0);
        return 0;
}
