//! One library function per command: build the reference, make a labeled corpus, train, score,
//! evaluate. The CLI only parses arguments, calls these and prints.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::{self, Record, Split};
use crate::embedded;
use crate::error::{Error, Result};
use crate::eval::{self, Metrics, Report};
use crate::features::{Alternatives, Candidate, FeatureExtractor, Ranker, Span, SwapModel};
use crate::model::{CheckedParams, Detector};
use crate::reference::{self, hash_word, Budget, Counter, Reference};
use crate::report;
use crate::spin::{Rng, Spinner};
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
    if is_binary(text) {
        return Score { p_spun: None, spun: None, words: 0, spans: Vec::new(), note: Some("binary data, not text".into()) };
    }
    let judged = judged_part(text);
    let analysis = if explain { extractor.explain(judged) } else { extractor.extract(judged) };
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

/// Options of [`build_reference`].
#[derive(Debug, Clone, Default)]
pub struct ReferenceOptions {
    pub budget: Budget,
    /// Files of `ngram<TAB>count` lines (e.g. web counts), added with their counts scaled so that
    /// their unigram total equals the corpora's token count times `counts_weight`.
    pub counts: Vec<PathBuf>,
    /// Defaults to 1.0 (web counts weigh as much as the corpora).
    pub counts_weight: f64,
    /// Back-off language models in ARPA format, each with its weight: an n-gram adds the pseudo-count
    /// `weight · corpus tokens · P(n-gram)` (see [`reference::arpa`]).
    pub language_models: Vec<(PathBuf, f64)>,
    /// Bigrams and trigrams of the corpora must occur in at least this many documents to count.
    /// Defaults to 0 (no such filter).
    pub min_documents: u32,
    /// A reference to extend instead of building from nothing: its counts are kept and the new ones
    /// added (see [`Reference::extended`]).
    pub base: Option<PathBuf>,
    /// Count every document, not only those of [`Split::Reference`].
    pub all_documents: bool,
}

/// Counts the corpora (JSON Lines or CSV with a `text` field; documents of the reference split
/// only, unless `all_documents`), any count files and language models, and freezes the result (or
/// adds it to the base reference).
pub fn build_reference(corpora: &[PathBuf], opts: &ReferenceOptions, progress: Progress<'_>) -> Result<Reference> {
    let base = opts.base.as_deref().map(Reference::load).transpose()?;
    let new_counter = || if opts.min_documents > 1 { Counter::counting_documents() } else { Counter::new() };
    let mut total = new_counter();
    let mut sources = Vec::new();
    for path in corpora {
        let mut batch: Vec<String> = Vec::with_capacity(STREAM_BATCH);
        let before = total.documents();
        let flush = |batch: &mut Vec<String>, total: &mut Counter| {
            let c = batch
                .par_iter()
                .fold(new_counter, |mut c, t| {
                    c.add_text(t);
                    c
                })
                .reduce(new_counter, |mut a, b| {
                    a.merge(b);
                    a
                });
            total.merge(c);
            progress(batch.len() as u64);
            batch.clear();
        };
        for rec in corpus::read(path, false)? {
            let rec = rec?;
            if opts.all_documents || Split::of(&rec.id) == Split::Reference {
                batch.push(rec.text);
                if batch.len() == STREAM_BATCH * 4 {
                    flush(&mut batch, &mut total);
                }
            }
        }
        flush(&mut batch, &mut total);
        sources.push(format!("{} ({} documents)", file_name(path), total.documents() - before));
    }
    if opts.min_documents > 1 {
        let dropped = total.keep_ngrams_seen_in(opts.min_documents);
        sources.push(format!("bigrams and trigrams seen in at least {} documents ({dropped} others dropped)", opts.min_documents));
    }
    let corpus_tokens = total.tokens();
    if !opts.counts.is_empty() {
        let lists: Vec<Vec<(String, u64)>> = opts.counts.iter().map(|p| read_counts(p)).collect::<Result<_>>()?;
        let unigram_total: u64 = lists.iter().flatten().filter(|(g, _)| !g.contains(' ')).map(|(_, c)| c).sum();
        if unigram_total == 0 {
            return Err(Error::Invalid(
                "count files hold no single-word counts, so they cannot be scaled to the corpora: add a unigram count file".into(),
            ));
        }
        let weight = if opts.counts_weight > 0.0 { opts.counts_weight } else { 1.0 };
        let scale = weight * corpus_tokens.max(1) as f64 / unigram_total as f64;
        for (path, list) in opts.counts.iter().zip(&lists) {
            for (gram, count) in list {
                total.add_ngram(gram, ((*count as f64) * scale).round().max(1.0) as u64);
            }
            sources.push(format!("{} ({} n-grams, scale {scale:.3e})", file_name(path), list.len()));
        }
    }
    for (path, weight) in &opts.language_models {
        if corpus_tokens == 0 {
            return Err(Error::Invalid(format!(
                "{}: a language model's probabilities are scaled to the corpora's size: give --corpus too",
                path.display()
            )));
        }
        let lm = reference::arpa::Lm::read(corpus::open(path)?, path)?;
        let scale = weight * corpus_tokens as f64;
        lm.pseudo_counts(scale, |words, count| total.add_hashed(words, count.round() as u64));
        sources.push(format!(
            "{} (language model: {} unigrams, {} bigrams, {} trigrams; scale {scale:.3e})",
            file_name(path),
            lm.len(1),
            lm.len(2),
            lm.len(3)
        ));
    }
    if total.tokens() == 0 && opts.counts.is_empty() && opts.language_models.is_empty() {
        return Err(Error::Invalid("no text counted: the corpora hold no documents of the reference split".into()));
    }
    Ok(match &base {
        Some(base) => base.extended(&total, opts.budget.min_count[1], sources),
        None => total.freeze(&opts.budget, sources),
    })
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn read_counts(path: &Path) -> Result<Vec<(String, u64)>> {
    use std::io::BufRead;
    let mut out = Vec::new();
    for (i, line) in corpus::open(path)?.lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (gram, count) = line
            .rsplit_once('\t')
            .and_then(|(g, c)| Some((g, c.trim().parse::<u64>().ok()?)))
            .ok_or_else(|| Error::record(path, i as u64 + 1, "expected `ngram<TAB>count`"))?;
        out.push((gram.to_string(), count));
    }
    Ok(out)
}

