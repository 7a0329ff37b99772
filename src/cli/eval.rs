//! `unspun eval` (document metrics and reports) and `unspun eval-spans` (how well explanations find swaps).

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;

use unspun::eval::threshold_for_precision;
use unspun::pipeline;

use super::args::{check_output_file, load_detector, load_resources, Format, ResourceArgs, SpanArgs};
use super::input::read_labeled;
use super::progress_bar;

/// Examples and metrics under `unspun eval --help`.
pub(super) const EVAL_HELP: &str = "Examples:
  unspun eval --data test.jsonl.gz
  unspun eval --data test.csv --model model.json --format json
  unspun eval --data test.csv --group-by source --report out/
  unspun eval --data valid.csv --target-precision 0.99 --save-model strict.json

Metrics: precision, recall, F1, accuracy, ROC AUC, PR AUC, log loss, Brier score, confusion,
recall at 1% and 5% false positives; a sweep of thresholds; slices by length and --group-by.";

/// Example under `unspun eval-spans --help`.
pub(super) const EVAL_SPANS_HELP: &str = "Example:
  unspun eval-spans --data build/corpus/seen/test.jsonl.gz";

#[derive(Args)]
pub(super) struct EvalArgs {
    /// Labeled data (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Model file [default: the embedded model]
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Decision threshold [default: the model's]
    #[arg(long, value_name = "P", conflicts_with_all = ["target_precision", "target_recall"])]
    threshold: Option<f64>,
    /// Use the lowest threshold whose precision on these data reaches P (the most recall at that precision)
    #[arg(long, value_name = "P", conflicts_with = "target_recall")]
    target_precision: Option<f64>,
    /// Use the highest threshold whose recall on these data reaches R (the fewest documents flagged)
    #[arg(long, value_name = "R")]
    target_recall: Option<f64>,
    /// Write a copy of the model with the threshold used (with --threshold, --target-precision or --target-recall)
    #[arg(long, value_name = "PATH")]
    save_model: Option<PathBuf>,
    /// Also report metrics for each value of this data column, e.g. `source` (repeatable)
    #[arg(long, value_name = "COLUMN")]
    group_by: Vec<String>,
    /// Write report.md, metrics.json, metrics.csv, scores.csv, SVG plots and errors.html into this folder
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Output format: aligned text, JSON, or CSV (one row per slice, `all` first)
    #[arg(long, default_value = "text", value_parser = ["text", "json", "csv"])]
    format: String,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Args)]
pub(super) struct EvalSpansArgs {
    /// Labeled JSON Lines with `swaps` (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Document model whose verdicts pick each document's span threshold, as in `score --explain`
    /// [default: the embedded model]
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Output format (text or json)
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also measure one span threshold for every document at 0.50, 0.55, ..., 0.95 (one more pass):
    /// swaps found, spans on a swap, right suggestions and false flags per 100 original words
    /// (JSON: `sweep`), to choose a --swap-threshold for your data
    #[arg(long)]
    sweep: bool,
    #[command(flatten)]
    spans: SpanArgs,
    #[command(flatten)]
    resources: ResourceArgs,
}

/// The span thresholds of `eval-spans --sweep`.
const SWEEP: [f64; 10] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

