/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdint.h>
#include <sys/random.h>

#include "hashmap.h"
#include "macro.h"

typedef struct Entry {
        struct Entry *next;
        const char *key;
        void *value;
        uint64_t hash;
} Entry;

struct Hashmap {
        Entry **buckets;
        size_t n_buckets; /* a power of two */
        size_t n_entries;
        uint64_t seed;
};

uint64_t hash_string(uint64_t seed, const char *s) {
        uint64_t h = 14695981039346656037ULL ^ seed;

        for (; *s; s++) {
                h ^= (uint8_t) *s;
                h *= 1099511628211ULL;
        }
        return h ^ (h >> 29);
}

Hashmap *hashmap_new(void) {
        Hashmap *h = new0(Hashmap, 1);

        if (!h)
                return NULL;
        h->n_buckets = 16;
        h->buckets = new0(Entry *, h->n_buckets);
        if (!h->buckets)
                return mfree(h);
        if (getrandom(&h->seed, sizeof(h->seed), GRND_NONBLOCK) != sizeof(h->seed))
                h->seed = (uint64_t) (uintptr_t) h;
        return h;
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        for (size_t i = 0; i < h->n_buckets; i++)
                for (Entry *e = h->buckets[i], *n; e; e = n) {
                        n = e->next;
                        free(e);
                }
        free(h->buckets);
        return mfree(h);
}

static Entry **find(const Hashmap *h, const char *key, uint64_t hash) {
        Entry **p = &h->buckets[hash & (h->n_buckets - 1)];

        for (; *p; p = &(*p)->next)
                if ((*p)->hash == hash && streq((*p)->key, key))
                        return p;
        return p;
}

static void grow(Hashmap *h) {
        size_t n = h->n_buckets * 2;
        Entry **b = new0(Entry *, n);

        if (!b)
                return; /* Not fatal: the table keeps working, only with longer chains. */

        for (size_t i = 0; i < h->n_buckets; i++)
                for (Entry *e = h->buckets[i], *next; e; e = next) {
                        next = e->next;
                        e->next = b[e->hash & (n - 1)];
                        b[e->hash & (n - 1)] = e;
                }
        free(h->buckets);
        h->buckets = b;
        h->n_buckets = n;
}

int hashmap_replace(Hashmap *h, const char *key, void *value, void **ret_old) {
        uint64_t hash;
        Entry **p, *e;

        assert(h);
        assert(key);

        hash = hash_string(h->seed, key);
        p = find(h, key, hash);
        if (*p) {
                if (ret_old)
                        *ret_old = (*p)->value;
                (*p)->key = key;
                (*p)->value = value;
                return 0;
        }

        e = new(Entry, 1);
        if (!e)
                return -ENOMEM;
        *e = (Entry) { .key = key, .value = value, .hash = hash };
        *p = e;
        h->n_entries++;
        if (ret_old)
                *ret_old = NULL;

        if (h->n_entries > h->n_buckets)
                grow(h);
        return 0;
}

int hashmap_put(Hashmap *h, const char *key, void *value) {
        int r;

        if (hashmap_get(h, key))
                return -EEXIST;
        r = hashmap_replace(h, key, value, NULL);
        return r < 0 ? r : 1;
}

void *hashmap_get(const Hashmap *h, const char *key) {
        Entry **p;

        if (!h || !key)
                return NULL;
        p = find(h, key, hash_string(h->seed, key));
        return *p ? (*p)->value : NULL;
}

/* Unlinks and frees the entry *P points to. Returns its value. */
static void *remove_entry(Hashmap *h, Entry **p) {
        Entry *e = *p;
        void *v = e->value;

        *p = e->next;
        free(e);
        h->n_entries--;
        return v;
}

void *hashmap_remove(Hashmap *h, const char *key) {
        Entry **p;

        if (!h || !key)
                return NULL;
        p = find(h, key, hash_string(h->seed, key));
        return *p ? remove_entry(h, p) : NULL;
}

void *hashmap_remove_value(Hashmap *h, const char *key, void *value) {
        Entry **p;

        if (!h || !key)
                return NULL;
        p = find(h, key, hash_string(h->seed, key));
        return *p && (*p)->value == value ? remove_entry(h, p) : NULL;
}

void hashmap_clear(Hashmap *h, void (*destroy)(void *value, const char *key)) {
        if (!h)
                return;
        for (size_t b = 0; b < h->n_buckets; b++)
                while (h->buckets[b]) {
                        const char *key = h->buckets[b]->key;
                        void *value = remove_entry(h, &h->buckets[b]);

                        if (destroy)
                                destroy(value, key);
                }
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_entries : 0;
}

int hashmap_iterate(const Hashmap *h, HashmapIter *i, void **ret_value, const char **ret_key) {
        Entry *e;

        if (!h)
                return 0;

        e = i->entry ? ((Entry *) i->entry)->next : NULL;
        while (!e && i->bucket < h->n_buckets) {
                e = h->buckets[i->bucket++];
        }
        if (!e) {
                i->entry = NULL;
                return 0;
        }
        i->entry = e;
        if (ret_value)
                *ret_value = e->value;
        if (ret_key)
                *ret_key = e->key;
        return 1;
}
