# SPDX-License-Identifier: LGPL-2.1-or-later
"""Per-stage breakdown of one start (bench.sh --breakdown): kernel trace events of the whole bed, recorded
with `perf record -a` around one client command, turned into the moments a start goes through.

perf reports every sample's PID in the recording process's PID namespace, so inside the bed the processes
of the bed keep their own PIDs (the client's is the one posix_spawn() returned) and those of other beds on
the same kernel show as PID 0 and are dropped. The events' own pid= fields are global PIDs: the payload is
followed through them (its exec event has both).

Moments (ms after the client's exec):
  exec          the client command's exec
  connect       its first successful connect() (to the bus, or for crun to systemd's socket)
  clone         the fork/clone of the process that becomes the payload
  mkdir         systemd's (or the runtime's) mkdir of a *.scope cgroup: the scope job has begun
  attach        the payload's process attached to that cgroup: the migration is over
  registered    systemd-machined renamed its state file into place: the machine is registered
  payload-exec  exec of the payload (/bin/true)
  payload-exit  its exit
  client-exit   the client's exit: the reply has arrived
and the number of messages each process sent (sendmsg(), what sd-bus and dbus-daemon use) in that span.

    breakdown.py PERF_SCRIPT_FILE CLIENT_PID [PAYLOAD]   prints the moments and messages of a saved trace
"""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

EVENTS = ["sched:sched_process_exec", "sched:sched_process_fork", "sched:sched_process_exit",
          "cgroup:cgroup_mkdir", "cgroup:cgroup_attach_task", "syscalls:sys_exit_connect",
          "syscalls:sys_enter_sendmsg", "syscalls:sys_enter_rename", "syscalls:sys_enter_renameat",
          "syscalls:sys_enter_renameat2"]

MOMENTS = ["exec", "connect", "clone", "mkdir", "attach", "registered", "payload-exec", "payload-exit",
           "client-exit"]
MOMENT_TITLE = {
    "exec": "client exec'd",
    "connect": "client connected (first connect())",
    "clone": "payload's process cloned",
    "mkdir": "scope cgroup created (scope job under way)",
    "attach": "payload's process attached to the scope (migration done)",
    "registered": "registered with systemd-machined (its state file written)",
    "payload-exec": "payload exec'd",
    "payload-exit": "payload exited",
    "client-exit": "client exited (reply received)",
}
# (title, from, to): the stages of issue #17, as spans between two moments.
STAGES = [
    ("client start-up and connect", "exec", "connect"),
    ("bus hops and set-up until the clone", "connect", "clone"),
    ("scope job: clone → systemd's mkdir of the scope", "clone", "mkdir"),
    ("cgroup migration: mkdir → attached", "mkdir", "attach"),
    ("job done, registration, release → exec", "attach", "payload-exec"),
    ("payload: exec → exit", "payload-exec", "payload-exit"),
    ("exit → reply → client exit", "payload-exit", "client-exit"),
    ("total: client exec → client exit", "exec", "client-exit"),
]

ACK_TIMEOUT = 10                 # s for perf record to start recording

LINE = re.compile(r"^\s*(?P<comm>.*?)\s+(?P<pid>-?\d+)/(?P<tid>-?\d+)\s+(?P<time>\d+\.\d+):\s+"
                  r"(?P<event>[\w]+:[\w]+):\s*(?P<trace>.*)$")


def fields(trace):
    return dict(re.findall(r"(\w+)=(\S+)", trace))


