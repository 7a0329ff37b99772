//! Writers of an evaluation [`Report`]: aligned text for people, JSON, CSV, and a report folder
//! (Markdown, JSON, CSV, SVG plots and an HTML page of the worst mistakes) meant to be committed
//! and read in review. Every writer is deterministic: the same report gives the same bytes.
//!
//! The folder holds:
//!
//! | file | content |
//! |---|---|
//! | `report.md` | what was evaluated, the metrics, the sweep, the slices, links to the rest |
//! | `metrics.json` | exactly `unspun eval --format json` |
//! | `metrics.csv` | exactly `unspun eval --format csv` |
//! | `scores.csv` | `id,label,p_spun,words` per document, `p_spun` at full precision |
//! | `pr_curve.svg`, `roc_curve.svg` | the curves, with the operating point marked |
//! | `score_histogram.svg` | `p_spun` per class in 20 bins, with the threshold |
//! | `calibration.svg` | observed share of spun documents against mean `p_spun` per bin |
//! | `errors.html` | the [`WORST_ERRORS`] most confident false positives and false negatives, spans highlighted |

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::eval::{self, CalibrationBin, Metrics, Report, Slice};
use crate::features::Span;
use crate::reference::write_atomically;

/// False positives and false negatives listed in `errors.html`, each: enough to see a pattern,
/// few enough to read.
pub const WORST_ERRORS: usize = 20;
/// Text shown per document in `errors.html`; longer documents are cut (at a span's end if one
/// crosses the cut) so that the page stays small enough to commit.
pub const ERROR_TEXT_BYTES: usize = 6000;
/// Bins of the score histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Size of every plot, in pixels.
pub const PLOT_SIZE: (u32, u32) = (640, 480);

const SPUN_COLOR: RGBColor = RGBColor(200, 55, 55);
const ORIGINAL_COLOR: RGBColor = RGBColor(45, 100, 190);
const GUIDE_COLOR: RGBColor = RGBColor(150, 150, 150);

/// What was evaluated, for the headers of `report.md` and `errors.html`.
#[derive(Debug, Clone, Default)]
pub struct About {
    /// The data files, as given.
    pub data: Vec<String>,
    /// The model: its path, or a name such as "the embedded default model".
    pub model: String,
    /// Where the threshold comes from: "the model's", "--threshold", "target precision 0.99 on these data"...
    pub threshold_from: String,
}

/// One evaluated document, for `scores.csv` and the plots.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    pub id: &'a str,
    pub spun: bool,
    pub p_spun: f64,
    pub words: usize,
}

/// A misclassified document with the phrases that look spun, for `errors.html`.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub spun: bool,
    pub p_spun: f64,
    pub words: usize,
    /// Spans into `text`, ordered and not overlapping ([`crate::FeatureExtractor::explain`]).
    pub spans: Vec<Span>,
}

fn f4(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"))
}

fn percent(rate: &str) -> String {
    rate.parse::<f64>().map_or_else(|_| rate.to_string(), |r| format!("{:.0}%", r * 100.0))
}

/// The headline metrics in display order: (name in text output, name in Markdown, value).
fn headline(m: &Metrics) -> [(&'static str, &'static str, Option<f64>); 8] {
    [
        ("precision", "precision", m.precision),
        ("recall", "recall", m.recall),
        ("f1", "F1", m.f1),
        ("accuracy", "accuracy", m.accuracy),
        ("roc_auc", "ROC AUC", m.roc_auc),
        ("pr_auc", "PR AUC (average precision)", m.pr_auc),
        ("log_loss", "log loss", m.log_loss),
        ("brier", "Brier score", m.brier),
    ]
}

