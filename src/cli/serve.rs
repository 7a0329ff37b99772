//! `unspun serve`: converts the flags, loads the model and resources once, and runs the library's
//! server (`unspun::serve`) until SIGINT or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::Args;

use unspun::features::SwapModel;
use unspun::pipeline::Resources;
use unspun::serve::{Limits, Server, Service, DEFAULT_MAX_BODY};

use super::args::{load_detector, load_resources, ResourceArgs, SpanArgs};

/// Examples, routes and errors under `unspun serve --help`.
pub(super) const SERVE_HELP: &str = "Examples:
  unspun serve                                  http://127.0.0.1:8080 (this machine only)
  unspun serve --addr 127.0.0.1:0               a free port (printed on stderr)
  unspun serve --model models/ --threads 2      a model folder, 2 scoring threads
  curl -s localhost:8080/score -d '{\"text\": \"The overseas minister said ...\", \"explain\": true}'
  curl -s localhost:8080/score -d '{\"documents\": [{\"id\": \"a\", \"text\": \"...\"}, {\"id\": \"b\", \"text\": \"...\"}]}'
  curl -s localhost:8080/restore -d '{\"text\": \"The overseas minister said ...\"}'

Routes:
  POST /score     {\"text\", \"explain\"?, \"swap_threshold\"?, \"id\"?, \"html\"?} -> the object
                  `score --format json` writes
                  {\"documents\": [{\"id\", \"text\"}...], \"explain\"?, \"swap_threshold\"?} -> a list of
                  them, in order
  POST /restore   {\"text\", \"min_p_swap\"?, \"min_score\"?} -> {\"text\": likely original,
                  \"changes\": [{\"start\", \"end\", \"from\", \"to\", \"score\"}]}
  GET  /health    {\"status\": \"ok\", \"model\", \"threshold\", \"version\"}
  GET  /          a page: paste text, Score, the phrases that look spun highlighted (originals on hover)

Errors are JSON {\"error\": \"...\"}: 400 malformed JSON or no \"text\"; 413 body over --max-body
(refused from its Content-Length before it is read); 404 unknown path; 405 wrong method.
Scoring runs on --threads worker threads, off the threads that handle connections. SIGINT
(Ctrl-C) or SIGTERM stops taking connections, finishes the requests in flight and exits 0.
The default address is loopback: other machines cannot connect. --addr 0.0.0.0:8080 listens on
every interface; there is no authentication, so put it behind a proxy that has some.";

#[derive(Args)]
pub(super) struct ServeArgs {
    /// Address and port to listen on; port 0 picks a free one
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    addr: SocketAddr,
    /// Model file, or a folder holding model.json (or default.json) and, if present, swaps.json
    /// (used as --swap-model) [default: the embedded model]
    #[arg(long, value_name = "PATH|DIR")]
    model: Option<PathBuf>,
    /// Decision threshold on p_spun [default: the model's]
    #[arg(long, value_name = "P")]
    threshold: Option<f64>,
    /// Largest request body in bytes; a larger one gets 413 without being read
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    max_body: usize,
    #[command(flatten)]
    spans: SpanArgs,
    #[command(flatten)]
    resources: ResourceArgs,
}

/// The model file and swap model of `--model PATH|DIR`.
fn model_files(model: &Path) -> Result<(PathBuf, Option<PathBuf>)> {
    if !model.is_dir() {
        return Ok((model.to_path_buf(), None));
    }
    let Some(file) = ["model.json", "default.json"].iter().map(|f| model.join(f)).find(|p| p.is_file()) else {
        bail!("{}: no model.json or default.json in this folder; give a model file or a folder holding one", model.display());
    };
    let swaps = model.join("swaps.json");
    Ok((file, swaps.is_file().then_some(swaps)))
}

pub(super) fn run_serve(a: ServeArgs) -> Result<()> {
    if a.max_body == 0 {
        bail!("--max-body must be at least 1 byte");
    }
    let (model, swaps) = match &a.model {
        Some(m) => {
            let (file, swaps) = model_files(m)?;
            (Some(file), swaps)
        }
        None => (None, None),
    };
    let detector = load_detector(model.as_deref(), a.threshold)?;
    let mut resources = load_resources(&a.resources)?;
    if let (Some(p), None) = (&swaps, &a.resources.swap_model) {
        resources.swap_model = Some(SwapModel::load(p)?);
    }
    a.spans.apply(&mut resources)?;
    // The resources live as long as the process (the server runs until it exits), so they are
    // leaked once rather than shared through a self-referential struct with the extractor.
    let resources: &'static Resources = Box::leak(Box::new(resources));
    let name = model.as_ref().map_or_else(|| "embedded default model".to_string(), |p| p.display().to_string());
    let limits = Limits { max_body: a.max_body, ..Limits::default() };
    let server = Server::bind(a.addr, Service::new(resources, detector, name), limits)?;
    let addr = server.local_addr();
    let reach = if addr.ip().is_loopback() {
        "loopback only: other machines cannot connect; --addr 0.0.0.0:PORT listens on every interface"
    } else {
        "every machine that can reach this address can use it (no authentication)"
    };
    warn!("unspun: listening on http://{addr} ({reach})");
    warn!("unspun: POST /score, POST /restore, GET /health, GET / (a page); {} scoring threads; Ctrl-C stops", limits.concurrent_jobs);
    server.run()?;
    warn!("unspun: stopped");
    Ok(())
}
