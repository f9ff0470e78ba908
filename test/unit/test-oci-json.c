/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table walker and readers of src/config/oci-json.c, on their own: order, paths, flags, steps. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "oci-json.h"
#include "strv.h"
#include "test-assert.h"

typedef struct Sub {
        bool flag;
} Sub;

typedef struct Thing {
        char *name;
        uint32_t count;
        bool has_count;
        int32_t small;
        Sub sub;
        bool has_sub;
        uint32_t *items;
        size_t n_items;
        char **tags;
        int steps;
} Thing;

static void thing_done(Thing *t) {
        free(t->name);
        free(t->items);
        strv_free(t->tags);
        *t = (Thing) {};
}

static OCI_DEFINE_INT_PARSER(parse_small, int32_t, -3, 3)

static int step(json_object *v, const char *path, void *dest, char **error) {
        Thing *t = dest;

        t->steps++;
        ASSERT(json_object_is_type(v, json_type_object));      /* the whole object, at its own path */
        if (t->small == 3)
                return oci_error(error, path, "small must not be 3 when name is %s", t->name);
        return 0;
}

static const OciField sub_fields[] = {
        { "flag", oci_parse_bool, offsetof(Sub, flag), OCI_MANDATORY },
        {}
};

static const OciArrayType item_array = { .size = sizeof(uint32_t), .parse = oci_parse_uint32 };

static const OciField thing_fields[] = {
        { "name",  oci_parse_string, offsetof(Thing, name), OCI_MANDATORY },
        { "count", oci_parse_uint32, offsetof(Thing, count), OCI_PRESENT(Thing, has_count) },
        { "small", parse_small,      offsetof(Thing, small) },
        { OCI_CHECK(step) },
        { OCI_OBJECT("sub", sub_fields, offsetof(Thing, sub)), OCI_PRESENT(Thing, has_sub) },
        { OCI_ARRAY("items", Thing, items, n_items, &item_array) },
        { "tags",  oci_parse_strv,   offsetof(Thing, tags) },
        {}
};

/* Parses json (with ' for ") into t; returns r and the message in *ret_error. */
static int dispatch(const char *json, Thing *t, char **ret_error) {
        _cleanup_free_ char *j = strdup(json);
        json_object *o;
        int r;

        ASSERT(j);
        for (char *c = j; *c; c++)
                if (*c == '\'')
                        *c = '"';
        o = json_tokener_parse(j);
        ASSERT(o);
        *t = (Thing) {};
        *ret_error = NULL;
        r = oci_dispatch(o, "thing", thing_fields, t, ret_error);
        json_object_put(o);
        return r;
}

static void expect_error(const char *json, const char *message) {
        _cleanup_free_ char *error = NULL;
        Thing t;
        int r;

        r = dispatch(json, &t, &error);
        if (r != -EINVAL || !error || strcmp(error, message) != 0) {
                fprintf(stderr, "%s\n  got %d \"%s\"\n  expected \"%s\"\n", json, r, strna(error), message);
                abort();
        }
        thing_done(&t);
}

static void test_dispatch(void) {
        _cleanup_free_ char *error = NULL;
        Thing t;

        /* Fields in any order in the document, unknown ones ignored, null like absent. */
        ASSERT_EQ(dispatch("{'tags':['a','b'],'other':[1],'count':7,'name':'n','sub':{'flag':true},'small':null}",
                           &t, &error), 0);
        ASSERT(!error);
        ASSERT_STREQ(t.name, "n");
        ASSERT_EQ(t.count, 7);
        ASSERT(t.has_count);
        ASSERT_EQ(t.small, 0);
        ASSERT(t.sub.flag);
        ASSERT(t.has_sub);
        ASSERT_EQ(t.steps, 1);
        ASSERT(!t.items);
        ASSERT_EQ(strv_length(t.tags), 2);
        thing_done(&t);

        ASSERT_EQ(dispatch("{'name':'','items':[4,5,6]}", &t, &error), 0);
        ASSERT(!t.has_count);
        ASSERT(!t.has_sub);
        ASSERT_EQ(t.n_items, 3);
        ASSERT_EQ(t.items[2], 6);
        thing_done(&t);

        /* The first error in table order wins, whatever the order in the document. */
        expect_error("{'tags':5,'count':-1,'name':'n'}", "thing.count: expected an unsigned integer, got -1");
        expect_error("{'count':1}", "thing.name: required field is missing");
        expect_error("{'name':null}", "thing.name: required field is missing");
        expect_error("[]", "thing: expected an object, got an array");
        expect_error("{'name':'n','small':4}", "thing.small: value 4 out of range [-3, 3]");
        /* A step runs at its place in the table, with the object's path. */
        expect_error("{'name':'n','small':3,'sub':5}", "thing: small must not be 3 when name is n");
        expect_error("{'name':'n','sub':{}}", "thing.sub.flag: required field is missing");
        expect_error("{'name':'n','items':[1,null]}", "thing.items[1]: expected an object, got null");
        expect_error("{'name':'n','items':[1,'x']}", "thing.items[1]: expected an unsigned integer, got a string");
        expect_error("{'name':'n','tags':['a',null]}", "thing.tags[1]: expected a string, got null");
        printf("dispatch tables OK\n");
}

