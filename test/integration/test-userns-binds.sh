#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Binds and overlays into a machine with a user namespace (issue #12, docs/security.md): Bind=/BindReadOnly=
# of a host directory are idmapped, or the start fails naming the setting, the source and its file system;
# BindMount (machinectl-ext bind) into a running machine is idmapped and arrives locked through
# /run/host/incoming (read-only stays read-only for the payload's root), bad targets are refused, nothing is
# left staged; OverlayReadOnly= takes idmapped layers; a writable Overlay= (the default user namespace) puts
# what the payload writes in its upper directory with the owners a Bind= would show (its root is 0 on disk), and
# the next start sees it; an empty upper is a temporary one; a bad upper directory fails the start, naming it.
#
# The bed's root is an overlayfs, which cannot be idmapped: sources that must work are on a tmpfs ($T_TMP, or
# one mounted here), /srv and /etc are the ones that cannot.

set -u
. "$(dirname "$0")/lib.sh"

SLEEP="/usr/bin/testpayload sleep inf"

ub_root() {     # NAME [FILES-LINES]: a busybox root with PrivateUsers=pick whose PID 1 writes /tmp/ready
        mx_root "$1"
        mx_settings "$1" "[Exec]\nPrivateUsers=pick\nKillSignal=SIGKILL\nParameters=/bin/sh -c \": >/tmp/ready; exec $SLEEP\"\n[Files]\n${2:-}\n"
}

ub_wait() {     # NAME: waits for /tmp/ready of its PID 1, prints the leader
        local l
        l=$(mx_prop "$1" Leader)
        wait_until 10 test -e /proc/$l/root/tmp/ready || t_fail "$1 did not get ready"
        echo "$l"
}

ub_in() {       # LEADER CMD...: CMD inside the machine, as its root (in its user namespace)
        local l=$1
        shift
        nsenter -t "$l" -a "$@"
}

ub_no_staged() {        # NAME: nothing staged is left in its propagation directory, nothing mounted there
        local left
        left=$(ls -A "$MX_PROPAGATE_DIR/$1" 2>/dev/null)
        [ -z "$left" ] || t_fail "left in $MX_PROPAGATE_DIR/$1: $left"
        left=$(mounts_under "$MX_PROPAGATE_DIR/$1")
        [ -z "$left" ] || t_fail "mounts left under $MX_PROPAGATE_DIR/$1: $left"
        return 0
}

# Bind= and BindReadOnly= of a tmpfs directory: idmapped (the host's root is the payload's root, and back).
test_bind_idmapped() {
        local n=mxub-bind src=$T_TMP/src l
        mkdir -p $src && echo host >$src/f
        ub_root $n "Bind=$src:/rw\nBindReadOnly=$src:/ro"
        assert_ok machinectl-ext start $n
        l=$(ub_wait $n)
        assert_match "^-[rw-]+ +1 0 +0 " "$(ub_in $l ls -ln /rw/f)" "host root's file inside"
        assert_ok ub_in $l sh -c "echo inside >/rw/new"
        assert_eq "0 0" "$(stat -c '%u %g' $src/new)" "owner on the host of the file the payload's root wrote"
        assert_match "Read-only file system" "$(ub_in $l sh -c 'echo x >/ro/x' 2>&1)" "BindReadOnly= write"
        assert_ok machinectl-ext stop $n
}

# Bind=/BindReadOnly= of a file system that cannot be idmapped (the bed's overlay): the start fails, naming
# the setting, the source and the file system type; nothing is left.
test_bind_not_idmappable() {
        local n=mxub-noidmap src=/srv/mxub-noidmap out
        findmnt -n -o FSTYPE -T /srv | grep -qx overlay || skip "/srv is not on overlayfs"
        echo $src >>"$T_TMP/dirs"
        mkdir -p $src
        mx_baseline
        ub_root $n "Bind=$src:/rw"
        out=$(machinectl-ext start $n 2>&1) && t_fail "start with Bind= of an overlayfs directory succeeded"
        assert_match "Bind=$src: its file system \(overlay\) cannot be idmapped into the user namespace \(PrivateUsers=\)" \
                "$out" "error"
        assert_gone $n
        ub_root $n "BindReadOnly=$src:/ro"
        out=$(machinectl-ext start $n 2>&1) && t_fail "start with BindReadOnly= of an overlayfs directory succeeded"
        assert_match "BindReadOnly=$src: its file system \(overlay\) cannot be idmapped" "$out" "error"
        assert_no_leftovers $n
}

