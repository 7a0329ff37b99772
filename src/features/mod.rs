//! The feature extractor: text → a fixed, named, ordered feature vector, plus evidence spans (the
//! phrases that look spun and what they probably said before). Formulas are in `DESIGN.md`.
//!
//! Adding a document feature is one entry in [`FEATURES`] (`document.rs`): a name, a one-line
//! description and a function of the [`Stats`] gathered in one pass over the text.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::reference::{frame_key, hash_word, key, KeyHasher, Reference};
use crate::text::{normalize_into, tokenize, Case, Token, STOPWORDS};
use crate::thesaurus::{KnownPhrases, Thesaurus};
use crate::vectors::Vectors;

mod candidates;
mod document;
pub mod ranking;
pub mod swaps;
pub use ranking::{Alternative, Alternatives, Ranker, RANK_FEATURES, RANK_FEATURE_COUNT};
pub use swaps::{Candidate, SwapModel, SWAP_FEATURES, SWAP_FEATURE_COUNT};

use candidates::{word_uses, Context, Facts, Topic};
pub(crate) use document::quantile;
pub use document::{feature_names, Feature, Stats, FEATURES};
use document::{mean, share};

/// Oddity (nats) above which a word counts as somewhat odd.
pub const ODDITY_LOW: f64 = 1.5;
/// Oddity (nats) above which a word counts as clearly odd.
pub const ODDITY_HIGH: f64 = 3.0;
/// Least oddity (nats) of a span reported as evidence. Measured with `unspun eval-spans` on held-out
/// spins of the training profiles: at 3.0, 68% of swaps found but only 66% of spans on a swap and
/// 4.2 spans per 100 original words; at 4.0, 62% / 73% / 2.8; at 5.0, 55% / 79% / 1.8.
pub const EXPLAIN_MIN_ODDITY: f64 = 4.0;
/// Zipf frequency (log10 per billion words) under which a content word counts as rare.
pub const RARE_ZIPF: f64 = 3.5;
/// A synonym must have been seen at least this often to be proposed as the likely original.
pub const MIN_SUGGESTION_COUNT: f64 = 20.0;
/// Window (words) of the chunked type/token ratio, so that it does not fall with document length.
pub const TTR_WINDOW: usize = 50;
/// Oddities averaged for `oddity_top_mean`.
pub const TOP_K: usize = 5;
/// Least cosine of a distributional neighbour proposed in place of a word (the median cosine
/// between a real spinner's word and the original on `wild-dev` is 0.46).
pub const MIN_NEIGHBOUR_COSINE: f32 = 0.3;
/// Distributional neighbours tried per word, and only for a word with a pair the reference never
/// saw. Each costs two pair look-ups; measured by retraining the swap model on each setting
/// (`wild-dev` found / restored, science-dev found): all 16 on every word 39.4% / 8.9%, 56.5%, but
/// explanations at half the speed; 8 where a pair is unseen 38.4% / 8.7%, 57.0%; 4: 37.2% / 8.3%,
/// 55.9%; none 37.1% / 8.4%, 53.2% (with the earlier ranking). The gain is small and within the
/// noise of a 50-page set.
pub const NEIGHBOURS_PER_WORD: usize = 8;
/// Words shorter than this are never candidates: single letters are symbols, initials and
/// units ("N fertiliser", "P < 0.05"), not swaps, and the thesaurus reads them as words
/// ("n" -> "north").
pub const MIN_CANDIDATE_CHARS: usize = 2;

/// A phrase that looks spun: `text[start..end]` of the analysed text.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// Oddity in nats: how much better the suggestion fits the neighbours than the text does.
    pub score: f64,
    /// The likely original wording, capitalised like the span.
    pub suggestion: Option<String>,
    /// Probability that the span was swapped in, from the swap model (when the extractor has one).
    pub p_swap: Option<f64>,
}

/// The result of analysing one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// One value per entry of [`FEATURES`], all finite.
    pub features: Vec<f64>,
    pub words: usize,
    /// Evidence, ordered by position, not overlapping; empty unless asked for.
    pub spans: Vec<Span>,
}

/// What one pass over a text produces besides its statistics.
#[derive(Default)]
struct Outputs {
    /// Every candidate with its swap features, when asked for.
    candidates: Option<Vec<Candidate>>,
    /// Every candidate's alternatives with their ranking features, when asked for.
    alternatives: Option<Vec<Alternatives>>,
}

/// Computes features from text against a reference and a thesaurus. Cloning is cheap: the
/// per-phrase facts are shared.
#[derive(Clone)]
pub struct FeatureExtractor<'r> {
    reference: &'r Reference,
    thesaurus: &'r Thesaurus,
    stopwords: HashSet<u64, KeyHasher>,
    total: f64,
    /// [`Facts`] of every thesaurus phrase, by phrase id: looked up once, not once per occurrence
    /// (and shared by extractors over copies of the thesaurus, see [`FeatureExtractor::with_thesaurus`]).
    phrase_facts: Arc<Vec<Facts>>,
    /// The word-level swap model that picks the spans of [`FeatureExtractor::explain`]; without
    /// one, spans are the candidates whose oddity exceeds [`EXPLAIN_MIN_ODDITY`].
    swap_model: Option<&'r SwapModel>,
    /// How a candidate's alternatives are ranked for being the original (the swap model's).
    ranker: Ranker,
    /// Known spun phrases, proposed as candidates with the wording they replaced.
    known: Option<&'r KnownPhrases>,
    /// Word vectors whose neighbours are proposed besides the thesaurus's synonyms, and the
    /// [`Facts`] of each of their words.
    vectors: Option<&'r Vectors>,
    vector_facts: Arc<Vec<Facts>>,
}

