//! N-gram counts of ordinary English: a mutable [`Counter`] at build time, frozen into a compact
//! [`Reference`] at query time.
//!
//! Words and n-grams are identified by stable 64-bit hashes of their normalised forms, so the store
//! needs no vocabulary strings. The frozen store keeps, per order, a 32-bit fingerprint of each key in
//! 65,536 buckets (the top 16 bits pick the bucket, the low 16 bits are stored) and a quantised count
//! (one byte: `q = 1 + round(ln(count) * Q_SCALE)`). A lookup is one bucket scan; a fingerprint
//! collision (probability entries / 2^32 per unseen query) reads as "seen".

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::{normalize_into, tokenize, Token};

pub mod arpa;

/// Highest n-gram order counted.
pub const MAX_ORDER: usize = 3;
/// Tables in a frozen store: unigrams, bigrams, trigrams, and frames (`left _ right`, the contexts
/// of trigrams with their middle word left out).
pub const TABLES: usize = MAX_ORDER + 1;
/// Index of the frame table.
const FRAMES: usize = MAX_ORDER;
/// Quantisation steps per natural-log unit of a count: 8 gives counts within about 6%.
pub const Q_SCALE: f64 = 8.0;
const BUCKETS: usize = 1 << 16;
const MAGIC: &[u8; 8] = b"UNSPNREF";
/// Format name written in every reference file header.
pub const FORMAT: &str = "unspun-reference";
/// Version of the reference file format this build writes and reads.
pub const VERSION: u32 = 1;

/// Hasher for maps keyed by our own 64-bit hashes: they are already uniformly mixed, so hashing them
/// again (std's SipHash) only costs time.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are expected; fold anything else in so the hasher stays correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// `BuildHasher` for maps and sets keyed by [`hash_word`] / [`key`] values.
pub type KeyHasher = std::hash::BuildHasherDefault<IdentityHasher>;

