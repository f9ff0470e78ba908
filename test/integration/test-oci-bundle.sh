#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# OCI bundles through the daemon (StartMachineFromBundle): a config.json with every field the model supports,
# checked from inside by the payload's report (mounts and their flags, propagation, masked and read-only
# paths, the five capability sets, rlimits, IDs, umask, sysctls, hostname, env, cwd, a seccomp rule with an
# argument condition, devices, the console size, the scheduling policy and I/O priority) and from the host (the scope's resource properties, slice
# and name, machinectl); and bundles that are refused with the JSON path, leaving nothing behind.
# Written against docs/oci.md and the runtime-spec's config.md.

set -u
. "$(dirname "$0")/lib.sh"

# oci_bundle NAME: a bundle at /var/lib/machines/NAME with a busybox root in rootfs/ (config.json is the
# test's), plus what the every-field config refers to: /srv, files to mask, a read-only directory.
oci_bundle() {
        local b=$MACHINES_DIR/$1
        mx_root "$1" "$b/rootfs"
        mkdir -p "$b/rootfs/srv" "$b/rootfs/masked-dir" "$b/rootfs/ro-dir" "$b/rootfs/data" "$b/rootfs/scratch"
        echo secret >"$b/rootfs/masked-file"
        echo secret >"$b/rootfs/masked-dir/x"
        mkdir -p "$b/hostdata"
        echo from-host >"$b/hostdata/file"
}