/// Per-word facts used by several statistics.
struct Word {
    hash: u64,
    count: f64,
    followers: f64,
    is_stop: bool,
}

impl<'r> FeatureExtractor<'r> {
    /// An extractor over these resources.
    pub fn new(reference: &'r Reference, thesaurus: &'r Thesaurus) -> Self {
        let mut fx = FeatureExtractor {
            reference,
            thesaurus,
            stopwords: STOPWORDS.iter().map(|w| hash_word(w)).collect(),
            total: reference.total(1),
            phrase_facts: Arc::default(),
            swap_model: None,
            ranker: Ranker::HAND_SET,
            known: None,
            vectors: None,
            vector_facts: Arc::default(),
        };
        fx.phrase_facts = Arc::new(thesaurus.phrases().iter().map(|p| fx.facts(&p.words)).collect());
        fx
    }

    /// An extractor over the same reference and another thesaurus; one made by
    /// [`Thesaurus::without_share`] from this extractor's shares its phrases' facts.
    pub fn with_thesaurus<'t>(&self, thesaurus: &'t Thesaurus) -> FeatureExtractor<'t>
    where
        'r: 't,
    {
        if thesaurus.shares_phrases_with(self.thesaurus) {
            FeatureExtractor {
                thesaurus,
                phrase_facts: Arc::clone(&self.phrase_facts),
                stopwords: self.stopwords.clone(),
                vector_facts: Arc::clone(&self.vector_facts),
                ..*self
            }
        } else {
            FeatureExtractor::new(self.reference, thesaurus).with_vectors(self.vectors)
        }
    }

    /// This extractor with a swap model choosing the spans of [`FeatureExtractor::explain`], and
    /// its ranking of suggestions (without one, [`Ranker::HAND_SET`]).
    pub fn with_swap_model<'m>(self, model: Option<&'m SwapModel>) -> FeatureExtractor<'m>
    where
        'r: 'm,
    {
        FeatureExtractor { swap_model: model, ranker: model.map_or(Ranker::HAND_SET, |m| *m.ranker()), ..self }
    }

    /// The swap model that picks the spans, if any.
    pub fn swap_model(&self) -> Option<&'r SwapModel> {
        self.swap_model
    }

    /// This extractor with another ranking of suggestions (for learning a swap model on top of it).
    pub fn with_ranker(self, ranker: Ranker) -> Self {
        FeatureExtractor { ranker, ..self }
    }

    /// This extractor with known spun phrases (e.g. tortured phrases) as candidates.
    pub fn with_known_phrases<'m>(self, known: Option<&'m KnownPhrases>) -> FeatureExtractor<'m>
    where
        'r: 'm,
    {
        FeatureExtractor { known, ..self }
    }

    /// This extractor with word vectors whose neighbours are proposed besides thesaurus synonyms
    /// (candidate features `vector_oddity`, `vector_cos`, `suggestion_cos`).
    pub fn with_vectors<'m>(self, vectors: Option<&'m Vectors>) -> FeatureExtractor<'m>
    where
        'r: 'm,
    {
        let vector_facts = match vectors {
            Some(v) => {
                let hashes: Vec<u64> = (0..v.len() as u32).map(|i| v.hash(i)).collect();
                Arc::new(
                    hashes
                        .iter()
                        .zip(self.reference.words_and_followers(&hashes))
                        .map(|(&h, (count, followers))| self.facts_from([(h, count, followers)]))
                        .collect(),
                )
            }
            None => Arc::default(),
        };
        FeatureExtractor { vectors, vector_facts, ..self }
    }

    /// Features of `text`, without evidence spans.
    pub fn extract(&self, text: &str) -> Analysis {
        self.analyse(text, false)
    }

    /// Features of `text` and the spans that look spun, with suggestions: with a swap model, the
    /// candidates it reports in a document judged spun ([`SwapModel::reports`]: `p_swap` at
    /// [`SwapModel::threshold`], or at [`SwapModel::threshold_in_spun`] with local evidence;
    /// [`FeatureExtractor::spans_for_verdict`] keeps those of a document judged original); without one, those whose oddity exceeds [`EXPLAIN_MIN_ODDITY`]
    /// and that have a suggestion.
    pub fn explain(&self, text: &str) -> Analysis {
        self.analyse(text, true)
    }

    /// The spans of [`FeatureExtractor::explain`] that are reported given the document's verdict:
    /// all of them in a document judged spun; in one judged original only those whose `p_swap`
    /// reaches [`SwapModel::threshold`]. (The same spans as choosing the strongest of overlapping
    /// candidates at that threshold: a stronger overlapping candidate is above it too.)
    pub fn spans_for_verdict(&self, mut spans: Vec<Span>, judged_spun: bool) -> Vec<Span> {
        if let Some(m) = self.swap_model {
            let least = m.threshold_for(judged_spun);
            spans.retain(|s| s.p_swap.is_none_or(|p| p >= least));
        }
        spans
    }

    /// Every candidate of `text` with its swap features (for training and evaluating swap models).
    pub fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut out = Outputs { candidates: Some(Vec::new()), ..Outputs::default() };
        self.gather(text, &mut out);
        out.candidates.unwrap_or_default()
    }

    /// Every candidate's alternatives that fit better than it, with their ranking features (for
    /// learning and measuring a [`Ranker`]).
    pub fn alternatives(&self, text: &str) -> Vec<Alternatives> {
        self.candidates_and_alternatives(text).1
    }

    /// [`FeatureExtractor::candidates`] and [`FeatureExtractor::alternatives`] of `text` at once.
    pub fn candidates_and_alternatives(&self, text: &str) -> (Vec<Candidate>, Vec<Alternatives>) {
        let mut out = Outputs { candidates: Some(Vec::new()), alternatives: Some(Vec::new()) };
        self.gather(text, &mut out);
        (out.candidates.unwrap_or_default(), out.alternatives.unwrap_or_default())
    }

    /// [`FeatureExtractor::explain`] and [`FeatureExtractor::candidates_and_alternatives`] of `text`
    /// from one pass (for evaluating explanations).
    pub fn explain_with_alternatives(&self, text: &str) -> (Analysis, Vec<Candidate>, Vec<Alternatives>) {
        let mut out = Outputs { candidates: Some(Vec::new()), alternatives: Some(Vec::new()) };
        let stats = self.gather(text, &mut out);
        let candidates = out.candidates.unwrap_or_default();
        let spans = self.spans_of(candidates.clone(), &stats.p_swap);
        (self.analysis(&stats, spans), candidates, out.alternatives.unwrap_or_default())
    }

    /// [`FeatureExtractor::explain_with_alternatives`] of `text` with each of `thresholds` as the
    /// swap model's one threshold for every document ([`SwapModel::with_threshold`]), from one pass:
    /// an [`Analysis`] per threshold (the same features, that threshold's spans). Such spans do not
    /// depend on the verdict. Errors without a swap model or for a threshold outside (0, 1).
    pub fn explain_at_thresholds(&self, text: &str, thresholds: &[f64]) -> Result<(Vec<Analysis>, Vec<Candidate>, Vec<Alternatives>)> {
        let model = self.swap_model.ok_or_else(|| Error::Invalid("spans at a swap threshold need a swap model".into()))?;
        let models = thresholds.iter().map(|&t| model.clone().with_threshold(t)).collect::<Result<Vec<_>>>()?;
        let mut out = Outputs { candidates: Some(Vec::new()), alternatives: Some(Vec::new()) };
        let stats = self.gather(text, &mut out);
        let candidates = out.candidates.unwrap_or_default();
        let analyses = models.iter().map(|m| self.analysis(&stats, self.spans_with(Some(m), candidates.clone(), &stats.p_swap))).collect();
        Ok((analyses, candidates, out.alternatives.unwrap_or_default()))
    }

    /// Statistics of `text` (exposed for tests and diagnostics).
    pub fn stats(&self, text: &str) -> Stats {
        self.gather(text, &mut Outputs { candidates: self.swap_model.is_some().then(Vec::new), ..Outputs::default() })
    }

    fn analyse(&self, text: &str, with_spans: bool) -> Analysis {
        // With a swap model, the candidates also feed the `swap_*` document features.
        let mut out = Outputs { candidates: (with_spans || self.swap_model.is_some()).then(Vec::new), ..Outputs::default() };
        let stats = self.gather(text, &mut out);
        let spans = out.candidates.filter(|_| with_spans).map_or_else(Vec::new, |c| self.spans_of(c, &stats.p_swap));
        self.analysis(&stats, spans)
    }

    fn analysis(&self, stats: &Stats, spans: Vec<Span>) -> Analysis {
        Analysis { features: FEATURES.iter().map(|f| f.value(stats)).collect(), words: stats.words, spans }
    }

    /// The reported spans among the candidates (see [`FeatureExtractor::explain`]), the strongest of
    /// overlapping ones kept.
    /// `p_swap` holds every candidate's probability (computed by `gather` when there is a swap model).
    fn spans_of(&self, candidates: Vec<Candidate>, p_swap: &[f64]) -> Vec<Span> {
        self.spans_with(self.swap_model, candidates, p_swap)
    }

    /// [`FeatureExtractor::spans_of`] with `swap_model` choosing them.
    fn spans_with(&self, swap_model: Option<&SwapModel>, candidates: Vec<Candidate>, p_swap: &[f64]) -> Vec<Span> {
        // (A candidate's suggestion exists only where it fits better, or for a known phrase: see
        // `gather_oddity` and `known_candidates`.)
        let n = candidates.len();
        let spans = candidates.into_iter().enumerate().filter_map(|(k, c)| {
            let (reported, p_swap) = match swap_model {
                Some(m) => (m.reports(&c, p_swap[k], true, n), Some(p_swap[k])),
                None => (c.oddity > EXPLAIN_MIN_ODDITY && c.suggestion.is_some(), None),
            };
            reported.then_some(Span { start: c.start, end: c.end, score: c.oddity, suggestion: c.suggestion, p_swap })
        });
        non_overlapping(spans.collect())
    }

    fn p_word(&self, count: f64) -> f64 {
        count.max(0.5) / self.total
    }

    fn gather(&self, text: &str, out: &mut Outputs) -> Stats {
        let tokens = tokenize(text);
        let n = tokens.len();
        let mut norm = String::new();
        // (Room for one value per word in the per-word lists, and as many candidates.)
        let per_word = || Vec::with_capacity(n);
        let mut s = Stats {
            words: n,
            logprob: per_word(),
            flanked_assoc: per_word(),
            frame_assoc: per_word(),
            assoc: per_word(),
            oddity: per_word(),
            content_zipf: per_word(),
            ..Stats::default()
        };
        if let Some(candidates) = out.candidates.as_mut() {
            candidates.reserve(n);
        }
        let hashes: Vec<u64> = tokens
            .iter()
            .map(|t| {
                let raw = t.as_str(text);
                s.chars_in_words += raw.chars().count();
                normalize_into(raw, &mut norm);
                hash_word(&norm)
            })
            .collect();
        let words: Vec<Word> = hashes
            .iter()
            .zip(self.reference.words_and_followers(&hashes))
            .map(|(&hash, (count, followers))| Word { hash, count, followers, is_stop: self.stopwords.contains(&hash) })
            .collect();

        // Which positions end a pair / a triple of known words within a run; their counts are
        // looked up in batches (see `Reference::counts_of_keys`).
        let ends_pair: Vec<bool> =
            (0..n).map(|i| i > 0 && !tokens[i].is_break_before && words[i].count > 0.0 && words[i - 1].count > 0.0).collect();
        let ends_triple = |i: usize| ends_pair[i] && i >= 2 && !tokens[i - 1].is_break_before && words[i - 2].count > 0.0;
        let mut pair_counts = Vec::new();
        let pair_keys: Vec<u64> = (0..n).filter(|&i| ends_pair[i]).map(|i| key(&[hashes[i - 1], hashes[i]])).collect();
        self.reference.counts_of_keys(2, &pair_keys, &mut pair_counts);
        let mut triple_counts = Vec::new();
        let triple_keys: Vec<u64> = (0..n).filter(|&i| ends_triple(i)).map(|i| key(&hashes[i - 2..=i])).collect();
        self.reference.counts_of_keys(3, &triple_keys, &mut triple_counts);

        // (seen, association) of the pair ending at each word, when it is a pair; count of the
        // triple ending there.
        let mut pair_at: Vec<Option<(bool, f64)>> = vec![None; n];
        let mut triple_at: Vec<f64> = vec![0.0; n];
        let (mut pairs, mut triples) = (pair_counts.iter(), triple_counts.iter());
        for (i, w) in words.iter().enumerate() {
            if w.count <= 0.0 {
                s.oov += 1;
                continue;
            }
            if !w.is_stop {
                s.content_zipf.push((w.count / self.total * 1e9).log10());
            }
            if !ends_pair[i] {
                continue;
            }
            let prev = &words[i - 1];
            let c = *pairs.next().expect("one count per pair");
            let (lp, seen) = (self.ln_pair(prev.followers, c, prev.count, w.count), c > 0.0);
            s.pairs += 1;
            if !seen {
                s.pairs_unseen += 1;
            }
            s.logprob.push(lp);
            let assoc = lp - self.p_word(w.count).ln();
            s.assoc.push(assoc);
            pair_at[i] = Some((seen, assoc));
            if ends_triple(i) {
                s.triples += 1;
                triple_at[i] = *triples.next().expect("one count per triple");
                if triple_at[i] <= 0.0 {
                    s.triples_unseen += 1;
                }
            }
        }

        // Content words between two pairs: a context-free swap breaks both sides at once.
        let flanked: Vec<usize> =
            (1..n.saturating_sub(1)).filter(|&i| !words[i].is_stop && pair_at[i].is_some() && pair_at[i + 1].is_some()).collect();
        let frames = self.reference.frames_of_keys(&flanked.iter().map(|&i| frame_key(hashes[i - 1], hashes[i + 1])).collect::<Vec<_>>());
        let mut frame_at: Vec<Option<f64>> = vec![None; n];
        for (&i, (frame_count, fillers)) in flanked.iter().zip(frames) {
            let (Some((seen_l, assoc_l)), Some((seen_r, assoc_r))) = (pair_at[i], pair_at[i + 1]) else { unreachable!() };
            s.flanked += 1;
            if !seen_l && !seen_r {
                s.flanked_unseen += 1;
            }
            s.flanked_assoc.push(assoc_l + assoc_r);
            // How well the word fills the frame `left _ right` (Witten-Bell over the frame's fillers);
            // the triple `left word right` ends at the next word.
            if frame_count > 0.0 {
                let c3 = triple_at[i + 1];
                let p = (c3 + fillers * self.p_word(words[i].count)) / (frame_count + fillers);
                let assoc = p.ln() - self.p_word(words[i].count).ln();
                s.frame_assoc.push(assoc);
                frame_at[i] = Some(assoc);
                if c3 <= 0.0 {
                    s.frame_unseen += 1;
                }
            }
        }
        s.ttr = chunked_ttr(&hashes);
        self.count_artefacts(text, &tokens, &mut s);
        // How each word is capitalised, how often the document uses each and its topic (only
        // candidates' features need them).
        let (cases, uses, topic) = match out.candidates {
            Some(_) => (
                tokens.iter().map(|t| Case::of(t.as_str(text))).collect(),
                word_uses(&hashes),
                self.vectors.map(|v| Topic::of(v, &hashes, &words)),
            ),
            None => (Vec::new(), HashMap::default(), None),
        };
        let context = Context {
            text,
            tokens: &tokens,
            words: &words,
            pair_at: &pair_at,
            frame_at: &frame_at,
            cases: &cases,
            hashes: &hashes,
            uses: &uses,
            topic: topic.as_ref(),
        };
        self.gather_oddity(&context, &mut s, out.candidates.as_mut(), out.alternatives.as_mut());
        if let Some(candidates) = out.candidates.as_mut() {
            self.known_candidates(&context, candidates);
            // The document's own context, the same for all its candidates.
            let oddity_mean = mean(&s.oddity.iter().map(|o| o.max(0.0)).collect::<Vec<_>>());
            let unseen = share(s.pairs_unseen, s.pairs);
            // The largest oddity of a candidate right next to each one: a swap also spoils its
            // neighbours' pairs, and the neighbour with the better alternative is the likelier swap.
            let (mut ending_at, mut starting_at) = (vec![0.0f64; tokens.len() + 1], vec![0.0f64; tokens.len() + 1]);
            for c in candidates.iter() {
                ending_at[c.words.1] = ending_at[c.words.1].max(c.oddity);
                starting_at[c.words.0] = starting_at[c.words.0].max(c.oddity);
            }
            let neighbour: Vec<f64> = candidates.iter().map(|c| ending_at[c.words.0].max(starting_at[c.words.1])).collect();
            for (c, nb) in candidates.iter_mut().zip(neighbour) {
                c.features[15] = oddity_mean;
                c.features[16] = unseen;
                c.features[19] = nb;
            }
            if let Some(m) = self.swap_model {
                (s.p_swap, s.p_swap_weighted) = candidates.iter().map(|c| m.probability_and_weighted(c, candidates.len())).unzip();
            }
        }
        s
    }

    fn count_artefacts(&self, text: &str, tokens: &[Token], s: &mut Stats) {
        s.spintax = text.bytes().filter(|&b| b == b'{' || b == b'}').count()
            + text.as_bytes().windows(3).filter(|w| w[1] == b'|' && w[0].is_ascii_alphabetic() && w[2].is_ascii_alphabetic()).count();
        for pair in tokens.windows(2) {
            if pair[1].is_break_before {
                continue;
            }
            let article = pair[0].as_str(text);
            let next = pair[1].as_str(text).to_ascii_lowercase();
            let Some(first) = next.chars().next() else { continue };
            if !first.is_ascii_alphabetic() || AMBIGUOUS_ONSETS.iter().any(|p| next.starts_with(p)) {
                continue;
            }
            let vowel = "aeio".contains(first);
            match article {
                "a" | "A" if vowel => s.an_mismatch += 1,
                "an" | "An" if !vowel => s.an_mismatch += 1,
                _ => {}
            }
        }
    }

    /// Smoothed ln P(next | word) (Witten–Bell: the unseen continuations of `word` get the weight
    /// of the number of different words seen after it, `types`), and whether the pair was seen.
    #[inline]
    fn ln_next_with(&self, types: f64, word: u64, word_count: f64, next: u64, next_count: f64) -> (f64, bool) {
        let c = self.reference.count(&[word, next]);
        (self.ln_pair(types, c, word_count, next_count), c > 0.0)
    }

    /// Smoothed ln P(next | word) from the pair's count `c` (see [`Self::ln_next_with`]).
    #[inline]
    fn ln_pair(&self, types: f64, c: f64, word_count: f64, next_count: f64) -> f64 {
        let types = types.max(1.0);
        ((c + types * self.p_word(next_count)) / (word_count + types)).ln()
    }
}

