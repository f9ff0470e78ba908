#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The CVE regression suite: one test per class of container escape that hit runc, crun or nspawn, each with
# a hostile image (a busybox root with a malicious twist), asserting that the attack fails. Each case is one
# function taking the runtime that runs it: "daemon" (a settings file and StartMachine) or "oci"
# (machined-ext-oci run --detach with a bundle from its own `spec`); the two exec cases of runc
# (CVE-2019-5736, CVE-2024-21626) also through `machined-ext-oci exec`. The classes, and where the defence
# is: docs/security.md. Related tests elsewhere: the OCI startContainer hook and /proc/1/exe (test-oci-bundle.sh, hooks), the hostile probe (test-userns.sh).

set -u
. "$(dirname "$0")/lib.sh"

# Extra host paths a test creates: removed after each test, whether it passed or not.
cve_extra() {
        echo "$1" >>"$T_TMP/cve-extra"
}

cve_run() {     # NAME FUNC
        : >"$T_TMP/cve-extra"
        run_test "$@"
        oci_delete_all "$OCI_ROOT"
        local p
        while read -r p; do
                [ -n "$p" ] && { umount -R "$p" 2>/dev/null; rm -rf --one-file-system "$p"; }
        done <"$T_TMP/cve-extra"
}

# The host's mount table, without the machines' own mounts (which live in their mount namespaces anyway).
host_mounts() {
        awk '{ print $5 }' /proc/self/mountinfo | sort
}

# ---- the runtimes ---------------------------------------------------------------------------------------
# rt_* RT NAME ...: what a case needs of the runtime RT (daemon, oci). The image of NAME is a busybox root at
# $(rt_root RT NAME); for oci, the bundle is $MACHINES_DIR/NAME.

OCI_ROOT=/run/mxtest-cve-oci
OCI=(machined-ext-oci --root "$OCI_ROOT")

oci() {
        "${OCI[@]}" "$@"
}

rt_root() {     # RT NAME
        case $1 in
        daemon) echo "$MACHINES_DIR/$2" ;;
        *) echo "$MACHINES_DIR/$2/rootfs" ;;
        esac
}

rt_new() {      # RT NAME: a fresh busybox root
        mx_root "$2" "$(rt_root "$1" "$2")"
}

# A settings file word: double-quoted (no " or \ in the cases' commands).
settings_quote() {
        case $1 in
        *'"'* | *\\*) t_fail "cannot quote '$1' for a settings file" ;;
        esac
        printf '"%s"' "$1"
}

# rt_start RT NAME [--cwd DIR] [--bind SRC:DST] [--user USER:UID] [--kill] -- ARGV...: starts NAME running
# ARGV (detached; the payload's stdio is /dev/null). Prints "ok", or the error: the D-Bus error line
# ("NAME: message") for the daemon, the last error line of machined-ext-oci.
rt_start() {
        local rt=$1 n=$2 cwd="" binds=() user="" uid="" args settings a b out
        shift 2
        while [ $# -gt 0 ]; do
                case $1 in
                --cwd) cwd=$2; shift 2 ;;
                --bind) binds+=("$2"); shift 2 ;;
                --user) user=${2%%:*} uid=${2#*:}; shift 2 ;;
                --) shift; break ;;
                *) t_fail "rt_start: unknown option $1" ;;
                esac
        done
        case $rt in
        daemon)
                settings="[Exec]\nKillSignal=SIGKILL\nParameters="
                for a in "$@"; do
                        settings+="$(settings_quote "$a") "
                done
                settings+="\n"
                [ -z "$cwd" ] || settings+="WorkingDirectory=$cwd\n"
                [ -z "$user" ] || settings+="User=$user\n"
                [ ${#binds[@]} = 0 ] || settings+="[Files]\n"
                for a in "${binds[@]}"; do
                        settings+="Bind=$a\n"
                done
                t_track "$n"
                mkdir -p "$SETTINGS_DIR"
                echo -ne "$settings" >"$SETTINGS_DIR/$n.nspawn"
                mx_error StartMachine string:"$n"
                ;;
        oci)
                b=$MACHINES_DIR/$n
                rm -f "$b/config.json" "$T_TMP/$n.log"
                oci spec --bundle "$b" || t_fail "spec --bundle $b failed"
                args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
                jq --argjson args "$args" --arg cwd "${cwd:-/}" --arg uid "${uid:-0}" \
                   --argjson binds "$(printf '%s\n' "${binds[@]}" | jq -R 'select(length > 0) | split(":") |
                        { destination: .[1], type: "bind", source: .[0], options: [ "rbind", "rw" ] }' | jq -s .)" '
                        .process.terminal = false | .process.args = $args | .process.cwd = $cwd | .root.readonly = false |
                        .process.user = { uid: ($uid | tonumber), gid: ($uid | tonumber) } |
                        del(.process.capabilities.inheritable, .process.capabilities.ambient) |
                        .mounts += $binds' "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
                if "${OCI[@]}" --log "$T_TMP/$n.log" run --detach --bundle "$b" "$n" </dev/null >/dev/null 2>&1; then
                        echo ok
                else
                        grep -v '^ *$' "$T_TMP/$n.log" 2>/dev/null | tail -1
                        echo "(machined-ext-oci run failed)"
                fi
                ;;
        esac
}

