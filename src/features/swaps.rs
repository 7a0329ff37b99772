//! The word-level swap model: the fixed, named features of each *candidate* (a content word, or a
//! two-word thesaurus head, that a spinner may have swapped in) and the logistic model that turns
//! them into `p_swap`, the probability that the candidate was swapped in. The features are computed
//! by the extractor in the same pass as the document features; the model is fitted by
//! `unspun train-swaps` on the gold alignments of `unspun corpus` (`pipeline::train_swap_model`)
//! and stored as a versioned, checksummed JSON file (`models/swaps.json`, embedded).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ranking::{Ranker, RANK_FEATURES};
use crate::error::{Error, Result};

/// Names of the candidate features, in the order of [`Candidate::features`] (definitions in
/// `DESIGN.md`).
pub const SWAP_FEATURES: &[&str] = &[
    "oddity",
    "left_assoc",
    "right_assoc",
    "left_unseen",
    "right_unseen",
    "sides",
    "frame_assoc",
    "frame_known",
    "zipf",
    "suggestion_zipf_gap",
    "synonyms_ln",
    "capitalised",
    "in_name",
    "run_start",
    "phrase_words",
    "doc_oddity_mean",
    "doc_bigram_unseen_share",
    "known_phrase",
    "known_gain",
    "neighbour_oddity",
    "vector_oddity",
    "vector_cos",
    "suggestion_cos",
    "repeats_ln",
    "suggestion_in_doc",
    "topic_cos",
    "suggestion_topic_gain",
];
/// Number of candidate features.
pub const SWAP_FEATURE_COUNT: usize = 27;
const _: () = assert!(SWAP_FEATURES.len() == SWAP_FEATURE_COUNT);

/// The features that describe the candidate's document, not the candidate (`doc_oddity_mean`,
/// `doc_bigram_unseen_share`; see [`SwapModel::reporting_p`]).
pub const DOCUMENT_CONTEXT: [usize; 2] = [15, 16];
/// How many candidates a document needs for its context to count half in [`SwapModel::weighted_p`]
/// (about 120 words, the size of a training chunk). Measured with 20 and 50: 20 still reports
/// "said" and "about" in the README's one-sentence example (50: its four swaps only), and finds
/// 0.7 and 0.5 points more of `wild-dev`'s and `science-dev`'s swaps.
pub const CONTEXT_PRIOR_CANDIDATES: f64 = 50.0;
const _: () = assert!(
    matches!(SWAP_FEATURES[15].as_bytes(), b"doc_oddity_mean") && matches!(SWAP_FEATURES[16].as_bytes(), b"doc_bigram_unseen_share")
);

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Format name of swap model files.
pub const FORMAT: &str = "unspun-swap-model";
/// Version of the swap model file format this build writes.
pub const VERSION: u32 = 3;
/// The oldest swap model format this build reads (version 1 has no `threshold_in_spun`: its
/// threshold serves for every document; versions 1 and 2 have no `ranker`: they rank
/// suggestions by [`Ranker::HAND_SET`]).
const OLDEST_VERSION: u32 = 1;

/// A word or phrase of the text that may have been swapped in: `text[start..end]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    /// The words it covers, as token indices `first..end`.
    pub words: (usize, usize),
    /// One value per entry of [`SWAP_FEATURES`], all finite.
    pub features: [f64; SWAP_FEATURE_COUNT],
    /// Oddity in nats: how much better the best-fitting thesaurus synonym or distributional
    /// neighbour fits (0 without one).
    pub oddity: f64,
    /// The likeliest original among the alternatives that fit better (see
    /// [`super::Ranker`]), capitalised like the candidate.
    pub suggestion: Option<String>,
    /// Several words, all capitalised, inside a run: a name ("Wall Street", "Fire Company"),
    /// which is never reported unless it is a known spun phrase (see [`Candidate::whole_name`]).
    pub name: bool,
}

/// Least oddity (nats) that counts as local evidence of a swap ([`Candidate::has_local_evidence`]).
pub const LOCAL_EVIDENCE_ODDITY: f64 = 1.5;

