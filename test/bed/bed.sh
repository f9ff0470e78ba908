#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The test bed: a booted systemd (with systemd-machined and dbus-daemon) in its own PID, mount, cgroup, UTS,
# IPC and network namespaces (the machines' veths, zone bridges and nftables table never touch the host's
# network, and beds running side by side do not see each other's), on an overlay of the host's / whose upper layer is a tmpfs. Works where PID 1 is not
# systemd (CI). The source tree is bind-mounted at its own absolute path, so build dirs inside it are shared
# with the host; everything `install` writes goes to the overlay's tmpfs and disappears with the bed.
#
#   bed.sh start [--state-dir DIR] [--replace] [--timeout SECS]   boot, print the bed's PID 1 (host PID)
#   bed.sh exec [--state-dir DIR] CMD...                          run CMD inside (cwd = repo); its exit status
#   bed.sh install [--state-dir DIR] [--sanitizers] BUILDDIR      meson install into the bed, reload systemd+dbus
#                                       --sanitizers: for a build with -Db_sanitize=address,undefined: the
#                                       daemon and container@.service get ASAN_OPTIONS/UBSAN_OPTIONS that write
#                                       every report to a file in SANITIZER_LOG_DIR (in the bed), from
#                                       SANITIZER_ENV_FILE, which `exec` callers can source for the CLIs
#   bed.sh stop [--state-dir DIR]                                 poweroff (bounded), then kill, then clean up
#   bed.sh status [--state-dir DIR]                               running or not; exit 0 if running
#
# Options may come before or after a verb's other arguments (`install build --state-dir X`), except with exec,
# whose command begins at its first argument that is not an option (or after `--`): what follows belongs to
# CMD.
#
# State (PID, start time, cgroup, console log) lives in the state dir, default /run/machined-ext-bed.

set -u
set -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
STATE=/run/machined-ext-bed
BED_ENV=machined-ext-bed
BOOT_TIMEOUT=${BED_BOOT_TIMEOUT:-90}
STOP_TIMEOUT=${BED_STOP_TIMEOUT:-20}

# Units that are useless or slow in the bed. Masked in the overlay, never on the host.
MASK_UNITS=(
        getty@.service serial-getty@.service console-getty.service container-getty@.service
        getty.target getty-static.service
        systemd-networkd-wait-online.service NetworkManager-wait-online.service
        apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service
        man-db.timer man-db.service e2scrub_all.timer e2scrub_reap.service fstrim.timer
        logrotate.timer dpkg-db-backup.timer systemd-tmpfiles-clean.timer
        systemd-timesyncd.service systemd-firstboot.service systemd-update-utmp.service
        systemd-update-utmp-runlevel.service cron.service ssh.service sshd.service
        systemd-pstore.service systemd-random-seed.service systemd-binfmt.service
        proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
        systemd-hwdb-update.service systemd-journal-catalog-update.service ldconfig.service
)

die() { echo "bed: $*" >&2; exit 1; }
log() { echo "bed: $*" >&2; }

# The mount point of the cgroup2 hierarchy on the host: /sys/fs/cgroup on a pure cgroup2 host,
# /sys/fs/cgroup/unified on a hybrid one (findmnt: libmount reads /proc/self/mountinfo).
cgroup2_mount() {
        findmnt --list --noheadings --types cgroup2 --output TARGET | head -n 1
}

