//! Reading documents: labeled data for `train`/`eval` (CSV, JSON Lines, `spun/` + `original/`
//! folders, any of them gzip'd) and plain documents for `score`. Records stream one at a time;
//! errors name the file and the line.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// One document read from a data file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The record's `id` field, or `file:line` / the file path when there is none.
    pub id: String,
    pub text: String,
    /// `Some(true)` for spun, `Some(false)` for original, `None` when the data has no label.
    pub label: Option<bool>,
    /// Other scalar fields of the record (CSV columns, JSON fields), for grouping.
    pub extra: BTreeMap<String, String>,
    /// 1-based line (JSONL, CSV) or 0 for whole files.
    pub line: u64,
    /// Where a spinner swapped words (gold data for explanations; a JSON `swaps` array of
    /// `{"start","end","original"}` as `unspun corpus` writes), empty when not given.
    pub swaps: Vec<crate::spin::Swap>,
}

/// The layout of a data path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Csv,
    JsonLines,
    /// A folder with `spun/` and `original/` subfolders of `.txt` files.
    Folder,
}

impl Layout {
    /// Guesses the layout from the path: a directory is a folder; `.csv`, `.jsonl`/`.json`/`.ndjson`
    /// (optionally followed by `.gz`) by extension.
    pub fn of(path: &Path) -> Result<Layout> {
        if path.is_dir() {
            return Ok(Layout::Folder);
        }
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".csv") || name.ends_with(".tsv") {
            Ok(Layout::Csv)
        } else if name.ends_with(".jsonl") || name.ends_with(".json") || name.ends_with(".ndjson") {
            Ok(Layout::JsonLines)
        } else if !path.exists() {
            Err(Error::io(path, std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory")))
        } else {
            Err(Error::Invalid(format!(
                "{}: unknown data format: expected a .csv, .jsonl (optionally .gz) file or a folder with spun/ and original/ subfolders",
                path.display()
            )))
        }
    }
}

/// Which part of the data a source document belongs to. Decided by a hash of the document id, so
/// every tool agrees without a shared list: 70% feeds the reference counts, the rest are originals
/// for training (15%), validation (5%) and testing (10%). Keeping them apart stops the n-gram
/// features from leaking (a reference that has seen a test original knows all its phrases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    Reference,
    Train,
    Valid,
    Test,
}

impl Split {
    /// The split of a source document id.
    pub fn of(id: &str) -> Split {
        match crate::reference::hash_word(id) % 100 {
            0..=69 => Split::Reference,
            70..=84 => Split::Train,
            85..=89 => Split::Valid,
            _ => Split::Test,
        }
    }

    /// Lowercase name (`reference`, `train`, `valid`, `test`).
    pub fn name(self) -> &'static str {
        match self {
            Split::Reference => "reference",
            Split::Train => "train",
            Split::Valid => "valid",
            Split::Test => "test",
        }
    }
}

/// Parses a label: `spun`/`original`, `1`/`0`, `true`/`false` (any case).
pub fn parse_label(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "spun" | "1" | "true" | "1.0" => Some(true),
        "original" | "0" | "false" | "0.0" => Some(false),
        _ => None,
    }
}

/// Opens a file for reading, decompressing gzip when the content starts with the gzip magic bytes.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = BufReader::with_capacity(1 << 16, file);
    let head = buf.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(buf))))
    } else {
        Ok(Box::new(buf))
    }
}

/// Streams the records of a data path. With `require_label`, a record without a usable label is
/// an error naming the file and line.
pub fn read(path: &Path, require_label: bool) -> Result<Box<dyn Iterator<Item = Result<Record>> + Send>> {
    match Layout::of(path)? {
        Layout::Csv => read_csv(path, require_label),
        Layout::JsonLines => Ok(Box::new(read_jsonl(open(path)?, path.to_path_buf(), require_label))),
        Layout::Folder => read_folder(path),
    }
}

