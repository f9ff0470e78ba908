/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The create/start protocol: a container created by one process (which then exits) waits, and is released by a
 * different process through the FIFO in the state directory, or cancelled that way. Needs root (namespaces,
 * mounts) and a static busybox for the payload; skipped (77) otherwise. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "libmount-dl.h"
#include "macro.h"
#include "priv/priv.h"
#include "test-assert.h"

static char root[] = "/tmp/test-create-start-root.XXXXXX";
static char state[] = "/tmp/test-create-start-state.XXXXXX";

static void run(const char *cmd) {
        ASSERT_EQ(system(cmd), 0);
}

/* Creator: spawns the container, waits for SETUP_DONE, writes the init's pid to OUT_FD and exits without
 * releasing it. */
static _noreturn_ void creator(const char *fifo, const char *file, int out_fd) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "touch", (char *) file, NULL };
        char *envp[] = { (char *) "PATH=/bin", NULL };
        ContainerConfig c = {
                .hostname = "createstart",
                .root = root,
                .argv = argv,
                .envp = envp,
                .stdin_fd = -EBADF,
                .stdout_fd = -EBADF,
                .stderr_fd = STDERR_FILENO,
                .console_fd = -EBADF,
                .capability_bounding = container_default_capabilities(),
                .personality = PERSONALITY_INVALID,
                .oom_score_adjust = OOM_SCORE_ADJUST_UNSET,
                .resolv_conf = RESOLV_CONF_OFF,
                .timezone = TIMEZONE_OFF,
                .release_fifo = fifo,
        };
        ContainerReport report;
        Container ct;
        int r;

        ASSERT_EQ(container_spawn(&c, &ct), 0);
        for (;;) {
                struct pollfd p = { .fd = ct.sync_fd, .events = POLLIN };
                ASSERT(poll(&p, 1, 30000) == 1);
                r = container_read_report(ct.sync_fd, &report, NULL);
                if (r == -EAGAIN)
                        continue;
                ASSERT_EQ(r, 1);
                if (report.stage == CONTAINER_STAGE_WARNING)
                        continue;
                if (report.stage != CONTAINER_STAGE_SETUP_DONE) {
                        char *m = container_report_message(&report);
                        fprintf(stderr, "set-up failed: %s\n", m);
                        _exit(EXIT_FAILURE);
                }
                break;
        }
        ASSERT_EQ(write(out_fd, &ct.pid, sizeof(ct.pid)), (ssize_t) sizeof(ct.pid));
        _exit(EXIT_SUCCESS); /* without container_release() */
}

static pid_t create(const char *fifo, const char *file) {
        int pipefd[2];
        pid_t creator_pid, init_pid = 0;
        int status;

        ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0);
        creator_pid = fork();
        ASSERT(creator_pid >= 0);
        if (creator_pid == 0) {
                close(pipefd[0]);
                creator(fifo, file, pipefd[1]);
        }
        close(pipefd[1]);
        ASSERT_EQ(read(pipefd[0], &init_pid, sizeof(init_pid)), (ssize_t) sizeof(init_pid));
        close(pipefd[0]);
        ASSERT_EQ(waitpid(creator_pid, &status, 0), creator_pid);
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return init_pid;
}

/* Starter: a different process, which knows nothing but the FIFO's path. */
static int start_from_other_process(const char *fifo, bool go) {
        pid_t pid;
        int status;

        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0)
                _exit(-container_start(fifo, go));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status));
        return -WEXITSTATUS(status);
}

static bool exists_in_root(const char *file) {
        char p[256];
        snprintf(p, sizeof(p), "%s%s", root, file);
        return access(p, F_OK) >= 0;
}

static void test_create_then_start(void) {
        char fifo[256];
        pid_t init;
        int status;

        snprintf(fifo, sizeof(fifo), "%s/start", state);
        ASSERT_EQ(mkfifo(fifo, 0600), 0);

        /* Nobody waits on it yet. */
        ASSERT_EQ(container_start(fifo, true), -ENXIO);

        init = create(fifo, "/started");
        /* The creator is gone; the init is still there, waiting, and has not run the payload. */
        usleep(200 * 1000);
        ASSERT_EQ(waitpid(init, &status, WNOHANG), 0);
        ASSERT(!exists_in_root("/started"));

        ASSERT_EQ(start_from_other_process(fifo, true), 0);
        ASSERT_EQ(waitpid(init, &status, 0), init);
        ASSERT(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
        ASSERT(exists_in_root("/started"));

        /* Started once: nothing waits any more. */
        ASSERT_EQ(container_start(fifo, true), -ENXIO);
        ASSERT_EQ(unlink(fifo), 0);
}

static void test_create_then_cancel(void) {
        char fifo[256];
        pid_t init;
        int status;

        snprintf(fifo, sizeof(fifo), "%s/cancel", state);
        ASSERT_EQ(mkfifo(fifo, 0600), 0);
        init = create(fifo, "/cancelled");
        ASSERT_EQ(start_from_other_process(fifo, false), 0);
        ASSERT_EQ(waitpid(init, &status, 0), init);
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) != 0);
        ASSERT(!exists_in_root("/cancelled"));
        ASSERT_EQ(unlink(fifo), 0);
}

static void test_not_a_fifo(void) {
        char p[256];
        int fd;

        snprintf(p, sizeof(p), "%s/regular", state);
        fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ASSERT(fd >= 0);
        close(fd);
        ASSERT_EQ(container_start(p, true), -EBADFD);
        ASSERT_EQ(container_start("relative", true), -EINVAL);
}

static void test_spawn_invalid(void) {
        char *argv[] = { NULL };
        ContainerConfig c = { .hostname = "x", .root = "/", .argv = argv };
        Container ct;

        /* Bad input is -EINVAL, never an assert(). */
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        c.argv = NULL;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        ASSERT_EQ(container_spawn(NULL, &ct), -EINVAL);
}

int main(void) {
        char cmd[512];

        test_spawn_invalid();
        /* The creators below are forks of ours: libmount is loaded by the process that started, before
         * (libmount-dl.h), as the daemon and the CLI have it when they spawn. */
        ASSERT_EQ(dlopen_libmount(), 0);
        if (geteuid() != 0 || access("/bin/busybox", X_OK) < 0) {
                fprintf(stderr, "needs root and /bin/busybox, skipping\n");
                return 77;
        }
        ASSERT(mkdtemp(root));
        ASSERT(mkdtemp(state));
        test_not_a_fifo();
        snprintf(cmd, sizeof(cmd), "mkdir -p %s/bin %s/proc %s/sys %s/dev %s/run %s/tmp && cp /bin/busybox %s/bin/",
                 root, root, root, root, root, root, root);
        run(cmd);
        /* The init is reparented to us when its creator exits. */
        ASSERT_EQ(priv_set_child_subreaper(true), 0);

        test_create_then_start();
        test_create_then_cancel();

        snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system %s %s", root, state);
        run(cmd);
        return 0;
}
