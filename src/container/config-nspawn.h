/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The nspawn front-end: a settings file (Settings, NULL for none) plus systemd-nspawn's defaults, turned into
 * the neutral model (ContainerConfig) and the few machine-level decisions that come with it (boot or not, the
 * stop signal, waiting for READY=1). Moved here from the daemon's machine.c, unchanged in behaviour. */

#include <systemd/sd-id128.h>

#include "container-config.h"
#include "settings.h"

/* The command, like systemd-nspawn@.service (which passes -b): without Parameters=, boot /sbin/init; with
 * Boot=yes, Parameters= are arguments to init. Returns 0 with *ret_boot and *ret_argv (argv[0] may be empty
 * only if settings_verify() was skipped: the caller refuses that), or -ENOMEM. */
/* Whether the machine boots an init (Boot=, or no Parameters=), as systemd-nspawn@.service's -b. */
bool nspawn_boot(const Settings *s);
int nspawn_command(const Settings *s, bool *ret_boot, char ***ret_argv);

/* Whether to wait for READY=1: a booted systemd sends it when its boot is complete. */
bool nspawn_notify_ready(const Settings *s, bool boot);

/* The stop signal: KillSignal=; else SIGRTMIN+3 (systemd's "halt") with Boot=, SIGKILL without (as
 * systemd-nspawn, which terminates a non-booted container "abruptly via SIGKILL"). */
int nspawn_kill_signal(const Settings *s, bool boot);

/* The payload's environment, like systemd-nspawn's (inner_child()), for machine ID: container=,
 * container_uuid=, PATH, NOTIFY_SOCKET, TERM; HOME=/root, USER=root and LOGNAME=root unless User= is set
 * (then the init sets them from the container's passwd); LANG=C.UTF-8 unless booting;
 * container_host_{id,version_id,build_id,variant_id} from the host's os-release; then Environment=, which
 * overrides all of these. Returns 0 or -ENOMEM. */
int nspawn_environment(const Settings *s, sd_id128_t id, bool boot, char ***ret);

/* The capability bounding set: systemd-nspawn's default, plus Capability= (and CAP_NET_ADMIN with a private
 * network, PRIVATE_NETWORK, as nspawn does), minus DropCapability=. */
uint64_t nspawn_capability_bounding(const Settings *s, bool private_network);

/* Fills *ret with the container's part of the model from S (may be NULL) and what the caller decided:
 * PRIVATE_NETWORK (a network namespace of its own: what network_config_from_settings() made of [Network]),
 * HOSTNAME, ROOT, ARGV, ENVP (all borrowed, as are S's fields). Everything the daemon owns (stdio, console,
 * /run/host, notify, release) is left zero/-EBADF for the caller. */
void container_config_from_nspawn(const Settings *s, bool private_network, const char *hostname, const char *root,
                                  char **argv, char **envp, ContainerConfig *ret);
