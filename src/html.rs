//! Markup to text, for scoring scraped pages: tags go, scripts, styles and comments go with their
//! content, character references are decoded, and block boundaries (paragraphs, headings, list
//! items, table cells, `<br>`) become line breaks so that n-grams never run from one block into
//! the next. Whitespace collapses as a browser would. Not a full HTML parser: it never fails, and
//! whatever it cannot read as markup it keeps as text.

use std::path::Path;

/// Elements whose content is not prose: dropped with the element.
const SKIPPED: &[&str] = &["script", "style", "noscript", "template", "svg", "math", "iframe", "object"];

/// Elements that start a new block (a blank line in the output).
#[rustfmt::skip]
const BLOCKS: &[&str] = &[
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr",
    "html", "legend", "li", "main", "menu", "nav", "ol", "option", "p", "pre", "section", "select", "summary", "table", "tbody",
    "td", "textarea", "tfoot", "th", "thead", "title", "tr", "ul",
];

/// Tags that, at the very start of a document, say that it is HTML (see [`looks_like_html`]).
const LEADING_TAGS: &[&str] =
    &["!doctype", "html", "head", "body", "p", "div", "article", "section", "main", "header", "table", "h1", "h2"];

/// True for a path whose extension is `.html` or `.htm` (optionally followed by `.gz`).
pub fn is_html_path(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".html", ".htm"].iter().any(|e| name.ends_with(e))
}

/// True when `text` starts (after a byte-order mark and whitespace) with `<!doctype` or a tag
/// that begins HTML documents and fragments (`<html>`, `<head>`, `<body>`, `<p>`, `<div>`,
/// `<article>`, `<section>`, `<main>`, `<header>`, `<table>`, `<h1>`, `<h2>`), and holds a closing tag
/// somewhere: text that merely begins with `<` is left alone.
pub fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let Some(rest) = t.strip_prefix('<') else { return false };
    let name_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'!').count();
    let name = rest[..name_len].to_ascii_lowercase();
    let after = rest.as_bytes().get(name_len).copied();
    let is_tag = matches!(after, Some(b'>' | b'/') | Some(b' ' | b'\t' | b'\r' | b'\n'));
    if !is_tag || !LEADING_TAGS.contains(&name.as_str()) {
        return false;
    }
    name == "!doctype" || t.contains("</")
}

/// The text of an HTML document or fragment (see the module docs). Offsets of anything computed on
/// the result refer to the result, not to the markup.
pub fn strip(html: &str) -> String {
    let mut out = Text::with_capacity(html.len() / 2);
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    // A `<` after the last `>` cannot start markup; knowing it up front keeps the scan linear on
    // text full of unclosed `<`.
    let last_gt = html.rfind('>');
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if last_gt.is_none_or(|g| g < i) {
            break;
        }
        let Some(markup) = read_markup(html, i) else {
            i += 1; // a `<` that starts no markup is text ("a < b")
            continue;
        };
        out.push_text(&html[text_start..i]);
        i = markup.end;
        if let Some(tag) = markup.tag {
            if !tag.is_closing && SKIPPED.contains(&tag.name.as_str()) && !tag.is_self_closing {
                i = end_of_element(html, i, &tag.name);
            } else if tag.name == "br" {
                out.push_break(1);
            } else if BLOCKS.contains(&tag.name.as_str()) {
                out.push_break(2);
            }
        }
        text_start = i;
    }
    out.push_text(&html[text_start..]);
    out.finish()
}

/// A start or end tag.
struct Tag {
    /// Lowercase.
    name: String,
    is_closing: bool,
    is_self_closing: bool,
}

/// Markup found at a `<`: where it ends, and the tag if it is one (comments, doctypes and
/// processing instructions carry none).
struct Markup {
    end: usize,
    tag: Option<Tag>,
}

/// Reads the markup starting at `html[at] == '<'` (a `>` is known to follow), or `None` when the
/// `<` starts none. An unclosed comment runs to the end, as in browsers.
fn read_markup(html: &str, at: usize) -> Option<Markup> {
    let rest = &html[at..];
    let b = rest.as_bytes();
    if let Some(comment) = rest.strip_prefix("<!--") {
        let end = comment.find("-->").map_or(html.len(), |p| at + 4 + p + 3);
        return Some(Markup { end, tag: None });
    }
    if matches!(b.get(1), Some(b'!' | b'?')) {
        let end = at + rest.find('>')? + 1;
        return Some(Markup { end, tag: None });
    }
    let is_closing = b.get(1) == Some(&b'/');
    let name_at = if is_closing { 2 } else { 1 };
    if !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let name_len = b[name_at..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b':' | b'_')).count();
    let name = rest[name_at..name_at + name_len].to_ascii_lowercase();
    let close = name_at + name_len + tag_end(&rest[name_at + name_len..])?;
    let is_self_closing = b[close - 1] == b'/';
    Some(Markup { end: at + close + 1, tag: Some(Tag { name, is_closing, is_self_closing }) })
}