impl Candidate {
    /// A whole name, never reported: several words, all capitalised, inside a run, and not a known
    /// spun phrase (names are not swapped unless broken, and a broken name shows as one odd word:
    /// "Related Press"; a capitalised title's "Profound Learning" is a known phrase).
    pub fn whole_name(&self) -> bool {
        self.name && self.features[17] == 0.0
    }

    /// Whether the text itself points at this candidate, not only its document's context: a
    /// thesaurus neighbour fits clearly better (oddity above [`LOCAL_EVIDENCE_ODDITY`]), it is a
    /// known spun phrase, or, without thesaurus neighbours, one of its pairs is unseen. Without
    /// this, every word of a heavily spun text looks swapped (its context does): below
    /// [`SwapModel::threshold`], only candidates with local evidence are reported (see
    /// [`SwapModel::reports`]).
    pub fn has_local_evidence(&self) -> bool {
        let f = &self.features;
        self.oddity > LOCAL_EVIDENCE_ODDITY || f[17] > 0.0 || (f[10] == 0.0 && (f[3] > 0.0 || f[4] > 0.0))
    }
}

/// A fitted swap model: standardisation, weights pointing at "swapped", and the thresholds above
/// which a candidate is reported: `threshold` in a document judged original, the lower
/// `threshold_in_spun` in one the document model judges spun (where a swap is far more likely).
#[derive(Debug, Clone, PartialEq)]
pub struct SwapModel {
    mean: Vec<f64>,
    std: Vec<f64>,
    weights: Vec<f64>,
    intercept: f64,
    threshold: f64,
    threshold_in_spun: f64,
    ranker: Ranker,
    notes: std::collections::BTreeMap<String, serde_json::Value>,
}

/// How a swap model file stores its ranker: the features by name, with their weights.
#[derive(Serialize, Deserialize)]
struct RankerFile {
    features: Vec<String>,
    weights: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
struct SwapModelFile {
    format: String,
    version: u32,
    features: Vec<String>,
    mean: Vec<f64>,
    std: Vec<f64>,
    weights: Vec<f64>,
    intercept: f64,
    threshold: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threshold_in_spun: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ranker: Option<RankerFile>,
    #[serde(default)]
    notes: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<String>,
}

impl SwapModel {
    /// A model from standardisation, weights (one per [`SWAP_FEATURES`]), intercept and threshold.
    pub fn new(mean: Vec<f64>, std: Vec<f64>, weights: Vec<f64>, intercept: f64, threshold: f64) -> Result<SwapModel> {
        let d = SWAP_FEATURE_COUNT;
        if mean.len() != d || std.len() != d || weights.len() != d {
            return Err(Error::Invalid(format!(
                "a swap model needs {d} means, deviations and weights, got {}/{}/{}",
                mean.len(),
                std.len(),
                weights.len()
            )));
        }
        if !(threshold > 0.0 && threshold < 1.0) || std.iter().any(|&s| s.is_nan() || s <= 0.0) {
            return Err(Error::Invalid("swap model threshold must be in (0, 1) and deviations positive".into()));
        }
        Ok(SwapModel {
            mean,
            std,
            weights,
            intercept,
            threshold,
            threshold_in_spun: threshold,
            ranker: Ranker::HAND_SET,
            notes: Default::default(),
        })
    }

    /// `p_swap` of a candidate.
    pub fn probability(&self, c: &Candidate) -> f64 {
        self.probability_and_weighted(c, 0).0
    }

    /// [`Self::probability`] and [`Self::weighted_p`] of a candidate of a document of `candidates`
    /// candidates, from one pass over its features.
    pub fn probability_and_weighted(&self, c: &Candidate, candidates: usize) -> (f64, f64) {
        // (All terms summed from -0.0 as `Iterator::sum` does; the candidate's own part from the
        // intercept, and its document's.)
        let (mut all, mut own, mut context) = (-0.0, self.intercept, 0.0);
        for k in 0..SWAP_FEATURE_COUNT {
            let term = self.term(c, k);
            all += term;
            if DOCUMENT_CONTEXT.contains(&k) {
                context += term;
            } else {
                own += term;
            }
        }
        let n = candidates as f64;
        (sigmoid(self.intercept + all), sigmoid(own + n / (n + CONTEXT_PRIOR_CANDIDATES) * context))
    }

