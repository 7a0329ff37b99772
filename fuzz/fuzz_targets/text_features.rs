//! Any bytes, read as text (lossily, as `score` does): tokens, features, explanations, scores,
//! restoring, HTML stripping and JSON Lines record parsing never panic, and their results hold
//! the invariants the CLI relies on (offsets on character boundaries inside the text, finite
//! features, a probability in [0, 1]).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use unspun::pipeline::{restore, score_text, Resources};
use unspun::{corpus, embedded, html, text, Detector, FEATURES};

fn resources() -> &'static (Resources, Detector) {
    static RESOURCES: OnceLock<(Resources, Detector)> = OnceLock::new();
    RESOURCES.get_or_init(|| (Resources::embedded().expect("embedded resources"), embedded::detector().expect("embedded model")))
}

fn check_text(input: &str) {
    let (resources, detector) = resources();
    let extractor = resources.extractor();
    let mut last_end = 0;
    for t in text::tokenize(input) {
        assert!(last_end <= t.start && t.start < t.end && t.end <= input.len());
        assert!(input.is_char_boundary(t.start) && input.is_char_boundary(t.end));
        last_end = t.end;
    }
    let analysis = extractor.explain(input);
    assert_eq!(analysis.features.len(), FEATURES.len());
    assert!(analysis.features.iter().all(|f| f.is_finite()), "{:?}", analysis.features);
    for s in &analysis.spans {
        assert!(s.start < s.end && s.end <= input.len() && input.is_char_boundary(s.start) && input.is_char_boundary(s.end));
        assert!(s.score.is_finite());
    }
    let score = score_text(&extractor, detector, input, true);
    if let Some(p) = score.p_spun {
        assert!((0.0..=1.0).contains(&p), "{p}");
    }
    let (restored, changes) = restore(&extractor, input, 5.0, 0.9);
    for c in &changes {
        assert!(c.start < c.end && c.end <= input.len() && input.is_char_boundary(c.start) && input.is_char_boundary(c.end));
        assert_eq!(&input[c.start..c.end], c.from);
    }
    if changes.is_empty() {
        assert_eq!(restored, input);
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    check_text(&input);
    let _ = html::looks_like_html(&input);
    let stripped = html::strip(&input);
    if stripped != input {
        check_text(&stripped);
    }
    let _ = corpus::parse_json_record(&input, Path::new("fuzz"), 1, false);
    if let Some(repaired) = corpus::repair_lone_surrogates(&input) {
        assert!(repaired.len() >= input.len());
        let _ = corpus::parse_json_record(&repaired, Path::new("fuzz"), 1, true);
    }
    let _ = corpus::decode_text(data.to_vec());
});