/// Stable hash of a normalised word (FNV-1a, then a finaliser to spread the bits).
pub fn hash_word(norm: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in norm.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// Hashes of the normalised words of `tokens`, which were cut from `text`.
pub fn hash_tokens(text: &str, tokens: &[Token]) -> Vec<u64> {
    let mut norm = String::new();
    tokens
        .iter()
        .map(|t| {
            normalize_into(t.as_str(text), &mut norm);
            hash_word(&norm)
        })
        .collect()
}

/// SplitMix64 finaliser.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Key of an n-gram from its word hashes (order 1 keys are the word hash itself).
#[inline]
pub fn key(words: &[u64]) -> u64 {
    let mut k = words[0];
    for (i, &w) in words.iter().enumerate().skip(1) {
        k = mix(k.rotate_left(17) ^ w ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    }
    k
}

/// Count of one n-gram while building, with what freezing needs to derive the "different words"
/// counts: for bigrams the hash of the first word, for trigrams the key of its frame.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    count: u64,
    parent: u64,
}

/// The hash that stands for the gap in a frame key (`key(&[left, GAP, right])`).
fn gap() -> u64 {
    hash_word("\u{0}gap")
}

/// Key of the frame `left _ right`.
#[inline]
pub fn frame_key(left: u64, right: u64) -> u64 {
    key(&[left, gap(), right])
}

/// What a tally remembers of its n-gram.
fn parent_of(gram: &[u64]) -> u64 {
    match gram.len() {
        2 => gram[0],
        3 => frame_key(gram[0], gram[2]),
        _ => 0,
    }
}

/// N-gram counts while building: exact 64-bit keys, exact counts.
#[derive(Debug, Default, Clone)]
pub struct Counter {
    orders: [HashMap<u64, Tally, KeyHasher>; MAX_ORDER],
    tokens: u64,
    documents: u64,
    /// With [`Counter::counting_documents`]: in how many documents each bigram and trigram was seen.
    document_counts: Option<Box<[HashMap<u64, u32, KeyHasher>; MAX_ORDER - 1]>>,
}

impl Counter {
    /// An empty counter.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty counter that also counts in how many documents each bigram and trigram occurs, for
    /// [`Counter::keep_ngrams_seen_in`].
    pub fn counting_documents() -> Self {
        Counter { document_counts: Some(Box::default()), ..Counter::default() }
    }

    /// Counts the words, bigrams and trigrams of one document.
    pub fn add_text(&mut self, text: &str) {
        let mut norm = String::new();
        let mut run: Vec<u64> = Vec::with_capacity(64);
        // this document's bigram and trigram keys, when counting documents
        let mut in_document: Option<[std::collections::HashSet<u64, KeyHasher>; MAX_ORDER - 1]> =
            self.document_counts.as_ref().map(|_| Default::default());
        let mut flush = |run: &mut Vec<u64>, orders: &mut [HashMap<u64, Tally, KeyHasher>; MAX_ORDER]| {
            for n in 1..=MAX_ORDER {
                for gram in run.windows(n) {
                    let k = key(gram);
                    orders[n - 1].entry(k).or_insert_with(|| Tally { count: 0, parent: parent_of(gram) }).count += 1;
                    if let (Some(sets), 2..) = (in_document.as_mut(), n) {
                        sets[n - 2].insert(k);
                    }
                }
            }
            run.clear();
        };
        for tok in tokenize(text) {
            if tok.is_break_before {
                flush(&mut run, &mut self.orders);
            }
            normalize_into(tok.as_str(text), &mut norm);
            run.push(hash_word(&norm));
            self.tokens += 1;
        }
        flush(&mut run, &mut self.orders);
        if let (Some(counts), Some(sets)) = (self.document_counts.as_mut(), in_document) {
            for (counts, set) in counts.iter_mut().zip(sets) {
                for k in set {
                    *counts.entry(k).or_insert(0) += 1;
                }
            }
        }
        self.documents += 1;
    }

    /// Adds `count` occurrences of the n-gram whose words are given (e.g. from a list of web counts).
    /// N-grams longer than [`MAX_ORDER`] or with no words are ignored.
    pub fn add_ngram(&mut self, words: &str, count: u64) {
        self.add_hashed(&hash_tokens(words, &tokenize(words)), count);
    }

    /// [`Counter::add_ngram`] of an n-gram given by its word hashes.
    pub fn add_hashed(&mut self, words: &[u64], count: u64) {
        if (1..=MAX_ORDER).contains(&words.len()) && count > 0 {
            self.orders[words.len() - 1].entry(key(words)).or_insert_with(|| Tally { count: 0, parent: parent_of(words) }).count += count;
        }
    }

    /// Drops the bigrams and trigrams that occurred in fewer than `min_documents` documents (needs a
    /// counter made by [`Counter::counting_documents`]; otherwise keeps everything) and returns how
    /// many were dropped. A collocation that one spun document invented does not become "normal
    /// English" this way; one that many documents share does.
    pub fn keep_ngrams_seen_in(&mut self, min_documents: u32) -> u64 {
        let Some(counts) = &self.document_counts else { return 0 };
        let mut dropped = 0;
        for (order, counts) in self.orders[1..].iter_mut().zip(counts.iter()) {
            let before = order.len();
            order.retain(|k, _| counts.get(k).copied().unwrap_or(0) >= min_documents);
            dropped += (before - order.len()) as u64;
        }
        dropped
    }

    /// Adds another counter's counts to this one.
    pub fn merge(&mut self, other: Counter) {
        for (mine, theirs) in self.orders.iter_mut().zip(other.orders) {
            if mine.len() < theirs.len() {
                let small = std::mem::replace(mine, theirs);
                for (k, t) in small {
                    mine.entry(k).or_insert(Tally { count: 0, parent: t.parent }).count += t.count;
                }
            } else {
                for (k, t) in theirs {
                    mine.entry(k).or_insert(Tally { count: 0, parent: t.parent }).count += t.count;
                }
            }
        }
        if let (Some(mine), Some(theirs)) = (self.document_counts.as_mut(), other.document_counts) {
            for (mine, theirs) in mine.iter_mut().zip(*theirs) {
                for (k, n) in theirs {
                    *mine.entry(k).or_insert(0) += n;
                }
            }
        }
        self.tokens += other.tokens;
        self.documents += other.documents;
    }

    /// Words counted so far.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Documents counted so far.
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// Distinct n-grams of order `n` (1-based) counted so far.
    pub fn distinct(&self, n: usize) -> usize {
        self.orders[n - 1].len()
    }

    /// Freezes the counts into a query-time store, keeping for each table the most frequent entries
    /// that fit `budget` (whole count levels only, so the result does not depend on hash order).
    pub fn freeze(&self, budget: &Budget, sources: Vec<String>) -> Reference {
        let lists = self.lists(None);
        let mut tables = Vec::with_capacity(TABLES);
        let mut min_counts = Vec::with_capacity(TABLES);
        for (n, list) in lists.iter().enumerate() {
            let min_count = min_count_within(list, budget.max_entries[n], budget.min_count[n]);
            let entries: Vec<(u32, u8, u8)> = list
                .iter()
                .filter(|&&(_, c, _)| c >= min_count)
                .map(|&(k, c, t)| (fingerprint(k), quantize(c as f64), quantize(t as f64)))
                .collect();
            tables.push(Table::from_entries(entries, n == 0 || n == FRAMES));
            min_counts.push(min_count);
        }
        let header = Header {
            format: FORMAT.to_string(),
            version: VERSION,
            tokens: self.tokens,
            documents: self.documents,
            totals: self.totals(),
            entries: tables.iter().map(|t| t.len() as u64).collect(),
            min_counts,
            sources,
        };
        Reference::from_parts(header, tables)
    }

    /// Per table, `(key, count, different continuations)`: for unigrams the different words seen
    /// after the word, for frames the different words seen in the gap (before pruning: the
    /// Witten-Bell weights of unseen continuations and fillers). With a `base` store, only
    /// continuations that the base does not hold are counted, so that the two add up.
    fn lists(&self, base: Option<&Reference>) -> [Vec<(u64, u64, u64)>; TABLES] {
        let is_new = |table: usize, k: u64| base.is_none_or(|b| b.tables[table].find(k).is_none());
        let mut followers: HashMap<u64, u64, KeyHasher> = HashMap::default();
        for (&k, t) in &self.orders[1] {
            if is_new(1, k) {
                *followers.entry(t.parent).or_insert(0) += 1;
            }
        }
        let mut frames: HashMap<u64, (u64, u64), KeyHasher> = HashMap::default();
        for (&k, t) in &self.orders[2] {
            let f = frames.entry(t.parent).or_insert((0, 0));
            f.0 += t.count;
            f.1 += u64::from(is_new(2, k));
        }
        [
            self.orders[0].iter().map(|(&k, t)| (k, t.count, followers.get(&k).copied().unwrap_or(0))).collect(),
            self.orders[1].iter().map(|(&k, t)| (k, t.count, 0)).collect(),
            self.orders[2].iter().map(|(&k, t)| (k, t.count, 0)).collect(),
            frames.iter().map(|(&k, &(c, t))| (k, c, t)).collect(),
        ]
    }

    /// Sum of counts per table (frames: the trigrams' sum).
    fn totals(&self) -> Vec<f64> {
        let mut totals: Vec<f64> = self.orders.iter().map(|m| m.values().map(|t| t.count).sum::<u64>() as f64).collect();
        totals.push(totals[MAX_ORDER - 1]);
        totals
    }
}

/// How much of the counts to keep when freezing.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Most entries kept per table (unigrams, bigrams, trigrams, frames). Defaults to 600k, 3.5M,
    /// 2.5M, 2.5M: three or four bytes an entry keeps the shipped file near 25 MB.
    pub max_entries: [usize; TABLES],
    /// Fewest occurrences an entry needs to be kept, per table. Defaults to 2 each.
    pub min_count: [u64; TABLES],
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_entries: [600_000, 3_500_000, 2_500_000, 2_500_000], min_count: [2; TABLES] }
    }
}

