//! One library function per command: build the reference, make a labeled corpus, train, score,
//! evaluate. The CLI only parses arguments, calls these and prints. Documents are scored, trained
//! on and evaluated here; the reference and corpora are built in `build.rs`; the word level
//! (explanations, `restore`, the swap model's training and evaluation) is in `explain.rs`.

mod build;
mod explain;

pub use build::*;
pub use explain::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::Record;
use crate::embedded;
use crate::error::{Error, Result};
use crate::eval::{self, Metrics, Report};
use crate::features::{quantile, Analysis, FeatureExtractor, Span, SwapModel};
use crate::model::{CheckedParams, Detector};
use crate::reference::{hash_word, Reference};
use crate::report;
use crate::thesaurus::{KnownPhrases, Thesaurus};
use crate::vectors::Vectors;

/// Documents with fewer words get no probability: too little text to judge.
pub const MIN_WORDS_TO_JUDGE: usize = 8;
/// Documents handed to rayon at once when streaming, so memory stays flat on long streams.
pub const STREAM_BATCH: usize = 512;
/// A text whose share of control characters or replacement characters exceeds this is not text.
pub const BINARY_SHARE: f64 = 0.1;

/// Called with the number of items just finished (for progress bars); must be cheap.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// No progress reporting.
pub fn no_progress(_: u64) {}

/// What the features are computed against: a reference and a thesaurus.
pub struct Resources {
    pub reference: Reference,
    pub thesaurus: Thesaurus,
    /// The word-level swap model that picks explanations (the embedded one by default; `None`
    /// reports candidates by oddity alone).
    pub swap_model: Option<SwapModel>,
    /// Known spun phrases proposed as candidates with their originals (the embedded tortured
    /// phrases by default).
    pub known_phrases: KnownPhrases,
    /// Word vectors whose neighbours are proposed besides thesaurus synonyms (the embedded ones by
    /// default).
    pub vectors: Option<Vectors>,
}

/// Where [`Resources::load`] takes the swap model from. `None` is what `train-swaps` starts from: a
/// build whose embedded model no longer matches its features can still train a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapModelSource<'a> {
    Embedded,
    None,
    File(&'a Path),
}

impl Resources {
    /// The embedded reference and detector thesaurus.
    pub fn embedded() -> Result<Resources> {
        Resources::load(None, &[], SwapModelSource::Embedded)
    }

    /// Loads a reference file (or the embedded one for `None`), thesaurus files (or the embedded
    /// detector thesaurus when none are given) and the swap model `swaps` names.
    pub fn load(reference: Option<&Path>, thesauri: &[PathBuf], swaps: SwapModelSource<'_>) -> Result<Resources> {
        let reference = match reference {
            Some(p) => Reference::load(p)?,
            None => embedded::reference()?,
        };
        let thesaurus = if thesauri.is_empty() {
            embedded::detector_thesaurus()?
        } else {
            let mut t = Thesaurus::new();
            for p in thesauri {
                let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
                t.add_reader(f, p)?;
            }
            t
        };
        Ok(Resources {
            reference,
            thesaurus,
            swap_model: match swaps {
                SwapModelSource::Embedded => embedded::swap_model()?,
                SwapModelSource::None => None,
                SwapModelSource::File(p) => Some(SwapModel::load(p)?),
            },
            known_phrases: embedded::known_phrases()?,
            vectors: embedded::vectors()?,
        })
    }

    /// A feature extractor over these resources.
    pub fn extractor(&self) -> FeatureExtractor<'_> {
        FeatureExtractor::new(&self.reference, &self.thesaurus)
            .with_swap_model(self.swap_model.as_ref())
            .with_known_phrases(Some(&self.known_phrases))
            // The vectors' neighbours are candidates of the swap model; without one, spans are
            // thesaurus oddities as before.
            .with_vectors(self.vectors.as_ref().filter(|_| self.swap_model.is_some()))
    }
}

/// The verdict on one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Probability that the document is spun; `None` when it cannot be judged (see `note`).
    pub p_spun: Option<f64>,
    /// `p_spun >= threshold`.
    pub spun: Option<bool>,
    pub words: usize,
    /// Phrases that look spun (only with explanations).
    #[serde(skip)]
    pub spans: Vec<Span>,
    /// Why there is no probability, or a warning about the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// True when `text` looks like binary data rather than text.
pub fn is_binary(text: &str) -> bool {
    let mut odd = 0usize;
    let mut total = 0usize;
    for c in text.chars().take(1 << 16) {
        total += 1;
        if c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()) {
            odd += 1;
        }
    }
    total > 0 && odd as f64 > BINARY_SHARE * total as f64
}

