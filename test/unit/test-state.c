/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-cache.h"
#include "state.h"
#include "strv.h"
#include "test-assert.h"

static char root[] = "/tmp/test-state-XXXXXX";

static ContainerState *make_state(const char *id, pid_t pid) {
        ContainerState *s = new0(ContainerState, 1);

        ASSERT(s);
        s->id = strdup(id);
        s->status = pid > 0 ? CONTAINER_RUNNING : CONTAINER_STOPPED;
        s->owner = CONTAINER_OWNER_OCI_CLI;
        s->pid = pid;
        if (pid > 0)
                ASSERT_EQ(leader_identify(pid, &s->pidfd_inode, &s->start_time, NULL), 0);
        s->bundle = strdup("/var/lib/bundles/b1");
        s->created = (struct timespec) { .tv_sec = 1764515672, .tv_nsec = 123456789 };
        ASSERT(strv_extend(&s->annotations, "org.example.key") == 0);
        ASSERT(strv_extend(&s->annotations, "value with \"quotes\" and /slashes/") == 0);
        ASSERT(strv_extend(&s->annotations, "other") == 0);
        ASSERT(strv_extend(&s->annotations, "") == 0);
        s->unit = strdup("machine-x.scope");
        s->cgroup = strdup("/machine.slice/machine-x.scope");
        return s;
}

static char *dir_listing(const char *id) {
        _cleanup_free_ char *path = NULL;
        _cleanup_strv_free_ char **names = NULL;
        DIR *d;

        ASSERT(asprintf(&path, "%s/%s", root, id) > 0);
        d = opendir(path);
        ASSERT(d);
        for (struct dirent *de; (de = readdir(d)); )
                if (de->d_name[0] != '.' || startswith(de->d_name, ".#"))
                        ASSERT(strv_extend(&names, de->d_name) == 0);
        closedir(d);
        return strv_join(names, " ");
}

static void write_file(const char *id, const char *content) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        FILE *f;

        ASSERT(asprintf(&dir, "%s/%s", root, id) > 0);
        (void) mkdir(dir, 0700);
        ASSERT(asprintf(&path, "%s/state.json", dir) > 0);
        (void) unlink(path);
        f = fopen(path, "we");
        ASSERT(f);
        fputs(content, f);
        ASSERT(fclose(f) == 0);
}

static void test_round_trip(void) {
        _cleanup_(container_state_freep) ContainerState *s = make_state("c1", getpid()), *l = NULL;
        _cleanup_free_ char *error = NULL, *listing = NULL;

        ASSERT_EQ(container_state_save(root, s), 0);
        listing = dir_listing("c1");
        ASSERT_STREQ(listing, "state.json");    /* no temp file left */

        ASSERT_EQ(container_state_load(root, "c1", &l, &error), 0);
        ASSERT_STREQ(l->id, "c1");
        ASSERT_EQ(l->status, CONTAINER_RUNNING);
        ASSERT_EQ(l->owner, CONTAINER_OWNER_OCI_CLI);
        ASSERT_EQ(l->pid, getpid());
        ASSERT(l->pidfd_inode == s->pidfd_inode);
        ASSERT(l->start_time == s->start_time);
        ASSERT_STREQ(l->bundle, "/var/lib/bundles/b1");
        ASSERT(!l->settings);
        ASSERT_EQ(l->created.tv_sec, 1764515672);
        ASSERT_EQ(l->created.tv_nsec, 123456789);
        ASSERT_EQ(strv_length(l->annotations), 4);
        ASSERT_STREQ(l->annotations[1], "value with \"quotes\" and /slashes/");
        ASSERT_STREQ(l->annotations[3], "");
        ASSERT_STREQ(l->unit, "machine-x.scope");
        ASSERT_STREQ(l->cgroup, "/machine.slice/machine-x.scope");

        /* Overwriting replaces the file, still without leftovers. */
        s->status = CONTAINER_PAUSED;
        ASSERT_EQ(container_state_save(root, s), 0);
        l = container_state_free(l);
        ASSERT_EQ(container_state_load(root, "c1", &l, &error), 0);
        ASSERT_EQ(l->status, CONTAINER_PAUSED);
        free(listing);
        listing = dir_listing("c1");
        ASSERT_STREQ(listing, "state.json");

        ASSERT_EQ(container_state_check_leader(l, NULL), LEADER_ALIVE);
        /* The config.json copy create keeps there, its release FIFO (a file will do here), and the seccomp
         * cache exec leaves there (and a temporary file of it) go with the state. */
        for (size_t i = 0; i < 4; i++) {
                static const char *const files[] = {
                        CONTAINER_STATE_CONFIG_FILE,
                        CONTAINER_STATE_RELEASE_FIFO,
                        CONTAINER_SECCOMP_CACHE_FILE,
                        CONTAINER_SECCOMP_CACHE_TMP_PREFIX "1",
                };
                _cleanup_free_ char *p = NULL;
                FILE *f;

                ASSERT(asprintf(&p, "%s/c1/%s", root, files[i]) > 0);
                f = fopen(p, "we");
                ASSERT(f);
                fclose(f);
        }
        ASSERT_EQ(container_state_remove(root, "c1"), 0);
        ASSERT_EQ(container_state_load(root, "c1", &l, &error), -ENOENT);
        ASSERT_EQ(container_state_remove(root, "c1"), -ENOENT);
}

