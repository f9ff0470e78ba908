#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# machinectl-ext shell / exec (OpenMachineShell, ExecMachine, issue #14) into busybox machines that do not
# run systemd, with the default user namespace: the terminal (a /dev/pts of the machine, its window size,
# SIGWINCH, the caller's termios restored), exit statuses, and that the process is no more than the payload:
# every namespace and the cgroup of the leader, the same capability sets, seccomp filters and no_new_privs
# (also with DropCapability= and NoNewPrivileges=: rkt CVE-2019-10144), only fds 0-2 (CVE-2024-21626), its
# /proc/self/exe the container's binary (CVE-2019-5736). Bad input: D-Bus error names, nothing left behind.
# And the console: the caller's window size on attach and on SIGWINCH.

set -u
. "$(dirname "$0")/lib.sh"

PTYRUN=$T_REPO/test/integration/ptyrun.py

# sh_machine NAME [SETTINGS-LINES]: a busybox machine whose PID 1 is busybox init, started and running.
sh_machine() {
        local n=$1
        mx_root $n
        echo 'alice:x:1000:1000:alice:/home/alice:/bin/sh' >>$MACHINES_DIR/$n/etc/passwd
        mkdir -p $MACHINES_DIR/$n/home/alice
        mx_settings $n "[Exec]\nNotifyReady=no\nKillSignal=SIGKILL\n${2:-}"
        assert_ok machinectl-ext start $n
        wait_until 10 eval '[ -n "$(mx_prop $n Leader 2>/dev/null)" ]' || t_fail "$n has no leader"
}

# sh_find PATTERN: the host PID of the one process whose command line is PATTERN (waits for it).
sh_find() {
        SH_PATTERN=$1
        wait_until 10 eval 'pgrep -fx "$SH_PATTERN" >/dev/null' || t_fail "no process '$1'"
        pgrep -fx "$SH_PATTERN"
}

# sh_status_line PID KEY: the value of KEY: in /proc/PID/status.
sh_status_line() {
        awk -v k="$2:" '$1 == k { print $2 }' /proc/$1/status
}

# sh_same_as_leader PID LEADER WHAT: the process is in every namespace and the cgroup of the leader, with its
# capability sets, seccomp mode and filters and no_new_privs.
sh_same_as_leader() {
        local pid=$1 leader=$2 what=$3 t k
        for t in mnt pid uts ipc net cgroup user; do
                assert_eq "$(readlink /proc/$leader/ns/$t)" "$(readlink /proc/$pid/ns/$t)" "$what: $t namespace"
        done
        assert_eq "$(cat /proc/$leader/cgroup)" "$(cat /proc/$pid/cgroup)" "$what: cgroup"
        for k in CapInh CapPrm CapEff CapBnd CapAmb Seccomp Seccomp_filters NoNewPrivs; do
                assert_eq "$(sh_status_line $leader $k)" "$(sh_status_line $pid $k)" "$what: $k"
        done
}

# A root shell on a pty of the machine: tty, id, the window size the client had, exit statuses.
test_shell_terminal() {
        local n=mxsh-term out
        sh_machine $n
        out=$(python3 $PTYRUN --size 33 111 -- machinectl-ext -q shell $n /bin/sh -c 'tty; id; stty size' 2>&1)
        assert_match '^/dev/pts/[0-9]+' "$out" "tty inside"
        assert_match 'uid=0\(root\) gid=0\(root\)' "$out" "id inside"
        assert_match '33 111' "$out" "stty size inside: the client's window size"
        # The default: the user's shell from the container's passwd, as a login shell, in its home.
        out=$(python3 $PTYRUN --size 20 70 --input-after 1 $'echo "in=$(pwd) $0 $HOME $SHELL"; exit 3\r' \
                -- machinectl-ext -q shell $n 2>&1)
        assert_eq 3 "$(python3 $PTYRUN -- machinectl-ext -q shell $n /bin/sh -c 'exit 3' >/dev/null 2>&1; echo $?)" \
                "exit status of the shell's command"
        assert_match 'in=/root -?/bin/sh /root /bin/sh' "$out" "the default shell's directory, argv[0], HOME, SHELL"
        machinectl-ext -q shell $n /bin/sh -c 'kill -9 $$' </dev/null >/dev/null 2>&1
        assert_eq 137 "$?" "a command killed by SIGKILL: 128 + 9"
}

