//! Metrics of a detector's scores against labels, threshold sweeps, slices and calibration.
//!
//! Conventions follow scikit-learn, so that its numbers can be reproduced from the same scores
//! (`scripts/check_metrics_sklearn.py` does it):
//!
//! - "spun" is the positive class; a document is predicted spun when `p >= threshold`.
//! - A ratio whose denominator is zero (precision when nothing is flagged, recall without spun
//!   documents, FPR without originals) is `None` (JSON `null`): scikit-learn's `zero_division` case,
//!   where it warns and reports 0.
//! - ROC AUC (`roc_auc_score`) gives tied scores half credit (average ranks); `None` with one class.
//! - PR AUC is average precision (`average_precision_score`): the step-wise sum over distinct
//!   thresholds, tied scores forming one step; `None` without spun documents.
//! - Log loss clips `p` to `[ε, 1 − ε]` with `ε = f64::EPSILON`, as scikit-learn ≥ 1.3 does (older
//!   versions used 1e-15); log loss and Brier score are defined with one class, `None` with no data.
//! - Recall at a false-positive rate: see [`recall_at_fpr`].
//!
//! No metric is ever NaN: undefined values are `None`.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// False-positive rates at which recall is reported (1% and 5%).
pub const FPR_TARGETS: [f64; 2] = [0.01, 0.05];
/// Step of the threshold sweep (0.05, 0.10, ..., 0.95, plus the decision threshold): fine enough to
/// see where precision and recall trade off, short enough to read.
pub const SWEEP_STEP: f64 = 0.05;
/// Equal-width bins of the calibration table on [0, 1] (scikit-learn's `calibration_curve` default).
pub const CALIBRATION_BINS: usize = 10;
/// Upper bounds (exclusive) of the document-length slices, in words: <100, 100–299, 300–999, ≥1000.
pub const LENGTH_EDGES: [usize; 3] = [100, 300, 1000];

/// `format` of the report JSON (`unspun eval --format json`, `metrics.json`).
pub const REPORT_FORMAT: &str = "unspun-eval";
/// `version` of the report JSON.
pub const REPORT_VERSION: u32 = 1;

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
    /// `tp / (tp + fp)`; `None` when nothing is flagged.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }
    /// `tp / (tp + fn)`; `None` without spun documents.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// `2 tp / (2 tp + fp + fn)`; `None` when there is no spun document and none is flagged.
    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    /// Share of correct decisions; `None` without documents.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
    /// False-positive rate, originals flagged as spun: `fp / (fp + tn)`; `None` without originals.
    pub fn fpr(&self) -> Option<f64> {
        ratio(self.fp, self.fp + self.tn)
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Every metric at one threshold, for a whole data set or a slice of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub n: usize,
    pub spun: usize,
    pub original: usize,
    pub threshold: f64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub accuracy: Option<f64>,
    /// `None` (JSON `null`) when only one class is present.
    pub roc_auc: Option<f64>,
    /// Average precision; `None` without spun documents.
    pub pr_auc: Option<f64>,
    pub log_loss: Option<f64>,
    pub brier: Option<f64>,
    pub confusion: Confusion,
    /// Recall at each of [`FPR_TARGETS`], keyed by the rate ("0.01", "0.05"); see [`recall_at_fpr`].
    pub recall_at_fpr: BTreeMap<String, Option<f64>>,
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
            pr_auc: average_precision(scores, labels),
            log_loss: log_loss(scores, labels),
            brier: brier(scores, labels),
            confusion: c,
            recall_at_fpr: FPR_TARGETS.iter().map(|&t| (format!("{t}"), recall_at_fpr(scores, labels, t))).collect(),
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

/// Cumulative counts when flagging everything scored at least `threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    pub threshold: f64,
    /// Spun documents flagged.
    pub tp: usize,
    /// Originals flagged.
    pub fp: usize,
}

/// One point per distinct score, highest first: the counts flagged at that threshold (scikit-learn's
/// `_binary_clf_curve`). Tied scores are one point, since no threshold separates them.
pub fn curve(scores: &[f64], labels: &[bool]) -> Vec<CurvePoint> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut points: Vec<CurvePoint> = Vec::new();
    let (mut tp, mut fp) = (0, 0);
    for (k, &i) in order.iter().enumerate() {
        if labels[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_tie = order.get(k + 1).is_none_or(|&j| scores[j] != scores[i]);
        if last_of_tie {
            points.push(CurvePoint { threshold: scores[i], tp, fp });
        }
    }
    points
}

