//! The `unspun` command: parses arguments, converts them to library types, calls one library
//! function per subcommand and prints the result. Exit codes: 0 success, 2 error.
//!
//! This file owns the command table and the exit codes; each subcommand's flags, help text and
//! run function live in its own file, the flags and conversions they share in `args.rs`, reading
//! documents in `input.rs`.

use std::io::{self, IsTerminal, Write};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

/// `eprintln!` that cannot panic: a warning to a closed stderr (`unspun ... 2>&1 | head`) is
/// dropped, so the run still ends as a closed pipe should (exit 0), not with a panic.
macro_rules! warn {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod data;
mod docs;
mod eval;
mod input;
mod restore;
mod score;
#[cfg(feature = "serve")]
mod serve;
mod train;

/// Examples under the top-level help.
const AFTER_HELP: &str = "Examples:
  unspun score article.txt                verdict and probability
  unspun score --explain article.txt      ...and the phrases that look spun
  cat docs.jsonl | unspun score --jsonl   JSON Lines in ({\"id\",\"text\"}) and out
  unspun train --data labeled.csv --out my.model.json
  unspun eval --data test.jsonl.gz --model my.model.json

Exit status: 0 on success, 2 on error.";

#[derive(Parser)]
#[command(
    name = "unspun",
    version,
    about = "Tell original writing from spun text (article-spinner output), and show which phrases look spun",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score documents: probability of being spun, verdict, and (with --explain) the spun-looking phrases
    #[command(after_help = score::SCORE_HELP)]
    Score(score::ScoreArgs),
    /// Train a detector on labeled data (CSV, JSON Lines, or a folder with spun/ and original/)
    #[command(after_help = train::TRAIN_HELP)]
    Train(train::TrainArgs),
    /// Evaluate a model on labeled data: metrics, threshold sweep, slices, reports with plots
    #[command(after_help = eval::EVAL_HELP)]
    Eval(eval::EvalArgs),
    /// Build the reference n-gram counts from corpora (needs the corpora; see data/README.md)
    #[command(subcommand)]
    Reference(data::ReferenceCommand),
    /// Build labeled train/valid/test sets by spinning source documents (the shared corpora, or your
    /// own originals with --all-documents)
    #[command(after_help = data::CORPUS_HELP)]
    Corpus(data::CorpusArgs),
    /// Print the likely original wording of a spun text: confident suggestions applied
    #[command(after_help = restore::RESTORE_HELP)]
    Restore(restore::RestoreArgs),
    /// Measure how well --explain finds known swaps (data with gold `swaps`, as `unspun corpus` writes)
    #[command(name = "eval-spans", after_help = eval::EVAL_SPANS_HELP)]
    EvalSpans(eval::EvalSpansArgs),
    /// Train the word-level swap model that picks --explain spans, on data with gold `swaps`
    #[command(name = "train-swaps", after_help = train::TRAIN_SWAPS_HELP)]
    TrainSwaps(train::TrainSwapsArgs),
    /// Write the feature vectors of labeled or unlabeled data as CSV (for analysis or other models)
    #[command(after_help = data::FEATURES_HELP)]
    Features(data::FeaturesArgs),
    /// Spin text with the built-in spinner (for making training data)
    #[command(after_help = data::SPIN_HELP)]
    Spin(data::SpinArgs),
    /// Serve scoring and restoring over HTTP (JSON), with a page that highlights what looks spun
    #[cfg(feature = "serve")]
    #[command(after_help = serve::SERVE_HELP)]
    Serve(serve::ServeArgs),
    /// Print a shell completion script (bash, zsh, fish or powershell)
    #[command(after_help = docs::COMPLETIONS_HELP)]
    Completions(docs::CompletionsArgs),
    /// Print the man page (roff), or write one per subcommand with --out
    #[command(after_help = docs::MAN_HELP)]
    Man(docs::ManArgs),
}

pub fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(a) => score::run_score(a),
        Command::Train(a) => train::run_train(a),
        Command::Eval(a) => eval::run_eval(a),
        Command::Reference(data::ReferenceCommand::Build(a)) => data::run_reference_build(a),
        Command::Corpus(a) => data::run_corpus(a),
        Command::Features(a) => data::run_features(a),
        Command::Restore(a) => restore::run_restore(a),
        Command::EvalSpans(a) => eval::run_eval_spans(a),
        Command::TrainSwaps(a) => train::run_train_swaps(a),
        Command::Spin(a) => data::run_spin(a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => serve::run_serve(a),
        Command::Completions(a) => docs::run_completions(a),
        Command::Man(a) => docs::run_man(a),
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

pub(super) fn progress_bar(len: Option<u64>, what: &str) -> ProgressBar {
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
