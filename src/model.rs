//! Params → checked params → fitted [`Detector`], and the versioned model file.
//!
//! linfa-logistic does the fit; nothing of linfa appears in the public API. Features are standardised
//! (means and standard deviations are stored in the model), the matrix is built column-major (measured
//! 13× faster to fit than row-major with linfa-logistic 0.8.1), and the gradient tolerance scales with
//! the number of rows because linfa's loss is a sum over rows, not a mean.

use std::path::Path;

use linfa::prelude::*;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use ndarray::{Array1, Array2, Axis, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::FEATURES;
use crate::reference::write_atomically;

/// Format name written first in every model file.
pub const FORMAT: &str = "unspun-model";
/// Version of the model file format this build writes and reads.
pub const VERSION: u32 = 1;
/// Default gradient tolerance per training row (linfa's loss is a sum over rows).
pub const GRADIENT_TOLERANCE_PER_ROW: f64 = 1e-4;
/// A fit whose final gradient norm per row exceeds this did not converge (reported as a warning).
pub const CONVERGED_GRADIENT_PER_ROW: f64 = 1e-3;

/// Training parameters. Builders never panic; [`TrainParams::check`] validates.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    alpha: f64,
    max_iterations: u64,
    gradient_tolerance_per_row: f64,
    threshold: f64,
    features: Option<Vec<String>>,
    balance: bool,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            alpha: 1.0,
            max_iterations: 500,
            gradient_tolerance_per_row: GRADIENT_TOLERANCE_PER_ROW,
            threshold: 0.5,
            features: None,
            balance: true,
        }
    }
}

impl TrainParams {
    /// Default parameters.
    pub fn new() -> Self {
        Self::default()
    }
    /// L2 penalty on the standardised weights (summed loss). Defaults to 1.0.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    /// Most L-BFGS iterations. Defaults to 500.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }
    /// Gradient tolerance per training row. Defaults to [`GRADIENT_TOLERANCE_PER_ROW`] (1e-4).
    pub fn gradient_tolerance_per_row(mut self, t: f64) -> Self {
        self.gradient_tolerance_per_row = t;
        self
    }
    /// Decision threshold on `p_spun` stored in the model. Defaults to 0.5.
    pub fn threshold(mut self, p: f64) -> Self {
        self.threshold = p;
        self
    }
    /// Use only these features (by name, in this order). Defaults to all of [`FEATURES`].
    pub fn features(mut self, names: Vec<String>) -> Self {
        self.features = Some(names);
        self
    }
    /// Oversample the smaller class so both weigh the same (linfa-logistic ignores sample weights).
    /// Defaults to true.
    pub fn balance(mut self, on: bool) -> Self {
        self.balance = on;
        self
    }

    /// Validates the parameters.
    pub fn check(self) -> Result<CheckedParams> {
        let schema: Vec<&str> = FEATURES.iter().map(|f| f.name).collect();
        self.check_with(&schema)
    }

    /// [`TrainParams::check`] for rows of another schema (feature names in the order of the rows'
    /// values, e.g. the word-level swap features); the selected features default to all of them.
    pub fn check_with(self, schema: &[&str]) -> Result<CheckedParams> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::Invalid(format!("alpha must be a finite number >= 0, got {}", self.alpha)));
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(Error::Invalid(format!("threshold must be between 0 and 1 (exclusive), got {}", self.threshold)));
        }
        if !(self.gradient_tolerance_per_row > 0.0 && self.gradient_tolerance_per_row.is_finite()) {
            return Err(Error::Invalid("gradient tolerance must be a positive number".into()));
        }
        if self.max_iterations == 0 {
            return Err(Error::Invalid("max iterations must be at least 1".into()));
        }
        let names: Vec<String> = match self.features.clone() {
            Some(n) => n,
            None => schema.iter().map(|f| f.to_string()).collect(),
        };
        let columns = columns_in(&names, schema).map_err(Error::Invalid)?;
        Ok(CheckedParams { params: self, names, columns })
    }
}

/// Indices into [`FEATURES`] of these names, or a message naming the unknown one.
fn feature_columns(names: &[String]) -> std::result::Result<Vec<usize>, String> {
    columns_in(names, &FEATURES.iter().map(|f| f.name).collect::<Vec<_>>())
}

/// Indices into `schema` of these names, or a message naming the unknown one.
fn columns_in(names: &[String], schema: &[&str]) -> std::result::Result<Vec<usize>, String> {
    if names.is_empty() {
        return Err("no features selected".into());
    }
    names
        .iter()
        .map(|n| {
            schema.iter().position(|f| f == n).ok_or_else(|| format!("unknown feature {n:?}; this build computes: {}", schema.join(", ")))
        })
        .collect()
}

