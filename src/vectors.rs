//! Word vectors: a compact distributional model of the reference corpora (PPMI + SVD, int8) and
//! each word's nearest neighbours, so that the detector can propose words a spinner's thesaurus
//! may have had and ours lacks ("stop" for *end*, "individual" for *person*). Built by
//! `scripts/build_vectors.py`; stored in an [`crate::artifact`] container of format
//! `unspun-vectors`.

use std::collections::HashMap;
use std::path::Path;

use crate::artifact::Artifact;
use crate::error::{Error, Result};
use crate::reference::{hash_word, KeyHasher};

/// Format name of word-vector files.
pub const FORMAT: &str = "unspun-vectors";
/// Version of the word-vector format this build reads.
pub const VERSION: u32 = 1;

/// Word vectors with precomputed nearest neighbours.
#[derive(Debug, Clone)]
pub struct Vectors {
    words: Vec<String>,
    hashes: Vec<u64>,
    index: HashMap<u64, u32, KeyHasher>,
    dims: usize,
    /// Unit vectors as int8 components times a per-word scale.
    scales: Vec<f32>,
    components: Vec<i8>,
    /// Each word's squared length (its cosine with itself), computed once at load.
    norm2: Vec<f64>,
    /// `k` neighbours per word, best first: (word index, cosine).
    k: usize,
    neighbours: Vec<(u32, f32)>,
    /// No cosine of two words (nor of a listed neighbour) exceeds this: 1, or more where
    /// quantisation made a vector longer than a unit.
    max_cosine: f64,
}

impl Vectors {
    /// Reads vectors from the bytes of a `unspun-vectors` artifact; `origin` names it in errors.
    pub fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Vectors> {
        let a = Artifact::parse(bytes, origin, FORMAT, VERSION)?;
        let bad = |m: &str| Error::artifact(origin, format!("{m}; rebuild it with scripts/build_vectors.py"));
        let words: Vec<String> = std::str::from_utf8(a.section("words")?)
            .map_err(|_| bad("the vocabulary is not UTF-8"))?
            .split('\n')
            .map(str::to_owned)
            .collect();
        let n = words.len();
        let u32_at = |b: &[u8]| b.get(..4).map(|x| u32::from_le_bytes(x.try_into().expect("4 bytes")) as usize);
        let dims = u32_at(a.section("dims")?).ok_or_else(|| bad("no dimension count"))?;
        let scales: Vec<f32> = a.section("scales")?.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
        let components: Vec<i8> = a.section("vectors")?.iter().map(|&b| b as i8).collect();
        let nb = a.section("neighbours")?;
        let k = u32_at(nb).ok_or_else(|| bad("no neighbour count"))?;
        let entries = &nb[4..];
        if scales.len() != n || components.len() != n * dims || entries.len() != n * k * 3 {
            return Err(bad("section sizes do not match the vocabulary"));
        }
        let mut neighbours = Vec::with_capacity(n * k);
        for e in entries.chunks_exact(3) {
            let i = u16::from_le_bytes([e[0], e[1]]) as u32;
            if i as usize >= n {
                return Err(bad("a neighbour index is out of range"));
            }
            neighbours.push((i, e[2] as f32 / 255.0));
        }
        let hashes: Vec<u64> = words.iter().map(|w| hash_word(w)).collect();
        let index = hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
        let row = |i: usize| &components[i * dims..(i + 1) * dims];
        let norm2: Vec<f64> = (0..n).map(|i| dot_i8(row(i), row(i), scales[i], scales[i])).collect();
        let max_cosine = norm2.iter().copied().fold(1.0, f64::max) * (1.0 + 1e-9);
        Ok(Vectors { words, hashes, index, dims, scales, components, norm2, k, neighbours, max_cosine })
    }

    /// Reads a word-vector file.
    pub fn load(path: &Path) -> Result<Vectors> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Vectors::from_bytes(&bytes, path)
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Index of a word by the hash of its normalised form.
    #[inline]
    pub fn index_of(&self, hash: u64) -> Option<u32> {
        self.index.get(&hash).copied()
    }

    /// A word by index.
    pub fn word(&self, i: u32) -> &str {
        &self.words[i as usize]
    }

    /// The hash of a word by index.
    pub fn hash(&self, i: u32) -> u64 {
        self.hashes[i as usize]
    }

    /// The hash of a word by index, as a one-word phrase.
    pub fn words(&self, i: u32) -> &[u64] {
        std::slice::from_ref(&self.hashes[i as usize])
    }

    /// The nearest neighbours of a word, best first: (index, cosine).
    pub fn neighbours(&self, i: u32) -> &[(u32, f32)] {
        let s = i as usize * self.k;
        &self.neighbours[s..s + self.k]
    }

    /// An upper bound of every [`Vectors::cosine`] and listed neighbour's cosine.
    pub fn max_cosine(&self) -> f64 {
        self.max_cosine
    }

    /// Adds word `i`'s vector to `sum` (a document's topic: the sum of its words' vectors).
    pub fn add_to(&self, i: u32, sum: &mut [f64]) {
        let scale = self.scales[i as usize] as f64;
        for (s, &x) in sum.iter_mut().zip(self.row(i)) {
            *s += x as f64 * scale;
        }
    }

