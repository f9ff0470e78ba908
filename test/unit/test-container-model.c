/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of the container model beyond nspawn's settings (toward OCI): numeric process IDs with additional
 * GIDs, umask, all five capability sets, sysctls, devices, read-only and masked paths, joined namespaces,
 * seccomp rules with argument conditions. Each runs a real container on a busybox root and looks at what the
 * payload saw. Needs root and a static /bin/busybox; skipped (77) otherwise. */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmount/libmount.h>

#include "container.h"
#include "macro.h"
#include "priv/priv.h"
#include "seccomp-oci.h"
#include "seccomp-policy.h"

#include "test-assert.h"

static char root[] = "/tmp/test-container-model.XXXXXX";

static void run(const char *cmd) {
        ASSERT_EQ(system(cmd), 0);
}

static ContainerConfig base_config(char **argv) {
        static char *envp[] = { (char *) "PATH=/bin", NULL };
        return (ContainerConfig) {
                .hostname = "model",
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
        };
}

/* Runs the container to its end; returns the payload's exit status, or -1 (with the report printed) if
 * set-up failed. */
static int run_container(const ContainerConfig *c) {
        ContainerReport report;
        Container ct;
        int r, status;

        ASSERT_EQ(container_spawn(c, &ct), 0);
        for (;;) {
                struct pollfd p = { .fd = ct.sync_fd, .events = POLLIN };
                ASSERT(poll(&p, 1, 30000) == 1);
                r = container_read_report(ct.sync_fd, &report, NULL);
                if (r == -EAGAIN)
                        continue;
                if (r == 0)
                        break; /* exec'd */
                ASSERT_EQ(r, 1);
                if (report.stage == CONTAINER_STAGE_WARNING)
                        continue;
                if (report.stage == CONTAINER_STAGE_SETUP_DONE) {
                        ASSERT_EQ(container_release(ct.sync_fd), 0);
                        continue;
                }
                fprintf(stderr, "set-up failed: %s\n", container_report_message(&report));
                ASSERT_EQ(waitpid(ct.pid, &status, 0), ct.pid);
                close(ct.sync_fd);
                close(ct.pidfd);
                return -1;
        }
        ASSERT_EQ(waitpid(ct.pid, &status, 0), ct.pid);
        close(ct.sync_fd);
        close(ct.pidfd);
        ASSERT(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/* The contents of the file PATH in the root, from a line starting with PREFIX (or the whole file). */
static char *read_out(const char *name, const char *prefix) {
        char p[512], line[1024];
        FILE *f;

        snprintf(p, sizeof(p), "%s/out/%s", root, name);
        f = fopen(p, "re");
        ASSERT(f);
        while (fgets(line, sizeof(line), f)) {
                if (prefix && strncmp(line, prefix, strlen(prefix)) != 0)
                        continue;
                fclose(f);
                line[strcspn(line, "\n")] = 0;
                return strdup(prefix ? line + strlen(prefix) : line);
        }
        fclose(f);
        return strdup("");
}

static int sh(const char *script) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c", (char *) script, NULL };
        ContainerConfig c = base_config(argv);
        return run_container(&c);
}

#define CAP(x) (UINT64_C(1) << (x))

static uint64_t host_bounding_set(void) {
        char line[256];
        uint64_t v = 0;
        FILE *f = fopen("/proc/self/status", "re");

        ASSERT(f);
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "CapBnd:\t", 8) == 0)
                        v = strtoull(line + 8, NULL, 16);
        fclose(f);
        return v;
}

