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
use unspun::features::SwapModel;
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
        after_help = "Examples:\n  unspun score data/samples/spun.txt\n  unspun score --explain --format json a.txt b.txt\n  unspun score docs/                       every .txt/.md/.html file in the folder\n  echo 'some text' | unspun score -\n  unspun score --jsonl < in.jsonl > out.jsonl\n  unspun score --jsonl --html < pages.jsonl   records whose text is HTML\n\nA folder argument scores the .txt, .md, .html and .htm files directly inside it (sorted by name;\nsubfolders are not entered). Files may be gzip'd (.gz).\n\nJSON output per document: {\"id\", \"p_spun\", \"spun\", \"words\", \"spans\": [{\"start\", \"end\", \"text\", \"suggestion\", \"score\"}]};\np_spun and spun are null (with a \"note\") for documents too short to judge (under 8 words) or binary;\na document over 64 MiB is judged on its first 64 MiB (with a \"note\").\n\nHTML: .html/.htm files, and documents or --jsonl records that start with <!doctype or a tag such\nas <html>, <body>, <p> or <div> (and close a tag), are stripped of markup before scoring, with a\nnote on stderr; --html strips every document. Stripping drops tags, scripts, styles and comments,\ndecodes entities and keeps paragraphs apart. Span offsets (start, end) then refer to the\nstripped text, not to the markup.\n\nInvalid UTF-8 is replaced (U+FFFD) with a warning; UTF-16 files with a byte-order mark are read.\nWith --jsonl, a malformed line is reported on stderr with its line number and skipped (--strict\nstops instead); every other line is scored and written, in order, with constant memory."
    )]
    Score(ScoreArgs),
    /// Train a detector on labeled data (CSV, JSON Lines, or a folder with spun/ and original/)
    #[command(
        after_help = "Examples:\n  unspun train --data train.jsonl.gz --out model.json\n  unspun train --data train.csv --valid valid.csv --target-precision 0.99 --out model.json\n\nData: CSV with a header holding `text` and `label` (optional `id`; other columns kept for grouping),\nJSON Lines with the same fields, or a folder with spun/ and original/ subfolders of .txt files;\nany file may be gzip'd (.gz). Labels: spun/original, 1/0 or true/false, any case."
    )]
    Train(TrainArgs),
    /// Evaluate a model on labeled data: metrics, threshold sweep, slices, reports with plots
    #[command(
        after_help = "Examples:\n  unspun eval --data test.jsonl.gz\n  unspun eval --data test.csv --model model.json --format json\n  unspun eval --data test.csv --group-by source --report out/\n  unspun eval --data valid.csv --target-precision 0.99 --save-model strict.json\n\nMetrics: precision, recall, F1, accuracy, ROC AUC, PR AUC, log loss, Brier score, confusion,\nrecall at 1% and 5% false positives; a sweep of thresholds; slices by length and --group-by."
    )]
    Eval(EvalArgs),
    /// Build the reference n-gram counts from corpora (needs the corpora; see data/README.md)
    #[command(subcommand)]
    Reference(ReferenceCommand),
    /// Build labeled train/valid/test sets by spinning source documents (the shared corpora, or your
    /// own originals with --all-documents)
    #[command(
        after_help = "Examples:\n  unspun corpus --source ../shared/data/enwiki2015-half.jsonl.gz --out build/corpus --profiles careful,phrase\n\n  # a detector for your own domain, from originals you have (JSON Lines with id and text):\n  unspun corpus --source my-originals.jsonl --all-documents --out build/mine --profiles careful,phrase\n  unspun train --data build/mine/train.jsonl.gz --valid build/mine/valid.jsonl.gz \\\n      --target-precision 0.98 --out mine.model.json"
    )]
    Corpus(CorpusArgs),
    /// Print the likely original wording of a spun text: confident suggestions applied
    #[command(
        after_help = "Examples:\n  unspun restore spun.txt              the text with confident suggestions applied\n  unspun restore --diff spun.txt       only what changed: [-spun-]{+likely original+}\n\nUseful for finding the source article of a spun copy: search for the restored phrases."
    )]
    Restore(RestoreArgs),
    /// Measure how well --explain finds known swaps (data with gold `swaps`, as `unspun corpus` writes)
    #[command(name = "eval-spans", after_help = "Example:\n  unspun eval-spans --data build/corpus/seen/test.jsonl.gz")]
    EvalSpans(EvalSpansArgs),
    /// Train the word-level swap model that picks --explain spans, on data with gold `swaps`
    #[command(
        name = "train-swaps",
        after_help = "Example:\n  unspun train-swaps --data build/corpus/seen/train.jsonl.gz --valid build/corpus/seen/valid.jsonl.gz \\\n      --out models/swaps.json\n\nEvery candidate (content word, or two-word thesaurus head, next to a known word) of the spun\nrecords is a positive when it overlaps a gold swap, a negative otherwise; every candidate of the\noriginals is a negative. The threshold is the lowest whose spans on the validation originals stay\nwithin --max-false-flags per 100 words."
    )]
    TrainSwaps(TrainSwapsArgs),
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
    /// Word-level swap model that picks --explain spans (`unspun train-swaps`) [default: the
    /// embedded one]; `none` reports candidates by oddity alone (above 4 nats)
    #[arg(long, value_name = "PATH")]
    swap_model: Option<PathBuf>,
    /// Your own list of known spun phrases with their originals, added to the embedded tortured
    /// phrases (repeatable): an unspun-thesaurus file whose heads are the spun phrases, e.g. a first
    /// line `unspun-thesaurus<TAB>1<TAB>mine<TAB>licence`, then `overseas minister<TAB>foreign minister`
    #[arg(long, value_name = "PATH")]
    known_phrases: Vec<PathBuf>,
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
    /// Strip HTML markup from every document before scoring (HTML is otherwise detected; see below)
    #[arg(long)]
    html: bool,
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
    /// With --target-precision: reach it within every value of this field of the validation records
    /// (e.g. `domain`, which `unspun corpus` writes), so the worst domain decides
    #[arg(long, value_name = "FIELD", requires = "target_precision")]
    precision_in_every: Option<String>,
    /// Decision threshold stored in the model (ignored with --target-precision)
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    threshold: f64,
    /// Comma-separated feature names to use [default: all]
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    features: Vec<String>,
    /// L2 penalty on the standardised weights
    #[arg(long, default_value_t = 1.0)]
    alpha: f64,
    /// Share of thesaurus heads hidden from most training documents' features, so the model does not
    /// lean on synonym oddity alone (spinners with unknown thesauri); 0 turns it off
    #[arg(long, default_value_t = pipeline::DEFAULT_THESAURUS_DROPOUT, value_name = "SHARE")]
    thesaurus_dropout: f64,
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
    #[arg(long, value_name = "P", conflicts_with_all = ["target_precision", "target_recall"])]
    threshold: Option<f64>,
    /// Use the lowest threshold whose precision on these data reaches P (the most recall at that precision)
    #[arg(long, value_name = "P", conflicts_with = "target_recall")]
    target_precision: Option<f64>,
    /// Use the highest threshold whose recall on these data reaches R (the fewest documents flagged)
    #[arg(long, value_name = "R")]
    target_recall: Option<f64>,
    /// Write a copy of the model with the threshold used (with --threshold, --target-precision or --target-recall)
    #[arg(long, value_name = "PATH")]
    save_model: Option<PathBuf>,
    /// Also report metrics for each value of this data column, e.g. `source` (repeatable)
    #[arg(long, value_name = "COLUMN")]
    group_by: Vec<String>,
    /// Write report.md, metrics.json, metrics.csv, scores.csv, SVG plots and errors.html into this folder
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Output format: aligned text, JSON, or CSV (one row per slice, `all` first)
    #[arg(long, default_value = "text", value_parser = ["text", "json", "csv"])]
    format: String,
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
    /// Back-off language model in ARPA format (repeatable): its n-grams add pseudo-counts
    /// `weight × corpus words × P(n-gram)`, at least 2 each
    #[arg(long, value_name = "PATH")]
    arpa: Vec<PathBuf>,
    /// Weight of each --arpa model (one per model, in order, or one for all)
    #[arg(long, value_name = "W", value_delimiter = ',', default_value = "1.0")]
    arpa_weight: Vec<f64>,
    /// Extend this reference (e.g. data/reference.bin) with the counts instead of starting afresh
    #[arg(long, value_name = "PATH")]
    base: Option<PathBuf>,
    /// Bigrams and trigrams of the corpora must occur in at least N documents to count, so that
    /// collocations invented by one spun document are not learned as normal English
    /// [default: 2 with --base, else 1]
    #[arg(long, value_name = "N")]
    min_documents: Option<u32>,
    /// Most entries kept for unigrams, bigrams, trigrams and frames (left _ right)
    #[arg(long, value_delimiter = ',', value_name = "N,N,N,N")]
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
    /// Spin rates are drawn uniformly from LO..HI (e.g. 0.1,0.1 for a fixed rate)
    #[arg(long, value_delimiter = ',', value_name = "LO,HI", default_values_t = [0.05, 0.5])]
    rate_range: Vec<f64>,
    /// Seed of the chunk choice and the spinner: the same seed gives the same corpus
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Use every source document, for your own originals (which the reference never counted). By
    /// default the 70% of documents (by id hash) that feed the shared corpora's reference counts
    /// are skipped; with this flag they go to train (valid and test are unchanged)
    #[arg(long)]
    all_documents: bool,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Args)]
