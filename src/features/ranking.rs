//! Ranking a candidate's alternatives for being the wording a spinner replaced, not for fitting
//! best: a linear score of fixed, named features of each alternative ([`RANK_FEATURES`]) that fit
//! better than the candidate. The weights are hand-set ([`Ranker::HAND_SET`]) or learned by
//! `unspun train-swaps` from the gold alignments ([`Ranker::learn`]: a pairwise logistic
//! regression, the original against every other alternative of the same candidate) and stored in
//! the swap model.

use crate::error::{Error, Result};

/// Names of the ranking features of an alternative, in the order of [`Ranker`]'s weights
/// (definitions in `DESIGN.md`).
pub const RANK_FEATURES: &[&str] = &["fit_gain", "cosine", "thesaurus", "lists_back", "zipf_gain", "in_doc", "words"];
/// Number of ranking features.
pub const RANK_FEATURE_COUNT: usize = 7;
const _: () = assert!(RANK_FEATURES.len() == RANK_FEATURE_COUNT);

/// Indices of the features in [`RANK_FEATURES`]. `COSINE` and `LISTS_BACK` cost a look-up, made
/// only where the alternative could still rank first.
pub(super) const FIT_GAIN: usize = 0;
pub(super) const COSINE: usize = 1;
pub(super) const THESAURUS: usize = 2;
pub(super) const LISTS_BACK: usize = 3;
pub(super) const ZIPF_GAIN: usize = 4;
pub(super) const IN_DOC: usize = 5;
pub(super) const WORDS: usize = 6;
/// The relation features, weighed together by a learned ranking (see [`Ranker::learn`]).
const RELATION: [usize; 3] = [COSINE, THESAURUS, LISTS_BACK];

/// One alternative offered in place of a candidate, with its ranking features.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// Its text, in lower case.
    pub text: String,
    pub features: [f64; RANK_FEATURE_COUNT],
}

/// A candidate's alternatives that fit better than it, at `text[start..end]` (for learning and
/// measuring a ranking: [`super::FeatureExtractor::alternatives`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Alternatives {
    pub start: usize,
    pub end: usize,
    pub alternatives: Vec<Alternative>,
}

/// Weights of the ranking features: the likeliest original is the alternative with the highest
/// weighted sum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranker {
    weights: [f64; RANK_FEATURE_COUNT],
}

impl Ranker {
    /// The ranking of swap models of format version 2 and older, chosen by hand on held-out
    /// synthetic spins (`unspun eval-spans`: suggestions right on found swaps, fit alone 65.9%,
    /// with these weights 70.3%): fit, plus 2 nats per unit of cosine between the word and the
    /// alternative, 1 for a thesaurus synonym (a distributional neighbour may be an antonym or a
    /// sibling: "silver" for *gold*), 3 when the thesaurus lists the word among the alternative's
    /// own synonyms (direction matters: a spinner that swapped *city* for "metropolis" found it
    /// under *city*).
    pub const HAND_SET: Ranker = Ranker { weights: [1.0, 2.0, 1.0, 3.0, 0.0, 0.0, 0.0] };

    /// A ranker with these weights (one per [`RANK_FEATURES`], finite).
    pub fn new(weights: &[f64]) -> Result<Ranker> {
        let weights: [f64; RANK_FEATURE_COUNT] = weights
            .try_into()
            .map_err(|_| Error::Invalid(format!("a ranker needs {RANK_FEATURE_COUNT} weights, got {}", weights.len())))?;
        if weights.iter().any(|w| !w.is_finite()) {
            return Err(Error::Invalid("ranker weights must be finite".into()));
        }
        Ok(Ranker { weights })
    }

    /// The weights, in the order of [`RANK_FEATURES`].
    pub fn weights(&self) -> &[f64; RANK_FEATURE_COUNT] {
        &self.weights
    }

    /// The score of an alternative.
    pub fn score(&self, features: &[f64; RANK_FEATURE_COUNT]) -> f64 {
        self.weights.iter().zip(features).map(|(w, x)| w * x).sum()
    }

    /// The most the feature `k` can add to a score when its value lies in `[-bound, bound]`.
    pub(super) fn most_from(&self, k: usize, bound: f64) -> f64 {
        self.weights[k].abs() * bound
    }

