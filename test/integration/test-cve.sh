#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The CVE regression suite: one test per class of container escape that hit runc, crun or nspawn, each with
# a hostile image (a busybox root with a malicious twist), run through the daemon, asserting that the attack
# fails. The classes, and where the defence is: docs/security.md. Related tests elsewhere: the OCI
# startContainer hook and /proc/1/exe (test-oci-bundle.sh, hooks), the hostile probe (test-userns.sh).

set -u
. "$(dirname "$0")/lib.sh"

# Extra host paths a test creates: removed after each test, whether it passed or not.
cve_extra() {
        echo "$1" >>"$T_TMP/cve-extra"
}

cve_run() {     # NAME FUNC
        : >"$T_TMP/cve-extra"
        run_test "$@"
        local p
        while read -r p; do
                [ -n "$p" ] && { umount -R "$p" 2>/dev/null; rm -rf --one-file-system "$p"; }
        done <"$T_TMP/cve-extra"
}

# The host's mount table, without the machines' own mounts (which live in their mount namespaces anyway).
host_mounts() {
        awk '{ print $5 }' /proc/self/mountinfo | sort
}

# A file the payload wrote into its root, seen from the host (waits for it).
root_file() {   # NAME PATH
        wait_file "$MACHINES_DIR/$1$2" 10
}

# CVE-2019-5736: the payload's command is the runtime's own binary, through /proc/self/exe (or a symlink to
# it in the image), so that the host's binary runs in the container, where it can be rewritten. The exec must
# fail: the container's init never executes anything that is not in the image.
test_cve_2019_5736_proc_self_exe() {
        local n=mxt-cve-exe out
        mx_root $n
        ln -sfn /proc/self/exe $MACHINES_DIR/$n/usr/bin/evil
        for cmd in /proc/self/exe /proc/1/exe /usr/bin/evil; do
                mx_settings $n "[Exec]\nParameters=$cmd --version\n"
                out=$(mx_error StartMachine string:$n)
                assert_match "^org.machinedext1.(ExecFailed|SetupFailed): .*$cmd" "$out" "StartMachine with $cmd"
                mx_gone $n || t_fail "$n is running the host's binary ($cmd)"
        done
        return 0
}

# CVE-2024-21626: a file descriptor of the runtime that is still open when the payload starts, or a working
# directory reached through one (WorkingDirectory=/proc/self/fd/N), leads out of the root. Inside, no fd may
# point to anything of the host, the working directory must be inside the root, and each /proc/self/fd/N as
# WorkingDirectory= fails to start.
test_cve_2024_21626_leaked_fd() {
        local n=mxt-cve-fd fds cwd i out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c \"ls -l /proc/self/fd/ | cat >/fds.new; mv /fds.new /fds.txt; readlink /proc/self/cwd >/cwd.txt; exec sleep 1000\"\nWorkingDirectory=/tmp\nKillSignal=SIGKILL\n"
        mx_start $n
        fds=$(root_file $n /fds.txt)
        cwd=$(root_file $n /cwd.txt)
        assert_eq /tmp "$cwd" "the payload's working directory"
        # Every fd: stdio (the console, /dev/null, pipes, sockets) or ls' own directory (which it reads).
        [ "$(echo "$fds" | grep -c -- '->')" -ge 3 ] || t_fail "no fds listed: $(echo "$fds" | tr '\n' '|')"
        echo "$fds" | awk '/->/ { print $NF }' | while read -r target; do
                case $target in
                /dev/console|/dev/pts/*|/dev/null|pipe:*|socket:*|/proc/*/fd) ;;
                *) t_fail "an fd of the payload points to '$target': $(echo "$fds" | tr '\n' '|')" ;;
                esac
        done || exit 1
        mx StopMachine s $n >/dev/null
        wait_until 10 mx_gone $n || t_fail "$n did not stop"

        for i in 3 4 5 6 7 8 9 10 11 12; do
                mx_settings $n "[Exec]\nParameters=/bin/sh -c \"ls .. >/escaped.txt\"\nWorkingDirectory=/proc/self/fd/$i\n"
                out=$(mx_error StartMachine string:$n)
                assert_match "^org.machinedext1.SetupFailed: .*WorkingDirectory=/proc/self/fd/$i" "$out" \
                        "WorkingDirectory=/proc/self/fd/$i"
                [ ! -e $MACHINES_DIR/$n/escaped.txt ] || t_fail "WorkingDirectory=/proc/self/fd/$i: the payload ran"
        done
        return 0
}

