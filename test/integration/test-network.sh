#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Private networks (docs/network.md, machined-ext.nspawn(5) [Network]): by default a machine gets its own
# network namespace with a veth, ve-NAME on the host and host0 inside, with the MACs systemd-nspawn would give
# them (test/helpers/net-names computes them with the library); traffic both ways; Zone= bridges; Port=
# forwarding from the host's 127.0.0.1 once the container has an address (the address monitor); nothing left
# after a stop, a SIGKILLed payload, or a daemon restart with the machine gone; RegisterMachineWithNetwork
# (machinectl status: Iface); settings that cannot work fail the start and leave nothing; the trust rules.
# Everything happens in the bed's own network namespace (test/bed/bed.sh: unshare --net).

set -u
. "$(dirname "$0")/lib.sh"

NET_NAMES=$BUILDDIR/test/helpers/net-names
SLEEP="/usr/bin/testpayload sleep inf"

nw_names() {    # NAME [ZONE]: KEY=VALUE lines from the library (veth, host_mac, container_mac, zone)
        "$NET_NAMES" "$@" || t_fail "net-names $* failed"
}

nw_get() {      # TEXT KEY
        echo "$1" | sed -n "s/^$2=//p"
}

link_exists() { # IFNAME
        ip link show dev "$1" >/dev/null 2>&1
}

link_mac() {    # IFNAME [LEADER]: the MAC of the link, on the host or in LEADER's network namespace
        if [ -n "${2:-}" ]; then
                nsenter -t "$2" -n cat "/sys/class/net/$1/address" 2>/dev/null ||
                        nsenter -t "$2" -n ip -o link show dev "$1" | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p'
        else
                cat "/sys/class/net/$1/address"
        fi
}

# The links and the nftables table of machines: none of ours left (ve-, vb-, vz-, the table).
net_leftovers() {
        ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -E '^(ve|vb|vz)-' | tr '\n' ' '
        nft list tables 2>/dev/null | grep -F machined_ext
}

net_none_left() {
        [ -z "$(net_leftovers)" ]
}

assert_no_net_leftovers() {
        local left
        wait_until 5 net_none_left || true
        left=$(net_leftovers)
        [ -z "$left" ] || t_fail "network leftovers: $left"
}

# nw_start NAME SETTINGS-BODY: a busybox root and /etc/machined-ext/NAME.nspawn (printf escapes), started.
nw_start() {
        mx_root "$1"
        mx_settings "$1" "$2"
        mx_start "$1"
}

# A PID 1 that gives host0 ADDR (busybox ip: the payload has CAP_NET_ADMIN in its own network namespace),
# then runs CMD (default: sleeps).
addr_script() {  # ADDR [CMD]
        echo "[Exec]\nParameters=/bin/sh -c 'ip link set host0 up && ip addr add $1/24 dev host0 && : >/tmp/up; exec ${2:-$SLEEP}'\n"
}

wait_up() {     # NAME: waits until its payload configured host0, prints the leader
        local l
        l=$(leader_of "$1")
        wait_until 10 test -e /proc/$l/root/tmp/up || t_fail "$1 did not configure host0"
        echo "$l"
}

cap_bnd_bit() {  # LEADER N: bit N of the leader's bounding set
        cap_bit "$(sed -n 's/^CapBnd:\t*//p' /proc/$1/status)" "$2"
}

nw_kill() {     # NAME: SIGKILL to its leader, waits until it is gone
        kill -9 "$(leader_of "$1")"
        wait_until 15 mx_gone "$1" || t_fail "$1 still there after SIGKILL"
}

