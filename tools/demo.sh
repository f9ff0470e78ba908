#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The first thing to run (as root): installs the dependencies, builds, installs machined-ext into the test
# bed (or onto the host if PID 1 there is systemd), makes a busybox container "demo", starts it with
# machinectl-ext and shows it in machinectl and machinectl-ext. The bed is left running.

set -eu
cd "$(dirname "$0")/.."
REPO=$(pwd -P)
BED=$REPO/test/bed/bed.sh

[ "$(id -u)" = 0 ] || { echo "demo.sh must run as root (sudo tools/demo.sh)" >&2; exit 1; }

tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

if [ "$(cat /proc/1/comm)" = systemd ]; then
        in_bed=0
        meson install -C build --no-rebuild --quiet
        systemctl daemon-reload
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
        run() { "$@"; }
else
        in_bed=1
        echo "PID 1 is $(cat /proc/1/comm), not systemd: booting the test bed"
        "$BED" start --replace >/dev/null
        "$BED" install build
        run() { "$BED" exec "$@"; }
fi

run bash -euc '
        test/mkroot.sh /var/lib/machines/demo --payload build/test/payload/testpayload
        mkdir -p /etc/machined-ext
        printf "[Exec]\nParameters=/bin/sh -c \"while :; do sleep 3600; done\"\n" >/etc/machined-ext/demo.nspawn
        if ! busctl call org.machinedext1 /org/machinedext1 org.machinedext1.Manager GetMachine s demo \
                >/dev/null 2>&1; then
                echo "+ machinectl-ext start demo"
                machinectl-ext start demo
        fi
        echo "+ machinectl list"
        machinectl list
        echo "+ machinectl-ext list"
        machinectl-ext list
'

if [ $in_bed = 1 ]; then
        cat <<EOT

The test bed is still running, with machine "demo" in it.
  enter it:   test/bed/bed.sh exec bash
  stop it:    test/bed/bed.sh stop
EOT
fi