/* A daemon machine defined by its root directory alone (no settings file), with the daemon's own facts. */
static void test_daemon_fields(void) {
        _cleanup_(container_state_freep) ContainerState *s = make_state("d1", getpid()), *l = NULL;
        _cleanup_free_ char *error = NULL;

        s->owner = CONTAINER_OWNER_DAEMON;
        s->bundle = mfree(s->bundle);
        ASSERT_EQ(container_state_save(root, s), -EINVAL);      /* neither bundle, settings nor root */
        s->root = strdup("/var/lib/machines/d1");
        ASSERT(strv_extend(&s->daemon, "state") == 0);
        ASSERT(strv_extend(&s->daemon, "starting") == 0);
        ASSERT(strv_extend(&s->daemon, "status") == 0);
        ASSERT(strv_extend(&s->daemon, "Booting \"x\"") == 0);
        ASSERT_EQ(container_state_save(root, s), 0);
        ASSERT_EQ(container_state_load(root, "d1", &l, &error), 0);
        ASSERT_STREQ(l->root, "/var/lib/machines/d1");
        ASSERT(!l->bundle && !l->settings);
        ASSERT_EQ(strv_length(l->daemon), 4);
        ASSERT_STREQ(l->daemon[1], "starting");
        ASSERT_STREQ(l->daemon[3], "Booting \"x\"");

        /* Only the daemon's machines may go without bundle and settings. */
        s->owner = CONTAINER_OWNER_OCI_CLI;
        ASSERT_EQ(container_state_save(root, s), -EINVAL);
        ASSERT_EQ(container_state_remove(root, "d1"), 0);
}

/* The config.json copy: written atomically next to state.json, read back byte for byte (NULs included),
 * never through a symlink, and removed with the state. */
static void test_config_copy(void) {
        _cleanup_free_ char *text = NULL, *path = NULL, *target = NULL;
        const char data[] = "{ \"ociVersion\": \"1.0.2\" }\0tail";
        size_t size = 0;

        ASSERT_EQ(container_state_load_config(root, "cfg", &text, &size), -ENOENT);
        ASSERT_EQ(container_state_save_config(root, "../cfg", data, sizeof(data)), -EINVAL);
        ASSERT_EQ(container_state_save_config(root, "cfg", data, sizeof(data)), 0);
        ASSERT_EQ(container_state_load_config(root, "cfg", &text, &size), 0);
        ASSERT_EQ(size, sizeof(data));
        ASSERT(memcmp(text, data, size) == 0);
        text = mfree(text);
        ASSERT_EQ(container_state_save_config(root, "cfg", "{}", 2), 0);       /* replaced */
        ASSERT_EQ(container_state_load_config(root, "cfg", &text, &size), 0);
        ASSERT_STREQ(text, "{}");
        text = mfree(text);

        ASSERT(asprintf(&path, "%s/cfg/config.json", root) > 0);
        ASSERT(asprintf(&target, "%s/elsewhere", root) > 0);
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(symlink(target, path), 0);
        ASSERT_EQ(container_state_load_config(root, "cfg", &text, &size), -ELOOP);
        ASSERT_EQ(container_state_remove(root, "cfg"), 0);
        ASSERT_EQ(faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW), -1);

        /* A root that is a symlink loop: its -ELOOP, not taken for one of an entry below it. */
        {
                _cleanup_free_ char *loop = NULL, *error = NULL;
                ContainerState *s = NULL;

                ASSERT(asprintf(&loop, "%s/loop", root) > 0);
                ASSERT_EQ(symlink(loop, loop), 0);
                ASSERT_EQ(container_state_remove(loop, "cfg"), -ELOOP);
                ASSERT_EQ(container_state_load(loop, "cfg", &s, &error), -ELOOP);
                ASSERT(!error);
                ASSERT_EQ(unlink(loop), 0);
        }
}