/// Longest part of a document that is judged (64 MiB): feature extraction keeps about 20 bytes
/// per byte of text (per-word statistics for the percentile features), measured at 634 MB peak
/// RSS and 12.6 s for a 30 MiB one-line document, so this bounds one document at about 1.3 GB and
/// half a minute. Longer documents are judged on their first 64 MiB, with a note.
pub const MAX_JUDGED_BYTES: usize = 64 << 20;

/// The part of `text` that [`score_text`] judges: all of it up to [`MAX_JUDGED_BYTES`], otherwise
/// the longest prefix within that size that ends at a whitespace (or at a character boundary).
pub fn judged_part(text: &str) -> &str {
    if text.len() <= MAX_JUDGED_BYTES {
        return text;
    }
    let mut end = MAX_JUDGED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind(char::is_whitespace).filter(|&w| w > end / 2).unwrap_or(end);
    &text[..cut]
}

/// Scores one text. Binary data and texts under [`MIN_WORDS_TO_JUDGE`] words get no probability
/// but a `note`; a text longer than [`MAX_JUDGED_BYTES`] is judged on its first part, with a note.
pub fn score_text(extractor: &FeatureExtractor<'_>, detector: &Detector, text: &str, explain: bool) -> Score {
    score_with(extractor, detector, text, |judged| if explain { extractor.explain(judged) } else { extractor.extract(judged) })
}

/// [`score_text`] with the text's part to judge analysed by `analyse`.
fn score_with(extractor: &FeatureExtractor<'_>, detector: &Detector, text: &str, analyse: impl FnOnce(&str) -> Analysis) -> Score {
    if is_binary(text) {
        return Score { p_spun: None, spun: None, words: 0, spans: Vec::new(), note: Some("binary data, not text".into()) };
    }
    let judged = judged_part(text);
    let analysis = analyse(judged);
    if analysis.words < MIN_WORDS_TO_JUDGE {
        return Score {
            p_spun: None,
            spun: None,
            words: analysis.words,
            spans: extractor.spans_for_verdict(analysis.spans, false),
            note: Some(format!("too short to judge: {} words (at least {MIN_WORDS_TO_JUDGE} needed)", analysis.words)),
        };
    }
    let note = (judged.len() < text.len()).then(|| {
        format!(
            "judged on the first {:.1} MiB ({} words) of {:.1} MiB: documents are judged up to {} MiB",
            judged.len() as f64 / f64::from(1 << 20),
            analysis.words,
            text.len() as f64 / f64::from(1 << 20),
            MAX_JUDGED_BYTES >> 20
        )
    });
    let p = detector.probability(&analysis.features);
    let spun = p >= detector.threshold();
    // A document judged spun makes a swap far likelier: its spans need less evidence.
    let spans = extractor.spans_for_verdict(analysis.spans, spun);
    Score { p_spun: Some(p), spun: Some(spun), words: analysis.words, spans, note }
}

/// Scores many texts in parallel; results are in input order and identical for any thread count.
pub fn score_batch<S: AsRef<str> + Sync>(extractor: &FeatureExtractor<'_>, detector: &Detector, texts: &[S], explain: bool) -> Vec<Score> {
    texts.par_iter().map(|t| score_text(extractor, detector, t.as_ref(), explain)).collect()
}

/// Feature vectors of many texts, in parallel, in input order.
pub fn extract_batch(extractor: &FeatureExtractor<'_>, texts: &[&str], progress: Progress<'_>) -> Vec<Vec<f64>> {
    texts
        .par_iter()
        .map(|t| {
            let f = extractor.extract(t).features;
            progress(1);
            f
        })
        .collect()
}

fn labels_of(records: &[Record]) -> Vec<bool> {
    records.iter().map(|r| r.label.expect("labeled records")).collect()
}

/// Thesaurus copies used by thesaurus dropout in [`train`].
pub const THESAURUS_VARIANTS: u64 = 4;
/// Share of thesaurus heads hidden from the features of most training documents (see [`train`]).
/// 0.5 measured on held-out spins: ROC AUC on an unseen spinner (Moby `careless`) 0.868 → 0.872 and
/// F1 0.612 → 0.656, on the training spinners 0.982 → 0.978; 0.8 gave 0.878 / 0.745 but 0.966.
pub const DEFAULT_THESAURUS_DROPOUT: f64 = 0.5;

