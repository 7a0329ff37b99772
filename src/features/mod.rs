//! The feature extractor: text → a fixed, named, ordered feature vector, plus evidence spans (the
//! phrases that look spun and what they probably said before). Formulas are in `DESIGN.md`.
//!
//! Adding a feature is one entry in [`FEATURES`]: a name, a one-line description and a function of
//! the [`Stats`] gathered in one pass over the text.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::reference::{frame_key, hash_word, key, prefetch, KeyHasher, Reference};
use crate::text::{normalize_into, tokenize, Case, Token, STOPWORDS};
use crate::thesaurus::{Inflected, KnownPhrases, Phrase, Thesaurus, MAX_PHRASE_WORDS};
use crate::vectors::Vectors;

pub mod swaps;
pub use swaps::{Candidate, SwapModel, SWAP_FEATURES, SWAP_FEATURE_COUNT};

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
/// How suggestions are ranked for being the original rather than for fitting best, among the
/// alternatives that fit better than the word: fit (nats) plus this many nats per unit of cosine
/// between the word and the alternative...
pub const RANK_COSINE_WEIGHT: f64 = 2.0;
/// ... plus this many for a thesaurus synonym of the word (a distributional neighbour may be an
/// antonym or a sibling: "silver" for *gold*)...
pub const RANK_THESAURUS_BONUS: f64 = 1.0;
/// ... plus this many when the thesaurus lists the word among the alternative's own synonyms
/// (direction matters: a spinner that swapped *city* for "metropolis" found it under *city*).
/// Chosen on held-out synthetic spins with `unspun eval-spans` (suggestions right on found swaps:
/// fit alone 65.9%, with cosine and the bonuses 70.3%; the reverse bonus at 6 instead of 3: 70.7%,
/// but fewer right on `wild-dev`).
pub const RANK_REVERSE_BONUS: f64 = 3.0;
/// Words shorter than this are never candidates: single letters are symbols, initials and
/// units ("N fertiliser", "P < 0.05"), not swaps, and the thesaurus reads them as words
/// ("n" -> "north").
pub const MIN_CANDIDATE_CHARS: usize = 2;

/// Statistics gathered in one pass; every feature is a function of these.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub words: usize,
    pub oov: usize,
    pub pairs: usize,
    pub pairs_unseen: usize,
    pub triples: usize,
    pub triples_unseen: usize,
    pub logprob: Vec<f64>,
    /// Content words with a pair on both sides, those whose both pairs are unseen, and the sum of
    /// their two pairs' associations.
    pub flanked: usize,
    pub flanked_unseen: usize,
    pub flanked_assoc: Vec<f64>,
    /// For flanked content words whose frame `left _ right` the reference knows: ln P(word | frame)
    /// − ln P(word), and how many never filled it.
    pub frame_assoc: Vec<f64>,
    pub frame_unseen: usize,
    pub assoc: Vec<f64>,
    /// Oddity of each candidate word or phrase (may be negative: the word fits better than any synonym).
    pub oddity: Vec<f64>,
    pub name_odd: usize,
    pub content_zipf: Vec<f64>,
    pub ttr: f64,
    pub chars_in_words: usize,
    pub an_mismatch: usize,
    pub spintax: usize,
    /// `p_swap` of every candidate, when the extractor has a swap model (else empty).
    pub p_swap: Vec<f64>,
}

/// One feature: its name (stable: model files refer to it), what it means, and how it is computed.
pub struct Feature {
    pub name: &'static str,
    pub about: &'static str,
    compute: fn(&Stats) -> f64,
}

impl Feature {
    /// The feature's value for these statistics (always finite).
    pub fn value(&self, s: &Stats) -> f64 {
        let v = (self.compute)(s);
        if v.is_finite() {
            v
        } else {
            0.0
        }
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}
/// The `p`-quantile (0..1) by the nearest-rank method; 0 for no values.
fn quantile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mut v = xs.to_vec();
    let rank = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    *v.select_nth_unstable_by(rank, f64::total_cmp).1
}
fn per_100(count: usize, words: usize) -> f64 {
    100.0 * count as f64 / words.max(1) as f64
}
fn top_mean(xs: &[f64], k: usize) -> f64 {
    let mut v: Vec<f64> = xs.iter().map(|x| x.max(0.0)).collect();
    let k = v.len().min(k);
    // The k largest, summed largest first (the order a full sort would give).
    if k < v.len() {
        v.select_nth_unstable_by(k, |a, b| b.total_cmp(a));
    }
    let top = &mut v[..k];
    top.sort_unstable_by(|a, b| b.total_cmp(a));
    mean(top)
}

