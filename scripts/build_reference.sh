#!/usr/bin/env bash
# Rebuilds data/reference.bin: word/bigram/trigram counts of the reference split (70% of documents,
# by id hash) of English Wikipedia and UN General Debate speeches, plus the Google web unigram and
# bigram counts shipped by the PyPI package `wordsegment`. Needs ../shared/data (the corpora) and
# network access to PyPI (for the web counts). About 20 s and 1 GB of memory on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DATA:-../shared/data}
for f in enwiki2015-half.jsonl.gz ungdc-1990on.jsonl.gz; do
  [ -f "$shared/$f" ] || { echo "error: $shared/$f not found: this script needs the shared corpora (set SHARED_DATA)" >&2; exit 2; }
done
bash scripts/fetch_web_counts.sh
cargo build --release
target/release/unspun reference build \
  --corpus "$shared/enwiki2015-half.jsonl.gz" \
  --corpus "$shared/ungdc-1990on.jsonl.gz" \
  --counts build/web/unigrams.tsv --counts build/web/bigrams.tsv \
  --out data/reference.bin
# The reference is embedded in the binary: rebuild so that it takes the new one.
cargo build --release
