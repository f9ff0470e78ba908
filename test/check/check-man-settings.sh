#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-man-settings.sh DUMP-SETTINGS-KEYS MAN-PAGE [SYSTEMD-NSPAWN-5]
#
# The settings key table (as dump-settings-keys prints it) against machined-ext.nspawn(5). A key's entry is
# the .TP paragraph whose tag (or one of its .TQ tags) is "KEY=...", under ".SH \"[SECTION] SECTION\"". Each
# key of the table needs an entry in its section that states
#   - its trust class: "Privileged" or "Any file";
#   - whether it is applied: "applied", "parsed, not applied yet" or "not supported yet";
#   - its default (the word "default");
#   - if systemd.nspawn(5) does not have the key, that it is an "extension" (or an "alias");
# and every entry must be a key of the table. systemd.nspawn(5) is looked up with man -w unless given;
# without it the last check is skipped. Prints every problem; exit status 1 if there was one.
set -u
dump=$1 page=$2 nspawn=${3:-}
problems=0

problem() {
        echo "$page: $*"
        problems=$((problems + 1))
}

keys=$("$dump") || { echo "$dump failed"; exit 2; }
[ -n "$keys" ] || { echo "$dump printed no keys"; exit 2; }

# "Section<TAB>Key<TAB>text of its entry", one line per tag.
entries=$(awk '
function flush(   i) {
        for (i = 0; i < nk; i++)
                print sec "\t" keys[i] "\t" body
        nk = 0
        body = ""
}
function tag_key(line,   w) {
        sub(/^\.[A-Z]+[ \t]+/, "", line)
        w = line
        sub(/[ \t].*/, "", w)
        gsub(/"/, "", w)
        gsub(/\\-/, "-", w)
        if (w !~ /^[A-Za-z0-9]+=/)
                return ""
        sub(/=.*/, "", w)
        return w
}
/^\.SH/ {
        flush()
        sec = ""
        if (match($0, /\[[A-Z]+\] SECTION/))
                sec = substr($0, RSTART + 1, 1) tolower(substr($0, RSTART + 2, index($0, "]") - RSTART - 2))
        next
}
sec == "" { next }
/^\.TP/ { flush(); intag = 1; next }
/^\.TQ/ { intag = 1; next }
intag {
        intag = 0
        k = tag_key($0)
        if (k == "")
                printf("%s\tBAD-TAG\t%s\n", sec, $0)
        else
                keys[nk++] = k
        next
}
{
        line = $0
        gsub(/\\f[BIRP]/, "", line)
        gsub(/\\-/, "-", line)
        gsub(/^\.[A-Z]+[ \t]+/, "", line)
        gsub(/"/, "", line)
        body = body " " line
}
END { flush() }
' "$page")

while IFS=$'\t' read -r sec key body; do
        [ "$key" = BAD-TAG ] && { problem "[$sec]: a tag that is not a KEY=: $body"; continue; }
        grep -q "^$sec $key " <<<"$keys" || problem "[$sec] $key= is described, but the settings table has no such key"
done <<<"$entries"

if [ -z "$nspawn" ]; then
        nspawn=$(man -w systemd.nspawn 2>/dev/null | head -1)
fi
nspawn_keys=
if [ -n "$nspawn" ] && [ -r "$nspawn" ]; then
        # Its entries are ".PP" followed by "\fIKey=\fR[, \fIOther=\fR...]".
        nspawn_keys=$( { zcat -f "$nspawn" 2>/dev/null; } | awk '
                prev == ".PP" { while (match($0, /\\fI[A-Za-z0-9]+=/)) { print substr($0, RSTART + 3, RLENGTH - 4); $0 = substr($0, RSTART + RLENGTH) } }
                { prev = $0 }' | sort -u)
        [ -n "$nspawn_keys" ] || { echo "no keys found in $nspawn"; exit 2; }
else
        echo "systemd.nspawn(5) not installed: not checking which keys are extensions"
fi

while read -r sec key trust state; do
        body=$(awk -F'\t' -v s="$sec" -v k="$key" '$1 == s && $2 == k { print $3; exit }' <<<"$entries")
        if [ -z "$body" ]; then
                problem "[$sec] $key= ($trust, $state) is not described in its section"
                continue
        fi
        case $trust in
        privileged) grep -q 'Privileged' <<<"$body" && ! grep -q 'Any file' <<<"$body" ||
                problem "[$sec] $key= is privileged, but its entry does not say \"Privileged\" (alone)" ;;
        any) grep -q 'Any file' <<<"$body" && ! grep -q 'Privileged' <<<"$body" ||
                problem "[$sec] $key= is honoured from any file, but its entry does not say \"Any file\" (alone)" ;;
        esac
        case $state in
        applied) grep -qE '(^|[^t] )applied' <<<"$body" && ! grep -qE 'not applied yet|not supported yet' <<<"$body" ||
                problem "[$sec] $key= is applied, but its entry does not say \"applied\" (alone)" ;;
        not-applied) grep -q 'parsed, not applied yet' <<<"$body" ||
                problem "[$sec] $key= is parsed, not applied yet, but its entry does not say so" ;;
        not-supported) grep -q 'not supported yet' <<<"$body" ||
                problem "[$sec] $key= is not supported yet, but its entry does not say so" ;;
        esac
        grep -qi 'default' <<<"$body" || problem "[$sec] $key=: its entry does not state its default"
        if [ -n "$nspawn_keys" ] && ! grep -qx "$key" <<<"$nspawn_keys"; then
                grep -qE 'extension|alias' <<<"$body" ||
                        problem "[$sec] $key= is not in systemd.nspawn(5), but its entry does not call it an extension (or alias)"
        fi
done <<<"$keys"

if [ $problems = 0 ]; then
        echo "ok: $(wc -l <<<"$keys") settings keys described in $page"
        exit 0
fi
echo "$problems problems"
exit 1
