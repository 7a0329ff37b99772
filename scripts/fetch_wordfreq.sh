#!/usr/bin/env bash
# Fetch modern English word frequencies from the PyPI package `wordfreq` (3.1.1; data CC BY-SA 4.0,
# code Apache-2.0; Robyn Speer et al.: Wikipedia, subtitles (OpenSubtitles, SUBTLEX), news
# (NewsCrawl, GlobalVoices), books (Google Books), web text (OSCAR), Twitter, Reddit) into
# build/wordfreq/ as a unigram language model in ARPA format, for `unspun reference build --arpa`:
#   build/wordfreq/en.arpa   \1-grams: log10(frequency)<TAB>word
#   build/wordfreq/README    provenance
# build/ is git-ignored. Idempotent: does nothing if the outputs are complete (--force rebuilds).
# Needs python3 with pip and network access to PyPI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
OUT="$ROOT/build/wordfreq"
VERSION=3.1.1
MSGPACK=1.1.0

force=0
[ "${1:-}" = "--force" ] && force=1
if [ "$force" = 0 ] && [ -s "$OUT/en.arpa" ] && grep -q "^wordfreq $VERSION\$" "$OUT/README" 2>/dev/null; then
  echo "build/wordfreq already present (use --force to rebuild)"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PY" -m pip download -q --no-deps --only-binary :all: -d "$tmp" "wordfreq==$VERSION"
# msgpack's pure-Python fallback reads the data; no need to install anything
"$PY" -m pip download -q --no-deps --no-binary :all: -d "$tmp" "msgpack==$MSGPACK"
mkdir -p "$OUT"
"$PY" - "$tmp" "$OUT" "$VERSION" <<'PYEOF'
import glob, gzip, hashlib, os, sys, tarfile, zipfile
tmp, out, version = sys.argv[1:4]
src = glob.glob(os.path.join(tmp, "msgpack-*.tar.gz"))[0]
with tarfile.open(src) as t:
    t.extractall(tmp, filter="data")
sys.path.insert(0, glob.glob(os.path.join(tmp, "msgpack-*/"))[0])
os.environ["MSGPACK_PUREPYTHON"] = "1"
import msgpack
wheel = glob.glob(os.path.join(tmp, "wordfreq-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    raw = z.read("wordfreq/data/large_en.msgpack.gz")
data = msgpack.unpackb(gzip.decompress(raw), raw=False)
header, buckets = data[0], data[1:]
assert header.get("format") == "cB", header
# bucket i holds the words whose frequency is 10^(-i/100) (wordfreq's cBpack format)
rows = []
for i, bucket in enumerate(buckets):
    for w in bucket:
        if w and not any(c.isspace() for c in w):
            rows.append((w, -i / 100.0))
rows.sort(key=lambda r: r[0].encode())
tmp_out = os.path.join(out, "en.arpa.tmp")
with open(tmp_out, "w", encoding="utf-8", newline="\n") as f:
    f.write(f"wordfreq {version} large_en word frequencies (CC BY-SA 4.0)\n\\data\\\nngram 1={len(rows)}\n\n\\1-grams:\n")
    for w, lp in rows:
        f.write(f"{lp:.2f}\t{w}\n")
    f.write("\n\\end\\\n")
os.replace(tmp_out, os.path.join(out, "en.arpa"))
sha = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
with open(os.path.join(out, "README"), "w") as f:
    f.write(f"wordfreq {version}\nfile wordfreq/data/large_en.msgpack.gz of {os.path.basename(wheel)} (sha256 {sha})\n"
            "licence: data CC BY-SA 4.0 (Robyn Speer, wordfreq; see the package's README for its sources)\n"
            f"{len(rows)} words\n")
print(f"wrote {len(rows)} words to {out}/en.arpa", file=sys.stderr)
PYEOF
