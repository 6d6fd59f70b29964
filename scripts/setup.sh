#!/usr/bin/env bash
# Set-up on a fresh machine: the Debian packages the tests need (installed with apt-get when run as root and
# missing), then `npm ci` and the build. Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

# One package per line in scripts/apt-packages.txt ('#' starts a comment).
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/apt-packages.txt 2>/dev/null || true)
missing=()
for p in "${wanted[@]}"; do
  p=$(echo "$p" | xargs)
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (run as root to install): ${missing[*]}" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm run build
