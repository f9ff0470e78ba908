/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The record of a stop under way of a container of machined-ext-oci (oci-containers.h), so that it
 * survives a restart of the daemon: the SIGKILL timer of a StopMachine lives in the daemon, the container
 * does not. One state file per container, OCI_STOP_RECORD_ROOT/ID/state.json, written with state.c
 * (atomically, validated when read): the leader's identity as the CLI recorded it (PID, pidfd inode, start
 * time), its unit and bundle, and two daemon facts, the CLOCK_MONOTONIC time of the SIGTERM and the deadline
 * of the SIGKILL. The daemon's own directory, never the CLI's: the CLI's state stays the CLI's. */

#include "state.h"
#include "util.h"

#define OCI_STOP_RECORD_ROOT "/run/machined-ext/oci-stops"

/* Writes the record of a stop of the container of the CLI whose state is CLI (its leader alive) under ROOT:
 * SIGTERM sent at TIMESTAMP, SIGKILL due at DEADLINE (both CLOCK_MONOTONIC µs, TIMESTAMP <= DEADLINE).
 * Returns 0, -EINVAL if CLI has no leader, or -errno. */
int oci_stop_record_save(const char *root, const ContainerState *cli, usec_t timestamp, usec_t deadline);

/* Reads the stop's times out of a loaded record; NOW is CLOCK_MONOTONIC. Returns 0 with *ret_timestamp and
 * *ret_deadline, or -EBADMSG with a reason in *ret_reason (a static string) if the record is not one of ours
 * (another owner, no leader) or its times are missing, not numbers, in the future (the SIGTERM) or before the
 * SIGTERM (the deadline). */
int oci_stop_record_parse(const ContainerState *record, usec_t now, usec_t *ret_timestamp, usec_t *ret_deadline,
                          const char **ret_reason);
