/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The results of the last runs of machines that are gone, per name, bounded (exit-records.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exit-records.h"
#include "macro.h"

static ExitRecord *exit_record_free(ExitRecord *e) {
        if (!e)
                return NULL;
        free(e->name);
        free(e->unit);
        return mfree(e);
}

static void destroy_exit_record(void *value, const char *key) {
        exit_record_free(value);
}

void exit_records_clear(Hashmap *exits) {
        hashmap_clear(exits, destroy_exit_record);
}

/* The record that ended first, other than KEEP. */
static ExitRecord *oldest(Hashmap *exits, const ExitRecord *keep) {
        ExitRecord *e, *found = NULL;

        HASHMAP_FOREACH(e, exits)
                if (e != keep && (!found || e->timestamp < found->timestamp))
                        found = e;
        return found;
}

int exit_records_add(Hashmap *exits, const char *name, int code, int status, usec_t timestamp,
                     usec_t start_timestamp, const char *unit) {
        ExitRecord *e, *old = NULL;
        int r;

        if (!exits || !name)
                return -EINVAL;
        e = new0(ExitRecord, 1);
        if (!e)
                return -ENOMEM;
        *e = (ExitRecord) {
                .name = strdup(name),
                .code = code,
                .status = status,
                .timestamp = timestamp,
                .start_timestamp = start_timestamp,
                .unit = unit ? strdup(unit) : NULL,
        };
        if (!e->name || (unit && !e->unit)) {
                exit_record_free(e);
                return -ENOMEM;
        }

        r = hashmap_replace(exits, e->name, e, (void **) &old);
        if (r < 0) {
                exit_record_free(e);
                return r;
        }
        exit_record_free(old);

        while (hashmap_size(exits) > EXIT_RECORDS_MAX) {
                ExitRecord *o = oldest(exits, e);

                if (!o)
                        break;
                (void) hashmap_remove_value(exits, o->name, o);
                exit_record_free(o);
        }
        return 0;
}
