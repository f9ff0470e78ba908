#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Settings keys at work in a running container, for the keys test-settings.sh does not cover: Overlay=,
# OverlayReadOnly=, Timezone=, ResolvConf=, Personality=, CPUAffinity=, NoNewPrivileges=, AmbientCapability=,
# SystemCallFilter= (names, and the notice for @groups), LimitCPU=. Each key is checked from the host
# (/proc/LEADER/...) or from inside (the payload, or a process of the payload's own tree where the property
# is per process and would not pass through nsenter: personality, seccomp), with a control where the default
# could pass for the key's effect. Written against docs/settings.md and systemd.nspawn(5).

set -u
. "$(dirname "$0")/lib.sh"

SLEEP_CMD="/usr/bin/testpayload sleep 1000 --report /tmp/r.txt"

# ---------------------------------------------------------------------------------------------------------
# Helpers of this file.

# Host paths a test creates: removed after the test, whether it passed or not (after the commands in
# $T_TMP/sr-cmds, e.g. an umount, and after run_test tore the machines down).
sr_extra() {
        echo "$1" >>"$T_TMP/sr-extra"
}

# Host files a test changes: saved before (sr_save PATH), put back after the test (a file that did not
# exist is removed again; a symlink stays a symlink).
sr_save() {
        local i
        i=$(wc -l <"$T_TMP/sr-saved")
        if [ -e "$1" ] || [ -L "$1" ]; then
                cp -a "$1" "$T_TMP/sr-saved.$i"
                echo "$1 saved.$i" >>"$T_TMP/sr-saved"
        else
                echo "$1 absent" >>"$T_TMP/sr-saved"
        fi
}

sr_run() {      # NAME FUNC
        local p how
        : >"$T_TMP/sr-extra"
        : >"$T_TMP/sr-saved"
        : >"$T_TMP/sr-cmds"
        run_test "$@"
        while read -r p; do
                [ -n "$p" ] && $p >/dev/null 2>&1
        done <"$T_TMP/sr-cmds"
        while read -r p; do
                [ -n "$p" ] && rm -rf --one-file-system "$p"
        done <"$T_TMP/sr-extra"
        # The first save of a path is the original: restore in reverse, so it is the one that stays.
        tac "$T_TMP/sr-saved" | while read -r p how; do
                rm -f "$p"
                [ "$how" = absent ] || mv -f "$T_TMP/sr-$how" "$p"
        done
}

# A file the payload's shell wrote to /tmp (inside), read through /proc/LEADER/root once the report is there
# (the shell writes its files before it execs the sleeping payload, which writes the report).
ct_tmp() {      # NAME FILE
        tmp_report "$1" >/dev/null || exit 1
        cat "/proc/$(leader_of "$1")/root/tmp/$2" 2>&1
}


