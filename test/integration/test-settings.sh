#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Settings files (NAME.nspawn) in a running container: what each applied key does to the payload, as seen
# from inside (testpayload's report, nsenter) and from the host (/proc/LEADER, the bus, the journal); trust
# (an untrusted file next to the image must not grant anything privileged); bad input fails the start with
# file:line and leaves nothing behind. Written against docs/settings.md, docs/dbus-api.md, systemd.nspawn(5).

set -u
. "$(dirname "$0")/lib.sh"

NSPAWN_DIR=/etc/systemd/nspawn
PAYLOAD_CMD="/usr/bin/testpayload sleep 1000 --report /tmp/r.txt"

# ---------------------------------------------------------------------------------------------------------
# Helpers of this file.

# Extra host paths a test creates (settings files outside /etc/machined-ext, host files): removed after
# each test by st_run, whether it passed or not.
st_extra() {
        echo "$1" >>"$T_TMP/st-extra"
}

st_run() {      # NAME FUNC
        : >"$T_TMP/st-extra"
        run_test "$@"
        local p
        while read -r p; do
                [ -n "$p" ] && { mountpoint -q "$p" && umount -l "$p"; rm -rf --one-file-system "$p"; }
        done <"$T_TMP/st-extra"
}


# testpayload SUBCOMMAND ARGS... inside machine NAME's namespaces, as root / as nobody (65534:65534).
in_ct() {       # NAME ARGS...
        local l
        l=$(leader_of "$1")
        shift
        nsenter -t "$l" -a /usr/bin/testpayload "$@" 2>/dev/null
}

in_ct_nobody() {        # NAME ARGS...
        local l
        l=$(leader_of "$1")
        shift
        nsenter -t "$l" -a -S 65534 -G 65534 /usr/bin/testpayload "$@" 2>/dev/null
}

daemon_pid() {
        systemctl show -p MainPID --value machined-ext.service
}

# host_id PID ID [uid_map|gid_map]: the host's ID for ID of PID's user namespace (the same without one).
host_id() {
        awk -v id="$2" '$1 <= id && id < $1 + $3 { print $2 + id - $1 }' /proc/"$1"/"${3:-uid_map}"
}

# The daemon has no child process left (a failed start must reap what it forked).
daemon_childless() {
        local main
        main=$(daemon_pid)
        [ -n "$main" ] && [ "$main" != 0 ] || return 0
        ! pgrep -P "$main" >/dev/null
}

# A failed start left nothing: no scope, no machined registration, no mount, no process, not ours either.
assert_nothing_left() { # NAME
        assert_gone "$1"
        assert_error org.machinedext1.NoSuchMachine GetMachine string:"$1" >/dev/null
        [ -z "$(mx_list_entry "$1")" ] || t_fail "ListMachines still has $1"
        wait_until 5 daemon_childless || t_fail "the daemon still has children: $(pgrep -a -P "$(daemon_pid)")"
        systemctl list-units --all --no-legend "$(scope_of "$1")" | grep -q . &&
                t_fail "$(scope_of "$1") is still loaded: $(systemctl list-units --all --no-legend "$(scope_of "$1")")"
        return 0
}

# ---------------------------------------------------------------------------------------------------------
# 1. A file written for systemd-nspawn, in /etc/systemd/nspawn.