static void test_process(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox cat /proc/self/status > /out/status; umask > /out/umask", NULL };
        static const gid_t extra[] = { 3000, 3001 };
        ContainerConfig c = base_config(argv);
        _cleanup_free_ char *uid = NULL, *gid = NULL, *groups = NULL, *um = NULL, *inh = NULL, *amb = NULL,
                            *eff = NULL, *bnd = NULL;

        c.process_ids_set = true;
        c.uid = 1000;
        c.gid = 2000;
        c.additional_gids = extra;
        c.n_additional_gids = ELEMENTSOF(extra);
        c.umask_set = true;
        c.umask = 0027;
        c.capabilities_set = true;
        c.capability_effective = CAP(CAP_NET_BIND_SERVICE);
        c.capability_permitted = CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_CHOWN);
        c.capability_inheritable = CAP(CAP_NET_BIND_SERVICE);
        c.capability_ambient = CAP(CAP_NET_BIND_SERVICE);
        ASSERT_EQ(run_container(&c), 0);

        uid = read_out("status", "Uid:\t");
        gid = read_out("status", "Gid:\t");
        groups = read_out("status", "Groups:\t");
        um = read_out("umask", NULL);
        inh = read_out("status", "CapInh:\t");
        amb = read_out("status", "CapAmb:\t");
        eff = read_out("status", "CapEff:\t");
        bnd = read_out("status", "CapBnd:\t");
        ASSERT_STREQ(uid, "1000\t1000\t1000\t1000");
        ASSERT_STREQ(gid, "2000\t2000\t2000\t2000");
        ASSERT_STREQ(groups, "3000 3001 ");
        ASSERT_STREQ(um, "0027");
        ASSERT_STREQ(inh, "0000000000000400");
        ASSERT_STREQ(amb, "0000000000000400");
        ASSERT_STREQ(eff, "0000000000000400");
        ASSERT_EQ(strtoull(bnd, NULL, 16), container_default_capabilities() & host_bounding_set());

        /* Without the model's fields: root, umask 0022, as before. */
        ASSERT_EQ(sh("busybox cat /proc/self/status > /out/status; umask > /out/umask"), 0);
        free(uid);
        uid = read_out("status", "Uid:\t");
        ASSERT_STREQ(uid, "0\t0\t0\t0");
        free(um);
        um = read_out("umask", NULL);
        ASSERT_STREQ(um, "0022");
}

static void test_sysctl(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox cat /proc/sys/net/ipv4/ip_forward > /out/fwd; "
                                  "echo 0 > /proc/sys/net/ipv4/ip_forward && echo writable > /out/rw || echo ro > /out/rw",
                         NULL };
        char *good[] = { (char *) "net.ipv4.ip_forward=1", NULL };
        char *host_wide[] = { (char *) "kernel.hostname=x", NULL };
        char *bad_key[] = { (char *) "net/../../kernel/x=1", NULL };
        ContainerConfig c = base_config(argv);
        Container ct;
        _cleanup_free_ char *fwd = NULL, *rw = NULL;
        char host_before[8] = "", host_after[8] = "";
        int fd;

        fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT(read(fd, host_before, sizeof(host_before) - 1) > 0);
        close(fd);

        c.private_network = true;
        c.sysctls = good;
        ASSERT_EQ(run_container(&c), 0);
        fwd = read_out("fwd", NULL);
        rw = read_out("rw", NULL);
        ASSERT_STREQ(fwd, "1");
        ASSERT_STREQ(rw, "ro"); /* /proc/sys is still read-only for the payload */

        fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT(read(fd, host_after, sizeof(host_after) - 1) > 0);
        close(fd);
        ASSERT_STREQ(host_before, host_after);

        /* Refused before anything is cloned: a sysctl that is not namespaced, a net sysctl without a network
         * namespace of the container's own, a key that walks out of /proc/sys. */
        c.sysctls = host_wide;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        c.sysctls = bad_key;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        c.sysctls = good;
        c.private_network = false;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        ASSERT_EQ(sysctl_key_check("kernel.shmmax", false, true), 0);
        ASSERT_EQ(sysctl_key_check("kernel.shmmax", false, false), -EPERM);
        ASSERT_EQ(sysctl_key_check("vm.swappiness", true, true), -EPERM);
        ASSERT_EQ(sysctl_key_check("net..x", true, true), -EINVAL);
}