# rt_start_bundle RT NAME: starts the bundle $MACHINES_DIR/NAME as it is (config.json written by the case).
rt_start_bundle() {
        local b=$MACHINES_DIR/$2
        case $1 in
        daemon) mx_error StartMachineFromBundle string:"$2" string:"$b" ;;
        oci)
                t_track "$2"
                if "${OCI[@]}" --log "$T_TMP/$2.log" run --detach --bundle "$b" "$2" </dev/null >/dev/null 2>&1; then
                        echo ok
                else
                        grep -v '^ *$' "$T_TMP/$2.log" 2>/dev/null | tail -1
                        echo "(machined-ext-oci run failed)"
                fi
                ;;
        esac
}

# rt_exec NAME [--cwd DIR] -- ARGV...: machined-ext-oci exec in the running container NAME; prints its
# output and "rc=N".
rt_exec() {
        local n=$1 opts=() rc=0 out
        shift
        while [ $# -gt 0 ]; do
                case $1 in
                --cwd) opts+=(--cwd "$2"); shift 2 ;;
                --) shift; break ;;
                esac
        done
        out=$("${OCI[@]}" exec "${opts[@]}" "$n" "$@" 2>&1 </dev/null) || rc=$?
        echo "$out"
        echo "rc=$rc"
}

rt_assert_started() {   # RESULT WHAT
        [ "$(echo "$1" | head -1)" = ok ] || t_fail "$2 did not start: $1"
}

# The start failed, with an error naming WHAT-ERE (for the daemon, one of the error names ERRNAMES-ERE).
rt_assert_refused() {   # RT RESULT ERRNAMES-ERE WHAT-ERE
        [ "$(echo "$2" | head -1)" != ok ] || t_fail "started, expected a refusal naming $4"
        case $1 in
        daemon) assert_match "^org.machinedext1.($3): .*$4" "$2" "the refusal" ;;
        *) assert_match "$4" "$2" "the refusal" ;;
        esac
}

rt_running() {  # RT NAME
        case $1 in
        daemon) mx_running "$2" ;;
        *) [ "$(oci state "$2" 2>/dev/null | jq -r .status)" = running ] ;;
        esac
}

rt_gone() {     # RT NAME
        case $1 in
        daemon) mx_gone "$2" ;;
        *) ! oci state "$2" >/dev/null 2>&1 ;;
        esac
}

rt_stop() {     # RT NAME
        case $1 in
        daemon) mx StopMachine s "$2" >/dev/null ;;
        *) oci kill "$2" KILL >/dev/null 2>&1; wait_until 10 eval "oci delete --force $2 >/dev/null 2>&1" ;;
        esac
        wait_until 10 rt_gone "$1" "$2" || t_fail "$2 did not stop"
}

rt_leader() {   # RT NAME
        case $1 in
        daemon) leader_of "$2" ;;
        *) oci state "$2" | jq -r .pid ;;
        esac
}

# The payload's report (/tmp/r.txt inside), through /proc/LEADER/root.
rt_report() {   # RT NAME
        local l
        l=$(rt_leader "$1" "$2")
        [ -n "$l" ] && [ "$l" != 0 ] || t_fail "no leader for $2"
        wait_file "/proc/$l/root/tmp/r.txt"
}

