//! `unspun serve`: scoring and restoring over HTTP (feature `serve`), and a page that highlights
//! what looks spun.
//!
//! This module owns the service: [`Service`] turns request bodies into response bodies with the
//! same library calls as the command line (`score --format json`, `restore`), [`router`] maps
//! routes and errors onto it, and [`Server`] binds, runs the CPU work on a bounded pool off the
//! async runtime, and shuts down gracefully. Routes:
//!
//! - `POST /score` `{"text", "explain"?, "swap_threshold"?, "id"?, "html"?}` → one object of
//!   `score --format json`; `{"documents": [{"id", "text"}...], "explain"?, "swap_threshold"?,
//!   "html"?}` → a list of them, in order;
//! - `POST /restore` `{"text", "min_p_swap"?, "min_score"?}` → `{"text", "changes"}`;
//! - `GET /health` → `{"status": "ok", "model", "threshold", "version"}`;
//! - `GET /` → the page (`page.html`, self-contained).
//!
//! Errors are `{"error": "..."}`: 400 for malformed JSON or a missing `text`, 413 for a body over
//! the limit (refused from its `Content-Length` before it is read, or as soon as a body without
//! one passes the limit), 404 for an unknown path, 405 for a wrong method, 500 if scoring failed.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::error::{Error, Result};
use crate::features::FeatureExtractor;
use crate::model::Detector;
use crate::output;
use crate::pipeline::{self, Resources};

/// Largest request body by default (16 MiB): a long article is well under 1 MiB, a batch of a few
/// hundred of them fits; larger batches belong to `score --jsonl` or Spark (README, "At scale").
pub const DEFAULT_MAX_BODY: usize = 16 << 20;

/// Threads of the async runtime: they only accept connections, read bodies and write responses
/// (parsing, scoring and serialising run on the worker pool), so two keep up with any pool on the
/// 2-core machines measured in the README's load check.
pub const IO_THREADS: usize = 2;

/// The page served at `GET /`: one file, styles and script inline, no external assets.
pub const PAGE: &str = include_str!("page.html");

/// Content-Security-Policy of the page: nothing may load from anywhere but its own inline styles
/// and script, and it may talk only to this server.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:";

/// What the service scores with: an extractor over resources that live as long as the process,
/// a detector, and the model's name for `/health`.
pub struct Service {
    extractor: FeatureExtractor<'static>,
    detector: Detector,
    model: String,
}

/// A request that cannot be answered: its HTTP status and the message of the `{"error"}` body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub status: u16,
    pub message: String,
}

impl Rejection {
    fn bad_request(message: impl Into<String>) -> Rejection {
        Rejection { status: 400, message: message.into() }
    }
}

/// `POST /score`: one document, or `documents`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreRequest {
    text: Option<String>,
    id: Option<serde_json::Value>,
    documents: Option<Vec<DocumentIn>>,
    #[serde(default)]
    explain: bool,
    /// Least `p_swap` of a span in every document, as `score --swap-threshold` (absent: the swap
    /// model's thresholds).
    swap_threshold: Option<f64>,
    /// `true` strips markup from every text, `false` from none; absent: texts that look like HTML
    /// are stripped, as `score` does.
    html: Option<bool>,
}

/// One of `documents`: other fields (a label, a URL) are ignored, as `score --jsonl` ignores them.
#[derive(Deserialize)]
struct DocumentIn {
    id: Option<serde_json::Value>,
    text: String,
}

/// `POST /restore`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RestoreRequest {
    text: String,
    #[serde(default = "default_min_p_swap")]
    min_p_swap: f64,
    #[serde(default = "default_min_score")]
    min_score: f64,
}

fn default_min_p_swap() -> f64 {
    pipeline::RESTORE_MIN_P_SWAP
}

fn default_min_score() -> f64 {
    pipeline::RESTORE_MIN_ODDITY
}

/// An id as `score --jsonl` reads it: a string as it is, any other JSON value as its JSON text,
/// none or `null` as `fallback`.
fn id_of(id: Option<serde_json::Value>, fallback: impl FnOnce() -> String) -> String {
    match id {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Null) | None => fallback(),
        Some(v) => v.to_string(),
    }
}

fn parse<'de, T: Deserialize<'de>>(body: &'de [u8]) -> std::result::Result<T, Rejection> {
    serde_json::from_slice(body).map_err(|e| Rejection::bad_request(format!("malformed request: {e}")))
}

impl Service {
    /// A service over `resources` (they must outlive it: the command line loads them once for the
    /// life of the process) with `detector`; `model` names the model in `/health`.
    pub fn new(resources: &'static Resources, detector: Detector, model: impl Into<String>) -> Service {
        Service { extractor: resources.extractor(), detector, model: model.into() }
    }

