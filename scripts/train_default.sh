#!/usr/bin/env bash
# Rebuilds the training corpora and the default model (models/default.json), then evaluates it.
# Needs ../shared/data (set SHARED_DATA to point elsewhere). About a minute on 2 cores.
#
#   build/corpus/seen/      train/valid/test spun by the `careful` (WordNet) and `phrase` (MyThes) profiles
#   build/corpus/careless/  the same source documents spun by `careless` (Moby), a thesaurus and
#                           spinner the model never sees in training
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DATA:-../shared/data}
sources=()
for f in enwiki2015-half.jsonl.gz ungdc-1990on.jsonl.gz; do
  [ -f "$shared/$f" ] || { echo "error: $shared/$f not found: this script needs the shared corpora (set SHARED_DATA)" >&2; exit 2; }
  sources+=(--source "$shared/$f")
done
cargo build --release
u=target/release/unspun
$u corpus "${sources[@]}" --out build/corpus/seen --profiles careful,phrase
$u corpus "${sources[@]}" --out build/corpus/careless --profiles careless
# Threshold: the lowest whose precision on the validation data reaches 0.98 (flagging an honest
# author is the costly error).
$u train --data build/corpus/seen/train.jsonl.gz --valid build/corpus/seen/valid.jsonl.gz --target-precision 0.98 \
  --out models/default.json --note "command=scripts/train_default.sh" --note "date=$(date -u +%F)"
# The model is embedded in the binary: rebuild so that it takes the new one.
cargo build --release
for t in seen careless; do
  echo "== held-out test, $t"
  $u eval --data build/corpus/$t/test.jsonl.gz
done