static int count_member(json_object *v, const char *path, const char *key, void *userdata, char **error) {
        char ***paths = userdata;

        ASSERT(strv_extend(paths, path) >= 0);
        if (streq(key, "stop"))
                return oci_error(error, path, "stopped");
        return 0;
}

static void test_walkers(void) {
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *error = NULL;
        OciStringMap m = {};
        json_object *o;

        o = json_tokener_parse("{\"a\":1,\"b\\\"c\":2,\"stop\":3,\"d\":4}");
        ASSERT(o);
        ASSERT_EQ(oci_json_object_foreach(o, "m", count_member, &paths, &error), -EINVAL);
        ASSERT_EQ(strv_length(paths), 3);
        ASSERT_STREQ(paths[0], "m[\"a\"]");
        ASSERT_STREQ(paths[1], "m[\"b\\\"c\"]");
        ASSERT_STREQ(error, "m[\"stop\"]: stopped");
        error = mfree(error);
        ASSERT_EQ(oci_parse_string_map(o, "m", &m, &error), -EINVAL);
        ASSERT_STREQ(error, "m[\"a\"]: expected a string, got an integer");
        oci_string_map_done(&m);
        json_object_put(o);

        ASSERT_EQ(oci_error_take(&error, NULL, "x"), -ENOMEM);
        printf("walkers OK\n");
}

static void test_find_duplicate(void) {
        static const struct { char c; int key; } a[] = { { 'a', 1 }, { 'b', 2 }, { 'c', 3 }, { 'd', 2 }, { 'e', 1 } };
        size_t i = 0, j = 0;

        ASSERT(!oci_find_duplicate(a, 3, sizeof(a[0]), offsetof(typeof(a[0]), key), &i, &j));
        ASSERT(oci_find_duplicate(a, ELEMENTSOF(a), sizeof(a[0]), offsetof(typeof(a[0]), key), &i, &j));
        ASSERT_EQ(i, 3);
        ASSERT_EQ(j, 1);
        printf("find_duplicate OK\n");
}

/* Messages quote the document: they come out as text the bus takes, whatever the document has. */
static void test_error_text(void) {
        _cleanup_free_ char *error = NULL;
        char key[80];

        ASSERT_EQ(oci_error(&error, "process.env[0]", "bad value \"%s\"", "a\x1b[2J\xc2\x9b\xef\xbf\xbe\xff"), -EINVAL);
        ASSERT_STREQ(error, "process.env[0]: bad value \"a?[2J??????\"");
        error = mfree(error);

        /* A map key is cut at 64 bytes: here in the middle of a euro sign (3 bytes, from byte 63 on). */
        memset(key, 'k', 63);
        strcpy(key + 63, "\xe2\x82\xac");
        ASSERT_EQ(oci_error_take(&error, oci_path_map_key("annotations", key), "bad"), -EINVAL);
        ASSERT_STREQ(error + strlen("annotations[\"") + 63, "?\"...]: bad");
        ASSERT(utf8_is_valid_n(error, strlen(error)));
        printf("error text OK\n");
}

int main(void) {
        test_error_text();
        test_dispatch();
        test_walkers();
        test_find_duplicate();
        return 0;
}