/* A child that exits with STATUS once it reads a byte from *RET_GO (its pidfd in *RET_PIDFD). */
static pid_t exit_child(int status, int *ret_pidfd, int *ret_go) {
        int p[2];
        pid_t pid;

        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                char c;
                (void) read(p[0], &c, 1);
                _exit(status);
        }
        close(p[0]);
        *ret_go = p[1];
        *ret_pidfd = pidfd_open(pid, 0);
        ASSERT(*ret_pidfd >= 0);
        return pid;
}

/* The exit status through a pidfd: running, a zombie, reaped; and a kernel that does not record it. */
static void test_pidfd_exit(void) {
        struct utsname u;
        unsigned major = 0, minor = 0;
        int pidfd, go, code = -1, status = -1, supported;
        pid_t pid;

        ASSERT(uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2);
        ASSERT_EQ(unsetenv("MACHINED_EXT_PIDFD_INFO_EXIT"), 0);
        supported = leader_pidfd_exit_supported();
        ASSERT(supported >= 0);
        if (major > 6 || (major == 6 && minor >= 15))
                ASSERT_EQ(supported, 1);        /* older ones may have it backported */

        pid = exit_child(7, &pidfd, &go);
        ASSERT_EQ(leader_pidfd_exit(pidfd, &code, &status), 0);         /* runs */
        ASSERT(write(go, "x", 1) == 1);
        ASSERT(waitid(P_PID, pid, &(siginfo_t) {}, WEXITED | WNOWAIT) == 0);
        ASSERT_EQ(leader_pidfd_exit(pidfd, &code, &status), supported ? -EAGAIN : -EOPNOTSUPP);  /* a zombie */
        ASSERT(waitpid(pid, NULL, 0) == pid);
        if (supported) {
                ASSERT_EQ(leader_pidfd_exit(pidfd, &code, &status), 1);
                ASSERT_EQ(code, CLD_EXITED);
                ASSERT_EQ(status, 7);
        } else
                ASSERT_EQ(leader_pidfd_exit(pidfd, &code, &status), -EOPNOTSUPP);
        close(pidfd);
        close(go);

        /* As on Linux 6.13-6.14 (the ioctl without the exit status): a reaped leader is "exited, status
         * unknown" at once, not -EAGAIN (which had the daemon poll for it for 5 s). In a child, whose
         * environment goes with it. */
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                pid_t c;

                setenv("MACHINED_EXT_PIDFD_INFO_EXIT", "0", 1);
                if (leader_pidfd_exit_supported() != 0)
                        _exit(1);
                c = exit_child(3, &pidfd, &go);
                if (write(go, "x", 1) != 1 || waitpid(c, NULL, 0) != c)
                        _exit(2);
                _exit(leader_pidfd_exit(pidfd, &code, &status) == -EOPNOTSUPP ? 0 : 3);
        }
        ASSERT(waitpid(pid, &status, 0) == pid);
        ASSERT(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void test_save_failure_leaves_nothing(void) {
        _cleanup_(container_state_freep) ContainerState *s = make_state("c2", 0);
        _cleanup_free_ char *path = NULL, *listing = NULL;

        /* state.json is a directory: the rename fails, and the temp file must go. */
        ASSERT(asprintf(&path, "%s/c2", root) > 0);
        ASSERT(mkdir(path, 0700) == 0);
        free(path);
        ASSERT(asprintf(&path, "%s/c2/state.json", root) > 0);
        ASSERT(mkdir(path, 0700) == 0);
        ASSERT(container_state_save(root, s) < 0);
        listing = dir_listing("c2");
        ASSERT_STREQ(listing, "state.json");
        ASSERT(rmdir(path) == 0);

        /* Invalid states are not written at all. */
        s->pid = 0;
        s->status = CONTAINER_RUNNING;
        ASSERT_EQ(container_state_save(root, s), -EINVAL);
        s->status = CONTAINER_STOPPED;
        free(s->id);
        s->id = strdup("../escape");
        ASSERT_EQ(container_state_save(root, s), -EINVAL);
        free(s->id);
        s->id = strdup("c2");
        s->settings = strdup("/etc/systemd/nspawn/c2.nspawn");
        ASSERT_EQ(container_state_save(root, s), -EINVAL);      /* both bundle and settings */
        s->bundle = mfree(s->bundle);
        ASSERT_EQ(container_state_save(root, s), 0);

        /* What its reader would refuse is not written either (the machine would be lost at the next read):
         * text that is not UTF-8, an annotation key over 4096 bytes, a file over the size limit. */
        {
                _cleanup_(container_state_freep) ContainerState *l = NULL;
                _cleanup_free_ char *before = NULL, *error = NULL, *big = NULL;

                ASSERT_EQ(container_state_load(root, "c2", &l, &error), 0);
                free(s->annotations[1]);
                s->annotations[1] = strdup("caf\xe9");
                ASSERT_EQ(container_state_save(root, s), -EBADMSG);
                free(s->annotations[1]);
                s->annotations[1] = strdup("ok");
                big = malloc(5000);
                ASSERT(big);
                memset(big, 'k', 4999);
                big[4999] = 0;
                free(s->annotations[0]);
                s->annotations[0] = strdup(big);
                ASSERT_EQ(container_state_save(root, s), -EBADMSG);
                free(s->annotations[0]);
                s->annotations[0] = strdup("key");
                /* The size: with an empty value the file has F bytes (text and newline); a value of
                 * MAX - F + 1 bytes makes the text MAX bytes and the file one more than its reader takes. */
                {
                        _cleanup_free_ char *file = NULL;
                        struct stat st;
                        size_t n;

                        free(s->annotations[1]);
                        s->annotations[1] = strdup("");
                        ASSERT_EQ(container_state_save(root, s), 0);
                        ASSERT(asprintf(&file, "%s/c2/state.json", root) > 0);
                        ASSERT(stat(file, &st) == 0);
                        n = CONTAINER_STATE_SIZE_MAX - (size_t) st.st_size + 1;
                        big = mfree(big);
                        big = malloc(n + 1);
                        ASSERT(big);
                        memset(big, 'v', n);
                        big[n] = 0;
                        free(s->annotations[1]);
                        s->annotations[1] = strdup(big);
                        ASSERT_EQ(container_state_save(root, s), -EFBIG);
                        s->annotations[1][n - 1] = 0;           /* one less: a file of exactly MAX bytes */
                        ASSERT_EQ(container_state_save(root, s), 0);
                        ASSERT(stat(file, &st) == 0);
                        ASSERT_EQ((size_t) st.st_size, CONTAINER_STATE_SIZE_MAX);
                        container_state_free(l);
                        l = NULL;
                        error = mfree(error);
                        ASSERT_EQ(container_state_load(root, "c2", &l, &error), 0);
                        ASSERT_EQ(strlen(l->annotations[1]), n - 1);
                }
        }
        ASSERT_EQ(container_state_remove(root, "c2"), 0);
}

#define GOOD_PREFIX "{\"version\":1,\"id\":\"bad\",\"owner\":\"daemon\",\"created\":\"2026-11-30T15:14:32.5Z\","

static const struct {
        const char *content;
        const char *error;
} corrupt[] = {
        { "",                                                   "not valid JSON" },
        { "{\"version\":1,",                                    "not valid JSON" },
        { "[1,2]",                                              "not a JSON object" },
        { "{} {}",                                              "not valid JSON" },
        { "{\"version\":2}",                                    "unsupported version" },
        { "{\"version\":\"1\"}",                                "field \"version\"" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0}",
          "exactly one of bundle and settings" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":\"0\",\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}",
          "field \"pid\"" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":-5,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}",
          "field \"pid\"" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}",
          "field \"pid\"" },
        { GOOD_PREFIX "\"status\":\"running\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}",
          "status needs a leader pid" },
        { GOOD_PREFIX "\"status\":\"running\",\"pid\":100,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}",
          "leader pid without pidfdInode and startTime" },
        { GOOD_PREFIX "\"status\":\"exploded\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}",
          "invalid status" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"b\"}",
          "bundle is not a clean absolute path" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/a/../b\"}",
          "bundle is not a clean absolute path" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\","
          "\"cgroup\":\"/x/../../y\"}",                         "cgroup is not a clean absolute path" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\","
          "\"unit\":\"a/b.scope\"}",                            "invalid unit name" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\","
          "\"annotations\":{\"a\":1}}",                         "field \"annotations\"" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\","
          "\"annotations\":{\"\":\"x\"}}",                      "empty annotation key" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\","
          "\"daemon\":{\"state\":1}}",                           "field \"daemon\"" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\","
          "\"daemon\":[]}",                                     "field \"daemon\"" },
        { GOOD_PREFIX "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"root\":\"r\"}",
          "root is not a clean absolute path" },
        { "{\"version\":1,\"id\":\"bad\",\"owner\":\"daemon\",\"created\":\"yesterday\",\"status\":\"stopped\","
          "\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}", "field \"created\"" },
        { "{\"version\":1,\"id\":\"other\",\"owner\":\"daemon\",\"created\":\"2026-11-30T15:14:32Z\","
          "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}",
          "id does not match" },
        { "{\"version\":1,\"id\":\"bad\",\"owner\":\"root\",\"created\":\"2026-11-30T15:14:32Z\","
          "\"status\":\"stopped\",\"pid\":0,\"pidfdInode\":0,\"startTime\":0,\"bundle\":\"/b\"}", "invalid owner" },
};