static void test_devices(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox stat -c '%F %a %t:%T %u:%g' /dev/my/zero2 > /out/dev", NULL };
        ContainerDevice devs[] = {
                { .path = "/dev/my/zero2", .type = S_IFCHR, .major = 1, .minor = 5, .mode = 0640, .uid = 0, .gid = 5 },
        };
        ContainerDevice bad[] = { { .path = "/dev/../etc/x", .type = S_IFCHR, .mode = 0600 } };
        ContainerConfig c = base_config(argv);
        _cleanup_free_ char *out = NULL;
        Container ct;

        c.devices = devs;
        c.n_devices = ELEMENTSOF(devs);
        ASSERT_EQ(run_container(&c), 0);
        out = read_out("dev", NULL);
        ASSERT_STREQ(out, "character special file 640 1:5 0:5");

        c.devices = bad;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
}

static void test_masks(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox touch /data/new 2>/dev/null && echo rw > /out/data || echo ro > /out/data; "
                                  "busybox cat /secret > /out/secret; busybox cat /data/old > /out/old", NULL };
        char *ro[] = { (char *) "/data", (char *) "/does-not-exist", NULL };
        char *masked[] = { (char *) "/secret", (char *) "/does-not-exist-either", NULL };
        ContainerConfig c = base_config(argv);
        _cleanup_free_ char *data = NULL, *secret = NULL, *old = NULL;
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "mkdir -p %s/data && echo old > %s/data/old && echo secret > %s/secret", root,
                 root, root);
        run(cmd);
        c.readonly_paths = ro;
        c.masked_paths = masked;
        ASSERT_EQ(run_container(&c), 0);
        data = read_out("data", NULL);
        secret = read_out("secret", NULL);
        old = read_out("old", NULL);
        ASSERT_STREQ(data, "ro");
        ASSERT_STREQ(old, "old");
        ASSERT_STREQ(secret, "");

        /* Control: without them, /data is writable and /secret readable. */
        c.readonly_paths = c.masked_paths = NULL;
        ASSERT_EQ(run_container(&c), 0);
        free(data);
        free(secret);
        data = read_out("data", NULL);
        secret = read_out("secret", NULL);
        ASSERT_STREQ(data, "rw");
        ASSERT_STREQ(secret, "secret");
}

/* The container's mount at PATH (from its /out/mountinfo, read by libmount), as
 * " VFS-OPTIONS OPTIONAL-FIELDS - FSTYPE SOURCE FS-OPTIONS " (the fields of a mountinfo line), or "". */
static char *mountinfo_line(const char *path) {
        struct libmnt_table *tb;
        struct libmnt_fs *fs;
        char p[512], *line = NULL;

        snprintf(p, sizeof(p), "%s/out/mountinfo", root);
        tb = mnt_new_table_from_file(p);
        ASSERT(tb);
        /* The last mount on PATH is the one the container sees. */
        fs = mnt_table_find_target(tb, path, MNT_ITER_BACKWARD);
        if (!fs)
                line = strdup("");
        else
                ASSERT(asprintf(&line, " %s %s - %s %s %s ", strempty(mnt_fs_get_vfs_options(fs)),
                                strempty(mnt_fs_get_optional_fields(fs)), strempty(mnt_fs_get_fstype(fs)),
                                strempty(mnt_fs_get_source(fs)), strempty(mnt_fs_get_fs_options(fs))) >= 0);
        mnt_unref_table(tb);
        ASSERT(line);
        return line;
}