/// Words where the article depends on pronunciation, not spelling ("a university", "an hour").
const AMBIGUOUS_ONSETS: &[&str] = &["u", "eu", "ew", "one", "once", "h", "x", "y"];

fn chunked_ttr(hashes: &[u64]) -> f64 {
    if hashes.is_empty() {
        return 0.0;
    }
    let ratios: Vec<f64> = hashes
        .chunks(TTR_WINDOW)
        .filter(|c| c.len() == TTR_WINDOW || hashes.len() < TTR_WINDOW)
        .map(|c| c.iter().collect::<HashSet<_>>().len() as f64 / c.len() as f64)
        .collect();
    mean(&ratios)
}

/// Keeps the strongest of overlapping spans, returned in text order.
fn non_overlapping(mut spans: Vec<Span>) -> Vec<Span> {
    let strength = |s: &Span| s.p_swap.unwrap_or(s.score);
    spans.sort_by(|a, b| strength(b).total_cmp(&strength(a)).then(a.start.cmp(&b.start)));
    let mut kept: Vec<Span> = Vec::new();
    for s in spans {
        if kept.iter().all(|k| s.end <= k.start || s.start >= k.end) {
            kept.push(s);
        }
    }
    kept.sort_by_key(|s| s.start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{Budget, Counter, TABLES};

    /// A tiny reference where "foreign minister" is a collocation and "overseas" occurs elsewhere.
    fn resources() -> (Reference, Thesaurus) {
        let mut c = Counter::new();
        for _ in 0..50 {
            c.add_text("The foreign minister met reporters. Prices overseas rose. The minister said the talks went well.");
        }
        let r = c.freeze(&Budget { max_entries: [1000; TABLES], min_count: [1; TABLES] }, vec![]);
        let mut t = Thesaurus::new();
        t.add("foreign", &["overseas"]);
        (r, t)
    }

    #[test]
    fn an_extractor_over_a_thesaurus_copy_equals_a_fresh_one() {
        let (r, mut t) = resources();
        t.add("minister", &["curate"]);
        t.add("reporters", &["journalists"]);
        let whole = FeatureExtractor::new(&r, &t);
        for seed in 0..4 {
            let cut = t.without_share(0.5, seed);
            let shared = whole.with_thesaurus(&cut);
            let fresh = FeatureExtractor::new(&r, &cut);
            for text in ["The overseas minister met reporters.", "Prices foreign rose. The curate said the talks went well."] {
                assert_eq!(shared.explain(text).features, fresh.explain(text).features, "{text}");
                assert_eq!(format!("{:?}", shared.explain(text).spans), format!("{:?}", fresh.explain(text).spans));
            }
        }
    }

    #[test]
    fn swapped_collocation_is_odd_and_explained() {
        let (r, t) = resources();
        let fx = FeatureExtractor::new(&r, &t);
        let text = "The overseas minister met reporters.";
        let a = fx.explain(text);
        assert_eq!(a.spans.len(), 1, "{:?}", a.spans);
        let span = &a.spans[0];
        assert_eq!(&text[span.start..span.end], "overseas");
        assert_eq!(span.suggestion.as_deref(), Some("foreign"));
        assert!(span.score > ODDITY_HIGH);
        // the original wording is not odd
        let a = fx.explain("The foreign minister met reporters.");
        assert!(a.spans.is_empty());
        assert_eq!(fx.stats("The foreign minister met reporters.").pairs_unseen, 0);
        assert_eq!(fx.stats(text).pairs_unseen, 2); // "the overseas", "overseas minister"
    }

    /// A swap model where only the oddity counts: p_swap = sigma(oddity - 2) (mean 0, sd 1).
    fn oddity_only_model() -> SwapModel {
        let mut weights = vec![0.0; SWAP_FEATURE_COUNT];
        weights[0] = 1.0;
        SwapModel::new(vec![0.0; SWAP_FEATURE_COUNT], vec![1.0; SWAP_FEATURE_COUNT], weights, -2.0, 0.5).unwrap()
    }

    #[test]
    fn one_pass_explains_and_lists_alternatives_as_the_separate_calls_do() {
        let (r, t) = resources();
        let model = oddity_only_model();
        for fx in [FeatureExtractor::new(&r, &t), FeatureExtractor::new(&r, &t).with_swap_model(Some(&model))] {
            for text in ["The overseas minister met reporters.", "Prices foreign rose. The minister said the talks went well."] {
                let (analysis, candidates, alternatives) = fx.explain_with_alternatives(text);
                assert_eq!(analysis, fx.explain(text), "{text}");
                let (c, a) = fx.candidates_and_alternatives(text);
                assert_eq!(format!("{candidates:?}"), format!("{c:?}"), "{text}");
                assert_eq!(format!("{alternatives:?}"), format!("{a:?}"), "{text}");
            }
        }
        // (the swapped text has a span and an alternative that fits better)
        let (analysis, _, alternatives) = FeatureExtractor::new(&r, &t).explain_with_alternatives("The overseas minister met reporters.");
        assert_eq!(analysis.spans.len(), 1);
        assert!(!alternatives.is_empty());
    }

    #[test]
    fn a_swap_model_reports_the_swap_with_its_probability_and_no_span_on_the_original() {
        let (r, t) = resources();
        // p_swap = sigma(oddity - 2)
        let model = oddity_only_model();
        let fx = FeatureExtractor::new(&r, &t).with_swap_model(Some(&model));
        let text = "The overseas minister met reporters.";
        let candidates = fx.candidates(text);
        // "overseas" (a thesaurus word), and the words without synonyms next to known words
        let covered: Vec<&str> = candidates.iter().map(|c| &text[c.start..c.end]).collect();
        assert_eq!(covered, ["overseas", "minister", "met", "reporters"]);
        let odd = &candidates[0];
        assert!(odd.oddity > ODDITY_HIGH && odd.suggestion.as_deref() == Some("foreign"));
        assert_eq!(odd.features[10], 1f64.ln_1p()); // one synonym tried
        assert!(candidates[1..].iter().all(|c| c.oddity == 0.0 && c.suggestion.is_none() && c.features[10] == 0.0));
        let a = fx.explain(text);
        assert_eq!(a.spans.len(), 1, "{:?}", a.spans);
        let span = &a.spans[0];
        assert_eq!((&text[span.start..span.end], span.suggestion.as_deref()), ("overseas", Some("foreign")));
        assert_eq!(span.p_swap, Some(1.0 / (1.0 + (2.0 - odd.oddity).exp())));
        // the original: "foreign" fits better than "overseas", every p_swap is sigma(-2)
        assert!(fx.explain("The foreign minister met reporters.").spans.is_empty());
        assert!(fx.candidates("The foreign minister met reporters.").iter().all(|c| model.probability(c) < 0.2));
        // the document features other than the swap_* ones do not depend on the swap model; those
        // are 0 without one
        let (with, without) = (fx.extract(text).features, FeatureExtractor::new(&r, &t).extract(text).features);
        let swap_columns: Vec<usize> = (0..FEATURES.len()).filter(|&k| FEATURES[k].name.starts_with("swap_")).collect();
        assert_eq!(swap_columns.len(), 8);
        for k in 0..FEATURES.len() {
            if swap_columns.contains(&k) {
                assert_eq!(without[k], 0.0);
            } else {
                assert_eq!(with[k], without[k], "{}", FEATURES[k].name);
            }
        }
        // expected swaps per 100 words: the sum of the four candidates' p_swap over 5 words
        let expected: f64 = candidates.iter().map(|c| model.probability(c)).sum::<f64>() * 100.0 / 5.0;
        assert!((with[swap_columns[0]] - expected).abs() < 1e-9);
        // this model's context weighs nothing, so the context-weighted aggregates equal the others
        for k in 0..4 {
            let (plain, weighted) = (swap_columns[k], swap_columns[k + 4]);
            assert_eq!(FEATURES[weighted].name, FEATURES[plain].name.replacen("swap_", "swap_weighted_", 1));
            assert_eq!(with[weighted], with[plain]);
        }
    }

    #[test]
    fn a_document_judged_spun_reports_spans_at_the_lower_threshold() {
        let (r, t) = resources();
        let mut weights = vec![0.0; SWAP_FEATURE_COUNT];
        weights[0] = 1.0;
        let text = "The overseas minister met reporters.";
        let at = |original: f64, spun: f64| {
            let model = SwapModel::new(vec![0.0; SWAP_FEATURE_COUNT], vec![1.0; SWAP_FEATURE_COUNT], weights.clone(), -2.0, 0.5)
                .unwrap()
                .with_thresholds(original, spun)
                .unwrap();
            let fx = FeatureExtractor::new(&r, &t).with_swap_model(Some(&model));
            let spans = fx.explain(text).spans;
            let p = spans.iter().map(|s| s.p_swap.unwrap()).collect::<Vec<_>>();
            (p, fx.spans_for_verdict(spans.clone(), true).len(), fx.spans_for_verdict(spans, false).len())
        };
        // "overseas" is the one candidate with local evidence; its p_swap decides in both readings
        let (p, _, _) = at(0.5, 0.5);
        assert_eq!(p.len(), 1);
        let q = p[0];
        assert_eq!(at(0.99, 0.2), (vec![q], 1, usize::from(q >= 0.99)));
        assert_eq!(at((q + 1.0) / 2.0, q / 2.0), (vec![q], 1, 0), "above the spun threshold, below the original one");
        assert_eq!(at(q / 2.0, q / 4.0), (vec![q], 1, 1));
        assert_eq!(at((q + 1.0) / 2.0, (q + 1.0) / 2.0).0.len(), 0, "explain itself reports at the lower threshold");
    }

    /// Known spun phrases from `entries` ("spun<TAB>original" lines).
    fn known(entries: &str) -> KnownPhrases {
        let mut known = KnownPhrases::default();
        let file = format!("unspun-thesaurus\t1\ttest\tnone\n{entries}");
        known.add_reader(file.as_bytes(), std::path::Path::new("k.tsv")).unwrap();
        known
    }

    /// The candidate of a known phrase in `text`.
    fn known_candidate(fx: &FeatureExtractor<'_>, text: &str) -> Candidate {
        fx.candidates(text).into_iter().find(|c| c.features[17] == 1.0).expect("the known phrase is a candidate")
    }

    #[test]
    fn known_spun_phrases_are_candidates_with_their_original() {
        let (r, t) = resources();
        let known = known("overseas minister\tforeign minister\n");
        let fx = FeatureExtractor::new(&r, &t).with_known_phrases(Some(&known));
        let text = "The overseas minister met reporters.";
        let c = known_candidate(&fx, text);
        assert_eq!((&text[c.start..c.end], c.suggestion.as_deref()), ("overseas minister", Some("foreign minister")));
        // "foreign minister" is common in the reference, "overseas minister" unseen
        assert!(c.features[18] > 3.0, "{}", c.features[18]);
        assert!(fx.candidates("The foreign minister met reporters.").iter().all(|c| c.features[17] == 0.0));
    }

    #[test]
    fn an_acronym_is_replaced_in_lower_case() {
        let (r, t) = resources();
        let known = known("fm talks\tforeign minister\nforeignly\toverseas\n");
        let fx = FeatureExtractor::new(&r, &t).with_known_phrases(Some(&known));
        let suggestion = |text: &str| known_candidate(&fx, text).suggestion.expect("its original");
        assert_eq!(suggestion("The FM talks went well."), "foreign minister");
        assert_eq!(suggestion("THE FM TALKS WENT WELL."), "FOREIGN MINISTER");
        assert_eq!(suggestion("The Fm Talks went well."), "Foreign Minister");
        // a longer word in capitals is a heading's, not an acronym
        assert_eq!(suggestion("FOREIGNLY: prices rose."), "OVERSEAS");
    }

    /// A candidate's feature by name.
    fn feature(c: &Candidate, name: &str) -> f64 {
        c.features[SWAP_FEATURES.iter().position(|n| *n == name).expect("a swap feature")]
    }

    #[test]
    fn a_distributional_neighbour_is_proposed_where_the_thesaurus_has_nothing() {
        let (r, _) = resources();
        let t = Thesaurus::new(); // no synonyms at all
        let v = crate::vectors::for_tests(&["foreign", "overseas", "talks"], &[&[0.8, 0.6], &[0.6, 0.8], &[0.0, 1.0]]);
        let fx = FeatureExtractor::new(&r, &t).with_vectors(Some(&v));
        let text = "The overseas minister said the talks went well.";
        let cs = fx.candidates(text);
        let c = cs.iter().find(|c| &text[c.start..c.end] == "overseas").expect("a candidate");
        let f = |name: &str| feature(c, name);
        assert_eq!(c.suggestion.as_deref(), Some("foreign"));
        assert_eq!(f("oddity"), 0.0, "no thesaurus synonym");
        assert!(f("vector_oddity") > 1.0 && c.oddity == f("vector_oddity"), "{c:?}");
        assert!((f("vector_cos") - 0.96).abs() < 0.01 && f("suggestion_cos") == f("vector_cos"), "{c:?}");
        // without vectors the word is a candidate without alternatives
        let plain = FeatureExtractor::new(&r, &t).candidates(text);
        let c = plain.iter().find(|c| &text[c.start..c.end] == "overseas").expect("a candidate");
        assert_eq!((c.suggestion.as_deref(), c.oddity), (None, 0.0));
    }

    #[test]
    fn repetition_and_topic_features_are_hand_checkable() {
        let (r, _) = resources();
        let t = Thesaurus::new();
        let v = crate::vectors::for_tests(&["foreign", "overseas", "talks"], &[&[0.8, 0.6], &[0.6, 0.8], &[0.0, 1.0]]);
        let fx = FeatureExtractor::new(&r, &t).with_vectors(Some(&v));
        let text = "The overseas minister said the talks went well. The foreign minister agreed.";
        let cs = fx.candidates(text);
        let get = |word: &str| cs.iter().find(|c| &text[c.start..c.end] == word).unwrap_or_else(|| panic!("{word}: {cs:?}"));
        let f = feature;
        let c = get("overseas");
        assert_eq!(c.suggestion.as_deref(), Some("foreign"));
        assert_eq!(f(c, "suggestion_in_doc"), 1.0, "the suggestion is the second sentence's word");
        assert_eq!(f(c, "repeats_ln"), 0.0);
        // the topic less "overseas" is foreign + talks = (0.8, 1.6): cos with overseas (0.6, 0.8)
        // is 1.76 / 1.789, with foreign (0.8, 0.6) 1.60 / 1.789 (int8 vectors: within 0.02)
        assert!((f(c, "topic_cos") - 0.984).abs() < 0.02, "{c:?}");
        assert!((f(c, "suggestion_topic_gain") - (0.894 - 0.984)).abs() < 0.02, "{c:?}");
        assert_eq!(f(get("minister"), "repeats_ln"), 2f64.ln(), "used twice");
        assert_eq!(f(get("minister"), "topic_cos"), 0.0, "no vector");
    }

    #[test]
    fn counts_are_hand_checkable() {
        let (r, t) = resources();
        let fx = FeatureExtractor::new(&r, &t);
        let s = fx.stats("The zorblax minister an foreign {spin|spun}");
        assert_eq!(s.words, 7);
        assert_eq!(s.oov, 4); // zorblax, an, spin, spun
        assert_eq!(s.an_mismatch, 1); // "an foreign"
        assert_eq!(s.spintax, 3); // { } and n|s
    }

    #[test]
    fn every_feature_is_finite_on_degenerate_input() {
        let (r, t) = resources();
        let fx = FeatureExtractor::new(&r, &t);
        let long = "x".repeat(1 << 20);
        for text in ["", "a", "!!!", "zzz qqq", long.as_str(), "The The The", "\u{0}\u{ffff}"] {
            let a = fx.explain(text);
            assert_eq!(a.features.len(), FEATURES.len());
            assert!(a.features.iter().all(|v| v.is_finite()), "{text:?}: {:?}", a.features);
        }
    }
}
