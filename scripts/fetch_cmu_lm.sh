#!/usr/bin/env bash
# Fetch CMU Sphinx's US English trigram language model (the Debian package
# `pocketsphinx-en-us`, BSD-2-Clause, Carnegie Mellon University) and decode
# its binary trie LM to ARPA text in build/cmu/:
#   build/cmu/en-us.arpa   ARPA trigram model (log10), from en-us.lm.bin
#                          by scripts/cmu_lm_decode.py
#   build/cmu/copyright    the package's Debian copyright file
#   build/cmu/README       provenance
# Needs apt-get and dpkg-deb (the .deb comes from the machine's Debian
# archive with `apt-get download`; if apt-get cannot find the package, run
# `apt-get update` first) and python3 with numpy (installed with pip if
# missing; set PYTHON to use another interpreter). Takes about 15 s.
# build/ is git-ignored. Idempotent: does nothing if the outputs are already
# complete (pass --force to rebuild).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
OUT="$ROOT/build/cmu"
PKG=pocketsphinx-en-us
VERSION=0.8+5prealpha+1-15
DEB_SHA256=6bf9ef84f7dd96f497ff29a725e2a15500e9b8f73869f6854293aab7310ee28c
LM=usr/share/pocketsphinx/model/en-us/en-us.lm.bin
COPYRIGHT=usr/share/doc/pocketsphinx-en-us/copyright

force=0
[ "${1:-}" = "--force" ] && force=1

if [ "$force" = 0 ] && [ -s "$OUT/en-us.arpa" ] && [ -s "$OUT/copyright" ] && [ -s "$OUT/README" ] \
   && grep -q "^$PKG " "$OUT/README" && [ "$(tail -n 1 "$OUT/en-us.arpa")" = '\end\' ]; then
  echo "build/cmu already present (use --force to rebuild)"
else
  "$PY" -c 'import numpy' 2>/dev/null || "$PY" -m pip install --quiet numpy
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download saves the candidate version's .deb in the current
  # directory (as root it warns that the download is unsandboxed: harmless).
  if ! (cd "$tmp" && apt-get download -q "$PKG"); then
    echo "error: apt-get download $PKG failed (try 'apt-get update' first)" >&2
    exit 1
  fi
  debs=("$tmp/${PKG}"_*.deb)
  deb="${debs[0]}"
  [ -f "$deb" ] || { echo "error: no $PKG .deb downloaded" >&2; exit 1; }
  got_version="$(dpkg-deb -f "$deb" Version)"
  got_sha="$(sha256sum "$deb" | cut -d' ' -f1)"
  echo "$PKG $got_version ($(basename "$deb"), sha256 $got_sha)"
  if [ "$got_version" != "$VERSION" ]; then
    echo "warning: $PKG version $got_version differs from the expected $VERSION" >&2
  elif [ "$got_sha" != "$DEB_SHA256" ]; then
    echo "warning: $(basename "$deb") sha256 $got_sha differs from the expected $DEB_SHA256" >&2
  fi
  dpkg-deb -x "$deb" "$tmp/x"
  mkdir -p "$OUT"
  rm -f "$OUT/README"   # written last: its presence marks a complete build
  # The binary is pocketsphinx's "Trie Language Model" format (reversed
  # trie, bit-packed, 16-bit quantized higher orders); the decoder documents
  # it and writes the ARPA file atomically (temp file, then rename).
  "$PY" "$ROOT/scripts/cmu_lm_decode.py" "$tmp/x/$LM" "$OUT/en-us.arpa"
  cp "$tmp/x/$COPYRIGHT" "$OUT/copyright"
  counts="$(sed -n '/^\\data\\$/,/^$/s/^ngram //p' "$OUT/en-us.arpa" | paste -sd' ')"
  cat > "$OUT/README.tmp" <<EOF
CMU Sphinx US English language model for unspun (not committed; rebuild with scripts/fetch_cmu_lm.sh).

Source: Debian package
$PKG $got_version
(file $(basename "$deb"), sha256 $got_sha),
its /$LM
(the default US English trigram model of CMU Sphinx / PocketSphinx,
Carnegie Mellon University; BSD-2-Clause, see copyright, the package's
/$COPYRIGHT).

Files:
  en-us.arpa  ARPA back-off trigram model ($counts)
  copyright   the Debian copyright file
en-us.arpa is decoded by scripts/cmu_lm_decode.py: lines
"log10prob<TAB>w1 w2 w3<TAB>log10backoff" (no backoff for trigrams),
4 decimals like pocketsphinx's own ARPA writer, n-grams sorted within each
order by their words (byte order). The vocabulary is lowercase ASCII
(words like "don't", "a.", "brother-in-law") plus <s> and </s> (<s> has the
usual -99 unigram probability); there is no <unk>. Unigram values are
the binary's floats; bigram and trigram values are its 16-bit quantizer bin
centres (each the mean of ~30 original values), not the original values.
Values were converted from log base 1.0001 (pocketsphinx's default, which
the binary does not record). The binary's header claims 6 more bigrams
than it holds (a pocketsphinx builder overcount); the real counts are
written. Checked (for $VERSION) against pocketsphinx 5.1.1 reading the
same binary: same unigrams, and backed-off probabilities of seen and
unseen bigrams and trigrams within 0.00014 log10.
EOF
  mv "$OUT/README.tmp" "$OUT/README"
fi

wc -l "$OUT/en-us.arpa"
