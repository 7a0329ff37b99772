//! The `unspun` command: parses arguments, converts them to library types, calls one library
//! function per subcommand and prints the result. Exit codes: 0 success, 2 error.

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use unspun::corpus::{self, Record};
use unspun::eval::threshold_for_precision;
use unspun::pipeline::{self, Resources, Score};
use unspun::reference::Budget;
use unspun::{embedded, Detector, TrainParams};

#[derive(Parser)]
#[command(
    name = "unspun",
    version,
    about = "Tell original writing from spun text (article-spinner output), and show which phrases look spun",
    after_help = "Examples:\n  unspun score article.txt                verdict and probability\n  unspun score --explain article.txt      ...and the phrases that look spun\n  cat docs.jsonl | unspun score --jsonl   JSON Lines in ({\"id\",\"text\"}) and out\n  unspun train --data labeled.csv --out my.model.json\n  unspun eval --data test.jsonl.gz --model my.model.json\n\nExit status: 0 on success, 2 on error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score documents: probability of being spun, verdict, and (with --explain) the spun-looking phrases
    #[command(
        after_help = "Examples:\n  unspun score data/samples/spun-news.txt\n  unspun score --explain --format json a.txt b.txt\n  unspun score docs/                       every .txt/.md/.html file in the folder\n  echo 'some text' | unspun score -\n  unspun score --jsonl < in.jsonl > out.jsonl\n\nA folder argument scores the .txt, .md and .html files directly inside it (sorted by name).\nJSON output per document: {\"id\", \"p_spun\", \"spun\", \"words\", \"spans\": [{\"start\", \"end\", \"text\", \"suggestion\", \"score\"}]};\np_spun and spun are null (with a \"note\") for documents too short to judge or not text."
    )]
    Score(ScoreArgs),
    /// Train a detector on labeled data (CSV, JSON Lines, or a folder with spun/ and original/)
    #[command(
        after_help = "Examples:\n  unspun train --data train.jsonl.gz --out model.json\n  unspun train --data train.csv --valid valid.csv --target-precision 0.99 --out model.json\n\nData: CSV with a header holding `text` and `label` (optional `id`; other columns kept for grouping),\nJSON Lines with the same fields, or a folder with spun/ and original/ subfolders of .txt files;\nany file may be gzip'd (.gz). Labels: spun/original, 1/0 or true/false, any case."
    )]
    Train(TrainArgs),
    /// Evaluate a model on labeled data: precision, recall, F1, accuracy, ROC AUC, confusion matrix
    #[command(
        after_help = "Examples:\n  unspun eval --data test.jsonl.gz\n  unspun eval --data test.csv --model model.json --format json"
    )]
    Eval(EvalArgs),
    /// Build the reference n-gram counts from corpora (needs the corpora; see data/README.md)
    #[command(subcommand)]
    Reference(ReferenceCommand),
    /// Build labeled train/valid/test sets by spinning source documents (needs the corpora)
    #[command(
        after_help = "Example:\n  unspun corpus --source ../shared/data/enwiki2015-half.jsonl.gz --out build/corpus --profiles careful,phrase"
    )]
    Corpus(CorpusArgs),
    /// Write the feature vectors of labeled or unlabeled data as CSV (for analysis or other models)
    #[command(after_help = "Example:\n  unspun features --data test.jsonl.gz > features.csv")]
    Features(FeaturesArgs),
    /// Spin text with the built-in spinner (for making training data)
    #[command(
        after_help = "Examples:\n  unspun spin --profile careless --rate 0.3 --seed 7 article.txt\n  echo 'The foreign minister told reporters.' | unspun spin --rate 1 -"
    )]
    Spin(SpinArgs),
}

#[derive(Args)]
struct ResourceArgs {
    /// Reference n-gram file [default: the embedded one]
    #[arg(long, value_name = "PATH")]
    reference: Option<PathBuf>,
    /// Thesaurus file(s) in the unspun-thesaurus format [default: the embedded WordNet + MyThes]
    #[arg(long, value_name = "PATH")]
    thesaurus: Vec<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    Text,
    Json,
    Jsonl,
}