/// The report as aligned text for people: headline metrics, confusion, sweep and slices. Undefined
/// values read `n/a`.
pub fn text(r: &Report) -> String {
    let m = &r.all;
    let mut o = String::new();
    let _ = writeln!(o, "{} documents ({} spun, {} original), threshold {:.4}", m.n, m.spun, m.original, m.threshold);
    for (name, _, v) in headline(m) {
        let undefined = if matches!(name, "roc_auc" | "pr_auc") { "n/a (one class)" } else { "n/a" };
        let _ = writeln!(o, "  {name:<10} {}", v.map_or_else(|| undefined.to_string(), |v| format!("{v:.4}")));
    }
    let at_fpr: Vec<String> = m.recall_at_fpr.iter().map(|(rate, v)| format!("{}: {}", percent(rate), f4(*v))).collect();
    let _ = writeln!(o, "  recall at false-positive rate  {}", at_fpr.join("  "));
    let _ = writeln!(o, "  confusion          predicted spun  predicted original");
    let _ = writeln!(o, "    spun             {:>14}  {:>18}", m.confusion.tp, m.confusion.fn_);
    let _ = writeln!(o, "    original         {:>14}  {:>18}", m.confusion.fp, m.confusion.tn);
    let _ = writeln!(o, "\nthreshold sweep (* = the threshold above)");
    let _ = writeln!(o, "  {:>11}  {:>9}  {:>7}  {:>7}  {:>7}", "threshold", "precision", "recall", "f1", "fpr");
    for s in &r.sweep {
        let mark = if s.threshold == m.threshold { '*' } else { ' ' };
        let _ =
            writeln!(o, "  {mark} {:>9.4}  {:>9}  {:>7}  {:>7}  {:>7}", s.threshold, f4(s.precision), f4(s.recall), f4(s.f1), f4(s.fpr));
    }
    if !r.slices.is_empty() {
        let width = r.slices.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max(5);
        let _ = writeln!(o, "\nslices");
        let _ = writeln!(
            o,
            "  {:<width$}  {:>6}  {:>6}  {:>8}  {:>9}  {:>7}  {:>7}  {:>8}  {:>7}  {:>7}",
            "slice", "n", "spun", "original", "precision", "recall", "f1", "accuracy", "roc_auc", "pr_auc"
        );
        for s in &r.slices {
            let m = &s.metrics;
            let _ = writeln!(
                o,
                "  {:<width$}  {:>6}  {:>6}  {:>8}  {:>9}  {:>7}  {:>7}  {:>8}  {:>7}  {:>7}",
                s.name,
                m.n,
                m.spun,
                m.original,
                f4(m.precision),
                f4(m.recall),
                f4(m.f1),
                f4(m.accuracy),
                f4(m.roc_auc),
                f4(m.pr_auc)
            );
        }
    }
    o
}

/// The report as pretty JSON (`unspun eval --format json`), ending in a newline. Undefined values
/// are `null`.
pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).expect("a report serialises") + "\n"
}

/// Columns of [`csv()`], in order; `recall_at_fpr_R` for each rate of [`eval::FPR_TARGETS`] ends the row.
pub const CSV_COLUMNS: [&str; 17] = [
    "slice",
    "n",
    "spun",
    "original",
    "threshold",
    "precision",
    "recall",
    "f1",
    "accuracy",
    "roc_auc",
    "pr_auc",
    "log_loss",
    "brier",
    "tp",
    "fp",
    "tn",
    "fn",
];

/// The report as CSV (`unspun eval --format csv`): a header, then one row per slice, `all` first.
/// Columns: [`CSV_COLUMNS`], then `recall_at_fpr_0.01`, `recall_at_fpr_0.05`; numbers at full
/// precision, undefined values empty.
pub fn csv(r: &Report) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = CSV_COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(r.all.recall_at_fpr.keys().map(|k| format!("recall_at_fpr_{k}")));
    w.write_record(&header).expect("writing to memory");
    let rows = std::iter::once(("all", &r.all)).chain(r.slices.iter().map(|s| (s.name.as_str(), &s.metrics)));
    for (name, m) in rows {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let mut row = vec![
            name.to_string(),
            m.n.to_string(),
            m.spun.to_string(),
            m.original.to_string(),
            m.threshold.to_string(),
            opt(m.precision),
            opt(m.recall),
            opt(m.f1),
            opt(m.accuracy),
            opt(m.roc_auc),
            opt(m.pr_auc),
            opt(m.log_loss),
            opt(m.brier),
            m.confusion.tp.to_string(),
            m.confusion.fp.to_string(),
            m.confusion.tn.to_string(),
            m.confusion.fn_.to_string(),
        ];
        row.extend(m.recall_at_fpr.values().map(|v| opt(*v)));
        w.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("CSV of UTF-8 fields")
}