# SIGWINCH reaches the shell's pty; the caller's terminal is restored however the shell ends.
test_shell_resize_restore() {
        local n=mxsh-winch out
        sh_machine $n
        out=$(python3 $PTYRUN --size 30 100 --resize-after 1.5 41 121 --termios-file $T_TMP/termios -- \
                machinectl-ext -q shell $n /bin/sh -c 'stty size; sleep 3; stty size' 2>&1)
        assert_match '30 100' "$out" "size at the start"
        assert_match '41 121' "$out" "size after the client's terminal was resized"
        assert_eq restored "$(cat $T_TMP/termios)" "the client's termios after the shell exited"
        # Ended by a signal to the client: terminal restored too.
        python3 $PTYRUN --size 30 100 --timeout 2 --termios-file $T_TMP/termios2 -- \
                machinectl-ext -q shell $n /bin/sleep 30 >/dev/null 2>&1
        assert_eq restored "$(cat $T_TMP/termios2)" "the client's termios after SIGTERM"
}

# exec: our stdio, the command's exit status, a user of the container.
test_exec_stdio_status() {
        local n=mxsh-exec out
        sh_machine $n
        out=$(echo hello-in | machinectl-ext exec $n /bin/sh -c 'read x; echo "got $x"; echo err >&2' 2>$T_TMP/err)
        assert_eq "got hello-in" "$out" "stdin and stdout passed"
        assert_eq err "$(cat $T_TMP/err)" "stderr passed"
        machinectl-ext exec $n /bin/sh -c 'exit 7'
        assert_eq 7 "$?" "exit status of exec"
        out=$(machinectl-ext exec --uid=alice -E FOO=bar $n /bin/sh -c 'id -u; echo $FOO $HOME $USER')
        assert_eq "1000
bar /home/alice alice" "$out" "--uid=alice, --setenv"
        # The command's options are its own.
        assert_eq "-q|-a|--uid=x|" "$(machinectl-ext exec $n /bin/busybox printf '%s|' -q -a --uid=x)" \
                "options after the command"
}

# The process joins everything of the leader and gets exactly its privileges; no fd of ours; its exe is
# the container's.
test_exec_same_as_payload() {
        local n=mxsh-same leader pid exe
        sh_machine $n
        leader=$(mx_prop $n Leader)
        machinectl-ext exec $n /bin/sleep 4241 </dev/null >/dev/null 2>&1 &
        pid=$(sh_find "/bin/sleep 4241")
        sh_same_as_leader $pid $leader exec
        assert_eq "0 1 2" "$(echo $(ls /proc/$pid/fd))" "fds of the exec'd process"
        exe=$(stat -L -c %d:%i /proc/$pid/exe)
        assert_eq "$(stat -L -c %d:%i $MACHINES_DIR/$n/bin/busybox)" "$exe" "/proc/PID/exe of the exec'd process"
        assert_ne "$(stat -L -c %d:%i /proc/$(mx_daemon_pid)/exe)" "$exe" "/proc/PID/exe is not the daemon's"
        kill $pid
        python3 $PTYRUN --size 24 80 -- machinectl-ext -q shell $n /bin/sleep 4242 >/dev/null 2>&1 &
        pid=$(sh_find "/bin/sleep 4242")
        sh_same_as_leader $pid $leader shell
        assert_eq "0 1 2" "$(echo $(ls /proc/$pid/fd))" "fds of the shell"
        # Inside: its own exe is the container's busybox, which it cannot open for writing while it runs.
        out=$(machinectl-ext exec $n /bin/sh -c 'readlink /proc/self/exe; echo x >>/proc/self/exe && echo WROTE')
        assert_eq /bin/busybox "$(echo "$out" | head -1)" "/proc/self/exe inside"
        assert_no_match WROTE "$out" "writing /proc/self/exe"
        kill $pid
        wait
}

# A machine with fewer privileges: the shell has no more (rkt CVE-2019-10144).
test_exec_reduced_privileges() {
        local n=mxsh-drop leader pid
        sh_machine $n "DropCapability=CAP_NET_RAW CAP_SYS_CHROOT CAP_MKNOD\nNoNewPrivileges=yes\nSystemCallFilter=~@clock\n"
        leader=$(mx_prop $n Leader)
        [ "$(sh_status_line $leader NoNewPrivs)" = 1 ] || t_fail "the leader has no no_new_privs"
        python3 $PTYRUN --size 24 80 -- machinectl-ext -q shell $n /bin/sleep 4243 >/dev/null 2>&1 &
        pid=$(sh_find "/bin/sleep 4243")
        sh_same_as_leader $pid $leader "shell in a machine with DropCapability="
        [ $(( 0x$(sh_status_line $pid CapBnd) & (1 << 13) )) = 0 ] || t_fail "the shell has CAP_NET_RAW"
        [ $(( 0x$(sh_status_line $pid CapEff) & (1 << 18) )) = 0 ] || t_fail "the shell has CAP_SYS_CHROOT"
        kill $pid
        # exec too, and it cannot call what the machine's filter denies.
        machinectl-ext exec $n /bin/sleep 4244 </dev/null >/dev/null 2>&1 &
        pid=$(sh_find "/bin/sleep 4244")
        sh_same_as_leader $pid $leader "exec in a machine with DropCapability="
        kill $pid
        wait
        return 0
}