def parse(lines, client_pid, payload="/bin/true"):
    """Moments (ms after the client's exec; missing ones absent) and messages sent per process name, from
    `perf script -F comm,pid,tid,time,event,trace` output of one traced start."""
    ev = []
    for line in lines:
        m = LINE.match(line)
        if m and int(m["pid"]) > 0:
            ev.append((float(m["time"]), m["comm"], int(m["pid"]), m["event"], m["trace"]))
    ev.sort(key=lambda e: e[0])
    t = {}
    gclient = gpayload = None
    for ts, comm, pid, event, trace in ev:
        f = fields(trace)
        if event == "sched:sched_process_exec":
            if pid == client_pid and "exec" not in t:
                t["exec"], gclient = ts, f.get("pid")
            elif "exec" in t and f.get("filename") == payload and "payload-exec" not in t:
                t["payload-exec"], gpayload = ts, f.get("pid")
    if "exec" not in t:
        return {}, {}
    t0 = t["exec"]
    for ts, comm, pid, event, trace in ev:
        if ts < t0:
            continue
        f = fields(trace)
        if event == "syscalls:sys_exit_connect" and pid == client_pid and trace.strip() == "0x0":
            t.setdefault("connect", ts)
        elif event == "sched:sched_process_fork" and gpayload and f.get("child_pid") == gpayload:
            t.setdefault("clone", ts)
        elif event == "cgroup:cgroup_mkdir" and "clone" in t and f.get("path", "").endswith(".scope"):
            t.setdefault("mkdir", ts)
        elif event == "cgroup:cgroup_attach_task" and gpayload and f.get("pid") == gpayload \
                and ".scope" in f.get("dst_path", ""):
            t.setdefault("attach", ts)
        elif event.startswith("syscalls:sys_enter_rename") and comm.startswith("systemd-machine") \
                and "clone" in t:
            t.setdefault("registered", ts)
        elif event == "sched:sched_process_exit" and gpayload and f.get("pid") == gpayload:
            t.setdefault("payload-exit", ts)
        elif event == "sched:sched_process_exit" and gclient and f.get("pid") == gclient:
            t["client-exit"] = ts
    end = t.get("client-exit", float("inf"))
    msgs = {}
    for ts, comm, pid, event, trace in ev:
        if t0 <= ts <= end and event == "syscalls:sys_enter_sendmsg":
            msgs[comm] = msgs.get(comm, 0) + 1
    # Only machined's first rename between the clone and the client's exit is this start's registration.
    if t.get("registered", 0) > end:
        del t["registered"]
    return {k: (v - t0) * 1e3 for k, v in t.items()}, msgs


def stages(moments):
    """Stage durations (ms) where both ends were seen and come in this order; None where not."""
    out = {}
    for title, a, b in STAGES:
        if a in moments and b in moments and moments[b] >= moments[a]:
            out[title] = moments[b] - moments[a]
        else:
            out[title] = None
    return out


def record(argv, log_path, data_path):
    """Runs argv once under `perf record -a` (events enabled only around it). Returns (client PID, exit status,
    `perf script` lines); raises RuntimeError if perf cannot record."""
    tmp = tempfile.mkdtemp(prefix="bench-perf-")
    try:
        ctl, ack = os.path.join(tmp, "ctl"), os.path.join(tmp, "ack")
        os.mkfifo(ctl)
        os.mkfifo(ack)
        with open(log_path, "ab") as log:
            perf = subprocess.Popen(["perf", "record", "-q", "-a", "-D", "-1", "--control", f"fifo:{ctl},{ack}",
                                     "-o", data_path, "-e", ",".join(EVENTS)],
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            try:
                # O_RDWR: opening a FIFO so never blocks, even if perf died before opening its ends.
                c = os.open(ctl, os.O_RDWR | os.O_CLOEXEC)
                a = os.open(ack, os.O_RDWR | os.O_CLOEXEC)
                try:
                    os.write(c, b"enable\n")
                    deadline = time.monotonic() + ACK_TIMEOUT
                    while not select.select([a], [], [], 0.1)[0]:
                        if perf.poll() is not None or time.monotonic() > deadline:
                            raise RuntimeError(f"perf record did not start (see {log_path})")
                    if not os.read(a, 64).startswith(b"ack"):
                        raise RuntimeError(f"perf record did not acknowledge 'enable' (see {log_path})")
                finally:
                    os.close(c)
                    os.close(a)
                fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
                try:
                    acts = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                            (os.POSIX_SPAWN_DUP2, fd, 1), (os.POSIX_SPAWN_DUP2, fd, 2)]
                    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=acts)
                    _, st = os.waitpid(pid, 0)
                finally:
                    os.close(fd)
                time.sleep(0.05)
            finally:
                perf.send_signal(signal.SIGINT)
                perf.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if perf.returncode not in (0, -signal.SIGINT, 130):
        raise RuntimeError(f"perf record failed (exit {perf.returncode}), see {log_path}")
    r = subprocess.run(["perf", "script", "-i", data_path, "-F", "comm,pid,tid,time,event,trace"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"perf script failed: {r.stderr.strip()}")
    return pid, os.waitstatus_to_exitcode(st), r.stdout.splitlines()


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1]) as f:
        mom, msgs = parse(f, int(sys.argv[2]), *sys.argv[3:])
    for k in MOMENTS:
        print(f"{k}={mom[k]:.3f}" if k in mom else f"{k}=")
    for k, v in sorted(msgs.items()):
        print(f"msgs {k}={v}")
