/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The record of a stop under way of a container of machined-ext-oci (src/machined-ext/oci-stop-record.c):
 * what the next instance of the daemon reads back, and every way a record is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci-stop-record.h"
#include "strv.h"
#include "test-assert.h"

static char root[] = "/tmp/test-oci-stop-record-XXXXXX";

#define NOW (1000 * USEC_PER_SEC)

static ContainerState *make_cli_state(const char *id, pid_t pid) {
        ContainerState *s = new0(ContainerState, 1);

        ASSERT(s);
        s->id = strdup(id);
        s->status = CONTAINER_RUNNING;
        s->owner = CONTAINER_OWNER_OCI_CLI;
        s->pid = pid;
        ASSERT_EQ(leader_identify(pid, &s->pidfd_inode, &s->start_time, NULL), 0);
        s->bundle = strdup("/var/lib/machines/c1");
        s->root = strdup("/var/lib/machines/c1/rootfs");
        s->created = (struct timespec) { .tv_sec = 1764515672, .tv_nsec = 5 };
        ASSERT(strv_extend(&s->annotations, "org.example.key") == 0);
        ASSERT(strv_extend(&s->annotations, "value") == 0);
        s->unit = strdup("machined-ext-oci-c1.scope");
        s->cgroup = strdup("/machine.slice/machined-ext-oci-c1.scope");
        return s;
}

static void test_round_trip(void) {
        _cleanup_(container_state_freep) ContainerState *cli = make_cli_state("c1", getpid()), *l = NULL;
        _cleanup_free_ char *error = NULL;
        const char *reason = NULL;
        usec_t ts = 0, deadline = 0;

        ASSERT_EQ(oci_stop_record_save(root, cli, NOW - 3 * USEC_PER_SEC, NOW + 5 * USEC_PER_SEC), 0);
        ASSERT_EQ(container_state_load(root, "c1", &l, &error), 0);
        /* The leader's identity and run, as the CLI recorded them; the CLI's annotations are not copied. */
        ASSERT_STREQ(l->id, "c1");
        ASSERT_EQ(l->owner, CONTAINER_OWNER_OCI_CLI);
        ASSERT_EQ(l->status, CONTAINER_RUNNING);
        ASSERT_EQ(l->pid, getpid());
        ASSERT(l->pidfd_inode == cli->pidfd_inode);
        ASSERT(l->start_time == cli->start_time);
        ASSERT_STREQ(l->bundle, "/var/lib/machines/c1");
        ASSERT_STREQ(l->unit, "machined-ext-oci-c1.scope");
        ASSERT_EQ(l->created.tv_sec, 1764515672);
        ASSERT(!l->annotations);
        ASSERT_EQ(container_state_check_leader(l, NULL), LEADER_ALIVE);

        ASSERT_EQ(oci_stop_record_parse(l, NOW, &ts, &deadline, &reason), 0);
        ASSERT(ts == NOW - 3 * USEC_PER_SEC);
        ASSERT(deadline == NOW + 5 * USEC_PER_SEC);
        /* A deadline that has passed is still a valid record: the caller kills at once. */
        ASSERT_EQ(oci_stop_record_parse(l, NOW + 60 * USEC_PER_SEC, &ts, &deadline, &reason), 0);

        ASSERT_EQ(container_state_remove(root, "c1"), 0);
}

static void test_save_refused(void) {
        _cleanup_(container_state_freep) ContainerState *cli = make_cli_state("c2", getpid()), *l = NULL;
        _cleanup_free_ char *error = NULL;

        ASSERT_EQ(oci_stop_record_save(root, cli, NOW, NOW - 1), -EINVAL);     /* deadline before the SIGTERM */
        cli->pid = 0;
        ASSERT_EQ(oci_stop_record_save(root, cli, NOW, NOW), -EINVAL);         /* no leader */
        ASSERT_EQ(container_state_load(root, "c2", &l, &error), -ENOENT);      /* nothing written */
}

/* A loaded record whose daemon facts are KEY1=V1, KEY2=V2 (NULL: left out) must be refused with REASON. */
static void check_refused(const char *k1, const char *v1, const char *k2, const char *v2, ContainerOwner owner,
                          const char *want_reason) {
        _cleanup_(container_state_freep) ContainerState *s = make_cli_state("c3", getpid());
        const char *reason = NULL;
        usec_t ts = 7, deadline = 7;

        s->owner = owner;
        if (k1)
                ASSERT(strv_extend(&s->daemon, k1) == 0 && strv_extend(&s->daemon, v1) == 0);
        if (k2)
                ASSERT(strv_extend(&s->daemon, k2) == 0 && strv_extend(&s->daemon, v2) == 0);
        ASSERT_EQ(oci_stop_record_parse(s, NOW, &ts, &deadline, &reason), -EBADMSG);
        ASSERT_STREQ(reason, want_reason);
        ASSERT(ts == 7 && deadline == 7);      /* untouched */
}

static void test_parse_refused(void) {
        const char *T = "stopTimestampMonotonic", *D = "stopDeadlineMonotonic";

        check_refused(NULL, NULL, NULL, NULL, CONTAINER_OWNER_OCI_CLI, "no stopTimestampMonotonic");
        check_refused(T, "5", NULL, NULL, CONTAINER_OWNER_OCI_CLI, "no stopDeadlineMonotonic");
        check_refused(T, "-5", D, "9", CONTAINER_OWNER_OCI_CLI, "invalid stopTimestampMonotonic");
        check_refused(T, " 5", D, "9", CONTAINER_OWNER_OCI_CLI, "invalid stopTimestampMonotonic");
        check_refused(T, "5", D, "9s", CONTAINER_OWNER_OCI_CLI, "invalid stopDeadlineMonotonic");
        check_refused(T, "5", D, "", CONTAINER_OWNER_OCI_CLI, "invalid stopDeadlineMonotonic");
        check_refused(T, "5", D, "99999999999999999999999", CONTAINER_OWNER_OCI_CLI,
                      "invalid stopDeadlineMonotonic");
        check_refused(T, "0", D, "9", CONTAINER_OWNER_OCI_CLI, "stopTimestampMonotonic is not in the past");
        check_refused(T, "1000000001", D, "1000000009", CONTAINER_OWNER_OCI_CLI,
                      "stopTimestampMonotonic is not in the past");
        check_refused(T, "9", D, "5", CONTAINER_OWNER_OCI_CLI, "stopDeadlineMonotonic is before stopTimestampMonotonic");
        check_refused(T, "5", D, "9", CONTAINER_OWNER_DAEMON,
                      "not the record of a container of machined-ext-oci with a leader");
}

int main(void) {
        ASSERT(mkdtemp(root));

        test_round_trip();
        test_save_refused();
        test_parse_refused();

        ASSERT_EQ(rmdir(root), 0);      /* every record removed, nothing left behind */
        return 0;
}
