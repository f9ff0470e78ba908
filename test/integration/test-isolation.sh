#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What a payload must not reach even where a setting lets it make the call: the daemon's session keyring, the
# system calls the default seccomp list denies, and devices (docs/security.md). Each test performs the attack.

set -u
. "$(dirname "$0")/lib.sh"

# machined-ext.service's invocation ID, as the 32 hex digits systemd puts in its session keyring.
daemon_invocation_id() {
        mx ListMachines >/dev/null || t_fail "ListMachines failed"
        systemctl show -p InvocationID --value machined-ext.service
}

# "testpayload keyring" output KEYRING-REPORT: keyctl() worked (the test means something), the session
# keyring is a new anonymous one, and it is empty: no invocation_id key, above all not the daemon's.
check_keyring() {       # REPORT WHAT
        local rep=$1 what=$2 inv
        inv=$(daemon_invocation_id)
        [ -n "$inv" ] || t_fail "machined-ext.service has no InvocationID"
        assert_match '^[0-9]+ keyring;' "$(report_get "$rep" session)" "$what: keyctl() on @s"
        assert_match ';_ses$' "$(report_get "$rep" session)" "$what: @s is an anonymous session keyring"
        assert_ne "$inv" "$(report_get "$rep" invocation_id)" "$what: the daemon's invocation ID read from @s"
        assert_eq none "$(report_get "$rep" invocation_id)" "$what: invocation_id in @s"
        assert_eq "" "$(report_get "$rep" session.keys)" "$what: keys in the new @s"
}

# A machine allowed the @keyring calls (SystemCallFilter=@keyring) reads its session keyring. It used to be
# the daemon's: systemd's per-service keyring with machined-ext.service's invocation ID, which any container
# could read, add keys to or clear.
test_keyring_settings() {
        local n=mxt-keyring rep
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload keyring --out /keyring.txt\nSystemCallFilter=@keyring\n"
        mx_start $n
        assert_eq "exited 0" "$(mx_wait $n)" "the payload's exit"
        rep=$(cat "$MACHINES_DIR/$n/keyring.txt")
        check_keyring "$rep" "payload"
        return 0
}

# An OCI bundle's payload never gets keyctl() (nspawn's deny list applies to bundles), and neither does its
# startContainer hook, a program of the image, which runs with the payload's filters (it ran before them, with
# the machine's session keyring to read and write). The payload's new keyring: test oci-cli-no-new-keyring.
test_keyring_oci() {
        local n=mxoci-keyring b=$MACHINES_DIR/mxoci-keyring rep
        mx_root $n "$b/rootfs"
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "exit", "0" ], "user": { "uid": 0, "gid": 0 } },
  "hooks": { "startContainer": [ { "path": "/usr/bin/testpayload", "args": [ "testpayload", "keyring", "--out", "/keyring.txt" ] } ] },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }
EOF
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        assert_eq "exited 0" "$(mx_wait $n)" "the payload's exit"
        rep=$(cat "$b/rootfs/keyring.txt")
        assert_eq EPERM "$(report_get "$rep" session)" "keyctl() in the startContainer hook"
        return 0
}

