#!/usr/bin/env bash
# Build the extension and open it on the bundled demo refund ticket (headless without a display:
# prints the verdicts and saves tmp/demo.png).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run demo -- "$@"
