/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/mount.h>

#include "mount-options.h"
#include "strv.h"
#include "test-assert.h"

static void parse(const char *s, MountOptions *m) {
        ASSERT_EQ(mount_options_parse(s, m), 0);
}

static void test_vfs_flags(void) {
        MountOptions m;

        /* Flags to set. */
        parse("ro,nosuid,nodev,noexec", &m);
        ASSERT_EQ(m.flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        ASSERT_EQ(m.clear, 0);
        ASSERT(!m.data && !m.userspace && !m.bind && !m.propagation);
        mount_options_done(&m);

        /* Their inverses clear. */
        parse("rw,suid,dev,exec", &m);
        ASSERT_EQ(m.flags, 0);
        ASSERT_EQ(m.clear, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        mount_options_done(&m);

        /* Later options win. */
        parse("ro,rw", &m);
        ASSERT_EQ(m.flags, 0);
        ASSERT_EQ(m.clear, MS_RDONLY);
        mount_options_done(&m);
        parse("rw,ro", &m);
        ASSERT_EQ(m.flags, MS_RDONLY);
        ASSERT_EQ(m.clear, 0);
        mount_options_done(&m);

        /* Access times and friends. */
        parse("relatime", &m);
        ASSERT_EQ(m.flags, MS_RELATIME);
        mount_options_done(&m);
        parse("strictatime,nodiratime,sync,dirsync,lazytime,iversion,silent", &m);
        ASSERT_EQ(m.flags, MS_STRICTATIME | MS_NODIRATIME | MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME | MS_I_VERSION |
                           MS_SILENT);
        mount_options_done(&m);
        parse("noatime,atime", &m);
        ASSERT_EQ(m.flags, 0);
        ASSERT_EQ(m.clear, MS_NOATIME);
        mount_options_done(&m);

        /* "defaults" is a no-op, not filesystem data. */
        parse("defaults", &m);
        ASSERT_EQ(m.flags, 0);
        ASSERT(!m.data);
        mount_options_done(&m);

        parse("", &m);
        ASSERT_EQ(m.flags, 0);
        parse(NULL, &m);
        ASSERT_EQ(m.flags, 0);
}

static void test_bind_and_propagation(void) {
        MountOptions m;

        parse("bind", &m);
        ASSERT(m.bind && !m.recursive_bind);
        ASSERT_EQ(m.flags, 0);
        mount_options_done(&m);
        parse("rbind,ro", &m);
        ASSERT(m.bind && m.recursive_bind);
        ASSERT_EQ(m.flags, MS_RDONLY);
        mount_options_done(&m);

        parse("rprivate", &m);
        ASSERT_EQ(m.propagation, MS_PRIVATE);
        ASSERT(m.recursive_propagation);
        ASSERT(!m.bind);
        mount_options_done(&m);
        parse("shared", &m);
        ASSERT_EQ(m.propagation, MS_SHARED);
        ASSERT(!m.recursive_propagation);
        mount_options_done(&m);
        parse("slave,rshared", &m);       /* last one wins */
        ASSERT_EQ(m.propagation, MS_SHARED);
        ASSERT(m.recursive_propagation);
        mount_options_done(&m);
        parse("private,runbindable", &m);
        ASSERT_EQ(m.propagation, MS_UNBINDABLE);
        mount_options_done(&m);
}

static void test_data(void) {
        MountOptions m;

        parse("nosuid,strictatime,mode=755,size=65536k", &m);
        ASSERT_EQ(m.flags, MS_NOSUID | MS_STRICTATIME);
        ASSERT_STREQ(m.data, "mode=755,size=65536k");
        mount_options_done(&m);

        parse("newinstance,ptmxmode=0666,mode=0620,gid=5,noexec", &m);
        ASSERT_EQ(m.flags, MS_NOEXEC);
        ASSERT_STREQ(m.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        mount_options_done(&m);

        /* Quoted values keep their commas. */
        parse("context=\"system_u:object_r:tmp_t:s0:c1,c2\",ro", &m);
        ASSERT_EQ(m.flags, MS_RDONLY);
        ASSERT_STREQ(m.data, "context=\"system_u:object_r:tmp_t:s0:c1,c2\"");
        mount_options_done(&m);

        /* Userspace (fstab) options are set apart, never passed to the kernel. */
        parse("noauto,nofail,x-systemd.automount,ro", &m);
        ASSERT_EQ(m.flags, MS_RDONLY);
        ASSERT(!m.data);
        ASSERT(m.userspace);
        ASSERT(strstr(m.userspace, "noauto"));
        ASSERT(strstr(m.userspace, "x-systemd.automount"));
        mount_options_done(&m);

        /* OCI runtime extensions. */
        parse("rbind,idmap,tmpcopyup,mode=700", &m);
        ASSERT_EQ(m.extensions, MOUNT_EXT_IDMAP | MOUNT_EXT_TMPCOPYUP);
        ASSERT_STREQ(m.data, "mode=700");
        mount_options_done(&m);
        parse("ridmap", &m);
        ASSERT_EQ(m.extensions, MOUNT_EXT_RIDMAP);
        ASSERT(!m.data);
        mount_options_done(&m);

        /* libmount's map has no "ro=": with a value it is filesystem data, not MS_RDONLY. */
        parse("ro=1", &m);
        ASSERT_EQ(m.flags, 0);
        ASSERT_STREQ(m.data, "ro=1");
        mount_options_done(&m);
}

static void test_strv(void) {
        char *runc_dev[] = { (char *) "nosuid", (char *) "strictatime", (char *) "mode=755", (char *) "size=65536k", NULL };
        char *bad[] = { (char *) "ro", (char *) "a,b", NULL };
        char *empty[] = { (char *) "ro", (char *) "", NULL };
        MountOptions m;
        size_t idx = 99;

        ASSERT_EQ(mount_options_parse_strv(runc_dev, &m, &idx), 0);
        ASSERT_EQ(m.flags, MS_NOSUID | MS_STRICTATIME);
        ASSERT_STREQ(m.data, "mode=755,size=65536k");
        mount_options_done(&m);

        ASSERT_EQ(mount_options_parse_strv(bad, &m, &idx), -EINVAL);
        ASSERT_EQ(idx, 1);
        ASSERT_EQ(mount_options_parse_strv(empty, &m, &idx), -EINVAL);
        ASSERT_EQ(idx, 1);
        ASSERT_EQ(mount_options_parse_strv(NULL, &m, NULL), 0);
        ASSERT_EQ(m.flags, 0);
}

static void test_propagation(void) {
        unsigned long f;

        ASSERT_EQ(mount_propagation_from_string("shared", &f), 0);
        ASSERT_EQ(f, MS_SHARED);
        ASSERT_EQ(mount_propagation_from_string("slave", &f), 0);
        ASSERT_EQ(f, MS_SLAVE);
        ASSERT_EQ(mount_propagation_from_string("private", &f), 0);
        ASSERT_EQ(f, MS_PRIVATE);
        ASSERT_EQ(mount_propagation_from_string("unbindable", &f), 0);
        ASSERT_EQ(f, MS_UNBINDABLE);
        ASSERT_EQ(mount_propagation_from_string("rslave", &f), 0);
        ASSERT_EQ(f, MS_SLAVE | MS_REC);
        ASSERT_EQ(mount_propagation_from_string("rprivate", &f), 0);
        ASSERT_EQ(f, MS_PRIVATE | MS_REC);

        ASSERT_EQ(mount_propagation_from_string("", &f), -EINVAL);
        ASSERT_EQ(mount_propagation_from_string("ro", &f), -EINVAL);
        ASSERT_EQ(mount_propagation_from_string("bind", &f), -EINVAL);
        ASSERT_EQ(mount_propagation_from_string("shared,ro", &f), -EINVAL);
        ASSERT_EQ(mount_propagation_from_string("bogus", &f), -EINVAL);
        ASSERT_EQ(mount_propagation_from_string("mode=1", &f), -EINVAL);
}

static void test_attr(void) {
        uint64_t set, clear;
        unsigned long unsupported;
        MountOptions m;

        parse("ro,nosuid,nodev,noexec,nosymfollow", &m);
        ASSERT_EQ(mount_options_to_attr(&m, &set, &clear, &unsupported), 0);
        ASSERT_EQ(set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                       MOUNT_ATTR_NOSYMFOLLOW);
        ASSERT_EQ(clear, 0);
        ASSERT_EQ(unsupported, 0);
        mount_options_done(&m);

        parse("rw,suid,noatime", &m);
        ASSERT_EQ(mount_options_to_attr(&m, &set, &clear, &unsupported), 0);
        ASSERT_EQ(set, MOUNT_ATTR_NOATIME);
        ASSERT_EQ(clear, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR__ATIME);
        mount_options_done(&m);

        parse("strictatime", &m);
        ASSERT_EQ(mount_options_to_attr(&m, &set, &clear, NULL), 0);
        ASSERT_EQ(set, MOUNT_ATTR_STRICTATIME);
        ASSERT_EQ(clear, MOUNT_ATTR__ATIME);
        mount_options_done(&m);

        parse("relatime", &m);
        ASSERT_EQ(mount_options_to_attr(&m, &set, &clear, NULL), 0);
        ASSERT_EQ(set, 0);
        ASSERT_EQ(clear, MOUNT_ATTR__ATIME);
        mount_options_done(&m);

        parse("sync,lazytime,ro", &m);
        ASSERT_EQ(mount_options_to_attr(&m, &set, &clear, &unsupported), 0);
        ASSERT_EQ(set, MOUNT_ATTR_RDONLY);
        ASSERT_EQ(unsupported, MS_SYNCHRONOUS | MS_LAZYTIME);
        mount_options_done(&m);
}

/* Bind=/BindReadOnly= options: nspawn's words, later ones winning. The old strstr() matching took
 * "noidmap" for "idmap" (and refused the mount) and any "norbind" for the last word. */
static void test_bind_options(void) {
        BindIdmap idmap;
        bool recursive;

        ASSERT_EQ(mount_bind_options_parse(NULL, &recursive, &idmap), 0);
        ASSERT(recursive);
        ASSERT_EQ(idmap, BIND_IDMAP_NO);
        ASSERT_EQ(mount_bind_options_parse("norbind", &recursive, &idmap), 0);
        ASSERT(!recursive);
        ASSERT_EQ(mount_bind_options_parse("noidmap", &recursive, &idmap), 0);
        ASSERT(recursive);
        ASSERT_EQ(idmap, BIND_IDMAP_NO);
        ASSERT_EQ(mount_bind_options_parse("idmap,noidmap", &recursive, &idmap), 0);
        ASSERT_EQ(idmap, BIND_IDMAP_NO);
        ASSERT_EQ(mount_bind_options_parse("noidmap,rootidmap", &recursive, &idmap), 0);
        ASSERT_EQ(idmap, BIND_IDMAP_ROOT);
        ASSERT_EQ(mount_bind_options_parse("norbind,rbind,idmap", &recursive, &idmap), 0);
        ASSERT(recursive);
        ASSERT_EQ(idmap, BIND_IDMAP_YES);
        ASSERT_EQ(mount_bind_options_parse("rbind,norbind", &recursive, &idmap), 0);
        ASSERT(!recursive);

        ASSERT_EQ(mount_bind_options_parse("bind", NULL, NULL), -EINVAL);
        ASSERT_EQ(mount_bind_options_parse("rbind=1", NULL, NULL), -EINVAL);
        ASSERT_EQ(mount_bind_options_parse("rbind,", NULL, NULL), -EINVAL);
        ASSERT_EQ(mount_bind_options_parse(",rbind", NULL, NULL), -EINVAL);
        ASSERT_EQ(mount_bind_options_parse("rbind,,idmap", NULL, NULL), -EINVAL);
        ASSERT_EQ(mount_bind_options_parse("ro", NULL, NULL), -EINVAL);
        ASSERT_EQ(mount_bind_options_parse("idmaps", NULL, NULL), -EINVAL);
}

/* TemporaryFileSystem= options for fsmount(2): the old hand-written table sent noatime, strictatime,
 * nodiratime, nosymfollow, ... to the tmpfs as parameters, which it refuses. */
static void test_fs_attr(void) {
        MountOptions m;
        uint64_t attr;
        char **sb = NULL;
        const uint64_t def = MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID;

        parse("mode=0700,size=1M", &m);
        ASSERT_EQ(mount_options_to_fs_attr(&m, def, &attr, &sb), 0);
        ASSERT_EQ(attr, def);
        ASSERT(!sb);
        mount_options_done(&m);

        parse("ro,noexec,dev,suid,noatime", &m);
        ASSERT_EQ(mount_options_to_fs_attr(&m, def, &attr, &sb), 0);
        ASSERT_EQ(attr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOATIME);
        ASSERT(!sb);
        mount_options_done(&m);

        parse("ro,rw,nosymfollow,strictatime", &m);
        ASSERT_EQ(mount_options_to_fs_attr(&m, def, &attr, &sb), 0);
        ASSERT_EQ(attr, def | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_STRICTATIME);
        mount_options_done(&m);

        parse("sync,dirsync,async,mode=1777", &m);
        ASSERT_EQ(mount_options_to_fs_attr(&m, def, &attr, &sb), 0);
        ASSERT_EQ(attr, def);
        ASSERT(sb && strv_find(sb, "dirsync") && !strv_find(sb, "sync") && !strv_find(sb, "async"));
        sb = strv_free(sb);
        mount_options_done(&m);

        parse("sync,mode=1777", &m);
        ASSERT_EQ(mount_options_to_fs_attr(&m, def, &attr, &sb), 0);
        ASSERT(sb && strv_find(sb, "sync") && strv_length(sb) == 1);
        sb = strv_free(sb);
        mount_options_done(&m);

        static const char *const refused[] = { "bind", "rbind", "shared", "nofail", "x-foo=bar", "idmap",
                                               "remount", "silent" };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                parse(refused[i], &m);
                ASSERT_EQ(mount_options_to_fs_attr(&m, def, &attr, &sb), -EINVAL);
                mount_options_done(&m);
        }
}

int main(void) {
        test_vfs_flags();
        test_bind_and_propagation();
        test_data();
        test_strv();
        test_propagation();
        test_attr();
        test_bind_options();
        test_fs_attr();
        return 0;
}