# machinectl-ext bind into a running machine with a user namespace: idmapped, --mkdir, read-only locked.
test_bindmount_running() {
        local n=mxub-run src=$T_TMP/run-src l out
        mkdir -p $src && echo host >$src/f
        ub_root $n
        assert_ok machinectl-ext start $n
        l=$(ub_wait $n)
        out=$(machinectl-ext bind $n $src /mnt/rw 2>&1) && t_fail "bind without --mkdir to a missing target succeeded"
        assert_match "/mnt/rw: No such file or directory" "$out" "bind without --mkdir"
        ub_no_staged $n
        assert_ok machinectl-ext bind --mkdir $n $src /mnt/rw
        assert_match "^-[rw-]+ +1 0 +0 " "$(ub_in $l ls -ln /mnt/rw/f)" "host root's file inside"
        assert_ok ub_in $l sh -c "echo inside >/mnt/rw/new"
        assert_eq "inside" "$(cat $src/new)" "the payload's file on the host"
        assert_eq "0 0" "$(stat -c '%u %g' $src/new)" "its owner on the host (through the idmapping)"
        assert_ok machinectl-ext bind --mkdir --read-only $n $src /mnt/ro
        assert_eq host "$(ub_in $l cat /mnt/ro/f)" "read through the read-only bind"
        assert_match "Read-only file system" "$(ub_in $l sh -c 'echo x >/mnt/ro/x' 2>&1)" "write to the read-only bind"
        ub_in $l mount -o remount,rw /mnt/ro 2>/dev/null && t_fail "the payload's root made the read-only bind writable"
        ub_in $l mount -o remount,bind,rw /mnt/ro 2>/dev/null && t_fail "the payload's root made the read-only bind writable"
        assert_match "Read-only file system" "$(ub_in $l sh -c 'echo x >/mnt/ro/x' 2>&1)" "write after the remounts"
        [ -e $src/x ] && t_fail "written through the read-only bind"
        ub_no_staged $n
        assert_ok machinectl-ext stop $n
}

# Bad targets: a relative path is refused; a symlink that points out of the root is followed inside it only
# (nothing is mounted on the host's path); a symlink loop fails clearly; a source that cannot be idmapped is
# refused with NotSupported naming its file system. Nothing is left staged.
test_bindmount_bad_target() {
        local n=mxub-bad src=$T_TMP/bad-src out=/srv/mxub-bad-out l e root=$MACHINES_DIR/mxub-bad
        echo $out >>"$T_TMP/dirs"
        mkdir -p $src $out && echo host >$src/f
        ub_root $n
        ln -s ../../../../../../..$out $root/esc && mkdir -p $root$out
        ln -s loop2 $root/loop1 && ln -s loop1 $root/loop2
        assert_ok machinectl-ext start $n
        l=$(ub_wait $n)
        e=$(assert_error org.freedesktop.DBus.Error.InvalidArgs BindMountMachine string:$n string:$src string:mnt/x \
                boolean:false boolean:true)
        assert_match "Destination path 'mnt/x' is not an absolute, normalized path" "$e" "relative target"
        assert_ok machinectl-ext bind --mkdir $n $src /esc/x
        [ -z "$(mounts_under $out)" ] || t_fail "mounted on the host's $out: $(mounts_under $out)"
        [ -e $out/x ] && t_fail "$out/x created on the host"
        assert_eq host "$(ub_in $l cat $out/x/f)" "the bind, inside the root at the symlink's target"
        e=$(machinectl-ext bind --mkdir $n $src /loop1/x 2>&1) && t_fail "bind through a symlink loop succeeded"
        assert_match "Failed to bind-mount into machine '$n' at /loop1/x: Too many levels of symbolic links" "$e" \
                "symlink loop"
        if findmnt -n -o FSTYPE -T /etc | grep -qx overlay; then
                e=$(assert_error org.freedesktop.DBus.Error.NotSupported BindMountMachine string:$n string:/etc \
                        string:/mnt/etc boolean:true boolean:true)
                assert_match "Cannot bind-mount /etc into machine '$n': its file system \(overlay\) cannot be idmapped" \
                        "$e" "source that cannot be idmapped"
                ub_in $l test -e /mnt/etc && t_fail "/mnt/etc created for a refused bind"
        fi
        ub_no_staged $n
        assert_ok machinectl-ext stop $n
}

