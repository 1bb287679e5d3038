//! What `GET /api/about` tells anyone who asks about an operator's
//! `--upstream-base`: its origin when it is a public name, "private
//! endpoint" when it is an address or name of a private network; never a
//! path, which may say more than the operator meant to publish.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tenantscope_proxy::{app, Config};
use tower::ServiceExt;

async fn relays_to(base: &str) -> Vec<String> {
    let config = Config { upstream_base: Some(base.into()), ..Config::default() };
    let response = app(config).oneshot(Request::get("/api/about").header("host", "127.0.0.1").body(Body::empty()).unwrap()).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    body["relays_to"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_private_upstream_base_is_not_published() {
    for private in [
        "http://10.1.2.3:9000/secret/prefix",
        "http://127.0.0.1:9999",
        "https://192.168.1.20/gw",
        "http://[fd12::1]:8080",
        "https://gateway.internal/x",
        "http://gateway:8080",
        "https://gw.corp.local",
    ] {
        assert_eq!(relays_to(private).await, ["private endpoint"], "{private}");
    }
    assert_eq!(relays_to("https://gateway.example.com:8443/prefix/secret").await, ["https://gateway.example.com:8443"]);
    assert_eq!(relays_to("https://Gateway.Example.com/").await, ["https://gateway.example.com"]);
}