/// Reads all labeled records of several paths, stopping at the first error.
pub fn read_labeled(paths: &[PathBuf]) -> Result<Vec<Record>> {
    let out = records(paths, true).collect::<Result<Vec<Record>>>()?;
    if out.is_empty() {
        return Err(no_documents(paths));
    }
    Ok(out)
}

/// The records of several paths, one after the other, read as they are consumed (a path that
/// cannot be opened is an error item in its place).
pub fn records(paths: &[PathBuf], require_label: bool) -> impl Iterator<Item = Result<Record>> + Send + '_ {
    paths.iter().flat_map(move |p| match read(p, require_label) {
        Ok(records) => records,
        Err(e) => Box::new(std::iter::once(Err(e))),
    })
}

/// Checks every record of several paths without keeping them: their number, or the first error.
pub fn count_records(paths: &[PathBuf], require_label: bool) -> Result<usize> {
    let mut n = 0;
    for r in records(paths, require_label) {
        r?;
        n += 1;
    }
    Ok(n)
}

/// [`count_records`] of labeled data, which must hold at least one record.
pub fn count_labeled(paths: &[PathBuf]) -> Result<usize> {
    match count_records(paths, true)? {
        0 => Err(no_documents(paths)),
        n => Ok(n),
    }
}

fn no_documents(paths: &[PathBuf]) -> Error {
    Error::Invalid(format!("no documents found in {}", paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")))
}

fn read_csv(path: &Path, require_label: bool) -> Result<Box<dyn Iterator<Item = Result<Record>> + Send>> {
    let name = path.to_string_lossy().to_lowercase();
    let delimiter = if name.trim_end_matches(".gz").ends_with(".tsv") { b'\t' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).from_reader(open(path)?);
    let headers = reader.headers().map_err(|e| Error::record(path, 1, format!("cannot read the CSV header: {}", csv_problem(&e))))?.clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(Error::Invalid(format!(
            "{}: the file is empty: expected a CSV header with `text` and `label` columns, then one row per document",
            path.display()
        )));
    }
    let find = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let found = || headers.iter().collect::<Vec<_>>().join(", ");
    let text_col =
        find("text").ok_or_else(|| Error::record(path, 1, format!("the CSV header has no `text` column (found: {})", found())))?;
    let label_col = find("label");
    if require_label && label_col.is_none() {
        return Err(Error::record(path, 1, format!("the CSV header has no `label` column (found: {})", found())));
    }
    let id_col = find("id");
    let path = path.to_path_buf();
    Ok(Box::new(reader.into_records().map(move |row| {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::record(&path, line, format!("malformed CSV row: {}", csv_problem(&e)))
        })?;
        let line = row.position().map_or(0, |p| p.line());
        let label = match label_col.map(|c| &row[c]) {
            Some(v) => match parse_label(v) {
                Some(l) => Some(l),
                None if require_label || !v.trim().is_empty() => {
                    return Err(Error::record(&path, line, format!("unknown label {v:?}: use spun/original, 1/0 or true/false")))
                }
                None => None,
            },
            None => None,
        };
        let extra = headers
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != text_col && Some(i) != label_col && Some(i) != id_col)
            .map(|(i, h)| (h.to_string(), row[i].to_string()))
            .collect();
        Ok(Record {
            id: id_col.map(|c| row[c].to_string()).unwrap_or_else(|| format!("{}:{line}", path.display())),
            text: row[text_col].to_string(),
            label,
            extra,
            line,
            swaps: Vec::new(),
        })
    })))
}

/// What is wrong in a CSV error, without the position (errors name the line already).
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} field(s) where the header has {expected_len} (a quote left open, or a comma in an unquoted field?)")
        }
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("invalid UTF-8 in field {} (save the file as UTF-8)", err.field() + 1)
        }
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