# A file the payload wrote into its root, seen from the host (waits for it).
root_file() {   # RT NAME PATH
        wait_file "$(rt_root "$1" "$2")$3" 10
}

# ---- the cases ------------------------------------------------------------------------------------------

# CVE-2019-5736: the payload's command is the runtime's own binary, through /proc/self/exe (or a symlink to
# it in the image), so that the host's binary runs in the container, where it can be rewritten. The exec must
# fail: the container's init never executes anything that is not in the image.
cve_2019_5736_proc_self_exe() {         # RT
        local rt=$1 n=mxt-cve-exe out
        rt_new $rt $n
        ln -sfn /proc/self/exe "$(rt_root $rt $n)/usr/bin/evil"
        for cmd in /proc/self/exe /proc/1/exe /usr/bin/evil; do
                out=$(rt_start $rt $n -- $cmd --version)
                rt_assert_refused $rt "$out" "ExecFailed|SetupFailed" "$cmd"
                rt_gone $rt $n || t_fail "$n is running the host's binary ($cmd)"
        done
        return 0
}

# ... and through exec into a running container: the process exec'd is machined-ext-oci's own child, so
# /proc/self/exe is the host's machined-ext-oci (runc's exact case).
cve_2019_5736_exec() {
        local n=mxt-cve-exe out
        rt_new oci $n
        ln -sfn /proc/self/exe "$(rt_root oci $n)/usr/bin/evil"
        rt_assert_started "$(rt_start oci $n -- /bin/sleep 1000)" $n
        for cmd in /proc/self/exe /proc/1/exe /usr/bin/evil; do
                out=$(rt_exec $n -- $cmd --version)
                assert_no_match '^rc=0$' "$out" "exec $cmd"
                assert_match "$cmd" "$out" "the error of exec $cmd"
                assert_no_match 'machined-ext' "$(echo "$out" | grep -v "$cmd")" "exec $cmd ran the runtime"
        done
        rt_running oci $n || t_fail "$n is gone"
        return 0
}

# ... and through the kernel: the command is a script of the image, "#!/proc/self/exe", so execve() itself runs
# the interpreter /proc/self/exe, the runtime's binary, in the process that entered. With a glibc in the image
# and its /etc/ld.so.preload, the attacker's code runs as that binary, opens it through /proc/self/exe, and
# writes it once the runtime has exited. The runtime runs from a read-only mount of its file: EROFS.
# cve_2019_5736_shebang launcher: as installed, machined-ext-oci in $PATH, the static launcher that runs the CLI
# (in libexecdir) from such a mount; the CLI's file is the target. cve_2019_5736_shebang cli: a copy of the CLI,
# run directly, which runs itself again from such a mount; a failure rewrites only the copy.
cve_2019_5736_shebang() {
        local how=$1 n=mxt-cve-sb-$1 cli runner root sum out log f
        cli=$(oci_cli_file) || t_fail "the CLI's installed file is not known"
        if [ "$how" = cli ]; then
                mkdir -p "$T_TMP/rt-copy"
                cp "$cli" "$T_TMP/rt-copy/machined-ext-oci"
                cli=$T_TMP/rt-copy/machined-ext-oci runner=$cli
        else
                runner=$(command -v machined-ext-oci)
                assert_ne "$cli" "$runner" "the launcher in \$PATH"
        fi
        # The attack preloads a library into the runtime's binary: AddressSanitizer's runtime refuses to run
        # behind one (the sanitized pass); the plain pass runs it.
        ldd "$cli" | grep -q libasan && skip "machined-ext-oci is built with AddressSanitizer, which refuses a preloaded library"
        sum=$(sha256sum <"$cli")
        rt_new oci $n
        root=$(rt_root oci $n)
        mkdir -p "$root/usr/lib"
        cc -shared -fPIC -o "$root/usr/lib/evil.so" "$T_REPO/test/integration/cve-5736-preload.c" ||
                t_fail "cannot build the preload library"
        for f in $(ldd "$cli" | grep -o '/[^ ]*'); do
                mkdir -p "$root$(dirname "$f")"
                cp -L "$f" "$root$f"
        done
        echo /usr/lib/evil.so >"$root/etc/ld.so.preload"
        printf '#!/proc/self/exe\n' >"$root/usr/bin/evil"
        chmod 755 "$root/usr/bin/evil"
        rt_assert_started "$(rt_start oci $n -- /bin/sleep 1000)" $n
        out=$("$runner" --root "$OCI_ROOT" exec $n /usr/bin/evil 2>&1 </dev/null)
        wait_until 15 grep -q -e '^wrote' -e '^error=' "$root/evil.log" ||
                t_fail "the attack did not finish: $(cat "$root/evil.log" 2>/dev/null | tr '\n' '|') exec: $out"
        log=$(tr '\n' '|' <"$root/evil.log")
        # It ran as the runtime's binary (the test reaches the case), and was refused with EROFS.
        assert_match '^opened fd [0-9]+[|]' "$log" "the preloaded code in the runtime's binary"
        assert_eq "$sum" "$(sha256sum <"$cli")" "the runtime's binary after the attack ($log)"
        assert_match '[|]error=.*Read-only file system[|]$' "$log" "the attacker's open for writing"
        return 0
}
cve_2019_5736_shebang_launcher() { cve_2019_5736_shebang launcher; }
cve_2019_5736_shebang_cli() { cve_2019_5736_shebang cli; }

