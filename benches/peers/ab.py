#!/usr/bin/env python3
"""Scoring throughput of this build against an earlier one, side by side: both score the same
10 MB of news (allsides-dev, read at run time only) on 1 thread with their embedded default
models, alternating, with and without --explain. Prints each build's best and median seconds and
the ratios (this build's throughput / the earlier one's) of the bests, of the medians and the
median of the paired runs: on a shared machine no single figure is exact, and they bracket it.

Run: UNSPUN_BEFORE=path/to/earlier/unspun benches/peers/ab.py [runs]   (default 8 pairs; needs
../shared/data, or SHARED_DATA; builds target/release/unspun first)
"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from speed import OUT, ROOT, SHARED, U, news_docs, timed  # noqa: E402


def main():
    before = os.environ.get("UNSPUN_BEFORE")
    if not before or not os.access(before, os.X_OK):
        sys.exit("error: set UNSPUN_BEFORE to an earlier unspun binary (e.g. one built from a worktree of an earlier commit)")
    if not os.path.exists(os.path.join(SHARED, "allsides-dev.jsonl.gz")):
        sys.exit(f"error: {SHARED}/allsides-dev.jsonl.gz not found: this comparison needs ../shared/data (set SHARED_DATA)")
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    os.makedirs(OUT, exist_ok=True)
    docs = news_docs()
    for extra in ([], ["--explain"]):
        times = {before: [], U: []}
        for _ in range(runs):
            for b in times:
                times[b].append(timed([b, "score", "--jsonl", "--threads", "1", *extra], stdin=open(docs))[0])
        b, a = times[before], times[U]
        step = "score --jsonl" + "".join(f" {e}" for e in extra)
        print(f"{step}, 1 thread, {runs} alternating pairs")
        for name, t in (("before", b), ("this build", a)):
            print(f"  {name}: best {min(t):.2f} s, median {statistics.median(t):.2f} s")
        paired = statistics.median(x / y for x, y in zip(b, a))
        print(f"  throughput ratio: bests {min(b) / min(a):.3f}, medians {statistics.median(b) / statistics.median(a):.3f}, "
              f"paired median {paired:.3f}")


if __name__ == "__main__":
    main()
