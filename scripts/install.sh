#!/usr/bin/env bash
# Installs what RefundLens needs on a fresh Debian/Ubuntu machine: Debian's Chromium (e2e tests,
# demo, bench), Firefox ESR (the Firefox smoke test), poppler-utils (PDF → PNG in the report test),
# CJK fonts, and the npm packages. When another program holds the package manager's lock (an
# automatic update, another apt), it waits for it (up to 10 minutes) and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium-browser ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || need+=(firefox-esr)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)

locked() {
  # any of the locks apt and dpkg take; fuser may be missing on minimal images, then apt's own wait decides
  command -v fuser >/dev/null 2>&1 || return 1
  $SUDO fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock >/dev/null 2>&1
}

# apt-get with a wait for the lock: apt's own timeout (apt ≥ 1.9) plus retries for older apt
# and for the lists lock that `apt-get update` takes.
apt_wait() {
  local tries=0
  while :; do
    if ! locked; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=120 "$@" && return 0
      locked || return 1 # a real failure, not the lock
    fi
    [ $tries -eq 0 ] && echo "waiting for another package manager to finish (it holds the dpkg lock; up to 10 min)…"
    tries=$((tries + 1))
    if [ $tries -ge 60 ]; then
      echo "the dpkg lock is still held after 10 minutes; run again when the other installation has finished" >&2
      return 1
    fi
    sleep 10
  done
}

if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  apt_wait update -qq
  apt_wait install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v node >/dev/null 2>&1 || { echo "Node.js 20+ is required (apt-get install nodejs npm)"; exit 1; }
# npm ci rejects lockfiles written on this platform (see ../shared/TOOLCHAIN.md): npm install keeps it.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ -n "${CI:-}" ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
