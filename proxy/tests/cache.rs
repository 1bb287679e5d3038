//! Issue 30, item 4, over real TCP: no `/api` answer may be kept by a
//! cache in front of the proxy (it carries one person's tenant), whatever
//! the upstream said and whoever answered: the relay, the demo, the
//! proxy's own refusals at every layer.

mod common;

use std::time::Duration;

use common::*;
use tenantscope_proxy::Config;

fn no_store(what: &str, answer: &str) {
    let head = answer.split("\r\n\r\n").next().unwrap_or_default().to_ascii_lowercase();
    let lines: Vec<&str> = head.lines().filter(|l| l.starts_with("cache-control:")).collect();
    assert_eq!(lines, ["cache-control: no-store"], "{what}: {answer}");
    assert!(!head.contains("expires:") && !head.contains("public"), "{what}: {answer}");
}

#[tokio::test]
async fn every_api_answer_says_no_store() {
    let stub = stub().await;
    let config =
        Config { rate_burst: 40, rate_per_sec: 0.001, max_header_bytes: 4096, allow_origins: vec!["https://console.example".into()], ..relay_config(&stub) };
    let proxy = start(config).await;
    let get = |target: String, extra: &str| {
        let head = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {TOKEN}{extra}");
        async move { raw(proxy.addr, &head).await }
    };
    // Relayed: plain, the upstream saying it may be cached, the upstream's own no-store.
    for mode in ["p", "cacheable", "nostore"] {
        let (status, answer) = get(hss(mode), "").await;
        assert_eq!(status, 200, "{answer}");
        no_store(mode, &answer);
    }
    // The proxy's errors, from the handler and from the layers before it.
    let cases = [
        (get(hss("html"), "").await, 502),
        (get(hss("redirect"), "").await, 502),
        (get("/api/ecs/cn-north-4/v1/p/cloudservers".into(), "").await, 404),
        (get("/api/hss/cn-north-4/v5/../x".into(), "").await, 400),
        (get(hss("p"), "\r\nOrigin: https://evil.example").await, 403),
        (get(format!("{}&x={}", hss("p"), "a".repeat(9000)), "").await, 414),
        (get(hss("p"), &format!("\r\nX-Big: {}", "b".repeat(5000))).await, 431),
        (raw(proxy.addr, &format!("GET {} HTTP/1.1\r\nHost: evil.example", hss("p"))).await, 403),
        (raw(proxy.addr, "GET /api/about HTTP/1.1\r\nHost: 127.0.0.1").await, 200),
        (
            raw(
                proxy.addr,
                &format!("OPTIONS {} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://console.example\r\nAccess-Control-Request-Method: GET", hss("p")),
            )
            .await,
            204,
        ),
    ];
    for ((status, answer), expected) in cases {
        assert_eq!(status, expected, "{answer}");
        no_store(&format!("{expected}"), &answer);
    }
    // Rate limited.
    let mut limited = None;
    for _ in 0..60 {
        let (status, answer) = get(hss("p"), "").await;
        if status == 429 {
            limited = Some(answer);
            break;
        }
    }
    no_store("429", &limited.expect("the bucket ran out"));
    // The site and the health check are not the API's business.
    let (_, health) = raw(proxy.addr, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1").await;
    assert!(!health.to_ascii_lowercase().contains("no-store"), "{health}");
}

#[tokio::test]
async fn demo_answers_say_no_store_too() {
    let proxy = start(Config { demo: true, guard_host: true, ..Config::default() }).await;
    let path = format!("/api/dsc/cn-north-4/v1/{}/period/product/specification", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    let response = client().get(proxy.url(&path)).header("x-auth-token", "demo").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let _ = tokio::time::timeout(Duration::from_secs(1), response.bytes()).await;
}