#[derive(Args)]
struct ScoreArgs {
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
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Args)]
struct TrainArgs {
    /// Labeled data (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Where to write the model (JSON)
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Labeled validation data, for reporting and for --target-precision
    #[arg(long, value_name = "PATH")]
    valid: Vec<PathBuf>,
    /// Pick the threshold that reaches this precision on the validation data
    #[arg(long, value_name = "P", requires = "valid")]
    target_precision: Option<f64>,
    /// Decision threshold stored in the model (ignored with --target-precision)
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    threshold: f64,
    /// Comma-separated feature names to use [default: all]
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    features: Vec<String>,
    /// L2 penalty on the standardised weights
    #[arg(long, default_value_t = 1.0)]
    alpha: f64,
    /// Free-form note stored in the model's training facts (e.g. the command used)
    #[arg(long)]
    note: Vec<String>,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Args)]
struct EvalArgs {
    /// Labeled data (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Model file [default: the embedded model]
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Decision threshold [default: the model's]
    #[arg(long, value_name = "P")]
    threshold: Option<f64>,
    /// Output format (text or json)
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Subcommand)]
enum ReferenceCommand {
    /// Count words, bigrams and trigrams of corpora (+ count lists) into a compact reference file
    #[command(
        after_help = "Example:\n  unspun reference build --corpus ../shared/data/enwiki2015-half.jsonl.gz \\\n      --corpus ../shared/data/ungdc-1990on.jsonl.gz \\\n      --counts build/web/unigrams.tsv --counts build/web/bigrams.tsv --out data/reference.bin\n\nOnly documents of the reference split (70% of ids, by hash) are counted, so that the rest can\nserve as training and test originals; --all-documents counts everything."
    )]
    Build(ReferenceBuildArgs),
}

#[derive(Args)]
struct ReferenceBuildArgs {
    /// Corpus of documents: JSON Lines (or CSV) with a `text` field, optionally gzip'd (repeatable)
    #[arg(long, value_name = "PATH")]
    corpus: Vec<PathBuf>,
    /// N-gram count list, `ngram<TAB>count` per line (repeatable); scaled to the corpora's size
    #[arg(long, value_name = "PATH")]
    counts: Vec<PathBuf>,
    /// Weight of the count lists relative to the corpora
    #[arg(long, default_value_t = 1.0)]
    counts_weight: f64,
    /// Most entries kept for unigrams, bigrams and trigrams
    #[arg(long, value_delimiter = ',', num_args = 3, value_name = "N,N,N")]
    max_entries: Option<Vec<usize>>,
    /// Count every document, not only the reference split
    #[arg(long)]
    all_documents: bool,
    /// Output file
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Args)]
struct CorpusArgs {
    /// Source documents: JSON Lines with `id` and `text`, optionally gzip'd (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    source: Vec<PathBuf>,
    /// Output folder for train/valid/test.jsonl.gz
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Spinner profiles for spun items, comma-separated [default: all]
    #[arg(long, value_delimiter = ',')]
    profiles: Vec<String>,
    /// Chunks taken per source document
    #[arg(long, default_value_t = 2)]
    chunks_per_doc: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Args)]
struct FeaturesArgs {
    /// Data files (CSV, JSON Lines, folders; labels optional) (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Args)]
struct SpinArgs {
    /// Text files to spin; `-` reads standard input [default: -]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Spinner profile: careful (WordNet), careless (Moby), phrase (MyThes)
    #[arg(long, default_value = "careful")]
    profile: String,
    /// Share of eligible words swapped [default: the profile's, 0.3]
    #[arg(long)]
    rate: Option<f64>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(a) => run_score(a),
        Command::Train(a) => run_train(a),
        Command::Eval(a) => run_eval(a),
        Command::Reference(ReferenceCommand::Build(a)) => run_reference_build(a),
        Command::Corpus(a) => run_corpus(a),
        Command::Features(a) => run_features(a),
        Command::Spin(a) => run_spin(a),
    };
    if let Err(e) = result {
        if is_broken_pipe(&e) {
            std::process::exit(0);
        }
        eprintln!("unspun: error: {e:#}");
        std::process::exit(2);
    }
}