# CVE-2021-30465: the target of a bind mount is a symlink in the image that points out of the root
# (absolute, or up with ..). It is resolved inside the root: nothing is mounted on the host's path, and the
# bind lands in the image's copy of that path.
test_cve_2021_30465_bind_target_symlink() {
        local n=mxt-cve-bind src=/tmp/mxt-cve-bind-src t1=/srv/mxt-cve-bind-t1 t2=/srv/mxt-cve-bind-t2 before
        mx_root $n
        cve_extra $src
        cve_extra $t1
        cve_extra $t2
        mkdir -p $src $t1 $t2 "$MACHINES_DIR/$n$t1" "$MACHINES_DIR/$n$t2"
        echo from-host >$src/file
        ln -sfn $t1 $MACHINES_DIR/$n/evil-abs
        ln -sfn ../../../../../../../..$t2 $MACHINES_DIR/$n/evil-up
        mx_settings $n "[Exec]\nParameters=/bin/sh -c \"cat /evil-abs/file /evil-up/file >/seen.txt; exec sleep 1000\"\nKillSignal=SIGKILL\n[Files]\nBind=$src:/evil-abs\nBind=$src:/evil-up\n"
        before=$(host_mounts)
        mx_start $n
        assert_eq "from-host
from-host" "$(root_file $n /seen.txt)" "the binds, inside"
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        [ ! -e $t1/file ] && [ ! -e $t2/file ] || t_fail "a bind landed on the host's $t1 or $t2"
        # A symlink to a target that does not exist in the image: a clean refusal naming it, not a mount on
        # the host's directory.
        mx StopMachine s $n >/dev/null
        wait_until 10 mx_gone $n || t_fail "$n did not stop"
        rmdir "$MACHINES_DIR/$n$t1"
        assert_match "^org.machinedext1.SetupFailed: .*/evil-abs" "$(mx_error StartMachine string:$n)" "dangling bind target"
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        [ ! -e $t1/file ] || t_fail "a bind landed on the host's $t1"
        return 0
}

# CVE-2025-31133 and CVE-2025-52565: /dev/null and /dev/console of the image are symlinks to procfs files
# (core_pattern, sysrq-trigger), which a runtime that masks with /dev/null, or binds the console onto
# /dev/console, would mount over the host's files or write to. The container's /dev is its own: both are
# character devices, the masks hold, the console is the machine's, and the host's files are unchanged.
test_cve_2025_31133_52565_dev_symlinks() {
        local n=mxt-cve-dev core rep tok=$RANDOM$RANDOM
        mx_root $n
        mkdir -p $MACHINES_DIR/$n/dev/pts
        ln -sfn /proc/sys/kernel/core_pattern $MACHINES_DIR/$n/dev/null
        ln -sfn /proc/sysrq-trigger $MACHINES_DIR/$n/dev/console
        ln -sfn /proc/sys/kernel/core_pattern $MACHINES_DIR/$n/dev/pts/0
        core=$(cat /proc/sys/kernel/core_pattern)
        mx_settings $n "[Exec]\nParameters=/bin/sh -c \"echo console-$tok >/dev/console; echo x >/dev/null; testpayload stat /dev/null >/st.new; testpayload stat /dev/console >>/st.new; testpayload stat /proc/timer_list >>/st.new; mv /st.new /st.txt; exec sleep 1000\"\nKillSignal=SIGKILL\n"
        mx_start $n
        rep=$(root_file $n /st.txt)
        assert_match "^chr " "$(echo "$rep" | sed -n 1p)" "/dev/null inside"
        assert_match "^chr " "$(echo "$rep" | sed -n 2p)" "/dev/console inside"
        # Masked by a null device of the container's own /dev (or an inaccessible file), not "reg 0400".
        assert_match "^(chr 0666 rdev=1:3|reg 0000)" "$(echo "$rep" | sed -n 3p)" "the masked /proc/timer_list"
        assert_eq "$core" "$(cat /proc/sys/kernel/core_pattern)" "the host's core_pattern"
        wait_until 5 eval "machinectl-ext console --log $n | grep -q console-$tok" ||
                t_fail "the line written to /dev/console is not in the machine's console"
        return 0
}