/// Options of [`build_corpus`].
#[derive(Debug, Clone)]
pub struct CorpusOptions {
    /// Spinner profiles drawn from for spun items, in turn. Defaults to all built-in profiles.
    pub profiles: Vec<String>,
    /// Spin rates are drawn uniformly from this range. Defaults to 0.05..0.5.
    pub rate_range: (f64, f64),
    /// Paragraph chunks are between these word counts. Defaults to 80..400.
    pub chunk_words: (usize, usize),
    /// At most this many chunks are taken from one source document. Defaults to 2.
    pub chunks_per_document: usize,
    /// Share of items that are whole documents (capped at `max_document_words`). Defaults to 0.1.
    pub whole_document_share: f64,
    /// Defaults to 3000.
    pub max_document_words: usize,
    /// Defaults to 1.
    pub seed: u64,
    /// Use every source document, also those of [`Split::Reference`], which then go to `train`
    /// (for your own originals, which the reference never counted). Validation and test documents
    /// are the same either way. Defaults to false.
    pub all_documents: bool,
}

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions {
            profiles: crate::spin::PROFILES.iter().map(|p| p.name.to_string()).collect(),
            rate_range: (0.05, 0.5),
            chunk_words: (80, 400),
            chunks_per_document: 2,
            whole_document_share: 0.1,
            max_document_words: 3000,
            seed: 1,
            all_documents: false,
        }
    }
}

/// One item of a generated corpus (written as a JSON line).
#[derive(Debug, Clone, Serialize)]
pub struct CorpusItem {
    pub id: String,
    pub text: String,
    pub label: &'static str,
    pub source_doc: String,
    /// The source document's domain: its `corpus` field, else the source file's name (e.g.
    /// `enwiki`, `ungdc_speeches`), for per-domain thresholds and slices.
    pub domain: String,
    pub profile: Option<String>,
    pub rate: Option<f64>,
    pub words: usize,
    pub split: &'static str,
    /// `chunk` (paragraphs) or `document` (a whole source document, capped).
    pub kind: &'static str,
    /// Where the spinner swapped words, and what they said before (empty for originals).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub swaps: Vec<crate::spin::Swap>,
}

/// Items written per split.
pub type CorpusSummary = BTreeMap<&'static str, (usize, usize)>;

