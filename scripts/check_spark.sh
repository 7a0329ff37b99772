#!/usr/bin/env bash
# Checks scripts/spark_pipe.py on a real local Spark: installs PySpark in a venv under build/,
# generates a dataset (originals made from sentence templates written here, and their spins by
# `unspun spin`), scores it on 4 partitions through rdd.pipe and compares every output record
# with a direct `unspun score --jsonl` run. Exits 1 on any difference. Needs Java 17+ and PyPI.
#
#   scripts/check_spark.sh [RECORDS, default 400]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-400}
PYSPARK_VERSION=4.3.0
VENV=build/spark-venv
WORK=build/spark-check
command -v java >/dev/null || { echo "check_spark: needs Java 17+ (java not found)" >&2; exit 2; }
cargo build --release --quiet
BIN=target/release/unspun
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null \
    || "$VENV/bin/pip" install -q "pyspark==$PYSPARK_VERSION"
rm -rf "$WORK"
mkdir -p "$WORK"

# Originals from templates (seeded), half of them spun; a few edge cases at the end.
python3 - "$WORK/originals.jsonl" "$((RECORDS / 2))" <<'PY'
import json, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
subjects = ["The city council", "A local charity", "The football club", "The school board", "A small bakery", "The regional hospital",
            "The national museum", "A group of farmers", "The water company", "The university library"]
verbs = ["announced plans to", "voted on Monday to", "has decided to", "is raising money to", "asked the government to", "promised to"]
objects = ["repair the old bridge", "open a new playground near the river", "hire more nurses for the night shift",
           "extend its opening hours during the summer", "build houses for young families", "replace the roof of the main hall",
           "plant trees along the busy road", "offer free lessons to older residents"]
tails = ["before the end of the year.", "after a long public debate.", "despite concerns about the cost.",
         "once the funding is approved.", "following complaints from neighbours.", "with help from volunteers."]
extra = ["Officials said the work would take about six months.", "Residents welcomed the news at a meeting on Thursday.",
         "The mayor said the project would create dozens of jobs.", "Critics argued that the money could be spent better elsewhere.",
         "A spokesman declined to give further details.", "The plan will be reviewed again in the spring."]
with open(out, "w") as f:
    for i in range(n):
        sentences = [f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} {rng.choice(tails)}" for _ in range(rng.randint(1, 3))]
        sentences += rng.sample(extra, rng.randint(1, 3))
        f.write(json.dumps({"id": f"o{i}", "text": " ".join(sentences)}) + "\n")
PY
"$BIN" spin --jsonl --rate 0.3 --seed 11 "$WORK/originals.jsonl" > "$WORK/spun.jsonl"
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
records = [json.loads(l) for l in open(f"{work}/originals.jsonl")]
records += [{"id": "s" + r["id"][1:], "text": r["text"]} for r in map(json.loads, open(f"{work}/spun.jsonl"))]
records += [{"id": "short", "text": "Too short to judge."}, {"id": "unicode", "text": "Café owners in Zürich said the naïve plan — “a fiasco” — would fail 😀 before the winter."},
            {"id": "html", "text": "<p>The overseas minister said the talks had gone well.</p><p>Reporters were told to wait.</p>"}, {"id": 42, "text": ""}]
with open(f"{work}/data.jsonl", "w") as f:
    for r in records:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"check_spark: {len(records)} records", file=sys.stderr)
PY

"$BIN" score --jsonl --explain --threads 1 < "$WORK/data.jsonl" > "$WORK/direct.jsonl" 2> "$WORK/direct.err"
started=$(date +%s)
"$VENV/bin/python" scripts/spark_pipe.py --input "$WORK/data.jsonl" --output "$WORK/spark" --partitions 4 --binary "$BIN" --explain \
    2> "$WORK/spark.err" || { tail -40 "$WORK/spark.err" >&2; exit 1; }
grep spark_pipe: "$WORK/spark.err" >&2
echo "check_spark: Spark run took $(( $(date +%s) - started ))s" >&2

python3 - "$WORK" <<'PY'
import glob, json, sys
work = sys.argv[1]
parts = sorted(glob.glob(f"{work}/spark/part-*"))
spark = [json.loads(l) for p in parts for l in open(p) if l.strip()]
direct = [json.loads(l) for l in open(f"{work}/direct.jsonl")]
problems = []
if len(parts) != 4:
    problems.append(f"{len(parts)} output parts, expected 4")
if [r["id"] for r in spark] != [r["id"] for r in direct]:
    problems.append("the records differ in number or order")
for s, d in zip(spark, direct):
    if s != d:
        problems.append(f"{d['id']}: spark {json.dumps(s)[:200]} != direct {json.dumps(d)[:200]}")
spun = sum(1 for r in direct if r.get("spun"))
sizes = [sum(1 for l in open(p) if l.strip()) for p in parts]
if problems:
    print("check_spark: FAILED\n  " + "\n  ".join(problems[:20]), file=sys.stderr)
    sys.exit(1)
print(f"check_spark: ok: {len(direct)} records on {len(parts)} partitions ({', '.join(map(str, sizes))} records), "
      f"every record identical to the direct run ({spun} flagged spun, {sum(len(r['spans']) for r in direct)} spans)", file=sys.stderr)
PY
