#!/usr/bin/env python3
"""Times unspun against the tools a user would pick instead, on the same documents in one run, and
writes reports/speed.md. Run: benches/peers/speed.sh (needs ../shared/data and build/corpus/seen from
scripts/train_default.sh).

Peers: scikit-learn TF-IDF (word 1-2-grams) + LogisticRegression, and fastText supervised. BLAS and
OpenMP are pinned to one thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1) so that "1 thread" means
one; unspun runs with --threads 1 and with all cores.
"""
import gzip
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
U = os.path.join(ROOT, "target", "release", "unspun")
SHARED = os.environ.get("SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "build", "speed")
TRAIN = os.path.join(ROOT, "build", "corpus", "seen", "train.jsonl.gz")
TARGET_BYTES = 10 * 1024 * 1024


def news_docs():
    """About 10 MB of news paragraphs (allsides-dev; used at run time only, never stored in the repo)."""
    path = os.path.join(OUT, "news-10mb.jsonl")
    if not os.path.exists(path):
        size = 0
        with gzip.open(os.path.join(SHARED, "allsides-dev.jsonl.gz"), "rt") as src, open(path, "w") as dst:
            for line in src:
                d = json.loads(line)
                rec = json.dumps({"id": d["id"], "text": d["text"]})
                dst.write(rec + "\n")
                size += len(d["text"].encode())
                if size >= TARGET_BYTES:
                    break
    return path


def timed(cmd, stdin=None):
    """Wall seconds and peak RSS (MB) of a command, via /usr/bin/time."""
    started = time.time()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return time.time() - started, int(r.stderr.strip().splitlines()[-1]) / 1024


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    if not os.path.exists(os.path.join(SHARED, "allsides-dev.jsonl.gz")):
        sys.exit(f"error: {SHARED}/allsides-dev.jsonl.gz not found: this benchmark needs ../shared/data (set SHARED_DATA)")
    if not os.path.exists(TRAIN):
        sys.exit(f"error: {TRAIN} not found: run scripts/train_default.sh first")
    os.makedirs(OUT, exist_ok=True)
    docs = news_docs()
    texts = [json.loads(l)["text"] for l in open(docs)]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    train = [json.loads(l) for l in gzip.open(TRAIN, "rt")]
    rows = []

    # unspun
    model = os.path.join(OUT, "model.json")
    t, rss = timed([U, "train", "--data", TRAIN, "--out", model, "--threads", "2"])
    rows.append(("unspun", "train (features + fit), 2 threads", t, None, rss))
    for threads in ("1", "2"):
        with open(docs) as f:
            t, rss = timed([U, "score", "--jsonl", "--model", model, "--threads", threads], stdin=f)
        rows.append(("unspun", f"score --jsonl, {threads} thread(s)", t, mb / t, rss))
    t0, _ = timed([U, "score", "--jsonl", "--model", model, "--threads", "1"], stdin=subprocess.DEVNULL)
    rows.append(("unspun", "start-up (load embedded reference + thesaurus, empty input)", t0, None, None))

    # scikit-learn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    started = time.time()
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vec.fit_transform([r["text"] for r in train])
    lr = LogisticRegression(max_iter=1000, C=10.0).fit(x, [r["label"] == "spun" for r in train])
    rows.append(("scikit-learn TF-IDF + LR", "train, 1 thread", time.time() - started, None, peak_mb()))
    started = time.time()
    lr.predict_proba(vec.transform(texts))
    t = time.time() - started
    rows.append(("scikit-learn TF-IDF + LR", "predict, 1 thread", t, mb / t, peak_mb()))

    # fastText
    import fasttext
    ft_train = os.path.join(OUT, "fasttext-train.txt")
    with open(ft_train, "w") as f:
        for r in train:
            f.write(f"__label__{r['label']} " + r["text"].replace("\n", " ") + "\n")
    started = time.time()
    ft = fasttext.train_supervised(ft_train, wordNgrams=2, epoch=10, thread=1, verbose=0)
    rows.append(("fastText supervised", "train, 1 thread", time.time() - started, None, peak_mb()))
    started = time.time()
    ft.predict([t.replace("\n", " ") for t in texts])
    t = time.time() - started
    rows.append(("fastText supervised", "predict, 1 thread", t, mb / t, peak_mb()))

    write(rows, mb, len(texts), len(train))


def write(rows, mb, n_docs, n_train):
    cores = os.cpu_count()
    score1 = next(r for r in rows if r[1].startswith("score --jsonl, 1"))
    score2 = next(r for r in rows if r[1].startswith("score --jsonl, 2"))
    sk = next(r for r in rows if r[0].startswith("scikit") and r[1].startswith("predict"))
    lines = ["# Speed report", "",
             f"Regenerated by `benches/peers/speed.sh` on a {cores}-core machine; all rows measured in one run on the",
             f"same {n_docs} news documents ({mb:.1f} MB; `allsides-dev`, read at run time only). Training uses the",
             f"{n_train} documents of `build/corpus/seen/train.jsonl.gz`. Peers run with OPENBLAS_NUM_THREADS=1 and",
             "OMP_NUM_THREADS=1. Peak RSS of the peers is the Python process's, cumulative.", "",
             "| tool | step | seconds | MB/s | peak RSS (MB) |", "|---|---|---|---|---|"]
    for tool, step, t, mbs, rss in rows:
        lines.append(f"| {tool} | {step} | {t:.2f} | {'' if mbs is None else f'{mbs:.2f}'} | {'' if rss is None else f'{rss:.0f}'} |")
    lines += ["", "Ratios from this run:", "",
              f"- unspun `score --jsonl` (1 thread) / scikit-learn predict: {score1[2] / sk[2]:.2f}× the time (target ≤ 0.25×)",
              f"- unspun 2 threads / 1 thread throughput: {score2[3] / score1[3]:.2f}× (target ≥ 1.7×)", ""]
    with open(os.path.join(ROOT, "reports", "speed.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
