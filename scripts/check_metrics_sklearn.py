#!/usr/bin/env python3
"""Recomputes `unspun eval`'s metrics with scikit-learn from the same scores and prints the differences.

    scripts/check_metrics_sklearn.py DATA [--model M] [--group-by COLUMN] [--threshold P] [--bin PATH]

DATA is a labeled .jsonl(.gz) or .csv(.gz) file. The script runs
`unspun eval --format json --report TMP` (which also writes TMP/scores.csv with every document's
p_spun at full precision), recomputes every metric of the JSON (headline, recall at FPR, sweep,
calibration, every slice) with scikit-learn from those scores, and prints the largest absolute
difference per metric. It also runs `unspun score --jsonl` on the same texts and reports how far its
p_spun (rounded to 4 decimals, null for documents under 8 words) is from eval's.

Conventions checked (see src/eval.rs): predicted spun when p >= threshold; undefined ratios are null
(scikit-learn's zero_division, here NaN); ROC AUC undefined with one class; average precision
undefined without spun documents; recall at FPR r = max(tpr[fpr <= r]) over
roc_curve(drop_intermediate=False). Exit status 1 when any difference exceeds 1e-9 or a value is
defined on one side only.
"""

import argparse
import csv
import gzip
import io
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        brier_score_loss,
        confusion_matrix,
        f1_score,
        log_loss,
        precision_score,
        recall_score,
        roc_auc_score,
        roc_curve,
    )
except ImportError:
    sys.exit("scikit-learn is missing: pip install scikit-learn (or run scripts/check_metrics_sklearn.sh)")

TOLERANCE = 1e-9
LENGTH_EDGES = [100, 300, 1000]  # src/eval.rs LENGTH_EDGES


def parse_label(v):
    v = str(v).strip().lower()
    if v in ("spun", "1", "true"):
        return 1
    if v in ("original", "0", "false"):
        return 0
    raise ValueError(f"unknown label {v!r}")


def read_records(path):
    """Records as dicts (id, text, label, other fields), in file order, as unspun reads them."""
    opener = gzip.open if path.endswith(".gz") else open
    name = path[:-3] if path.endswith(".gz") else path
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        if name.endswith((".csv", ".tsv")):
            rows = list(csv.DictReader(f, delimiter="\t" if name.endswith(".tsv") else ","))
        elif name.endswith((".jsonl", ".json", ".ndjson")):
            rows = [json.loads(line) for line in f if line.strip()]
        else:
            sys.exit(f"{path}: expected a .csv or .jsonl file (optionally .gz)")
    for i, r in enumerate(rows):
        r["label"] = parse_label(r["label"])
        r.setdefault("id", f"{path}:{i + 1}")
    return rows


def zero_div_nan(fn, *args, **kw):
    return float(fn(*args, zero_division=np.nan, **kw))


def sk_metrics(y, p, t):
    """The metrics of one slice, named like unspun's JSON; None where unspun says null."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    yhat = (p >= t).astype(int)
    both = 0 < y.sum() < len(y)
    tn, fp, fn, tp = confusion_matrix(y, yhat, labels=[0, 1]).ravel()
    out = {
        "n": len(y),
        "spun": int(y.sum()),
        "original": int(len(y) - y.sum()),
        "precision": zero_div_nan(precision_score, y, yhat, labels=[0, 1]),
        "recall": zero_div_nan(recall_score, y, yhat, labels=[0, 1]),
        "f1": zero_div_nan(f1_score, y, yhat, labels=[0, 1]),
        "accuracy": float(accuracy_score(y, yhat)),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if y.sum() > 0 else None,
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "brier": float(brier_score_loss(y, p, pos_label=1)),
        "confusion.tp": int(tp),
        "confusion.fp": int(fp),
        "confusion.tn": int(tn),
        "confusion.fn": int(fn),
    }
    for rate in ("0.01", "0.05"):
        if both:
            fpr, tpr, _ = roc_curve(y, p, drop_intermediate=False)
            out[f"recall_at_fpr.{rate}"] = float(tpr[fpr <= float(rate)].max())
        else:
            out[f"recall_at_fpr.{rate}"] = None
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


def flat(m):
    """unspun's metrics object flattened to the keys of sk_metrics."""
    out = {k: m[k] for k in ("n", "spun", "original", "precision", "recall", "f1", "accuracy", "roc_auc", "pr_auc", "log_loss", "brier")}
    out.update({f"confusion.{k}": v for k, v in m["confusion"].items()})
    out.update({f"recall_at_fpr.{k}": v for k, v in m["recall_at_fpr"].items()})
    return out


