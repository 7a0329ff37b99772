//! Every bad input gets a clear answer (issue 7): errors name the file and record and exit 2,
//! odd but readable input is scored with a note, streams lose no good line, outputs are written
//! whole or not at all. Complements `tests/cli.rs`, which covers the common cases.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Runs the binary and checks a one-line error: exit 2, `unspun: error: `, `expect` in it, no panic
/// and no Debug-formatted value.
fn fails(args: &[&str], stdin: Option<&str>, expect: &str) -> String {
    let o = run(args, stdin);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.starts_with("unspun: error: ") && err.contains(expect), "{args:?}: expected {expect:?} in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line: {err}");
    for debug in ["panicked", "Os {", "Error {", "kind:", "Custom {"] {
        assert!(!err.contains(debug), "{args:?}: {err}");
    }
    err
}

fn json_lines(o: &std::process::Output) -> Vec<Value> {
    stdout(o).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Files in `dir`, sorted (to check that nothing partial or temporary was left behind).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A labeled CSV of the test paragraphs, half of them spun.
fn labeled(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("labeled.csv");
    write_labeled_csv(&p, 0.5);
    p
}

// ---------------------------------------------------------------- 1. clear errors

#[test]
fn missing_paths_are_named() {
    let missing = "/no/such/place/x";
    let sample = "data/samples/original.txt";
    fails(&["score", "--jsonl", "/no/such/in.jsonl"], None, "/no/such/in.jsonl: No such file or directory");
    fails(&["eval", "--data", "/no/such/test.csv"], None, "/no/such/test.csv: No such file or directory");
    fails(&["train", "--data", "/no/such/train.jsonl", "--out", "/tmp/never.json"], None, "/no/such/train.jsonl");
    fails(&["eval", "--data", missing], None, &format!("{missing}: no such file or directory"));
    fails(&["score", "--model", "/no/such/model.json", sample], None, "/no/such/model.json: No such file or directory");
    fails(&["score", "--reference", "/no/such/ref.bin", sample], None, "/no/such/ref.bin: No such file or directory");
    fails(&["score", "--thesaurus", "/no/such/th.tsv", sample], None, "/no/such/th.tsv: No such file or directory");
}

#[test]
fn a_folder_where_a_file_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let d = s(dir.path());
    let sample = "data/samples/original.txt";
    fails(&["score", "--model", d, sample], None, &format!("{d}: Is a directory"));
    fails(&["score", "--reference", d, sample], None, &format!("{d}: Is a directory"));
    fails(&["score", "--jsonl", d], None, &format!("{d}: Is a directory"));
    fails(&["eval", "--data", d], None, "a data folder needs `spun/` and `original/` subfolders");
    // `score` reads the text files of a folder instead (tests/cli.rs checks the order); an empty
    // folder is said on stderr
    let o = run(&["score", d], None);
    assert!(o.status.success() && stdout(&o).is_empty());
    assert!(stderr(&o).contains("no .txt, .md or .html files in this folder"), "{}", stderr(&o));
    let help = stdout(&run(&["score", "--help"], None));
    assert!(help.contains("A folder argument scores the .txt, .md, .html and .htm files"), "{help}");
}

#[test]
fn labeled_data_errors_name_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("m.json");
    let write = |name: &str, content: &str| {
        let p = d.join(name);
        std::fs::write(&p, content).unwrap();
        p
    };
    let no_label = write("nl.csv", "id,text\n1,some text\n");
    fails(&["train", "--data", s(&no_label), "--out", s(&out)], None, "nl.csv:1: the CSV header has no `label` column (found: id, text)");
    let bad = write("bad.jsonl", "{\"text\": \"fine\", \"label\": \"spun\"}\n\n{\"text\": \"x\", \"label\": \"maybe\"}\n");
    fails(&["eval", "--data", s(&bad)], None, "bad.jsonl:3: unknown label \"maybe\": use spun/original, 1/0 or true/false");
    let unlabeled = write("u.jsonl", "{\"text\": \"no label here\"}\n");
    fails(&["eval", "--data", s(&unlabeled)], None, "u.jsonl:1: missing \"label\" field");
    let ragged = write("r.csv", "text,label\n\"an open quote,spun\n");
    fails(&["eval", "--data", s(&ragged)], None, "r.csv:2: malformed CSV row: 1 field(s) where the header has 2");
    let latin1 = write("l.jsonl", "");
    std::fs::write(&latin1, b"{\"text\": \"caf\xe9\", \"label\": 1}\n").unwrap();
    fails(&["eval", "--data", s(&latin1)], None, "l.jsonl:1: invalid UTF-8 at byte 13 of the line (save the file as UTF-8)");
    let few = write("few.csv", &format!("text,label\n\"{}\",spun\n\"{}\",original\n", ORIGINALS[0], ORIGINALS[1]));
    fails(&["train", "--data", s(&few), "--out", s(&out)], None, "too few examples to train: 1 spun and 1 original");
    let unknown = write("data.txt", "text");
    fails(&["eval", "--data", s(&unknown)], None, "data.txt: unknown data format: expected a .csv, .jsonl");
    assert!(!out.exists(), "no model written on error");
}

