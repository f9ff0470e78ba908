/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fuzz.h"
#include "macro.h"
#include "mount-options.h"
#include "strv.h"

/* Bind= options and the tmpfs attributes of TemporaryFileSystem=: defined results or -EINVAL, nothing else. */
static void fuzz_nspawn_options(const char *s, const MountOptions *m) {
        _cleanup_strv_free_ char **sb = NULL;
        BindIdmap idmap = BIND_IDMAP_NO;
        bool recursive;
        uint64_t attr;
        int r;

        r = mount_bind_options_parse(s, &recursive, &idmap);
        if (r < 0 ? !IN_SET(r, -EINVAL, -ENOMEM) : !IN_SET(idmap, BIND_IDMAP_NO, BIND_IDMAP_YES, BIND_IDMAP_ROOT))
                abort();

        r = mount_options_to_fs_attr(m, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &attr, &sb);
        if (r < 0 ? !IN_SET(r, -EINVAL, -ENOMEM) : (m->bind || m->propagation))
                abort();
        STRV_FOREACH(f, sb)
                if (!streq(*f, "sync") && !streq(*f, "dirsync") && !streq(*f, "lazytime") && !streq(*f, "mand"))
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(mount_options_done) MountOptions m = {};
        _cleanup_free_ char *s = NULL;
        uint64_t set, clear;
        unsigned long unsupported, prop;
        int r;

        s = strndup((const char *) data, size);
        if (!s)
                return 0;

        r = mount_options_parse(s, &m);
        if (r < 0) {
                if (!IN_SET(r, -EINVAL, -ENOMEM))
                        abort();
                return 0;
        }

        /* A flag is either set or cleared; bind and propagation never leak into the flags. */
        if ((m.flags & m.clear) ||
            ((m.flags | m.clear) & (MS_BIND | MS_REC | MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)))
                abort();
        if (!IN_SET(m.propagation, 0UL, (unsigned long) MS_SHARED, (unsigned long) MS_SLAVE,
                    (unsigned long) MS_PRIVATE, (unsigned long) MS_UNBINDABLE))
                abort();
        if (m.recursive_bind && !m.bind)
                abort();
        if (m.data)
                (void) strlen(m.data);
        if (m.userspace)
                (void) strlen(m.userspace);

        (void) mount_options_to_attr(&m, &set, &clear, &unsupported);
        if (set & clear & ~(uint64_t) MOUNT_ATTR__ATIME)
                abort();

        fuzz_nspawn_options(s, &m);

        r = mount_propagation_from_string(s, &prop);
        if (r >= 0 && !(prop & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)))
                abort();
        return 0;
}
