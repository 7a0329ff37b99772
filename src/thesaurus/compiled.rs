//! The compiled form of a thesaurus: its phrases and synonym lists as loading left them, in an
//! artifact container (`artifact.rs`). Reading it skips what makes loading the text files slow
//! (decompressing, normalising every phrase, looking each up as it comes): the detector's default
//! thesaurus ships compiled (`data/thesaurus/detector.bin`, `scripts/build_thesaurus.sh`).
//!
//! Sections: `sources` (the files' source names, one per line), `phrases` (each phrase's
//! normalised text, one per line, by id), `offsets` (u32 LE, one more than phrases: phrase `i`'s
//! synonym ids are `links[offsets[i]..offsets[i + 1]]`) and `links` (u32 LE phrase ids). The word
//! hashes, look-up tables and inflections are recomputed on reading, exactly as loading the text
//! files computes them.

use std::path::Path;
use std::sync::Arc;

use super::{Lexicon, Phrase, Thesaurus, MAX_PHRASE_WORDS};
use crate::artifact::{self, Artifact};
use crate::error::{Error, Result};
use crate::reference::hash_word;

/// Format name of a compiled thesaurus in the artifact container.
pub const COMPILED_FORMAT: &str = "unspun-thesaurus-compiled";
/// Version of the compiled layout this build reads and writes.
pub const COMPILED_VERSION: u32 = 1;

impl Thesaurus {
    /// This thesaurus in compiled form (see the module's documentation); [`Thesaurus::from_compiled`]
    /// reads it back as an equal thesaurus, with the same ids.
    pub fn to_compiled(&self) -> Vec<u8> {
        let phrases: Vec<&str> = self.lexicon.phrases.iter().map(|p| &*p.text).collect();
        let mut offsets = Vec::with_capacity(4 * (self.links.len() + 1));
        let mut links = Vec::new();
        offsets.extend_from_slice(&0u32.to_le_bytes());
        for list in &self.links {
            links.extend(list.iter().flat_map(|id| id.to_le_bytes()));
            offsets.extend_from_slice(&((links.len() / 4) as u32).to_le_bytes());
        }
        artifact::to_bytes(
            COMPILED_FORMAT,
            COMPILED_VERSION,
            &[
                ("sources", self.sources.join("\n").as_bytes()),
                ("phrases", phrases.join("\n").as_bytes()),
                ("offsets", &offsets),
                ("links", &links),
            ],
        )
    }

    /// Reads a compiled thesaurus ([`Thesaurus::to_compiled`]); `origin` names it in errors.
    pub fn from_compiled(bytes: &[u8], origin: &Path) -> Result<Thesaurus> {
        let bad = |m: &str| Error::artifact(origin, format!("{m}; rebuild it with scripts/build_thesaurus.sh"));
        let a = Artifact::parse(bytes, origin, COMPILED_FORMAT, COMPILED_VERSION)?;
        let text = |name: &str| -> Result<&str> {
            std::str::from_utf8(a.section(name)?).map_err(|_| bad(&format!("the {name} section is not UTF-8")))
        };
        let u32s = |name: &str| -> Result<Vec<u32>> {
            let b = a.section(name)?;
            if b.len() % 4 != 0 {
                return Err(bad(&format!("the {name} section is not a list of u32")));
            }
            Ok(b.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect())
        };
        // (`join("\n")` of no lines is empty, not one empty line.)
        fn lines(s: &str) -> Vec<&str> {
            if s.is_empty() {
                Vec::new()
            } else {
                s.split('\n').collect()
            }
        }
        let (sources, phrases) = (lines(text("sources")?), lines(text("phrases")?));
        let (offsets, ids) = (u32s("offsets")?, u32s("links")?);
        let n = phrases.len();
        if offsets.len() != n + 1 || offsets[0] != 0 || offsets.windows(2).any(|w| w[0] > w[1]) || offsets[n] as usize != ids.len() {
            return Err(bad("inconsistent synonym list offsets"));
        }
        if ids.iter().any(|&id| id as usize >= n) {
            return Err(bad("a synonym id is out of range"));
        }
        let mut lexicon = Lexicon::default();
        lexicon.phrases.reserve(n);
        lexicon.index.reserve(n);
        lexicon.by_key.reserve(n);
        lexicon.inflections.reserve(n);
        for text in phrases {
            let words: Box<[u64]> = text.split(' ').map(hash_word).collect();
            if words.len() > MAX_PHRASE_WORDS || text.split(' ').any(str::is_empty) {
                return Err(bad(&format!("bad phrase {text:?}")));
            }
            lexicon.add(Phrase { text: text.into(), words });
        }
        let links = offsets.windows(2).map(|w| ids[w[0] as usize..w[1] as usize].to_vec()).collect();
        let sources = sources.into_iter().map(str::to_string).collect();
        Ok(Thesaurus { lexicon: Arc::new(lexicon), links, sources })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compiled_thesaurus_reads_back_equal_and_damage_is_refused() {
        let mut t = Thesaurus::new();
        t.add("foreign", &["overseas", "alien"]);
        t.add("bank", &["financial institution"]);
        t.add("Foreign Minister", &["secretary of state"]);
        t.sources.push("test".into());
        let bytes = t.to_compiled();
        let back = Thesaurus::from_compiled(&bytes, Path::new("t.bin")).unwrap();
        assert_eq!(back.phrases(), t.phrases());
        assert_eq!(back.links, t.links);
        assert_eq!(back.sources(), ["test"]);
        assert_eq!(back.lexicon.inflections, t.lexicon.inflections);
        for head in ["foreign", "overseas", "bank", "financial institution", "foreign minister", "banks"] {
            assert_eq!(back.synonyms(head), t.synonyms(head), "{head}");
        }
        assert_eq!(back.synonyms("financial institution"), ["bank"]);
        let texts = |v: Vec<super::super::Inflected<'_>>| v.iter().map(|i| i.text()).collect::<Vec<_>>();
        assert_eq!(texts(back.inflected_synonyms("banks")), ["financial institutions"]);
        assert_eq!(Thesaurus::from_compiled(&Thesaurus::new().to_compiled(), Path::new("e.bin")).unwrap().phrases(), []);
        let mut damaged = bytes.clone();
        damaged[30] ^= 1;
        assert!(Thesaurus::from_compiled(&damaged, Path::new("t.bin")).unwrap_err().to_string().contains("checksum"));
        // A well-formed container whose lists point past the phrases.
        let bad = artifact::to_bytes(
            COMPILED_FORMAT,
            COMPILED_VERSION,
            &[("sources", b""), ("phrases", b"a"), ("offsets", &[0, 0, 0, 0, 1, 0, 0, 0]), ("links", &[7, 0, 0, 0])],
        );
        assert!(Thesaurus::from_compiled(&bad, Path::new("b.bin")).unwrap_err().to_string().contains("out of range"));
    }
}
