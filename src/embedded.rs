//! The artifacts shipped inside the binary, so `unspun score file.txt` works from any directory:
//! the reference counts, the thesauri and the default model (see `data/README.md` and
//! `models/README.md` for how each is rebuilt).

use std::path::Path;

use crate::error::{Error, Result};
use crate::features::SwapModel;
use crate::model::Detector;
use crate::reference::Reference;
use crate::thesaurus::{KnownPhrases, Thesaurus};
use crate::vectors::Vectors;

/// Reference n-gram counts (`data/reference.bin`).
pub static REFERENCE: &[u8] = include_bytes!("../data/reference.bin");
/// Word vectors and neighbours (`data/vectors.bin`; empty in a build without them).
pub static VECTORS: &[u8] = include_bytes!("../data/vectors.bin");
/// The default model (`models/default.json`).
pub static MODEL: &[u8] = include_bytes!("../models/default.json");
/// The default word-level swap model (`models/swaps.json`; empty in a build without one).
pub static SWAP_MODEL: &[u8] = include_bytes!("../models/swaps.json");
/// Thesauri by source name, each an `unspun-thesaurus` file (`data/thesaurus/`).
pub static THESAURI: &[(&str, &[u8])] = &[
    ("wordnet", include_bytes!("../data/thesaurus/wordnet.tsv.gz")),
    ("mythes", include_bytes!("../data/thesaurus/mythes.tsv.gz")),
    ("moby", include_bytes!("../data/thesaurus/moby.tsv.gz")),
    ("tortured", include_bytes!("../data/thesaurus/tortured.tsv.gz")),
    ("tortured-words", include_bytes!("../data/thesaurus/tortured-words.tsv.gz")),
];
/// The detector's default thesaurus, compiled ([`DETECTOR_THESAURI`] merged; `data/thesaurus/detector.bin`,
/// rebuilt by `scripts/build_thesaurus.sh`; empty in a build without it, which then merges the files).
pub static DETECTOR_THESAURUS: &[u8] = include_bytes!("../data/thesaurus/detector.bin");
/// The embedded known spun phrases: the `tortured` entry of [`THESAURI`] (spun phrase → original).
pub const KNOWN_PHRASES: &str = "tortured";
/// The thesauri the detector's features use by default. Moby is left out on purpose: it is the
/// thesaurus of the `careless` spinner profile, which the default model never sees, so evaluation
/// on that profile measures a spinner whose thesaurus the detector does not know. `tortured-words`
/// is the word-level dictionary the tortured phrases reveal ("profound" for *deep*): real
/// spinners' swaps that WordNet and MyThes lack.
pub const DETECTOR_THESAURI: &[&str] = &["wordnet", "mythes", "tortured-words"];

fn missing(what: &str, rebuild: &str) -> Error {
    Error::artifact(
        Path::new("<embedded>"),
        format!("this build has no embedded {what}; rebuild it with `{rebuild}` and recompile, or pass a file"),
    )
}

/// The embedded reference.
pub fn reference() -> Result<Reference> {
    if REFERENCE.is_empty() {
        return Err(missing("reference", "scripts/build_reference.sh"));
    }
    Reference::from_bytes(REFERENCE, Path::new("<embedded reference>"))
}

/// The embedded default model.
pub fn detector() -> Result<Detector> {
    if MODEL.is_empty() {
        return Err(missing("model", "scripts/train_default.sh"));
    }
    Detector::from_json(MODEL, Path::new("<embedded model>"))
}

/// The embedded swap model, if this build has one.
pub fn swap_model() -> Result<Option<SwapModel>> {
    if SWAP_MODEL.is_empty() {
        return Ok(None);
    }
    SwapModel::from_json(SWAP_MODEL, Path::new("<embedded swap model>")).map(Some)
}

/// The embedded word vectors, if this build has them.
pub fn vectors() -> Result<Option<Vectors>> {
    if VECTORS.is_empty() {
        return Ok(None);
    }
    Vectors::from_bytes(VECTORS, Path::new("<embedded word vectors>")).map(Some)
}

/// The embedded known spun phrases ([`KNOWN_PHRASES`]).
pub fn known_phrases() -> Result<KnownPhrases> {
    let (_, bytes) = THESAURI.iter().find(|(n, _)| *n == KNOWN_PHRASES).expect("listed above");
    let mut k = KnownPhrases::default();
    k.add_reader(*bytes, Path::new("<embedded known phrases>"))?;
    Ok(k)
}

/// One embedded thesaurus by source name (`wordnet`, `mythes`, `moby`).
pub fn thesaurus(name: &str) -> Result<Thesaurus> {
    let mut t = Thesaurus::new();
    add_thesaurus(&mut t, name)?;
    Ok(t)
}

/// The detector's default thesaurus: [`DETECTOR_THESAURI`] merged, read from its compiled form
/// ([`DETECTOR_THESAURUS`]; about a fifth of the time merging the files takes).
pub fn detector_thesaurus() -> Result<Thesaurus> {
    if DETECTOR_THESAURUS.is_empty() {
        return merged_detector_thesaurus();
    }
    Thesaurus::from_compiled(DETECTOR_THESAURUS, Path::new("<embedded detector thesaurus>"))
}

/// [`DETECTOR_THESAURI`] merged from the embedded files (what [`DETECTOR_THESAURUS`] compiles).
pub fn merged_detector_thesaurus() -> Result<Thesaurus> {
    let mut t = Thesaurus::new();
    for name in DETECTOR_THESAURI {
        add_thesaurus(&mut t, name)?;
    }
    Ok(t)
}

fn add_thesaurus(t: &mut Thesaurus, name: &str) -> Result<()> {
    let (_, bytes) = THESAURI.iter().find(|(n, _)| *n == name).ok_or_else(|| {
        Error::Invalid(format!(
            "no embedded thesaurus {name:?}; available: {}",
            THESAURI.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ))
    })?;
    t.add_reader(*bytes, Path::new(&format!("<embedded {name} thesaurus>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_detector_thesaurus_is_the_merged_files() {
        assert!(!DETECTOR_THESAURUS.is_empty(), "data/thesaurus/detector.bin is empty: run scripts/build_thesaurus.sh");
        let merged = merged_detector_thesaurus().unwrap();
        assert!(
            DETECTOR_THESAURUS == merged.to_compiled().as_slice(),
            "data/thesaurus/detector.bin is stale (the thesaurus files or the normalisation changed): run scripts/build_thesaurus.sh"
        );
        let compiled = detector_thesaurus().unwrap();
        assert_eq!(compiled.phrases(), merged.phrases());
        assert_eq!(compiled.sources(), merged.sources());
        for id in 0..merged.phrases().len() as u32 {
            assert_eq!(compiled.synonym_ids_of(id), merged.synonym_ids_of(id));
        }
    }
}
