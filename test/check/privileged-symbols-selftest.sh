#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# privileged-symbols.sh catches what it is for: in a fake build tree whose privileged library references the
# symbols it expects, an object outside it that calls mount() and unshare() (and one whose path has a colon)
# fails the check, naming the object and both symbols; without that object the check passes.
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
printf 'int clean(int x) { return x + 1; }\n' >"$t/clean.c"
printf '#define _GNU_SOURCE\n#include <sched.h>\n#include <sys/mount.h>\nint bad(void) { return mount("a", "b", "c", 0, 0) + unshare(0); }\n' >"$t/bad.c"
$cc -c "$t/priv.c" -o "$t/src/container/priv/libcontainer-priv.a.p/priv.c.o"
for i in $(seq 1 10); do $cc -c "$t/clean.c" -o "$t/src/clean.p/clean$i.c.o"; done

"$src/test/check/privileged-symbols.sh" "$t" >"$t/out" 2>&1 || { echo "the clean tree failed:"; cat "$t/out"; exit 1; }

$cc -c "$t/bad.c" -o "$t/src/bad:dir.p/bad.c.o"
if "$src/test/check/privileged-symbols.sh" "$t" >"$t/out" 2>&1; then
        echo "an object calling mount() and unshare() passed:"; cat "$t/out"; exit 1
fi
grep -q '^src/bad:dir.p/bad.c.o: privileged symbols outside src/container/priv/: mount unshare$' "$t/out" ||
        { echo "unexpected report:"; cat "$t/out"; exit 1; }
echo "ok: the planted object is reported, the clean tree passes"
