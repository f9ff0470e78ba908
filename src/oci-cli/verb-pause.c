/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pause ID, resume ID: the cgroup v2 freezer of the container's cgroup (its scope's, with systemd), waiting
 * until the kernel reports the cgroup frozen (or thawed). A created or running container can be paused; its
 * status is derived from the freezer (runtime.c), so a resumed one is what it was before. */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime.h"
#include "util.h"

static int freeze(OciLoaded *l, bool frozen) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        /* A created container may be paused too (runc's Pause()): resumed, it is created again. */
        if (frozen ? !IN_SET(l->status, CONTAINER_CREATED, CONTAINER_RUNNING) : l->status != CONTAINER_PAUSED)
                return oci_error(EBUSY, "Container '%s' is %s, not %s", l->state->id,
                                 container_status_to_string(l->status), frozen ? "created or running" : "paused");
        if (!l->state->cgroup)
                return oci_error(ENOMEDIUM, "Container '%s' has no cgroup of its own", l->state->id);
        if (asprintf(&path, "/sys/fs/cgroup%s", l->state->cgroup) < 0)
                return oci_error(ENOMEM, "Out of memory");
        dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return oci_error(errno, "Failed to open %s: %s", path, strerror(errno));
        r = oci_cgroup_set_frozen(dir_fd, frozen);
        if (r == -ETIMEDOUT)
                return oci_error(r, "Container '%s' did not %s within 10 s", l->state->id, frozen ? "freeze" : "thaw");
        if (r < 0)
                return oci_error(r, "Failed to %s %s: %s", frozen ? "freeze" : "thaw", path, strerror(-r));
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
