#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what building and testing machined-ext needs (Debian 12). Idempotent: does nothing, not even
# "apt-get update", when everything is installed already.
set -eu

PACKAGES=(systemd-container dbus polkitd libsystemd-dev libmount-dev libcap-dev libseccomp-dev libjson-c-dev
          libmnl-dev libnftables-dev libsodium-dev nftables iproute2
          libxml2-dev libxml2-utils meson ninja-build pkg-config gcc busybox-static util-linux tmux
          man-db groff-base zsh jq python3 podman conmon containerd)

missing=()
for p in "${PACKAGES[@]}"; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} = 0 ]; then
        echo "install-deps: all ${#PACKAGES[@]} packages installed"
        exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-deps: missing ${missing[*]}; run as root" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
