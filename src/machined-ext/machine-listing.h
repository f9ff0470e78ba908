/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#include "hashmap.h"

/* ListMachines' entries (name, state, leader PID, unit, object path of every machine), packed into one
 * buffer that is built again only after a change. Walking the machines themselves costs a cache miss (and on
 * this kind of VM a TLB miss) for the hash table's entry and one for each Machine, each a kilobyte apart:
 * with 2000 machines half of the call's time in the daemon (issue #17). Whoever changes a listed field, adds
 * a machine or removes one calls machine_listing_invalidate() (machine.c's setters do). */
typedef struct MachineListing {
        char *data;
        size_t size;
        size_t allocated;
        bool valid;
} MachineListing;

void machine_listing_invalidate(MachineListing *l);
void machine_listing_done(MachineListing *l);

/* Appends "(ssuso)" for every machine in MACHINES (name → Machine) to REPLY, inside an array container the
 * caller opened, from the buffer (built first if it is not valid). Returns 0 or -errno. Builds with
 * -Dfault-injection=true (the tests') also build it afresh and return -ESTALE if the kept one differs: a
 * change that did not invalidate it fails every ListMachines of the test suite. */
int machine_listing_append(MachineListing *l, Hashmap *machines, sd_bus_message *reply);