/// Per-document scores as CSV: `id,label,p_spun,words`, `p_spun` at full (round-trip) precision.
pub fn scores_csv(documents: &[Document<'_>]) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "label", "p_spun", "words"]).expect("writing to memory");
    for d in documents {
        let label = if d.spun { "spun" } else { "original" };
        w.write_record([d.id, label, &d.p_spun.to_string(), &d.words.to_string()]).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("CSV of UTF-8 fields")
}

fn md_metrics_row(name: &str, m: &Metrics) -> String {
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        md_escape(name),
        m.n,
        m.spun,
        m.original,
        f4(m.precision),
        f4(m.recall),
        f4(m.f1),
        f4(m.accuracy),
        f4(m.roc_auc),
        f4(m.pr_auc),
        f4(m.log_loss),
        f4(m.brier)
    )
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The report as Markdown (`report.md`), linking the plots and `errors.html` beside it.
pub fn markdown(r: &Report, about: &About) -> String {
    let m = &r.all;
    let mut o = String::new();
    let _ = writeln!(o, "# Evaluation report\n");
    let _ = writeln!(o, "Written by `unspun eval` {}.\n", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(o, "- data: {}", about.data.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", "));
    let _ = writeln!(o, "- model: {}", about.model);
    let _ = writeln!(o, "- documents: {} ({} spun, {} original)", m.n, m.spun, m.original);
    let _ =
        writeln!(o, "- threshold: {:.4} ({}); a document is flagged spun when `p_spun >= threshold`", m.threshold, about.threshold_from);
    let _ = writeln!(o, "\n## Metrics\n");
    let _ = writeln!(o, "| metric | value |\n|---|---|");
    for (_, name, v) in headline(m) {
        let _ = writeln!(o, "| {name} | {} |", f4(v));
    }
    for (rate, v) in &m.recall_at_fpr {
        let _ = writeln!(o, "| recall at {} false positives | {} |", percent(rate), f4(*v));
    }
    let _ = writeln!(o, "\n| | predicted spun | predicted original |\n|---|---|---|");
    let _ = writeln!(o, "| **spun** | {} | {} |", m.confusion.tp, m.confusion.fn_);
    let _ = writeln!(o, "| **original** | {} | {} |", m.confusion.fp, m.confusion.tn);
    let _ = writeln!(
        o,
        "\nn/a: undefined (no document flagged, or one class only). Recall at a false-positive rate is the \
         largest recall of any threshold whose false-positive rate is at most that rate."
    );
    let _ = writeln!(o, "\n## Threshold sweep\n");
    let _ = writeln!(o, "| threshold | precision | recall | F1 | FPR |\n|---|---|---|---|---|");
    for s in &r.sweep {
        let t = if s.threshold == m.threshold { format!("**{:.4}**", s.threshold) } else { format!("{:.4}", s.threshold) };
        let _ = writeln!(o, "| {t} | {} | {} | {} | {} |", f4(s.precision), f4(s.recall), f4(s.f1), f4(s.fpr));
    }
    let _ = writeln!(o, "\n## Slices\n");
    let _ = writeln!(
        o,
        "| slice | n | spun | original | precision | recall | F1 | accuracy | ROC AUC | PR AUC | log loss | Brier |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    o.push_str(&md_metrics_row("all", m));
    for s in &r.slices {
        o.push_str(&md_metrics_row(&s.name, &s.metrics));
    }
    let _ = writeln!(o, "\n## Calibration\n");
    let _ = writeln!(o, "| p_spun bin | documents | mean p_spun | share spun |\n|---|---|---|---|");
    for b in &r.calibration {
        let _ = writeln!(o, "| {:.1}–{:.1} | {} | {:.4} | {:.4} |", b.lower, b.upper, b.n, b.mean_p, b.fraction_spun);
    }
    let _ = writeln!(o, "\n## Plots\n");
    for (file, title) in PLOTS {
        let _ = writeln!(o, "![{title}]({file})\n");
    }
    let sliced: Vec<&Slice> = calibrated_slices(r).collect();
    if !sliced.is_empty() {
        let _ = writeln!(
            o,
            "### Calibration per slice\n\nA threshold that keeps its precision in one domain may not in another: each slice of at \
             least {MIN_SLICE_CALIBRATION} documents has its own reliability plot.\n"
        );
        for s in sliced {
            let _ = writeln!(o, "![calibration, {}]({})\n", s.name, slice_calibration_file(&s.name));
        }
    }
    let _ = writeln!(o, "## Mistakes\n");
    let _ = writeln!(
        o,
        "[errors.html](errors.html): the {WORST_ERRORS} most confident false positives and false negatives, \
         with the phrases that look spun highlighted. Per-document scores: [scores.csv](scores.csv)."
    );
    o
}

/// Least documents of a slice that gets its own calibration plot.
pub const MIN_SLICE_CALIBRATION: usize = 20;

/// The slices that get their own calibration plot (in the markdown and in the folder alike).
fn calibrated_slices(r: &Report) -> impl Iterator<Item = &Slice> {
    r.slices.iter().filter(|s| s.metrics.n >= MIN_SLICE_CALIBRATION)
}

/// File name of a slice's calibration plot: `calibration-<slice name, non-alphanumerics as '-'>.svg`.
pub fn slice_calibration_file(name: &str) -> String {
    let slug: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("calibration-{slug}.svg")
}

const PLOTS: [(&str, &str); 4] = [
    ("pr_curve.svg", "precision-recall curve"),
    ("roc_curve.svg", "ROC curve"),
    ("score_histogram.svg", "p_spun per class"),
    ("calibration.svg", "reliability (calibration) plot"),
];

fn plot_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("cannot draw the {what}: {e}"))
}

/// Draws on an SVG canvas of [`PLOT_SIZE`] and returns the SVG text.
fn draw_svg(what: &str, draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()>) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, PLOT_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(what, e))?;
        draw(&root)?;
        root.present().map_err(|e| plot_error(what, e))?;
    }
    Ok(svg)
}