class Diffs:
    """Largest absolute difference per metric, and mismatches in definedness."""

    def __init__(self):
        self.max = {}
        self.bad = []

    def add(self, metric, where, ours, theirs):
        if ours is None or theirs is None:
            if (ours is None) != (theirs is None):
                self.bad.append(f"{where} {metric}: unspun {ours}, scikit-learn {theirs}")
            self.max.setdefault(metric, 0.0)
            return
        d = abs(float(ours) - float(theirs))
        self.max[metric] = max(self.max.get(metric, 0.0), d)
        if d > TOLERANCE:
            self.bad.append(f"{where} {metric}: unspun {ours!r}, scikit-learn {theirs!r} (diff {d:.3e})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data")
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "unspun"))
    ap.add_argument("--model")
    ap.add_argument("--threshold")
    ap.add_argument("--group-by", action="append", default=[])
    a = ap.parse_args()

    extra = (["--model", a.model] if a.model else []) + (["--threshold", a.threshold] if a.threshold else [])
    for g in a.group_by:
        extra += ["--group-by", g]
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report")
        run = subprocess.run([a.bin, "eval", "--data", a.data, "--format", "json", "--report", report] + extra, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"unspun eval failed: {run.stderr}")
        ours = json.loads(run.stdout)
        with open(os.path.join(report, "metrics.json")) as f:
            if json.load(f) != ours:
                sys.exit("metrics.json differs from `eval --format json`")
        with open(os.path.join(report, "scores.csv"), newline="") as f:
            scored = list(csv.DictReader(f))

    records = read_records(a.data)
    if len(records) != len(scored):
        sys.exit(f"unspun scored {len(scored)} documents, the file has {len(records)}")
    y = np.array([parse_label(s["label"]) for s in scored])
    p = np.array([float(s["p_spun"]) for s in scored])
    words = np.array([int(s["words"]) for s in scored])
    if any(r["label"] != l for r, l in zip(records, y)):
        sys.exit("labels in scores.csv differ from the data file")
    t = ours["threshold"]
    diffs = Diffs()

    # headline and slices
    slices = {"all": np.arange(len(y))}
    bounds = [0] + LENGTH_EDGES + [None]
    for k in range(len(bounds) - 1):
        lo, hi = bounds[k], bounds[k + 1]
        name = f"words:<{hi}" if k == 0 else (f"words:{lo}-{hi - 1}" if hi else f"words:{lo}+")
        idx = np.where((words >= lo) & ((words < hi) if hi else True))[0]
        if len(idx):
            slices[name] = idx
    for col in a.group_by:
        values = [str(r.get(col)) if r.get(col) not in (None, "") else None for r in records]
        for v in sorted({v for v in values if v is not None}):
            slices[f"{col}:{v}"] = np.array([i for i, x in enumerate(values) if x == v])
        if None in values:
            slices[f"{col}:(missing)"] = np.array([i for i, x in enumerate(values) if x is None])
    if set(slices) - {"all"} != set(ours["slices"]):
        diffs.bad.append(f"slices differ: unspun {sorted(ours['slices'])}, expected {sorted(set(slices) - {'all'})}")
    for name, idx in slices.items():
        theirs = sk_metrics(y[idx], p[idx], t)
        mine = flat(ours if name == "all" else ours["slices"].get(name, ours))
        for k, v in theirs.items():
            diffs.add(k if name == "all" else f"slices.{k}", name, mine[k], v)

    # sweep: precision, recall, f1, fpr at each threshold
    for row in ours["sweep"]:
        th = row["threshold"]
        yhat = (p >= th).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, yhat, labels=[0, 1]).ravel()
        theirs = {
            "precision": zero_div_nan(precision_score, y, yhat, labels=[0, 1]),
            "recall": zero_div_nan(recall_score, y, yhat, labels=[0, 1]),
            "f1": zero_div_nan(f1_score, y, yhat, labels=[0, 1]),
            "fpr": fp / (fp + tn) if fp + tn else float("nan"),
        }
        for k, v in theirs.items():
            diffs.add(f"sweep.{k}", f"sweep@{th}", row[k], None if math.isnan(v) else v)

    # calibration (uniform bins, empty ones dropped)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    if len(prob_true) != len(ours["calibration"]):
        diffs.bad.append(f"calibration: {len(ours['calibration'])} bins, scikit-learn {len(prob_true)}")
    else:
        for b, pt, pp in zip(ours["calibration"], prob_true, prob_pred):
            diffs.add("calibration.fraction_spun", f"bin {b['lower']}", b["fraction_spun"], float(pt))
            diffs.add("calibration.mean_p", f"bin {b['lower']}", b["mean_p"], float(pp))

    # `unspun score --jsonl` on the same texts: same model, p_spun rounded to 4 decimals
    lines = "".join(json.dumps({"id": str(r["id"]), "text": r["text"]}) + "\n" for r in records)
    run = subprocess.run([a.bin, "score", "--jsonl"] + (["--model", a.model] if a.model else []), input=lines, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"unspun score failed: {run.stderr}")
    scores = [json.loads(line)["p_spun"] for line in run.stdout.splitlines()]
    judged = [(s, q) for s, q in zip(scores, p) if s is not None]
    score_gap = max((abs(s - q) for s, q in judged), default=0.0)

    print(f"{len(y)} documents ({int(y.sum())} spun), threshold {t}; scikit-learn {__import__('sklearn').__version__}")
    print(f"{'metric':<34} {'max |unspun - sklearn|':>22}")
    for k in sorted(diffs.max):
        print(f"{k:<34} {diffs.max[k]:>22.3e}")
    print(f"`score --jsonl` vs eval p_spun: max |diff| {score_gap:.2e} over {len(judged)} documents "
          f"(score rounds to 4 decimals; {len(scores) - len(judged)} too short to judge)")
    if diffs.bad:
        print("\nMISMATCHES:")
        for b in diffs.bad[:50]:
            print("  " + b)
        sys.exit(1)
    if score_gap > 5.0001e-5:
        sys.exit("`score --jsonl` and `eval` disagree on p_spun beyond rounding")
    print("all metrics agree with scikit-learn")


if __name__ == "__main__":
    main()