# The every-field config.json of bundle NAME; SECCOMP_DEFAULT, if given, replaces the seccomp defaultAction.
oci_full_config() {
        local name=$1 b=$MACHINES_DIR/$1 def=${2:-SCMP_ACT_ALLOW}
        cat >"$b/config.json" <<EOF
{
  "ociVersion": "1.0.2-dev",
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "ocihost",
  "annotations": { "org.example.key": "value" },
  "process": {
    "terminal": true,
    "consoleSize": { "height": 33, "width": 111 },
    "user": { "uid": 1000, "gid": 1000, "umask": 23, "additionalGids": [5, 20] },
    "args": [ "/usr/bin/testpayload", "sleep", "1000", "--report", "/tmp/r.txt" ],
    "env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar baz",
             "TESTPAYLOAD_STAT=/dev/fuse:/masked-file:/masked-dir:/masked-none" ],
    "cwd": "/srv",
    "capabilities": {
      "bounding":    [ "CAP_CHOWN", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE" ],
      "effective":   [ "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted":   [ "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN" ],
      "inheritable": [ "CAP_CHOWN", "CAP_NET_BIND_SERVICE" ],
      "ambient":     [ "CAP_NET_BIND_SERVICE" ]
    },
    "rlimits": [ { "type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024 },
                 { "type": "RLIMIT_CORE", "soft": 1000, "hard": 2000 } ],
    "noNewPrivileges": true,
    "oomScoreAdj": 123,
    "scheduler": { "policy": "SCHED_BATCH", "nice": 3 },
    "ioPriority": { "class": "IOPRIO_CLASS_BE", "priority": 7 }
  },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/data", "type": "bind", "source": "$b/hostdata", "options": [ "rbind", "ro", "nosuid", "nodev" ] },
    { "destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "noexec", "mode=711", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": [ "nosuid", "noexec", "nodev" ] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" },
                    { "type": "network" }, { "type": "cgroup" } ],
    "cgroupsPath": "machine.slice:mxoci:$name",
    "rootfsPropagation": "shared",
    "sysctl": { "kernel.msgmax": "12345", "net.ipv4.ip_forward": "1" },
    "maskedPaths": [ "/masked-file", "/masked-dir", "/masked-none" ],
    "readonlyPaths": [ "/ro-dir" ],
    "devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 432, "uid": 0, "gid": 5 } ],
    "resources": {
      "memory": { "limit": 268435456 },
      "cpu": { "quota": 50000, "period": 100000 },
      "pids": { "limit": 99 },
      "unified": { "memory.high": "200000000" }
    },
    "seccomp": {
      "defaultAction": "$def",
      "syscalls": [ { "names": [ "getpriority", "no_such_call_xyz" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                      "args": [ { "index": 0, "value": 2, "op": "SCMP_CMP_EQ" } ] } ]
    }
  }
}
EOF
}

# The report's lines for mount point MP ("mount=MP TYPE OPTIONS").
mount_line() {  # REPORT MP
        echo "$1" | grep "^mount=$2 " | tail -1
}

# What the container of the every-field config.json sees: its report REP, field by field.
check_full_report() {   # REP
        local rep=$1
        assert_eq ocihost "$(report_get "$rep" hostname)" "hostname"
        assert_eq 1000 "$(report_get "$rep" uid)" "uid"
        assert_eq 1000 "$(report_get "$rep" gid)" "gid"
        assert_eq "5,20" "$(report_get "$rep" groups)" "additionalGids"
        assert_eq 0027 "$(report_get "$rep" umask)" "umask"
        assert_eq /srv "$(report_get "$rep" cwd)" "cwd"
        assert_eq "bar baz" "$(report_get "$rep" env.FOO)" "env FOO"
        assert_eq machined-ext "$(report_get "$rep" env.container)" "the container interface's \$container"
        assert_eq /run/host/notify "$(report_get "$rep" env.NOTIFY_SOCKET)" "\$NOTIFY_SOCKET"
        # Capabilities after the exec as uid 1000: the bounding, inheritable and ambient sets as given;
        # permitted and effective are the ambient set (execve()'s rules for a non-root user).
        assert_eq 00000000000004e1 "$(report_get "$rep" cap.bnd)" "bounding set"
        assert_eq 0000000000000401 "$(report_get "$rep" cap.inh)" "inheritable set"
        assert_eq 0000000000000400 "$(report_get "$rep" cap.amb)" "ambient set"
        assert_eq 0000000000000400 "$(report_get "$rep" cap.prm)" "permitted set"
        assert_eq 0000000000000400 "$(report_get "$rep" cap.eff)" "effective set"
        assert_eq 1 "$(report_get "$rep" nonewprivs)" "noNewPrivileges"
        assert_eq 512:1024 "$(report_get "$rep" rlimit.nofile)" "RLIMIT_NOFILE"
        assert_eq 1000:2000 "$(report_get "$rep" rlimit.core)" "RLIMIT_CORE"
        assert_eq 12345 "$(report_get "$rep" sysctl.kernel/msgmax)" "sysctl kernel.msgmax"
        assert_eq 1 "$(report_get "$rep" sysctl.net/ipv4/ip_forward)" "sysctl net.ipv4.ip_forward"
        # The seccomp rule with its argument condition: getpriority(PRIO_USER) fails, PRIO_PROCESS does not.
        assert_eq EPERM "$(report_get "$rep" prio.user)" "seccomp rule (arg0 == PRIO_USER)"
        assert_eq ok "$(report_get "$rep" prio.process)" "seccomp rule's condition (PRIO_PROCESS)"
        assert_eq 2 "$(report_get "$rep" seccomp)" "seccomp mode"
        # Devices, masked paths.
        assert_eq "chr 0660 rdev=10:229 owner=0:5" "$(report_get "$rep" stat./dev/fuse)" "linux.devices /dev/fuse"
        assert_match "^reg 0000" "$(report_get "$rep" stat./masked-file)" "masked file"
        assert_match "^dir 0000" "$(report_get "$rep" stat./masked-dir)" "masked directory"
        assert_eq ENOENT "$(report_get "$rep" stat./masked-none)" "a masked path that does not exist"
        # Mounts and their flags, the root's propagation, the read-only root and paths.
        assert_match "^mount=/ [^ ]+ ro[,]" "$(mount_line "$rep" /)" "root.readonly"
        assert_eq "mountprop=/ shared" "$(echo "$rep" | grep '^mountprop=/ ' | tail -1)" "rootfsPropagation"
        assert_match "^mount=/ro-dir [^ ]+ ro[,]" "$(mount_line "$rep" /ro-dir)" "readonlyPaths"
        assert_match "^mount=/data [^ ]+ ro,nosuid,nodev" "$(mount_line "$rep" /data)" "bind mount options"
        assert_match "^mount=/scratch tmpfs rw,nosuid,noexec,.*size=65536k,mode=711" "$(mount_line "$rep" /scratch)" \
                "tmpfs mount options"
        assert_match "^mount=/dev/mqueue mqueue rw,nosuid,nodev,noexec" "$(mount_line "$rep" /dev/mqueue)" "mqueue"
        assert_match "^mount=/proc proc " "$(mount_line "$rep" /proc)" "/proc"
        assert_match "^mount=/proc/sys proc ro," "$(mount_line "$rep" /proc/sys)" \
                "the runtime's /proc/sys stays read-only (the bundle's proc mount is not made again)"
        assert_eq 33x111 "$(report_get "$rep" tty.size)" "process.consoleSize"
        # process.scheduler (3: SCHED_BATCH) and ioPriority (2: IOPRIO_CLASS_BE); every CPU (execCPUAffinity is
        # for exec'd processes), whatever the daemon's own affinity.
        assert_eq 3 "$(report_get "$rep" sched.policy)" "process.scheduler.policy"
        assert_eq 3 "$(report_get "$rep" sched.nice)" "process.scheduler.nice"
        assert_eq 2:7 "$(report_get "$rep" ioprio)" "process.ioPriority"
        assert_eq "$(cat /sys/devices/system/cpu/online)" "$(report_get "$rep" cpus)" "the payload's CPUs"
}

test_every_field() {
        local n=mxoci-full b rep unit leader
        oci_bundle $n
        oci_full_config $n
        b=$MACHINES_DIR/$n
        # The daemon confined to CPU 0: the payload still gets every CPU (runc's reset), not the daemon's.
        taskset -a -p -c 0 "$(systemctl show -P MainPID machined-ext.service)" >/dev/null ||
                t_fail "taskset of the daemon failed"
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        taskset -a -p -c "$(cat /sys/devices/system/cpu/online)" "$(systemctl show -P MainPID machined-ext.service)" >/dev/null
        rep=$(tmp_report $n)

        check_full_report "$rep"

        # From the host: the scope (linux.cgroupsPath) with linux.resources, the registration.
        unit=mxoci-$n.scope
        unit_active "$unit" || t_fail "$unit is not active"
        assert_eq machine.slice "$(systemctl show -P Slice "$unit")" "the scope's slice"
        assert_eq 268435456 "$(systemctl show -P MemoryMax "$unit")" "memory.limit → MemoryMax"
        assert_eq 200000000 "$(systemctl show -P MemoryHigh "$unit")" "unified memory.high → MemoryHigh"
        assert_eq 99 "$(systemctl show -P TasksMax "$unit")" "pids.limit → TasksMax"
        assert_eq 500ms "$(systemctl show -P CPUQuotaPerSecUSec "$unit")" "cpu.quota → CPUQuotaPerSecUSec"
        # linux.devices in the device policy (ours: the scope has no DevicePolicy= of systemd's): a process in
        # the scope's cgroup opens the container's /dev/fuse (10:229) but not a loop-control node (10:237).
        assert_eq auto "$(systemctl show -P DevicePolicy "$unit")" "systemd's DevicePolicy="
        leader=$(leader_of $n)
        mknod "$b/lctl" c 10 237 || t_fail "mknod failed"
        assert_match "^(ok|ENODEV|ENXIO)$" "$(cg_try "$(cgroup_of $leader)" open /proc/$leader/root/dev/fuse)" \
                "linux.devices /dev/fuse"
        assert_eq EPERM "$(cg_try "$(cgroup_of $leader)" open "$b/lctl")" "a device linux.devices does not have"
        assert_eq "$unit" "$(mx_prop $n Unit)" "the machine's unit"
        assert_eq 1000:1000 "$(mx_prop $n User)" "the machine's User property"
        assert_eq 123 "$(cat /proc/$leader/oom_score_adj)" "oomScoreAdj"
        machinectl list --no-legend | grep -q "^$n " || t_fail "machinectl list does not show $n"
        assert_eq "$unit" "$(machinectl show -p Unit --value $n)" "machined's unit"

        mx_stop $n >/dev/null || t_fail "StopMachine failed"
        unit_active "$unit" && t_fail "$unit still active after StopMachine"
        return 0
}

# A config.json that asks for what the model cannot do: InvalidSettings with the JSON path; nothing is left.
test_refused() {
        local n=mxoci-bad b out
        oci_bundle $n
        oci_full_config $n SCMP_ACT_NOTIFY
        b=$MACHINES_DIR/$n
        out=$(assert_error org.machinedext1.InvalidSettings StartMachineFromBundle string:$n string:"$b")
        assert_match "$b/config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported" "$out" "message"
        assert_gone $n "$b/rootfs"
        unit_active mxoci-$n.scope && t_fail "mxoci-$n.scope exists"

        # A parser error names its JSON path too.
        sed -i 's/"uid": 1000,/"uid": "x",/' "$b/config.json"
        out=$(assert_error org.machinedext1.InvalidSettings StartMachineFromBundle string:$n string:"$b")
        assert_match "config.json: process.user.uid: expected an unsigned integer" "$out" "message"

        out=$(assert_error org.freedesktop.DBus.Error.InvalidArgs StartMachineFromBundle string:$n string:"relative")
        out=$(assert_error org.machinedext1.NoSuchMachine StartMachineFromBundle string:$n string:"/nonexistent")
        assert_gone $n "$b/rootfs"
        return 0
}

# A minimal bundle (runc spec's shape): no user or network namespace requested, so none is made; the host's
# network is shared.
test_minimal() {
        local n=mxoci-min b rep leader
        oci_bundle $n
        b=$MACHINES_DIR/$n
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.0", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "sleep", "1000", "--report", "/tmp/r.txt" ],
               "user": { "uid": 0, "gid": 0 },
               "capabilities": { "bounding": [ "CAP_KILL" ], "effective": [ "CAP_KILL" ], "permitted": [ "CAP_KILL" ] } },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }
EOF
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        rep=$(tmp_report $n)
        leader=$(leader_of $n)
        assert_eq $n "$(report_get "$rep" hostname)" "hostname defaults to the machine name"
        assert_eq 0000000000000020 "$(report_get "$rep" cap.eff)" "effective set"
        assert_eq "$(readlink /proc/self/ns/net)" "$(readlink /proc/$leader/ns/net)" "no network namespace"
        assert_eq "$(readlink /proc/self/ns/user)" "$(readlink /proc/$leader/ns/user)" "no user namespace"
        unit_active "$(scope_of $n)" || t_fail "no scope $(scope_of $n)"
        machinectl list --no-legend | grep -q "^$n " || t_fail "machinectl list does not show $n"
        return 0
}