# OverlayReadOnly= with a user namespace: idmapped host layers (upper over lower), read-only even for the
# payload's root.
test_overlay_readonly() {
        local n=mxub-ov l out
        mkdir -p $T_TMP/low $T_TMP/top
        echo low >$T_TMP/low/f && echo low >$T_TMP/low/g && echo top >$T_TMP/top/g
        ub_root $n "OverlayReadOnly=$T_TMP/low:$T_TMP/top:/ov"
        assert_ok machinectl-ext start $n
        l=$(ub_wait $n)
        assert_eq "low top" "$(ub_in $l cat /ov/f /ov/g | tr '\n' ' ' | sed 's/ $//')" "merged layers"
        assert_match "^-[rw-]+ +1 0 +0 " "$(ub_in $l ls -ln /ov/g)" "host root's file inside"
        assert_match "Read-only file system" "$(ub_in $l sh -c 'echo x >/ov/x' 2>&1)" "write to the overlay"
        ub_in $l mount -o remount,rw /ov 2>/dev/null && t_fail "the payload's root made the overlay writable"
        assert_ok machinectl-ext stop $n
}

ov_root() {     # NAME FILES-LINES [EXEC-LINES]: a busybox root with the default settings but these lines
        mx_root "$1"
        mx_settings "$1" "[Exec]\n${3:-}KillSignal=SIGKILL\nParameters=/bin/sh -c \": >/tmp/ready; exec $SLEEP\"\n[Files]\n$2\n"
}

# Overlay= with the default user namespace: the payload's root reads the host's root-owned lower files as its
# own (0 inside), writes a new file, changes a lower file (copy-up), removes one (whiteout), makes a directory;
# on the host all of it is in the upper directory, owned by 0 (the payload's root, as through a Bind=) or the
# payload's user 1000 as 1000, and the lower directory is as it was. The overlay is locked (the payload cannot
# unmount or remount it). Restarted, the machine sees its own files again, as root-owned.
test_overlay_writable() {
        local n=mxub-ovw lo=$T_TMP/wlow up=$T_TMP/wup l
        mkdir -p $lo/sub $up
        echo low >$lo/f && echo keep >$lo/g && echo sub >$lo/sub/u && chown -R 1000:1000 $lo/sub
        ov_root $n "Overlay=$lo:$up:/ov"
        assert_ok machinectl-ext start $n
        l=$(ub_wait $n)
        assert_match "^ *0 +[1-9][0-9]* +65536$" "$(cat /proc/$l/uid_map)" "a user namespace by default"
        assert_match "^-[rw-]+ +1 0 +0 " "$(ub_in $l ls -ln /ov/f)" "host root's lower file inside"
        assert_match "^-[rw-]+ +1 1000 +1000 " "$(ub_in $l ls -ln /ov/sub/u)" "host 1000's lower file inside"
        assert_ok ub_in $l sh -c "echo new >/ov/new && echo changed >>/ov/f && rm /ov/g && mkdir /ov/d"
        assert_ok ub_in $l sh -c "echo more >>/ov/sub/u && chown 1000:1000 /ov/new"
        assert_eq "low changed" "$(ub_in $l cat /ov/f | tr '\n' ' ' | sed 's/ $//')" "the changed file inside"
        ub_in $l test -e /ov/g && t_fail "/ov/g still there after rm"
        # On the host: the upper directory has it all, with the owners of the image, the lower one is intact.
        assert_eq "new" "$(cat $up/new)" "upper/new on the host"
        assert_eq "1000 1000" "$(stat -c '%u %g' $up/new)" "owner of upper/new (chowned to 1000 inside)"
        assert_eq "low changed" "$(cat $up/f | tr '\n' ' ' | sed 's/ $//')" "copied-up upper/f on the host"
        assert_eq "0 0" "$(stat -c '%u %g' $up/f)" "owner of the copied-up upper/f"
        assert_eq "0 0" "$(stat -c '%u %g' $up/d)" "owner of upper/d"
        assert_eq "1000 1000" "$(stat -c '%u %g' $up/sub/u)" "owner of the copied-up upper/sub/u"
        assert_eq "character special file" "$(stat -c %F $up/g)" "upper/g is a whiteout"
        assert_eq "low" "$(cat $lo/f)" "lower/f on the host"
        assert_eq "keep" "$(cat $lo/g)" "lower/g on the host"
        assert_eq "sub" "$(cat $lo/sub/u)" "lower/sub/u on the host"
        [ -e $lo/new ] || [ -e $lo/d ] && t_fail "the payload's files landed in the lower directory"
        # Locked like the other mounts of the set-up.
        ub_in $l umount /ov 2>/dev/null && t_fail "the payload's root unmounted the overlay"
        ub_in $l mount -o remount,ro /ov 2>/dev/null && t_fail "the payload's root remounted the overlay"
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
        # The next start sees its own files.
        assert_ok machinectl-ext start $n
        l=$(ub_wait $n)
        assert_eq "new" "$(ub_in $l cat /ov/new)" "upper/new after a restart"
        assert_match "^-[rw-]+ +1 1000 +1000 " "$(ub_in $l ls -ln /ov/new)" "its owner inside after a restart"
        assert_match "^-[rw-]+ +1 0 +0 " "$(ub_in $l ls -ln /ov/f)" "the copied-up file's owner inside"
        assert_match "^d[rwx-]+ +[0-9]+ 0 +0 " "$(ub_in $l ls -lnd /ov/d)" "the directory's owner inside"
        assert_ok ub_in $l sh -c "echo again >>/ov/f && echo x >/ov/d/x"
        ub_in $l test -e /ov/g && t_fail "/ov/g back after a restart"
        assert_ok machinectl-ext stop $n
}

