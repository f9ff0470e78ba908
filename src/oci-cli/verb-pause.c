/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pause ID, resume ID: the cgroup v2 freezer of the container's cgroup (its scope's, with systemd), waiting
 * until the kernel reports the cgroup frozen (or thawed). */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime.h"
#include "util.h"

/* Whether cgroup.events says "frozen 1". Returns 1, 0, or -errno. */
static int cgroup_frozen(int dir_fd) {
        _cleanup_close_ int fd = -EBADF;
        char buf[256];
        ssize_t n;

        fd = openat(dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        return strstr(buf, "frozen 1") != NULL;
}

static int freeze(OciLoaded *l, bool frozen) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        usec_t end;
        int r;

        if (l->status != (frozen ? CONTAINER_RUNNING : CONTAINER_PAUSED))
                return oci_error(EBUSY, "Container '%s' is %s, not %s", l->state->id,
                                 container_status_to_string(l->status), frozen ? "running" : "paused");
        if (!l->state->cgroup)
                return oci_error(ENOMEDIUM, "Container '%s' has no cgroup of its own", l->state->id);
        if (asprintf(&path, "/sys/fs/cgroup%s", l->state->cgroup) < 0)
                return oci_error(ENOMEM, "Out of memory");
        dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return oci_error(errno, "Failed to open %s: %s", path, strerror(errno));
        fd = openat(dir_fd, "cgroup.freeze", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, frozen ? "1" : "0", 1) != 1)
                return oci_error(errno, "Failed to %s %s: %s", frozen ? "freeze" : "thaw", path, strerror(errno));

        /* Freezing is asynchronous: done when cgroup.events says so (at most 10 s). */
        end = now(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;
        while ((r = cgroup_frozen(dir_fd)) >= 0 && (r > 0) != frozen) {
                if (now(CLOCK_MONOTONIC) > end)
                        return oci_error(ETIMEDOUT, "Container '%s' did not %s within 10 s", l->state->id,
                                         frozen ? "freeze" : "thaw");
                (void) poll(NULL, 0, 5);
        }
        if (r < 0)
                return oci_error(r, "Failed to read %s/cgroup.events: %s", path, strerror(-r));
        return 0;
}

static int pause_or_resume(int argc, char **argv, bool frozen) {
        _cleanup_(oci_loaded_freep) OciLoaded *l = NULL;

        if (argc != 2) {
                oci_error(EINVAL, "%s: expected exactly one container id", argv[0]);
                return EXIT_FAILURE;
        }
        if (oci_runtime_load(argv[1], &l) < 0 || freeze(l, frozen) < 0)
                return EXIT_FAILURE;
        return EXIT_SUCCESS;
}

int verb_pause(int argc, char **argv) {
        return pause_or_resume(argc, argv, true);
}

int verb_resume(int argc, char **argv) {
        return pause_or_resume(argc, argv, false);
}