static void test_corrupt(void) {
        _cleanup_free_ char *path = NULL, *big = NULL;
        ContainerState *s = NULL;

        for (size_t i = 0; i < ELEMENTSOF(corrupt); i++) {
                _cleanup_free_ char *error = NULL;
                int r;

                write_file("bad", corrupt[i].content);
                r = container_state_load(root, "bad", &s, &error);
                if (r != -EBADMSG || !error || !strstr(error, corrupt[i].error)) {
                        fprintf(stderr, "case %zu: %s\n  got %d %s, expected -EBADMSG %s\n", i, corrupt[i].content, r,
                                strna(error), corrupt[i].error);
                        abort();
                }
                ASSERT(!s);
        }

        /* A huge file. */
        {
                _cleanup_free_ char *error = NULL;
                int fd;

                ASSERT(asprintf(&path, "%s/bad/state.json", root) > 0);
                fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
                ASSERT(fd >= 0);
                ASSERT(ftruncate(fd, CONTAINER_STATE_SIZE_MAX + 10) == 0);
                close(fd);
                ASSERT_EQ(container_state_load(root, "bad", &s, &error), -EFBIG);
                ASSERT(strstr(error, "too large"));
        }

        /* A symlink to a valid file elsewhere is not followed. */
        {
                _cleanup_(container_state_freep) ContainerState *good = make_state("bad", 0);
                _cleanup_free_ char *error = NULL, *target = NULL;

                ASSERT_EQ(container_state_save(root, good), 0);
                ASSERT(asprintf(&target, "%s/bad/elsewhere.json", root) > 0);
                ASSERT(rename(path, target) == 0);
                ASSERT(symlink(target, path) == 0);
                ASSERT_EQ(container_state_load(root, "bad", &s, &error), -ELOOP);
                ASSERT(strstr(error, "symbolic link"));
                ASSERT(unlink(target) == 0);
        }

        /* A FIFO does not block. */
        {
                _cleanup_free_ char *error = NULL;

                ASSERT(unlink(path) == 0);
                ASSERT(mkfifo(path, 0600) == 0);
                ASSERT_EQ(container_state_load(root, "bad", &s, &error), -EBADFD);
        }

        /* The container directory itself a symlink. */
        {
                _cleanup_free_ char *link = NULL, *error = NULL;

                ASSERT(asprintf(&link, "%s/linked", root) > 0);
                ASSERT(symlink("/tmp", link) == 0);
                ASSERT_EQ(container_state_load(root, "linked", &s, &error), -ELOOP);
                ASSERT_EQ(container_state_remove(root, "linked"), 0);
                ASSERT(access("/tmp", F_OK) == 0);
                ASSERT(access(link, F_OK) < 0);
        }

        ASSERT_EQ(container_state_load(root, "..", &s, NULL), -EINVAL);
        ASSERT_EQ(container_state_load(root, "a/b", &s, NULL), -EINVAL);
        ASSERT_EQ(container_state_remove(root, "bad"), 0);
        (void) big;
}