# The daemon, whose machines' inits and exec'd processes are copies of it, runs from a read-only mount of its
# file too: its /proc/PID/exe cannot be opened for writing.
cve_2019_5736_daemon_exe() {
        local pid
        pid=$(mx_daemon_pid)
        [ -n "$pid" ] && [ "$pid" != 0 ] || t_fail "no daemon running"
        python3 - "$pid" <<'PY' || t_fail "the daemon's binary is writable through /proc/$pid/exe"
import errno, os, sys
p = f"/proc/{sys.argv[1]}/exe"
assert os.statvfs(p).f_flag & os.ST_RDONLY, "not on a read-only mount"
try:
    os.close(os.open(p, os.O_WRONLY | os.O_TRUNC))
    raise SystemExit("opened for writing")
except OSError as e:
    assert e.errno == errno.EROFS, e
PY
        assert_eq machined-ext "$(cat /proc/$pid/comm)" "the daemon's name"
}

# TIOCSTI: a process the runtime starts or puts into a container without a terminal has a session of its own,
# never its caller's: its /dev/tty is no terminal, so it cannot type commands into the host shell that ran
# machined-ext-oci (with dev.tty.legacy_tiocsti=1). Both under a terminal of the caller's (ptyrun.py).
cve_tiocsti_session() {
        local n=mxt-cve-tty root out probe
        probe='if (exec 3</dev/tty) 2>/dev/null; then echo tty-opened; else echo no-tty; fi'
        rt_new oci $n
        root=$(rt_root oci $n)
        rt_assert_started "$(rt_start oci $n -- /bin/sh -c "$probe >/tty.txt; exec sleep 1000")" $n
        out=$(python3 "$T_REPO/test/integration/ptyrun.py" --timeout 20 -- "${OCI[@]}" exec $n /bin/sh -c "$probe")
        assert_match '^no-tty' "$out" "/dev/tty of exec without a terminal"
        # run --detach from a terminal: the container's init.
        timeout 20 "${OCI[@]}" delete --force $n || t_fail "delete --force $n"
        rm -f "$root/tty.txt"
        python3 "$T_REPO/test/integration/ptyrun.py" --timeout 20 -- \
                "${OCI[@]}" run --detach --bundle "$MACHINES_DIR/$n" $n >/dev/null || t_fail "run --detach from a terminal"
        wait_file "$root/tty.txt" 10 >/dev/null || t_fail "the payload did not run"
        assert_eq no-tty "$(cat "$root/tty.txt")" "/dev/tty of the payload of run without a terminal"
        return 0
}