static void test_mounts(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox cat /proc/self/mountinfo > /out/mountinfo; "
                                  "busybox stat -c %a /mnt/t > /out/mode; busybox cat /mnt/b/hostfile > /out/b; "
                                  "busybox touch /mnt/b/x 2>/dev/null && echo rw > /out/brw || echo ro > /out/brw", NULL };
        char *tmpfs_opts[] = { (char *) "size=1m", (char *) "mode=0700", NULL };
        char *bad_opts[] = { (char *) "=x", NULL };
        char src[] = "/tmp/test-container-model-src.XXXXXX", cmd[512];
        ContainerMount m[2];
        ContainerConfig c = base_config(argv);
        _cleanup_free_ char *t = NULL, *b = NULL, *mode = NULL, *content = NULL, *brw = NULL;
        Container ct;

        ASSERT(mkdtemp(src));
        snprintf(cmd, sizeof(cmd), "echo from-host > %s/hostfile", src);
        run(cmd);
        m[0] = (ContainerMount) { .type = "tmpfs", .source = "mytmp", .destination = "/mnt/t",
                                  .attr = MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                  .options = tmpfs_opts };
        m[1] = (ContainerMount) { .type = "bind", .source = src, .destination = "/mnt/b",
                                  .attr = MOUNT_ATTR_RDONLY, .recursive = true, .propagation = MS_SHARED };
        c.mounts = m;
        c.n_mounts = 2;
        ASSERT_EQ(run_container(&c), 0);

        t = mountinfo_line("/mnt/t");
        b = mountinfo_line("/mnt/b");
        mode = read_out("mode", NULL);
        content = read_out("b", NULL);
        brw = read_out("brw", NULL);
        ASSERT(strstr(t, " rw,nosuid,nodev,noexec"));
        ASSERT(strstr(t, " - tmpfs mytmp "));
        ASSERT(strstr(t, "size=1024k"));
        ASSERT_STREQ(mode, "700");
        ASSERT(strstr(b, " ro"));
        ASSERT(strstr(b, " shared:"));
        ASSERT_STREQ(content, "from-host");
        ASSERT_STREQ(brw, "ro");

        /* Refused before the clone. */
        m[0].options = bad_opts;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        m[0].options = tmpfs_opts;
        m[1].source = "relative";
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        m[1].source = src;
        m[1].destination = "/mnt/../../x";
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);

        snprintf(cmd, sizeof(cmd), "rm -rf %s", src);
        run(cmd);
}

static void test_user_namespace(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox cat /proc/self/uid_map > /out/uidmap; busybox id -u > /out/uid; "
                                  "busybox touch /out/created; busybox cat /dev/null > /out/null", NULL };
        static const ContainerIdMap map[] = { { .inside = 0, .outside = 100000, .count = 65536 } };
        static const ContainerIdMap bad[] = { { .inside = 0, .outside = 100000, .count = 0 } };
        ContainerConfig c = base_config(argv);
        _cleanup_free_ char *uidmap = NULL, *uid = NULL;
        char p[512];
        struct stat st;
        Container ct;

        c.uid_map = c.gid_map = map;
        c.n_uid_map = c.n_gid_map = 1;
        c.private_network = true; /* sysfs in a user namespace needs a network namespace of its own */
        ASSERT_EQ(run_container(&c), 0);
        uidmap = read_out("uidmap", NULL);
        uid = read_out("uid", NULL);
        ASSERT_STREQ(uid, "0");
        ASSERT(strstr(uidmap, "100000"));
        ASSERT(strstr(uidmap, "65536"));
        /* Root inside is 100000 outside. */
        snprintf(p, sizeof(p), "%s/out/created", root);
        ASSERT_EQ(stat(p, &st), 0);
        ASSERT_EQ(st.st_uid, 100000);
        ASSERT_EQ(st.st_gid, 100000);

        c.uid_map = bad;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        c.uid_map = map;
        c.n_gid_map = 0;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
}

