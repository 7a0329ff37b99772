//! Synonym sets: heads (words or phrases) to ordered neighbours, both directions, with look-ups by the
//! word hashes the reference uses, so feature extraction never builds strings.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};
use crate::reference::{hash_tokens, hash_word, key, KeyHasher};
use crate::text::{normalize_into, tokenize};

mod compiled;
mod inflection;
pub use compiled::{COMPILED_FORMAT, COMPILED_VERSION};
use inflection::FORMS;
pub use inflection::{inflect, inflect_into, lemmas, Form};

/// Format name on the first line of a thesaurus file.
pub const FORMAT: &str = "unspun-thesaurus";
/// Version of the thesaurus file format this build reads.
pub const VERSION: u32 = 1;
/// Longest head or synonym kept, in words.
pub const MAX_PHRASE_WORDS: usize = 3;

/// Calls `entry(head, synonyms)` for each `head<TAB>syn|syn|...` line of an unspun-thesaurus file
/// (plain or gzip'd) after checking its header, and returns the source named in the header.
fn for_each_entry(reader: impl Read, origin: &Path, mut entry: impl FnMut(&str, &str)) -> Result<String> {
    let mut buf = BufReader::with_capacity(READ_BUFFER, reader);
    let is_gzip = buf.fill_buf().map_err(|e| Error::io(origin, e))?.starts_with(&[0x1f, 0x8b]);
    let mut lines: Box<dyn BufRead> =
        if is_gzip { Box::new(BufReader::with_capacity(READ_BUFFER, MultiGzDecoder::new(buf))) } else { Box::new(buf) };
    let mut source = None;
    // One line buffer for the whole file, not a new String for each of its lines.
    let mut line = String::new();
    for lineno in 1.. {
        line.clear();
        let read = lines.read_line(&mut line).map_err(|e| Error::record(origin, lineno, format!("cannot read: {e}")))?;
        if read == 0 {
            break;
        }
        let line = line.strip_suffix('\n').map_or(line.as_str(), |l| l.strip_suffix('\r').unwrap_or(l));
        if lineno == 1 {
            let mut fields = line.split('\t');
            if fields.next() != Some(FORMAT) {
                return Err(Error::artifact(
                    origin,
                    format!("not an unspun thesaurus: the first line must start with `{FORMAT}<TAB>{VERSION}`"),
                ));
            }
            let version: u32 = fields.next().and_then(|v| v.trim().parse().ok()).unwrap_or(0);
            if version != VERSION {
                return Err(Error::artifact(origin, format!("thesaurus format version {version}, this build reads {VERSION}")));
            }
            source = Some(fields.next().unwrap_or("unnamed").to_string());
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (head, syns) = line.split_once('\t').ok_or_else(|| Error::record(origin, lineno, "expected `head<TAB>synonym|synonym|...`"))?;
        entry(head, syns);
    }
    source.ok_or_else(|| Error::artifact(origin, "empty thesaurus file (no header line)"))
}

/// Bytes read from a thesaurus file (and from its decompressor) at a time.
const READ_BUFFER: usize = 1 << 16;

/// Known spun phrases with the wording they replaced (e.g. the Problematic Paper Screener's
/// tortured phrases: "profound learning" for "deep learning"), by the spun phrase's words. Read
/// from an unspun-thesaurus file whose heads are the spun phrases; unlike a [`Thesaurus`], only
/// that direction is kept.
#[derive(Debug, Clone, Default)]
pub struct KnownPhrases {
    by_key: HashMap<u64, String, KeyHasher>,
    longest: usize,
}

impl KnownPhrases {
    /// Adds the entries of a known-phrase file (an earlier entry for the same spun phrase wins);
    /// `origin` names it in errors.
    pub fn add_reader(&mut self, reader: impl Read, origin: &Path) -> Result<()> {
        for_each_entry(reader, origin, |head, syns| {
            let words = hash_tokens(head, &tokenize(head));
            let Some(first) = syns.split('|').map(str::trim).find(|s| !s.is_empty()) else { return };
            if (1..=MAX_PHRASE_WORDS).contains(&words.len()) {
                self.longest = self.longest.max(words.len());
                self.by_key.entry(key(&words)).or_insert_with(|| first.to_string());
            }
        })?;
        Ok(())
    }

    /// The wording a known spun phrase (given by its word hashes) replaced.
    pub fn original_of(&self, words: &[u64]) -> Option<&str> {
        if words.is_empty() || words.len() > self.longest {
            return None;
        }
        self.by_key.get(&key(words)).map(String::as_str)
    }

    /// Most words of a known spun phrase.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// Number of known spun phrases.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// A word or phrase of the thesaurus.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    /// Lowercase text, words separated by single spaces.
    pub text: Box<str>,
    /// Hash of each word ([`hash_word`]).
    pub words: Box<[u64]>,
}

/// Synonym table. Built from one or more files in the `unspun-thesaurus` format:
/// a header line `unspun-thesaurus<TAB>1<TAB>source<TAB>licence`, then `head<TAB>syn1|syn2|...`.
/// Copies made by [`Thesaurus::without_share`] share its words and phrases; only the synonym lists
/// are their own.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    lexicon: Arc<Lexicon>,
    /// Phrase id -> synonym phrase ids, in preference order.
    links: Vec<Vec<u32>>,
    sources: Vec<String>,
}

