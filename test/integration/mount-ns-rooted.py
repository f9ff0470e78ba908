#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# mount-ns-rooted.py REF SUFFIX [SPAN]: the live mount namespaces, among those whose IDs are within SPAN (64) of
# REF's, with a mount of a directory whose path in its file system ends in SUFFIX (a machine's root,
# bind-mounted): "N ID...". REF is a PID (its mount namespace) or "id:ID". A namespace that only an fd holds, or
# one in flight in a socket, counts too: each ID is looked up with listmount(2) (Linux 6.11+), which fails with
# ENOENT for one that is gone; IDs are handed out in order, so a container's namespaces are near each other.
import sys

from mountns import STATMOUNT_MNT_ROOT, mount_ids, ns_id_of, statmount

ref, suffix = sys.argv[1], sys.argv[2].encode()
span = int(sys.argv[3]) if len(sys.argv) > 3 else 64
ref_id = int(ref[3:]) if ref.startswith("id:") else ns_id_of(ref)


def rooted(ns_id):
    ids = mount_ids(ns_id)
    return ids is not None and any((st := statmount(ns_id, m, STATMOUNT_MNT_ROOT)) and st[1].endswith(suffix)
                                   for m in ids)


found = [i for i in range(max(1, ref_id - span), ref_id + span + 1) if rooted(i)]
print(len(found), *found)