/// Offset of the `>` that ends a tag's attributes, skipping `>` inside quoted values; when a
/// quote is never closed (broken markup), the first `>` instead, so that one stray quote cannot
/// swallow the rest of the document.
fn tag_end(attrs: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in attrs.bytes().enumerate() {
        match (quote, b) {
            (None, b'>') => return Some(i),
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            _ => {}
        }
    }
    attrs.find('>')
}

/// Where the element `name` (whose start tag ends at `from`) ends: after its end tag, or at the
/// end of the document when it has none.
fn end_of_element(html: &str, from: usize, name: &str) -> usize {
    let rest = &html[from..];
    let mut search = 0;
    while let Some(p) = rest[search..].find("</") {
        let at = search + p;
        let candidate = &rest[at + 2..];
        let is_match = candidate.len() >= name.len()
            && candidate.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && !candidate.as_bytes().get(name.len()).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-');
        if is_match {
            return candidate.find('>').map_or(html.len(), |q| from + at + 2 + q + 1);
        }
        search = at + 2;
    }
    html.len()
}

/// Characters that pages put inside words and that would split or disguise them: the soft hyphen
/// and the zero-width space, non-joiner and joiner.
const INVISIBLE: &[char] = &['\u{ad}', '\u{200b}', '\u{200c}', '\u{200d}'];

/// The output under construction: collapses whitespace and turns pending breaks into `\n` or
/// `\n\n` before the next visible character (never at the start or the end).
struct Text {
    out: String,
    /// 0 none, 1 line break, 2 paragraph break.
    pending_break: u8,
    pending_space: bool,
}

impl Text {
    fn with_capacity(n: usize) -> Self {
        Text { out: String::with_capacity(n), pending_break: 0, pending_space: false }
    }

    fn push_break(&mut self, kind: u8) {
        self.pending_break = self.pending_break.max(kind);
    }

    /// Appends raw text (character references not yet decoded).
    fn push_text(&mut self, raw: &str) {
        let mut rest = raw;
        while let Some(p) = rest.find('&') {
            self.push_plain(&rest[..p]);
            match decode_reference(&rest[p..]) {
                Some((c, len)) => {
                    self.push_char(c);
                    rest = &rest[p + len..];
                }
                None => {
                    self.push_char('&');
                    rest = &rest[p + 1..];
                }
            }
        }
        self.push_plain(rest);
    }

    fn push_plain(&mut self, s: &str) {
        for c in s.chars() {
            self.push_char(c);
        }
    }

    fn push_char(&mut self, c: char) {
        if INVISIBLE.contains(&c) {
            return;
        }
        if c.is_whitespace() {
            self.pending_space = true;
            return;
        }
        if !self.out.is_empty() {
            match self.pending_break {
                2 => self.out.push_str("\n\n"),
                1 => self.out.push('\n'),
                _ if self.pending_space => self.out.push(' '),
                _ => {}
            }
        }
        self.pending_break = 0;
        self.pending_space = false;
        self.out.push(c);
    }

    fn finish(self) -> String {
        self.out
    }
}

/// Decodes the character reference at the start of `s` (`&amp;`, `&#8217;`, `&#x2019;`, and
/// `&amp`, `&lt`, `&gt`, `&quot`, `&nbsp` without the semicolon, as browsers do); returns the
/// character and the bytes read. Unknown names are not references (`None`).
fn decode_reference(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let is_hex = matches!(b.get(2), Some(b'x' | b'X'));
        let digits_at = if is_hex { 3 } else { 2 };
        let n = b[digits_at..].iter().take_while(|c| if is_hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() }).count();
        if n == 0 {
            return None;
        }
        let radix = if is_hex { 16 } else { 10 };
        let code = s[digits_at..digits_at + n]
            .chars()
            .fold(0u32, |code, d| code.saturating_mul(radix).saturating_add(d.to_digit(radix).unwrap_or(0)));
        let len = digits_at + n + usize::from(b.get(digits_at + n) == Some(&b';'));
        return Some((numeric_char(code), len));
    }
    let n = b[1..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let name = &s[1..1 + n];
    let has_semicolon = b.get(1 + n) == Some(&b';');
    let c = named_char(name)?;
    if !has_semicolon && !matches!(name, "amp" | "lt" | "gt" | "quot" | "nbsp") {
        return None;
    }
    Some((c, 1 + n + usize::from(has_semicolon)))
}

/// The character of a numeric reference: Windows-1252 for 0x80–0x9F (as browsers read old pages
/// that wrote `&#146;` for an apostrophe), U+FFFD for 0, surrogates and values beyond Unicode.
fn numeric_char(code: u32) -> char {
    const CP1252: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}',
        '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}', '\u{178}',
    ];
    match code {
        0x80..=0x9f => CP1252[(code - 0x80) as usize],
        0 => '\u{fffd}',
        _ => char::from_u32(code).unwrap_or('\u{fffd}'),
    }
}