# A bundle with hooks of every kind, each appending "KIND ns=MOUNT-NS env=HOOKVAR state=STATE-JSON" to
# rootfs/hooks.log (startContainer's path and log are inside the container, the others' on the host).
# EXTRA_PRESTART, if given, is one more prestart hook (JSON); POSTSTART_STATUS the poststart hook's exit status.
oci_hooks_config() {    # NAME [EXTRA_PRESTART] [POSTSTART_STATUS]
        local name=$1 b=$MACHINES_DIR/$1 extra=${2:-} post=${3:-0} k hooks="" path log status
        printf '%s\n' '#!/bin/sh' 'state=$(cat)' \
                'exe=$(readlink /proc/1/exe 2>/dev/null) || exe=denied' \
                'echo "$1 ns=$(readlink /proc/self/ns/mnt) cwd=$(pwd) env=$HOOKVAR exe=$exe state=$state" >>"$LOG"' \
                'exit ${2:-0}' >"$b/hook.sh"
        chmod 755 "$b/hook.sh"
        cp "$b/hook.sh" "$b/rootfs/hook.sh"
        for k in prestart createRuntime createContainer startContainer poststart poststop; do
                path=$b/hook.sh log=$b/rootfs/hooks.log status=0
                [ $k = startContainer ] && path=/hook.sh log=/hooks.log
                [ $k = poststart ] && status=$post
                hooks+="\"$k\": [ { \"path\": \"$path\", \"args\": [ \"hook.sh\", \"$k\", \"$status\" ],
                        \"env\": [ \"HOOKVAR=v-$k\", \"LOG=$log\", \"PATH=/usr/bin:/bin\" ], \"timeout\": 10 }"
                [ $k = prestart ] && [ -n "$extra" ] && hooks+=", $extra"
                hooks+=" ],"
        done
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.1.0", "root": { "path": "rootfs" },
  "annotations": { "org.example.a": "b" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "sleep", "1000", "--report", "/tmp/r.txt" ],
               "capabilities": { "bounding": [ "CAP_KILL" ], "effective": [ "CAP_KILL" ], "permitted": [ "CAP_KILL" ] } },
  "hooks": { ${hooks%,} },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }
