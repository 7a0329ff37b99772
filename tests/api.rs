//! Uses the library end to end: embedded resources, training, saving, loading, scoring.

mod common;

use std::path::Path;

use unspun::pipeline::{score_text, Resources};
use unspun::spin::{profile, Spinner};
use unspun::{embedded, Detector, TrainParams, FEATURES};

#[test]
fn train_save_load_score_through_the_library() {
    let resources = Resources::embedded().unwrap();
    let fx = resources.extractor();
    let spinner_thesaurus = embedded::thesaurus("wordnet").unwrap();
    let spinner = Spinner::new(&spinner_thesaurus, unspun::spin::Profile { rate: 0.5, ..profile("careful").unwrap().clone() });
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (i, text) in common::ORIGINALS.iter().enumerate() {
        let spun = i % 2 == 1;
        let text = if spun { spinner.spin(text, i as u64).text } else { text.to_string() };
        rows.push(fx.extract(&text).features);
        labels.push(spun);
    }
    let detector = TrainParams::new().check().unwrap().fit(&rows, &labels).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    detector.save(&path).unwrap();
    let loaded = Detector::load(&path).unwrap();
    assert_eq!(loaded, detector);
    assert_eq!(loaded.feature_names().len(), FEATURES.len());
    let s = score_text(&fx, &loaded, &spinner.spin(common::ORIGINALS[4], 99).text, true);
    let p = s.p_spun.unwrap();
    assert!((0.0..=1.0).contains(&p));
    assert!(s.spun.unwrap(), "a half-spun text is flagged by a model trained on such text (p = {p})");
}

#[test]
fn the_embedded_model_loads_and_matches_this_build() {
    let d = embedded::detector().unwrap();
    assert!(d.threshold() > 0.0 && d.threshold() < 1.0);
    assert!(d.feature_names().iter().all(|n| FEATURES.iter().any(|f| f.name == n)));
    let r = embedded::reference().unwrap();
    assert!(r.entries(2) > 1_000_000, "the shipped reference is the real one");
    assert!(Detector::load(Path::new("models/default.json")).unwrap() == d);
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn resources() -> &'static (Resources, Detector) {
        static R: OnceLock<(Resources, Detector)> = OnceLock::new();
        R.get_or_init(|| (Resources::embedded().unwrap(), embedded::detector().unwrap()))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]
        #[test]
        fn any_string_gives_finite_features_and_a_probability(text in "\\PC{0,400}") {
            let (r, d) = resources();
            let a = r.extractor().explain(&text);
            prop_assert!(a.features.iter().all(|v| v.is_finite()));
            let p = d.probability(&a.features);
            prop_assert!((0.0..=1.0).contains(&p));
            for s in &a.spans {
                prop_assert!(s.start < s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
        }

        #[test]
        fn wordy_strings_too(words in proptest::collection::vec("[a-zA-Z]{1,12}|[.,;!?]|[0-9]{1,4}|the|of|foreign|minister", 0..200)) {
            let text = words.join(" ");
            let (r, d) = resources();
            let a = r.extractor().explain(&text);
            prop_assert!(a.features.iter().all(|v| v.is_finite()));
            prop_assert!((0.0..=1.0).contains(&d.probability(&a.features)));
        }
    }
}

#[test]
fn training_streams_records_across_batches_and_stops_at_a_bad_one() {
    use unspun::corpus::Record;
    use unspun::pipeline::{train, STREAM_BATCH};
    let resources = Resources::embedded().unwrap();
    let fx = resources.extractor();
    let spinner_thesaurus = embedded::thesaurus("wordnet").unwrap();
    let spinner = Spinner::new(&spinner_thesaurus, profile("careful").unwrap().clone());
    // More records than one batch of the training stream.
    let n = STREAM_BATCH * 4 + 100;
    let records: Vec<Record> = (0..n)
        .map(|i| {
            let original = common::ORIGINALS[i % common::ORIGINALS.len()];
            let spun = i % 2 == 1;
            Record {
                id: format!("r{i}"),
                text: if spun { spinner.spin(original, i as u64).text } else { original.to_string() },
                label: Some(spun),
                extra: Default::default(),
                line: i as u64 + 1,
                swaps: Vec::new(),
            }
        })
        .collect();
    let params = TrainParams::new().check().unwrap();
    let streamed = train(records.iter().cloned().map(Ok), &resources, &params, 0.0, &[], &|_| {}).unwrap();
    let rows: Vec<Vec<f64>> = records.iter().map(|r| fx.extract(&r.text).features).collect();
    let labels: Vec<bool> = records.iter().map(|r| r.label.unwrap()).collect();
    let direct = params.fit(&rows, &labels).unwrap();
    assert_eq!(streamed.weights(), direct.weights());
    assert_eq!(streamed.training().rows, n);
    // A bad record stops training with its error.
    let bad = records.iter().cloned().map(Ok).take(10).chain([Err(unspun::Error::Invalid("d.jsonl:11: broken".into()))]);
    let err = train(bad, &resources, &params, 0.0, &[], &|_| {}).unwrap_err();
    assert!(err.to_string().contains("d.jsonl:11: broken"), "{err}");
}