pub(super) fn run_eval(a: EvalArgs) -> Result<()> {
    for (flag, target) in [("--target-precision", a.target_precision), ("--target-recall", a.target_recall)] {
        if let Some(t) = target.filter(|t| !(*t > 0.0 && *t <= 1.0)) {
            bail!("{flag} must be above 0 and at most 1, got {t}");
        }
    }
    if a.save_model.is_some() && a.threshold.is_none() && a.target_precision.is_none() && a.target_recall.is_none() {
        bail!("--save-model writes the model with a new threshold: give --threshold, --target-precision or --target-recall");
    }
    // Fail before the (long) scoring when an output cannot be written.
    if let Some(p) = &a.save_model {
        check_output_file(p, "--save-model")?;
    }
    let detector = load_detector(a.model.as_deref(), a.threshold)?;
    let resources = load_resources(&a.resources)?;
    let records = read_labeled(&a.data)?;
    let bar = progress_bar(Some(records.len() as u64), "scoring");
    let ev = pipeline::evaluate(&records, &resources, &detector, &|n| bar.inc(n));
    bar.finish_and_clear();
    let (threshold, threshold_from) = if let Some(p) = a.target_precision {
        let t = threshold_for_precision(&ev.scores, &ev.labels, p)
            .with_context(|| format!("no threshold reaches precision {p} on these data"))?;
        (t, format!("the lowest reaching precision {p} on these data"))
    } else if let Some(r) = a.target_recall {
        let t = unspun::eval::threshold_for_recall(&ev.scores, &ev.labels, r)
            .with_context(|| format!("no threshold reaches recall {r} on these data"))?;
        (t, format!("the highest reaching recall {r} on these data"))
    } else if a.threshold.is_some() {
        (detector.threshold(), "set with --threshold".to_string())
    } else {
        (detector.threshold(), "the model's".to_string())
    };
    let report = ev.report(&records, &a.group_by, threshold)?;
    let data: Vec<String> = a.data.iter().map(|p| p.display().to_string()).collect();
    if let Some(path) = &a.save_model {
        let mut copy = detector.clone().with_threshold(threshold)?;
        copy.training_mut().notes.insert("threshold_from".into(), json!(format!("unspun eval: {threshold_from} ({})", data.join(", "))));
        copy.save(path)?;
        eprintln!("wrote {} with threshold {threshold:.4} ({threshold_from})", path.display());
    }
    if let Some(dir) = &a.report {
        let model = a.model.as_ref().map_or_else(|| "the embedded default model".to_string(), |p| format!("`{}`", p.display()));
        let about = unspun::report::About { data, model, threshold_from };
        ev.write_report(dir, &records, &resources, &report, &about)?;
        eprintln!("wrote the report to {}", dir.display());
    }
    let text = match a.format.as_str() {
        "json" => unspun::report::json(&report),
        "csv" => unspun::report::csv(&report),
        _ => unspun::report::text(&report),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

pub(super) fn run_eval_spans(a: EvalSpansArgs) -> Result<()> {
    let detector = load_detector(a.model.as_deref(), None)?;
    let mut resources = load_resources(&a.resources)?;
    a.spans.apply(&mut resources)?;
    let records = read_labeled(&a.data)?;
    if a.sweep && resources.swap_model.is_none() {
        bail!("--sweep measures swap thresholds: it needs a swap model (not --swap-model none)");
    }
    let bar = progress_bar(Some(records.len() as u64), "explaining");
    let r = pipeline::evaluate_spans(&records, &resources, &detector, &|n| bar.inc(n));
    bar.finish_and_clear();
    if r.swaps == 0 {
        bail!("no gold swaps in the data: evaluate spans on files written by `unspun corpus` (their spun records carry \"swaps\")");
    }
    let mut sweep: Vec<(f64, pipeline::SpanReport)> = Vec::new();
    if a.sweep {
        let bar = progress_bar(Some(records.len() as u64), "sweeping");
        sweep = SWEEP.into_iter().zip(pipeline::evaluate_spans_at(&records, &resources, &SWEEP, &|n| bar.inc(n))?).collect();
        bar.finish_and_clear();
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    if a.format == Format::Text {
        writeln!(out, "{} spun documents with {} known swaps; {} original documents", r.spun_documents, r.swaps, r.original_documents)?;
        writeln!(out, "  swaps found by a span         {:.4}  ({} of {})", r.swap_recall, r.swaps_found, r.swaps)?;
        writeln!(out, "  spans that are on a swap      {:.4}  ({} of {})", r.span_precision, r.spans_on_swaps, r.spans)?;
        writeln!(
            out,
            "  suggestion = original word    {:.4}  ({} of {} found)",
            r.suggestion_accuracy, r.suggestions_right, r.swaps_found
        )?;
        writeln!(
            out,
            "  original offered at the swap  {:.4}  ({} of {}: the ceiling of right suggestions)",
            r.original_offered_share, r.originals_offered, r.swaps
        )?;
        writeln!(
            out,
            "  ...and suggested there        {:.4}  ({} of {} offered, reported or not)",
            r.originals_suggested as f64 / r.originals_offered.max(1) as f64,
            r.originals_suggested,
            r.originals_offered
        )?;
        writeln!(out, "  spans per 100 original words  {:.3}", r.original_spans_per_100_words)?;
        if !sweep.is_empty() {
            writeln!(out, "one --swap-threshold for every document:")?;
            writeln!(out, "  threshold  found   spans on a swap  right of found  spans per 100 original words")?;
            for (t, at) in &sweep {
                writeln!(
                    out,
                    "  {:<9.2}  {:.4}  {:.4}           {:.4}          {:.3}",
                    t, at.swap_recall, at.span_precision, at.suggestion_accuracy, at.original_spans_per_100_words
                )?;
            }
        }
    } else {
        if a.sweep {
            // (The report's fields, then `sweep`; without it the report as before, in field order.)
            // (Each row: the report at that threshold, with the threshold.)
            let mut rows = Vec::with_capacity(sweep.len());
            for (t, at) in &sweep {
                let mut row = serde_json::to_value(at)?;
                row["threshold"] = json!(t);
                rows.push(row);
            }
            let mut v = serde_json::to_value(&r)?;
            v["sweep"] = serde_json::Value::Array(rows);
            serde_json::to_writer_pretty(&mut out, &v)?;
        } else {
            serde_json::to_writer_pretty(&mut out, &r)?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}