/// The words and phrases of a thesaurus, by id, with their look-up tables.
#[derive(Debug, Clone, Default)]
struct Lexicon {
    phrases: Vec<Phrase>,
    /// hash_word(text) -> phrase id. Like `by_key`, a 64-bit hash stands for the text: comparing
    /// the strings on every look-up made loading several times slower.
    index: HashMap<u64, u32, KeyHasher>,
    /// key(word hashes) -> phrase id.
    by_key: HashMap<u64, u32, KeyHasher>,
    /// Phrase id -> hash of its inflected word in each [`Form`] (see [`inflected_word`]), computed
    /// once so that inflected synonyms need no string work.
    inflections: Vec<[u64; FORMS.len()]>,
}

impl Lexicon {
    /// Adds a new phrase (normalised text, its words' hashes) with its look-ups and returns its id.
    fn add(&mut self, phrase: Phrase) -> u32 {
        let id = self.phrases.len() as u32;
        self.index.insert(hash_word(&phrase.text), id);
        self.by_key.insert(key(&phrase.words), id);
        let mut norm = String::new();
        self.inflections.push(FORMS.map(|form| {
            inflect_into(phrase.text.split(' ').nth(inflected_word(&phrase, form)).unwrap_or(""), form, &mut norm);
            hash_word(&norm)
        }));
        self.phrases.push(phrase);
        id
    }
}

