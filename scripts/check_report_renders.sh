#!/usr/bin/env bash
# Renders an evaluation report in headless Chromium and checks that the screenshots are not empty.
#   scripts/check_report_renders.sh DATA [OUT_DIR]
# Writes the report to OUT_DIR (default: a temporary folder) and the screenshots errors.png and
# pr_curve.png beside it; prints their paths so that a person can look at them. Installs Debian's
# `chromium` if it is missing (needs root and the Debian archive). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
    echo "usage: $0 DATA [OUT_DIR]" >&2
    exit 2
fi
data=$1
out=${2:-$(mktemp -d)}
if ! command -v chromium >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cargo build --release --quiet
./target/release/unspun eval --data "$data" --report "$out" >/dev/null

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shoot() { # PAGE PNG WIDTH,HEIGHT
    # no network: the page and the browser must need nothing from outside
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --screenshot="$2" --window-size="$3" "file://$(realpath "$1")" \
        >/dev/null 2>&1
    if [ ! -s "$2" ]; then
        echo "FAIL: $2 was not written or is empty" >&2
        exit 1
    fi
    echo "ok: $1 -> $2 ($(stat -c %s "$2") bytes)"
}
shoot "$out/errors.html" "$out/errors.png" 1100,1400
shoot "$out/pr_curve.svg" "$out/pr_curve.png" 640,480
shoot "$out/score_histogram.svg" "$out/score_histogram.png" 640,480
