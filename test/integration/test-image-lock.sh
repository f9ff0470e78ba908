#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The root directory of a running machine is locked as systemd-nspawn locks it (image-lock.h): the real
# `machinectl remove`, `rename` and `clean` (systemd-machined's image operations) refuse with "Device or
# resource busy" while it runs and work once it is stopped; a ReadOnly= machine takes a shared lock (several
# read-only machines on one tree, no writer); a writable one an exclusive lock.

set -u
. "$(dirname "$0")/lib.sh"

LOCKS_DIR=/run/systemd/nspawn/locks
SLEEP_CMD="/usr/bin/testpayload sleep inf"

# The global lock file of directory DIR, as systemd names it.
inode_lock_of() {
        echo "$LOCKS_DIR/inode-$(stat -c %d "$1"):$(stat -c %i "$1")"
}

# How many locks /proc/locks lists on inode number INO (of any device).
locks_on() {
        grep -cE "^[0-9]+: OFDLCK .* [0-9a-f]+:[0-9a-f]+:$1 " /proc/locks
}

assert_busy() {        # what CMD...: fails, with EBUSY's message
        local what=$1 out
        shift
        out=$("$@" 2>&1) && t_fail "$what of a running machine succeeded: $out"
        assert_match 'Device or resource busy' "$out" "$what error"
}

test_remove_running() {
        local n=mxt-lock-rm d
        d=$MACHINES_DIR/$n
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\n"
        mx_start $n

        [ -e "$(inode_lock_of $d)" ] || t_fail "no global lock file $(inode_lock_of $d)"
        [ -e "$MACHINES_DIR/.#$n.lck" ] || t_fail "no local lock file $MACHINES_DIR/.#$n.lck"
        assert_busy "machinectl remove" machinectl remove $n
        assert_busy "machinectl rename" machinectl rename $n $n-renamed
        [ -e $MACHINES_DIR/$n-renamed ] && t_fail "the root of a running machine was renamed"
        # clean --all removes every image it can; a busy one is kept.
        assert_ok machinectl clean --all
        [ -x $d/usr/bin/testpayload ] || t_fail "the root of a running machine was deleted"
        mx_running $n || t_fail "$n is not running any more"

        assert_ok mx_stop $n
        assert_gone $n
        [ -e "$MACHINES_DIR/.#$n.lck" ] && t_fail "local lock file left after stop"
        [ -e "$(inode_lock_of $d)" ] && t_fail "global lock file left after stop"
        assert_ok machinectl remove $n
        [ -e $d ] && t_fail "machinectl remove did not remove the root of a stopped machine"
        return 0
}

# A machine that exits by itself releases its root as well, by the time WaitMachine answers.
test_exit_releases() {
        local n=mxt-lock-exit
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep 1\n"
        mx_start $n
        assert_busy "machinectl remove" machinectl remove $n
        assert_eq "exited 0" "$(mx_wait $n)" "exit of $n"
        assert_ok machinectl remove $n
        [ -e $MACHINES_DIR/$n ] && t_fail "machinectl remove did not remove the root"
        return 0
}

test_read_only_shared() {
        local a=mxt-lock-ro1 b=mxt-lock-ro2 w=mxt-lock-rw d out
        d=$MACHINES_DIR/$a
        mx_root $a
        mx_settings $a "[Exec]\nParameters=$SLEEP_CMD\n[Files]\nReadOnly=yes\n"
        mx_settings $b "[Exec]\nParameters=$SLEEP_CMD\n[Files]\nReadOnly=yes\nDirectory=$d\n"
        mx_settings $w "[Exec]\nParameters=$SLEEP_CMD\n[Files]\nDirectory=$d\n"
        mx_start $a
        mx_start $b         # two readers: fine

        assert_busy "machinectl remove" machinectl remove $a
        [ -x $d/usr/bin/testpayload ] || t_fail "the root of a running machine was deleted"
        # A writer is refused while readers run, with a message that names the root.
        out=$(assert_error org.machinedext1.SetupFailed StartMachine string:$w) || exit 1
        assert_match "$d" "$out" "error of a writable start on a read-only-locked root"
        assert_match 'Device or resource busy' "$out" "error of a writable start on a read-only-locked root"
        mx_gone $w || t_fail "$w is running"

        # One reader gone: the other still holds the root.
        assert_ok mx_stop $a
        assert_busy "machinectl remove" machinectl remove $a
        assert_ok mx_stop $b
        [ -e "$(inode_lock_of $d)" ] && t_fail "global lock file left after the last reader stopped"
        assert_ok machinectl remove $a
        return 0
}