/// True when the error comes from writing to a closed pipe (`unspun score ... | head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = c
            .downcast_ref::<io::Error>()
            .map(io::Error::kind)
            .or_else(|| c.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind))
            .or_else(|| match c.downcast_ref::<csv::Error>().map(csv::Error::kind) {
                Some(csv::ErrorKind::Io(io)) => Some(io.kind()),
                _ => None,
            });
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot start the thread pool")?;
    }
    Ok(())
}

fn load_resources(a: &ResourceArgs) -> Result<Resources> {
    set_threads(a.threads)?;
    Ok(Resources::load(a.reference.as_deref(), &a.thesaurus)?)
}

fn load_detector(model: Option<&Path>, threshold: Option<f64>) -> Result<Detector> {
    let d = match model {
        Some(p) => Detector::load(p)?,
        None => embedded::detector()?,
    };
    Ok(match threshold {
        Some(t) => d.with_threshold(t)?,
        None => d,
    })
}

fn progress_bar(len: Option<u64>, what: &str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})").unwrap().progress_chars("=> "),
        ),
        None => {
            ProgressBar::new_spinner().with_style(ProgressStyle::with_template("{spinner} {msg} {pos} ({per_sec}, {elapsed})").unwrap())
        }
    };
    bar.set_message(what.to_string());
    bar
}

// ---------------------------------------------------------------- score

/// One document to score.
struct Doc {
    id: String,
    text: String,
}