/// Trains a detector on labeled records, read as they come: only their feature rows are kept, so
/// memory does not grow with the text. With `thesaurus_dropout` > 0, the features of 4 in 5
/// documents are computed with a thesaurus missing that share of its heads, so that the model also
/// learns to catch spinning whose swaps the thesaurus does not know (a spinner with its own
/// thesaurus), instead of leaning on synonym oddity alone. Stops at the first bad record.
pub fn train(
    records: impl Iterator<Item = Result<Record>>,
    resources: &Resources,
    params: &CheckedParams,
    thesaurus_dropout: f64,
    data: &[PathBuf],
    progress: Progress<'_>,
) -> Result<Detector> {
    let started = std::time::Instant::now();
    // Each document's features see either the whole thesaurus or one of THESAURUS_VARIANTS
    // copies missing `thesaurus_dropout` of its heads (chosen by the document id).
    let variants: Vec<Thesaurus> = if thesaurus_dropout > 0.0 {
        (0..THESAURUS_VARIANTS).map(|k| resources.thesaurus.without_share(thesaurus_dropout, k)).collect()
    } else {
        Vec::new()
    };
    let whole = resources.extractor();
    let mut extractors: Vec<FeatureExtractor<'_>> = variants.iter().map(|t| whole.with_thesaurus(t)).collect();
    extractors.push(whole);
    let (mut rows, mut labels) = (Vec::new(), Vec::new());
    in_batches(records, |batch| {
        let features: Vec<Vec<f64>> = batch
            .par_iter()
            .map(|r| {
                let f = extractors[(hash_word(&r.id) % extractors.len() as u64) as usize].extract(&r.text).features;
                progress(1);
                f
            })
            .collect();
        rows.extend(features);
        labels.extend(labels_of(batch));
        Ok::<_, Error>(())
    })?;
    let extract_seconds = started.elapsed().as_secs_f64();
    let mut detector = params.fit(&rows, &labels)?;
    let training = detector.training_mut();
    training.data = data.iter().map(|p| p.display().to_string()).collect();
    training.notes.insert("feature_seconds".into(), serde_json::json!(round3(extract_seconds)));
    training.notes.insert("thesaurus_dropout".into(), serde_json::json!(thesaurus_dropout));
    training.seconds = round3(training.seconds);
    Ok(detector)
}

/// Feeds `records` to `work` in batches (their order kept), holding one batch at a time; stops at
/// the first bad record or the first error of `work`.
pub fn in_batches<E: From<Error>>(
    records: impl Iterator<Item = Result<Record>>,
    mut work: impl FnMut(&[Record]) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut batch: Vec<Record> = Vec::with_capacity(STREAM_BATCH * 4);
    for r in records {
        batch.push(r?);
        if batch.len() == STREAM_BATCH * 4 {
            work(&batch)?;
            batch.clear();
        }
    }
    work(&batch)
}

/// Scores, labels and groups of labeled records, in record order (see [`score_labeled`]).
pub type LabeledScores = (Vec<f64>, Vec<bool>, Vec<Option<String>>);

/// `p_spun`, label and the value of the field `group_by` (if asked; `None` when missing) of each
/// labeled record, in order, read as they come (only the scores are kept: for picking a threshold
/// on validation data of any size). Stops at the first bad record.
pub fn score_labeled(
    records: impl Iterator<Item = Result<Record>>,
    resources: &Resources,
    detector: &Detector,
    group_by: Option<&str>,
    progress: Progress<'_>,
) -> Result<LabeledScores> {
    let extractor = resources.extractor();
    let (mut scores, mut labels, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    in_batches(records, |batch| {
        let texts: Vec<&str> = batch.iter().map(|r| r.text.as_str()).collect();
        scores.extend(extract_batch(&extractor, &texts, progress).iter().map(|f| detector.probability(f)));
        labels.extend(labels_of(batch));
        groups.extend(batch.iter().map(|r| group_by.and_then(|g| r.extra.get(g).cloned())));
        Ok::<_, Error>(())
    })?;
    Ok((scores, labels, groups))
}

/// The lowest threshold whose precision reaches `target` within every group of the validation
/// records (the worst group decides), with each group's own threshold; groups without both classes
/// are skipped. `None` when some group reaches the target at no threshold.
pub fn threshold_for_precision_in_every(
    scores: &[f64],
    labels: &[bool],
    groups: &[Option<String>],
    target: f64,
) -> std::result::Result<(f64, BTreeMap<String, f64>), String> {
    let mut by_group: BTreeMap<String, (Vec<f64>, Vec<bool>)> = BTreeMap::new();
    for ((&s, &l), g) in scores.iter().zip(labels).zip(groups) {
        let e = by_group.entry(g.clone().unwrap_or_else(|| "(missing)".into())).or_default();
        e.0.push(s);
        e.1.push(l);
    }
    let mut each = BTreeMap::new();
    for (g, (s, l)) in &by_group {
        if l.iter().all(|&x| x) || l.iter().all(|&x| !x) {
            continue;
        }
        let t =
            eval::threshold_for_precision(s, l, target).ok_or_else(|| format!("no threshold reaches precision {target} in group {g}"))?;
        each.insert(g.clone(), t);
    }
    let worst = each.values().copied().fold(f64::NAN, f64::max);
    if worst.is_nan() {
        return Err("no group of the validation data holds both classes".into());
    }
    Ok((worst, each))
}

/// Resamples of the validation records in [`threshold_spread`]: enough for steady 5th and 95th
/// percentiles (200 draws move them by about 0.005 from one seed to another on the default
/// model's validation data).
pub const THRESHOLD_DRAWS: usize = 200;

/// How much a threshold chosen by [`threshold_for_precision_in_every`] owes to the particular
/// validation records: the same rule applied to bootstrap resamples of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdSpread {
    /// Resamples drawn, and those in which some threshold reached the target precision.
    pub draws: usize,
    pub reached: usize,
    /// 5th, 50th and 95th percentiles of the thresholds of the draws that reached it.
    pub p5: f64,
    pub median: f64,
    pub p95: f64,
}

