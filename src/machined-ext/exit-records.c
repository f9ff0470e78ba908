/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The results of the last runs of machines that are gone, per name, bounded, in one mapping
 * (exit-records.h): EXIT_RECORDS_MAX slots in the order their runs ended (a list through the slots), and an
 * open-addressing index of their names (linear probing, at most half full, deletion by backward shift). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "exit-records.h"
#include "hashmap.h"
#include "macro.h"

#define INDEX_SIZE (2 * EXIT_RECORDS_MAX)       /* a power of two */
#define INDEX_MASK (INDEX_SIZE - 1)

_Static_assert((INDEX_SIZE & INDEX_MASK) == 0, "the index size must be a power of two");
_Static_assert(EXIT_RECORDS_MAX < UINT16_MAX, "slots are numbered in 16 bits");

struct ExitRecords {
        ExitRecord slots[EXIT_RECORDS_MAX];     /* 0 .. n - 1 are used */
        uint16_t index[INDEX_SIZE];             /* slot + 1, 0: empty */
        uint16_t newest, oldest;                /* slot + 1, 0: none */
        size_t n;
        uint64_t seed;
};

/* Seeded: a D-Bus peer names the machines. */
static size_t hash_name(const ExitRecords *r, const char *s) {
        return (size_t) hash_string(r->seed, s) & INDEX_MASK;
}

ExitRecords *exit_records_new(void) {
        ExitRecords *r;

        /* Its own mapping, not the heap: pages are touched as slots are used. */
        r = mmap(NULL, sizeof(ExitRecords), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r == MAP_FAILED)
                return NULL;
        if (getrandom(&r->seed, sizeof(r->seed), GRND_NONBLOCK) != sizeof(r->seed))
                r->seed = (uint64_t) (uintptr_t) r;
        return r;
}

ExitRecords *exit_records_free(ExitRecords *r) {
        if (r)
                (void) munmap(r, sizeof(ExitRecords));
        return NULL;
}

/* The index position of NAME, or of the empty one where it would go. */
static size_t index_find(const ExitRecords *r, const char *name) {
        size_t i = hash_name(r, name);

        while (r->index[i] != 0 && !streq(r->slots[r->index[i] - 1].name, name))
                i = (i + 1) & INDEX_MASK;
        return i;
}

/* Empties index position I and moves the entries after it that probed past it back, so that every entry
 * stays reachable from its hash without gaps. */
static void index_remove_at(ExitRecords *r, size_t i) {
        size_t j = i;

        r->index[i] = 0;
        for (;;) {
                size_t k;

                j = (j + 1) & INDEX_MASK;
                if (r->index[j] == 0)
                        return;
                k = hash_name(r, r->slots[r->index[j] - 1].name);
                /* The entry at J stays if its home K lies cyclically in (I, J]. */
                if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
                        continue;
                r->index[i] = r->index[j];
                r->index[j] = 0;
                i = j;
        }
}

static void order_unlink(ExitRecords *r, uint16_t s) {
        ExitRecord *e = r->slots + s - 1;

        if (e->older)
                r->slots[e->older - 1].newer = e->newer;
        else
                r->oldest = e->newer;
        if (e->newer)
                r->slots[e->newer - 1].older = e->older;
        else
                r->newest = e->older;
        e->older = e->newer = 0;
}

static void order_push_newest(ExitRecords *r, uint16_t s) {
        ExitRecord *e = r->slots + s - 1;

        e->older = r->newest;
        e->newer = 0;
        if (r->newest)
                r->slots[r->newest - 1].newer = s;
        else
                r->oldest = s;
        r->newest = s;
}

int exit_records_add(ExitRecords *r, const char *name, int code, int status, usec_t timestamp,
                     usec_t start_timestamp, const char *unit) {
        size_t i, len;
        uint16_t s;

        if (!r || !name)
                return -EINVAL;
        len = strlen(name);
        if (len == 0 || len > MACHINE_NAME_MAX)
                return -EINVAL;

        i = index_find(r, name);
        if (r->index[i] != 0) {
                /* A run of the same name: its slot takes the new result. */
                s = r->index[i];
                order_unlink(r, s);
        } else if (r->n < EXIT_RECORDS_MAX) {
                s = (uint16_t) ++r->n;
                r->index[i] = s;
        } else {
                /* Full: the record that ended first gives its slot. */
                s = r->oldest;
                order_unlink(r, s);
                index_remove_at(r, index_find(r, r->slots[s - 1].name));
                r->index[index_find(r, name)] = s;
        }

        ExitRecord *e = r->slots + s - 1;
        memcpy(e->name, name, len + 1);
        if (unit && strlen(unit) < sizeof(e->unit))
                strcpy(e->unit, unit);
        else
                e->unit[0] = 0;
        e->code = code;
        e->status = status;
        e->timestamp = timestamp;
        e->start_timestamp = start_timestamp;
        order_push_newest(r, s);
        return 0;
}

const ExitRecord *exit_records_get(const ExitRecords *r, const char *name) {
        size_t i;

        if (!r || !name)
                return NULL;
        i = index_find(r, name);
        return r->index[i] != 0 ? r->slots + r->index[i] - 1 : NULL;
}

size_t exit_records_size(const ExitRecords *r) {
        return r ? r->n : 0;
}

const ExitRecord *exit_records_next(const ExitRecords *r, const ExitRecord *e) {
        uint16_t s;

        if (!r)
                return NULL;
        s = e ? e->older : r->newest;
        return s != 0 ? r->slots + s - 1 : NULL;
}