/// The smallest count `c >= floor` such that the n-grams counted at least `c` times fit `max_entries`.
fn min_count_within(list: &[(u64, u64, u64)], max_entries: usize, floor: u64) -> u64 {
    let mut by_count: Vec<u64> = list.iter().map(|&(_, c, _)| c).filter(|&c| c >= floor).collect();
    if by_count.len() <= max_entries {
        return floor.max(1);
    }
    by_count.sort_unstable_by(|a, b| b.cmp(a));
    // the count just past the budget is excluded along with everything equal to it
    by_count[max_entries] + 1
}

#[inline]
fn fingerprint(key: u64) -> u32 {
    (key >> 32) as u32
}

fn quantize(count: f64) -> u8 {
    if count < 1.0 {
        return 0;
    }
    (1.0 + (count.ln() * Q_SCALE).round()).min(255.0) as u8
}

/// One order's frozen table.
#[derive(Debug, Clone, PartialEq)]
struct Table {
    offsets: Vec<u32>,
    low: Vec<u16>,
    q: Vec<u8>,
    /// Unigrams: quantised number of different words seen after the word; frames: of different
    /// words seen in the gap. Empty for the other tables.
    types: Vec<u8>,
}

impl Table {
    /// A table of `(fingerprint, quantised count, quantised types)` entries in any order; of two
    /// entries with one fingerprint, the larger values are kept.
    fn from_entries(mut entries: Vec<(u32, u8, u8)>, with_types: bool) -> Table {
        entries.sort_unstable();
        entries.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 = earlier.1.max(later.1);
                earlier.2 = earlier.2.max(later.2);
                true
            } else {
                false
            }
        });
        Table::from_sorted(&entries, with_types)
    }

    fn from_sorted(entries: &[(u32, u8, u8)], with_types: bool) -> Table {
        let mut offsets = vec![0u32; BUCKETS + 1];
        for &(fp, _, _) in entries {
            offsets[(fp >> 16) as usize + 1] += 1;
        }
        for b in 0..BUCKETS {
            offsets[b + 1] += offsets[b];
        }
        Table {
            offsets,
            low: entries.iter().map(|&(fp, _, _)| fp as u16).collect(),
            q: entries.iter().map(|&(_, q, _)| q).collect(),
            types: if with_types { entries.iter().map(|&(_, _, t)| t).collect() } else { Vec::new() },
        }
    }

    fn len(&self) -> usize {
        self.q.len()
    }

    /// Position of the key's entry, if any.
    #[inline]
    fn find(&self, key: u64) -> Option<usize> {
        self.search(self.bucket(key), key)
    }

    /// Positions `lo..hi` of the key's bucket.
    #[inline]
    fn bucket(&self, key: u64) -> (usize, usize) {
        let b = (fingerprint(key) >> 16) as usize;
        (self.offsets[b] as usize, self.offsets[b + 1] as usize)
    }

    /// Position of the key's entry within its bucket `lo..hi`, if any.
    #[inline]
    fn search(&self, (lo, hi): (usize, usize), key: u64) -> Option<usize> {
        self.low[lo..hi].binary_search(&(fingerprint(key) as u16)).ok().map(|i| lo + i)
    }

    #[inline]
    fn lookup(&self, key: u64) -> u8 {
        self.find(key).map_or(0, |i| self.q[i])
    }

    /// [`Table::find`] for many keys, calling `found(k, position)` for each `keys[k]` in order. The
    /// look-ups go in groups of [`LANES`], software-pipelined: the buckets of group g + 1 are
    /// located and prefetched before group g is searched, so that the memory accesses overlap
    /// instead of queueing and each group's memory is on its way a whole group ahead.
    fn find_many(&self, keys: &[u64], mut found: impl FnMut(usize, Option<usize>)) {
        let locate = |group: &[u64], ranges: &mut [(usize, usize); LANES]| {
            for (range, &key) in ranges.iter_mut().zip(group) {
                *range = self.bucket(key);
                let (lo, hi) = *range;
                if lo < hi {
                    prefetch(&self.low[lo]);
                    prefetch(&self.low[hi - 1]);
                    prefetch(&self.q[(lo + hi) / 2]);
                }
            }
        };
        let mut groups = keys.chunks(LANES).enumerate().peekable();
        let (mut current, mut next) = ([(0usize, 0usize); LANES], [(0usize, 0usize); LANES]);
        if let Some((_, first)) = groups.peek() {
            locate(first, &mut current);
        }
        while let Some((g, group)) = groups.next() {
            if let Some((_, following)) = groups.peek() {
                locate(following, &mut next);
            }
            for (k, (&range, &key)) in current.iter().zip(group).enumerate() {
                found(g * LANES + k, self.search(range, key));
            }
            std::mem::swap(&mut current, &mut next);
        }
    }
}