/// [`threshold_for_precision_in_every`] on `draws` resamples (with replacement, seeded by
/// `seed`; the same inputs give the same spread for any thread count) of the validation records.
/// The threshold rests on the few originals of the worst group that score highest, so it moves
/// with the sample: this says how far. `None` when no draw reaches the target.
pub fn threshold_spread(
    scores: &[f64],
    labels: &[bool],
    groups: &[Option<String>],
    target: f64,
    draws: usize,
    seed: u64,
) -> Option<ThresholdSpread> {
    let n = scores.len();
    if n == 0 {
        return None;
    }
    let found: Vec<f64> = (0..draws)
        .into_par_iter()
        .filter_map(|d| {
            let mut rng = crate::spin::Rng::new(seed ^ (d as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let (mut s, mut l, mut g) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            for _ in 0..n {
                let i = rng.below(n);
                s.push(scores[i]);
                l.push(labels[i]);
                g.push(groups[i].clone());
            }
            threshold_for_precision_in_every(&s, &l, &g, target).ok().map(|(t, _)| t)
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    let at = |p: f64| quantile(&found, p);
    Some(ThresholdSpread { draws, reached: found.len(), p5: at(0.05), median: at(0.5), p95: at(0.95) })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Scores and labels of an evaluation, with headline metrics at the detector's threshold.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub metrics: Metrics,
    /// `p_spun` of each record, in record order.
    pub scores: Vec<f64>,
    pub labels: Vec<bool>,
    /// Words of each record (as counted by the features), for slicing by length.
    pub words: Vec<usize>,
}

/// Evaluates a detector on labeled records at its threshold. Documents too short to judge are
/// scored all the same (their features are defined), so no record is silently dropped.
pub fn evaluate(records: &[Record], resources: &Resources, detector: &Detector, progress: Progress<'_>) -> Evaluation {
    let extractor = resources.extractor();
    let analysed: Vec<(f64, usize)> = records
        .par_iter()
        .map(|r| {
            let a = extractor.extract(&r.text);
            progress(1);
            (detector.probability(&a.features), a.words)
        })
        .collect();
    let (scores, words): (Vec<f64>, Vec<usize>) = analysed.into_iter().unzip();
    let labels = labels_of(records);
    Evaluation { metrics: Metrics::compute(&scores, &labels, detector.threshold()), scores, labels, words }
}

impl Evaluation {
    /// The full report at `threshold`: metrics, sweep, calibration, and slices by document length
    /// and by each column of `group_by` (a record field such as `source`; records without it, or
    /// with it empty, form the `COLUMN:(missing)` slice). `records` are those that were evaluated.
    pub fn report(&self, records: &[Record], group_by: &[String], threshold: f64) -> Result<Report> {
        let mut slices = eval::length_slices(&self.words);
        for column in group_by {
            let values: Vec<Option<&str>> =
                records.iter().map(|r| r.extra.get(column).map(String::as_str).filter(|v| !v.is_empty())).collect();
            if values.iter().all(Option::is_none) {
                let mut seen: Vec<&str> = records.iter().flat_map(|r| r.extra.keys().map(String::as_str)).collect();
                seen.sort_unstable();
                seen.dedup();
                let seen = if seen.is_empty() { "none besides id, text and label".to_string() } else { seen.join(", ") };
                return Err(Error::Invalid(format!("cannot group by `{column}`: no record has that field (fields seen: {seen})")));
            }
            slices.extend(eval::group_slices(column, &values));
        }
        Ok(Report::compute(&self.scores, &self.labels, threshold, &slices))
    }

    /// Writes the report folder (see [`report::write_folder`]): explains the worst false positives
    /// and false negatives at the report's threshold for `errors.html`. Returns the files written.
    pub fn write_report(
        &self,
        dir: &Path,
        records: &[Record],
        resources: &Resources,
        report: &Report,
        about: &report::About,
    ) -> Result<Vec<PathBuf>> {
        let extractor = resources.extractor();
        let (fps, fns) = eval::worst_errors(&self.scores, &self.labels, report.all.threshold, report::WORST_ERRORS);
        let explain = |ids: &[usize]| -> Vec<report::Case<'_>> {
            ids.par_iter()
                .map(|&i| report::Case {
                    id: &records[i].id,
                    text: &records[i].text,
                    spun: self.labels[i],
                    p_spun: self.scores[i],
                    words: self.words[i],
                    spans: extractor.spans_for_verdict(extractor.explain(&records[i].text).spans, self.scores[i] >= report.all.threshold),
                })
                .collect()
        };
        let documents: Vec<report::Document<'_>> = records
            .iter()
            .enumerate()
            .map(|(i, r)| report::Document { id: &r.id, spun: self.labels[i], p_spun: self.scores[i], words: self.words[i] })
            .collect();
        report::write_folder(dir, report, &documents, &explain(&fps), &explain(&fns), about)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_spread_brackets_the_threshold_and_repeats() {
        // 200 records in two groups: originals spread over 0..0.8 (one in 40 at 0.85), spun ones
        // over 0.5..1; precision 0.95 needs a threshold near the originals' top
        let (mut scores, mut labels, mut groups) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..200 {
            let spun = i % 2 == 0;
            let x = (i / 2) as f64 / 100.0;
            scores.push(if spun {
                0.5 + 0.5 * x
            } else if i % 80 == 1 {
                0.85
            } else {
                0.8 * x
            });
            labels.push(spun);
            groups.push(Some(if i % 4 < 2 { "a" } else { "b" }.to_string()));
        }
        let (t, _) = threshold_for_precision_in_every(&scores, &labels, &groups, 0.95).unwrap();
        let s = threshold_spread(&scores, &labels, &groups, 0.95, 100, 7).unwrap();
        assert_eq!((s.draws, s.reached), (100, 100));
        assert!(s.p5 <= s.median && s.median <= s.p95, "{s:?}");
        assert!(s.p5 <= t && t <= s.p95, "the full sample's threshold {t} lies within {s:?}");
        assert!(s.p95 > s.p5, "resampling moves the threshold: {s:?}");
        assert_eq!(Some(s.clone()), threshold_spread(&scores, &labels, &groups, 0.95, 100, 7), "seeded: the same spread");
        assert_ne!(Some(s), threshold_spread(&scores, &labels, &groups, 0.95, 100, 8));
        // no record, or a target no draw reaches
        assert_eq!(threshold_spread(&[], &[], &[], 0.95, 10, 1), None);
        assert_eq!(threshold_spread(&[0.9, 0.9], &[true, false], &[None, None], 0.99, 10, 1), None);
    }

    #[test]
    fn the_worst_domain_decides_the_threshold() {
        // domain a: precision 1 from 0.6 up; domain b: its original scores 0.8, so only 0.9 is clean
        let scores = [0.9, 0.6, 0.1, 0.95, 0.9, 0.8, 0.2];
        let labels = [true, true, false, true, true, false, false];
        let g = |s: &str| Some(s.to_string());
        let groups = [g("a"), g("a"), g("a"), g("b"), g("b"), g("b"), g("b")];
        let (t, each) = threshold_for_precision_in_every(&scores, &labels, &groups, 1.0).unwrap();
        assert_eq!((each["a"], each["b"]), (0.6, 0.9));
        assert_eq!(t, 0.9);
        // a group with one class does not vote; none with both classes is an error
        let one_class = [g("a"), g("a"), g("a"), g("c"), g("c"), g("b"), g("b")];
        let scores2 = [0.9, 0.6, 0.1, 0.95, 0.9, 0.3, 0.2];
        let (t, each) = threshold_for_precision_in_every(&scores2, &labels, &one_class, 1.0).unwrap();
        assert_eq!((t, each.len()), (0.6, 1));
        assert!(threshold_for_precision_in_every(&[0.5], &[true], &[None], 0.9).is_err());
    }
}
