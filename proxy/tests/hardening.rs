//! The hardened relay over real TCP: the proxy's own server loop in front,
//! a raw stub upstream behind that counts every connection it accepts.

mod common;

use std::time::Duration;

use common::*;
use tenantscope_proxy::Config;

/// SSRF and parser-confusion inputs: none may open a connection upstream.
#[tokio::test]
async fn ssrf_and_confusing_paths_never_connect() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let route = "v5/p/billing/quotas-detail";
    let cases: Vec<(String, u16)> = vec![
        // IP literals and host names in the region slot, in every notation.
        (format!("/api/hss/127.0.0.1/{route}"), 400),
        (format!("/api/hss/2130706433/{route}"), 400),
        (format!("/api/hss/0x7f000001/{route}"), 400),
        (format!("/api/hss/0177.0.0.1/{route}"), 400),
        (format!("/api/hss/127.1/{route}"), 400),
        (format!("/api/hss/%5B::1%5D/{route}"), 400),
        (format!("/api/hss/[::ffff:127.0.0.1]/{route}"), 400),
        (format!("/api/hss/169.254.169.254/{route}"), 400),
        (format!("/api/hss/localhost/{route}"), 400),
        (format!("/api/hss/metadata.google.internal/{route}"), 400),
        // Userinfo tricks, odd ports, schemes.
        (format!("/api/hss/cn-north-4@127.0.0.1/{route}"), 400),
        (format!("/api/hss/cn-north-4%40127.0.0.1/{route}"), 400),
        (format!("/api/hss/cn-north-4:22/{route}"), 400),
        (format!("/api/hss/cn-north-4%3a8080/{route}"), 400),
        ("/api/hss/file:%2f%2f%2fetc%2fpasswd/v5/p/billing/quotas-detail".to_string(), 400),
        ("/api/http:%2f%2f127.0.0.1/cn-north-4/v5/p/billing/quotas-detail".to_string(), 400),
        ("/api/gopher/cn-north-4/v5/p/billing/quotas-detail".to_string(), 404),
        // Traversal, plain and encoded, and other segment tricks.
        ("/api/hss/cn-north-4/v5/../v5/p/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/./p/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/..%2f..%2fadmin/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/%2e%2e/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/%2E%2e%2F/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/p%5c..%5c/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5//billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/p/billing/quotas-detail/".to_string(), 400),
        ("/api/hss/cn-north-4/v5/p;x=1/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/p%3bx/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/p%00/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/p%0d%0aHost:evil/billing/quotas-detail".to_string(), 400),
        // Overlong UTF-8 for '.' and '/'.
        ("/api/hss/cn-north-4/v5/%c0%ae%c0%ae/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/%e0%80%af/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/%f0%80%80%af/billing/quotas-detail".to_string(), 400),
        ("/api/hss/cn-north-4/v5/%zz/billing/quotas-detail".to_string(), 400),
        // The query.
        (format!("/api/hss/cn-north-4/{route}?x=%00"), 400),
        (format!("/api/hss/cn-north-4/{route}?x=%0d%0aX-Evil:1"), 400),
        (format!("/api/hss/cn-north-4/{route}?url=http://169.254.169.254/"), 400),
        (format!("/api/hss/cn-north-4/{route}?x=%c0%af"), 400),
        (format!("/api/hss/cn-north-4/{route}?x=a@b"), 400),
        // Routes that are not relayed, regions where a service is not offered.
        ("/api/hss/cn-north-4/v5/p/host-management/hosts".to_string(), 404),
        ("/api/iam/global/v3/users".to_string(), 404),
        ("/api/hss/xx-nowhere-1/v5/p/billing/quotas-detail".to_string(), 404),
        ("/api/metastudio/ap-southeast-3/v1/p/tenants/resources".to_string(), 404),
        ("/api".to_string(), 404),
        ("/api/".to_string(), 400),
        // Absolute-form targets: their authority is never a destination.
        ("http://169.254.169.254/latest/meta-data/".to_string(), 404),
    ];
    for (target, status) in &cases {
        let (got, answer) = raw(proxy.addr, &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {TOKEN}")).await;
        assert_eq!(got, *status, "{target}: {answer}");
        assert!(!answer.contains(TOKEN));
    }
    // Raw bytes hyper itself refuses.
    for target in ["/api/hss/cn-north-4/v5/a\\b/billing/quotas-detail", "/api/hss/cn-north-4/v5/a\u{1}b/billing/quotas-detail"] {
        let (got, _) = raw(proxy.addr, &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1")).await;
        assert_eq!(got, 400, "{target:?}");
    }
    // Methods other than GET and OPTIONS, on a valid route.
    for method in ["POST", "PUT", "DELETE", "PATCH", "TRACE", "HEAD", "CONNECT"] {
        let target = if method == "CONNECT" { "127.0.0.1:22".to_string() } else { hss("p") };
        let (got, answer) = raw(proxy.addr, &format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0")).await;
        assert!(got == 405 || (method == "CONNECT" && (400..500).contains(&got)), "{method}: {answer}");
    }
    assert_eq!(stub.connections(), 0, "a refused request reached the upstream: {:?}", stub.heads());
}

#[tokio::test]
async fn the_request_authority_never_chooses_the_destination() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let (status, _) = raw(proxy.addr, &format!("GET https://127.0.0.1:22{} HTTP/1.1\r\nHost: 127.0.0.1", hss("p"))).await;
    assert_eq!(status, 200);
    let heads = stub.heads();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with("GET /v5/p/billing/quotas-detail?limit=200&offset=0 HTTP/1.1\r\n"), "{}", heads[0]);
}

