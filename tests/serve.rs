//! Drives `unspun serve`: the real binary on a free loopback port, spoken to over plain TCP (so
//! that a test can send headers without a body), its answers compared with the command line and
//! the library.
#![cfg(feature = "serve")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// A synthetic spun paragraph written for these tests (not from any corpus).
/// (Two sentences: in a shorter text the document's context counts less, and the first alone, 27
/// words, is not judged spun, however clear its spans.)
const SPUN: &str = "The overseas minister stated that the struggle crimes would be investigated by 12 months's finish, and the Related Press said the report would be published on Weekday. Officials from each nations are anticipated to fulfill once more in Geneva subsequent month to debate the findings.";

/// A running `unspun serve` on a free loopback port, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    stderr: std::sync::Mutex<std::sync::mpsc::Receiver<String>>,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else {
                let _ = child.kill();
                let status = child.wait();
                panic!("the server did not say where it listens ({status:?})");
            };
            if let Some(rest) = line.strip_prefix("unspun: listening on http://") {
                assert!(rest.contains("loopback only"), "says it binds loopback: {line}");
                let addr = rest.split_whitespace().next().unwrap().to_string();
                return Server { child, addr, stderr: std::sync::Mutex::new(rx) };
            }
        }
    }

    /// Sends a raw request (`head` without the Host and Connection lines) and returns
    /// (status, headers lowercased, body).
    fn raw(&self, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let mut req = format!("{head}\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr).into_bytes();
        req.extend_from_slice(body);
        s.write_all(&req).unwrap();
        read_response(&mut s)
    }

    fn request(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let head = format!("{method} {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}", body.len());
        let (status, headers, body) = self.raw(&head, body.as_bytes());
        assert!(headers.contains("content-type: application/json"), "{method} {path}: JSON answer expected, got {headers}");
        (status, serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body))))
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill").args(["-s", name, &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill -s {name}");
    }

    fn wait(mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads an HTTP/1.1 response to a `Connection: close` request: status, headers, body (by
/// Content-Length, else to the end).
fn read_response(s: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = String::from_utf8(all[..split].to_vec()).unwrap().to_lowercase();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head, all[split + 4..].to_vec())
}

fn cli_score(text: &str) -> Value {
    let o = run(&["score", "--format", "json", "--explain", "-"], Some(text));
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str::<Value>(&stdout(&o)).unwrap()[0].clone()
}

#[test]
fn every_route_answers_like_the_command_line_and_errors_are_json() {
    let server = Server::start(&["--threads", "2", "--max-body", "65536"]);

    let (status, health) = server.request("GET", "/health", "");
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["model"], "embedded default model");

    // One text: the very object `score --format json` writes for it on standard input.
    let (status, one) = server.request("POST", "/score", &json!({"text": SPUN, "explain": true}).to_string());
    assert_eq!(status, 200);
    assert_eq!(one, cli_score(SPUN));
    assert_eq!(one["spun"], true, "{one}");
    assert!(one["spans"].as_array().unwrap().iter().any(|s| s["text"] == "overseas" && s["suggestion"] == "foreign"), "{one}");

    // Documents: a list, in order, each as the command line scores it.
    let docs: Vec<Value> = [ORIGINALS[0], SPUN, "too short", ORIGINALS[5]]
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"id": format!("d{i}"), "text": t}))
        .collect();
    let (status, many) = server.request("POST", "/score", &json!({"documents": docs, "explain": true}).to_string());
    assert_eq!(status, 200);
    let many = many.as_array().unwrap();
    assert_eq!(many.len(), 4);
    for (i, (got, doc)) in many.iter().zip(&docs).enumerate() {
        let mut want = cli_score(doc["text"].as_str().unwrap());
        want["id"] = json!(format!("d{i}"));
        assert_eq!(got, &want);
    }
    assert!(many[2]["p_spun"].is_null() && many[2]["note"].is_string(), "{}", many[2]);

    // A request's own span threshold: the spans `score --swap-threshold` reports, fewer than the
    // model's own; an impossible one is a 400.
    let (status, sure) = server.request("POST", "/score", &json!({"text": SPUN, "explain": true, "swap_threshold": 0.995}).to_string());
    assert_eq!(status, 200);
    let o = run(&["score", "--format", "json", "--explain", "--swap-threshold", "0.995", "-"], Some(SPUN));
    assert_eq!(sure, serde_json::from_str::<Value>(&stdout(&o)).unwrap()[0]);
    assert!(sure["spans"].as_array().unwrap().len() < one["spans"].as_array().unwrap().len(), "{sure}");
    let (status, e) = server.request("POST", "/score", &json!({"text": SPUN, "swap_threshold": 1.5}).to_string());
    assert_eq!(status, 400);
    assert!(e["error"].as_str().unwrap().contains("swap_threshold"), "{e}");

    // Restore: the text `unspun restore` prints, and where each change was made.
    let (status, restored) = server.request("POST", "/restore", &json!({"text": SPUN}).to_string());
    assert_eq!(status, 200);
    let o = run(&["restore", "-"], Some(SPUN));
    assert_eq!(restored["text"].as_str().unwrap(), stdout(&o).trim_end_matches('\n'));
    let changes = restored["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for c in changes {
        let (start, end) = (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize);
        assert_eq!(&SPUN[start..end], c["from"].as_str().unwrap());
    }

    // The page: self-contained (no external scripts, styles or images), with the parts it needs.
    let (status, headers, page) = server.raw("GET / HTTP/1.1", b"");
    assert_eq!(status, 200);
    assert!(headers.contains("content-type: text/html"), "{headers}");
    let page = String::from_utf8(page).unwrap();
    for part in ["<textarea", "id=\"score\"", "fetch(\"/score\"", "createElement(\"mark\")"] {
        assert!(page.contains(part), "the page lacks {part}");
    }
    for external in ["src=", "href=", "@import", "url("] {
        assert!(!page.contains(external), "the page loads something ({external})");
    }

    // Errors, each as JSON, and the server keeps serving after them.
    for (body, why) in [
        ("{\"text\": ", "truncated JSON"),
        ("[1, 2]", "not an object"),
        ("{}", "no text"),
        ("{\"text\": 42}", "text not a string"),
        ("{\"txet\": \"a\"}", "unknown field"),
        ("{\"documents\": [{\"id\": \"a\"}]}", "a document without text"),
    ] {
        let (status, e) = server.request("POST", "/score", body);
        assert_eq!(status, 400, "{why}: {e}");
        assert!(e["error"].as_str().is_some_and(|m| !m.is_empty()), "{why}: {e}");
    }
    let (status, e) = server.request("POST", "/restore", "{\"texts\": \"a\"}");
    assert_eq!((status, e["error"].is_string()), (400, true));
    let (status, headers, body) = server.raw("POST /score HTTP/1.1\r\nContent-Length: 3", b"\xff\xfe}");
    assert_eq!(status, 400, "invalid UTF-8: {}", String::from_utf8_lossy(&body));
    assert!(headers.contains("application/json"));
    for (method, path) in [("GET", "/score"), ("PUT", "/restore"), ("POST", "/health"), ("DELETE", "/")] {
        let (status, e) = server.request(method, path, "");
        assert_eq!(status, 405, "{method} {path}");
        assert!(e["error"].as_str().unwrap().contains(method), "{e}");
    }
    let (status, e) = server.request("GET", "/nowhere", "");
    assert_eq!((status, e["error"].is_string()), (404, true));

    // Over --max-body: refused from the Content-Length alone, without waiting for the body
    // (none is sent: a server that read it first would wait until the read timeout)...
    let started = Instant::now();
    let (status, _, body) = server.raw("POST /score HTTP/1.1\r\nContent-Length: 1000000000", b"");
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(String::from_utf8_lossy(&body).contains("65536"));
    // ...and a chunked body without a length, once it passes the limit.
    let chunk = format!("{:x}\r\n{}\r\n", 40_000, "a".repeat(40_000));
    let chunked = format!("{chunk}{chunk}0\r\n\r\n");
    let (status, _, _) = server.raw("POST /score HTTP/1.1\r\nTransfer-Encoding: chunked", chunked.as_bytes());
    assert_eq!(status, 413);
    // A body just within the limit is read.
    let within = json!({"text": "word ".repeat(60_000 / 5)}).to_string();
    assert!(within.len() < 65536);
    assert_eq!(server.request("POST", "/score", &within).0, 200);

    let (status, _) = server.request("GET", "/health", "");
    assert_eq!(status, 200, "still serving after the bad requests");
    assert!(server.stderr.lock().unwrap().try_iter().all(|l| !l.contains("panicked")), "no panic");
}

