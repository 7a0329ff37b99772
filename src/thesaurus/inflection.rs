//! English inflection of thesaurus words: base forms of an inflected word and inflected forms of
//! a base form, by regular suffix rules.

/// A regular English inflection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Form {
    /// -s / -es / -ies (nouns; also third-person verbs)
    Plural,
    /// -ed / -d / -ied
    Past,
    /// -ing
    Gerund,
}

/// Every [`Form`], in discriminant order.
pub(super) const FORMS: [Form; 3] = [Form::Plural, Form::Past, Form::Gerund];

/// Candidate base forms of a lowercase word, most likely first, by regular suffix rules.
pub fn lemmas(word: &str) -> Vec<(String, Form)> {
    let mut out = Vec::new();
    let n = word.len();
    if n < 4 || !word.is_ascii() {
        return out;
    }
    let stem = |k: usize| word[..n - k].to_string();
    let doubled = |k: usize| {
        let b = word.as_bytes();
        (n - k >= 3 && b[n - k - 1] == b[n - k - 2] && !b"aeiouslz".contains(&b[n - k - 1])).then(|| word[..n - k - 1].to_string())
    };
    if let Some(base) = word.strip_suffix("ies") {
        out.push((format!("{base}y"), Form::Plural));
    } else if word.ends_with("es") && ["ses", "xes", "zes", "ches", "shes"].iter().any(|e| word.ends_with(e)) {
        out.push((stem(2), Form::Plural));
        out.push((stem(1), Form::Plural));
    } else if word.ends_with('s') && !["ss", "us", "is"].iter().any(|e| word.ends_with(e)) {
        out.push((stem(1), Form::Plural));
    } else if let Some(base) = word.strip_suffix("ied") {
        out.push((format!("{base}y"), Form::Past));
    } else if word.ends_with("ed") {
        out.extend(doubled(2).map(|d| (d, Form::Past)));
        out.push((stem(2), Form::Past));
        out.push((stem(1), Form::Past));
    } else if word.ends_with("ing") && n >= 6 {
        out.extend(doubled(3).map(|d| (d, Form::Gerund)));
        out.push((stem(3), Form::Gerund));
        out.push((format!("{}e", stem(3)), Form::Gerund));
    }
    out
}

/// Inflects a base form regularly.
pub fn inflect(lemma: &str, form: Form) -> String {
    let mut out = String::new();
    inflect_into(lemma, form, &mut out);
    out
}

/// [`inflect`] into a reused buffer (cleared first).
pub fn inflect_into(lemma: &str, form: Form, out: &mut String) {
    out.clear();
    let consonant_y = lemma.len() > 1 && lemma.ends_with('y') && !lemma[..lemma.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    let stem = |k: usize| &lemma[..lemma.len() - k];
    let (base, suffix) = match form {
        Form::Plural if consonant_y => (stem(1), "ies"),
        Form::Plural if ["s", "x", "z", "ch", "sh"].iter().any(|e| lemma.ends_with(e)) => (lemma, "es"),
        Form::Plural => (lemma, "s"),
        Form::Past if consonant_y => (stem(1), "ied"),
        Form::Past if lemma.ends_with('e') => (lemma, "d"),
        Form::Past => (lemma, "ed"),
        Form::Gerund if lemma.ends_with('e') && !lemma.ends_with("ee") && lemma.len() > 2 => (stem(1), "ing"),
        Form::Gerund => (lemma, "ing"),
    };
    out.push_str(base);
    out.push_str(suffix);
}