/// Look-ups whose memory accesses are overlapped by [`Table::find_many`].
const LANES: usize = 16;

/// Asks the CPU to start loading the cache line holding `value` (a hint: no effect on results).
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and does not change memory; SSE is part of every x86_64 CPU.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    tokens: u64,
    documents: u64,
    /// Sum of counts per order before pruning.
    totals: Vec<f64>,
    entries: Vec<u64>,
    min_counts: Vec<u64>,
    sources: Vec<String>,
}

/// Frozen n-gram counts, queried by word hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    header: Header,
    tables: Vec<Table>,
    /// Dequantised counts by quantised level (level 0 is "unseen": 0.0).
    levels: Box<[f64; 256]>,
}

impl Reference {
    fn from_parts(header: Header, tables: Vec<Table>) -> Reference {
        let mut levels = Box::new([0.0f64; 256]);
        for (q, level) in levels.iter_mut().enumerate().skip(1) {
            *level = ((q as f64 - 1.0) / Q_SCALE).exp();
        }
        Reference { header, tables, levels }
    }

    /// Approximate count of the n-gram made of these word hashes (0.0 when unseen or longer than
    /// [`MAX_ORDER`]).
    #[inline]
    pub fn count(&self, words: &[u64]) -> f64 {
        match words.len() {
            1 => self.levels[self.tables[0].lookup(words[0]) as usize],
            n @ 2..=MAX_ORDER => self.levels[self.tables[n - 1].lookup(key(words)) as usize],
            _ => 0.0,
        }
    }

