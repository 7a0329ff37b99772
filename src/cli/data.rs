//! The data-building commands: `unspun reference build`, `corpus`, `spin` and `features`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use unspun::corpus::{self, Record};
use unspun::embedded;
use unspun::pipeline;
use unspun::reference::Budget;

use super::args::{check_output_file, load_resources, set_threads, ResourceArgs};
use super::input::read_documents;
use super::progress_bar;

/// Example under `unspun reference build --help`.
pub(super) const REFERENCE_BUILD_HELP: &str = "Example:
  unspun reference build --corpus ../shared/data/enwiki2015-half.jsonl.gz \\
      --corpus ../shared/data/ungdc-1990on.jsonl.gz \\
      --counts build/web/unigrams.tsv --counts build/web/bigrams.tsv --out data/reference.bin

Only documents of the reference split (70% of ids, by hash) are counted, so that the rest can
serve as training and test originals; --all-documents counts everything.";

/// Examples under `unspun corpus --help`.
pub(super) const CORPUS_HELP: &str = "Examples:
  unspun corpus --source ../shared/data/enwiki2015-half.jsonl.gz --out build/corpus --profiles careful,phrase

  # a detector for your own domain, from originals you have (JSON Lines with id and text):
  unspun corpus --source my-originals.jsonl --all-documents --out build/mine --profiles careful,phrase
  unspun train --data build/mine/train.jsonl.gz --valid build/mine/valid.jsonl.gz \\
      --target-precision 0.98 --out mine.model.json";

/// Example under `unspun features --help`.
pub(super) const FEATURES_HELP: &str = "Example:
  unspun features --data test.jsonl.gz > features.csv";

/// Examples under `unspun spin --help`.
pub(super) const SPIN_HELP: &str = "Examples:
  unspun spin --profile careless --rate 0.3 --seed 7 article.txt
  echo 'The foreign minister told reporters.' | unspun spin --rate 1 -";

#[derive(Subcommand)]
pub(super) enum ReferenceCommand {
    /// Count words, bigrams and trigrams of corpora (+ count lists) into a compact reference file
    #[command(after_help = REFERENCE_BUILD_HELP)]
    Build(ReferenceBuildArgs),
}

#[derive(Args)]
pub(super) struct ReferenceBuildArgs {
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
pub(super) struct CorpusArgs {
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
    /// Spin rates are drawn uniformly from LO..HI (e.g. 0.1,0.1 for a fixed rate; the heavy and
    /// light families use their own ranges)
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
    /// Share of spun items spun consistently: each word or phrase decided once per document,
    /// swapped the same way everywhere or nowhere, as dictionary spinners do
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    consistent_share: f64,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Args)]
pub(super) struct FeaturesArgs {
    /// Data files (CSV, JSON Lines, folders; labels optional) (repeatable)
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Args)]
pub(super) struct SpinArgs {
    /// Text files to spin; `-` reads standard input [default: -]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Spinner profile: careful (WordNet), careless (Moby), phrase (MyThes), papermill (tortured
    /// phrases), dictionary (multi-word rewrites, consistent), senseblind (any sense, function
    /// words too), heavy (rates 0.5-0.8), partial (half the paragraphs), light (1-6% of words)
    #[arg(long, default_value = "careful")]
    profile: String,
    /// Share of eligible words swapped [default: the profile's, 0.3]
    #[arg(long)]
    rate: Option<f64>,
    /// Decide each word or phrase once per document: swapped the same way everywhere, or nowhere
    /// (as dictionary spinners do)
    #[arg(long)]
    consistent: bool,
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

pub(super) fn run_reference_build(a: ReferenceBuildArgs) -> Result<()> {
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

pub(super) fn run_corpus(a: CorpusArgs) -> Result<()> {
    set_threads(a.threads)?;
    let [lo, hi] = a.rate_range[..] else { bail!("--rate-range takes two numbers, LO,HI") };
    if !(0.0..=1.0).contains(&lo) || !(lo..=1.0).contains(&hi) {
        bail!("--rate-range needs 0 <= LO <= HI <= 1, got {lo},{hi}");
    }
    if !(0.0..=1.0).contains(&a.consistent_share) {
        bail!("--consistent-share needs a share between 0 and 1, got {}", a.consistent_share);
    }
    let mut opts = pipeline::CorpusOptions {
        chunks_per_document: a.chunks_per_doc,
        seed: a.seed,
        rate_range: (lo, hi),
        all_documents: a.all_documents,
        consistent_share: a.consistent_share,
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

pub(super) fn run_spin(a: SpinArgs) -> Result<()> {
    let mut profile = unspun::spin::profile(&a.profile)
        .with_context(|| {
            let known: Vec<&str> = unspun::spin::PROFILES.iter().map(|p| p.name).collect();
            format!("unknown profile {:?}; known: {}", a.profile, known.join(", "))
        })?
        .clone();
    if let Some(r) = a.rate {
        if !(0.0..=1.0).contains(&r) {
            bail!("--rate must be between 0 and 1, got {r}");
        }
        profile.rate = r;
    }
    profile.family.consistent |= a.consistent;
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

pub(super) fn run_features(a: FeaturesArgs) -> Result<()> {
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
