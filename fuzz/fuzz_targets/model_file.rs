//! Any bytes as a model file: loading never panics; a model that loads saves and reloads to the
//! same model and gives probabilities in [0, 1]. Most mutations break the checksum, so each input
//! is also tried "resealed" (its checksum recomputed the way the format defines it), which lets
//! mutated seeds reach the validation behind the checksum.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use unspun::{Detector, FEATURES};

/// The JSON without whitespace outside strings.
fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// The model file with its checksum recomputed: CRC-32 of the compact JSON without the checksum.
fn reseal(json: &str) -> Option<String> {
    let c = compact(json);
    let body = match c.find(",\"checksum\":\"") {
        Some(at) => &c[..at],
        None => c.strip_suffix('}')?,
    };
    let crc = crc32fast::hash(format!("{body}}}").as_bytes());
    Some(format!("{body},\"checksum\":\"{crc:08x}\"}}"))
}

fn check(bytes: &[u8]) {
    let Ok(detector) = Detector::from_json(bytes, Path::new("fuzz.json")) else { return };
    let again = Detector::from_json(detector.to_json().as_bytes(), Path::new("fuzz.json")).expect("a loaded model saves and reloads");
    assert_eq!(again, detector);
    for x in [0.0, 1.0, -1e6, 1e6] {
        let p = detector.probability(&vec![x; FEATURES.len()]);
        assert!(p.is_nan() || (0.0..=1.0).contains(&p), "{p}");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(resealed) = std::str::from_utf8(data).ok().and_then(reseal) {
        check(resealed.as_bytes());
    }
});