test_nspawn_file() {
        local n=stnspawn f r bnd
        mx_root $n
        f=$NSPAWN_DIR/$n.nspawn
        st_extra "$f"
        mkdir -p $NSPAWN_DIR
        cat >"$f" <<EOF
# as written for systemd-nspawn
[Exec]
Parameters=$PAYLOAD_CMD
Environment=FOO=bar "SPACED=a b"
Hostname=sthost
Capability=CAP_NET_ADMIN
DropCapability=CAP_SYS_ADMIN
[Network]
Private=no
EOF
        mx_start $n
        r=$(tmp_report $n) || exit 1
        assert_eq sthost "$(report_get "$r" hostname)" "hostname"
        assert_eq bar "$(report_get "$r" env.FOO)" "\$FOO"
        assert_eq "a b" "$(report_get "$r" env.SPACED)" "\$SPACED"
        assert_eq machined-ext "$(report_get "$r" env.container)" "\$container"
        assert_eq 1 "$(report_get "$r" pid)" "payload pid"
        bnd=$(report_get "$r" cap.bnd)
        assert_eq 1 "$(cap_bit "$bnd" 12)" "CAP_NET_ADMIN (12) in CapBnd $bnd"
        assert_eq 0 "$(cap_bit "$bnd" 21)" "CAP_SYS_ADMIN (21) in CapBnd $bnd"
        assert_eq 1 "$(cap_bit "$(report_get "$r" cap.eff)" 12)" "CAP_NET_ADMIN (12) in CapEff"
        assert_eq 0 "$(cap_bit "$(report_get "$r" cap.eff)" 21)" "CAP_SYS_ADMIN (21) in CapEff"
        # The command really is the one from Parameters=.
        assert_match "testpayload sleep 1000 --report /tmp/r.txt" "$(tr '\0' ' ' </proc/"$(leader_of $n)"/cmdline)" \
                "leader's cmdline"
        # The machine object says the same.
        assert_eq sthost "$(mx_prop $n Hostname)" "Hostname property"
        assert_eq "$f" "$(mx_prop $n SettingsFile)" "SettingsFile property"
        assert_eq "5 $PAYLOAD_CMD" "$(mx_prop $n Command)" "Command property"
        assert_eq "/var/lib/machines/$n" "$(mx_prop $n RootDirectory)" "RootDirectory property"
        if command -v machinectl-ext >/dev/null; then
                local show
                show=$(machinectl-ext show $n) || t_fail "machinectl-ext show $n failed"
                echo "$show" | grep -qxF "Hostname=sthost" || t_fail "machinectl-ext show: no Hostname=sthost: $show"
                echo "$show" | grep -qxF "SettingsFile=$f" || t_fail "machinectl-ext show: no SettingsFile=$f"
                echo "$show" | grep -qxF "Command=$PAYLOAD_CMD" || t_fail "machinectl-ext show: no Command=$PAYLOAD_CMD"
        fi
}

# ---------------------------------------------------------------------------------------------------------
# 2. User= and WorkingDirectory=.

test_user() {
        local n=stuser r
        mx_root $n
        # mkroot.sh writes it already; make sure (a root without nobody would test nothing).
        grep -q '^nobody:' $MACHINES_DIR/$n/etc/passwd ||
                echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >>$MACHINES_DIR/$n/etc/passwd
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nUser=nobody\nWorkingDirectory=/tmp\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        assert_eq 65534 "$(report_get "$r" uid)" "uid"
        assert_eq 65534 "$(report_get "$r" gid)" "gid"
        assert_eq /tmp "$(report_get "$r" cwd)" "cwd"
        assert_eq /nonexistent "$(report_get "$r" env.HOME)" "\$HOME"
        assert_eq nobody "$(report_get "$r" env.USER)" "\$USER"
        assert_eq 0000000000000000 "$(report_get "$r" cap.eff)" "CapEff"
        assert_eq 0000000000000000 "$(report_get "$r" cap.prm)" "CapPrm"
        assert_eq 0000000000000000 "$(report_get "$r" cap.amb)" "CapAmb"
        # Seen from the host: 65534 shifted by the user namespace (the default), as nspawn -U shows it.
        assert_eq "$(host_id "$(leader_of $n)" 65534)" "$(awk '/^Uid:/ { print $2 }' /proc/"$(leader_of $n)"/status)" \
                "leader's uid from the host"
}

# User= gives the payload HOME, USER, LOGNAME and SHELL from the container's passwd entry (nspawn sets the
# first three); an Environment= assignment of one of them wins.
test_user_environment() {
        local n=stuenv r
        mx_root $n
        echo "alice:x:1000:1000:Alice:/home/alice:/bin/ash" >>$MACHINES_DIR/$n/etc/passwd
        echo "staff:x:50:root,alice" >>$MACHINES_DIR/$n/etc/group
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nUser=alice\nEnvironment=LOGNAME=custom\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        assert_eq 1000 "$(report_get "$r" uid)" "uid"
        assert_eq alice "$(report_get "$r" env.USER)" "\$USER"
        assert_eq /home/alice "$(report_get "$r" env.HOME)" "\$HOME"
        assert_eq /bin/ash "$(report_get "$r" env.SHELL)" "\$SHELL"
        assert_eq custom "$(report_get "$r" env.LOGNAME)" "\$LOGNAME (Environment= wins)"
        assert_match "(^| )$(host_id "$(leader_of $n)" 50 gid_map)( |\$)" \
                "$(awk '/^Groups:/ { $1 = ""; print }' /proc/"$(leader_of $n)"/status)" \
                "supplementary group staff (50) from /etc/group (as the host sees it)"
}