/// Streams JSON Lines records (`{"text": ..., "label": ..., "id": ...}`); blank lines and a
/// UTF-8 byte-order mark are skipped.
pub fn read_jsonl(
    reader: impl BufRead + Send + 'static,
    path: PathBuf,
    require_label: bool,
) -> impl Iterator<Item = Result<Record>> + Send {
    reader.split(b'\n').enumerate().filter_map(move |(i, line)| {
        let lineno = i as u64 + 1;
        let line = match line.map(String::from_utf8) {
            Ok(Ok(l)) => l,
            Ok(Err(e)) => {
                let at = e.utf8_error().valid_up_to();
                return Some(Err(Error::record(&path, lineno, format!("invalid UTF-8 at byte {at} of the line (save the file as UTF-8)"))));
            }
            Err(e) => return Some(Err(Error::record(&path, lineno, format!("cannot read: {e}")))),
        };
        let line = if lineno == 1 { line.trim_start_matches(BOM) } else { &line };
        if line.trim().is_empty() {
            return None;
        }
        Some(parse_json_record(line, &path, lineno, require_label))
    })
}

/// The byte-order mark some editors put at the start of UTF-8 files.
pub const BOM: char = '\u{feff}';

/// Replaces the `\uXXXX` escapes of lone UTF-16 surrogates (which JSON writers such as Python's
/// emit for broken text, and which cannot be decoded) with `\ufffd`; `None` when there are none.
pub fn repair_lone_surrogates(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let hex_at = |i: usize| -> Option<u32> {
        let digits = b.get(i + 2..i + 6)?;
        if b[i] != b'\\' || b[i + 1] != b'u' || !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let mut out = String::with_capacity(line.len());
    let mut repaired = false;
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match hex_at(i) {
            Some(0xd800..=0xdbff) if hex_at(i + 6).is_some_and(|low| (0xdc00..=0xdfff).contains(&low)) => i += 12,
            Some(0xd800..=0xdfff) => {
                out.push_str(&line[copied..i]);
                out.push_str("\\ufffd");
                repaired = true;
                i += 6;
                copied = i;
            }
            Some(_) => i += 6,
            None => i += 2, // any other escape, e.g. `\\` (so that `\\ud800` is text, not an escape)
        }
    }
    out.push_str(&line[copied..]);
    repaired.then_some(out)
}

/// Parses one JSON object into a record.
pub fn parse_json_record(line: &str, path: &Path, lineno: u64, require_label: bool) -> Result<Record> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| Error::record(path, lineno, format!("invalid JSON: {e}")))?;
    let serde_json::Value::Object(mut obj) = value else {
        return Err(Error::record(path, lineno, "expected a JSON object with a \"text\" field"));
    };
    let text = match obj.remove("text") {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(Error::record(path, lineno, "\"text\" must be a string")),
        None => return Err(Error::record(path, lineno, "missing \"text\" field")),
    };
    let label = match obj.remove("label") {
        None | Some(serde_json::Value::Null) if !require_label => None,
        None | Some(serde_json::Value::Null) => return Err(Error::record(path, lineno, "missing \"label\" field (spun/original)")),
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(v) => {
            let s = match &v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(
                parse_label(&s)
                    .ok_or_else(|| Error::record(path, lineno, format!("unknown label {s:?}: use spun/original, 1/0 or true/false")))?,
            )
        }
    };
    let id = match obj.remove("id") {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Null) | None => format!("{}:{lineno}", path.display()),
        Some(v) => v.to_string(),
    };
    let swaps = match obj.remove("swaps") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value::<Vec<crate::spin::Swap>>(v)
            .map_err(|e| Error::record(path, lineno, format!("bad \"swaps\" (expected [{{\"start\", \"end\", \"original\"}}]): {e}")))?,
    };
    if let Some(bad) =
        swaps.iter().find(|w| w.start > w.end || w.end > text.len() || !text.is_char_boundary(w.start) || !text.is_char_boundary(w.end))
    {
        return Err(Error::record(path, lineno, format!("swap {}..{} is outside the text or splits a character", bad.start, bad.end)));
    }
    let extra = obj
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            serde_json::Value::Number(n) => Some((k, n.to_string())),
            serde_json::Value::Bool(b) => Some((k, b.to_string())),
            _ => None,
        })
        .collect();
    Ok(Record { id, text, label, extra, line: lineno, swaps })
}

