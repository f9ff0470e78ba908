/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The image's /etc/passwd and /etc/group: bounded reads of regular files only, inside the root, and a parser
 * that skips malformed lines and never turns a bad UID into root. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macro.h"
#include "passwd-parse.h"
#include "test-assert.h"

static const char passwd[] =
        "root:x:0:0:root:/root:/bin/sh\n"
        "short:x:5\n"                                   /* too few fields: skipped */
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
        "alice:x:1000:1000::/home/alice:/bin/ash\n"
        "nohome:x:1001:1001:::\n"
        "badid:x:abc:0::/:/bin/sh\n"
        "neg:x:-1:0::/:/bin/sh\n"
        "big:x:4294967295:0::/:/bin/sh";               /* (uid_t) -1, and no trailing newline */

static const char group[] =
        "root:x:0:\n"
        "wheel:x:10:root,alice\n"
        "broken:x:zz:alice\n"                           /* bad GID: skipped */
        "users:x:100:bob,alice\n"
        "short:x\n"
        "audio:x:29:alicia\n";

static void test_find_user(void) {
        PasswdEntry e = {};

        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "alice", &e), 0);
        ASSERT_STREQ(e.name, "alice");
        ASSERT_EQ(e.uid, 1000);
        ASSERT_EQ(e.gid, 1000);
        ASSERT_STREQ(e.home, "/home/alice");
        ASSERT_STREQ(e.shell, "/bin/ash");
        passwd_entry_done(&e);

        /* By UID. */
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "65534", &e), 0);
        ASSERT_STREQ(e.name, "nobody");
        ASSERT_STREQ(e.home, "/nonexistent");
        passwd_entry_done(&e);

        /* Empty home and shell. */
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "nohome", &e), 0);
        ASSERT_STREQ(e.home, "/");
        ASSERT_STREQ(e.shell, "");
        passwd_entry_done(&e);

        /* Missing fields, unknown users, and a prefix of a name are not matches. */
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "short", &e), -ESRCH);
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "nobody2", &e), -ESRCH);
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "ali", &e), -ESRCH);
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "4242", &e), -ESRCH);
        ASSERT_EQ(passwd_find_user("", 0, "root", &e), -ESRCH);

        /* A UID that is not a number must never become 0 (strtoul would say so). */
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "badid", &e), -EBADMSG);
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "neg", &e), -EBADMSG);
        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "big", &e), -EBADMSG);

        /* Only SIZE bytes count: "root" is past the end here. */
        ASSERT_EQ(passwd_find_user(passwd + 30, strlen(passwd) - 30, "root", &e), -ESRCH);

        ASSERT_EQ(passwd_find_user(passwd, strlen(passwd), "", &e), -EINVAL);
}

static void test_groups(void) {
        gid_t g[PASSWD_GROUPS_MAX];

        ASSERT_EQ(group_find_memberships(group, strlen(group), "alice", g, ELEMENTSOF(g)), 2);
        ASSERT_EQ(g[0], 10);
        ASSERT_EQ(g[1], 100);
        ASSERT_EQ(group_find_memberships(group, strlen(group), "alice", g, 1), 1);
        ASSERT_EQ(group_find_memberships(group, strlen(group), "nobody", g, ELEMENTSOF(g)), 0);
}

static void write_file(int dfd, const char *name, const char *s, size_t n) {
        int fd = openat(dfd, name, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
        ASSERT(fd >= 0);
        ASSERT_EQ(write(fd, s, n), (ssize_t) n);
        close(fd);
}

static void test_read_file(void) {
        char dir[] = "/tmp/test-passwd-parse.XXXXXX";
        _cleanup_free_ char *buf = NULL, *big = NULL;
        _cleanup_close_ int dfd = -EBADF;
        size_t n;

        ASSERT(mkdtemp(dir));
        dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT(dfd >= 0);
        ASSERT_EQ(mkdirat(dfd, "etc", 0755), 0);

        ASSERT_EQ(passwd_read_file(dfd, "/etc/passwd", PASSWD_FILE_SIZE_MAX, &buf, &n), -ENOENT);

        write_file(dfd, "etc/passwd", passwd, strlen(passwd));
        ASSERT_EQ(passwd_read_file(dfd, "/etc/passwd", PASSWD_FILE_SIZE_MAX, &buf, &n), 0);
        ASSERT_EQ(n, strlen(passwd));
        ASSERT(memcmp(buf, passwd, n) == 0 && buf[n] == 0);
        buf = mfree(buf);

        /* Oversized: refused, whatever the limit. */
        ASSERT_EQ(passwd_read_file(dfd, "/etc/passwd", 16, &buf, &n), -EFBIG);
        big = calloc(1, PASSWD_FILE_SIZE_MAX + 1);
        ASSERT(big);
        write_file(dfd, "etc/passwd", big, PASSWD_FILE_SIZE_MAX + 1);
        ASSERT_EQ(passwd_read_file(dfd, "/etc/passwd", PASSWD_FILE_SIZE_MAX, &buf, &n), -EFBIG);

        /* A FIFO must neither hang (no writer) nor be read. */
        ASSERT_EQ(unlinkat(dfd, "etc/passwd", 0), 0);
        ASSERT_EQ(mkfifoat(dfd, "etc/passwd", 0644), 0);
        ASSERT_EQ(passwd_read_file(dfd, "/etc/passwd", PASSWD_FILE_SIZE_MAX, &buf, &n), -EBADFD);

        /* A link to /dev/zero: inside the root there is no /dev/zero, and a symlink is not followed. */
        ASSERT_EQ(unlinkat(dfd, "etc/passwd", 0), 0);
        ASSERT_EQ(symlinkat("/dev/zero", dfd, "etc/passwd"), 0);
        ASSERT(passwd_read_file(dfd, "/etc/passwd", PASSWD_FILE_SIZE_MAX, &buf, &n) < 0);
        /* ... nor is one that stays inside the root. */
        write_file(dfd, "etc/real", passwd, strlen(passwd));
        ASSERT_EQ(unlinkat(dfd, "etc/passwd", 0), 0);
        ASSERT_EQ(symlinkat("real", dfd, "etc/passwd"), 0);
        ASSERT_EQ(passwd_read_file(dfd, "/etc/passwd", PASSWD_FILE_SIZE_MAX, &buf, &n), -ELOOP);
        /* A directory symlink that points out of the root resolves inside it: the root's /etc/passwd is
         * read, never the host's. */
        ASSERT_EQ(unlinkat(dfd, "etc/passwd", 0), 0);
        write_file(dfd, "etc/passwd", "x:x:7:7::/:\n", 12);
        ASSERT_EQ(mkdirat(dfd, "x", 0755), 0);
        ASSERT_EQ(symlinkat("../../../../../etc", dfd, "x/etc"), 0);
        ASSERT_EQ(passwd_read_file(dfd, "/x/etc/passwd", PASSWD_FILE_SIZE_MAX, &buf, &n), 0);
        ASSERT_STREQ(buf, "x:x:7:7::/:\n");
        buf = mfree(buf);

        /* A device node (a character device, like /dev/zero itself) is not a regular file. */
        if (geteuid() == 0 && mknodat(dfd, "etc/group", S_IFCHR | 0644, makedev(1, 5)) == 0)
                ASSERT_EQ(passwd_read_file(dfd, "/etc/group", PASSWD_FILE_SIZE_MAX, &buf, &n), -EBADFD);

        {
                char cmd[128];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
                ASSERT_EQ(system(cmd), 0);
        }
}

int main(void) {
        test_find_user();
        test_groups();
        test_read_file();
        return 0;
}
