#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkroot-systemd.sh DIR: a root that boots the host's systemd: the host's /usr bound read-only (a mount
# on the host, made by this script; undo it with `umount DIR/usr`), merged-/usr symlinks, a minimal /etc
# (empty machine-id, so systemd makes a transient one each boot) and the units that are slow or useless in a
# container masked. Used by the integration tests for Boot=yes and READY=1.
set -eu
r=${1:?usage: mkroot-systemd.sh DIR}

mkdir -p "$r"/{usr,etc/systemd/system,var/tmp,var/log,run,tmp,proc,sys,dev,root,mnt}
for l in bin sbin lib lib64; do
        [ -e "$r/$l" ] || [ -L "$r/$l" ] || { [ -L "/$l" ] && ln -s "usr/$l" "$r/$l"; } || true
done
mountpoint -q "$r/usr" || { mount --bind /usr "$r/usr" && mount -o remount,bind,ro "$r/usr"; }
cp /usr/lib/os-release "$r/etc/os-release"
: > "$r/etc/machine-id"
: > "$r/etc/fstab"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$r/etc/passwd"
printf 'root:x:0:\nsystemd-journal:x:101:\nnogroup:x:65534:\n' > "$r/etc/group"

for u in getty@.service serial-getty@.service console-getty.service container-getty@.service getty.target \
         systemd-networkd-wait-online.service systemd-timesyncd.service systemd-firstboot.service \
         systemd-update-utmp.service systemd-update-utmp-runlevel.service systemd-pstore.service \
         systemd-random-seed.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
         systemd-hwdb-update.service systemd-journal-catalog-update.service ldconfig.service \
         systemd-machine-id-commit.service systemd-logind.service dbus.service dbus.socket \
         systemd-networkd.service systemd-resolved.service systemd-sysusers.service \
         systemd-remount-fs.service console-setup.service keyboard-setup.service \
         systemd-modules-load.service kmod-static-nodes.service apt-daily.timer apt-daily-upgrade.timer \
         man-db.timer e2scrub_all.timer fstrim.timer logrotate.timer dpkg-db-backup.timer \
         systemd-tmpfiles-clean.timer cron.service ssh.service postgresql.service; do
        ln -sfn /dev/null "$r/etc/systemd/system/$u"
done
ln -sfn /usr/lib/systemd/system/multi-user.target "$r/etc/systemd/system/default.target"
