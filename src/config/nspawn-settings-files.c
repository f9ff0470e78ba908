/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of [Files] keys with their own rules: the custom mounts (Bind=, BindReadOnly=,
 * TemporaryFileSystem=, Overlay=, OverlayReadOnly=). The generic ones are in conf-values.c. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-values.h"
#include "mount-options.h"
#include "nspawn-settings.h"
#include "parse-util.h"
#include "strv.h"

/* Normalizes a host-side source path: absolute, or "+PATH" relative to the container root. */
static int source_normalize(const char *s, char **ret) {
        _cleanup_free_ char *n = NULL;
        bool plus = s[0] == '+';
        int r;

        r = path_normalize_absolute(s + plus, &n);
        if (r < 0)
                return r;
        if (plus) {
                char *c;

                if (asprintf(&c, "+%s", n) < 0)
                        return -ENOMEM;
                free(n);
                n = c;
        }
        *ret = TAKE_PTR(n);
        return 0;
}

static void custom_mount_done(CustomMount *m) {
        free(m->source);
        free(m->destination);
        strv_free(m->lower);
        free(m->options);
}

void custom_mounts_done(CustomMounts *l) {
        for (size_t i = 0; i < l->n; i++)
                custom_mount_done(l->mounts + i);
        l->mounts = mfree(l->mounts);
        l->n = 0;
}

/* Appends *m to l, taking over its contents (m is zeroed). */
static int custom_mounts_add(CustomMounts *l, CustomMount *m) {
        CustomMount *c;

        if (l->n >= SIZE_MAX / sizeof(CustomMount) - 1)
                return -ENOMEM;
        c = realloc(l->mounts, sizeof(CustomMount) * (l->n + 1));
        if (!c)
                return -ENOMEM;
        l->mounts = c;
        l->mounts[l->n++] = *m;
        *m = (CustomMount) {};
        return 0;
}

/* Bind=/BindReadOnly=: SRC[:DST[:OPTIONS]] */
static int parse_bind(const char *key, const char *value, CustomMount *m, char **ret_error) {
        _cleanup_free_ char *src = NULL, *dst = NULL;
        const char *p = value;
        int r;

        r = extract_colon_field(&p, &src);
        if (r >= 0 && p)
                r = extract_colon_field(&p, &dst);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "trailing backslash");

        if (isempty(src)) {
                if (!dst)
                        return invalid(ret_error, key, value, "expected SRC[:DST[:OPTIONS]]");
                m->source = NULL; /* a temporary directory */
        } else if (source_normalize(src, &m->source) < 0)
                return invalid(ret_error, key, value, "source must be an absolute path without '..'");

        r = path_normalize_absolute(dst ?: src + (src[0] == '+'), &m->destination);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "destination must be an absolute path without '..'");

        if (!isempty(p)) {
                r = mount_bind_options_parse(p, NULL, NULL);
                if (r == -ENOMEM)
                        return r;
                if (mount_options_unavailable(r))
                        return invalid(ret_error, key, value, MOUNT_OPTIONS_UNAVAILABLE_MESSAGE);
                if (r < 0)
                        return invalid(ret_error, key, value,
                                       "options must be a comma-separated list of rbind, norbind, idmap, noidmap, rootidmap");
                m->options = strdup(p);
                if (!m->options)
                        return -ENOMEM;
        }
        return 0;
}

/* TemporaryFileSystem=: PATH[:OPTIONS] */
/* TemporaryFileSystem= options: what mounts.c will give the tmpfs, checked now. Returns 0 or -EINVAL/-ENOMEM. */
static int tmpfs_options_valid(const char *opts) {
        _cleanup_(mount_options_done) MountOptions o = {};
        _cleanup_strv_free_ char **sb_flags = NULL;
        uint64_t attr;
        int r;

        r = mount_options_parse(opts, &o);
        if (r < 0)
                return r;
        return mount_options_to_fs_attr(&o, 0, &attr, &sb_flags);
}

static int parse_tmpfs(const char *key, const char *value, CustomMount *m, char **ret_error) {
        _cleanup_free_ char *path = NULL;
        const char *p = value;
        int r;

        r = extract_colon_field(&p, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "trailing backslash");

        r = path_normalize_absolute(path, &m->destination);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid(ret_error, key, value, "path must be absolute without '..'");

        if (!isempty(p)) {
                for (const char *c = p; *c; c++)
                        if ((unsigned char) *c < ' ' || *c == 0x7f)
                                return invalid(ret_error, key, value, "control character in options");
                r = tmpfs_options_valid(p);
                if (r == -ENOMEM)
                        return r;
                if (mount_options_unavailable(r))
                        return invalid(ret_error, key, value, MOUNT_OPTIONS_UNAVAILABLE_MESSAGE);
                if (r < 0)
                        return invalid(ret_error, key, value, "options must be mount options libmount can parse "
                                       "(no bind, propagation, nofail/x-* or other userspace options)");
                m->options = strdup(p);
                if (!m->options)
                        return -ENOMEM;
        }
        return 0;
}