    /// `POST /score`: the body of the answer to a request body. One `text` gets the object
    /// `score --format json` writes for it (id `"-"`, as for standard input, unless `id` is
    /// given); `documents` get a list of them in order (a document without an id gets its
    /// position, from 0).
    pub fn score(&self, body: &[u8]) -> std::result::Result<Vec<u8>, Rejection> {
        let req: ScoreRequest = parse(body)?;
        let strip = |text: String| match req.html {
            Some(true) => crate::html::strip(&text),
            None if crate::html::looks_like_html(&text) => crate::html::strip(&text),
            _ => text,
        };
        let (docs, one) = match (req.text, req.documents) {
            (Some(text), None) => (vec![(id_of(req.id, || "-".into()), strip(text))], true),
            (None, Some(docs)) if req.id.is_none() => {
                let docs = docs.into_iter().enumerate().map(|(i, d)| (id_of(d.id, || i.to_string()), strip(d.text))).collect();
                (docs, false)
            }
            (None, Some(_)) => return Err(Rejection::bad_request("\"id\" goes inside each of \"documents\", not beside them")),
            (Some(_), Some(_)) => return Err(Rejection::bad_request("give \"text\" or \"documents\", not both")),
            (None, None) => return Err(Rejection::bad_request(
                "missing \"text\": send {\"text\": \"...\"} for one document or {\"documents\": [{\"id\": \"...\", \"text\": \"...\"}]}",
            )),
        };
        // (A request's own span threshold: a copy of the swap model, and an extractor sharing the rest.)
        let model = match (req.swap_threshold, self.extractor.swap_model()) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(Rejection::bad_request("\"swap_threshold\" needs a swap model: this server reports spans by oddity alone"))
            }
            (Some(p), Some(m)) => {
                Some(m.clone().with_threshold(p).map_err(|e| Rejection::bad_request(format!("\"swap_threshold\": {e}")))?)
            }
        };
        let custom = model.as_ref().map(|m| self.extractor.clone().with_swap_model(Some(m)));
        let extractor = custom.as_ref().unwrap_or(&self.extractor);
        let texts: Vec<&str> = docs.iter().map(|(_, t)| t.as_str()).collect();
        let scores = pipeline::score_batch(extractor, &self.detector, &texts, req.explain);
        let outs: Vec<_> = docs.iter().zip(&scores).map(|((id, text), s)| output::score_json(id, text, s)).collect();
        let json = if one { serde_json::to_vec(&outs[0]) } else { serde_json::to_vec(&outs) };
        Ok(json.expect("scores serialise"))
    }

    /// `POST /restore`: the text with the confident suggestions applied, and the changes.
    pub fn restore(&self, body: &[u8]) -> std::result::Result<Vec<u8>, Rejection> {
        let req: RestoreRequest = parse(body)?;
        let (restored, changes) = pipeline::restore(&self.extractor, &req.text, req.min_score, req.min_p_swap);
        Ok(serde_json::to_vec(&output::restore_json(&restored, &changes)).expect("changes serialise"))
    }

    /// `GET /health`.
    pub fn health(&self) -> Vec<u8> {
        let health = serde_json::json!({
            "status": "ok",
            "model": self.model,
            "threshold": self.detector.threshold(),
            "version": env!("CARGO_PKG_VERSION"),
        });
        serde_json::to_vec(&health).expect("health serialises")
    }
}

/// Limits of a running service.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body in bytes; defaults to [`DEFAULT_MAX_BODY`].
    pub max_body: usize,
    /// Requests scored at once; the others wait (without using a thread) until one finishes.
    /// Defaults to the threads of the worker pool.
    pub concurrent_jobs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body: DEFAULT_MAX_BODY, concurrent_jobs: rayon::current_num_threads() }
    }
}

#[derive(Clone)]
struct AppState {
    service: Arc<Service>,
    jobs: Arc<Semaphore>,
    max_body: usize,
}

/// The routes of the service. CPU work (parsing, scoring, serialising) runs on rayon's global
/// pool, at most `limits.concurrent_jobs` requests at once, so the async runtime stays free to
/// accept and answer.
pub fn router(service: Arc<Service>, limits: Limits) -> Router {
    let state = AppState { service, jobs: Arc::new(Semaphore::new(limits.concurrent_jobs.max(1))), max_body: limits.max_body };
    Router::new()
        .route("/", get(page))
        .route("/health", get(health))
        .route("/score", post(score))
        .route("/restore", post(restore))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such path: the routes are GET /, GET /health, POST /score, POST /restore") })
        .method_not_allowed_fallback(|req: Request| async move {
            error(StatusCode::METHOD_NOT_ALLOWED, format!("{} is not allowed on {}", req.method(), req.uri().path()))
        })
        .with_state(state)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::to_vec(&serde_json::json!({ "error": message.into() })).expect("errors serialise");
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

fn json(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY)),
        ],
        PAGE,
    )
        .into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    json(state.service.health())
}

