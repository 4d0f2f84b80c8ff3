#!/usr/bin/env bash
# Installs the system packages the tests need (Debian's chromium for the browser test,
# postgresql for the PostgreSQL tests, libimage-exiftool-perl for the export's dates). As root
# it installs them with apt-get; otherwise it stops with a message naming what is missing. It
# never skips silently.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "make test needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
