/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* The connection for the calls of our scopes' jobs (StartTransientUnit, AttachProcessesToUnit,
 * SetUnitProperties, StopUnit): systemd's private socket, opened on first use and again after it was lost
 * (systemd re-executed), or the system bus if that cannot be had (then retried after a while). Never NULL. */
sd_bus *manager_systemd_bus(Manager *m);

/* JobRemoved, from either connection: ends the job of a machine's scope (Manager.jobs). */
int manager_match_job_removed(sd_bus_message *message, void *userdata, sd_bus_error *error);