fn read_folder(dir: &Path) -> Result<Box<dyn Iterator<Item = Result<Record>> + Send>> {
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for (sub, label) in [("original", false), ("spun", true)] {
        let d = dir.join(sub);
        if !d.is_dir() {
            continue;
        }
        files.extend(text_files_in(&d)?.into_iter().map(|p| (p, label)));
    }
    if !dir.join("spun").is_dir() && !dir.join("original").is_dir() {
        return Err(Error::Invalid(format!("{}: a data folder needs `spun/` and `original/` subfolders of .txt files", dir.display())));
    }
    Ok(Box::new(files.into_iter().map(|(p, label)| {
        let text = read_text_file(&p)?.0;
        let text = if crate::html::is_html_path(&p) { crate::html::strip(&text) } else { text };
        Ok(Record { id: p.display().to_string(), text, label: Some(label), extra: BTreeMap::new(), line: 0, swaps: Vec::new() })
    })))
}

/// The text files ([`is_text_file`]) directly inside `dir`, sorted by name.
pub fn text_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_text_file(p))
        .collect();
    found.sort();
    Ok(found)
}

/// True for the file names `score` reads from a folder and data folders hold: `.txt`, `.md`,
/// `.html`/`.htm`, optionally gzip'd.
pub fn is_text_file(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".txt", ".md", ".html", ".htm"].iter().any(|e| name.ends_with(e))
}

/// Reads a whole text file (gzip'd or not) with [`decode_text`]; the flag says that invalid UTF-8
/// was replaced.
pub fn read_text_file(path: &Path) -> Result<(String, bool)> {
    let mut bytes = Vec::new();
    open(path)?.read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    Ok(decode_text(bytes))
}

/// Decodes a whole document: UTF-16 when it starts with a UTF-16 byte-order mark (as Windows
/// editors save "Unicode" text), otherwise UTF-8 without its byte-order mark; invalid sequences are
/// replaced and the flag says so.
pub fn decode_text(bytes: Vec<u8>) -> (String, bool) {
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units = bytes.chunks(2).map(|c| if c.len() == 2 { unit([c[0], c[1]]) } else { 0xfffd });
        let mut lossy = bytes.len() % 2 == 1;
        let text = char::decode_utf16(units)
            .map(|c| {
                c.unwrap_or_else(|_| {
                    lossy = true;
                    '\u{fffd}'
                })
            })
            .collect();
        (text, lossy)
    };
    match bytes.as_slice() {
        [0xff, 0xfe, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xfe, 0xff, rest @ ..] => utf16(rest, u16::from_be_bytes),
        [0xef, 0xbb, 0xbf, ..] => decode_lossy(bytes[3..].to_vec()),
        _ => decode_lossy(bytes),
    }
}