/// All features, in the order of the feature vector.
pub const FEATURES: &[Feature] = &[
    Feature { name: "oov_share", about: "share of words the reference has never seen", compute: |s| share(s.oov, s.words) },
    Feature {
        name: "bigram_unseen_share",
        about: "share of adjacent known-word pairs the reference has never seen",
        compute: |s| share(s.pairs_unseen, s.pairs),
    },
    Feature {
        name: "trigram_unseen_share",
        about: "share of known-word triples the reference has never seen",
        compute: |s| share(s.triples_unseen, s.triples),
    },
    Feature { name: "bigram_logprob_mean", about: "mean smoothed ln P(word | previous word)", compute: |s| mean(&s.logprob) },
    Feature {
        name: "bigram_logprob_p10",
        about: "10th percentile of smoothed ln P(word | previous word)",
        compute: |s| quantile(&s.logprob, 0.1),
    },
    Feature { name: "bigram_assoc_mean", about: "mean ln [P(word | previous) / P(word)]", compute: |s| mean(&s.assoc) },
    Feature {
        name: "bigram_assoc_p10",
        about: "10th percentile of ln [P(word | previous) / P(word)]",
        compute: |s| quantile(&s.assoc, 0.1),
    },
    Feature {
        name: "flanked_unseen_share",
        about: "share of content words between two pairs whose both pairs are unseen",
        compute: |s| share(s.flanked_unseen, s.flanked),
    },
    Feature {
        name: "flanked_assoc_mean",
        about: "mean summed association of a content word with both neighbours",
        compute: |s| mean(&s.flanked_assoc),
    },
    Feature {
        name: "flanked_assoc_p10",
        about: "10th percentile of a content word's summed association with both neighbours",
        compute: |s| quantile(&s.flanked_assoc, 0.1),
    },
    Feature {
        name: "frame_unseen_share",
        about: "share of content words in a known frame `left _ right` that never filled it",
        compute: |s| share(s.frame_unseen, s.frame_assoc.len()),
    },
    Feature {
        name: "frame_assoc_mean",
        about: "mean ln [P(word | left _ right) / P(word)] over content words in known frames",
        compute: |s| mean(&s.frame_assoc),
    },
    Feature {
        name: "frame_assoc_p10",
        about: "10th percentile of ln [P(word | left _ right) / P(word)]",
        compute: |s| quantile(&s.frame_assoc, 0.1),
    },
    Feature {
        name: "oddity_mean",
        about: "mean synonym oddity (clamped at 0) over candidate words",
        compute: |s| mean(&s.oddity.iter().map(|o| o.max(0.0)).collect::<Vec<_>>()),
    },
    Feature {
        name: "oddity_low_share",
        about: "share of candidate words with oddity above ODDITY_LOW",
        compute: |s| share(s.oddity.iter().filter(|&&o| o > ODDITY_LOW).count(), s.oddity.len()),
    },
    Feature {
        name: "oddity_high_share",
        about: "share of candidate words with oddity above ODDITY_HIGH",
        compute: |s| share(s.oddity.iter().filter(|&&o| o > ODDITY_HIGH).count(), s.oddity.len()),
    },
    Feature { name: "oddity_top_mean", about: "mean of the TOP_K largest oddities", compute: |s| top_mean(&s.oddity, TOP_K) },
    Feature { name: "oddity_max", about: "largest oddity (clamped at 0)", compute: |s| s.oddity.iter().copied().fold(0.0, f64::max) },
    Feature {
        name: "oddity_high_per_100",
        about: "words with oddity above ODDITY_HIGH per 100 words",
        compute: |s| per_100(s.oddity.iter().filter(|&&o| o > ODDITY_HIGH).count(), s.words),
    },
    Feature {
        name: "name_oddity_per_100",
        about: "capitalised words inside names with oddity above ODDITY_HIGH, per 100 words",
        compute: |s| per_100(s.name_odd, s.words),
    },
    Feature { name: "content_zipf_mean", about: "mean Zipf frequency of known content words", compute: |s| mean(&s.content_zipf) },
    Feature {
        name: "rare_share",
        about: "share of known content words with Zipf frequency below RARE_ZIPF",
        compute: |s| share(s.content_zipf.iter().filter(|&&z| z < RARE_ZIPF).count(), s.content_zipf.len()),
    },
    Feature { name: "type_token_ratio", about: "type/token ratio averaged over windows of TTR_WINDOW words", compute: |s| s.ttr },
    Feature { name: "word_length_mean", about: "mean characters per word", compute: |s| share(s.chars_in_words, s.words) },
    Feature {
        name: "an_mismatch_per_100",
        about: "`a` before a vowel or `an` before a consonant, per 100 words",
        compute: |s| per_100(s.an_mismatch, s.words),
    },
    Feature {
        name: "spintax_per_100",
        about: "spintax leftovers (`{`, `}`, `|` inside words) per 100 words, capped at 10",
        compute: |s| per_100(s.spintax, s.words).min(10.0),
    },
    Feature { name: "log_words", about: "ln(1 + words)", compute: |s| (1.0 + s.words as f64).ln() },
    Feature {
        name: "swap_expected_per_100",
        about: "expected swaps per 100 words: sum of the swap model's p_swap over candidates (0 without a swap model)",
        compute: |s| 100.0 * s.p_swap.iter().sum::<f64>() / s.words.max(1) as f64,
    },
    Feature { name: "swap_p_mean", about: "mean p_swap of the candidates", compute: |s| mean(&s.p_swap) },
    Feature { name: "swap_p_top_mean", about: "mean of the TOP_K largest p_swap", compute: |s| top_mean(&s.p_swap, TOP_K) },
    Feature {
        name: "swap_share_above_half",
        about: "share of candidates with p_swap above 0.5",
        compute: |s| share(s.p_swap.iter().filter(|&&p| p > 0.5).count(), s.p_swap.len()),
    },
];