/// The named references found in ordinary prose (a subset of HTML's 2,231).
fn named_char(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "shy" => '\u{ad}',
        "zwnj" => '\u{200c}',
        "zwj" => '\u{200d}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "lsaquo" => '‹',
        "rsaquo" => '›',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "plusmn" => '±',
        "times" => '×',
        "divide" => '÷',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "sect" => '§',
        "para" => '¶',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "iexcl" => '¡',
        "iquest" => '¿',
        "dagger" => '†',
        "Dagger" => '‡',
        "prime" => '′',
        "Prime" => '″',
        "agrave" => 'à',
        "aacute" => 'á',
        "acirc" => 'â',
        "atilde" => 'ã',
        "auml" => 'ä',
        "aring" => 'å',
        "aelig" => 'æ',
        "ccedil" => 'ç',
        "egrave" => 'è',
        "eacute" => 'é',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "igrave" => 'ì',
        "iacute" => 'í',
        "icirc" => 'î',
        "iuml" => 'ï',
        "ntilde" => 'ñ',
        "ograve" => 'ò',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "otilde" => 'õ',
        "ouml" => 'ö',
        "oslash" => 'ø',
        "ugrave" => 'ù',
        "uacute" => 'ú',
        "ucirc" => 'û',
        "uuml" => 'ü',
        "yacute" => 'ý',
        "yuml" => 'ÿ',
        "szlig" => 'ß',
        "Agrave" => 'À',
        "Aacute" => 'Á',
        "Acirc" => 'Â',
        "Auml" => 'Ä',
        "Aring" => 'Å',
        "AElig" => 'Æ',
        "Ccedil" => 'Ç',
        "Egrave" => 'È',
        "Eacute" => 'É',
        "Ecirc" => 'Ê',
        "Iacute" => 'Í',
        "Ntilde" => 'Ñ',
        "Oacute" => 'Ó',
        "Ouml" => 'Ö',
        "Oslash" => 'Ø',
        "Uacute" => 'Ú',
        "Uuml" => 'Ü',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_scripts_and_comments_go_and_blocks_become_paragraphs() {
        let html = "<!DOCTYPE html><html><head><title>News</title><style>p { color: red }</style>\
            <script>var x = '</p>'; if (a < b) {}</script></head><body>\
            <h1>Big  day</h1><!-- a <p>comment</p> --><p>The <b>foreign</b> minister\n  said <a href=\"/x?a=1&b=2\" title='a > b'>so</a>.</p>\
            <ul><li>One</li><li>Two<br>lines</li></ul></body></html>";
        assert_eq!(strip(html), "News\n\nBig day\n\nThe foreign minister said so.\n\nOne\n\nTwo\nlines");
    }

    #[test]
    fn character_references_are_decoded() {
        assert_eq!(strip("Tom &amp; Jerry&rsquo;s &#8220;caf&eacute;&#x201D; &lt;3 &copy"), "Tom & Jerry’s “café” <3 &copy");
        assert_eq!(
            strip("AT&T &amp; &amp don&#146;t &#0; &#xFFFFFFFFFF; &#0000000065; &#; &bogus;"),
            "AT&T & & don’t \u{fffd} \u{fffd} A &#; &bogus;"
        );
        assert_eq!(strip("a&nbsp;&nbsp;b inter&shy;national"), "a b international");
    }

    #[test]
    fn broken_markup_keeps_the_text() {
        assert_eq!(strip("if a < b and c > d"), "if a < b and c > d");
        assert_eq!(strip("<p class=\"oops>Hello</p> world"), "Hello\n\nworld");
        assert_eq!(strip("text <script>never closed"), "text");
        assert_eq!(strip("text <!-- never closed <p>x</p>"), "text");
        assert_eq!(strip("unclosed <b and x<y"), "unclosed <b and x<y");
        assert_eq!(strip("<b>bold</b> <b"), "bold <b");
        assert_eq!(strip("<scriptx>kept</scriptx> <script>x</scripty></script>y"), "kept y");
        assert_eq!(strip(""), "");
        assert_eq!(strip("<"), "<");
        assert_eq!(strip("é<p>ü</p>ñ"), "é\n\nü\n\nñ");
    }

    #[test]
    fn html_is_recognised_by_its_start_or_its_name() {
        assert!(looks_like_html("\u{feff}  <!DOCTYPE html>\n<html>"));
        assert!(looks_like_html("<html lang=en><body>Hi</body></html>"));
        assert!(looks_like_html("<p>One</p><p>Two</p>"));
        assert!(!looks_like_html("<p>an opening tag alone"));
        assert!(!looks_like_html("<3 my cat </3"));
        assert!(!looks_like_html("The <html> tag starts a page."));
        assert!(!looks_like_html("<paragraph>x</paragraph>"));
        assert!(is_html_path(Path::new("a/Page.HTM")) && is_html_path(Path::new("p.html.gz")));
        assert!(!is_html_path(Path::new("notes.txt")));
    }
}