static pid_t dead_child(void) {
        pid_t pid = fork();

        ASSERT(pid >= 0);
        if (pid == 0)
                _exit(0);
        ASSERT(waitpid(pid, NULL, 0) == pid);
        return pid;
}

/* A thread of ours that blocks until its pipe closes: its TID names no process (what a stale state's PID
 * names once the kernel gave it to a thread of another process). */
typedef struct Thread {
        pthread_t thread;
        int report[2], stop[2];
        pid_t tid;
} Thread;

static void *thread_main(void *userdata) {
        Thread *t = userdata;
        pid_t tid = gettid();
        char c;

        ASSERT(write(t->report[1], &tid, sizeof(tid)) == sizeof(tid));
        (void) read(t->stop[0], &c, 1);
        return NULL;
}

static void thread_start(Thread *t) {
        ASSERT(pipe2(t->report, O_CLOEXEC) == 0);
        ASSERT(pipe2(t->stop, O_CLOEXEC) == 0);
        ASSERT(pthread_create(&t->thread, NULL, thread_main, t) == 0);
        ASSERT(read(t->report[0], &t->tid, sizeof(t->tid)) == sizeof(t->tid));
        ASSERT(t->tid != getpid());
}

static void thread_stop(Thread *t) {
        close(t->stop[1]);
        ASSERT(pthread_join(t->thread, NULL) == 0);
        close(t->stop[0]);
        close(t->report[0]);
        close(t->report[1]);
}

