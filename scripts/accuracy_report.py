#!/usr/bin/env python3
"""Regenerates reports/accuracy.md, reports/accuracy.csv and reports/accuracy.json.

Builds labeled corpora from ../shared/data with `unspun corpus` (in build/acc/, never committed),
trains the leave-one-profile-out and all-profile models, evaluates them and the embedded default
model, and runs the peer (scikit-learn TF-IDF word 1-2-grams + logistic regression) on the same
splits. Every number in the report comes from this script: run `scripts/accuracy_report.sh`.
"""
import csv
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
U = os.path.join(ROOT, "target", "release", "unspun")
SHARED = os.environ.get("SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
B = os.path.join(ROOT, "build", "acc")
PROFILES = ["careful", "careless", "phrase"]
# Spinner families that neither the default document model nor the word-level swap model saw in
# training (`DESIGN.md`, "Spinner families"): leave-one-spinner-out at both levels.
FAMILIES = ["dictionary", "senseblind", "heavy", "partial", "light"]
# The default model's training recipe (features, dropout, threshold policy), shared with
# scripts/train_default.sh so that the leave-one-out models are trained the same way.
TRAIN_ARGS = open(os.path.join(ROOT, "models", "default.args")).read().split()
RATES = [0.05, 0.1, 0.2, 0.3, 0.5]
TARGET_PRECISION = 0.98  # thresholds are picked on validation data for this precision (unspun and peer alike)
# Wikipedia split into its scientific articles and the rest (scripts/split_domains.py), and UN
# speeches: three domains of originals, each left out in turn below.
ENWIKI, UNGDC = (os.path.join(SHARED, f) for f in ("enwiki2015-half.jsonl.gz", "ungdc-1990on.jsonl.gz"))
SOURCES = os.path.join(ROOT, "build", "sources")
WIKI_SPLIT = [os.path.join(SOURCES, f"{d}.jsonl.gz") for d in ("enwiki2015", "enwiki2015-science")]
WIKI_UN = WIKI_SPLIT + [UNGDC]
DOMAINS = ["enwiki2015", "enwiki2015-science", "ungdc_speeches"]
NEWS = [os.path.join(SHARED, "allsides-dev.jsonl.gz")]
# Real pages (evaluation only: their text never leaves build/acc; only figures are written).
REAL = [os.path.join(SHARED, f) for f in ("wild-dev.jsonl", "science-dev.jsonl")]


def run(*args, capture=False):
    r = subprocess.run([U, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"unspun {' '.join(args)} failed:\n{r.stderr}")
    return r.stdout if capture else None


def corpus(name, sources, profiles, rate=None, all_documents=False):
    out = os.path.join(B, name)
    if not os.path.exists(os.path.join(out, "test.jsonl.gz")):
        args = ["corpus", "--out", out, "--profiles", ",".join(profiles)]
        for s in sources:
            args += ["--source", s]
        if rate is not None:
            args += ["--rate-range", f"{rate},{rate}"]
        if all_documents:
            args += ["--all-documents"]
        run(*args)
    return out


def split(name, part):
    return os.path.join(B, name, f"{part}.jsonl.gz")


def write_jsonl(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, "wt") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def read(path):
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


def unspun_scores(model, data_paths):
    """Full-precision p_spun per record (via eval --report's scores.csv), and the model's threshold."""
    out = os.path.join(B, "eval", os.path.basename(model) + "-" + "-".join(p.replace(B + "/", "").replace("/", "_") for p in data_paths))
    args = ["eval", "--model", model, "--report", out, "--format", "json"]
    for p in data_paths:
        args += ["--data", p]
    m = json.loads(run(*args, capture=True))
    with open(os.path.join(out, "scores.csv")) as f:
        scores = {row["id"]: float(row["p_spun"]) for row in csv.DictReader(f)}
    return scores, m["threshold"]


def metrics(y, p, threshold):
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=float)
    pred = p >= threshold
    tp = int((pred & y).sum()); fp = int((pred & ~y).sum()); fn = int((~pred & y).sum()); tn = int((~pred & ~y).sum())
    prec = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    both = y.any() and (~y).any()
    auc = float(roc_auc_score(y, p)) if both else None
    r1 = None
    if both:
        fpr, tpr, _ = roc_curve(y, p)
        r1 = float(tpr[fpr <= 0.01].max())
    return {"n": int(len(y)), "spun": int(y.sum()), "original": int((~y).sum()), "threshold": threshold,
            "precision": prec, "recall": rec, "f1": f1, "roc_auc": auc, "recall_at_1pct_fpr": r1,
            "fpr": fp / (fp + tn) if fp + tn else None, "recall_at_95pct_precision": recall_at_precision(y, p, 0.95)}


def recall_at_precision(y, p, target):
    """The largest recall of any threshold whose precision reaches the target (0 if none does)."""
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=float)
    if not y.any():
        return None
    best = 0.0
    for t in sorted(set(p.tolist())):
        pred = p >= t
        tp = int((pred & y).sum())
        if tp and tp / int(pred.sum()) >= target:
            best = max(best, tp / int(y.sum()))
    return best


