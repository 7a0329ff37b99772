//! Writes the detector's default thesaurus (the embedded `DETECTOR_THESAURI` files merged) in
//! compiled form, the file the binary embeds as `data/thesaurus/detector.bin`:
//!
//!     cargo run --release --example compile_thesaurus -- data/thesaurus/detector.bin
//!
//! `scripts/build_thesaurus.sh` runs it after rebuilding the thesaurus files; then rebuild the
//! binary so that it embeds the new file.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: compile_thesaurus OUT (e.g. data/thesaurus/detector.bin)")?);
    let thesaurus = unspun::embedded::merged_detector_thesaurus()?;
    let bytes = thesaurus.to_compiled();
    unspun::reference::write_atomically(&out, &bytes)?;
    eprintln!("wrote {}: {} phrases, {} bytes", out.display(), thesaurus.phrases().len(), bytes.len());
    Ok(())
}