/// Builds labeled train/valid/test sets from source documents (JSON Lines with `id` and `text`):
/// documents are split by id ([`Split`]; reference documents are skipped unless
/// [`CorpusOptions::all_documents`]), each document is either
/// an original or a spun source (by id), and spun items are made by the given spinner profiles at
/// mixed rates. Writes `train.jsonl.gz`, `valid.jsonl.gz`, `test.jsonl.gz` into `out_dir`.
pub fn build_corpus(sources: &[PathBuf], opts: &CorpusOptions, out_dir: &Path, progress: Progress<'_>) -> Result<CorpusSummary> {
    if opts.profiles.is_empty() {
        return Err(Error::Invalid("no spinner profile given".into()));
    }
    let mut profiles = Vec::new();
    for name in &opts.profiles {
        let p = crate::spin::profile(name).ok_or_else(|| {
            Error::Invalid(format!(
                "unknown profile {name:?}; known: {}",
                crate::spin::PROFILES.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
            ))
        })?;
        profiles.push((p, embedded::thesaurus(p.thesaurus)?));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let mut writers = BTreeMap::new();
    for split in [Split::Train, Split::Valid, Split::Test] {
        let path = out_dir.join(format!("{}.jsonl.gz", split.name()));
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        writers.insert(split, (path, flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::default())));
    }
    let mut summary = CorpusSummary::new();
    for path in sources {
        let mut docs: Vec<Record> = Vec::with_capacity(STREAM_BATCH);
        let mut flush = |docs: &mut Vec<Record>| -> Result<()> {
            let items: Vec<Vec<CorpusItem>> = docs.par_iter().map(|d| corpus_items(d, &domain_of(d, path), opts, &profiles)).collect();
            for item in items.into_iter().flatten() {
                let split = match item.split {
                    "train" => Split::Train,
                    "valid" => Split::Valid,
                    _ => Split::Test,
                };
                let (p, w) = writers.get_mut(&split).expect("three writers");
                serde_json::to_writer(&mut *w, &item).map_err(|e| Error::io(p.as_path(), e.into()))?;
                w.write_all(b"\n").map_err(|e| Error::io(p.as_path(), e))?;
                let e = summary.entry(item.split).or_default();
                if item.label == "spun" {
                    e.0 += 1
                } else {
                    e.1 += 1
                }
            }
            progress(docs.len() as u64);
            docs.clear();
            Ok(())
        };
        for rec in corpus::read(path, false)? {
            let rec = rec?;
            if opts.all_documents || Split::of(&rec.id) != Split::Reference {
                docs.push(rec);
                if docs.len() == STREAM_BATCH {
                    flush(&mut docs)?;
                }
            }
        }
        flush(&mut docs)?;
    }
    for (_, (p, w)) in writers {
        w.finish().and_then(|mut b| b.flush()).map_err(|e| Error::io(&p, e))?;
    }
    Ok(summary)
}

/// The items one source document contributes.
/// A source document's domain (see [`CorpusItem::domain`]).
fn domain_of(doc: &Record, source: &Path) -> String {
    doc.extra.get("corpus").cloned().unwrap_or_else(|| {
        let name = file_name(source);
        name.split('.').next().unwrap_or(&name).to_string()
    })
}