# No settings file at all: a private network with a veth, named and addressed as nspawn would; traffic both
# ways once both ends have addresses; the same MACs after a restart; machined lists the interface.
test_default_veth() {
        local n=mxnw-def names veth l mac_h mac_c path
        mx_root $n
        names=$(nw_names $n)
        veth=$(nw_get "$names" veth)
        assert_eq ve-$n "$veth" "host-side name"
        mx_start $n
        l=$(leader_of $n)
        assert_ne "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "network namespace"
        link_exists $veth || t_fail "no $veth on the host: $(ip -o link | cut -d: -f2 | tr '\n' ' ')"
        mac_h=$(link_mac $veth)
        mac_c=$(link_mac host0 $l)
        assert_eq "$(nw_get "$names" host_mac)" "$mac_h" "MAC of $veth"
        assert_eq "$(nw_get "$names" container_mac)" "$mac_c" "MAC of host0"
        assert_match "Iface: .*$veth" "$(machinectl status $n --no-pager 2>&1 | grep Iface)" "machinectl status"
        path=$(busctl call org.freedesktop.machine1 /org/freedesktop/machine1 org.freedesktop.machine1.Manager \
                GetMachine s $n | cut -d'"' -f2)
        assert_eq "ai 1 $(cat /sys/class/net/$veth/ifindex)" \
                "$(busctl get-property org.freedesktop.machine1 "$path" org.freedesktop.machine1.Machine NetworkInterfaces)" \
                "machined's NetworkInterfaces (the ifindex of $veth)"

        # Addresses by hand, on both ends; then ping both ways.
        assert_ok ip addr add 10.231.0.1/24 dev $veth
        assert_ok nsenter -t $l -n ip link set host0 up
        assert_ok nsenter -t $l -n ip addr add 10.231.0.2/24 dev host0
        wait_until 10 busybox ping -c1 -W1 10.231.0.2 || t_fail "no ping from the host to the container"
        assert_ok nsenter -t $l -n busybox ping -c1 -W2 10.231.0.1

        # Ended (busybox init ignores the halt signal of a stop: SIGKILL): nothing left. Started again: the same
        # MACs.
        nw_kill $n
        assert_no_net_leftovers
        mx_start $n
        l=$(leader_of $n)
        assert_eq "$mac_h" "$(link_mac $veth)" "MAC of $veth after a restart"
        assert_eq "$mac_c" "$(link_mac host0 $l)" "MAC of host0 after a restart"
        nw_kill $n
        assert_no_net_leftovers
}

# A veth's deletion (RTM_DELLINK) waits for RCU grace periods in the kernel, ~20 ms (issue #17): the daemon
# leaves it to a worker thread, its event loop does not wait; also when a process outside the machine holds
# its network namespace (the kernel would keep the pair then). The next run of the name still finds the old
# link gone (it is queued until then), and nothing is left in the end.
test_veth_delete_off_loop() {
        local n=mxnw-offl pid tr sp line i out holder
        command -v strace >/dev/null || skip "no strace"
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/true\n"
        pid=$(mx_daemon_pid)
        tr=$T_TMP/strace
        strace -f -qq -e trace=sendto -e signal=none -o $tr -p $pid &
        sp=$!
        wait_until 5 eval "grep -q 'TracerPid:.[1-9]' /proc/$pid/status" || { kill $sp; t_fail "strace did not attach"; }
        # Started again at once, four times: every run gets its veth (a new start waits for the old one's
        # removal; otherwise it fails with "a link called like ours exists already").
        for i in 1 2 3 4; do
                mx_start $n
                out=$(mx_wait $n)
                assert_eq "exited 0" "$out" "WaitMachine of run $i"
        done
        wait_until 10 eval '! link_exists ve-$n' || t_fail "ve-$n is left"

        # Its namespace held from outside: the worker deletes the veth all the same.
        mx_settings $n "[Exec]\nParameters=$SLEEP\n"
        mx_start $n
        nsenter -t "$(leader_of $n)" -n sleep 60 &
        holder=$!
        wait_until 5 eval "[ \"\$(readlink /proc/$holder/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
                t_fail "the holder did not enter the namespace"
        nw_kill $n
        wait_until 10 eval '! link_exists ve-$n' || t_fail "ve-$n is left while its namespace is held"
        kill $holder; wait $holder 2>/dev/null
        kill $sp; wait $sp 2>/dev/null

        line=$(grep -m1 "RTM_DELLINK.*ve-$n" $tr) || t_fail "no RTM_DELLINK of ve-$n traced: $(grep -c . $tr) lines"
        [ "$(echo "$line" | awk '{ print $1 }')" != "$pid" ] || t_fail "RTM_DELLINK by the daemon's main thread: $line"
        [ -z "$(grep RTM_DELLINK $tr | awk -v p=$pid '$1 == p')" ] || t_fail "a RTM_DELLINK on the main thread"
        assert_no_net_leftovers
}

