#!/usr/bin/env python3
"""Scores a JSON Lines dataset ({"id", "text"} per line) with unspun on Spark.

Each partition is piped through one `unspun score --jsonl --threads 1` process
(`rdd.pipe`), so Spark's executors give the parallelism and every process stays on one core.
The binary is shipped to the executors with `SparkContext.addFile` (what `spark-submit --files`
does) and lands in each executor's SparkFiles folder. On a cluster (YARN, standalone) that is the
executor's working directory, so the command runs `./unspun`; in local mode the executors share the
driver's SparkFiles folder, which is not the Python workers' working directory, so the command
names the shipped copy by its absolute path (`SparkFiles.get`). `--executor-binary` overrides both.

    python scripts/spark_pipe.py --input docs.jsonl --output scored/ --partitions 8 [--explain]

Local mode by default (`--master local[N]`, N = partitions); on a cluster, run it with
spark-submit and `--master yarn` (or another) instead. The output folder holds Spark's
part-NNNNN files: the lines `unspun score --jsonl` writes, in input order within and across parts.
"""

import argparse
import os
import sys

from pyspark import SparkConf, SparkContext, SparkFiles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="JSON Lines with id and text (any path Spark reads)")
    parser.add_argument("--output", required=True, help="output folder (must not exist)")
    parser.add_argument("--partitions", type=int, default=4, help="partitions, hence unspun processes (default 4)")
    parser.add_argument("--binary", default="target/release/unspun", help="the unspun binary to ship (default target/release/unspun)")
    parser.add_argument("--master", help="Spark master (default local[PARTITIONS])")
    parser.add_argument("--executor-binary", help="path of the shipped binary as executors see it (default: see above)")
    parser.add_argument("--explain", action="store_true", help="add spans (score --explain)")
    parser.add_argument("score_args", nargs="*", help="more `unspun score` flags, after --, e.g. -- --threshold 0.9")
    args = parser.parse_args()
    if args.partitions < 1:
        parser.error("--partitions must be at least 1")
    if not os.access(args.binary, os.X_OK):
        parser.error(f"{args.binary}: not an executable; build it with `cargo build --release` or give --binary")

    conf = SparkConf().setAppName("unspun-score").setMaster(args.master or f"local[{args.partitions}]")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    try:
        sc.addFile(os.path.abspath(args.binary))
        name = os.path.basename(args.binary)
        local = sc.master.startswith("local")
        executable = args.executor_binary or (SparkFiles.get(name) if local else f"./{name}")
        command = f"{executable} score --jsonl --threads 1" + (" --explain" if args.explain else "")
        if args.score_args:
            command += " " + " ".join(args.score_args)
        # textFile splits by bytes; coalesce (no shuffle) makes exactly N partitions and keeps the order.
        lines = sc.textFile(args.input, minPartitions=args.partitions).coalesce(args.partitions)
        # checkCode: a failing unspun (a bad line with --strict, a missing binary) fails the job.
        scored = lines.pipe(command, checkCode=True)
        scored.saveAsTextFile(args.output)
        print(
            f"spark_pipe: scored {args.input} on {lines.getNumPartitions()} partitions "
            f"with `{command}` (binary shipped from {args.binary}); wrote {args.output}",
            file=sys.stderr,
        )
    finally:
        sc.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