/// Names of all features, in vector order.
pub fn feature_names() -> Vec<&'static str> {
    FEATURES.iter().map(|f| f.name).collect()
}

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
}

/// Computes features from text against a reference and a thesaurus.
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
    /// Known spun phrases, proposed as candidates with the wording they replaced.
    known: Option<&'r KnownPhrases>,
    /// Word vectors whose neighbours are proposed besides the thesaurus's synonyms, and the
    /// [`Facts`] of each of their words.
    vectors: Option<&'r Vectors>,
    vector_facts: Arc<Vec<Facts>>,
}

/// What the fit of a word or phrase needs of the reference, apart from its neighbour pairs.
#[derive(Debug, Clone, Copy)]
struct Facts {
    /// Hashes of the first and last word.
    first: u64,
    last: u64,
    first_count: f64,
    last_count: f64,
    /// Different words seen after the last word.
    last_followers: f64,
    /// Least count of its words.
    min_count: f64,
    /// ln P of each inner transition (word k | word k-1), k = 1..len.
    inner: [f64; MAX_PHRASE_WORDS - 1],
    len: usize,
}

/// A synonym proposed in place of a candidate: the thesaurus's own, or one inflected like the
/// candidate.
enum Choice<'t> {
    Direct(&'t Phrase),
    Inflected(Inflected<'t>),
    /// A distributional neighbour, by its index in the vectors (its text is only read where it
    /// is offered).
    Neighbour(&'t Vectors, u32),
}

impl Choice<'_> {
    fn text(&self) -> String {
        match self {
            Choice::Direct(p) => p.text.to_string(),
            Choice::Inflected(i) => i.text(),
            Choice::Neighbour(v, i) => v.word(*i).to_string(),
        }
    }

    fn words(&self) -> &[u64] {
        match self {
            Choice::Direct(p) => &p.words,
            Choice::Inflected(i) => i.words(),
            Choice::Neighbour(v, i) => v.words(*i),
        }
    }
}

/// What the oddity search found for a candidate (see [`FeatureExtractor::candidate`]).
#[derive(Default)]
struct Found<'w> {
    /// How much better the best-fitting thesaurus synonym fits (nats; 0 without one).
    oddity: f64,
    /// The suggestion (its text where it could be offered) and its Zipf frequency.
    suggestion: Option<(Option<String>, f64)>,
    /// The offered suggestion's words (where there is its text).
    suggestion_words: Option<&'w [u64]>,
    /// The candidate's own Zipf frequency.
    own_zipf: f64,
    /// Thesaurus synonyms tried.
    synonyms: usize,
    /// How much better the best-fitting distributional neighbour fits, and its cosine.
    vector_oddity: f64,
    vector_cosine: f64,
    /// Cosine between the candidate and its suggestion (0 when either has no vector).
    suggestion_cosine: f64,
}

/// A candidate's neighbour word, with what every synonym's fit needs of it.
struct Neighbour {
    hash: u64,
    count: f64,
    /// Different words seen after it (only used for a left neighbour).
    followers: f64,
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

