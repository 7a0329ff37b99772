//! The synthetic spinner used to make training data: context-free thesaurus swaps like commercial
//! article spinners make, seeded and reproducible, with an alignment of what was swapped.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::reference::{hash_tokens, hash_word, KeyHasher};
use crate::text::{tokenize, Case, STOPWORDS};
use crate::thesaurus::{Phrase, Thesaurus};

/// How a spinner picks among a word's synonyms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Uniformly among the first `k` synonyms (the thesaurus's preferred senses).
    TopK(usize),
    /// Uniformly among all synonyms.
    Any,
}

/// A spinner's behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: &'static str,
    pub about: &'static str,
    /// Which embedded thesaurus it draws from (`wordnet`, `moby`, `mythes`).
    pub thesaurus: &'static str,
    /// Share of eligible words swapped.
    pub rate: f64,
    pub choice: Choice,
    /// Whether multi-word heads ("financial institution") and multi-word synonyms are used.
    pub phrases: bool,
    /// Longest head swapped, in words (with `phrases`).
    pub max_head_words: usize,
    /// Share of swaps left as spintax markup (`{original|synonym}`), as careless spinning leaves.
    pub leftover_rate: f64,
    /// Family behaviour beyond the thesaurus and rate (see [`Family`]).
    pub family: Family,
    /// Spin rates this family uses in `unspun corpus`, instead of the corpus's own range.
    pub rate_range: Option<(f64, f64)>,
}

/// How a family of spinners differs from a plain thesaurus swapper (`DESIGN.md`, "Spinner families").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Family {
    /// Function words and names are swapped too, through any sense ("who" -> "World Health
    /// Organization", "can" -> "tin").
    pub sense_blind: bool,
    /// Only multi-word replacements, each head always rewritten the same way within a document
    /// (a phrase dictionary: "year" -> "twelvemonth" everywhere).
    pub phrase_dictionary: bool,
    /// Share of paragraphs spun; the others are left as they were (1.0: all).
    pub paragraph_share: f64,
    /// Each word or phrase is decided once per document: swapped everywhere, the same way, or
    /// nowhere (a dictionary spinner's determinism; real spinners leave the original elsewhere in
    /// a page far less often than a per-occurrence draw does).
    pub consistent: bool,
}

/// A plain thesaurus swapper.
pub const PLAIN: Family = Family { sense_blind: false, phrase_dictionary: false, paragraph_share: 1.0, consistent: false };

/// Built-in profiles; they differ in thesaurus, synonym choice and phrase behaviour.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "careful",
        about: "WordNet, first-sense synonyms, single words only",
        thesaurus: "wordnet",
        rate: 0.3,
        choice: Choice::TopK(3),
        phrases: false,
        max_head_words: 1,
        leftover_rate: 0.0,
        family: PLAIN,
        rate_range: None,
    },
    Profile {
        name: "careless",
        about: "Moby, any listed synonym, words and phrases",
        thesaurus: "moby",
        rate: 0.3,
        choice: Choice::Any,
        phrases: true,
        max_head_words: 2,
        leftover_rate: 0.0,
        family: PLAIN,
        rate_range: None,
    },
    Profile {
        name: "phrase",
        about: "MyThes, phrase rewrites preferred, occasional spintax leftovers",
        thesaurus: "mythes",
        rate: 0.3,
        choice: Choice::TopK(6),
        phrases: true,
        max_head_words: 2,
        leftover_rate: 0.02,
        family: PLAIN,
        rate_range: None,
    },
    Profile {
        name: "papermill",
        about: "tortured phrases: known fixed phrases rewritten the way paper mills do (\"deep learning\" -> \"profound learning\")",
        thesaurus: "tortured",
        rate: 0.5,
        choice: Choice::Any,
        phrases: true,
        max_head_words: 3,
        leftover_rate: 0.0,
        family: PLAIN,
        rate_range: None,
    },
    Profile {
        name: "dictionary",
        about: "phrase dictionary: words and phrases rewritten into multi-word equivalents (MyThes), the same way throughout a document",
        thesaurus: "mythes",
        rate: 0.3,
        choice: Choice::TopK(4),
        phrases: true,
        max_head_words: 2,
        leftover_rate: 0.0,
        family: Family { phrase_dictionary: true, ..PLAIN },
        rate_range: None,
    },
    Profile {
        name: "senseblind",
        about: "sense-blind WordNet: any sense, function words and names too (\"can\" -> \"tin\")",
        thesaurus: "wordnet",
        rate: 0.3,
        choice: Choice::Any,
        phrases: true,
        max_head_words: 2,
        leftover_rate: 0.0,
        family: Family { sense_blind: true, ..PLAIN },
        rate_range: None,
    },
    Profile {
        name: "heavy",
        about: "heavy paraphraser: most content words and many phrases (MyThes, rates 0.5-0.8)",
        thesaurus: "mythes",
        rate: 0.65,
        choice: Choice::TopK(6),
        phrases: true,
        max_head_words: 2,
        leftover_rate: 0.0,
        family: PLAIN,
        rate_range: Some((0.5, 0.8)),
    },
    Profile {
        name: "partial",
        about: "partial: only about half of the paragraphs spun (WordNet and MyThes senses, Moby-free)",
        thesaurus: "mythes",
        rate: 0.3,
        choice: Choice::TopK(4),
        phrases: true,
        max_head_words: 2,
        leftover_rate: 0.0,
        family: Family { paragraph_share: 0.5, ..PLAIN },
        rate_range: None,
    },
    Profile {
        name: "light",
        about: "light touch: 1-6% of words swapped (WordNet, first senses)",
        thesaurus: "wordnet",
        rate: 0.03,
        choice: Choice::TopK(3),
        phrases: false,
        max_head_words: 1,
        leftover_rate: 0.0,
        family: PLAIN,
        rate_range: Some((0.01, 0.06)),
    },
];

