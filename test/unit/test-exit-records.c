/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's records of the last runs of machines that are gone (src/machined-ext/exit-records.c): a run
 * of a name replaces its older record, and beyond EXIT_RECORDS_MAX names the records that ended first go,
 * never the one just added; the index finds every name kept after any number of evictions, and iteration
 * goes from the newest end to the oldest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exit-records.h"
#include "test-assert.h"

static void add(ExitRecords *r, unsigned i, usec_t t) {
        char name[32];

        snprintf(name, sizeof(name), "m-%04u", i);
        ASSERT_EQ(exit_records_add(r, name, 1, (int) i, t, t - 5, "machine-x.scope"), 0);
}

static const ExitRecord *get(ExitRecords *r, unsigned i) {
        char name[32];

        snprintf(name, sizeof(name), "m-%04u", i);
        return exit_records_get(r, name);
}

/* Every name in LO..HI is found, with its own record, and none outside. */
static void check_range(ExitRecords *r, unsigned lo, unsigned hi, unsigned outside) {
        for (unsigned i = lo; i <= hi; i++) {
                const ExitRecord *e = get(r, i);

                ASSERT(e);
                ASSERT_EQ(e->status, (int) i);
        }
        for (unsigned i = 0; i < outside; i++)
                ASSERT(!get(r, i));
}

int main(void) {
        ExitRecords *r = exit_records_new();
        char long_name[MACHINE_NAME_MAX + 2], long_unit[EXIT_RECORD_UNIT_MAX + 1];
        const ExitRecord *e;
        unsigned n;
        usec_t last;

        ASSERT(r);
        ASSERT_EQ(exit_records_add(NULL, "x", 1, 0, 1, 0, NULL), -EINVAL);
        ASSERT_EQ(exit_records_add(r, "", 1, 0, 1, 0, NULL), -EINVAL);
        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = 0;
        ASSERT_EQ(exit_records_add(r, long_name, 1, 0, 1, 0, NULL), -EINVAL);
        ASSERT_EQ(exit_records_size(r), 0u);
        long_name[MACHINE_NAME_MAX] = 0;        /* the longest a machine name can be */
        ASSERT_EQ(exit_records_add(r, long_name, 1, 0, 1, 0, NULL), 0);
        ASSERT(exit_records_get(r, long_name));
        exit_records_free(r);
        r = exit_records_new();
        ASSERT(r);

        /* A second run of a name replaces its record. */
        add(r, 1, 100);
        add(r, 1, 200);
        ASSERT_EQ(exit_records_size(r), 1u);
        e = get(r, 1);
        ASSERT(e && e->timestamp == 200 && e->start_timestamp == 195 && e->status == 1);
        ASSERT(strcmp(e->unit, "machine-x.scope") == 0);
        ASSERT_EQ(exit_records_add(r, "no-unit", 2, 9, 300, 0, NULL), 0);
        e = exit_records_get(r, "no-unit");
        ASSERT(e && e->unit[0] == 0 && e->code == 2 && e->status == 9);
        /* A unit longer than a unit name can be: the record is kept without it. */
        memset(long_unit, 'u', sizeof(long_unit) - 1);
        long_unit[sizeof(long_unit) - 1] = 0;
        ASSERT_EQ(exit_records_add(r, "long-unit", 1, 3, 301, 0, long_unit), 0);
        e = exit_records_get(r, "long-unit");
        ASSERT(e && e->unit[0] == 0 && e->status == 3);
        exit_records_free(r);
        r = exit_records_new();
        ASSERT(r);
        ASSERT_EQ(exit_records_size(r), 0u);
        ASSERT(!get(r, 1));

        /* EXIT_RECORDS_MAX + 100 names, ended in order: the last EXIT_RECORDS_MAX stay. */
        for (unsigned i = 0; i < EXIT_RECORDS_MAX + 100; i++)
                add(r, i, 1000 + i);
        ASSERT_EQ(exit_records_size(r), EXIT_RECORDS_MAX);
        check_range(r, 100, EXIT_RECORDS_MAX + 99, 100);

        /* Newest first, each end older than the one before, every record once. */
        n = 0;
        last = UINT64_MAX;
        EXIT_RECORDS_FOREACH(x, r) {
                ASSERT(x->timestamp < last);
                last = x->timestamp;
                n++;
        }
        ASSERT_EQ(n, EXIT_RECORDS_MAX);

        /* A name that runs again is the newest, whatever its first end: it stays, the oldest other goes. */
        add(r, 100, 5000);
        ASSERT_EQ(exit_records_size(r), EXIT_RECORDS_MAX);
        add(r, EXIT_RECORDS_MAX + 100, 5001);
        ASSERT_EQ(exit_records_size(r), EXIT_RECORDS_MAX);
        ASSERT(get(r, 100));
        ASSERT(!get(r, 101));
        ASSERT(get(r, EXIT_RECORDS_MAX + 100));
        ASSERT_EQ(exit_records_next(r, NULL)->status, (int) EXIT_RECORDS_MAX + 100);

        /* One added with an end older than all others (a clock step back) still stays: it is the one just
         * added. */
        add(r, 9000, 1);
        ASSERT_EQ(exit_records_size(r), EXIT_RECORDS_MAX);
        ASSERT(get(r, 9000));

        /* Many rounds of evictions (the index's backward shifts): every name kept is still found. */
        for (unsigned i = 10000; i < 10000 + 20 * EXIT_RECORDS_MAX; i++)
                add(r, i, i);
        ASSERT_EQ(exit_records_size(r), EXIT_RECORDS_MAX);
        check_range(r, 10000 + 19 * EXIT_RECORDS_MAX, 10000 + 20 * EXIT_RECORDS_MAX - 1, 10000 + 19 * EXIT_RECORDS_MAX);

        exit_records_free(r);
        printf("test-exit-records: OK\n");
        return 0;
}