# CVE-2024-21626: a file descriptor of the runtime that is still open when the payload starts, or a working
# directory reached through one (WorkingDirectory=/proc/self/fd/N), leads out of the root. Inside, no fd may
# point to anything of the host, the working directory must be inside the root, and each /proc/self/fd/N as
# WorkingDirectory= fails to start.
cve_check_fds() {       # LS-L-OUTPUT
        # Every fd: stdio (the console, /dev/null, pipes, sockets) or ls' own directory (which it reads).
        [ "$(echo "$1" | grep -c -- '->')" -ge 3 ] || t_fail "no fds listed: $(echo "$1" | tr '\n' '|')"
        echo "$1" | awk '/->/ { print $NF }' | while read -r target; do
                case $target in
                /dev/console|/dev/pts/*|/dev/null|pipe:*|socket:*|/proc/*/fd) ;;
                *) t_fail "an fd of the payload points to '$target': $(echo "$1" | tr '\n' '|')" ;;
                esac
        done || exit 1
}

cve_2024_21626_leaked_fd() {            # RT
        local rt=$1 n=mxt-cve-fd fds cwd i out root
        rt_new $rt $n
        root=$(rt_root $rt $n)
        rt_assert_started "$(rt_start $rt $n --cwd /tmp -- /bin/sh -c \
                "ls -l /proc/self/fd/ | cat >/fds.new; mv /fds.new /fds.txt; readlink /proc/self/cwd >/cwd.txt; exec sleep 1000")" $n
        fds=$(root_file $rt $n /fds.txt)
        cwd=$(root_file $rt $n /cwd.txt)
        assert_eq /tmp "$cwd" "the payload's working directory"
        cve_check_fds "$fds"
        rt_stop $rt $n

        for i in 3 4 5 6 7 8 9 10 11 12; do
                out=$(rt_start $rt $n --cwd /proc/self/fd/$i -- /bin/sh -c "ls .. >/escaped.txt")
                case $rt in
                daemon) rt_assert_refused $rt "$out" SetupFailed "WorkingDirectory=/proc/self/fd/$i" ;;
                *) rt_assert_refused $rt "$out" SetupFailed "/proc/self/fd/$i" ;;
                esac
                [ ! -e "$root/escaped.txt" ] || t_fail "cwd /proc/self/fd/$i: the payload ran"
                rt_gone $rt $n || t_fail "cwd /proc/self/fd/$i: $n is there"
        done
        return 0
}

# ... and through exec: the exec'd process has no fd of the runtime, its cwd is inside, and a cwd through
# /proc/self/fd/N is refused.
cve_2024_21626_exec() {
        local n=mxt-cve-fd out i root
        rt_new oci $n
        root=$(rt_root oci $n)
        rt_assert_started "$(rt_start oci $n -- /bin/sleep 1000)" $n
        out=$(rt_exec $n --cwd /tmp -- /bin/sh -c "ls -l /proc/self/fd/; readlink /proc/self/cwd")
        assert_match '^rc=0$' "$(echo "$out" | tail -1)" "exec ls"
        assert_eq /tmp "$(echo "$out" | tail -2 | head -1)" "the working directory of exec"
        cve_check_fds "$(echo "$out" | grep -- '->')"
        for i in 3 4 5 6 7 8 9 10 11 12; do
                out=$(rt_exec $n --cwd /proc/self/fd/$i -- /bin/sh -c "ls .. >/escaped.txt")
                assert_no_match '^rc=0$' "$out" "exec --cwd /proc/self/fd/$i"
                assert_match "/proc/self/fd/$i" "$out" "the error of exec --cwd /proc/self/fd/$i"
                [ ! -e "$root/escaped.txt" ] || t_fail "exec --cwd /proc/self/fd/$i: the command ran"
        done
        rt_running oci $n || t_fail "$n is gone"
        return 0
}

