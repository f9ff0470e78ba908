/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fd-util.h"
#include "libmount-dl.h"
#include "macro.h"
#include "mount-options.h"
#include "mount-options-cache.h"
#include "object-id.h"

#define CACHE_FILE_MAX (2U * 1024U * 1024U)
#define CACHE_TMP_PREFIX ".#" MOUNT_OPTIONS_CACHE_FILE "."
#define PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
#define EXTENSIONS_ALL (MOUNT_EXT_IDMAP | MOUNT_EXT_RIDMAP | MOUNT_EXT_TMPCOPYUP)

typedef struct Entry {
        char *options;
        MountOptions value;
} Entry;

static struct {
        char *dir;              /* NULL: not used */
        bool read;              /* the file was looked at (whatever it held) */
        bool refused;           /* the environment may choose another libmount: neither read nor written */
        bool dirty;             /* answers the file does not have */
        Entry *entries;         /* oldest first */
        size_t n_entries;
} cache;

static void entry_done(Entry *e) {
        e->options = mfree(e->options);
        mount_options_done(&e->value);
}

static void entries_free(void) {
        for (size_t i = 0; i < cache.n_entries; i++)
                entry_done(cache.entries + i);
        cache.entries = mfree(cache.entries);
        cache.n_entries = 0;
}

void mount_options_cache_done(void) {
        mount_options_set_memo(NULL);
        entries_free();
        cache.dir = mfree(cache.dir);
        cache.read = cache.refused = cache.dirty = false;
}

static int copy_options(const MountOptions *from, MountOptions *to) {
        MountOptions m = *from;

        m.data = NULL;
        m.userspace = NULL;
        if (from->data && !(m.data = strdup(from->data)))
                return -ENOMEM;
        if (from->userspace && !(m.userspace = strdup(from->userspace))) {
                free(m.data);
                return -ENOMEM;
        }
        *to = m;
        return 0;
}

/* What the answers depend on besides the string: our code, and the libmount at LIBMOUNT as the dynamic loader
 * would find it again; LOADED: the identity of the one that gave the answers (libmount_loaded_identity()), NULL
 * for that of the file at LIBMOUNT now. */
static int cache_key(const char *libmount, const char *loaded, char **ret) {
        _cleanup_free_ char *code = NULL, *lib = NULL, *ldcache = NULL, *preload = NULL;
        int r;

        r = object_identity((const void *) mount_options_parse, &code);
        if (r < 0)
                return r;
        if (!loaded) {
                r = path_identity(libmount, &lib);
                if (r < 0)
                        return r;
        }
        /* Missing is a state of its own ("-"). */
        r = path_identity("/etc/ld.so.cache", &ldcache);
        if (r < 0 && r != -ENOENT)
                return r;
        r = path_identity("/etc/ld.so.preload", &preload);
        if (r < 0 && r != -ENOENT)
                return r;
        if (asprintf(ret, "machined-ext %s; code %s; libmount %s %s; ld.so.cache %s; ld.so.preload %s",
                     PACKAGE_VERSION, code, libmount, loaded ?: lib, ldcache ?: "-", preload ?: "-") < 0)
                return -ENOMEM;
        return 0;
}

static int get_ulong(json_object *o, const char *key, unsigned long *ret) {
        json_object *v;
        int64_t i;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -EBADMSG;
        errno = 0;
        i = json_object_get_int64(v);
        if (errno != 0 || i < 0 || (uint64_t) i > ULONG_MAX)
                return -EBADMSG;
        *ret = (unsigned long) i;
        return 0;
}

static int get_bool(json_object *o, const char *key, bool *ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
                return -EBADMSG;
        *ret = json_object_get_boolean(v);
        return 0;
}

/* Printable ASCII of at most MOUNT_OPTIONS_CACHE_STRING_MAX bytes: what JSON holds as it is (a file the
 * reader refuses, for invalid UTF-8 or its size, would be written again by every process). */
static bool keepable(const char *s) {
        size_t n = 0;

        for (; s[n]; n++)
                if (s[n] < 0x20 || s[n] > 0x7e || n >= MOUNT_OPTIONS_CACHE_STRING_MAX)
                        return false;
        return true;
}

