//! `unspun train` (the document model) and `unspun train-swaps` (the word-level swap model).

use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;

use std::path::PathBuf;

use unspun::corpus;
use unspun::eval::threshold_for_precision;
use unspun::pipeline;
use unspun::TrainParams;

use super::args::{check_output_file, load_resources, ResourceArgs};
use super::input::read_labeled;
use super::progress_bar;

/// Seed of the resamples behind the `threshold_spread` note (fixed: the same data give the same file).
const SPREAD_SEED: u64 = 2024;

/// Examples and data formats under `unspun train --help`.
pub(super) const TRAIN_HELP: &str = "Examples:
  unspun train --data train.jsonl.gz --out model.json
  unspun train --data train.csv --valid valid.csv --target-precision 0.99 --out model.json

Data: CSV with a header holding `text` and `label` (optional `id`; other columns kept for grouping),
JSON Lines with the same fields, or a folder with spun/ and original/ subfolders of .txt files;
any file may be gzip'd (.gz). Labels: spun/original, 1/0 or true/false, any case.";

/// Example and labelling under `unspun train-swaps --help`.
pub(super) const TRAIN_SWAPS_HELP: &str = "Example:
  unspun train-swaps --data build/corpus/seen/train.jsonl.gz --valid build/corpus/seen/valid.jsonl.gz \\
      --out models/swaps.json

Every candidate (content word, or two-word thesaurus head, next to a known word) of the spun
records is a positive when it overlaps a gold swap, a negative otherwise; every candidate of the
originals is a negative. The threshold is the lowest whose spans on the validation originals stay
within --max-false-flags per 100 words.

Suggestions are ranked for being the original by weights learned first, from the spun records'
candidates whose original is among their alternatives; the learned ranking is stored only when, for
every profile of the validation data, the one learned without that profile puts more of its
originals first than the hand-set ranking (the model's `notes.ranking` has the figures).";

#[derive(Args)]
pub(super) struct TrainArgs {
    /// Labeled data (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Where to write the model (JSON)
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Labeled validation data, for reporting and for --target-precision
    #[arg(long, value_name = "PATH")]
    valid: Vec<PathBuf>,
    /// Pick the threshold that reaches this precision on the validation data (the model's notes
    /// also get how far 200 resamples of those data move it: `threshold_spread`)
    #[arg(long, value_name = "P", requires = "valid")]
    target_precision: Option<f64>,
    /// With --target-precision: reach it within every value of this field of the validation records
    /// (e.g. `domain`, which `unspun corpus` writes), so the worst domain decides
    #[arg(long, value_name = "FIELD", requires = "target_precision")]
    precision_in_every: Option<String>,
    /// Decision threshold stored in the model (ignored with --target-precision)
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    threshold: f64,
    /// Comma-separated feature names to use [default: all]
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    features: Vec<String>,
    /// L2 penalty on the standardised weights
    #[arg(long, default_value_t = 1.0)]
    alpha: f64,
    /// Share of thesaurus heads hidden from most training documents' features, so the model does not
    /// lean on synonym oddity alone (spinners with unknown thesauri); 0 turns it off
    #[arg(long, default_value_t = pipeline::DEFAULT_THESAURUS_DROPOUT, value_name = "SHARE")]
    thesaurus_dropout: f64,
    /// Free-form note stored in the model's training facts (e.g. the command used)
    #[arg(long)]
    note: Vec<String>,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Args)]
pub(super) struct TrainSwapsArgs {
    /// Labeled JSON Lines with `swaps`, as `unspun corpus` writes (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Labeled validation data with `swaps`, for the threshold (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    valid: Vec<PathBuf>,
    /// Where to write the swap model (JSON)
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Most spans per 100 words of the validation originals, in each domain (their `domain` field)
    #[arg(long, default_value_t = pipeline::SWAP_FALSE_FLAGS_PER_100)]
    max_false_flags: f64,
    /// L2 penalty on the standardised weights
    #[arg(long, default_value_t = 1.0)]
    alpha: f64,
    /// Comma-separated candidate features to use [default: all]; the others weigh nothing
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    features: Vec<String>,
    #[command(flatten)]
    resources: ResourceArgs,
}

