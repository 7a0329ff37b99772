#!/usr/bin/env bash
# Writes reports/speed.md: unspun vs scikit-learn TF-IDF + LR vs fastText on the same 10 MB of news,
# in one run. Needs ../shared/data and build/corpus/seen (scripts/train_default.sh); installs
# scikit-learn and fasttext-wheel from PyPI if missing. A few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import sklearn" 2>/dev/null || pip install --quiet scikit-learn
python3 -c "import fasttext" 2>/dev/null || pip install --quiet fasttext-wheel
cargo build --release
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
python3 benches/peers/speed.py