/// A unit-square chart with a mesh, for curves and the reliability plot.
/// Marks the model's operating point on a curve, with a legend naming the threshold.
fn mark_operating_point<'a, 'b: 'a>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    what: &str,
    point: (f64, f64),
    threshold: f64,
    legend_at: SeriesLabelPosition,
) -> Result<()> {
    chart
        .draw_series(std::iter::once(Circle::new(point, 5, SPUN_COLOR.filled())))
        .map_err(|e| plot_error(what, e))?
        .label(format!("threshold {threshold:.4}"))
        .legend(|(x, y)| Circle::new((x + 8, y), 5, SPUN_COLOR.filled()));
    chart
        .configure_series_labels()
        .position(legend_at)
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()
        .map_err(|e| plot_error(what, e))?;
    Ok(())
}

fn unit_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    what: &str,
    caption: &str,
    x_desc: &str,
    y_desc: &str,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>> {
    let mut chart = ChartBuilder::on(root)
        .caption(caption, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(54)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(|e| plot_error(what, e))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(6)
        .y_labels(6)
        .max_light_lines(1)
        .x_label_formatter(&|v| format!("{v:.1}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()
        .map_err(|e| plot_error(what, e))?;
    Ok(chart)
}

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

/// Precision against recall over all thresholds (steps, as average precision sums them), with the
/// operating point at the report's threshold.
pub fn pr_curve_svg(scores: &[f64], labels: &[bool], m: &Metrics) -> Result<String> {
    let what = "precision-recall curve";
    let n_pos = labels.iter().filter(|&&l| l).count();
    let mut steps: Vec<(f64, f64)> = Vec::new();
    if n_pos > 0 {
        let mut prev_recall = 0.0;
        for p in eval::curve(scores, labels) {
            let (recall, precision) = (p.tp as f64 / n_pos as f64, p.tp as f64 / (p.tp + p.fp) as f64);
            steps.push((prev_recall, precision));
            steps.push((recall, precision));
            prev_recall = recall;
        }
    }
    draw_svg(what, |root| {
        let mut chart =
            unit_chart(root, what, &format!("Precision-recall (average precision {})", value(m.pr_auc)), "recall", "precision")?;
        chart.draw_series(LineSeries::new(steps, ORIGINAL_COLOR.stroke_width(2))).map_err(|e| plot_error(what, e))?;
        if let (Some(r), Some(p)) = (m.recall, m.precision) {
            mark_operating_point(&mut chart, what, (r, p), m.threshold, SeriesLabelPosition::LowerLeft)?;
        }
        Ok(())
    })
}

/// True-positive rate (recall) against false-positive rate over all thresholds, with the diagonal
/// of a random ranking and the operating point.
pub fn roc_curve_svg(scores: &[f64], labels: &[bool], m: &Metrics) -> Result<String> {
    let what = "ROC curve";
    let n_pos = labels.iter().filter(|&&l| l).count();
    let n_neg = labels.len() - n_pos;
    let mut points = vec![(0.0, 0.0)];
    if n_pos > 0 && n_neg > 0 {
        points.extend(eval::curve(scores, labels).iter().map(|p| (p.fp as f64 / n_neg as f64, p.tp as f64 / n_pos as f64)));
    }
    let fpr = m.confusion.fp as f64 / (m.confusion.fp + m.confusion.tn).max(1) as f64;
    draw_svg(what, |root| {
        let mut chart =
            unit_chart(root, what, &format!("ROC (AUC {})", value(m.roc_auc)), "false-positive rate", "true-positive rate (recall)")?;
        chart.draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], GUIDE_COLOR.stroke_width(1))).map_err(|e| plot_error(what, e))?;
        chart.draw_series(LineSeries::new(points, ORIGINAL_COLOR.stroke_width(2))).map_err(|e| plot_error(what, e))?;
        if let Some(r) = m.recall.filter(|_| n_neg > 0) {
            mark_operating_point(&mut chart, what, (fpr, r), m.threshold, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    })
}

/// Counts of `p_spun` per class in [`HISTOGRAM_BINS`] equal bins over [0, 1], with the threshold.
pub fn histogram_svg(scores: &[f64], labels: &[bool], threshold: f64) -> Result<String> {
    let what = "score histogram";
    let mut counts = [[0usize; HISTOGRAM_BINS]; 2];
    for (&p, &spun) in scores.iter().zip(labels) {
        let bin = ((p * HISTOGRAM_BINS as f64) as usize).min(HISTOGRAM_BINS - 1);
        counts[spun as usize][bin] += 1;
    }
    let top = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
    draw_svg(what, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("p_spun per class", ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, 0.0..top)
            .map_err(|e| plot_error(what, e))?;
        chart
            .configure_mesh()
            .x_desc("p_spun")
            .y_desc("documents")
            .x_labels(11)
            .y_labels(6)
            .max_light_lines(1)
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()
            .map_err(|e| plot_error(what, e))?;
        let width = 1.0 / HISTOGRAM_BINS as f64;
        for (class, color, name) in [(0, ORIGINAL_COLOR, "original"), (1, SPUN_COLOR, "spun")] {
            let bars = counts[class].iter().enumerate().filter(|(_, &c)| c > 0).map(move |(b, &c)| {
                Rectangle::new([(b as f64 * width, 0.0), ((b + 1) as f64 * width, c as f64)], color.mix(0.45).filled())
            });
            chart
                .draw_series(bars)
                .map_err(|e| plot_error(what, e))?
                .label(format!("{name} ({})", counts[class].iter().sum::<usize>()))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.45).filled()));
        }
        chart
            .draw_series(LineSeries::new([(threshold, 0.0), (threshold, top)], BLACK.stroke_width(1)))
            .map_err(|e| plot_error(what, e))?
            .label(format!("threshold {threshold:.4}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperMiddle)
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| plot_error(what, e))?;
        Ok(())
    })
}

