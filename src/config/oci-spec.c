/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json: the document, ociVersion, root, mounts, hooks, annotations, and loading it from a bundle.
 * process is in oci-spec-process.c, linux in oci-spec-linux.c (resources and seccomp in their own files). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "oci-json.h"
#include "escape.h"
#include "oci-spec.h"
#include "strv.h"

static void mount_done(void *p) {
        OciMount *m = p;

        free(m->destination);
        free(m->type);
        free(m->source);
        strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

static void hook_done(void *p) {
        OciHook *h = p;

        free(h->path);
        strv_free(h->args);
        strv_free(h->env);
}

OciSpec *oci_spec_free(OciSpec *s) {
        if (!s)
                return NULL;

        free(s->oci_version);
        free(s->root_path);
        for (size_t i = 0; i < s->n_mounts; i++)
                mount_done(&s->mounts[i]);
        free(s->mounts);
        if (s->process) {
                oci_process_done(s->process);
                free(s->process);
        }
        free(s->hostname);
        free(s->domainname);
        for (OciHookKind k = 0; k < _OCI_HOOK_KIND_MAX; k++) {
                for (size_t i = 0; i < s->n_hooks[k]; i++)
                        hook_done(&s->hooks[k][i]);
                free(s->hooks[k]);
        }
        oci_string_map_done(&s->annotations);
        if (s->linux_config) {
                oci_linux_done(s->linux_config);
                free(s->linux_config);
        }
        return mfree(s);
}

/* runtime-spec: "ociVersion MUST be in SemVer v2.0.0 format", and runtimes are compatible within a major
 * version. Accepts MAJOR.MINOR.PATCH with an optional -prerelease and +build, and returns MAJOR. */
static int parse_semver_major(const char *s, unsigned *ret) {
        unsigned parts[3];
        const char *p = s;

        for (int i = 0; i < 3; i++) {
                unsigned long v = 0;
                const char *start = p;

                if (i > 0) {
                        if (*p != '.')
                                return -EINVAL;
                        start = ++p;
                }
                while (isdigit((unsigned char) *p)) {
                        v = v * 10 + (unsigned) (*p - '0');
                        if (v > 1000000)
                                return -EINVAL;
                        p++;
                }
                if (p == start || (*start == '0' && p - start > 1))   /* no empty part, no leading zero */
                        return -EINVAL;
                parts[i] = (unsigned) v;
        }

        if (*p == '-') {        /* pre-release: dot-separated [0-9A-Za-z-]+ identifiers */
                bool empty = true;

                for (p++; *p && *p != '+'; p++) {
                        if (*p == '.') {
                                if (empty)
                                        return -EINVAL;
                                empty = true;
                        } else if (isalnum((unsigned char) *p) || *p == '-')
                                empty = false;
                        else
                                return -EINVAL;
                }
                if (empty)
                        return -EINVAL;
        }
        if (*p == '+') {
                if (!p[1])
                        return -EINVAL;
                for (p++; *p; p++)
                        if (!isalnum((unsigned char) *p) && *p != '-' && *p != '.')
                                return -EINVAL;
        }
        if (*p)
                return -EINVAL;

        *ret = parts[0];
        return 0;
}

static int parse_version(json_object *v, const char *path, void *dest, char **error) {
        char **version = dest;
        unsigned major;
        int r;

        r = oci_parse_string(v, path, version, error);
        if (r < 0)
                return r;
        if (parse_semver_major(*version, &major) < 0)
                return oci_error(error, path, "\"%.64s\" is not a SemVer version (like \"1.0.2\")", *version);
        if (major != 1)
                return oci_error_code(error, -EPROTONOSUPPORT, path,
                                      "unsupported version \"%.64s\": only runtime-spec 1.x is supported", *version);
        return 0;
}

static int parse_root_path(json_object *v, const char *path, void *dest, char **error) {
        char **root = dest;
        int r;

        r = oci_parse_string(v, path, root, error);
        if (r < 0)
                return r;
        if (isempty(*root))
                return oci_error(error, path, "must not be empty");
        return 0;
}

static int check_mount_destination(json_object *e, const char *path, void *dest, char **error) {
        OciMount *m = dest;
        char *d;

        if (isempty(m->destination))
                return oci_error(error, path, "destination must not be empty");
        /* Linux: a relative destination is deprecated but allowed, and relative to "/". */
        if (m->destination[0] != '/') {
                if (asprintf(&d, "/%s", m->destination) < 0)
                        return -ENOMEM;
                free(m->destination);
                m->destination = d;
        }
        return 0;
}

static int check_mount_mappings(json_object *e, const char *path, void *dest, char **error) {
        if (!oci_json_field(e, "uidMappings") != !oci_json_field(e, "gidMappings"))
                return oci_error(error, path, "uidMappings and gidMappings must be given together");
        return 0;
}

static const OciField mount_fields[] = {
        { "destination", oci_parse_string, offsetof(OciMount, destination), OCI_MANDATORY },
        { OCI_CHECK(check_mount_destination) },
        { "type",        oci_parse_string, offsetof(OciMount, type) },
        { "source",      oci_parse_string, offsetof(OciMount, source) },
        { "options",     oci_parse_strv,   offsetof(OciMount, options) },
        { OCI_ARRAY("uidMappings", OciMount, uid_mappings, n_uid_mappings, &oci_id_mapping_array) },
        { OCI_ARRAY("gidMappings", OciMount, gid_mappings, n_gid_mappings, &oci_id_mapping_array) },
        { OCI_CHECK(check_mount_mappings) },
        {}
};

static const OciArrayType mount_array = { sizeof(OciMount), mount_fields, NULL, mount_done };

static int check_hook_timeout(json_object *e, const char *path, void *dest, char **error) {
        OciHook *h = dest;

        if (oci_json_field(e, "timeout") && h->timeout <= 0)
                return oci_error(error, path, "timeout must be greater than zero");
        return 0;
}

static const OciField hook_fields[] = {
        { "path",    oci_parse_abs_path, offsetof(OciHook, path), OCI_MANDATORY },
        { "args",    oci_parse_strv,     offsetof(OciHook, args) },
        { "env",     oci_parse_strv,     offsetof(OciHook, env) },
        { "timeout", oci_parse_int32,    offsetof(OciHook, timeout) },
        { OCI_CHECK(check_hook_timeout) },
        {}
};

static const OciArrayType hook_array = { sizeof(OciHook), hook_fields, NULL, hook_done };

#define HOOK(kind, name) [kind] = { OCI_ARRAY(name, OciSpec, hooks[kind], n_hooks[kind], &hook_array) }

/* In OciHookKind order: oci_hook_kind_to_string() takes the names from here. */
static const OciField hooks_fields[_OCI_HOOK_KIND_MAX + 1] = {
        HOOK(OCI_HOOK_PRESTART,         "prestart"),
        HOOK(OCI_HOOK_CREATE_RUNTIME,   "createRuntime"),
        HOOK(OCI_HOOK_CREATE_CONTAINER, "createContainer"),
        HOOK(OCI_HOOK_START_CONTAINER,  "startContainer"),
        HOOK(OCI_HOOK_POSTSTART,        "poststart"),
        HOOK(OCI_HOOK_POSTSTOP,         "poststop"),
        {}
};

const char *oci_hook_kind_to_string(OciHookKind k) {
        if (k < 0 || k >= _OCI_HOOK_KIND_MAX)
                return NULL;
        return hooks_fields[k].name;
}

static int parse_hostname(json_object *v, const char *path, void *dest, char **error) {
        char **name = dest;
        int r;

        r = oci_parse_string(v, path, name, error);
        if (r < 0)
                return r;
        /* sethostname() takes at most HOST_NAME_MAX (64) bytes; refuse here what could only fail later. */
        if (strlen(*name) > 64)
                return oci_error(error, path, "longer than 64 bytes");
        /* The kernel takes any bytes, but the name is the machine's Hostname on the bus and in logs. */
        if (needs_terminal_escape(*name, strlen(*name), 0))
                return oci_error(error, path, "control character or text that is not UTF-8 in '%s'", *name);
        return 0;
}

static const OciField root_fields[] = {
        { "path",     parse_root_path, offsetof(OciSpec, root_path), OCI_MANDATORY },
        { "readonly", oci_parse_bool,  offsetof(OciSpec, root_readonly) },
        {}
};

static const OciField spec_fields[] = {
        { "ociVersion",  parse_version,        offsetof(OciSpec, oci_version), OCI_MANDATORY },
        /* root is REQUIRED on Linux. */
        { OCI_OBJECT("root", root_fields, 0), .flags = OCI_MANDATORY },
        { OCI_ARRAY("mounts", OciSpec, mounts, n_mounts, &mount_array) },
        { "process",     oci_parse_process,    offsetof(OciSpec, process) },
        { "hostname",    parse_hostname,       offsetof(OciSpec, hostname) },
        { "domainname",  parse_hostname,       offsetof(OciSpec, domainname) },
        { OCI_OBJECT("hooks", hooks_fields, 0) },
        { "annotations", oci_parse_string_map, offsetof(OciSpec, annotations) },
        { "linux",       oci_parse_linux,      offsetof(OciSpec, linux_config) },
        {}
};

static int parse_document(json_object *o, OciSpec *s, char **error) {
        if (!json_object_is_type(o, json_type_object))
                return oci_error(error, "", "config.json: expected a JSON object, got %s", oci_json_type_name(o));
        return oci_dispatch(o, "", spec_fields, s, error);
}

/* Hands the message to the caller (if it wants it), except for -ENOMEM. Returns r. */
static int fail(int r, char **error, char **ret_error) {
        if (r != -ENOMEM && ret_error)
                *ret_error = TAKE_PTR(*error);
        return r;
}

int oci_spec_parse(const char *data, size_t size, OciSpec **ret, char **ret_error) {
        _cleanup_(oci_spec_freep) OciSpec *s = NULL;
        _cleanup_free_ char *error = NULL;
        json_tokener *tok;
        json_object *o;
        size_t offset;
        int r;

        if (size > OCI_SPEC_SIZE_MAX) {
                r = oci_error_code(&error, -EFBIG, "", "config.json is larger than %u bytes", OCI_SPEC_SIZE_MAX);
                goto fail;
        }
        if (memchr(data, 0, size)) {
                r = oci_error_code(&error, -EBADMSG, "", "config.json contains a NUL byte");
                goto fail;
        }

        tok = json_tokener_new_ex(OCI_SPEC_DEPTH_MAX);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        o = json_tokener_parse_ex(tok, data, (int) size);
        offset = json_tokener_get_parse_end(tok);
        if (!o) {
                enum json_tokener_error e = json_tokener_get_error(tok);

                if (e == json_tokener_continue)
                        r = oci_error_code(&error, -EBADMSG, "", "config.json: unexpected end of input");
                else if (e == json_tokener_error_depth)
                        r = oci_error_code(&error, -EBADMSG, "", "config.json: nested deeper than %d levels",
                                           OCI_SPEC_DEPTH_MAX);
                else
                        r = oci_error_code(&error, -EBADMSG, "", "config.json: invalid JSON at byte %zu: %s",
                                           offset, json_tokener_error_desc(e));
                json_tokener_free(tok);
                goto fail;
        }
        json_tokener_free(tok);

        for (; offset < size; offset++)
                if (!strchr(" \t\r\n", data[offset])) {
                        json_object_put(o);
                        r = oci_error_code(&error, -EBADMSG, "", "config.json: trailing data at byte %zu", offset);
                        goto fail;
                }

        s = new0(OciSpec, 1);
        if (!s) {
                json_object_put(o);
                return -ENOMEM;
        }
        r = parse_document(o, s, &error);
        json_object_put(o);
        if (r < 0)
                goto fail;

        *ret = TAKE_PTR(s);
        return 0;

fail:
        return fail(r, &error, ret_error);
}

static int read_config(int dir_fd, char **ret, size_t *ret_size, char **error) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* O_NONBLOCK: a FIFO planted as config.json must not block us in open(). */
        fd = openat(dir_fd, "config.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                if (r == -ELOOP)
                        return oci_error_code(error, r, "", "config.json is a symbolic link, refusing");
                return oci_error_code(error, r, "", "Failed to open config.json: %s", strerror(-r));
        }
        r = read_regular_fd(fd, OCI_SPEC_SIZE_MAX, ret, ret_size);
        if (r == -EBADFD)
                return oci_error_code(error, r, "", "config.json is not a regular file");
        if (r == -EFBIG)
                return oci_error_code(error, r, "", "config.json is larger than %u bytes", OCI_SPEC_SIZE_MAX);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return oci_error_code(error, r, "", "Failed to read config.json: %s", strerror(-r));
        return 0;
}