# Overlay=LOWER::DEST: a temporary upper directory, with a user namespace and without one. The payload's root
# owns the overlay's root and writes there; nothing reaches the host, and the next start begins afresh.
test_overlay_temporary() {
        local n=mxub-ovt lo=$T_TMP/tov/low l pu
        mkdir -p $lo && echo low >$lo/f && echo g >$lo/g
        for pu in "" "PrivateUsers=no\n"; do
                ov_root $n "Overlay=$lo::/ov" "$pu"
                assert_ok machinectl-ext start $n
                l=$(ub_wait $n)
                assert_match "^d[rwx-]+ +[0-9]+ 0 +0 " "$(ub_in $l ls -lnd /ov)" "the overlay's root inside ($pu)"
                assert_ok ub_in $l sh -c "echo new >/ov/new && echo changed >>/ov/f && mkdir /ov/d && rm /ov/g"
                ub_in $l test -e /ov/g && t_fail "/ov/g still there after rm ($pu)"
                assert_eq "low changed" "$(ub_in $l cat /ov/f | tr '\n' ' ' | sed 's/ $//')" "the changed file ($pu)"
                assert_eq "low" "$(cat $lo/f)" "lower/f on the host ($pu)"
                assert_eq "f g" "$(ls -A $lo | tr '\n' ' ' | sed 's/ $//')" "the lower directory on the host ($pu)"
                assert_eq "low" "$(ls -A $T_TMP/tov)" "next to the lower directory on the host ($pu)"
                assert_ok machinectl-ext stop $n
                wait_until 10 mx_gone $n || t_fail "$n still running"
                assert_ok machinectl-ext start $n
                l=$(ub_wait $n)
                ub_in $l test -e /ov/new && t_fail "the temporary upper directory survived a restart ($pu)"
                ub_in $l test -e /ov/g || t_fail "/ov/g still removed after a restart ($pu)"
                assert_eq "low" "$(ub_in $l cat /ov/f)" "lower/f after a restart ($pu)"
                assert_ok machinectl-ext stop $n
                wait_until 10 mx_gone $n || t_fail "$n still running"
        done
}