status_of() {   # PID FIELD: a field of /proc/PID/status, value only
        sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

in_ct() {       # NAME ARGS...: testpayload ARGS in the machine's namespaces, as root
        local l
        l=$(leader_of "$1")
        shift
        nsenter -t "$l" -a /usr/bin/testpayload "$@" 2>/dev/null
}

# Starts NAME with a shell as PID 1 that runs SCRIPT (busybox sh; may write to /tmp) and then execs the
# reporting payload. $3: extra settings lines (printf escapes).
start_script() {        # NAME SCRIPT [EXTRA]
        local n=$1 script=$2 extra=${3:-}
        mx_root "$n"
        mx_settings "$n" "[Exec]\nParameters=/bin/sh -c '$script; exec $SLEEP_CMD'\n$extra"
        mx_start "$n"
}

# ---------------------------------------------------------------------------------------------------------
# Overlay=, OverlayReadOnly=

# overlayfs refuses an upper directory on an overlayfs (the test bed's / is one), so the upper layers live on
# a tmpfs: mounted at /ovl in the image for the "+" paths, under /run for the host paths.
test_overlay() {
        local n=srov d=$MACHINES_DIR/srov h=/srv/srov hu=/run/srov l
        mx_root $n
        mkdir -p $d/lower $d/ovl
        mount -t tmpfs -o mode=0755 srov $d/ovl || t_fail "cannot mount a tmpfs at $d/ovl"
        mkdir -p $d/ovl/upper
        echo "from lower" >$d/lower/lowerfile
        echo "shadowed" >$d/lower/both
        echo "from upper" >$d/ovl/upper/both
        sr_extra $h
        sr_extra $hu
        mkdir -p $h/lower
        mkdir -p $hu
        mount -t tmpfs -o mode=0755 srovh $hu || t_fail "cannot mount a tmpfs at $hu"
        echo "umount -l $hu" >>"$T_TMP/sr-cmds"
        mkdir -p $hu/upper
        echo "host lower" >$h/lower/hostfile
        # Without a user namespace (with one: test-userns-binds.sh).
        mx_settings $n "[Exec]\nPrivateUsers=no\nParameters=$SLEEP_CMD\n[Files]\nOverlay=+/lower:+/ovl/upper:/mnt/ov\nOverlay=$h/lower:$hu/upper:/mnt/hov\n"
        mx_start $n
        tmp_report $n >/dev/null || exit 1
        l=$(leader_of $n)
        # Layers in the root ("+"): lower files visible, the upper one wins.
        assert_eq "from lower" "$(in_ct $n cat /mnt/ov/lowerfile)" "/mnt/ov/lowerfile"
        assert_eq "from upper" "$(in_ct $n cat /mnt/ov/both)" "/mnt/ov/both (upper over lower)"
        assert_eq "/mnt/ov overlay" "$(findmnt --task $l --raw --noheadings --output TARGET,FSTYPE | awk '$1 == "/mnt/ov" { print; exit }')" \
                "/mnt/ov is an overlay"
        # Writes land in the upper directory, the lower one stays as it was.
        assert_ok in_ct $n write /mnt/ov/new "written inside"
        assert_eq "written inside" "$(cat $d/ovl/upper/new 2>&1)" "upper/new on the host"
        [ ! -e $d/lower/new ] || t_fail "the new file landed in lower"
        assert_ok in_ct $n write /mnt/ov/lowerfile "changed inside"
        assert_eq "changed inside" "$(cat $d/ovl/upper/lowerfile 2>&1)" "copied-up upper/lowerfile on the host"
        assert_eq "from lower" "$(cat $d/lower/lowerfile)" "lower/lowerfile on the host"
        assert_eq "changed inside" "$(in_ct $n cat /mnt/ov/lowerfile)" "/mnt/ov/lowerfile after the write"
        # Host layers.
        assert_eq "host lower" "$(in_ct $n cat /mnt/hov/hostfile)" "/mnt/hov/hostfile"
        assert_ok in_ct $n write /mnt/hov/hnew "host upper"
        assert_eq "host upper" "$(cat $hu/upper/hnew 2>&1)" "host upper/hnew"
        [ ! -e $h/lower/hnew ] || t_fail "the new file landed in the host's lower"
        assert_eq "host lower" "$(cat $h/lower/hostfile)" "host lower/hostfile"
        # Nothing of it in the host's mount namespace (but the tmpfs this test put there).
        assert_eq "$d/ovl" "$(mounts_under $d)" "mounts under the root on the host"
        assert_eq "" "$(mounts_under $h)" "mounts under $h on the host"
}

test_overlay_readonly() {
        local n=srovro d=$MACHINES_DIR/srovro
        mx_root $n
        mkdir -p $d/l1 $d/l2
        echo "one" >$d/l1/a
        echo "bottom" >$d/l1/both
        echo "two" >$d/l2/b
        echo "top" >$d/l2/both
        mx_settings $n "[Exec]\nPrivateUsers=no\nParameters=$SLEEP_CMD\n[Files]\nOverlayReadOnly=+/l1:+/l2:/mnt/ro\n"
        mx_start $n
        tmp_report $n >/dev/null || exit 1
        assert_eq one "$(in_ct $n cat /mnt/ro/a)" "/mnt/ro/a (first lower)"
        assert_eq two "$(in_ct $n cat /mnt/ro/b)" "/mnt/ro/b (second lower)"
        # Later layers are on top (as in nspawn: the last lower before the destination is the uppermost).
        assert_eq top "$(in_ct $n cat /mnt/ro/both)" "/mnt/ro/both"
        assert_eq EROFS "$(in_ct $n write /mnt/ro/new x | tail -1)" "create in a read-only overlay"
        assert_eq EROFS "$(in_ct $n write /mnt/ro/a x | tail -1)" "write to a read-only overlay"
        assert_eq one "$(cat $d/l1/a)" "l1/a on the host"
        [ ! -e $d/l1/new ] && [ ! -e $d/l2/new ] || t_fail "a file was created in a lower layer"
}

# ---------------------------------------------------------------------------------------------------------
# Timezone=, ResolvConf=

# Makes sure the host (this bed) has an /etc/localtime (saved and restored by sr_run).
host_localtime() {
        if [ ! -e /etc/localtime ]; then
                sr_save /etc/localtime
                if [ -e /usr/share/zoneinfo/Europe/Berlin ]; then
                        ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime
                else
                        printf 'TZif-mxtest-%s\n' $$ >/etc/localtime
                fi
        fi
}

test_timezone() {
        local n=srtz m=srtzoff
        host_localtime
        mx_root $n
        mx_root $m
        # Both images have their own /etc/localtime.
        echo "image zone" >$MACHINES_DIR/$n/etc/localtime
        echo "image zone" >$MACHINES_DIR/$m/etc/localtime
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nTimezone=copy\n"
        mx_settings $m "[Exec]\nParameters=$SLEEP_CMD\nTimezone=off\n"
        mx_start $n
        mx_start $m
        tmp_report $n >/dev/null || exit 1
        tmp_report $m >/dev/null || exit 1
        assert_match "^reg " "$(in_ct $n stat /etc/localtime)" "Timezone=copy: /etc/localtime inside"
        cmp -s /etc/localtime "/proc/$(leader_of $n)/root/etc/localtime" ||
                t_fail "Timezone=copy: the container's /etc/localtime differs from the host's"
        assert_eq "image zone" "$(in_ct $m cat /etc/localtime)" "Timezone=off: /etc/localtime inside"
}

# Makes sure the host has an /etc/resolv.conf that no image has (saved and restored by sr_run).
host_resolv_conf() {
        if [ ! -s /etc/resolv.conf ]; then
                sr_save /etc/resolv.conf
                rm -f /etc/resolv.conf
                printf '# mxtest %s\nnameserver 192.0.2.53\n' $$ >/etc/resolv.conf
        fi
}

test_resolv_conf() {
        local n=srrc m=srrcoff k=srrcdel
        host_resolv_conf
        mx_root $n
        mx_root $m
        mx_root $k
        for x in $n $m $k; do
                printf 'nameserver 198.51.100.7\n' >$MACHINES_DIR/$x/etc/resolv.conf
        done
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nResolvConf=copy-host\n"
        mx_settings $m "[Exec]\nParameters=$SLEEP_CMD\nResolvConf=off\n"
        mx_settings $k "[Exec]\nParameters=$SLEEP_CMD\nResolvConf=delete\n"
        mx_start $n
        mx_start $m
        mx_start $k
        for x in $n $m $k; do
                tmp_report $x >/dev/null || exit 1
        done
        assert_eq "$(cat /etc/resolv.conf)" "$(in_ct $n cat /etc/resolv.conf)" "ResolvConf=copy-host: /etc/resolv.conf inside"
        assert_match "^reg " "$(in_ct $n stat /etc/resolv.conf)" "ResolvConf=copy-host: a copy"
        assert_eq "nameserver 198.51.100.7" "$(in_ct $m cat /etc/resolv.conf)" "ResolvConf=off: /etc/resolv.conf inside"
        assert_eq ENOENT "$(in_ct $k stat /etc/resolv.conf)" "ResolvConf=delete: /etc/resolv.conf inside"
}

# ---------------------------------------------------------------------------------------------------------
# [Exec] keys on the process: Personality=, CPUAffinity=, NoNewPrivileges=, AmbientCapability=, LimitCPU=

test_personality() {
        local n=srpers c=srpersc
        [ "$(uname -m)" = x86_64 ] || skip "Personality=x86 needs an x86-64 host (this is $(uname -m))"
        # uname(2) reports the personality of the caller: ask from the payload's own tree, not via nsenter.
        start_script $n "uname -m >/tmp/arch" "Personality=x86\n"
        start_script $c "uname -m >/tmp/arch"
        assert_eq i686 "$(ct_tmp $n arch)" "uname -m with Personality=x86"
        assert_eq 00000008 "$(cat /proc/"$(leader_of $n)"/personality)" "leader's personality (PER_LINUX32)"
        assert_eq x86_64 "$(ct_tmp $c arch)" "uname -m without Personality="
        assert_eq 00000000 "$(cat /proc/"$(leader_of $c)"/personality)" "leader's personality without Personality="
}

test_cpu_affinity() {
        local n=srcpu all
        all=$(status_of 1 Cpus_allowed_list)
        [ "$all" != 0 ] || skip "only CPU 0 is available here: CPUAffinity=0 would change nothing"
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nCPUAffinity=0\n"
        mx_start $n
        tmp_report $n >/dev/null || exit 1
        assert_eq 0 "$(status_of "$(leader_of $n)" Cpus_allowed_list)" "leader's Cpus_allowed_list (host has $all)"
}

test_no_new_privileges() {
        local n=srnnp r
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nNoNewPrivileges=yes\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        assert_eq 1 "$(report_get "$r" nonewprivs)" "nonewprivs in the report"
        assert_eq 1 "$(status_of "$(leader_of $n)" NoNewPrivs)" "leader's NoNewPrivs"
}

# The control: without NoNewPrivileges= (and with =no) setuid programs in the container keep working, as in
# systemd-nspawn (which loads its seccomp filter with SCMP_FLTATR_CTL_NNP off).
test_no_new_privileges_default() {
        local n=srnnpd m=srnnpn r main
        mx_root $n
        mx_root $m
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\n"
        mx_settings $m "[Exec]\nParameters=$SLEEP_CMD\nNoNewPrivileges=no\n"
        mx_start $n
        mx_start $m
        main=$(systemctl show -p MainPID --value machined-ext.service)
        r=$(tmp_report $n) || exit 1
        assert_eq 0 "$(report_get "$r" nonewprivs)" "nonewprivs without NoNewPrivileges= (the daemon's own NoNewPrivs: $(status_of "$main" NoNewPrivs))"
        r=$(tmp_report $m) || exit 1
        assert_eq 0 "$(report_get "$r" nonewprivs)" "nonewprivs with NoNewPrivileges=no"
}

test_ambient_capability() {
        local n=sramb r l
        mx_root $n
        grep -q '^nobody:' $MACHINES_DIR/$n/etc/passwd ||
                echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >>$MACHINES_DIR/$n/etc/passwd
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nUser=nobody\nAmbientCapability=CAP_NET_BIND_SERVICE\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        l=$(leader_of $n)
        assert_eq 65534 "$(report_get "$r" uid)" "uid"
        assert_eq 1 "$(cap_bit "$(status_of $l CapAmb)" 10)" "CAP_NET_BIND_SERVICE (10) in CapAmb $(status_of $l CapAmb)"
        assert_eq 1 "$(cap_bit "$(status_of $l CapEff)" 10)" "CAP_NET_BIND_SERVICE (10) in CapEff $(status_of $l CapEff)"
        # Only that one: nobody gets no other capability.
        assert_eq 0000000000000400 "$(status_of $l CapEff)" "CapEff"
        assert_eq 0000000000000400 "$(status_of $l CapAmb)" "CapAmb"
}

test_limit_cpu() {
        local n=srlim
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nLimitCPU=5\n"
        mx_start $n
        tmp_report $n >/dev/null || exit 1
        assert_match '^Max cpu time +5 +5 +seconds' "$(grep '^Max cpu time' /proc/"$(leader_of $n)"/limits)" "RLIMIT_CPU"
}

# ---------------------------------------------------------------------------------------------------------
# SystemCallFilter=

# Run by the payload's shell before it execs the sleeper: seccomp filters are inherited by children, not by
# processes entered with nsenter. busybox hostname calls sethostname(2); CAP_SYS_ADMIN is in the default set.
SYSCALL_SCRIPT='hostname srfoo 2>/tmp/herr; echo $? >/tmp/hrc; /usr/bin/testpayload syscall open_by_handle_at >/tmp/obh'

test_syscall_filter() {
        local n=srscf c=srscfc a=srscfa r
        start_script $n "$SYSCALL_SCRIPT" "SystemCallFilter=~sethostname\n"
        start_script $c "$SYSCALL_SCRIPT"
        start_script $a "$SYSCALL_SCRIPT" "SystemCallFilter=open_by_handle_at\n"
        # ~sethostname: hostname fails with EPERM, the hostname stays.
        assert_ne 0 "$(ct_tmp $n hrc)" "exit status of 'hostname srfoo' with SystemCallFilter=~sethostname"
        assert_match "Operation not permitted" "$(ct_tmp $n herr)" "hostname's error"
        r=$(tmp_report $n) || exit 1
        assert_eq $n "$(report_get "$r" hostname)" "hostname after the denied call"
        assert_match "^2" "$(report_get "$r" seccomp)" "Seccomp mode in the report"
        # Control: without the filter, hostname works.
        assert_eq 0 "$(ct_tmp $c hrc)" "exit status of 'hostname srfoo' without a filter ($(ct_tmp $c herr))"
        r=$(tmp_report $c) || exit 1
        assert_eq srfoo "$(report_get "$r" hostname)" "hostname after 'hostname srfoo' without a filter"
        # open_by_handle_at is denied by default; SystemCallFilter=open_by_handle_at lets it through.
        assert_eq EPERM "$(ct_tmp $c obh)" "open_by_handle_at() by default"
        assert_eq running "$(mx_prop $a State)" "State with SystemCallFilter=open_by_handle_at"
        assert_match "^E" "$(ct_tmp $a obh)" "open_by_handle_at() with SystemCallFilter=open_by_handle_at"
        assert_ne EPERM "$(ct_tmp $a obh)" "open_by_handle_at() with SystemCallFilter=open_by_handle_at"
        # ... and only that: sethostname still works there, too (an allow-list entry does not deny the rest).
        assert_eq 0 "$(ct_tmp $a hrc)" "exit status of 'hostname srfoo' with SystemCallFilter=open_by_handle_at"
}

# SystemCallFilter= groups are expanded (systemd's groups): ~@mount denies mount(2) and its friends, so
# busybox mount fails with EPERM although the container has CAP_SYS_ADMIN; a control machine mounts fine.
GROUP_SCRIPT='mkdir -p /tmp/mnt; mount -t tmpfs none /tmp/mnt 2>/tmp/merr; echo $? >/tmp/mrc'

test_syscall_group() {
        local n=srscg c=srscgc
        start_script $n "$GROUP_SCRIPT" "SystemCallFilter=~@mount\n"
        start_script $c "$GROUP_SCRIPT"
        assert_ne 0 "$(ct_tmp $n mrc)" "exit status of mount with SystemCallFilter=~@mount"
        assert_match "permission denied|Operation not permitted" "$(ct_tmp $n merr)" "mount's error with SystemCallFilter=~@mount (EPERM)"
        assert_eq 0 "$(ct_tmp $c mrc)" "exit status of mount without a filter ($(ct_tmp $c merr))"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

sr_run overlay test_overlay
sr_run overlay-readonly test_overlay_readonly
sr_run timezone test_timezone
sr_run resolv-conf test_resolv_conf
sr_run personality test_personality
sr_run cpu-affinity test_cpu_affinity
sr_run no-new-privileges test_no_new_privileges
sr_run no-new-privileges-default test_no_new_privileges_default
sr_run ambient-capability test_ambient_capability
sr_run limit-cpu test_limit_cpu
sr_run syscall-filter test_syscall_filter
sr_run syscall-group test_syscall_group

t_summary
