#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The documentation tells the truth, checked against the real thing by reading the documents themselves, so
# that they cannot drift apart:
# - README.md's "Using it" example: its first code block (make the root, the page and the settings file)
#   runs as a script from the repository, its second block line by line; the page must be served, the
#   machine registered, and `stop` must end it at once;
# - README's first command, tools/demo.sh: each command it prints under "What to try next" works, and
#   `stop` is prompt;
# - the modes machined-ext(8) gives for the container's file system ("The container": /dev, /run, /tmp and
#   each entry of /run/host) are the modes a payload sees.

set -u
. "$(dirname "$0")/lib.sh"

README=$T_REPO/README.md

# The fenced code blocks of README's "## Using it" section into $T_TMP/readme-block.N; prints their number.
readme_blocks() {
        awk -v dir="$T_TMP" '
                /^## / && !inblock { insec = ($0 == "## Using it"); next }
                !insec { next }
                /^```/ {
                        if (inblock) { inblock = 0; close(f) }
                        else { inblock = 1; n++; f = dir "/readme-block." n; printf "" >f }
                        next
                }
                inblock { print >f }
                END { print n + 0 }' "$README"
}

test_readme_using_it() {
        local blocks name src port line out p
        blocks=$(readme_blocks)
        assert_eq 2 "$blocks" "code blocks in README's 'Using it'"
        name=$(sed -n 's/^machinectl-ext start \([^ ]*\).*/\1/p' "$T_TMP/readme-block.2" | head -1)
        [ -n "$name" ] || t_fail "no 'machinectl-ext start NAME' in README's second block"
        src=$(sed -n 's/^BindReadOnly=\([^:]*\):.*/\1/p' "$T_TMP/readme-block.1" | head -1)
        [ -n "$src" ] || t_fail "no BindReadOnly= in README's first block"
        port=$(sed -n 's|.*http://[^/:]*:\([0-9]*\)/.*|\1|p' "$T_TMP/readme-block.2" | head -1)
        [ -n "$port" ] || t_fail "no http://HOST:PORT/ in README's second block"
        # The example makes these; never touch what was there before (the clean-up removes them).
        for p in "$MACHINES_DIR/$name" "$SETTINGS_DIR/$name.nspawn" "$src"; do
                [ -e "$p" ] && skip "$p exists already"
        done
        # The example shares the host's network (Private=no): the port must be free.
        ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && skip "port $port is in use"
        t_track "$name"
        echo "$src" >>"$T_TMP/dirs"
        # The reader may have busybox's wget only.
        if ! command -v wget >/dev/null; then
                wget() { busybox wget "$@"; }
                export -f wget
        fi

        # The machine has a user namespace (the default), so its BindReadOnly= source must be on a file system
        # that can be idmapped: the bed's root (an overlayfs) cannot, a host's /srv (ext4, btrfs, ...) can.
        if findmnt -n -o FSTYPE -T "$(dirname "$src")" | grep -qx overlay; then
                mkdir -p "$src" && mount -t tmpfs -o mode=0755 tmpfs "$src" || t_fail "tmpfs on $src"
        fi
        out=$(cd "$T_REPO" && bash -e "$T_TMP/readme-block.1" 2>&1) ||
                t_fail "README's first block failed: $(echo "$out" | tail -3)"

        while IFS= read -r line; do
                [ -n "$line" ] || continue
                echo "\$ $line"
                case $line in
                wget*|curl*)
                        # The server needs a moment to listen after the start.
                        wait_until 10 bash -c "$line" || t_fail "'$line' failed"
                        out=$(bash -c "$line" 2>&1) || t_fail "'$line' failed: $out"
                        assert_eq "$(cat "$src/index.html")" "$out" "the page from '$line'"
                        ;;
                *)
                        out=$(cd "$T_REPO" && timeout 30 bash -c "$line" 2>&1) ||
                                t_fail "'$line' failed ($?): $(echo "$out" | tail -3)"
                        ;;
                esac
                echo "$out"
                case $line in
                "machinectl list"*)
                        echo "$out" | grep -q "^$name " || t_fail "$name not in machinectl list: $out" ;;
                "machinectl-ext start"*)
                        mx_running "$name" || t_fail "$name is not running after '$line'" ;;
                esac
        done <"$T_TMP/readme-block.2"

        mx_gone "$name" || t_fail "$name still runs after README's commands"
        assert_gone "$name"
}

MAN8=$T_REPO/man/machined-ext.8

# Every path of machined-ext(8)'s "The container" with the modes its entry names, one "PATH MODE" a line (in
# the container). An entry is a .TP with the name(s) on the next line; /run/host's entries are relative to
# it; an entry that speaks of "Nodes of mode" gives the mode of each node in the directory ("DIR/* MODE").
man_modes() {
        awk '
                /^\.SS / { insec = ($0 ~ /"The container"/); next }
                !insec { next }
                /^\.RS/ { if (last == "/run/host") base = "/run/host/"; next }
                /^\.RE/ { flush(); base = ""; next }
                /^\.TP/ { flush(); want_name = 1; next }
                want_name {
                        want_name = 0
                        line = $0
                        sub(/^\.[A-Z]+ /, "", line)
                        gsub(/\\-/, "-", line)
                        gsub(/"[^"]*"/, " ", line)
                        n = split(line, names, /[ ,]+/)
                        k = 0
                        for (i = 1; i <= n; i++)
                                if (names[i] != "")
                                        paths[++k] = base names[i]
                        npaths = k
                        last = paths[1]
                        text = ""
                        next
                }
                npaths { text = text " " $0 }
                function flush(   m, i, t) {
                        if (!npaths) return
                        t = text
                        m = 0
                        while (match(t, /(^|[^0-9])[01][0-7][0-7][0-7]([^0-9]|$)/)) {
                                mode = substr(t, RSTART, RLENGTH)
                                gsub(/[^0-7]/, "", mode)
                                modes[++m] = mode
                                t = substr(t, RSTART + RLENGTH - 1)
                        }
                        for (i = 1; i <= npaths && i <= m; i++) {
                                p = paths[i]
                                sub(/\/$/, "", p)
                                if (text ~ /Nodes of mode/) p = p "/*"
                                print p, modes[i]
                        }
                        npaths = 0
                }
                END { flush() }' "$MAN8"
}

test_man_modes() {
        local n=mxt-docs-modes claims want got path mode report
        claims=$(man_modes)
        # What the page must speak of at least (the claims that were wrong once among them).
        for path in /dev /run /tmp /run/host/os-release /run/host/incoming /run/host/container-uuid; do
                echo "$claims" | grep -q "^$path " || t_fail "machined-ext(8) gives no mode for $path: $claims"
        done
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c \"stat -c '%%a %%n' /dev /run /tmp /run/host/* /run/host/inaccessible/* >/modes.txt.new 2>&1; mv /modes.txt.new /modes.txt; exec /usr/bin/testpayload sleep inf\"\n"
        mx_start $n
        report=$(wait_file $MACHINES_DIR/$n/modes.txt) || exit 1
        while read -r path want; do
                if [[ $path == */\* ]]; then
                        got=$(echo "$report" | awk -v d="${path%\*}" 'index($2, d) == 1 { print $1 }')
                        [ -n "$got" ] || t_fail "nothing in ${path%/*} in the container"
                        for mode in $got; do
                                assert_eq "$(printf %04o $((8#$want)))" "$(printf %04o $((8#$mode)))" "mode of a node in ${path%/*} (machined-ext(8) says $want)"
                        done
                else
                        got=$(echo "$report" | awk -v p="$path" '$2 == p { print $1 }')
                        [ -n "$got" ] || t_fail "no $path in the container"
                        assert_eq "$(printf %04o $((8#$want)))" "$(printf %04o $((8#$got)))" "mode of $path (machined-ext(8) says $want)"
                fi
        done <<<"$claims"
}

# README's first command, tools/demo.sh, ends by printing what to try next: every printed command must work
# against the running demo machine, in the order printed, and `stop` must be prompt. Run here (PID 1 is
# systemd) with --no-build and a name of its own, so it neither rebuilds nor touches a real "demo" or the
# demo's bed; in a bed of its own it prints the same commands behind "test/bed/bed.sh exec".
test_demo_next_steps() {
        local n=mxdemo out block cmd what rc t0 ms seen=
        t_track $n
        t_track $n-oci
        echo /var/lib/machined-ext-demo/$n-bundle >>"$T_TMP/dirs"
        out=$(cd "$T_REPO" && timeout 60 tools/demo.sh --no-build --name $n 2>&1) ||
                t_fail "tools/demo.sh --no-build failed: $(echo "$out" | tail -3)"
        echo "$out"
        mx_running $n || t_fail "tools/demo.sh did not leave $n running"
        block=$(echo "$out" | sed -n '/is running\. What to try next:$/,/^$/p' | sed -n 's/^  //p')
        [ -n "$block" ] || t_fail "no 'What to try next' block: $(echo "$out" | tail -5)"
        assert_no_match "bed\.sh" "$block" "commands on a host whose PID 1 is systemd"
        if busctl introspect $BUS_NAME $BUS_PATH $BUS_IFACE | grep -q '^\.StartMachineFromBundle '; then
                assert_match "StartMachineFromBundle ss $n-oci /" "$block" "the bundle step, with a daemon that starts bundles"
        else
                assert_no_match "Bundle|bundle" "$block" "the bundle step, with a daemon that does not start bundles"
        fi

        while IFS= read -r line; do
                cmd=$(echo "$line" | sed 's/  *# .*$//')
                what=$(echo "$line" | sed -n 's/^.*  *# //p')
                [ -n "$what" ] || t_fail "no '# what it does' on '$line'"
                case $cmd in
                "machinectl-ext "*|"machinectl "*|"busctl "*) ;;
                *) t_fail "unexpected command '$cmd'" ;;
                esac
                t0=$(date +%s%N)
                rc=0
                (cd "$T_REPO" && timeout 20 bash -c "$cmd" </dev/null >"$T_TMP/step.out" 2>&1) || rc=$?
                ms=$((($(date +%s%N) - t0) / 1000000))
                [ $rc = 0 ] || t_fail "'$cmd' failed ($rc): $(tail -3 "$T_TMP/step.out")"
                echo "ok (${ms} ms): $cmd"
                case $cmd in
                "machinectl-ext stop $n")
                        [ $ms -lt 3000 ] || t_fail "'$cmd' took $ms ms"
                        mx_gone $n || t_fail "$n still listed after '$cmd'"
                        assert_gone $n
                        seen="$seen stop" ;;
                "machinectl-ext start $n")
                        mx_running $n || t_fail "$n not running after '$cmd'"
                        seen="$seen start" ;;
                "machinectl-ext console --log $n")
                        grep -q "Hello from machine $n" "$T_TMP/step.out" ||
                                t_fail "'$cmd' did not show the greeting: $(head -c 200 "$T_TMP/step.out")"
                        seen="$seen log" ;;
                "machinectl-ext console $n") seen="$seen console" ;;
                "machinectl-ext status $n") seen="$seen status" ;;
                esac
        done <<<"$block"
        assert_eq " status log console stop start" "$seen" "the steps printed (status, console, stop, start)"
        assert_ok machinectl-ext stop $n
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test readme-using-it test_readme_using_it
run_test man-container-modes test_man_modes
run_test readme-demo-next-steps test_demo_next_steps

t_summary