EOF
}

# The state JSON of a hooks.log line, parsed: "id=… status=… pid=… bundle=… version=… ann=…".
hook_state() {  # LINE
        echo "${1#*state=}" | python3 -c 'import json,sys
d = json.load(sys.stdin)
print("id=%s status=%s pid=%s bundle=%s version=%s ann=%s" % (d["id"], d["status"], d.get("pid", 0), d["bundle"],
      d["ociVersion"], d["annotations"].get("org.example.a")))' 2>&1
}

test_hooks() {
        local n=mxoci-hooks b log leader line k ns
        oci_bundle $n
        oci_hooks_config $n
        b=$MACHINES_DIR/$n
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        tmp_report $n >/dev/null
        leader=$(leader_of $n)
        wait_until 10 grep -q "^poststart " "$b/rootfs/hooks.log" || t_fail "no poststart hook"
        log=$(cat "$b/rootfs/hooks.log")
        assert_eq "prestart createRuntime createContainer startContainer poststart" \
                "$(echo "$log" | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')" "hooks in order"
        ns=$(readlink /proc/$leader/ns/mnt | sed 's/[][]/\\&/g')
        for k in prestart createRuntime createContainer startContainer poststart; do
                line=$(echo "$log" | grep "^$k ")
                assert_match "env=v-$k " "$line" "$k hook's env"
                case $k in
                createContainer|startContainer)
                        assert_match "ns=$ns " "$line" "$k runs in the container's mount namespace" ;;
                *)
                        assert_match "ns=$(readlink /proc/self/ns/mnt | sed 's/[][]/\\&/g') " "$line" \
                                "$k runs in the runtime's mount namespace" ;;
                esac
                # runc's working directory: the root file system's for createContainer, the bundle's for the
                # others (startContainer's is the container's).
                case $k in
                createContainer) assert_match " cwd=$b/rootfs " "$line" "$k hook's working directory" ;;
                startContainer) ;;
                *) assert_match " cwd=$b " "$line" "$k hook's working directory" ;;
                esac
        done
        # The container's init is still a copy of the daemon's binary: the image's hook must not reach it.
        assert_match " exe=denied " "$(echo "$log" | grep '^startContainer ')" "startContainer hook and /proc/1/exe"
        assert_eq "id=$n status=creating pid=$leader bundle=$b version=1.1.0 ann=b" \
                "$(hook_state "$(echo "$log" | grep '^prestart ')")" "prestart's state"
        assert_eq "id=$n status=creating pid=$leader bundle=$b version=1.1.0 ann=b" \
                "$(hook_state "$(echo "$log" | grep '^createContainer ')")" "createContainer's state"
        assert_eq "id=$n status=created pid=$leader bundle=$b version=1.1.0 ann=b" \
                "$(hook_state "$(echo "$log" | grep '^startContainer ')")" "startContainer's state"
        assert_eq "id=$n status=running pid=$leader bundle=$b version=1.1.0 ann=b" \
                "$(hook_state "$(echo "$log" | grep '^poststart ')")" "poststart's state"

        mx_stop $n >/dev/null || t_fail "StopMachine failed"
        wait_until 10 grep -q "^poststop " "$b/rootfs/hooks.log" || t_fail "no poststop hook after the stop"
        assert_eq "id=$n status=stopped pid=0 bundle=$b version=1.1.0 ann=b" \
                "$(hook_state "$(grep '^poststop ' "$b/rootfs/hooks.log")")" "poststop's state"
        assert_match " cwd=$b " "$(grep '^poststop ' "$b/rootfs/hooks.log")" "poststop hook's working directory"
        return 0
}

