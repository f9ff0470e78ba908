/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "libmount-dl.h"
#include "mount-options.h"
#include "macro.h"
#include "strv.h"

#define PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

static const MountOptionsMemo *options_memo = NULL;

void mount_options_set_memo(const MountOptionsMemo *memo) {
        options_memo = memo;
}

void mount_options_done(MountOptions *m) {
        if (!m)
                return;
        free(m->data);
        free(m->userspace);
        *m = (MountOptions) {};
}

/* Applies one VFS option (a name from libmount's Linux map) to m, later options overriding earlier ones. */
static int apply_vfs_option(const char *name, MountOptions *m) {
        const struct libmnt_optmap *map = sym_mnt_get_builtin_optmap(MNT_LINUX_MAP);
        unsigned long set = 0, kept = ~0UL, clear;

        /* libmount sets the bits of an option and clears those of its inverse ("rw" clears MS_RDONLY). Asking
         * twice, once from all-zero and once from all-ones, tells the two apart. */
        if (sym_mnt_optstr_get_flags(name, &set, map) < 0 || sym_mnt_optstr_get_flags(name, &kept, map) < 0)
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
        return sym_mnt_optstr_append_option(&m->data, n, v) < 0 ? -ENOMEM : 0;
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
        /* Once libmount is loaded, asking it is as fast as asking the memo. */
        if (options_memo && !libmount_loaded()) {
                r = options_memo->lookup(options, ret);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        r = dlopen_libmount();
        if (r < 0)
                return r;

        r = sym_mnt_split_optstr(options, &user, &vfs, &fs, 0, 0);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;

        for (p = vfs; p; ) {
                _cleanup_free_ char *n = NULL;

                r = sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
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
                r = sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
                if (r == 1)
                        break;
                if (r < 0)
                        return -EINVAL;
                r = apply_fs_option(&m, name, namesz, value, valuesz);
                if (r < 0)
                        return r;
        }

        m.userspace = TAKE_PTR(user);
        if (options_memo)
                options_memo->remember(options, &m);
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

int mount_options_to_attr(const MountOptions *m, uint64_t *ret_set, uint64_t *ret_clear,
                          unsigned long *ret_unsupported) {
        static const struct {
                unsigned long ms;
                uint64_t attr;
        } map[] = {
                { MS_RDONLY,     MOUNT_ATTR_RDONLY },
                { MS_NOSUID,     MOUNT_ATTR_NOSUID },
                { MS_NODEV,      MOUNT_ATTR_NODEV },
                { MS_NOEXEC,     MOUNT_ATTR_NOEXEC },
                { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
                { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
        };
        const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
        unsigned long handled = atime;
        uint64_t set = 0, clear = 0;

        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                handled |= map[i].ms;
                if (m->flags & map[i].ms)
                        set |= map[i].attr;
                if (m->clear & map[i].ms)
                        clear |= map[i].attr;
        }

        /* The atime mode is one field: the last of noatime/relatime/strictatime given wins (later options
         * already cleared the earlier ones in m->flags, except that libmount lets them coexist: prefer the
         * strictest reading, noatime > strictatime > relatime). "atime" alone means the kernel default. */
        if (m->flags & MS_NOATIME) {
                set |= MOUNT_ATTR_NOATIME;
                clear |= MOUNT_ATTR__ATIME;
        } else if (m->flags & MS_STRICTATIME) {
                set |= MOUNT_ATTR_STRICTATIME;
                clear |= MOUNT_ATTR__ATIME;
        } else if ((m->flags & MS_RELATIME) || (m->clear & MS_NOATIME))
                clear |= MOUNT_ATTR__ATIME;     /* MOUNT_ATTR_RELATIME is 0 */

        *ret_set = set;
        /* The kernel wants all of MOUNT_ATTR__ATIME in attr_clr whenever an atime mode is in attr_set. */
        *ret_clear = (clear & ~set) | (clear & MOUNT_ATTR__ATIME);
        if (ret_unsupported)
                *ret_unsupported = (m->flags | m->clear) & ~handled;
        return 0;
}

int mount_bind_options_parse(const char *options, bool *ret_recursive, BindIdmap *ret_idmap) {
        static const struct {
                const char *name;
                int recursive;          /* -1: not about recursion */
                int idmap;              /* -1: not about idmaps */
        } words[] = {
                { "rbind",     1,  -1              },
                { "norbind",   0,  -1              },
                { "idmap",     -1, BIND_IDMAP_YES  },
                { "noidmap",   -1, BIND_IDMAP_NO   },
                { "rootidmap", -1, BIND_IDMAP_ROOT },
        };
        bool recursive = true;
        BindIdmap idmap = BIND_IDMAP_NO;
        _cleanup_free_ char *copy = NULL;
        char *p, *name, *value;
        size_t namesz, valuesz;
        int r;

        if (!isempty(options)) {
                /* libmount's tokenizer skips empty options ("a,,b"): nspawn refuses them, so do we. */
                if (options[0] == ',' || options[strlen(options) - 1] == ',' || strstr(options, ",,"))
                        return -EINVAL;
                r = dlopen_libmount();
                if (r < 0)
                        return r;
                copy = strdup(options);
                if (!copy)
                        return -ENOMEM;
                for (p = copy;;) {
                        size_t i;

                        r = sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
                        if (r == 1)
                                break;
                        if (r < 0 || value)
                                return -EINVAL;
                        for (i = 0; i < ELEMENTSOF(words); i++)
                                if (strlen(words[i].name) == namesz && strneq(words[i].name, name, namesz))
                                        break;
                        if (i >= ELEMENTSOF(words))
                                return -EINVAL;
                        if (words[i].recursive >= 0)
                                recursive = words[i].recursive;
                        if (words[i].idmap >= 0)
                                idmap = words[i].idmap;
                }
        }

        if (ret_recursive)
                *ret_recursive = recursive;
        if (ret_idmap)
                *ret_idmap = idmap;
        return 0;
}

int mount_options_to_fs_attr(const MountOptions *m, uint64_t default_attr, uint64_t *ret_attr, char ***ret_sb_flags) {
        /* Superblock flags fsconfig(2) takes by name (the kernel's vfs_parse_sb_flag()). */
        const unsigned long sb_flags = MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME | MS_MANDLOCK;
        const struct libmnt_optmap *map;
        _cleanup_strv_free_ char **names = NULL;
        unsigned long unsupported;
        uint64_t set, clear;
        int r;

        r = dlopen_libmount();
        if (r < 0)
                return r;
        map = sym_mnt_get_builtin_optmap(MNT_LINUX_MAP);
        if (m->bind || m->propagation || m->extensions || !isempty(m->userspace))
                return -EINVAL;
        (void) mount_options_to_attr(m, &set, &clear, &unsupported);
        /* Cleared superblock flags (async, nolazytime, nomand) are the kernel's defaults already. */
        unsupported &= ~(m->clear & sb_flags);
        if (unsupported & ~sb_flags)
                return -EINVAL;

        for (const struct libmnt_optmap *e = map; e && e->name; e++) {
                if (!(e->id & unsupported) || (e->mask & MNT_INVERT) || strchr(e->name, '='))
                        continue;
                if (strv_find(names, e->name))
                        continue;
                if (strv_extend(&names, e->name) < 0)
                        return -ENOMEM;
                unsupported &= ~(unsigned long) e->id;
        }
        if (unsupported)
                return -EINVAL;

        *ret_attr = (default_attr & ~clear) | set;
        *ret_sb_flags = TAKE_PTR(names);
        return 0;
}
