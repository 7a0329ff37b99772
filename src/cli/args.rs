//! Flags that several subcommands share, and the one conversion step that validates them and
//! opens what they name (resources, models, output paths).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, ValueEnum};

use unspun::pipeline::{Resources, SwapModelSource};
use unspun::{embedded, Detector};

#[derive(Args)]
pub(super) struct ResourceArgs {
    /// Reference n-gram file [default: the embedded one]
    #[arg(long, value_name = "PATH")]
    reference: Option<PathBuf>,
    /// Thesaurus file(s) in the unspun-thesaurus format [default: the embedded WordNet + MyThes + tortured-phrase words]
    #[arg(long, value_name = "PATH")]
    thesaurus: Vec<PathBuf>,
    /// Word-level swap model that picks --explain spans (`unspun train-swaps`) [default: the
    /// embedded one]; `none` reports candidates by oddity alone (above 4 nats)
    #[arg(long, value_name = "PATH")]
    pub(super) swap_model: Option<PathBuf>,
    /// Your own list of known spun phrases with their originals, added to the embedded tortured
    /// phrases (repeatable): an unspun-thesaurus file whose heads are the spun phrases, e.g. a first
    /// line `unspun-thesaurus<TAB>1<TAB>mine<TAB>licence`, then `overseas minister<TAB>foreign minister`
    #[arg(long, value_name = "PATH")]
    known_phrases: Vec<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// How many spans `--explain` reports (score, eval-spans, serve).
#[derive(Args)]
pub(super) struct SpanArgs {
    /// Least p_swap of a reported span, the same in every document [default: the swap model's
    /// two thresholds, a lower one in documents judged spun]: higher reports fewer, surer spans,
    /// lower finds more swaps and flags more honest words (`unspun eval-spans --sweep` measures
    /// both on your data)
    #[arg(long, value_name = "P")]
    pub(super) swap_threshold: Option<f64>,
}

impl SpanArgs {
    /// Puts `--swap-threshold` into the resources' swap model.
    pub(super) fn apply(&self, r: &mut Resources) -> Result<()> {
        let Some(p) = self.swap_threshold else { return Ok(()) };
        let Some(model) = r.swap_model.take() else {
            bail!("--swap-threshold needs a swap model: --swap-model none reports spans by oddity alone");
        };
        r.swap_model = Some(model.with_threshold(p).map_err(|e| anyhow!("--swap-threshold: {e}"))?);
        Ok(())
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(super) enum Format {
    Text,
    Json,
    Jsonl,
}

pub(super) fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot start the thread pool")?;
    }
    Ok(())
}

pub(super) fn load_resources(a: &ResourceArgs) -> Result<Resources> {
    set_threads(a.threads)?;
    let swaps = match a.swap_model.as_deref() {
        Some(p) if p == Path::new("none") => SwapModelSource::None,
        Some(p) => SwapModelSource::File(p),
        None => SwapModelSource::Embedded,
    };
    let mut r = Resources::load(a.reference.as_deref(), &a.thesaurus, swaps)?;
    for p in &a.known_phrases {
        let f = std::fs::File::open(p).with_context(|| format!("{}: cannot open the known-phrase list", p.display()))?;
        r.known_phrases.add_reader(f, p)?;
    }
    Ok(r)
}

pub(super) fn load_detector(model: Option<&Path>, threshold: Option<f64>) -> Result<Detector> {
    let d = match model {
        Some(p) => Detector::load(p)?,
        None => embedded::detector()?,
    };
    Ok(match threshold {
        Some(t) => d.with_threshold(t)?,
        None => d,
    })
}

/// Fails early, before minutes of work, when an output file cannot be written: its folder is
/// missing or not writable, or the path is a folder. The write itself stays atomic (temporary file
/// + rename), so a failure then still leaves no partial file.
pub(super) fn check_output_file(path: &Path, flag: &str) -> Result<()> {
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