/// Average precision, `Σ_k (R_k − R_{k−1}) P_k` over the distinct thresholds from the highest
/// (`R_0 = 0`), exactly as scikit-learn's `average_precision_score`: no interpolation, tied scores
/// form one step. `None` without spun documents (scikit-learn warns and returns 0); 1 without
/// originals; the share of spun documents when all scores are equal.
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n_pos = labels.iter().filter(|&&l| l).count();
    if n_pos == 0 {
        return None;
    }
    let mut ap = 0.0;
    let mut prev_recall = 0.0;
    for p in curve(scores, labels) {
        let recall = p.tp as f64 / n_pos as f64;
        ap += (recall - prev_recall) * (p.tp as f64 / (p.tp + p.fp) as f64);
        prev_recall = recall;
    }
    Some(ap)
}

/// Mean of `−[y ln p + (1 − y) ln(1 − p)]` with `p` and `1 − p` clipped to `[ε, 1 − ε]`,
/// `ε = f64::EPSILON` (scikit-learn's `log_loss`). `None` without documents.
pub fn log_loss(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let clip = |x: f64| x.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
    let total: f64 = scores.iter().zip(labels).map(|(&p, &spun)| if spun { -clip(p).ln() } else { -clip(1.0 - p).ln() }).sum();
    (!scores.is_empty()).then(|| total / scores.len() as f64)
}

/// Brier score, the mean of `(p − y)²` (scikit-learn's `brier_score_loss`). `None` without documents.
pub fn brier(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let total: f64 = scores.iter().zip(labels).map(|(&p, &spun)| (p - if spun { 1.0 } else { 0.0 }).powi(2)).sum();
    (!scores.is_empty()).then(|| total / scores.len() as f64)
}

/// The largest recall over the thresholds whose false-positive rate is at most `max_fpr`. The
/// thresholds are the distinct scores plus one above them all (recall 0, FPR 0), so this is
/// `max(tpr[fpr <= max_fpr])` over scikit-learn's `roc_curve(..., drop_intermediate=False)`; tied
/// scores are flagged together or not at all. `None` unless both classes are present.
pub fn recall_at_fpr(scores: &[f64], labels: &[bool], max_fpr: f64) -> Option<f64> {
    let n_pos = labels.iter().filter(|&&l| l).count();
    let n_neg = labels.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    // tp and fp only grow as the threshold falls, so the last point within the rate is the best.
    let best_tp = curve(scores, labels).iter().take_while(|p| p.fp as f64 / n_neg as f64 <= max_fpr).last().map_or(0, |p| p.tp);
    Some(best_tp as f64 / n_pos as f64)
}

/// Distinct scores strictly between 0 and 1, ascending: the thresholds a model can store.
fn candidate_thresholds(scores: &[f64]) -> Vec<f64> {
    let mut candidates: Vec<f64> = scores.iter().copied().filter(|&t| t > 0.0 && t < 1.0).collect();
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    candidates
}

/// The lowest threshold whose precision reaches `target` on these scores (so recall is as high as
/// that precision allows), or `None` when no threshold reaches it. Thresholds are the distinct
/// scores strictly between 0 and 1 (a model's threshold must lie there).
pub fn threshold_for_precision(scores: &[f64], labels: &[bool], target: f64) -> Option<f64> {
    candidate_thresholds(scores).into_iter().find(|&t| {
        let c = Confusion::at(scores, labels, t);
        c.tp > 0 && c.precision().is_some_and(|p| p >= target)
    })
}

/// The highest threshold whose recall reaches `target` on these scores (so as few documents as
/// possible are flagged), or `None` when no threshold reaches it or there is no spun document.
/// Thresholds are the distinct scores strictly between 0 and 1.
pub fn threshold_for_recall(scores: &[f64], labels: &[bool], target: f64) -> Option<f64> {
    candidate_thresholds(scores).into_iter().rev().find(|&t| Confusion::at(scores, labels, t).recall().is_some_and(|r| r >= target))
}

/// One row of the threshold sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRow {
    pub threshold: f64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub fpr: Option<f64>,
}