# CVE-2021-30465: the target of a bind mount is a symlink in the image that points out of the root
# (absolute, or up with ..). It is resolved inside the root: nothing is mounted on the host's path, and the
# bind lands in the image's copy of that path.
cve_2021_30465_bind_target_symlink() {  # RT
        local rt=$1 n=mxt-cve-bind src=/tmp/mxt-cve-bind-src t1=/srv/mxt-cve-bind-t1 t2=/srv/mxt-cve-bind-t2 before
        local root out
        rt_new $rt $n
        root=$(rt_root $rt $n)
        cve_extra $src
        cve_extra $t1
        cve_extra $t2
        mkdir -p $src $t1 $t2 "$root$t1" "$root$t2"
        echo from-host >$src/file
        ln -sfn $t1 "$root/evil-abs"
        ln -sfn ../../../../../../../..$t2 "$root/evil-up"
        before=$(host_mounts)
        rt_assert_started "$(rt_start $rt $n --bind $src:/evil-abs --bind $src:/evil-up -- /bin/sh -c \
                "cat /evil-abs/file /evil-up/file >/seen.txt; exec sleep 1000")" $n
        assert_eq "from-host
from-host" "$(root_file $rt $n /seen.txt)" "the binds, inside"
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        [ ! -e $t1/file ] && [ ! -e $t2/file ] || t_fail "a bind landed on the host's $t1 or $t2"
        # A symlink to a target that does not exist in the image: a clean refusal naming it (or, for the
        # OCI runtime, which creates missing mount points as runc does, a bind in the image), not a mount
        # on the host's directory.
        rt_stop $rt $n
        rmdir "$root$t1"
        rm -f "$root/seen.txt"
        out=$(rt_start $rt $n --bind $src:/evil-abs -- /bin/sh -c "cat /evil-abs/file >/seen.txt; exec sleep 1000")
        if [ $rt = daemon ] || [ "$(echo "$out" | head -1)" != ok ]; then
                rt_assert_refused $rt "$out" SetupFailed "/evil-abs"
        else
                assert_eq from-host "$(root_file $rt $n /seen.txt)" "the bind on a dangling symlink, inside"
        fi
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        [ ! -e $t1/file ] || t_fail "a bind landed on the host's $t1"
        return 0
}

# CVE-2025-31133 and CVE-2025-52565: /dev/null and /dev/console of the image are symlinks to procfs files
# (core_pattern, sysrq-trigger), which a runtime that masks with /dev/null, or binds the console onto
# /dev/console, would mount over the host's files or write to. The container's /dev is its own: both are
# character devices (the OCI runtime has no /dev/console without a terminal, as runc), the masks hold, the
# console is the machine's, and the host's files are unchanged.
cve_2025_31133_52565_dev_symlinks() {   # RT
        local rt=$1 n=mxt-cve-dev core rep tok=$RANDOM$RANDOM root
        rt_new $rt $n
        root=$(rt_root $rt $n)
        mkdir -p "$root/dev/pts"
        ln -sfn /proc/sys/kernel/core_pattern "$root/dev/null"
        ln -sfn /proc/sysrq-trigger "$root/dev/console"
        ln -sfn /proc/sys/kernel/core_pattern "$root/dev/pts/0"
        core=$(cat /proc/sys/kernel/core_pattern)
        rt_assert_started "$(rt_start $rt $n -- /bin/sh -c "echo console-$tok >/dev/console; echo x >/dev/null; testpayload stat /dev/null >/st.new; testpayload stat /dev/console >>/st.new; testpayload stat /proc/timer_list >>/st.new; mv /st.new /st.txt; exec sleep 1000")" $n
        rep=$(root_file $rt $n /st.txt)
        assert_match "^chr " "$(echo "$rep" | sed -n 1p)" "/dev/null inside"
        if [ $rt = daemon ]; then
                assert_match "^chr " "$(echo "$rep" | sed -n 2p)" "/dev/console inside"
        else
                # No terminal: the echo made a file in the container's own /dev (a tmpfs).
                assert_match "^(chr |reg 0644)" "$(echo "$rep" | sed -n 2p)" "/dev/console inside"
        fi
        # Masked by a null device of the container's own /dev, or an inaccessible file or node (mode 0000,
        # the OCI runtime's), not the host's file the image's /dev/null points to.
        assert_match "^(chr 0666 rdev=1:3|reg 0000|chr 0000 rdev=0:0)" "$(echo "$rep" | sed -n 3p)" "the masked /proc/timer_list"
        assert_eq "$core" "$(cat /proc/sys/kernel/core_pattern)" "the host's core_pattern"
        [ -L "$root/dev/null" ] && [ -L "$root/dev/console" ] || t_fail "the image's symlinks were replaced"
        if [ $rt = daemon ]; then
                wait_until 5 eval "machinectl-ext console --log $n | grep -q console-$tok" ||
                        t_fail "the line written to /dev/console is not in the machine's console"
        fi
        return 0
}

