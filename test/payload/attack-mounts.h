/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

/* The attempts of `testpayload attack` on the flags of the set-up's read-only mounts beyond a bind remount: a
 * superblock remount, mount_setattr(), a detached clone made writable (open_tree() + mount_setattr(), and
 * open_tree_attr()), fspick() + reconfigure; and a remount
 * read-only, which must stay allowed. One line each to OUT ("NAME=blocked ERRNO", "NAME=ESCAPED";
 * "NAME=allowed" or "NAME=refused ERRNO" for the allowed one). ERRNO_NAME names an errno. */
void attack_mounts(FILE *out, const char *(*errno_name)(int e));

/* The attempts the runtime cannot stop without a user namespace, run last since they change the container's
 * mounts: unmounting the read-only /proc/sys (then opening core_pattern for writing), and a fresh sysfs
 * (then opening its kernel/rcu_expedited, a host-wide knob, for writing). Nothing is ever written. */
void attack_unmounts(FILE *out, const char *(*errno_name)(int e));
