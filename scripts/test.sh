#!/usr/bin/env bash
# All tests: unit (Vitest) then end-to-end (built extension in Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm test
