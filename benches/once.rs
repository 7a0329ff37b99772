//! Single timed runs for `benches/peers/speed.py`, which sets them beside its peers in one run;
//! each prints one JSON line (best of 3 runs).
//!
//! - `cargo bench --bench once -- fit [ROWS]`: the logistic fit on the seeded synthetic matrix of
//!   `benches/common` (200,000 rows by default), with the fitted model;
//! - `cargo bench --bench once -- tokenize FILE`: plain unicode-segmentation word splitting of the
//!   `text` of every JSON line of FILE, on one core.

use std::time::Instant;

use unicode_segmentation::UnicodeSegmentation;
use unspun::TrainParams;

mod common;

/// Best wall time of three runs of `f`, and its last result.
fn best_of_3<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..3 {
        let started = Instant::now();
        out = Some(f());
        best = best.min(started.elapsed().as_secs_f64());
    }
    (best, out.expect("ran three times"))
}

fn main() {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let out = match args.first().map(String::as_str) {
        Some("tokenize") => {
            let path = args.get(1).expect("usage: once tokenize FILE.jsonl");
            let texts: Vec<String> = std::fs::read_to_string(path)
                .expect("readable JSON Lines file")
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?.get("text")?.as_str().map(String::from))
                .collect();
            let bytes: usize = texts.iter().map(String::len).sum();
            let (seconds, words) = best_of_3(|| texts.iter().map(|t| t.unicode_words().count()).sum::<usize>());
            serde_json::json!({ "bytes": bytes, "words": words, "seconds": seconds })
        }
        Some("fit") | None => {
            let n = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
            let (x, y) = common::rows(n);
            let params = TrainParams::new().check().expect("default parameters are valid");
            let (seconds, detector) = best_of_3(|| params.fit(&x, &y).expect("synthetic rows fit"));
            let model: serde_json::Value = serde_json::from_str(&detector.to_json()).expect("model JSON parses");
            serde_json::json!({ "rows": n, "seconds": seconds, "converged": detector.training().converged, "model": model })
        }
        Some(other) => panic!("unknown run {other:?}: expected `fit [ROWS]` or `tokenize FILE`"),
    };
    println!("{out}");
}