# A failing prestart hook fails the start with its path and status, and leaves nothing; the hooks after it
# do not run.
test_hook_fails() {
        local n=mxoci-hookfail b out
        oci_bundle $n
        b=$MACHINES_DIR/$n
        oci_hooks_config $n "{ \"path\": \"$b/hook.sh\", \"args\": [ \"hook.sh\", \"failing\", \"3\" ],
                              \"env\": [ \"LOG=$b/rootfs/hooks.log\" ] }"
        out=$(assert_error org.machinedext1.SetupFailed StartMachineFromBundle string:$n string:"$b")
        assert_match "prestart hook $b/hook.sh exited with status 3 \\(hooks.prestart\\[1\\]\\)" "$out" "message"
        assert_gone $n "$b/rootfs"
        assert_eq "prestart failing" "$(awk '{ print $1 }' "$b/rootfs/hooks.log" | tr '\n' ' ' | sed 's/ $//')" \
                "hooks that ran"
        mx_gone $n || t_fail "$n is still known to the daemon"
        return 0
}

# A hook that outlives its timeout is killed, and fails the start.
test_hook_timeout() {
        local n=mxoci-hooktime b out
        oci_bundle $n
        b=$MACHINES_DIR/$n
        oci_hooks_config $n "{ \"path\": \"/bin/sleep\", \"args\": [ \"sleep\", \"37\" ], \"timeout\": 1 }"
        out=$(assert_error org.machinedext1.SetupFailed StartMachineFromBundle string:$n string:"$b")
        assert_match "prestart hook /bin/sleep timed out after 1 s" "$out" "message"
        assert_gone $n "$b/rootfs"
        pgrep -x -f "sleep 37" >/dev/null && t_fail "the hook is still running"
        return 0
}

# A prestart hook that takes longer than the D-Bus default timeout (25 s), within its own timeout (60 s):
# StartMachineFromBundle answers within 25 s with the machine "starting" (docs/reliability.md), the hook
# runs to its end, and the machine then runs.
test_slow_hook() {
        local n=mxoci-slowhook b t0 out cursor
        oci_bundle $n
        b=$MACHINES_DIR/$n
        oci_hooks_config $n "{ \"path\": \"/bin/sleep\", \"args\": [ \"sleep\", \"40\" ], \"timeout\": 60 }"
        cursor=$(j_mark)
        t0=$SECONDS
        out=$(busctl call --timeout=25 "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" StartMachineFromBundle ss $n "$b" 2>&1) ||
                t_fail "StartMachineFromBundle did not answer within 25 s: $out"
        assert_match "^o \"/org/machinedext1/machine/" "$out" "the answer is the machine's path"
        [ $((SECONDS - t0)) -lt 25 ] || t_fail "answered after $((SECONDS - t0)) s"
        assert_eq starting "$(mx_prop $n State)" "State while the hook runs"
        pgrep -x -f "sleep 40" >/dev/null || t_fail "the hook is not running"
        assert_journal "$cursor" "Machine $n: still being set up after 20 s"
        # The hook's own timeout (60 s) holds, not the answer's: it ends after 40 s and the payload runs.
        mx_wait_state $n running 40
        # poststart runs after the payload's start, so after "running" (as in the tests above).
        wait_until 10 grep -q "^poststart " "$b/rootfs/hooks.log" || t_fail "no poststart hook"
        assert_eq "prestart createRuntime createContainer startContainer poststart" \
                "$(awk '{ print $1 }' "$b/rootfs/hooks.log" | grep -v '^poststop$' | tr '\n' ' ' | sed 's/ $//')" \
                "hooks that ran"
        [ $((SECONDS - t0)) -ge 40 ] || t_fail "running after $((SECONDS - t0)) s, before the hook's 40 s"
        return 0
}

# A slow prestart hook that fails after StartMachine was answered: WaitMachineReady, sent after the answer,
# gets the start's error (the hook, its status), and nothing is left.
test_slow_hook_fails() {
        local n=mxoci-slowfail b out err
        oci_bundle $n
        b=$MACHINES_DIR/$n
        oci_hooks_config $n "{ \"path\": \"/bin/sh\", \"args\": [ \"sh\", \"-c\", \"sleep 23; exit 4\" ], \"timeout\": 60 }"
        out=$(busctl call --timeout=25 "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" StartMachineFromBundle ss $n "$b" 2>&1) ||
                t_fail "StartMachineFromBundle did not answer within 25 s: $out"
        assert_eq starting "$(mx_prop $n State)" "State while the hook runs"
        err=$(assert_error org.machinedext1.SetupFailed WaitMachineReady string:$n uint64:60000000)
        assert_match "prestart hook /bin/sh exited with status 4 \\(hooks.prestart\\[1\\]\\)" "$err" "message"
        wait_until 20 mx_gone $n || t_fail "$n is still known to the daemon"
        assert_gone $n "$b/rootfs"
        return 0
}