# A bad WorkingDirectory= and an unknown User= are different errors, each naming its setting.
test_user_unknown() {
        local n=stunone e
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nUser=nobody2\n"
        e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
        assert_match "User=nobody2: no such user in the container's /etc/passwd" "$e" "error message"
        assert_no_match "No such file or directory" "$e" "error message (not ENOENT)"
        assert_nothing_left $n
}

test_workdir_missing() {
        local n=stnowd e
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nUser=nobody\nWorkingDirectory=/nope\n"
        e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
        assert_match "WorkingDirectory=/nope: No such file or directory" "$e" "error message"
        assert_no_match "User=|switch user" "$e" "error message (not about the user)"
        assert_nothing_left $n
}

# The image's /etc/passwd is untrusted: a FIFO there must neither hang the start nor be read.
test_passwd_fifo() {
        local n=stpwfifo e start
        mx_root $n
        rm -f $MACHINES_DIR/$n/etc/passwd
        mkfifo $MACHINES_DIR/$n/etc/passwd
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nUser=nobody\n"
        start=$SECONDS
        e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
        assert_match "User=nobody: the container's /etc/passwd is not a regular file" "$e" "error message"
        [ $((SECONDS - start)) -lt 10 ] || t_fail "the start took $((SECONDS - start)) s: set-up waited on the FIFO"
        assert_nothing_left $n
}

# ---------------------------------------------------------------------------------------------------------
# 3. Inaccessible=: a file, a directory, a symlink pointing out of the root, a path that does not exist.

test_inaccessible() {
        local n=stmask d=$MACHINES_DIR/stmask cur l
        mx_root $n
        echo "host secret $$" >/etc/hostsecret
        st_extra /etc/hostsecret
        echo "container secret" >$d/etc/hostsecret
        ln -sfn /etc/hostsecret $d/escape
        echo data >$d/datafile
        mkdir -p $d/secretdir
        echo inner >$d/secretdir/inner
        echo visible >$d/visible
        cur=$(j_mark)
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n[Files]\nInaccessible=/datafile /secretdir\nInaccessible=/escape /nonexistent/path\n"
        mx_start $n
        tmp_report $n >/dev/null || exit 1
        l=$(leader_of $n)
        [ -n "$l" ] || t_fail "no leader"
        # Control: an unmasked file is readable by nobody, so EACCES below is the mask.
        assert_eq visible "$(in_ct_nobody $n cat /visible)" "unmasked /visible as nobody"
        assert_eq EACCES "$(in_ct_nobody $n cat /datafile)" "cat /datafile as nobody"
        assert_eq "reg 0000" "$(in_ct $n stat /datafile)" "stat /datafile"
        assert_eq EACCES "$(in_ct_nobody $n cat /secretdir/inner)" "cat /secretdir/inner as nobody"
        assert_eq "dir 0000" "$(in_ct $n stat /secretdir)" "stat /secretdir"
        # Covered: nothing below (ENOENT), or, with the user namespace of the default, not even a look inside
        # for its root, which has no CAP_DAC_OVERRIDE over the host's mode-0000 directory (EACCES).
        assert_match "^(ENOENT|EACCES)$" "$(in_ct $n stat /secretdir/inner)" "stat /secretdir/inner as root (the dir is covered)"
        # The symlink is resolved inside the root: the container's /etc/hostsecret is masked.
        assert_eq EACCES "$(in_ct_nobody $n cat /escape)" "cat /escape as nobody"
        assert_eq EACCES "$(in_ct_nobody $n cat /etc/hostsecret)" "cat /etc/hostsecret as nobody"
        assert_eq "reg 0000" "$(in_ct $n stat /etc/hostsecret)" "stat /etc/hostsecret"
        # ... and nothing of the host is touched.
        assert_eq "host secret $$" "$(cat /etc/hostsecret)" "host /etc/hostsecret"
        assert_eq "-rw-r--r--" "$(stat -c %A /etc/hostsecret)" "host /etc/hostsecret mode"
        assert_eq "container secret" "$(cat $d/etc/hostsecret)" "the image's /etc/hostsecret from the host"
        assert_eq "" "$(mounts_under /etc/hostsecret)" "mounts on the host's /etc/hostsecret"
        assert_eq "" "$(mounts_under "$d")" "mounts under the root in the host's namespace"
        # The path that does not exist was skipped, with a warning.
        assert_eq ENOENT "$(in_ct $n stat /nonexistent/path)" "stat /nonexistent/path"
        assert_journal "$cur" "Inaccessible=/nonexistent/path: does not exist, skipping"
        assert_eq running "$(mx_prop $n State)" "State"
}

