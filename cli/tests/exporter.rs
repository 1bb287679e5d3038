//! `tenantscope exporter`, the built binary, over real TCP: reading from
//! the stub upstream of `common` (`--upstream-base`, counting calls),
//! listening on 127.0.0.1:0 (the port it says on stderr), scraped with
//! plain HTTP/1.1.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{exporter, keys, ready, request, scrape, scrape_until, stub, tenantscope, Mode, TOKEN};
use tenantscope_catalog::Route;
use tenantscope_demo::{DEMO_DOMAIN_NAME, DEMO_SECRET_ACCESS_KEY};

/// The sample lines of `metric` for `service`.
fn samples(text: &str, metric: &str, service: &str) -> Vec<String> {
    let service = format!("service=\"{service}\"");
    text.lines().filter(|l| l.starts_with(&format!("{metric}{{")) && l.contains(&service)).map(str::to_string).collect()
}

/// `tenantscope_service_up`'s value for `service` (the demo's account, cn-north-4).
fn up(text: &str, service: &str) -> Option<u8> {
    let line = format!("tenantscope_service_up{{account=\"{DEMO_DOMAIN_NAME}\",region=\"cn-north-4\",service=\"{service}\"}} ");
    text.lines().find_map(|l| l.strip_prefix(&line)).map(|v| v.parse().unwrap())
}