# Field 22 of /proc/PID/stat (start time in ticks): together with the PID it names a process without the
# risk of PID reuse between start and stop.
proc_starttime() {
        local s
        s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
        s=${s##*) }
        set -- $s
        echo "${20}"
}

bed_pid_alive() {
        local pid st
        [ -f "$STATE/pid" ] || return 1
        pid=$(cat "$STATE/pid")
        st=$(proc_starttime "$pid") || return 1
        [ "$st" = "$(cat "$STATE/starttime" 2>/dev/null)" ]
}

bed_pid() {
        bed_pid_alive || die "no bed running (state dir $STATE); start one with: $0 start"
        cat "$STATE/pid"
}

# Runs in the new PID + mount namespace as its PID 1 (before the cgroup namespace), prepares the root and
# execs systemd. Arguments: state dir, cgroup dir (host path), repo path.
stage2() {
        local state=$1 cg=$2 repo=$3 hostpid
        set -e
        # Host PID of this process: /proc is still the host's procfs here, so it reports host PIDs.
        read -r hostpid _ </proc/self/stat
        echo "$hostpid" >"$state/pid.new"
        # Into our own cgroup, then make it the root of a new cgroup namespace (systemd sees it as "/").
        echo 0 >"$cg/payload/cgroup.procs"
        exec unshare --cgroup -- "$BASH" "$repo/test/bed/bed.sh" __stage3 "$state" "$repo"
}

stage3() {
        local state=$1 repo=$2 m r u
        set -e
        touch "$state/console.log"
        m=$state/mnt
        mkdir -p "$m"
        mount -t tmpfs -o mode=0755,size=50% bed-tmp "$m"
        mkdir -p "$m/upper" "$m/work" "$m/root"
        mount -t overlay -o "lowerdir=/,upperdir=$m/upper,workdir=$m/work" bed-root "$m/root"
        r=$m/root
        mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
        mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
        mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$r/sys/fs/cgroup"
        mount --rbind /dev "$r/dev"
        # Nothing in the bed writes to the host's console: /dev/console is a log file (PID 1 itself logs to
        # the journal; it would not log to a console that is not a tty anyway).
        mount --bind "$state/console.log" "$r/dev/console"
        mount -t tmpfs -o mode=0755,nosuid,nodev,size=20% bed-run "$r/run"
        mount -t tmpfs -o mode=1777,nosuid,nodev bed-tmp "$r/tmp"
        mkdir -p "$r$repo"
        mount --rbind "$repo" "$r$repo"

        mkdir -p "$r/etc/systemd/system"
        # Services the host admin enabled (databases, timers, ...) have no business in the bed: drop every
        # enablement under /etc, keep only machines.target; then mask the statically wanted slow units.
        find "$r/etc/systemd/system" -mindepth 2 -maxdepth 2 -path '*.wants/*' -type l \
                ! -name machines.target -delete
        for u in "${MASK_UNITS[@]}"; do
                ln -sfn /dev/null "$r/etc/systemd/system/$u"
        done
        echo machined-ext-bed >"$r/etc/hostname"
        # Empty machine-id: systemd generates a transient one for this boot.
        : >"$r/etc/machine-id"
        # The host's fstab means nothing here.
        : >"$r/etc/fstab"

        cd "$r"
        mkdir -p .bed-oldroot
        pivot_root . .bed-oldroot
        cd /
        umount -l /.bed-oldroot
        rmdir /.bed-oldroot
        exec env -i container="$BED_ENV" TERM=dumb PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                /lib/systemd/systemd --system --log-target=journal --show-status=no
}

cmd_start() {
        local replace=0 cg2 cg sup pid t0 t1 st i c
        while [ $# -gt 0 ]; do
                case $1 in
                --replace) replace=1 ;;
                --timeout) [ $# -ge 2 ] || die "start: --timeout needs a value"; BOOT_TIMEOUT=$2; shift ;;
                *) die "start: unknown option $1" ;;
                esac
                shift
        done
        [ "$(id -u)" = 0 ] || die "must run as root"
        [ -x /lib/systemd/systemd ] || die "/lib/systemd/systemd not found (install systemd)"
        [ -x /lib/systemd/systemd-machined ] || die "systemd-machined not found (install systemd-container)"
        command -v dbus-daemon >/dev/null || die "dbus-daemon not found (install dbus)"

        if bed_pid_alive; then
                [ $replace = 1 ] || die "a bed is already running (PID $(cat "$STATE/pid"), state dir $STATE); use --replace or stop it"
                cmd_stop
        fi

        cg2=$(cgroup2_mount)
        [ -n "$cg2" ] || die "no cgroup2 hierarchy mounted on the host"
        if [ "$STATE" = /run/machined-ext-bed ]; then
                cg=$cg2/machined-ext-bed
        else
                cg=$cg2/machined-ext-bed-$(echo "$STATE" | cksum | cut -d' ' -f1)
        fi
        if [ -d "$cg" ]; then
                # Leftover of a bed that died without stop: clean it if empty.
                cleanup_cgroup "$cg" || die "cgroup $cg is in use; is another bed running? ($0 stop --state-dir ...)"
        fi
        mkdir -p "$STATE"
        rm -f "$STATE/pid" "$STATE/pid.new" "$STATE/starttime" "$STATE/supervisor"
        echo "$cg" >"$STATE/cgroup"
        mkdir "$cg" "$cg/supervisor" "$cg/payload" || die "cannot create cgroup $cg"
        # Delegate every controller the host gives us to the bed (none on a hybrid host: they are all on v1).
        for c in $(cat "$cg/cgroup.controllers"); do
                echo "+$c" >"$cg/cgroup.subtree_control" 2>/dev/null || true
        done

        t0=$(date +%s.%N)
        # The supervisor (unshare, waiting for the bed's PID 1) sits in $cg/supervisor, the bed in $cg/payload:
        # no process in an inner node of the tree, so the bed's systemd can enable controllers below itself.
        (
                echo "$BASHPID" >"$cg/supervisor/cgroup.procs"
                exec setsid unshare --pid --fork --mount --uts --ipc --net --propagation private -- \
                        "$BASH" "$REPO/test/bed/bed.sh" __stage2 "$STATE" "$cg" "$REPO"
        ) </dev/null >"$STATE/console.log" 2>&1 &
        sup=$!
        echo "$sup" >"$STATE/supervisor"

        # Wait for stage2 to publish its host PID.
        for ((i = 0; i < 100; i++)); do
                [ -s "$STATE/pid.new" ] && break
                kill -0 "$sup" 2>/dev/null || break
                sleep 0.1
        done
        if [ ! -s "$STATE/pid.new" ]; then
                log "bed did not start; console log:"
                sed 's/^/  | /' "$STATE/console.log" >&2
                cmd_stop
                exit 1
        fi
        pid=$(cat "$STATE/pid.new")
        st=$(proc_starttime "$pid") || st=
        echo "$pid" >"$STATE/pid"
        echo "$st" >"$STATE/starttime"
        rm -f "$STATE/pid.new"

        # Wait until the bed's systemd is up and its boot is done (running, or degraded).
        local state= deadline=$((SECONDS + BOOT_TIMEOUT))
        while [ $SECONDS -lt $deadline ]; do
                if ! bed_pid_alive; then
                        log "bed's PID 1 died while booting; console log:"
                        sed 's/^/  | /' "$STATE/console.log" | tail -40 >&2
                        cmd_stop
                        exit 1
                fi
                if [ "$(cat /proc/$pid/comm 2>/dev/null)" = systemd ]; then
                        state=$(timeout 5 nsenter -t "$pid" -a systemctl is-system-running 2>/dev/null)
                        case $state in
                        running | degraded) break ;;
                        esac
                fi
                sleep 0.1
        done
        t1=$(date +%s.%N)
        case $state in
        running) ;;
        degraded)
                log "bed is degraded; failed units:"
                timeout 5 nsenter -t "$pid" -a systemctl --failed --no-legend --plain >&2 || true
                ;;
        *)
                log "bed did not reach running within ${BOOT_TIMEOUT}s (state '${state:-unknown}'); console log:"
                sed 's/^/  | /' "$STATE/console.log" | tail -40 >&2
                cmd_stop
                exit 1
                ;;
        esac
        log "booted in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s ($state), PID $pid, state dir $STATE"
        echo "$pid"
}