#[test]
fn sixty_four_concurrent_requests_get_the_libraries_answers() {
    let server = Server::start(&["--threads", "2"]);
    // Texts of different lengths and verdicts: originals, their spins, and a short one.
    let spun = run(&["spin", "--rate", "0.4", "--seed", "3", "-"], Some(&ORIGINALS[..8].join("\n")));
    let mut texts: Vec<String> = ORIGINALS[..8].iter().map(|t| t.to_string()).collect();
    texts.extend(stdout(&spun).lines().map(str::to_string));
    texts.push(SPUN.to_string());
    texts.push("Too short.".to_string());
    assert_eq!(texts.len(), 18);

    let resources = unspun::Resources::embedded().unwrap();
    let detector = unspun::embedded::detector().unwrap();
    let extractor = resources.extractor();
    let expected: Vec<Value> = texts
        .iter()
        .map(|t| {
            let s = unspun::pipeline::score_text(&extractor, &detector, t, true);
            serde_json::to_value(unspun::output::score_json("-", t, &s)).unwrap()
        })
        .collect();
    assert!(expected.iter().any(|v| v["spun"] == true) && expected.iter().any(|v| v["spun"] == false));

    let server = std::sync::Arc::new(server);
    let handles: Vec<_> = (0..64)
        .map(|i| {
            let (server, text) = (server.clone(), texts[i % texts.len()].clone());
            std::thread::spawn(move || server.request("POST", "/score", &json!({"text": text, "explain": true}).to_string()))
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let (status, got) = h.join().unwrap();
        assert_eq!(status, 200, "request {i}: {got}");
        assert_eq!(got, expected[i % texts.len()], "request {i}");
    }
}

#[test]
fn sigterm_and_sigint_finish_the_requests_in_flight_and_exit_0() {
    for signal in ["TERM", "INT"] {
        let server = Server::start(&["--threads", "1"]);
        // A long document (about 300,000 words: seconds of scoring on one thread) keeps the
        // request in flight while the signal arrives.
        let long = ORIGINALS.join(" ").repeat(500);
        let body = json!({"text": long, "explain": true}).to_string();
        let mut s = TcpStream::connect(&server.addr).unwrap();
        let head = format!("POST /score HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len());
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(500));
        s.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        let pending = matches!(s.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
        assert!(pending, "the answer came before the signal: make the document longer");
        s.set_nonblocking(false).unwrap();
        server.signal(signal);
        let (status, _, answer) = read_response(&mut s);
        assert_eq!(status, 200, "SIG{signal}: the request in flight is answered");
        let v: Value = serde_json::from_slice(&answer).unwrap();
        assert!(v["words"].as_u64().unwrap() > 100_000, "{}", v["words"]);
        let addr = server.addr.clone();
        let status = server.wait();
        assert_eq!(status.code(), Some(0), "SIG{signal}: exit 0");
        assert!(TcpStream::connect(&addr).is_err(), "nothing listens after the shutdown");
    }
}

#[test]
fn a_taken_port_is_an_error_that_names_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = run(&["serve", "--addr", &addr], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&addr) && stderr(&o).contains("cannot serve"), "{}", stderr(&o));
}

