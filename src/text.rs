//! Normalisation and tokenisation. Tokens carry byte offsets into the caller's text; the normalised
//! form (lowercase, typographic apostrophes folded, digits collapsed) is what the reference counts.

use unicode_segmentation::UnicodeSegmentation;

/// One word of the input: `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// True when punctuation or a paragraph break separates this word from the previous one, so that
    /// the two do not form an n-gram.
    pub is_break_before: bool,
}

impl Token {
    /// The token's text, borrowed from the input it came from.
    pub fn as_str<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// The normalised form that stands for every number.
pub const NUMBER: &str = "<num>";

/// Function words (normalised) that spinners leave alone and detectors do not judge: their contexts
/// are too loose to say anything.
pub const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "if", "of", "in", "on", "at", "to", "for", "by", "with", "from", "as", "is", "are", "was",
    "were", "be", "been", "being", "am", "it", "its", "it's", "this", "that", "these", "those", "he", "she", "they", "we", "you", "i",
    "his", "her", "hers", "their", "theirs", "our", "ours", "your", "yours", "my", "mine", "him", "them", "us", "me", "not", "no", "so",
    "than", "then", "there", "here", "which", "who", "whom", "whose", "what", "when", "where", "why", "how", "can", "could", "will",
    "would", "shall", "should", "may", "might", "must", "do", "does", "did", "has", "have", "had", "into", "onto", "up", "out", "s", "'s",
    "t", NUMBER,
];

/// Splits `text` into words (Unicode word boundaries, UAX #29).
///
/// Between two words, only spaces, a single line break, one hyphen or an apostrophe keep them in the
/// same n-gram run ("well-known", "students' union", a word hyphenated across a line). Anything else
/// (sentence punctuation, brackets, quotes, dashes, a blank line) starts a new run.
pub fn tokenize(text: &str) -> Vec<Token> {
    if text.is_ascii() {
        tokenize_ascii(text)
    } else {
        tokenize_unicode(text)
    }
}

/// Tracks what lies between two words and decides whether they stay in one run.
#[derive(Default)]
struct Gap {
    is_break: bool,
    newlines: usize,
    hyphens: usize,
}

impl Gap {
    fn start() -> Gap {
        Gap { is_break: true, ..Gap::default() }
    }
    fn see(&mut self, c: char) {
        match c {
            '\n' => self.newlines += 1,
            '-' | '\u{2010}' | '\u{2011}' => self.hyphens += 1,
            '\'' | '\u{2019}' => {}
            c if c.is_whitespace() => {}
            _ => self.is_break = true,
        }
    }
    /// Whether the next word starts a new run; resets for the gap after it.
    fn take(&mut self) -> bool {
        let b = self.is_break || self.newlines > 1 || self.hyphens > 1;
        *self = Gap::default();
        b
    }
}

/// The general path: Unicode word boundaries from unicode-segmentation.
fn tokenize_unicode(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut gap = Gap::start();
    for (start, seg) in text.split_word_bound_indices() {
        if is_word_segment(seg) {
            tokens.push(Token { start, end: start + seg.len(), is_break_before: gap.take() });
        } else {
            seg.chars().for_each(|c| gap.see(c));
        }
    }
    tokens
}

/// The ASCII fast path: the UAX #29 word rules restricted to ASCII (letters, digits and `_` join;
/// `.`, `:` or `'` joins two letters; `.`, `,`, `;` or `'` joins two digits), measured several times
/// faster than the general path; a property test checks that both give the same tokens.
fn tokenize_ascii(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut gap = Gap::start();
    let is_unit = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        if !is_unit(b[i]) {
            gap.see(b[i] as char);
            i += 1;
            continue;
        }
        let start = i;
        let mut has_alnum = false;
        loop {
            while i < b.len() && is_unit(b[i]) {
                has_alnum |= b[i] != b'_';
                i += 1;
            }
            // One joiner between two letters or two digits continues the word.
            if i + 1 < b.len() && i > start {
                let (before, joiner, after) = (b[i - 1], b[i], b[i + 1]);
                let letters = before.is_ascii_alphabetic() && after.is_ascii_alphabetic() && matches!(joiner, b'.' | b':' | b'\'');
                let digits = before.is_ascii_digit() && after.is_ascii_digit() && matches!(joiner, b'.' | b',' | b';' | b'\'');
                if letters || digits {
                    i += 1;
                    continue;
                }
            }
            break;
        }
        if has_alnum {
            tokens.push(Token { start, end: i, is_break_before: gap.take() });
        } else {
            b[start..i].iter().for_each(|&c| gap.see(c as char));
        }
    }
    tokens
}

/// A segment is a word when it holds a letter or a digit.
fn is_word_segment(seg: &str) -> bool {
    seg.chars().any(|c| c.is_alphanumeric())
}