# ---------------------------------------------------------------------------------------------------------
# 4. Mounts, ReadOnly=, Private=, OOMScoreAdjust=, LimitNOFILE=, MachineID=.

test_mounts() {
        local n=stmnt r l src=/srv/stmnt
        mx_root $n
        st_extra $src
        # On a tmpfs: with the user namespace of the default, Bind= is idmapped where the file system
        # allows it (the bed's overlay does not), so the payload's root writes as the host's root.
        mkdir -p $src && mount -t tmpfs tmpfs $src || t_fail "tmpfs on $src"
        mkdir -p $src/rw $src/ro
        echo orig >$src/rw/file
        echo orig >$src/ro/file
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n[Files]\nBind=$src/rw:/mnt/x\nBindReadOnly=$src/ro:/mnt/ro\nTemporaryFileSystem=/mnt/t:mode=0700,size=1M\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        # Bind=: writable both ways.
        assert_eq orig "$(in_ct $n cat /mnt/x/file)" "the bound file inside"
        assert_ok in_ct $n write /mnt/x/file changed
        assert_eq changed "$(cat $src/rw/file)" "host file after a write inside"
        assert_ok in_ct $n write /mnt/x/newfile new
        assert_eq new "$(cat $src/rw/newfile)" "new host file after a create inside"
        # BindReadOnly=
        assert_eq orig "$(in_ct $n cat /mnt/ro/file)" "the read-only bound file inside"
        assert_eq EROFS "$(in_ct $n write /mnt/ro/file changed 2>&1 | tail -1)" "write to a BindReadOnly= file"
        assert_eq orig "$(cat $src/ro/file)" "host file under BindReadOnly="
        # TemporaryFileSystem=
        assert_match '^/mnt/t tmpfs .*mode=700' "$(echo "$r" | grep '^mount=/mnt/t ' | tail -1 | cut -d= -f2-)" "/mnt/t mount"
        assert_match 'size=1024k' "$(echo "$r" | grep '^mount=/mnt/t ' | tail -1)" "/mnt/t size"
        assert_eq "dir 0700" "$(in_ct $n stat /mnt/t)" "stat /mnt/t"
        assert_ok in_ct $n write /mnt/t/f x
        [ ! -e $MACHINES_DIR/$n/mnt/t/f ] || t_fail "a file in the tmpfs landed in the image"
        # None of it is visible in the host's mount namespace.
        assert_eq "" "$(mounts_under $MACHINES_DIR/$n)" "mounts under the root on the host"
}

test_readonly_private_limits() {
        local n=stro l id hex r
        mx_root $n
        id=0123456789abcdef0123456789abcdef
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nOOMScoreAdjust=500\nLimitNOFILE=100\nMachineID=$id\n[Files]\nReadOnly=yes\n[Network]\nPrivate=yes\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        l=$(leader_of $n)
        # ReadOnly=
        assert_eq EROFS "$(in_ct $n write /rootfile x 2>&1 | tail -1)" "write to / with ReadOnly=yes"
        assert_eq EROFS "$(in_ct $n write /etc/newfile x 2>&1 | tail -1)" "write to /etc with ReadOnly=yes"
        [ ! -e $MACHINES_DIR/$n/rootfile ] || t_fail "/rootfile was written to the image"
        assert_ok in_ct $n write /tmp/f x
        assert_eq x "$(in_ct $n cat /tmp/f)" "/tmp is still writable"
        assert_eq true "$(mx_prop $n ReadOnly)" "ReadOnly property"
        # Private=: a network namespace of its own with only lo.
        assert_ne "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "network namespace"
        assert_eq lo "$(nsenter -t $l -n cat /proc/net/dev | awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' | tr '\n' ' ' | sed 's/ $//')" \
                "interfaces in the container"
        # OOMScoreAdjust=, LimitNOFILE=
        assert_eq 500 "$(cat /proc/$l/oom_score_adj)" "oom_score_adj"
        assert_match '^Max open files +100 +100 ' "$(grep '^Max open files' /proc/$l/limits)" "RLIMIT_NOFILE"
        # MachineID=
        hex=$(mx_prop $n Id | cut -d' ' -f2- | xargs printf '%02x')
        assert_eq $id "$hex" "Id property"
        assert_eq 01234567-89ab-cdef-0123-456789abcdef "$(report_get "$r" env.container_uuid)" "\$container_uuid"
        assert_eq $id "$(machinectl show $n -p Id --value)" "Id registered with systemd-machined"
}