/* A string as memo_remember() keeps them (keepable()), or null if NULLABLE. */
static int get_string(json_object *o, const char *key, bool nullable, char **ret) {
        json_object *v;
        const char *s;

        if (!json_object_object_get_ex(o, key, &v))
                return -EBADMSG;
        if (!v) {
                if (!nullable)
                        return -EBADMSG;
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        s = json_object_get_string(v);
        if (strlen(s) != (size_t) json_object_get_string_len(v) || !keepable(s) || (!nullable && !*s))
                return -EBADMSG;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* One answer, checked to be one mount_options_parse() can give. */
static int entry_from_json(json_object *o, Entry *ret) {
        _cleanup_free_ char *options = NULL, *data = NULL, *userspace = NULL;
        unsigned long flags, clear, propagation, extensions;
        bool bind, recursive_bind, recursive_propagation;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        r = get_string(o, "options", false, &options);
        if (r >= 0)
                r = get_ulong(o, "flags", &flags);
        if (r >= 0)
                r = get_ulong(o, "clear", &clear);
        if (r >= 0)
                r = get_ulong(o, "propagation", &propagation);
        if (r >= 0)
                r = get_bool(o, "recursive_propagation", &recursive_propagation);
        if (r >= 0)
                r = get_bool(o, "bind", &bind);
        if (r >= 0)
                r = get_bool(o, "recursive_bind", &recursive_bind);
        if (r >= 0)
                r = get_ulong(o, "extensions", &extensions);
        if (r >= 0)
                r = get_string(o, "data", true, &data);
        if (r >= 0)
                r = get_string(o, "userspace", true, &userspace);
        if (r < 0)
                return r;
        if ((propagation & ~PROPAGATION_FLAGS) || (propagation & (propagation - 1)) ||
            ((flags | clear) & (PROPAGATION_FLAGS | MS_BIND | MS_REC)) || (extensions & ~EXTENSIONS_ALL) ||
            (recursive_propagation && !propagation) || (recursive_bind && !bind))
                return -EBADMSG;

        *ret = (Entry) {
                .options = TAKE_PTR(options),
                .value = {
                        .flags = flags,
                        .clear = clear,
                        .bind = bind,
                        .recursive_bind = recursive_bind,
                        .propagation = propagation,
                        .recursive_propagation = recursive_propagation,
                        .data = TAKE_PTR(data),
                        .userspace = TAKE_PTR(userspace),
                        .extensions = (unsigned) extensions,
                },
        };
        return 0;
}

static json_object *parse_json(const char *text, size_t size) {
        struct json_tokener *tok;
        json_object *o;

        if (size > INT_MAX || memchr(text, 0, size))
                return NULL;
        tok = json_tokener_new_ex(4);
        if (!tok)
                return NULL;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        o = json_tokener_parse_ex(tok, text, (int) size);
        if (o && json_tokener_get_parse_end(tok) != size) {
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return o;
}

/* The answers of the file, if its key is this process's: 0 (taken), -ENOENT, -ESTALE (another key), -EBADMSG
 * (not ours, or not what we write), -ENOMEM, or -errno of reading it. */
static int load(void) {
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        _cleanup_free_ char *text = NULL, *key = NULL;
        _cleanup_free_ Entry *entries = NULL;
        json_object *o = NULL, *v, *list;
        const char *libmount;
        size_t size, n = 0, count;
        int r;

        dir_fd = open_own_dir(AT_FDCWD, cache.dir, 0);
        if (dir_fd < 0)
                return dir_fd == -EPERM ? -EBADMSG : dir_fd;
        fd = open_own_file(dir_fd, MOUNT_OPTIONS_CACHE_FILE, NULL);
        if (fd < 0)
                return fd;
        r = read_regular_fd(fd, CACHE_FILE_MAX, &text, &size);
        if (r < 0)
                return r == -EFBIG ? -EBADMSG : r;
        o = parse_json(text, size);
        if (!o || !json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, "libmount", &v) || !json_object_is_type(v, json_type_string) ||
            json_object_get_string(v)[0] != '/') {
                r = -EBADMSG;
                goto finish;
        }
        libmount = json_object_get_string(v);
        r = cache_key(libmount, NULL, &key);
        if (r == -ENOENT)
                r = -ESTALE;    /* that libmount is gone */
        if (r < 0)
                goto finish;
        if (!json_object_object_get_ex(o, "key", &v) || !json_object_is_type(v, json_type_string) ||
            !json_object_object_get_ex(o, "entries", &list) || !json_object_is_type(list, json_type_array)) {
                r = -EBADMSG;
                goto finish;
        }
        if (!streq(json_object_get_string(v), key)) {
                r = -ESTALE;
                goto finish;
        }
        count = json_object_array_length(list);
        if (count > MOUNT_OPTIONS_CACHE_ENTRIES_MAX) {
                r = -EBADMSG;
                goto finish;
        }
        entries = calloc(count ?: 1, sizeof(Entry));
        if (!entries) {
                r = -ENOMEM;
                goto finish;
        }
        for (; n < count; n++) {
                r = entry_from_json(json_object_array_get_idx(list, n), entries + n);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                while (n > 0)
                        entry_done(entries + --n);
                goto finish;
        }
        entries_free();
        cache.entries = TAKE_PTR(entries);
        cache.n_entries = n;
        r = 0;
finish:
        json_object_put(o);
        return r;
}

/* What makes the dynamic loader choose other libraries, or other builds of them, than the key names. */
static const char *const loader_variables[] = {
        "LD_LIBRARY_PATH", "LD_PRELOAD", "LD_AUDIT", "GLIBC_TUNABLES", "LD_HWCAP_MASK",
};

/* Reads the file once, if this process may. */
static void ensure_read(void) {
        if (cache.read || !libmount_may_load())
                return;
        cache.read = true;
        /* The loader may take another libmount, or put another library's symbols before its own. */
        for (size_t i = 0; i < ELEMENTSOF(loader_variables); i++)
                if (getenv(loader_variables[i])) {
                        cache.refused = true;
                        return;
                }
        (void) load();  /* whatever is wrong with it, the answers come from libmount and replace it */
}

static Entry *find(const char *options) {
        for (size_t i = 0; i < cache.n_entries; i++)
                if (streq(cache.entries[i].options, options))
                        return cache.entries + i;
        return NULL;
}

static int memo_lookup(const char *options, MountOptions *ret) {
        Entry *e;
        int r;

        ensure_read();
        if (cache.refused)
                return 0;
        e = find(options);
        if (!e)
                return 0;
        r = copy_options(&e->value, ret);
        return r < 0 ? r : 1;
}

/* Whether every file system option in DATA is one that says nothing secret (credentials of a network file
 * system, keys of an encrypted one stay out of the file): those of the OCI bundles' tmpfs, devpts and
 * mqueue mounts. */
static bool data_keepable(const char *data) {
        static const char *const names[] = {
                "mode", "size", "uid", "gid", "nr_inodes", "nr_blocks", "newinstance", "ptmxmode", "inode64",
                "huge",
        };
        _cleanup_free_ char *copy = NULL;
        char *p, *name, *value;
        size_t namesz, valuesz;

        if (!data)
                return true;
        copy = strdup(data);
        if (!copy)
                return false;
        for (p = copy;;) {
                size_t i;
                int r = sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);

                if (r == 1)
                        return true;
                if (r < 0)
                        return false;
                for (i = 0; i < ELEMENTSOF(names); i++)
                        if (strlen(names[i]) == namesz && strneq(names[i], name, namesz))
                                break;
                if (i >= ELEMENTSOF(names))
                        return false;
        }
}

static void memo_remember(const char *options, const MountOptions *m) {
        Entry e = {};

        ensure_read();
        if (cache.refused || !cache.read || !libmount_loaded() || !keepable(options) || find(options))
                return;
        /* mount(8)'s own options (x-*, noauto, ...) are no OCI bundle's: not kept either. */
        if (m->userspace || (m->data && !keepable(m->data)) || !data_keepable(m->data))
                return;
        e.options = strdup(options);
        if (!e.options || copy_options(m, &e.value) < 0) {
                free(e.options);
                return;
        }
        if (cache.n_entries >= MOUNT_OPTIONS_CACHE_ENTRIES_MAX) {
                entry_done(cache.entries);
                memmove(cache.entries, cache.entries + 1, (cache.n_entries - 1) * sizeof(Entry));
                cache.n_entries--;
        } else {
                Entry *l = reallocarray(cache.entries, cache.n_entries + 1, sizeof(Entry));

                if (!l) {
                        entry_done(&e);
                        return;
                }
                cache.entries = l;
        }
        cache.entries[cache.n_entries++] = e;
        cache.dirty = true;
}

static const MountOptionsMemo memo = {
        .lookup = memo_lookup,
        .remember = memo_remember,
};

int mount_options_cache_use(const char *dir) {
        char *d;

        if (!dir || dir[0] != '/')
                return -EINVAL;
        d = strdup(dir);
        if (!d)
                return -ENOMEM;
        mount_options_cache_done();
        cache.dir = d;
        mount_options_set_memo(&memo);
        return 0;
}

/* Adds V (NULL only where NULLABLE: a JSON null) as KEY to O; a V that could not be made is an error, never
 * a null. Takes V in any case. */
static int add(json_object *o, const char *key, json_object *v, bool nullable) {
        if ((!v && !nullable) || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_ulong(json_object *o, const char *key, unsigned long v) {
        return add(o, key, json_object_new_int64((int64_t) v), false);
}

static int add_string(json_object *o, const char *key, const char *s) {
        return add(o, key, s ? json_object_new_string(s) : NULL, !s);
}

static int add_bool(json_object *o, const char *key, bool b) {
        return add(o, key, json_object_new_boolean(b), false);
}

static json_object *entry_to_json(const Entry *e) {
        const MountOptions *m = &e->value;
        json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        if (add_string(o, "options", e->options) < 0 || add_ulong(o, "flags", m->flags) < 0 ||
            add_ulong(o, "clear", m->clear) < 0 || add_ulong(o, "propagation", m->propagation) < 0 ||
            add_bool(o, "recursive_propagation", m->recursive_propagation) < 0 ||
            add_bool(o, "bind", m->bind) < 0 || add_bool(o, "recursive_bind", m->recursive_bind) < 0 ||
            add_ulong(o, "extensions", m->extensions) < 0 || add_string(o, "data", m->data) < 0 ||
            add_string(o, "userspace", m->userspace) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static int write_file(const char *text) {
        _cleanup_close_ int dir_fd = -EBADF;
        char tmp[sizeof(CACHE_TMP_PREFIX) + 16];

        dir_fd = open_own_dir(AT_FDCWD, cache.dir, 0700);
        if (dir_fd < 0)
                return dir_fd;
        /* Named after our PID: two writers never share one, and one left by a writer that died is replaced. */
        snprintf(tmp, sizeof(tmp), CACHE_TMP_PREFIX "%i", (int) getpid());
        return write_file_replace_at(dir_fd, MOUNT_OPTIONS_CACHE_FILE, tmp, text, strlen(text));
}

int mount_options_cache_save(void) {
        _cleanup_free_ char *key = NULL;
        json_object *o = NULL, *list;
        const char *libmount, *text;
        int r;

        if (!cache.dir || cache.refused || !cache.dirty)
                return 0;
        /* Answers are only remembered from libmount, so it is loaded here. They are its as it was loaded:
         * under that identity, not under the one of a file that replaced it meanwhile. */
        libmount = libmount_path();
        if (!libmount || !libmount_loaded_identity())
                return 0;
        r = cache_key(libmount, libmount_loaded_identity(), &key);
        if (r < 0)
                return r;
        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        list = json_object_new_array();
        if (add(o, "entries", list, false) < 0 ||      /* add() takes LIST in any case */
            add_string(o, "key", key) < 0 || add_string(o, "libmount", libmount) < 0) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < cache.n_entries; i++) {
                json_object *e = entry_to_json(cache.entries + i);

                if (!e || json_object_array_add(list, e) < 0) {
                        json_object_put(e);
                        r = -ENOMEM;
                        goto finish;
                }
        }
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        if (!text) {
                r = -ENOMEM;
                goto finish;
        }
        /* Bounded by what is kept (64 entries of printable ASCII): never reached, but the reader would refuse
         * it. */
        if (strlen(text) > CACHE_FILE_MAX) {
                r = -E2BIG;
                goto finish;
        }
        r = write_file(text);
        if (r >= 0) {
                cache.dirty = false;
                r = 1;
        }
finish:
        json_object_put(o);
        return r;
}
