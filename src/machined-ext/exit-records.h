/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hashmap.h"
#include "time-util.h"

/* The result of a machine's last run, kept after its object is gone (WaitMachine, GetExitedMachine,
 * ListExitedMachines, and the ExitCode property of a run queued behind it). */
typedef struct ExitRecord {
        char *name;             /* the key */
        int code;               /* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
        int status;
        usec_t timestamp;       /* realtime µs of the exit */
        usec_t start_timestamp; /* realtime µs of the start of that run, 0 if unknown */
        char *unit;             /* the run's unit, NULL if unknown */
} ExitRecord;

/* At most this many names keep a record: the oldest (by its end) goes first. A daemon that runs containers
 * of new names for ever (an OCI engine's ids) would otherwise grow without end, and each small record it
 * keeps can hold on to a page of heap that the runs around it left free. */
#define EXIT_RECORDS_MAX 512U

/* Records the result of NAME's last run in EXITS (name → ExitRecord), replacing an older one, and dropping
 * the oldest beyond EXIT_RECORDS_MAX. TIMESTAMP is the end (realtime µs). Returns 0 or -ENOMEM. */
int exit_records_add(Hashmap *exits, const char *name, int code, int status, usec_t timestamp,
                     usec_t start_timestamp, const char *unit);

/* Frees every record of EXITS (not EXITS itself). */
void exit_records_clear(Hashmap *exits);