    /// Approximate number of different words seen right after this word (0.0 when unseen).
    #[inline]
    pub fn followers(&self, word: u64) -> f64 {
        self.word_and_followers(word).1
    }

    /// [`Reference::count`] and [`Reference::followers`] of one word, in one look-up.
    #[inline]
    pub fn word_and_followers(&self, word: u64) -> (f64, f64) {
        self.count_and_types(0, self.tables[0].find(word))
    }

    /// Approximate occurrences of the frame `left _ right` (any word in the gap) and number of
    /// different words seen in its gap; (0, 0) when unseen.
    #[inline]
    pub fn frame(&self, left: u64, right: u64) -> (f64, f64) {
        self.count_and_types(FRAMES, self.tables[FRAMES].find(frame_key(left, right)))
    }

    /// [`Reference::count`] of many n-grams of one order `n` (1 to [`MAX_ORDER`]), given by their
    /// [`key`]s, into `out` (cleared first). Same results as one `count` each, faster (see
    /// `Table::find_many`).
    pub fn counts_of_keys(&self, n: usize, keys: &[u64], out: &mut Vec<f64>) {
        out.clear();
        out.resize(keys.len(), 0.0);
        let t = &self.tables[n - 1];
        t.find_many(keys, |k, i| out[k] = i.map_or(0.0, |i| self.levels[t.q[i] as usize]));
    }

    /// [`Reference::word_and_followers`] of many words at once.
    pub fn words_and_followers(&self, words: &[u64]) -> Vec<(f64, f64)> {
        self.counts_and_types_of_keys(0, words)
    }

    /// [`Reference::frame`] of many frames at once, given by their [`frame_key`]s.
    pub fn frames_of_keys(&self, keys: &[u64]) -> Vec<(f64, f64)> {
        self.counts_and_types_of_keys(FRAMES, keys)
    }

    /// Count and number of different continuations of the entry at `position` of a table that
    /// keeps them (unigrams, frames); (0, 0) for no entry.
    #[inline]
    fn count_and_types(&self, table: usize, position: Option<usize>) -> (f64, f64) {
        let t = &self.tables[table];
        position.map_or((0.0, 0.0), |i| (self.levels[t.q[i] as usize], self.levels[t.types[i] as usize]))
    }

    /// [`Reference::count_and_types`] of many keys of one table, looked up together.
    fn counts_and_types_of_keys(&self, table: usize, keys: &[u64]) -> Vec<(f64, f64)> {
        let mut out = vec![(0.0, 0.0); keys.len()];
        self.tables[table].find_many(keys, |k, i| out[k] = self.count_and_types(table, i));
        out
    }

    /// Approximate count of a normalised word.
    pub fn word_count(&self, norm: &str) -> f64 {
        self.count(&[hash_word(norm)])
    }

    /// Total number of n-grams of order `n` (1-based) in the counted text, before pruning.
    pub fn total(&self, n: usize) -> f64 {
        self.header.totals.get(n - 1).copied().unwrap_or(0.0).max(1.0)
    }

    /// Number of entries kept in table `n` (1-based: unigrams, bigrams, trigrams, frames).
    pub fn entries(&self, n: usize) -> usize {
        self.tables.get(n - 1).map_or(0, Table::len)
    }

    /// Words of running text counted (web count lists add n-grams, not tokens).
    pub fn tokens(&self) -> u64 {
        self.header.tokens
    }

    /// Where the counts came from, as given at build time.
    pub fn sources(&self) -> &[String] {
        &self.header.sources
    }

