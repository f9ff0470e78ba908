/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's compiled seccomp filters, and a cache of them in its state directory, as crun keeps
 * seccomp.bpf in its own: compiling nspawn's deny list (and a profile of a few hundred rules) is most of what
 * an exec into a running container costs besides the exec itself, and gives the same program every time.
 *
 * The file: a header, the inputs the programs were compiled from (the key), the deny list's instructions and
 * the profile's. The key is every input of container_seccomp_programs_build() serialized, with the build IDs
 * of our code and of libseccomp, libseccomp's version and the kernel's: a load compares it byte for byte with
 * the key of the config at hand, so a changed config.json, a rebuild or an upgrade recompiles instead of
 * loading another filter.
 *
 * The same files, named after a hash of their key, make the cache that containers share (the daemon's and
 * create's): the host compiles a container's filters before the clone, or loads them from there, and the
 * init loads them as they are (ContainerConfig.seccomp_programs). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fd-util.h"
#include "macro.h"
#include "object-id.h"
#include "seccomp-cache.h"
#include "seccomp-oci.h"
#include "seccomp-policy.h"
#include "strv.h"

#define CACHE_MAGIC "MXSECBPF"
#define CACHE_KEY_MAX (16U * 1024U * 1024U)

typedef struct CacheHeader {
        char magic[8];
        uint32_t key_size;
        uint32_t policy_len;            /* instructions, 1..BPF_MAXINSNS */
        uint32_t profile_len;           /* 0: no profile */
        uint32_t profile_flags;
} CacheHeader;

void container_seccomp_programs_done(ContainerSeccompPrograms *p) {
        if (!p)
                return;
        p->policy = mfree(p->policy);
        p->profile = mfree(p->profile);
        p->profile_flags = 0;
}

int container_seccomp_programs_build(const ContainerConfig *c, ContainerSeccompPrograms *ret, SetupLog *l) {
        _cleanup_free_ struct sock_fprog *policy = NULL, *profile = NULL;
        unsigned flags = 0;
        int r;

        r = seccomp_policy_build(c->capability_bounding, container_config_keep_read_only(c), c->syscall_allow,
                                 c->syscall_deny, &policy, l);
        if (r < 0)
                return r;
        if (c->seccomp_profile) {
                r = seccomp_profile_build(c->seccomp_profile, &profile, &flags, NULL, l);
                if (r < 0)
                        return r;
        }
        *ret = (ContainerSeccompPrograms) {
                .policy = TAKE_PTR(policy),
                .profile = TAKE_PTR(profile),
                .profile_flags = flags,
        };
        return 0;
}

static void put_u64(FILE *f, uint64_t v) {
        (void) fwrite(&v, sizeof(v), 1, f);
}

/* NULL and "" differ. */
static void put_str(FILE *f, const char *s) {
        put_u64(f, s ? strlen(s) : UINT64_MAX);
        if (s)
                (void) fwrite(s, 1, strlen(s), f);
}

static void put_strv(FILE *f, char **l) {
        put_u64(f, strv_length(l));
        STRV_FOREACH(s, l)
                put_str(f, *s);
}

static void put_profile(FILE *f, const ContainerSeccompProfile *p) {
        put_u64(f, !!p);
        if (!p)
                return;
        put_u64(f, (uint64_t) p->default_action);
        put_u64(f, p->default_data);
        put_u64(f, p->flags);
        put_u64(f, p->n_architectures);
        for (size_t i = 0; i < p->n_architectures; i++)
                put_u64(f, p->architectures[i]);
        put_u64(f, p->n_rules);
        for (size_t i = 0; i < p->n_rules; i++) {
                const ContainerSeccompRule *r = p->rules + i;

                put_str(f, r->name);
                put_u64(f, (uint64_t) r->action);
                put_u64(f, r->data);
                put_u64(f, r->n_args);
                for (size_t j = 0; j < r->n_args && j < CONTAINER_SECCOMP_ARGS_MAX; j++) {
                        put_u64(f, r->args[j].index);
                        put_u64(f, (uint64_t) r->args[j].op);
                        put_u64(f, r->args[j].value);
                        put_u64(f, r->args[j].value_two);
                }
        }
}

/* What identifies the code of the object ADDRESS is in (object-id.h): a rebuild or an update under the same
 * version is a miss. Without it there is no key. */
static int put_object(FILE *f, const void *address) {
        _cleanup_free_ char *id = NULL;
        int r;

        r = object_identity(address, &id);
        if (r < 0)
                return r;
        put_str(f, id);
        return 0;
}

/* Every input of container_seccomp_programs_build() for C, and what else shapes its output: the code that
 * builds it (ours: the deny list, the syscall groups; libseccomp's: the names it knows), the kernel. */
static int cache_key(const ContainerConfig *c, char **ret, size_t *ret_size) {
        const struct scmp_version *v = seccomp_version();
        struct utsname u;
        char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (uname(&u) < 0)
                return -errno;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        put_str(f, "machined-ext " PACKAGE_VERSION);
        r = put_object(f, (const void *) container_seccomp_programs_build);
        /* libseccomp's own data, not a function: a function's address may be our PLT stub (a non-PIE build),
         * which would name our object instead of libseccomp's. */
        if (r >= 0)
                r = v ? put_object(f, v) : -EOPNOTSUPP;
        if (r < 0) {
                fclose(f);
                free(buf);
                return r;
        }
        put_u64(f, v ? v->major : 0);
        put_u64(f, v ? v->minor : 0);
        put_u64(f, v ? v->micro : 0);
        put_str(f, u.release);
        put_str(f, u.version);
        put_u64(f, seccomp_arch_native());
        put_u64(f, c->capability_bounding);
        put_u64(f, (uint64_t) container_config_keep_read_only(c));
        put_strv(f, c->syscall_allow);
        put_strv(f, c->syscall_deny);
        put_profile(f, c->seccomp_profile);
        if (ferror(f)) {
                fclose(f);
                free(buf);
                return -ENOMEM;
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        if (size > CACHE_KEY_MAX) {
                free(buf);
                return -E2BIG;
        }
        *ret = buf;
        *ret_size = size;
        return 0;
}

/* LEN instructions at DATA as one allocation, or NULL. */
static struct sock_fprog *program_new(const void *data, uint32_t len) {
        struct sock_fprog *p;

        p = malloc(sizeof(struct sock_fprog) + (size_t) len * sizeof(struct sock_filter));
        if (!p)
                return NULL;
        p->len = (unsigned short) len;
        p->filter = (struct sock_filter *) (p + 1);
        memcpy(p->filter, data, (size_t) len * sizeof(struct sock_filter));
        return p;
}

/* The file NAME in DIR_FD, if it holds the programs compiled from KEY (KEY_SIZE bytes) of C. */
static int load_file(int dir_fd, const char *name, const ContainerConfig *c, const char *key, size_t key_size,
                     ContainerSeccompPrograms *ret) {
        _cleanup_free_ struct sock_fprog *policy = NULL, *profile = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t expected;
        CacheHeader h;
        struct stat st;
        ssize_t n;

        /* Ours only (open_own_file()), of a plausible size. */
        fd = open_own_file(dir_fd, name, &st);
        if (fd < 0)
                return fd;
        if (st.st_size < (off_t) sizeof(h) ||
            st.st_size > (off_t) (sizeof(h) + CACHE_KEY_MAX + 2 * BPF_MAXINSNS * sizeof(struct sock_filter)))
                return -EBADMSG;

        buf = malloc(st.st_size);
        if (!buf)
                return -ENOMEM;
        n = pread(fd, buf, st.st_size, 0);
        if (n < 0)
                return -errno;
        if (n != st.st_size)
                return -EBADMSG;
        memcpy(&h, buf, sizeof(h));
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_size > CACHE_KEY_MAX ||
            h.policy_len < 1 || h.policy_len > BPF_MAXINSNS || h.profile_len > BPF_MAXINSNS ||
            (h.profile_flags & ~CONTAINER_SECCOMP_FLAGS_SUPPORTED) || (h.profile_len == 0 && h.profile_flags != 0))
                return -EBADMSG;
        expected = sizeof(h) + h.key_size + ((size_t) h.policy_len + h.profile_len) * sizeof(struct sock_filter);
        if (expected != (size_t) st.st_size)
                return -EBADMSG;

        if (key_size != h.key_size || memcmp(buf + sizeof(h), key, key_size) != 0)
                return -ESTALE;
        /* A profile is in the key: with one the file must have its program, without one none. */
        if (!!c->seccomp_profile != (h.profile_len > 0))
                return -EBADMSG;

        policy = program_new(buf + sizeof(h) + key_size, h.policy_len);
        if (!policy)
                return -ENOMEM;
        if (h.profile_len > 0) {
                profile = program_new(buf + sizeof(h) + key_size + (size_t) h.policy_len * sizeof(struct sock_filter),
                                      h.profile_len);
                if (!profile)
                        return -ENOMEM;
        }
        *ret = (ContainerSeccompPrograms) {
                .policy = TAKE_PTR(policy),
                .profile = TAKE_PTR(profile),
                .profile_flags = h.profile_len > 0 ? h.profile_flags : 0,
        };
        return 0;
}

int container_seccomp_cache_load(int dir_fd, const ContainerConfig *c, ContainerSeccompPrograms *ret) {
        _cleanup_free_ char *key = NULL;
        size_t key_size;
        int r;

        if (dir_fd < 0 || !c || !ret)
                return -EINVAL;
        r = cache_key(c, &key, &key_size);
        if (r < 0)
                return r;
        return load_file(dir_fd, CONTAINER_SECCOMP_CACHE_FILE, c, key, key_size, ret);
}

static bool programs_fit(const ContainerConfig *c, const ContainerSeccompPrograms *p) {
        return p && p->policy && p->policy->len >= 1 && p->policy->len <= BPF_MAXINSNS &&
                (!p->profile || p->profile->len <= BPF_MAXINSNS) && !!p->profile == !!c->seccomp_profile;
}

/* P with KEY as NAME in DIR_FD, through a temporary file named after our PID: two writers never share one,
 * and a temporary file left by one that died is replaced. */
static int save_file(int dir_fd, const char *name, const char *key, size_t key_size,
                     const ContainerSeccompPrograms *p) {
        _cleanup_close_ int fd = -EBADF;
        char tmp[sizeof(CONTAINER_SECCOMP_CACHE_TMP_PREFIX) + 16];
        CacheHeader h;
        int r;

        h = (CacheHeader) {
                .key_size = (uint32_t) key_size,
                .policy_len = p->policy->len,
                .profile_len = p->profile ? p->profile->len : 0,
                .profile_flags = p->profile ? p->profile_flags & CONTAINER_SECCOMP_FLAGS_SUPPORTED : 0,
        };
        memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));

        snprintf(tmp, sizeof(tmp), CONTAINER_SECCOMP_CACHE_TMP_PREFIX "%i", (int) getpid());
        (void) unlinkat(dir_fd, tmp, 0);
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        r = loop_write(fd, &h, sizeof(h));
        if (r >= 0)
                r = loop_write(fd, key, key_size);
        if (r >= 0)
                r = loop_write(fd, p->policy->filter, (size_t) p->policy->len * sizeof(struct sock_filter));
        if (r >= 0 && p->profile)
                r = loop_write(fd, p->profile->filter, (size_t) p->profile->len * sizeof(struct sock_filter));
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dir_fd, tmp, 0);
        return r;
}