fn corpus_items(doc: &Record, domain: &str, opts: &CorpusOptions, profiles: &[(&crate::spin::Profile, Thesaurus)]) -> Vec<CorpusItem> {
    // Reference documents only come here with `all_documents`.
    let split = match Split::of(&doc.id) {
        Split::Reference => Split::Train,
        split => split,
    };
    let mut rng = Rng::new(hash_word(&doc.id) ^ opts.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    // Whether this document is an original or a spun source is decided by its id alone, so the
    // originals and spun items of a split come from different documents.
    let is_spun = hash_word(&format!("role:{}", doc.id)).is_multiple_of(2);
    let paragraphs: Vec<&str> = doc.text.split('\n').map(str::trim).filter(|p| !p.is_empty()).collect();
    let mut chunks: Vec<String> = Vec::new();
    let is_whole = rng.unit() < opts.whole_document_share;
    if is_whole {
        let words: Vec<&str> = doc.text.split_whitespace().collect();
        if words.len() >= opts.chunk_words.0 {
            let mut text = String::new();
            let mut n = 0;
            for p in &paragraphs {
                n += p.split_whitespace().count();
                if n > opts.max_document_words && !text.is_empty() {
                    break;
                }
                text.push_str(p);
                text.push('\n');
            }
            chunks.push(text.trim_end().to_string());
        }
    } else {
        let mut candidates: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut n = 0;
        // Each chunk aims at a length drawn uniformly from the allowed range.
        let draw_target = |rng: &mut Rng| opts.chunk_words.0 + rng.below(opts.chunk_words.1 - opts.chunk_words.0 + 1);
        let mut target = draw_target(&mut rng);
        for p in &paragraphs {
            let w = p.split_whitespace().count();
            if n + w > opts.chunk_words.1 && n >= opts.chunk_words.0 {
                candidates.push(std::mem::take(&mut current));
                n = 0;
                target = draw_target(&mut rng);
            }
            if n + w > opts.chunk_words.1 {
                continue; // a single paragraph longer than the maximum
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(p);
            n += w;
            if n >= target {
                candidates.push(std::mem::take(&mut current));
                n = 0;
                target = draw_target(&mut rng);
            }
        }
        if n >= opts.chunk_words.0 {
            candidates.push(current);
        }
        while !candidates.is_empty() && chunks.len() < opts.chunks_per_document {
            let i = rng.below(candidates.len());
            chunks.push(candidates.swap_remove(i));
        }
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(k, text)| {
            let id = format!("{}#{k}", doc.id);
            let (text, profile, rate, swaps) = if is_spun {
                let (p, t) = &profiles[rng.below(profiles.len())];
                // A family with rates of its own (heavy, light) draws from its range.
                let (lo, hi) = p.rate_range.unwrap_or(opts.rate_range);
                let rate = lo + rng.unit() * (hi - lo);
                let rate = (rate * 1000.0).round() / 1000.0;
                let spinner = Spinner::new(t, crate::spin::Profile { rate, ..(*p).clone() });
                let spun = spinner.spin(&text, rng.next_u64());
                (spun.text, Some(p.name.to_string()), Some(rate), spun.swaps)
            } else {
                (text, None, None, Vec::new())
            };
            let words = crate::text::tokenize(&text).len();
            CorpusItem {
                id,
                text,
                label: if is_spun { "spun" } else { "original" },
                source_doc: doc.id.clone(),
                domain: domain.to_string(),
                profile,
                rate,
                words,
                split: split.name(),
                kind: if is_whole { "document" } else { "chunk" },
                swaps,
            }
        })
        .collect()
}

/// Least oddity (nats) of a span whose suggestion `restore` applies: above the evidence threshold
/// so that only confident suggestions change the text (measured with `unspun eval-spans` on held-out
/// spins of the training profiles: at 5.0, 79% of spans are on a swap and 81% of their suggestions
/// are the original word).
pub const RESTORE_MIN_ODDITY: f64 = 5.0;
/// Least `p_swap` of a suggestion [`restore`] applies when spans come from the swap model: well
/// above its reporting threshold (about 0.74), so that only the most confident swaps are undone.
pub const RESTORE_MIN_P_SWAP: f64 = 0.9;

/// One change made by [`restore`]: `text[start..end]` of the input became `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub start: usize,
    pub end: usize,
    pub from: String,
    pub to: String,
    pub score: f64,
}

/// Applies the confident suggestions to `text`: those of spans with `p_swap` at least
/// `min_p_swap` (spans of the swap model), or with oddity at least `min_oddity` (spans without
/// one). The result is the likely original wording of a spun text. Returns the new text and the
/// changes, in text order.
pub fn restore(extractor: &FeatureExtractor<'_>, text: &str, min_oddity: f64, min_p_swap: f64) -> (String, Vec<Change>) {
    let mut out = String::with_capacity(text.len());
    let mut changes = Vec::new();
    let mut at = 0;
    for span in extractor.explain(text).spans {
        let Some(to) = span.suggestion else { continue };
        // With the swap model, a confident swap whose suggestion also fits clearly better (or a
        // known spun phrase, whose suggestion has no oddity).
        let confident = match span.p_swap {
            Some(p) => p >= min_p_swap && (span.score > crate::features::ODDITY_HIGH || span.score == 0.0),
            None => span.score >= min_oddity,
        };
        if !confident {
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(&to);
        changes.push(Change { start: span.start, end: span.end, from: text[span.start..span.end].to_string(), to, score: span.score });
        at = span.end;
    }
    out.push_str(&text[at..]);
    (out, changes)
}

/// How well explanations find known swaps (see [`evaluate_spans`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpanReport {
    /// Spun documents with gold swaps, and their swaps.
    pub spun_documents: usize,
    pub swaps: usize,
    /// Swaps overlapped by a reported span.
    pub swaps_found: usize,
    /// Found swaps whose suggestion equals the original wording (case-insensitive).
    pub suggestions_right: usize,
    /// Spans reported in spun documents, and how many overlap a swap.
    pub spans: usize,
    pub spans_on_swaps: usize,
    /// Original documents, their words, and the spans reported in them (false flags).
    pub original_documents: usize,
    pub original_words: usize,
    pub original_spans: usize,
    /// swaps_found / swaps
    pub swap_recall: f64,
    /// spans_on_swaps / spans
    pub span_precision: f64,
    /// suggestions_right / swaps_found
    pub suggestion_accuracy: f64,
    /// original_spans per 100 words of original documents
    pub original_spans_per_100_words: f64,
}

/// Compares the spans `score --explain` reports (with `detector`'s verdicts: see
/// [`FeatureExtractor::spans_for_verdict`]) with the gold swaps of labeled records (records of
/// `unspun corpus`, which carry `swaps`). Spun records without swaps are skipped.
pub fn evaluate_spans(records: &[Record], resources: &Resources, detector: &Detector, progress: Progress<'_>) -> SpanReport {
    let fx = resources.extractor();
    let per_doc: Vec<SpanReport> = records
        .par_iter()
        .map(|r| {
            let mut rep = SpanReport::default();
            let spun = r.label == Some(true);
            if spun && r.swaps.is_empty() {
                progress(1);
                return rep;
            }
            let analysis = score_text(&fx, detector, &r.text, true);
            if spun {
                rep.spun_documents = 1;
                rep.swaps = r.swaps.len();
                rep.spans = analysis.spans.len();
                for w in &r.swaps {
                    if let Some(s) = analysis.spans.iter().find(|s| s.start < w.end && w.start < s.end) {
                        rep.swaps_found += 1;
                        if s.suggestion.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(&w.original)) {
                            rep.suggestions_right += 1;
                        }
                    }
                }
                rep.spans_on_swaps = analysis.spans.iter().filter(|s| r.swaps.iter().any(|w| s.start < w.end && w.start < s.end)).count();
            } else {
                rep.original_documents = 1;
                rep.original_words = analysis.words;
                rep.original_spans = analysis.spans.len();
            }
            progress(1);
            rep
        })
        .collect();
    let mut t = SpanReport::default();
    for d in per_doc {
        t.spun_documents += d.spun_documents;
        t.swaps += d.swaps;
        t.swaps_found += d.swaps_found;
        t.suggestions_right += d.suggestions_right;
        t.spans += d.spans;
        t.spans_on_swaps += d.spans_on_swaps;
        t.original_documents += d.original_documents;
        t.original_words += d.original_words;
        t.original_spans += d.original_spans;
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    t.swap_recall = ratio(t.swaps_found, t.swaps);
    t.span_precision = ratio(t.spans_on_swaps, t.spans);
    t.suggestion_accuracy = ratio(t.suggestions_right, t.swaps_found);
    t.original_spans_per_100_words = 100.0 * ratio(t.original_spans, t.original_words);
    t
}

/// False flags per 100 words of original text that the swap model's threshold allows on the
/// validation originals (the explanations' goal: at most one honest phrase flagged per 100 words).
pub const SWAP_FALSE_FLAGS_PER_100: f64 = 1.0;

/// What [`train_swap_model`] measured on the validation data at the chosen threshold.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SwapValidation {
    pub threshold: f64,
    /// Gold swaps of spun records, those covered by a candidate at or above the threshold, and
    /// those whose suggestion is the original wording.
    pub swaps: usize,
    pub found: usize,
    pub restored: usize,
    /// The threshold in documents judged spun, and the same two counts at it.
    pub threshold_in_spun: f64,
    pub found_in_spun: usize,
    pub restored_in_spun: usize,
    /// Share of the spans reported in spun records at `threshold_in_spun` that are on a gold swap.
    pub span_precision_in_spun: f64,
    /// Reported spans per 100 words of the original records.
    pub false_flags_per_100_words: f64,
    /// The same per domain of the originals (their `domain` field), when they have one.
    pub false_flags_by_domain: BTreeMap<String, f64>,
}

