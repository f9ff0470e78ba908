/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "userns-range.h"

/* FNV-1a, 64 bits: stable across builds and hosts (a seeded hash would move the range on every boot). */
static uint64_t name_hash(const char *name) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (const unsigned char *p = (const unsigned char *) name; p && *p; p++) {
                h ^= *p;
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

uid_t userns_pick_candidate(const char *name, unsigned attempt) {
        const uint64_t slots = (USERNS_PICK_MAX - USERNS_PICK_MIN) / USERNS_PICK_RANGE + 1;
        /* 40961 is prime and does not divide SLOTS (28664 = 8 * 3583): the walk visits every slot before it
         * repeats. */
        uint64_t slot = (name_hash(name) + (uint64_t) attempt * 40961) % slots;

        return (uid_t) (USERNS_PICK_MIN + slot * USERNS_PICK_RANGE);
}

bool userns_ranges_overlap(uid_t a, uint32_t na, uid_t b, uint32_t nb) {
        if (na == 0 || nb == 0)
                return false;
        return (uint64_t) a < (uint64_t) b + nb && (uint64_t) b < (uint64_t) a + na;
}