# With an idmapped root (PrivateUsersOwnership=map, on a tmpfs), an upper directory in the image ("+") and one
# on the host both get the payload's root's files (new and copied up) as UID 0 on disk, like the root's own.
test_overlay_idmapped_root() {
        local n=mxub-ovmap d=$T_TMP/ovmap-root lo=$T_TMP/mlow up=$T_TMP/mup l
        mkdir -p $d $lo $up && echo low >$lo/f
        mount -t tmpfs tmpfs $d || t_fail "tmpfs"
        mx_root $n $d
        mkdir -p $d/low $d/up && echo img >$d/low/g
        mx_settings $n "[Exec]\nKillSignal=SIGKILL\nParameters=/bin/sh -c \": >/tmp/ready; exec $SLEEP\"\n[Files]\nDirectory=$d\nPrivateUsersOwnership=map\nOverlay=+/low:+/up:/ov\nOverlay=$lo:$up:/hov\n"
        assert_ok machinectl-ext start $n
        l=$(ub_wait $n)
        assert_match "idmapped" "$(findmnt --task $l -n -o OPTIONS /)" "the root is idmapped"
        assert_ok ub_in $l sh -c "echo new >/ov/new && echo more >>/ov/g && echo new >/hov/new && echo more >>/hov/f"
        assert_eq "0 0" "$(stat -c '%u %g' $d/up/new)" "owner of +/up/new in the image"
        assert_eq "0 0" "$(stat -c '%u %g' $d/up/g)" "owner of the copied-up +/up/g in the image"
        assert_eq "img" "$(cat $d/low/g)" "+/low/g in the image"
        assert_eq "0 0" "$(stat -c '%u %g' $up/new)" "owner of upper/new on the host"
        assert_eq "0 0" "$(stat -c '%u %g' $up/f)" "owner of the copied-up upper/f on the host"
        assert_eq "low" "$(cat $lo/f)" "lower/f on the host"
        assert_ok machinectl-ext stop $n
}

# A bad upper directory fails the start with SetupFailed naming the setting and the path, and leaves nothing:
# a regular file, a path missing in the image ("+"), a file system that cannot be idmapped (the bed's
# overlay); one missing on the host is refused when the settings are loaded.
test_overlay_bad_upper() {
        local n=mxub-ovbad lo=$T_TMP/blow e src=/srv/mxub-ovbad f=$SETTINGS_DIR/mxub-ovbad.nspawn
        mkdir -p $lo && : >$T_TMP/afile
        mx_baseline
        ov_root $n "Overlay=$lo:$T_TMP/afile:/ov"
        e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
        assert_match "Overlay=$T_TMP/afile: the upper directory: Not a directory" "$e" "upper is a file"
        assert_no_leftovers $n
        ov_root $n "Overlay=$lo:+/nonexistent:/ov"
        e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
        assert_match "Overlay=\+/nonexistent: the upper directory: No such file or directory" "$e" "upper missing in the image"
        assert_no_leftovers $n
        ov_root $n "Overlay=$lo:/nonexistent/mxub-up:/ov"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:5: Overlay=: upper directory /nonexistent/mxub-up does not exist on the host" "$e" \
                "upper missing on the host"
        assert_no_leftovers $n
        if findmnt -n -o FSTYPE -T /srv | grep -qx overlay; then
                echo $src >>"$T_TMP/dirs"
                mkdir -p $src/up
                ov_root $n "Overlay=$lo:$src/up:/ov"
                e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
                assert_match "Overlay=$src/up: its file system \(overlay\) cannot be idmapped" "$e" "upper not idmappable"
                [ -e "$src/.#up.overlay-work" ] && t_fail "a work directory was left next to $src/up"
                assert_no_leftovers $n
        fi
        return 0
}

# OverlayReadOnly= with a layer that cannot be idmapped (the bed's overlay): the error names it.
test_overlay_not_idmappable() {
        local n=mxub-ovno src=/srv/mxub-ovno out
        findmnt -n -o FSTYPE -T /srv | grep -qx overlay || skip "/srv is not on overlayfs"
        echo $src >>"$T_TMP/dirs"
        mkdir -p $src $T_TMP/top
        ub_root $n "OverlayReadOnly=$src:$T_TMP/top:/ov"
        out=$(machinectl-ext start $n 2>&1) && t_fail "start succeeded"
        assert_match "OverlayReadOnly=$src: its file system \(overlay\) cannot be idmapped" "$out" "error"
        assert_gone $n
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test bind-idmapped test_bind_idmapped
run_test bind-not-idmappable test_bind_not_idmappable
run_test bindmount-running test_bindmount_running
run_test bindmount-bad-target test_bindmount_bad_target
run_test overlay-readonly test_overlay_readonly
run_test overlay-writable test_overlay_writable
run_test overlay-temporary test_overlay_temporary
run_test overlay-idmapped-root test_overlay_idmapped_root
run_test overlay-bad-upper test_overlay_bad_upper
run_test overlay-not-idmappable test_overlay_not_idmappable

t_summary