# CVE-2025-52881: procfs writes of the set-up (OOMScoreAdjust= goes to /proc/self/oom_score_adj, an OCI
# bundle's linux.sysctl to /proc/sys) redirected by an image whose /proc is a symlink to a fake procfs in the
# image (or to the host's /proc, up with ..). The container gets a real proc on its own /proc, the values
# land where they belong, and the fake tree is untouched; or the start is refused (a /proc that is not a
# directory), naming /proc.
test_cve_2025_52881_procfs_redirect() {
        local n=mxt-cve-proc b=$MACHINES_DIR/mxt-cve-proc leader fake out
        mx_root $n "$b/rootfs"
        rm -rf "$b/rootfs/proc"
        mkdir -p "$b/rootfs/fakeproc/self" "$b/rootfs/fakeproc/sys/net/ipv4"
        echo 0 >"$b/rootfs/fakeproc/self/oom_score_adj"
        echo 0 >"$b/rootfs/fakeproc/sys/net/ipv4/ip_forward"
        ln -sfn /fakeproc "$b/rootfs/proc"
        fake=$(cd "$b/rootfs/fakeproc" && find . -type f -exec cat {} + | md5sum)
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "sleep", "1000", "--report", "/tmp/r.txt" ],
               "user": { "uid": 0, "gid": 0 }, "oomScoreAdj": 123 },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "network" } ],
             "sysctl": { "net.ipv4.ip_forward": "1" } } }
EOF
        out=$(mx_error StartMachineFromBundle string:$n string:"$b")
        if [ "$out" != ok ]; then
                assert_match "^org.machinedext1.SetupFailed: .*/proc" "$out" "StartMachineFromBundle"
                assert_eq "$fake" "$(cd "$b/rootfs/fakeproc" && find . -type f -exec cat {} + | md5sum)" "the fake procfs"
                return 0
        fi
        leader=$(leader_of $n)
        [ -n "$leader" ] || t_fail "no leader"
        assert_eq 123 "$(cat /proc/$leader/oom_score_adj)" "the payload's oom_score_adj"
        assert_eq 1 "$(nsenter -t $leader -n cat /proc/sys/net/ipv4/ip_forward)" "ip_forward in the machine's netns"
        assert_eq proc "$(nsenter -t $leader -m stat -f -c %T /proc 2>/dev/null | sed 's/^proc.*/proc/')" \
                "file system on the machine's /proc"
        assert_eq "$fake" "$(cd "$b/rootfs/fakeproc" && find . -type f -exec cat {} + | md5sum)" "the fake procfs"
        return 0
}

# An image whose /dev is a symlink out of the root (CVE-2026-41579 class): the set-up must not mount its /dev
# (tmpfs, device nodes, devpts) on the host's directory.
test_dev_symlink() {
        local n=mxt-cve-devlink t=/tmp/mxt-cve-devtarget before rep
        mx_root $n
        cve_extra $t
        mkdir -p $t
        rm -rf $MACHINES_DIR/$n/dev
        ln -sfn ../../../../../../..$t $MACHINES_DIR/$n/dev
        before=$(host_mounts)
        mx_settings $n "[Exec]\nParameters=/bin/sh -c \"testpayload stat /dev/null >/st.new; mv /st.new /st.txt; exec sleep 1000\"\nKillSignal=SIGKILL\n"
        if mx StartMachine s $n >/dev/null 2>&1; then
                rep=$(root_file $n /st.txt)
                assert_match "^chr " "$rep" "/dev/null inside"
        fi
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        assert_eq "" "$(ls -A $t)" "the host's $t"
        return 0
}

