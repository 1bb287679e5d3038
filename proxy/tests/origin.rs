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