# CVE-2025-52881: procfs writes of the set-up (OOMScoreAdjust= goes to /proc/self/oom_score_adj, an OCI
# bundle's linux.sysctl to /proc/sys) redirected by an image whose /proc is a symlink to a fake procfs in the
# image (or to the host's /proc, up with ..). The container gets a real proc on its own /proc, the values
# land where they belong, and the fake tree is untouched; or the start is refused (a /proc that is not a
# directory), naming /proc.
cve_2025_52881_procfs_redirect() {      # RT
        local rt=$1 n=mxt-cve-proc b=$MACHINES_DIR/mxt-cve-proc leader fake out mounts=""
        mx_root $n "$b/rootfs"
        rm -rf "$b/rootfs/proc"
        mkdir -p "$b/rootfs/fakeproc/self" "$b/rootfs/fakeproc/sys/net/ipv4"
        echo 0 >"$b/rootfs/fakeproc/self/oom_score_adj"
        echo 0 >"$b/rootfs/fakeproc/sys/net/ipv4/ip_forward"
        ln -sfn /fakeproc "$b/rootfs/proc"
        fake=$(cd "$b/rootfs/fakeproc" && find . -type f -exec cat {} + | md5sum)
        # The OCI runtime mounts only what mounts[] lists, as runc: a proc on /proc, as every config has.
        [ $rt = daemon ] || mounts=', "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ]'
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.2", "root": { "path": "rootfs" }$mounts,
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "sleep", "1000", "--report", "/tmp/r.txt" ],
               "user": { "uid": 0, "gid": 0 }, "oomScoreAdj": 123 },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "network" } ],
             "sysctl": { "net.ipv4.ip_forward": "1" } } }
EOF
        out=$(rt_start_bundle $rt $n)
        if [ "$(echo "$out" | head -1)" != ok ]; then
                rt_assert_refused $rt "$out" SetupFailed "/proc"
                assert_eq "$fake" "$(cd "$b/rootfs/fakeproc" && find . -type f -exec cat {} + | md5sum)" "the fake procfs"
                return 0
        fi
        leader=$(rt_leader $rt $n)
        [ -n "$leader" ] && [ "$leader" != 0 ] || t_fail "no leader"
        assert_eq 123 "$(cat /proc/$leader/oom_score_adj)" "the payload's oom_score_adj"
        assert_eq 1 "$(nsenter -t $leader -n cat /proc/sys/net/ipv4/ip_forward)" "ip_forward in the machine's netns"
        assert_eq proc "$(nsenter -t $leader -m stat -f -c %T /proc 2>/dev/null | sed 's/^proc.*/proc/')" \
                "file system on the machine's /proc"
        assert_eq "$fake" "$(cd "$b/rootfs/fakeproc" && find . -type f -exec cat {} + | md5sum)" "the fake procfs"
        return 0
}

# An image whose /dev is a symlink out of the root (CVE-2026-41579 class): the set-up must not mount its /dev
# (tmpfs, device nodes, devpts) on the host's directory.
cve_dev_symlink() {     # RT
        local rt=$1 n=mxt-cve-devlink t=/tmp/mxt-cve-devtarget before rep root
        rt_new $rt $n
        root=$(rt_root $rt $n)
        cve_extra $t
        mkdir -p $t
        rm -rf "$root/dev"
        ln -sfn ../../../../../../../..$t "$root/dev"
        before=$(host_mounts)
        if [ "$(rt_start $rt $n -- /bin/sh -c "testpayload stat /dev/null >/st.new; mv /st.new /st.txt; exec sleep 1000" | head -1)" = ok ]; then
                rep=$(root_file $rt $n /st.txt)
                assert_match "^chr " "$rep" "/dev/null inside"
        fi
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        assert_eq "" "$(ls -A $t)" "the host's $t"
        return 0
}

