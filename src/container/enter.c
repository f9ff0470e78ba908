/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a running container: container_bind_mount() (machinectl bind). */

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "container.h"
#include "init.h"
#include "priv/priv.h"

typedef struct BindMount {
        int leader_pidfd;
        int tree;
        const char *destination;
        bool is_dir;
        bool make_dir;
} BindMount;

/* Runs in the short-lived child, which joins the container's mount namespace. */
static int bind_mount_in_container(void *userdata, SetupLog *l) {
        BindMount *b = userdata;
        _cleanup_close_ int rootfd = -EBADF, target = -EBADF;
        int r;

        (void) priv_set_pdeathsig(SIGKILL);
        r = priv_setns(b->leader_pidfd, CLONE_NEWNS);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, r, "setns");
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return setup_fail(l, CONTAINER_STAGE_PREPARE, -errno, "/");

        /* The container's tree is untrusted: every lookup stays inside its root. */
        if (b->make_dir) {
                r = priv_create_in_root(rootfd, b->destination, b->is_dir);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_EXEC, r, b->destination);
        }
        target = priv_open_in_root(rootfd, b->destination);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_EXEC, target, b->destination);
        r = priv_move_mount(b->tree, target);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_EXEC, r, b->destination);
        return 0;
}

int container_bind_mount(int leader_pidfd, const char *source, const char *destination, bool read_only,
                         bool make_dir, int *ret_pidfd, int *ret_report_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_close_ int tree = -EBADF;
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        struct stat st;
        int pidfd = -EBADF, r;
        long pid;

        if (leader_pidfd < 0 || !source || source[0] != '/' || !destination || destination[0] != '/' ||
            !ret_pidfd || !ret_report_fd)
                return -EINVAL;

        /* SOURCE comes from a root caller and names a host path: clone it here, in the host's namespace. */
        tree = priv_tree_clone(AT_FDCWD, source, AT_RECURSIVE);
        if (tree < 0)
                return tree;
        if (fstat(tree, &st) < 0)
                return -errno;
        if (read_only) {
                r = priv_mount_setattr(tree, true, &ro);
                if (r < 0)
                        return r;
        }

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;

        pid = priv_clone_pidfd(0, &pidfd);
        if (pid < 0)
                return (int) pid;
        if (pid == 0) {
                BindMount b = {
                        .leader_pidfd = leader_pidfd,
                        .tree = tree,
                        .destination = destination,
                        .is_dir = S_ISDIR(st.st_mode),
                        .make_dir = make_dir,
                };

                pair[0] = safe_close(pair[0]);
                container_helper_run(pair[1], bind_mount_in_container, &b);
        }

        *ret_pidfd = pidfd;
        *ret_report_fd = TAKE_FD(pair[0]);
        return 0;
}
