#!/bin/sh
# Builds the harness guest: a static dirtier, busybox-static and /init packed into an initramfs, next to a
# copy of the host's Debian kernel. Output (gitignored): ${1:-.cache/qemu-guest}/{vmlinuz,initramfs.cpio.gz}.
# Idempotent: rebuilds only when the sources or the kernel changed (a stamp holds their checksums).
# Needs: gcc (static libc), busybox-static, cpio, gzip, linux-image-amd64 (see scripts/install-qemu-deps.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../.cache/qemu-guest}
mkdir -p "$out"
out=$(cd "$out" && pwd)
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$kernel" ] || { echo "build.sh: no /boot/vmlinuz-*: apt-get install linux-image-amd64" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "build.sh: no /bin/busybox: apt-get install busybox-static" >&2; exit 1; }
stamp=$(cat "$here/dirtier.c" "$here/init" "$here/build.sh" | sha256sum | cut -c1-16)-$(basename "$kernel")
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/initramfs.cpio.gz" ]; then
  echo "$out"; exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
gcc -O2 -static -o "$work/root/dirtier" "$here/dirtier.c"
cp /bin/busybox "$work/root/bin/busybox"
for a in sh mount cat sleep echo; do ln -s busybox "$work/root/bin/$a"; done
cp "$here/init" "$work/root/init"
chmod 755 "$work/root/init" "$work/root/dirtier"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initramfs.cpio.gz")
cp "$kernel" "$work/vmlinuz"
mv "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz.tmp" && mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
cp "$work/vmlinuz" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$stamp" > "$out/stamp"
echo "$out"