static void test_join_namespaces(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox hostname > /out/hostname; busybox readlink /proc/self/ns/net > /out/net",
                         NULL };
        char uts[64], net[64], want[64];
        ContainerNamespace ns[2];
        ContainerConfig c = base_config(argv);
        _cleanup_free_ char *hostname = NULL, *netns = NULL;
        int pipefd[2], status;
        struct stat st;
        pid_t helper;
        char b;

        /* A process with its own UTS and network namespaces, the way another container would have them. */
        ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0);
        helper = fork();
        ASSERT(helper >= 0);
        if (helper == 0) {
                ASSERT_EQ(unshare(CLONE_NEWUTS | CLONE_NEWNET), 0);
                ASSERT_EQ(sethostname("joined-uts", strlen("joined-uts")), 0);
                ASSERT_EQ(write(pipefd[1], "x", 1), 1);
                pause();
                _exit(0);
        }
        close(pipefd[1]);
        ASSERT_EQ(read(pipefd[0], &b, 1), 1);
        close(pipefd[0]);

        snprintf(uts, sizeof(uts), "/proc/%i/ns/uts", (int) helper);
        snprintf(net, sizeof(net), "/proc/%i/ns/net", (int) helper);
        ns[0] = (ContainerNamespace) { .type = CONTAINER_NAMESPACE_UTS, .path = uts };
        ns[1] = (ContainerNamespace) { .type = CONTAINER_NAMESPACE_NET, .path = net };
        c.join_namespaces = ns;
        c.n_join_namespaces = 2;
        ASSERT_EQ(run_container(&c), 0);
        hostname = read_out("hostname", NULL);
        netns = read_out("net", NULL);
        ASSERT_STREQ(hostname, "joined-uts");
        ASSERT_EQ(stat(net, &st), 0);
        snprintf(want, sizeof(want), "net:[%lu]", (unsigned long) st.st_ino);
        ASSERT_STREQ(netns, want);

        /* A file that is not a namespace of that type, or none at all, fails the start before anything is
         * cloned, naming it. */
        {
                _cleanup_free_ char *error = NULL;
                Container ct;

                ns[0].path = "/proc/self/ns/ipc";
                ns[0].origin = "linux.namespaces[0].path";
                c.n_join_namespaces = 1;
                ASSERT_EQ(container_spawn_full(&c, &ct, &error), -EMEDIUMTYPE);
                ASSERT_STREQ(error, "linux.namespaces[0].path: /proc/self/ns/ipc is not a uts namespace");
                error = mfree(error);
                ns[0].path = "/etc/hostname";
                ASSERT_EQ(container_spawn_full(&c, &ct, &error), -EMEDIUMTYPE);
                ASSERT(startswith(error, "linux.namespaces[0].path: /etc/hostname is not a uts namespace"));
                error = mfree(error);
                ns[0].path = "/run/no-such-namespace";
                ASSERT_EQ(container_spawn_full(&c, &ct, &error), -ENOENT);
                ASSERT(startswith(error, "linux.namespaces[0].path: cannot open /run/no-such-namespace"));
        }

        (void) kill(helper, SIGKILL);
        ASSERT_EQ(waitpid(helper, &status, 0), helper);
}

/* Forks a holder of new namespaces FLAGS (a PID namespace's init is the holder's child, which pauses; a user
 * namespace gets the map "0 0 65536"). Returns the holder's pid. */
static pid_t make_holder(int flags) {
        int pipefd[2], go[2];
        pid_t pid;
        char b;

        ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0);
        ASSERT_EQ(pipe2(go, O_CLOEXEC), 0);
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                if (unshare(flags) < 0)
                        _exit(1);
                if ((flags & CLONE_NEWPID) && fork() == 0) {
                        /* The namespace's init: it must not outlive the holder (nor hold our stdout). */
                        if (priv_set_pdeathsig(SIGKILL) < 0)
                                _exit(1);
                        pause();
                        _exit(0);
                }
                if (flags & CLONE_NEWPID) {
                        /* The namespace's init is our child; we stay for pid_for_children. */
                        (void) write(pipefd[1], "x", 1);
                        pause();
                        _exit(0);
                }
                (void) write(pipefd[1], "x", 1);
                (void) read(go[0], &b, 1);
                pause();
                _exit(0);
        }
        close(pipefd[1]);
        ASSERT_EQ(read(pipefd[0], &b, 1), 1);
        close(pipefd[0]);
        if (flags & CLONE_NEWUSER) {
                char p[64];
                int fd;

                /* As unshare --map-root-user does: setgroups() denied in it. */
                snprintf(p, sizeof(p), "/proc/%i/setgroups", (int) pid);
                ASSERT((fd = open(p, O_WRONLY | O_CLOEXEC)) >= 0);
                ASSERT_EQ(write(fd, "deny", 4), 4);
                close(fd);
                snprintf(p, sizeof(p), "/proc/%i/uid_map", (int) pid);
                ASSERT((fd = open(p, O_WRONLY | O_CLOEXEC)) >= 0);
                ASSERT_EQ(write(fd, "0 0 65536\n", 10), 10);
                close(fd);
                snprintf(p, sizeof(p), "/proc/%i/gid_map", (int) pid);
                ASSERT((fd = open(p, O_WRONLY | O_CLOEXEC)) >= 0);
                ASSERT_EQ(write(fd, "0 0 65536\n", 10), 10);
                close(fd);
        }
        close(go[0]);
        close(go[1]);
        return pid;
}

