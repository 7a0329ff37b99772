//! `unspun eval`: metrics through the library on a tied fixture computed by hand, and the command's
//! formats, threshold targets and report folder on a small labeled CSV written for these tests.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use unspun::eval::{recall_at_fpr, Report};
use unspun::Detector;

fn close(v: &Value, x: f64) -> bool {
    v.as_f64().is_some_and(|v| (v - x).abs() < 1e-12)
}

#[test]
fn every_metric_on_a_tied_fixture_matches_the_hand_computation() {
    // doc:    a    b    c    d    e
    // p:      0.8  0.8  0.4  0.4  0.1     (two ties, each of one spun and one original)
    // label:  S    O    S    O    O       2 spun, 3 original; threshold 0.5 flags a, b
    let s = [0.8, 0.8, 0.4, 0.4, 0.1];
    let l = [true, false, true, false, false];
    let r = serde_json::to_value(Report::compute(&s, &l, 0.5, &[])).unwrap();
    assert_eq!(r["confusion"], serde_json::json!({"tp": 1, "fp": 1, "tn": 2, "fn": 1}));
    assert!(close(&r["precision"], 0.5)); // 1 / (1 + 1)
    assert!(close(&r["recall"], 0.5)); // 1 / (1 + 1)
    assert!(close(&r["f1"], 0.5)); // 2·1 / (2·1 + 1 + 1)
    assert!(close(&r["accuracy"], 0.6)); // (1 + 2) / 5
                                         // (spun, original) pairs: a–b tie ½, a–d 1, a–e 1, c–b 0, c–d tie ½, c–e 1 -> 4 / 6
    assert!(close(&r["roc_auc"], 2.0 / 3.0));
    // steps at distinct thresholds: 0.8 -> R ½, P ½; 0.4 -> R 1, P 2/4; 0.1 -> R 1 (no step)
    // AP = ½·½ + ½·½ = ½ (scikit-learn's average_precision_score; ties are one step)
    assert!(close(&r["pr_auc"], 0.5));
    let ll = -(0.8f64.ln() + 0.2f64.ln() + 0.4f64.ln() + 0.6f64.ln() + 0.9f64.ln()) / 5.0;
    assert!(close(&r["log_loss"], ll)); // −mean(ln p for spun, ln(1 − p) for original)
    assert!(close(&r["brier"], 1.21 / 5.0)); // (.2² + .8² + .6² + .4² + .1²) / 5
                                             // the first threshold (0.8) already flags one original of three: FPR 1/3 > 5% -> recall 0
    assert!(close(&r["recall_at_fpr"]["0.01"], 0.0) && close(&r["recall_at_fpr"]["0.05"], 0.0));
    assert_eq!(recall_at_fpr(&s, &l, 1.0 / 3.0), Some(0.5));
    // sweep at 0.4 flags a–d: P 2/4, R 1, F1 4/6, FPR 2/3
    let at = r["sweep"].as_array().unwrap().iter().find(|row| row["threshold"] == 0.4).unwrap();
    assert!(close(&at["precision"], 0.5) && close(&at["recall"], 1.0) && close(&at["f1"], 2.0 / 3.0) && close(&at["fpr"], 2.0 / 3.0));
    // calibration bins (scikit-learn's edges k·0.1, a score on an edge in the lower bin):
    // [0, .1] {e}: mean .1, spun 0; (.3, .4] {c, d}: .4, ½; (.7, .8] {a, b}: .8, ½
    let bins: Vec<(f64, u64, f64, f64)> = r["calibration"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (b["lower"].as_f64().unwrap(), b["n"].as_u64().unwrap(), b["mean_p"].as_f64().unwrap(), b["fraction_spun"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(bins.len(), 3);
    assert_eq!((bins[0].1, bins[0].2, bins[0].3), (1, 0.1, 0.0));
    assert_eq!((bins[1].1, bins[1].2, bins[1].3), (2, 0.4, 0.5));
    assert_eq!((bins[2].1, bins[2].2, bins[2].3), (2, 0.8, 0.5));
}

/// A written labeled CSV (hand-written originals, spun by the binary) plus two rows meant to be
/// mistakes: a text with two known swaps labeled original, and an untouched text labeled spun.
/// The first has an id with HTML in it, to check escaping.
fn data(dir: &Path) -> PathBuf {
    let path = dir.join("labeled.csv");
    write_labeled_csv(&path, 0.5);
    let mut csv = std::fs::read_to_string(&path).unwrap();
    csv.push_str(
        "\"<b>odd</b> & co\",\"The overseas minister said on Monday that the Related Press would publish the report.\",original,s9\n",
    );
    csv.push_str(&format!("plain,\"{}\",spun,s9\n", ORIGINALS[0]));
    std::fs::write(&path, csv).unwrap();
    path
}

fn eval(args: &[&str]) -> std::process::Output {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    run(&all, None)
}

fn json(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn report_folder_holds_every_file_well_formed_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let data = data(dir.path());
    let (one, two) = (dir.path().join("r1"), dir.path().join("r2"));
    let d = data.to_str().unwrap();
    // flag almost everything, so that every original is a false positive listed in errors.html
    let args = |out: &Path, threads: &'static str| {
        vec![
            "--data".to_string(),
            d.to_string(),
            "--threshold".into(),
            "0.000001".into(),
            "--group-by".into(),
            "source".into(),
            "--report".into(),
            out.to_str().unwrap().to_string(),
            "--format".into(),
            "json".into(),
            "--threads".into(),
            threads.into(),
        ]
    };
    let a1 = args(&one, "1");
    let o = eval(&a1.iter().map(String::as_str).collect::<Vec<_>>());
    let m = json(&o);
    let a2 = args(&two, "2");
    assert!(eval(&a2.iter().map(String::as_str).collect::<Vec<_>>()).status.success());

    let files = [
        "report.md",
        "metrics.json",
        "metrics.csv",
        "scores.csv",
        "pr_curve.svg",
        "roc_curve.svg",
        "score_histogram.svg",
        "calibration.svg",
        "errors.html",
    ];
    for f in files {
        let (b1, b2) = (std::fs::read(one.join(f)).unwrap(), std::fs::read(two.join(f)).unwrap());
        assert!(!b1.is_empty(), "{f} is empty");
        assert!(b1 == b2, "{f} differs between two runs (and thread counts)");
    }
    let read = |f: &str| std::fs::read_to_string(one.join(f)).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&read("metrics.json")).unwrap(), m, "metrics.json is the JSON output");
    assert!(!read("metrics.json").contains("NaN"));
    for svg in ["pr_curve.svg", "roc_curve.svg", "score_histogram.svg", "calibration.svg"] {
        let s = read(svg);
        assert!(s.starts_with("<svg") || s.starts_with("<?xml"), "{svg}: {}", &s[..80.min(s.len())]);
        assert!(s.trim_end().ends_with("</svg>"), "{svg}");
        assert_eq!(s.matches("<text").count(), s.matches("</text>").count(), "{svg}: text elements are closed");
        assert!(!s.contains("NaN"), "{svg}");
    }
    let md = read("report.md");
    for link in ["(pr_curve.svg)", "(roc_curve.svg)", "(score_histogram.svg)", "(calibration.svg)", "(errors.html)"] {
        assert!(md.contains(link), "report.md links {link}");
    }
    assert!(md.contains("| source:s9 |"), "{md}");
    assert_eq!(read("scores.csv").lines().count(), 1 + 18);
    assert_eq!(read("metrics.csv").lines().count(), 2 + m["slices"].as_object().unwrap().len());

    let html = read("errors.html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("overseas<span class=\"sugg\"> → foreign</span></mark>"), "the swap is highlighted: {html}");
    assert!(html.contains("Related<span class=\"sugg\"> → Associated</span></mark>"));
    assert!(html.contains("&lt;b&gt;odd&lt;/b&gt; &amp; co") && !html.contains("<b>odd"), "ids are escaped");
    assert!(!html.contains("<script") && !html.contains("http"), "self-contained, no external assets");
}

