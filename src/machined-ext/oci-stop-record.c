/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "oci-stop-record.h"
#include "strv.h"

#define FACT_TIMESTAMP "stopTimestampMonotonic"
#define FACT_DEADLINE "stopDeadlineMonotonic"

static int strdup_opt(const char *s, char **ret) {
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int add_u64(char ***l, const char *key, uint64_t v) {
        char buf[32];

        (void) snprintf(buf, sizeof(buf), "%" PRIu64, v);
        if (strv_extend(l, key) < 0 || strv_extend(l, buf) < 0)
                return -ENOMEM;
        return 0;
}

int oci_stop_record_save(const char *root, const ContainerState *cli, usec_t timestamp, usec_t deadline) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        int r;

        if (cli->pid <= 0 || timestamp > deadline)
                return -EINVAL;

        s = new0(ContainerState, 1);
        if (!s)
                return -ENOMEM;
        /* What identifies the leader and its run, as the CLI recorded it: the next instance checks the leader
         * against it, and against the CLI's state file, before it signals anything. */
        *s = (ContainerState) {
                .status = cli->status,
                .owner = CONTAINER_OWNER_OCI_CLI,
                .pid = cli->pid,
                .pidfd_inode = cli->pidfd_inode,
                .start_time = cli->start_time,
                .created = cli->created,
        };
        r = strdup_opt(cli->id, &s->id);
        r = r ?: strdup_opt(cli->bundle, &s->bundle);
        r = r ?: strdup_opt(cli->settings, &s->settings);
        r = r ?: strdup_opt(cli->root, &s->root);
        r = r ?: strdup_opt(cli->unit, &s->unit);
        r = r ?: strdup_opt(cli->cgroup, &s->cgroup);
        r = r ?: add_u64(&s->daemon, FACT_TIMESTAMP, timestamp);
        r = r ?: add_u64(&s->daemon, FACT_DEADLINE, deadline);
        if (r < 0)
                return r;

        return container_state_save(root, s);
}

/* The value of the daemon fact KEY as a number. Returns 0 and *ret, -ENOENT if missing, -EBADMSG if it is no
 * decimal number. */
static int fact_u64(const ContainerState *s, const char *key, uint64_t *ret) {
        const char *v = NULL;
        char *end;
        uint64_t u;

        for (size_t i = 0; s->daemon && s->daemon[i] && s->daemon[i + 1]; i += 2)
                if (streq(s->daemon[i], key))
                        v = s->daemon[i + 1];
        if (!v)
                return -ENOENT;
        if (*v < '0' || *v > '9')
                return -EBADMSG;        /* no sign, no space: strtoull() would take them */
        errno = 0;
        u = strtoull(v, &end, 10);
        if (errno != 0 || *end != 0)
                return -EBADMSG;
        *ret = u;
        return 0;
}

int oci_stop_record_parse(const ContainerState *record, usec_t now, usec_t *ret_timestamp, usec_t *ret_deadline,
                          const char **ret_reason) {
        uint64_t timestamp, deadline;
        int r;

        if (record->owner != CONTAINER_OWNER_OCI_CLI || record->pid <= 0) {
                *ret_reason = "not the record of a container of machined-ext-oci with a leader";
                return -EBADMSG;
        }
        r = fact_u64(record, FACT_TIMESTAMP, &timestamp);
        if (r < 0) {
                *ret_reason = r == -ENOENT ? "no " FACT_TIMESTAMP : "invalid " FACT_TIMESTAMP;
                return -EBADMSG;
        }
        r = fact_u64(record, FACT_DEADLINE, &deadline);
        if (r < 0) {
                *ret_reason = r == -ENOENT ? "no " FACT_DEADLINE : "invalid " FACT_DEADLINE;
                return -EBADMSG;
        }
        /* CLOCK_MONOTONIC does not go back within a boot, and /run does not outlive one. */
        if (timestamp == 0 || timestamp > now) {
                *ret_reason = FACT_TIMESTAMP " is not in the past";
                return -EBADMSG;
        }
        if (deadline < timestamp) {
                *ret_reason = FACT_DEADLINE " is before " FACT_TIMESTAMP;
                return -EBADMSG;
        }
        *ret_timestamp = timestamp;
        *ret_deadline = deadline;
        return 0;
}
