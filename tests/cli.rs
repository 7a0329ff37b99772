//! Drives the built `unspun` binary in temporary folders.

mod common;

use common::*;
use serde_json::Value;

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

#[test]
fn scores_the_shipped_samples_with_the_embedded_model() {
    let o = run(&["score", "--format", "json", "data/samples/original.txt", "data/samples/spun.txt"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let (orig, spun) = (&v[0], &v[1]);
    assert_eq!(orig["id"], "data/samples/original.txt");
    assert!(orig["p_spun"].as_f64().unwrap() < 0.5, "{orig}");
    assert!(spun["p_spun"].as_f64().unwrap() > 0.5, "{spun}");
    assert_eq!(spun["spun"], true);
    assert!(spun["words"].as_u64().unwrap() > 100);
    assert_eq!(spun["spans"].as_array().unwrap().len(), 0, "spans only with --explain");
}

#[test]
fn explain_points_at_the_swapped_words_and_suggests_the_originals() {
    let text = "The overseas minister said on Monday that the Related Press would publish the report.";
    // By oddity alone (no swap model): exactly the two swaps.
    let o = run(&["score", "--explain", "--format", "json", "--swap-model", "none", "-"], Some(text));
    assert!(o.status.success(), "{}", stderr(&o));
    let spans = json(&o)[0]["spans"].as_array().unwrap().clone();
    let got: Vec<(String, String)> =
        spans.iter().map(|s| (s["text"].as_str().unwrap().into(), s["suggestion"].as_str().unwrap().into())).collect();
    assert_eq!(got, [("overseas".to_string(), "foreign".to_string()), ("Related".into(), "Associated".into())]);
    assert!(spans.iter().all(|s| s.get("p_swap").is_none()));
    // The embedded swap model finds both with their originals, each with its swap probability.
    let o = run(&["score", "--explain", "--format", "json", "-"], Some(text));
    let with_model = json(&o)[0]["spans"].as_array().unwrap().clone();
    for (word, original) in [("overseas", "foreign"), ("Related", "Associated")] {
        let s = with_model.iter().find(|s| s["text"] == word).unwrap_or_else(|| panic!("{word} not reported: {with_model:?}"));
        assert_eq!(s["suggestion"], original);
        assert!(s["p_swap"].as_f64().unwrap() > 0.5, "{s}");
    }
    let first = &spans[0];
    assert_eq!(&text[first["start"].as_u64().unwrap() as usize..first["end"].as_u64().unwrap() as usize], "overseas");
    // text output marks the spans in the document
    let o = run(&["score", "--explain", "-"], Some(text));
    let shown = stdout(&o);
    assert!(shown.contains("[overseas → foreign]") && shown.contains("[Related → Associated]"), "{shown}");
}

#[test]
fn train_score_eval_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("train.csv");
    let rows = write_labeled_csv(&data, 0.5);
    let model = dir.path().join("model.json");
    let o = run(&["train", "--data", data.to_str().unwrap(), "--out", model.to_str().unwrap(), "--threads", "2"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("trained on 16 documents (8 spun, 8 original)"), "{}", stderr(&o));
    // With a target precision on validation data, the model notes how far resampling moves the threshold.
    let tuned = dir.path().join("tuned.json");
    let (d, t) = (data.to_str().unwrap(), tuned.to_str().unwrap());
    let o = run(&["train", "--data", d, "--valid", d, "--target-precision", "0.75", "--out", t], None);
    assert!(o.status.success() && stderr(&o).contains("resamples of the validation data"), "{}", stderr(&o));
    let notes = &serde_json::from_str::<Value>(&std::fs::read_to_string(&tuned).unwrap()).unwrap()["training"]["notes"];
    let spread = &notes["threshold_spread"];
    assert_eq!(spread["draws"], 200, "{notes}");
    let at = |k: &str| spread[k].as_f64().unwrap_or_else(|| panic!("{k} in {spread}"));
    assert!(spread["reached"].as_u64().unwrap() > 0 && at("p5") <= at("median") && at("median") <= at("p95"), "{spread}");

    // Score every document through --jsonl with the new model...
    let input: String =
        rows.iter().enumerate().map(|(i, (t, _))| serde_json::json!({"id": format!("doc{i}"), "text": t}).to_string() + "\n").collect();
    let o = run(&["score", "--jsonl", "--model", model.to_str().unwrap()], Some(&input));
    assert!(o.status.success(), "{}", stderr(&o));
    let scores: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(scores.len(), rows.len());
    for (i, s) in scores.iter().enumerate() {
        assert_eq!(s["id"], format!("doc{i}"), "same order as the input");
    }
    // ...and count the confusion matrix by hand from those scores.
    let (mut tp, mut fp, mut tn, mut fn_) = (0, 0, 0, 0);
    for (s, (_, spun)) in scores.iter().zip(&rows) {
        match (s["spun"].as_bool().unwrap(), *spun) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, false) => tn += 1,
            (false, true) => fn_ += 1,
        }
    }
    let o = run(&["eval", "--data", data.to_str().unwrap(), "--model", model.to_str().unwrap(), "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = json(&o);
    assert_eq!(m["n"], 16);
    assert_eq!(m["confusion"], serde_json::json!({"tp": tp, "fp": fp, "tn": tn, "fn": fn_}));
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    assert!((m["precision"].as_f64().unwrap() - precision).abs() < 1e-12);
    assert!((m["recall"].as_f64().unwrap() - recall).abs() < 1e-12);
    assert!((m["f1"].as_f64().unwrap() - 2.0 * precision * recall / (precision + recall)).abs() < 1e-12);
    assert!(recall >= 0.75 && precision >= 0.75, "a model trained on these documents separates them: {m}");
    for key in ["accuracy", "roc_auc", "threshold"] {
        assert!(m[key].is_number(), "{key} in {m}");
    }
    // Text output is for people: verdict first, aligned.
    let o = run(&["eval", "--data", data.to_str().unwrap(), "--model", model.to_str().unwrap()], None);
    assert!(stdout(&o).starts_with("16 documents (8 spun, 8 original)"), "{}", stdout(&o));
}

#[test]
fn thread_count_does_not_change_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, t) in ORIGINALS.iter().enumerate() {
        let p = dir.path().join(format!("{i:02}.txt"));
        std::fs::write(&p, t).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    let mut one = vec!["score", "--explain", "--format", "jsonl", "--threads", "1"];
    one.extend(paths.iter().map(String::as_str));
    let mut two = one.clone();
    two[5] = "2";
    let (a, b) = (run(&one, None), run(&two, None));
    assert!(a.status.success());
    assert_eq!(stdout(&a), stdout(&b));
    assert_eq!(stdout(&a).lines().count(), ORIGINALS.len());
    // a folder scores the text files in it, sorted by name
    let o = run(&["score", "--format", "jsonl", dir.path().to_str().unwrap()], None);
    let ids: Vec<String> =
        stdout(&o).lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, paths);
}

