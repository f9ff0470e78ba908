/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* On-disk container state: JSON in and out, validation, atomic writes, listing. The leader identity
 * (pidfd inode, start time) is in leader.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "macro.h"
#include "seccomp-cache.h"
#include "oci-json.h"
#include "state.h"
#include "strv.h"

#define STATE_FILE "state.json"
#define STATE_TMP_PREFIX ".#state.json."
#define STATE_VERSION 1

static const char *const container_status_table[_CONTAINER_STATUS_MAX] = {
        [CONTAINER_CREATING] = "creating",
        [CONTAINER_CREATED]  = "created",
        [CONTAINER_RUNNING]  = "running",
        [CONTAINER_PAUSED]   = "paused",
        [CONTAINER_STOPPED]  = "stopped",
};

static const char *const container_owner_table[_CONTAINER_OWNER_MAX] = {
        [CONTAINER_OWNER_DAEMON]  = "daemon",
        [CONTAINER_OWNER_OCI_CLI] = "oci-cli",
};

static const char *const leader_status_table[_LEADER_STATUS_MAX] = {
        [LEADER_GONE]   = "gone",
        [LEADER_REUSED] = "reused",
        [LEADER_ALIVE]  = "alive",
        [LEADER_UNKNOWN] = "unknown",
};

static int lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

const char *container_status_to_string(ContainerStatus s) {
        return s >= 0 && s < _CONTAINER_STATUS_MAX ? container_status_table[s] : NULL;
}

ContainerStatus container_status_from_string(const char *s) {
        return (ContainerStatus) lookup(container_status_table, _CONTAINER_STATUS_MAX, s);
}

const char *container_owner_to_string(ContainerOwner o) {
        return o >= 0 && o < _CONTAINER_OWNER_MAX ? container_owner_table[o] : NULL;
}

ContainerOwner container_owner_from_string(const char *s) {
        return (ContainerOwner) lookup(container_owner_table, _CONTAINER_OWNER_MAX, s);
}

const char *leader_status_to_string(LeaderStatus s) {
        return s >= 0 && s < _LEADER_STATUS_MAX ? leader_status_table[s] : NULL;
}

bool container_id_is_valid(const char *id) {
        size_t n;

        if (!id)
                return false;
        n = strlen(id);
        if (n == 0 || n > CONTAINER_ID_MAX || id[0] == '.')
                return false;
        return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+.-") == n;
}

ContainerState *container_state_free(ContainerState *s) {
        if (!s)
                return NULL;
        free(s->id);
        free(s->bundle);
        free(s->settings);
        free(s->root);
        strv_free(s->annotations);
        strv_free(s->daemon);
        free(s->unit);
        free(s->cgroup);
        return mfree(s);
}

static bool path_is_safe_absolute(const char *p) {
        if (!p || p[0] != '/' || strlen(p) > 4096)
                return false;
        for (const char *c = p; *c; c++)
                if ((unsigned char) *c < ' ' || *c == 0x7f)
                        return false;
        /* No ".." component. */
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if (c[-1] == '/' && (c[2] == '/' || c[2] == 0))
                        return false;
        return true;
}

static bool unit_name_is_plausible(const char *u) {
        size_t n = strlen(u);

        if (n == 0 || n > 256 || !strchr(u, '.'))
                return false;
        for (const char *c = u; *c; c++)
                if ((unsigned char) *c <= ' ' || *c == 0x7f || *c == '/')
                        return false;
        return true;
}

/* Whether L is key/value pairs with non-empty, unique keys; else sets *ret_reason. */
static bool map_is_valid(char **l, const char **ret_reason, const char *what) {
        size_t n = strv_length(l);

        if (n % 2 != 0) {
                *ret_reason = streq(what, "daemon") ? "daemon fields are not key/value pairs"
                                                    : "annotations are not key/value pairs";
                return false;
        }
        for (size_t i = 0; i < n; i += 2) {
                if (isempty(l[i])) {
                        *ret_reason = streq(what, "daemon") ? "empty daemon key" : "empty annotation key";
                        return false;
                }
                for (size_t j = 0; j < i; j += 2)
                        if (streq(l[i], l[j])) {
                                *ret_reason = streq(what, "daemon") ? "duplicate daemon key"
                                                                    : "duplicate annotation key";
                                return false;
                        }
        }
        return true;
}