fn run_score(a: ScoreArgs) -> Result<()> {
    let detector = load_detector(a.model.as_deref(), a.threshold)?;
    let resources = load_resources(&a.resources)?;
    let extractor = resources.extractor();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if a.jsonl {
        return score_jsonl(&a, &extractor, &detector, &mut out);
    }
    let docs = read_documents(&a.paths)?;
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let scores = pipeline::score_batch(&extractor, &detector, &texts, a.explain);
    match a.format {
        Format::Text => {
            for (doc, score) in docs.iter().zip(&scores) {
                write_text_score(&mut out, doc, score, detector.threshold(), a.explain)?;
            }
        }
        Format::Json => {
            let all: Vec<_> = docs.iter().zip(&scores).map(|(d, s)| score_json(&d.id, &d.text, s)).collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for (d, s) in docs.iter().zip(&scores) {
                serde_json::to_writer(&mut out, &score_json(&d.id, &d.text, s))?;
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn score_jsonl(a: &ScoreArgs, extractor: &unspun::FeatureExtractor<'_>, detector: &Detector, out: &mut impl Write) -> Result<()> {
    let inputs: Vec<PathBuf> = if a.paths.is_empty() { vec![PathBuf::from("-")] } else { a.paths.clone() };
    for path in inputs {
        let (reader, name): (Box<dyn BufRead>, PathBuf) = if path.as_os_str() == "-" {
            (Box::new(io::BufReader::new(io::stdin().lock())), PathBuf::from("<stdin>"))
        } else {
            (corpus::open(&path)?, path.clone())
        };
        let mut batch: Vec<Record> = Vec::with_capacity(pipeline::STREAM_BATCH);
        let flush = |batch: &mut Vec<Record>, out: &mut dyn Write| -> Result<()> {
            let texts: Vec<&str> = batch.iter().map(|r| r.text.as_str()).collect();
            let scores = pipeline::score_batch(extractor, detector, &texts, a.explain);
            for (r, s) in batch.iter().zip(&scores) {
                serde_json::to_writer(&mut *out, &score_json(&r.id, &r.text, s))?;
                writeln!(out)?;
            }
            out.flush()?;
            batch.clear();
            Ok(())
        };
        for (i, line) in reader.split(b'\n').enumerate() {
            let lineno = i as u64 + 1;
            let bytes = line.with_context(|| format!("{}: cannot read line {lineno}", name.display()))?;
            let (line, lossy) = corpus::decode_lossy(bytes);
            if line.trim().is_empty() {
                continue;
            }
            if lossy {
                eprintln!("unspun: warning: {}:{lineno}: invalid UTF-8 replaced", name.display());
            }
            match corpus::parse_json_record(&line, &name, lineno, false) {
                Ok(r) => batch.push(r),
                Err(e) if a.strict => return Err(e.into()),
                Err(e) => eprintln!("unspun: warning: {e} (line skipped)"),
            }
            if batch.len() == pipeline::STREAM_BATCH {
                flush(&mut batch, out)?;
            }
        }
        flush(&mut batch, out)?;
    }
    Ok(())
}

fn read_documents(paths: &[PathBuf]) -> Result<Vec<Doc>> {
    let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from("-")] } else { paths.to_vec() };
    let mut docs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut bytes = Vec::new();
            io::stdin().read_to_end(&mut bytes).context("cannot read standard input")?;
            let (text, lossy) = corpus::decode_lossy(bytes);
            if lossy {
                eprintln!("unspun: warning: <stdin>: invalid UTF-8 replaced");
            }
            docs.push(Doc { id: "-".into(), text });
        } else if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&p)
                .with_context(|| format!("{}: cannot list folder", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && corpus::is_text_file(f))
                .collect();
            files.sort();
            if files.is_empty() {
                eprintln!("unspun: warning: {}: no .txt, .md or .html files in this folder", p.display());
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
        eprintln!("unspun: warning: {}: invalid UTF-8 replaced", p.display());
    }
    Ok(Doc { id: p.display().to_string(), text })
}

/// One document's result as scripts read it (field order is part of the output format).
#[derive(serde::Serialize)]
struct ScoreOut<'a> {
    id: &'a str,
    p_spun: Option<f64>,
    spun: Option<bool>,
    words: usize,
    spans: Vec<SpanOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct SpanOut<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    suggestion: Option<&'a str>,
    score: f64,
}