# ---------------------------------------------------------------------------------------------------------
# 5. Trust: privileged keys of an untrusted file are ignored, the same keys in a trusted file apply.

# The file both tests use; $1: where the host directory to bind lives, $2: the Directory= root.
privileged_file() {
        cat <<EOF
[Exec]
Parameters=$PAYLOAD_CMD
Capability=CAP_SYS_MODULE
[Files]
Bind=$1:/mnt/u
Inaccessible=/etc/passwd
Directory=$2
[Network]
Private=yes
EOF
}

test_untrusted() {
        local n=stuntr f=$MACHINES_DIR/stuntr.nspawn src=/srv/stuntr else=/var/lib/stuntrelse cur r l k
        mx_root $n
        mx_root $n $else
        echo image >$MACHINES_DIR/$n/which
        echo elsewhere >$else/which
        st_extra "$f"
        st_extra $src
        mkdir -p $src
        echo hostdata >$src/file
        # No trusted file for the name anywhere.
        for k in /etc/machined-ext /run/machined-ext /etc/systemd/nspawn /run/systemd/nspawn; do
                rm -f $k/$n.nspawn
        done
        privileged_file $src $else >"$f"
        cur=$(j_mark)
        mx_start $n
        r=$(tmp_report $n) || exit 1
        l=$(leader_of $n)
        assert_eq "$f" "$(mx_prop $n SettingsFile)" "SettingsFile"
        # Parameters= (not privileged) did apply: the report is there. Directory= did not.
        assert_eq "$MACHINES_DIR/$n" "$(mx_prop $n RootDirectory)" "RootDirectory"
        assert_eq image "$(cat /proc/$l/root/which)" "the root the machine runs in"
        assert_eq ENOENT "$(in_ct $n stat /mnt/u)" "Bind= target inside"
        assert_eq ENOENT "$(in_ct $n cat /mnt/u/file)" "Bind= source file inside"
        assert_eq 0 "$(cap_bit "$(report_get "$r" cap.bnd)" 16)" "CAP_SYS_MODULE (16) in CapBnd $(report_get "$r" cap.bnd)"
        assert_match '^root:x:0:0:' "$(in_ct_nobody $n cat /etc/passwd | head -1)" "/etc/passwd as nobody"
        assert_match '^reg 0644' "$(in_ct $n stat /etc/passwd)" "stat /etc/passwd"
        # Private=yes is ignored too: the machine gets the default, a private network with a veth.
        assert_ne "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "network namespace (the default)"
        for k in 3:Capability 5:Bind 6:Inaccessible 7:Directory 9:Private; do
                assert_journal "$cur" "$f:${k%%:*}: Ignoring privileged key '${k#*:}=' in untrusted settings file"
        done
}

test_trusted_control() {
        local n=sttrust src=/tmp/sttrust else=/var/lib/sttrustelse r l
        mx_root $n $else
        echo elsewhere >$else/which
        st_extra $src
        mkdir -p $src
        echo hostdata >$src/file
        t_track $n
        mkdir -p $SETTINGS_DIR
        privileged_file $src $else >$SETTINGS_DIR/$n.nspawn
        mx_start $n
        r=$(tmp_report $n) || exit 1
        l=$(leader_of $n)
        assert_eq "$SETTINGS_DIR/$n.nspawn" "$(mx_prop $n SettingsFile)" "SettingsFile"
        assert_eq "$else" "$(mx_prop $n RootDirectory)" "RootDirectory"
        assert_eq elsewhere "$(cat /proc/$l/root/which)" "the root the machine runs in"
        assert_eq hostdata "$(in_ct $n cat /mnt/u/file)" "Bind= source file inside"
        assert_eq 1 "$(cap_bit "$(report_get "$r" cap.bnd)" 16)" "CAP_SYS_MODULE (16) in CapBnd $(report_get "$r" cap.bnd)"
        assert_eq EACCES "$(in_ct_nobody $n cat /etc/passwd)" "/etc/passwd as nobody"
        assert_ne "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "network namespace"
}

