# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Helpers for the integration tests. Sourced by test-*.sh; needs a running systemd, systemd-machined,
# dbus-daemon and an installed machined-ext (in the test bed, or on a host whose PID 1 is systemd).
#
# A test is a function run by `run_test NAME FUNC` in a subshell with a time limit. An assertion that fails
# records its reason and exits the subshell. Every machine a test makes (mx_root / mx_settings) is torn down
# by run_test afterwards, whether the test passed, failed or hung. `t_summary` prints "N passed, N failed"
# (", N skipped" if any) and returns non-zero if anything failed.
#
# Environment: BUILDDIR (the build dir; the payload is $BUILDDIR/test/payload/testpayload unless PAYLOAD says
# otherwise: a sanitized build has none, the payload must be static),
# T_TIMEOUT (seconds per test, default 60), T_VERBOSE=1 (print each test's output), T_ONLY (an ERE: run only the
# tests whose names match it; the others are not counted).

T_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILDDIR=${BUILDDIR:-$T_REPO/build}
PAYLOAD=${PAYLOAD:-$BUILDDIR/test/payload/testpayload}
MACHINES_DIR=/var/lib/machines
SETTINGS_DIR=/etc/machined-ext
BUS_NAME=org.machinedext1
BUS_PATH=/org/machinedext1
BUS_IFACE=org.machinedext1.Manager
T_TIMEOUT=${T_TIMEOUT:-60}

T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_TMP=$(mktemp -d /tmp/mxtest.XXXXXX)
trap 'rm -rf "$T_TMP"' EXIT

# ---------------------------------------------------------------------------------------------------------
# Assertions. Inside a test they end the test; the reason goes to the report line.

t_fail() {
        echo "$*" >"$T_TMP/reason"
        echo "FAILED: $*" >&2
        exit 1
}

skip() {
        echo "$*" >"$T_TMP/reason"
        exit 77
}

assert_eq() {   # EXPECTED ACTUAL [WHAT]
        [ "$1" = "$2" ] || t_fail "${3:-value}: expected '$1', got '$2'"
}

assert_ne() {   # UNEXPECTED ACTUAL [WHAT]
        [ "$1" != "$2" ] || t_fail "${3:-value}: did not expect '$1'"
}

assert_match() {        # ERE STRING [WHAT]
        [[ $2 =~ $1 ]] || t_fail "${3:-value}: '$2' does not match /$1/"
}

assert_no_match() {     # ERE STRING [WHAT]
        [[ $2 =~ $1 ]] && t_fail "${3:-value}: '$2' matches /$1/"
        return 0
}

assert_ok() {   # CMD...: must succeed
        local out rc=0
        out=$("$@" 2>&1) || rc=$?
        [ $rc = 0 ] || t_fail "'$*' failed ($rc): $(echo "$out" | tail -3)"
}

assert_fail() { # CMD...: must fail
        local out
        if out=$("$@" 2>&1); then
                t_fail "'$*' succeeded but should have failed: $(echo "$out" | tail -3)"
        fi
        return 0
}

# t_strace ARG...: strace ARG..., the command it runs without leak detection. LeakSanitizer cannot work under
# ptrace (it stops the world with a tracer of its own and dies with a "fatal error" at exit); a sanitized
# command keeps its other checks (ASan, UBSan).
t_strace() {
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}

