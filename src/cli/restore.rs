//! `unspun restore`: the likely original wording of a spun text, or only the changes.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use unspun::pipeline;

use super::args::{load_resources, ResourceArgs};
use super::input::read_documents;

/// Examples under `unspun restore --help`.
pub(super) const RESTORE_HELP: &str = "Examples:
  unspun restore spun.txt              the text with confident suggestions applied
  unspun restore --diff spun.txt       only what changed: [-spun-]{+likely original+}

Useful for finding the source article of a spun copy: search for the restored phrases.";

#[derive(Args)]
pub(super) struct RestoreArgs {
    /// Text files; `-` reads standard input [default: -]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Show only the changes, as [-spun-]{+likely original+} in context
    #[arg(long)]
    diff: bool,
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
    let resources = load_resources(&a.resources)?;
    let extractor = resources.extractor();
    let mut out = io::BufWriter::new(io::stdout().lock());
    for doc in read_documents(&a.paths)? {
        let (restored, changes) = pipeline::restore(&extractor, &doc.text, a.min_score, a.min_p_swap);
        if !a.diff {
            out.write_all(restored.as_bytes())?;
            if !restored.ends_with('\n') {
                writeln!(out)?;
            }
            continue;
        }
        writeln!(out, "{}: {} change(s)", doc.id, changes.len())?;
        for c in &changes {
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
    }
    out.flush()?;
    Ok(())
}