#[test]
fn empty_data_files_are_said_to_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, content, expect) in [
        ("e.csv", &b""[..], "e.csv: the file is empty: expected a CSV header with `text` and `label` columns"),
        ("h.csv", b"text,label\n", "no documents found in"),
        ("e.jsonl", b"", "no documents found in"),
        ("b.jsonl", b"\n\n  \n", "no documents found in"),
        ("e.jsonl.gz", b"", "no documents found in"),
    ] {
        let p = d.join(name);
        std::fs::write(&p, content).unwrap();
        let err = fails(&["eval", "--data", s(&p)], None, expect);
        assert!(err.contains(name), "{err}");
    }
}

/// Re-seals an edited model file: recomputes the CRC-32 over the compact JSON without the
/// checksum, as the model file format defines it (DESIGN.md).
fn reseal(pretty: &str) -> String {
    let mut compact = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in pretty.chars() {
        if in_string {
            compact.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            compact.push(c);
        } else if !c.is_whitespace() {
            compact.push(c);
        }
    }
    let at = compact.find(",\"checksum\":\"").expect("a checksum field");
    let unsealed = format!("{}}}", &compact[..at]);
    let old = &compact[at + 13..at + 21];
    pretty.replace(old, &format!("{:08x}", crc32fast::hash(unsealed.as_bytes())))
}

#[test]
fn damaged_future_and_old_model_files_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string("models/default.json").unwrap();
    assert_eq!(reseal(&good), good, "reseal reproduces the shipped checksum");
    let sample = "data/samples/original.txt";
    let model = |name: &str, content: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.to_str().unwrap().to_string()
    };
    let edited = model("edited.json", &good.replacen("\"threshold\": 0.", "\"threshold\": 0.1", 1));
    fails(&["score", "--model", &edited, sample], None, "edited.json: checksum mismatch: the model file was edited or corrupted; retrain");
    let future = model("future.json", &reseal(&good.replacen("\"version\": 1,", "\"version\": 7,", 1)));
    fails(&["score", "--model", &future, sample], None, "future.json: model file format 7 is newer than this build reads (1): upgrade");
    let old = model("old.json", &reseal(&good.replacen("\"version\": 1,", "\"version\": 0,", 1)));
    fails(
        &["score", "--model", &old, sample],
        None,
        "old.json: model file format 0 is older than this build reads (1): retrain with `unspun train`",
    );
    let first = good.split("\"features\": [").nth(1).unwrap().split('"').nth(1).unwrap().to_string();
    let renamed = model("renamed.json", &reseal(&good.replacen(&format!("\"{first}\""), "\"feature_of_the_future\"", 1)));
    let err = fails(&["score", "--model", &renamed, sample], None, "renamed.json: ");
    assert!(err.contains("feature_of_the_future") && err.contains("retrain with `unspun train`"), "{err}");
    let empty = model("empty.json", "");
    fails(&["score", "--model", &empty, sample], None, "empty.json: not a readable model file");
    let other = model("other.json", "{\"format\": \"something-else\", \"version\": 1}");
    fails(&["score", "--model", &other, sample], None, "other.json: not an unspun model");
}

#[test]
fn damaged_and_future_reference_and_thesaurus_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read("data/reference.bin").unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let truncated = write("truncated.bin", &good[..good.len() / 2]);
    fails(
        &["score", "--reference", &truncated, "data/samples/original.txt"],
        None,
        "truncated.bin: checksum mismatch: the reference file is truncated or corrupted",
    );
    let mut flipped = good.clone();
    flipped[good.len() / 3] ^= 0x40;
    let flipped = write("flipped.bin", &flipped);
    fails(&["score", "--reference", &flipped, "data/samples/original.txt"], None, "flipped.bin: checksum mismatch");
    let mut future = good.clone();
    future[8..12].copy_from_slice(&9u32.to_le_bytes());
    let future = write("future.bin", &future);
    fails(
        &["score", "--reference", &future, "data/samples/original.txt"],
        None,
        "future.bin: reference format 9 is newer than this build reads",
    );
    let text = write("text.bin", b"just some text");
    fails(&["score", "--reference", &text, "data/samples/original.txt"], None, "text.bin: not an unspun reference file");
    let thesaurus = write("t.tsv", b"head\tsyn|syn\n");
    fails(&["score", "--thesaurus", &thesaurus, "data/samples/original.txt"], None, "t.tsv: not an unspun thesaurus");
}

