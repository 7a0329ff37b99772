//! Back-off n-gram language models in ARPA format (e.g. the CMU Sphinx US English model, decoded by
//! `scripts/cmu_lm_decode.py`), turned into pseudo-counts on the scale of the corpora's counts.
//!
//! A language model lists, per order, n-grams with `log10 P(w_n | w_1 … w_{n-1})` and a back-off
//! weight. An n-gram's pseudo-count is `scale · P(w_1 … w_n)`, the joint probability by the chain
//! rule (`P(w_1) P(w_2 | w_1) …`, backing off where a prefix is not listed): a model trained on a
//! corpus of `scale` words would have counted it about that often. Every listed n-gram counts at
//! least [`LISTED_FLOOR`]: the model's builder kept it because it was attested.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use super::{hash_word, key, KeyHasher, MAX_ORDER};
use crate::error::{Error, Result};
use crate::text::{normalize_into, tokenize};

/// Least pseudo-count of an n-gram the model lists: the reference's minimum count (2), so that
/// freezing keeps every attested n-gram however small its probability.
pub const LISTED_FLOOR: f64 = 2.0;

/// One listed n-gram: word hashes (unused orders 0), `log10` probability and back-off.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    words: [u64; MAX_ORDER],
    log_p: f64,
    log_backoff: f64,
}

/// A back-off language model of order up to [`MAX_ORDER`], keyed by our word hashes.
#[derive(Debug, Clone, Default)]
pub struct Lm {
    /// Entries per order (index 0: unigrams).
    orders: [Vec<Entry>; MAX_ORDER],
    /// Position of each n-gram's entry in its order, by [`key`].
    index: [HashMap<u64, usize, KeyHasher>; MAX_ORDER],
    /// N-grams left out because a word is a sentence marker, unknown-word token or does not
    /// normalise to one word of ours.
    pub skipped: u64,
}

impl Lm {
    /// Reads an ARPA file (`\data\`, `\1-grams:` … `\end\`; fields separated by white space).
    /// N-grams above [`MAX_ORDER`] are ignored; `origin` names the file in errors.
    pub fn read(reader: impl BufRead, origin: &Path) -> Result<Lm> {
        let mut lm = Lm::default();
        let mut order = 0usize;
        let mut seen_data = false;
        let mut norm = String::new();
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| Error::io(origin, e))?;
            let line_no = i as u64 + 1;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if line == "\\data\\" {
                seen_data = true;
                continue;
            }
            if line == "\\end\\" {
                break;
            }
            if let Some(n) = line.strip_prefix('\\').and_then(|s| s.strip_suffix("-grams:")) {
                order = n.parse().map_err(|_| Error::record(origin, line_no, format!("bad section header {line:?}")))?;
                if order == 0 {
                    return Err(Error::record(origin, line_no, "n-gram order 0"));
                }
                continue;
            }
            // before the first section: comments and the `ngram N=count` lines
            if order == 0 || order > MAX_ORDER {
                continue;
            }
            let mut fields = line.split_whitespace();
            let bad = || Error::record(origin, line_no, format!("expected `log10prob w1 … w{order} [backoff]` in the {order}-grams"));
            let log_p: f64 = fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad)?;
            let mut words = [0u64; MAX_ORDER];
            let mut usable = true;
            for w in words.iter_mut().take(order) {
                let word = fields.next().ok_or_else(bad)?;
                match word_hash(word, &mut norm) {
                    Some(h) => *w = h,
                    None => usable = false,
                }
            }
            let log_backoff: f64 = match fields.next() {
                Some(f) => f.parse().map_err(|_| bad())?,
                None => 0.0,
            };
            if fields.next().is_some() || !log_p.is_finite() || !log_backoff.is_finite() {
                return Err(bad());
            }
            if !usable {
                lm.skipped += 1;
                continue;
            }
            let k = key(&words[..order]);
            lm.index[order - 1].insert(k, lm.orders[order - 1].len());
            lm.orders[order - 1].push(Entry { words, log_p, log_backoff });
        }
        if !seen_data || lm.orders[0].is_empty() {
            return Err(Error::artifact(origin, "not an ARPA language model with unigrams (no `\\data\\` section or no `\\1-grams:`)"));
        }
        Ok(lm)
    }

    /// N-grams kept, per order.
    pub fn len(&self, n: usize) -> usize {
        self.orders[n - 1].len()
    }

    /// `log10 P(w_n | w_1 … w_{n-1})` with standard ARPA back-off; `None` for an unknown last word.
    fn log_conditional(&self, words: &[u64]) -> Option<f64> {
        let n = words.len();
        if let Some(&i) = self.index[n - 1].get(&key(words)) {
            return Some(self.orders[n - 1][i].log_p);
        }
        if n == 1 {
            return None;
        }
        let history = &words[..n - 1];
        let backoff = self.index[n - 2].get(&key(history)).map_or(0.0, |&i| self.orders[n - 2][i].log_backoff);
        Some(backoff + self.log_conditional(&words[1..])?)
    }

    /// `log10 P(w_1 … w_n)` by the chain rule.
    fn log_joint(&self, words: &[u64]) -> Option<f64> {
        let mut total = 0.0;
        for end in 1..=words.len() {
            total += self.log_conditional(&words[end.saturating_sub(MAX_ORDER)..end])?;
        }
        Some(total)
    }

    /// Calls `add(words, pseudo_count)` for every listed n-gram: `scale · P(w_1 … w_n)`, at least
    /// [`LISTED_FLOOR`].
    pub fn pseudo_counts(&self, scale: f64, mut add: impl FnMut(&[u64], f64)) {
        for (n, entries) in self.orders.iter().enumerate() {
            for e in entries {
                let words = &e.words[..=n];
                let joint = self.log_joint(words).unwrap_or(e.log_p);
                add(words, (scale * 10f64.powf(joint)).max(LISTED_FLOOR));
            }
        }
    }
}