int container_seccomp_cache_save(int dir_fd, const ContainerConfig *c, const ContainerSeccompPrograms *p) {
        _cleanup_free_ char *key = NULL;
        size_t key_size;
        int r;

        if (dir_fd < 0 || !c || !programs_fit(c, p))
                return -EINVAL;
        r = cache_key(c, &key, &key_size);
        if (r < 0)
                return r;
        /* The caller holds the directory's lock. */
        return save_file(dir_fd, CONTAINER_SECCOMP_CACHE_FILE, key, key_size, p);
}

int container_seccomp_cache_dir_open(int parent_fd, const char *name) {
        if (parent_fd < 0)
                return -EINVAL;
        /* Whoever else could write to it could give us any filter with a key that matches. */
        return open_own_dir(parent_fd, name, 0700);
}

/* FNV-1a: names a file, whose key is compared in full anyway. */
static uint64_t key_hash(const char *key, size_t size) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (size_t i = 0; i < size; i++) {
                h ^= (unsigned char) key[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

/* At most CONTAINER_SECCOMP_SHARED_MAX files in DIR_FD, besides KEEP: the oldest go (by their change time:
 * a file is written once). Best effort. */
static void prune(int dir_fd, const char *keep) {
        struct { char name[NAME_MAX + 1]; struct timespec t; } oldest = {};
        unsigned n = 0;
        DIR *d;
        int fd;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return;
        }
        for (struct dirent *de; (de = readdir(d)); ) {
                struct stat st;

                if (!startswith(de->d_name, CONTAINER_SECCOMP_SHARED_PREFIX) || streq(de->d_name, keep) ||
                    fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                n++;
                if (!oldest.name[0] || st.st_ctim.tv_sec < oldest.t.tv_sec ||
                    (st.st_ctim.tv_sec == oldest.t.tv_sec && st.st_ctim.tv_nsec < oldest.t.tv_nsec)) {
                        snprintf(oldest.name, sizeof(oldest.name), "%s", de->d_name);
                        oldest.t = st.st_ctim;
                }
        }
        closedir(d);
        /* One save adds one file: removing one keeps the count. */
        if (n >= CONTAINER_SECCOMP_SHARED_MAX && oldest.name[0])
                (void) unlinkat(dir_fd, oldest.name, 0);
}

int container_seccomp_programs_get(int cache_dir_fd, const ContainerConfig *c, ContainerSeccompPrograms *ret) {
        _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms p = {};
        SetupLog log = {}; /* the policy has no warnings; a profile's were given by its parser */
        _cleanup_free_ char *key = NULL;
        char name[sizeof(CONTAINER_SECCOMP_SHARED_PREFIX) + 16];
        size_t key_size;
        int r;

        if (cache_dir_fd < 0 || !c || !ret)
                return -EINVAL;
        r = cache_key(c, &key, &key_size);
        if (r < 0)
                return r;
        snprintf(name, sizeof(name), CONTAINER_SECCOMP_SHARED_PREFIX "%016" PRIx64, key_hash(key, key_size));

        r = load_file(cache_dir_fd, name, c, key, key_size, &p);
        if (r >= 0) {
                *ret = p;
                p = (ContainerSeccompPrograms) {};
                return 1;
        }
        if (r == -ENOMEM)
                return r;
        /* Missing, made from other inputs (a collision of the name), or not ours: compiled, and replaced. */
        r = container_seccomp_programs_build(c, &p, &log);
        if (r < 0)
                return r;
        if (programs_fit(c, &p) && save_file(cache_dir_fd, name, key, key_size, &p) >= 0)
                prune(cache_dir_fd, name);
        *ret = p;
        p = (ContainerSeccompPrograms) {};
        return 0;
}