/// Precision, recall, F1 and FPR at 0.05, 0.10, ..., 0.95 and at `threshold`, ascending.
pub fn sweep(scores: &[f64], labels: &[bool], threshold: f64) -> Vec<SweepRow> {
    let steps = (1.0 / SWEEP_STEP).round() as usize;
    let mut thresholds: Vec<f64> = (1..steps).map(|k| k as f64 * SWEEP_STEP).collect();
    // k * 0.05 is not always the nearest double to the decimal (3 * 0.05 = 0.15000000000000002):
    // round to the step's precision so that the table reads 0.15.
    for t in &mut thresholds {
        *t = (*t * 1e6).round() / 1e6;
    }
    thresholds.push(threshold);
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    thresholds
        .into_iter()
        .map(|t| {
            let c = Confusion::at(scores, labels, t);
            SweepRow { threshold: t, precision: c.precision(), recall: c.recall(), f1: c.f1(), fpr: c.fpr() }
        })
        .collect()
}

/// One bin of the reliability table: documents with `lower < p <= upper` (the first bin includes 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationBin {
    pub lower: f64,
    pub upper: f64,
    pub n: usize,
    /// Mean predicted probability in the bin.
    pub mean_p: f64,
    /// Share of spun documents in the bin.
    pub fraction_spun: f64,
}

/// [`CALIBRATION_BINS`] equal-width bins, empty ones left out: scikit-learn's
/// `calibration_curve(strategy="uniform")`, whose inner edges are `k · 0.1` and which puts a score
/// equal to an edge in the lower bin.
pub fn calibration(scores: &[f64], labels: &[bool]) -> Vec<CalibrationBin> {
    let width = 1.0 / CALIBRATION_BINS as f64;
    let edges: Vec<f64> = (0..=CALIBRATION_BINS).map(|k| if k == CALIBRATION_BINS { 1.0 } else { k as f64 * width }).collect();
    let inner = &edges[1..CALIBRATION_BINS];
    let mut sum_p = [0.0; CALIBRATION_BINS];
    let mut sum_spun = [0.0; CALIBRATION_BINS];
    let mut count = [0usize; CALIBRATION_BINS];
    for (&p, &spun) in scores.iter().zip(labels) {
        let bin = inner.partition_point(|&e| e < p);
        sum_p[bin] += p;
        sum_spun[bin] += if spun { 1.0 } else { 0.0 };
        count[bin] += 1;
    }
    (0..CALIBRATION_BINS)
        .filter(|&b| count[b] > 0)
        .map(|b| CalibrationBin {
            lower: edges[b],
            upper: edges[b + 1],
            n: count[b],
            mean_p: sum_p[b] / count[b] as f64,
            fraction_spun: sum_spun[b] / count[b] as f64,
        })
        .collect()
}

/// Names and members (indices) of the document-length slices, in length order; empty slices are
/// left out. Names: `words:<100`, `words:100-299`, `words:300-999`, `words:1000+`.
pub fn length_slices(words: &[usize]) -> Vec<(String, Vec<usize>)> {
    let mut bounds = vec![0];
    bounds.extend(LENGTH_EDGES);
    bounds
        .iter()
        .enumerate()
        .map(|(k, &lo)| {
            let hi = LENGTH_EDGES.get(k).copied();
            let name = match (k, hi) {
                (0, Some(h)) => format!("words:<{h}"),
                (_, Some(h)) => format!("words:{lo}-{}", h - 1),
                (_, None) => format!("words:{lo}+"),
            };
            let members = (0..words.len()).filter(|&i| words[i] >= lo && hi.is_none_or(|h| words[i] < h)).collect();
            (name, members)
        })
        .filter(|(_, m): &(String, Vec<usize>)| !m.is_empty())
        .collect()
}

/// Slices by the value of a grouping column (`None` for records without it, named
/// `COLUMN:(missing)`), in the order of the values.
pub fn group_slices(column: &str, values: &[Option<&str>]) -> Vec<(String, Vec<usize>)> {
    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        groups.entry(*v).or_default().push(i);
    }
    // `None` sorts first in a BTreeMap; list the missing group last.
    let mut out: Vec<(String, Vec<usize>)> = groups.iter().filter_map(|(v, m)| v.map(|v| (format!("{column}:{v}"), m.clone()))).collect();
    if let Some(m) = groups.get(&None) {
        out.push((format!("{column}:(missing)"), m.clone()));
    }
    out
}

/// Metrics of one slice of the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    /// `words:<100`, `source:news`, ...
    pub name: String,
    pub metrics: Metrics,
    /// The slice's own reliability table (a threshold that holds in one domain may not in
    /// another); in the report's plots, not in its JSON.
    pub calibration: Vec<CalibrationBin>,
}