impl Thesaurus {
    /// An empty thesaurus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a thesaurus file (plain or gzip'd, detected by content); `origin` names it in errors.
    /// Entries are added to what is already there (synonyms of a head already present are appended).
    pub fn add_reader(&mut self, reader: impl Read, origin: &Path) -> Result<()> {
        // The file's links first go to one list of (from, to) pairs, then into the synonym lists
        // with room for all of them at once: growing each list push by push reallocated it
        // several times (realloc was about 8% of start-up under perf). The lists get the same
        // order either way.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let source = for_each_entry(reader, origin, |head, syns| {
            self.add_links(head, syns.split('|').filter(|s| !s.trim().is_empty()), |_, h, s| pairs.extend([(h, s), (s, h)]))
        })?;
        let mut added = vec![0u32; self.links.len()];
        for &(from, _) in &pairs {
            added[from as usize] += 1;
        }
        for (list, &n) in self.links.iter_mut().zip(&added) {
            list.reserve_exact(n as usize);
        }
        for (from, to) in pairs {
            self.links[from as usize].push(to);
        }
        self.sources.push(source);
        self.dedup_links();
        Ok(())
    }

    /// Reads a thesaurus file from disk (see [`Thesaurus::add_reader`]).
    pub fn load(path: &Path) -> Result<Thesaurus> {
        let mut t = Thesaurus::new();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        t.add_reader(file, path)?;
        Ok(t)
    }

    /// Adds `synonyms` to `head`, and `head` to each synonym (both directions).
    pub fn add(&mut self, head: &str, synonyms: &[&str]) {
        self.add_links(head, synonyms.iter().copied(), |t, h, s| {
            t.link(h, s);
            t.link(s, h);
        });
    }

    /// Interns `head` and each synonym and calls `link(self, head id, synonym id)` for each
    /// synonym other than the head itself.
    fn add_links<'s>(&mut self, head: &str, synonyms: impl IntoIterator<Item = &'s str>, mut link: impl FnMut(&mut Self, u32, u32)) {
        let Some(h) = self.intern(head) else { return };
        for s in synonyms {
            if let Some(s) = self.intern(s) {
                if s != h {
                    link(self, h, s);
                }
            }
        }
    }

    fn link(&mut self, from: u32, to: u32) {
        let list = &mut self.links[from as usize];
        if !list.contains(&to) {
            list.push(to);
        }
    }

    /// Drops repeated synonyms from every list, keeping each at its first position.
    fn dedup_links(&mut self) {
        // seen[id] == mark: already in the list being cleaned
        let mut seen = vec![0u32; self.lexicon.phrases.len()];
        for (mark, list) in (1..).zip(&mut self.links) {
            list.retain(|&id| std::mem::replace(&mut seen[id as usize], mark) != mark);
        }
    }

    fn intern(&mut self, phrase: &str) -> Option<u32> {
        // Thesaurus files are already normalised: most phrases are found as written.
        if let Some(&id) = self.lexicon.index.get(&hash_word(phrase)) {
            return Some(id);
        }
        let mut norm = String::new();
        let mut text = String::new();
        let mut words = Vec::new();
        for t in tokenize(phrase) {
            normalize_into(t.as_str(phrase), &mut norm);
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&norm);
            words.push(hash_word(&norm));
        }
        if words.is_empty() || words.len() > MAX_PHRASE_WORDS {
            return None;
        }
        if let Some(&id) = self.lexicon.index.get(&hash_word(&text)) {
            return Some(id);
        }
        // Copies the words and phrases only if a copy made by `without_share` still shares them.
        let id = Arc::make_mut(&mut self.lexicon).add(Phrase { text: text.into_boxed_str(), words: words.into_boxed_slice() });
        self.links.push(Vec::new());
        Some(id)
    }

    /// Synonyms of the head whose word hashes are given, in preference order.
    pub fn synonyms_of_words(&self, words: &[u64]) -> impl Iterator<Item = &Phrase> {
        self.synonym_ids(words).iter().map(|&id| &self.lexicon.phrases[id as usize])
    }

    /// Ids (indexes into [`Thesaurus::phrases`]) of the synonyms of the head whose word hashes are
    /// given, in preference order; empty when the head has none.
    pub fn synonym_ids(&self, words: &[u64]) -> &[u32] {
        self.id_of(words).map_or(&[], |id| self.synonym_ids_of(id))
    }

    /// The id (index into [`Thesaurus::phrases`]) of the word or phrase whose word hashes are given.
    pub fn id_of(&self, words: &[u64]) -> Option<u32> {
        self.lexicon.by_key.get(&key(words)).copied()
    }

    /// Ids of the synonyms of the phrase with id `id`, in preference order.
    pub fn synonym_ids_of(&self, id: u32) -> &[u32] {
        &self.links[id as usize]
    }

    /// Every word or phrase of the thesaurus, by id.
    pub fn phrases(&self) -> &[Phrase] {
        &self.lexicon.phrases
    }

    /// True when `other` is this thesaurus or a copy of it by [`Thesaurus::without_share`] (same
    /// phrases under the same ids).
    pub fn shares_phrases_with(&self, other: &Thesaurus) -> bool {
        Arc::ptr_eq(&self.lexicon, &other.lexicon)
    }

    /// Synonyms of a head given as text (normalised the way the reference is).
    pub fn synonyms(&self, head: &str) -> Vec<&str> {
        let words = hash_tokens(head, &tokenize(head));
        if words.is_empty() {
            return Vec::new();
        }
        self.synonyms_of_words(&words).map(|p| &*p.text).collect()
    }

    /// Synonyms of a single inflected word whose base form is a head ("fans" → "fan" → "followers"),
    /// each inflected like the word. Empty when the word is itself a head or no base form is.
    /// Irregular forms are not handled; a wrong guess ("yeared") fails later checks against the
    /// reference, since such words are never seen.
    pub fn inflected_synonyms(&self, word: &str) -> Vec<Inflected<'_>> {
        for (lemma, form) in lemmas(word) {
            let ids = self.synonym_ids(&[hash_word(&lemma)]);
            if ids.is_empty() {
                continue;
            }
            return ids
                .iter()
                .map(|&id| {
                    let phrase = &self.lexicon.phrases[id as usize];
                    let mut words = [0u64; MAX_PHRASE_WORDS];
                    words[..phrase.words.len()].copy_from_slice(&phrase.words);
                    words[inflected_word(phrase, form)] = self.lexicon.inflections[id as usize][form as usize];
                    Inflected { phrase, form, words }
                })
                .collect();
        }
        Vec::new()
    }

    /// A copy without the synonyms of a pseudo-random `share` of the heads (chosen by a hash of the
    /// head and `seed`), sharing this one's phrases. Training on features computed with such copies
    /// teaches a model that a spinner's thesaurus may be one the detector does not know.
    pub fn without_share(&self, share: f64, seed: u64) -> Thesaurus {
        let cut = (share.clamp(0.0, 1.0) * 10_000.0) as u64;
        let links = self
            .lexicon
            .phrases
            .iter()
            .zip(&self.links)
            .map(|(p, list)| if key(&[key(&p.words), seed]) % 10_000 >= cut { list.clone() } else { Vec::new() })
            .collect();
        Thesaurus { lexicon: Arc::clone(&self.lexicon), links, sources: self.sources.clone() }
    }

    /// Number of heads with synonyms.
    pub fn len(&self) -> usize {
        self.links.iter().filter(|l| !l.is_empty()).count()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.links.iter().all(Vec::is_empty)
    }

    /// Sources named in the files' headers, in load order.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