static void test_leader(void) {
        _cleanup_(container_state_freep) ContainerState *s = make_state("l", getpid());
        uint64_t t1 = 0, t2 = 0;
        int pidfd = -EBADF;
        pid_t child;
        int p[2];

        ASSERT_EQ(container_state_check_leader(s, &pidfd), LEADER_ALIVE);
        ASSERT(pidfd >= 0);
        close(pidfd);

        s->start_time++;
        ASSERT_EQ(container_state_check_leader(s, NULL), LEADER_REUSED);
        s->start_time--;
        s->pidfd_inode++;
        /* On pidfs the inode identifies the process; on older kernels all pidfds share one inode and
         * this still differs from the recorded one. */
        ASSERT_EQ(container_state_check_leader(s, NULL), LEADER_REUSED);

        s->pid = dead_child();
        ASSERT_EQ(container_state_check_leader(s, NULL), LEADER_GONE);
        ASSERT_EQ(pid_get_start_time(s->pid, &t1), -ESRCH);

        /* A PID that names a thread now (pidfd_open(): ENOENT, EINVAL on older kernels) is no process: gone,
         * not an error. */
        {
                Thread t;
                uint64_t ino, start;

                thread_start(&t);
                ASSERT_EQ(leader_identify(t.tid, &ino, &start, NULL), -ESRCH);
                s->pid = t.tid;
                ASSERT_EQ(container_state_check_leader(s, NULL), LEADER_GONE);
                thread_stop(&t);
        }

        /* A name with ") " in it does not confuse the /proc/PID/stat parser. */
        ASSERT(pipe2(p, O_CLOEXEC) == 0);
        child = fork();
        ASSERT(child >= 0);
        if (child == 0) {
                (void) prctl(PR_SET_NAME, "x) S 1 2 3 4");
                (void) write(p[1], "r", 1);
                for (;;)
                        pause();
        }
        {
                char c;
                ASSERT(read(p[0], &c, 1) == 1);
        }
        ASSERT_EQ(pid_get_start_time(child, &t1), 0);
        ASSERT_EQ(pid_get_start_time(getpid(), &t2), 0);
        ASSERT(t1 >= t2);
        ASSERT(t1 > 0);
        {
                uint64_t ino = 0, t3 = 0;
                ASSERT_EQ(leader_identify(child, &ino, &t3, NULL), 0);
                ASSERT(t3 == t1);
                ASSERT(ino > 0);
        }
        kill(child, SIGKILL);
        ASSERT(waitpid(child, NULL, 0) == child);
        close(p[0]);
        close(p[1]);
}