    /// Feature `k`'s part of a candidate's logit.
    fn term(&self, c: &Candidate, k: usize) -> f64 {
        self.weights[k] * (c.features[k] - self.mean[k]) / self.std[k]
    }

    /// Least `p_swap` of a reported span in a document judged original.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Least `p_swap` of a reported span in a document judged spun (at most [`Self::threshold`]).
    pub fn threshold_in_spun(&self) -> f64 {
        self.threshold_in_spun
    }

    /// Whether a candidate with probability `p`, one of `candidates` of its document, is reported
    /// as a span in a document judged spun (`judged_spun`) or original: never a whole name;
    /// anywhere when [`Self::reporting_p`] reaches [`Self::threshold`]; in a document judged spun
    /// also from [`Self::threshold_in_spun`] up, when the candidate has local evidence
    /// ([`Candidate::has_local_evidence`]: there the context makes every word likelier, and the
    /// lower threshold needs the text itself to point at the word).
    pub fn reports(&self, c: &Candidate, p: f64, judged_spun: bool, candidates: usize) -> bool {
        !c.whole_name()
            && ((p >= self.threshold && self.reporting_p(c, p, candidates) >= self.threshold)
                || (judged_spun && p >= self.threshold_in_spun && c.has_local_evidence()))
    }

    /// The probability that [`Self::threshold`] is held against: `p` itself for a candidate with
    /// local evidence; for one without, the smaller of `p` and [`Self::weighted_p`]. A few words
    /// are a poor estimate of how spun a text looks: in a sentence with two strong swaps every
    /// other word gets a high `p_swap` from its context alone, which is not evidence; a page's
    /// context is.
    pub fn reporting_p(&self, c: &Candidate, p: f64, candidates: usize) -> f64 {
        if c.has_local_evidence() {
            return p;
        }
        p.min(self.weighted_p(c, candidates))
    }

    /// The candidate's probability with its document's context (the [`DOCUMENT_CONTEXT`]
    /// features' part of the logit) weighted by `n / (n + CONTEXT_PRIOR_CANDIDATES)` for a
    /// document of `n` candidates: the context of a short text counts less. (What the
    /// `swap_weighted_*` document features aggregate, and [`Self::reporting_p`] uses.)
    pub fn weighted_p(&self, c: &Candidate, candidates: usize) -> f64 {
        self.probability_and_weighted(c, candidates).1
    }

    /// Least `p_swap` of a reported span, given the document's verdict.
    pub fn threshold_for(&self, judged_spun: bool) -> f64 {
        if judged_spun {
            self.threshold_in_spun
        } else {
            self.threshold
        }
    }

    /// The same model with another threshold (in (0, 1)) for every document.
    pub fn with_threshold(self, p: f64) -> Result<SwapModel> {
        self.with_thresholds(p, p)
    }

    /// The same model with a threshold for documents judged original and a lower or equal one for
    /// documents judged spun (both in (0, 1)).
    pub fn with_thresholds(mut self, original: f64, spun: f64) -> Result<SwapModel> {
        for p in [original, spun] {
            if !(p > 0.0 && p < 1.0) {
                return Err(Error::Invalid(format!("swap threshold must be between 0 and 1 (exclusive), got {p}")));
            }
        }
        if spun > original {
            return Err(Error::Invalid(format!(
                "the swap threshold in documents judged spun ({spun}) must not exceed the one in documents judged original ({original})"
            )));
        }
        (self.threshold, self.threshold_in_spun) = (original, spun);
        Ok(self)
    }

    /// How this model's extractor ranks a candidate's alternatives for being the original.
    pub fn ranker(&self) -> &Ranker {
        &self.ranker
    }

    /// The same model with another ranking of suggestions.
    pub fn with_ranker(self, ranker: Ranker) -> SwapModel {
        SwapModel { ranker, ..self }
    }

    /// Weights on the standardised features, in the order of [`SWAP_FEATURES`].
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Free-form facts stored with the model (training data, validation figures...).
    pub fn notes_mut(&mut self) -> &mut std::collections::BTreeMap<String, serde_json::Value> {
        &mut self.notes
    }