#[tokio::test]
async fn headers_are_filtered_both_ways() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let response = client()
        .get(proxy.url(&hss("p")))
        .header("x-auth-token", TOKEN)
        .header("accept", "application/json")
        .header("cookie", "a=b")
        .header("forwarded", "for=10.0.0.1")
        .header("x-forwarded-for", "10.0.0.1")
        .header("x-forwarded-host", "evil.example")
        .header("x-real-ip", "10.0.0.1")
        .header("x_auth_token", "underscore")
        .header("proxy-authorization", "Basic eA==")
        .header("te", "trailers")
        .header("x-custom", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let h = response.headers();
    assert_eq!(h["x-request-id"], "0123456789abcdef0123456789abcdef");
    assert_eq!(h["retry-after"], "3");
    assert_eq!(h["x-content-type-options"], "nosniff");
    for dropped in ["set-cookie", "www-authenticate", "access-control-allow-origin", "access-control-allow-credentials", "x-upstream-internal"] {
        assert!(h.get(dropped).is_none(), "{dropped} was returned");
    }
    assert_eq!(response.text().await.unwrap(), r#"{"total_num":0,"data_list":[]}"#);

    let heads = stub.heads();
    let head = heads[0].to_ascii_lowercase();
    assert!(head.contains(&format!("x-auth-token: {}", TOKEN.to_ascii_lowercase())));
    assert!(head.contains("accept: application/json"));
    assert!(head.contains(&format!("host: {}", stub.addr)), "{head}");
    for dropped in ["cookie", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip", "x_auth_token", "proxy-authorization", "te:", "x-custom"] {
        assert!(!head.contains(dropped), "{dropped} was forwarded: {head}");
    }
}

#[tokio::test]
async fn cors_is_strict() {
    let config = Config { demo: true, guard_host: true, allow_origins: vec!["https://console.example".into()], ..Config::default() };
    let proxy = start(config).await;
    let path = "/api/dsc/cn-north-4/v1/p/period/product/specification";
    let get = |origin: Option<&str>| {
        let mut request = client().get(proxy.url(path)).header("x-auth-token", "demo");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    // No origin (same-origin page, curl): no CORS headers, answered.
    let plain = get(None).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("access-control-allow-origin").is_none());
    assert_eq!(plain.headers()["vary"], "Origin");
    // The page's own origin.
    let own = get(Some(&format!("http://{}", proxy.addr))).await.unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.headers().get("access-control-allow-origin").is_none());
    // The allowed origin.
    let allowed = get(Some("https://console.example")).await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://console.example");
    assert_eq!(allowed.headers()["access-control-expose-headers"], "X-Request-Id, Date");
    assert_eq!(allowed.headers()["vary"], "Origin");
    assert!(allowed.headers().get("access-control-allow-credentials").is_none());
    // null, unknown and lookalike origins.
    for origin in [
        "null",
        "https://evil.example",
        "https://console.example.evil.com",
        "https://console.examplex",
        "http://console.example",
        "https://console.example:8443",
        "https://CONSOLE.example.",
        "https://xconsole.example",
    ] {
        let refused = get(Some(origin)).await.unwrap();
        assert_eq!(refused.status(), 403, "{origin}");
        assert!(refused.headers().get("access-control-allow-origin").is_none());
        assert!(refused.text().await.unwrap().contains("PROXY.0013"));
    }

    let preflight = |origin: &str, method: &str, headers: &str| {
        client()
            .request(reqwest::Method::OPTIONS, proxy.url(path))
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .send()
    };
    let ok = preflight("https://console.example", "GET", "x-auth-token,X-Subject-Token").await.unwrap();
    assert_eq!(ok.status(), 204);
    let h = ok.headers();
    assert_eq!(h["access-control-allow-origin"], "https://console.example");
    assert_eq!(h["access-control-allow-methods"], "GET");
    assert_eq!(
        h["access-control-allow-headers"],
        "x-auth-token, x-subject-token, accept, content-type, authorization, x-sdk-date, x-project-id, x-security-token"
    );
    assert_eq!(h["access-control-max-age"], "7200");
    assert_eq!(h["vary"], "Origin");
    for (origin, method, headers) in [
        ("https://console.example", "GET", "x-auth-token, x-evil"),
        ("https://console.example", "GET", "cookie"),
        ("https://console.example", "POST", "x-auth-token"),
        ("https://console.example", "DELETE", ""),
        ("https://evil.example", "GET", "x-auth-token"),
        ("null", "GET", "x-auth-token"),
    ] {
        let refused = preflight(origin, method, headers).await.unwrap();
        assert_eq!(refused.status(), 403, "{origin} {method} {headers}");
        assert!(refused.headers().get("access-control-allow-methods").is_none());
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let response = client().get(proxy.url(&hss("redirect"))).send().await.unwrap();
    assert_eq!(response.status(), 502);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("PROXY.0009"));
    let heads = stub.heads();
    assert_eq!(heads.len(), 1);
    assert!(!heads.iter().any(|h| h.contains("followed")), "the redirect was followed");
}