# The default deny list (docs/security.md, "System calls"): io_uring, userfaultfd and keyctl are EPERM from
# the filter (the calls themselves would fail with EFAULT or EINVAL); SystemCallFilter= gives io_uring back.
# A nested user namespace is allowed with CAP_SYS_ADMIN (as in nspawn: a systemd inside uses them), not
# without it (DropCapability=CAP_SYS_ADMIN), where it used to need no capability at all.
test_seccomp_defaults() {
        local n=mxt-sc-def a=mxt-sc-allow d=mxt-sc-noadmin
        mx_root $n
        mx_root $a
        mx_root $d
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload syscall --out /sc.txt io_uring_setup userfaultfd keyctl clone-user\n"
        mx_settings $a "[Exec]\nParameters=/usr/bin/testpayload syscall --out /sc.txt io_uring_setup\nSystemCallFilter=io_uring_setup\n"
        mx_settings $d "[Exec]\nParameters=/usr/bin/testpayload syscall --out /sc.txt clone-user keyctl\nDropCapability=CAP_SYS_ADMIN\n"
        mx_start $n
        mx_start $a
        mx_start $d
        mx_wait $n >/dev/null
        mx_wait $a >/dev/null
        mx_wait $d >/dev/null
        assert_eq "io_uring_setup=EPERM
userfaultfd=EPERM
keyctl=EPERM
clone-user=ok" "$(cat $MACHINES_DIR/$n/sc.txt)" "default machine"
        assert_eq "io_uring_setup=EFAULT" "$(cat $MACHINES_DIR/$a/sc.txt)" "SystemCallFilter=io_uring_setup"
        assert_eq "clone-user=EPERM
keyctl=EPERM" "$(cat $MACHINES_DIR/$d/sc.txt)" "DropCapability=CAP_SYS_ADMIN"
        return 0
}