    /// The model as pretty JSON with a CRC-32 checksum of its compact form.
    pub fn to_json(&self) -> String {
        let mut file = SwapModelFile {
            format: FORMAT.into(),
            version: VERSION,
            features: SWAP_FEATURES.iter().map(|s| s.to_string()).collect(),
            mean: self.mean.clone(),
            std: self.std.clone(),
            weights: self.weights.clone(),
            intercept: self.intercept,
            threshold: self.threshold,
            threshold_in_spun: Some(self.threshold_in_spun),
            ranker: Some(RankerFile {
                features: RANK_FEATURES.iter().map(|s| s.to_string()).collect(),
                weights: self.ranker.weights().to_vec(),
            }),
            notes: self.notes.clone(),
            checksum: None,
        };
        file.checksum = Some(format!("{:08x}", crc32fast::hash(serde_json::to_string(&file).expect("serialises").as_bytes())));
        serde_json::to_string_pretty(&file).expect("serialises") + "\n"
    }

    /// Reads a swap model; `origin` names it in errors.
    pub fn from_json(json: &[u8], origin: &Path) -> Result<SwapModel> {
        let bad = |m: String| Error::artifact(origin, m);
        let mut file: SwapModelFile =
            serde_json::from_slice(json).map_err(|e| bad(format!("not a readable swap model ({e}); retrain with `unspun train-swaps`")))?;
        if file.format != FORMAT {
            return Err(bad(format!("not an unspun swap model (format {:?}, expected {FORMAT:?})", file.format)));
        }
        if !(OLDEST_VERSION..=VERSION).contains(&file.version) {
            let which = if file.version > VERSION { "newer" } else { "older" };
            return Err(bad(format!(
                "swap model format {} is {which} than this build reads ({VERSION}): retrain with `unspun train-swaps`",
                file.version
            )));
        }
        let stored = file.checksum.take();
        let actual = format!("{:08x}", crc32fast::hash(serde_json::to_string(&file).expect("serialises").as_bytes()));
        if stored.as_deref() != Some(actual.as_str()) {
            return Err(bad("checksum mismatch: the swap model was edited or corrupted; retrain with `unspun train-swaps`".into()));
        }
        if file.features.iter().map(String::as_str).ne(SWAP_FEATURES.iter().copied()) {
            return Err(bad(format!(
                "swap model features {:?} differ from this build's {:?}: retrain with `unspun train-swaps`",
                file.features, SWAP_FEATURES
            )));
        }
        let mut m = SwapModel::new(file.mean, file.std, file.weights, file.intercept, file.threshold)
            .and_then(|m| m.with_thresholds(file.threshold, file.threshold_in_spun.unwrap_or(file.threshold)))
            .map_err(|e| bad(e.to_string()))?;
        if let Some(r) = file.ranker {
            if r.features.iter().map(String::as_str).ne(RANK_FEATURES.iter().copied()) {
                return Err(bad(format!(
                    "swap model ranking features {:?} differ from this build's {:?}: retrain with `unspun train-swaps`",
                    r.features, RANK_FEATURES
                )));
            }
            m.ranker = Ranker::new(&r.weights).map_err(|e| bad(e.to_string()))?;
        }
        m.notes = file.notes;
        Ok(m)
    }

    /// Reads a swap model file.
    pub fn load(path: &Path) -> Result<SwapModel> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        SwapModel::from_json(&bytes, path)
    }