const SERVICES: [&str; 6] = ["testplan", "codecheck", "metastudio", "dsc", "hss", "billing"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrapes_within_the_interval_call_nothing_upstream() {
    let (stub, base) = stub(Mode::Demo).await;
    let exporter = exporter(&["--upstream-base", &base, "--interval", "1h"], &TOKEN).await;
    let text = scrape_until(&exporter, "the first reading", ready).await;
    for service in SERVICES {
        assert_eq!(up(&text, service), Some(1), "{service}:\n{text}");
    }
    assert!(!samples(&text, "tenantscope_package_expiry_timestamp_seconds", "hss").is_empty());
    let calls = stub.calls().len();
    assert!(calls >= 7, "{calls}");
    assert_eq!(stub.count(Route::IamToken), 1, "one reading");
    for _ in 0..2 {
        let again = scrape(&exporter.addr).await;
        assert_eq!(again, text, "the cache, as it was");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(stub.calls().len(), calls, "a scrape called upstream");
    assert!(exporter.stderr().lines().count() == 1, "only the address said:\n{}", exporter.stderr());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_interval_a_second_reading_happens() {
    let (stub, base) = stub(Mode::Demo).await;
    let exporter = exporter(&["--upstream-base", &base, "--interval", "1s"], &TOKEN).await;
    let first = scrape_until(&exporter, "the first reading", ready).await;
    let refreshed = |text: &str| samples(text, "tenantscope_last_refresh_timestamp_seconds", "hss");
    let before = refreshed(&first);
    assert_eq!(before.len(), 1, "{first}");
    let (hss, billing) = (stub.count(Route::HssQuotas), stub.count(Route::BssResources));
    let second = scrape_until(&exporter, "a second reading", |t| refreshed(t) != before).await;
    assert!(stub.count(Route::HssQuotas) > hss);
    assert!(stub.count(Route::BssResources) > billing, "billing read again too");
    assert_eq!(up(&second, "hss"), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_service_keeps_its_packages_and_is_down_until_it_recovers() {
    let (stub, base) = stub(Mode::Demo).await;
    let exporter = exporter(&["--upstream-base", &base, "--interval", "1s"], &TOKEN).await;
    let good = scrape_until(&exporter, "the first reading", ready).await;
    let dsc = |text: &str, metric: &str| samples(text, metric, "dsc");
    let packages = dsc(&good, "tenantscope_package_info");
    assert!(!packages.is_empty(), "{good}");
    let refreshed = dsc(&good, "tenantscope_last_refresh_timestamp_seconds");

    stub.set_mode(Mode::Fails(Route::DscSpecification));
    let failed = scrape_until(&exporter, "dsc down", |t| up(t, "dsc") == Some(0)).await;
    for service in SERVICES.iter().filter(|s| **s != "dsc") {
        assert_eq!(up(&failed, service), Some(1), "{service}:\n{failed}");
    }
    // Its last good packages, billing's word on them as it was, and when
    // they were read.
    assert_eq!(dsc(&failed, "tenantscope_package_info"), packages, "{failed}");
    assert_eq!(dsc(&failed, "tenantscope_package_expiry_timestamp_seconds"), dsc(&good, "tenantscope_package_expiry_timestamp_seconds"));
    assert_eq!(dsc(&failed, "tenantscope_last_refresh_timestamp_seconds"), refreshed);
    assert!(
        exporter.stderr().lines().any(|l| l == "tenantscope: dsc: HTTP 500 STUB.500 the stub fails this route"),
        "one line for the failure:\n{}",
        exporter.stderr()
    );

    stub.set_mode(Mode::Demo);
    let recovered = scrape_until(&exporter, "dsc up again", |t| up(t, "dsc") == Some(1)).await;
    assert_eq!(dsc(&recovered, "tenantscope_package_info"), packages);
    assert_ne!(dsc(&recovered, "tenantscope_last_refresh_timestamp_seconds"), refreshed, "read again");
    for service in SERVICES {
        assert_eq!(up(&recovered, service), Some(1), "{service}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_key_is_neither_in_the_metrics_nor_in_the_log() {
    let (stub, base) = stub(Mode::Fails(Route::HssQuotas)).await;
    let exporter = exporter(&["--upstream-base", &base, "--region", "cn-north-4", "--interval", "1s"], &keys()).await;
    let text = scrape_until(&exporter, "a reading", ready).await;
    // Read with the keys (the demo verifies each signature), hss failing.
    let up =
        |service: &str| text.lines().find(|l| l.starts_with("tenantscope_service_up{") && l.contains(&format!("service=\"{service}\""))).unwrap().to_string();
    assert!(up("dsc").ends_with(" 1") && up("hss").ends_with(" 0"), "{text}");
    // A second refresh (the account's projects listed again), logged too.
    let started = Instant::now();
    while stub.count(Route::IamProjects) < 3 {
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = exporter.stderr();
    assert!(log.contains("tenantscope: hss: HTTP 500"), "{log}");
    for text in [&text, &scrape(&exporter.addr).await, &log] {
        assert!(!text.contains(DEMO_SECRET_ACCESS_KEY), "the secret key:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_ok_and_anything_else_404() {
    let exporter = exporter(&["--demo", "--interval", "1h"], &[]).await;
    let health = request(&exporter.addr, "GET", "/healthz").await;
    assert_eq!((health.status, health.body.trim()), (200, "ok"));
    for (method, path) in
        [("GET", "/"), ("GET", "/metrics/x"), ("GET", "/healthz/"), ("POST", "/metrics"), ("DELETE", "/healthz"), ("PUT", "/metrics"), ("OPTIONS", "*")]
    {
        assert_eq!(request(&exporter.addr, method, path).await.status, 404, "{method} {path}");
    }
    // HEAD: the headers of GET, no body.
    let head = request(&exporter.addr, "HEAD", "/metrics").await;
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    assert!(head.headers.contains("content-type: application/openmetrics-text;") && head.headers.contains("content-length: "), "{}", head.headers);
    let text = scrape_until(&exporter, "the demo's reading", ready).await;
    assert_eq!(up(&text, "billing"), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_in_use_or_a_short_interval_exits_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let run = tenantscope(&["exporter", "--demo", "--listen", &addr], &[]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with(&format!("tenantscope: cannot listen on {addr}: ")), "{}", run.stderr);
    // Against Huawei Cloud, not under a minute.
    let run = tenantscope(&["exporter", "--interval", "30s", "--region", "cn-north-4"], &TOKEN).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--interval 30s is too short: at least 60s"), "{}", run.stderr);
    // No credentials.
    let run = tenantscope(&["exporter"], &[]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no credentials"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_it_with_0() {
    let mut exporter = exporter(&["--demo", "--interval", "1h"], &[]).await;
    scrape_until(&exporter, "the demo's reading", ready).await;
    let killed = Command::new("kill").args(["-TERM", &exporter.child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = exporter.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still running after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(exporter.stderr().ends_with("tenantscope: stopping\n"), "{}", exporter.stderr());
}
