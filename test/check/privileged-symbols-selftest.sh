#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# privileged-symbols.sh catches what it is for: in a fake build tree whose privileged library references the
# symbols it expects, an object outside it that calls mount() and unshare() (and one whose path has a colon)
# fails the check, naming the object and both symbols; so does one that enters the kernel by the instruction
# (inline assembly, as the library's launcher part does); without those objects the check passes.
# Usage: privileged-symbols-selftest.sh SRCDIR
set -eu
src=${1:?usage: $0 SRCDIR}
cc=${CC:-cc}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

mkdir -p "$t/src/container/priv/libcontainer-priv.a.p" "$t/src/clean.p" "$t/src/bad:dir.p"
cat >"$t/priv.c" <<'C'
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>
int p(void) { return setns(0, 0) + (int) syscall(0) + prctl(0) + move_mount(0, "", 0, "", 0); }
C
cat >"$t/raw.c" <<'C'
long raw(long n) {
        long r = n;
#if defined(__x86_64__)
        __asm__ volatile ("syscall" : "+a"(r) : : "rcx", "r11", "memory");
#elif defined(__aarch64__)
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = 0;
        __asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8) : "memory");
        r = x0;
#endif
        return r;
}
C
printf 'int clean(int x) { return x + 1; }\n' >"$t/clean.c"
printf '#define _GNU_SOURCE\n#include <sched.h>\n#include <sys/mount.h>\nint bad(void) { return mount("a", "b", "c", 0, 0) + unshare(0); }\n' >"$t/bad.c"
$cc -c "$t/priv.c" -o "$t/src/container/priv/libcontainer-priv.a.p/priv.c.o"
case $(uname -m) in x86_64|aarch64) raw_insn=1 ;; *) raw_insn=0 ;; esac
if [ $raw_insn = 1 ]; then
        mkdir -p "$t/src/container/priv/libcontainer-priv-launch.a.p"
        $cc -c "$t/raw.c" -o "$t/src/container/priv/libcontainer-priv-launch.a.p/raw.c.o"
fi
for i in $(seq 1 10); do $cc -c "$t/clean.c" -o "$t/src/clean.p/clean$i.c.o"; done

"$src/test/check/privileged-symbols.sh" "$t" >"$t/out" 2>&1 || { echo "the clean tree failed:"; cat "$t/out"; exit 1; }

$cc -c "$t/bad.c" -o "$t/src/bad:dir.p/bad.c.o"
if "$src/test/check/privileged-symbols.sh" "$t" >"$t/out" 2>&1; then
        echo "an object calling mount() and unshare() passed:"; cat "$t/out"; exit 1
fi
grep -q '^src/bad:dir.p/bad.c.o: privileged symbols outside src/container/priv/: mount unshare$' "$t/out" ||
        { echo "unexpected report:"; cat "$t/out"; exit 1; }
if [ $raw_insn = 1 ]; then
        rm "$t/src/bad:dir.p/bad.c.o"
        $cc -c "$t/raw.c" -o "$t/src/clean.p/raw.c.o"
        if "$src/test/check/privileged-symbols.sh" "$t" >"$t/out" 2>&1; then
                echo "an object with a system call instruction passed:"; cat "$t/out"; exit 1
        fi
        grep -q '^src/clean.p/raw.c.o makes a system call by its instruction outside src/container/priv/$' "$t/out" ||
                { echo "unexpected report:"; cat "$t/out"; exit 1; }
fi
echo "ok: the planted objects are reported, the clean tree passes"