/// Decodes bytes as UTF-8, replacing invalid sequences; the flag is true when any were replaced.
pub fn decode_lossy(bytes: Vec<u8>) -> (String, bool) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    #[test]
    fn csv_with_extra_columns_and_any_label_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "d.csv", "id,source,text,label\n1,a,\"Hello, world.\",SPUN\n2,b,Fine text.,0\n");
        let recs: Vec<Record> = read(&p, true).unwrap().collect::<Result<_>>().unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].text, "Hello, world.");
        assert_eq!(recs[0].label, Some(true));
        assert_eq!(recs[1].label, Some(false));
        assert_eq!(recs[1].extra["source"], "b");
        assert_eq!(recs[1].line, 3);
    }

    #[test]
    fn csv_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "d.csv", "text,label\nok,spun\nbad,maybe\n");
        let err = read(&p, true).unwrap().nth(1).unwrap().unwrap_err().to_string();
        assert!(err.ends_with("d.csv:3: unknown label \"maybe\": use spun/original, 1/0 or true/false"), "{err}");
        let p = write(dir.path(), "e.csv", "body,label\nx,1\n");
        let err = read(&p, true).err().unwrap().to_string();
        assert!(err.contains("e.csv:1: the CSV header has no `text` column (found: body, label)"), "{err}");
    }

    #[test]
    fn jsonl_gz_and_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.jsonl.gz");
        let mut gz = flate2::write::GzEncoder::new(File::create(&p).unwrap(), flate2::Compression::fast());
        gz.write_all(b"{\"id\": 7, \"text\": \"A b.\", \"label\": true}\n\n{\"text\": \"C d.\", \"label\": \"original\"}\nnot json\n")
            .unwrap();
        gz.finish().unwrap();
        let recs: Vec<Result<Record>> = read(&p, true).unwrap().collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].as_ref().unwrap().id, "7");
        assert_eq!(recs[1].as_ref().unwrap().label, Some(false));
        assert!(recs[2].as_ref().unwrap_err().to_string().contains("d.jsonl.gz:4: invalid JSON"));
    }

    #[test]
    fn folders_of_text_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("spun")).unwrap();
        std::fs::create_dir_all(dir.path().join("original")).unwrap();
        write(&dir.path().join("spun"), "a.txt", "Spun text.");
        write(&dir.path().join("original"), "b.txt", "Original text.");
        write(&dir.path().join("original"), "ignored.bin", "x");
        let recs: Vec<Record> = read(dir.path(), true).unwrap().collect::<Result<_>>().unwrap();
        assert_eq!(recs.iter().map(|r| r.label.unwrap()).collect::<Vec<_>>(), [false, true]);
    }

    #[test]
    fn splits_are_stable_and_roughly_sized() {
        assert_eq!(Split::of("enwiki-12"), Split::of("enwiki-12"));
        let n = 20_000;
        let reference = (0..n).filter(|i| Split::of(&format!("doc-{i}")) == Split::Reference).count();
        assert!((reference as f64 / n as f64 - 0.7).abs() < 0.02, "{reference}");
    }

    #[test]
    fn empty_csv_and_bom_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "e.csv", "");
        assert!(read(&p, true)
            .err()
            .unwrap()
            .to_string()
            .ends_with("e.csv: the file is empty: expected a CSV header with `text` and `label` columns, then one row per document"));
        let p = write(dir.path(), "b.jsonl", "\u{feff}{\"text\": \"A b.\", \"label\": 0}\n");
        let recs: Vec<Record> = read(&p, true).unwrap().collect::<Result<_>>().unwrap();
        assert_eq!(recs[0].text, "A b.");
    }

    #[test]
    fn lone_surrogate_escapes_are_repaired_and_pairs_kept() {
        assert_eq!(repair_lone_surrogates(r#"{"text": "a \ud800 b"}"#).as_deref(), Some(r#"{"text": "a \ufffd b"}"#));
        assert_eq!(repair_lone_surrogates(r#""\udc00\ud83d""#).as_deref(), Some(r#""\ufffd\ufffd""#));
        assert_eq!(repair_lone_surrogates(r#""\ud83d\ude00 \u00e9 \\ud800 é""#), None);
        assert_eq!(repair_lone_surrogates(r"\ud8"), None);
    }

    #[test]
    fn text_in_utf16_or_with_a_byte_order_mark() {
        let le: Vec<u8> = [0xff, 0xfe].into_iter().chain("Hé ✓".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode_text(le), ("Hé ✓".to_string(), false));
        let be: Vec<u8> = [0xfe, 0xff].into_iter().chain("Hé".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode_text(be), ("Hé".to_string(), false));
        assert_eq!(decode_text(vec![0xff, 0xfe, 0x00, 0xd8, 0x41]), ("\u{fffd}\u{fffd}".to_string(), true));
        assert_eq!(decode_text(b"\xef\xbb\xbfHi".to_vec()), ("Hi".to_string(), false));
        assert_eq!(decode_text(b"caf\xe9".to_vec()), ("caf\u{fffd}".to_string(), true));
    }

    #[test]
    fn labels() {
        for (v, l) in [("Spun", Some(true)), ("ORIGINAL", Some(false)), ("1", Some(true)), ("false", Some(false)), ("x", None)] {
            assert_eq!(parse_label(v), l, "{v}");
        }
    }
}