# wait_until TIMEOUT CMD...: poll CMD every 0.1 s until it succeeds; 1 if it never did.
wait_until() {
        local timeout=$1 end
        shift
        end=$(($(date +%s%N) + timeout * 1000000000))
        while [ "$(date +%s%N)" -lt $end ]; do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        "$@" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------------------
# The bus. busctl prints an error's message but not its name, so error names come from dbus-send.

# mx METHOD SIG ARGS...: busctl call on the manager (30 s timeout), prints busctl's reply.
mx() {
        local method=$1
        shift
        busctl call --timeout=30 "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$method" "$@"
}

# mx_error METHOD ARG...: calls METHOD (args as dbus-send takes them: string:x int32:9) and prints
# "ERROR.NAME: message", or "ok" if it succeeded.
mx_error() {
        local method=$1 out
        shift
        if out=$(dbus-send --system --print-reply --reply-timeout=30000 --dest="$BUS_NAME" "$BUS_PATH" \
                "$BUS_IFACE.$method" "$@" 2>&1); then
                echo ok
        else
                # "Error org.machinedext1.NoSuchMachine: No machine 'x'"
                echo "$out" | sed -n 's/^Error \([^ :]*\):* */\1: /p' | head -1
        fi
}

# assert_error ERRNAME METHOD ARG...: the call fails with ERRNAME; prints the error line for further checks.
assert_error() {
        local want=$1 got
        shift
        got=$(mx_error "$@")
        [ "${got%%:*}" = "$want" ] || t_fail "$1 $2: expected $want, got '$got'"
        echo "$got"
}

# ListMachines entry of NAME as "state leader unit path" (nothing if absent).
mx_list_entry() {
        mx ListMachines | awk -v name="$1" '{
                gsub(/"/, "")
                for (i = 3; i + 4 <= NF; i += 5)
                        if ($i == name) { print $(i+1), $(i+2), $(i+3), $(i+4); exit }
        }'
}

# WaitMachine NAME as "exit_code status", e.g. "exited 0".
mx_wait() {
        mx WaitMachine s "$1" | awk '{ gsub(/"/, ""); print $2, $3 }'
}

# A property of machine NAME's object, value only (busctl get-property output without the type).
# assert_getall NAME: all properties of machine NAME can be read (none makes GetAll fail).
assert_getall() {
        busctl call "$BUS_NAME" "$(mx GetMachine s "$1" | awk '{ gsub(/"/, ""); print $2 }')" \
                org.freedesktop.DBus.Properties GetAll s org.machinedext1.Machine >/dev/null ||
                t_fail "GetAll of $1 failed"
}

# mx_stop_gone NAME: stops machine NAME and waits until it is no longer listed.
mx_stop_gone() {
        assert_ok mx_stop "$1"
        wait_until 10 mx_gone "$1" || t_fail "$1 still listed after its stop"
}

mx_prop() {
        local path
        path=$(mx GetMachine s "$1" | awk '{ gsub(/"/, ""); print $2 }') || return 1
        [ -n "$path" ] || return 1
        busctl get-property --timeout=10 "$BUS_NAME" "$path" org.machinedext1.Machine "$2" | cut -d' ' -f2- | tr -d '"'
}

# Whether machine NAME exists: true from the moment StartMachine took it, while it is still being set up
# ("starting"), not only once it runs. A test that needs more waits for it: mx_wait_state.
mx_running() {
        mx GetMachine s "$1" >/dev/null 2>&1
}

mx_state_is() { # NAME STATE
        [ "$(mx_prop "$1" State)" = "$2" ]
}

# mx_wait_state NAME STATE [TIMEOUT]: waits (default 10 s) until machine NAME's State is STATE, reading it
# afresh each time; fails the test with the State it had last. (Not `wait_until 10 test "$(mx_prop ...)" = x`:
# the shell expands that once, before wait_until runs, and it then compares the same text for 10 s.)
mx_wait_state() {
        wait_until "${3:-10}" mx_state_is "$1" "$2" ||
                t_fail "$1: State is '$(mx_prop "$1" State)', expected '$2' within ${3:-10}s"
}

mx_gone() {
        ! mx_running "$1"
}

# mx_stop NAME [TIMEOUT]: StopMachine, which answers once the stop is under way, then wait (default 120 s)
# until NAME is gone, as machinectl-ext stop does. Prints StopMachine's error if it failed.
mx_stop() {
        local out
        out=$(mx StopMachine s "$1" 2>&1) || { echo "$out"; return 1; }
        wait_until "${2:-120}" mx_gone "$1"
}

# ---------------------------------------------------------------------------------------------------------
# Machines. Every name a test uses is recorded, and run_test tears it down afterwards.

t_track() {
        grep -qxF "$1" "$T_TMP/machines" 2>/dev/null || echo "$1" >>"$T_TMP/machines"
}