# A failing poststart hook is logged with its path and status; the machine runs on.
test_poststart_fails() {
        local n=mxoci-postfail b cursor
        oci_bundle $n
        b=$MACHINES_DIR/$n
        oci_hooks_config $n "" 4
        cursor=$(j_mark)
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        wait_until 10 j_has "$cursor" "poststart hook $b/hook.sh exited with status 4" ||
                t_fail "no log of the failing poststart hook"
        mx_running $n || t_fail "$n is not running"
        return 0
}

# The same bundle through a settings file ([Files] OCIBundle=): machinectl-ext start NAME.
test_settings_file() {
        local n=mxoci-file b rep unit out
        oci_bundle $n
        oci_full_config $n
        b=$MACHINES_DIR/$n
        mx_settings $n "[Exec]\nKillSignal=SIGTERM\nNoSuchKeyXyz=1\n[Files]\nOCIBundle=$b\n"
        out=$(machinectl-ext start $n 2>&1) || t_fail "machinectl-ext start $n failed: $out"
        # The settings file's notices are shown (the start is answered only once a helper read the bundle: the
        # warnings are asked for again after it).
        assert_match "Warning: .*NoSuchKeyXyz" "$out" "start's warnings"
        rep=$(tmp_report $n)
        check_full_report "$rep"
        unit=mxoci-$n.scope
        assert_eq 268435456 "$(systemctl show -P MemoryMax "$unit")" "memory.limit → MemoryMax"
        assert_eq 15 "$(mx_prop $n KillSignal)" "KillSignal= of the settings file"
        machinectl list --no-legend | grep -q "^$n " || t_fail "machinectl list does not show $n"
        machinectl-ext list | grep -q "^$n " || t_fail "machinectl-ext list does not show $n"
        return 0
}

# ... and systemctl start container@NAME: the payload is in that unit.
test_container_unit() {
        local n=mxoci-unit b rep u=container@mxoci-unit.service leader
        oci_bundle $n
        oci_full_config $n
        b=$MACHINES_DIR/$n
        mx_settings $n "[Files]\nOCIBundle=$b\n"
        echo "systemctl stop $u; systemctl reset-failed $u" >>"$T_TMP/oci-cmds"
        assert_ok timeout 30 systemctl start $u
        rep=$(tmp_report $n)
        check_full_report "$rep"
        leader=$(leader_of $n)
        assert_match "/$u/payload\$" "$(sed -n 's/^0:://p' /proc/$leader/cgroup)" "leader's cgroup"
        assert_eq "$u" "$(machinectl show $n -p Unit --value)" "machined's unit"
        # The bundle's resources and devices went to that unit, for this run.
        assert_eq 268435456 "$(systemctl show -P MemoryMax $u)" "memory.limit → the unit's MemoryMax"
        assert_match "/dev/char/10:229 rwm" "$(systemctl show -P DeviceAllow $u)" "linux.devices → the unit's DeviceAllow"
        assert_ok timeout 30 systemctl stop $u
        wait_until 10 mx_gone $n || t_fail "$n still running 10 s after systemctl stop"
        return 0
}

# OCIBundle= with a key that defines the container: InvalidSettings with file:line; a missing bundle:
# SetupFailed naming it.
test_settings_refused() {
        local n=mxoci-badfile b out
        oci_bundle $n
        oci_full_config $n
        b=$MACHINES_DIR/$n
        mx_settings $n "[Files]\nOCIBundle=$b\n[Exec]\nParameters=/bin/true\n"
        out=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n)
        assert_match "$SETTINGS_DIR/$n.nspawn:4: Parameters= cannot be combined with OCIBundle=" "$out" "message"
        mx_settings $n "[Files]\nOCIBundle=$b-missing\n"
        out=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n)
        assert_match "Bundle $b-missing of machine '$n': No such file or directory" "$out" "message"
        assert_gone $n "$b/rootfs"
        return 0
}

# Every system call systemd knows (its @known group, of all architectures: some are unknown to libseccomp
# here), minus the names given, as the inside of a JSON list.
known_syscalls_json() {  # SKIP...
        systemd-analyze syscall-filter @known | awk -v skip=" $* " '
                /^    [a-z0-9_]+$/ { if (index(skip, " " $1 " ") == 0) { printf "%s\"%s\"", sep, $1; sep = ", " } }'
}

