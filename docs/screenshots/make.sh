#!/usr/bin/env bash
# Every workspace at the two laptop sizes the window must fit (issue 19), offscreen, after the
# demo ran a while: docs/screenshots/<workspace>-<W>x<H>.png. Run from the repository root:
#     bash docs/screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
for size in 1280x720 1366x768; do
    for ws in live review analyse admin accounts scoring settings; do
        .venv/bin/drillscore gui --screenshot "docs/screenshots/${ws}-${size}.png" --workspace "$ws" --size "$size" \
            --seconds 8 >/dev/null
        echo "docs/screenshots/${ws}-${size}.png"
    done
done
