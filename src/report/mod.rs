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

mod errors;
mod plots;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use errors::{errors_html, escape_html, Case, ERROR_TEXT_BYTES, WORST_ERRORS};
pub use plots::{calibration_svg, histogram_svg, pr_curve_svg, roc_curve_svg, HISTOGRAM_BINS, PLOT_SIZE};

use crate::error::{Error, Result};
use crate::eval::{Metrics, Report, Slice};
use crate::reference::write_atomically;

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

/// Columns of [`csv()`], in order; `recall_at_fpr_R` for each rate of [`crate::eval::FPR_TARGETS`] ends the row.
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
}