#[test]
fn unwritable_outputs_fail_early_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = labeled(d);
    let a_file = d.join("a-file");
    std::fs::write(&a_file, "x").unwrap();
    let before = listing(d);
    let under_file = a_file.join("m.json");
    fails(&["train", "--data", s(&data), "--out", s(&under_file)], None, "cannot write --out: ");
    fails(&["train", "--data", s(&data), "--out", "/no/such/dir/m.json"], None, "/no/such/dir does not exist");
    let folder = d.join("folder");
    std::fs::create_dir(&folder).unwrap();
    fails(&["train", "--data", s(&data), "--out", s(&folder)], None, "--out is a folder; give a file path");
    // The other writers go through the same atomic write: a temporary file in the target folder,
    // then a rename, which fails onto a folder; the temporary file is removed.
    fails(&["eval", "--data", s(&data), "--threshold", "0.4", "--save-model", s(&folder)], None, &format!("{}: ", s(&folder)));
    fails(&["spin", "--alignment", s(&folder), "-"], Some(ORIGINALS[0]), &format!("{}: ", s(&folder)));
    fails(&["eval", "--data", s(&data), "--report", s(&a_file)], None, &format!("{}: ", s(&a_file)));
    let counts = d.join("counts.tsv");
    std::fs::write(&counts, "the\t100\nforeign minister\t7\n").unwrap();
    fails(&["reference", "build", "--counts", s(&counts), "--out", s(&folder)], None, &format!("{}: ", s(&folder)));
    let mut expected = before;
    expected.extend(["counts.tsv".to_string(), "folder".to_string()]);
    expected.sort();
    assert_eq!(listing(d), expected, "no partial or temporary file left behind");
    assert!(listing(&folder).is_empty());
    assert_eq!(std::fs::read_to_string(&a_file).unwrap(), "x");
}

// ---------------------------------------------------------------- 2. sane results

#[test]
fn empty_and_short_documents_get_a_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let o = run(&["score", s(&empty)], None);
    assert!(o.status.success());
    let line = stdout(&o);
    assert!(line.starts_with("unknown  p_spun -") && line.contains("too short to judge: 0 words"), "{line}");
    let o = run(&["score", "--format", "jsonl", s(&empty), "-"], Some("Only five words are here."));
    let v = json_lines(&o);
    assert_eq!(v.len(), 2);
    for (doc, words) in v.iter().zip([0, 5]) {
        assert!(doc["p_spun"].is_null() && doc["spun"].is_null(), "{doc}");
        assert_eq!(doc["words"], words);
        assert!(doc["note"].as_str().unwrap().starts_with("too short to judge"), "{doc}");
    }
}