pub(super) fn run_train(a: TrainArgs) -> Result<()> {
    let mut params = TrainParams::new().alpha(a.alpha).threshold(a.threshold);
    if !a.features.is_empty() {
        params = params.features(a.features.clone());
    }
    let params = params.check()?;
    check_output_file(&a.out, "--out")?;
    let resources = load_resources(&a.resources)?;
    if !(0.0..1.0).contains(&a.thesaurus_dropout) {
        bail!("--thesaurus-dropout must be in [0, 1), got {}", a.thesaurus_dropout);
    }
    // A first pass checks every record, validation data too (a bad one stops training before any
    // work), and counts them for the progress bars; the second extracts features as it reads,
    // keeping no text.
    let n = corpus::count_labeled(&a.data)?;
    let n_valid = if a.valid.is_empty() { 0 } else { corpus::count_labeled(&a.valid)? };
    let started = Instant::now();
    let bar = progress_bar(Some(n as u64), "features");
    let records = corpus::records(&a.data, true);
    let mut detector = pipeline::train(records, &resources, &params, a.thesaurus_dropout, &a.data, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let t = detector.training().clone();
    if !t.converged {
        eprintln!(
            "unspun: warning: the fit did not converge (gradient norm per row {:.2e}); try a larger --alpha or check the data",
            t.gradient_norm_per_row
        );
    }
    if !a.valid.is_empty() {
        let bar = progress_bar(Some(n_valid as u64), "validation");
        let group = a.precision_in_every.as_deref();
        let (scores, labels, groups) =
            pipeline::score_labeled(corpus::records(&a.valid, true), &resources, &detector, group, &|n| bar.inc(n))?;
        bar.finish_and_clear();
        if let Some(target) = a.target_precision {
            let th = match group {
                None => threshold_for_precision(&scores, &labels, target)
                    .with_context(|| format!("no threshold reaches precision {target} on the validation data"))?,
                Some(field) => {
                    let (th, each) = pipeline::threshold_for_precision_in_every(&scores, &labels, &groups, target)
                        .map_err(|m| anyhow::anyhow!("--precision-in-every {field}: {m}"))?;
                    detector.training_mut().notes.insert("threshold_per_group".into(), json!({ field: each }));
                    th
                }
            };
            detector = detector.with_threshold(th)?;
            detector.training_mut().notes.insert("target_precision".into(), json!(target));
            // How far the threshold would move with other validation records of the same kind.
            if let Some(spread) = pipeline::threshold_spread(&scores, &labels, &groups, target, pipeline::THRESHOLD_DRAWS, SPREAD_SEED) {
                detector.training_mut().notes.insert("threshold_spread".into(), serde_json::to_value(&spread)?);
            }
        }
        let m = unspun::eval::Metrics::compute(&scores, &labels, detector.threshold());
        detector.training_mut().notes.insert("valid_metrics".into(), serde_json::to_value(&m)?);
        detector
            .training_mut()
            .notes
            .insert("valid_data".into(), json!(a.valid.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()));
    }
    for (i, n) in a.note.iter().enumerate() {
        let (k, v) = n.split_once('=').unwrap_or(("note", n));
        let k = if k == "note" && a.note.len() > 1 { format!("note{i}") } else { k.to_string() };
        detector.training_mut().notes.insert(k, json!(v));
    }
    detector.save(&a.out)?;
    let t = detector.training();
    eprintln!(
        "trained on {} documents ({} spun, {} original) in {:.1}s (fit {:.2}s); threshold {:.4}; wrote {}",
        t.rows,
        t.spun,
        t.original,
        started.elapsed().as_secs_f64(),
        t.seconds,
        detector.threshold(),
        a.out.display()
    );
    // (Notes are JSON: numbers print with 4 decimals, absent ones as n/a.)
    let f = |v: &serde_json::Value| v.as_f64().map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"));
    if let Some(s) = t.notes.get("threshold_spread") {
        eprintln!(
            "threshold over {} resamples of the validation data (the same rule): 5th-95th percentile {}-{}, median {}",
            s["draws"],
            f(&s["p5"]),
            f(&s["p95"]),
            f(&s["median"])
        );
    }
    if let Some(m) = t.notes.get("valid_metrics") {
        eprintln!(
            "validation: precision {} recall {} f1 {} roc_auc {}",
            f(&m["precision"]),
            f(&m["recall"]),
            f(&m["f1"]),
            f(&m["roc_auc"])
        );
    }
    Ok(())
}

pub(super) fn run_train_swaps(a: TrainSwapsArgs) -> Result<()> {
    if !(a.max_false_flags.is_finite() && a.max_false_flags >= 0.0) {
        bail!("--max-false-flags must be a number >= 0, got {}", a.max_false_flags);
    }
    check_output_file(&a.out, "--out")?;
    let resources = load_resources(&a.resources)?;
    let (train, valid) = (read_labeled(&a.data)?, read_labeled(&a.valid)?);
    let started = Instant::now();
    // Two passes over both sets: the ranking of suggestions, then the candidates.
    let bar = progress_bar(Some(2 * (train.len() + valid.len()) as u64), "candidates");
    let (mut model, v) = pipeline::train_swap_model(
        &train,
        &valid,
        &resources,
        a.alpha,
        (!a.features.is_empty()).then(|| a.features.clone()),
        a.max_false_flags,
        &|n| bar.inc(n),
    )?;
    bar.finish_and_clear();
    let notes = model.notes_mut();
    notes.insert("data".into(), a.data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().into());
    notes.insert("valid_data".into(), a.valid.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().into());
    model.save(&a.out)?;
    let ratio = |x: usize| x as f64 / v.swaps.max(1) as f64;
    eprintln!(
        "trained the swap model in {:.1}s; threshold {:.4} ({:.2} in documents judged spun); validation: {} swaps, found {:.3}, restored {:.3} \
         ({:.3}, {:.3} at the lower threshold, {:.3} of its spans on a swap), {:.2} false flags per 100 original words; \
         suggestions ranked by the {} ranking; wrote {}",
        started.elapsed().as_secs_f64(),
        v.threshold,
        v.threshold_in_spun,
        v.swaps,
        ratio(v.found),
        ratio(v.restored),
        ratio(v.found_in_spun),
        ratio(v.restored_in_spun),
        v.span_precision_in_spun,
        v.false_flags_per_100_words,
        if *model.ranker() == unspun::features::Ranker::HAND_SET { "hand-set" } else { "learned" },
        a.out.display()
    );
    Ok(())
}