/// The profile with this name.
pub fn profile(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}

/// One swap, as byte offsets into the spun text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swap {
    pub start: usize,
    pub end: usize,
    /// What the original text said there.
    pub original: String,
}

/// A spun text and where its swaps are.
#[derive(Debug, Clone, PartialEq)]
pub struct Spun {
    pub text: String,
    pub swaps: Vec<Swap>,
}

/// SplitMix64: small, seedable, identical on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// A spinner: a profile over a thesaurus.
pub struct Spinner<'t> {
    thesaurus: &'t Thesaurus,
    profile: Profile,
    stopwords: HashSet<u64, KeyHasher>,
}

impl<'t> Spinner<'t> {
    /// A spinner with this profile (its `rate` may be changed before).
    pub fn new(thesaurus: &'t Thesaurus, profile: Profile) -> Spinner<'t> {
        Spinner { thesaurus, profile, stopwords: STOPWORDS.iter().map(|w| hash_word(w)).collect() }
    }

    /// The share of eligible words this spinner swaps.
    pub fn rate(&self) -> f64 {
        self.profile.rate
    }

    /// Spins `text`; the same text and seed give the same output.
    pub fn spin(&self, text: &str, seed: u64) -> Spun {
        let mut rng = Rng::new(seed);
        let tokens = tokenize(text);
        let hashes = hash_tokens(text, &tokens);
        let mut out = String::with_capacity(text.len() + text.len() / 4);
        let mut swaps = Vec::new();
        let mut copied = 0; // bytes of `text` already copied
        let family = self.profile.family;
        // Which paragraphs are spun (a partial spinner leaves the others alone), decided up front;
        // no draws for the other families, whose output stays as it was.
        let spun_paragraph: Vec<bool> =
            if family.paragraph_share < 1.0 { text.split('\n').map(|_| rng.unit() < family.paragraph_share).collect() } else { Vec::new() };
        let mut paragraph = 0;
        let mut newlines_seen_to = 0;
        // What the spinner did with each head in this document: a consistent spinner keeps its
        // whole decision (`None`: left alone), a phrase dictionary the rewrite it picked first.
        let mut decided: std::collections::HashMap<Vec<u64>, Option<usize>> = std::collections::HashMap::new();
        let mut i = 0;
        while i < tokens.len() {
            if !spun_paragraph.is_empty() {
                paragraph += text.as_bytes()[newlines_seen_to..tokens[i].start].iter().filter(|&&b| b == b'\n').count();
                newlines_seen_to = tokens[i].start;
                if !spun_paragraph.get(paragraph).copied().unwrap_or(true) {
                    i += 1;
                    continue;
                }
            }
            let Some((len, options)) = self.candidate(&tokens, &hashes, i) else {
                i += 1;
                continue;
            };
            // Each eligible word or phrase is swapped with probability `rate` (a consistent
            // spinner draws once per head and document).
            let head = &hashes[i..i + len];
            let mut decide = || {
                (rng.unit() < self.profile.rate).then(|| match self.profile.choice {
                    Choice::TopK(k) => rng.below(options.len().min(k)),
                    Choice::Any => rng.below(options.len()),
                })
            };
            let decision = if family.consistent { *decided.entry(head.to_vec()).or_insert_with(decide) } else { decide() };
            let Some(draw) = decision else {
                i += len;
                continue;
            };
            let pick = if family.phrase_dictionary {
                // (A consistent spinner has just stored this very draw.)
                let first = decided.entry(head.to_vec()).or_insert(Some(draw)).unwrap_or(draw);
                options[first.min(options.len() - 1)]
            } else {
                options[draw]
            };
            let (start, end) = (tokens[i].start, tokens[i + len - 1].end);
            let original = &text[start..end];
            let replacement = Case::of(original).apply(&pick.text);
            out.push_str(&text[copied..start]);
            let at = out.len();
            if rng.unit() < self.profile.leftover_rate {
                out.push('{');
                out.push_str(original);
                out.push('|');
                out.push_str(&replacement);
                out.push('}');
            } else {
                out.push_str(&replacement);
            }
            swaps.push(Swap { start: at, end: out.len(), original: original.to_string() });
            copied = end;
            i += len;
        }
        out.push_str(&text[copied..]);
        Spun { text: out, swaps }
    }

    /// The longest thesaurus head starting at word `i` and its usable synonyms.
    fn candidate(&self, tokens: &[crate::text::Token], hashes: &[u64], i: usize) -> Option<(usize, Vec<&'t Phrase>)> {
        let max_len = if self.profile.phrases { self.profile.max_head_words.max(1) } else { 1 };
        for len in (1..=max_len).rev() {
            let j = i + len;
            if j > tokens.len() || (len > 1 && tokens[j - 1].is_break_before) {
                continue;
            }
            let head = &hashes[i..j];
            if !self.profile.family.sense_blind && head.iter().any(|h| self.stopwords.contains(h)) {
                continue;
            }
            let multiword_only = self.profile.family.phrase_dictionary;
            let options: Vec<&Phrase> = self
                .thesaurus
                .synonyms_of_words(head)
                .filter(|p| (self.profile.phrases || p.words.len() == 1) && (!multiword_only || p.words.len() > 1))
                .collect();
            if !options.is_empty() {
                return Some((len, options));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thesaurus() -> Thesaurus {
        let mut t = Thesaurus::new();
        t.add("foreign", &["overseas"]);
        t.add("minister", &["curate"]);
        t.add("bank", &["financial institution"]);
        t
    }

    fn all_swaps(phrases: bool) -> Profile {
        Profile { rate: 1.0, phrases, ..PROFILES[0].clone() }
    }

    #[test]
    fn swaps_keep_case_and_punctuation_and_align_exactly() {
        let t = thesaurus();
        let s = Spinner::new(&t, all_swaps(true)).spin("Foreign minister, at the bank.", 1);
        assert_eq!(s.text, "Overseas curate, at the financial institution.");
        let got: Vec<(&str, &str)> = s.swaps.iter().map(|w| (&s.text[w.start..w.end], w.original.as_str())).collect();
        assert_eq!(got, [("Overseas", "Foreign"), ("curate", "minister"), ("financial institution", "bank")]);
    }

    #[test]
    fn single_word_profiles_skip_phrases_and_rate_zero_changes_nothing() {
        let t = thesaurus();
        let s = Spinner::new(&t, all_swaps(false)).spin("the bank", 1);
        assert_eq!(s.text, "the bank");
        let none = Spinner::new(&t, Profile { rate: 0.0, ..all_swaps(true) }).spin("Foreign minister", 1);
        assert_eq!(none.text, "Foreign minister");
        assert!(none.swaps.is_empty());
    }

    #[test]
    fn families_dictionary_sense_blind_and_partial() {
        let mut t = thesaurus();
        t.add("bank", &["riverside", "financial institution", "savings bank"]);
        t.add("can", &["tin"]);
        let family = |name: &str| Profile { rate: 1.0, ..profile(name).unwrap().clone() };
        // a phrase dictionary: multi-word rewrites only, the same one each time
        let text = "the bank and the bank and the bank and the bank";
        for seed in 0..20 {
            let s = Spinner::new(&t, family("dictionary")).spin(text, seed);
            let rewrites: HashSet<&str> = s.swaps.iter().map(|w| &s.text[w.start..w.end]).collect();
            assert_eq!((s.swaps.len(), rewrites.len()), (4, 1), "{}", s.text);
            assert!(rewrites.iter().all(|r| r.contains(' ')), "{}", s.text);
        }
        // sense-blind: function words too
        assert_eq!(Spinner::new(&t, family("senseblind")).spin("we can go", 1).text, "we tin go");
        assert_eq!(Spinner::new(&t, family("careful")).spin("we can go", 1).text, "we can go");
        // partial: whole paragraphs are left alone, others fully spun
        let text = "Foreign minister.\n".repeat(200);
        let s = Spinner::new(&t, family("partial")).spin(&text, 7);
        let lines: Vec<&str> = s.text.lines().collect();
        let kept = lines.iter().filter(|l| **l == "Foreign minister.").count();
        assert_eq!(kept + lines.iter().filter(|l| **l == "Overseas curate.").count(), 200, "{}", s.text);
        assert!((60..140).contains(&kept), "{kept} of 200 paragraphs left alone");
        assert!(profile("heavy").unwrap().rate_range.unwrap().0 >= 0.5 && profile("light").unwrap().rate_range.unwrap().1 <= 0.06);
    }

    #[test]
    fn a_consistent_spinner_decides_each_head_once_per_document() {
        let mut t = Thesaurus::new();
        t.add("bank", &["shore", "depository", "savings bank"]);
        t.add("river", &["stream", "watercourse"]);
        let consistent = Profile { rate: 0.5, family: Family { consistent: true, ..PLAIN }, ..PROFILES[1].clone() };
        let text = "The river bank, the Bank and the river and the bank by the river.";
        let (mut all, mut none) = (0, 0);
        for seed in 0..40 {
            let s = Spinner::new(&t, consistent.clone()).spin(text, seed);
            for (head, uses) in [("bank", 3), ("river", 3)] {
                let swapped: Vec<String> = s
                    .swaps
                    .iter()
                    .filter(|w| w.original.eq_ignore_ascii_case(head))
                    .map(|w| s.text[w.start..w.end].to_lowercase())
                    .collect();
                let distinct: HashSet<&String> = swapped.iter().collect();
                assert!(swapped.is_empty() || (swapped.len() == uses && distinct.len() == 1), "seed {seed}: {}", s.text);
                if swapped.is_empty() {
                    none += 1;
                } else {
                    all += 1;
                }
            }
        }
        // both decisions happen at rate 0.5 (80 heads decided)
        assert!(all > 20 && none > 20, "{all} heads swapped everywhere, {none} nowhere");
        // a per-occurrence spinner mixes them within a document
        let plain = Profile { rate: 0.5, ..PROFILES[1].clone() };
        let mixed = (0..40).any(|seed| {
            let s = Spinner::new(&t, plain.clone()).spin(text, seed);
            let n = s.swaps.iter().filter(|w| w.original.eq_ignore_ascii_case("bank")).count();
            n > 0 && n < 3
        });
        assert!(mixed);
    }

    #[test]
    fn deterministic_for_a_seed_and_rate_respected() {
        let mut t = Thesaurus::new();
        t.add("word", &["term"]);
        let text = "word ".repeat(2000);
        let spinner = Spinner::new(&t, Profile { rate: 0.3, ..all_swaps(false) });
        let a = spinner.spin(&text, 42);
        assert_eq!(a, spinner.spin(&text, 42));
        assert_ne!(a.text, spinner.spin(&text, 43).text);
        let share = a.swaps.len() as f64 / 2000.0;
        assert!((share - 0.3).abs() < 0.04, "{share}");
    }
}