def pick_threshold(y, p, target):
    """Lowest threshold whose precision reaches the target (as `unspun train --target-precision`)."""
    for t in sorted(set(p)):
        pred = np.asarray(p) >= t
        tp = int((pred & np.asarray(y)).sum()); fp = int((pred & ~np.asarray(y)).sum())
        if tp and tp / (tp + fp) >= target:
            return float(t)
    return 0.5


class Peer:
    """The pipeline a user would write instead: TF-IDF word 1-2-grams + logistic regression."""

    def __init__(self, train_path, valid_path):
        tr = read(train_path)
        started = time.time()
        self.vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        x = self.vec.fit_transform([r["text"] for r in tr])
        self.lr = LogisticRegression(max_iter=1000, C=10.0)
        self.lr.fit(x, [r["label"] == "spun" for r in tr])
        self.seconds = time.time() - started
        va = read(valid_path)
        self.threshold = pick_threshold([r["label"] == "spun" for r in va], list(self.predict(va)), TARGET_PRECISION)

    def predict(self, records):
        return self.lr.predict_proba(self.vec.transform([r["text"] for r in records]))[:, 1]


def main():
    if not all(os.path.exists(p) for p in [ENWIKI, UNGDC] + NEWS + REAL):
        sys.exit(f"error: the corpora are not in {SHARED}: this report needs ../shared/data (set SHARED_DATA)")
    if not all(os.path.exists(p) for p in WIKI_SPLIT):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "split_domains.py"), ENWIKI, SOURCES], check=True)
    os.makedirs(B, exist_ok=True)
    # Corpora: the same source documents and roles (by id) in every set; only the spinner differs.
    corpus("all", WIKI_UN, PROFILES)
    for p in PROFILES:
        corpus(f"only-{p}", WIKI_UN, [p])
        corpus(f"without-{p}", WIKI_UN, [q for q in PROFILES if q != p])
        corpus(f"news-{p}", NEWS, [p])
    for r in RATES:
        corpus(f"rate-{r}", WIKI_UN, PROFILES, rate=r)
    # A user's own domain: news originals spun by the training profiles, every document used (the
    # reference never counted news). Its valid and test documents are those of the news-* sets.
    corpus("news-own", NEWS, ["careful", "phrase"], all_documents=True)
    news_all = lambda p: [split(f"news-{p}", s) for s in ("train", "valid", "test")]  # news is never trained on

    # Models: unspun (leave-one-profile-out and all profiles) and the peer on the same training sets.
    models = {"default": os.path.join(ROOT, "models", "default.json")}
    peers = {}
    for name in [f"without-{p}" for p in PROFILES] + ["all", "news-own"]:
        path = os.path.join(B, "models", f"{name}.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if name == "without-careless":
            models[name] = models["default"]  # the shipped model is exactly this one
        else:
            run("train", "--data", split(name, "train"), "--valid", split(name, "valid"), *TRAIN_ARGS, "--out", path)
            models[name] = path
        peers[name] = Peer(split(name, "train"), split(name, "valid"))

    rows = []

    def add(section, model_name, test_name, paths, slices=None):
        records = [r for p in paths for r in read(p)]
        scores, threshold = unspun_scores(models[model_name], paths)
        y = [r["label"] == "spun" for r in records]
        p = [scores[r["id"]] for r in records]
        peer = peers.get("without-careless" if model_name == "default" else model_name)
        pp = list(peer.predict(records))
        for slice_name, keep in (slices or {"all": lambda r: True}).items():
            idx = [i for i, r in enumerate(records) if keep(r)]
            if not idx:
                continue
            yy = [y[i] for i in idx]
            rows.append({"section": section, "model": model_name, "test": test_name, "slice": slice_name, "system": "unspun",
                         **metrics(yy, [p[i] for i in idx], threshold)})
            rows.append({"section": section, "model": model_name, "test": test_name, "slice": slice_name, "system": "tfidf+lr",
                         **metrics(yy, [pp[i] for i in idx], peer.threshold)})

    for p in PROFILES:
        add("in-distribution (model trained on all three profiles)", "all", f"{p} spins", [split(f"only-{p}", "test")])
    for p in PROFILES:
        add("unseen spinner (model trained without this profile)", f"without-{p}", f"{p} spins", [split(f"only-{p}", "test")])
    long_enough = {"all": lambda r: True, ">= 200 words": lambda r: r["words"] >= 200}
    for p in PROFILES:
        add("unseen domain: news (model trained on all three profiles)", "all", f"news, {p} spins", news_all(p), long_enough)
    for p in PROFILES:
        add("unseen domain and spinner: news (model trained without this profile)", f"without-{p}", f"news, {p} spins", news_all(p), long_enough)
    for p in PROFILES:
        add("your own domain: news (model trained on news originals spun by careful + phrase, built in build/acc, never shipped)",
            "news-own", f"news, {p} spins", [split(f"news-{p}", "test")], long_enough)
    lengths = {
        "< 100 words": lambda r: r["kind"] == "chunk" and r["words"] < 100,
        "100-300 words": lambda r: r["kind"] == "chunk" and 100 <= r["words"] < 300,
        "300-1000 words": lambda r: r["kind"] == "chunk" and 300 <= r["words"] < 1000,
        "whole documents": lambda r: r["kind"] == "document",
    }
    add("by length (default model; all three profiles)", "default", "all profiles", [split("all", "test")], lengths)
    for r in RATES:
        add("by spin rate (default model; all three profiles)", "default", f"rate {r}", [split(f"rate-{r}", "test")])

    # Families no model saw: the default model and its best single feature on each.
    family_best = {}
    for f in FAMILIES:
        corpus(f"only-{f}", WIKI_UN, [f])
        add("unseen spinner families (default model; neither it nor the swap model saw them)", "default", f"{f} spins",
            [split(f"only-{f}", "test")])
        family_best[f"{f} spins (test)"] = best_single_feature(split(f"only-{f}", "test"))
    # Per domain (the default model; all three profiles).
    add("by domain (default model; all three profiles)", "default", "all profiles", [split("all", "test")],
        {d: (lambda r, d=d: r.get("domain") == d) for d in DOMAINS})
    # Leave one domain out: the default recipe trained on the default model's corpus (careful +
    # phrase) without one domain, tested on that domain, against the domain's best single feature.
    for d in DOMAINS:
        name = f"without-domain-{d}"
        for part in ("train", "valid", "test"):
            keep = (lambda r: r["domain"] == d) if part == "test" else (lambda r: r["domain"] != d)
            write_jsonl(split(name, part), [r for r in read(split("without-careless", part)) if keep(r)])
        models[name] = os.path.join(B, "models", f"{name}.json")
        run("train", "--data", split(name, "train"), "--valid", split(name, "valid"), *TRAIN_ARGS, "--out", models[name])
        peers[name] = Peer(split(name, "train"), split(name, "valid"))
        add("unseen domain (model trained on careful + phrase spins without this domain)", name, f"{d} (careful + phrase spins)",
            [split(name, "test")])
        family_best[f"{d} (left-out domain, test)"] = best_single_feature(split(name, "test"))
    # Real pages and real news originals, with the default model and its threshold.
    real = []
    calibration = {}
    for path in REAL:
        name = os.path.basename(path).replace(".jsonl", "")
        out = os.path.join(B, "real", f"{name}.jsonl")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(path) as f, open(out, "w") as g:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    g.write(json.dumps({"id": r["id"], "text": r["text"], "label": r["label"]}) + "\n")
        records = [json.loads(l) for l in open(out)]
        scores, threshold = unspun_scores(models["default"], [out])
        y = [r["label"] == "spun" for r in records]
        real.append({"test": name, "slice": "all", "system": "unspun", **metrics(y, [scores[r["id"]] for r in records], threshold)})
        calibration[name] = reliability(y, [scores[r["id"]] for r in records])
        real.append({"test": name, "slice": "all", "system": "tfidf+lr",
                     **metrics(y, list(peers["without-careless"].predict(records)), peers["without-careless"].threshold)})
    for p in PROFILES:
        records = [r for q in news_all(p) for r in read(q)]
        scores, threshold = unspun_scores(models["default"], news_all(p))
        for slice_name, keep in long_enough.items():
            rs = [r for r in records if keep(r)]
            real.append({"test": f"allsides-dev news, {p} spins", "slice": slice_name, "system": "unspun",
                         **metrics([r["label"] == "spun" for r in rs], [scores[r["id"]] for r in rs], threshold)})
    for r in real:
        rows.append({"section": "real web pages (default model)", "model": "default", **r})
    best = {os.path.basename(p).replace(".jsonl", ""): best_single_feature(os.path.join(B, "real", os.path.basename(p))) for p in REAL}
    best.update(family_best)
    spans = explanations()
    spans_loso = explanations_left_out()
    intervals = {os.path.basename(p).replace(".jsonl", ""): real_intervals(p) for p in REAL}

    write(rows, peers, best, spans, calibration, spans_loso, intervals)


def reliability(y, p, bins=5):
    """Calibration table: per equal-width bin of p_spun, (lower, upper, n, mean p_spun, share spun)."""
    out = []
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        idx = [i for i, x in enumerate(p) if lo <= x < hi or (k == bins - 1 and x == 1.0)]
        out.append((lo, hi, len(idx), sum(p[i] for i in idx) / len(idx) if idx else None,
                    sum(y[i] for i in idx) / len(idx) if idx else None))
    return out


def best_single_feature(path):
    """The document feature with the highest direction-free ROC AUC on a labeled set, and that AUC."""
    out = run("features", "--data", path, capture=True)
    rd = list(csv.DictReader(out.splitlines()))
    y = [r["label"] in ("spun", "1", "true") for r in rd]
    aucs = {}
    for c in rd[0]:
        if c in ("id", "label"):
            continue
        a = roc_auc_score(y, [float(r[c]) for r in rd])
        aucs[c] = max(a, 1 - a)
    name = max(aucs, key=aucs.get)
    return name, aucs[name]


def explanations():
    """Word-level figures of --explain (the embedded swap model) on held-out spins of every family."""
    out = []
    corpus("only-papermill", WIKI_UN, ["papermill"])
    for p in PROFILES + ["papermill"] + FAMILIES:
        r = json.loads(run("eval-spans", "--data", split(f"only-{p}", "test"), "--format", "json", capture=True))
        out.append((p, r))
    # The real pages through their evidence pairs (scripts/eval_evidence.py --as-swaps): the same
    # figures, and how often a candidate offers the original at all.
    for path in REAL:
        name = os.path.basename(path).replace(".jsonl", "")
        gold = os.path.join(B, "real", f"{name}-swaps.jsonl")
        os.makedirs(os.path.dirname(gold), exist_ok=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "eval_evidence.py"), "--bin", U, "--as-swaps", gold, path],
                       check=True, capture_output=True)
        out.append((name, json.loads(run("eval-spans", "--data", gold, "--format", "json", capture=True))))
    return out