    /// Writes the model atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::reference::write_atomically(path, self.to_json().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> SwapModel {
        let mut w = vec![0.0; SWAP_FEATURE_COUNT];
        w[0] = 2.0; // oddity
        SwapModel::new(vec![1.0; SWAP_FEATURE_COUNT], vec![2.0; SWAP_FEATURE_COUNT], w, -1.0, 0.6).unwrap()
    }

    #[test]
    fn probability_is_the_logistic_of_the_standardised_score() {
        let mut c =
            Candidate { start: 0, end: 1, words: (0, 1), features: [1.0; SWAP_FEATURE_COUNT], oddity: 0.0, suggestion: None, name: false };
        assert!((model().probability(&c) - 1.0 / (1.0 + 1f64.exp())).abs() < 1e-12);
        c.features[0] = 5.0; // (5 - 1) / 2 * 2 - 1 = 3
        assert!((model().probability(&c) - 1.0 / (1.0 + (-3f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn local_evidence_is_a_better_synonym_a_known_phrase_or_an_unseen_pair_without_synonyms() {
        let c = |oddity: f64, set: &[(usize, f64)]| {
            let mut features = [0.0; SWAP_FEATURE_COUNT];
            for &(k, v) in set {
                features[k] = v;
            }
            Candidate { start: 0, end: 1, words: (0, 1), features, oddity, suggestion: None, name: false }
        };
        assert!(c(2.0, &[(10, 1.0)]).has_local_evidence());
        assert!(!c(1.0, &[(10, 1.0), (3, 1.0)]).has_local_evidence(), "a synonym fits about as well: the pair is not enough");
        assert!(c(0.0, &[(17, 1.0)]).has_local_evidence());
        assert!(c(0.0, &[(4, 1.0)]).has_local_evidence());
        assert!(!c(0.0, &[]).has_local_evidence(), "context alone is not evidence");
        let name = Candidate { name: true, ..c(2.0, &[(10, 1.0)]) };
        assert!(name.whole_name(), "a whole name is not reported");
        assert!(!Candidate { name: true, ..c(0.0, &[(17, 1.0)]) }.whole_name(), "unless it is a known spun phrase");
        assert!(!c(2.0, &[(10, 1.0)]).whole_name());
    }

    #[test]
    fn below_the_threshold_only_local_evidence_is_reported_and_only_in_documents_judged_spun() {
        // p_swap = sigma(doc_oddity_mean - 1), in a long text (its context counts almost fully)
        let m = context_model();
        let at = |context: f64, oddity: f64| {
            let mut features = [0.0; SWAP_FEATURE_COUNT];
            features[15] = context;
            let c = Candidate { start: 0, end: 1, words: (0, 1), features, oddity, suggestion: None, name: false };
            let p = m.probability(&c);
            (c, p)
        };
        let long = 1_000_000;
        let (high, p) = at(4.0, 0.0); // p 0.95
        let (odd_high, q) = at(4.0, 2.0);
        let (middle, r) = at(1.5, 0.0); // p 0.62: between the two thresholds
        let (odd_middle, _) = at(1.5, 2.0);
        let (odd_low, t) = at(0.5, 2.0); // p 0.38
        for judged_spun in [false, true] {
            assert!(
                m.reports(&high, p, judged_spun, long) && m.reports(&odd_high, q, judged_spun, long),
                "at the threshold, evidence or not"
            );
            assert!(!m.reports(&middle, r, judged_spun, long), "below it, context alone is not enough");
            assert!(!m.reports(&odd_low, t, judged_spun, long));
        }
        assert!(
            m.reports(&odd_middle, r, true, long) && !m.reports(&odd_middle, r, false, long),
            "the lower threshold holds in spun documents"
        );
        assert!(!m.reports(&Candidate { name: true, words: (0, 2), ..odd_high }, q, true, long), "never a whole name");
    }

    /// `p_swap = sigma(doc_oddity_mean - 1)` (only the document's context counts), thresholds 0.8
    /// and 0.6.
    fn context_model() -> SwapModel {
        let mut w = vec![0.0; SWAP_FEATURE_COUNT];
        w[15] = 1.0;
        SwapModel::new(vec![0.0; SWAP_FEATURE_COUNT], vec![1.0; SWAP_FEATURE_COUNT], w, -1.0, 0.5)
            .unwrap()
            .with_thresholds(0.8, 0.6)
            .unwrap()
    }

    #[test]
    fn a_short_texts_context_counts_less_for_a_word_without_local_evidence() {
        let m = context_model();
        let mut features = [0.0; SWAP_FEATURE_COUNT];
        features[15] = 4.0;
        let plain = Candidate { start: 0, end: 1, words: (0, 1), features, oddity: 0.0, suggestion: None, name: false };
        let p = m.probability(&plain);
        assert!((p - 1.0 / (1.0 + (-3f64).exp())).abs() < 1e-12);
        // 10 candidates: the context weighs 10 / 60, sigma(-1 + 4 / 6) < 0.8; 1000: sigma(-1 + 4 * 1000 / 1050)
        assert!((m.reporting_p(&plain, p, 10) - 1.0 / (1.0 + (1.0 - 4.0 / 6.0f64).exp())).abs() < 1e-12);
        assert!(!m.reports(&plain, p, true, 10) && !m.reports(&plain, p, false, 10));
        assert!(m.reports(&plain, p, false, 1000));
        assert!(m.reporting_p(&plain, p, 1_000_000) <= p, "never above p itself");
        // local evidence: p itself, however short the text
        let odd = Candidate { oddity: 2.0, ..plain.clone() };
        assert_eq!(m.reporting_p(&odd, p, 10), p);
        assert!(m.reports(&odd, p, false, 10));
        // the weighted probability (what the swap_weighted_* document features aggregate), with
        // or without local evidence: none of the context without candidates, half at
        // CONTEXT_PRIOR_CANDIDATES, almost all in a long text
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        for c in [&plain, &odd] {
            assert!(close(m.weighted_p(c, 0), sigmoid(-1.0)) && close(m.weighted_p(c, 50), sigmoid(1.0)));
            assert!((m.weighted_p(c, 1_000_000) - p).abs() < 1e-5);
        }
    }

    #[test]
    fn json_round_trip_is_exact_and_damage_is_refused() {
        let mut m = model();
        m.notes_mut().insert("data".into(), "x".into());
        let json = m.to_json();
        assert_eq!(SwapModel::from_json(json.as_bytes(), Path::new("s.json")).unwrap(), m);
        let edited = json.replace("0.6", "0.5");
        assert!(SwapModel::from_json(edited.as_bytes(), Path::new("s.json")).unwrap_err().to_string().contains("checksum"));
        assert!(SwapModel::from_json(b"{}", Path::new("s.json")).unwrap_err().to_string().starts_with("s.json:"));
        assert!(SwapModel::new(vec![0.0], vec![1.0], vec![1.0], 0.0, 0.5).is_err());
        let ranked = model().with_ranker(Ranker::new(&[0.5, 1.0, 0.0, 2.0, 0.25, 0.0, -1.0]).unwrap());
        assert_eq!(SwapModel::from_json(ranked.to_json().as_bytes(), Path::new("s.json")).unwrap(), ranked);
        let two = model().with_thresholds(0.8, 0.5).unwrap();
        assert_eq!(SwapModel::from_json(two.to_json().as_bytes(), Path::new("s.json")).unwrap(), two);
        assert_eq!((two.threshold_for(false), two.threshold_for(true)), (0.8, 0.5));
        assert!(model().with_thresholds(0.5, 0.8).is_err(), "a spun document never needs more evidence");
    }

    #[test]
    fn a_version_1_file_reads_with_one_threshold_for_every_document_and_the_hand_set_ranking() {
        // Version 1 had no `threshold_in_spun` nor `ranker`; its checksum covers the fields it had.
        let learned = model().with_ranker(Ranker::new(&[0.5; 7]).unwrap());
        let mut file: serde_json::Value = serde_json::from_str(&learned.to_json()).unwrap();
        let o = file.as_object_mut().unwrap();
        o.insert("version".into(), 1.into());
        o.remove("threshold_in_spun");
        o.remove("ranker");
        o.remove("checksum");
        let compact: SwapModelFile = serde_json::from_value(file.clone()).unwrap();
        let sum = format!("{:08x}", crc32fast::hash(serde_json::to_string(&compact).unwrap().as_bytes()));
        file.as_object_mut().unwrap().insert("checksum".into(), sum.into());
        let m = SwapModel::from_json(file.to_string().as_bytes(), Path::new("s.json")).unwrap();
        assert_eq!((m.threshold_for(false), m.threshold_for(true)), (0.6, 0.6));
        assert_eq!(*m.ranker(), Ranker::HAND_SET);
    }
}