/// Our hash of an ARPA word, or `None` when it is a marker (`<s>`, `</s>`, `<unk>`) or does not
/// normalise to exactly one word token (e.g. "a." or "e-mail's" split differently).
fn word_hash(word: &str, norm: &mut String) -> Option<u64> {
    if word.starts_with('<') && word.ends_with('>') {
        return None;
    }
    let tokens = tokenize(word);
    let [t] = tokens.as_slice() else { return None };
    if t.start != 0 || t.end != word.len() {
        return None;
    }
    normalize_into(word, norm);
    Some(hash_word(norm))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "comment before the data\n\\data\\\nngram 1=4\nngram 2=2\nngram 3=1\n\n\\1-grams:\n-1.0\tthe\t-0.5\n-2.0\tforeign\t-0.3\n-2.0\tminister\n-1.5\t<s>\t-0.2\n\n\\2-grams:\n-0.5\tthe foreign\t-0.1\n-0.2\tforeign minister\n\n\\3-grams:\n-0.1\tthe foreign minister\n\\end\\\n";

    fn h(s: &str) -> Vec<u64> {
        s.split(' ').map(hash_word).collect()
    }

    #[test]
    fn reads_orders_and_skips_markers() {
        let lm = Lm::read(TINY.as_bytes(), Path::new("t.arpa")).unwrap();
        assert_eq!((lm.len(1), lm.len(2), lm.len(3), lm.skipped), (3, 2, 1, 1));
    }

    #[test]
    fn pseudo_counts_follow_the_chain_rule_with_backoff() {
        let lm = Lm::read(TINY.as_bytes(), Path::new("t.arpa")).unwrap();
        let mut got: HashMap<Vec<u64>, f64> = HashMap::new();
        lm.pseudo_counts(1e4, |w, c| {
            got.insert(w.to_vec(), c);
        });
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.max(1.0);
        // P(the) = 0.1
        assert!(close(got[&h("the")], 1e3));
        // P(the foreign) = 10^-1 · 10^-0.5
        assert!(close(got[&h("the foreign")], 1e4 * 10f64.powf(-1.5)));
        // P(the foreign minister) = P(the foreign) · 10^-0.1
        assert!(close(got[&h("the foreign minister")], 1e4 * 10f64.powf(-1.6)));
        // P(foreign minister) = 10^-2 · 10^-0.2 = 63.1 pseudo-occurrences
        assert!(close(got[&h("foreign minister")], 1e4 * 10f64.powf(-2.2)));
        // a tiny probability is floored: the n-gram was attested
        lm.pseudo_counts(1.0, |_, c| assert!(c >= LISTED_FLOOR));
        // unlisted: P(minister | the) backs off through bo(the) = -0.5 to P(minister) = -2
        assert!(close(lm.log_joint(&h("the minister")).unwrap(), -1.0 - 0.5 - 2.0));
        assert_eq!(lm.log_joint(&h("the unknown")), None);
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let bad = "\\data\\\n\\1-grams:\n-1.0\tthe\n-x\tfoo\n";
        let e = Lm::read(bad.as_bytes(), Path::new("m.arpa")).unwrap_err().to_string();
        assert!(e.starts_with("m.arpa:4:"), "{e}");
        let e = Lm::read("hello\n".as_bytes(), Path::new("m.arpa")).unwrap_err().to_string();
        assert!(e.contains("not an ARPA"), "{e}");
    }
}