/* The invariants of a state, checked before writing and after reading. Returns 0 or -EINVAL with a reason. */
static int state_validate(const ContainerState *s, const char **ret_reason) {
#define BAD(reason) ({ *ret_reason = (reason); return -EINVAL; })

        if (!container_id_is_valid(s->id))
                BAD("invalid id");
        if (!container_status_to_string(s->status))
                BAD("invalid status");
        if (!container_owner_to_string(s->owner))
                BAD("invalid owner");
        if (s->pid < 0)
                BAD("negative pid");
        if (s->pid == 1)
                BAD("pid 1 cannot be a container leader");
        if (s->pid > 0 && (s->pidfd_inode == 0 || s->start_time == 0))
                BAD("leader pid without pidfdInode and startTime");
        if (s->pid == 0 && (s->pidfd_inode != 0 || s->start_time != 0))
                BAD("pidfdInode or startTime without a leader pid");
        if (s->pid == 0 && IN_SET(s->status, CONTAINER_CREATED, CONTAINER_RUNNING, CONTAINER_PAUSED))
                BAD("status needs a leader pid");
        if (s->bundle && s->settings)
                BAD("exactly one of bundle and settings must be set");
        if (!s->bundle && !s->settings && !s->root)
                BAD("exactly one of bundle and settings must be set (or root, for a daemon machine)");
        if (!s->bundle && !s->settings && s->owner != CONTAINER_OWNER_DAEMON)
                BAD("exactly one of bundle and settings must be set");
        if (s->root && !path_is_safe_absolute(s->root))
                BAD("root is not a clean absolute path");
        if (s->bundle && !path_is_safe_absolute(s->bundle))
                BAD("bundle is not a clean absolute path");
        if (s->settings && !path_is_safe_absolute(s->settings))
                BAD("settings is not a clean absolute path");
        if (s->created.tv_sec <= 0 || s->created.tv_nsec < 0 || s->created.tv_nsec >= 1000000000L)
                BAD("invalid created time");
        if (s->unit && !unit_name_is_plausible(s->unit))
                BAD("invalid unit name");
        if (s->cgroup && !path_is_safe_absolute(s->cgroup))
                BAD("cgroup is not a clean absolute path");
        if (!map_is_valid(s->annotations, ret_reason, "annotation"))
                return -EINVAL;
        if (!map_is_valid(s->daemon, ret_reason, "daemon"))
                return -EINVAL;
        return 0;
#undef BAD
}

/* Serialization. */

static int json_add(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int state_to_json(const ContainerState *s, char **ret) {
        _cleanup_free_ char *created = NULL;
        json_object *o, *a = NULL;
        const char *text;
        char *copy;
        int r;

        r = rfc3339_format(&s->created, &created);
        if (r < 0)
                return r;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        r = json_add(o, "version", json_object_new_int(STATE_VERSION));
        if (r >= 0)
                r = json_add(o, "id", json_object_new_string(s->id));
        if (r >= 0)
                r = json_add(o, "status", json_object_new_string(container_status_to_string(s->status)));
        if (r >= 0)
                r = json_add(o, "owner", json_object_new_string(container_owner_to_string(s->owner)));
        if (r >= 0)
                r = json_add(o, "pid", json_object_new_int64(s->pid));
        if (r >= 0)
                r = json_add(o, "pidfdInode", json_object_new_uint64(s->pidfd_inode));
        if (r >= 0)
                r = json_add(o, "startTime", json_object_new_uint64(s->start_time));
        if (r >= 0 && s->bundle)
                r = json_add(o, "bundle", json_object_new_string(s->bundle));
        if (r >= 0 && s->settings)
                r = json_add(o, "settings", json_object_new_string(s->settings));
        if (r >= 0 && s->root)
                r = json_add(o, "root", json_object_new_string(s->root));
        if (r >= 0)
                r = json_add(o, "created", json_object_new_string(created));
        if (r >= 0 && s->unit)
                r = json_add(o, "unit", json_object_new_string(s->unit));
        if (r >= 0 && s->cgroup)
                r = json_add(o, "cgroup", json_object_new_string(s->cgroup));
        if (r >= 0) {
                a = json_object_new_object();
                r = json_add(o, "annotations", a);
        }
        for (size_t i = 0; r >= 0 && s->annotations && s->annotations[i]; i += 2)
                r = json_add(a, s->annotations[i], json_object_new_string(s->annotations[i + 1]));
        if (r >= 0 && s->daemon) {
                json_object *d = json_object_new_object();
                r = json_add(o, "daemon", d);
                for (size_t i = 0; r >= 0 && s->daemon[i]; i += 2)
                        r = json_add(d, s->daemon[i], json_object_new_string(s->daemon[i + 1]));
        }
        if (r < 0) {
                json_object_put(o);
                return r;
        }

        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
        copy = text ? strdup(text) : NULL;
        json_object_put(o);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

/* Deserialization: every field typed and checked. */

static int get_field(json_object *o, const char *key, json_type type, bool required, json_object **ret,
                     const char **reason) {
        json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v) || !v) {
                if (required) {
                        *reason = key;  /* the caller words it */
                        return -EBADMSG;
                }
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, type)) {
                *reason = key;
                return -EBADMSG;
        }
        *ret = v;
        return 0;
}