/// Everything `unspun eval` reports: the metrics of all documents at the threshold, the threshold
/// sweep, the reliability table and the metrics of each slice. Serialises to the stable JSON of
/// `unspun eval --format json`: `format`, `version`, the metrics' fields, then `sweep`,
/// `calibration`, `slices`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`REPORT_FORMAT`], so that a saved `metrics.json` says what it is.
    pub format: &'static str,
    /// [`REPORT_VERSION`]; raised when a field changes meaning or disappears (not when one is added).
    pub version: u32,
    #[serde(flatten)]
    pub all: Metrics,
    pub sweep: Vec<SweepRow>,
    pub calibration: Vec<CalibrationBin>,
    /// A JSON object from slice name to metrics, in slice order.
    #[serde(serialize_with = "slices_as_map")]
    pub slices: Vec<Slice>,
}

fn slices_as_map<S: Serializer>(slices: &[Slice], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(slices.len()))?;
    for slice in slices {
        map.serialize_entry(&slice.name, &slice.metrics)?;
    }
    map.end()
}

impl Report {
    /// Computes the report at `threshold`; `slices` name subsets of the documents by index.
    pub fn compute(scores: &[f64], labels: &[bool], threshold: f64, slices: &[(String, Vec<usize>)]) -> Report {
        let slices = slices
            .iter()
            .map(|(name, members)| {
                let s: Vec<f64> = members.iter().map(|&i| scores[i]).collect();
                let l: Vec<bool> = members.iter().map(|&i| labels[i]).collect();
                Slice { name: name.clone(), metrics: Metrics::compute(&s, &l, threshold), calibration: calibration(&s, &l) }
            })
            .collect();
        Report {
            format: REPORT_FORMAT,
            version: REPORT_VERSION,
            all: Metrics::compute(scores, labels, threshold),
            sweep: sweep(scores, labels, threshold),
            calibration: calibration(scores, labels),
            slices,
        }
    }
}