static void assert_ns_inode(const char *file, const char *ns_path, const char *type) {
        _cleanup_free_ char *got = NULL;
        char want[64];
        struct stat st;

        got = read_out(file, NULL);
        ASSERT_EQ(stat(ns_path, &st), 0);
        snprintf(want, sizeof(want), "%s:[%lu]", type, (unsigned long) st.st_ino);
        ASSERT_STREQ(got, want);
}

/* PID and user namespaces by path: the payload is in the holder's PID namespace (not its PID 1, which is the
 * holder's), and in its user namespace with its map. */
static void test_join_pid_user(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox readlink /proc/self/ns/pid > /out/j-pid; echo $$ > /out/j-self; "
                                  "busybox cat /proc/1/cmdline > /out/j-one; busybox readlink /proc/self/ns/user > /out/j-user; "
                                  "busybox cat /proc/self/uid_map > /out/j-uid_map; busybox id -u > /out/j-uid",
                         NULL };
        ContainerConfig c = base_config(argv);
        ContainerNamespace ns[2];
        _cleanup_free_ char *self = NULL, *uid_map = NULL, *uid = NULL;
        char pidns[64], userns[64];
        pid_t pid_holder, user_holder;
        int status;

        /* As a bundle's process.user (uid 0, gid 0) and capabilities: switched to 0:0 with CAP_KILL only. */
        c.process_ids_set = true;
        c.capabilities_set = true;
        c.capability_bounding = c.capability_effective = c.capability_permitted = UINT64_C(1) << CAP_KILL;
        pid_holder = make_holder(CLONE_NEWPID);
        user_holder = make_holder(CLONE_NEWUSER);
        snprintf(pidns, sizeof(pidns), "/proc/%i/ns/pid_for_children", (int) pid_holder);
        snprintf(userns, sizeof(userns), "/proc/%i/ns/user", (int) user_holder);
        ns[0] = (ContainerNamespace) { .type = CONTAINER_NAMESPACE_PID, .path = pidns };
        ns[1] = (ContainerNamespace) { .type = CONTAINER_NAMESPACE_USER, .path = userns };
        c.join_namespaces = ns;
        c.n_join_namespaces = 2;
        ASSERT_EQ(run_container(&c), 0);

        assert_ns_inode("j-pid", pidns, "pid");
        self = read_out("j-self", NULL);
        ASSERT(atoi(self) > 1);
        assert_ns_inode("j-user", userns, "user");
        uid_map = read_out("j-uid_map", NULL);
        ASSERT(strstr(uid_map, "65536"));
        uid = read_out("j-uid", NULL);
        ASSERT_STREQ(uid, "0");

        /* The joined user namespace has maps of its own: ours are refused. */
        {
                ContainerIdMap map = { 0, 0, 1 };
                Container ct;

                c.uid_map = c.gid_map = &map;
                c.n_uid_map = c.n_gid_map = 1;
                ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        }

        /* The PID namespace's init gone (the holder keeps the namespace): the joiner says so, nothing runs. */
        {
                _cleanup_free_ char *error = NULL;
                char p[96], buf[64] = {};
                Container ct;
                FILE *f;

                c.n_uid_map = c.n_gid_map = 0;
                c.n_join_namespaces = 1;
                snprintf(p, sizeof(p), "/proc/%i/task/%i/children", (int) pid_holder, (int) pid_holder);
                ASSERT((f = fopen(p, "re")));
                ASSERT(fgets(buf, sizeof(buf), f));
                fclose(f);
                ASSERT_EQ(kill(atoi(buf), SIGKILL), 0);
                for (int i = 0; i < 100; i++) {
                        if (access(p, F_OK) == 0 && (f = fopen(p, "re"))) {
                                bool gone = !fgets(buf, sizeof(buf), f);
                                fclose(f);
                                if (gone)
                                        break;
                        }
                        usleep(10000);
                }
                ASSERT_EQ(container_spawn_full(&c, &ct, &error), -ENOMEM);
                ASSERT(error && strstr(error, "the PID namespace has no init any more"));
        }

        (void) kill(pid_holder, SIGKILL);
        (void) kill(user_holder, SIGKILL);
        ASSERT_EQ(waitpid(pid_holder, &status, 0), pid_holder);
        ASSERT_EQ(waitpid(user_holder, &status, 0), user_holder);
}