# Remove a cgroup subtree bottom-up; fails if a process is still in it. Never blocks for long.
cleanup_cgroup() {
        local cg=$1 i d left
        [ -d "$cg" ] || return 0
        for ((i = 0; i < 50; i++)); do
                left=0
                while read -r d; do
                        rmdir "$d" 2>/dev/null || left=1
                done < <(find "$cg" -depth -type d 2>/dev/null)
                [ -d "$cg" ] || return 0
                [ $left = 1 ] && sleep 0.1
        done
        [ ! -d "$cg" ]
}

cgroup_pids() {
        find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null
}

cmd_stop() {
        local pid= sup= cg= i p
        [ -f "$STATE/pid" ] && pid=$(cat "$STATE/pid")
        [ -f "$STATE/supervisor" ] && sup=$(cat "$STATE/supervisor")
        [ -f "$STATE/cgroup" ] && cg=$(cat "$STATE/cgroup")

        if bed_pid_alive; then
                # Graceful, but bounded: a wedged unit or half-created container must not hang us (or CI).
                timeout -k 2 "$STOP_TIMEOUT" nsenter -t "$pid" -a systemctl poweroff --no-block >/dev/null 2>&1 || true
                for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
                        bed_pid_alive || break
                        sleep 0.1
                done
                if bed_pid_alive; then
                        log "bed did not power off within ${STOP_TIMEOUT}s, killing it"
                        # SIGKILL of a PID namespace's init kills every process in the namespace.
                        kill -9 "$pid" 2>/dev/null || true
                fi
        fi
        # Whatever is left in the bed's cgroup (the supervisor; anything that escaped): kill it.
        if [ -n "$cg" ] && [ -d "$cg" ]; then
                for ((i = 0; i < 50; i++)); do
                        p=$(cgroup_pids "$cg")
                        [ -z "$p" ] && break
                        if [ -w "$cg/cgroup.kill" ]; then
                                echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
                        fi
                        kill -9 $p 2>/dev/null || true
                        sleep 0.1
                done
        fi
        if [ -n "$sup" ] && kill -0 "$sup" 2>/dev/null; then
                kill -9 "$sup" 2>/dev/null || true
        fi
        # Reap the supervisor if it is our child (start that failed); never block on it.
        wait 2>/dev/null &
        if [ -n "$cg" ]; then
                cleanup_cgroup "$cg" || log "warning: could not remove cgroup $cg (processes: $(cgroup_pids "$cg" | tr '\n' ' '))"
        fi
        rm -f "$STATE/pid" "$STATE/pid.new" "$STATE/starttime" "$STATE/supervisor" "$STATE/cgroup"
        rmdir "$STATE/mnt" 2>/dev/null || true
        return 0
}