# The same for /proc and /sys: symlinks to the host's (up with ..) and into the image. Nothing is mounted on
# the host, and the container has its own proc and a read-only sysfs.
test_proc_sys_symlinks() {
        local n=mxt-cve-procsys before rep
        mx_root $n
        rm -rf $MACHINES_DIR/$n/proc $MACHINES_DIR/$n/sys
        ln -sfn ../../../../../../../proc $MACHINES_DIR/$n/proc
        mkdir -p $MACHINES_DIR/$n/fakesys
        ln -sfn /fakesys $MACHINES_DIR/$n/sys
        before=$(host_mounts)
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep 1000 --report /tmp/r.txt\nKillSignal=SIGKILL\n"
        if mx StartMachine s $n >/dev/null 2>&1; then
                rep=$(tmp_report $n)
                assert_eq 1 "$(report_get "$rep" pid)" "PID of the payload, from its /proc"
                assert_match "^/sys sysfs ro" "$(echo "$rep" | grep '^mount=/sys ' | sed 's/^mount=//')" "/sys inside"
        fi
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        assert_eq "" "$(ls -A $MACHINES_DIR/$n/fakesys)" "the image's fake /sys"
        return 0
}

# CVE-2022-29162: the payload's inheritable set is empty unless the settings ask for one, also when it runs
# as another user (where file capabilities plus a non-empty inheritable set would give it more).
test_cve_2022_29162_inheritable() {
        local n=mxt-cve-inh u=mxt-cve-inh-user rep
        mx_root $n
        mx_root $u
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep 1000 --report /tmp/r.txt\nKillSignal=SIGKILL\n"
        mx_settings $u "[Exec]\nParameters=/usr/bin/testpayload sleep 1000 --report /tmp/r.txt\nUser=nobody\nKillSignal=SIGKILL\n"
        grep -q '^nobody:' $MACHINES_DIR/$u/etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>$MACHINES_DIR/$u/etc/passwd
        grep -q '^nobody:' $MACHINES_DIR/$u/etc/group || echo 'nobody:x:65534:' >>$MACHINES_DIR/$u/etc/group
        mx_start $n
        mx_start $u
        rep=$(tmp_report $n)
        assert_eq 0000000000000000 "$(report_get "$rep" cap.inh)" "CapInh of root's payload"
        assert_eq 0000000000000000 "$(report_get "$rep" cap.amb)" "CapAmb of root's payload"
        rep=$(tmp_report $u)
        assert_eq 0000000000000000 "$(report_get "$rep" cap.inh)" "CapInh of User=nobody's payload"
        assert_eq 0000000000000000 "$(report_get "$rep" cap.eff)" "CapEff of User=nobody's payload"
        return 0
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

cve_run cve-2019-5736-proc-self-exe test_cve_2019_5736_proc_self_exe
cve_run cve-2024-21626-leaked-fd test_cve_2024_21626_leaked_fd
cve_run cve-2021-30465-bind-target-symlink test_cve_2021_30465_bind_target_symlink
cve_run cve-2025-31133-52565-dev-symlinks test_cve_2025_31133_52565_dev_symlinks
cve_run cve-2025-52881-procfs-redirect test_cve_2025_52881_procfs_redirect
cve_run cve-dev-symlink test_dev_symlink
cve_run cve-proc-sys-symlinks test_proc_sys_symlinks
cve_run cve-2022-29162-inheritable test_cve_2022_29162_inheritable

t_summary
