#!/usr/bin/env bash
# Regenerates reports/reference.md (reference sources and weights, measured on real pages).
# Needs ../shared/data (set SHARED_DATA) and network access to PyPI and Debian's archive for the
# sources (fetched once into build/). About 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch_web_counts.sh
bash scripts/fetch_cmu_lm.sh
bash scripts/fetch_wordfreq.sh
cargo build --release
python3 scripts/reference_report.py "$@"