# The families the shipped swap model trains on (scripts/train_default.sh), each left out in turn.
SWAP_FAMILIES = ["careful", "phrase", "careless", "papermill"]


def evidence_figures(path, swap_model):
    """(swaps, found, restored, false flags per 100 words) of scripts/eval_evidence.py on real pages."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "eval_evidence.py"), "--bin", U, "--json", path, "--",
                        "--swap-model", swap_model], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"eval_evidence.py {path} failed:\n{r.stderr}")
    f = json.loads(r.stdout)
    return f["swaps"], f["found"], f["restored"], f["false_flags_per_100_words"]


# Bootstrap draws behind the real pages' intervals (scripts/compare_real.py, seed 1).
INTERVAL_DRAWS = 1000
INTERVAL_FIGURES = [("roc_auc", "ROC AUC", 3), ("precision", "precision", 3), ("recall", "recall", 3),
                    ("recall_at_p95", "recall @P≥0.95", 3), ("found", "found", 3), ("restored", "restored", 3),
                    ("false_flags_per_100", "false flags per 100 words", 2)]


def real_intervals(path):
    """{figure: (value, (lo, hi))} of the default build on real pages: 95% bootstrap intervals over the
    pages (scripts/compare_real.py)."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "compare_real.py"), "--bin", U, "--json",
                        "--draws", str(INTERVAL_DRAWS), path], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"compare_real.py {path} failed:\n{r.stderr}")
    return {e["figure"]: (e["A"], tuple(e["A_interval"])) for e in map(json.loads, r.stdout.splitlines())}