/// The page in headless Chromium: type a spun paragraph, click Score, find the highlighted spans
/// and their originals; saves a screenshot. Needs Chromium (`/usr/bin/chromium`, Debian's
/// `chromium`) and `npm ci` in tests/browser; `.ci/run` installs both and runs it with
/// `cargo test --release --test serve -- --ignored`.
#[test]
#[ignore = "needs Chromium and tests/browser/node_modules (see .ci/run)"]
fn the_page_highlights_spun_phrases_in_a_real_browser() {
    let server = Server::start(&["--threads", "2"]);
    let shot = std::env::var("UNSPUN_SCREENSHOT").unwrap_or_else(|_| concat!(env!("CARGO_TARGET_TMPDIR"), "/serve.png").to_string());
    let o = Command::new("node")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/check_page.js"))
        .args([&format!("http://{}/", server.addr), SPUN, &shot])
        .output()
        .expect("node runs (install Node.js, then `npm ci` in tests/browser)");
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let seen: Value = serde_json::from_str(stdout(&o).trim()).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(seen["verdict"], "SPUN", "{seen}");
    let marks = seen["marks"].as_array().unwrap();
    let expected = cli_score(SPUN);
    let spans = expected["spans"].as_array().unwrap();
    assert_eq!(marks.len(), spans.len(), "one highlight per span: {seen}");
    for (m, s) in marks.iter().zip(spans) {
        assert_eq!(m["text"], s["text"]);
        // (A span without a suggestion: no wording fits better, which the title says.)
        let said = s["suggestion"].as_str().unwrap_or("no better wording found");
        assert!(m["title"].as_str().unwrap().contains(said), "{m} vs {s}");
    }
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000, "a screenshot at {shot}");
    // "Only the surest": the spans of `score --swap-threshold 0.95`, fewer than the model's own.
    let o = run(&["score", "--format", "json", "--explain", "--swap-threshold", "0.95", "-"], Some(SPUN));
    let sure: Value = serde_json::from_str::<Value>(&stdout(&o)).unwrap()[0].clone();
    let surest: Vec<&Value> = seen["surest"].as_array().unwrap().iter().map(|m| &m["text"]).collect();
    let want: Vec<&Value> = sure["spans"].as_array().unwrap().iter().map(|s| &s["text"]).collect();
    assert_eq!(surest, want, "{seen}");
    assert!(surest.len() < marks.len(), "{seen}");
}
