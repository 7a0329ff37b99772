//! The document features: the statistics one pass over a text gathers ([`Stats`]), and the
//! fixed, named, ordered catalogue of features computed from them ([`FEATURES`]; formulas in
//! `DESIGN.md`). Adding a feature is one entry here.

use super::{ODDITY_HIGH, ODDITY_LOW, RARE_ZIPF, TOP_K};

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
    /// The same with the document's context weighted by its length ([`super::SwapModel::weighted_p`]).
    pub p_swap_weighted: Vec<f64>,
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

pub(super) fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
pub(super) fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}
/// The `p`-quantile (0..1) by the nearest-rank method; 0 for no values.
pub(crate) fn quantile(xs: &[f64], p: f64) -> f64 {
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
/// Expected swaps per 100 words: the sum of the candidates' probabilities `ps`.
fn expected_per_100(ps: &[f64], words: usize) -> f64 {
    100.0 * ps.iter().sum::<f64>() / words.max(1) as f64
}
/// Share of the candidates' probabilities `ps` above 0.5.
fn share_above_half(ps: &[f64]) -> f64 {
    share(ps.iter().filter(|&&p| p > 0.5).count(), ps.len())
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
        compute: |s| expected_per_100(&s.p_swap, s.words),
    },
    Feature { name: "swap_p_mean", about: "mean p_swap of the candidates", compute: |s| mean(&s.p_swap) },
    Feature { name: "swap_p_top_mean", about: "mean of the TOP_K largest p_swap", compute: |s| top_mean(&s.p_swap, TOP_K) },
    Feature { name: "swap_share_above_half", about: "share of candidates with p_swap above 0.5", compute: |s| share_above_half(&s.p_swap) },
    Feature {
        name: "swap_weighted_expected_per_100",
        about: "swap_expected_per_100 with each p_swap's document context weighted by n / (n + 50) for n candidates",
        compute: |s| expected_per_100(&s.p_swap_weighted, s.words),
    },
    Feature { name: "swap_weighted_p_mean", about: "swap_p_mean, context weighted the same", compute: |s| mean(&s.p_swap_weighted) },
    Feature {
        name: "swap_weighted_p_top_mean",
        about: "swap_p_top_mean, context weighted the same",
        compute: |s| top_mean(&s.p_swap_weighted, TOP_K),
    },
    Feature {
        name: "swap_weighted_share_above_half",
        about: "swap_share_above_half, context weighted the same",
        compute: |s| share_above_half(&s.p_swap_weighted),
    },
];

/// Names of all features, in vector order.
pub fn feature_names() -> Vec<&'static str> {
    FEATURES.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

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