    /// This store with a counter's counts added (e.g. a user's own corpus on top of the shipped
    /// reference): counts of n-grams in both are summed, the base's entries are all kept, and new
    /// n-grams are kept when their count reaches `min_count`. Continuation counts (followers,
    /// frame fillers) add the counter's continuations the base does not hold.
    pub fn extended(&self, counter: &Counter, min_count: u64, mut sources: Vec<String>) -> Reference {
        let lists = counter.lists(Some(self));
        let mut tables = Vec::with_capacity(TABLES);
        for (n, (base, list)) in self.tables.iter().zip(&lists).enumerate() {
            let with_types = n == 0 || n == FRAMES;
            let mut merged: HashMap<u32, (f64, f64, bool)> = HashMap::with_capacity(base.len() + list.len());
            for b in 0..BUCKETS {
                for i in base.offsets[b] as usize..base.offsets[b + 1] as usize {
                    let fp = ((b as u32) << 16) | u32::from(base.low[i]);
                    let types = if with_types { self.levels[base.types[i] as usize] } else { 0.0 };
                    merged.insert(fp, (self.levels[base.q[i] as usize], types, true));
                }
            }
            for &(k, c, t) in list {
                let e = merged.entry(fingerprint(k)).or_insert((0.0, 0.0, false));
                e.0 += c as f64;
                e.1 += t as f64;
            }
            let entries = merged
                .into_iter()
                .filter(|&(_, (c, _, in_base))| in_base || c >= min_count as f64)
                .map(|(fp, (c, t, _))| (fp, quantize(c), quantize(t)))
                .collect();
            tables.push(Table::from_entries(entries, with_types));
        }
        let mut header = self.header.clone();
        header.tokens += counter.tokens;
        header.documents += counter.documents;
        for (total, added) in header.totals.iter_mut().zip(counter.totals()) {
            *total += added;
        }
        header.entries = tables.iter().map(|t| t.len() as u64).collect();
        header.sources.append(&mut sources);
        Reference::from_parts(header, tables)
    }