async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    (status, body["error_code"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn misbehaving_upstreams_fail_cleanly() {
    let stub = stub().await;
    let config = Config { max_body_bytes: 256 << 10, ..relay_config(&stub) };
    let proxy = start(config).await;
    let get = |mode: &str| client().get(proxy.url(&hss(mode))).header("x-auth-token", TOKEN).send();

    assert_eq!(error_code(get("hang").await.unwrap()).await, (504, "PROXY.0007".into()));
    assert_eq!(error_code(get("reset").await.unwrap()).await, (502, "PROXY.0006".into()));
    assert_eq!(error_code(get("html").await.unwrap()).await, (502, "PROXY.0008".into()));
    assert_eq!(error_code(get("htmljson").await.unwrap()).await, (502, "PROXY.0008".into()));
    assert_eq!(error_code(get("big").await.unwrap()).await, (502, "PROXY.0010".into()));

    // A slow body is streamed to the end.
    let slow = get("slow").await.unwrap();
    assert_eq!(slow.status(), 200);
    assert_eq!(slow.text().await.unwrap(), "{\"data_list\":[1,2,3]}");
    // Invalid JSON that starts like JSON is relayed as it is (the console
    // reports it as unreadable), labelled JSON and nosniff.
    let bad = get("badjson").await.unwrap();
    assert_eq!(bad.status(), 200);
    assert_eq!(bad.headers()["x-content-type-options"], "nosniff");
    assert!(bad.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    assert_eq!(bad.text().await.unwrap(), r#"{"total_num":3,"data_li"#);
    // A body that stalls is cut at the total timeout; one that grows past the
    // cap is cut there. Either way the client sees a failed body, never a
    // complete-looking one.
    let stall = get("stall").await.unwrap();
    assert_eq!(stall.status(), 200);
    assert!(stall.bytes().await.is_err());
    let grown = get("bigchunked").await.unwrap();
    assert_eq!(grown.status(), 200);
    assert!(grown.bytes().await.is_err());

    // The proxy is still fine.
    assert_eq!(client().get(proxy.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(client().get(proxy.url(&hss("p"))).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn unreachable_upstream_is_a_proxy_error() {
    let config = Config { upstream_base: Some("http://127.0.0.1:1".into()), ..Config::default() };
    let proxy = start(config).await;
    let response = client().get(proxy.url("/api/dsc/cn-north-4/v1/p/period/product/specification")).send().await.unwrap();
    assert_eq!(error_code(response).await, (502, "PROXY.0006".into()));
}

#[tokio::test]
async fn rate_limit_per_client() {
    let config = Config { demo: true, rate_per_sec: 0.5, rate_burst: 3, ..Config::default() };
    let proxy = start(config).await;
    let path = "/api/dsc/cn-north-4/v1/p/period/product/specification";
    for _ in 0..3 {
        let response = client().get(proxy.url(path)).header("x-auth-token", "demo").send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let limited = client().get(proxy.url(path)).header("x-auth-token", "demo").send().await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(error_code(limited).await.1, "PROXY.0011");
    // Health and metrics are not API calls.
    assert_eq!(client().get(proxy.url("/healthz")).send().await.unwrap().status(), 200);
    let metrics = client().get(proxy.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("tenantscope_rate_limited_total 1\n"), "{metrics}");
    assert!(metrics.contains("tenantscope_requests_total{service=\"none\",status=\"429\"} 1\n"), "{metrics}");
}

#[tokio::test]
async fn upstream_calls_are_capped() {
    let stub = stub().await;
    let config = Config { max_upstream: 1, upstream_queue_wait: Duration::ZERO, ..relay_config(&stub) };
    let proxy = start(config).await;
    let hanging = tokio::spawn(client().get(proxy.url(&hss("hang"))).send());
    tokio::time::timeout(Duration::from_secs(20), async {
        while stub.connections() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the first call reached the stub");
    let busy = client().get(proxy.url(&hss("p"))).send().await.unwrap();
    assert_eq!(busy.headers()["retry-after"], "1");
    assert_eq!(error_code(busy).await, (503, "PROXY.0012".into()));
    assert_eq!(hanging.await.unwrap().unwrap().status(), 504);
    // The slot is free again.
    assert_eq!(client().get(proxy.url(&hss("p"))).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn header_size_is_capped() {
    let proxy = start(Config { demo: true, guard_host: true, ..Config::default() }).await;
    let path = "/api/dsc/cn-north-4/v1/p/period/product/specification";
    // An 8 KiB token passes (the demo refuses it as a token, with its 401).
    let long = format!("MII{}", "x".repeat(8 << 10));
    let response = client().get(proxy.url(path)).header("x-auth-token", &long).send().await.unwrap();
    assert_eq!(response.status(), 401);
    // 64 KiB of headers: the proxy's 431.
    let mut request = client().get(proxy.url(path)).header("x-auth-token", "demo");
    for i in 0..8 {
        request = request.header(format!("x-pad-{i}"), "p".repeat(8 << 10));
    }
    let response = request.send().await.unwrap();
    assert_eq!(error_code(response).await, (431, "PROXY.0015".into()));
    // 1 MiB: hyper's own 431 before any handler runs.
    let (status, _) = raw(proxy.addr, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: {}", "p".repeat(1 << 20))).await;
    assert_eq!(status, 431);
}

#[tokio::test]
async fn host_guard_on_loopback() {
    let config = Config { demo: true, guard_host: true, allowed_hosts: vec!["proxy.example".into()], ..Config::default() };
    let proxy = start(config).await;
    for host in [
        "127.0.0.1",
        "127.0.0.1:8080",
        "localhost",
        "LOCALHOST:3000",
        "app.localhost",
        "[::1]",
        "[::1]:8080",
        "127.9.8.7",
        "proxy.example",
        "proxy.example:443",
    ] {
        let (status, answer) = raw(proxy.addr, &format!("GET /healthz HTTP/1.1\r\nHost: {host}")).await;
        assert_eq!(status, 200, "{host}: {answer}");
    }
    for host in ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "0.0.0.0", "[::2]", "proxy.example.evil", "10.0.0.1", "127.0.0.1:x"] {
        let (status, answer) = raw(proxy.addr, &format!("GET /healthz HTTP/1.1\r\nHost: {host}")).await;
        assert_eq!(status, 403, "{host}");
        assert!(answer.contains("PROXY.0014"));
    }
    let (status, _) = raw(proxy.addr, "GET /healthz HTTP/1.0").await;
    assert_eq!(status, 403, "no Host at all");
}

#[tokio::test]
async fn graceful_shutdown_lets_requests_finish() {
    let stub = stub().await;
    let mut proxy = start(relay_config(&stub)).await;
    let addr = proxy.addr;
    let in_flight = tokio::spawn(client().get(proxy.url(&hss("delay"))).send());
    tokio::time::timeout(Duration::from_secs(20), async {
        while stub.connections() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the request reached the stub");
    proxy.shutdown();
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"total_num":0,"data_list":[]}"#);
    tokio::time::timeout(Duration::from_secs(20), proxy.done.take().unwrap()).await.unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "still accepting after shutdown");
}

#[tokio::test]
async fn pooled_connections_are_reused_and_counted() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    for _ in 0..5 {
        let response = client().get(proxy.url(&hss("p"))).header("x-auth-token", TOKEN).send().await.unwrap();
        assert_eq!(response.text().await.unwrap(), r#"{"total_num":0,"data_list":[]}"#);
    }
    assert_eq!(stub.connections(), 1, "the upstream connection was not reused");
    let metrics = client().get(proxy.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("tenantscope_upstream_requests_total 5\n"), "{metrics}");
    assert!(metrics.contains("tenantscope_upstream_connections_opened_total 1\n"), "{metrics}");
    assert!(metrics.contains("tenantscope_upstream_requests_reused_total 4\n"), "{metrics}");
    assert!(metrics.contains("tenantscope_requests_total{service=\"hss\",status=\"200\"} 5\n"), "{metrics}");
    assert!(metrics.contains("tenantscope_upstream_latency_seconds_count{service=\"hss\"} 5\n"), "{metrics}");
    assert!(!metrics.contains(TOKEN) && !metrics.contains("offset"));
}

#[tokio::test]
async fn http2_clients_are_served() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let h2 = reqwest::Client::builder().no_proxy().http2_prior_knowledge().build().unwrap();
    let response = h2.get(proxy.url(&hss("p"))).header("x-auth-token", TOKEN).send().await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"total_num":0,"data_list":[]}"#);
}