/// Candidates of labeled records with their labels: a candidate of a spun record is a positive
/// when it overlaps a gold swap; every candidate of an original is a negative. Spun records
/// without gold swaps are left out.
fn swap_rows<'a>(records: &'a [Record], extractor: &FeatureExtractor<'_>, progress: Progress<'_>) -> Vec<(&'a Record, Vec<Candidate>)> {
    records
        .par_iter()
        .filter(|r| !(r.label == Some(true) && r.swaps.is_empty()))
        .map(|r| {
            progress(1);
            (r, extractor.candidates(&r.text))
        })
        .collect()
}

/// Other alternatives each original is compared with when learning a ranking (see [`Ranker::learn`]).
const MAX_RANKING_PAIRS: usize = 20;

/// The ranking of suggestions for a swap model: learned on the training swaps whose original is
/// among their alternatives, and kept only when it transfers to a spinner it never saw: for every
/// profile of the validation data, the ranking learned without that profile puts more of its
/// originals first than [`Ranker::HAND_SET`]. Also what was measured, for the model's notes.
fn learn_ranking(
    train: &[Record],
    valid: &[Record],
    fx: &FeatureExtractor<'_>,
    alpha: f64,
    progress: Progress<'_>,
) -> Result<(Ranker, serde_json::Value)> {
    let (train_sets, valid_sets) = (ranking_sets(train, fx, progress), ranking_sets(valid, fx, progress));
    fn of<'s>(sets: &'s [(Alternatives, usize, String)], keep: &dyn Fn(&str) -> bool) -> Vec<(&'s Alternatives, usize)> {
        sets.iter().filter(|(_, _, p)| keep(p)).map(|(s, k, _)| (s, *k)).collect()
    }
    let all_valid = of(&valid_sets, &|_| true);
    // (Too few sets to learn from, e.g. a tiny corpus: the hand-set ranking.)
    let Ok(learned) = Ranker::learn(&of(&train_sets, &|_| true), alpha, MAX_RANKING_PAIRS) else {
        return Ok((Ranker::HAND_SET, serde_json::json!({ "train_sets": train_sets.len(), "learned_kept": false })));
    };
    let profiles: std::collections::BTreeSet<&str> = valid_sets.iter().map(|(_, _, p)| p.as_str()).collect();
    let mut left_out = serde_json::Map::new();
    let mut transfers = !profiles.is_empty();
    for p in profiles {
        let without = Ranker::learn(&of(&train_sets, &|q| q != p), alpha, MAX_RANKING_PAIRS).unwrap_or(Ranker::HAND_SET);
        let on = of(&valid_sets, &|q| q == p);
        let (hand, learned_without) = (Ranker::HAND_SET.accuracy(&on), without.accuracy(&on));
        transfers &= learned_without > hand;
        left_out.insert(
            p.to_string(),
            serde_json::json!({ "sets": on.len(), "first_hand_set": hand, "first_learned_without": learned_without }),
        );
    }
    let ranker = if transfers { learned } else { Ranker::HAND_SET };
    let notes = serde_json::json!({
        "train_sets": train_sets.len(),
        "valid_sets": all_valid.len(),
        "valid_first_hand_set": Ranker::HAND_SET.accuracy(&all_valid),
        "valid_first_learned": learned.accuracy(&all_valid),
        "left_out_profile": left_out,
        "learned_kept": transfers,
    });
    Ok((ranker, notes))
}