#[test]
fn json_fields_are_stable_and_agree_with_the_per_document_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = data(dir.path());
    let out = dir.path().join("r");
    let m = json(&eval(&["--data", data.to_str().unwrap(), "--format", "json", "--report", out.to_str().unwrap()]));
    for key in [
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
        "confusion",
        "recall_at_fpr",
        "sweep",
        "calibration",
        "slices",
    ] {
        assert!(m.get(key).is_some(), "{key} in {m}");
    }
    assert_eq!((m["format"].as_str(), m["version"].as_u64()), (Some("unspun-eval"), Some(1)));
    assert_eq!((m["n"].as_u64(), m["spun"].as_u64()), (Some(18), Some(9)));
    // every paragraph is under 100 words
    assert_eq!(m["slices"].as_object().unwrap().keys().collect::<Vec<_>>(), ["words:<100"]);
    // recount from scores.csv, independently of the library: confusion and ROC AUC over all pairs
    let scores = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    let rows: Vec<(bool, f64)> = scores
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.rsplitn(3, ',').collect(); // words, p_spun, "id,label"
            (f[2].ends_with(",spun"), f[1].parse().unwrap())
        })
        .collect();
    let t = m["threshold"].as_f64().unwrap();
    let tp = rows.iter().filter(|(s, p)| *s && *p >= t).count();
    let fp = rows.iter().filter(|(s, p)| !*s && *p >= t).count();
    assert_eq!((m["confusion"]["tp"].as_u64(), m["confusion"]["fp"].as_u64()), (Some(tp as u64), Some(fp as u64)));
    let mut credit = 0.0;
    for (_, p) in rows.iter().filter(|r| r.0) {
        for (_, q) in rows.iter().filter(|r| !r.0) {
            credit += if p > q {
                1.0
            } else if p == q {
                0.5
            } else {
                0.0
            };
        }
    }
    assert!(close(&m["roc_auc"], credit / 81.0), "{} vs {}", m["roc_auc"], credit / 81.0);

    // CSV: one row per slice, `all` first
    let o = eval(&["--data", data.to_str().unwrap(), "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("slice,n,spun,original,threshold,precision,recall,f1,accuracy,roc_auc,pr_auc,log_loss,brier,tp,fp,tn,fn,"));
    assert!(lines[1].starts_with("all,18,9,9,"));
    assert!(lines[2].starts_with("words:<100,18,"));
    // text: the headline first, then the new metrics
    let o = eval(&["--data", data.to_str().unwrap()]);
    let text = stdout(&o);
    assert!(text.starts_with("18 documents (9 spun, 9 original)"), "{text}");
    for word in ["pr_auc", "log_loss", "brier", "recall at false-positive rate", "threshold sweep", "slices"] {
        assert!(text.contains(word), "{word} in {text}");
    }
}

#[test]
fn target_precision_and_recall_choose_the_threshold_and_save_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = data(dir.path());
    let d = data.to_str().unwrap();
    let saved = dir.path().join("m.json");
    let m = json(&eval(&["--data", d, "--format", "json", "--target-recall", "1", "--save-model", saved.to_str().unwrap()]));
    assert!(close(&m["recall"], 1.0), "{m}");
    let t = m["threshold"].as_f64().unwrap();
    assert_eq!(Detector::load(&saved).unwrap().threshold(), t, "the copy carries the chosen threshold");
    // the chosen threshold is the highest with full recall: the lowest spun score
    let all = json(&eval(&["--data", d, "--format", "json", "--report", dir.path().join("r").to_str().unwrap()]));
    assert!(all["n"] == 18);
    let scores = std::fs::read_to_string(dir.path().join("r/scores.csv")).unwrap();
    let lowest_spun = scores
        .lines()
        .skip(1)
        .filter(|l| l.contains(",spun,"))
        .map(|l| l.rsplit(',').nth(1).unwrap().parse::<f64>().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(t, lowest_spun);

    let m = json(&eval(&["--data", d, "--format", "json", "--target-precision", "0.5"]));
    assert!(m["precision"].as_f64().unwrap() >= 0.5, "{m}");
    // a saved model evaluates at its stored threshold
    let again = json(&eval(&["--data", d, "--format", "json", "--model", saved.to_str().unwrap()]));
    assert_eq!(again["threshold"].as_f64(), Some(t));
}

#[test]
fn one_class_data_gives_nulls_not_nan_and_bad_options_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("originals.csv");
    let mut csv = String::from("text,label\n");
    for t in &ORIGINALS[..4] {
        csv.push_str(&format!("\"{t}\",original\n"));
    }
    std::fs::write(&path, csv).unwrap();
    let p = path.to_str().unwrap();
    let o = eval(&["--data", p, "--format", "json"]);
    assert!(!stdout(&o).contains("NaN"));
    let m = json(&o);
    for key in ["roc_auc", "pr_auc", "recall"] {
        assert!(m[key].is_null(), "{key} is undefined with one class: {m}");
    }
    assert!(m["recall_at_fpr"]["0.01"].is_null());
    assert!(m["log_loss"].is_number() && m["brier"].is_number() && m["accuracy"].is_number());
    let o = eval(&["--data", p]);
    assert!(stdout(&o).contains("roc_auc    n/a (one class)"), "{}", stdout(&o));

    let fails = |args: &[&str], says: &str| {
        let o = eval(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    };
    fails(&["--data", p, "--group-by", "source"], "cannot group by `source`: no record has that field");
    fails(&["--data", p, "--save-model", "x.json"], "give --threshold, --target-precision or --target-recall");
    fails(&["--data", p, "--target-recall", "0.9"], "no threshold reaches recall 0.9");
    fails(&["--data", p, "--target-precision", "0"], "--target-precision must be above 0 and at most 1");
}
