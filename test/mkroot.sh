#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkroot.sh DIR [--payload PATH]: a minimal container root from the host's busybox-static, no download.
# /bin/busybox + a symlink per applet, the usual top-level dirs, /etc/os-release (ID=busybox-root),
# /etc/passwd + /etc/group with root, /sbin/init -> busybox with a tiny /etc/inittab, and the test payload
# at /usr/bin/testpayload when given. Idempotent: running it again over the same DIR gives the same tree.

set -eu

usage() { echo "usage: $0 DIR [--payload PATH]" >&2; exit 2; }

dir= payload=
while [ $# -gt 0 ]; do
        case $1 in
        --payload) [ $# -ge 2 ] || usage; payload=$2; shift 2 ;;
        --payload=*) payload=${1#*=}; shift ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) [ -z "$dir" ] || usage; dir=$1; shift ;;
        esac
done
[ -n "$dir" ] || usage

busybox=
for b in /bin/busybox /usr/bin/busybox; do
        [ -x "$b" ] && { busybox=$b; break; }
done
[ -n "$busybox" ] || { echo "mkroot: no busybox (install busybox-static)" >&2; exit 1; }
# Must be static: the root has no libc.
if command -v file >/dev/null && LC_ALL=C file -L "$busybox" | grep -q "dynamically linked"; then
        echo "mkroot: $busybox is dynamically linked (install busybox-static)" >&2
        exit 1
fi
if [ -n "$payload" ] && [ ! -f "$payload" ]; then
        echo "mkroot: no payload at $payload" >&2
        exit 1
fi
[ -z "$payload" ] || payload=$(cd "$(dirname "$payload")" && pwd -P)/$(basename "$payload")

mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev run tmp var/tmp root
chmod 1777 tmp var/tmp
chmod 0700 root

install -m 0755 "$busybox" bin/busybox.new
mv -f bin/busybox.new bin/busybox

# One symlink per applet, at the path busybox itself names (/bin/sh, /sbin/init, /usr/bin/env, ...).
# Absolute targets, so they resolve inside the container and not on the host.
# In one perl process (perl-base is essential): a mkdir, dirname and ln per applet took 10 s on a slow VM.
"$busybox" --list-full | perl -MFile::Path=make_path -MFile::Basename=dirname -ne '
        chomp;
        next if $_ eq "" || $_ eq "bin/busybox";
        make_path(dirname($_));
        next if (readlink($_) // "") eq "/bin/busybox";
        unlink($_);
        symlink("/bin/busybox", $_) or die "mkroot: symlink $_: $!\n";'
ln -sfn /bin/busybox sbin/init

cat >etc/os-release <<'EOF'
NAME="busybox root"
ID=busybox-root
PRETTY_NAME="busybox root for machined-ext tests"
EOF
cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo busybox-root >etc/hostname
# busybox init with no getty and no shell: just something that keeps PID 1 busy until it is told to stop
# (busybox init halts on SIGUSR1, reboots on SIGTERM, powers off on SIGUSR2; it ignores SIGRTMIN+3).
cat >etc/inittab <<'EOF'
::sysinit:/bin/mkdir -p /run/init
::respawn:/bin/sleep 3600
::ctrlaltdel:/bin/true
::shutdown:/bin/true
EOF

if [ -n "$payload" ]; then
        install -m 0755 "$payload" usr/bin/testpayload.new
        mv -f usr/bin/testpayload.new usr/bin/testpayload
fi