/* Types neither new nor joined (OCI: not listed): the init stays in the creator's, and sets no hostname. */
static void test_shared_namespaces(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox readlink /proc/self/ns/uts > /out/s-uts; "
                                  "busybox readlink /proc/self/ns/ipc > /out/s-ipc; "
                                  "busybox readlink /proc/self/ns/cgroup > /out/s-cgroup",
                         NULL };
        ContainerConfig c = base_config(argv);
        char host[64];

        c.shared_namespaces = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
        ASSERT_EQ(run_container(&c), 0);
        ASSERT_EQ(gethostname(host, sizeof(host)), 0);
        ASSERT(!streq(host, "model"));
        assert_ns_inode("s-uts", "/proc/self/ns/uts", "uts");
        assert_ns_inode("s-ipc", "/proc/self/ns/ipc", "ipc");
        assert_ns_inode("s-cgroup", "/proc/self/ns/cgroup", "cgroup");
}

static void test_seccomp_rules(void) {
        ContainerSeccompRule rules[] = {
                { .name = "dup3", .action = CONTAINER_SECCOMP_ERRNO, .data = EACCES, .n_args = 1,
                  .args = { { .index = 2, .op = CONTAINER_SECCOMP_OP_EQ, .value = O_CLOEXEC } } },
                { .name = "no_such_call_xyz", .action = CONTAINER_SECCOMP_ERRNO, .data = EPERM },
        };
        ContainerSeccompProfile profile = {
                .default_action = CONTAINER_SECCOMP_ALLOW,
                .rules = rules,
                .n_rules = ELEMENTSOF(rules),
        };
        struct sock_fprog *prog = NULL;
        unsigned flags = 1;
        SetupLog l = {};
        int status;
        pid_t pid;

        ASSERT_EQ(seccomp_profile_build(&profile, &prog, &flags, NULL, &l), 0);
        ASSERT_EQ(flags, 0);
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                if (priv_seccomp_load(prog, flags) < 0)
                        _exit(10);
                if (dup3(0, 100, O_CLOEXEC) >= 0 || errno != EACCES)
                        _exit(11); /* the condition matches: denied */
                if (dup3(0, 101, 0) < 0)
                        _exit(12); /* it does not: allowed */
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
        free(prog);
}

/* PrivateUsers= (userns_*): the init enters the user namespace after its mounts, which are then locked. */
static void test_private_users(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "sh", (char *) "-c",
                         (char *) "busybox cat /proc/self/uid_map > /out/pu-uidmap; busybox id -u > /out/pu-uid; "
                                  "busybox touch /out/pu-created; "
                                  "busybox mount -o remount,bind,rw /proc/sys 2>/dev/null; echo $? > /out/pu-remount",
                         NULL };
        ContainerConfig c = base_config(argv);
        _cleanup_free_ char *uidmap = NULL, *uid = NULL, *remount = NULL;
        char p[512];
        struct stat st;
        Container ct;

        c.userns_shift = 0x30000;
        c.userns_range = 0x10000;
        c.userns_ownership = USER_NAMESPACE_OWNERSHIP_AUTO;
        ASSERT_EQ(run_container(&c), 0);
        uidmap = read_out("pu-uidmap", NULL);
        uid = read_out("pu-uid", NULL);
        remount = read_out("pu-remount", NULL);
        ASSERT_STREQ(uid, "0");
        ASSERT(strstr(uidmap, "196608"));
        ASSERT(strstr(uidmap, "65536"));
        /* The runtime's read-only /proc/sys is locked: its root cannot make it writable. */
        ASSERT(strcmp(remount, "0") != 0);
        /* Root inside is 0x30000 outside, seen through the container's root (idmapped or chowned). */
        snprintf(p, sizeof(p), "%s/out/pu-created", root);
        ASSERT_EQ(stat(p, &st), 0);
        ASSERT(st.st_uid == 0x30000 || st.st_uid == 0);

        /* chown needs a 64K range at a multiple of 64K; user namespaces of both kinds exclude each other. */
        c.userns_ownership = USER_NAMESPACE_OWNERSHIP_CHOWN;
        c.userns_shift = 0x30001;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
        c.userns_shift = 0x30000;
        c.userns_ownership = USER_NAMESPACE_OWNERSHIP_AUTO;
        c.userns_range = 0;
        c.userns_shift = UINT32_MAX;
        c.userns_range = 2;
        ASSERT_EQ(container_spawn(&c, &ct), -EINVAL);
}

