#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The first thing to run (as root): installs the dependencies, builds, installs machined-ext into the test
# bed (or onto the host if PID 1 there is systemd), makes a busybox container "demo", starts it with
# machinectl-ext, shows it in machinectl and machinectl-ext, and prints what to try next: the exact commands
# (through test/bed/bed.sh exec when in the bed). The bed is left running.
#
#   tools/demo.sh [--state-dir DIR] [--name NAME] [--no-build]
#
#   --state-dir DIR   the test bed's state dir (default: bed.sh's own, /run/machined-ext-bed)
#   --name NAME       the machine's name (default: demo)
#   --no-build        do not install dependencies, build or install: use the machined-ext installed on the
#                     host, or in the bed of DIR, which must be running

set -eu
cd "$(dirname "$0")/.."
REPO=$(pwd -P)
BED=$REPO/test/bed/bed.sh

usage() {
        sed -n "/^#   tools\/demo.sh/,/^\$/s/^# \{0,1\}//p" "$0"
        exit "$1"
}

state_dir= name=demo build=1
while [ $# -gt 0 ]; do
        case $1 in
        --state-dir) [ $# -ge 2 ] || usage 1; state_dir=$2; shift 2 ;;
        --state-dir=*) state_dir=${1#*=}; shift ;;
        --name) [ $# -ge 2 ] || usage 1; name=$2; shift 2 ;;
        --name=*) name=${1#*=}; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) usage 0 ;;
        *) echo "demo.sh: unknown argument '$1'" >&2; usage 1 >&2 ;;
        esac
done

[ "$(id -u)" = 0 ] || { echo "demo.sh must run as root (sudo tools/demo.sh)" >&2; exit 1; }

bed_args=()
[ -z "$state_dir" ] || bed_args=(--state-dir "$state_dir")

if [ $build = 1 ]; then
        tools/install-deps.sh
        [ -f build/build.ninja ] || meson setup build
        ninja -C build
fi

if [ "$(cat /proc/1/comm)" = systemd ]; then
        in_bed=0
        if [ $build = 1 ]; then
                meson install -C build --no-rebuild --quiet
                systemctl daemon-reload
                busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
        fi
        run() { "$@"; }
else
        in_bed=1
        if [ $build = 1 ]; then
                echo "PID 1 is $(cat /proc/1/comm), not systemd: booting the test bed"
                "$BED" start "${bed_args[@]}" --replace >/dev/null
                "$BED" install "${bed_args[@]}" build
        else
                "$BED" status "${bed_args[@]}" >/dev/null ||
                        { echo "demo.sh --no-build: no test bed running (test/bed/bed.sh start ${bed_args[*]})" >&2; exit 1; }
        fi
        run() { "$BED" exec "${bed_args[@]}" "$@"; }
fi

# The machine: a busybox root whose PID 1 greets on its console, then sleeps. Without Boot= and KillSignal=
# it is stopped with SIGKILL (as systemd-nspawn does), so `stop` returns at once. With a daemon that starts
# OCI bundles (StartMachineFromBundle), also a bundle made from the same root.
run env NAME="$name" bash -euc '
        test/mkroot.sh /var/lib/machines/$NAME --payload build/test/payload/testpayload
        mkdir -p /etc/machined-ext
        printf "[Exec]\nParameters=/bin/sh -c \"echo Hello from machine $NAME; while :; do sleep 3600; done\"\n" \
                >/etc/machined-ext/$NAME.nspawn
        if busctl introspect org.machinedext1 /org/machinedext1 org.machinedext1.Manager 2>/dev/null |
                grep -q "^\.StartMachineFromBundle "; then
                b=/var/lib/machined-ext-demo/$NAME-bundle
                mkdir -p $b
                test/mkroot.sh $b/rootfs --payload build/test/payload/testpayload >/dev/null
                cat >$b/config.json <<EOF
{
        "ociVersion": "1.0.2",
        "process": {
                "args": [ "/bin/sh", "-c", "echo Hello from an OCI bundle; while :; do sleep 3600; done" ],
                "env": [ "PATH=/usr/bin:/bin:/usr/sbin:/sbin" ],
                "cwd": "/"
        },
        "root": { "path": "rootfs" },
        "hostname": "$NAME-oci",
        "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" } ] }
}
EOF
                echo "$b" >/run/machined-ext-demo-bundle.$NAME
        else
                rm -f /run/machined-ext-demo-bundle.$NAME
        fi
        if ! busctl call org.machinedext1 /org/machinedext1 org.machinedext1.Manager GetMachine s $NAME \
                >/dev/null 2>&1; then
                echo "+ machinectl-ext start $NAME"
                machinectl-ext start $NAME
        fi
        echo "+ machinectl list"
        machinectl list
        echo "+ machinectl-ext list"
        machinectl-ext list
'
bundle=$(run cat /run/machined-ext-demo-bundle."$name" 2>/dev/null || true)

# What to try next: each line "  COMMAND    # what it does", COMMAND exactly as the user types it from the
# repository. test-readme-docs.sh runs every one of them, in this order.
bed_show=test/bed/bed.sh
[ "$PWD" = "$REPO" ] || bed_show=$BED
bed_opt=${state_dir:+ --state-dir $state_dir}
x=
[ $in_bed = 0 ] || x="$bed_show exec$bed_opt "
step() {        # COMMAND WHAT
        printf '  %-58s # %s\n' "$1" "$2"
}

echo
echo "Machine \"$name\" is running. What to try next:"
step "${x}machinectl-ext status $name" "its state, leader, scope, root"
step "${x}machinectl-ext console --log $name" "what it wrote to its console"
step "${x}machinectl-ext console $name" "attach to its console (detach: Ctrl+] three times)"
step "${x}machinectl status $name" "systemd-machined knows it too"
step "${x}machinectl-ext stop $name" "stop it (SIGKILL; returns once it is gone)"
step "${x}machinectl-ext start $name" "start it again"
if [ -n "$bundle" ]; then
        step "${x}busctl call org.machinedext1 /org/machinedext1 org.machinedext1.Manager StartMachineFromBundle ss $name-oci $bundle" \
                "start a container from an OCI bundle"
        step "${x}machinectl-ext stop $name-oci" "stop that one"
fi
if [ $in_bed = 1 ]; then
        echo
        echo "The test bed keeps running:"
        step "$bed_show exec$bed_opt bash" "a shell in it"
        step "$bed_show stop$bed_opt" "stop it, with everything in it"
fi