def explanations_left_out():
    """Word level, leave-one-family-out: a swap model trained (as scripts/train_default.sh trains the
    shipped one) on every family of SWAP_FAMILIES but one, measured on that family's held-out spins
    and on the real pages; the last row trains on all of them, for comparison."""
    out = []
    for left in SWAP_FAMILIES + [None]:
        kept = [f for f in SWAP_FAMILIES if f != left]
        model = os.path.join(B, f"swaps-without-{left or 'none'}.json")
        # (Retrained whenever the binary is newer: how thresholds are chosen may have changed.)
        if not os.path.exists(model) or os.path.getmtime(model) < os.path.getmtime(U):
            args = ["train-swaps", "--swap-model", "none", "--out", model]
            for f in kept:
                args += ["--data", split(f"only-{f}", "train"), "--valid", split(f"only-{f}", "valid")]
            run(*args)
        tests = [left] if left else kept
        held = {}
        for f in tests:
            held[f] = json.loads(run("eval-spans", "--data", split(f"only-{f}", "test"), "--swap-model", model, "--format", "json",
                                     capture=True))
        real = {os.path.basename(p).replace(".jsonl", ""): evidence_figures(p, model) for p in REAL}
        out.append((left, held, real))
    return out


def fmt(v):
    return "–" if v is None else f"{v:.3f}"