int oci_spec_read(const char *bundle_dir, char **ret, size_t *ret_size, char **ret_error) {
        _cleanup_free_ char *error = NULL, *buf = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        size_t size = 0;
        int r;

        dir_fd = open(bundle_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                r = oci_error_code(&error, -errno, "", "Failed to open bundle directory %s: %s",
                                   bundle_dir, strerror(errno));
                return fail(r, &error, ret_error);
        }
        r = read_config(dir_fd, &buf, &size, &error);
        if (r < 0)
                return fail(r, &error, ret_error);
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

/* A root directory the container's state file can keep (JSON, read back only if it is UTF-8) and the bus can
 * carry (systemd-machined's registration): printable UTF-8. */
static int check_root_text(const char *root, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (!needs_terminal_escape(root, strlen(root), 0))
                return 0;
        r = oci_error(&error, "root.path", "the root directory %s is not a UTF-8 path without control characters, "
                      "which the container's state cannot keep", root);
        return fail(r, &error, ret_error);
}

int oci_spec_resolve_root(OciSpec *s, const char *bundle_dir, char **ret_error) {
        _cleanup_free_ char *error = NULL, *abs_bundle = NULL;
        char *p;
        int r;

        if (s->root_path[0] == '/')
                return check_root_text(s->root_path, ret_error);
        abs_bundle = realpath(bundle_dir, NULL);
        if (!abs_bundle) {
                r = oci_error_code(&error, -errno, "", "Failed to resolve bundle directory %s: %s",
                                   bundle_dir, strerror(errno));
                return fail(r, &error, ret_error);
        }
        if (asprintf(&p, "%s/%s", streq(abs_bundle, "/") ? "" : abs_bundle, s->root_path) < 0)
                return -ENOMEM;
        free(s->root_path);
        s->root_path = p;
        return check_root_text(s->root_path, ret_error);
}

int oci_spec_load(const char *bundle_dir, OciSpec **ret, char **ret_error) {
        _cleanup_(oci_spec_freep) OciSpec *s = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        r = oci_spec_read(bundle_dir, &buf, &size, ret_error);
        if (r < 0)
                return r;
        r = oci_spec_parse(buf, size, &s, ret_error);
        if (r < 0)
                return r;
        r = oci_spec_resolve_root(s, bundle_dir, ret_error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

int oci_cgroups_path_split_systemd(const char *s, char **ret_slice, char **ret_prefix, char **ret_name) {
        _cleanup_free_ char *slice = NULL, *prefix = NULL, *name = NULL;
        const char *a, *b;

        a = strchr(s, ':');
        if (!a)
                return -EINVAL;
        b = strchr(a + 1, ':');
        if (!b || strchr(b + 1, ':'))
                return -EINVAL;

        slice = strndup(s, (size_t) (a - s));
        prefix = strndup(a + 1, (size_t) (b - a - 1));
        name = strdup(b + 1);
        if (!slice || !prefix || !name)
                return -ENOMEM;

        if (!isempty(slice)) {
                size_t n = strlen(slice);
                if (n <= strlen(".slice") || !streq(slice + n - strlen(".slice"), ".slice") || strchr(slice, '/'))
                        return -EINVAL;
        }
        if (isempty(prefix) || isempty(name) || strchr(prefix, '/') || strchr(name, '/'))
                return -EINVAL;
        /* Unit names: systemd's characters (its VALID_CHARS, without the escape '\\' and the ':' that
         * separates the three parts here), no more: the name is the machine's Unit on the bus. */
        for (const char *p = s; *p; p++)
                if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:", *p))
                        return -EINVAL;

        if (ret_slice)
                *ret_slice = TAKE_PTR(slice);
        if (ret_prefix)
                *ret_prefix = TAKE_PTR(prefix);
        if (ret_name)
                *ret_name = TAKE_PTR(name);
        return 0;
}
