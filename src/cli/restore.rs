//! `unspun restore`: the likely original wording of a spun text, or only the changes.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use unspun::output;
use unspun::pipeline::{self, Change};

use super::args::{load_resources, Format, ResourceArgs};
use super::input::{read_documents, stream_jsonl, Doc, Markup};

/// Examples under `unspun restore --help`.
pub(super) const RESTORE_HELP: &str = "Examples:
  unspun restore spun.txt              the text with confident suggestions applied
  unspun restore --diff spun.txt       only what changed: [-spun-]{+likely original+}
  unspun restore --format json a.txt   [{\"id\", \"text\", \"changes\"}] per file
  unspun restore --jsonl < in.jsonl > out.jsonl   JSON Lines in ({\"id\",\"text\"}) and out

JSON output per document: {\"id\", \"text\" (restored), \"changes\": [{\"start\", \"end\", \"from\",
\"to\", \"score\"}]} (start/end: byte offsets into the input text; score: oddity in nats), the
shape of `unspun serve`'s POST /restore. With --jsonl, a malformed line is reported on stderr with
its line number and skipped (--strict stops instead); every other line is restored and written,
in order, with constant memory.

Useful for finding the source article of a spun copy: search for the restored phrases.";

#[derive(Args)]
pub(super) struct RestoreArgs {
    /// Text files; `-` reads standard input [default: -]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Show only the changes, as [-spun-]{+likely original+} in context
    #[arg(long)]
    diff: bool,
    /// Output format (json and jsonl: the restored text and its changes per document)
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Read JSON Lines ({"id", "text"}) and write one JSON line per input line, in order
    #[arg(long, conflicts_with = "diff")]
    jsonl: bool,
    /// With --jsonl: stop at the first malformed line instead of reporting and skipping it
    #[arg(long)]
    strict: bool,
    /// Least oddity (nats) of a suggestion to apply, when spans come without a swap model
    #[arg(long, default_value_t = pipeline::RESTORE_MIN_ODDITY)]
    min_score: f64,
    /// Least p_swap of a suggestion to apply (spans of the swap model)
    #[arg(long, default_value_t = pipeline::RESTORE_MIN_P_SWAP)]
    min_p_swap: f64,
    #[command(flatten)]
    resources: ResourceArgs,
}

pub(super) fn run_restore(a: RestoreArgs) -> Result<()> {
    if a.diff && !matches!(a.format, Format::Text) {
        bail!("--diff shows the changes as text: it does not go with --format json or jsonl (whose \"changes\" list them)");
    }
    let resources = load_resources(&a.resources)?;
    let extractor = resources.extractor();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let restore = |texts: &[&str]| pipeline::restore_batch(&extractor, texts, a.min_score, a.min_p_swap);
    if a.jsonl {
        stream_jsonl(&a.paths, a.strict, Markup::Keep, &mut out, &mut |batch, out| {
            let texts: Vec<&str> = batch.iter().map(|r| r.text.as_str()).collect();
            for (r, (restored, changes)) in batch.iter().zip(restore(&texts)) {
                serde_json::to_writer(&mut *out, &output::restore_record(&r.id, &restored, &changes))?;
                writeln!(out)?;
            }
            Ok(())
        })?;
        out.flush()?;
        return Ok(());
    }
    let docs = read_documents(&a.paths)?;
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let results = restore(&texts);
    match a.format {
        Format::Json => {
            let all: Vec<_> = docs.iter().zip(&results).map(|(d, (r, c))| output::restore_record(&d.id, r, c)).collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for (d, (r, c)) in docs.iter().zip(&results) {
                serde_json::to_writer(&mut out, &output::restore_record(&d.id, r, c))?;
                writeln!(out)?;
            }
        }
        Format::Text => {
            for (doc, (restored, changes)) in docs.iter().zip(&results) {
                if a.diff {
                    write_diff(&mut out, doc, changes)?;
                } else {
                    out.write_all(restored.as_bytes())?;
                    if !restored.ends_with('\n') {
                        writeln!(out)?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The changes of one document as `[-spun-]{+likely original+}` in the context of their sentence.
fn write_diff(out: &mut impl Write, doc: &Doc, changes: &[Change]) -> Result<()> {
    writeln!(out, "{}: {} change(s)", doc.id, changes.len())?;
    for c in changes {
        let line = doc.text[..c.start].matches('\n').count() + 1;
        let before_start = doc.text[..c.start].rfind(['\n', '.', '!', '?']).map_or(0, |i| i + 1);
        let after_end = doc.text[c.end..].find(['\n', '.', '!', '?']).map_or(doc.text.len(), |i| c.end + i + 1);
        writeln!(
            out,
            "  line {line}: {}[-{}-]{{+{}+}}{}",
            doc.text[before_start..c.start].trim_start(),
            c.from,
            c.to,
            doc.text[c.end..after_end].trim_end()
        )?;
    }
    Ok(())
}
