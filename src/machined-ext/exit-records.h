/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "name.h"
#include "time-util.h"

/* A unit name's length with its NUL (systemd's UNIT_NAME_MAX). */
#define EXIT_RECORD_UNIT_MAX 256

/* The result of a machine's last run, kept after its object is gone (WaitMachine, GetExitedMachine,
 * ListExitedMachines, and the ExitCode property of a run queued behind it). */
typedef struct ExitRecord {
        char name[MACHINE_NAME_MAX + 1];
        char unit[EXIT_RECORD_UNIT_MAX];        /* the run's unit, "" if unknown */
        int code;               /* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
        int status;
        usec_t timestamp;       /* realtime µs of the exit */
        usec_t start_timestamp; /* realtime µs of the start of that run, 0 if unknown */
        uint16_t older, newer;  /* the order of the ends (slot + 1, 0: none) */
} ExitRecord;

/* At most this many names keep a record: the one that ended first goes first. A daemon that runs containers
 * of new names for ever (an OCI engine's ids) would otherwise grow without end. */
#define EXIT_RECORDS_MAX 512U

/* The records live in one mapping of EXIT_RECORDS_MAX slots with an index of their names, made once: not in
 * small allocations spread over the heap. Those kept the pages around them from being given back after many
 * machines were freed, and malloc walking the free chunks between them wrote to pages that each fork of the
 * daemon (a machine's init) shares until it execs: a copy-on-write fault each, 300 a start after 1000
 * machines had come and gone, against 60 with a fresh daemon (issue #17). */
typedef struct ExitRecords ExitRecords;

ExitRecords *exit_records_new(void);
ExitRecords *exit_records_free(ExitRecords *r);

/* Records the result of NAME's last run, replacing an older one, and dropping the one that ended first
 * beyond EXIT_RECORDS_MAX. TIMESTAMP is the end (realtime µs). UNIT may be NULL, or longer than a unit name
 * can be: then the record has none. Returns 0, or -EINVAL (no records, NAME NULL, empty or longer than a
 * machine name). */
int exit_records_add(ExitRecords *r, const char *name, int code, int status, usec_t timestamp,
                     usec_t start_timestamp, const char *unit);

const ExitRecord *exit_records_get(const ExitRecords *r, const char *name);
size_t exit_records_size(const ExitRecords *r);

/* Iteration from the newest end to the oldest: pass NULL for the first. */
const ExitRecord *exit_records_next(const ExitRecords *r, const ExitRecord *e);
#define EXIT_RECORDS_FOREACH(e, r) for (const ExitRecord *e = exit_records_next((r), NULL); e; e = exit_records_next((r), e))