# The daemon compiles a machine's filters before the clone, once for every machine of the same settings: the
# cache in /run/machined-ext/seccomp (0700), one file (0600) per set of inputs, used again without being
# written. The forged file (one config's key, another's programs) shows that the init loads what the cache
# holds; writable by others, or in a directory others can write, it is not loaded but compiled again.
test_seccomp_shared_cache() {
        local n=mxt-sc-cache a=mxt-sc-cache-allow dir=/run/machined-ext/seccomp fn fa ino
        mx_root $n
        mx_root $a
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload syscall --out /sc.txt io_uring_setup\n"
        mx_settings $a "[Exec]\nParameters=/usr/bin/testpayload syscall --out /sc.txt io_uring_setup\nSystemCallFilter=io_uring_setup\n"
        # io_uring_setup in machine NAME: EPERM (denied by the filter) or EFAULT (allowed, bad arguments).
        io_uring_in() {
                rm -f $MACHINES_DIR/$1/sc.txt
                mx_start $1
                mx_wait $1 >/dev/null
                cat $MACHINES_DIR/$1/sc.txt
        }
        rm -f $dir/bpf-*
        assert_eq "io_uring_setup=EPERM" "$(io_uring_in $n)" "the default filter, compiled"
        assert_eq "700 0" "$(stat -c '%a %u' $dir)" "mode and owner of the cache directory"
        fn=$(ls $dir/bpf-*)
        assert_eq 1 "$(ls $dir | wc -l)" "files in the cache after one machine"
        assert_eq "600 0" "$(stat -c '%a %u' "$fn")" "mode and owner of the cache file"
        ino=$(stat -c %i "$fn")
        assert_eq "io_uring_setup=EPERM" "$(io_uring_in $n)" "the default filter, cached"
        assert_eq "$ino" "$(stat -c %i "$fn")" "the cache file, not written again on a hit"
        assert_eq "io_uring_setup=EFAULT" "$(io_uring_in $a)" "SystemCallFilter=io_uring_setup"
        assert_eq 2 "$(ls $dir | wc -l)" "files in the cache after two settings"
        fa=$(ls $dir/bpf-* | grep -vx "$fn")

        # The default's key with the programs that allow io_uring_setup: loaded, so the cache is what counts.
        forge_seccomp_cache "$fn" "$fa" "$T_TMP/forged"
        install -m 0600 "$T_TMP/forged" "$fn"
        assert_eq "io_uring_setup=EFAULT" "$(io_uring_in $n)" "a forged cache file of root's"
        # Writable by others: compiled again, and replaced.
        chmod 0622 "$fn"
        assert_eq "io_uring_setup=EPERM" "$(io_uring_in $n)" "a cache file writable by others"
        assert_eq "600" "$(stat -c %a "$fn")" "the cache file, replaced"
        cmp -s "$fn" "$T_TMP/forged" && t_fail "the forged cache file was kept"
        # In a directory others can write: not used at all.
        install -m 0600 "$T_TMP/forged" "$fn"
        chmod 0777 $dir
        assert_eq "io_uring_setup=EPERM" "$(io_uring_in $n)" "a cache directory writable by others"
        chmod 0700 $dir
        rm -f "$fn"
        return 0
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

# The device policy of a machine's scope (device-policy.h: ours, attached before the payload runs; the scope
# has no DevicePolicy= of systemd's): a process in the scope's cgroup may open and make the pseudo devices,
# open ptys and tun, and nothing else, whatever nodes it finds. The nodes here are the host's, made outside
# the cgroup (as an image could ship them); from outside the cgroup the same opens are not EPERM.
check_device_policy() {  # CGROUP DIR WHAT (DIR: for the nodes, on a file system without nodev)
        local cg=$1 d=$2/devnodes what=$3
        mkdir -p "$d"
        mknod "$d/fuse" c 10 229 && mknod "$d/loop" b 7 0 && mknod "$d/mem" c 1 1 && mknod "$d/null" c 1 3 ||
                t_fail "mknod on the host failed"
        assert_eq ok "$(cg_try "$cg" open "$d/null")" "$what: open of a null node"
        assert_eq ok "$(cg_try "$cg" open /dev/ptmx)" "$what: open of /dev/ptmx"
        assert_eq EPERM "$(cg_try "$cg" open "$d/fuse")" "$what: open of a fuse node (10:229)"
        assert_eq EPERM "$(cg_try "$cg" open "$d/loop")" "$what: open of a loop node (block 7:0)"
        assert_eq EPERM "$(cg_try "$cg" open "$d/mem")" "$what: open of a mem node (1:1)"
        assert_eq ok "$(cg_try "$cg" mknod "$d/null2" c 1 3)" "$what: mknod of null"
        assert_eq EPERM "$(cg_try "$cg" mknod "$d/sda" b 8 0)" "$what: mknod of sda (block 8:0)"
        assert_eq EPERM "$(cg_try "$cg" mknod "$d/pts" c 136 9)" "$what: mknod of a pty (read and write only)"
        if [ -c /dev/net/tun ]; then
                assert_match "^(ok|ENODEV|ENXIO)$" "$(cg_try "$cg" open /dev/net/tun)" "$what: open of /dev/net/tun"
        fi
        # From a cgroup without a policy: not EPERM.
        assert_opens_without_policy "$d/fuse" "$what: the fuse node from a cgroup without a policy"
        rm -rf "$d"
}

test_device_policy() {
        local n=mxt-devices cg
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\nKillSignal=SIGKILL\n"
        mx_start $n
        cg=$(cgroup_of "$(leader_of $n)")
        assert_eq "/machine.slice/$(scope_of $n)" "$cg" "the leader's cgroup"
        assert_eq auto "$(systemctl show -P DevicePolicy "$(scope_of $n)")" "systemd's DevicePolicy= of the scope"
        check_device_policy "$cg" "$MACHINES_DIR/$n" "a machine of a settings file"
        mx_stop $n >/dev/null || t_fail "StopMachine failed"

        # A bundle through the daemon, whose payload tries first thing: the policy is there before it runs.
        local o=mxoci-devices b=$MACHINES_DIR/mxoci-devices
        oci_bundle $o /bin/true
        devtest_setup "$b"
        mx StartMachineFromBundle ss $o "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        assert_eq "exited 0" "$(mx_wait $o)" "the payload's exit"
        devtest_check "$b" "a bundle through the daemon"
        return 0
}

run_test keyring-settings test_keyring_settings
run_test keyring-oci test_keyring_oci
run_test seccomp-defaults test_seccomp_defaults
run_test seccomp-shared-cache test_seccomp_shared_cache
run_test device-policy test_device_policy

t_summary