/// Validated training parameters.
#[derive(Debug, Clone)]
pub struct CheckedParams {
    params: TrainParams,
    names: Vec<String>,
    columns: Vec<usize>,
}

/// Facts about a fit, stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Training {
    /// Data files the model was trained on.
    pub data: Vec<String>,
    pub rows: usize,
    pub spun: usize,
    pub original: usize,
    /// Gradient norm per row at the end of the fit (small means converged).
    pub gradient_norm_per_row: f64,
    pub converged: bool,
    pub seconds: f64,
    /// Free-form facts added by the caller (date, command, held-out metrics...), sorted by key.
    #[serde(default)]
    pub notes: std::collections::BTreeMap<String, serde_json::Value>,
}

impl CheckedParams {
    /// Fits linfa's logistic regression. On many rows, starts from the fit of every
    /// [`WARM_START_STRIDE`]-th row (penalty scaled to match, same recursively): linfa re-packs the
    /// whole matrix at every loss evaluation, so fewer evaluations on all rows is what makes a
    /// large fit fast. The subsample starts at row 0 like the full data, so linfa orients both fits
    /// the same way (its positive class is the first row's label).
    fn solve(&self, data: &DatasetBase<Array2<f64>, Array1<bool>>, alpha: f64) -> Result<FittedLogisticRegression<f64, bool>> {
        let (x, y) = (data.records(), data.targets());
        let n = x.nrows();
        let picked: Vec<usize> = (0..n).step_by(WARM_START_STRIDE).collect();
        let start = if n >= WARM_START_ROWS && picked.iter().any(|&i| y[i] != y[0]) {
            let sub = Dataset::new(x.select(Axis(0), &picked), y.select(Axis(0), &picked));
            let fitted = self.solve(&sub, alpha * picked.len() as f64 / n as f64)?;
            Some(fitted.params().iter().copied().chain([fitted.intercept()]).collect::<Array1<f64>>())
        } else {
            None
        };
        self.solver(n as f64, alpha, start).fit(data).map_err(linfa_error)
    }

    /// linfa's solver for `rows` rows with penalty `alpha`, from `start` (weights then intercept)
    /// or from zero.
    fn solver(&self, rows: f64, alpha: f64, start: Option<Array1<f64>>) -> LogisticRegression<f64> {
        let solver = LogisticRegression::default()
            .alpha(alpha)
            .max_iterations(self.params.max_iterations)
            .gradient_tolerance(self.params.gradient_tolerance_per_row * rows);
        match start {
            Some(p) => solver.initial_params(p),
            None => solver,
        }
    }

