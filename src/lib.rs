//! # unspun
//!
//! Tells whether a document is original writing or **spun**: run through an article spinner that
//! swaps words for thesaurus synonyms ("foreign minister" → "overseas minister"). It computes n-gram
//! statistics against a reference of ordinary English and *synonym oddity* (a word whose thesaurus
//! neighbour would fit its neighbours far better), turns them into a probability with a logistic
//! model, and points at the phrases that look spun with what they probably said before.
//!
//! ```
//! use unspun::{embedded, pipeline::{score_text, Resources}};
//!
//! let resources = Resources::embedded()?;
//! let detector = embedded::detector()?;
//! let score = score_text(&resources.extractor(), &detector,
//!     "The overseas minister informed reporters that the talks had gone well.", true);
//! let p = score.p_spun.expect("long enough to judge");
//! assert!((0.0..=1.0).contains(&p));
//! # Ok::<(), unspun::Error>(())
//! ```
//!
//! Data flows one way: [`text`] → [`reference`](mod@reference) / [`thesaurus`] → [`features`] → [`model`] →
//! [`eval`]; [`corpus`], [`spin`] and [`pipeline`] sit at the edges, and `serve` (feature `serve`, on
//! by default) puts [`pipeline`] behind HTTP.

pub mod artifact;
pub mod corpus;
pub mod embedded;
pub mod error;
pub mod eval;
pub mod features;
pub mod html;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod reference;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod spin;
pub mod text;
pub mod thesaurus;
pub mod vectors;

pub use error::{Error, Result};
pub use features::{Analysis, FeatureExtractor, Span, FEATURES};
pub use model::{Detector, TrainParams};
pub use pipeline::{Resources, Score};
pub use reference::Reference;
pub use thesaurus::Thesaurus;
