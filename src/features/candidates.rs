//! The word-level candidates: each word and two-word phrase of a text, the alternatives that
//! could be the wording a spinner replaced with it (the thesaurus's synonyms, inflected like the
//! word; its distributional neighbours; a known spun phrase's original), how much better each fits
//! between the neighbours, the likeliest original, and the candidate's swap features (see
//! [`super::SWAP_FEATURES`]). The document features of the parent module use the oddities; the
//! swap model and the spans use the candidates.

use std::collections::HashMap;

use super::ranking::{Alternative, Alternatives, COSINE, FIT_GAIN, IN_DOC, LISTS_BACK, RANK_FEATURE_COUNT, THESAURUS, WORDS, ZIPF_GAIN};
use super::{Candidate, FeatureExtractor, Stats, Word, MIN_CANDIDATE_CHARS, MIN_NEIGHBOUR_COSINE, MIN_SUGGESTION_COUNT};
use super::{NEIGHBOURS_PER_WORD, ODDITY_HIGH};
use crate::reference::{hash_word, key, prefetch, KeyHasher};
use crate::text::{normalize_into, Case, Token};
use crate::thesaurus::{Inflected, Phrase, MAX_PHRASE_WORDS};
use crate::vectors::Vectors;

/// What the fit of a word or phrase needs of the reference, apart from its neighbour pairs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Facts {
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

impl<'r> FeatureExtractor<'r> {
    /// [`Facts`] of a word or phrase given by its word hashes.
    pub(super) fn facts(&self, words: &[u64]) -> Facts {
        self.facts_from(words.iter().map(|&w| {
            let (count, followers) = self.reference.word_and_followers(w);
            (w, count, followers)
        }))
    }

    /// [`Facts`] of a word or phrase from each word's hash, count and number of followers.
    pub(super) fn facts_from(&self, words: impl IntoIterator<Item = (u64, f64, f64)>) -> Facts {
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

    /// The oddity of every candidate (into `s`), and, when asked for, the candidates and the
    /// alternatives that fit better than each (every one, with its ranking features).
    pub(super) fn gather_oddity(
        &self,
        context: &Context<'_>,
        s: &mut Stats,
        mut candidates: Option<&mut Vec<Candidate>>,
        mut alternatives: Option<&mut Vec<Alternatives>>,
    ) {
        let &Context { text, tokens, words, hashes, .. } = context;
        let (ranker, recording) = (&self.ranker, alternatives.is_some());
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
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
                        out.push(self.candidate((i, j), context, Found { own_zipf, ..Found::default() }));
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
                // synonym, the best-fitting neighbour, and the likeliest original (the ranker's
                // best, see `Ranker`) among those that fit better than the word.
                let (mut best, mut best_neighbour, mut likeliest): (Option<Scored>, Option<Scored>, Option<Scored>) = (None, None, None);
                let mut offered = Vec::new();
                for k in 0..choices.len() {
                    let (l, r) = pairs(k + 1);
                    if l > 0.0 || r > 0.0 {
                        let fit = self.fit(left, right, &entries[k + 1], (l, r));
                        let is_thesaurus = k < thesaurus_choices;
                        let slot = if is_thesaurus { &mut best } else { &mut best_neighbour };
                        if slot.is_none_or(|(b, _)| fit > b) {
                            *slot = Some((fit, k));
                        }
                        if fit <= own {
                            continue;
                        }
                        let words = choices[k].words();
                        let mut x = [0.0; RANK_FEATURE_COUNT];
                        x[FIT_GAIN] = fit - own;
                        x[THESAURUS] = flag(is_thesaurus);
                        x[ZIPF_GAIN] = zipf(entries[k + 1].min_count, self.total) - own_zipf;
                        x[IN_DOC] = flag(words.iter().all(|h| context.uses.contains_key(h)));
                        x[WORDS] = words.len() as f64;
                        // (The cosine and the reverse look-up are skipped where even their largest
                        // contributions could not beat the likeliest so far, unless every
                        // alternative is recorded.)
                        let beats = |rank: f64| recording || likeliest.is_none_or(|(b, _)| rank > b);
                        if !beats(ranker.score(&x) + ranker.most_from(COSINE, max_cosine) + ranker.most_from(LISTS_BACK, 1.0)) {
                            continue;
                        }
                        if cosines[k].is_nan() {
                            cosines[k] = match (vectors, own_vector, words) {
                                (Some(v), Some(a), [w]) => v.index_of(*w).map_or(0.0, |b| v.cosine(a, b)),
                                _ => 0.0,
                            };
                        }
                        x[COSINE] = cosines[k];
                        if !beats(ranker.score(&x) + ranker.most_from(LISTS_BACK, 1.0)) {
                            continue;
                        }
                        x[LISTS_BACK] = flag(self.lists(words, head_id));
                        let rank = ranker.score(&x);
                        if likeliest.is_none_or(|(b, _)| rank > b) {
                            likeliest = Some((rank, k));
                        }
                        if recording {
                            offered.push(Alternative { text: choices[k].text().to_lowercase(), features: x });
                        }
                    }
                }
                if let Some(out) = alternatives.as_deref_mut().filter(|_| !offered.is_empty()) {
                    out.push(Alternatives { start: tokens[i].start, end: tokens[j - 1].end, alternatives: offered });
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
                        Some((_, k)) => Some((Some(context.case_to_write(i).apply(&choices[k].text())), k)),
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
                    out.push(self.candidate((i, j), context, found));
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
    pub(super) fn known_candidates(&self, context: &Context<'_>, out: &mut Vec<Candidate>) {
        let &Context { tokens, words, hashes, .. } = context;
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
                // Each word capitalised like the word it replaces ("Related Press" -> "Associated
                // Press"); a phrase of another length like the first word.
                let cased = if original.split_whitespace().count() == j - i {
                    original.split_whitespace().zip(i..j).map(|(w, k)| context.case_to_write(k).apply(w)).collect::<Vec<_>>().join(" ")
                } else {
                    context.case_to_write(i).apply(original)
                };
                let found = Found {
                    suggestion: Some((Some(cased), own_zipf)),
                    suggestion_words: Some(&original_words),
                    own_zipf,
                    synonyms: 1,
                    ..Found::default()
                };
                let mut c = self.candidate((i, j), context, found);
                c.features[17] = 1.0;
                c.features[18] = ln_count(&original_words) - ln_count(&hashes[i..j]);
                out.push(c);
            }
        }
    }

    /// A candidate covering words `i..j` with its swap features, but for the three that need every
    /// candidate of the document (15, 16 and 19: filled in by [`FeatureExtractor::gather`]) and the
    /// known-phrase ones (17 and 18: by [`FeatureExtractor::known_candidates`]).
    fn candidate(&self, (i, j): (usize, usize), context: &Context<'_>, found: Found) -> Candidate {
        let tokens = context.tokens;
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
            name: j - i > 1 && i > 0 && !tokens[i].is_break_before && (i..j).all(case),
        }
    }
}