    /// Dot product of word `i`'s vector with `v` (of [`Vectors::dims`] components).
    pub fn dot(&self, i: u32, v: &[f64]) -> f64 {
        self.row(i).iter().zip(v).map(|(&x, y)| x as f64 * y).sum::<f64>() * self.scales[i as usize] as f64
    }

    /// Components per vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Cosine similarity of two words (of their int8 vectors).
    pub fn cosine(&self, a: u32, b: u32) -> f64 {
        dot_i8(self.row(a), self.row(b), self.scales[a as usize], self.scales[b as usize])
    }

    /// Word `i`'s int8 components.
    fn row(&self, i: u32) -> &[i8] {
        let i = i as usize;
        &self.components[i * self.dims..(i + 1) * self.dims]
    }

    /// A word's squared length, `cosine(i, i)`, computed once at load.
    pub fn norm2(&self, i: u32) -> f64 {
        self.norm2[i as usize]
    }
}

/// The dot product of two int8 rows times their scales.
fn dot_i8(a: &[i8], b: &[i8], scale_a: f32, scale_b: f32) -> f64 {
    let dot: i32 = a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum();
    dot as f64 * scale_a as f64 * scale_b as f64
}

/// Vectors from unit rows (one per word), with every other word as a neighbour, best first,
/// written to and read back from the artifact format (for tests).
#[cfg(test)]
pub(crate) fn for_tests(words: &[&str], rows: &[&[f32]]) -> Vectors {
    let dims = rows[0].len();
    let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let mut scales = Vec::new();
    let mut vectors = Vec::new();
    let mut nb = ((words.len() - 1) as u32).to_le_bytes().to_vec();
    for (i, r) in rows.iter().enumerate() {
        let s = r.iter().fold(0f32, |m, x| m.max(x.abs())) / 127.0;
        scales.extend_from_slice(&s.to_le_bytes());
        vectors.extend(r.iter().map(|x| (x / s).round() as i8 as u8));
        let mut others: Vec<usize> = (0..rows.len()).filter(|&j| j != i).collect();
        others.sort_by(|&a, &b| cos(r, rows[b]).total_cmp(&cos(r, rows[a])));
        for j in others {
            nb.extend_from_slice(&(j as u16).to_le_bytes());
            nb.push((cos(r, rows[j]).max(0.0) * 255.0).round() as u8);
        }
    }
    let bytes = crate::artifact::to_bytes(
        FORMAT,
        VERSION,
        &[
            ("words", words.join("\n").as_bytes()),
            ("dims", &(dims as u32).to_le_bytes()),
            ("scales", &scales),
            ("vectors", &vectors),
            ("neighbours", &nb),
        ],
    );
    Vectors::from_bytes(&bytes, Path::new("test vectors")).expect("valid test vectors")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::to_bytes;

    /// Three words in two dimensions: "a" and "b" close, "c" orthogonal.
    pub(crate) fn tiny() -> Vec<u8> {
        let s = 1.0f32 / 127.0;
        let scales: Vec<u8> = [s, s, s].iter().flat_map(|x| x.to_le_bytes()).collect();
        let vectors: Vec<u8> = [127i8, 0, 90, 90, 0, 127].iter().map(|&x| x as u8).collect();
        let mut nb = 1u32.to_le_bytes().to_vec();
        for (i, c) in [(1u16, 180u8), (0, 180), (1, 0)] {
            nb.extend_from_slice(&i.to_le_bytes());
            nb.push(c);
        }
        to_bytes(
            FORMAT,
            VERSION,
            &[("words", b"a\nb\nc"), ("dims", &2u32.to_le_bytes()), ("scales", &scales), ("vectors", &vectors), ("neighbours", &nb)],
        )
    }

    #[test]
    fn words_neighbours_and_cosines_are_read() {
        let v = Vectors::from_bytes(&tiny(), Path::new("v.bin")).unwrap();
        assert_eq!(v.len(), 3);
        let b = v.index_of(hash_word("b")).unwrap();
        assert_eq!(v.word(b), "b");
        assert_eq!(v.neighbours(b)[0].0, 0);
        assert!((v.neighbours(b)[0].1 - 180.0 / 255.0).abs() < 1e-6);
        assert!((v.cosine(0, 1) - 90.0 / 127.0).abs() < 1e-6);
        assert!(v.cosine(0, 2).abs() < 1e-6);
        assert!(v.index_of(hash_word("zebra")).is_none());
    }

    #[test]
    fn inconsistent_sections_are_refused() {
        let bad = to_bytes(
            FORMAT,
            VERSION,
            &[("words", b"a\nb"), ("dims", &2u32.to_le_bytes()), ("scales", b""), ("vectors", b""), ("neighbours", &0u32.to_le_bytes())],
        );
        let e = Vectors::from_bytes(&bad, Path::new("v.bin")).unwrap_err().to_string();
        assert!(e.contains("do not match") && e.contains("build_vectors.py"), "{e}");
    }
}
