//! What the binary's tests share: a stub upstream on 127.0.0.1:0
//! (`--upstream-base`) that answers from the demo tenant as a Huawei Cloud
//! host would (the route told by its path alone, as the proxy's upstream
//! sees it), counting calls and keeping the headers it saw; and running
//! the binary.

// Each test file uses what it needs of these.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tenantscope_catalog::{Route, Service, BILLING_CN};
use tenantscope_demo::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, DEMO_TOKEN};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// How the stub answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// As the demo tenant does.
    Demo,
    /// As the demo, but HTTP 500 (JSON) for this route.
    Fails(Route),
    /// As the demo, but the package services list nothing (every list
    /// emptied, every count 0): nothing lapses.
    Empty,
}

/// A call's route and headers (name, value).
pub type Seen = (Route, Vec<(String, String)>);

#[derive(Clone)]
pub struct Stub {
    /// How it answers now (a test may change it while the binary runs).
    mode: Arc<Mutex<Mode>>,
    /// Each call's route and headers (name, value), in order received.
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    pub fn calls(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many calls of `route` it received.
    pub fn count(&self, route: Route) -> usize {
        self.seen.lock().unwrap().iter().filter(|(r, _)| *r == route).count()
    }

    /// Answers as `mode` from now on.
    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
}

/// The route of an upstream path: the path alone tells it.
pub fn route_of(path: &str) -> Option<(Route, Option<String>)> {
    Service::ALL.into_iter().find_map(|s| Route::recognize(s, path).map(|(r, p)| (r, p.map(str::to_string))))
}

/// Every list emptied and every count zeroed.
pub fn emptied(v: Value) -> Value {
    match v {
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let count = k.contains("total") || k.contains("count") || k == "num";
                    let v = if count && v.is_number() { Value::from(0) } else { emptied(v) };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

async fn answer(State(stub): State<Stub>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1 << 20).await.unwrap_or_default();
    let path = parts.uri.path().to_string();
    let Some((route, param)) = route_of(&path) else {
        return Response::builder().status(404).body(Body::from(r#"{"error_code":"STUB.404"}"#)).unwrap();
    };
    let headers: Vec<(String, String)> =
        parts.headers.iter().map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
    stub.seen.lock().unwrap().push((route, headers));
    let mode = *stub.mode.lock().unwrap();
    if mode == Mode::Fails(route) {
        return Response::builder()
            .status(500)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"error_code":"STUB.500","error_msg":"the stub fails this route"}"#))
            .unwrap();
    }
    // Billing's site is the account's (the demo's is the Chinese
    // mainland's); the other routes answer by the project in the path.
    let region = if route == Route::BssResources { BILLING_CN } else { DEMO_REGION };
    let call = tenantscope_demo::Call { route, region, param: param.as_deref(), path: &path, query: parts.uri.query(), headers: &parts.headers, body: &body };
    let reply = tenantscope_demo::respond(&call, time::OffsetDateTime::now_utc());
    let text = match mode {
        Mode::Empty if route.service().offered_in(DEMO_REGION) && Service::PACKAGES.contains(&route.service()) && reply.status == StatusCode::OK => {
            emptied(serde_json::from_str(&reply.body).unwrap()).to_string()
        }
        _ => reply.body,
    };
    let mut response = Response::builder().status(reply.status).header("content-type", "application/json");
    if let Some(after) = reply.retry_after {
        response = response.header("retry-after", HeaderValue::from(after));
    }
    // The clock the signatures are dated by.
    response = response.header("date", httpdate_now());
    response.body(Body::from(text)).unwrap()
}

pub fn httpdate_now() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}

/// A stub on 127.0.0.1:0 and its base URL.
pub async fn stub(mode: Mode) -> (Stub, String) {
    let stub = Stub { mode: Arc::new(Mutex::new(mode)), seen: Arc::default() };
    let app = axum::Router::new().fallback(answer).with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (stub, base)
}

/// What a run of the binary printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tenantscope` with `args` and exactly the environment `env`.
pub async fn tenantscope(args: &[&str], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_tenantscope")).args(&args).env_clear().envs(env).stdin(Stdio::null()).output().expect("the binary runs");
        Run { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
    })
    .await
    .unwrap()
}

pub const TOKEN: [(&str, &str); 1] = [("HUAWEICLOUD_TOKEN", DEMO_TOKEN)];

pub fn keys() -> [(&'static str, &'static str); 2] {
    [("CLOUD_SDK_AK", DEMO_ACCESS_KEY_ID), ("CLOUD_SDK_SK", DEMO_SECRET_ACCESS_KEY)]
}

/// A running `tenantscope exporter`: its address and what it has written
/// to stderr. Killed when dropped.
pub struct Exporter {
    pub child: Child,
    pub addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Exporter {
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

/// Starts `tenantscope exporter --listen 127.0.0.1:0` with `args` and
/// exactly the environment `env`, and waits for the address it says.
pub async fn exporter(args: &[&str], env: &[(&str, &str)]) -> Exporter {
    exporter_with_fds(args, env, None).await
}

/// [`exporter`], with at most `fds` file descriptors when given (a shell's
/// `ulimit -n`, then `exec`: the same process).
pub async fn exporter_with_fds(args: &[&str], env: &[(&str, &str)], fds: Option<u32>) -> Exporter {
    let bin = env!("CARGO_BIN_EXE_tenantscope");
    let mut command = match fds {
        Some(n) => {
            let mut sh = Command::new("/bin/sh");
            sh.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\""), bin]);
            sh
        }
        None => Command::new(bin),
    };
    let mut child = command
        .args(["exporter", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let pipe = child.stderr.take().unwrap();
    // Killed and waited for when dropped, the test failing or not.
    let mut exporter = Exporter { child, addr: String::new(), stderr: Arc::default() };
    let sink = Arc::clone(&exporter.stderr);
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    let started = Instant::now();
    loop {
        let text = exporter.stderr();
        if let Some(rest) = text.split("listening on http://").nth(1) {
            exporter.addr = rest.split('/').next().unwrap().to_string();
            return exporter;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no address said:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An answer: status, headers (lower-cased), body.
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// `METHOD path` over a new connection.
pub async fn request(addr: &str, method: &str, path: &str) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("the exporter listens");
    stream.write_all(format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer { status, headers: head.to_ascii_lowercase(), body: body.to_string() }
}

/// `GET /metrics`, which must answer OpenMetrics text.
pub async fn scrape(addr: &str) -> String {
    let answer = request(addr, "GET", "/metrics").await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers.contains("content-type: application/openmetrics-text; version=1.0.0; charset=utf-8"), "{}", answer.headers);
    assert!(answer.body.ends_with("# EOF\n"), "{}", answer.body);
    answer.body
}

/// Scrapes until `done` holds of the text (within 20 s), and returns it.
pub async fn scrape_until(exporter: &Exporter, what: &str, done: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let text = scrape(&exporter.addr).await;
        if done(&text) {
            return text;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{what} not seen; stderr:\n{}\nmetrics:\n{text}", exporter.stderr());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn ready(text: &str) -> bool {
    text.contains("\ntenantscope_exporter_ready 1\n")
}
