//! `errors.html`: the most confident false positives and false negatives of an evaluation, with
//! the phrases that look spun highlighted and their likely originals; one self-contained page.

use std::fmt::Write as _;

use super::About;
use crate::features::Span;

/// False positives and false negatives listed in `errors.html`, each: enough to see a pattern,
/// few enough to read.
pub const WORST_ERRORS: usize = 20;
/// Text shown per document in `errors.html`; longer documents are cut (at a span's end if one
/// crosses the cut) so that the page stays small enough to commit.
pub const ERROR_TEXT_BYTES: usize = 6000;

/// A misclassified document with the phrases that look spun, for `errors.html`.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub spun: bool,
    pub p_spun: f64,
    pub words: usize,
    /// Spans into `text`, ordered and not overlapping ([`crate::FeatureExtractor::explain`]).
    pub spans: Vec<Span>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// The text of a case with its spans as `<mark>` elements (suggestion after an arrow), cut after
/// [`ERROR_TEXT_BYTES`].
fn highlighted(case: &Case<'_>) -> String {
    let text = case.text;
    let mut cut = text.len().min(ERROR_TEXT_BYTES);
    if let Some(s) = case.spans.iter().find(|s| s.start < cut && s.end > cut) {
        cut = s.end;
    }
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let mut o = String::new();
    let mut at = 0;
    for s in &case.spans {
        if s.end > cut || s.start < at || s.start >= s.end {
            continue; // past the cut, or not in order (spans never overlap; this only guards slicing)
        }
        o.push_str(&escape_html(&text[at..s.start]));
        let suggestion = s.suggestion.as_deref().unwrap_or("?");
        let _ = write!(
            o,
            "<mark title=\"likely original: {} (oddity {:.2})\">{}<span class=\"sugg\"> → {}</span></mark>",
            escape_html(suggestion),
            s.score,
            escape_html(&text[s.start..s.end]),
            escape_html(suggestion)
        );
        at = s.end;
    }
    o.push_str(&escape_html(&text[at..cut]));
    if cut < text.len() {
        let rest = text[cut..].split_whitespace().count();
        let _ = write!(o, "<span class=\"cut\"> … ({rest} more words not shown)</span>");
    }
    o
}

const ERRORS_CSS: &str =
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}\
.case{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0;background:#fcfcfc}\
.meta{font-size:.9rem;color:#555;margin:0 0 .4rem}.meta b{color:#222}\
.text{white-space:pre-wrap;margin:0}mark{background:#ffe08a;padding:0 .1em;border-radius:3px}\
.sugg{color:#0a6b2e;font-size:.85em;font-style:italic}.cut{color:#888}.none{color:#888;font-style:italic}";

fn cases_html(o: &mut String, title: &str, kind: &str, cases: &[Case<'_>], explanation: &str) {
    let _ = writeln!(o, "<h2 id=\"{kind}\">{} ({})</h2>\n<p>{}</p>", escape_html(title), cases.len(), escape_html(explanation));
    if cases.is_empty() {
        let _ = writeln!(o, "<p class=\"none\">None.</p>");
    }
    for (k, c) in cases.iter().enumerate() {
        let _ = writeln!(
            o,
            "<section class=\"case {kind}\">\n<p class=\"meta\"><b>{}. {}</b> — labeled {}, p_spun {:.4}, {} words, {} phrase(s) look spun</p>\n<p class=\"text\">{}</p>\n</section>",
            k + 1,
            escape_html(c.id),
            if c.spun { "spun" } else { "original" },
            c.p_spun,
            c.words,
            c.spans.len(),
            highlighted(c)
        );
    }
}

/// `errors.html`: a self-contained page (no scripts, no external assets) listing the false
/// positives and false negatives with the phrases that look spun highlighted and their likely
/// originals. Everything from the data is HTML-escaped.
pub fn errors_html(threshold: f64, about: &About, false_positives: &[Case<'_>], false_negatives: &[Case<'_>]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>unspun: worst mistakes</title>\n<style>{ERRORS_CSS}</style>\n</head>\n<body>"
    );
    let _ = writeln!(o, "<h1>Worst mistakes at threshold {threshold:.4}</h1>");
    let _ = writeln!(
        o,
        "<p>Data: {}. Model: {}. Threshold: {}. <mark>Highlighted</mark> phrases look spun; the likely original follows the arrow (hover for the oddity in nats).</p>",
        escape_html(&about.data.join(", ")),
        escape_html(&about.model),
        escape_html(&about.threshold_from)
    );
    cases_html(
        &mut o,
        "False positives: originals flagged as spun",
        "false-positive",
        false_positives,
        "Highest p_spun first: the originals the model is most sure are spun.",
    );
    cases_html(
        &mut o,
        "False negatives: spun documents passed as original",
        "false-negative",
        false_negatives,
        "Lowest p_spun first: the spun documents the model is most sure are original.",
    );
    let _ = writeln!(o, "</body>\n</html>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_highlights() {
        let text = "<b>Rock & roll</b> overseas minister";
        let start = text.find("overseas").unwrap();
        let case = Case {
            id: "x\"y",
            text,
            spun: false,
            p_spun: 0.9,
            words: 5,
            spans: vec![Span { start, end: start + 8, score: 5.8, suggestion: Some("foreign".into()), p_swap: None }],
        };
        let html = errors_html(0.5, &About::default(), &[case], &[]);
        assert!(html.contains("&lt;b&gt;Rock &amp; roll&lt;/b&gt; <mark title=\"likely original: foreign (oddity 5.80)\">overseas<span class=\"sugg\"> → foreign</span></mark> minister"), "{html}");
        assert!(html.contains("x&quot;y"));
        assert!(!html.contains("<b>Rock"));
    }
}