cmd_status() {
        if bed_pid_alive; then
                local pid st
                pid=$(cat "$STATE/pid")
                st=$(timeout 5 nsenter -t "$pid" -a systemctl is-system-running 2>/dev/null)
                echo "running: PID $pid, system state ${st:-unknown}, cgroup $(cat "$STATE/cgroup"), state dir $STATE"
                return 0
        fi
        echo "not running (state dir $STATE)"
        return 3
}

# The environment of a command run in the bed: the caller's, less what points into the host's sessions.
bed_nsenter() {
        local pid=$1
        shift
        exec env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR -u DBUS_SYSTEM_BUS_ADDRESS -u NOTIFY_SOCKET \
                -u INVOCATION_ID -u JOURNAL_STREAM -u LISTEN_FDS -u LISTEN_PID -u SYSTEMD_EXEC_PID \
                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                nsenter -t "$pid" -a --wdns="$REPO" "$@"
}

cmd_exec() {
        local pid
        [ $# -gt 0 ] || die "exec: no command"
        pid=$(bed_pid) || exit 1
        bed_nsenter "$pid" "$@"
}

# Inside the bed: where a sanitized build's reports go, and the environment that sends them there. Not
# abort_on_error: an abort would reach the host's core_pattern; the exit status and the file tell enough.
# Not strict_string_checks: it wants a NUL within the buffer even for strndup(), which reads at most N
# bytes by definition (notify_parse() on a datagram of exactly 4096 bytes was reported).
SANITIZER_LOG_DIR=/run/machined-ext-sanitizer
SANITIZER_ENV_FILE=/etc/default/machined-ext-sanitizers

sanitizer_env() {
        echo "ASAN_OPTIONS=log_path=$SANITIZER_LOG_DIR/asan:halt_on_error=1:detect_leaks=1"
        echo "UBSAN_OPTIONS=log_path=$SANITIZER_LOG_DIR/ubsan:halt_on_error=1:print_stacktrace=1"
        echo "MX_SANITIZER_LOG_DIR=$SANITIZER_LOG_DIR"
}

# In the bed (after meson install): the environment file, the log directory (writable for the tests' non-root
# clients too) and drop-ins that give the environment to the daemon and to container@.service's client.
install_sanitizer_env() {
        local u
        sanitizer_env >"$SANITIZER_ENV_FILE" || return 1
        mkdir -p "$SANITIZER_LOG_DIR" && chmod 1777 "$SANITIZER_LOG_DIR" || return 1
        for u in machined-ext.service container@.service; do
                mkdir -p "/etc/systemd/system/$u.d" || return 1
                printf '%s\n' '# bed.sh install --sanitizers' '[Service]' "EnvironmentFile=$SANITIZER_ENV_FILE" \
                        >"/etc/systemd/system/$u.d/50-sanitizers.conf" || return 1
        done
}

cmd_install() {
        local b pid sanitizers=0 a rest=()
        for a in "$@"; do
                if [ "$a" = --sanitizers ]; then sanitizers=1; else rest+=("$a"); fi
        done
        set -- "${rest[@]}"
        [ $# = 1 ] || die "usage: $0 install [--state-dir DIR] [--sanitizers] BUILDDIR"
        b=$(cd "$1" && pwd -P) || die "no build dir $1"
        case $b in
        "$REPO"/*) ;;
        *) die "build dir $b must be inside the repo ($REPO): only the repo is shared with the bed" ;;
        esac
        pid=$(bed_pid) || exit 1
        (bed_nsenter "$pid" meson install -C "$b" --no-rebuild --quiet) || die "meson install failed"
        if [ $sanitizers = 1 ]; then
                (bed_nsenter "$pid" bash -c "$(declare -p SANITIZER_LOG_DIR SANITIZER_ENV_FILE; declare -f sanitizer_env install_sanitizer_env); install_sanitizer_env") ||
                        die "installing the sanitizer environment failed"
        fi
        (bed_nsenter "$pid" systemctl daemon-reload) || die "systemctl daemon-reload failed"
        (bed_nsenter "$pid" busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                ReloadConfig >/dev/null) || die "dbus ReloadConfig failed"
        # A daemon that runs already (D-Bus activated by an earlier run) gets the new binary and environment.
        if [ $sanitizers = 1 ]; then
                (bed_nsenter "$pid" systemctl try-restart machined-ext.service) || die "restarting machined-ext failed"
        fi
}

no_args() {     # VERB ARGS...: VERB takes none
        [ $# -le 1 ] || die "$1: unexpected argument '$2'"
}

main() {
        local cmd=${1:-}
        [ $# -gt 0 ] && shift
        case $cmd in
        __stage2) stage2 "$@"; exit 1 ;;
        __stage3) stage3 "$@"; exit 1 ;;
        esac
        local args=()
        while [ $# -gt 0 ]; do
                case $1 in
                --state-dir) [ $# -ge 2 ] || die "--state-dir needs a directory"; STATE=$2; shift 2 ;;
                --state-dir=*) STATE=${1#*=}; shift ;;
                --) shift; args+=("$@"); break ;;
                *)
                        # exec: the command and everything after it are CMD's.
                        [ "$cmd" = exec ] && { args+=("$@"); break; }
                        args+=("$1")
                        shift
                        ;;
                esac
        done
        [ -n "$STATE" ] || die "--state-dir: empty directory name"
        case $STATE in /*) ;; *) STATE=$(pwd -P)/$STATE ;; esac
        case $cmd in
        start) cmd_start "${args[@]}" ;;
        stop) no_args stop "${args[@]}"; [ "$(id -u)" = 0 ] || die "must run as root"; cmd_stop ;;
        status) no_args status "${args[@]}"; cmd_status ;;
        exec) cmd_exec "${args[@]}" ;;
        install) cmd_install "${args[@]}" ;;
        *) echo "usage: $0 start|stop|status|exec CMD...|install BUILDDIR [--state-dir DIR]" >&2; exit 2 ;;
        esac
}

main "$@"
