#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-man-render.sh BUILDDIR SOURCEDIR
#
# "meson install" into a temporary DESTDIR, then every page of man/ must be installed, be found by name
# (MANPATH=DESTDIR/... man -w NAME.SECTION), and render with man(1) and with groff -man -ww without a
# single warning.
set -u
builddir=$1 srcdir=$2
problems=0

problem() {
        echo "$*"
        problems=$((problems + 1))
}

for t in man groff; do
        command -v $t >/dev/null || { echo "$t not installed (tools/install-deps.sh installs man-db, groff-base)"; exit 77; }
done

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$builddir" --destdir "$dest" --no-rebuild --quiet >"$dest.log" 2>&1 ||
        { cat "$dest.log"; rm -f "$dest.log"; echo "meson install failed"; exit 1; }
rm -f "$dest.log"

mandir=$(find "$dest" -type d -name man -path '*/share/man' | head -1)
[ -n "$mandir" ] || { echo "meson install put no man pages under $dest"; exit 1; }

n=0
for src in "$srcdir"/man/*.[1-8]; do
        page=${src##*/}
        name=${page%.*} section=${page##*.}
        n=$((n + 1))
        installed=$mandir/man$section/$page
        [ -f "$installed" ] || { problem "$page: not installed as $installed"; continue; }
        cmp -s "$src" "$installed" || problem "$page: the installed copy differs from man/$page"

        found=$(MANPATH=$mandir man -w "$section" "$name" 2>&1)
        [ "$found" = "$installed" ] || problem "$page: 'man -w $section $name' finds '$found', not $installed"

        # man-db, as a user would read it (warnings on), and groff with all warnings.
        out=$(MANPATH=$mandir MANWIDTH=80 MANPAGER=cat PAGER=cat LC_ALL=C.UTF-8 \
              man --warnings=all -E UTF-8 "$section" "$name" 2>"$dest/stderr")
        [ -s "$dest/stderr" ] && problem "$page: man reports: $(head -5 "$dest/stderr" | tr '\n' ' ')"
        grep -q '^NAME' <<<"$out" || problem "$page: rendered without a NAME section"
        [ "$(wc -l <<<"$out")" -gt 10 ] || problem "$page: rendered to almost nothing"
        warnings=$(groff -man -Tutf8 -ww -z "$installed" 2>&1)
        [ -z "$warnings" ] || problem "$page: groff -ww: $(head -5 <<<"$warnings" | tr '\n' ' ')"
done

[ $n -gt 0 ] || { echo "no pages in $srcdir/man"; exit 1; }
if [ $problems = 0 ]; then
        echo "ok: $n man pages installed, found by name and rendered without warnings"
        exit 0
fi
echo "$problems problems"
exit 1