# The model may say more than the payload has: a settings file edited while the machine runs, read again by a
# restarted daemon that adopts the machine. The shell still gets no more than the leader.
test_exec_after_restart_edited() {
        local n=mxsh-edit leader pid
        sh_machine $n "DropCapability=CAP_NET_RAW\nNoNewPrivileges=yes\n"
        leader=$(mx_prop $n Leader)
        mx_settings $n "[Exec]\nNotifyReady=no\nKillSignal=SIGKILL\n"
        assert_ok systemctl restart machined-ext
        wait_until 15 eval '[ "$(mx_prop $n Leader 2>/dev/null)" = "$leader" ]' || t_fail "$n was not adopted"
        machinectl-ext exec $n /bin/sleep 4245 </dev/null >/dev/null 2>&1 &
        pid=$(sh_find "/bin/sleep 4245")
        sh_same_as_leader $pid $leader "exec after the settings file was edited and the daemon restarted"
        kill $pid
        wait
        return 0
}

# Bad input: error names, and nothing left behind (no process, no fd or child of the daemon).
test_shell_bad_input() {
        local n=mxsh-bad out
        mx_baseline
        sh_machine $n
        assert_error org.machinedext1.NoSuchMachine OpenMachineShell string:mxsh-nosuch string: string: \
                array:string: array:string: >/dev/null
        assert_error org.machinedext1.NoSuchUser OpenMachineShell string:$n string:bob string: array:string: \
                array:string: >/dev/null
        assert_error org.freedesktop.DBus.Error.InvalidArgs OpenMachineShell string:$n string: string:bin/sh \
                array:string: array:string: >/dev/null
        assert_error org.freedesktop.DBus.Error.InvalidArgs OpenMachineShell string:$n string:../x string: \
                array:string: array:string: >/dev/null
        assert_error org.freedesktop.DBus.Error.InvalidArgs OpenMachineShell string:$n string: string:/bin/sh \
                array:string: array:string:1BAD=x >/dev/null
        # A control character in a value (a terminal escape for the shell's environment) is refused too.
        assert_error org.freedesktop.DBus.Error.InvalidArgs OpenMachineShell string:$n string: string:/bin/sh \
                array:string: "array:string:ESC=$(printf 'x\033]52;c;AAAA\a')" >/dev/null
        assert_error org.machinedext1.ExecFailed OpenMachineShell string:$n string: string:/nonexistent \
                array:string: array:string: >/dev/null
        out=$(machinectl-ext exec --uid=bob $n /bin/true 2>&1) && t_fail "exec as an unknown user succeeded"
        assert_match "no such user" "$out" "exec --uid=bob"
        out=$(machinectl-ext shell $n bin/sh 2>&1) && t_fail "a relative path was accepted"
        out=$(machinectl-ext exec mxsh-nosuch /bin/true 2>&1) && t_fail "exec in an unknown machine succeeded"
        assert_match "No such machine|not running" "$out" "exec in an unknown machine"
        # Only the leader and busybox init's children are in the scope.
        assert_eq "" "$(procs_in_unit $(scope_of $n) | xargs -r ps -o args= -p | grep -v -e '^init' -e '^/bin/sleep 3600' -e '^/sbin/init')" \
                "processes left in the scope"
        mx_stop $n
        # Not running any more.
        mx_root $n
        assert_error org.machinedext1.NoSuchMachine OpenMachineShell string:$n string: string: array:string: \
                array:string: >/dev/null
        assert_no_leftovers $n
}

# Console: the caller's window size on attach and on SIGWINCH (it was 24x80 whatever the caller had).
test_console_window_size() {
        local n=mxsh-con out
        mx_root $n
        mx_settings $n '[Exec]\nBoot=no\nParameters=/bin/sh -c "while :; do stty size; sleep 0.3; done"\nKillSignal=SIGKILL\n'
        assert_ok machinectl-ext start $n
        out=$(python3 $PTYRUN --size 33 111 --resize-after 2 44 122 --timeout 4 -- machinectl-ext -q console $n 2>&1)
        assert_match '33 111' "$out" "console size on attach"
        assert_match '44 122' "$out" "console size after SIGWINCH"
        assert_error org.freedesktop.DBus.Error.InvalidArgs SetMachineConsoleSize string:$n uint16:0 uint16:80 \
                >/dev/null
}

run_test shell-terminal test_shell_terminal
run_test shell-resize-restore test_shell_resize_restore
run_test exec-stdio-status test_exec_stdio_status
run_test exec-same-as-payload test_exec_same_as_payload
run_test exec-reduced-privileges test_exec_reduced_privileges
run_test exec-after-restart-edited test_exec_after_restart_edited
run_test shell-bad-input test_shell_bad_input
run_test console-window-size test_console_window_size
t_summary
