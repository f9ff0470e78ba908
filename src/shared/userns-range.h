/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* UID ranges of user namespaces (PrivateUsers=pick): the candidates for a machine, and overlap checks. Pure
 * functions; the daemon adds the locks and the look-ups (src/machined-ext/machine-userns.c). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* systemd-nspawn's bounds for picked ranges: above the host's users and the dynamic users, below the
 * container UID ranges of systemd-homed and the 32-bit top. */
#define USERNS_PICK_MIN UINT32_C(0x00080000)
#define USERNS_PICK_MAX UINT32_C(0x6FFF0000)
#define USERNS_PICK_RANGE UINT32_C(0x10000)

/* The ATTEMPT-th candidate base of a picked range for the machine NAME: a multiple of 65536 in
 * [USERNS_PICK_MIN, USERNS_PICK_MAX], the same for the same name and attempt on every host, different
 * candidates for attempts 0, 1, 2, ... */
uid_t userns_pick_candidate(const char *name, unsigned attempt);

/* Whether [A, A+NA) and [B, B+NB) share a UID. */
bool userns_ranges_overlap(uid_t a, uint32_t na, uid_t b, uint32_t nb);
