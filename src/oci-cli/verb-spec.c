/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spec [--bundle DIR]: a default config.json, runc's: "sh" as root in ./rootfs, read-only, its own namespaces
 * (network too), three capabilities, no new privileges. */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "oci-cli.h"

static const char default_spec[] =
        "{\n"
        "\t\"ociVersion\": \"1.2.0\",\n"
        "\t\"process\": {\n"
        "\t\t\"terminal\": true,\n"
        "\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"
        "\t\t\"args\": [ \"sh\" ],\n"
        "\t\t\"env\": [\n"
        "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
        "\t\t\t\"TERM=xterm\"\n"
        "\t\t],\n"
        "\t\t\"cwd\": \"/\",\n"
        "\t\t\"capabilities\": {\n"
        "\t\t\t\"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "\t\t\t\"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "\t\t\t\"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
        "\t\t},\n"
        "\t\t\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
        "\t\t\"noNewPrivileges\": true\n"
        "\t},\n"
        "\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
        "\t\"hostname\": \"machined-ext-oci\",\n"
        "\t\"mounts\": [\n"
        "\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
        "\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
        "\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\" ] },\n"
        "\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
        "\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
        "\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
        "\t\t{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
        "\t],\n"
        "\t\"linux\": {\n"
        "\t\t\"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
        "\t\t\"namespaces\": [\n"
        "\t\t\t{ \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
        "\t\t\t{ \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }\n"
        "\t\t],\n"
        "\t\t\"maskedPaths\": [\n"
        "\t\t\t\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
        "\t\t\t\"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
        "\t\t\t\"/proc/scsi\"\n"
        "\t\t],\n"
        "\t\t\"readonlyPaths\": [\n"
        "\t\t\t\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n"
        "\t\t]\n"
        "\t}\n"
        "}\n";

int verb_spec(int argc, char **argv) {
        static const struct option options[] = {
                { "bundle",   required_argument, NULL, 'b' },
                { "rootless", no_argument,       NULL, 'r' },
                {}
        };
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *bundle = ".";
        size_t n = sizeof(default_spec) - 1;
        int c;

        while ((c = getopt_long(argc, argv, "b:", options, NULL)) >= 0)
                switch (c) {
                case 'b':
                        bundle = optarg;
                        break;
                case 'r':
                        oci_error(EOPNOTSUPP, "spec --rootless: only root can use this runtime");
                        return EXIT_FAILURE;
                default:
                        return EXIT_FAILURE;
                }
        if (optind != argc) {
                oci_error(EINVAL, "spec: takes no arguments");
                return EXIT_FAILURE;
        }
        if (asprintf(&path, "%s/config.json", bundle) < 0) {
                oci_error(ENOMEM, "Out of memory");
                return EXIT_FAILURE;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                oci_error(errno, "%s: %s", path, errno == EEXIST ? "exists already, remove it first" : strerror(errno));
                return EXIT_FAILURE;
        }
        if (write(fd, default_spec, n) != (ssize_t) n) {
                oci_error(errno, "Failed to write %s: %s", path, strerror(errno));
                (void) unlink(path);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