    /// The index of the best-scored alternative (the first of ties), if any.
    pub fn best(&self, alternatives: &[Alternative]) -> Option<usize> {
        let mut best: Option<(f64, usize)> = None;
        for (k, a) in alternatives.iter().enumerate() {
            let s = self.score(&a.features);
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, k));
            }
        }
        best.map(|(_, k)| k)
    }

    /// Learns a ranking from candidates whose original is among their alternatives (`original`
    /// gives its index in each set): a logistic regression on the differences between the
    /// original's features and each other alternative's (both signs), so that the weights order
    /// alternatives within a candidate. At most `max_pairs` other alternatives per set (the best
    /// ranked by [`Ranker::HAND_SET`], the hard ones) keep large sets from dominating.
    ///
    /// The three relation features (`cosine`, `thesaurus`, `lists_back`) get one learned weight
    /// together, in the hand-set proportions: every original of a synthetic spin comes from the
    /// spinner's thesaurus, so gold alignments cannot weigh a thesaurus relation against a
    /// distributional one for a real spinner (learned freely, `thesaurus` weighs 8 nats and
    /// `lists_back` changes sign with the left-out spinner, and real pages get fewer right).
    pub fn learn(sets: &[(&Alternatives, usize)], alpha: f64, max_pairs: usize) -> Result<Ranker> {
        let relation = |x: &[f64; RANK_FEATURE_COUNT]| RELATION.iter().map(|&k| Ranker::HAND_SET.weights[k] * x[k]).sum::<f64>();
        let (mut rows, mut labels) = (Vec::new(), Vec::new());
        for &(set, original) in sets {
            let o = &set.alternatives[original].features;
            let mut others: Vec<&Alternative> =
                set.alternatives.iter().enumerate().filter(|&(k, _)| k != original).map(|(_, a)| a).collect();
            others.sort_by(|a, b| Ranker::HAND_SET.score(&b.features).total_cmp(&Ranker::HAND_SET.score(&a.features)));
            for a in others.into_iter().take(max_pairs) {
                let x = &a.features;
                let d = vec![
                    o[FIT_GAIN] - x[FIT_GAIN],
                    relation(o) - relation(x),
                    o[ZIPF_GAIN] - x[ZIPF_GAIN],
                    o[IN_DOC] - x[IN_DOC],
                    o[WORDS] - x[WORDS],
                ];
                rows.push(d.iter().map(|v| -v).collect());
                labels.push(false);
                rows.push(d);
                labels.push(true);
            }
        }
        if rows.is_empty() {
            return Err(Error::Invalid("no candidate has its original among several alternatives: cannot learn a ranking".into()));
        }
        let columns = ["fit_gain", "relation", "zipf_gain", "in_doc", "words"];
        let fitted = crate::model::TrainParams::new().alpha(alpha).balance(false).check_with(&columns)?.fit(&rows, &labels)?;
        // On the raw features: the standardisation's shift is the same for every alternative of a
        // candidate, and so is the intercept.
        let w = |name: &str| {
            let k = fitted.feature_names().iter().position(|n| n == name).expect("every column is fitted");
            fitted.weights()[k] / fitted.std()[k]
        };
        let mut weights = [0.0; RANK_FEATURE_COUNT];
        (weights[FIT_GAIN], weights[ZIPF_GAIN], weights[IN_DOC], weights[WORDS]) = (w("fit_gain"), w("zipf_gain"), w("in_doc"), w("words"));
        for k in RELATION {
            weights[k] = w("relation") * Ranker::HAND_SET.weights[k];
        }
        Ranker::new(&weights)
    }

    /// The share of sets whose original this ranker puts first.
    pub fn accuracy(&self, sets: &[(&Alternatives, usize)]) -> f64 {
        let right = sets.iter().filter(|(set, original)| self.best(&set.alternatives) == Some(*original)).count();
        right as f64 / sets.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alt(text: &str, features: [f64; RANK_FEATURE_COUNT]) -> Alternative {
        Alternative { text: text.into(), features }
    }

    #[test]
    fn the_hand_set_ranking_is_fit_plus_cosine_and_thesaurus_bonuses() {
        let r = Ranker::HAND_SET;
        assert_eq!(r.score(&[2.0, 0.5, 1.0, 1.0, 9.0, 1.0, 2.0]), 2.0 + 1.0 + 1.0 + 3.0);
        let set = [alt("fits", [3.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]), alt("listed", [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])];
        assert_eq!(r.best(&set), Some(1), "listed back beats 2 nats of fit");
        assert_eq!(r.best(&[]), None);
        assert!(Ranker::new(&[1.0]).is_err() && Ranker::new(&[f64::NAN; RANK_FEATURE_COUNT]).is_err());
    }

    #[test]
    fn a_learned_ranking_puts_the_originals_first() {
        // The original is always the more frequent alternative (zipf_gain), never the best-fitting.
        let sets: Vec<Alternatives> = (0..40)
            .map(|k| {
                let x = k as f64 / 10.0;
                Alternatives {
                    start: 0,
                    end: 1,
                    alternatives: vec![
                        alt("fits", [2.0 + x, 0.1, 1.0, 0.0, -1.0 - x, 0.0, 1.0]),
                        alt("original", [0.5, 0.1, 1.0, 0.0, 1.0 + x, 0.0, 1.0]),
                        alt("other", [0.2, 0.3, 0.0, 0.0, 0.0, 0.0, 1.0]),
                    ],
                }
            })
            .collect();
        let labelled: Vec<(&Alternatives, usize)> = sets.iter().map(|s| (s, 1)).collect();
        assert_eq!(Ranker::HAND_SET.accuracy(&labelled), 0.0);
        let learned = Ranker::learn(&labelled, 1.0, 10).unwrap();
        assert_eq!(learned.accuracy(&labelled), 1.0);
        let w = learned.weights();
        assert!(w[4] > 0.0, "{w:?}");
        assert!((w[3] - 3.0 * w[2]).abs() < 1e-9 && (w[1] - 2.0 * w[2]).abs() < 1e-9, "relations weigh together: {w:?}");
        assert!(Ranker::learn(&[], 1.0, 10).is_err());
    }
}
