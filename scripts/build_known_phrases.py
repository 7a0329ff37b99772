#!/usr/bin/env python3
"""Builds data/thesaurus/tortured.tsv.gz from ../shared/data/tortured-phrases.json (the Problematic
Paper Screener's tortured phrases, CC BY 4.0, Cabanac, Labbé, Magazinov): `spun<TAB>expected` pairs
in the unspun-thesaurus format, lowercased, both sides 1-3 words of letters, digits, hyphens and
apostrophes. Dropped: entries whose expected phrase is a note ("?", "see ...", "[...]"), parenthesised
acronyms are removed from the expected phrase ("information technology (it)" -> "information
technology"), and pairs whose two sides are equal.

Also writes data/thesaurus/tortured-words.tsv.gz, the word-level dictionary those phrases reveal: each
pair aligned word by word (difflib), every one-word-for-one-word replacement ("profound learning" ->
"deep learning" gives profound -> deep), in the same format. Real spinners draw on such a dictionary
("administrations" for services, "gathering" for group), which WordNet and MyThes often lack; the
detector uses it as a third thesaurus (both directions). Usage: scripts/build_known_phrases.py [JSON]

The detector loads its thesauri compiled (data/thesaurus/detector.bin): after a change here, run
`cargo run --release --example compile_thesaurus -- data/thesaurus/detector.bin` (a unit test fails
until then).
"""
import difflib, gzip, json, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data", "tortured-phrases.json")
if not os.path.exists(src):
    sys.exit(f"error: {src} not found: this script needs ../shared/data/tortured-phrases.json")
data = json.load(open(src))
WORD = re.compile(r"^[a-z0-9][a-z0-9'-]*$")
def clean(s):
    s = s.lower().replace("\xa0", " ")
    s = re.sub(r"\([^)]*\)", " ", s)
    return " ".join(s.split())
pairs = {}
for e in data["phrases"]:
    spun, expected = clean(e["tortured"]), clean(e["correct"])
    if any(c in e["correct"] for c in "?[]") or "see " in expected or "http" in expected or "/" in expected:
        continue
    ws, we = spun.split(), expected.split()
    if not (1 <= len(ws) <= 3 and 1 <= len(we) <= 3) or spun == expected:
        continue
    if not all(WORD.match(w) for w in ws + we):
        continue
    pairs.setdefault(spun, [])
    if expected not in pairs[spun]:
        pairs[spun].append(expected)
words = {}
for spun in sorted(pairs):
    for expected in pairs[spun]:
        a, b = spun.split(), expected.split()
        for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "replace" and a2 - a1 == 1 and b2 - b1 == 1:
                words.setdefault(a[a1], [])
                if b[b1] not in words[a[a1]]:
                    words[a[a1]].append(b[b1])


def write(name, what, table):
    out = os.path.join(ROOT, "data", "thesaurus", f"{name}.tsv.gz")
    tmp = out + ".tmp"
    with gzip.GzipFile(tmp, "wb", mtime=0) as g:
        lines = [f"unspun-thesaurus\t1\t{name}\t{what}Problematic Paper Screener tortured phrases ({data.get('snapshot', '')}), Cabanac, Labbe & Magazinov, CC BY 4.0; see data/LICENSES.md"]
        lines += [f"{s}\t{'|'.join(table[s])}" for s in sorted(table)]
        g.write(("\n".join(lines) + "\n").encode())
    os.replace(tmp, out)
    print(f"wrote {len(table)} heads ({sum(map(len, table.values()))} pairs) to {out}", file=sys.stderr)


write("tortured", "", pairs)
write("tortured-words", "word pairs aligned from the ", words)
print("now recompile the detector's thesaurus: cargo run --release --example compile_thesaurus -- data/thesaurus/detector.bin",
      file=sys.stderr)