/* Overlay=/OverlayReadOnly=: LOWER…:UPPER:DST, or LOWER:UPPER (the destination is UPPER without "+"). */
static int parse_overlay(const char *key, const char *value, CustomMount *m, char **ret_error) {
        _cleanup_strv_free_ char **fields = NULL;
        const char *p = value;
        size_t n = 0, n_lower = 0;
        int r;

        for (;;) {
                char *f;

                if (n > SETTINGS_ENTRIES_MAX)
                        return too_many(ret_error, key);
                r = extract_colon_field(&p, &f);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid(ret_error, key, value, "trailing backslash");
                if (r == 0)
                        break;
                r = strv_push_with_size(&fields, &n, f);
                if (r < 0) {
                        free(f);
                        return r;
                }
        }

        if (n < 2)
                return invalid(ret_error, key, value, "expected at least two colon-separated paths");

        if (n == 2) {
                if (isempty(fields[1]) || source_normalize(fields[1], &m->source) < 0)
                        return invalid(ret_error, key, value, "upper directory must be an absolute path without '..'");
                r = path_normalize_absolute(m->source + (m->source[0] == '+'), &m->destination);
                if (r < 0)
                        return r;
                n = 1;
        } else {
                if (!isempty(fields[n - 2]) && source_normalize(fields[n - 2], &m->source) < 0)
                        return invalid(ret_error, key, value, "upper directory must be an absolute path without '..'");
                r = path_normalize_absolute(fields[n - 1], &m->destination);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid(ret_error, key, value, "destination must be an absolute path without '..'");
                n -= 2;
        }

        for (size_t i = 0; i < n; i++) {
                char *l;

                if (isempty(fields[i]) || source_normalize(fields[i], &l) < 0)
                        return invalid(ret_error, key, value, "lower directories must be absolute paths without '..'");
                r = strv_push_with_size(&m->lower, &n_lower, l);
                if (r < 0) {
                        free(l);
                        return r;
                }
        }
        return 0;
}

/* CustomMounts field: Bind=, BindReadOnly=, TemporaryFileSystem=, Overlay=, OverlayReadOnly= add one mount
 * each; an empty assignment removes the mounts added by the same key. */
int parse_custom_mount(const char *key, const char *value, void *data, char **ret_error) {
        _cleanup_(custom_mount_done) CustomMount m = {};
        CustomMounts *l = data;
        int r;

        if (streq(key, "Bind") || streq(key, "BindReadOnly"))
                m = (CustomMount) { .type = CUSTOM_MOUNT_BIND, .read_only = streq(key, "BindReadOnly") };
        else if (streq(key, "TemporaryFileSystem"))
                m = (CustomMount) { .type = CUSTOM_MOUNT_TMPFS };
        else if (streq(key, "Overlay") || streq(key, "OverlayReadOnly"))
                m = (CustomMount) { .type = CUSTOM_MOUNT_OVERLAY, .read_only = streq(key, "OverlayReadOnly") };
        else
                assert(!"parse_custom_mount() used for a key it does not know");

        if (isempty(value)) {
                size_t k = 0;

                for (size_t i = 0; i < l->n; i++) {
                        if (l->mounts[i].type == m.type && l->mounts[i].read_only == m.read_only)
                                custom_mount_done(l->mounts + i);
                        else
                                l->mounts[k++] = l->mounts[i];
                }
                l->n = k;
                if (k == 0)
                        l->mounts = mfree(l->mounts);
                return 0;
        }

        if (l->n >= SETTINGS_ENTRIES_MAX)
                return too_many(ret_error, key);

        switch (m.type) {
        case CUSTOM_MOUNT_BIND:
                r = parse_bind(key, value, &m, ret_error);
                break;
        case CUSTOM_MOUNT_TMPFS:
                r = parse_tmpfs(key, value, &m, ret_error);
                break;
        default:
                r = parse_overlay(key, value, &m, ret_error);
                break;
        }
        if (r < 0)
                return r;

        return custom_mounts_add(l, &m);
}

const char *custom_mount_key(const CustomMount *m) {
        switch (m->type) {
        case CUSTOM_MOUNT_BIND:
                return m->read_only ? "BindReadOnly" : "Bind";
        case CUSTOM_MOUNT_TMPFS:
                return "TemporaryFileSystem";
        default:
                return m->read_only ? "OverlayReadOnly" : "Overlay";
        }
}

