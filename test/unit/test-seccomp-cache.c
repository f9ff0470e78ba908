/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp caches (seccomp-cache.c), a container's state directory's and the one containers share: what
 * is loaded is exactly what was compiled; any change of the inputs (bounding set, SystemCallFilter= lists,
 * user namespace, every field of a profile) is a miss; a file that is not ours (truncated, grown, another
 * magic, a symlink, a directory, writable by others, impossible lengths or flags) is refused; the loaded
 * programs filter as compiled ones do; the shared cache keeps one file per set of inputs, at most
 * CONTAINER_SECCOMP_SHARED_MAX, in a directory only its owner can write. */

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "priv/priv.h"
#include "seccomp-cache.h"
#include "test-assert.h"

#define CAP(c) (UINT64_C(1) << (c))

static char dir[] = "/tmp/test-seccomp-cache-XXXXXX";
static int dir_fd = -1;

static void assert_same_program(const struct sock_fprog *a, const struct sock_fprog *b) {
        ASSERT(a && b);
        ASSERT_EQ(a->len, b->len);
        ASSERT(memcmp(a->filter, b->filter, a->len * sizeof(struct sock_filter)) == 0);
}

/* Builds C's programs, saves them, and loads them back: the same instructions and flags. */
static void round_trip(const ContainerConfig *c) {
        _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms built = {}, loaded = {};
        SetupLog log = {};

        ASSERT_EQ(container_seccomp_programs_build(c, &built, &log), 0);
        ASSERT_EQ(container_seccomp_cache_save(dir_fd, c, &built), 0);
        ASSERT_EQ(container_seccomp_cache_load(dir_fd, c, &loaded), 0);
        assert_same_program(built.policy, loaded.policy);
        ASSERT_EQ(!!built.profile, !!loaded.profile);
        if (built.profile)
                assert_same_program(built.profile, loaded.profile);
        ASSERT_EQ(built.profile_flags, loaded.profile_flags);
}

static int load(const ContainerConfig *c) {
        _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms p = {};
        int r = container_seccomp_cache_load(dir_fd, c, &p);

        ASSERT(r < 0 || p.policy);
        return r;
}

static char *cache_path(void) {
        char *p;

        ASSERT(asprintf(&p, "%s/" CONTAINER_SECCOMP_CACHE_FILE, dir) > 0);
        return p;
}

static void read_cache(char **ret, size_t *ret_size) {
        _cleanup_free_ char *p = cache_path();
        FILE *f = fopen(p, "re");
        char *buf = NULL;
        size_t size = 0;

        ASSERT(f);
        ASSERT(fseek(f, 0, SEEK_END) == 0);
        size = (size_t) ftell(f);
        rewind(f);
        buf = malloc(size);
        ASSERT(buf && fread(buf, 1, size, f) == size);
        fclose(f);
        *ret = buf;
        *ret_size = size;
}

static void write_cache(const char *buf, size_t size) {
        _cleanup_free_ char *p = cache_path();
        FILE *f;

        (void) unlink(p);
        f = fopen(p, "we");
        ASSERT(f && fwrite(buf, 1, size, f) == size);
        ASSERT(fclose(f) == 0);
        ASSERT(chmod(p, 0600) == 0);
}

static const ContainerSeccompRule rules[] = {
        { .name = "getppid", .action = CONTAINER_SECCOMP_ERRNO, .data = EACCES },
        { .name = "personality", .action = CONTAINER_SECCOMP_ERRNO, .data = EPERM, .n_args = 1,
          .args = { { .index = 0, .op = CONTAINER_SECCOMP_OP_EQ, .value = 0xffffffff } } },
};

static ContainerSeccompProfile profile(ContainerSeccompRule *r) {
        return (ContainerSeccompProfile) {
                .default_action = CONTAINER_SECCOMP_ALLOW,
                .rules = r,
                .n_rules = ELEMENTSOF(rules),
        };
}