/// The alternatives of the spun records' candidates that cover exactly a gold swap whose original
/// is among them (with two or more), the original's index and the record's profile.
fn ranking_sets(records: &[Record], extractor: &FeatureExtractor<'_>, progress: Progress<'_>) -> Vec<(Alternatives, usize, String)> {
    records
        .par_iter()
        .flat_map_iter(|r| {
            progress(1);
            let spun = r.label == Some(true) && !r.swaps.is_empty();
            let sets = if spun { extractor.alternatives(&r.text) } else { Vec::new() };
            sets.into_iter().filter_map(move |set| {
                let swap = r.swaps.iter().find(|w| w.start == set.start && w.end == set.end)?;
                let original = swap.original.to_lowercase();
                let k = set.alternatives.iter().position(|a| a.text == original)?;
                (set.alternatives.len() > 1).then(|| (set, k, r.extra.get("profile").cloned().unwrap_or_default()))
            })
        })
        .collect()
}

fn overlaps_swap(c: &Candidate, r: &Record) -> bool {
    r.swaps.iter().any(|w| c.start < w.end && w.start < c.end)
}

/// The lowest threshold at which at most `max_per_100` of every 100 `words` are flagged, given the
/// flaggable candidates' probabilities `p` (ties flag together).
fn threshold_for_flags(p: &[f64], words: usize, max_per_100: f64) -> f64 {
    let mut p = p.to_vec();
    p.sort_unstable_by(|a, b| b.total_cmp(a));
    let allowed = (max_per_100 / 100.0 * words as f64).floor() as usize;
    p.get(allowed).map_or(1e-6, |&x| x + 1e-9).clamp(1e-6, 1.0 - 1e-6)
}

