//! `unspun score`: documents or JSON Lines in, verdicts (and spans) out as text, JSON or JSON Lines.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use unspun::output;
use unspun::pipeline::{self, Score};
use unspun::Detector;

use super::args::{load_detector, load_resources, Format, ResourceArgs, SpanArgs};
use super::input::{html_to_strip, read_documents, stream_jsonl, Doc, Markup};

/// Examples and formats under `unspun score --help`.
pub(super) const SCORE_HELP: &str = "Examples:
  unspun score data/samples/spun.txt
  unspun score --explain --format json a.txt b.txt
  unspun score docs/                       every .txt/.md/.html file in the folder
  echo 'some text' | unspun score -
  unspun score --jsonl < in.jsonl > out.jsonl
  unspun score --jsonl --html < pages.jsonl   records whose text is HTML

A folder argument scores the .txt, .md, .html and .htm files directly inside it (sorted by name;
subfolders are not entered). Files may be gzip'd (.gz).

JSON output per document: {\"id\", \"p_spun\", \"spun\", \"words\", \"spans\": [{\"start\", \"end\", \"text\", \"suggestion\", \"score\", \"p_swap\"}]}
(start/end: byte offsets; score: oddity in nats; p_swap: the swap model's probability that the span
was swapped in). --explain reports spans whose p_swap reaches the swap model's threshold, and in
documents judged spun (where a swap is likelier) also those above a lower one where the text itself
points at the word: a better-fitting alternative, a known spun phrase, or an unseen word pair
without alternatives. For a word the text does not point at, its document's context counts the
more the longer the document (a sentence's context is a poor estimate). Whole capitalised names
are never spans. p_spun and spun are null (with a \"note\") for documents too short to judge
(under 8 words) or binary; a document over 64 MiB is judged on its first 64 MiB (with a \"note\").
A short text needs clearer evidence to be judged spun (p_spun weighs its context by its length,
as the spans do): a single spun sentence may be judged original while its spans show every swap.

HTML: .html/.htm files, and documents or --jsonl records that start with <!doctype or a tag such
as <html>, <body>, <p> or <div> (and close a tag), are stripped of markup before scoring, with a
note on stderr; --html strips every document. Stripping drops tags, scripts, styles and comments,
decodes entities and keeps paragraphs apart. Span offsets (start, end) then refer to the
stripped text, not to the markup.

Invalid UTF-8 is replaced (U+FFFD) with a warning; UTF-16 files with a byte-order mark are read.
With --jsonl, a malformed line is reported on stderr with its line number and skipped (--strict
stops instead); every other line is scored and written, in order, with constant memory.";

#[derive(Args)]
pub(super) struct ScoreArgs {
    /// Files or folders to score; `-` reads standard input [default: -]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Model file [default: the embedded model]
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Show the phrases that look spun and what they probably said
    #[arg(long)]
    explain: bool,
    /// Decision threshold on p_spun [default: the model's]
    #[arg(long, value_name = "P")]
    threshold: Option<f64>,
    /// Read JSON Lines ({"id", "text"}) and write one JSON line per input line, in order
    #[arg(long)]
    jsonl: bool,
    /// With --jsonl: stop at the first malformed line instead of reporting and skipping it
    #[arg(long)]
    strict: bool,
    /// Strip HTML markup from every document before scoring (HTML is otherwise detected; see below)
    #[arg(long)]
    html: bool,
    #[command(flatten)]
    spans: SpanArgs,
    #[command(flatten)]
    resources: ResourceArgs,
}

pub(super) fn run_score(a: ScoreArgs) -> Result<()> {
    let detector = load_detector(a.model.as_deref(), a.threshold)?;
    let mut resources = load_resources(&a.resources)?;
    a.spans.apply(&mut resources)?;
    if a.spans.swap_threshold.is_some() && !a.explain {
        warn!(
            "unspun: note: --swap-threshold picks --explain's spans; without --explain it changes nothing (p_spun does not depend on it)"
        );
    }
    let extractor = resources.extractor();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if a.jsonl {
        return score_jsonl(&a, &extractor, &detector, &mut out);
    }
    let mut docs = read_documents(&a.paths)?;
    for doc in &mut docs {
        if let Some(why) = html_to_strip(a.html, Path::new(&doc.id), &doc.text) {
            doc.text = unspun::html::strip(&doc.text);
            if !why.is_empty() {
                let name = if doc.id == "-" { "<stdin>" } else { &doc.id };
                warn!("unspun: note: {name}: {why}: markup stripped before scoring (span offsets refer to the stripped text)");
            }
        }
    }
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let scores = pipeline::score_batch(&extractor, &detector, &texts, a.explain);
    match a.format {
        Format::Text => {
            for (doc, score) in docs.iter().zip(&scores) {
                write_text_score(&mut out, doc, score, detector.threshold(), a.explain)?;
            }
        }
        Format::Json => {
            let all: Vec<_> = docs.iter().zip(&scores).map(|(d, s)| output::score_json(&d.id, &d.text, s)).collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for (d, s) in docs.iter().zip(&scores) {
                serde_json::to_writer(&mut out, &output::score_json(&d.id, &d.text, s))?;
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn score_jsonl(a: &ScoreArgs, extractor: &unspun::FeatureExtractor<'_>, detector: &Detector, out: &mut dyn Write) -> Result<()> {
    let markup = if a.html { Markup::StripAll } else { Markup::Detect };
    stream_jsonl(&a.paths, a.strict, markup, out, &mut |batch, out| {
        let texts: Vec<&str> = batch.iter().map(|r| r.text.as_str()).collect();
        for (r, s) in batch.iter().zip(pipeline::score_batch(extractor, detector, &texts, a.explain)) {
            serde_json::to_writer(&mut *out, &output::score_json(&r.id, &r.text, &s))?;
            writeln!(out)?;
        }
        Ok(())
    })
}

fn write_text_score(out: &mut impl Write, doc: &Doc, s: &Score, threshold: f64, explain: bool) -> Result<()> {
    match (s.p_spun, s.spun) {
        (Some(p), Some(spun)) => {
            writeln!(out, "{:<8} p_spun {:.3}  {:>6} words  {}", if spun { "SPUN" } else { "original" }, p, s.words, doc.id)?
        }
        _ => writeln!(out, "{:<8} {:<12}  {:>6} words  {}  ({})", "unknown", "p_spun -", s.words, doc.id, s.note.as_deref().unwrap_or(""))?,
    }
    if let (Some(note), Some(_)) = (&s.note, s.p_spun) {
        writeln!(out, "  note: {note}")?;
    }
    if explain {
        if s.spans.is_empty() {
            writeln!(out, "  no phrase looks spun (document threshold {threshold:.3})")?;
        } else {
            writeln!(out, "  {} phrase(s) look spun; [text → likely original] (oddity):", s.spans.len())?;
            let mut marked = String::new();
            let mut at = 0;
            for sp in &s.spans {
                marked.push_str(&doc.text[at..sp.start]);
                marked.push_str(&format!("[{} → {}]", &doc.text[sp.start..sp.end], sp.suggestion.as_deref().unwrap_or("?")));
                at = sp.end;
            }
            marked.push_str(&doc.text[at..]);
            for line in marked.lines() {
                writeln!(out, "  | {line}")?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}