#[test]
fn jsonl_stream_skips_malformed_lines_and_keeps_order() {
    let input = format!(
        "{}\nnot json at all\n{}\n{{\"id\": \"no-text\"}}\n{}\n",
        serde_json::json!({"id": "a", "text": ORIGINALS[0]}),
        serde_json::json!({"id": "b", "text": ORIGINALS[1]}),
        serde_json::json!({"id": "c", "text": "too short"}),
    );
    let o = run(&["score", "--jsonl"], Some(&input));
    assert!(o.status.success(), "{}", stderr(&o));
    let out: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(out.iter().map(|v| v["id"].as_str().unwrap()).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert!(out[2]["p_spun"].is_null() && out[2]["note"].as_str().unwrap().contains("too short"));
    let err = stderr(&o);
    assert!(err.contains("<stdin>:2: invalid JSON"), "{err}");
    assert!(err.contains("<stdin>:4: missing \"text\" field"), "{err}");
    // --strict stops at the first bad line with exit 2
    let o = run(&["score", "--jsonl", "--strict"], Some(&input));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<stdin>:2: invalid JSON"));
}

#[test]
fn errors_name_the_file_and_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let check = |args: &[&str], expect: &str| {
        let o = run(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.starts_with("unspun: error: ") && err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    check(&["score", "/no/such/file.txt"], "/no/such/file.txt: No such file or directory");
    let bad_header = d.join("h.csv");
    std::fs::write(&bad_header, "body,label\nsome text,spun\n").unwrap();
    check(&["eval", "--data", bad_header.to_str().unwrap()], "h.csv:1: the CSV header has no `text` column (found: body, label)");
    let bad_label = d.join("l.csv");
    std::fs::write(&bad_label, "text,label\nfine text here,spun\nother text,perhaps\n").unwrap();
    check(
        &["train", "--data", bad_label.to_str().unwrap(), "--out", d.join("m.json").to_str().unwrap()],
        "l.csv:3: unknown label \"perhaps\"",
    );
    // Bad validation data stops training before any work, naming the record.
    let good = d.join("good.csv");
    write_labeled_csv(&good, 0.5);
    check(
        &["train", "--data", good.to_str().unwrap(), "--valid", bad_label.to_str().unwrap(), "--out", d.join("m.json").to_str().unwrap()],
        "l.csv:3: unknown label \"perhaps\"",
    );
    let one_class = d.join("one.csv");
    std::fs::write(&one_class, format!("text,label\n\"{}\",original\n\"{}\",original\n", ORIGINALS[0], ORIGINALS[1])).unwrap();
    check(
        &["train", "--data", one_class.to_str().unwrap(), "--out", d.join("m.json").to_str().unwrap()],
        "needs both classes, got 0 spun and 2 original",
    );
    assert!(!d.join("m.json").exists(), "no model written on error");
    let broken = d.join("broken.json");
    std::fs::write(&broken, "{\"format\": \"unspun-model\", \"version\": 1, \"feat").unwrap();
    check(&["score", "--model", broken.to_str().unwrap(), "data/samples/original.txt"], "broken.json: not a readable model file");
    check(&["score", "--threshold", "2", "data/samples/original.txt"], "threshold must be between 0 and 1");
}

#[test]
fn short_and_binary_input_get_a_note_not_a_verdict() {
    let o = run(&["score", "--format", "json", "-"], Some("Hello there."));
    let v = json(&o);
    assert!(v[0]["p_spun"].is_null() && v[0]["spun"].is_null());
    assert!(v[0]["note"].as_str().unwrap().contains("too short to judge: 2 words"));
    let o = run(&["score", "-"], Some("\u{1}\u{2}\u{3}\u{4}\u{5}abc\u{6}\u{7}"));
    assert!(o.status.success());
    assert!(stdout(&o).contains("binary data, not text"), "{}", stdout(&o));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let big: String = (0..400).map(|i| serde_json::json!({"id": i, "text": ORIGINALS[i % ORIGINALS.len()]}).to_string() + "\n").collect();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, big).unwrap();
    let mut child = std::process::Command::new(bin())
        .args(["score", "--jsonl", input.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then drop: the pipe closes
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn spin_is_reproducible_and_help_has_examples() {
    let a = spin(ORIGINALS[5], "careful", 0.5, 7);
    assert_eq!(a, spin(ORIGINALS[5], "careful", 0.5, 7));
    assert_ne!(a, ORIGINALS[5]);
    let o = run(&["score", "--help"], None);
    assert!(stdout(&o).contains("Examples:") && stdout(&o).contains("--jsonl"));
}

#[test]
fn restore_applies_confident_suggestions() {
    let text = "The overseas minister said on Monday that the Related Press would publish the report about struggle crimes.";
    // By oddity alone: exactly the three swaps undone.
    let o = run(&["restore", "--swap-model", "none", "-"], Some(text));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim_end(),
        "The foreign minister said on Monday that the Associated Press would publish the report about war crimes."
    );
    let o = run(&["restore", "--swap-model", "none", "--diff", "-"], Some(text));
    let diff = stdout(&o);
    assert!(diff.starts_with("-: 3 change(s)"), "{diff}");
    assert!(diff.contains("The [-overseas-]{+foreign+} minister said"), "{diff}");
    // With the swap model: the three swaps are undone, at most one other change (today "report"
    // becomes "information": a neighbour of two swaps in a short, heavily spun sentence).
    let o = run(&["restore", "--diff", "-"], Some(text));
    let diff = stdout(&o);
    for change in ["[-overseas-]{+foreign+}", "[-Related-]{+Associated+}", "[-struggle-]{+war+}"] {
        assert!(diff.contains(change), "{diff}");
    }
    let n: usize = diff.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(n <= 4, "{diff}");
    // an original text is mostly left alone: of its 147 words at most 2 change (today "invest in"
    // becomes "put in" and "reading programs" "time programs": frequent synonyms that the bigram
    // model prefers; a regression here means more false restores)
    let o = run(&["restore", "--diff", "data/samples/original.txt"], None);
    let changes: usize = stdout(&o).split(' ').nth(1).unwrap().parse().unwrap();
    assert!(changes <= 2, "{}", stdout(&o));
}

#[test]
fn restore_writes_json_and_streams_json_lines() {
    let text = "The overseas minister said on Monday that the Related Press would publish the report about struggle crimes.";
    let plain = stdout(&run(&["restore", "--swap-model", "none", "-"], Some(text)));
    // --format json: the restored text and its changes, offsets into the input
    let o = run(&["restore", "--swap-model", "none", "--format", "json", "-"], Some(text));
    assert!(o.status.success(), "{}", stderr(&o));
    let docs = json(&o);
    assert_eq!(docs.as_array().unwrap().len(), 1);
    let d = &docs[0];
    assert_eq!((d["id"].as_str(), d["text"].as_str()), (Some("-"), Some(plain.trim_end())));
    let changes = d["changes"].as_array().unwrap();
    assert_eq!(changes.iter().map(|c| c["to"].as_str().unwrap()).collect::<Vec<_>>(), ["foreign", "Associated", "war"]);
    for c in changes {
        let (start, end) = (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize);
        assert_eq!(&text[start..end], c["from"].as_str().unwrap(), "{c}");
    }
    // --jsonl: one line per good input line, in order, ids kept; a bad line is reported and skipped
    let input = format!(
        "{}\nnot json\n{}\n",
        serde_json::json!({"id": "a", "text": text}),
        serde_json::json!({"id": "b", "text": "The city council voted on Tuesday to build a new public library near the old train station."})
    );
    let o = run(&["restore", "--swap-model", "none", "--jsonl"], Some(&input));
    assert!(o.status.success() && stderr(&o).contains("<stdin>:2"), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!((&lines[0]["text"], &lines[0]["changes"]), (&d["text"], &d["changes"]), "the same as --format json");
    assert_eq!(
        (lines[1]["id"].as_str(), lines[1]["text"].as_str()),
        (Some("b"), Some("The city council voted on Tuesday to build a new public library near the old train station."))
    );
    // --strict stops at the bad line with its number, after writing the good one before it
    let o = run(&["restore", "--swap-model", "none", "--jsonl", "--strict"], Some(&input));
    assert!(!o.status.success() && stderr(&o).contains("<stdin>:2"), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
    // --diff is text only
    let o = run(&["restore", "--diff", "--format", "json", "-"], Some(text));
    assert!(!o.status.success() && stderr(&o).contains("--diff shows the changes as text"), "{}", stderr(&o));
}

#[test]
fn a_consistent_spin_rewrites_a_repeated_paragraph_the_same_way() {
    let text = format!("{}\n{}", ORIGINALS[0], ORIGINALS[0]);
    let halves = |extra: &[&str]| {
        let o = run(&[&["spin", "--profile", "careful", "--rate", "0.4", "--seed", "5"], extra, &["-"]].concat(), Some(&text));
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        let (a, b) = out.trim_end().split_once('\n').unwrap();
        assert_ne!(a, ORIGINALS[0], "something was swapped");
        (a.to_string(), b.to_string())
    };
    let (a, b) = halves(&["--consistent"]);
    assert_eq!(a, b);
    let (a, b) = halves(&[]);
    assert_ne!(a, b, "a per-occurrence spinner draws again for the second copy");
}

/// A gold swap: byte span of the spun text and the original wording.
type Swap = (usize, usize, String);

#[test]
fn span_evaluation_matches_a_count_from_the_alignment() {
    let dir = tempfile::tempdir().unwrap();
    let mut jsonl = String::new();
    let mut gold: Vec<(String, Vec<Swap>)> = Vec::new();
    for (i, original) in ORIGINALS.iter().enumerate().take(8) {
        let src = dir.path().join(format!("{i}.txt"));
        std::fs::write(&src, original).unwrap();
        let align = dir.path().join(format!("{i}.align"));
        let o = run(
            &[
                "spin",
                "--profile",
                "careful",
                "--rate",
                "0.4",
                "--seed",
                &i.to_string(),
                "--alignment",
                align.to_str().unwrap(),
                src.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let spun = stdout(&o).trim_end().to_string();
        let line: Value = serde_json::from_str(std::fs::read_to_string(&align).unwrap().trim()).unwrap();
        let swaps: Vec<Swap> = line["swaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (w["start"].as_u64().unwrap() as usize, w["end"].as_u64().unwrap() as usize, w["original"].as_str().unwrap().to_string())
            })
            .collect();
        for (s, e, orig) in &swaps {
            assert_ne!(&spun[*s..*e], orig, "alignment offsets point at the replacement");
        }
        jsonl += &(serde_json::json!({"id": i, "text": spun, "label": "spun", "swaps": line["swaps"]}).to_string() + "\n");
        gold.push((spun, swaps));
    }
    let data = dir.path().join("spun.jsonl");
    std::fs::write(&data, &jsonl).unwrap();
    let o = run(&["eval-spans", "--data", data.to_str().unwrap(), "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = json(&o);
    // Count by hand from `score --explain` spans and the alignment.
    let (mut swaps, mut found, mut right) = (0, 0, 0);
    for (text, ws) in &gold {
        let o = run(&["score", "--explain", "--format", "json", "-"], Some(text));
        let spans = json(&o)[0]["spans"].as_array().unwrap().clone();
        for (s, e, orig) in ws {
            swaps += 1;
            let hit = spans.iter().find(|sp| (sp["start"].as_u64().unwrap() as usize) < *e && *s < sp["end"].as_u64().unwrap() as usize);
            if let Some(sp) = hit {
                found += 1;
                if sp["suggestion"].as_str().is_some_and(|g| g.eq_ignore_ascii_case(orig)) {
                    right += 1;
                }
            }
        }
    }
    assert_eq!(r["swaps"], swaps);
    assert_eq!(r["swaps_found"], found);
    assert_eq!(r["suggestions_right"], right);
    assert!(found * 2 > swaps, "explanations find most swaps of a 40% careful spin: {found} of {swaps}");
    // A right suggestion is an original offered at its swap; a WordNet spinner's originals are
    // mostly among the thesaurus alternatives.
    let offered = r["originals_offered"].as_u64().unwrap();
    let suggested = r["originals_suggested"].as_u64().unwrap();
    assert!(
        offered >= suggested && suggested >= right && offered <= swaps,
        "{offered} offered, {suggested} suggested, {right} right, {swaps} swaps"
    );
    assert!(offered * 2 > swaps, "most originals of a careful spin are offered: {offered} of {swaps}");
    // A higher span threshold reports fewer spans and finds no more swaps.
    let o = run(&["eval-spans", "--data", data.to_str().unwrap(), "--format", "json", "--swap-threshold", "0.95"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let strict = json(&o);
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap();
    assert!(n(&strict, "spans") < n(&r, "spans") && n(&strict, "swaps_found") <= n(&r, "swaps_found"), "{strict} against {r}");
    // The sweep's rows (one pass over the records): fewer spans and found swaps as the threshold
    // rises, and at 0.95 the whole report of --swap-threshold 0.95 (which scores each record).
    let o = run(&["eval-spans", "--data", data.to_str().unwrap(), "--format", "json", "--sweep"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let swept = json(&o);
    assert_eq!(swept["swaps_found"], r["swaps_found"], "the report itself is unchanged");
    let rows = swept["sweep"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    for pair in rows.windows(2) {
        assert!(pair[0]["threshold"].as_f64() < pair[1]["threshold"].as_f64());
        assert!(n(&pair[1], "spans") <= n(&pair[0], "spans") && n(&pair[1], "swaps_found") <= n(&pair[0], "swaps_found"), "{pair:?}");
    }
    let last = &rows[9];
    assert_eq!(last["threshold"], 0.95);
    let mut row = last.clone();
    row.as_object_mut().unwrap().remove("threshold");
    assert_eq!(row, strict);
    assert!(n(&strict, "swaps_found") > 0, "{strict}");
    assert!(n(&rows[0], "spans") > n(last, "spans"));
}

#[test]
fn a_swap_threshold_reports_the_surer_spans_only() {
    let spans = |extra: &[&str]| {
        let mut args = vec!["score", "--explain", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("data/samples/spun.txt");
        let o = run(&args, None);
        assert!(o.status.success(), "{}", stderr(&o));
        json(&o)[0]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["start"].as_u64().unwrap(), s["p_swap"].as_f64().unwrap()))
            .collect::<Vec<_>>()
    };
    let (low, high) = (spans(&["--swap-threshold", "0.6"]), spans(&["--swap-threshold", "0.95"]));
    assert!(high.iter().all(|&(_, p)| p >= 0.95), "{high:?}");
    assert!(!high.is_empty() && high.len() < low.len(), "{} spans at 0.95, {} at 0.6", high.len(), low.len());
    assert!(high.iter().all(|h| low.contains(h)), "the surer spans are among the others");
    let fails = |args: &[&str], expect: &str| {
        let o = run(args, None);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    };
    let o = run(&["score", "--swap-threshold", "0.9", "data/samples/spun.txt"], None);
    assert!(o.status.success() && stderr(&o).contains("without --explain it changes nothing"), "{}", stderr(&o));
    fails(
        &["score", "--explain", "--swap-threshold", "1.5", "data/samples/spun.txt"],
        "--swap-threshold: swap threshold must be between 0 and 1",
    );
    fails(
        &["score", "--explain", "--swap-model", "none", "--swap-threshold", "0.9", "data/samples/spun.txt"],
        "--swap-threshold needs a swap model",
    );
}

#[test]
fn corpus_keeps_documents_apart_across_splits_and_roles() {
    use std::collections::{BTreeMap, BTreeSet};
    use unspun::corpus::Split;
    let dir = tempfile::tempdir().unwrap();
    // 300 source documents of 3 paragraphs each, written from the test paragraphs.
    let mut src = String::new();
    for d in 0..300 {
        let text: Vec<&str> = (0..3).map(|k| ORIGINALS[(d * 7 + k * 3) % ORIGINALS.len()]).collect();
        src += &(serde_json::json!({"id": format!("doc-{d}"), "text": text.join("\n")}).to_string() + "\n");
    }
    let source = dir.path().join("src.jsonl");
    std::fs::write(&source, src).unwrap();
    // Source documents per split and per role, checking every item on the way.
    let read_corpus = |out: &std::path::Path, all_documents: bool| {
        let mut docs_of_split: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut roles: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut items = 0;
        for split in ["train", "valid", "test"] {
            let f = std::fs::File::open(out.join(format!("{split}.jsonl.gz"))).unwrap();
            let text = std::io::read_to_string(flate2::read::GzDecoder::new(f)).unwrap();
            for line in text.lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                let doc = v["source_doc"].as_str().unwrap().to_string();
                assert_eq!(v["split"], split);
                if !all_documents {
                    assert_ne!(Split::of(&doc), Split::Reference, "{doc} feeds the reference counts");
                }
                docs_of_split.entry(split.into()).or_default().insert(doc.clone());
                roles.entry(v["label"].as_str().unwrap().into()).or_default().insert(doc);
                let words = v["words"].as_u64().unwrap();
                assert!((80..=400).contains(&words) || v["kind"] == "document", "{words} words");
                let t = v["text"].as_str().unwrap();
                for w in v["swaps"].as_array().into_iter().flatten() {
                    let (s, e) = (w["start"].as_u64().unwrap() as usize, w["end"].as_u64().unwrap() as usize);
                    assert!(e <= t.len() && s < e, "swap inside the text");
                }
                items += 1;
            }
        }
        assert!(items > 50, "{items} items");
        let splits: Vec<&BTreeSet<String>> = docs_of_split.values().collect();
        for (i, a) in splits.iter().enumerate() {
            for b in &splits[i + 1..] {
                assert!(a.is_disjoint(b), "a source document in two splits: {:?}", a.intersection(b).collect::<Vec<_>>());
            }
        }
        assert!(roles["spun"].is_disjoint(&roles["original"]), "a source document both spun and original");
        docs_of_split
    };
    let corpus = |all_documents: bool| {
        let out = dir.path().join(format!("corpus-{all_documents}"));
        let mut args = vec!["corpus", "--source", source.to_str().unwrap(), "--out", out.to_str().unwrap(), "--profiles", "careful,phrase"];
        if all_documents {
            args.push("--all-documents");
        }
        let o = run(&args, None);
        assert!(o.status.success(), "{}", stderr(&o));
        read_corpus(&out, all_documents)
    };
    let shared = corpus(false);
    // Your own originals: every document is used, the reference's share goes to train, and
    // validation and test hold the same documents as before.
    let own = corpus(true);
    assert_eq!(own["valid"], shared["valid"]);
    assert_eq!(own["test"], shared["test"]);
    assert!(own["train"].is_superset(&shared["train"]));
    assert!(own["train"].iter().any(|d| Split::of(d) == Split::Reference), "reference-share documents used");
}

#[test]
fn unwritable_outputs_fail_before_any_work() {
    let o = run(&["spin", "--alignment", "/no/such/dir/a.jsonl", "-"], Some(ORIGINALS[0]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "nothing spun before the error: {}", stdout(&o));
    assert!(stderr(&o).contains("/no/such/dir/a.jsonl: cannot write --alignment"), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    write_labeled_csv(&data, 0.5);
    let o = run(&["eval", "--data", data.to_str().unwrap(), "--threshold", "0.5", "--save-model", "/no/such/dir/m.json"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot write --save-model"), "{}", stderr(&o));
}

#[test]
fn features_writes_one_row_per_record_in_order_across_batches() {
    use unspun::pipeline::{Resources, STREAM_BATCH};
    let dir = tempfile::tempdir().unwrap();
    // More records than one batch of the stream; labels optional.
    let n = STREAM_BATCH * 4 + 50;
    let mut src = String::new();
    for i in 0..n {
        let mut r = serde_json::json!({"id": format!("r{i}"), "text": ORIGINALS[i % ORIGINALS.len()]});
        if i % 3 == 0 {
            r["label"] = if i % 2 == 0 { "spun" } else { "original" }.into();
        }
        src += &(r.to_string() + "\n");
    }
    let data = dir.path().join("d.jsonl");
    std::fs::write(&data, src).unwrap();
    let o = run(&["features", "--data", data.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut csv = csv::Reader::from_reader(o.stdout.as_slice());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..2], ["id", "label"]);
    assert_eq!(header[2..], unspun::FEATURES.iter().map(|f| f.name).collect::<Vec<_>>()[..]);
    let fx_resources = Resources::embedded().unwrap();
    let fx = fx_resources.extractor();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), n);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(&row[0], format!("r{i}"));
        let label = if i % 3 != 0 {
            ""
        } else if i % 2 == 0 {
            "spun"
        } else {
            "original"
        };
        assert_eq!(&row[1], label, "row {i}");
        if i % 500 == 0 || i == n - 1 {
            let want = fx.extract(ORIGINALS[i % ORIGINALS.len()]).features;
            let got: Vec<f64> = row.iter().skip(2).map(|v| v.parse().unwrap()).collect();
            assert_eq!(got, want, "row {i}");
        }
    }
    // A bad record stops it before any output, naming the record.
    std::fs::write(&data, format!("{}\n{{oops\n", serde_json::json!({"id": "a", "text": ORIGINALS[0]}))).unwrap();
    let o = run(&["features", "--data", data.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("d.jsonl:2"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "no rows before the error: {}", stdout(&o));
}

#[test]
fn reference_extends_with_your_own_corpus_and_language_models() {
    use unspun::reference::{hash_word, Reference};
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let words = |s: &str| s.split(' ').map(hash_word).collect::<Vec<u64>>();
    // A base reference from the test paragraphs, plus a tiny language model that knows "wiggle room".
    let mut base = String::new();
    for (i, t) in ORIGINALS.iter().enumerate() {
        base += &(serde_json::json!({"id": format!("b{i}"), "text": t}).to_string() + "\n");
    }
    std::fs::write(p("base.jsonl"), base).unwrap();
    let arpa = "\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-2.0\twiggle\t-0.3\n-2.0\troom\n-1.0\tthe\n\n\\2-grams:\n-0.3\twiggle room\n\n\\end\\\n";
    std::fs::write(p("lm.arpa"), arpa).unwrap();
    let o = run(
        &["reference", "build", "--corpus", &p("base.jsonl"), "--all-documents", "--arpa", &p("lm.arpa"), "--out", &p("base.ref")],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let base = Reference::load(dir.path().join("base.ref").as_path()).unwrap();
    assert!(base.count(&words("wiggle room")) >= 2.0, "the language model's bigram is attested");
    assert!(base.count(&words("the government")) >= 2.0 * 0.9);
    // Your own corpus: a collocation many documents share is learned; one invented by a single
    // (spun) document is not, however often that document repeats it.
    let mut mine = String::new();
    for d in 0..4 {
        let text = format!("Story {d}: the council approved the bike lanes on the main road after a long debate.");
        mine += &(serde_json::json!({"id": format!("m{d}"), "text": text}).to_string() + "\n");
    }
    let spun = "The overseas minister told reporters. The overseas minister left. The overseas minister came back.";
    mine += &(serde_json::json!({"id": "spun", "text": spun}).to_string() + "\n");
    std::fs::write(p("mine.jsonl"), mine).unwrap();
    let o = run(
        &["reference", "build", "--base", &p("base.ref"), "--corpus", &p("mine.jsonl"), "--all-documents", "--out", &p("mine.ref")],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let extended = Reference::load(dir.path().join("mine.ref").as_path()).unwrap();
    assert!(extended.count(&words("bike lanes")) >= 4.0 * 0.9);
    assert_eq!(base.count(&words("bike lanes")), 0.0);
    assert_eq!(extended.count(&words("overseas minister")), 0.0, "one document's collocation is not normal English");
    assert!(extended.count(&words("overseas")) > 0.0);
    assert_eq!(extended.count(&words("wiggle room")), base.count(&words("wiggle room")), "the base's counts are kept");
    assert!(extended.sources().iter().any(|s| s.contains("at least 2 documents")), "{:?}", extended.sources());
    // The extended reference is used by score, eval and train like the shipped one.
    let o = run(&["score", "--reference", &p("mine.ref"), "--format", "json", "-"], Some(ORIGINALS[0]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(json(&o)[0]["p_spun"].as_f64().is_some(), "{}", stdout(&o));
    // A bad language model names the file and line.
    std::fs::write(p("bad.arpa"), "\\data\\\n\\1-grams:\n-1.0\tthe\nnot-a-number\tfoo\n").unwrap();
    let o =
        run(&["reference", "build", "--corpus", &p("base.jsonl"), "--all-documents", "--arpa", &p("bad.arpa"), "--out", &p("x.ref")], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.arpa:4:"), "{}", stderr(&o));
}

#[test]
fn train_swaps_learns_from_gold_alignments_and_explanations_use_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let mut src = String::new();
    for d in 0..200 {
        let text: Vec<&str> = (0..3).map(|k| ORIGINALS[(d * 5 + k * 3) % ORIGINALS.len()]).collect();
        src += &(serde_json::json!({"id": format!("doc-{d}"), "text": text.join("\n")}).to_string() + "\n");
    }
    std::fs::write(p("src.jsonl"), src).unwrap();
    let o = run(&["corpus", "--source", &p("src.jsonl"), "--all-documents", "--profiles", "careful", "--out", &p("c")], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let (train, valid) = (p("c/train.jsonl.gz"), p("c/valid.jsonl.gz"));
    let o = run(&["train-swaps", "--data", &train, "--valid", &valid, "--out", &p("swaps.json")], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("false flags per 100 original words"), "{}", stderr(&o));
    let model: Value = serde_json::from_str(&std::fs::read_to_string(p("swaps.json")).unwrap()).unwrap();
    assert_eq!(model["format"], "unspun-swap-model");
    // oddity points at "swapped"
    assert!(model["weights"][0].as_f64().unwrap() > 0.0, "{model}");
    // the ranking of suggestions is stored with it (hand-set unless a learned one transfers)
    assert_eq!(model["ranker"]["features"].as_array().unwrap().len(), 7, "{model}");
    assert!(model["notes"]["ranking"]["learned_kept"].is_boolean(), "{model}");
    let valid_flags = model["notes"]["validation"]["false_flags_per_100_words"].as_f64().unwrap();
    assert!(valid_flags <= 1.0, "{valid_flags}");
    // eval-spans and score use it: every span carries a p_swap at or above its threshold
    let threshold = model["threshold"].as_f64().unwrap();
    let o = run(&["eval-spans", "--data", &valid, "--swap-model", &p("swaps.json"), "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = json(&o);
    assert!(r["swaps_found"].as_u64().unwrap() > 0, "{r}");
    let spun = "The overseas minister said on Monday that the Related Press would publish the report about struggle crimes.";
    let o = run(&["score", "--explain", "--format", "json", "--swap-model", &p("swaps.json"), "-"], Some(spun));
    for s in json(&o)[0]["spans"].as_array().unwrap() {
        assert!(s["p_swap"].as_f64().unwrap() >= threshold - 1e-4, "{s}");
    }
    // a damaged model file is refused with its name
    std::fs::write(p("bad.json"), std::fs::read_to_string(p("swaps.json")).unwrap().replacen("\"intercept\": ", "\"intercept\": 1", 1))
        .unwrap();
    let o = run(&["score", "--swap-model", &p("bad.json"), "-"], Some(spun));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.json"), "{}", stderr(&o));
}

#[test]
fn your_own_known_phrases_are_reported_with_their_originals() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("mine.tsv");
    std::fs::write(&list, "unspun-thesaurus\t1\tmine\tnone\nrelated press\tassociated press\n").unwrap();
    let text = "The Related Press said on Monday that the ministers would meet again next week to discuss the new trade rules in detail.";
    let spans = |extra: &[&str]| {
        let mut args = vec!["score", "--explain", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("-");
        let o = run(&args, Some(text));
        assert!(o.status.success(), "{}", stderr(&o));
        json(&o)[0]["spans"].as_array().unwrap().clone()
    };
    let with_list = spans(&["--known-phrases", list.to_str().unwrap()]);
    let s = with_list.iter().find(|s| s["text"] == "Related Press").unwrap_or_else(|| panic!("{with_list:?}"));
    assert_eq!(s["suggestion"], "Associated Press");
    assert!(spans(&[]).iter().all(|s| s["text"] != "Related Press"), "not a known phrase without the list");
    let o = run(&["score", "--known-phrases", "no-such-list.tsv", "-"], Some(text));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-list.tsv"), "{}", stderr(&o));
}

#[test]
fn completions_cover_every_subcommand_in_each_shell() {
    // The subcommands as the top-level help lists them.
    let help = stdout(&run(&["--help"], None));
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   ")) // wrapped descriptions
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.contains(&"score") && commands.contains(&"completions") && commands.len() >= 12, "{commands:?}");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(&["completions", shell], None);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for c in &commands {
            assert!(script.contains(c), "{shell} completion lacks {c}");
        }
        assert!(script.contains("max-body") && script.contains("target-precision"), "{shell}: flags of serve and eval");
    }
    // The bash script parses.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unspun.bash");
    std::fs::write(&path, stdout(&run(&["completions", "bash"], None))).unwrap();
    let bash = std::process::Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(bash.status.success(), "{}", String::from_utf8_lossy(&bash.stderr));
    let o = run(&["completions", "tcsh"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bash, zsh, fish, powershell"), "{}", stderr(&o));
}

#[test]
fn man_prints_a_page_and_writes_one_per_subcommand() {
    let o = run(&["man"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH unspun 1"), "a roff man page: {}", &page[..page.len().min(200)]);
    assert!(page.contains("SUBCOMMANDS") && page.contains("unspun\\-score(1)"), "lists the subcommands");
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["man", "--out", dir.path().to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let score = std::fs::read_to_string(dir.path().join("unspun-score.1")).unwrap();
    assert!(score.contains("\\-\\-explain"), "the score page documents its flags");
    assert!(dir.path().join("unspun-reference-build.1").is_file());
}
