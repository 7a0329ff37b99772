//! The JSON shapes of results as scripts and services read them: one document's score (`score
//! --format json|jsonl` and `POST /score` of `unspun serve`) and a restored text (`restore
//! --format json|jsonl`, `POST /restore`). Field order is part of the output format; numbers are
//! rounded to 4 decimals so outputs diff cleanly.

use serde::Serialize;

use crate::pipeline::{Change, Score};

/// One document's result (`{"id", "p_spun", "spun", "words", "spans", "note"?}`).
#[derive(Debug, Serialize)]
pub struct ScoreOut<'a> {
    pub id: &'a str,
    pub p_spun: Option<f64>,
    pub spun: Option<bool>,
    pub words: usize,
    pub spans: Vec<SpanOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
}

/// A phrase that looks spun: byte offsets into the scored text, the phrase, its likely original.
#[derive(Debug, Serialize)]
pub struct SpanOut<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub suggestion: Option<&'a str>,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_swap: Option<f64>,
}

/// The output record of document `id` whose `text` got score `s` (its spans point into `text`).
pub fn score_json<'a>(id: &'a str, text: &'a str, s: &'a Score) -> ScoreOut<'a> {
    ScoreOut {
        id,
        p_spun: s.p_spun.map(round4),
        spun: s.spun,
        words: s.words,
        spans: s
            .spans
            .iter()
            .map(|sp| SpanOut {
                start: sp.start,
                end: sp.end,
                text: &text[sp.start..sp.end],
                suggestion: sp.suggestion.as_deref(),
                score: round4(sp.score),
                p_swap: sp.p_swap.map(round4),
            })
            .collect(),
        note: s.note.as_deref(),
    }
}

/// A restored text with its changes (`{"id"?, "text", "changes": [{"start", "end", "from", "to", "score"}]}`);
/// offsets are bytes of the input text.
#[derive(Debug, Serialize)]
pub struct RestoreOut<'a> {
    /// The document's id (`restore --format json|jsonl`; absent in `POST /restore`'s answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    pub text: &'a str,
    pub changes: Vec<ChangeOut<'a>>,
}

/// One change of [`RestoreOut`]: `from` (the input's `start..end`) became `to`.
#[derive(Debug, Serialize)]
pub struct ChangeOut<'a> {
    pub start: usize,
    pub end: usize,
    pub from: &'a str,
    pub to: &'a str,
    pub score: f64,
}

/// The output record of [`crate::pipeline::restore`]'s result.
pub fn restore_json<'a>(restored: &'a str, changes: &'a [Change]) -> RestoreOut<'a> {
    RestoreOut {
        id: None,
        text: restored,
        changes: changes
            .iter()
            .map(|c| ChangeOut { start: c.start, end: c.end, from: &c.from, to: &c.to, score: round4(c.score) })
            .collect(),
    }
}

/// [`restore_json`] of document `id` (`{"id", "text", "changes"}`).
pub fn restore_record<'a>(id: &'a str, restored: &'a str, changes: &'a [Change]) -> RestoreOut<'a> {
    RestoreOut { id: Some(id), ..restore_json(restored, changes) }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