# A writable machine holds its root exclusively: no second machine on it, not even a read-only one.
test_exclusive() {
        local a=mxt-lock-ex1 b=mxt-lock-ex2 d
        d=$MACHINES_DIR/$a
        mx_root $a
        mx_settings $a "[Exec]\nParameters=$SLEEP_CMD\n"
        mx_settings $b "[Exec]\nParameters=$SLEEP_CMD\n[Files]\nReadOnly=yes\nDirectory=$d\n"
        mx_start $a
        assert_error org.machinedext1.SetupFailed StartMachine string:$b >/dev/null || exit 1
        mx_gone $b || t_fail "$b is running"
        assert_ok mx_stop $a
        mx_start $b
        assert_ok mx_stop $b
}

# The locks are the daemon's, never the payload's; and the daemon holds them in a capsule (fd-capsule.h), not
# in its fd table, which every fork copies: each close of a copy walks the file's list of locks (one per
# machine on a shared root), which made a start cost O(machines²) in the kernel.
test_not_in_payload() {
        local n=mxt-lock-fds leader fds
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\n"
        mx_start $n
        leader=$(leader_of $n)
        [ -n "$leader" ] || t_fail "no leader"
        fds=$(ls -l /proc/$leader/fd/ 2>/dev/null | grep -E 'nspawn/locks|\.lck' || true)
        [ -z "$fds" ] || t_fail "the payload holds lock files: $fds"
        fds=$(ls -l /proc/$(systemctl show -P MainPID machined-ext)/fd/ | grep -cE "nspawn/locks/inode-|/\.#$n\.lck")
        assert_eq 0 "$fds" "lock fds in the daemon's fd table"
        assert_busy "machinectl remove" machinectl remove $n
        # One lock of ours on each file, in /proc/locks; none once the machine is gone.
        local f ids=()
        for f in "$MACHINES_DIR/.#$n.lck" "$(inode_lock_of $MACHINES_DIR/$n)"; do
                ids+=("$(stat -c %i "$f")")
                assert_eq 1 "$(locks_on "${ids[-1]}")" "locks on $f"
        done
        assert_ok mx_stop $n
        assert_eq 00 "$(locks_on "${ids[0]}")$(locks_on "${ids[1]}")" "locks left after stop"
}

# The locks outlive a crash of the daemon along with the machine (they are in systemd's fd store), and the
# restarted daemon lets go of them once that machine is gone.
test_survives_crash() {
        local n=mxt-lock-crash d main leader lock
        d=$MACHINES_DIR/$n
        mx_root $n
        # A pipe console: the restarted daemon sees the end of the machine at once (EOF).
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nConsole=pipe\n"
        mx_start $n
        leader=$(leader_of $n)
        main=$(systemctl show -P MainPID machined-ext)
        kill -9 "$main"
        wait_until 5 test ! -d /proc/$main || t_fail "daemon $main did not die"
        # No daemon now (Restart= waits 1 s): the locks are systemd's.
        assert_busy "machinectl remove (no daemon)" machinectl remove $n
        wait_until 10 sh -c "m=\$(systemctl show -P MainPID machined-ext); [ \"\$m\" != 0 ] && [ \"\$m\" != $main ]" ||
                t_fail "machined-ext was not restarted"
        wait_until 10 sh -c "journalctl -u machined-ext --no-pager -q | grep -q 'Machine $n of a previous instance of the daemon is still running'" ||
                t_fail "the restarted daemon did not adopt $n"
        assert_busy "machinectl remove (restarted daemon)" machinectl remove $n
        [ -x $d/usr/bin/testpayload ] || t_fail "the root of a running machine was deleted"

        assert_ok machinectl terminate $n
        wait_until 10 test ! -d /proc/$leader || t_fail "leader $leader survived terminate"
        lock=$(inode_lock_of $d)
        wait_until 10 test ! -e "$lock" || t_fail "global lock file $lock left after the machine was gone"
        assert_ok machinectl remove $n
        [ -e $d ] && t_fail "machinectl remove did not remove the root"
        return 0
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v machinectl >/dev/null || { echo "machinectl missing" >&2; echo "0 passed, 1 failed"; exit 1; }

run_test image-lock-remove-running test_remove_running
run_test image-lock-exit-releases test_exit_releases
run_test image-lock-read-only-shared test_read_only_shared
run_test image-lock-exclusive test_exclusive
run_test image-lock-not-in-payload test_not_in_payload
run_test image-lock-survives-crash test_survives_crash

t_summary
