//! The word level: `restore`, how well explanations find known swaps (`eval-spans`), and the
//! training of the swap model with its ranking and thresholds (`train-swaps`).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::{is_binary, judged_part, score_text, score_with, Progress, Resources};
use crate::corpus::Record;
use crate::error::Result;
use crate::features::{Alternatives, Candidate, FeatureExtractor, Ranker, Span, SwapModel};
use crate::model::Detector;
use crate::spin::Swap;

/// Least oddity (nats) of a span whose suggestion `restore` applies: above the evidence threshold
/// so that only confident suggestions change the text (measured with `unspun eval-spans` on held-out
/// spins of the training profiles: at 5.0, 79% of spans are on a swap and 81% of their suggestions
/// are the original word).
pub const RESTORE_MIN_ODDITY: f64 = 5.0;
/// Least `p_swap` of a suggestion [`restore`] applies when spans come from the swap model: well
/// above its reporting thresholds (0.66 and 0.81 for the shipped one), so that only the most
/// confident swaps are undone.
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

/// [`restore`] of many texts in parallel; results in input order, identical for any thread count.
pub fn restore_batch<S: AsRef<str> + Sync>(
    extractor: &FeatureExtractor<'_>,
    texts: &[S],
    min_oddity: f64,
    min_p_swap: f64,
) -> Vec<(String, Vec<Change>)> {
    texts.par_iter().map(|t| restore(extractor, t.as_ref(), min_oddity, min_p_swap)).collect()
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
    /// Swaps whose original wording a candidate at exactly their place offers, found or not: among
    /// its alternatives that fit better than the text, or as its known-phrase original. The
    /// ceiling of `suggestions_right` (a suggestion is chosen among these).
    pub originals_offered: usize,
    /// Of those, the swaps whose candidate at their place suggests the original (reported or not):
    /// how often the ranking puts an offered original first.
    pub originals_suggested: usize,
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
    /// originals_offered / swaps
    pub original_offered_share: f64,
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
            let spun = r.label == Some(true);
            if spun && r.swaps.is_empty() {
                progress(1);
                return SpanReport::default();
            }
            // (A spun record's candidates and alternatives come from the same pass as its spans.)
            let mut offered = (0, 0);
            let analysis = if spun {
                score_with(&fx, detector, &r.text, |judged| {
                    let (analysis, candidates, alternatives) = fx.explain_with_alternatives(judged);
                    offered = originals_offered(r, &candidates, &alternatives);
                    analysis
                })
            } else {
                score_text(&fx, detector, &r.text, true)
            };
            progress(1);
            tally(r, &analysis.spans, analysis.words, offered)
        })
        .collect();
    SpanReport::sum(per_doc)
}

/// [`evaluate_spans`] with each of `thresholds` as the swap model's one threshold for every
/// document (`score --swap-threshold`), one report per threshold, from one pass over each record
/// (such spans do not depend on the verdict). Errors without a swap model or for a threshold
/// outside (0, 1).
pub fn evaluate_spans_at(records: &[Record], resources: &Resources, thresholds: &[f64], progress: Progress<'_>) -> Result<Vec<SpanReport>> {
    let fx = resources.extractor();
    let per_doc: Vec<Vec<SpanReport>> = records
        .par_iter()
        .map(|r| {
            let spun = r.label == Some(true);
            let none = || vec![SpanReport::default(); thresholds.len()];
            let reports = if spun && r.swaps.is_empty() {
                none()
            } else if is_binary(&r.text) {
                // (As `score`: no words, no spans.)
                thresholds.iter().map(|_| tally(r, &[], 0, (0, 0))).collect()
            } else {
                let (analyses, candidates, alternatives) = fx.explain_at_thresholds(judged_part(&r.text), thresholds)?;
                let offered = if spun { originals_offered(r, &candidates, &alternatives) } else { (0, 0) };
                analyses.iter().map(|a| tally(r, &a.spans, a.words, offered)).collect()
            };
            progress(1);
            Ok(reports)
        })
        .collect::<Result<_>>()?;
    Ok((0..thresholds.len()).map(|k| SpanReport::sum(per_doc.iter().map(|d| d[k].clone()))).collect())
}

/// One labeled record's part of a [`SpanReport`]: its gold swaps against `spans` reported in its
/// text of `words` words, with its `(originals_offered, originals_suggested)`.
fn tally(r: &Record, spans: &[Span], words: usize, offered: (usize, usize)) -> SpanReport {
    let mut rep = SpanReport::default();
    let overlaps = |s: &Span, w: &Swap| s.start < w.end && w.start < s.end;
    if r.label == Some(true) {
        rep.spun_documents = 1;
        rep.swaps = r.swaps.len();
        rep.spans = spans.len();
        for w in &r.swaps {
            if let Some(s) = spans.iter().find(|s| overlaps(s, w)) {
                rep.swaps_found += 1;
                if s.suggestion.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(&w.original)) {
                    rep.suggestions_right += 1;
                }
            }
        }
        rep.spans_on_swaps = spans.iter().filter(|s| r.swaps.iter().any(|w| overlaps(s, w))).count();
        (rep.originals_offered, rep.originals_suggested) = offered;
    } else {
        rep.original_documents = 1;
        rep.original_words = words;
        rep.original_spans = spans.len();
    }
    rep
}

