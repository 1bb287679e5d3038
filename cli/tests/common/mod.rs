//! What the binary's tests share: a stub upstream on 127.0.0.1:0
//! (`--upstream-base`) that answers from the demo tenant as a Huawei Cloud
//! host would (the route told by its path alone, as the proxy's upstream
//! sees it), counting calls and keeping the headers it saw; and running
//! the binary.

// Each test file uses what it needs of these.
#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tenantscope_catalog::{Route, Service, BILLING_CN};
use tenantscope_demo::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, DEMO_TOKEN};

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
