/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memo of libmount's answers (mount-options-cache.h): a process that has seen options saves what libmount
 * made of them; the next one gets the same answers without loading libmount; a file it must not trust (others
 * can write it or its directory, a symlink, malformed, an answer libmount cannot give, another key, another
 * user's) or an environment that may choose another libmount means libmount is asked, and a child of ours
 * (maybe in a container's mount namespace) never reads the file.
 *
 * Whether libmount was loaded is the observable: each case runs in a new process (this program exec'd again
 * with a phase name), since a process that has loaded it keeps it. */

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libmount-dl.h"
#include "macro.h"
#include "object-id.h"
#include "mount-options.h"
#include "mount-options-cache.h"
#include "test-assert.h"

static const char *const corpus[] = {
        "nosuid,nodev,noexec",
        "ro,rbind",
        "rprivate",
        "nosuid,strictatime,mode=755,size=65536k",
        "newinstance,ptmxmode=0666,mode=0620,gid=5",
        "idmap,ro,suid",
        "bind,rshared",
};

/* Parsed, never kept: credentials, a file system option not known to be harmless, mount(8)'s own. */
static const char *const not_kept[] = {
        "nosuid,username=a,password=hunter2",
        "rw,relatime,context=\"system_u:object_r:a,b\"",
        "x-foo,noauto,ro",
};

static const char *dir;

static void assert_same(const MountOptions *a, const MountOptions *b) {
        ASSERT_EQ(a->flags, b->flags);
        ASSERT_EQ(a->clear, b->clear);
        ASSERT_EQ(a->bind, b->bind);
        ASSERT_EQ(a->recursive_bind, b->recursive_bind);
        ASSERT_EQ(a->propagation, b->propagation);
        ASSERT_EQ(a->recursive_propagation, b->recursive_propagation);
        ASSERT_EQ(a->extensions, b->extensions);
        ASSERT(streq_ptr(a->data, b->data));
        ASSERT(streq_ptr(a->userspace, b->userspace));
}

static void parse_corpus(MountOptions out[]) {
        for (size_t i = 0; i < ELEMENTSOF(corpus); i++)
                ASSERT_EQ(mount_options_parse(corpus[i], out + i), 0);
}

static void done_corpus(MountOptions m[]) {
        for (size_t i = 0; i < ELEMENTSOF(corpus); i++)
                mount_options_done(m + i);
}

/* Nothing saved yet: libmount answers, and its answers are saved, once. */
static void phase_fill(void) {
        MountOptions m[ELEMENTSOF(corpus)] = {};
        char path[4096];
        struct stat st;

        ASSERT(!libmount_mapped());
        ASSERT_EQ(mount_options_cache_use(dir), 0);
        parse_corpus(m);
        ASSERT(libmount_mapped());
        for (size_t i = 0; i < ELEMENTSOF(not_kept); i++) {
                MountOptions o = {};

                ASSERT_EQ(mount_options_parse(not_kept[i], &o), 0);
                mount_options_done(&o);
        }
        ASSERT_EQ(mount_options_cache_save(), 1);
        ASSERT_EQ(mount_options_cache_save(), 0);       /* nothing new */
        ASSERT_EQ(stat(dir, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0700);
        snprintf(path, sizeof(path), "%s/" MOUNT_OPTIONS_CACHE_FILE, dir);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0600);
        done_corpus(m);
}

/* A child that did not get the answers from its parent: it does not read the file (and cannot load
 * libmount). */
static void child_reads_nothing(void) {
        MountOptions m = {};

        ASSERT_EQ(mount_options_parse(corpus[0], &m), -EPERM);
        ASSERT(!libmount_mapped());
}

/* A child that got them. */
static void child_has_answers(void) {
        MountOptions m = {};

        ASSERT_EQ(mount_options_parse(corpus[0], &m), 0);
        ASSERT_EQ(m.flags & MS_NOSUID, MS_NOSUID);
        ASSERT(!libmount_mapped());
        mount_options_done(&m);
}

/* What was not kept is libmount's to answer. */
static void child_not_kept(void) {
        for (size_t i = 0; i < ELEMENTSOF(not_kept); i++) {
                MountOptions m = {};

                ASSERT_EQ(mount_options_parse(not_kept[i], &m), -EPERM);
        }
}

/* The answers come from the file, and are libmount's. */
static void phase_hit(void) {
        MountOptions cached[ELEMENTSOF(corpus)] = {}, fresh[ELEMENTSOF(corpus)] = {};
        unsigned long propagation = 0;

        ASSERT_EQ(mount_options_cache_use(dir), 0);
        in_child(child_reads_nothing);
        parse_corpus(cached);
        ASSERT_EQ(mount_propagation_from_string("rprivate", &propagation), 0);
        ASSERT_EQ(propagation, MS_PRIVATE | MS_REC);
        ASSERT(!libmount_mapped());
        in_child(child_has_answers);
        ASSERT_EQ(mount_options_cache_save(), 0);       /* nothing new, and libmount still not loaded */
        ASSERT(!libmount_mapped());
        in_child(child_not_kept);

        /* What libmount says. */
        mount_options_cache_done();
        parse_corpus(fresh);
        ASSERT(libmount_mapped());
        for (size_t i = 0; i < ELEMENTSOF(corpus); i++)
                assert_same(cached + i, fresh + i);
        ASSERT_EQ(cached[0].flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
        ASSERT(cached[1].bind && cached[1].recursive_bind && (cached[1].flags & MS_RDONLY));
        ASSERT_STREQ(cached[3].data, "mode=755,size=65536k");
        ASSERT_STREQ(cached[4].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        ASSERT_EQ(cached[5].extensions, MOUNT_EXT_IDMAP);
        ASSERT_EQ(cached[5].clear & MS_NOSUID, MS_NOSUID);
        done_corpus(cached);
        done_corpus(fresh);
}

/* The file is not used: libmount answers (the same), and the file is written again, unless it must not be. */
static void phase_miss(void) {
        MountOptions m[ELEMENTSOF(corpus)] = {};

        ASSERT_EQ(mount_options_cache_use(dir), 0);
        ASSERT(!libmount_mapped());
        ASSERT_EQ(mount_options_parse(corpus[0], m), 0);
        ASSERT(libmount_mapped());
        ASSERT_EQ(m[0].flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
        mount_options_done(m);
        parse_corpus(m);
        done_corpus(m);
        (void) mount_options_cache_save();
}

/* libmount's file is replaced while this process uses the library it loaded (a package upgrade during a
 * create: here a copy bind-mounted over it, in a mount namespace of this process's own). Its answers are
 * saved under the identity of the library that gave them, which the next process (with the original file)
 * then takes. Under the new file's they would be taken for its answers, and refused for the original's. */
static void phase_swap(void) {
        MountOptions m[ELEMENTSOF(corpus)] = {};
        _cleanup_free_ char *copy = NULL, *cmd = NULL, *before = NULL, *after = NULL;
        const char *lib;

        ASSERT_EQ(unshare(CLONE_NEWNS), 0);
        ASSERT_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
        ASSERT_EQ(mount_options_cache_use(dir), 0);
        parse_corpus(m);
        ASSERT(libmount_mapped());
        lib = libmount_path();
        ASSERT(lib);
        ASSERT(asprintf(&copy, "%s/libmount-copy.so", dir) > 0);
        ASSERT(asprintf(&cmd, "cp '%s' '%s'", lib, copy) > 0);
        ASSERT_EQ(system(cmd), 0);
        ASSERT_EQ(path_identity(lib, &before), 0);
        ASSERT_EQ(mount(copy, lib, NULL, MS_BIND, NULL), 0);
        ASSERT_EQ(path_identity(lib, &after), 0);
        ASSERT(!streq(before, after));
        ASSERT_STREQ(libmount_loaded_identity(), before);
        ASSERT_EQ(mount_options_cache_save(), 1);
        done_corpus(m);
}

/* More strings than it keeps: the oldest go. */
static void phase_evict(void) {
        for (unsigned i = 0; i < MOUNT_OPTIONS_CACHE_ENTRIES_MAX + 6; i++) {
                MountOptions m = {};
                char s[32];

                snprintf(s, sizeof(s), "mode=0%03o", i);
                ASSERT_EQ(mount_options_parse(s, &m), 0);
                mount_options_done(&m);
        }
        ASSERT_EQ(mount_options_cache_save(), 1);
}

/* This program again, in PHASE, with ENV added to its environment (if not NULL). */
static void run_phase(const char *phase, const char *env) {
        int status;
        pid_t pid = fork();

        ASSERT(pid >= 0);
        if (pid == 0) {
                if (env)
                        putenv((char *) env);
                execl("/proc/self/exe", "test-mount-options-cache", phase, dir, (char *) NULL);
                _exit(127);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "phase %s: %s %d\n", phase, WIFSIGNALED(status) ? "signal" : "exit",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                abort();
        }
}

static char *file_path(void) {
        char *p;

        ASSERT(asprintf(&p, "%s/" MOUNT_OPTIONS_CACHE_FILE, dir) > 0);
        return p;
}

static char *read_text(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n = 0;

        ASSERT(f);
        ASSERT(getdelim(&buf, &n, 0, f) > 0);
        fclose(f);
        return buf;
}

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        ASSERT(f);
        ASSERT(fputs(text, f) >= 0);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_EQ(chmod(path, 0600), 0);
}

/* The saved file with JSON member KEY of its first entry (or of the top object, if ENTRY is false) set to V. */
static void tamper(bool entry, const char *key, json_object *v) {
        char *path = file_path(), *text = read_text(path);
        json_object *o = json_tokener_parse(text), *target = o, *list;

        ASSERT(o);
        if (entry) {
                ASSERT(json_object_object_get_ex(o, "entries", &list));
                target = json_object_array_get_idx(list, 0);
        }
        ASSERT_EQ(json_object_object_add(target, key, v), 0);
        write_text(path, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        free(text);
        free(path);
}

/* The saved key with the character after MARKER changed. */
static void tamper_key(const char *marker) {
        char *path = file_path(), *text = read_text(path), *key, *p;
        json_object *o = json_tokener_parse(text), *v;

        ASSERT(o && json_object_object_get_ex(o, "key", &v));
        key = strdup(json_object_get_string(v));
        ASSERT(key);
        p = strstr(key, marker);
        ASSERT(p && p[strlen(marker)]);
        p += strlen(marker);
        *p = *p == '0' ? '1' : '0';
        ASSERT_EQ(json_object_object_add(o, "key", json_object_new_string(key)), 0);
        write_text(path, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        free(key);
        free(text);
        free(path);
}

static void assert_untouched_at(const char *d, const char *before) {
        char *p, *now;

        ASSERT(asprintf(&p, "%s/" MOUNT_OPTIONS_CACHE_FILE, d) > 0);
        now = read_text(p);
        ASSERT_STREQ(now, before);
        free(now);
        free(p);
}

static void assert_untouched(const char *before) {
        char *path = file_path(), *now = read_text(path);

        ASSERT_STREQ(now, before);
        free(now);
        free(path);
}

int main(int argc, char **argv) {
        char tmpl[] = "/tmp/test-mount-options-cache-XXXXXX", *path, *good, *saved;

        if (argc == 3) {
                dir = argv[2];
                ASSERT_EQ(mount_options_cache_use(dir), 0);
                if (streq(argv[1], "fill"))
                        phase_fill();
                else if (streq(argv[1], "hit"))
                        phase_hit();
                else if (streq(argv[1], "miss"))
                        phase_miss();
                else if (streq(argv[1], "evict"))
                        phase_evict();
                else if (streq(argv[1], "swap"))
                        phase_swap();
                else
                        return 2;
                mount_options_cache_done();
                return 0;
        }

        ASSERT(mkdtemp(tmpl));
        ASSERT(asprintf((char **) &dir, "%s/cache", tmpl) > 0);
        path = file_path();

        run_phase("fill", NULL);
        run_phase("hit", NULL);
        good = read_text(path);
        ASSERT(!strstr(good, "hunter2") && !strstr(good, "password") && !strstr(good, "context") &&
               !strstr(good, "x-foo"));
        ASSERT(strstr(good, "\"options\":\"newinstance,ptmxmode=0666,mode=0620,gid=5\""));

        /* Others may write it, or its directory. */
        ASSERT_EQ(chmod(path, 0622), 0);
        run_phase("miss", NULL);
        run_phase("hit", NULL);         /* written again, as it should be */
        ASSERT_EQ(chmod(dir, 0777), 0);
        run_phase("miss", NULL);
        ASSERT_EQ(chmod(dir, 0700), 0);
        run_phase("hit", NULL);

        /* A symlink to a good file. */
        {
                char *copy;

                ASSERT(asprintf(&copy, "%s/copy.json", tmpl) > 0);
                write_text(copy, good);
                ASSERT_EQ(unlink(path), 0);
                ASSERT_EQ(symlink(copy, path), 0);
                run_phase("miss", NULL);
                run_phase("hit", NULL);
                free(copy);
        }

        /* A directory that is a symlink to a good one: not read, and not written through. */
        {
                char *real;

                ASSERT(asprintf(&real, "%s/real", tmpl) > 0);
                ASSERT_EQ(rename(dir, real), 0);
                ASSERT_EQ(symlink(real, dir), 0);
                run_phase("miss", NULL);
                assert_untouched_at(real, good);
                ASSERT_EQ(unlink(dir), 0);
                ASSERT_EQ(rename(real, dir), 0);
                run_phase("hit", NULL);
                free(real);
        }

        /* A second link, something else than a regular file. */
        {
                char *other;

                ASSERT(asprintf(&other, "%s/other.json", tmpl) > 0);
                ASSERT_EQ(link(path, other), 0);
                run_phase("miss", NULL);        /* and replaced: one link again */
                run_phase("hit", NULL);
                ASSERT_EQ(unlink(other), 0);
                free(other);
                ASSERT_EQ(unlink(path), 0);
                ASSERT_EQ(mkdir(path, 0700), 0);
                run_phase("miss", NULL);
                ASSERT_EQ(rmdir(path), 0);
                run_phase("miss", NULL);        /* written again */
                run_phase("hit", NULL);
        }

        /* Another user's directory (as root only). */
        if (geteuid() == 0) {
                ASSERT_EQ(chown(dir, 65534, 65534), 0);
                run_phase("miss", NULL);
                ASSERT_EQ(chown(dir, 0, 0), 0);
                run_phase("hit", NULL);
        }

        /* Malformed; an answer libmount cannot give; answers of another libmount or loader cache. */
        write_text(path, "{\"key\": ");
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper(true, "propagation", json_object_new_int64(MS_SHARED | MS_PRIVATE)); /* two types */
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper(true, "flags", json_object_new_int64(-1));
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper(true, "data", json_object_new_int64(1));
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        {
                char *text = read_text(path), *p = strstr(text, "; ld.so.cache ");

                ASSERT(p);
                p += strlen("; ld.so.cache ");
                *p = *p == '9' ? '8' : '9';     /* the loader's cache changed */
                write_text(path, text);
                free(text);
        }
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper(false, "libmount", json_object_new_string("/nonexistent/libmount.so.1"));
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper(true, "flags", json_object_new_int64(MS_BIND));
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper(true, "extensions", json_object_new_int64(8));
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper(true, "recursive_bind", json_object_new_boolean(true));    /* entry 0 is no bind */
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        {
                char *text = read_text(path), *more;

                ASSERT(asprintf(&more, "%s {}", text) > 0);     /* trailing data */
                write_text(path, more);
                free(more);
                free(text);
        }
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        /* Another build of ours, another libmount file at the same path, another preload list. */
        tamper_key("; code ");
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper_key("libmount.so.1 ");
        run_phase("miss", NULL);
        run_phase("hit", NULL);
        tamper_key("; ld.so.preload ");
        run_phase("miss", NULL);
        run_phase("hit", NULL);

        /* Another user's file (as root only). */
        if (geteuid() == 0) {
                ASSERT_EQ(chown(path, 65534, 65534), 0);
                run_phase("miss", NULL);
                run_phase("hit", NULL);
        }

        /* The environment may make the loader choose another libmount: neither read nor written. */
        saved = read_text(path);
        run_phase("miss", "LD_LIBRARY_PATH=/nonexistent");
        assert_untouched(saved);
        tamper(true, "propagation", json_object_new_int64(MS_SHARED | MS_PRIVATE));
        free(saved);
        saved = read_text(path);
        run_phase("miss", "LD_PRELOAD=");
        assert_untouched(saved);
        run_phase("miss", "GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2");
        assert_untouched(saved);
        free(saved);
        run_phase("miss", NULL);
        run_phase("hit", NULL);

        /* Bounded: the newest MOUNT_OPTIONS_CACHE_ENTRIES_MAX. */
        run_phase("evict", NULL);
        {
                char *text = read_text(path);
                json_object *o = json_tokener_parse(text), *list, *first;

                ASSERT(o && json_object_object_get_ex(o, "entries", &list));
                ASSERT_EQ(json_object_array_length(list), MOUNT_OPTIONS_CACHE_ENTRIES_MAX);
                ASSERT(json_object_object_get_ex(json_object_array_get_idx(list, 0), "options", &first));
                ASSERT_STREQ(json_object_get_string(first), "mode=0006");
                json_object_put(o);
                free(text);
        }

        /* libmount replaced while a process used it: its answers keep the identity of what gave them (a mount
         * namespace of its own: root only, as the other cases that need it). */
        if (geteuid() == 0) {
                ASSERT_EQ(unlink(path), 0);
                run_phase("swap", NULL);
                run_phase("hit", NULL);
        }

        free(good);
        free(path);
        {
                char *cmd;

                ASSERT(asprintf(&cmd, "rm -rf '%s'", tmpl) > 0);
                ASSERT_EQ(system(cmd), 0);
                free(cmd);
        }
        return 0;
}
