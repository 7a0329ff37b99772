#!/usr/bin/env python3
"""Word-level figures of `unspun score --explain` on labeled pages whose spun items carry `evidence`
pairs `[spun phrase, likely original phrase]` instead of gold `swaps` (real pages annotated by hand,
such as ../shared/data/wild-dev.jsonl and science-dev.jsonl). For data with gold `swaps` (what
`unspun corpus` writes) use `unspun eval-spans`.

Each evidence pair is aligned word by word (difflib); every replaced run of words is one swap. A swap
is *found* when a reported span overlaps it and *restored* when such a span's suggestion contains the
original word(s); *false flags* are spans per 100 words of the original items. Same definitions as
`unspun eval-spans` (README, "Accuracy").

Usage: python3 scripts/eval_evidence.py [--bin target/release/unspun] [--json] [--as-swaps OUT] FILE.jsonl [-- more score args]
(--json: one object {"swaps", "found", "restored", "false_flags_per_100_words", "flags", "words"}, shares as fractions;
--as-swaps OUT: also write the pages with these swaps as gold `swaps` (byte offsets, as `unspun corpus` writes them) to
OUT, for `unspun eval-spans --data OUT`, which also counts the swaps whose original a candidate offers. OUT holds the
pages' text: keep it out of the repository, e.g. under build/)
Input lines: {"id", "text", "label": "spun"|"original", "evidence": [[spun, original], ...]}.
"""
import argparse, difflib, json, re, subprocess, sys

WORD = re.compile(r"[\w'\u2019-]+")


def read_rows(path):
    """The labeled records of a JSON Lines file; exits with the file and line of a bad one."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                rows.append({"id": str(r["id"]), "text": r["text"], "label": r["label"], "evidence": r.get("evidence") or []})
            except (ValueError, KeyError) as e:
                sys.exit(f"error: {path}:{n}: not a labeled record with id, text and label ({e})")
    return rows


def score(rows, bin_, args):
    """`unspun score --jsonl --explain` of the rows: its output objects by id."""
    inp = "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows)
    p = subprocess.run([bin_, "score", "--jsonl", "--explain", *args, "-"], input=inp, capture_output=True, text=True)
    if p.returncode:
        sys.exit("error: unspun score failed: " + p.stderr.strip()[-400:])
    return {str(o["id"]): o for o in map(json.loads, filter(str.strip, p.stdout.splitlines()))}


def page_figures(r, o):
    """One page's word-level figures against its scored output `o`: a dict with `swaps`, `found`,
    `restored` (spun pages) or `words`, `flags` (originals), and `gold`: its swaps as byte offsets."""
    byte_at = lambda k, t=r["text"]: len(t[:k].encode())
    b = r["text"].encode()
    # spans' byte offsets -> character offsets
    spans = [(len(b[: s["start"]].decode(errors="ignore")), len(b[: s["end"]].decode(errors="ignore")),
              (s.get("suggestion") or "").lower()) for s in o.get("spans") or []]
    fig = {"swaps": 0, "found": 0, "restored": 0, "words": 0, "flags": 0, "gold": []}
    if r["label"] != "spun":
        fig["words"], fig["flags"] = o.get("words") or 0, len(spans)
        return fig
    seen = set()
    for spun, orig in r["evidence"]:
        at = r["text"].find(spun)
        if at < 0:
            continue
        sw = [(m.start() + at, m.end() + at, m.group().lower()) for m in WORD.finditer(spun)]
        ow = [m.group().lower() for m in WORD.finditer(orig)]
        ops = difflib.SequenceMatcher(None, [w for *_, w in sw], ow, autojunk=False).get_opcodes()
        for tag, a1, a2, b1, b2 in ops:
            if tag != "replace" or (sw[a1][0], sw[a2 - 1][1]) in seen:
                continue
            start, end = sw[a1][0], sw[a2 - 1][1]
            seen.add((start, end))
            fig["swaps"] += 1
            fig["gold"].append({"start": byte_at(start), "end": byte_at(end), "original": " ".join(ow[b1:b2])})
            hit = [s for s in spans if s[0] < end and s[1] > start]
            if hit:
                fig["found"] += 1
                fig["restored"] += any(all(w in WORD.findall(s[2]) for w in ow[b1:b2]) for s in hit)
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/unspun")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--as-swaps", metavar="OUT", help="also write the pages with gold `swaps` for `unspun eval-spans`")
    ap.add_argument("data")
    ap.add_argument("score_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    rows = read_rows(a.data)
    out = score(rows, a.bin, [x for x in a.score_args if x != "--"])
    figs = [page_figures(r, out[r["id"]]) for r in rows]
    swaps, found, restored, words, flags = (sum(f[k] for f in figs) for k in ("swaps", "found", "restored", "words", "flags"))
    if a.as_swaps:
        with open(a.as_swaps, "w", encoding="utf-8") as f:
            f.writelines(json.dumps({"id": r["id"], "text": r["text"], "label": r["label"], "swaps": g["gold"]}) + "\n"
                         for r, g in zip(rows, figs))
    if a.json:
        print(json.dumps({"swaps": swaps, "found": found / max(swaps, 1), "restored": restored / max(swaps, 1),
                          "false_flags_per_100_words": 100 * flags / max(words, 1), "flags": flags, "words": words}))
        return
    print(f"swaps {swaps}; found {found / max(swaps, 1):.1%}; restored {restored / max(swaps, 1):.1%}; "
          f"false flags {100 * flags / max(words, 1):.2f} per 100 original words ({flags} spans in {words} words)")


if __name__ == "__main__":
    main()
