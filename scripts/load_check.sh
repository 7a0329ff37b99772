#!/usr/bin/env bash
# Load check of `unspun serve` (a measurement, not a test): sustained requests per second and
# p50/p99 latency for ~1 KB and ~10 KB documents, with and without explanations, from 16
# concurrent clients (wrk, Debian's `wrk` package; one wrk thread keeps 16 connections busy).
#
#   scripts/load_check.sh [SECONDS per run, default 20] [scoring THREADS, default 2]
#
# The documents are spins (`unspun spin`) of paragraphs written here, so nothing is read from any
# corpus. Prints a Markdown table (the README's "Load check" section). On a shared machine, wrap
# it in `flock /tmp/unspun-cargo.lock` so that no build runs beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-20}
THREADS=${2:-2}
CLIENTS=16
command -v wrk >/dev/null || { echo "load_check: needs wrk (apt-get install wrk)" >&2; exit 2; }
cargo build --release --quiet
BIN=${UNSPUN_BIN:-target/release/unspun}  # UNSPUN_BIN: another build, to compare in turn
WORK=$(mktemp -d)
trap 'kill -TERM "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# A paragraph written for this check (about 1 KB); the 10 KB document is 10 spins of it.
cat > "$WORK/para.txt" <<'TEXT'
The regional council approved a plan on Tuesday to repair the old harbour wall and build a small park beside the fish market. Officials said the work would begin in the spring and take about two years, and that local firms would be asked to bid for the contracts. Several shop owners welcomed the decision, saying the harbour had been neglected for too long, while others worried about noise and lost trade during the building work. The mayor promised regular meetings with residents and said the council would publish a timetable before the end of the month. A spokesman for the port added that ferries would keep running throughout, although some berths might move for a few weeks at a time. Engineers who surveyed the wall last year found that storms had washed away much of its base, and they warned that a single bad winter could bring part of it down. The plan also includes new lighting along the quay and a path for cyclists.
TEXT
python3 - "$WORK" "$BIN" <<'PY'
import json, subprocess, sys
work, binary = sys.argv[1], sys.argv[2]
para = open(f"{work}/para.txt").read().strip()
def spun(seed):
    return subprocess.run([binary, "spin", "--rate", "0.3", "--seed", str(seed), "-"], input=para, capture_output=True, text=True, check=True).stdout.strip()
docs = {"1kb": spun(1), "10kb": "\n\n".join(spun(s) for s in range(1, 11))}
for name, text in docs.items():
    for explain in (False, True):
        body = json.dumps({"text": text, "explain": explain})
        with open(f"{work}/{name}-{'explain' if explain else 'plain'}.lua", "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
            f.write("wrk.body = " + json.dumps(body) + "\n")
        print(f"{name}: {len(text.encode())} bytes of text", file=sys.stderr)
PY

"$BIN" serve --addr 127.0.0.1:0 --threads "$THREADS" 2> "$WORK/server.err" &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/server.err" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/server.err" | head -1)/score
echo "load_check: $URL, $THREADS scoring threads, $CLIENTS clients, ${SECONDS_PER_RUN}s per run, $(nproc) cores" >&2

echo "| document | explain | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---:|---:|---:|---:|"
for name in 1kb 10kb; do
    for mode in plain explain; do
        script="$WORK/$name-$mode.lua"
        wrk -t1 -c"$CLIENTS" -d3s -s "$script" "$URL" > /dev/null # warm-up
        wrk -t1 -c"$CLIENTS" -d"${SECONDS_PER_RUN}s" --latency --timeout 30s -s "$script" "$URL" > "$WORK/out.txt"
        python3 - "$WORK/out.txt" "$name" "$mode" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s+" + label + r"%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
errors = re.search(r"Socket errors: (.*)", out)
n_err = int(bad.group(1)) if bad else 0
n_err += sum(int(x) for x in re.findall(r"\d+", errors.group(1))) if errors else 0
print(f"| ~{sys.argv[2][:-2]} KB | {'yes' if sys.argv[3] == 'explain' else 'no'} | {rps:.1f} | {ms('50'):.1f} | {ms('99'):.1f} | {n_err} |")
if n_err:
    sys.exit(f"load_check: {n_err} failed requests")
PY
    done
done
