//! Metrics of a detector's scores against labels: confusion, precision/recall/F1, ROC AUC.
//!
//! Conventions follow scikit-learn: a document is predicted spun when `p >= threshold`; precision is
//! 0 when nothing is predicted spun (its `zero_division=0`); ROC AUC gives tied scores half credit
//! (the trapezoid rule, as `roc_auc_score`) and is undefined (`None`) with one class.

use serde::Serialize;

/// Counts of a binary decision ("spun" is the positive class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Confusion {
    /// Counts the decisions `p >= threshold` against the labels.
    pub fn at(scores: &[f64], labels: &[bool], threshold: f64) -> Confusion {
        let mut c = Confusion::default();
        for (&p, &spun) in scores.iter().zip(labels) {
            match (p >= threshold, spun) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
    /// False-positive rate: originals flagged as spun.
    pub fn fpr(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Headline metrics at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub n: usize,
    pub spun: usize,
    pub original: usize,
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accuracy: f64,
    /// `None` (JSON `null`) when only one class is present.
    pub roc_auc: Option<f64>,
    pub confusion: Confusion,
}

impl Metrics {
    /// Computes the metrics of `scores` (probabilities of "spun") against `labels` at `threshold`.
    pub fn compute(scores: &[f64], labels: &[bool], threshold: f64) -> Metrics {
        let c = Confusion::at(scores, labels, threshold);
        let spun = labels.iter().filter(|&&l| l).count();
        Metrics {
            n: labels.len(),
            spun,
            original: labels.len() - spun,
            threshold,
            precision: c.precision(),
            recall: c.recall(),
            f1: c.f1(),
            accuracy: c.accuracy(),
            roc_auc: roc_auc(scores, labels),
            confusion: c,
        }
    }
}

/// Area under the ROC curve by the rank-sum (Mann–Whitney) formula with average ranks for ties,
/// which equals scikit-learn's `roc_auc_score`. `None` when a class is missing.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n_pos = labels.iter().filter(|&&l| l).count();
    let n_neg = labels.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += avg_rank * order[i..=j].iter().filter(|&&k| labels[k]).count() as f64;
        i = j + 1;
    }
    let u = rank_sum_pos - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// The lowest threshold whose precision reaches `target` on these scores (so recall is as high as
/// that precision allows), or `None` when no threshold reaches it.
pub fn threshold_for_precision(scores: &[f64], labels: &[bool], target: f64) -> Option<f64> {
    let mut candidates: Vec<f64> = scores.to_vec();
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    candidates.into_iter().find(|&t| {
        let c = Confusion::at(scores, labels, t);
        c.tp > 0 && c.precision() >= target
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_case() {
        // p:      0.9  0.8  0.7  0.3  0.2  0.6
        // label:  S    O    S    S    O    O      threshold 0.5 -> tp 2, fp 2, fn 1, tn 1
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.6];
        let l = [true, false, true, true, false, false];
        let m = Metrics::compute(&s, &l, 0.5);
        assert_eq!(m.confusion, Confusion { tp: 2, fp: 2, tn: 1, fn_: 1 });
        assert_eq!(m.precision, 0.5);
        assert!((m.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.f1 - 4.0 / 7.0).abs() < 1e-12);
        assert_eq!(m.accuracy, 0.5);
        // pairs (pos, neg) ranked correctly: 0.9>all 3; 0.7>0.6,0.2 (2); 0.3>0.2 (1) -> 6/9
        assert!((m.roc_auc.unwrap() - 6.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn ties_get_half_credit_and_one_class_is_undefined() {
        assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Some(0.5));
        assert_eq!(roc_auc(&[0.5, 0.4, 0.5], &[true, false, false]), Some(0.75));
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
        let m = Metrics::compute(&[0.1, 0.2], &[false, false], 0.5);
        assert_eq!(m.precision, 0.0);
        assert_eq!(m.recall, 0.0);
    }

    #[test]
    fn threshold_for_target_precision() {
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.6];
        let l = [true, false, true, true, false, false];
        assert_eq!(threshold_for_precision(&s, &l, 1.0), Some(0.9));
        assert_eq!(threshold_for_precision(&s, &l, 0.6), Some(0.3));
        assert_eq!(threshold_for_precision(&s, &l, 0.5), Some(0.2));
    }
}
