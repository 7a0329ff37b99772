#!/usr/bin/env bash
# Checks `unspun eval`'s metrics against scikit-learn on a labeled file (see check_metrics_sklearn.py).
#   scripts/check_metrics_sklearn.sh build/corpus/seen/test.jsonl.gz [--group-by profile] [--model M]
# Installs scikit-learn with pip if it is missing and builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
    echo "usage: $0 DATA [--model M] [--group-by COLUMN] [--threshold P]" >&2
    exit 2
fi
python3 -c 'import sklearn' 2>/dev/null || python3 -m pip install --quiet scikit-learn
cargo build --release --quiet
exec python3 scripts/check_metrics_sklearn.py "$@"
