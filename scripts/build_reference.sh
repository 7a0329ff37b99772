#!/usr/bin/env bash
# Rebuilds data/reference.bin: word/bigram/trigram counts of the reference split (70% of documents,
# by id hash) of English Wikipedia and UN General Debate speeches, plus
# - the Google web unigram and bigram counts shipped by the PyPI package `wordsegment`;
# - the CMU Sphinx US English trigram language model (Debian `pocketsphinx-en-us`), all three orders
#   as pseudo-counts (weight 1: as if its corpus were as large as ours);
# - modern word frequencies from the PyPI package `wordfreq` (weight 0.3).
# The weights were chosen on feature AUCs on real pages (see reports/reference.md).
# Needs ../shared/data (the corpora) and network access to PyPI and Debian's archive (apt-get
# download; run `apt-get update` first on a fresh machine). About 1 minute and 2 GB of memory.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DATA:-../shared/data}
for f in enwiki2015-half.jsonl.gz ungdc-1990on.jsonl.gz; do
  [ -f "$shared/$f" ] || { echo "error: $shared/$f not found: this script needs the shared corpora (set SHARED_DATA)" >&2; exit 2; }
done
bash scripts/fetch_web_counts.sh
bash scripts/fetch_cmu_lm.sh
bash scripts/fetch_wordfreq.sh
cargo build --release
target/release/unspun reference build \
  --corpus "$shared/enwiki2015-half.jsonl.gz" \
  --corpus "$shared/ungdc-1990on.jsonl.gz" \
  --counts build/web/unigrams.tsv --counts build/web/bigrams.tsv \
  --arpa build/cmu/en-us.arpa --arpa build/wordfreq/en.arpa --arpa-weight 1,0.3 \
  --out data/reference.bin
# The reference is embedded in the binary: rebuild so that it takes the new one.
cargo build --release