static void test_list(void) {
        _cleanup_(container_state_freep) ContainerState *alive = make_state("alive", getpid());
        _cleanup_(container_state_freep) ContainerState *gone = make_state("gone", getpid());
        _cleanup_(container_state_freep) ContainerState *reused = make_state("reused", getpid());
        _cleanup_(container_state_freep) ContainerState *stopped = make_state("stopped", 0);
        _cleanup_strv_free_ char **problems = NULL;
        _cleanup_free_ char *path = NULL, *joined = NULL;
        ContainerStateEntry *e = NULL;
        size_t n = 0;

        _cleanup_(container_state_freep) ContainerState *thread = make_state("thread", getpid());
        Thread t;

        gone->pid = dead_child();
        reused->start_time += 1;
        thread_start(&t);
        thread->pid = t.tid;
        ASSERT_EQ(container_state_save(root, alive), 0);
        ASSERT_EQ(container_state_save(root, thread), 0);
        ASSERT_EQ(container_state_save(root, gone), 0);
        ASSERT_EQ(container_state_save(root, reused), 0);
        ASSERT_EQ(container_state_save(root, stopped), 0);
        write_file("corrupt", "{\"version\":1,");
        ASSERT(asprintf(&path, "%s/creating", root) > 0);
        ASSERT(mkdir(path, 0700) == 0);
        free(path);
        ASSERT(asprintf(&path, "%s/.hidden", root) > 0);
        ASSERT(mkdir(path, 0700) == 0);

        /* A stale entry whose PID names a thread now does not cost the list the others. */
        ASSERT_EQ(container_state_list(root, &e, &n, &problems), 0);
        thread_stop(&t);
        ASSERT_EQ(n, 5);
        ASSERT_STREQ(e[0].state->id, "alive");
        ASSERT_EQ(e[0].leader, LEADER_ALIVE);
        ASSERT_STREQ(e[1].state->id, "gone");
        ASSERT_EQ(e[1].leader, LEADER_GONE);
        ASSERT_STREQ(e[2].state->id, "reused");
        ASSERT_EQ(e[2].leader, LEADER_REUSED);
        ASSERT_STREQ(e[3].state->id, "stopped");
        ASSERT_EQ(e[3].leader, LEADER_GONE);
        ASSERT_STREQ(e[4].state->id, "thread");
        ASSERT_EQ(e[4].leader, LEADER_GONE);
        container_state_entries_free(e, n);

        joined = strv_join(problems, "\n");
        fprintf(stderr, "problems:\n%s\n", joined);
        ASSERT_EQ(strv_length(problems), 3);
        ASSERT(strstr(joined, "corrupt: state.json is not valid JSON"));
        ASSERT(strstr(joined, "removed"));
        ASSERT(strstr(joined, "creating: no state.json, skipped"));
        ASSERT(strstr(joined, ".hidden: not a valid container id, skipped"));

        /* The corrupt entry is gone, the others (stale ones included) are kept for the caller. */
        free(path);
        ASSERT(asprintf(&path, "%s/corrupt", root) > 0);
        ASSERT(access(path, F_OK) < 0 && errno == ENOENT);
        free(path);
        ASSERT(asprintf(&path, "%s/gone/state.json", root) > 0);
        ASSERT(access(path, F_OK) == 0);

        /* A missing root is an empty list. */
        ASSERT_EQ(container_state_list("/nonexistent/state-root", &e, &n, NULL), 0);
        ASSERT_EQ(n, 0);
}