def write(rows, peers, best, spans, calibration, spans_loso, intervals):
    out = os.path.join(ROOT, "reports")
    os.makedirs(out, exist_ok=True)
    fields = ["section", "model", "test", "slice", "system", "n", "spun", "original", "threshold", "precision", "recall", "f1",
              "roc_auc", "recall_at_1pct_fpr", "fpr", "recall_at_95pct_precision"]
    with open(os.path.join(out, "accuracy.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r[k] is None else r[k]) for k in fields})
    with open(os.path.join(out, "accuracy.json"), "w") as f:
        json.dump({"format": "unspun-accuracy", "version": 1, "target_precision": TARGET_PRECISION, "rows": rows,
                   "real_intervals": {k: {f: {"value": v, "interval": list(i)} for f, (v, i) in t.items()} for k, t in intervals.items()}},
                  f, indent=1)
        f.write("\n")
    lines = ["# Accuracy report", "",
             "Regenerated by `scripts/accuracy_report.sh` (needs `../shared/data`); numbers below are copied from",
             "`reports/accuracy.csv` by that script. Test documents are held out from the reference counts and from",
             "training (split by document id). Spin rates are uniform in 0.05–0.5 unless a row says otherwise;",
             "chunks are 80–400 words, 10% of items are whole documents (up to 3,000 words).", "",
             "- **unspun**: the detector with its model's threshold, chosen on validation data for precision "
             f"{TARGET_PRECISION} in every domain (`train {' '.join(TRAIN_ARGS)}`, the recipe in `models/default.args`); "
             "the shipped default model is the model trained without `careless`. Its features are the word-level swap model's "
             "aggregates; that swap model (`models/swaps.json`) was trained on the `careful`, `careless` and `papermill` families, "
             "so at word level no family below is unseen.",
             "- **tfidf+lr**: scikit-learn TF-IDF over word 1–2-grams + logistic regression, trained on the same training "
             "files, threshold chosen the same way on the same validation files.",
             "- Profiles: `careful` (WordNet, first senses, single words), `careless` (Moby, any synonym, phrases), "
             "`phrase` (MyThes, phrase rewrites, spintax leftovers). News: `allsides-dev` (never shipped; trained on only in "
             "the \"your own domain\" section, whose test documents no model was trained on).",
             "- Columns: n documents (spun/original), precision, recall, F1 at the threshold, ROC AUC, recall at 1% false "
             "positives, false-positive rate on originals at the threshold.", ""]
    section = None
    for r in rows:
        if r["section"] != section:
            section = r["section"]
            lines += ["", f"## {section}", ""]
            if section.startswith("real web pages"):
                lines += ["Real pages from `../shared/data` (evaluation only, never trained on or shipped): `wild-dev` (50 pages spun by",
                          "auto-blogs and content farms, 70 originals from 70 sites) and `science-dev` (25 paper-mill pages, 35 real",
                          "abstracts). **The sets are small and real**: a difference of a few points is noise. Also the default model's",
                          "false positives on the originals of the `allsides-dev` news set (and recall on its synthetic spins).", ""]
            lines += ["| test | slice | system | n (spun/orig) | precision | recall | F1 | ROC AUC | recall @1% FPR | FPR | recall @P≥0.95 |",
                      "|---|---|---|---|---|---|---|---|---|---|---|"]
        lines.append(f"| {r['test']} | {r['slice']} | {r['system']} | {r['n']} ({r['spun']}/{r['original']}) | {fmt(r['precision'])} | "
                     f"{fmt(r['recall'])} | {fmt(r['f1'])} | {fmt(r['roc_auc'])} | {fmt(r['recall_at_1pct_fpr'])} | {fmt(r['fpr'])} | "
                     f"{fmt(r['recall_at_95pct_precision'])} |")
    lines += ["", "The best single document feature on the real sets, the unseen families and the left-out domains (direction-free ROC AUC,",
              "`unspun features`), to compare with the trained model's ROC AUC above:", ""]
    lines += [f"- `{name}`: `{feat}` {auc:.3f}" for name, (feat, auc) in best.items()]
    lines += ["", f"How sure the real pages' figures are: 95% bootstrap intervals over the pages ({INTERVAL_DRAWS} draws, spun and",
              "original pages resampled apart; `python3 scripts/compare_real.py FILE`, which with `--b` also compares two",
              "configurations on the same draws). Word-level figures as `scripts/eval_evidence.py` counts them.", "",
              "| set | " + " | ".join(name for _, name, _ in INTERVAL_FIGURES) + " |",
              "|---|" + "---|" * len(INTERVAL_FIGURES)]
    for name, t in intervals.items():
        cell = lambda k, d: f"{t[k][0]:.{d}f} [{t[k][1][0]:.{d}f}, {t[k][1][1]:.{d}f}]"
        lines.append(f"| {name} | " + " | ".join(cell(k, d) for k, _, d in INTERVAL_FIGURES) + " |")
    lines += ["", "## calibration on the real pages (default model)", "",
              "Share of spun pages against the mean `p_spun` per bin of 0.2 (a calibrated model has them equal; `unspun eval",
              "--report DIR --group-by FIELD` draws the same per slice, e.g. per domain).", ""]
    for name, table in calibration.items():
        lines += [f"**{name}**", "", "| p_spun bin | pages | mean p_spun | share spun |", "|---|---|---|---|"]
        lines += [f"| {lo:.1f}–{hi:.1f} | {n} | {fmt(m)} | {fmt(sh)} |" for lo, hi, n, m, sh in table]
        lines += [""]
    lines += ["", "## explanations on held-out spins (`unspun eval-spans --data build/acc/only-<family>/test.jsonl.gz`)", "",
              "Word level, with the embedded swap model (trained on the `careful`, `phrase`, `careless` and `papermill` families' training",
              "splits; `dictionary`, `senseblind`, `heavy`, `partial` and `light` are unseen at word level). Found: a reported span",
              "covers the swap; restored: its suggestion is the original wording; offered: a candidate at exactly the swap's place",
              "has the original among its alternatives that fit better, or as its known phrase's original (the ceiling of restored);",
              "false flags: spans per 100 words of the originals. The last rows are the real pages, their evidence pairs aligned",
              "word by word as gold swaps (`scripts/eval_evidence.py --as-swaps OUT FILE`, then `unspun eval-spans --data OUT`;",
              "restored here needs the suggestion to equal the original, `eval_evidence.py` only that it contains it).", "",
              "| family | swaps | found | restored | offered | spans on a swap | false flags per 100 words |",
              "|---|---|---|---|---|---|---|"]
    for p, r in spans:
        lines.append(f"| {p} | {r['swaps']} | {r['swap_recall']:.3f} | {r['suggestions_right'] / max(r['swaps'], 1):.3f} | "
                     f"{r['original_offered_share']:.3f} | {r['span_precision']:.3f} | {r['original_spans_per_100_words']:.2f} |")
    lines += ["", "## explanations, leave-one-family-out at word level (swap model trained without the family)", "",
              "Each row trains a swap model like the shipped one (`unspun train-swaps` on `build/acc/only-<family>/train.jsonl.gz`",
              "of the other families, threshold for 1 false flag per 100 words on their validation originals) and measures it on",
              "the left-out family's held-out spins and on the real pages (`scripts/eval_evidence.py FILE -- --swap-model M`).",
              "The last row trains on all four; its held-out figures pool the four families (found and restored over all their swaps,",
              "false flags the mean of the four).", "",
              "| left out | held-out swaps | found | restored | false flags per 100 words | wild-dev found / restored / false flags |"
              " science-dev found / restored / false flags |", "|---|---|---|---|---|---|---|"]
    for left, held, real in spans_loso:
        sw = sum(r["swaps"] for r in held.values())
        found = sum(r["swap_recall"] * r["swaps"] for r in held.values()) / max(sw, 1)
        restored = sum(r["suggestions_right"] for r in held.values()) / max(sw, 1)
        flags = sum(r["original_spans_per_100_words"] for r in held.values()) / max(len(held), 1)
        w, sc = real.get("wild-dev"), real.get("science-dev")
        cell = lambda t: f"{t[1]:.3f} / {t[2]:.3f} / {t[3]:.2f}" if t else "–"
        lines.append(f"| {left or 'none (all four)'} | {sw} | {found:.3f} | {restored:.3f} | {flags:.2f} | {cell(w)} | {cell(sc)} |")
    with open(os.path.join(out, "accuracy.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {out}/accuracy.md, accuracy.csv, accuracy.json ({len(rows)} rows)")


if __name__ == "__main__":
    main()