static int get_string(json_object *o, const char *key, bool required, char **ret, const char **reason) {
        json_object *v;
        int r;

        r = get_field(o, key, json_type_string, required, &v, reason);
        if (r < 0 || !v)
                return r;
        if (strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v)) {
                *reason = key;
                return -EBADMSG;
        }
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : -ENOMEM;
}

static int get_u64(json_object *o, const char *key, uint64_t max, uint64_t *ret, const char **reason) {
        json_object *v;
        int r;

        r = get_field(o, key, json_type_int, true, &v, reason);
        if (r < 0)
                return r;
        if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max) {
                *reason = key;
                return -EBADMSG;
        }
        *ret = json_object_get_uint64(v);
        return 0;
}

/* The longest map key (annotations, daemon facts) read: the OCI parser refuses longer annotation keys. */
#define STATE_MAP_KEY_MAX 4096U
_Static_assert(STATE_MAP_KEY_MAX == OCI_MAP_KEY_MAX, "a parsed annotation key must fit into the state");

/* A JSON object of strings (or NULL) into key/value pairs. */
static int get_map(json_object *a, const char *key, char ***ret, const char **reason) {
        if (!a)
                return 0;
        json_object_object_foreach(a, k, val) {
                if (!json_object_is_type(val, json_type_string) ||
                    strlen(json_object_get_string(val)) != (size_t) json_object_get_string_len(val) ||
                    strlen(k) > STATE_MAP_KEY_MAX) {
                        *reason = key;
                        return -EBADMSG;
                }
                if (strv_extend(ret, k) < 0 || strv_extend(ret, json_object_get_string(val)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int state_from_json(json_object *o, ContainerState *s, char **error) {
        _cleanup_free_ char *status = NULL, *owner = NULL, *created = NULL;
        const char *field = NULL, *reason = NULL;
        json_object *a;
        uint64_t u;
        int r;

#define CHECK(expr) ({ r = (expr); if (r == -ENOMEM) return r; if (r < 0) goto bad_field; })
        if (!json_object_is_type(o, json_type_object)) {
                reason = "not a JSON object";
                goto bad;
        }
        CHECK(get_u64(o, "version", UINT32_MAX, &u, &field));
        if (u != STATE_VERSION) {
                reason = "unsupported version";
                goto bad;
        }
        CHECK(get_string(o, "id", true, &s->id, &field));
        CHECK(get_string(o, "status", true, &status, &field));
        CHECK(get_string(o, "owner", true, &owner, &field));
        CHECK(get_u64(o, "pid", INT32_MAX, &u, &field));
        s->pid = (pid_t) u;
        CHECK(get_u64(o, "pidfdInode", UINT64_MAX, &s->pidfd_inode, &field));
        CHECK(get_u64(o, "startTime", UINT64_MAX, &s->start_time, &field));
        CHECK(get_string(o, "bundle", false, &s->bundle, &field));
        CHECK(get_string(o, "settings", false, &s->settings, &field));
        CHECK(get_string(o, "root", false, &s->root, &field));
        CHECK(get_string(o, "created", true, &created, &field));
        CHECK(get_string(o, "unit", false, &s->unit, &field));
        CHECK(get_string(o, "cgroup", false, &s->cgroup, &field));
        CHECK(get_field(o, "annotations", json_type_object, false, &a, &field));
        CHECK(get_map(a, "annotations", &s->annotations, &field));
        CHECK(get_field(o, "daemon", json_type_object, false, &a, &field));
        CHECK(get_map(a, "daemon", &s->daemon, &field));
#undef CHECK

        s->status = container_status_from_string(status);
        s->owner = container_owner_from_string(owner);
        if (rfc3339_parse(created, &s->created) < 0) {
                field = "created";
                goto bad_field;
        }
        if (state_validate(s, &reason) < 0)
                goto bad;
        return 0;

bad_field:
        return asprintf(error, "field \"%s\" is missing or invalid", field) < 0 ? -ENOMEM : -EBADMSG;
bad:
        *error = strdup(reason);
        return *error ? -EBADMSG : -ENOMEM;
}

/* Files. */

static int open_root(const char *root, bool create, int *ret) {
        int fd;

        root = root ?: CONTAINER_STATE_ROOT_DEFAULT;
        if (create) {
                _cleanup_free_ char *p = strdup(root);
                if (!p)
                        return -ENOMEM;
                /* mkdir -p, 0700: state may name bundles and settings paths. */
                for (char *c = p + 1; ; c++) {
                        if (*c == '/' || *c == 0) {
                                char saved = *c;
                                *c = 0;
                                if (mkdir(p, 0700) < 0 && errno != EEXIST)
                                        return -errno;
                                *c = saved;
                                if (saved == 0)
                                        break;
                        }
                }
        }
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

static int open_container_dir(int root_fd, const char *id, bool create, int *ret) {
        int fd;

        if (create && mkdirat(root_fd, id, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOTDIR ? -ELOOP : -errno;
        *ret = fd;
        return 0;
}

/* ROOT (in *RET_ROOT_FD) and ROOT/ID (in *RET_DIR_FD), neither made. Returns like open_container_dir() (-ELOOP:
 * not a directory), with *RET_ROOT_FD set whenever ROOT opened (an -ELOOP with it unset is ROOT's); -EINVAL for
 * an invalid id. */
static int open_id_dir(const char *root, const char *id, int *ret_root_fd, int *ret_dir_fd) {
        int r;

        if (!container_id_is_valid(id))
                return -EINVAL;
        r = open_root(root, false, ret_root_fd);
        if (r < 0)
                return r;
        return open_container_dir(*ret_root_fd, id, false, ret_dir_fd);
}

/* NAME in ROOT/ID (both made as needed), written through a temp file (STATE_TMP_PREFIX: container_state_remove()
 * takes stale ones) and renamed into place. DATA, SIZE bytes, then TRAILER if not NULL. */
static int save_file_atomic(const char *root, const char *id, const char *name, const void *data, size_t size,
                            const char *trailer) {
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF, fd = -EBADF;
        char tmp[sizeof(STATE_TMP_PREFIX) + 16];
        uint64_t rnd;
        int r;

        r = open_root(root, true, &root_fd);
        if (r < 0)
                return r;
        r = open_container_dir(root_fd, id, true, &dir_fd);
        if (r < 0)
                return r;

        for (int attempt = 0; ; attempt++) {
                if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                        return -errno;
                (void) snprintf(tmp, sizeof(tmp), STATE_TMP_PREFIX "%016" PRIx64, rnd);
                fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0)
                        break;
                if (errno != EEXIST || attempt >= 10)
                        return -errno;
        }

        r = loop_write(fd, data, size);
        if (r >= 0 && trailer)
                r = loop_write(fd, trailer, strlen(trailer));
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }
        /* Make the rename itself durable. */
        (void) fsync(dir_fd);
        return 0;
}

int container_state_save(const char *root, const ContainerState *s) {
        _cleanup_free_ char *text = NULL;
        const char *reason;
        int r;

        r = state_validate(s, &reason);
        if (r < 0)
                return r;
        r = state_to_json(s, &text);
        if (r < 0)
                return r;
        if (strlen(text) + 1 > CONTAINER_STATE_SIZE_MAX)       /* with its final newline */
                return -EFBIG;
        /* Never a file its reader refuses (the machine or container would be lost): bytes that are not
         * UTF-8, an annotation key too long, ... are refused here, before anything is written. */
        {
                _cleanup_(container_state_freep) ContainerState *check = NULL;
                _cleanup_free_ char *error = NULL;

                r = container_state_parse(text, strlen(text), s->id, &check, &error);
                if (r < 0)
                        return r == -ENOMEM ? r : -EBADMSG;
        }
        return save_file_atomic(root, s->id, STATE_FILE, text, strlen(text), "\n");
}

int container_state_save_config(const char *root, const char *id, const char *text, size_t size) {
        if (!container_id_is_valid(id))
                return -EINVAL;
        if (size > CONTAINER_STATE_CONFIG_SIZE_MAX)
                return -EFBIG;
        return save_file_atomic(root, id, CONTAINER_STATE_CONFIG_FILE, text, size, NULL);
}

int container_state_load_config(const char *root, const char *id, char **ret, size_t *ret_size) {
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF, fd = -EBADF;
        int r;

        r = open_id_dir(root, id, &root_fd, &dir_fd);
        if (r < 0)
                return r;
        fd = openat(dir_fd, CONTAINER_STATE_CONFIG_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return read_regular_fd(fd, CONTAINER_STATE_CONFIG_SIZE_MAX, ret, ret_size);
}

static int read_state_file(int dir_fd, char **ret, size_t *ret_n, char **error) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = openat(dir_fd, STATE_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ELOOP) {
                        *error = strdup("state.json is a symbolic link");
                        return *error ? -ELOOP : -ENOMEM;
                }
                return -errno;
        }
        r = read_regular_fd(fd, CONTAINER_STATE_SIZE_MAX, ret, ret_n);
        if (r == -EBADFD) {
                *error = strdup("state.json is not a regular file");
                return *error ? r : -ENOMEM;
        }
        if (r == -EFBIG) {
                *error = strdup("state.json is too large");
                return *error ? r : -ENOMEM;
        }
        return r;
}

int container_state_parse(const char *data, size_t n, const char *id, ContainerState **ret, char **error) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        json_tokener *tok;
        json_object *o;
        int r;

        if (n > CONTAINER_STATE_SIZE_MAX || memchr(data, 0, n)) {
                *error = strdup(n > CONTAINER_STATE_SIZE_MAX ? "state.json is too large" : "state.json contains a NUL byte");
                return *error ? -EBADMSG : -ENOMEM;
        }
        tok = json_tokener_new_ex(8);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        o = json_tokener_parse_ex(tok, data, (int) n);
        if (!o) {
                enum json_tokener_error e = json_tokener_get_error(tok);

                r = asprintf(error, "state.json is not valid JSON: %s",
                             e == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(e));
                json_tokener_free(tok);
                return r < 0 ? -ENOMEM : -EBADMSG;
        }
        for (size_t i = json_tokener_get_parse_end(tok); i < n; i++)
                if (!strchr(" \t\r\n", data[i])) {
                        json_tokener_free(tok);
                        json_object_put(o);
                        *error = strdup("state.json has trailing data");
                        return *error ? -EBADMSG : -ENOMEM;
                }
        json_tokener_free(tok);

        s = new0(ContainerState, 1);
        if (!s) {
                json_object_put(o);
                return -ENOMEM;
        }
        r = state_from_json(o, s, error);
        json_object_put(o);
        if (r < 0)
                return r;
        if (id && !streq(s->id, id)) {
                *error = strdup("id does not match the directory name");
                return *error ? -EBADMSG : -ENOMEM;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int container_state_load(const char *root, const char *id, ContainerState **ret, char **ret_error) {
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        _cleanup_free_ char *buf = NULL, *error = NULL;
        size_t n = 0;
        int r;

        r = open_id_dir(root, id, &root_fd, &dir_fd);
        if (r == -ELOOP && root_fd >= 0)
                error = strdup("the container directory is not a directory");
        if (r >= 0)
                r = read_state_file(dir_fd, &buf, &n, &error);
        if (r >= 0)
                r = container_state_parse(buf, n, id, ret, &error);
        if (r < 0 && ret_error && error)
                *ret_error = TAKE_PTR(error);
        return r;
}

int container_state_remove(const char *root, const char *id) {
        _cleanup_close_ int root_fd = -EBADF, dir_fd = -EBADF;
        DIR *d;
        int r;

        r = open_id_dir(root, id, &root_fd, &dir_fd);
        if (r == -ELOOP && root_fd >= 0)        /* a symlink or file where the directory should be: remove that */
                return unlinkat(root_fd, id, 0) < 0 ? -errno : 0;
        if (r < 0)
                return r;

        /* Only entries we write: state.json, the config.json copy, the release FIFO, the creator files, the
         * seccomp cache and their temp files, never following anything. */
        d = fdopendir(dir_fd);
        if (!d)
                return -errno;
        dir_fd = -EBADF;        /* owned by d now */
        for (struct dirent *de; (de = readdir(d)); )
                if (streq(de->d_name, STATE_FILE) || startswith(de->d_name, STATE_TMP_PREFIX) ||
                    streq(de->d_name, CONTAINER_STATE_CONFIG_FILE) ||
                    streq(de->d_name, CONTAINER_STATE_RELEASE_FIFO) ||
                    streq(de->d_name, CONTAINER_STATE_CREATOR_FILE) ||
                    streq(de->d_name, CONTAINER_STATE_CREATOR_CGROUP_FILE) ||
                    streq(de->d_name, CONTAINER_STATE_CREATOR_CGROUP_TMP) ||
                    streq(de->d_name, CONTAINER_SECCOMP_CACHE_FILE) ||
                    startswith(de->d_name, CONTAINER_SECCOMP_CACHE_TMP_PREFIX))
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        return unlinkat(root_fd, id, AT_REMOVEDIR) < 0 ? -errno : 0;
}

ContainerStateEntry *container_state_entries_free(ContainerStateEntry *e, size_t n) {
        for (size_t i = 0; e && i < n; i++)
                container_state_free(e[i].state);
        return mfree(e);
}

/* "ID: REASON" appended to *PROBLEMS (if not NULL), REASON formatted. Returns 0 or -ENOMEM. */
_printf_(3, 4) static int add_problem(char ***problems, const char *id, const char *format, ...) {
        _cleanup_free_ char *reason = NULL, *m = NULL;
        va_list ap;
        int k;

        if (!problems)
                return 0;
        va_start(ap, format);
        k = vasprintf(&reason, format, ap);
        va_end(ap);
        if (k < 0 || asprintf(&m, "%s: %s", id, reason) < 0)
                return -ENOMEM;
        if (strv_push(problems, m) < 0)
                return -ENOMEM;
        TAKE_PTR(m);
        return 0;
}

static int compare_entries(const void *a, const void *b) {
        return strcmp(((const ContainerStateEntry *) a)->state->id, ((const ContainerStateEntry *) b)->state->id);
}

int container_state_list(const char *root, ContainerStateEntry **ret, size_t *ret_n, char ***ret_problems) {
        ContainerStateEntry *entries = NULL;
        _cleanup_strv_free_ char **problems = NULL;
        size_t n = 0;
        int root_fd = -EBADF, r;
        DIR *d;

        r = open_root(root, false, &root_fd);
        if (r == -ENOENT) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0)
                return r;
        d = fdopendir(root_fd);
        if (!d) {
                r = -errno;
                safe_close(root_fd);
                return r;
        }

        for (struct dirent *de; (de = readdir(d)); ) {
                _cleanup_(container_state_freep) ContainerState *s = NULL;
                _cleanup_free_ char *error = NULL;
                ContainerStateEntry *grown;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    streq(de->d_name, CONTAINER_SECCOMP_SHARED_DIR_OCI))
                        continue;
                if (!container_id_is_valid(de->d_name)) {
                        r = add_problem(&problems, de->d_name, "not a valid container id, skipped");
                        if (r < 0)
                                goto finish;
                        continue;
                }

                r = container_state_load(root, de->d_name, &s, &error);
                if (r == -ENOMEM)
                        goto finish;
                if (r == -ENOENT) {     /* no state.json (yet): maybe being created right now */
                        r = add_problem(&problems, de->d_name, "no state.json, skipped");
                        if (r < 0)
                                goto finish;
                        continue;
                }
                if (r < 0) {
                        int k = container_state_remove(root, de->d_name);

                        r = add_problem(&problems, de->d_name, "%s, %s", error ?: strerror(-r),
                                        k < 0 ? "could not be removed" : "removed");
                        if (r < 0)
                                goto finish;
                        continue;
                }

                grown = reallocarray(entries, n + 1, sizeof(ContainerStateEntry));
                if (!grown) {
                        r = -ENOMEM;
                        goto finish;
                }
                entries = grown;
                entries[n] = (ContainerStateEntry) { .state = TAKE_PTR(s), .leader = LEADER_GONE };
                r = entries[n].state->pid > 0 ? container_state_check_leader(entries[n].state, NULL) : LEADER_GONE;
                n++;
                if (r < 0) {
                        /* One entry's leader that cannot be told never costs the caller the others. */
                        entries[n - 1].leader = LEADER_UNKNOWN;
                        r = add_problem(&problems, de->d_name, "cannot tell whether its leader (PID %i) still runs: %s",
                                        (int) entries[n - 1].state->pid, strerror(-r));
                        if (r < 0)
                                goto finish;
                        continue;
                }
                entries[n - 1].leader = (LeaderStatus) r;
        }

        if (n > 1)
                qsort(entries, n, sizeof(ContainerStateEntry), compare_entries);
        r = 0;
        *ret = TAKE_PTR(entries);
        *ret_n = n;
        if (ret_problems)
                *ret_problems = TAKE_PTR(problems);

finish:
        closedir(d);
        container_state_entries_free(entries, n);
        return r;
}
