/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

/* The host's identity for the payload, like systemd-nspawn: the ID=, VERSION_ID=, BUILD_ID= and VARIANT_ID=
 * fields of the host's os-release(5) become $container_host_id, $container_host_version_id,
 * $container_host_build_id and $container_host_variant_id. nspawn passes exactly these four and ignores the
 * rest (IMAGE_ID=, IMAGE_VERSION=, PRETTY_NAME=, ...), see systemd's load_os_release_pairs_with_prefix(). */

/* Reads os-release text from f ("KEY=VALUE" lines, '#' comments, values optionally quoted as in a shell).
 * Returns 0 and in *ret a new list of "container_host_KEY=VALUE" assignments (key in lower case, a later
 * assignment of a key replacing an earlier one), or NULL if there are none; -ENOMEM, or -EIO on a read
 * error. Lines that are not valid assignments, and values that are not one word or not valid in an
 * environment, are skipped. */
int os_release_host_env(FILE *f, char ***ret);

/* Opens ROOT/etc/os-release, else ROOT/usr/lib/os-release (ROOT "" or "/" for the host), and reads it with
 * os_release_host_env(). Returns -ENOENT if neither exists, other -errno as os_release_host_env(). */
int os_release_host_env_load(const char *root, char ***ret);
