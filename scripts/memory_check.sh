#!/usr/bin/env bash
# Peak memory of `unspun score --jsonl` on a large stream: writes SIZE_MB (default 1024) of JSON Lines
# made of sentences written for this check (no corpus text) to build/, scores it with
# /usr/bin/time -v, prints the peak RSS, deletes the file, and fails when the peak exceeds LIMIT_MB
# (default 300): streaming must keep memory flat, whatever the input size.
#   scripts/memory_check.sh              ~1 GB, about 10 minutes on 2 cores
#   SIZE_MB=50 scripts/memory_check.sh   a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${SIZE_MB:-1024}
limit_mb=${LIMIT_MB:-300}
input=build/memory-check.jsonl
mkdir -p build
trap 'rm -f "$input"' EXIT

cargo build --release --quiet
python3 - "$input" "$size_mb" <<'PY'
import json, random, sys
path, size = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(7)
subjects = ["The city council", "A local farmer", "The new teacher", "Our neighbour", "The football coach",
            "A young doctor", "The museum director", "The bus driver", "A group of students", "The old fisherman"]
verbs = ["said that", "believed that", "told reporters that", "wrote in a letter that",
         "explained on Monday that", "argued at the meeting that"]
objects = ["the river was rising after three days of rain", "the library would open again next spring",
           "prices at the market had gone up again", "the school needed more books and chairs",
           "the road to the village was finally repaired", "the team had trained hard all summer",
           "the harvest was better than last year", "the station would close for a few weeks",
           "the children enjoyed the new playground", "the hospital was hiring more nurses"]
written = 0
with open(path, "w") as f:
    i = 0
    while written < size:
        n = rng.randint(5, 30)
        text = " ".join(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}." for _ in range(n))
        line = json.dumps({"id": f"doc{i}", "text": text}) + "\n"
        f.write(line)
        written += len(line)
        i += 1
print(f"wrote {path}: {written / 2**20:.0f} MB, {i} documents", file=sys.stderr)
PY

log=$(mktemp)
/usr/bin/time -v target/release/unspun score --jsonl "$input" 2>"$log" | wc -l | sed 's/^/scored documents: /'
grep -E "Elapsed|Maximum resident" "$log"
peak_mb=$(( $(awk '/Maximum resident/ {print $NF}' "$log") / 1024 ))
grep -q "Exit status: 0" "$log" || { cat "$log" >&2; exit 1; }
rm -f "$log"
echo "peak RSS ${peak_mb} MB (limit ${limit_mb} MB) for ${size_mb} MB of JSON Lines"
[ "$peak_mb" -le "$limit_mb" ]