/// Reliability plot: share of spun documents against mean `p_spun` per calibration bin, with the
/// diagonal of perfect calibration.
pub fn calibration_svg(bins: &[CalibrationBin]) -> Result<String> {
    let what = "reliability plot";
    let points: Vec<(f64, f64)> = bins.iter().map(|b| (b.mean_p, b.fraction_spun)).collect();
    draw_svg(what, |root| {
        let mut chart = unit_chart(root, what, "Reliability (10 bins of p_spun)", "mean p_spun in bin", "share of spun documents")?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], GUIDE_COLOR.stroke_width(1)))
            .map_err(|e| plot_error(what, e))?
            .label("perfectly calibrated")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], GUIDE_COLOR));
        chart
            .draw_series(LineSeries::new(points.clone(), ORIGINAL_COLOR.stroke_width(2)))
            .map_err(|e| plot_error(what, e))?
            .label("model")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], ORIGINAL_COLOR.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, ORIGINAL_COLOR.filled()))).map_err(|e| plot_error(what, e))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| plot_error(what, e))?;
        Ok(())
    })
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// The text of a case with its spans as `<mark>` elements (suggestion after an arrow), cut after
/// [`ERROR_TEXT_BYTES`].
fn highlighted(case: &Case<'_>) -> String {
    let text = case.text;
    let mut cut = text.len().min(ERROR_TEXT_BYTES);
    if let Some(s) = case.spans.iter().find(|s| s.start < cut && s.end > cut) {
        cut = s.end;
    }
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let mut o = String::new();
    let mut at = 0;
    for s in &case.spans {
        if s.end > cut || s.start < at || s.start >= s.end {
            continue; // past the cut, or not in order (spans never overlap; this only guards slicing)
        }
        o.push_str(&escape_html(&text[at..s.start]));
        let suggestion = s.suggestion.as_deref().unwrap_or("?");
        let _ = write!(
            o,
            "<mark title=\"likely original: {} (oddity {:.2})\">{}<span class=\"sugg\"> → {}</span></mark>",
            escape_html(suggestion),
            s.score,
            escape_html(&text[s.start..s.end]),
            escape_html(suggestion)
        );
        at = s.end;
    }
    o.push_str(&escape_html(&text[at..cut]));
    if cut < text.len() {
        let rest = text[cut..].split_whitespace().count();
        let _ = write!(o, "<span class=\"cut\"> … ({rest} more words not shown)</span>");
    }
    o
}

