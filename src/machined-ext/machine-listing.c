/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>

#include "bus-api.h"
#include "machine-listing.h"
#include "machine.h"

/* One machine's entry: this header, then its name, unit and object path, each NUL-terminated, padded to the
 * header's alignment. The unit is stored as sent (bus_append_text(): printable). */
typedef struct ListingRecord {
        uint32_t leader;
        int32_t state;
        uint32_t n_name;        /* with the NUL */
        uint32_t n_unit;
        uint32_t n_path;
} ListingRecord;

#define RECORD_ALIGN _Alignof(ListingRecord)

static size_t record_size(const ListingRecord *h) {
        size_t n = sizeof(ListingRecord) + h->n_name + h->n_unit + h->n_path;

        return (n + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1);
}

void machine_listing_invalidate(MachineListing *l) {
        l->valid = false;
}

void machine_listing_done(MachineListing *l) {
        l->data = mfree(l->data);
        l->size = l->allocated = 0;
        l->valid = false;
}

static int listing_add(MachineListing *l, const Machine *m) {
        _cleanup_free_ char *printable = NULL;
        const char *unit = bus_text(m->unit, &printable);
        ListingRecord h;
        size_t n;
        char *p;

        if (!unit)
                return -ENOMEM;
        h = (ListingRecord) {
                .leader = (uint32_t) m->leader,
                .state = m->state,
                .n_name = strlen(m->name) + 1,
                .n_unit = strlen(unit) + 1,
                .n_path = strlen(m->path) + 1,
        };
        n = record_size(&h);
        if (l->size + n > l->allocated) {
                size_t a = MAX(l->size + n, 2 * l->allocated);

                p = realloc(l->data, a);
                if (!p)
                        return -ENOMEM;
                l->data = p;
                l->allocated = a;
        }
        p = l->data + l->size;
        memset(p, 0, n);
        memcpy(p, &h, sizeof(h));
        p += sizeof(h);
        memcpy(p, m->name, h.n_name);
        memcpy(p + h.n_name, unit, h.n_unit);
        memcpy(p + h.n_name + h.n_unit, m->path, h.n_path);
        l->size += n;
        return 0;
}

static int listing_build(MachineListing *l, Hashmap *machines) {
        Machine *m;
        int r;

        l->size = 0;
        l->valid = false;
        HASHMAP_FOREACH(m, machines) {
                r = listing_add(l, m);
                if (r < 0)
                        return r;
        }
        l->valid = true;
        return 0;
}

int machine_listing_append(MachineListing *l, Hashmap *machines, sd_bus_message *reply) {
        int r;

        if (!l->valid) {
                r = listing_build(l, machines);
                if (r < 0)
                        return r;
        }
#if FAULT_INJECTION
        {
                _cleanup_(machine_listing_done) MachineListing fresh = {};

                r = listing_build(&fresh, machines);
                if (r < 0)
                        return r;
                if (fresh.size != l->size || (l->size > 0 && memcmp(fresh.data, l->data, l->size) != 0))
                        return -ESTALE;
        }
#endif

        for (size_t o = 0; o < l->size;) {
                const char *p = l->data + o;
                ListingRecord h;

                memcpy(&h, p, sizeof(h));
                p += sizeof(h);
                r = sd_bus_message_open_container(reply, 'r', "ssuso");
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 's', p);
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 's', machine_state_to_string(h.state));
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 'u', &h.leader);
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 's', p + h.n_name);
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 'o', p + h.n_name + h.n_unit);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r < 0)
                        return r;
                o += record_size(&h);
        }
        return 0;
}