/// The worst mistakes at `threshold`: up to `k` false positives, highest score first, and up to `k`
/// false negatives, lowest score first (ties in input order), as indices.
pub fn worst_errors(scores: &[f64], labels: &[bool], threshold: f64, k: usize) -> (Vec<usize>, Vec<usize>) {
    let mut fps: Vec<usize> = (0..scores.len()).filter(|&i| !labels[i] && scores[i] >= threshold).collect();
    let mut fns: Vec<usize> = (0..scores.len()).filter(|&i| labels[i] && scores[i] < threshold).collect();
    fps.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    fns.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    fps.truncate(k);
    fns.truncate(k);
    (fps, fns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    // p:      0.9  0.8  0.7  0.3  0.2  0.6
    // label:  S    O    S    S    O    O
    const S: [f64; 6] = [0.9, 0.8, 0.7, 0.3, 0.2, 0.6];
    const L: [bool; 6] = [true, false, true, true, false, false];

    #[test]
    fn hand_computed_case() {
        // threshold 0.5 -> flagged 0.9 S, 0.8 O, 0.7 S, 0.6 O: tp 2, fp 2; 0.3 S fn; 0.2 O tn
        let m = Metrics::compute(&S, &L, 0.5);
        assert_eq!(m.confusion, Confusion { tp: 2, fp: 2, tn: 1, fn_: 1 });
        assert_eq!(m.precision, Some(0.5));
        assert!(close(m.recall, 2.0 / 3.0));
        assert!(close(m.f1, 4.0 / 7.0)); // 2·2 / (2·2 + 2 + 1)
        assert_eq!(m.accuracy, Some(0.5));
        // pairs (pos, neg) ranked correctly: 0.9>all 3; 0.7>0.6,0.2 (2); 0.3>0.2 (1) -> 6/9
        assert!(close(m.roc_auc, 6.0 / 9.0));
        // descending: 0.9 S (R 1/3, P 1/1), 0.8 O, 0.7 S (R 2/3, P 2/3), 0.6 O, 0.3 S (R 1, P 3/5), 0.2 O
        // AP = 1/3·1 + 1/3·2/3 + 1/3·3/5 = 1/3 + 2/9 + 1/5 = (15 + 10 + 9)/45 = 34/45
        assert!(close(m.pr_auc, 34.0 / 45.0));
        // log loss = −(ln .9 + ln .2 + ln .7 + ln .3 + ln .8 + ln .4) / 6
        let ll = -(0.9f64.ln() + 0.2f64.ln() + 0.7f64.ln() + 0.3f64.ln() + 0.8f64.ln() + 0.4f64.ln()) / 6.0;
        assert!(close(m.log_loss, ll));
        // Brier = (.01 + .64 + .09 + .49 + .04 + .36) / 6 = 1.63 / 6
        assert!(close(m.brier, 1.63 / 6.0));
        // FPR 1% and 5% allow no original (1/3 each): best threshold 0.9 -> recall 1/3
        assert!(close(m.recall_at_fpr["0.01"], 1.0 / 3.0));
        assert!(close(m.recall_at_fpr["0.05"], 1.0 / 3.0));
    }

    #[test]
    fn recall_at_fpr_takes_the_largest_recall_within_the_rate() {
        // descending: 0.9 S (tp 1, fp 0), 0.8 O (1, 1), 0.7 S (2, 1), 0.6 O (2, 2), 0.3 S (3, 2), 0.2 O (3, 3)
        // FPR ≤ 1/3 allows one original (0.8): flag down to 0.7 -> recall 2/3;
        // FPR ≤ 0.5 still stops before 0.6 (fp 2/3); FPR ≤ 0.7 allows 0.6 and 0.3 -> recall 1.
        assert!(close(recall_at_fpr(&S, &L, 1.0 / 3.0), 2.0 / 3.0));
        assert!(close(recall_at_fpr(&S, &L, 0.5), 2.0 / 3.0));
        assert!(close(recall_at_fpr(&S, &L, 0.7), 1.0));
        // the top score is an original: no threshold with FPR 0 flags anything
        assert!(close(recall_at_fpr(&[0.9, 0.5], &[false, true], 0.0), 0.0));
        // a tie between a spun and an original is flagged together: FPR 1/2 > 0.1 -> recall 0
        assert!(close(recall_at_fpr(&[0.5, 0.5, 0.1], &[true, false, false], 0.1), 0.0));
        assert_eq!(recall_at_fpr(&[0.5, 0.4], &[true, true], 0.05), None);
    }

    #[test]
    fn ties_are_handled_like_scikit_learn() {
        // roc_auc_score: a tied (pos, neg) pair counts 1/2
        assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Some(0.5));
        assert_eq!(roc_auc(&[0.5, 0.4, 0.5], &[true, false, false]), Some(0.75));
        // average_precision_score([1, 0, 1, 0], [.8, .8, .8, .1]) = 2/3: the tie is one step
        // (R 1, P 2/3); interpolating inside the tie would give a different number.
        assert!(close(average_precision(&[0.8, 0.8, 0.8, 0.1], &[true, false, true, false]), 2.0 / 3.0));
        // [1, 0, 1] scored [.9, .5, .5]: steps (R 1/2, P 1), (R 1, P 2/3) -> 1/2 + 1/2·2/3 = 5/6
        assert!(close(average_precision(&[0.9, 0.5, 0.5], &[true, false, true]), 5.0 / 6.0));
    }

    #[test]
    fn degenerate_inputs_give_none_or_a_documented_value() {
        // one class: ranking metrics are undefined; log loss and Brier are not
        let m = Metrics::compute(&[0.1, 0.2], &[false, false], 0.5);
        assert_eq!((m.roc_auc, m.pr_auc, m.recall, m.precision, m.f1), (None, None, None, None, None));
        assert_eq!(m.accuracy, Some(1.0));
        assert_eq!(m.recall_at_fpr["0.01"], None);
        assert!(close(m.brier, (0.01 + 0.04) / 2.0));
        let m = Metrics::compute(&[0.1, 0.9], &[true, true], 0.5);
        assert_eq!(m.roc_auc, None);
        assert_eq!(m.pr_auc, Some(1.0)); // precision is 1 at every threshold
        assert_eq!(m.precision, Some(1.0));
        // all scores equal: ROC AUC 1/2, AP = share of spun (one step to R 1, P 1/4)
        let m = Metrics::compute(&[0.3; 4], &[true, false, false, false], 0.5);
        assert_eq!(m.roc_auc, Some(0.5));
        assert_eq!(m.pr_auc, Some(0.25));
        assert_eq!(m.precision, None); // nothing flagged
        assert_eq!(m.recall, Some(0.0));
        // no data at all
        let m = Metrics::compute(&[], &[], 0.5);
        assert_eq!((m.accuracy, m.log_loss, m.brier), (None, None, None));
        // p of exactly 0 or 1 is clipped: ln(ε) is finite
        let ll = log_loss(&[1.0, 0.0], &[false, true]).unwrap();
        assert!((ll + f64::EPSILON.ln()).abs() < 1e-9, "{ll}");
        // serialised, undefined values are null, never NaN
        let json = serde_json::to_string(&Report::compute(&[0.3; 4], &[false; 4], 0.5, &[])).unwrap();
        assert!(!json.contains("NaN") && json.contains("\"roc_auc\":null"), "{json}");
    }

    #[test]
    fn thresholds_for_targets() {
        assert_eq!(threshold_for_precision(&S, &L, 1.0), Some(0.9));
        assert_eq!(threshold_for_precision(&S, &L, 0.6), Some(0.3));
        assert_eq!(threshold_for_precision(&S, &L, 0.5), Some(0.2));
        // recall: ≥ 2/3 first reached (from the top) at 0.7; 1.0 needs 0.3
        assert_eq!(threshold_for_recall(&S, &L, 0.6), Some(0.7));
        assert_eq!(threshold_for_recall(&S, &L, 1.0), Some(0.3));
        assert_eq!(threshold_for_recall(&S, &[false; 6], 0.5), None);
        // a score of exactly 1 cannot be a model threshold
        assert_eq!(threshold_for_precision(&[1.0, 0.4], &[true, false], 1.0), None);
    }

    #[test]
    fn sweep_includes_the_decision_threshold() {
        let rows = sweep(&S, &L, 0.62);
        assert_eq!(rows.len(), 20);
        assert_eq!(rows[2].threshold, 0.15);
        let at = rows.iter().find(|r| r.threshold == 0.62).unwrap();
        // flagged at 0.62: 0.9 S, 0.8 O, 0.7 S -> P 2/3, R 2/3, FPR 1/3
        assert!(close(at.precision, 2.0 / 3.0) && close(at.recall, 2.0 / 3.0) && close(at.fpr, 1.0 / 3.0));
        let top = rows.last().unwrap(); // 0.95 flags nothing
        assert_eq!((top.precision, top.recall, top.fpr), (None, Some(0.0), Some(0.0)));
        assert_eq!(sweep(&S, &L, 0.5).len(), 19, "0.5 is on the grid");
    }

    #[test]
    fn calibration_bins_like_scikit_learn() {
        // inner edges k·0.1: 0.1, 0.2, 0.30000000000000004, ...; 0.1 sits on the first edge -> bin
        // [0, 0.1]; 0.3 is below the third edge -> bin (0.2, 0.3]; 0.95 and 1.0 -> bin (0.9, 1]
        let bins = calibration(&[0.05, 0.1, 0.3, 0.95, 1.0], &[false, false, true, true, false]);
        let got: Vec<(f64, usize, f64, f64)> = bins.iter().map(|b| (b.lower, b.n, b.mean_p, b.fraction_spun)).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1, 2);
        assert!((got[0].2 - 0.075).abs() < 1e-12 && got[0].3 == 0.0);
        assert_eq!((got[1].0, got[1].1, got[1].3), (0.2, 1, 1.0));
        assert_eq!((got[2].1, got[2].3), (2, 0.5));
    }

    #[test]
    fn slices_by_length_and_group() {
        let s = length_slices(&[5, 99, 100, 299, 300, 5000]);
        let names: Vec<&str> = s.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["words:<100", "words:100-299", "words:300-999", "words:1000+"]);
        assert_eq!(s[0].1, [0, 1]);
        assert_eq!(s[1].1, [2, 3]);
        assert_eq!(s[3].1, [5]);
        let g = group_slices("source", &[Some("b"), None, Some("a"), Some("b")]);
        assert_eq!(g, [("source:a".to_string(), vec![2]), ("source:b".into(), vec![0, 3]), ("source:(missing)".into(), vec![1])]);
        let r = Report::compute(&S, &L, 0.5, &g);
        assert_eq!(r.slices[1].metrics.n, 2);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["slices"]["source:b"]["n"], 2);
    }

    #[test]
    fn worst_errors_are_the_most_confident_mistakes() {
        // at 0.5: false positives 0.8, 0.6 (highest first); false negative 0.3
        let (fp, fn_) = worst_errors(&S, &L, 0.5, 20);
        assert_eq!(fp, [1, 5]);
        assert_eq!(fn_, [3]);
        assert_eq!(worst_errors(&S, &L, 0.5, 1).0, [1]);
    }
}