#[test]
fn invalid_utf8_is_replaced_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = ORIGINALS[0].as_bytes().to_vec();
    bytes.extend_from_slice(b" caf\xe9 \xff\xfe");
    let file = dir.path().join("latin1.txt");
    std::fs::write(&file, &bytes).unwrap();
    let o = run(&["score", "--format", "json", s(&file)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("latin1.txt: invalid UTF-8 replaced"), "{}", stderr(&o));
    assert!(serde_json::from_str::<Value>(&stdout(&o)).unwrap()[0]["p_spun"].is_number());
    // the same through standard input, and inside a JSON Lines record
    let mut child = std::process::Command::new(bin())
        .args(["score", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success() && stderr(&o).contains("<stdin>: invalid UTF-8 replaced"), "{}", stderr(&o));
    let mut line = b"{\"id\": \"x\", \"text\": \"".to_vec();
    line.extend_from_slice(&bytes);
    line.extend_from_slice(b"\"}\n");
    let jsonl = dir.path().join("in.jsonl");
    std::fs::write(&jsonl, &line).unwrap();
    let o = run(&["score", "--jsonl", s(&jsonl)], None);
    assert!(stderr(&o).contains("in.jsonl:1: invalid UTF-8 replaced"), "{}", stderr(&o));
    assert!(json_lines(&o)[0]["p_spun"].is_number());
    // a lone UTF-16 surrogate escape (Python's json.dumps of broken text) is replaced too
    let surrogate = format!("{{\"id\": \"s\", \"text\": \"{} \\ud800 end\"}}\n", ORIGINALS[1]);
    let o = run(&["score", "--jsonl"], Some(&surrogate));
    assert!(stderr(&o).contains("<stdin>:1: lone UTF-16 surrogate escapes replaced"), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["id"], "s");
}

#[test]
fn utf16_and_byte_order_marks_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(ORIGINALS[2].encode_utf16().flat_map(u16::to_le_bytes));
    let file = dir.path().join("notepad.txt");
    std::fs::write(&file, utf16).unwrap();
    let plain = run(&["score", "--format", "jsonl", "-"], Some(ORIGINALS[2]));
    let o = run(&["score", "--format", "jsonl", s(&file)], None);
    assert!(o.status.success() && stderr(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["p_spun"], json_lines(&plain)[0]["p_spun"]);
    let bom = format!("\u{feff}{}\n", serde_json::json!({"id": "first", "text": ORIGINALS[2]}));
    let o = run(&["score", "--jsonl"], Some(&bom));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["p_spun"], json_lines(&plain)[0]["p_spun"]);
}

#[test]
fn binary_input_is_flagged_not_scored() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("image.txt");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(&file, bytes).unwrap();
    let o = run(&["score", "--format", "json", s(&file)], None);
    assert!(o.status.success());
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v[0]["p_spun"].is_null() && v[0]["note"] == "binary data, not text", "{v}");
    let o = run(&["score", "--jsonl"], Some("{\"id\": \"nul\", \"text\": \"\\u0000\\u0001\\u0002 abc \\u0003\\u0004\\u0005\"}\n"));
    assert_eq!(json_lines(&o)[0]["note"], "binary data, not text");
}

#[test]
fn a_long_one_line_document_is_scored() {
    // 4 MB without a line break; the 30 MB figure is in the README (about 13 s, 634 MB peak)
    let sentence = "The city council said that the river was rising after three days of rain. ";
    let text = sentence.repeat(4_000_000 / sentence.len());
    let started = std::time::Instant::now();
    let o = run(&["score", "--format", "jsonl", "-"], Some(&text));
    assert!(o.status.success(), "{}", stderr(&o));
    let v = &json_lines(&o)[0];
    assert_eq!(v["words"].as_u64().unwrap() as usize, 14 * (4_000_000 / sentence.len()));
    assert!(v["p_spun"].is_number() && v.get("note").is_none(), "{v}");
    assert!(started.elapsed().as_secs() < 60, "linear time: {:?}", started.elapsed());
}

#[test]
fn documents_beyond_the_size_limit_are_judged_on_their_first_part() {
    use unspun::pipeline::{judged_part, MAX_JUDGED_BYTES};
    let short = "a few words";
    assert_eq!(judged_part(short), short);
    let exact = "é".repeat(MAX_JUDGED_BYTES / 2);
    assert_eq!(judged_part(&exact).len(), MAX_JUDGED_BYTES);
    let long = "abc é ".repeat(MAX_JUDGED_BYTES / 7 + 10);
    let part = judged_part(&long);
    assert!(part.len() <= MAX_JUDGED_BYTES && part.len() > MAX_JUDGED_BYTES - 8, "{}", part.len());
    assert!(!part.ends_with(' ') && long[part.len()..].starts_with(' '), "cut before a space");
    let no_space = "é".repeat(MAX_JUDGED_BYTES / 2 + 3);
    assert_eq!(judged_part(&no_space).len(), MAX_JUDGED_BYTES, "cut at a character boundary");
}

const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Talks</title><script>var s = '<p>not text</p>';</script>\
    <style>p { margin: 0 }</style></head><body><p>The <b>overseas</b> minister said on Monday that the \
    Related&nbsp;Press would publish the report &mdash; in full.</p><!-- hidden comment --></body></html>";