static void test_rfc3339(void) {
        struct timespec ts = { .tv_sec = 0, .tv_nsec = 1 }, back;
        _cleanup_free_ char *s = NULL;

        ASSERT_EQ(rfc3339_format(&ts, &s), 0);
        ASSERT_STREQ(s, "1970-01-01T00:00:00.000000001Z");
        ts = (struct timespec) { .tv_sec = 1764515672, .tv_nsec = 999999999 };
        free(s);
        ASSERT_EQ(rfc3339_format(&ts, &s), 0);
        ASSERT_STREQ(s, "2025-11-30T15:14:32.999999999Z");
        ASSERT_EQ(rfc3339_parse(s, &back), 0);
        ASSERT_EQ(back.tv_sec, ts.tv_sec);
        ASSERT_EQ(back.tv_nsec, ts.tv_nsec);

        ASSERT_EQ(rfc3339_parse("2025-11-30T16:14:32.5+01:00", &back), 0);
        ASSERT_EQ(back.tv_sec, 1764515672);
        ASSERT_EQ(back.tv_nsec, 500000000);
        ASSERT_EQ(rfc3339_parse("2025-11-30T15:14:32Z", &back), 0);
        ASSERT_EQ(back.tv_nsec, 0);
        ASSERT_EQ(rfc3339_parse("2025-11-30T15:14:32", &back), -EINVAL);
        ASSERT_EQ(rfc3339_parse("2025-11-30 15:14:32Z", &back), -EINVAL);
        ASSERT_EQ(rfc3339_parse("2025-11-30T15:14:32.Z", &back), -EINVAL);
        ASSERT_EQ(rfc3339_parse("2025-11-30T15:14:32.1234567890Z", &back), -EINVAL);
        ASSERT_EQ(rfc3339_parse(" 2025-11-30T15:14:32Z", &back), -EINVAL);
        ASSERT_EQ(rfc3339_parse("2025-11-30T15:14:32Zjunk", &back), -EINVAL);
        ASSERT_EQ(rfc3339_parse("2025-13-30T15:14:32Z", &back), -EINVAL);
}

static void test_tables(void) {
        for (ContainerStatus s = 0; s < _CONTAINER_STATUS_MAX; s++)
                ASSERT_EQ(container_status_from_string(container_status_to_string(s)), s);
        for (ContainerOwner o = 0; o < _CONTAINER_OWNER_MAX; o++)
                ASSERT_EQ(container_owner_from_string(container_owner_to_string(o)), o);
        for (LeaderStatus l = 0; l < _LEADER_STATUS_MAX; l++)
                ASSERT(leader_status_to_string(l));
        ASSERT_EQ(container_status_from_string("bogus"), _CONTAINER_STATUS_INVALID);
        ASSERT_EQ(container_owner_from_string(NULL), _CONTAINER_OWNER_INVALID);
        ASSERT(!container_status_to_string(_CONTAINER_STATUS_MAX));

        ASSERT(container_id_is_valid("abc"));
        ASSERT(container_id_is_valid("a.b_c+d-1"));
        ASSERT(!container_id_is_valid(""));
        ASSERT(!container_id_is_valid("."));
        ASSERT(!container_id_is_valid(".."));
        ASSERT(!container_id_is_valid(".#state.json.x"));
        ASSERT(!container_id_is_valid("a/b"));
        ASSERT(!container_id_is_valid("a b"));
        {
                char longid[300];
                memset(longid, 'a', sizeof(longid) - 1);
                longid[sizeof(longid) - 1] = 0;
                ASSERT(!container_id_is_valid(longid));
                longid[CONTAINER_ID_MAX] = 0;
                ASSERT(container_id_is_valid(longid));
        }
}

int main(void) {
        ASSERT(mkdtemp(root));

        test_tables();
        test_rfc3339();
        test_round_trip();
        test_daemon_fields();
        test_config_copy();
        test_save_failure_leaves_nothing();
        test_corrupt();
        test_leader();
        test_pidfd_exit();
        test_list();

        {
                _cleanup_free_ char *cmd = NULL;
                ASSERT(asprintf(&cmd, "rm -rf '%s'", root) > 0);
                ASSERT(system(cmd) == 0);
        }
        return 0;
}
