#!/usr/bin/env bash
# Fuzzes every target for SECONDS each (default 600), one at a time, one job, and prints libFuzzer's
# summary per target. Run from anywhere; needs cargo-fuzz (`cargo install cargo-fuzz`). A stable
# toolchain works through RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only flags).
#   fuzz/run.sh            all targets, 10 minutes each
#   fuzz/run.sh 60 model_file
# Crashes are saved in fuzz/artifacts/TARGET/; replay one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(text_features model_file reference_file)
export RUSTC_BOOTSTRAP=1

# A valid but tiny reference file as a seed (1 MB, mostly empty bucket tables): without one the
# fuzzer cannot reach the table parsing behind the header.
if [[ " ${targets[*]} " == *" reference_file "* && ! -s fuzz/corpus/reference_file/tiny.bin ]]; then
    cargo build --release --quiet
    mkdir -p fuzz/corpus/reference_file build
    printf '%s\n' \
        '{"id": "1", "text": "The city council said that the river was rising after three days of rain."}' \
        '{"id": "2", "text": "A local farmer told reporters that the harvest was better than last year."}' \
        '{"id": "3", "text": "The foreign minister said that the talks had gone well and that a deal was close."}' \
        > build/fuzz-seed.jsonl
    target/release/unspun reference build --corpus build/fuzz-seed.jsonl --all-documents \
        --out fuzz/corpus/reference_file/tiny.bin 2>/dev/null
fi

for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/seeds/$target" fuzz/logs
    echo "== $target: ${seconds}s"
    cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -jobs=1 -workers=1 -rss_limit_mb=4096 -print_final_stats=1 \
        || status=$?
    mv -f fuzz-0.log "fuzz/logs/$target.log" 2>/dev/null || true
    grep -E "^(#[0-9]+\s+(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|Done)" \
        "fuzz/logs/$target.log" | tail -6 || true
    if [ "${status:-0}" != 0 ]; then
        echo "$target: crashed (exit $status); see fuzz/logs/$target.log and fuzz/artifacts/$target/" >&2
        exit "$status"
    fi
done