# mx_root NAME [DIR]: a busybox root with the payload at DIR (default /var/lib/machines/NAME).
mx_root() {
        local name=$1 dir=${2:-$MACHINES_DIR/$1}
        t_track "$name"
        [ "$dir" = "$MACHINES_DIR/$name" ] || echo "$dir" >>"$T_TMP/dirs"
        [ -x "$PAYLOAD" ] || t_fail "no payload at $PAYLOAD (BUILDDIR=$BUILDDIR)"
        "$T_REPO/test/mkroot.sh" "$dir" --payload "$PAYLOAD" >/dev/null || t_fail "mkroot $dir failed"
}

# oci_bundle ID ARG...: a bundle at $MACHINES_DIR/ID from `machined-ext-oci spec`, its root a test root,
# running ARG... without a terminal.
oci_bundle() {
        local id=$1 b=$MACHINES_DIR/$1 args
        shift
        mx_root "$id" "$b/rootfs"
        machined-ext-oci spec --bundle "$b" || t_fail "spec --bundle $b failed"
        args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
        jq --argjson args "$args" '.process.terminal = false | .process.args = $args' \
                "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# oci_cli_file: the OCI CLI's installed file (in libexecdir; machined-ext-oci in $PATH is its launcher where
# there is one), from meson's record of what `meson install` of $BUILDDIR installs.
oci_cli_file() {
        python3 - "$BUILDDIR/meson-info/intro-installed.json" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))
print(next(v for k, v in files.items() if k.endswith("/src/oci-cli/machined-ext-oci")))
PY
}