/// A synonym of an inflected word: a synonym of its base form with one word inflected the same way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inflected<'t> {
    /// The base form's synonym.
    pub phrase: &'t Phrase,
    pub form: Form,
    words: [u64; MAX_PHRASE_WORDS],
}

impl Inflected<'_> {
    /// Hashes of the inflected phrase's words.
    pub fn words(&self) -> &[u64] {
        &self.words[..self.phrase.words.len()]
    }

    /// The inflected phrase ("followers").
    pub fn text(&self) -> String {
        let at = inflected_word(self.phrase, self.form);
        let mut buf = String::new();
        self.phrase
            .text
            .split(' ')
            .enumerate()
            .map(|(k, w)| {
                if k == at {
                    inflect_into(w, self.form, &mut buf);
                    buf.clone()
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Which word of a phrase carries the inflection: the last for plurals ("financial institutions"),
/// the first for verb forms ("seeking the advice of").
fn inflected_word(phrase: &Phrase, form: Form) -> usize {
    if form == Form::Plural {
        phrase.words.len() - 1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "unspun-thesaurus\t1\ttest\tpublic domain\nforeign\toverseas|alien\nbank\tfinancial institution\n";

    #[test]
    fn copies_without_a_share_of_heads_share_the_phrases() {
        // Words of letters only (digits are normalised away): "headab", "synab", ...
        let word = |prefix: &str, i: usize| format!("{prefix}{}{}", (b'a' + (i / 26) as u8) as char, (b'a' + (i % 26) as u8) as char);
        let mut t = Thesaurus::new();
        for i in 0..200 {
            t.add(&word("head", i), &[&word("syn", i)]);
        }
        let heads = |t: &Thesaurus| (0..200).filter(|&i| !t.synonyms(&word("head", i)).is_empty()).count();
        let cut = t.without_share(0.5, 7);
        assert!(cut.shares_phrases_with(&t) && cut.phrases().len() == t.phrases().len());
        let kept = heads(&cut);
        assert!((50..150).contains(&kept), "about half the heads keep their synonyms: {kept}");
        for i in 0..200 {
            let (head, syn) = (word("head", i), word("syn", i));
            let s = cut.synonyms(&head);
            assert!(s.is_empty() || s == [syn.as_str()], "{head}: {s:?}");
        }
        assert_ne!(t.without_share(0.5, 8).len(), 0);
        assert_eq!(heads(&t.without_share(0.0, 7)), 200);
        assert_eq!(heads(&t.without_share(1.0, 7)), 0);
        // Adding to a copy copies the phrases first: the original is unchanged.
        let mut more = t.without_share(0.5, 7);
        more.add("brand new", &["novel"]);
        assert!(!more.shares_phrases_with(&t));
        assert!(t.synonyms("brand new").is_empty() && t.phrases().len() == 400);
        assert_eq!(more.synonyms("brand new"), ["novel"]);
    }

    #[test]
    fn both_directions_and_phrases() {
        let mut t = Thesaurus::new();
        t.add_reader(SAMPLE.as_bytes(), Path::new("s")).unwrap();
        assert_eq!(t.synonyms("Foreign"), ["overseas", "alien"]);
        assert_eq!(t.synonyms("overseas"), ["foreign"]);
        assert_eq!(t.synonyms("financial institution"), ["bank"]);
        assert_eq!(t.synonyms("bank"), ["financial institution"]);
        assert!(t.synonyms("minister").is_empty());
        assert_eq!(t.sources(), ["test"]);
    }

    #[test]
    fn inflected_words_find_their_base_form() {
        let mut t = Thesaurus::new();
        t.add("fan", &["follower", "devotee"]);
        t.add("study", &["survey"]);
        t.add("make", &["produce"]);
        t.add("bank", &["financial institution"]);
        let texts = |w: &str| t.inflected_synonyms(w).iter().map(|p| p.text()).collect::<Vec<_>>();
        assert_eq!(texts("fans"), ["followers", "devotees"]);
        assert_eq!(texts("studies"), ["surveys"]);
        assert_eq!(texts("studied"), ["surveyed"]);
        assert_eq!(texts("making"), ["producing"]);
        assert_eq!(texts("banks"), ["financial institutions"]);
        assert!(texts("fan").is_empty());
        assert_eq!(t.inflected_synonyms("fans")[0].words(), [hash_word("followers")]);
        assert_eq!(t.inflected_synonyms("banks")[0].words(), [hash_word("financial"), hash_word("institutions")]);
        assert_eq!(inflect("stop", Form::Past), "stoped"); // irregular doubling is not attempted
        assert_eq!(lemmas("stopped")[0].0, "stop");
    }

    #[test]
    fn gzip_is_detected() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(SAMPLE.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let mut t = Thesaurus::new();
        t.add_reader(&bytes[..], Path::new("s.gz")).unwrap();
        assert_eq!(t.len(), 5);
    }

    #[test]
    fn bad_files_name_the_line() {
        let mut t = Thesaurus::new();
        let err = t.add_reader("hello\n".as_bytes(), Path::new("x.tsv")).unwrap_err().to_string();
        assert!(err.contains("x.tsv") && err.contains("not an unspun thesaurus"), "{err}");
        let err = t.add_reader("unspun-thesaurus\t1\tx\n\nno tab here\n".as_bytes(), Path::new("y.tsv")).unwrap_err().to_string();
        assert!(err.starts_with("y.tsv:3:"), "{err}");
    }
}