# The payload configures host0 itself with busybox ip: with a private network it has CAP_NET_ADMIN (as
# nspawn gives it), which only acts on its own namespace.
test_payload_configures() {
        local n=mxnw-self l
        nw_start $n "$(addr_script 10.231.1.2)"
        l=$(wait_up $n)
        assert_ok ip addr add 10.231.1.1/24 dev ve-$n
        wait_until 10 busybox ping -c1 -W1 10.231.1.2 || t_fail "no ping from the host to the container"
        assert_ok nsenter -t $l -a /bin/ping -c1 -W2 10.231.1.1
        assert_eq "" "$(nsenter -t $l -n ip -o link | grep -vE ': (lo|host0)[:@]')" "links inside besides lo, host0"
}

# Zone=lab: both machines' veths on bridge vz-lab; they reach each other; the bridge goes with the last.
test_zone() {
        local a=mxnw-za b=mxnw-zb la lb names
        names=$(nw_names $a lab)
        assert_eq vb-$a "$(nw_get "$names" veth)" "bridged host-side name"
        assert_eq vz-lab "$(nw_get "$names" zone)" "zone bridge name"
        nw_start $a "$(addr_script 10.231.2.2)[Network]\nZone=lab\n"
        nw_start $b "$(addr_script 10.231.2.3)[Network]\nZone=lab\n"
        la=$(wait_up $a)
        lb=$(wait_up $b)
        link_exists vz-lab || t_fail "no bridge vz-lab"
        assert_match "master vz-lab" "$(ip -o link show dev vb-$a)" "vb-$a on vz-lab"
        assert_match "master vz-lab" "$(ip -o link show dev vb-$b)" "vb-$b on vz-lab"
        wait_until 10 nsenter -t $la -n busybox ping -c1 -W1 10.231.2.3 || t_fail "$a does not reach $b"
        assert_ok nsenter -t $lb -n busybox ping -c1 -W2 10.231.2.2
        assert_ok mx_stop $a
        link_exists vz-lab || t_fail "vz-lab went with the first machine"
        link_exists vb-$a && t_fail "vb-$a is left"
        assert_ok mx_stop $b
        assert_no_net_leftovers
}

fwd4_elements() {
        nft list map inet machined_ext fwd4 2>/dev/null
}

# Port=tcp:8080:80: a connection to the host's 127.0.0.1:8080 reaches nc listening on port 80 inside, once
# the container has an address (which it gets after the start: the address monitor sees it).
test_port() {
        local n=mxnw-port l out
        nw_start $n "$(addr_script 10.231.3.2 "nc -ll -p 80 -e /bin/echo hello-from-$n")[Network]\nPort=tcp:8080:80\n"
        l=$(wait_up $n)
        assert_ok ip addr add 10.231.3.1/24 dev ve-$n
        wait_until 10 sh -c "nft list map inet machined_ext fwd4 | grep -q 10.231.3.2" ||
                t_fail "no forward to 10.231.3.2 in fwd4: $(fwd4_elements | tr '\n' ' ')"
        assert_match "tcp . 8080 .*$n" "$(nft list set inet machined_ext claimed)" "the claim"
        out=$(timeout 10 busybox nc -w 3 127.0.0.1 8080 </dev/null 2>&1)
        assert_eq "hello-from-$n" "$out" "reply through 127.0.0.1:8080"
        # libnftables is loaded for each change and unloaded after it (issue #17: its RSS).
        ! grep libnftables "/proc/$(mx_daemon_pid)/maps" || t_fail "the daemon keeps libnftables mapped"
        assert_ok mx_stop $n
        assert_no_net_leftovers
        ! grep libnftables "/proc/$(mx_daemon_pid)/maps" || t_fail "the daemon keeps libnftables mapped"
}

# A payload killed with SIGKILL: its run is gone, and so are its zone bridge and its forwards.
test_sigkill() {
        local n=mxnw-kill l
        nw_start $n "$(addr_script 10.231.4.2)[Network]\nZone=kz\nPort=tcp:8081:80\n"
        l=$(wait_up $n)
        link_exists vz-kz || t_fail "no vz-kz"
        nft list set inet machined_ext claimed | grep -q 8081 || t_fail "no claim of 8081"
        kill -9 $l
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine"
        wait_until 10 mx_gone $n || t_fail "$n still there"
        assert_no_net_leftovers
}