    /// Serialises the store: magic, version, JSON header, tables, CRC-32 of all preceding bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).expect("header serialises");
        let mut out = Vec::with_capacity(16 + header.len() + self.tables.iter().map(|t| t.len() * 3 + BUCKETS * 4 + 8).sum::<usize>());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for t in &self.tables {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            for o in &t.offsets {
                out.extend_from_slice(&o.to_le_bytes());
            }
            for l in &t.low {
                out.extend_from_slice(&l.to_le_bytes());
            }
            out.extend_from_slice(&t.q);
            out.extend_from_slice(&t.types);
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads a store written by [`Reference::to_bytes`]; `origin` names it in errors.
    pub fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Reference> {
        let bad = |m: &str| Error::artifact(origin, m.to_string());
        if bytes.len() < 20 || &bytes[..8] != MAGIC {
            return Err(bad("not an unspun reference file (bad magic bytes); build one with `unspun reference build`"));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
        if version > VERSION {
            return Err(bad(&format!(
                "reference format {version} is newer than this build reads ({VERSION}): upgrade unspun or rebuild the reference"
            )));
        }
        if version < VERSION {
            return Err(bad(&format!(
                "reference format {version} is older than this build reads ({VERSION}): rebuild it with `unspun reference build`"
            )));
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        if crc32fast::hash(body) != u32::from_le_bytes(crc.try_into().unwrap()) {
            return Err(bad("checksum mismatch: the reference file is truncated or corrupted; rebuild it with `unspun reference build`"));
        }
        let mut r = Reader { bytes: body, pos: 12, origin };
        let header_len = r.u32()? as usize;
        let header: Header = serde_json::from_slice(r.take(header_len)?).map_err(|e| bad(&format!("bad header: {e}")))?;
        if header.format != FORMAT {
            return Err(bad(&format!("format is {:?}, expected {FORMAT:?}", header.format)));
        }
        let mut tables = Vec::with_capacity(TABLES);
        for index in 0..TABLES {
            let n = r.u32()? as usize;
            let offsets: Vec<u32> = r.take(4 * (BUCKETS + 1))?.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
            let low: Vec<u16> = r.take(2 * n)?.chunks_exact(2).map(|c| u16::from_le_bytes(c.try_into().unwrap())).collect();
            let q = r.take(n)?.to_vec();
            let types = if index == 0 || index == FRAMES { r.take(n)?.to_vec() } else { Vec::new() };
            if offsets[BUCKETS] as usize != n || offsets.windows(2).any(|w| w[0] > w[1]) {
                return Err(bad("inconsistent bucket offsets"));
            }
            tables.push(Table { offsets, low, q, types });
        }
        if r.pos != body.len() {
            return Err(bad("trailing bytes after the last table"));
        }
        Ok(Reference::from_parts(header, tables))
    }

    /// Reads a reference file.
    pub fn load(path: &Path) -> Result<Reference> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Reference::from_bytes(&bytes, path)
    }

    /// Writes the store atomically (temporary file in the same folder, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, &self.to_bytes())
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    origin: &'a Path,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(Error::artifact(self.origin, "the reference file is truncated; rebuild it with `unspun reference build`")),
        }
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so readers
/// never see a half-written file and a failed write leaves nothing behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| Error::Invalid(format!("{}: not a file path", path.display())))?;
    let tmp = dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<u64> {
        s.split(' ').map(hash_word).collect()
    }

    fn tiny() -> Reference {
        let mut c = Counter::new();
        c.add_text("The foreign minister met the press. The foreign minister left.");
        c.add_text("A foreign minister spoke");
        c.freeze(&Budget { max_entries: [100; TABLES], min_count: [1; TABLES] }, vec!["test".into()])
    }

    #[test]
    fn counts_survive_freezing_within_quantisation() {
        let r = tiny();
        assert!((r.count(&words("foreign")) - 3.0).abs() < 0.2);
        assert!((r.count(&words("foreign minister")) - 3.0).abs() < 0.2);
        assert!((r.count(&words("the foreign minister")) - 2.0).abs() < 0.2);
        assert_eq!(r.count(&words("overseas minister")), 0.0);
        // punctuation separates runs: "press the" is not a bigram
        assert_eq!(r.count(&words("press the")), 0.0);
        assert_eq!(r.total(1), 14.0); // 10 + 4 words
                                      // "foreign" is always followed by "minister"; "the" by "foreign" and "press"
        assert_eq!(r.followers(hash_word("foreign")), 1.0);
        assert!((r.followers(hash_word("the")) - 2.0).abs() < 0.2);
        assert_eq!(r.followers(hash_word("press")), 0.0);
        // "the _ minister" was filled twice, by one word; "a _ minister" once
        let (count, types) = r.frame(hash_word("the"), hash_word("minister"));
        assert!((count - 2.0).abs() < 0.2 && types == 1.0, "{count} {types}");
        assert_eq!(r.frame(hash_word("press"), hash_word("foreign")), (0.0, 0.0));
        // "press. The foreign"
    }

    #[test]
    fn batched_look_ups_equal_single_ones() {
        // words of letters only (digits normalise to one token): "qa", "qb", ..., "qba", ...
        let word = |mut i: usize| {
            let mut w = String::from("q");
            loop {
                w.push((b'a' + (i % 26) as u8) as char);
                i /= 26;
                if i == 0 {
                    return w;
                }
            }
        };
        let mut c = Counter::new();
        let text: String = (0..200).map(|i| format!("{} {} {}. ", word(i % 37), word(i % 11), word(i % 5))).collect();
        c.add_text(&text);
        let r = c.freeze(&Budget { max_entries: [1000; TABLES], min_count: [1; TABLES] }, vec![]);
        // seen and unseen words, over several prefetch groups
        let ws: Vec<u64> = (0..3 * LANES + 5).map(|i| hash_word(&word(i))).collect();
        let singles: Vec<(f64, f64)> = ws.iter().map(|&w| (r.count(&[w]), r.followers(w))).collect();
        assert_eq!(r.words_and_followers(&ws), singles);
        assert!(singles.iter().any(|&(c, _)| c > 0.0) && singles.iter().any(|&(c, _)| c == 0.0));
        let pairs: Vec<u64> = ws.windows(2).map(key).collect();
        let mut counts = vec![7.0]; // cleared first
        r.counts_of_keys(2, &pairs, &mut counts);
        assert_eq!(counts, ws.windows(2).map(|p| r.count(p)).collect::<Vec<_>>());
        assert!(counts.iter().any(|&c| c > 0.0));
        let frames: Vec<u64> = ws.windows(3).map(|t| frame_key(t[0], t[2])).collect();
        assert_eq!(r.frames_of_keys(&frames), ws.windows(3).map(|t| r.frame(t[0], t[2])).collect::<Vec<_>>());
    }

    #[test]
    fn budget_keeps_whole_count_levels() {
        let mut c = Counter::new();
        c.add_text("a a a b b c");
        let r = c.freeze(&Budget { max_entries: [2, 10, 10, 10], min_count: [1; TABLES] }, vec![]);
        assert_eq!(r.entries(1), 2);
        let r = c.freeze(&Budget { max_entries: [1, 10, 10, 10], min_count: [1; TABLES] }, vec![]);
        assert_eq!(r.entries(1), 1);
        assert!(r.count(&words("a")) > 0.0 && r.count(&words("b")) == 0.0);
    }

    #[test]
    fn bytes_round_trip_exactly_and_detect_damage() {
        let r = tiny();
        let bytes = r.to_bytes();
        let back = Reference::from_bytes(&bytes, Path::new("t")).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.to_bytes(), bytes);
        let mut bad = bytes.clone();
        bad[40] ^= 1;
        assert!(Reference::from_bytes(&bad, Path::new("t")).unwrap_err().to_string().contains("checksum"));
        assert!(Reference::from_bytes(&bytes[..bytes.len() / 2], Path::new("t")).is_err());
        assert!(Reference::from_bytes(b"hello", Path::new("t")).unwrap_err().to_string().contains("not an unspun reference"));
    }

