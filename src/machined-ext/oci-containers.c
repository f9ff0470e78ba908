/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fd-util.h"
#include "log.h"
#include "macro.h"
#include "oci-containers.h"
#include "state.h"

static void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

/* The status as the OCI CLI's "state" derives it: what was recorded, unless the recorded leader is no more. */
static const char *derived_status(const ContainerState *s, pid_t *ret_leader) {
        int r;

        *ret_leader = 0;
        if (s->pid <= 0)
                return container_status_to_string(s->status);
        r = container_state_check_leader(s, NULL);
        if (r != LEADER_ALIVE)
                return container_status_to_string(CONTAINER_STOPPED);  /* gone, recycled, or cannot tell */
        *ret_leader = s->pid;
        return container_status_to_string(s->status);
}

int oci_containers_append(sd_bus_message *reply, const char *root, bool show_bundle) {
        _cleanup_(closedirp) DIR *d = NULL;
        int r;

        d = opendir(root);
        if (!d)
                return errno == ENOENT ? 0 : -errno;

        for (struct dirent *de; (errno = 0, de = readdir(d)); ) {
                _cleanup_(container_state_freep) ContainerState *s = NULL;
                _cleanup_free_ char *error = NULL;
                const char *status;
                pid_t leader;

                if (!container_id_is_valid(de->d_name))
                        continue;       /* also ".", "..", temp files */
                /* Never trusted: every field typed and checked, symlinks and oversized files refused. */
                r = container_state_load(root, de->d_name, &s, &error);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_debug_errno(r, "Not listing OCI container %s/%s: %s", root, de->d_name,
                                        error ?: strerror(-r));
                        continue;
                }
                if (s->owner != CONTAINER_OWNER_OCI_CLI)
                        continue;

                status = derived_status(s, &leader);
                r = sd_bus_message_append(reply, "(ssuss)", s->id, status, (uint32_t) leader, s->unit ?: "",
                                          show_bundle ? strempty(s->bundle) : "");
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return -errno;
        return 0;
}
