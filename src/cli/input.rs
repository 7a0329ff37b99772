//! Reading the documents named on the command line: files, folders, standard input, labeled data.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use unspun::corpus::{self, Record};
use unspun::pipeline;

/// One document to score.
pub(super) struct Doc {
    pub(super) id: String,
    pub(super) text: String,
}

pub(super) fn read_documents(paths: &[PathBuf]) -> Result<Vec<Doc>> {
    let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from("-")] } else { paths.to_vec() };
    let mut docs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut bytes = Vec::new();
            io::stdin().read_to_end(&mut bytes).context("cannot read standard input")?;
            let (text, lossy) = corpus::decode_text(bytes);
            if lossy {
                warn!("unspun: warning: <stdin>: invalid UTF-8 replaced");
            }
            docs.push(Doc { id: "-".into(), text });
        } else if p.is_dir() {
            let files = corpus::text_files_in(&p)?;
            if files.is_empty() {
                warn!("unspun: warning: {}: no .txt, .md or .html files in this folder", p.display());
            }
            for f in files {
                docs.push(read_document(&f)?);
            }
        } else {
            docs.push(read_document(&p)?);
        }
    }
    Ok(docs)
}

fn read_document(p: &Path) -> Result<Doc> {
    let (text, lossy) = corpus::read_text_file(p)?;
    if lossy {
        warn!("unspun: warning: {}: invalid UTF-8 replaced", p.display());
    }
    Ok(Doc { id: p.display().to_string(), text })
}

pub(super) fn read_labeled(paths: &[PathBuf]) -> Result<Vec<Record>> {
    let recs = corpus::read_labeled(paths)?;
    Ok(recs)
}

/// Why a document gets its HTML markup stripped: `Some("")` with `--html`, `Some(reason)` when
/// detected, `None` when it is left alone.
pub(super) fn html_to_strip(always: bool, path: &Path, text: &str) -> Option<&'static str> {
    if always {
        Some("")
    } else if unspun::html::is_html_path(path) {
        Some("an HTML file")
    } else if unspun::html::looks_like_html(text) {
        Some("looks like HTML")
    } else {
        None
    }
}

/// What `--jsonl` input does with records whose text is HTML.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Markup {
    /// Leaves the text as it is (markup and all).
    Keep,
    /// Strips the markup of records that look like HTML (with a note on stderr, once).
    Detect,
    /// Strips the markup of every record (`--html`).
    StripAll,
}

/// What [`stream_jsonl`] calls with each batch of records and the output to write them to.
pub(super) type BatchHandler<'a> = dyn FnMut(&[Record], &mut dyn Write) -> Result<()> + 'a;

/// Text bytes of a `--jsonl` batch that make it full before [`pipeline::STREAM_BATCH`] records,
/// so that a stream of long documents stays within a flat memory budget too.
const STREAM_BATCH_BYTES: usize = 16 << 20;

/// Streams the JSON Lines records (`{"id", "text"}`) of `paths` (none, or `-`: standard input) to
/// `handle` in batches (of [`pipeline::STREAM_BATCH`] records or [`STREAM_BATCH_BYTES`]), which
/// writes one output per record, in order, to `out`; memory stays flat. A malformed line is
/// reported on stderr with its line number and skipped; with `strict` the records before it are
/// still handled and written, and the run ends with its error.
pub(super) fn stream_jsonl(
    paths: &[PathBuf],
    strict: bool,
    markup: Markup,
    out: &mut dyn Write,
    handle: &mut BatchHandler<'_>,
) -> Result<()> {
    let inputs: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from("-")] } else { paths.to_vec() };
    for path in inputs {
        let (reader, name): (Box<dyn BufRead>, PathBuf) = if path.as_os_str() == "-" {
            (Box::new(io::BufReader::new(io::stdin().lock())), PathBuf::from("<stdin>"))
        } else {
            (corpus::open(&path)?, path.clone())
        };
        let mut batch: Vec<Record> = Vec::with_capacity(pipeline::STREAM_BATCH);
        let mut batch_bytes = 0;
        let mut html_noted = false;
        let mut flush = |batch: &mut Vec<Record>, out: &mut dyn Write| -> Result<()> {
            handle(batch, out)?;
            out.flush()?;
            batch.clear();
            Ok(())
        };
        for (i, line) in reader.split(b'\n').enumerate() {
            let lineno = i as u64 + 1;
            let bytes = line.with_context(|| format!("{}: cannot read line {lineno}", name.display()))?;
            let (line, lossy) = corpus::decode_lossy(bytes);
            let line = if lineno == 1 { line.trim_start_matches(corpus::BOM) } else { &line };
            if line.trim().is_empty() {
                continue;
            }
            if lossy {
                warn!("unspun: warning: {}:{lineno}: invalid UTF-8 replaced", name.display());
            }
            let parsed = corpus::parse_json_record(line, &name, lineno, false).or_else(|e| -> unspun::Result<Record> {
                let repaired = corpus::repair_lone_surrogates(line).ok_or(e)?;
                let r = corpus::parse_json_record(&repaired, &name, lineno, false)?;
                warn!("unspun: warning: {}:{lineno}: lone UTF-16 surrogate escapes replaced", name.display());
                Ok(r)
            });
            match parsed {
                Ok(mut r) => {
                    let why = match markup {
                        Markup::Keep => None,
                        m => html_to_strip(m == Markup::StripAll, Path::new(""), &r.text),
                    };
                    if let Some(why) = why {
                        r.text = unspun::html::strip(&r.text);
                        if !why.is_empty() && !html_noted {
                            warn!(
                                "unspun: note: {}:{lineno}: the text looks like HTML: markup stripped before scoring, here and in any \
                                 later record that looks like HTML (span offsets refer to the stripped text; --html strips every record)",
                                name.display()
                            );
                            html_noted = true;
                        }
                    }
                    batch_bytes += r.text.len();
                    batch.push(r);
                }
                Err(e) if strict => {
                    flush(&mut batch, out)?; // the good lines before the bad one are still written
                    return Err(e.into());
                }
                Err(e) => warn!("unspun: warning: {e} (line skipped)"),
            }
            if batch.len() == pipeline::STREAM_BATCH || batch_bytes >= STREAM_BATCH_BYTES {
                flush(&mut batch, out)?;
                batch_bytes = 0;
            }
        }
        flush(&mut batch, out)?;
    }
    Ok(())
}