fn score_json<'a>(id: &'a str, text: &'a str, s: &'a Score) -> ScoreOut<'a> {
    ScoreOut {
        id,
        p_spun: s.p_spun.map(round4),
        spun: s.spun,
        words: s.words,
        spans: s
            .spans
            .iter()
            .map(|sp| SpanOut {
                start: sp.start,
                end: sp.end,
                text: &text[sp.start..sp.end],
                suggestion: sp.suggestion.as_deref(),
                score: round4(sp.score),
            })
            .collect(),
        note: s.note.as_deref(),
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn write_text_score(out: &mut impl Write, doc: &Doc, s: &Score, threshold: f64, explain: bool) -> Result<()> {
    match (s.p_spun, s.spun) {
        (Some(p), Some(spun)) => {
            writeln!(out, "{:<8} p_spun {:.3}  {:>6} words  {}", if spun { "SPUN" } else { "original" }, p, s.words, doc.id)?
        }
        _ => writeln!(out, "{:<8} {:<12}  {:>6} words  {}  ({})", "unknown", "p_spun -", s.words, doc.id, s.note.as_deref().unwrap_or(""))?,
    }
    if explain {
        if s.spans.is_empty() {
            writeln!(out, "  no phrase looks spun (threshold {threshold})")?;
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

// ---------------------------------------------------------------- train / eval

fn read_labeled(paths: &[PathBuf]) -> Result<Vec<Record>> {
    let recs = corpus::read_labeled(paths)?;
    Ok(recs)
}

fn run_train(a: TrainArgs) -> Result<()> {
    let mut params = TrainParams::new().alpha(a.alpha).threshold(a.threshold);
    if !a.features.is_empty() {
        params = params.features(a.features.clone());
    }
    let params = params.check()?;
    let resources = load_resources(&a.resources)?;
    let records = read_labeled(&a.data)?;
    let started = Instant::now();
    let bar = progress_bar(Some(records.len() as u64), "features");
    let mut detector = pipeline::train(&records, &resources, &params, &a.data, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let t = detector.training().clone();
    if !t.converged {
        eprintln!(
            "unspun: warning: the fit did not converge (gradient norm per row {:.2e}); try a larger --alpha or check the data",
            t.gradient_norm_per_row
        );
    }
    if !a.valid.is_empty() {
        let valid = read_labeled(&a.valid)?;
        let bar = progress_bar(Some(valid.len() as u64), "validation");
        let ev = pipeline::evaluate(&valid, &resources, &detector, &|n| bar.inc(n));
        bar.finish_and_clear();
        if let Some(target) = a.target_precision {
            let th = threshold_for_precision(&ev.scores, &ev.labels, target)
                .with_context(|| format!("no threshold reaches precision {target} on the validation data"))?;
            detector = detector.with_threshold(th)?;
            detector.training_mut().notes.insert("target_precision".into(), json!(target));
        }
        let m = unspun::eval::Metrics::compute(&ev.scores, &ev.labels, detector.threshold());
        detector.training_mut().notes.insert("valid_metrics".into(), serde_json::to_value(&m)?);
        detector
            .training_mut()
            .notes
            .insert("valid_data".into(), json!(a.valid.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()));
    }
    for (i, n) in a.note.iter().enumerate() {
        let (k, v) = n.split_once('=').unwrap_or(("note", n));
        let k = if k == "note" && a.note.len() > 1 { format!("note{i}") } else { k.to_string() };
        detector.training_mut().notes.insert(k, json!(v));
    }
    detector.save(&a.out)?;
    let t = detector.training();
    eprintln!(
        "trained on {} documents ({} spun, {} original) in {:.1}s (fit {:.2}s); threshold {:.4}; wrote {}",
        t.rows,
        t.spun,
        t.original,
        started.elapsed().as_secs_f64(),
        t.seconds,
        detector.threshold(),
        a.out.display()
    );
    if let Some(m) = t.notes.get("valid_metrics") {
        eprintln!("validation: precision {:.4} recall {:.4} f1 {:.4} roc_auc {}", m["precision"], m["recall"], m["f1"], m["roc_auc"]);
    }
    Ok(())
}

fn run_eval(a: EvalArgs) -> Result<()> {
    let detector = load_detector(a.model.as_deref(), a.threshold)?;
    let resources = load_resources(&a.resources)?;
    let records = read_labeled(&a.data)?;
    let bar = progress_bar(Some(records.len() as u64), "scoring");
    let ev = pipeline::evaluate(&records, &resources, &detector, &|n| bar.inc(n));
    bar.finish_and_clear();
    let m = &ev.metrics;
    let mut out = io::BufWriter::new(io::stdout().lock());
    match a.format {
        Format::Json | Format::Jsonl => {
            serde_json::to_writer_pretty(&mut out, m)?;
            writeln!(out)?;
        }
        Format::Text => {
            writeln!(out, "{} documents ({} spun, {} original), threshold {:.4}", m.n, m.spun, m.original, m.threshold)?;
            writeln!(out, "  precision  {:.4}", m.precision)?;
            writeln!(out, "  recall     {:.4}", m.recall)?;
            writeln!(out, "  f1         {:.4}", m.f1)?;
            writeln!(out, "  accuracy   {:.4}", m.accuracy)?;
            writeln!(out, "  roc_auc    {}", m.roc_auc.map_or("n/a (one class)".into(), |v| format!("{v:.4}")))?;
            writeln!(out, "  confusion          predicted spun  predicted original")?;
            writeln!(out, "    spun             {:>14}  {:>18}", m.confusion.tp, m.confusion.fn_)?;
            writeln!(out, "    original         {:>14}  {:>18}", m.confusion.fp, m.confusion.tn)?;
        }
    }
    out.flush()?;
    Ok(())
}

// ---------------------------------------------------------------- data building

fn run_reference_build(a: ReferenceBuildArgs) -> Result<()> {
    set_threads(a.threads)?;
    if a.corpus.is_empty() && a.counts.is_empty() {
        bail!("nothing to count: give --corpus and/or --counts files (the corpora live in ../shared/data; see data/README.md)");
    }
    let mut budget = Budget::default();
    if let Some(m) = &a.max_entries {
        budget.max_entries = [m[0], m[1], m[2]];
    }
    let opts =
        pipeline::ReferenceOptions { budget, counts: a.counts.clone(), counts_weight: a.counts_weight, all_documents: a.all_documents };
    let started = Instant::now();
    let bar = progress_bar(None, "documents counted");
    let reference = pipeline::build_reference(&a.corpus, &opts, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    reference.save(&a.out)?;
    let size = std::fs::metadata(&a.out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "counted {} words; kept {} unigrams, {} bigrams, {} trigrams; wrote {} ({:.1} MB) in {:.0}s",
        reference.tokens(),
        reference.entries(1),
        reference.entries(2),
        reference.entries(3),
        a.out.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_corpus(a: CorpusArgs) -> Result<()> {
    set_threads(a.threads)?;
    let mut opts = pipeline::CorpusOptions { chunks_per_document: a.chunks_per_doc, seed: a.seed, ..Default::default() };
    if !a.profiles.is_empty() {
        opts.profiles = a.profiles.clone();
    }
    let bar = progress_bar(None, "documents read");
    let summary = pipeline::build_corpus(&a.source, &opts, &a.out, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    for (split, (spun, orig)) in summary {
        eprintln!("{split:<6} {spun:>7} spun {orig:>7} original  -> {}", a.out.join(format!("{split}.jsonl.gz")).display());
    }
    Ok(())
}

fn run_spin(a: SpinArgs) -> Result<()> {
    let mut profile = unspun::spin::profile(&a.profile)
        .with_context(|| format!("unknown profile {:?}; known: careful, careless, phrase", a.profile))?
        .clone();
    if let Some(r) = a.rate {
        if !(0.0..=1.0).contains(&r) {
            bail!("--rate must be between 0 and 1, got {r}");
        }
        profile.rate = r;
    }
    let thesaurus = embedded::thesaurus(profile.thesaurus)?;
    let spinner = unspun::spin::Spinner::new(&thesaurus, profile);
    let mut out = io::BufWriter::new(io::stdout().lock());
    for doc in read_documents(&a.paths)? {
        let spun = spinner.spin(&doc.text, a.seed);
        out.write_all(spun.text.as_bytes())?;
        if !spun.text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn run_features(a: FeaturesArgs) -> Result<()> {
    let resources = load_resources(&a.resources)?;
    let mut records = Vec::new();
    for p in &a.data {
        for r in corpus::read(p, false)? {
            records.push(r?);
        }
    }
    let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
    let bar = progress_bar(Some(texts.len() as u64), "features");
    let rows = pipeline::extract_batch(&resources.extractor(), &texts, &|n| bar.inc(n));
    bar.finish_and_clear();
    let mut w = csv::Writer::from_writer(io::BufWriter::new(io::stdout().lock()));
    let mut header = vec!["id".to_string(), "label".to_string()];
    header.extend(unspun::FEATURES.iter().map(|f| f.name.to_string()));
    w.write_record(&header)?;
    for (r, row) in records.iter().zip(&rows) {
        let mut fields = vec![r.id.clone(), r.label.map_or(String::new(), |l| if l { "spun".into() } else { "original".into() })];
        fields.extend(row.iter().map(|v| v.to_string()));
        w.write_record(&fields)?;
    }
    w.flush()?;
    Ok(())
}
