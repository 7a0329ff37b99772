//! Building the data: the reference n-gram counts from corpora, and labeled train/valid/test sets
//! made by spinning source documents.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::{Progress, STREAM_BATCH};
use crate::corpus::{self, Record, Split};
use crate::embedded;
use crate::error::{Error, Result};
use crate::reference::{self, hash_word, Budget, Counter, Reference};
use crate::spin::{Rng, Spinner};
use crate::thesaurus::Thesaurus;

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
    /// Share of spun items whose spinner is consistent (`spin::Family::consistent`: each word or
    /// phrase decided once per document). Defaults to 0 (no extra draws: corpora as before).
    pub consistent_share: f64,
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
            consistent_share: 0.0,
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
    /// Spun by a consistent spinner (`spin::Family::consistent`); written only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub consistent: bool,
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
            let (text, profile, rate, consistent, swaps) = if is_spun {
                let (p, t) = &profiles[rng.below(profiles.len())];
                // A family with rates of its own (heavy, light) draws from its range.
                let (lo, hi) = p.rate_range.unwrap_or(opts.rate_range);
                let rate = lo + rng.unit() * (hi - lo);
                let rate = (rate * 1000.0).round() / 1000.0;
                let consistent = p.family.consistent || (opts.consistent_share > 0.0 && rng.unit() < opts.consistent_share);
                let family = crate::spin::Family { consistent, ..p.family };
                let spinner = Spinner::new(t, crate::spin::Profile { rate, family, ..(*p).clone() });
                let spun = spinner.spin(&text, rng.next_u64());
                (spun.text, Some(p.name.to_string()), Some(rate), consistent, spun.swaps)
            } else {
                (text, None, None, false, Vec::new())
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
                consistent,
                words,
                split: split.name(),
                kind: if is_whole { "document" } else { "chunk" },
                swaps,
            }
        })
        .collect()
}
