//! The page's own origin is its scheme, host and port: an `Origin` with
//! the request's `Host` but another scheme is another page (an `http://`
//! one beside an `https://` deployment), which needs `--allow-origin` like
//! any other. The scheme the browser used is plain HTTP on a direct
//! connection, and behind a `--trusted-proxy` what its
//! `X-Forwarded-Proto` says (HTTPS when it says nothing: a TLS terminator).

mod common;

use common::*;
use tenantscope_proxy::Config;

async fn status(proxy: &Running, origin: &str, extra: &str) -> u16 {
    let host = proxy.addr.to_string();
    let origin = origin.replace("HOST", &host);
    let path = format!("/api/dsc/cn-north-4/v1/{}/period/product/specification", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    let head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Auth-Token: demo\r\nOrigin: {origin}{extra}");
    raw(proxy.addr, &head).await.0
}

#[tokio::test]
async fn the_same_origin_has_the_same_scheme() {
    let direct = start(Config { demo: true, guard_host: true, ..Config::default() }).await;
    assert_eq!(status(&direct, "http://HOST", "").await, 200);
    assert_eq!(status(&direct, "https://HOST", "").await, 403, "an https page is not the page this plain-HTTP proxy served");
    // A header only a trusted proxy is believed about.
    assert_eq!(status(&direct, "https://HOST", "\r\nX-Forwarded-Proto: https").await, 403);

    let trusted = vec!["127.0.0.1/32".parse().unwrap()];
    let balanced = start(Config { demo: true, guard_host: true, trusted_proxies: trusted, ..Config::default() }).await;
    assert_eq!(status(&balanced, "https://HOST", "").await, 200, "behind a TLS terminator");
    assert_eq!(status(&balanced, "http://HOST", "").await, 403, "an http page beside an https deployment");
    assert_eq!(status(&balanced, "http://HOST", "\r\nX-Forwarded-Proto: http").await, 200);
    assert_eq!(status(&balanced, "https://HOST", "\r\nX-Forwarded-Proto: http").await, 403);
    assert_eq!(status(&balanced, "https://HOST", "\r\nX-Forwarded-Proto: https").await, 200);
}

/// The proxy's own refusals before the CORS layer (414, 431, a `Host` not
/// served) carry the CORS headers for an allowed origin, so the console
/// can read why it was refused.
#[tokio::test]
async fn refusals_before_cors_are_readable_by_an_allowed_origin() {
    let config = Config { demo: true, guard_host: true, max_header_bytes: 4096, allow_origins: vec!["https://console.example".into()], ..Config::default() };
    let proxy = start(config).await;
    let path = format!("/api/dsc/cn-north-4/v1/{}/period/product/specification", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    let cases = [
        (format!("GET {path}?x={} HTTP/1.1\r\nHost: 127.0.0.1", "a".repeat(9000)), 414),
        (format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}", "b".repeat(5000)), 431),
        (format!("GET {path} HTTP/1.1\r\nHost: evil.example"), 403),
    ];
    for (head, expected) in &cases {
        let (status, answer) = raw(proxy.addr, &format!("{head}\r\nOrigin: https://console.example")).await;
        assert_eq!(status, *expected, "{answer}");
        let lower = answer.to_ascii_lowercase();
        assert!(lower.contains("\r\naccess-control-allow-origin: https://console.example\r\n"), "{answer}");
        assert!(lower.contains("\r\naccess-control-expose-headers: x-request-id, date\r\n"), "{answer}");
        assert!(lower.contains("\r\nvary: origin\r\n"), "{answer}");
        // Another origin is told nothing.
        let (status, answer) = raw(proxy.addr, &format!("{head}\r\nOrigin: https://evil.example")).await;
        assert_eq!(status, *expected, "{answer}");
        assert!(!answer.to_ascii_lowercase().contains("access-control-allow-origin"), "{answer}");
    }
}

/// Over HTTP/2 the page's host is the `:authority`, and there is no `Host`
/// line: a same-origin request that carries an `Origin` (a POST does) is
/// still the page's own.
#[tokio::test]
async fn the_same_origin_over_http2_is_told_by_the_authority() {
    let proxy = start(Config { demo: true, guard_host: true, ..Config::default() }).await;
    let tcp = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    let (send, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let path = format!("/api/dsc/cn-north-4/v1/{}/period/product/specification", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    let status = |origin: String| {
        let mut send = send.clone();
        let url = format!("http://{}{path}", proxy.addr);
        async move {
            send = send.ready().await.unwrap();
            let request = axum::http::Request::get(url).header("x-auth-token", "demo").header("origin", origin).body(()).unwrap();
            let (response, _) = send.send_request(request, true).unwrap();
            response.await.unwrap().status().as_u16()
        }
    };
    assert_eq!(status(format!("http://{}", proxy.addr)).await, 200, "the page's own origin");
    assert_eq!(status("http://evil.example".into()).await, 403);
}
