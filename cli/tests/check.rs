//! `tenantscope check`, the built binary, over real TCP against the stub
//! upstream of `common` (on 127.0.0.1:0, `--upstream-base`), answering from
//! the demo tenant.

mod common;

use common::{keys, stub, tenantscope, Mode, TOKEN};
use serde_json::Value;
use tenantscope_catalog::{Route, Service};
use tenantscope_demo::{DEMO_ACCESS_KEY_ID, DEMO_FAULTS_TOKEN, DEMO_LIMITED_TOKEN, DEMO_SECRET_ACCESS_KEY, DEMO_TOKEN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_reads_every_service_and_billing_and_exits_1_for_what_lapses() {
    let (stub, base) = stub(Mode::Demo).await;
    let run = tenantscope(&["check", "--upstream-base", &base], &TOKEN).await;
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("SERVICE") && lines[0].contains("EXPIRES") && lines[0].contains("USED/TOTAL"), "{}", run.stdout);
    let summary = lines.last().unwrap();
    assert!(summary.contains("packages need somebody within 30 days; billing read; 5 services read"), "{summary}");
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
    assert_eq!(run.stdout.trim(), "0 of 0 packages need somebody within 30 days; billing read; 5 services read");
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
async fn hss_narrowed_to_the_default_enterprise_project_exits_2_and_says_so() {
    // Asking for every enterprise project is refused: the default one is
    // read, and the quotas elsewhere are not known, so nothing can be said
    // not to lapse.
    let (_stub, base) = stub(Mode::Demo).await;
    let run = tenantscope(&["check", "--upstream-base", &base], &[("HUAWEICLOUD_TOKEN", DEMO_LIMITED_TOKEN)]).await;
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let narrowed: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("tenantscope: hss: ")).collect();
    assert_eq!(narrowed.len(), 1, "{}", run.stderr);
    assert!(narrowed[0].starts_with("tenantscope: hss: default enterprise project only: HTTP 403 HSS.0004"), "{}", narrowed[0]);
    assert!(!run.stdout.lines().last().unwrap().contains("5 services read"), "{}", run.stdout);
    let json = tenantscope(&["check", "--upstream-base", &base, "--format", "json"], &[("HUAWEICLOUD_TOKEN", DEMO_LIMITED_TOKEN)]).await;
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(doc["errors"].as_array().unwrap().iter().any(|e| e["service"] == "hss" && e["http_status"] == 403), "{}", doc["errors"]);
    // Not read whole, for an alert.
    let metrics = tenantscope(&["check", "--upstream-base", &base, "--format", "openmetrics"], &[("HUAWEICLOUD_TOKEN", DEMO_LIMITED_TOKEN)]).await;
    let up = |service: &str| {
        metrics.stdout.lines().find(|l| l.starts_with("tenantscope_service_up{") && l.contains(&format!("service=\"{service}\""))).map(str::to_string)
    };
    assert!(up("hss").is_some_and(|l| l.ends_with(" 0")), "{:?}", up("hss"));
    assert!(up("dsc").is_some_and(|l| l.ends_with(" 1")), "{:?}", up("dsc"));
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
    assert_eq!(doc["schema"], "tenantscope.export.v5");
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