# ---------------------------------------------------------------------------------------------------------
# 6. Bad input.

test_invalid_values() {
        local n=stbad e f=$SETTINGS_DIR/stbad.nspawn case section line value
        mx_root $n
        for case in "Exec|Capability=CAP_NET_ADMIN CAP_FOO" "Files|Bind=relative:/x" "Exec|LimitNOFILE=abc" \
                    "Files|TemporaryFileSystem=mnt" "Exec|OOMScoreAdjust=1001" "Exec|MachineID=xyz"; do
                section=${case%%|*}
                value=${case#*|}
                # The bad line is line 4, after a valid mount that must not be left behind either.
                mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n[$section]\n$value\n[Files]\nTemporaryFileSystem=/mnt/t\n"
                e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
                assert_match "$f:4" "$e" "error for '$value'"
                assert_match "${value%%=*}=" "$e" "error for '$value' names the key"
                assert_nothing_left $n
        done
}

test_bind_missing_source() {
        local n=stnosrc e
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n[Files]\nTemporaryFileSystem=/mnt/t\nBind=/nonexistent/stsrc:/mnt/y\n"
        # Checked when the file is loaded, before anything is set up: the key's file:line, the path, why.
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$SETTINGS_DIR/$n.nspawn:5: Bind=: source path /nonexistent/stsrc does not exist" "$e" \
                "error message names file:line, key and path"
        assert_nothing_left $n
        [ ! -e $MACHINES_DIR/$n/mnt/y ] || t_fail "the bind target /mnt/y was created in the image"
        assert_match "No such file or directory" "$e" "error message names the errno"
        assert_no_match "\(null\)" "$e" "error message"
}

# ---------------------------------------------------------------------------------------------------------
# 7. Unknown keys warn with file:line, and the machine starts.

test_unknown_key() {
        local n=stunk cur r f=$SETTINGS_DIR/stunk.nspawn bnd
        mx_root $n
        cur=$(j_mark)
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nFrobnicate=yes\n[Files]\nNoSuchKey=1\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        assert_eq running "$(mx_prop $n State)" "State"
        assert_journal "$cur" "$f:3: Unknown key 'Frobnicate' in section [Exec], ignoring."
        assert_journal "$cur" "$f:5: Unknown key 'NoSuchKey' in section [Files], ignoring."
        # The baseline for test_nspawn_file: without Capability=/DropCapability= the bounding set has
        # CAP_SYS_ADMIN, so those tests see the keys at work; and CAP_NET_ADMIN, since the default is a private
        # network (as nspawn: test_nspawn_file uses Private=no, test-network checks that it then lacks it).
        bnd=$(report_get "$r" cap.bnd)
        assert_eq 1 "$(cap_bit "$bnd" 12)" "default CAP_NET_ADMIN (12) in CapBnd $bnd"
        assert_eq 1 "$(cap_bit "$bnd" 21)" "default CAP_SYS_ADMIN (21) in CapBnd $bnd"
        assert_eq 0 "$(cap_bit "$bnd" 16)" "default CAP_SYS_MODULE (16) in CapBnd $bnd"
        assert_eq 0 "$(report_get "$r" uid)" "default uid"
        assert_eq stunk "$(report_get "$r" hostname)" "default hostname"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

st_run nspawn-file test_nspawn_file
st_run user-workdir test_user
st_run user-environment test_user_environment
st_run user-unknown test_user_unknown
st_run workdir-missing test_workdir_missing
st_run passwd-fifo test_passwd_fifo
st_run inaccessible test_inaccessible
st_run mounts test_mounts
st_run readonly-private-limits test_readonly_private_limits
st_run untrusted-file test_untrusted
st_run trusted-control test_trusted_control
st_run invalid-values test_invalid_values
st_run bind-missing-source test_bind_missing_source
st_run unknown-key test_unknown_key

t_summary
