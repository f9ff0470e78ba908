/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* A string-keyed hash table with chained buckets. Keys are not copied: the caller keeps each key alive
 * while it is in the table (typically the key is a field of the value, like Machine.name). Lookups, inserts
 * and removals are O(1) on average; the table grows at a load factor of 1. */

typedef struct Hashmap Hashmap;

/* FNV-1a of S, seeded (each table has its own random seed, so that a peer cannot pick names that all fall
 * into one bucket). */
uint64_t hash_string(uint64_t seed, const char *s);

Hashmap *hashmap_new(void);
/* Frees the table, not the keys or values. Returns NULL. */
Hashmap *hashmap_free(Hashmap *h);

/* Returns 1 if added, -EEXIST if the key is present, -ENOMEM. */
int hashmap_put(Hashmap *h, const char *key, void *value);
/* Adds or replaces. Returns 0, or -ENOMEM; *ret_old (if non-NULL) gets the value replaced, or NULL. */
int hashmap_replace(Hashmap *h, const char *key, void *value, void **ret_old);
void *hashmap_get(const Hashmap *h, const char *key);
/* Returns the value removed, or NULL. */
void *hashmap_remove(Hashmap *h, const char *key);
/* Removes KEY only if it maps to VALUE: a key that another value has taken over since stays. Returns VALUE if
 * it was removed, NULL otherwise. */
void *hashmap_remove_value(Hashmap *h, const char *key, void *value);
size_t hashmap_size(const Hashmap *h);
/* Empties the table in one pass, calling DESTROY (if non-NULL) on each value and its key after the entry is
 * out of the table: DESTROY may free both, and may remove other keys. */
void hashmap_clear(Hashmap *h, void (*destroy)(void *value, const char *key));

/* Iteration: start with *state = 0; returns true and sets *ret_value (and *ret_key) while there are entries.
 * The table must not be changed during an iteration. */
typedef struct HashmapIter {
        size_t bucket;
        void *entry;
} HashmapIter;
#define HASHMAP_ITER_INIT ((HashmapIter) {})
int hashmap_iterate(const Hashmap *h, HashmapIter *i, void **ret_value, const char **ret_key);

#define HASHMAP_FOREACH(v, h) \
        for (HashmapIter _i_ = HASHMAP_ITER_INIT; hashmap_iterate((h), &_i_, (void **) &(v), NULL);)

static inline void hashmap_freep(Hashmap **h) {
        hashmap_free(*h);
}
