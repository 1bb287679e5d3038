//! `tenantscope check`, the built binary, over real TCP against a stub
//! upstream on 127.0.0.1:0 (`--upstream-base`) that answers from the demo
//! tenant as a Huawei Cloud host would (the route told by its path alone,
//! as the proxy's upstream sees it), counting calls and keeping the
//! headers it saw.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tenantscope_catalog::{Route, Service, BILLING_CN};
use tenantscope_demo::{DEMO_ACCESS_KEY_ID, DEMO_FAULTS_TOKEN, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, DEMO_TOKEN};

/// How the stub answers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// As the demo tenant does.
    Demo,
    /// As the demo, but HTTP 500 (JSON) for this route.
    Fails(Route),
    /// As the demo, but the package services list nothing (every list
    /// emptied, every count 0): nothing lapses.
    Empty,
}

/// A call's route and headers (name, value).
type Seen = (Route, Vec<(String, String)>);

#[derive(Clone)]
struct Stub {
    mode: Mode,
    /// Each call's route and headers (name, value), in order received.
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    fn calls(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// The route of an upstream path: the path alone tells it.
fn route_of(path: &str) -> Option<(Route, Option<String>)> {
    Service::ALL.into_iter().find_map(|s| Route::recognize(s, path).map(|(r, p)| (r, p.map(str::to_string))))
}

/// Every list emptied and every count zeroed.
fn emptied(v: Value) -> Value {
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
    if stub.mode == Mode::Fails(route) {
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
    let text = match stub.mode {
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

fn httpdate_now() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}

/// A stub on 127.0.0.1:0 and its base URL.
async fn stub(mode: Mode) -> (Stub, String) {
    let stub = Stub { mode, seen: Arc::default() };
    let app = axum::Router::new().fallback(answer).with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (stub, base)
}

/// What a run of the binary printed and how it exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `tenantscope` with `args` and exactly the environment `env`.
async fn tenantscope(args: &[&str], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_tenantscope")).args(&args).env_clear().envs(env).stdin(Stdio::null()).output().expect("the binary runs");
        Run { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
    })
    .await
    .unwrap()
}

const TOKEN: [(&str, &str); 1] = [("HUAWEICLOUD_TOKEN", DEMO_TOKEN)];

fn keys() -> [(&'static str, &'static str); 2] {
    [("CLOUD_SDK_AK", DEMO_ACCESS_KEY_ID), ("CLOUD_SDK_SK", DEMO_SECRET_ACCESS_KEY)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_reads_every_service_and_billing_and_exits_1_for_what_lapses() {
    let (stub, base) = stub(Mode::Demo).await;
    let run = tenantscope(&["check", "--upstream-base", &base], &TOKEN).await;
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("SERVICE") && lines[0].contains("EXPIRES") && lines[0].contains("USED/TOTAL"), "{}", run.stdout);
    let summary = lines.last().unwrap();
    assert!(summary.contains("packages lapse within 30 days; billing read; 5 services read"), "{summary}");
    // The region came from introspection; every service, then billing.
    let calls = stub.calls();
    let routes: Vec<Route> = calls.iter().map(|(r, _)| *r).collect();
    assert_eq!(routes[0], Route::IamToken);
    for route in [Route::TestplanPackages, Route::CodecheckPackages, Route::MetastudioResources, Route::DscSpecification, Route::HssQuotas] {
        assert!(routes.contains(&route), "{route:?} not asked: {routes:?}");
    }
    assert_eq!(routes.last(), Some(&Route::BssResources));
    // The headers the proxy sends upstream: the token (and itself as the
    // subject when introspected), no signature.
    for (route, headers) in &calls {
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("x-auth-token"), Some(DEMO_TOKEN), "{route:?}");
        assert_eq!(get("x-subject-token").is_some(), *route == Route::IamToken, "{route:?}");
        assert_eq!(get("authorization"), None);
        assert_eq!(get("accept"), Some("application/json"));
        assert_eq!(get("content-type").is_some(), *route == Route::BssResources);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_keys_sign_every_call_and_the_secret_key_is_nowhere() {
    let (stub, base) = stub(Mode::Demo).await;
    let run = tenantscope(&["check", "--region", "cn-north-4", "--upstream-base", &base, "--format", "json"], &keys()).await;
    // The demo verifies every signature: a wrong one is a 401, exit 2.
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    let calls = stub.calls();
    assert!(calls.len() >= 7, "{}", calls.len());
    assert_eq!(calls[0].0, Route::IamProjects, "the account's projects name the region's");
    for (route, headers) in &calls {
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let authorization = get("authorization").unwrap_or_else(|| panic!("{route:?} unsigned"));
        let parsed = tenantscope_sign::parse_authorization(authorization).expect("an SDK-HMAC-SHA256 signature");
        assert_eq!(parsed.access_key, DEMO_ACCESS_KEY_ID);
        assert!(parsed.signed_headers.contains("x-sdk-date"));
        assert_eq!(get("x-auth-token"), None);
        assert_eq!(get("x-project-id").is_some(), !matches!(route.service(), Service::Iam | Service::Bss), "{route:?}");
        assert!(headers.iter().all(|(_, v)| !v.contains(DEMO_SECRET_ACCESS_KEY)), "the secret key sent in a header of {route:?}");
    }
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(DEMO_SECRET_ACCESS_KEY), "the secret key printed");
    }
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["tenant"]["region"], "cn-north-4");
    assert_eq!(json["billing"]["read"], true, "{}", json["billing"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_regions_reads_every_project_and_counts_each_package_once() {
    let (stub, base) = stub(Mode::Demo).await;
    let run = tenantscope(&["check", "--all-regions", "--upstream-base", &base, "--format", "json"], &keys()).await;
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let packages = json["packages"].as_array().unwrap();
    // Across projects each package names the sessions that saw it.
    assert!(packages.iter().all(|p| p["seen_in"].as_array().is_some_and(|s| !s.is_empty())), "{}", packages[0]);
    let shared = packages.iter().filter(|p| p["seen_in"].as_array().unwrap().len() > 1).count();
    assert!(shared > 0, "the account-wide packages (TestPlan, Check) are counted once, seen in several projects");
    let regions: std::collections::BTreeSet<&str> = packages.iter().filter_map(|p| p["region"].as_str()).collect();
    assert!(regions.len() > 1, "{regions:?}");
    assert!(stub.calls().iter().filter(|(r, _)| *r == Route::HssQuotas).count() > 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_lapsing_and_everything_read_exits_0() {
    let (_stub, base) = stub(Mode::Empty).await;
    let run = tenantscope(&["check", "--upstream-base", &base], &TOKEN).await;
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.trim(), "0 of 0 packages lapse within 30 days; billing read; 5 services read");
    // The demo's packages within a window of 0 days: the frozen and used-up
    // still need somebody.
    let (_stub, base) = stub(Mode::Demo).await;
    let run = tenantscope(&["check", "--upstream-base", &base, "--fail-within", "0"], &TOKEN).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(!run.stdout.contains(" expires "), "nothing expires within 0 days:\n{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_fails_exits_2_and_says_which() {
    let (_stub, base) = stub(Mode::Fails(Route::DscSpecification)).await;
    let run = tenantscope(&["check", "--upstream-base", &base], &TOKEN).await;
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines, ["tenantscope: dsc: HTTP 500 STUB.500 the stub fails this route"], "{}", run.stderr);
    // What was read is still listed.
    assert!(run.stdout.lines().last().unwrap().contains("4 services read, 1 not"), "{}", run.stdout);
    // Billing failing too.
    let (_stub, base) = stub(Mode::Fails(Route::BssResources)).await;
    let run = tenantscope(&["check", "--upstream-base", &base], &TOKEN).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tenantscope: billing: HTTP 500"), "{}", run.stderr);
    assert!(run.stdout.contains("billing not read"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_faults_exit_2_one_line_each_without_the_token() {
    let (_stub, base) = stub(Mode::Demo).await;
    let run = tenantscope(&["check", "--upstream-base", &base], &[("HUAWEICLOUD_TOKEN", DEMO_FAULTS_TOKEN)]).await;
    assert_eq!(run.code, 2, "stderr:\n{}", run.stderr);
    for service in ["codecheck", "metastudio", "dsc", "hss"] {
        assert!(run.stderr.lines().any(|l| l.starts_with(&format!("tenantscope: {service}: "))), "{service}:\n{}", run.stderr);
    }
    assert!(!run.stderr.lines().any(|l| l.starts_with("tenantscope: testplan")), "{}", run.stderr);
    assert!(!run.stderr.contains(DEMO_FAULTS_TOKEN) && !run.stdout.contains(DEMO_FAULTS_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_exit_2_naming_what_to_set() {
    let (stub, base) = stub(Mode::Demo).await;
    for env in [&[][..], &[("CLOUD_SDK_AK", DEMO_ACCESS_KEY_ID)][..], &[("HUAWEICLOUD_TOKEN", "two words")][..]] {
        let run = tenantscope(&["check", "--upstream-base", &base], env).await;
        assert_eq!(run.code, 2, "{env:?}");
        assert!(run.stderr.contains("HUAWEICLOUD_TOKEN") && run.stderr.contains("CLOUD_SDK_AK") && run.stderr.contains("CLOUD_SDK_SK"), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    // Access keys without a region.
    let run = tenantscope(&["check", "--upstream-base", &base], &keys()).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--region"), "{}", run.stderr);
    assert!(stub.calls().is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_parses() {
    let (_stub, base) = stub(Mode::Demo).await;
    let format = |f: &'static str| {
        let base = base.clone();
        async move { tenantscope(&["check", "--upstream-base", &base, "--format", f], &TOKEN).await }
    };
    let json = format("json").await;
    assert_eq!(json.code, 1);
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["schema"], "tenantscope.export.v4");
    assert_eq!(doc["thresholds_days"], serde_json::json!({"critical": 7, "warning": 30}));
    assert!(doc["packages"].as_array().unwrap().len() > 100);
    assert_eq!(doc["packages"][0]["seen_in"], Value::Null, "one session: seen_in null, as a tab's export");
    // Billing laid over the packages, as in the console: its dates and renewals.
    let billed = doc["packages"].as_array().unwrap().iter().filter(|p| p["expires_from"] == "billing" && !p["renewal"].is_null()).count();
    assert!(billed > 10, "{billed} packages with billing's word");
    assert_eq!(doc["billing"]["read"], true);
    assert_eq!(doc["errors"], serde_json::json!([]));
    let csv = format("csv").await;
    let header = csv.stdout.lines().next().unwrap();
    assert!(header.trim_start_matches('\u{FEFF}').starts_with("Service,Name,Region,Account,"), "{header}");
    let ics = format("ics").await;
    assert!(ics.stdout.starts_with("BEGIN:VCALENDAR"), "{}", &ics.stdout[..40]);
    assert!(ics.stdout.trim_end().ends_with("END:VCALENDAR"));
    let om = format("openmetrics").await;
    assert!(om.stdout.ends_with("# EOF\n"));
    for service in ["testplan", "codecheck", "metastudio", "dsc", "hss", "billing"] {
        let up = format!("tenantscope_service_up{{account=\"{}\",region=\"cn-north-4\",service=\"{service}\"}} 1", tenantscope_demo::DEMO_DOMAIN_NAME);
        assert!(om.stdout.contains(&up), "{up} missing");
    }
    assert!(om.stdout.contains("tenantscope_package_expiry_timestamp_seconds{"));
    assert!(!om.stdout.lines().any(|l| l.ends_with("} 0") && l.starts_with("tenantscope_package_expiry")));
    for run in [&json, &csv, &ics, &om] {
        assert_eq!(run.code, 1);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_needs_no_network_and_no_environment() {
    let run = tenantscope(&["check", "--demo"], &[]).await;
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert!(run.stdout.starts_with("SERVICE"), "{}", run.stdout);
    assert!(run.stdout.contains("billing read; 5 services read"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_upstream_is_named() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let run = tenantscope(&["check", "--upstream-base", &base, "--region", "cn-north-4"], &TOKEN).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(&format!("could not reach {base}")), "{}", run.stderr);
}