    /// Fits a detector. `rows` are full feature vectors (one entry per [`FEATURES`]); `spun[i]` is
    /// the label of row `i`.
    pub fn fit(&self, rows: &[Vec<f64>], spun: &[bool]) -> Result<Detector> {
        let started = std::time::Instant::now();
        if rows.len() != spun.len() {
            return Err(Error::Invalid(format!("{} feature rows but {} labels", rows.len(), spun.len())));
        }
        let n_spun = spun.iter().filter(|&&s| s).count();
        let n_orig = spun.len() - n_spun;
        if n_spun == 0 || n_orig == 0 {
            return Err(Error::Invalid(format!("training data needs both classes, got {n_spun} spun and {n_orig} original documents")));
        }
        if n_spun < 2 || n_orig < 2 {
            return Err(Error::Invalid(format!(
                "too few examples to train: {n_spun} spun and {n_orig} original (need at least 2 of each)"
            )));
        }
        let d = self.columns.len();
        let n_rows = rows.len();
        let n = n_rows as f64;
        // Standardise: means, then variances, each in one pass over the rows (each column summed
        // in row order).
        let mut mean = vec![-0.0; d];
        for row in rows {
            for (m, &c) in mean.iter_mut().zip(&self.columns) {
                *m += row[c];
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut var = vec![-0.0; d];
        for row in rows {
            for ((v, m), &c) in var.iter_mut().zip(&mean).zip(&self.columns) {
                *v += (row[c] - m).powi(2);
            }
        }
        let std: Vec<f64> = var.iter().map(|v| v / n).map(|v| if v > 1e-24 { v.sqrt() } else { 1.0 }).collect();
        // Balance by oversampling the smaller class cyclically (deterministic).
        let mut order: Vec<usize> = (0..n_rows).collect();
        if self.params.balance && n_spun != n_orig {
            let minority = n_spun < n_orig;
            let small: Vec<usize> = (0..n_rows).filter(|&i| spun[i] == minority).collect();
            let extra = n_spun.max(n_orig) - n_spun.min(n_orig);
            order.extend(small.iter().cycle().take(extra));
        }
        let n = order.len();
        // Column-major matrix, standardised, in one more pass over the rows.
        let mut data = vec![0.0; n * d];
        for (k, &i) in order.iter().enumerate() {
            for (j, &c) in self.columns.iter().enumerate() {
                data[j * n + k] = (rows[i][c] - mean[j]) / std[j];
            }
        }
        let x = Array2::from_shape_vec((n, d).f(), data).map_err(|e| Error::Invalid(e.to_string()))?;
        let y: Array1<bool> = order.iter().map(|&i| spun[i]).collect();
        let dataset = Dataset::new(x, y);
        let fitted = self.solve(&dataset, self.params.alpha)?;
        // linfa's positive class is the first row's label, not necessarily `true`: orient the
        // weights so that they point at "spun".
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let weights: Vec<f64> = fitted.params().iter().map(|w| sign * w).collect();
        let intercept = sign * fitted.intercept();
        let grad = gradient_norm(dataset.records(), dataset.targets(), &weights, intercept, self.params.alpha) / n as f64;
        Ok(Detector {
            features: self.names.clone(),
            columns: self.columns.clone(),
            mean,
            std,
            weights,
            intercept,
            threshold: self.params.threshold,
            training: Training {
                rows: rows.len(),
                spun: n_spun,
                original: n_orig,
                gradient_norm_per_row: grad,
                converged: grad <= CONVERGED_GRADIENT_PER_ROW,
                seconds: started.elapsed().as_secs_f64(),
                ..Training::default()
            },
        })
    }
}

/// Rows from which [`CheckedParams::fit`] warm-starts from a subsample's fit.
pub const WARM_START_ROWS: usize = 10_000;
/// One row in this many makes the warm-start subsample.
const WARM_START_STRIDE: usize = 7;

fn linfa_error(e: linfa_logistic::error::Error) -> Error {
    Error::Invalid(format!("logistic regression failed: {e}"))
}

/// Norm of the gradient of linfa's loss (sum of log-losses + alpha/2 |w|²) at (w, b).
fn gradient_norm(x: &Array2<f64>, y: &Array1<bool>, w: &[f64], b: f64, alpha: f64) -> f64 {
    // Column by column: `x` is column-major.
    let mut z = Array1::from_elem(x.nrows(), b);
    for (column, &w) in x.columns().into_iter().zip(w) {
        z.scaled_add(w, &column);
    }
    let resid: Array1<f64> = z.iter().zip(y).map(|(&z, &t)| sigmoid(z) - if t { 1.0 } else { 0.0 }).collect();
    let g: f64 = x.columns().into_iter().zip(w).map(|(column, &w)| (column.dot(&resid) + alpha * w).powi(2)).sum();
    let gb = resid.sum();
    (g + gb * gb).sqrt()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// A fitted detector: standardisation, weights and threshold over named features.
#[derive(Debug, Clone, PartialEq)]
pub struct Detector {
    features: Vec<String>,
    columns: Vec<usize>,
    mean: Vec<f64>,
    std: Vec<f64>,
    weights: Vec<f64>,
    intercept: f64,
    threshold: f64,
    training: Training,
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    version: u32,
    features: Vec<String>,
    mean: Vec<f64>,
    std: Vec<f64>,
    weights: Vec<f64>,
    intercept: f64,
    threshold: f64,
    training: Training,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<String>,
}

/// Just enough of a model file to check its format and version before reading the rest.
#[derive(Deserialize)]
struct Preamble {
    format: Option<String>,
    version: Option<u32>,
}

impl Detector {
    /// Probability that the document with these features (one per [`FEATURES`]) is spun.
    pub fn probability(&self, features: &[f64]) -> f64 {
        let z: f64 =
            self.columns.iter().enumerate().map(|(j, &c)| self.weights[j] * (features[c] - self.mean[j]) / self.std[j]).sum::<f64>()
                + self.intercept;
        sigmoid(z)
    }

    /// The decision threshold on `p_spun` (a document is flagged when `p_spun >= threshold`).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The same detector with another threshold (must be in (0, 1)).
    pub fn with_threshold(mut self, p: f64) -> Result<Detector> {
        if !(p > 0.0 && p < 1.0) {
            return Err(Error::Invalid(format!("threshold must be between 0 and 1 (exclusive), got {p}")));
        }
        self.threshold = p;
        Ok(self)
    }

    /// Means of the features (in the order of [`Detector::feature_names`]), subtracted before
    /// scaling.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Standard deviations the features are divided by.
    pub fn std(&self) -> &[f64] {
        &self.std
    }

    /// Intercept of the standardised model.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// Names of the features the model uses, in order.
    pub fn feature_names(&self) -> &[String] {
        &self.features
    }

    /// Standardised weight of each feature, in [`Detector::feature_names`] order.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Facts about the training run.
    pub fn training(&self) -> &Training {
        &self.training
    }

    /// Mutable training facts (to add notes such as held-out metrics before saving).
    pub fn training_mut(&mut self) -> &mut Training {
        &mut self.training
    }

    /// Serialises the model as pretty JSON with a CRC-32 checksum of its content.
    pub fn to_json(&self) -> String {
        let mut file = ModelFile {
            format: FORMAT.into(),
            version: VERSION,
            features: self.features.clone(),
            mean: self.mean.clone(),
            std: self.std.clone(),
            weights: self.weights.clone(),
            intercept: self.intercept,
            threshold: self.threshold,
            training: self.training.clone(),
            checksum: None,
        };
        file.checksum = Some(format!("{:08x}", crc32fast::hash(serde_json::to_string(&file).expect("model serialises").as_bytes())));
        serde_json::to_string_pretty(&file).expect("model serialises") + "\n"
    }

    /// Reads a model from JSON; `origin` names it in errors.
    pub fn from_json(json: &[u8], origin: &Path) -> Result<Detector> {
        let bad = |m: String| Error::artifact(origin, m);
        let pre: Preamble = serde_json::from_slice(json)
            .map_err(|e| bad(format!("not a readable model file ({e}); the file may be truncated: retrain with `unspun train`")))?;
        if pre.format.as_deref() != Some(FORMAT) {
            return Err(bad(format!("not an unspun model (format {:?}, expected {FORMAT:?})", pre.format.unwrap_or_default())));
        }
        match pre.version {
            Some(v) if v > VERSION => {
                return Err(bad(format!("model file format {v} is newer than this build reads ({VERSION}): upgrade unspun or retrain")))
            }
            Some(v) if v < VERSION => {
                return Err(bad(format!("model file format {v} is older than this build reads ({VERSION}): retrain with `unspun train`")))
            }
            None => return Err(bad("model file has no version: retrain with `unspun train`".into())),
            _ => {}
        }
        let mut file: ModelFile = serde_json::from_slice(json).map_err(|e| bad(format!("malformed model file: {e}")))?;
        let stored = file.checksum.take();
        let actual = format!("{:08x}", crc32fast::hash(serde_json::to_string(&file).expect("model serialises").as_bytes()));
        if stored.as_deref() != Some(actual.as_str()) {
            return Err(bad("checksum mismatch: the model file was edited or corrupted; retrain with `unspun train`".into()));
        }
        let d = file.features.len();
        if [file.mean.len(), file.std.len(), file.weights.len()].iter().any(|&l| l != d) {
            return Err(bad(format!(
                "model has {d} features but {}/{}/{} means/stds/weights",
                file.mean.len(),
                file.std.len(),
                file.weights.len()
            )));
        }
        let columns = feature_columns(&file.features).map_err(|m| bad(format!("{m}: retrain with `unspun train`")))?;
        if !(file.threshold > 0.0 && file.threshold < 1.0) || file.std.iter().any(|&s| s <= 0.0) {
            return Err(bad("model has an invalid threshold or standard deviation".into()));
        }
        Ok(Detector {
            features: file.features,
            columns,
            mean: file.mean,
            std: file.std,
            weights: file.weights,
            intercept: file.intercept,
            threshold: file.threshold,
            training: file.training,
        })
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Detector> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Detector::from_json(&bytes, path)
    }

    /// Writes the model file atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, self.to_json().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows where feature 0 separates the classes (noisily) and the rest are constant.
    fn data() -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in 0..60 {
            let spun = i % 3 == 0; // "spun" is the minority class (and the first row's label)
            let mut r = vec![0.5; FEATURES.len()];
            r[0] = if spun { 1.0 } else { 0.0 } + (i % 7) as f64 * 0.1;
            rows.push(r);
            labels.push(spun);
        }
        (rows, labels)
    }

    #[test]
    fn a_warm_started_fit_converges_on_all_rows_and_points_at_spun() {
        // Enough rows for two levels of subsample warm start; the first row is original, so linfa's
        // positive class is "original" in every fit.
        let n = 7 * WARM_START_ROWS + 1000;
        let mut rng = crate::spin::Rng::new(3);
        let labels: Vec<bool> = (0..n).map(|i| i % 3 == 1).collect();
        let rows: Vec<Vec<f64>> =
            labels.iter().map(|&spun| (0..FEATURES.len()).map(|j| rng.unit() + if spun && j < 3 { 0.4 } else { 0.0 }).collect()).collect();
        let det = TrainParams::new().check().unwrap().fit(&rows, &labels).unwrap();
        // converged is judged by our own gradient on all rows, not by the warm-start subsample
        assert!(det.training().converged, "{:?}", det.training());
        assert!(det.training().gradient_norm_per_row <= GRADIENT_TOLERANCE_PER_ROW, "{:?}", det.training());
        assert!(det.weights()[..3].iter().all(|&w| w > 0.1), "{:?}", det.weights());
    }

    #[test]
    fn weights_point_at_spun_even_when_spun_is_the_minority() {
        let (rows, labels) = data();
        let det = TrainParams::new().check().unwrap().fit(&rows, &labels).unwrap();
        let mut hi = vec![0.5; FEATURES.len()];
        hi[0] = 1.2;
        let mut lo = hi.clone();
        lo[0] = 0.1;
        assert!(det.probability(&hi) > 0.8, "{}", det.probability(&hi));
        assert!(det.probability(&lo) < 0.2);
        assert!(det.training().converged, "{:?}", det.training());
    }

    #[test]
    fn standardisation_uses_the_chosen_columns_of_the_given_rows() {
        // Means and population deviations of the rows as given (not of the class-balanced rows
        // the solver sees), for the chosen features' columns only.
        let (mut rows, labels) = data();
        let last = FEATURES.len() - 1;
        for (i, r) in rows.iter_mut().enumerate() {
            r[last] = (i % 5) as f64;
        }
        let names = vec![FEATURES[last].name.to_string(), "oov_share".to_string()];
        let det = TrainParams::new().features(names.clone()).check().unwrap().fit(&rows, &labels).unwrap();
        for (j, name) in names.iter().enumerate() {
            let c = FEATURES.iter().position(|f| f.name == name).unwrap();
            let n = rows.len() as f64;
            let mean = rows.iter().map(|r| r[c]).sum::<f64>() / n;
            let std = (rows.iter().map(|r| (r[c] - mean).powi(2)).sum::<f64>() / n).sqrt();
            assert!((det.mean[j] - mean).abs() < 1e-12 && (det.std[j] - std).abs() < 1e-12, "{name}: {det:?}");
        }
    }

    #[test]
    fn save_load_round_trip_is_exact() {
        let (rows, labels) = data();
        let det = TrainParams::new().features(vec!["oov_share".into(), "log_words".into()]).check().unwrap().fit(&rows, &labels).unwrap();
        let json = det.to_json();
        let back = Detector::from_json(json.as_bytes(), Path::new("m.json")).unwrap();
        assert_eq!(back, det);
        assert_eq!(back.to_json(), json);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        det.save(&path).unwrap();
        assert_eq!(Detector::load(&path).unwrap(), det);
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_with_a_fix() {
        let (rows, labels) = data();
        let json = TrainParams::new().check().unwrap().fit(&rows, &labels).unwrap().to_json();
        let p = Path::new("m.json");
        let edited = json.replacen("\"threshold\": 0.5", "\"threshold\": 0.6", 1);
        assert!(Detector::from_json(edited.as_bytes(), p).unwrap_err().to_string().contains("checksum"));
        let future = json.replacen("\"version\": 1", "\"version\": 9", 1);
        assert!(Detector::from_json(future.as_bytes(), p).unwrap_err().to_string().contains("newer than this build"));
        let truncated = &json[..json.len() / 2];
        assert!(Detector::from_json(truncated.as_bytes(), p).unwrap_err().to_string().contains("truncated"));
    }

    #[test]
    fn params_are_checked() {
        assert!(TrainParams::new().threshold(1.5).check().is_err());
        assert!(TrainParams::new().alpha(f64::NAN).check().is_err());
        assert!(TrainParams::new().features(vec!["nope".into()]).check().unwrap_err().to_string().contains("unknown feature"));
        let (rows, labels) = data();
        let one_class = vec![false; labels.len()];
        assert!(TrainParams::new().check().unwrap().fit(&rows, &one_class).unwrap_err().to_string().contains("both classes"));
    }
}
