# SPDX-License-Identifier: LGPL-2.1-or-later
"""The background load of scenario load (bench/inbed.py), every piece in its own process group.

  cpu    a shell busy loop per CPU
  mixed  a `gcc -O2 -c` loop per CPU (a generated 400-function file) plus one loop of
         `crun --systemd-cgroup run` of /bin/true with a new container id each time, deleted after: systemd,
         dbus-daemon and the kernel's cgroup code get busy too, as when other test beds build and run their
         suites on the same cores

stop() ends it all. While it runs, the process group ids are in a file (PGIDS_FILE), for bench.sh's
clean-up if the process that started the load dies first.
"""

import os
import signal
import subprocess
import time

# Enough code for gcc -O2 to work a while (~0.5 s).
SOURCE = "".join(
    f"int f{i}(int *v, int n) {{ int s = {i}; for (int j = 0; j < n; j++) s = s * 31 + v[j] * {i % 7 + 1}; "
    f"return s ^ (s >> {i % 13 + 1}); }}\n" for i in range(400))


class Load:
    def __init__(self, kind, pgids_file, work, bundle=None, prefix="bench-load"):
        """bundle (mixed only): a crun bundle whose config.json has "@ID@" where each start's id goes."""
        self.kind, self.pgids_file, self.work, self.bundle, self.prefix = kind, pgids_file, work, bundle, prefix
        self.procs = []

    def spawn(self, script):
        p = subprocess.Popen(["/bin/sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        with open(self.pgids_file, "a") as f:
            f.write(f"{p.pid}\n")

    def start(self):
        """Starts the load, gives it 1 s to settle, returns what runs (for the results)."""
        ncpu = len(os.sched_getaffinity(0))
        if self.kind == "cpu":
            for _ in range(ncpu):
                self.spawn("while :; do :; done")
            what = f"{ncpu} CPU spinners"
        else:
            src = os.path.join(self.work, "load.c")
            with open(src, "w") as f:
                f.write(SOURCE)
            for i in range(ncpu):
                self.spawn(f"while :; do gcc -O2 -c {src} -o {self.work}/load-{i}.o; done")
            b = self.bundle
            os.replace(b + "/config.json", b + "/config.json.tmpl")
            self.spawn(f"i=0; while :; do i=$((i+1)); sed 's/@ID@/'$i/ {b}/config.json.tmpl >{b}/config.json; "
                       f"crun --systemd-cgroup run --bundle {b} {self.prefix}-$i; "
                       f"crun delete -f {self.prefix}-$i; done")
            what = (f"{ncpu} loops of gcc -O2 -c (a 400-function file), 1 loop of crun --systemd-cgroup run of "
                    "/bin/true")
        time.sleep(1)
        return f"{len(self.procs)} process groups: {what}"

    def stop(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in self.procs:
            p.wait()
        self.procs = []
        try:
            os.unlink(self.pgids_file)
        except FileNotFoundError:
            pass
        if self.kind == "mixed":
            r = subprocess.run(["crun", "list", "-q"], capture_output=True, text=True)
            for cid in r.stdout.split():
                if cid.startswith(self.prefix + "-"):
                    subprocess.run(["crun", "delete", "-f", cid], capture_output=True)