/// Normalises one word into `out` (cleared first): lowercase, `’` → `'`, and any word with a digit
/// becomes [`NUMBER`], so "12 months" and "6 months" share counts.
pub fn normalize_into(word: &str, out: &mut String) {
    out.clear();
    if word.bytes().any(|b| b.is_ascii_digit()) || word.chars().any(|c| c.is_numeric()) {
        out.push_str(NUMBER);
        return;
    }
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    for c in word.chars() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// Normalises one word (see [`normalize_into`]).
pub fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    normalize_into(word, &mut out);
    out
}

/// How a word is capitalised, so that a replacement can be written the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Lower,
    Title,
    Upper,
}

impl Case {
    /// The capitalisation of `word`. A single capital letter ("I", "A") counts as title case.
    pub fn of(word: &str) -> Case {
        let mut chars = word.chars().filter(|c| c.is_alphabetic());
        match chars.next() {
            Some(first) if first.is_uppercase() => {
                let rest: Vec<char> = chars.collect();
                if !rest.is_empty() && rest.iter().all(|c| c.is_uppercase()) {
                    Case::Upper
                } else {
                    Case::Title
                }
            }
            _ => Case::Lower,
        }
    }

    /// Writes `word` (lowercase) in this case. Title case capitalises the first word only.
    pub fn apply(self, word: &str) -> String {
        match self {
            Case::Lower => word.to_string(),
            Case::Upper => word.to_uppercase(),
            Case::Title => {
                let mut chars = word.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(&str, bool)> {
        tokenize(text).iter().map(|t| (t.as_str(text), t.is_break_before)).collect()
    }

    #[test]
    fn offsets_point_into_the_input() {
        let text = "Café owners’ union, well-known.";
        let toks = tokenize(text);
        let got: Vec<&str> = toks.iter().map(|t| t.as_str(text)).collect();
        assert_eq!(got, ["Café", "owners", "union", "well", "known"]);
        assert_eq!(toks[0], Token { start: 0, end: 5, is_break_before: true });
    }

    #[test]
    fn punctuation_breaks_runs_but_hyphens_and_apostrophes_do_not() {
        assert_eq!(
            words("the students' union. A well-known\nfact; (really)"),
            [
                ("the", true),
                ("students", false),
                ("union", false),
                ("A", true),
                ("well", false),
                ("known", false),
                ("fact", false),
                ("really", true)
            ]
        );
        // a blank line (new paragraph) breaks, a dash breaks
        assert_eq!(words("end\n\nstart — go"), [("end", true), ("start", true), ("go", true)]);
    }

    #[test]
    fn normalisation_folds_case_apostrophes_and_numbers() {
        assert_eq!(normalize("Year’s"), "year's");
        assert_eq!(normalize("12"), NUMBER);
        assert_eq!(normalize("3.5"), NUMBER);
        assert_eq!(normalize("ÉCOLE"), "école");
        assert_eq!(tokenize("by 12 months's finish").len(), 4);
    }

    #[test]
    fn case_round_trips() {
        assert_eq!(Case::of("Foreign"), Case::Title);
        assert_eq!(Case::of("NATO"), Case::Upper);
        assert_eq!(Case::of("minister"), Case::Lower);
        assert_eq!(Case::Title.apply("overseas minister"), "Overseas minister");
        assert_eq!(Case::Upper.apply("ap"), "AP");
    }

    proptest::proptest! {
        #[test]
        fn ascii_fast_path_matches_unicode_segmentation(text in "[a-zA-Z0-9_.,;:' \n\t\"()!?-]{0,80}") {
            proptest::prop_assert_eq!(tokenize_ascii(&text), tokenize_unicode(&text));
        }

        #[test]
        fn ascii_fast_path_matches_on_wordy_text(words in proptest::collection::vec("[a-z]{1,5}|[0-9]{1,3}|[.,;:'_-]|[ \\n\\t]", 0..40)) {
            let text = words.concat();
            proptest::prop_assert_eq!(tokenize_ascii(&text), tokenize_unicode(&text));
        }
    }

    #[test]
    fn ascii_joiners_follow_uax29() {
        let words = |t: &str| tokenize(t).iter().map(|k| k.as_str(t).to_string()).collect::<Vec<_>>();
        assert_eq!(
            words("U.S. can't 3.5 1,000 a:b 10:30 students' _x a..b"),
            ["U.S", "can't", "3.5", "1,000", "a:b", "10", "30", "students", "_x", "a", "b"]
        );
    }

    #[test]
    fn empty_and_symbol_only_input() {
        assert!(tokenize("").is_empty());
        assert!(tokenize("!!! ... ---").is_empty());
    }
}