    /// This extractor with a swap model choosing the spans of [`FeatureExtractor::explain`].
    pub fn with_swap_model<'m>(self, model: Option<&'m SwapModel>) -> FeatureExtractor<'m>
    where
        'r: 'm,
    {
        FeatureExtractor { swap_model: model, ..self }
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
    /// candidates whose `p_swap` reaches its threshold; without one, those whose oddity exceeds
    /// [`EXPLAIN_MIN_ODDITY`] and that have a suggestion.
    pub fn explain(&self, text: &str) -> Analysis {
        self.analyse(text, true)
    }

    /// Every candidate of `text` with its swap features (for training and evaluating swap models).
    pub fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut out = Outputs { candidates: Some(Vec::new()) };
        self.gather(text, &mut out);
        out.candidates.unwrap_or_default()
    }

    /// Statistics of `text` (exposed for tests and diagnostics).
    pub fn stats(&self, text: &str) -> Stats {
        self.gather(text, &mut Outputs { candidates: self.swap_model.is_some().then(Vec::new) })
    }

    fn analyse(&self, text: &str, with_spans: bool) -> Analysis {
        // With a swap model, the candidates also feed the `swap_*` document features.
        let mut out = Outputs { candidates: (with_spans || self.swap_model.is_some()).then(Vec::new) };
        let stats = self.gather(text, &mut out);
        let spans = out.candidates.filter(|_| with_spans).map_or_else(Vec::new, |c| self.spans_of(c, &stats.p_swap));
        Analysis { features: FEATURES.iter().map(|f| f.value(&stats)).collect(), words: stats.words, spans }
    }

    /// The reported spans among the candidates (see [`FeatureExtractor::explain`]), the strongest of
    /// overlapping ones kept.
    /// `p_swap` holds every candidate's probability (computed by `gather` when there is a swap model).
    fn spans_of(&self, candidates: Vec<Candidate>, p_swap: &[f64]) -> Vec<Span> {
        // (A candidate's suggestion exists only where it fits better, or for a known phrase: see
        // `gather_oddity` and `known_candidates`.)
        let spans = candidates.into_iter().enumerate().filter_map(|(k, c)| {
            let (reported, p_swap) = match self.swap_model {
                Some(m) => (p_swap[k] >= m.threshold() && c.has_local_evidence(), Some(p_swap[k])),
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
        let context =
            Context { pair_at: &pair_at, frame_at: &frame_at, cases: &cases, hashes: &hashes, uses: &uses, topic: topic.as_ref() };
        self.gather_oddity(text, &tokens, &words, &hashes, &context, &mut s, out.candidates.as_mut());
        if let Some(candidates) = out.candidates.as_mut() {
            self.known_candidates(text, &tokens, &words, &hashes, &context, candidates);
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
                s.p_swap = candidates.iter().map(|c| m.probability(c)).collect();
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

    /// [`Facts`] of a word or phrase given by its word hashes.
    fn facts(&self, words: &[u64]) -> Facts {
        self.facts_from(words.iter().map(|&w| {
            let (count, followers) = self.reference.word_and_followers(w);
            (w, count, followers)
        }))
    }

    /// [`Facts`] of a word or phrase from each word's hash, count and number of followers.
    fn facts_from(&self, words: impl IntoIterator<Item = (u64, f64, f64)>) -> Facts {
        let mut f = Facts {
            first: 0,
            last: 0,
            first_count: 0.0,
            last_count: 0.0,
            last_followers: 0.0,
            min_count: f64::INFINITY,
            inner: [0.0; MAX_PHRASE_WORDS - 1],
            len: 0,
        };
        for (hash, count, followers) in words {
            if f.len == 0 {
                (f.first, f.first_count) = (hash, count);
            } else {
                f.inner[f.len - 1] = self.ln_next_with(f.last_followers, f.last, f.last_count, hash, count).0;
            }
            f.min_count = f.min_count.min(count);
            (f.last, f.last_count, f.last_followers) = (hash, count, followers);
            f.len += 1;
        }
        f
    }

    /// How well a candidate (one or more words) fits between its neighbours: the log-probability of
    /// `left candidate right` under the smoothed bigram model given `left` (from the unigram
    /// probability of the first word when there is no left neighbour). A phrase's inner transitions
    /// count too: an incoherent phrase ("bodily property") fits badly. `pair_counts` are the counts
    /// of the pairs `left first` and `last right`.
    fn fit(&self, left: Option<&Neighbour>, right: Option<&Neighbour>, f: &Facts, pair_counts: (f64, f64)) -> f64 {
        let mut fit = match left {
            Some(l) => self.ln_pair(l.followers, pair_counts.0, l.count, f.first_count),
            None => self.p_word(f.first_count).ln(),
        };
        for t in &f.inner[..f.len - 1] {
            fit += t;
        }
        if let Some(r) = right {
            fit += self.ln_pair(f.last_followers, pair_counts.1, f.last_count, r.count);
        }
        fit
    }

    #[allow(clippy::too_many_arguments)]
    fn gather_oddity(
        &self,
        text: &str,
        tokens: &[Token],
        words: &[Word],
        hashes: &[u64],
        context: &Context<'_>,
        s: &mut Stats,
        mut candidates: Option<&mut Vec<Candidate>>,
    ) {
        let n = words.len();
        let mut norm = String::new();
        let (mut choices, mut entries, mut keys, mut pair_counts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut cosines: Vec<f64> = Vec::new();
        // Distributional neighbours only feed candidates (the document features stay thesaurus-only).
        let vectors = self.vectors.filter(|_| candidates.is_some());
        let max_cosine = vectors.map_or(0.0, Vectors::max_cosine);
        for i in 0..n {
            if words[i].is_stop || words[i].count <= 0.0 || tokens[i].end - tokens[i].start < MIN_CANDIDATE_CHARS {
                continue;
            }
            // (The topic has every word's vector but stopwords'.)
            let own_vector = context.topic.and_then(|t| t.indices[i]);
            for len in 1..=2usize {
                let j = i + len; // candidate covers words i..j
                if j > n || (len > 1 && (tokens[j - 1].is_break_before || words[j - 1].is_stop)) {
                    break;
                }
                // A head's own synonyms, or, for a single inflected word, its base form's
                // synonyms inflected the same way.
                let head = &hashes[i..j];
                let head_id = self.thesaurus.id_of(head);
                let direct = head_id.map_or(&[][..], |id| self.thesaurus.synonym_ids_of(id));
                let inflected = if direct.is_empty() && len == 1 {
                    normalize_into(tokens[i].as_str(text), &mut norm);
                    self.thesaurus.inflected_synonyms(&norm)
                } else {
                    Vec::new()
                };
                let has_synonyms = !direct.is_empty() || !inflected.is_empty();
                // Words without thesaurus neighbours are candidates of the swap model only (a
                // spinner's thesaurus need not be ours); they have no oddity.
                if !has_synonyms && (len > 1 || candidates.is_none()) {
                    continue;
                }
                let left = (i > 0 && !tokens[i].is_break_before && words[i - 1].count > 0.0).then(|| Neighbour {
                    hash: words[i - 1].hash,
                    count: words[i - 1].count,
                    followers: words[i - 1].followers,
                });
                let right = (j < n && !tokens[j].is_break_before && words[j].count > 0.0).then(|| Neighbour {
                    hash: words[j].hash,
                    count: words[j].count,
                    followers: 0.0,
                });
                if left.is_none() && right.is_none() {
                    continue;
                }
                let (left, right) = (left.as_ref(), right.as_ref());
                let own_zipf = zipf(words[i..j].iter().map(|w| w.count).fold(f64::INFINITY, f64::min), self.total);
                // The candidate itself (entry 0), then its synonyms seen often enough to be proposed,
                // then its distributional neighbours: their facts, first and last words, and the
                // counts of their neighbour pairs, looked up in one batch.
                let own = self.facts_from(words[i..j].iter().map(|w| (w.hash, w.count, w.followers)));
                choices.clear();
                entries.clear();
                cosines.clear();
                entries.push(own);
                let mut add = |choice: Choice<'r>, f: Facts, cosine: f64| {
                    let proposed = f.min_count >= MIN_SUGGESTION_COUNT;
                    if proposed {
                        entries.push(f);
                        choices.push(choice);
                        cosines.push(cosine);
                    }
                    proposed as usize
                };
                // Only where the word's own context is suspect: a pair with a neighbour that the
                // reference never saw (see `NEIGHBOURS_PER_WORD`). Not for a capitalised word
                // within a sentence: a name's neighbours are other names ("Press" -> "News"), and
                // names are not swapped unless broken. (Vectors are only there with candidates,
                // and so the words' cases.)
                let unseen = |p: Option<(bool, f64)>| p.is_some_and(|(seen, _)| !seen);
                let suspect = (i > 0 && unseen(context.pair_at[i])) || (j < n && unseen(context.pair_at[j]));
                let is_name = || context.cases[i] != Case::Lower && i > 0 && !tokens[i].is_break_before;
                let near: &[(u32, f32)] = match (vectors.filter(|_| len == 1 && suspect && !is_name()), own_vector) {
                    (Some(v), Some(k)) => {
                        let all = v.neighbours(k);
                        let near = &all[..NEIGHBOURS_PER_WORD.min(all.len())];
                        &near[..near.iter().take_while(|(_, c)| *c >= MIN_NEIGHBOUR_COSINE).count()]
                    }
                    _ => &[],
                };
                let mut thesaurus_choices = 0;
                for &id in direct {
                    prefetch(&self.phrase_facts[id as usize]);
                }
                for &(nb, _) in near {
                    prefetch(&self.vector_facts[nb as usize]);
                }
                for &id in direct {
                    // (A synonym's cosine is looked up only where it is ranked: `NOT_YET`.)
                    let p = &self.thesaurus.phrases()[id as usize];
                    thesaurus_choices += add(Choice::Direct(p), self.phrase_facts[id as usize], NOT_YET);
                }
                if !inflected.is_empty() {
                    // The inflected synonyms' word counts are looked up in one batch.
                    let syn_words: Vec<u64> = inflected.iter().flat_map(|syn| syn.words().iter().copied()).collect();
                    let mut looked_up = syn_words.iter().zip(self.reference.words_and_followers(&syn_words));
                    for syn in &inflected {
                        let f = self
                            .facts_from(looked_up.by_ref().take(syn.words().len()).map(|(&w, (count, followers))| (w, count, followers)));
                        thesaurus_choices += add(Choice::Inflected(*syn), f, NOT_YET);
                    }
                }
                if let Some(v) = vectors {
                    for &(nb, cosine) in near {
                        add(Choice::Neighbour(v, nb), self.vector_facts[nb as usize], cosine as f64);
                    }
                }
                if choices.is_empty() {
                    if let Some(out) = candidates.as_deref_mut() {
                        out.push(self.candidate(tokens, (i, j), context, Found { own_zipf, ..Found::default() }));
                    }
                    continue;
                }
                keys.clear();
                if let Some(l) = left {
                    keys.extend(entries.iter().map(|f| key(&[l.hash, f.first])));
                }
                if let Some(r) = right {
                    keys.extend(entries.iter().map(|f| key(&[f.last, r.hash])));
                }
                self.reference.counts_of_keys(2, &keys, &mut pair_counts);
                let (left_counts, right_counts) = pair_counts.split_at(if left.is_some() { entries.len() } else { 0 });
                let pairs = |k: usize| (left_counts.get(k).copied().unwrap_or(0.0), right_counts.get(k).copied().unwrap_or(0.0));
                let own = self.fit(left, right, &entries[0], pairs(0));
                // Among alternatives seen next to a neighbour at least once: the best-fitting
                // synonym, the best-fitting neighbour, and the likeliest original (see
                // `RANK_COSINE_WEIGHT`) among those that fit better than the word.
                let (mut best, mut best_neighbour, mut likeliest): (Option<Scored>, Option<Scored>, Option<Scored>) = (None, None, None);
                for k in 0..choices.len() {
                    let (l, r) = pairs(k + 1);
                    if l > 0.0 || r > 0.0 {
                        let fit = self.fit(left, right, &entries[k + 1], (l, r));
                        let slot = if k < thesaurus_choices { &mut best } else { &mut best_neighbour };
                        if slot.is_none_or(|(b, _)| fit > b) {
                            *slot = Some((fit, k));
                        }
                        let bonus = if k < thesaurus_choices { RANK_THESAURUS_BONUS } else { 0.0 };
                        // (The cosine and the reverse look-up are skipped where even their largest
                        // values could not beat the likeliest so far.)
                        let beats = |rank: f64| likeliest.is_none_or(|(b, _)| rank > b);
                        if fit > own && beats(fit + RANK_COSINE_WEIGHT * max_cosine + bonus + RANK_REVERSE_BONUS) {
                            if cosines[k].is_nan() {
                                cosines[k] = match (vectors, own_vector, choices[k].words()) {
                                    (Some(v), Some(a), [w]) => v.index_of(*w).map_or(0.0, |b| v.cosine(a, b)),
                                    _ => 0.0,
                                };
                            }
                            let base = fit + RANK_COSINE_WEIGHT * cosines[k] + bonus;
                            if beats(base + RANK_REVERSE_BONUS) {
                                let reverse = if self.lists(choices[k].words(), head_id) { RANK_REVERSE_BONUS } else { 0.0 };
                                let rank = base + reverse;
                                if beats(rank) {
                                    likeliest = Some((rank, k));
                                }
                            }
                        }
                    }
                }
                let oddity = best.map_or(0.0, |(b, _)| b - own);
                if has_synonyms {
                    s.oddity.push(oddity);
                }
                if let Some(out) = candidates.as_deref_mut() {
                    // The text of a suggestion is only made where it could be offered: where it
                    // fits better (see `spans_of`); without one, the best synonym's frequency
                    // still counts.
                    let suggestion = match likeliest {
                        Some((_, k)) => Some((Some(context.cases[i].apply(&choices[k].text())), k)),
                        None => best.map(|(_, k)| (None, k)),
                    };
                    let suggestion_words = likeliest.map(|(_, k)| choices[k].words());
                    let found = Found {
                        oddity,
                        own_zipf,
                        synonyms: thesaurus_choices,
                        vector_oddity: best_neighbour.map_or(0.0, |(b, _)| b - own),
                        vector_cosine: best_neighbour.map_or(0.0, |(_, k)| cosines[k]),
                        // (0 where it was never looked up: `candidate` zeroes what is not finite.)
                        suggestion_cosine: suggestion.as_ref().map_or(0.0, |&(_, k)| cosines[k]),
                        suggestion: suggestion.map(|(text, k)| (text, zipf(entries[k + 1].min_count, self.total))),
                        suggestion_words,
                    };
                    out.push(self.candidate(tokens, (i, j), context, found));
                }
                if oddity > ODDITY_HIGH {
                    let raw = tokens[i].as_str(text);
                    let next_cap = j < n && Case::of(tokens[j].as_str(text)) != Case::Lower;
                    let prev_cap = i > 0 && !tokens[i].is_break_before && Case::of(tokens[i - 1].as_str(text)) != Case::Lower;
                    if Case::of(raw) != Case::Lower && (next_cap || prev_cap) {
                        s.name_odd += 1;
                    }
                }
            }
        }
    }

    /// Whether the thesaurus lists `head` among the synonyms of `phrase` (a spinner that swapped
    /// `phrase` for `head` found it there).
    /// (`head` is the head's id: none for a head the thesaurus does not have, which no list holds.)
    fn lists(&self, phrase: &[u64], head: Option<u32>) -> bool {
        head.is_some_and(|h| self.thesaurus.synonym_ids(phrase).contains(&h))
    }

    /// Candidates for the known spun phrases of the text (within a run), with the wording they
    /// replaced as the suggestion and how much more common that wording is in the reference.
    fn known_candidates(
        &self,
        text: &str,
        tokens: &[Token],
        words: &[Word],
        hashes: &[u64],
        context: &Context<'_>,
        out: &mut Vec<Candidate>,
    ) {
        let Some(known) = self.known.filter(|k| !k.is_empty()) else { return };
        let n = tokens.len();
        let ln_count = |ws: &[u64]| self.reference.count(ws).ln_1p();
        let mut norm = String::new();
        for i in 0..n {
            for j in i + 1..=(i + known.longest()).min(n) {
                if j > i + 1 && tokens[j - 1].is_break_before {
                    break;
                }
                let Some(original) = known.original_of(&hashes[i..j]) else { continue };
                let original_words: Vec<u64> = original
                    .split_whitespace()
                    .map(|w| {
                        normalize_into(w, &mut norm);
                        hash_word(&norm)
                    })
                    .collect();
                let own_zipf = zipf(words[i..j].iter().map(|w| w.count).fold(f64::INFINITY, f64::min), self.total);
                let raw = tokens[i].as_str(text);
                // Each word capitalised like the word it replaces ("Related Press" -> "Associated
                // Press"); a phrase of another length like the first word.
                let spun_words: Vec<&str> = tokens[i..j].iter().map(|t| t.as_str(text)).collect();
                let cased = if original.split_whitespace().count() == spun_words.len() {
                    original.split_whitespace().zip(&spun_words).map(|(w, s)| Case::of(s).apply(w)).collect::<Vec<_>>().join(" ")
                } else {
                    Case::of(raw).apply(original)
                };
                let found = Found {
                    suggestion: Some((Some(cased), own_zipf)),
                    suggestion_words: Some(&original_words),
                    own_zipf,
                    synonyms: 1,
                    ..Found::default()
                };
                let mut c = self.candidate(tokens, (i, j), context, found);
                c.features[17] = 1.0;
                c.features[18] = ln_count(&original_words) - ln_count(&hashes[i..j]);
                out.push(c);
            }
        }
    }

    /// A candidate covering words `i..j` with its swap features, but for the three that need every
    /// candidate of the document (15, 16 and 19: filled in by [`FeatureExtractor::gather`]) and the
    /// known-phrase ones (17 and 18: by [`FeatureExtractor::known_candidates`]).
    fn candidate(&self, tokens: &[Token], (i, j): (usize, usize), context: &Context<'_>, found: Found) -> Candidate {
        let Found { oddity, suggestion, suggestion_words, own_zipf, synonyms, vector_oddity, vector_cosine, suggestion_cosine } = found;
        let [repeats, suggestion_in_doc, topic_cos, topic_gain] = context.document_features((i, j), suggestion_words);
        let n = tokens.len();
        let left = context.pair_at[i].filter(|_| i > 0);
        let right = if j < n { context.pair_at[j] } else { None };
        let frame = if j == i + 1 { context.frame_at[i] } else { None };
        let case = |k: usize| context.cases[k] != Case::Lower;
        let capitalised = case(i);
        let in_name =
            capitalised && ((j < n && !tokens[j].is_break_before && case(j)) || (i > 0 && !tokens[i].is_break_before && case(i - 1)));
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let features = [
            oddity.max(0.0),
            left.map_or(0.0, |(_, a)| a),
            right.map_or(0.0, |(_, a)| a),
            flag(left.is_some_and(|(seen, _)| !seen)),
            flag(right.is_some_and(|(seen, _)| !seen)),
            (left.is_some() as u8 + right.is_some() as u8) as f64,
            frame.unwrap_or(0.0),
            flag(frame.is_some()),
            own_zipf,
            suggestion.as_ref().map_or(0.0, |(_, z)| z - own_zipf),
            (synonyms as f64).ln_1p(),
            flag(capitalised),
            flag(in_name),
            flag(i == 0 || tokens[i].is_break_before),
            (j - i) as f64,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            vector_oddity.max(0.0),
            vector_cosine,
            suggestion_cosine,
            repeats,
            suggestion_in_doc,
            topic_cos,
            topic_gain,
        ];
        let features = features.map(|x| if x.is_finite() { x } else { 0.0 });
        Candidate {
            start: tokens[i].start,
            end: tokens[j - 1].end,
            words: (i, j),
            features,
            oddity: oddity.max(vector_oddity),
            suggestion: suggestion.and_then(|(s, _)| s),
        }
    }
}

/// Per-word facts of the whole text that candidates' features use: (seen, association) of the pair
/// ending at each word, and the frame association of flanked words.
struct Context<'a> {
    pair_at: &'a [Option<(bool, f64)>],
    frame_at: &'a [Option<f64>],
    /// How each word is capitalised (empty without candidates).
    cases: &'a [Case],
    /// The words' hashes, how often the document uses each (see [`word_uses`]) and its topic.
    hashes: &'a [u64],
    uses: &'a WordUses,
    topic: Option<&'a Topic<'a>>,
}

impl Context<'_> {
    /// The document features of a candidate over words `i..j` whose offered suggestion (if any)
    /// has the words `suggestion`: `repeats_ln`, `suggestion_in_doc`, `topic_cos` and
    /// `suggestion_topic_gain`.
    fn document_features(&self, (i, j): (usize, usize), suggestion: Option<&[u64]>) -> [f64; 4] {
        // Uses of the candidate's rarest word beyond this one.
        let repeats = self.hashes[i..j].iter().map(|h| self.uses[h]).min().unwrap_or(1).saturating_sub(1);
        let in_doc = suggestion.is_some_and(|words| words.iter().all(|h| self.uses.contains_key(h)));
        let (topic_cos, gain) = match (self.topic, j == i + 1) {
            (Some(topic), true) => topic.cosines(i, suggestion),
            _ => (0.0, 0.0),
        };
        [f64::from(repeats).ln_1p(), f64::from(u8::from(in_doc)), topic_cos, gain]
    }
}

/// How often a document uses each word.
type WordUses = HashMap<u64, u32, KeyHasher>;

/// How often the document uses each word: a topical word an author repeats is rarely a swap, and
/// a spinner that swaps only some occurrences leaves the original elsewhere.
fn word_uses(hashes: &[u64]) -> WordUses {
    let mut uses = WordUses::with_capacity_and_hasher(hashes.len(), KeyHasher::default());
    for &h in hashes {
        *uses.entry(h).or_default() += 1;
    }
    uses
}

/// The document's topic: the sum of its content words' vectors. A swap through a wrong sense
/// ("fireplace division" for *fire department*) strays from it; the author's own words, however
/// vivid, stay near it.
struct Topic<'v> {
    vectors: &'v Vectors,
    sum: Vec<f64>,
    norm2: f64,
    /// Each word's vector (none for stopwords and words without one).
    indices: Vec<Option<u32>>,
}

impl<'v> Topic<'v> {
    fn of(vectors: &'v Vectors, hashes: &[u64], words: &[Word]) -> Topic<'v> {
        let mut sum = vec![0.0; vectors.dims()];
        let indices: Vec<Option<u32>> =
            hashes.iter().zip(words).map(|(&h, w)| if w.is_stop { None } else { vectors.index_of(h) }).collect();
        for i in indices.iter().flatten() {
            vectors.add_to(*i, &mut sum);
        }
        let norm2 = sum.iter().map(|x| x * x).sum();
        Topic { vectors, sum, norm2, indices }
    }

    /// For the word at `i`: its cosine with the topic less itself, and how much closer to that the
    /// suggestion is (when it is one word with a vector); zeros where the word has no vector.
    fn cosines(&self, i: usize, suggestion: Option<&[u64]>) -> (f64, f64) {
        let (v, sum) = (self.vectors, &self.sum);
        let Some(own) = self.indices[i] else { return (0.0, 0.0) };
        let own_dot = v.dot(own, sum);
        let rest2 = self.norm2 - 2.0 * own_dot + v.norm2(own);
        // A word's cosine with the rest, from its dot product with the whole topic and its cosine with `own`.
        let cos_rest = |w: u32, dot: f64, with_own: f64| {
            let len = (v.norm2(w) * rest2).sqrt();
            if len > 1e-9 {
                (dot - with_own) / len
            } else {
                0.0
            }
        };
        let t = cos_rest(own, own_dot, v.norm2(own));
        let gain = match suggestion {
            Some(&[h]) => v.index_of(h).map_or(0.0, |w| cos_rest(w, v.dot(w, sum), v.cosine(w, own)) - t),
            _ => 0.0,
        };
        (t, gain)
    }
}

/// A score and the index of the alternative it belongs to.
type Scored = (f64, usize);

/// A cosine not looked up yet.
const NOT_YET: f64 = f64::NAN;

/// Zipf frequency: log10 of occurrences per billion words.
fn zipf(count: f64, total: f64) -> f64 {
    (count.max(0.5) / total * 1e9).log10()
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

    #[test]
    fn a_swap_model_reports_the_swap_with_its_probability_and_no_span_on_the_original() {
        let (r, t) = resources();
        // p_swap = sigma(oddity - 2): only the oddity counts, standardised with mean 0 and sd 1.
        let mut weights = vec![0.0; SWAP_FEATURE_COUNT];
        weights[0] = 1.0;
        let model = SwapModel::new(vec![0.0; SWAP_FEATURE_COUNT], vec![1.0; SWAP_FEATURE_COUNT], weights, -2.0, 0.5).unwrap();
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
        assert_eq!(swap_columns.len(), 4);
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
    }

    #[test]
    fn known_spun_phrases_are_candidates_with_their_original() {
        let (r, t) = resources();
        let mut known = KnownPhrases::default();
        let file = "unspun-thesaurus\t1\ttest\tnone\noverseas minister\tforeign minister\n";
        known.add_reader(file.as_bytes(), std::path::Path::new("k.tsv")).unwrap();
        let fx = FeatureExtractor::new(&r, &t).with_known_phrases(Some(&known));
        let text = "The overseas minister met reporters.";
        let c = fx.candidates(text).into_iter().find(|c| c.features[17] == 1.0).expect("the known phrase is a candidate");
        assert_eq!((&text[c.start..c.end], c.suggestion.as_deref()), ("overseas minister", Some("foreign minister")));
        // "foreign minister" is common in the reference, "overseas minister" unseen
        assert!(c.features[18] > 3.0, "{}", c.features[18]);
        assert!(fx.candidates("The foreign minister met reporters.").iter().all(|c| c.features[17] == 0.0));
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

    #[test]
    fn feature_names_are_unique() {
        let names = feature_names();
        assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len());
    }

    #[test]
    fn quantile_uses_nearest_rank() {
        assert_eq!(quantile(&[5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.1), 1.0);
        assert_eq!(quantile(&[2.0], 0.1), 2.0);
        assert_eq!(top_mean(&[1.0, -2.0, 3.0], 2), 2.0);
    }
}