async fn score(State(state): State<AppState>, req: Request) -> Response {
    answer(state, req, Service::score).await
}

async fn restore(State(state): State<AppState>, req: Request) -> Response {
    answer(state, req, Service::restore).await
}

/// Reads the body within the limit, runs `work` on the worker pool and answers with its result.
async fn answer(state: AppState, req: Request, work: fn(&Service, &[u8]) -> std::result::Result<Vec<u8>, Rejection>) -> Response {
    let body = match read_body(req, state.max_body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    // Waiting here holds no thread; the permit goes back when the job ends, even if it panicked.
    let Ok(permit) = state.jobs.clone().acquire_owned().await else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down");
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let service = state.service.clone();
    rayon::spawn(move || {
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(&service, &body)));
        drop(permit);
        let _ = tx.send(result);
    });
    match rx.await {
        Ok(Ok(Ok(body))) => json(body),
        Ok(Ok(Err(r))) => error(StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST), r.message),
        Ok(Err(_)) | Err(_) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "scoring failed on this input (a bug: please report it with the input)")
        }
    }
}

/// The request body, refused with 413 when its `Content-Length` is over `max` (before reading
/// any of it) or when it grows over `max` while being read.
async fn read_body(req: Request, max: usize) -> std::result::Result<Vec<u8>, Response> {
    let too_large = || error(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is over the limit of {max} bytes (--max-body)"));
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match Limited::new(req.into_body(), max).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.is::<LengthLimitError>() => Err(too_large()),
        Err(e) => Err(error(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}"))),
    }
}

/// A bound, not yet running server.
pub struct Server {
    listener: std::net::TcpListener,
    router: Router,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port; see [`Server::local_addr`]).
    pub fn bind(addr: SocketAddr, service: Service, limits: Limits) -> Result<Server> {
        let listener = std::net::TcpListener::bind(addr).map_err(|cause| Error::Listen { addr, cause })?;
        listener.set_nonblocking(true).map_err(|cause| Error::Listen { addr, cause })?;
        Ok(Server { listener, router: router(Arc::new(service), limits) })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until SIGINT or SIGTERM, then stops taking connections, finishes the requests in
    /// flight and returns.
    pub fn run(self) -> Result<()> {
        self.run_until(shutdown_signal())
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and returns.
    pub fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let addr = self.local_addr();
        let io = |cause| Error::Listen { addr, cause };
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(IO_THREADS).enable_all().build().map_err(io)?;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener).map_err(io)?;
            axum::serve(listener, self.router).with_graceful_shutdown(shutdown).await.map_err(io)
        })
    }
}

/// Completes at the first SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        // Without a signal handler there is nothing to wait for: serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> Service {
        let resources: &'static Resources = Box::leak(Box::new(Resources::embedded().unwrap()));
        Service::new(resources, crate::embedded::detector().unwrap(), "embedded")
    }

    #[test]
    fn requests_without_text_or_with_bad_json_are_rejected_with_400() {
        let s = service();
        for body in [&b"{"[..], b"[]", b"{}", b"{\"text\": 3}", b"{\"txt\": \"a\"}", b"{\"text\": \"a\", \"documents\": []}", b"\xff"] {
            let r = s.score(body).unwrap_err();
            assert_eq!(r.status, 400, "{}: {r:?}", String::from_utf8_lossy(body));
        }
        assert_eq!(s.restore(b"{\"documents\": []}").unwrap_err().status, 400);
    }

    #[test]
    fn one_text_gives_an_object_and_documents_a_list_in_order() {
        let s = service();
        let one: serde_json::Value = serde_json::from_slice(&s.score(br#"{"text": "short text"}"#).unwrap()).unwrap();
        assert_eq!(one["id"], "-");
        assert_eq!(one["words"], 2);
        let many: serde_json::Value = serde_json::from_slice(
            &s.score(br#"{"documents": [{"id": "b", "text": "x y", "label": "spun"}, {"text": "z"}, {"id": 7, "text": ""}]}"#).unwrap(),
        )
        .unwrap();
        let ids: Vec<&str> = many.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["b", "1", "7"]);
    }
}