/// The text and the per-word facts of it that the candidates use: (seen, association) of the pair
/// ending at each word, the frame association of flanked words, and the rest below.
pub(super) struct Context<'a> {
    /// The text, its tokens and their per-word facts.
    pub(super) text: &'a str,
    pub(super) tokens: &'a [Token],
    pub(super) words: &'a [Word],
    pub(super) pair_at: &'a [Option<(bool, f64)>],
    pub(super) frame_at: &'a [Option<f64>],
    /// How each word is capitalised (empty without candidates).
    pub(super) cases: &'a [Case],
    /// The words' hashes, how often the document uses each (see [`word_uses`]) and its topic.
    pub(super) hashes: &'a [u64],
    pub(super) uses: &'a WordUses,
    pub(super) topic: Option<&'a Topic<'a>>,
}

impl Context<'_> {
    /// How a replacement of word `k` is capitalised: like the word, but for a short all-capitals
    /// word next to none (an acronym: "PC vision" -> "computer vision", while "SKIN DISEASE" and
    /// a heading's "ABSTRACT" stay in capitals), whose replacement is written in lower case.
    fn case_to_write(&self, k: usize) -> Case {
        let upper = |k: usize| self.cases[k] == Case::Upper;
        let shouting = (k > 0 && !self.tokens[k].is_break_before && upper(k - 1))
            || (k + 1 < self.tokens.len() && !self.tokens[k + 1].is_break_before && upper(k + 1));
        let short = || self.tokens[k].as_str(self.text).chars().filter(|c| c.is_alphabetic()).count() <= MAX_ACRONYM_LETTERS;
        match self.cases[k] {
            Case::Upper if !shouting && short() => Case::Lower,
            case => case,
        }
    }

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
pub(super) type WordUses = HashMap<u64, u32, KeyHasher>;

/// How often the document uses each word: a topical word an author repeats is rarely a swap, and
/// a spinner that swaps only some occurrences leaves the original elsewhere.
pub(super) fn word_uses(hashes: &[u64]) -> WordUses {
    let mut uses = WordUses::with_capacity_and_hasher(hashes.len(), KeyHasher::default());
    for &h in hashes {
        *uses.entry(h).or_default() += 1;
    }
    uses
}

/// The document's topic: the sum of its content words' vectors. A swap through a wrong sense
/// ("fireplace division" for *fire department*) strays from it; the author's own words, however
/// vivid, stay near it.
pub(super) struct Topic<'v> {
    vectors: &'v Vectors,
    sum: Vec<f64>,
    norm2: f64,
    /// Each word's vector (none for stopwords and words without one).
    indices: Vec<Option<u32>>,
}

impl<'v> Topic<'v> {
    pub(super) fn of(vectors: &'v Vectors, hashes: &[u64], words: &[Word]) -> Topic<'v> {
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

/// The longest all-capitals word taken for an acronym (see [`Context::case_to_write`]).
const MAX_ACRONYM_LETTERS: usize = 4;

/// A score and the index of the alternative it belongs to.
type Scored = (f64, usize);

/// A cosine not looked up yet.
const NOT_YET: f64 = f64::NAN;

/// Zipf frequency: log10 of occurrences per billion words.
fn zipf(count: f64, total: f64) -> f64 {
    (count.max(0.5) / total * 1e9).log10()
}
