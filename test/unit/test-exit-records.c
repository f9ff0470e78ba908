/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's records of the last runs of machines that are gone (src/machined-ext/exit-records.c): a run
 * of a name replaces its older record, and beyond EXIT_RECORDS_MAX names the records that ended first go,
 * never the one just added. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exit-records.h"
#include "test-assert.h"

static void add(Hashmap *h, unsigned i, usec_t t) {
        char name[32];

        snprintf(name, sizeof(name), "m-%04u", i);
        ASSERT_EQ(exit_records_add(h, name, 1, (int) i, t, t - 5, "machine-x.scope"), 0);
}

static const ExitRecord *get(Hashmap *h, unsigned i) {
        char name[32];

        snprintf(name, sizeof(name), "m-%04u", i);
        return hashmap_get(h, name);
}

int main(void) {
        Hashmap *h = hashmap_new();
        const ExitRecord *e;

        ASSERT(h);
        ASSERT_EQ(exit_records_add(NULL, "x", 1, 0, 1, 0, NULL), -EINVAL);

        /* A second run of a name replaces its record. */
        add(h, 1, 100);
        add(h, 1, 200);
        ASSERT_EQ(hashmap_size(h), 1u);
        e = get(h, 1);
        ASSERT(e && e->timestamp == 200 && e->start_timestamp == 195 && e->status == 1);
        ASSERT(e->unit && strcmp(e->unit, "machine-x.scope") == 0);
        ASSERT_EQ(exit_records_add(h, "no-unit", 2, 9, 300, 0, NULL), 0);
        e = hashmap_get(h, "no-unit");
        ASSERT(e && !e->unit && e->code == 2 && e->status == 9);
        exit_records_clear(h);
        ASSERT_EQ(hashmap_size(h), 0u);

        /* EXIT_RECORDS_MAX + 100 names, ended in order: the last EXIT_RECORDS_MAX stay. */
        for (unsigned i = 0; i < EXIT_RECORDS_MAX + 100; i++)
                add(h, i, 1000 + i);
        ASSERT_EQ(hashmap_size(h), EXIT_RECORDS_MAX);
        ASSERT(!get(h, 0));
        ASSERT(!get(h, 99));
        ASSERT(get(h, 100));
        ASSERT(get(h, EXIT_RECORDS_MAX + 99));

        /* A name that runs again is the newest, whatever its first end: it stays, the oldest other goes. */
        add(h, 100, 5000);
        ASSERT_EQ(hashmap_size(h), EXIT_RECORDS_MAX);
        add(h, EXIT_RECORDS_MAX + 100, 5001);
        ASSERT_EQ(hashmap_size(h), EXIT_RECORDS_MAX);
        ASSERT(get(h, 100));
        ASSERT(!get(h, 101));
        ASSERT(get(h, EXIT_RECORDS_MAX + 100));

        /* One added with an end older than all others (a clock step back) still stays: it is the one just
         * added. */
        add(h, 9000, 1);
        ASSERT_EQ(hashmap_size(h), EXIT_RECORDS_MAX);
        ASSERT(get(h, 9000));

        exit_records_clear(h);
        hashmap_free(h);
        printf("test-exit-records: OK\n");
        return 0;
}