struct RestoreArgs {
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

#[derive(Args)]
struct EvalSpansArgs {
    /// Labeled JSON Lines with `swaps` (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Output format (text or json)
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Args)]
struct TrainSwapsArgs {
    /// Labeled JSON Lines with `swaps`, as `unspun corpus` writes (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// Labeled validation data with `swaps`, for the threshold (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    valid: Vec<PathBuf>,
    /// Where to write the swap model (JSON)
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Most spans per 100 words of the validation originals
    #[arg(long, default_value_t = pipeline::SWAP_FALSE_FLAGS_PER_100)]
    max_false_flags: f64,
    /// L2 penalty on the standardised weights
    #[arg(long, default_value_t = 1.0)]
    alpha: f64,
    /// Comma-separated candidate features to use [default: all]; the others weigh nothing
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    features: Vec<String>,
    #[command(flatten)]
    resources: ResourceArgs,
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
    /// Read JSON Lines or CSV records ({"id", "text"}) and write JSON Lines
    /// {"id", "text", "label": "spun", "profile", "rate", "swaps"}; each record's seed mixes --seed and its id
    #[arg(long)]
    jsonl: bool,
    /// Also write, per document, the swapped byte spans of the output and what they replaced
    /// (JSON Lines: {"id", "swaps": [{"start", "end", "original"}]})
    #[arg(long, value_name = "PATH")]
    alignment: Option<PathBuf>,
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
        Command::Restore(a) => run_restore(a),
        Command::EvalSpans(a) => run_eval_spans(a),
        Command::TrainSwaps(a) => run_train_swaps(a),
        Command::Spin(a) => run_spin(a),
    };
    if let Err(e) = result {
        if is_broken_pipe(&e) {
            std::process::exit(0);
        }
        // Not eprintln!: a closed standard error must not turn an error into a panic.
        let _ = writeln!(io::stderr(), "unspun: error: {e:#}");
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
    let mut r = Resources::load(a.reference.as_deref(), &a.thesaurus)?;
    match a.swap_model.as_deref() {
        Some(p) if p == Path::new("none") => r.swap_model = None,
        Some(p) => r.swap_model = Some(SwapModel::load(p)?),
        None => {}
    }
    for p in &a.known_phrases {
        let f = std::fs::File::open(p).with_context(|| format!("{}: cannot open the known-phrase list", p.display()))?;
        r.known_phrases.add_reader(f, p)?;
    }
    Ok(r)
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

/// `eprintln!` that cannot panic: a warning to a closed stderr (`unspun ... 2>&1 | head`) is
/// dropped, so the run still ends as a closed pipe should (exit 0), not with a panic.
macro_rules! warn {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr(), $($arg)*);
    }};
}

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

