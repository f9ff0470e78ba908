/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>

#include "hashmap.h"
#include "test-assert.h"

#define N 5000

static char keys[N][16];
static int values[N];

static void test_put_get_remove(void) {
        Hashmap *h = hashmap_new();
        int a = 1, b = 2;
        void *old = NULL;

        ASSERT(h);
        ASSERT_EQ(hashmap_put(h, "a", &a), 1);
        ASSERT_EQ(hashmap_put(h, "a", &b), -EEXIST);
        ASSERT(hashmap_get(h, "a") == &a);
        ASSERT(!hashmap_get(h, "b"));
        ASSERT_EQ(hashmap_replace(h, "a", &b, &old), 0);
        ASSERT(old == &a);
        ASSERT(hashmap_get(h, "a") == &b);
        ASSERT_EQ(hashmap_size(h), 1);
        ASSERT(hashmap_remove(h, "a") == &b);
        ASSERT(!hashmap_remove(h, "a"));
        ASSERT_EQ(hashmap_size(h), 0);

        /* NULL tables and keys are empty. */
        ASSERT(!hashmap_get(NULL, "a"));
        ASSERT(!hashmap_remove(NULL, "a"));
        ASSERT(!hashmap_remove_value(NULL, "a", &a));
        ASSERT_EQ(hashmap_size(NULL), 0);
        hashmap_free(h);
}

/* Only the value the key maps to is removed: an object whose name another object has taken over since must not
 * remove the newcomer. */
static void test_remove_value(void) {
        Hashmap *h = hashmap_new();
        int a = 1, b = 2;

        ASSERT(h);
        ASSERT_EQ(hashmap_put(h, "k", &a), 1);
        ASSERT(!hashmap_remove_value(h, "k", &b));
        ASSERT(hashmap_get(h, "k") == &a);
        ASSERT(!hashmap_remove_value(h, "other", &a));
        ASSERT(hashmap_remove_value(h, "k", &a) == &a);
        ASSERT(!hashmap_get(h, "k"));
        ASSERT_EQ(hashmap_size(h), 0);
        hashmap_free(h);
}

/* Many keys: the table grows, every key stays findable, iteration sees each once, and removal of every other
 * key leaves exactly the rest. */
static void test_many(void) {
        Hashmap *h = hashmap_new();
        size_t seen = 0;
        int *v;

        ASSERT(h);
        for (int i = 0; i < N; i++) {
                snprintf(keys[i], sizeof(keys[i]), "key-%d", i);
                values[i] = 0;
                ASSERT_EQ(hashmap_put(h, keys[i], &values[i]), 1);
        }
        ASSERT_EQ(hashmap_size(h), N);
        for (int i = 0; i < N; i++)
                ASSERT(hashmap_get(h, keys[i]) == &values[i]);

        HASHMAP_FOREACH(v, h) {
                (*v)++;
                seen++;
        }
        ASSERT_EQ(seen, N);
        for (int i = 0; i < N; i++)
                ASSERT_EQ(values[i], 1);

        for (int i = 0; i < N; i += 2)
                ASSERT(hashmap_remove(h, keys[i]) == &values[i]);
        ASSERT_EQ(hashmap_size(h), N / 2);
        for (int i = 0; i < N; i++)
                ASSERT(hashmap_get(h, keys[i]) == (i % 2 ? &values[i] : NULL));
        hashmap_free(h);
}

static size_t n_destroyed;
static Hashmap *clearing;

/* A destructor that, like machine_free(), also removes its own key: it must find nothing left to remove. */
static void destroy(void *value, const char *key) {
        ASSERT(!hashmap_remove_value(clearing, key, value));
        (*(int *) value)++;
        n_destroyed++;
}

static void test_clear(void) {
        Hashmap *h = hashmap_new();

        ASSERT(h);
        for (int i = 0; i < N; i++) {
                snprintf(keys[i], sizeof(keys[i]), "clear-%d", i);
                values[i] = 0;
                ASSERT_EQ(hashmap_put(h, keys[i], &values[i]), 1);
        }
        clearing = h;
        hashmap_clear(h, destroy);
        ASSERT_EQ(n_destroyed, N);
        ASSERT_EQ(hashmap_size(h), 0);
        for (int i = 0; i < N; i++) {
                ASSERT_EQ(values[i], 1);
                ASSERT(!hashmap_get(h, keys[i]));
        }
        /* Usable again afterwards; clearing an empty or NULL table does nothing. */
        ASSERT_EQ(hashmap_put(h, keys[0], &values[0]), 1);
        hashmap_clear(h, NULL);
        ASSERT_EQ(hashmap_size(h), 0);
        hashmap_clear(NULL, destroy);
        ASSERT_EQ(n_destroyed, N);
        hashmap_free(h);
}

int main(void) {
        test_put_get_remove();
        test_remove_value();
        test_many();
        test_clear();
        return 0;
}