#[test]
fn html_is_stripped_when_asked_or_detected_and_offsets_refer_to_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.htm");
    std::fs::write(&file, PAGE).unwrap();
    let o = run(&["score", "--explain", "--format", "json", s(&file)], None);
    assert!(o.status.success());
    assert!(stderr(&o).contains("page.htm: an HTML file: markup stripped before scoring"), "{}", stderr(&o));
    let doc = serde_json::from_str::<Value>(&stdout(&o)).unwrap()[0].clone();
    let stripped = unspun::html::strip(PAGE);
    assert_eq!(stripped, "Talks\n\nThe overseas minister said on Monday that the Related Press would publish the report — in full.");
    assert_eq!(doc["words"], 17);
    let spans = doc["spans"].as_array().unwrap();
    assert!(spans.iter().any(|sp| sp["suggestion"] == "foreign"), "{doc}");
    for sp in spans {
        let (start, end) = (sp["start"].as_u64().unwrap() as usize, sp["end"].as_u64().unwrap() as usize);
        assert_eq!(&stripped[start..end], sp["text"].as_str().unwrap(), "offsets into the stripped text");
    }
    // detected by its start in standard input and in JSON Lines; --html strips a fragment that is
    // not detected; the stripped text scores like the plain text
    let o = run(&["score", "--format", "jsonl", "-"], Some(PAGE));
    assert!(stderr(&o).contains("<stdin>: looks like HTML: markup stripped"), "{}", stderr(&o));
    let plain = json_lines(&run(&["score", "--format", "jsonl", "-"], Some(&stripped)))[0]["p_spun"].clone();
    assert_eq!(json_lines(&o)[0]["p_spun"], plain);
    let records = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "page", "text": PAGE}),
        serde_json::json!({"id": "fragment", "text": format!("The <i>overseas</i> minister said {}", ORIGINALS[5])})
    );
    let o = run(&["score", "--jsonl"], Some(&records));
    assert!(stderr(&o).contains("<stdin>:1: the text looks like HTML"), "{}", stderr(&o));
    let auto = json_lines(&o);
    assert_eq!(auto[0]["p_spun"], plain);
    let o = run(&["score", "--jsonl", "--html"], Some(&records));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let forced = json_lines(&o);
    assert_eq!(forced[0], auto[0]);
    assert!(forced[1]["words"].as_u64() < auto[1]["words"].as_u64(), "tags are not words with --html: {} {}", forced[1], auto[1]);
    let help = stdout(&run(&["score", "--help"], None));
    assert!(help.contains("--html") && help.contains("stripped text"), "{help}");
}

// ---------------------------------------------------------------- 3. streams lose nothing

#[test]
fn a_long_stream_keeps_every_good_line_in_order_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    let mut expected = Vec::new();
    for i in 0..1300 {
        match i % 97 {
            13 => input.push_str("{\"id\": \"broken\", \"text\": \n"),
            50 => input.push('\n'),
            _ => {
                let text = if i % 5 == 0 { "short".to_string() } else { ORIGINALS[i % ORIGINALS.len()].to_string() };
                input.push_str(&serde_json::json!({"id": format!("r{i}"), "text": text}).to_string());
                input.push('\n');
                expected.push(format!("r{i}"));
            }
        }
    }
    let path = dir.path().join("in.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, input.as_bytes()).unwrap();
    gz.finish().unwrap();
    let o = run(&["score", "--jsonl", "--threads", "2", s(&path)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let ids: Vec<String> = json_lines(&o).iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, expected);
    assert_eq!(stderr(&o).matches("invalid JSON").count(), 14, "{}", stderr(&o));
    assert!(stderr(&o).contains("in.jsonl.gz:14: invalid JSON"), "{}", stderr(&o));
}

#[test]
fn strict_mode_writes_the_lines_before_the_bad_one() {
    let input = format!(
        "{}\n{}\n{{oops\n{}\n",
        serde_json::json!({"id": "a", "text": ORIGINALS[0]}),
        serde_json::json!({"id": "b", "text": ORIGINALS[1]}),
        serde_json::json!({"id": "c", "text": ORIGINALS[2]}),
    );
    let o = run(&["score", "--jsonl", "--strict"], Some(&input));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("unspun: error: <stdin>:3: invalid JSON"), "{}", stderr(&o));
    let ids: Vec<Value> = json_lines(&o).iter().map(|v| v["id"].clone()).collect();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn warnings_to_a_closed_stderr_do_not_stop_the_stream() {
    use std::io::{Read, Write};
    let input = format!("not json\n{}\n", serde_json::json!({"id": "a", "text": ORIGINALS[0]}));
    let mut child = std::process::Command::new(bin())
        .args(["score", "--jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take()); // `unspun ... 2>&1 | head` once head has gone
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(out.starts_with("{\"id\":\"a\""), "{out}");
}