# A Docker-default-like profile for bundle NAME: DEFAULT (the "defaultAction" member and what goes with it),
# an allow list of every call but getppid and getpriority, and getpriority allowed for PRIO_PROCESS only (an
# argument condition). The payload is root without a user namespace, runs "testpayload syscall --out
# /sc.txt CALL..." (the file lands in the bundle's rootfs) and has noNewPrivileges NNP.
oci_seccomp_config() {  # NAME DEFAULT NNP CALL...
        local b=$MACHINES_DIR/$1 def=$2 nnp=$3 args
        shift 3
        args=$(printf ', "%s"' "$@")
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "syscall", "--out", "/sc.txt"$args ],
               "user": { "uid": 0, "gid": 0 }, "noNewPrivileges": $nnp,
               "capabilities": { "bounding": [ "CAP_KILL", "CAP_DAC_READ_SEARCH" ],
                                 "effective": [ "CAP_KILL", "CAP_DAC_READ_SEARCH" ],
                                 "permitted": [ "CAP_KILL", "CAP_DAC_READ_SEARCH" ] } },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ],
    "seccomp": { $def,
      "architectures": [ "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" ],
      "syscalls": [ { "names": [ $(known_syscalls_json getppid getpriority) ], "action": "SCMP_ACT_ALLOW" },
                    { "names": [ "getpriority" ], "action": "SCMP_ACT_ALLOW",
                      "args": [ { "index": 0, "value": 0, "op": "SCMP_CMP_EQ" } ] } ] } } }
EOF
}

# An SCMP_ACT_ERRNO default (Docker's and podman's shape) without noNewPrivileges: the profile is loaded
# before the init drops its capabilities, so the allow list covers the init's own calls. A call not in the
# list fails with EPERM; the argument condition lets getpriority(PRIO_PROCESS) through, not PRIO_USER;
# open_by_handle_at() is in the allow list, but nspawn's deny list still denies it (EPERM, where the call
# itself would fail with EBADF or EFAULT).
test_seccomp_errno_default() {
        local n=mxoci-scerr b cursor
        oci_bundle $n
        b=$MACHINES_DIR/$n
        oci_seccomp_config $n '"defaultAction": "SCMP_ACT_ERRNO"' false \
                getpriority-process getpriority-user getppid open_by_handle_at
        cursor=$(j_mark)
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        assert_eq "exited 1" "$(mx_wait $n)" "the payload's exit (some calls failed)"
        assert_eq "getpriority-process=ok
getpriority-user=EPERM
getppid=EPERM
open_by_handle_at=EPERM" "$(cat "$b/rootfs/sc.txt")" "what each call did"
        assert_journal "$cursor" "linux.seccomp.syscalls[0]:"

        # The same with defaultErrnoRet: the profile's errno, nspawn's EPERM for open_by_handle_at().
        rm -f "$b/rootfs/sc.txt"
        oci_seccomp_config $n '"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13' true \
                getppid getpriority-user open_by_handle_at
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        assert_eq "exited 1" "$(mx_wait $n)" "the payload's exit"
        assert_eq "getppid=EACCES
getpriority-user=EACCES
open_by_handle_at=EPERM" "$(cat "$b/rootfs/sc.txt")" "defaultErrnoRet"
        return 0
}

# SCMP_ACT_KILL_PROCESS by default (noNewPrivileges: the profile is loaded right before the exec): the
# payload runs until it makes a call outside the allow list, and dies of SIGSYS, which WaitMachine reports.
test_seccomp_kill_default() {
        local n=mxoci-sckill b
        oci_bundle $n
        b=$MACHINES_DIR/$n
        oci_seccomp_config $n '"defaultAction": "SCMP_ACT_KILL_PROCESS"' true \
                getpriority-process open_by_handle_at getppid getpriority-process
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        assert_match "^(killed|dumped) 31\$" "$(mx_wait $n)" "the payload's end (SIGSYS)"
        # Everything before getppid ran; nothing after it did.
        assert_eq "getpriority-process=ok
open_by_handle_at=EPERM" "$(cat "$b/rootfs/sc.txt")" "what ran before the kill"
        assert_gone $n "$b/rootfs"
        return 0
}

# While the init sets the container up, the daemon holds the mount namespace it was cloned into (and lets it go
# once the payload is exec'd: mount-namespace-let-go in test-lifecycle.sh) in a capsule, not as an fd of its
# own: an fd would be copied into every init cloned meanwhile, and keep the namespace (and what it mounts)
# until that init's own release. Two bundles whose prestart hooks hold their set-ups: neither the daemon nor
# the second init has an fd of the first one's namespace.
mntns_hook_bundle() {   # NAME: a bundle whose prestart hook writes the init's PID and waits for BUNDLE/go
        local b=$MACHINES_DIR/$1
        oci_bundle $1
        printf '%s\n' '#!/bin/sh' 'pid=$(sed -n '"'"'s/.*"pid": *\([0-9][0-9]*\).*/\1/p'"'"')' \
                "echo \$pid >$b/hook-pid.new && mv $b/hook-pid.new $b/hook-pid" \
                "while [ ! -e $b/go ]; do sleep 0.1; done" >"$b/hook.sh"
        chmod 755 "$b/hook.sh"
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.0", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "sleep", "1000" ] },
  "hooks": { "prestart": [ { "path": "$b/hook.sh", "timeout": 30 } ] },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }
EOF
}