/* C changed since the last round trip: a miss, then a new round trip. */
static void changed(const ContainerConfig *c) {
        ASSERT_EQ(load(c), -ESTALE);
        round_trip(c);
}

/* Every input is part of the key. */
static void test_inputs(void) {
        ContainerSeccompRule r[ELEMENTSOF(rules)];
        ContainerSeccompProfile p;
        char *allow[] = { (char *) "@clock", NULL }, *deny[] = { (char *) "getppid", NULL };
        ContainerConfig c = { .capability_bounding = CAP(CAP_CHOWN) | CAP(CAP_SYS_ADMIN) };

        ASSERT_EQ(load(&c), -ENOENT);
        round_trip(&c);

        c.capability_bounding = CAP(CAP_CHOWN);
        changed(&c);
        c.seccomp_keep_read_only = CONTAINER_KEEP_READ_ONLY_ALL;
        c.capability_bounding |= CAP(CAP_SYS_ADMIN);
        changed(&c);
        c.syscall_allow = allow;
        changed(&c);
        c.syscall_deny = deny;
        changed(&c);

        /* A profile, and each of its fields. */
        memcpy(r, rules, sizeof(rules));
        p = profile(r);
        c.seccomp_profile = &p;
        changed(&c);
        r[0].data = EPERM;
        changed(&c);
        r[1].args[0].value = 0;
        changed(&c);
        r[1].name = "getpgid";
        changed(&c);
        p.default_action = CONTAINER_SECCOMP_LOG;
        changed(&c);
        p.flags = SECCOMP_FILTER_FLAG_LOG;
        changed(&c);
        p.n_rules = 1;
        changed(&c);
        c.seccomp_profile = NULL;
        changed(&c);
        ASSERT_EQ(load(&c), 0);
}

/* Files that are not ours are refused, never loaded. */
static void test_refused(void) {
        ContainerConfig c = { .capability_bounding = CAP(CAP_CHOWN) };
        _cleanup_free_ char *good = NULL, *bad = NULL, *path = cache_path();
        size_t size;
        uint32_t v;

        round_trip(&c);
        read_cache(&good, &size);
        ASSERT(size > 28);
        bad = malloc(size + 1);
        ASSERT(bad);

        write_cache(good, size - 1);                            /* truncated */
        ASSERT_EQ(load(&c), -EBADMSG);
        memcpy(bad, good, size);
        bad[size] = 0;
        write_cache(bad, size + 1);                             /* grown */
        ASSERT_EQ(load(&c), -EBADMSG);
        write_cache(bad, 10);                                   /* shorter than a header */
        ASSERT_EQ(load(&c), -EBADMSG);
        bad[0] ^= 1;                                            /* another magic */
        write_cache(bad, size);
        ASSERT_EQ(load(&c), -EBADMSG);

        memcpy(bad, good, size);
        v = 0;                                                  /* no deny list */
        memcpy(bad + 12, &v, sizeof(v));
        write_cache(bad, size);
        ASSERT_EQ(load(&c), -EBADMSG);
        memcpy(bad, good, size);
        v = BPF_MAXINSNS + 1;                                   /* a profile longer than the kernel takes */
        memcpy(bad + 16, &v, sizeof(v));
        write_cache(bad, size);
        ASSERT_EQ(load(&c), -EBADMSG);
        memcpy(bad, good, size);
        v = SECCOMP_FILTER_FLAG_NEW_LISTENER;                   /* flags without a profile, and not ours */
        memcpy(bad + 20, &v, sizeof(v));
        write_cache(bad, size);
        ASSERT_EQ(load(&c), -EBADMSG);
        memcpy(bad, good, size);
        bad[28] ^= 1;                                           /* the key */
        write_cache(bad, size);
        ASSERT_EQ(load(&c), -ESTALE);

        /* Writable by others. */
        write_cache(good, size);
        ASSERT_EQ(load(&c), 0);
        ASSERT(chmod(path, 0620) == 0);
        ASSERT_EQ(load(&c), -EBADMSG);
        ASSERT(chmod(path, 0602) == 0);
        ASSERT_EQ(load(&c), -EBADMSG);

        /* A symlink to a good one, a directory, a FIFO (no hang). */
        {
                _cleanup_free_ char *other = NULL;

                ASSERT(asprintf(&other, "%s/other", dir) > 0);
                write_cache(good, size);
                ASSERT(rename(path, other) == 0);
                ASSERT(symlink(other, path) == 0);
                ASSERT_EQ(load(&c), -EBADMSG);
                ASSERT(unlink(path) == 0);
                ASSERT(unlink(other) == 0);
        }
        ASSERT(mkdir(path, 0700) == 0);
        ASSERT_EQ(load(&c), -EBADMSG);
        ASSERT(rmdir(path) == 0);
        ASSERT(mkfifo(path, 0600) == 0);
        ASSERT_EQ(load(&c), -EBADMSG);
        ASSERT(unlink(path) == 0);

        /* Saving replaces whatever is there, and leaves no temporary file. */
        write_cache(bad, 10);
        round_trip(&c);
        ASSERT(access(path, F_OK) == 0);
        {
                _cleanup_free_ char *cmd = NULL;

                ASSERT(asprintf(&cmd, "test \"$(ls -A '%s')\" = " CONTAINER_SECCOMP_CACHE_FILE, dir) > 0);
                ASSERT(system(cmd) == 0);
        }
}