/// Why a document gets its HTML markup stripped: `Some("")` with `--html`, `Some(reason)` when
/// detected, `None` when it is left alone.
fn html_to_strip(always: bool, path: &Path, text: &str) -> Option<&'static str> {
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

/// Text bytes of a `score --jsonl` batch that make it full before [`pipeline::STREAM_BATCH`]
/// records, so that a stream of long documents stays within a flat memory budget too.
const STREAM_BATCH_BYTES: usize = 16 << 20;

fn score_jsonl(a: &ScoreArgs, extractor: &unspun::FeatureExtractor<'_>, detector: &Detector, out: &mut impl Write) -> Result<()> {
    let inputs: Vec<PathBuf> = if a.paths.is_empty() { vec![PathBuf::from("-")] } else { a.paths.clone() };
    for path in inputs {
        let (reader, name): (Box<dyn BufRead>, PathBuf) = if path.as_os_str() == "-" {
            (Box::new(io::BufReader::new(io::stdin().lock())), PathBuf::from("<stdin>"))
        } else {
            (corpus::open(&path)?, path.clone())
        };
        let mut batch: Vec<Record> = Vec::with_capacity(pipeline::STREAM_BATCH);
        let mut batch_bytes = 0;
        let mut html_noted = false;
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
                    if let Some(why) = html_to_strip(a.html, Path::new(""), &r.text) {
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
                Err(e) if a.strict => {
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

fn read_documents(paths: &[PathBuf]) -> Result<Vec<Doc>> {
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
    #[serde(skip_serializing_if = "Option::is_none")]
    p_swap: Option<f64>,
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
                p_swap: sp.p_swap.map(round4),
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
    if let (Some(note), Some(_)) = (&s.note, s.p_spun) {
        writeln!(out, "  note: {note}")?;
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
    check_output_file(&a.out, "--out")?;
    let resources = load_resources(&a.resources)?;
    if !(0.0..1.0).contains(&a.thesaurus_dropout) {
        bail!("--thesaurus-dropout must be in [0, 1), got {}", a.thesaurus_dropout);
    }
    // A first pass checks every record, validation data too (a bad one stops training before any
    // work), and counts them for the progress bars; the second extracts features as it reads,
    // keeping no text.
    let n = corpus::count_labeled(&a.data)?;
    let n_valid = if a.valid.is_empty() { 0 } else { corpus::count_labeled(&a.valid)? };
    let started = Instant::now();
    let bar = progress_bar(Some(n as u64), "features");
    let records = corpus::records(&a.data, true);
    let mut detector = pipeline::train(records, &resources, &params, a.thesaurus_dropout, &a.data, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let t = detector.training().clone();
    if !t.converged {
        eprintln!(
            "unspun: warning: the fit did not converge (gradient norm per row {:.2e}); try a larger --alpha or check the data",
            t.gradient_norm_per_row
        );
    }
    if !a.valid.is_empty() {
        let bar = progress_bar(Some(n_valid as u64), "validation");
        let group = a.precision_in_every.as_deref();
        let (scores, labels, groups) =
            pipeline::score_labeled(corpus::records(&a.valid, true), &resources, &detector, group, &|n| bar.inc(n))?;
        bar.finish_and_clear();
        if let Some(target) = a.target_precision {
            let th = match group {
                None => threshold_for_precision(&scores, &labels, target)
                    .with_context(|| format!("no threshold reaches precision {target} on the validation data"))?,
                Some(field) => {
                    let (th, each) = pipeline::threshold_for_precision_in_every(&scores, &labels, &groups, target)
                        .map_err(|m| anyhow::anyhow!("--precision-in-every {field}: {m}"))?;
                    detector.training_mut().notes.insert("threshold_per_group".into(), json!({ field: each }));
                    th
                }
            };
            detector = detector.with_threshold(th)?;
            detector.training_mut().notes.insert("target_precision".into(), json!(target));
        }
        let m = unspun::eval::Metrics::compute(&scores, &labels, detector.threshold());
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

/// Fails early, before minutes of work, when an output file cannot be written: its folder is
/// missing or not writable, or the path is a folder. The write itself stays atomic (temporary file
/// + rename), so a failure then still leaves no partial file.
fn check_output_file(path: &Path, flag: &str) -> Result<()> {
    if path.is_dir() {
        bail!("{}: {flag} is a folder; give a file path, e.g. {}", path.display(), path.join("model.json").display());
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        let problem = if dir.exists() { "is not a folder" } else { "does not exist" };
        bail!("{}: cannot write {flag}: {} {problem}", path.display(), dir.display());
    }
    let probe = dir.join(format!(".unspun-probe-{}", std::process::id()));
    std::fs::File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .with_context(|| format!("{}: cannot write {flag} in {}", path.display(), dir.display()))
}

fn run_eval(a: EvalArgs) -> Result<()> {
    for (flag, target) in [("--target-precision", a.target_precision), ("--target-recall", a.target_recall)] {
        if let Some(t) = target.filter(|t| !(*t > 0.0 && *t <= 1.0)) {
            bail!("{flag} must be above 0 and at most 1, got {t}");
        }
    }
    if a.save_model.is_some() && a.threshold.is_none() && a.target_precision.is_none() && a.target_recall.is_none() {
        bail!("--save-model writes the model with a new threshold: give --threshold, --target-precision or --target-recall");
    }
    // Fail before the (long) scoring when an output cannot be written.
    if let Some(p) = &a.save_model {
        check_output_file(p, "--save-model")?;
    }
    let detector = load_detector(a.model.as_deref(), a.threshold)?;
    let resources = load_resources(&a.resources)?;
    let records = read_labeled(&a.data)?;
    let bar = progress_bar(Some(records.len() as u64), "scoring");
    let ev = pipeline::evaluate(&records, &resources, &detector, &|n| bar.inc(n));
    bar.finish_and_clear();
    let (threshold, threshold_from) = if let Some(p) = a.target_precision {
        let t = threshold_for_precision(&ev.scores, &ev.labels, p)
            .with_context(|| format!("no threshold reaches precision {p} on these data"))?;
        (t, format!("the lowest reaching precision {p} on these data"))
    } else if let Some(r) = a.target_recall {
        let t = unspun::eval::threshold_for_recall(&ev.scores, &ev.labels, r)
            .with_context(|| format!("no threshold reaches recall {r} on these data"))?;
        (t, format!("the highest reaching recall {r} on these data"))
    } else if a.threshold.is_some() {
        (detector.threshold(), "set with --threshold".to_string())
    } else {
        (detector.threshold(), "the model's".to_string())
    };
    let report = ev.report(&records, &a.group_by, threshold)?;
    let data: Vec<String> = a.data.iter().map(|p| p.display().to_string()).collect();
    if let Some(path) = &a.save_model {
        let mut copy = detector.clone().with_threshold(threshold)?;
        copy.training_mut().notes.insert("threshold_from".into(), json!(format!("unspun eval: {threshold_from} ({})", data.join(", "))));
        copy.save(path)?;
        eprintln!("wrote {} with threshold {threshold:.4} ({threshold_from})", path.display());
    }
    if let Some(dir) = &a.report {
        let model = a.model.as_ref().map_or_else(|| "the embedded default model".to_string(), |p| format!("`{}`", p.display()));
        let about = unspun::report::About { data, model, threshold_from };
        ev.write_report(dir, &records, &resources, &report, &about)?;
        eprintln!("wrote the report to {}", dir.display());
    }
    let text = match a.format.as_str() {
        "json" => unspun::report::json(&report),
        "csv" => unspun::report::csv(&report),
        _ => unspun::report::text(&report),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

// ---------------------------------------------------------------- data building

fn run_reference_build(a: ReferenceBuildArgs) -> Result<()> {
    set_threads(a.threads)?;
    if a.corpus.is_empty() && a.counts.is_empty() && a.arpa.is_empty() {
        bail!("nothing to count: give --corpus, --counts and/or --arpa files (the corpora live in ../shared/data; see data/README.md)");
    }
    let mut budget = Budget::default();
    if let Some(m) = &a.max_entries {
        let [uni, bi, tri, frames] = m[..] else { bail!("--max-entries takes four numbers: unigrams,bigrams,trigrams,frames") };
        budget.max_entries = [uni, bi, tri, frames];
    }
    let weights = match a.arpa_weight.len() {
        1 => vec![a.arpa_weight[0]; a.arpa.len()],
        n if n == a.arpa.len() => a.arpa_weight.clone(),
        n => bail!("--arpa-weight gives {n} weights for {} --arpa models: give one for all or one per model", a.arpa.len()),
    };
    if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        bail!("--arpa-weight {w}: weights must be positive");
    }
    let opts = pipeline::ReferenceOptions {
        budget,
        counts: a.counts.clone(),
        counts_weight: a.counts_weight,
        language_models: a.arpa.iter().cloned().zip(weights).collect(),
        min_documents: a.min_documents.unwrap_or(if a.base.is_some() { 2 } else { 1 }),
        base: a.base.clone(),
        all_documents: a.all_documents,
    };
    let started = Instant::now();
    let bar = progress_bar(None, "documents counted");
    let reference = pipeline::build_reference(&a.corpus, &opts, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    reference.save(&a.out)?;
    let size = std::fs::metadata(&a.out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "counted {} words; kept {} unigrams, {} bigrams, {} trigrams, {} frames; wrote {} ({:.1} MB) in {:.0}s",
        reference.tokens(),
        reference.entries(1),
        reference.entries(2),
        reference.entries(3),
        reference.entries(4),
        a.out.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_corpus(a: CorpusArgs) -> Result<()> {
    set_threads(a.threads)?;
    let [lo, hi] = a.rate_range[..] else { bail!("--rate-range takes two numbers, LO,HI") };
    if !(0.0..=1.0).contains(&lo) || !(lo..=1.0).contains(&hi) {
        bail!("--rate-range needs 0 <= LO <= HI <= 1, got {lo},{hi}");
    }
    let mut opts = pipeline::CorpusOptions {
        chunks_per_document: a.chunks_per_doc,
        seed: a.seed,
        rate_range: (lo, hi),
        all_documents: a.all_documents,
        ..Default::default()
    };
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
    if let Some(p) = &a.alignment {
        check_output_file(p, "--alignment")?;
    }
    let thesaurus = embedded::thesaurus(profile.thesaurus)?;
    let spinner = unspun::spin::Spinner::new(&thesaurus, profile);
    let mut out = io::BufWriter::new(io::stdout().lock());
    if a.jsonl {
        return spin_jsonl(&a, &spinner, &mut out);
    }
    let mut alignment = Vec::new();
    for doc in read_documents(&a.paths)? {
        let spun = spinner.spin(&doc.text, a.seed);
        out.write_all(spun.text.as_bytes())?;
        if !spun.text.ends_with('\n') {
            writeln!(out)?;
        }
        serde_json::to_writer(&mut alignment, &Alignment { id: &doc.id, swaps: &spun.swaps })?;
        alignment.push(b'\n');
    }
    out.flush()?;
    if let Some(path) = &a.alignment {
        unspun::reference::write_atomically(path, &alignment)?;
    }
    Ok(())
}

/// `spin --jsonl`: records in, spun records out (one line each, in order).
fn spin_jsonl(a: &SpinArgs, spinner: &unspun::spin::Spinner<'_>, out: &mut impl Write) -> Result<()> {
    #[derive(serde::Serialize)]
    struct SpunRecord<'a> {
        id: &'a str,
        text: &'a str,
        label: &'static str,
        profile: &'a str,
        rate: f64,
        swaps: &'a [unspun::spin::Swap],
    }
    let inputs: Vec<PathBuf> = if a.paths.is_empty() { vec![PathBuf::from("-")] } else { a.paths.clone() };
    for path in inputs {
        let records: Box<dyn Iterator<Item = unspun::Result<Record>>> = if path.as_os_str() == "-" {
            Box::new(corpus::read_jsonl(io::BufReader::new(io::stdin()), PathBuf::from("<stdin>"), false))
        } else {
            corpus::read(&path, false)?
        };
        for r in records {
            let r = r?;
            let spun = spinner.spin(&r.text, a.seed ^ unspun::reference::hash_word(&r.id));
            let rec =
                SpunRecord { id: &r.id, text: &spun.text, label: "spun", profile: &a.profile, rate: spinner.rate(), swaps: &spun.swaps };
            serde_json::to_writer(&mut *out, &rec)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn run_features(a: FeaturesArgs) -> Result<()> {
    let resources = load_resources(&a.resources)?;
    // A first pass checks and counts the records (a bad one stops before any output); the second
    // extracts and writes batch by batch, keeping no text.
    let n = corpus::count_records(&a.data, false)?;
    let bar = progress_bar(Some(n as u64), "features");
    let extractor = resources.extractor();
    let mut w = csv::Writer::from_writer(io::BufWriter::new(io::stdout().lock()));
    let mut header = vec!["id".to_string(), "label".to_string()];
    header.extend(unspun::FEATURES.iter().map(|f| f.name.to_string()));
    w.write_record(&header)?;
    pipeline::in_batches(corpus::records(&a.data, false), |batch| -> Result<()> {
        let texts: Vec<&str> = batch.iter().map(|r| r.text.as_str()).collect();
        let rows = pipeline::extract_batch(&extractor, &texts, &|n| bar.inc(n));
        for (r, row) in batch.iter().zip(&rows) {
            let mut fields = vec![r.id.clone(), r.label.map_or(String::new(), |l| if l { "spun".into() } else { "original".into() })];
            fields.extend(row.iter().map(|v| v.to_string()));
            w.write_record(&fields)?;
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    w.flush()?;
    Ok(())
}

/// One line of `spin --alignment` output.
#[derive(serde::Serialize)]
struct Alignment<'a> {
    id: &'a str,
    swaps: &'a [unspun::spin::Swap],
}

fn run_restore(a: RestoreArgs) -> Result<()> {
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

fn run_eval_spans(a: EvalSpansArgs) -> Result<()> {
    let resources = load_resources(&a.resources)?;
    let records = read_labeled(&a.data)?;
    let bar = progress_bar(Some(records.len() as u64), "explaining");
    let r = pipeline::evaluate_spans(&records, &resources, &|n| bar.inc(n));
    bar.finish_and_clear();
    if r.swaps == 0 {
        bail!("no gold swaps in the data: evaluate spans on files written by `unspun corpus` (their spun records carry \"swaps\")");
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    if a.format == Format::Text {
        writeln!(out, "{} spun documents with {} known swaps; {} original documents", r.spun_documents, r.swaps, r.original_documents)?;
        writeln!(out, "  swaps found by a span         {:.4}  ({} of {})", r.swap_recall, r.swaps_found, r.swaps)?;
        writeln!(out, "  spans that are on a swap      {:.4}  ({} of {})", r.span_precision, r.spans_on_swaps, r.spans)?;
        writeln!(
            out,
            "  suggestion = original word    {:.4}  ({} of {} found)",
            r.suggestion_accuracy, r.suggestions_right, r.swaps_found
        )?;
        writeln!(out, "  spans per 100 original words  {:.3}", r.original_spans_per_100_words)?;
    } else {
        serde_json::to_writer_pretty(&mut out, &r)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

fn run_train_swaps(a: TrainSwapsArgs) -> Result<()> {
    if !(a.max_false_flags.is_finite() && a.max_false_flags >= 0.0) {
        bail!("--max-false-flags must be a number >= 0, got {}", a.max_false_flags);
    }
    check_output_file(&a.out, "--out")?;
    let resources = load_resources(&a.resources)?;
    let (train, valid) = (read_labeled(&a.data)?, read_labeled(&a.valid)?);
    let started = Instant::now();
    let bar = progress_bar(Some((train.len() + valid.len()) as u64), "candidates");
    let (mut model, v) = pipeline::train_swap_model(
        &train,
        &valid,
        &resources,
        a.alpha,
        (!a.features.is_empty()).then(|| a.features.clone()),
        a.max_false_flags,
        &|n| bar.inc(n),
    )?;
    bar.finish_and_clear();
    let notes = model.notes_mut();
    notes.insert("data".into(), a.data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().into());
    notes.insert("valid_data".into(), a.valid.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().into());
    model.save(&a.out)?;
    let ratio = |x: usize| x as f64 / v.swaps.max(1) as f64;
    eprintln!(
        "trained the swap model in {:.1}s; threshold {:.4}; validation: {} swaps, found {:.3}, restored {:.3}, {:.2} false flags per 100 original words; wrote {}",
        started.elapsed().as_secs_f64(),
        v.threshold,
        v.swaps,
        ratio(v.found),
        ratio(v.restored),
        v.false_flags_per_100_words,
        a.out.display()
    );
    Ok(())
}