/// The threshold (at most `ceiling`, on a grid of 0.01) that maximises the F1 of spans against gold
/// swaps in spun records: `spans` holds each reported-if-above-threshold candidate's `p` and
/// whether it is on a swap, `swaps` each swap's highest `p` among those on it (0 for none).
fn threshold_for_span_f1(spans: &[(f64, bool)], swaps: &[f64], ceiling: f64) -> f64 {
    let f1 = |t: f64| {
        let reported = spans.iter().filter(|(p, _)| *p >= t).count();
        let on = spans.iter().filter(|(p, on)| *on && *p >= t).count();
        let found = swaps.iter().filter(|&&p| p >= t).count();
        let (precision, recall) = (on as f64 / reported.max(1) as f64, found as f64 / swaps.len().max(1) as f64);
        if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        }
    };
    let mut best = (f1(ceiling), ceiling);
    for k in (1..100).rev().map(|k| f64::from(k) / 100.0).filter(|&t| t < ceiling) {
        let f = f1(k);
        if f > best.0 {
            best = (f, k);
        }
    }
    best.1
}

/// Fits the word-level swap model on the candidates of labeled records with gold `swaps` (`unspun
/// corpus` output) and picks its thresholds on the validation records: in documents judged
/// original, the lowest whose reported spans on the validation originals of every domain (their
/// `domain` field) stay within `max_false_flags` per 100 words; in documents judged spun, the one
/// (not above it) that maximises the F1 of spans against gold swaps in the spun validation records.
pub fn train_swap_model(
    train: &[Record],
    valid: &[Record],
    resources: &Resources,
    alpha: f64,
    features: Option<Vec<String>>,
    max_false_flags: f64,
    progress: Progress<'_>,
) -> Result<(SwapModel, SwapValidation)> {
    let fx = FeatureExtractor::new(&resources.reference, &resources.thesaurus)
        .with_known_phrases(Some(&resources.known_phrases))
        .with_vectors(resources.vectors.as_ref());
    // First the ranking of suggestions (the candidates' features depend on the suggestion it picks).
    let (ranker, ranking_notes) = learn_ranking(train, valid, &fx, alpha, progress)?;
    let fx = fx.with_ranker(ranker);
    let (mut rows, mut labels) = (Vec::new(), Vec::new());
    for (r, candidates) in swap_rows(train, &fx, progress) {
        for c in candidates {
            labels.push(r.label == Some(true) && overlaps_swap(&c, r));
            rows.push(c.features.to_vec());
        }
    }
    let schema: Vec<&str> = crate::features::SWAP_FEATURES.to_vec();
    let mut params = crate::model::TrainParams::new().alpha(alpha);
    if let Some(names) = features {
        params = params.features(names);
    }
    let fitted = params.check_with(&schema)?.fit(&rows, &labels)?;
    // Features left out weigh nothing (mean 0, deviation 1, weight 0).
    let (mut mean, mut std, mut weights) = (vec![0.0; schema.len()], vec![1.0; schema.len()], vec![0.0; schema.len()]);
    for (k, name) in fitted.feature_names().iter().enumerate() {
        let c = schema.iter().position(|s| s == name).expect("checked against the schema");
        (mean[c], std[c], weights[c]) = (fitted.mean()[k], fitted.std()[k], fitted.weights()[k]);
    }
    let mut model = SwapModel::new(mean, std, weights, fitted.intercept(), 0.5)?.with_ranker(ranker);
    // Threshold: a candidate of an original is flagged at threshold t when it is not a whole name
    // (see `SwapModel::reports`), p >= t and no overlapping such candidate has a higher p (the
    // strongest of overlapping spans is reported).
    let scored: Vec<(&Record, Vec<(Candidate, f64)>)> = swap_rows(valid, &fx, progress)
        .into_iter()
        .map(|(r, cs)| {
            let with_p = cs.into_iter().filter(|c| !c.whole_name()).map(|c| {
                let p = model.probability(&c);
                (c, p)
            });
            (r, with_p.collect())
        })
        .collect();
    // The candidates that would be reported at a threshold they reach: no overlapping one is stronger.
    fn kept(cs: &[(Candidate, f64)]) -> Vec<&(Candidate, f64)> {
        cs.iter().filter(|(c, p)| !cs.iter().any(|(o, q)| q > p && o.start < c.end && c.start < o.end)).collect()
    }
    // The originals' flaggable p per domain (the `domain` field; one group without it), and words.
    let mut by_domain: BTreeMap<String, (Vec<f64>, usize)> = BTreeMap::new();
    for (r, cs) in &scored {
        if r.label != Some(true) {
            let (p, words) = by_domain.entry(r.extra.get("domain").cloned().unwrap_or_default()).or_default();
            p.extend(kept(cs).iter().map(|(_, p)| *p));
            *words += crate::text::tokenize(&r.text).len();
        }
    }
    // The worst domain decides: its originals too stay within the allowed false flags.
    let threshold = by_domain.values().map(|(p, words)| threshold_for_flags(p, *words, max_false_flags)).fold(1e-6, f64::max);
    // In spun records, the candidates that may be reported below `threshold` (those with local
    // evidence) or at it: every kept one (its p, whether it is on a swap) and every swap's highest
    // kept p.
    let eligible = |(c, p): &&(Candidate, f64)| *p >= threshold || c.has_local_evidence();
    let (mut spun_spans, mut spun_swaps) = (Vec::new(), Vec::new());
    for (r, cs) in scored.iter().filter(|(r, _)| r.label == Some(true)) {
        let cs: Vec<(Candidate, f64)> = cs.iter().filter(eligible).cloned().collect();
        let kept = kept(&cs);
        spun_spans.extend(kept.iter().map(|(c, p)| (*p, overlaps_swap(c, r))));
        spun_swaps.extend(
            r.swaps.iter().map(|w| kept.iter().filter(|(c, _)| c.start < w.end && w.start < c.end).map(|(_, p)| *p).fold(0.0, f64::max)),
        );
    }
    let threshold_in_spun = threshold_for_span_f1(&spun_spans, &spun_swaps, threshold);
    model = model.with_thresholds(threshold, threshold_in_spun)?;
    let mut v = SwapValidation { threshold, threshold_in_spun, ..SwapValidation::default() };
    let reported = spun_spans.iter().filter(|(p, _)| *p >= threshold_in_spun);
    v.span_precision_in_spun = reported.clone().filter(|(_, on)| *on).count() as f64 / reported.count().max(1) as f64;
    let per_100 = |p: &[f64], words: usize| 100.0 * p.iter().filter(|&&p| p >= threshold).count() as f64 / words.max(1) as f64;
    let (all_p, all_words): (Vec<f64>, usize) =
        (by_domain.values().flat_map(|(p, _)| p.iter().copied()).collect(), by_domain.values().map(|(_, w)| w).sum());
    v.false_flags_per_100_words = per_100(&all_p, all_words);
    v.false_flags_by_domain = by_domain.iter().filter(|(d, _)| !d.is_empty()).map(|(d, (p, w))| (d.clone(), per_100(p, *w))).collect();
    for (r, cs) in &scored {
        if r.label != Some(true) {
            continue;
        }
        for w in &r.swaps {
            v.swaps += 1;
            for (least, found, restored) in
                [(threshold, &mut v.found, &mut v.restored), (threshold_in_spun, &mut v.found_in_spun, &mut v.restored_in_spun)]
            {
                let hits: Vec<_> =
                    cs.iter().filter(|cp| eligible(cp) && cp.1 >= least && cp.0.start < w.end && w.start < cp.0.end).collect();
                if !hits.is_empty() {
                    *found += 1;
                    if hits.iter().any(|(c, _)| c.suggestion.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(&w.original))) {
                        *restored += 1;
                    }
                }
            }
        }
    }
    let notes = model.notes_mut();
    notes.insert("rows".into(), rows.len().into());
    notes.insert("swapped_rows".into(), labels.iter().filter(|&&l| l).count().into());
    notes.insert("max_false_flags_per_100_words".into(), max_false_flags.into());
    notes.insert("validation".into(), serde_json::to_value(&v).expect("serialises"));
    notes.insert("ranking".into(), ranking_notes);
    Ok((model, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_swap_threshold_allows_the_given_flags() {
        // 200 words at 1 per 100: two flags allowed, so the third-highest p is just not flagged
        let t = threshold_for_flags(&[0.2, 0.9, 0.5, 0.7], 200, 1.0);
        assert!(t > 0.5 && t < 0.7, "{t}");
        // no flag allowed: above the highest; fewer candidates than allowed: everything flagged
        assert!(threshold_for_flags(&[0.2, 0.9], 50, 1.0) > 0.9);
        assert_eq!(threshold_for_flags(&[0.2], 1000, 1.0), 1e-6);
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