# The daemon restarts: a machine that still runs keeps its network (and the new instance removes it when
# it stops: the record was adopted); one that ended while no daemon ran has it removed at the start.
test_daemon_restart() {
        local a=mxnw-ra b=mxnw-rb la lb
        nw_start $a "$(addr_script 10.231.5.2)[Network]\nZone=rz\nPort=tcp:8082:80\n"
        nw_start $b "$(addr_script 10.231.5.3)[Network]\nZone=rz\nPort=tcp:8083:80\n"
        la=$(wait_up $a)
        lb=$(wait_up $b)
        assert_ok systemctl stop machined-ext
        kill -9 $lb
        wait_until 10 sh -c "! test -e /proc/$lb" || t_fail "leader of $b survived SIGKILL"
        assert_ok systemctl start machined-ext
        wait_until 10 mx_running $a || t_fail "$a not adopted"
        wait_until 10 sh -c "! ip link show dev vb-$b" || t_fail "vb-$b is left"
        wait_until 10 sh -c "! nft list set inet machined_ext claimed | grep -q 8083" ||
                t_fail "the claim of $b is left: $(nft list set inet machined_ext claimed | tr '\n' ' ')"
        link_exists vb-$a || t_fail "vb-$a of the running machine is gone"
        link_exists vz-rz || t_fail "vz-rz is gone while $a uses it"
        nft list set inet machined_ext claimed | grep -q 8082 || t_fail "the claim of $a is gone"
        assert_ok mx_stop $a
        assert_no_net_leftovers
}

# A Port= claim that no record covers (its machine's state is lost while no daemon ran) is swept at the
# daemon's start; the claim of a machine that runs is kept.
test_sweep() {
        local a=mxnw-sa b=mxnw-sb lb
        nw_start $a "$(addr_script 10.231.6.2)[Network]\nPort=tcp:8085:80\n"
        nw_start $b "$(addr_script 10.231.6.3)[Network]\nPort=tcp:8086:80\n"
        wait_up $a >/dev/null
        lb=$(wait_up $b)
        assert_ok systemctl stop machined-ext
        kill -9 $lb
        wait_until 10 sh -c "! test -e /proc/$lb" || t_fail "leader of $b survived SIGKILL"
        rm -rf /run/machined-ext/machines/$b
        assert_ok systemctl start machined-ext
        wait_until 10 mx_running $a || t_fail "$a not adopted"
        wait_until 10 sh -c "! nft list set inet machined_ext claimed | grep -q 8086" ||
                t_fail "the claim of $b is left: $(nft list set inet machined_ext claimed | tr '\n' ' ')"
        nft list set inet machined_ext claimed | grep -q 8085 || t_fail "the claim of $a is gone"
        assert_ok mx_stop $a
        assert_no_net_leftovers
}

# container@NAME.service: the same default network, registered with it.
test_container_unit() {
        local n=mxnw-unit u=container@mxnw-unit.service
        trap "systemctl stop $u >/dev/null 2>&1; systemctl reset-failed $u >/dev/null 2>&1" EXIT
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP\n"
        assert_ok timeout 30 systemctl start $u
        link_exists ve-$n || t_fail "no ve-$n"
        assert_match "Iface: .*ve-$n" "$(machinectl status $n --no-pager 2>&1 | grep Iface)" "machinectl status"
        assert_ok timeout 30 systemctl stop $u
        wait_until 10 mx_gone $n || t_fail "$n still there"
        assert_no_net_leftovers
}

