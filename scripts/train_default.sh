#!/usr/bin/env bash
# Rebuilds the training corpora, the word-level swap model (models/swaps.json) and the default model
# (models/default.json), then evaluates them.
# Needs ../shared/data (set SHARED_DATA to point elsewhere). About a minute on 2 cores.
#
#   build/sources/          Wikipedia split into scientific articles and the rest (scripts/split_domains.py)
#   build/corpus/seen/      train/valid/test spun by the `careful` (WordNet) and `phrase` (MyThes) profiles
#   build/corpus/careless/  the same source documents spun by `careless` (Moby), a thesaurus and
#                           spinner the document model never sees in training
#   build/corpus/papermill/ the same source documents with known tortured phrases swapped in
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DATA:-../shared/data}
for f in enwiki2015-half.jsonl.gz ungdc-1990on.jsonl.gz; do
  [ -f "$shared/$f" ] || { echo "error: $shared/$f not found: this script needs the shared corpora (set SHARED_DATA)" >&2; exit 2; }
done
# Three domains of originals: Wikipedia's scientific articles, the rest of Wikipedia, UN speeches.
[ -f build/sources/enwiki2015-science.jsonl.gz ] || python3 scripts/split_domains.py "$shared/enwiki2015-half.jsonl.gz" build/sources
sources=(--source build/sources/enwiki2015.jsonl.gz --source build/sources/enwiki2015-science.jsonl.gz --source "$shared/ungdc-1990on.jsonl.gz")
cargo build --release
u=target/release/unspun
$u corpus "${sources[@]}" --out build/corpus/seen --profiles careful,phrase
$u corpus "${sources[@]}" --out build/corpus/careless --profiles careless
$u corpus "${sources[@]}" --out build/corpus/papermill --profiles papermill
# The swap model learns from every family's gold alignments (real spinners' thesauri are unknown);
# its threshold keeps explanations within 1 false flag per 100 words of the validation originals.
$u train-swaps --swap-model none \
  --data build/corpus/seen/train.jsonl.gz --data build/corpus/careless/train.jsonl.gz --data build/corpus/papermill/train.jsonl.gz \
  --valid build/corpus/seen/valid.jsonl.gz --valid build/corpus/careless/valid.jsonl.gz --valid build/corpus/papermill/valid.jsonl.gz \
  --out models/swaps.json
# The document model: the word model's aggregates (expected swaps per 100 words, mean and top p_swap,
# share above 0.5), which transfer to real pages better than the absolute n-gram statistics (see
# reports/accuracy.md); no thesaurus dropout (the swap model already sees unknown thesauri).
# Threshold: the lowest whose precision reaches 0.98 on the validation data of every domain
# (Wikipedia science, the rest of Wikipedia and UN apart: flagging an honest author is the costly error).
$u train --swap-model models/swaps.json --data build/corpus/seen/train.jsonl.gz --valid build/corpus/seen/valid.jsonl.gz \
  $(cat models/default.args) \
  --out models/default.json --note "command=scripts/train_default.sh" --note "date=$(date -u +%F)"
# The model is embedded in the binary: rebuild so that it takes the new one.
cargo build --release
for t in seen careless; do
  echo "== held-out test, $t"
  $u eval --data build/corpus/$t/test.jsonl.gz
done
for t in seen careless papermill; do
  echo "== explanations on the held-out test, $t"
  $u eval-spans --data build/corpus/$t/test.jsonl.gz
done