# The same for /proc and /sys: symlinks to the host's (up with ..) and into the image. Nothing is mounted on
# the host, and the container has its own proc and a read-only sysfs.
cve_proc_sys_symlinks() {       # RT
        local rt=$1 n=mxt-cve-procsys before rep root
        rt_new $rt $n
        root=$(rt_root $rt $n)
        rm -rf "$root/proc" "$root/sys"
        ln -sfn ../../../../../../../../proc "$root/proc"
        mkdir -p "$root/fakesys"
        ln -sfn /fakesys "$root/sys"
        before=$(host_mounts)
        if [ "$(rt_start $rt $n -- /usr/bin/testpayload sleep 1000 --report /tmp/r.txt | head -1)" = ok ]; then
                rep=$(rt_report $rt $n)
                assert_eq 1 "$(report_get "$rep" pid)" "PID of the payload, from its /proc"
                assert_match "^/sys sysfs ro" "$(echo "$rep" | grep '^mount=/sys ' | sed 's/^mount=//')" "/sys inside"
        fi
        assert_eq "$before" "$(host_mounts)" "the host's mount table"
        assert_eq "" "$(ls -A "$root/fakesys")" "the image's fake /sys"
        return 0
}

# CVE-2022-29162: the payload's inheritable set is empty unless the settings ask for one, also when it runs
# as another user (where file capabilities plus a non-empty inheritable set would give it more).
cve_2022_29162_inheritable() {  # RT
        local rt=$1 n=mxt-cve-inh u=mxt-cve-inh-user rep ur
        rt_new $rt $n
        rt_new $rt $u
        ur=$(rt_root $rt $u)
        grep -q '^nobody:' "$ur/etc/passwd" || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$ur/etc/passwd"
        grep -q '^nobody:' "$ur/etc/group" || echo 'nobody:x:65534:' >>"$ur/etc/group"
        rt_assert_started "$(rt_start $rt $n -- /usr/bin/testpayload sleep 1000 --report /tmp/r.txt)" $n
        rt_assert_started "$(rt_start $rt $u --user nobody:65534 -- /usr/bin/testpayload sleep 1000 --report /tmp/r.txt)" $u
        rep=$(rt_report $rt $n)
        assert_eq 0000000000000000 "$(report_get "$rep" cap.inh)" "CapInh of root's payload"
        assert_eq 0000000000000000 "$(report_get "$rep" cap.amb)" "CapAmb of root's payload"
        rep=$(rt_report $rt $u)
        assert_eq 0000000000000000 "$(report_get "$rep" cap.inh)" "CapInh of User=nobody's payload"
        assert_eq 0000000000000000 "$(report_get "$rep" cap.amb)" "CapAmb of User=nobody's payload"
        # The OCI runtime gives a user what process.capabilities says (runc does); the daemon nothing.
        [ $rt != daemon ] || assert_eq 0000000000000000 "$(report_get "$rep" cap.eff)" "CapEff of User=nobody's payload"
        return 0
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; echo "0 passed, 1 failed"; exit 1; }

# cve_case NAME FUNC: FUNC through the daemon (test NAME) and machined-ext-oci run (NAME-oci).
cve_case() {
        eval "t_$2_daemon() { $2 daemon; }; t_$2_oci() { $2 oci; }"
        cve_run "$1" "t_$2_daemon"
        cve_run "$1-oci" "t_$2_oci"
}

cve_case cve-2019-5736-proc-self-exe cve_2019_5736_proc_self_exe
cve_run cve-2019-5736-proc-self-exe-oci-exec cve_2019_5736_exec
cve_run cve-2019-5736-shebang-oci-exec cve_2019_5736_shebang_launcher
cve_run cve-2019-5736-shebang-oci-cli-exec cve_2019_5736_shebang_cli
cve_run cve-2019-5736-daemon-exe cve_2019_5736_daemon_exe
cve_run cve-tiocsti-session-oci cve_tiocsti_session
cve_case cve-2024-21626-leaked-fd cve_2024_21626_leaked_fd
cve_run cve-2024-21626-leaked-fd-oci-exec cve_2024_21626_exec
cve_case cve-2021-30465-bind-target-symlink cve_2021_30465_bind_target_symlink
cve_case cve-2025-31133-52565-dev-symlinks cve_2025_31133_52565_dev_symlinks
cve_case cve-2025-52881-procfs-redirect cve_2025_52881_procfs_redirect
cve_case cve-dev-symlink cve_dev_symlink
cve_case cve-proc-sys-symlinks cve_proc_sys_symlinks
cve_case cve-2022-29162-inheritable cve_2022_29162_inheritable

t_summary
