#!/usr/bin/env bash
# Regenerates reports/accuracy.{md,csv,json}: builds held-out corpora from ../shared/data, trains the
# leave-one-profile-out models, evaluates them, the default model and the scikit-learn TF-IDF peer.
# Needs ../shared/data (set SHARED_DATA) and scikit-learn (installed from PyPI if missing).
# About 10 minutes on 2 cores. Intermediate files go to build/acc/ (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import sklearn, numpy" 2>/dev/null || pip install --quiet scikit-learn numpy
cargo build --release
python3 scripts/accuracy_report.py "$@"
