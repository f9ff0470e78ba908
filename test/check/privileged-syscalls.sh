#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every privileged system call lives in src/shared/nsexec.c (STYLE.md: one audited module). Fails, naming
# file:line, if one appears anywhere else under src/.
set -u
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
pattern='\b(PR_SET_SECCOMP\b|(mount|umount2?|move_mount|open_tree|fsopen|fsmount|fsconfig|mount_setattr|setns|unshare|pivot_root|capset|cap_set_proc|seccomp_load|mknodat?|clone3?|sethostname)[[:space:]]*\()'
hits=$(grep -rnE "$pattern" "$top/src" --include='*.c' | grep -v '^[^:]*/src/shared/nsexec\.c:' |
       grep -vE ':[0-9]+:[[:space:]]*(/?\*|//)' )
if [ -n "$hits" ]; then
        echo "privileged system calls outside src/shared/nsexec.c:"
        echo "$hits"
        exit 1
fi
echo "no privileged system calls outside src/shared/nsexec.c"
