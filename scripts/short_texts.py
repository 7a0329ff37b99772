#!/usr/bin/env python3
"""How the document verdict holds on short texts: every page of the real sets cut to its first N
words (N = 15, 25, 40, 60, 100, and the whole page), scored by `unspun score --jsonl`; prints the
originals judged spun (false positives) and the spun pages judged spun, per length.

Usage: python3 scripts/short_texts.py [--bin target/release/unspun] [--shared ../shared/data] [-- score args]
Needs ../shared/data (wild-dev.jsonl and science-dev.jsonl; evaluation only, nothing is written).
"""
import argparse, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LENGTHS = [15, 25, 40, 60, 100, None]


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unspun"))
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared", "data"))
    a = ap.parse_args(argv)
    rows = []
    for name in ("wild-dev.jsonl", "science-dev.jsonl"):
        path = os.path.join(a.shared, name)
        if not os.path.exists(path):
            sys.exit(f"error: {path} not found: this script needs the shared evaluation sets (--shared DIR)")
        with open(path, encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    if not os.path.exists(a.bin):
        sys.exit(f"error: {a.bin} not found: build it with `cargo build --release` (or pass --bin)")
    originals = sum(r["label"] == "original" for r in rows)
    spun = len(rows) - originals
    print(f"{originals} original and {spun} spun real pages (wild-dev + science-dev), cut to their first N words")
    print("  words   originals judged spun   spun pages judged spun")
    for n in LENGTHS:
        docs = [{"id": r["id"], "text": r["text"] if n is None else " ".join(r["text"].split()[:n])} for r in rows]
        out = subprocess.run(
            [a.bin, "score", "--jsonl", *extra],
            input="\n".join(json.dumps(d) for d in docs),
            capture_output=True, text=True, check=True,
        ).stdout
        scores = [json.loads(line) for line in out.splitlines()]
        fp = sum(r["label"] == "original" and s.get("spun") is True for r, s in zip(rows, scores))
        tp = sum(r["label"] == "spun" and s.get("spun") is True for r, s in zip(rows, scores))
        label = "all" if n is None else str(n)
        print(f"  {label:>5}   {fp:>3} of {originals:<15}   {tp:>3} of {spun}")


if __name__ == "__main__":
    main()