/* In a child with no_new_privs: the loaded deny list and profile filter as the compiled ones do. */
static void test_loaded_programs_filter(void) {
        ContainerSeccompRule r[ELEMENTSOF(rules)];
        ContainerSeccompProfile p;
        char *deny[] = { (char *) "getpgid", NULL };
        ContainerConfig c = { .capability_bounding = CAP(CAP_CHOWN), .syscall_deny = deny };
        pid_t pid;
        int status;

        memcpy(r, rules, sizeof(rules));
        p = profile(r);
        c.seccomp_profile = &p;
        round_trip(&c);

        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms l = {};

                if (container_seccomp_cache_load(dir_fd, &c, &l) < 0 || priv_set_no_new_privs() < 0 ||
                    priv_seccomp_load(l.policy, 0) < 0 || priv_seccomp_load(l.profile, l.profile_flags) < 0)
                        _exit(10);
                if (getpgid(0) >= 0 || errno != EPERM)          /* the deny list's SystemCallFilter=~ */
                        _exit(11);
                if (syscall(SYS_getppid) >= 0 || errno != EACCES) /* the profile's rule */
                        _exit(12);
                if (getpid() <= 0)
                        _exit(13);
                _exit(0);
        }
        ASSERT(waitpid(pid, &status, 0) == pid);
        ASSERT(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* The names of the files in SUBDIR of the test directory, one per line ("" if none). */
static char *list_dir(const char *subdir) {
        _cleanup_free_ char *cmd = NULL;
        char buf[8192];
        size_t n;
        FILE *f;

        ASSERT(asprintf(&cmd, "ls -A '%s/%s'", dir, subdir) > 0);
        f = popen(cmd, "r");
        ASSERT(f);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = 0;
        ASSERT(pclose(f) == 0);
        return strdup(buf);
}

static unsigned count_lines(const char *s) {
        unsigned n = 0;

        for (; *s; s++)
                n += *s == '\n';
        return n;
}

/* The cache containers share: compiled once (0), then loaded (1) with the same programs; one file per set of
 * inputs, at most CONTAINER_SECCOMP_SHARED_MAX; a file of the right name that is not ours is compiled again
 * and replaced; a directory others can write, or a symlink, is not used. */
static void test_shared(void) {
        ContainerConfig c1 = { .capability_bounding = CAP(CAP_CHOWN) };
        ContainerConfig c2 = { .capability_bounding = CAP(CAP_CHOWN) | CAP(CAP_KILL) };
        _cleanup_free_ char *files = NULL, *path = NULL, *cmd = NULL;
        char name1[64];
        struct stat st;
        int fd;

        fd = container_seccomp_cache_dir_open(dir_fd, "shared");
        ASSERT(fd >= 0);
        ASSERT(fstat(fd, &st) == 0);
        ASSERT_EQ(st.st_mode & 07777, 0700u);

        {
                _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms a = {}, b = {}, built = {};
                SetupLog log = {};

                ASSERT_EQ(container_seccomp_programs_get(fd, &c1, &a), 0);
                ASSERT_EQ(container_seccomp_programs_get(fd, &c1, &b), 1);
                ASSERT_EQ(container_seccomp_programs_build(&c1, &built, &log), 0);
                assert_same_program(built.policy, a.policy);
                assert_same_program(built.policy, b.policy);
                ASSERT(!a.profile && !b.profile);
        }
        files = list_dir("shared");
        ASSERT_EQ(count_lines(files), 1u);
        ASSERT(startswith(files, CONTAINER_SECCOMP_SHARED_PREFIX));
        ASSERT(sscanf(files, "%63s", name1) == 1);
        {
                _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms p = {};

                ASSERT_EQ(container_seccomp_programs_get(fd, &c2, &p), 0);
        }
        free(files);
        files = list_dir("shared");
        ASSERT_EQ(count_lines(files), 2u);

        /* c1's file made writable by others: compiled again, and replaced by one of ours. */
        {
                _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms p = {};

                ASSERT(fchmodat(fd, name1, 0622, 0) == 0);
                ASSERT_EQ(container_seccomp_programs_get(fd, &c1, &p), 0);
                ASSERT(fstatat(fd, name1, &st, 0) == 0);
                ASSERT_EQ(st.st_mode & 07777, 0600u);
        }

        /* Many sets of inputs: at most CONTAINER_SECCOMP_SHARED_MAX files; the newest is there. */
        for (unsigned i = 0; i < CONTAINER_SECCOMP_SHARED_MAX + 8; i++) {
                _cleanup_(container_seccomp_programs_done) ContainerSeccompPrograms p = {};
                ContainerConfig c = { .capability_bounding = CAP(CAP_CHOWN) | (UINT64_C(1) << (i % 40)) |
                                                             (i >= 40 ? CAP(CAP_SETUID) : 0) };

                ASSERT(container_seccomp_programs_get(fd, &c, &p) >= 0);
                ASSERT(p.policy);
                if (i == CONTAINER_SECCOMP_SHARED_MAX + 7) {
                        container_seccomp_programs_done(&p);
                        ASSERT_EQ(container_seccomp_programs_get(fd, &c, &p), 1);
                }
        }
        free(files);
        files = list_dir("shared");
        ASSERT(count_lines(files) <= CONTAINER_SECCOMP_SHARED_MAX);
        ASSERT(count_lines(files) >= CONTAINER_SECCOMP_SHARED_MAX - 1);
        close(fd);

        /* A directory others can write, and a symlink to one of ours: not used. */
        ASSERT(asprintf(&path, "%s/shared", dir) > 0);
        ASSERT(chmod(path, 0777) == 0);
        ASSERT_EQ(container_seccomp_cache_dir_open(dir_fd, "shared"), -EPERM);
        ASSERT(chmod(path, 0700) == 0);
        ASSERT(symlinkat("shared", dir_fd, "shared-link") == 0);
        ASSERT(container_seccomp_cache_dir_open(dir_fd, "shared-link") < 0);
        ASSERT(asprintf(&cmd, "rm -rf '%s/shared' '%s/shared-link'", dir, dir) > 0);
        ASSERT(system(cmd) == 0);
}

int main(void) {
        ASSERT(mkdtemp(dir));
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT(dir_fd >= 0);

        test_inputs();
        test_refused();
        test_loaded_programs_filter();
        test_shared();

        {
                _cleanup_free_ char *cmd = NULL;
                ASSERT(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
                ASSERT(system(cmd) == 0);
        }
        close(dir_fd);
        printf("test-seccomp-cache: OK\n");
        return 0;
}
