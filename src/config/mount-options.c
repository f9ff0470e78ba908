/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <libmount/libmount.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-options.h"
#include "macro.h"
#include "strv.h"

#define PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

void mount_options_done(MountOptions *m) {
        if (!m)
                return;
        free(m->data);
        free(m->userspace);
        *m = (MountOptions) {};
}

/* Applies one VFS option (a name from libmount's Linux map) to m, later options overriding earlier ones. */
static int apply_vfs_option(const char *name, MountOptions *m) {
        const struct libmnt_optmap *map = mnt_get_builtin_optmap(MNT_LINUX_MAP);
        unsigned long set = 0, kept = ~0UL, clear;

        /* libmount sets the bits of an option and clears those of its inverse ("rw" clears MS_RDONLY). Asking
         * twice, once from all-zero and once from all-ones, tells the two apart. */
        if (mnt_optstr_get_flags(name, &set, map) < 0 || mnt_optstr_get_flags(name, &kept, map) < 0)
                return -EINVAL;
        clear = ~kept;

        if (set & PROPAGATION_FLAGS) {
                m->propagation = set & PROPAGATION_FLAGS;
                m->recursive_propagation = set & MS_REC;
                return 0;
        }
        if (set & MS_BIND) {
                m->bind = true;
                m->recursive_bind = set & MS_REC;
                return 0;
        }

        m->flags = (m->flags & ~clear) | set;
        m->clear = (m->clear & ~set) | clear;
        return 0;
}

static int apply_fs_option(MountOptions *m, const char *name, size_t namesz, const char *value, size_t valuesz) {
        _cleanup_free_ char *n = NULL, *v = NULL;

        n = strndup(name, namesz);
        if (!n)
                return -ENOMEM;
        if (!value) {
                if (streq(n, "idmap")) {
                        m->extensions |= MOUNT_EXT_IDMAP;
                        return 0;
                }
                if (streq(n, "ridmap")) {
                        m->extensions |= MOUNT_EXT_RIDMAP;
                        return 0;
                }
                if (streq(n, "tmpcopyup")) {
                        m->extensions |= MOUNT_EXT_TMPCOPYUP;
                        return 0;
                }
        } else {
                v = strndup(value, valuesz);
                if (!v)
                        return -ENOMEM;
        }
        return mnt_optstr_append_option(&m->data, n, v) < 0 ? -ENOMEM : 0;
}

int mount_options_parse(const char *options, MountOptions *ret) {
        _cleanup_free_ char *user = NULL, *vfs = NULL, *fs = NULL;
        _cleanup_(mount_options_done) MountOptions m = {};
        char *p, *name, *value;
        size_t namesz, valuesz;
        int r;

        if (isempty(options)) {
                *ret = (MountOptions) {};
                return 0;
        }

        r = mnt_split_optstr(options, &user, &vfs, &fs, 0, 0);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;

        for (p = vfs; p; ) {
                _cleanup_free_ char *n = NULL;

                r = mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
                if (r == 1)
                        break;
                if (r < 0)
                        return -EINVAL;
                if (value)      /* VFS flags take no value */
                        return -EINVAL;
                n = strndup(name, namesz);
                if (!n)
                        return -ENOMEM;
                r = apply_vfs_option(n, &m);
                if (r < 0)
                        return r;
        }

        for (p = fs; p; ) {
                r = mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
                if (r == 1)
                        break;
                if (r < 0)
                        return -EINVAL;
                r = apply_fs_option(&m, name, namesz, value, valuesz);
                if (r < 0)
                        return r;
        }

        m.userspace = TAKE_PTR(user);
        *ret = m;
        m = (MountOptions) {};
        return 0;
}

int mount_options_parse_strv(char * const *options, MountOptions *ret, size_t *ret_bad_index) {
        _cleanup_free_ char *joined = NULL;
        size_t i = 0;

        STRV_FOREACH(o, options) {
                if (isempty(*o) || strchr(*o, ',')) {
                        if (ret_bad_index)
                                *ret_bad_index = i;
                        return -EINVAL;
                }
                i++;
        }

        joined = strv_join(options, ",");
        if (!joined)
                return -ENOMEM;
        return mount_options_parse(joined, ret);
}

int mount_propagation_from_string(const char *s, unsigned long *ret) {
        _cleanup_(mount_options_done) MountOptions m = {};
        int r;

        if (isempty(s) || strchr(s, ',') || strchr(s, '='))
                return -EINVAL;
        r = mount_options_parse(s, &m);
        if (r < 0)
                return r;
        if (m.propagation == 0 || m.flags || m.clear || m.bind || m.data || m.userspace || m.extensions)
                return -EINVAL;
        *ret = m.propagation | (m.recursive_propagation ? MS_REC : 0);
        return 0;
}