    #[test]
    fn ngrams_of_one_document_do_not_count_when_documents_are_required() {
        let mut c = Counter::counting_documents();
        // a spun document repeats its invented collocation; two honest ones share theirs
        c.add_text("The overseas minister spoke. The overseas minister left. The overseas minister came back.");
        c.add_text("The foreign minister spoke.");
        c.add_text("A foreign minister left.");
        let dropped = c.keep_ngrams_seen_in(2);
        assert!(dropped > 0);
        let r = c.freeze(&Budget { max_entries: [100; TABLES], min_count: [1; TABLES] }, vec![]);
        assert_eq!(r.count(&words("overseas minister")), 0.0);
        assert_eq!(r.count(&words("the overseas minister")), 0.0);
        assert!((r.count(&words("foreign minister")) - 2.0).abs() < 0.2);
        // words still count: "overseas" is an English word
        assert!((r.count(&words("overseas")) - 3.0).abs() < 0.2);
        // merged counters keep counting documents across batches
        let (mut a, mut b) = (Counter::counting_documents(), Counter::counting_documents());
        a.add_text("the overseas minister");
        b.add_text("the overseas minister");
        a.merge(b);
        a.keep_ngrams_seen_in(2);
        assert_eq!(a.distinct(2), 2);
        // a plain counter keeps everything
        let mut plain = Counter::new();
        plain.add_text("the overseas minister");
        assert_eq!(plain.keep_ngrams_seen_in(2), 0);
        assert_eq!(plain.distinct(2), 2);
    }

    #[test]
    fn extending_a_reference_adds_counts_and_keeps_the_base() {
        let base = tiny();
        let mut c = Counter::new();
        c.add_text("The foreign minister met reporters. The wiggle room was small. The wiggle room grew.");
        let r = base.extended(&c, 2, vec!["mine".into()]);
        // summed where both have it (3 + 1), kept where only the base has it
        assert!((r.count(&words("foreign minister")) - 4.0).abs() < 0.3);
        assert!((r.count(&words("the foreign minister")) - 3.0).abs() < 0.2);
        assert_eq!(r.count(&words("met the")), base.count(&words("met the")));
        // new n-grams need the minimum count
        assert!((r.count(&words("wiggle room")) - 2.0).abs() < 0.2);
        assert_eq!(r.count(&words("met reporters")), 0.0);
        // totals and continuation counts add up: "wiggle" gained one follower, "the" gained "wiggle"
        assert_eq!(r.total(1), base.total(1) + c.tokens() as f64);
        assert_eq!(r.tokens(), base.tokens() + c.tokens());
        assert_eq!(r.followers(hash_word("wiggle")), 1.0);
        assert!((r.followers(hash_word("the")) - 3.0).abs() < 0.2);
        let (count, types) = r.frame(hash_word("the"), hash_word("room"));
        assert!((count - 2.0).abs() < 0.2 && types == 1.0, "{count} {types}");
        assert_eq!(r.sources().last().map(String::as_str), Some("mine"));
        // extending with nothing gives the same look-ups
        let same = base.extended(&Counter::new(), 2, vec![]);
        assert_eq!(same.tables, base.tables);
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = Counter::new();
        a.add_text("deep learning");
        let mut b = Counter::new();
        b.add_text("deep learning works");
        b.add_ngram("deep learning", 5);
        a.merge(b);
        let r = a.freeze(&Budget { max_entries: [10; TABLES], min_count: [1; TABLES] }, vec![]);
        assert!((r.count(&words("deep learning")) - 7.0).abs() < 0.5);
        assert_eq!(a.documents(), 2);
    }
}
