/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "macro.h"
#include "passwd-parse.h"
#include "priv/priv.h"

void passwd_entry_done(PasswdEntry *e) {
        e->name = mfree(e->name);
        e->home = mfree(e->home);
        e->shell = mfree(e->shell);
}

int passwd_read_file(int rootfd, const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;

        /* O_NONBLOCK: opening a FIFO must not wait for a writer (read_regular_fd() refuses it). */
        fd = priv_openat2(rootfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0,
                          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (fd < 0)
                return fd;
        return read_regular_fd(fd, max, ret, ret_size);
}

/* Parses a decimal UID/GID: digits only, no sign, no overflow, and not (uid_t) -1. */
static int parse_id(const char *s, uint32_t *ret) {
        uint64_t v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (*s - '0');
                if (v >= UINT32_MAX)
                        return -ERANGE;
        }
        *ret = (uint32_t) v;
        return 0;
}

/* Splits LINE (modified) at ':' into at most N fields. Returns the number of fields. */
static size_t split_fields(char *line, char **fields, size_t n) {
        size_t k = 0;

        for (char *p = line; p && k < n; k++)
                fields[k] = strsep(&p, ":");
        return k;
}

/* Iterates the lines of DATA, copying each into LINE (NUL-terminated, without '\n').
 * Embedded NUL bytes end a line's content. Returns false at the end. */
static bool next_line(const char **p, const char *end, char **line) {
        const char *nl;
        size_t len;

        if (*p >= end)
                return false;
        nl = memchr(*p, '\n', end - *p);
        len = (nl ? nl : end) - *p;
        free(*line);
        *line = strndup(*p, len);
        *p = nl ? nl + 1 : end;
        return true;
}

int passwd_find_user(const char *data, size_t size, const char *user, PasswdEntry *ret) {
        _cleanup_free_ char *line = NULL;
        const char *p = data, *end = data + size;
        bool numeric;
        uint32_t want = 0;

        if (!data || !user || !*user)
                return -EINVAL;
        numeric = parse_id(user, &want) >= 0;

        while (next_line(&p, end, &line)) {
                char *f[7];
                uint32_t uid, gid;

                if (!line)
                        return -ENOMEM;
                if (split_fields(line, f, 7) < 7)
                        continue;
                if (!streq(f[0], user) && !(numeric && streq(f[2], user)))
                        continue;
                if (parse_id(f[2], &uid) < 0 || parse_id(f[3], &gid) < 0)
                        return -EBADMSG;

                *ret = (PasswdEntry) {
                        .name = strdup(f[0]),
                        .uid = uid,
                        .gid = gid,
                        .home = strdup(*f[5] ? f[5] : "/"),
                        .shell = strdup(f[6]),
                };
                if (!ret->name || !ret->home || !ret->shell) {
                        passwd_entry_done(ret);
                        return -ENOMEM;
                }
                return 0;
        }
        return -ESRCH;
}

int group_find_memberships(const char *data, size_t size, const char *name, gid_t *ret_gids, size_t max) {
        _cleanup_free_ char *line = NULL;
        const char *p = data, *end = data + size;
        size_t n = 0;

        if (!data || !name)
                return -EINVAL;
        while (n < max && next_line(&p, end, &line)) {
                char *f[4];
                uint32_t gid;

                if (!line)
                        return -ENOMEM;
                if (split_fields(line, f, 4) < 4 || parse_id(f[2], &gid) < 0)
                        continue;
                for (char *m, *q = f[3]; (m = strsep(&q, ","));)
                        if (streq(m, name)) {
                                ret_gids[n++] = gid;
                                break;
                        }
        }
        return (int) n;
}
