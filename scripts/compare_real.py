#!/usr/bin/env python3
"""How sure a figure on a small set of labeled real pages is, and whether a change beats the noise.

Scores the pages (`unspun score --jsonl --explain`) with one configuration, or with two (A and B:
another build, model or swap model), and prints each figure with a 95% bootstrap interval: the
pages are resampled with replacement (spun and original pages apart, so that each draw keeps the
set's mix), 1,000 times with a fixed seed. With two configurations the draws are paired (the same
pages for both), and the difference B - A gets its interval and the share of draws in which B is
better: a change whose interval holds 0 is within the noise of these pages.

Figures: document ROC AUC, precision and recall at each configuration's own threshold, recall at
precision >= 0.95, false positives; word level (spun pages' `evidence` pairs aligned as in
scripts/eval_evidence.py, same definitions as ../shared/tools/wild-dev-eval): found, restored, and
false flags per 100 words of the originals.

Usage:
  python3 scripts/compare_real.py ../shared/data/wild-dev.jsonl
  python3 scripts/compare_real.py --b "--model /tmp/new.json --swap-model /tmp/new.swaps.json" ../shared/data/wild-dev.jsonl
  python3 scripts/compare_real.py --bin-b /tmp/other/target/release/unspun --draws 2000 ../shared/data/science-dev.jsonl
Options: --bin/--bin-b (binaries of A and B; B defaults to A's), --a/--b (more `score` arguments, one
quoted string each), --draws N, --seed S, --json (one object per figure instead of the table).
Needs labeled pages with `evidence` (such as ../shared/data/wild-dev.jsonl and science-dev.jsonl,
which are not in the repository).
"""
import argparse, json, os, random, shlex, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eval_evidence import page_figures, read_rows, score  # noqa: E402


def auc(pos, neg):
    if not pos or not neg:
        return float("nan")
    return sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))


def recall_at_precision(scored, target=0.95):
    """Highest recall at a threshold (a score of the set) whose precision reaches `target`."""
    npos = sum(g for _, g in scored)
    best, tp, n = 0.0, 0, 0
    # Walk thresholds from the top: at each distinct score, everything at or above it is flagged.
    ordered = sorted(scored, key=lambda x: -x[0])
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            tp += ordered[j][1]
            n += 1
            j += 1
        if npos and tp / n >= target:
            best = max(best, tp / npos)
        i = j
    return best


def figures(pages):
    """The set's figures from per-page tuples (label_spun, p_spun, judged_spun, word figures)."""
    judged = [(p, s, j) for s, p, j, _ in pages if p is not None]
    pos = [p for p, s, _ in judged if s]
    neg = [p for p, s, _ in judged if not s]
    tp = sum(j and s for _, s, j in judged)
    fp = sum(j and not s for _, s, j in judged)
    fn = sum(s and not j for _, s, j in judged)
    w = {k: sum(f[k] for *_, f in pages) for k in ("swaps", "found", "restored", "words", "flags")}
    nan = float("nan")
    return {
        "roc_auc": auc(pos, neg),
        "precision": tp / (tp + fp) if tp + fp else nan,
        "recall": tp / (tp + fn) if tp + fn else nan,
        "recall_at_p95": recall_at_precision([(p, s) for p, s, _ in judged]),
        "false_positives": fp,
        "found": w["found"] / w["swaps"] if w["swaps"] else nan,
        "restored": w["restored"] / w["swaps"] if w["swaps"] else nan,
        "false_flags_per_100": 100 * w["flags"] / w["words"] if w["words"] else nan,
    }


# Figures where lower is better (for "share of draws in which B is better").
LOWER_IS_BETTER = {"false_positives", "false_flags_per_100"}


def pages_of(rows, out):
    return [(r["label"] == "spun", out[r["id"]].get("p_spun"), bool(out[r["id"]].get("spun")), page_figures(r, out[r["id"]]))
            for r in rows]


def interval(xs):
    xs = sorted(x for x in xs if x == x)
    if not xs:
        return (float("nan"), float("nan"))
    return (xs[int(0.025 * (len(xs) - 1))], xs[int(0.975 * (len(xs) - 1))])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/unspun")
    ap.add_argument("--bin-b")
    ap.add_argument("--a", default="", help="more `unspun score` arguments for A, one quoted string")
    ap.add_argument("--b", help="more `unspun score` arguments for B, one quoted string (gives a comparison)")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("data")
    a = ap.parse_args()
    for b in [a.bin] + ([a.bin_b] if a.bin_b else []):
        if not os.path.exists(b):
            sys.exit(f"error: no binary at {b}: run `cargo build --release` or pass --bin")
    if not os.path.exists(a.data):
        sys.exit(f"error: {a.data} not found (the real pages are in ../shared/data, not in the repository)")
    rows = read_rows(a.data)
    configs = [("A", a.bin, shlex.split(a.a))]
    if a.b is not None or a.bin_b:
        configs.append(("B", a.bin_b or a.bin, shlex.split(a.b or "")))
    sets = [pages_of(rows, score(rows, b, args)) for _, b, args in configs]
    spun = [i for i, r in enumerate(rows) if r["label"] == "spun"]
    orig = [i for i, r in enumerate(rows) if r["label"] != "spun"]
    rng = random.Random(a.seed)
    draws = []
    for _ in range(a.draws):
        pick = [rng.choice(spun) for _ in spun] + [rng.choice(orig) for _ in orig]
        draws.append([figures([s[i] for i in pick]) for s in sets])
    full = [figures(s) for s in sets]
    report = []
    for k in full[0]:
        e = {"figure": k}
        for c, (name, *_) in enumerate(configs):
            e[name] = full[c][k]
            e[name + "_interval"] = interval([d[c][k] for d in draws])
        if len(configs) == 2:
            diffs = [d[1][k] - d[0][k] for d in draws]
            e["difference"] = full[1][k] - full[0][k]
            e["difference_interval"] = interval(diffs)
            better = [x < 0 if k in LOWER_IS_BETTER else x > 0 for x in diffs if x == x]
            e["b_better_share"] = sum(better) / len(better) if better else float("nan")
        report.append(e)
    if a.json:
        for e in report:
            print(json.dumps(e))
        return
    print(f"{a.data}: {len(spun)} spun, {len(orig)} original pages; {a.draws} paired bootstrap draws (seed {a.seed}); 95% intervals")
    fmt = lambda x: f"{x:.3f}" if isinstance(x, float) else f"{x}"
    for e in report:
        line = f"  {e['figure']:<22} A {fmt(e['A'])} [{fmt(e['A_interval'][0])}, {fmt(e['A_interval'][1])}]"
        if "B" in e:
            lo, hi = e["difference_interval"]
            line += (f"   B {fmt(e['B'])} [{fmt(e['B_interval'][0])}, {fmt(e['B_interval'][1])}]"
                     f"   B-A {e['difference']:+.3f} [{lo:+.3f}, {hi:+.3f}], B better in {e['b_better_share']:.0%}")
        print(line)


if __name__ == "__main__":
    main()