# Settings that cannot work on this host: InvalidSettings naming file:line and the key; nothing is left (no
# scope, no registration, no link, no nftables element).
test_invalid() {
        local n=mxnw-bad a=mxnw-owner f=$SETTINGS_DIR/mxnw-bad.nspawn e case
        mx_root $n
        # KEYS|the message after FILE (an ERE)
        for case in "Bridge=nobr0|:4: Bridge=nobr0: no such network interface on the host" \
                    "Interface=nodev9|:4: Interface=nodev9: no such network interface" \
                    "Zone=z1\\nBridge=lo|:5: Bridge= and Zone= may not be combined"; do
                mx_settings $n "[Exec]\nParameters=$SLEEP\n[Network]\n${case%%|*}\n"
                e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
                assert_match "$f${case#*|}" "$e" "error for ${case%%|*}"
                assert_gone $n
                assert_no_net_leftovers
        done

        # A port another machine forwards.
        nw_start $a "[Exec]\nParameters=$SLEEP\n[Network]\nPort=tcp:8084:80\n"
        mx_settings $n "[Exec]\nParameters=$SLEEP\n[Network]\nVirtualEthernet=yes\nPort=tcp:8084:80\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:5: Port=tcp:8084.*$a" "$e" "message"
        assert_gone $n
        link_exists ve-$n && t_fail "ve-$n is left"
        assert_eq 1 "$(nft list set inet machined_ext claimed | grep -c 'tcp . 8084')" "claims of 8084"
        assert_no_match "$n" "$(nft list set inet machined_ext claimed)" "claims of $n"
        assert_ok mx_stop $a
        assert_no_net_leftovers
}

# Trust: [Network] of an untrusted file (next to the image) is ignored, as nspawn does: Private=no there
# does not give the host's network. The same file in /etc/machined-ext does.
test_trust() {
        local n=mxnw-trust l cur f=$MACHINES_DIR/mxnw-trust.nspawn
        mx_root $n
        echo "$f" >>"$T_TMP/dirs"
        printf "[Exec]\nParameters=$SLEEP\n[Network]\nPrivate=no\nVirtualEthernet=no\n" >"$f"
        cur=$(j_mark)
        mx_start $n
        l=$(leader_of $n)
        assert_ne "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "network namespace (untrusted file)"
        link_exists ve-$n || t_fail "no ve-$n for the untrusted file's machine"
        assert_eq 1 "$(cap_bnd_bit $l 12)" "CAP_NET_ADMIN (12) with a private network"
        assert_journal "$cur" "$f:4: Ignoring privileged key 'Private=' in untrusted settings file"
        assert_ok mx_stop $n
        rm -f "$f"

        mx_settings $n "[Exec]\nParameters=$SLEEP\n[Network]\nPrivate=no\n"
        mx_start $n
        l=$(leader_of $n)
        assert_eq "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "network namespace (trusted Private=no)"
        link_exists ve-$n && t_fail "ve-$n with Private=no"
        assert_eq 0 "$(cap_bnd_bit $l 12)" "CAP_NET_ADMIN (12) with the host's network"
        assert_ok mx_stop $n
        assert_no_net_leftovers
}

# OCI bundles: a new network namespace in config.json gets the default veth; none gets the host's network.
test_oci_bundle() {
        local n=mxnw-oci b=$MACHINES_DIR/mxnw-oci l ns
        mx_root $n "$b/rootfs"
        for ns in '{ "type": "network" }, ' ''; do
                cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.0", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "sleep", "inf" ], "user": { "uid": 0, "gid": 0 } },
  "linux": { "namespaces": [ $ns{ "type": "pid" }, { "type": "mount" } ] } }
EOF
                mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
                l=$(leader_of $n)
                if [ -n "$ns" ]; then
                        assert_ne "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "network namespace"
                        link_exists ve-$n || t_fail "no ve-$n for a bundle with a network namespace"
                        assert_eq "$(nw_get "$(nw_names $n)" container_mac)" "$(link_mac host0 $l)" "MAC of host0"
                else
                        assert_eq "$(readlink /proc/1/ns/net)" "$(readlink /proc/$l/ns/net)" "no network namespace"
                        link_exists ve-$n && t_fail "ve-$n for a bundle without a network namespace"
                fi
                assert_ok mx_stop $n
                assert_no_net_leftovers
        done
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
[ -x "$NET_NAMES" ] || { echo "no $NET_NAMES (build first)" >&2; echo "0 passed, 1 failed"; exit 1; }

run_test default-veth test_default_veth
run_test veth-delete-off-loop test_veth_delete_off_loop
run_test payload-configures test_payload_configures
run_test zone test_zone
run_test port test_port
run_test sigkill test_sigkill
run_test daemon-restart test_daemon_restart
run_test sweep test_sweep
run_test container-unit test_container_unit
run_test invalid test_invalid
run_test trust test_trust
run_test oci-bundle test_oci_bundle

t_summary