const ERRORS_CSS: &str =
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}\
.case{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0;background:#fcfcfc}\
.meta{font-size:.9rem;color:#555;margin:0 0 .4rem}.meta b{color:#222}\
.text{white-space:pre-wrap;margin:0}mark{background:#ffe08a;padding:0 .1em;border-radius:3px}\
.sugg{color:#0a6b2e;font-size:.85em;font-style:italic}.cut{color:#888}.none{color:#888;font-style:italic}";

fn cases_html(o: &mut String, title: &str, kind: &str, cases: &[Case<'_>], explanation: &str) {
    let _ = writeln!(o, "<h2 id=\"{kind}\">{} ({})</h2>\n<p>{}</p>", escape_html(title), cases.len(), escape_html(explanation));
    if cases.is_empty() {
        let _ = writeln!(o, "<p class=\"none\">None.</p>");
    }
    for (k, c) in cases.iter().enumerate() {
        let _ = writeln!(
            o,
            "<section class=\"case {kind}\">\n<p class=\"meta\"><b>{}. {}</b> — labeled {}, p_spun {:.4}, {} words, {} phrase(s) look spun</p>\n<p class=\"text\">{}</p>\n</section>",
            k + 1,
            escape_html(c.id),
            if c.spun { "spun" } else { "original" },
            c.p_spun,
            c.words,
            c.spans.len(),
            highlighted(c)
        );
    }
}

/// `errors.html`: a self-contained page (no scripts, no external assets) listing the false
/// positives and false negatives with the phrases that look spun highlighted and their likely
/// originals. Everything from the data is HTML-escaped.
pub fn errors_html(threshold: f64, about: &About, false_positives: &[Case<'_>], false_negatives: &[Case<'_>]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>unspun: worst mistakes</title>\n<style>{ERRORS_CSS}</style>\n</head>\n<body>"
    );
    let _ = writeln!(o, "<h1>Worst mistakes at threshold {threshold:.4}</h1>");
    let _ = writeln!(
        o,
        "<p>Data: {}. Model: {}. Threshold: {}. <mark>Highlighted</mark> phrases look spun; the likely original follows the arrow (hover for the oddity in nats).</p>",
        escape_html(&about.data.join(", ")),
        escape_html(&about.model),
        escape_html(&about.threshold_from)
    );
    cases_html(
        &mut o,
        "False positives: originals flagged as spun",
        "false-positive",
        false_positives,
        "Highest p_spun first: the originals the model is most sure are spun.",
    );
    cases_html(
        &mut o,
        "False negatives: spun documents passed as original",
        "false-negative",
        false_negatives,
        "Lowest p_spun first: the spun documents the model is most sure are original.",
    );
    let _ = writeln!(o, "</body>\n</html>");
    o
}

/// Writes the report folder (created if needed) and returns the paths written, in a fixed order.
/// Each file is written atomically; the same inputs give the same bytes.
pub fn write_folder(
    dir: &Path,
    report: &Report,
    documents: &[Document<'_>],
    false_positives: &[Case<'_>],
    false_negatives: &[Case<'_>],
    about: &About,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let scores: Vec<f64> = documents.iter().map(|d| d.p_spun).collect();
    let labels: Vec<bool> = documents.iter().map(|d| d.spun).collect();
    let files = [
        ("report.md", markdown(report, about)),
        ("metrics.json", json(report)),
        ("metrics.csv", csv(report)),
        ("scores.csv", scores_csv(documents)),
        ("pr_curve.svg", pr_curve_svg(&scores, &labels, &report.all)?),
        ("roc_curve.svg", roc_curve_svg(&scores, &labels, &report.all)?),
        ("score_histogram.svg", histogram_svg(&scores, &labels, report.all.threshold)?),
        ("calibration.svg", calibration_svg(&report.calibration)?),
        ("errors.html", errors_html(report.all.threshold, about, false_positives, false_negatives)),
    ];
    let mut written = Vec::new();
    for (name, content) in files {
        let path = dir.join(name);
        write_atomically(&path, content.as_bytes())?;
        written.push(path);
    }
    for s in calibrated_slices(report) {
        let path = dir.join(slice_calibration_file(&s.name));
        write_atomically(&path, calibration_svg(&s.calibration)?.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        // p: 0.9 S, 0.8 O, 0.7 S, 0.3 S, 0.2 O, 0.6 O; slices: first three, last three
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.6];
        let l = [true, false, true, true, false, false];
        Report::compute(&s, &l, 0.5, &[("a".into(), vec![0, 1, 2]), ("b".into(), vec![3, 4, 5])])
    }

    #[test]
    fn text_keeps_the_headline_first_and_marks_undefined_values() {
        let t = text(&report());
        assert!(t.starts_with("6 documents (3 spun, 3 original), threshold 0.5000\n  precision  0.5000\n"), "{t}");
        assert!(t.contains("  * "), "the decision threshold is marked in the sweep: {t}");
        let one_class = Report::compute(&[0.1, 0.2], &[false, false], 0.5, &[]);
        assert!(text(&one_class).contains("roc_auc    n/a (one class)"));
    }

    #[test]
    fn csv_has_one_row_per_slice_and_empty_cells_for_undefined() {
        let c = csv(&report());
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines[0].starts_with("slice,n,spun,original,threshold,precision,")
                && lines[0].ends_with("recall_at_fpr_0.01,recall_at_fpr_0.05")
        );
        assert!(lines[1].starts_with("all,6,3,3,0.5,0.5,"), "{}", lines[1]);
        // slice b: 0.3 S, 0.2 O, 0.6 O -> flagged 0.6 O only: precision 0, recall 0, f1 0
        assert!(lines[3].starts_with("b,3,1,2,0.5,0,0,0,"), "{}", lines[3]);
        let one = csv(&Report::compute(&[0.1], &[false], 0.5, &[]));
        // precision, recall, f1 undefined; accuracy 1; roc_auc, pr_auc undefined
        assert!(one.lines().nth(1).unwrap().starts_with("all,1,0,1,0.5,,,,1,,,"), "{one}");
    }

    #[test]
    fn html_escapes_and_highlights() {
        let text = "<b>Rock & roll</b> overseas minister";
        let start = text.find("overseas").unwrap();
        let case = Case {
            id: "x\"y",
            text,
            spun: false,
            p_spun: 0.9,
            words: 5,
            spans: vec![Span { start, end: start + 8, score: 5.8, suggestion: Some("foreign".into()), p_swap: None }],
        };
        let html = errors_html(0.5, &About::default(), &[case], &[]);
        assert!(html.contains("&lt;b&gt;Rock &amp; roll&lt;/b&gt; <mark title=\"likely original: foreign (oddity 5.80)\">overseas<span class=\"sugg\"> → foreign</span></mark> minister"), "{html}");
        assert!(html.contains("x&quot;y"));
        assert!(!html.contains("<b>Rock"));
    }

    #[test]
    fn slices_of_enough_documents_get_their_own_calibration_plot() {
        // 40 documents: slice "domain:a" the first 20 (well calibrated), "domain:b" the last 20
        // (all at 0.9, half spun), "tiny" 3 of them
        let scores: Vec<f64> = (0..40)
            .map(|i| {
                if i < 20 {
                    if i % 2 == 0 {
                        0.95
                    } else {
                        0.05
                    }
                } else {
                    0.9
                }
            })
            .collect();
        let labels: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
        let slices = [
            ("domain:a".to_string(), (0..20).collect()),
            ("domain:b".to_string(), (20..40).collect()),
            ("tiny".to_string(), vec![0, 1, 2]),
        ];
        let r = Report::compute(&scores, &labels, 0.5, &slices);
        let b = r.slices[1].calibration.iter().find(|b| b.n > 0).unwrap();
        assert_eq!((b.n, b.fraction_spun), (20, 0.5), "domain b: 20 documents at 0.9, half of them spun");
        let md = markdown(&r, &About::default());
        assert!(md.contains("(calibration-domain-a.svg)") && md.contains("(calibration-domain-b.svg)"), "{md}");
        assert!(!md.contains("calibration-tiny"), "fewer than {MIN_SLICE_CALIBRATION} documents: no plot");
        assert!(calibration_svg(&r.slices[1].calibration).unwrap().trim_end().ends_with("</svg>"));
    }

    #[test]
    fn plots_are_svg_and_deterministic() {
        let r = report();
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.6];
        let l = [true, false, true, true, false, false];
        for svg in [
            pr_curve_svg(&s, &l, &r.all).unwrap(),
            roc_curve_svg(&s, &l, &r.all).unwrap(),
            histogram_svg(&s, &l, 0.5).unwrap(),
            calibration_svg(&r.calibration).unwrap(),
        ] {
            assert!(svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
            assert!(svg.contains("<text"), "labels are SVG text");
        }
        assert_eq!(pr_curve_svg(&s, &l, &r.all).unwrap(), pr_curve_svg(&s, &l, &r.all).unwrap());
        // one class and no data draw too
        assert!(roc_curve_svg(&[0.5], &[true], &Metrics::compute(&[0.5], &[true], 0.5)).is_ok());
        assert!(histogram_svg(&[], &[], 0.5).is_ok());
    }
}