/* The helper that makes the user namespace is killed, but not reaped, by container_spawn_full(): waiting for it
 * is the caller's, off the critical path (issue #17). container_spawn() reaps it itself. */
static void test_private_users_helper(void) {
        char *argv[] = { (char *) "/bin/busybox", (char *) "true", NULL };
        ContainerConfig c = base_config(argv);
        siginfo_t si = {};
        Container ct;
        int status;

        c.userns_shift = 0x30000;
        c.userns_range = 0x10000;
        c.userns_ownership = USER_NAMESPACE_OWNERSHIP_AUTO;
        ASSERT_EQ(container_spawn_full(&c, &ct, NULL), 0);
        /* The fds the init used in our table: held until it has its own, then closed. */
        ASSERT(ct.held_fds && ct.n_held_fds > 0);
        ASSERT_EQ(container_spawn_settle(&ct), 0);
        ASSERT(!ct.held_fds && ct.n_held_fds == 0);
        ASSERT_EQ(container_spawn_settle(&ct), 0);      /* idempotent */
        ASSERT(ct.helper_pidfd >= 0);
        /* Still our child, not reaped: it can be waited for (WNOWAIT leaves it). It was killed. */
        ASSERT_EQ(waitid(P_PIDFD, ct.helper_pidfd, &si, WEXITED | WNOWAIT), 0);
        ASSERT(si.si_code == CLD_KILLED || si.si_code == CLD_EXITED);
        container_reap_helper(&ct);
        ASSERT_EQ(ct.helper_pidfd, -EBADF);
        container_reap_helper(&ct);     /* idempotent */
        ASSERT_EQ(container_cancel(ct.sync_fd), 0);
        ASSERT_EQ(waitpid(ct.pid, &status, 0), ct.pid);
        close(ct.sync_fd);
        close(ct.pidfd);
        if (ct.netns_fd >= 0)
                close(ct.netns_fd);

        /* No user namespace: no helper. */
        c.userns_shift = 0;
        c.userns_range = 0;
        ASSERT_EQ(container_spawn_full(&c, &ct, NULL), 0);
        ASSERT_EQ(ct.helper_pidfd, -EBADF);
        ASSERT_EQ(container_spawn_settle(&ct), 0);
        ASSERT_EQ(container_cancel(ct.sync_fd), 0);
        ASSERT_EQ(waitpid(ct.pid, &status, 0), ct.pid);
        close(ct.sync_fd);
        close(ct.pidfd);
        if (ct.netns_fd >= 0)
                close(ct.netns_fd);
}

int main(void) {
        char cmd[512];

        if (geteuid() != 0 || access("/bin/busybox", X_OK) < 0) {
                fprintf(stderr, "needs root and /bin/busybox, skipping\n");
                return 77;
        }
        ASSERT(mkdtemp(root));
        snprintf(cmd, sizeof(cmd), "cd %s && chmod 0755 . && mkdir -p bin proc sys dev run tmp out && chmod 0777 out && "
                 "cp /bin/busybox bin/ && ln -s busybox bin/sh", root);
        run(cmd);

        test_seccomp_rules();
        test_process();
        test_sysctl();
        test_devices();
        test_masks();
        test_mounts();
        test_join_namespaces();
        test_join_pid_user();
        test_shared_namespaces();
        test_user_namespace();
        test_private_users();   /* last: may shift the owners of the test root */
        test_private_users_helper();

        snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system %s", root);
        run(cmd);
        return 0;
}