impl SpanReport {
    /// The report of several records' parts (counts added, ratios recomputed).
    fn sum(parts: impl IntoIterator<Item = SpanReport>) -> SpanReport {
        let mut t = SpanReport::default();
        for d in parts {
            t.spun_documents += d.spun_documents;
            t.swaps += d.swaps;
            t.swaps_found += d.swaps_found;
            t.suggestions_right += d.suggestions_right;
            t.originals_offered += d.originals_offered;
            t.originals_suggested += d.originals_suggested;
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
        t.original_offered_share = ratio(t.originals_offered, t.swaps);
        t.original_spans_per_100_words = 100.0 * ratio(t.original_spans, t.original_words);
        t
    }
}

/// How many of `r`'s gold swaps a candidate at exactly their place offers the original of, and
/// suggests it (see [`SpanReport::originals_offered`]).
fn originals_offered(r: &Record, candidates: &[Candidate], sets: &[Alternatives]) -> (usize, usize) {
    let (mut offered, mut suggested) = (0, 0);
    for w in &r.swaps {
        let original = w.original.to_lowercase();
        let at = |start: usize, end: usize| start == w.start && end == w.end;
        let suggests =
            candidates.iter().any(|c| at(c.start, c.end) && c.suggestion.as_deref().is_some_and(|g| g.to_lowercase() == original));
        if suggests || sets.iter().any(|s| at(s.start, s.end) && s.alternatives.iter().any(|a| a.text == original)) {
            offered += 1;
            suggested += usize::from(suggests);
        }
    }
    (offered, suggested)
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

/// A validation record, its candidates other than whole names with their `p_swap`, and its number
/// of candidates (names included).
type Scored<'a> = (&'a Record, Vec<(Candidate, f64)>, usize);

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
    // (With each record's number of candidates, names included, which `SwapModel::reporting_p`
    // weighs the document's context by.)
    let scored: Vec<Scored> = swap_rows(valid, &fx, progress)
        .into_iter()
        .map(|(r, cs)| {
            let n = cs.len();
            let with_p = cs.into_iter().filter(|c| !c.whole_name()).map(|c| {
                let p = model.probability(&c);
                (c, p)
            });
            (r, with_p.collect(), n)
        })
        .collect();
    // The candidates that would be reported at a threshold they reach: no overlapping one is stronger.
    fn kept(cs: &[(Candidate, f64)]) -> Vec<&(Candidate, f64)> {
        cs.iter().filter(|(c, p)| !cs.iter().any(|(o, q)| q > p && o.start < c.end && c.start < o.end)).collect()
    }
    // The originals' flaggable p per domain (the `domain` field; one group without it), and words:
    // what the threshold is held against (`SwapModel::reporting_p`).
    let mut by_domain: BTreeMap<String, (Vec<f64>, usize)> = BTreeMap::new();
    for (r, cs, n) in &scored {
        if r.label != Some(true) {
            let (p, words) = by_domain.entry(r.extra.get("domain").cloned().unwrap_or_default()).or_default();
            let held: Vec<(Candidate, f64)> = cs.iter().map(|(c, p)| (c.clone(), model.reporting_p(c, *p, *n))).collect();
            p.extend(kept(&held).iter().map(|(_, p)| *p));
            *words += crate::text::tokenize(&r.text).len();
        }
    }
    // The worst domain decides: its originals too stay within the allowed false flags.
    let threshold = by_domain.values().map(|(p, words)| threshold_for_flags(p, *words, max_false_flags)).fold(1e-6, f64::max);
    // In spun records, the candidates that may be reported below `threshold` (those with local
    // evidence) or at it: every kept one (its p, whether it is on a swap) and every swap's highest
    // kept p.
    let scorer = model.clone();
    let eligible = |(c, p): &(Candidate, f64), n: usize| c.has_local_evidence() || scorer.reporting_p(c, *p, n) >= threshold;
    let (mut spun_spans, mut spun_swaps) = (Vec::new(), Vec::new());
    for (r, cs, n) in scored.iter().filter(|(r, _, _)| r.label == Some(true)) {
        let cs: Vec<(Candidate, f64)> = cs.iter().filter(|cp| eligible(cp, *n)).cloned().collect();
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
    for (r, cs, n) in &scored {
        if r.label != Some(true) {
            continue;
        }
        for w in &r.swaps {
            v.swaps += 1;
            for (least, found, restored) in
                [(threshold, &mut v.found, &mut v.restored), (threshold_in_spun, &mut v.found_in_spun, &mut v.restored_in_spun)]
            {
                let hits: Vec<_> =
                    cs.iter().filter(|cp| eligible(cp, *n) && cp.1 >= least && cp.0.start < w.end && w.start < cp.0.end).collect();
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
}
