#!/bin/sh
# Installs what the real-QEMU validation needs (idempotent): QEMU for x86 (TCG is enough), a Debian kernel to
# boot the guest with, busybox-static for its userland, gcc + libc for the static dirtier, cpio + gzip to pack
# the initramfs, iproute2 (ip netns, tc) for the concurrent migrations. Run as root (CI: .ci/run calls it before npm test).
set -eu
pkgs="qemu-system-x86 linux-image-amd64 busybox-static gcc libc6-dev cpio gzip iproute2"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-qemu-deps: all present ($pkgs)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-qemu-deps: missing:$missing; run as root (apt-get install -y$missing)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing
echo "install-qemu-deps: installed$missing"