test_mount_namespace_not_inherited() {
        local a=mxoci-mntns-a b=mxoci-mntns-b da db main ns pid_b
        da=$MACHINES_DIR/$a
        db=$MACHINES_DIR/$b
        mntns_hook_bundle $a
        mntns_hook_bundle $b
        # StartMachineFromBundle answers once the payload runs: in the background, until the hooks let it.
        mx StartMachineFromBundle ss $a "$da" >"$T_TMP/start-a.out" 2>&1 &
        wait_until 10 test -s "$da/hook-pid" || { touch "$da/go"; t_fail "the prestart hook of $a did not run"; }
        ns=$(readlink /proc/$(cat "$da/hook-pid")/ns/mnt)
        mx StartMachineFromBundle ss $b "$db" >"$T_TMP/start-b.out" 2>&1 &
        wait_until 10 test -s "$db/hook-pid" ||
                { touch "$da/go" "$db/go"; t_fail "the prestart hook of $b did not run"; }
        pid_b=$(cat "$db/hook-pid")
        main=$(mx_daemon_pid)
        assert_eq 0 "$(ls -l /proc/$main/fd | grep -cF " $ns")" "the daemon's fds of $a's namespace $ns"
        assert_eq 0 "$(ls -l /proc/$pid_b/fd | grep -cF " $ns")" \
                "fds of $a's namespace $ns in $b's init (PID $pid_b), cloned while $a's init set up"
        touch "$da/go" "$db/go"
        wait %1 || t_fail "StartMachineFromBundle $a failed: $(cat "$T_TMP/start-a.out")"
        wait %2 || t_fail "StartMachineFromBundle $b failed: $(cat "$T_TMP/start-b.out")"
        mx_wait_state $a running 20
        mx_wait_state $b running 20
        assert_ok mx_stop $a
        assert_ok mx_stop $b
        assert_gone $a "$da/rootfs"
        assert_gone $b "$db/rootfs"
}

# An init is cloned sharing the daemon's fd table and takes a table of its own with only the low fds, its
# own; the daemon keeps what a running machine holds (console, leader's pidfd, UID range lock) from fd 1024
# on (issue #17: no init copies and closes those of 1000 machines). B's init, held by its prestart hook
# before its release, must have none of A's.
fds_of() {      # PID: "NUMBER TARGET" per open fd
        local f
        for f in /proc/$1/fd/*; do
                echo "${f##*/} $(readlink "$f")"
        done
}

test_init_fds_own() {
        local a=mxoci-fds-a b=mxoci-fds-b db main high pid_b fds bad
        db=$MACHINES_DIR/$b
        mx_root $a
        mx_settings $a "[Exec]\nParameters=/usr/bin/testpayload sleep 1000\n"
        mx_start $a
        mx_wait_state $a running 20
        main=$(mx_daemon_pid)
        high=$(fds_of $main | awk '$1 >= 1024 { print $2 }')
        for what in /dev/ptmx 'anon_inode:\[pidfd\]' '/run/systemd/nspawn-uid/'; do
                echo "$high" | grep -q "^$what" ||
                        t_fail "no $what among the daemon's fds from 1024 on while $a runs: $(echo $high)"
        done
        mntns_hook_bundle $b
        mx StartMachineFromBundle ss $b "$db" >"$T_TMP/start-b.out" 2>&1 &
        wait_until 10 test -s "$db/hook-pid" || { touch "$db/go"; t_fail "the prestart hook of $b did not run"; }
        pid_b=$(cat "$db/hook-pid")
        fds=$(fds_of $pid_b)
        bad=$(echo "$fds" | awk '$1 >= 1024 || $2 == "/dev/ptmx" || $2 ~ /^\/run\/systemd\/nspawn-uid\//')
        touch "$db/go"
        assert_eq "" "$bad" "fds of the daemon's running machines in $b's init (PID $pid_b)"
        [ "$(echo "$fds" | wc -l)" -lt 40 ] || t_fail "$b's init (PID $pid_b) has $(echo "$fds" | wc -l) fds: $(echo $fds)"
        wait %1 || t_fail "StartMachineFromBundle $b failed: $(cat "$T_TMP/start-b.out")"
        mx_wait_state $b running 20
        assert_ok mx_stop $a
        assert_ok mx_stop $b
        assert_gone $a
        assert_gone $b "$db/rootfs"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test oci-every-field test_every_field
run_test oci-refused test_refused
run_test oci-minimal test_minimal
run_test oci-settings-file test_settings_file
oci_run_unit() {
        : >"$T_TMP/oci-cmds"
        run_test "$@"
        while read -r c; do bash -c "$c" >/dev/null 2>&1; done <"$T_TMP/oci-cmds"
}
oci_run_unit oci-container-unit test_container_unit
run_test oci-settings-refused test_settings_refused
run_test oci-hooks test_hooks
run_test oci-mount-namespace-not-inherited test_mount_namespace_not_inherited
run_test oci-init-fds-own test_init_fds_own
run_test oci-hook-fails test_hook_fails
run_test oci-hook-timeout test_hook_timeout
run_test oci-poststart-fails test_poststart_fails
T_TIMEOUT=90 run_test oci-slow-hook test_slow_hook
T_TIMEOUT=90 run_test oci-slow-hook-fails test_slow_hook_fails
run_test oci-seccomp-errno-default test_seccomp_errno_default
run_test oci-seccomp-kill-default test_seccomp_kill_default

t_summary
