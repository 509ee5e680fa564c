#!/usr/bin/env bash
# Installs what RefundLens needs on a fresh Debian/Ubuntu machine: Debian's Chromium (e2e tests,
# demo, bench), poppler-utils (PDF → PNG in the report test), CJK fonts, and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium-browser ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v node >/dev/null 2>&1 || { echo "Node.js 20+ is required (apt-get install nodejs npm)"; exit 1; }
# npm ci rejects lockfiles written on this platform (see ../shared/TOOLCHAIN.md): npm install keeps it.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ -n "${CI:-}" ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