# oci_delete_all ROOT: delete --force of every container of machined-ext-oci under ROOT, then ROOT.
oci_delete_all() {
        local root=$1 d
        for d in "$root"/*; do
                [ -d "$d" ] && timeout 20 machined-ext-oci --root "$root" delete --force "$(basename "$d")" >/dev/null 2>&1
        done
        rm -rf "$root"
}

# mx_settings NAME CONTENT: writes /etc/machined-ext/NAME.nspawn (CONTENT with printf escapes, e.g. \n).
mx_settings() {
        t_track "$1"
        mkdir -p "$SETTINGS_DIR"
        printf "$2" >"$SETTINGS_DIR/$1.nspawn"
}

# mx_start NAME: StartMachine, fails the test if it does not succeed.
mx_start() {
        local out
        out=$(mx StartMachine s "$1" 2>&1) || t_fail "StartMachine $1 failed: $out"
}

# Wait for a file the payload writes (seen from the host) and print it.
wait_file() {   # PATH [TIMEOUT]
        wait_until "${2:-10}" test -s "$1" || t_fail "payload did not write $1 within ${2:-10}s"
        cat "$1"
}

report_get() {  # REPORT-TEXT KEY: value of the first KEY= line
        echo "$1" | sed -n "s|^$2=||p" | head -1
}

# Mount points of the manager's mount namespace at or under DIR (a container's root seen from the host), as
# libmount (findmnt) reads them from /proc/self/mountinfo, escapes decoded.
mounts_under() {
        findmnt --list --noheadings --output TARGET | awk -v d="$1" '$0 == d || index($0, d "/") == 1'
}

# PIDs of processes whose cgroup path contains UNIT (as escaped by systemd).
procs_in_unit() {
        grep -lF -- "/$1" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3
        return 0
}

# The scope of machine NAME as systemd names it: "-" and other specials escaped (mx-a → machine-mx\x2da.scope).
scope_of() {
        echo "machine-$(systemd-escape "$1").scope"
}

unit_active() {
        [ "$(systemctl is-active "$1" 2>/dev/null)" = active ]
}

# Nothing of machine NAME is left: no scope, no machined registration, no mount, no process.
assert_gone() {
        local name=$1 dir=${2:-$MACHINES_DIR/$1} left scope
        scope=$(scope_of "$name")
        unit_active "$scope" && t_fail "$scope is still active"
        machinectl show "$name" >/dev/null 2>&1 && t_fail "$name is still registered with systemd-machined"
        left=$(mounts_under "$dir")
        [ -z "$left" ] || t_fail "mounts left under $dir: $(echo $left)"
        left=$(procs_in_unit "$scope")
        [ -z "$left" ] || t_fail "processes left in $scope: $(echo $left)"
        return 0
}

# ---------------------------------------------------------------------------------------------------------
# Faults: what one must not leave behind. mx_baseline before the fault, assert_no_leftovers after it.

MX_STATE_ROOT=/run/machined-ext/machines
MX_PROPAGATE_DIR=/run/systemd/nspawn/propagate

mx_daemon_pid() {
        systemctl show -p MainPID --value machined-ext.service
}

mx_daemon_fds() {
        local pid
        pid=$(mx_daemon_pid)
        ls "/proc/$pid/fd" 2>/dev/null | wc -l
}

# Records the daemon's PID and fd count (once it answers) for assert_no_leftovers.
mx_baseline() {
        mx ListMachines >/dev/null || t_fail "the daemon does not answer"
        echo "$(mx_daemon_pid) $(mx_daemon_fds)" >"$T_TMP/baseline"
}

# Children of daemon PID that should not be there: zombies, and processes outside every machine's unit
# (helpers of a start; the leaders of running machines are its children too).
mx_daemon_strays() {
        local pid stat
        ps -o pid=,stat= --ppid "$1" | while read -r pid stat; do
                case $stat in
                Z*) echo "$pid (zombie)" ;;
                *) grep -qE '/machine-[^/]*\.scope|/container@' /proc/$pid/cgroup 2>/dev/null ||
                        echo "$pid $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null)" ;;
                esac
        done
}

# assert_no_leftovers NAME...: nothing of the machines NAME is left (checked for all of them at once, so that
# it stays quick for hundreds): not known to the daemon, no scope (not even a failed one still loaded), no
# registration with systemd-machined, no mount under its root or its propagation directory, no process in
# its scope, no state directory; and the daemon is the process it was at mx_baseline (it did not crash),
# answers, has no more fds than then, and no zombie or helper child (mx_daemon_strays).
assert_no_leftovers() {
        local names=$T_TMP/leftover-names pid fds main left n
        read -r pid fds <"$T_TMP/baseline" 2>/dev/null || t_fail "assert_no_leftovers without mx_baseline"
        printf '%s\n' "$@" >"$names"

        main=$(mx_daemon_pid)
        assert_eq "$pid" "$main" "the daemon's MainPID (did it crash?)"
        left=$(mx ListMachines) || t_fail "the daemon does not answer ListMachines"
        left=$(echo "$left" | tr -d '"' | tr ' ' '\n' | grep -Fxf "$names")
        [ -z "$left" ] || t_fail "the daemon still lists: $(echo $left | head -c 300)"
        left=$(machinectl list --no-legend 2>/dev/null | awk '{ print $1 }' | grep -Fxf "$names")
        [ -z "$left" ] || t_fail "still registered with systemd-machined: $(echo $left | head -c 300)"
        wait_until 10 eval '! systemctl list-units --all --no-legend --plain "machine-*.scope" |
                awk "{ print \$1 }" | grep -Fxf <(while read -r n; do scope_of "$n"; done <"$names") >/dev/null' ||
                t_fail "scopes left: $(systemctl list-units --all --no-legend --plain 'machine-*.scope' | head -5)"
        left=$(cat /proc/[0-9]*/cgroup 2>/dev/null | grep -oE 'machine-[^/]*\.scope' | sort -u |
               grep -Fxf <(while read -r n; do scope_of "$n"; done <"$names"))
        [ -z "$left" ] || t_fail "processes left in: $(echo $left | head -c 300)"
        left=$(findmnt --list --noheadings --output TARGET | while read -r m; do
                while read -r n; do
                        case $m in "$MACHINES_DIR/$n"|"$MACHINES_DIR/$n"/*|"$MX_PROPAGATE_DIR/$n"|"$MX_PROPAGATE_DIR/$n"/*)
                                echo "$m" ;;
                        esac
                done <"$names"
        done)
        [ -z "$left" ] || t_fail "mounts left: $(echo $left | head -c 300)"
        left=$(ls "$MX_STATE_ROOT" "$MX_PROPAGATE_DIR" 2>/dev/null | grep -Fxf "$names")
        [ -z "$left" ] || t_fail "state or propagation directories left: $(echo $left | head -c 300)"

        wait_until 10 eval '[ -z "$(mx_daemon_strays "$main")" ]' ||
                t_fail "the daemon has zombies or helpers left: $(mx_daemon_strays "$main" | head -5)"
        wait_until 10 eval '[ "$(mx_daemon_fds)" -le "$fds" ]' ||
                t_fail "the daemon had $fds fds before, $(mx_daemon_fds) after: $(ls -l /proc/$main/fd | tail -n +2 | awk '{ print $NF }' | sort | uniq -c | sort -rn | head -5)"
        return 0
}

# Tear down everything of machine NAME, bounded in time, whatever state it is in.
mx_cleanup() {
        local name=$1 d scope
        scope=$(scope_of "$name")
        if mx_running "$name"; then
                timeout 35 busctl call --timeout=30 "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" StopMachine s "$name" \
                        >/dev/null 2>&1 && wait_until 30 mx_gone "$name"
        fi
        if machinectl show "$name" >/dev/null 2>&1; then
                timeout 10 machinectl terminate "$name" >/dev/null 2>&1 || true
        fi
        if unit_active "$scope"; then
                timeout 15 systemctl kill -s KILL "$scope" >/dev/null 2>&1 || true
                timeout 15 systemctl stop "$scope" >/dev/null 2>&1 || true
        fi
        systemctl reset-failed "$scope" >/dev/null 2>&1 || true
        for d in "$MACHINES_DIR/$name" $(grep -x "/.*" "$T_TMP/dirs" 2>/dev/null); do
                [ -d "$d" ] || continue
                mounts_under "$d" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
        done
        rm -rf --one-file-system "$MACHINES_DIR/$name"
        rm -f "$SETTINGS_DIR/$name.nspawn"
}

# ---------------------------------------------------------------------------------------------------------
# Running tests.

# Kill a process and its descendants, by PID, children first.
kill_tree() {
        local c
        for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
                kill_tree "$c"
        done
        kill -9 "$1" 2>/dev/null || true
}

run_test() {    # NAME FUNC
        local name=$1 func=$2 pid rc end reason m d t0=$SECONDS
        [ -z "${T_ONLY:-}" ] || [[ $name =~ $T_ONLY ]] || return 0
        : >"$T_TMP/reason"
        : >"$T_TMP/machines"
        : >"$T_TMP/dirs"
        (
                set -u
                "$func"
        ) >"$T_TMP/out" 2>&1 </dev/null &
        pid=$!
        end=$((SECONDS + T_TIMEOUT))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do
                sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
                kill_tree "$pid"
                wait "$pid" 2>/dev/null
                rc=124
                echo "timed out after ${T_TIMEOUT}s" >"$T_TMP/reason"
        else
                wait "$pid"
                rc=$?
        fi
        while read -r m; do
                [ -n "$m" ] && mx_cleanup "$m"
        done <"$T_TMP/machines"
        while read -r d; do
                [ -n "$d" ] && [ -d "$d" ] && rm -rf --one-file-system "$d"
        done <"$T_TMP/dirs"

        reason=$(head -c 500 "$T_TMP/reason")
        case $rc in
        0)
                echo "ok $name ($((SECONDS - t0))s)"
                T_PASSED=$((T_PASSED + 1))
                ;;
        77)
                echo "skip $name: $reason"
                T_SKIPPED=$((T_SKIPPED + 1))
                ;;
        *)
                echo "FAIL $name ($((SECONDS - t0))s): ${reason:-exit status $rc}"
                T_FAILED=$((T_FAILED + 1))
                ;;
        esac
        if [ "${T_VERBOSE:-0}" = 1 ] || { [ $rc != 0 ] && [ $rc != 77 ]; }; then
                grep -v '^FAILED: ' "$T_TMP/out" | tail -n 15 | sed 's/^/    | /'
        fi
}

t_summary() {
        local line="$T_PASSED passed, $T_FAILED failed"
        [ "$T_SKIPPED" -gt 0 ] && line="$line, $T_SKIPPED skipped"
        echo "$line"
        [ "$T_FAILED" = 0 ]
}

# Checks every test file needs; prints why not and returns 1 if they do not hold.
t_preflight() {
        [ "$(id -u)" = 0 ] || { echo "integration tests must run as root" >&2; return 1; }
        [ -d /run/systemd/system ] || { echo "systemd is not running (no /run/systemd/system)" >&2; return 1; }
        command -v dbus-send >/dev/null || { echo "dbus-send missing (install dbus-bin)" >&2; return 1; }
        return 0
}

# ---- shared by the settings tests ------------------------------------------------------------------------

# A cursor at the end of the daemon's journal (empty if there is none yet: then everything is searched).
j_mark() {
        journalctl -u machined-ext -n0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p'
}

# The daemon's journal after cursor $1.
j_since() {
        if [ -n "$1" ]; then
                journalctl -u machined-ext --no-pager -o cat --after-cursor="$1" 2>/dev/null
        else
                journalctl -u machined-ext --no-pager -o cat 2>/dev/null
        fi
}

j_has() {       # CURSOR FIXED-STRING
        j_since "$1" | grep -qF -- "$2"
}

# The daemon's journal after CURSOR has a line containing STRING (within 5 s: the journal is asynchronous).
assert_journal() {      # CURSOR FIXED-STRING
        wait_until 5 j_has "$1" "$2" ||
                t_fail "no '$2' in the daemon's journal; it has: $(j_since "$1" | tail -5 | tr '\n' '|')"
}

leader_of() {
        mx_prop "$1" Leader
}

# cg_try CGROUP open PATH | cg_try CGROUP mknod PATH c|b MAJOR MINOR: from a process of ours moved into
# CGROUP (a path below /sys/fs/cgroup, as /proc/PID/cgroup has it), opens PATH for reading or makes (and
# removes) the node; prints "ok" or the errno's name (EPERM: the cgroup's device policy said no).
cg_try() {
        python3 - "$@" <<'PY'
import errno, os, stat, sys
cgroup, op, path = sys.argv[1:4]
with open("/sys/fs/cgroup" + cgroup + "/cgroup.procs", "w") as f:
    f.write(str(os.getpid()))
try:
    if op == "open":
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY))
    else:
        kind = stat.S_IFCHR if sys.argv[4] == "c" else stat.S_IFBLK
        os.mknod(path, kind | 0o600, os.makedev(int(sys.argv[5]), int(sys.argv[6])))
        os.unlink(path)
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}

# devtest_setup B: the OCI bundle B (a `machined-ext-oci spec` config.json, rootfs a test root) as a privileged
# container (CAP_MKNOD, no user namespace, a writable root) whose payload, first thing, tries device nodes and
# writes what happened to /devtest.txt of its root: nodes the image brings (made here, outside any policy: a
# null, a loop and a loop-control node), its linux.devices /dev/fuse, and mknod. devtest_check says what the
# device policy must have made of it.
devtest_setup() {
        local b=$1
        jq '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] |
            .process.capabilities.permitted += ["CAP_MKNOD"] | .root.readonly = false |
            .process.args = [ "/bin/sh", "/devtest.sh" ] |
            .linux.devices = [ { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438 } ]' \
                "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json" || t_fail "jq of $b/config.json failed"
        rm -f "$b/rootfs/img-null" "$b/rootfs/img-loop" "$b/rootfs/img-lctl" "$b/rootfs/devtest.txt"
        mknod "$b/rootfs/img-null" c 1 3 && mknod "$b/rootfs/img-loop" b 7 0 &&
                mknod "$b/rootfs/img-lctl" c 10 237 || t_fail "mknod in the image failed"
        cat >"$b/rootfs/devtest.sh" <<'EOF'
try() { if out=$("$@" 2>&1); then echo ok; else echo "$out"; fi; }
{
        echo "img-null=$(try sh -c ': </img-null')"
        echo "img-loop=$(try sh -c ': </img-loop')"
        echo "img-lctl=$(try sh -c ': </img-lctl')"
        echo "dev-fuse=$(try sh -c ': </dev/fuse')"
        echo "mknod-null=$(try mknod /dev/t-null c 1 3)"
        echo "mknod-lctl=$(try mknod /dev/t-lctl c 10 237)"
        echo "mknod-sda=$(try mknod /dev/t-sda b 8 0)"
} >/devtest.txt.new && mv /devtest.txt.new /devtest.txt
EOF
}

devtest_check() {       # B WHAT
        local b=$1 what=$2 rep
        rep=$(wait_file "$b/rootfs/devtest.txt")
        assert_eq ok "$(report_get "$rep" img-null)" "$what: the image's null node"
        assert_match "Operation not permitted" "$(report_get "$rep" img-loop)" "$what: the image's loop node"
        assert_match "Operation not permitted" "$(report_get "$rep" img-lctl)" "$what: the image's loop-control node"
        assert_match "^(ok|.*No such device.*)$" "$(report_get "$rep" dev-fuse)" "$what: linux.devices /dev/fuse"
        assert_eq ok "$(report_get "$rep" mknod-null)" "$what: mknod of null (CAP_MKNOD is there)"
        assert_match "Operation not permitted" "$(report_get "$rep" mknod-lctl)" "$what: mknod of 10:237"
        assert_match "Operation not permitted" "$(report_get "$rep" mknod-sda)" "$what: mknod of sda"
        # The same nodes from a cgroup without a policy: the EPERMs above are the policy's.
        assert_opens_without_policy "$b/rootfs/img-lctl" "$what: the loop-control node from a cgroup without a policy"
}

# assert_opens_without_policy PATH WHAT: PATH opens (or the driver says ENODEV/ENXIO) from a new cgroup without a
# device policy: the control that makes an EPERM elsewhere the policy's.
assert_opens_without_policy() {
        mkdir /sys/fs/cgroup/mxtest-nopolicy-$$ || t_fail "mkdir of a cgroup failed"
        assert_match "^(ok|ENODEV|ENXIO)$" "$(cg_try /mxtest-nopolicy-$$ open "$1")" "$2"
        wait_until 5 rmdir /sys/fs/cgroup/mxtest-nopolicy-$$ || t_fail "rmdir of the cgroup failed"
}

# The cgroup of PID ("/machine.slice/machine-x.scope").
cgroup_of() {
        sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# The payload's report (/tmp/r.txt inside, a tmpfs of the container), read through /proc/LEADER/root.
tmp_report() {  # NAME
        local l
        l=$(leader_of "$1")
        [ -n "$l" ] || t_fail "no leader for $1"
        wait_file "/proc/$l/root/tmp/r.txt"
}

# Bit N of a hex capability mask: 1 or 0.
cap_bit() {     # HEX N
        [ -n "$1" ] || { echo "?"; return; }
        echo $(((0x$1 >> $2) & 1))
}

# A cache file whose key (the inputs it was compiled from) is that of KEY_FILE and whose programs are those of
# PROGRAMS_FILE: what the cache would hold if it were forged (seccomp-cache.c has the layout).
forge_seccomp_cache() {  # KEY_FILE PROGRAMS_FILE OUT
        python3 - "$@" <<'PY'
import struct, sys
def parts(path):
    b = open(path, "rb").read()
    magic, key, pol, prof, flags = struct.unpack_from("=8sIIII", b)
    return b[:24], b[24:24 + key], b[24 + key:], (magic, key, pol, prof, flags)
_, key, _, _ = parts(sys.argv[1])
_, _, progs, (magic, _, pol, prof, flags) = parts(sys.argv[2])
open(sys.argv[3], "wb").write(struct.pack("=8sIIII", magic, len(key), pol, prof, flags) + key + progs)
PY
}
