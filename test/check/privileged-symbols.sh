#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# STYLE.md: only the privileged library (src/container/priv/: libcontainer-priv.a, and libcontainer-priv-launch.a
# for machined-ext-oci's launcher) may reference the symbols of privileged system calls, or the generic
# syscall()/prctl() through which any of them could be reached. A link-level check: `nm -u` over every object
# built from src/ outside that library; a comment, a string or a macro cannot fool it, and a call through a
# static inline helper shows up in the object that uses it. A system call made without a symbol (inline
# assembly, as priv-launch.c makes them) is found by its instruction in the disassembly.
# Usage: privileged-symbols.sh BUILDDIR
set -u
build=${1:?usage: $0 BUILDDIR}

symbols='mount umount umount2 fsopen fsmount fsconfig fspick move_mount open_tree mount_setattr
setns unshare clone clone3 __clone __clone2 pivot_root chroot
capset cap_set_proc cap_set_ambient cap_reset_ambient cap_drop_bound cap_setuid cap_setgroups cap_iab_set_proc
setuid setgid seteuid setegid setreuid setregid setresuid setresgid setgroups initgroups setfsuid setfsgid
sethostname setdomainname mknod mknodat __xmknod __xmknodat personality sched_setaffinity
seccomp_load seccomp_attr_set_tsync
keyctl add_key request_key keyctl_join_session_keyring
syscall prctl'
pattern="^($(echo $symbols | tr ' ' '|'))(@.*)?\$"

mapfile -t priv_objs < <(find "$build/src" -path '*container-priv*.a.p/*.o' | sort)
mapfile -t objs < <(find "$build/src" -name '*.o' ! -path '*container-priv*.a.p/*' | sort)
if [ ${#objs[@]} -lt 10 ] || [ ${#priv_objs[@]} -lt 1 ]; then
        echo "no objects under $build/src (or no privileged library): build first" >&2
        exit 1
fi

# The check is only worth something if it recognizes the symbols where they are: the library must use them.
for s in move_mount setns syscall prctl; do
        if ! nm -u "${priv_objs[@]}" 2>/dev/null | awk '{ print $NF }' | grep -qE "^$s(@.*)?\$"; then
                echo "the privileged library does not reference '$s': is the symbol list still right?" >&2
                exit 1
        fi
done

# One nm for every object (a process per object took 26 s on a slow VM): "OBJECT: U SYMBOL" lines.
hits=$(nm -u -A "${objs[@]}" | awk -v pat="$pattern" '{ o = $1; sub(/:$/, "", o); if ($NF ~ pat) print o, $NF }' |
       sort -u | awk '{ h[$1] = h[$1] $2 " " } END { for (o in h) print o ": " h[o] }' | sort)
# The instruction that enters the kernel (x86-64: syscall; aarch64: svc): the library's launcher part, where
# it is built (x86-64, aarch64), has it.
insn='^(syscall|svc)$'
raw_hits() {
        objdump -d --no-show-raw-insn "$@" 2>/dev/null |
                awk -v pat="$insn" '/file format/ { o = $1; sub(/:$/, "", o) } $2 ~ pat { print o }' | sort -u
}
mapfile -t launch_objs < <(find "$build/src" -path '*container-priv-launch.a.p/*.o' | sort)
if [ ${#launch_objs[@]} -gt 0 ] && [ -z "$(raw_hits "${launch_objs[@]}")" ]; then
        echo "no system call instruction in the privileged library's launcher part: is the instruction pattern still right?" >&2
        exit 1
fi
raw=$(raw_hits "${objs[@]}")
fail=0
if [ -n "$raw" ]; then
        while read -r o; do
                echo "${o#"$build"/} makes a system call by its instruction outside src/container/priv/"
        done <<<"$raw"
        fail=1
fi
if [ -n "$hits" ]; then
        while read -r o rest; do
                echo "${o#"$build"/} privileged symbols outside src/container/priv/: $rest"
        done <<<"$hits"
        fail=1
fi
[ $fail = 0 ] && echo "no privileged symbols in ${#objs[@]} objects outside src/container/priv/ (${#priv_objs[@]} objects)"
exit $fail
