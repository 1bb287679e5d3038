//! The relay against a stub upstream on 127.0.0.1:0 that records what reaches
//! it: routing, header filtering both ways, refusals that must never connect.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use http_body_util::BodyExt;
use tenantscope_proxy::{app, Config};
use tower::ServiceExt;

/// What the stub saw: one entry per request.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(Uri, HeaderMap)>>>);

async fn stub_upstream() -> (String, Seen) {
    let seen = Seen::default();
    let record = seen.clone();
    let stub = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let record = record.clone();
        async move {
            record.0.lock().unwrap().push((uri.clone(), headers));
            match uri.path() {
                p if p.ends_with("/html/billing/quotas-detail") => ([("content-type", "text/html")], "<html>gateway error</html>").into_response(),
                p if p.ends_with("/redirect/billing/quotas-detail") => (StatusCode::FOUND, [("location", "http://127.0.0.1:1/elsewhere")]).into_response(),
                _ => (
                    StatusCode::OK,
                    [
                        ("content-type", "application/json;charset=UTF-8"),
                        ("x-request-id", "0123456789abcdef0123456789abcdef"),
                        ("set-cookie", "session=stolen"),
                        ("access-control-allow-origin", "*"),
                        ("www-authenticate", "Basic"),
                    ],
                    r#"{"total_num":0,"data_list":[]}"#,
                )
                    .into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });
    (format!("http://{addr}"), seen)
}

fn relay_to(base: &str) -> Router {
    app(Config { upstream_base: Some(base.to_string()), ..Config::default() })
}

async fn body_json(response: axum::response::Response) -> serde_json::Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
async fn forwards_path_query_and_only_allowed_headers() {
    let (base, seen) = stub_upstream().await;
    let request = Request::get("/api/hss/cn-north-4/v5/0605767a3300d5762fb7c0186d9e1779/billing/quotas-detail?limit=200&offset=0")
        .header("x-auth-token", "MIItoken")
        .header("cookie", "a=b")
        .header("x-forwarded-for", "10.0.0.1")
        .header("x-real-ip", "10.0.0.1")
        .header("forwarded", "for=10.0.0.1")
        .header("x_auth_token", "underscore")
        .header("accept", "application/json")
        .body(Body::empty())
        .unwrap();
    let response = relay_to(&base).oneshot(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(h.get("x-request-id").unwrap(), "0123456789abcdef0123456789abcdef");
    assert!(h.get("set-cookie").is_none());
    assert!(h.get("www-authenticate").is_none());
    assert!(h.get("access-control-allow-origin").is_none());

    let seen = seen.0.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (uri, headers) = &seen[0];
    assert_eq!(uri.path(), "/v5/0605767a3300d5762fb7c0186d9e1779/billing/quotas-detail");
    assert_eq!(uri.query(), Some("limit=200&offset=0"));
    assert_eq!(headers.get("x-auth-token").unwrap(), "MIItoken");
    assert_eq!(headers.get("accept").unwrap(), "application/json");
    for dropped in ["cookie", "x-forwarded-for", "x-real-ip", "forwarded", "x_auth_token"] {
        assert!(headers.get(dropped).is_none(), "{dropped} was forwarded");
    }
}

#[tokio::test]
async fn refusals_never_reach_the_upstream() {
    let (base, seen) = stub_upstream().await;
    let cases = [
        ("/api/ecs/cn-north-4/v1/p/cloudservers", StatusCode::NOT_FOUND, "PROXY.0001"),
        ("/api/hss/127.0.0.1/v5/p/billing/quotas-detail", StatusCode::BAD_REQUEST, "PROXY.0003"),
        ("/api/hss/cn-north-4@evil.com/v5/p/billing/quotas-detail", StatusCode::BAD_REQUEST, "PROXY.0003"),
        ("/api/hss/cn-north-4/v5/..%2f..%2fadmin/billing/quotas-detail", StatusCode::BAD_REQUEST, "PROXY.0003"),
        ("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x=%00", StatusCode::BAD_REQUEST, "PROXY.0003"),
        ("/api/hss/xx-nowhere-1/v5/p/billing/quotas-detail", StatusCode::NOT_FOUND, "PROXY.0002"),
        ("/api/hss/cn-north-4/v5/p/host-management/hosts", StatusCode::NOT_FOUND, "PROXY.0004"),
        ("/api/iam/global/v3/users", StatusCode::NOT_FOUND, "PROXY.0004"),
    ];
    for (uri, status, code) in cases {
        let response = relay_to(&base).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), status, "{uri}");
        assert_eq!(response.headers().get("content-type").unwrap(), "application/json");
        assert_eq!(body_json(response).await["error_code"], code, "{uri}");
    }
    let post = Request::post("/api/hss/cn-north-4/v5/p/billing/quotas-detail").body(Body::empty()).unwrap();
    let response = relay_to(&base).oneshot(post).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body_json(response).await["error_code"], "PROXY.0005");
    assert!(seen.0.lock().unwrap().is_empty(), "a refused request reached the upstream");
}

#[tokio::test]
async fn html_from_upstream_is_not_passed_through() {
    let (base, _) = stub_upstream().await;
    let request = Request::get("/api/hss/cn-north-4/v5/html/billing/quotas-detail").body(Body::empty()).unwrap();
    let response = relay_to(&base).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body_json(response).await["error_code"], "PROXY.0008");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (base, seen) = stub_upstream().await;
    let request = Request::get("/api/hss/cn-north-4/v5/redirect/billing/quotas-detail").body(Body::empty()).unwrap();
    let response = relay_to(&base).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body_json(response).await["error_code"], "PROXY.0009");
    assert_eq!(seen.0.lock().unwrap().len(), 1, "the redirect was followed");
}

#[tokio::test]
async fn unreachable_upstream_is_a_proxy_error() {
    // Port 1 on loopback: nothing listens there.
    let request = Request::get("/api/dsc/cn-north-4/v1/p/period/product/specification").body(Body::empty()).unwrap();
    let response = relay_to("http://127.0.0.1:1").oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body_json(response).await["error_code"], "PROXY.0006");
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    let config = Config { demo: true, allow_origins: vec!["https://console.example".into()], ..Config::default() };
    let preflight = |origin: &str| {
        Request::options("/api/hss/cn-north-4/v5/p/billing/quotas-detail")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-auth-token")
            .body(Body::empty())
            .unwrap()
    };
    let ok = app(config.clone()).oneshot(preflight("https://console.example")).await.unwrap();
    assert_eq!(ok.headers().get("access-control-allow-origin").unwrap(), "https://console.example");
    assert_eq!(ok.headers().get("access-control-max-age").unwrap(), "7200");
    let other = app(config).oneshot(preflight("https://console.example.evil.com")).await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn healthz_answers() {
    let response = app(Config::default()).oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_operators_service_host_offers_its_region_and_says_so() {
    use tenantscope_catalog::Service;
    use tenantscope_proxy::config::ServiceHost;
    let (base, seen) = stub_upstream().await;
    let hosts = vec![ServiceHost { service: Service::Hss, region: "xx-test-1".into(), host: "hss.xx-test-1.myhuaweicloud.com".into() }];
    let with = app(Config { upstream_base: Some(base.clone()), service_hosts: hosts, ..Config::default() });
    let call = || Request::get("/api/hss/xx-test-1/v5/p1/billing/quotas-detail?limit=10").body(Body::empty()).unwrap();
    // Without it the catalogue has no such region: refused before any connection.
    let refused = relay_to(&base).oneshot(call()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(seen.0.lock().unwrap().len(), 0);
    // With it the call is relayed.
    let relayed = with.clone().oneshot(call()).await.unwrap();
    assert_eq!(relayed.status(), StatusCode::OK);
    assert_eq!(seen.0.lock().unwrap().len(), 1);
    // And the console can ask where it is offered.
    let offered = with.oneshot(Request::get("/api/offered").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(offered.status(), StatusCode::OK);
    assert_eq!(
        body_json(offered).await,
        serde_json::json!({ "service_hosts": [{ "service": "hss", "region": "xx-test-1", "host": "hss.xx-test-1.myhuaweicloud.com" }] })
    );
}

/// An access-key signed call, over real TCP both ways: the upstream gets the
/// signature's four headers exactly as the browser sent them and the query
/// byte for byte (the signature covers both), and nothing the proxy made up
/// besides what it always sends (`accept`, `user-agent`, `host`).
#[tokio::test]
async fn a_signed_call_reaches_the_upstream_as_it_was_signed() {
    let stub = common::stub().await;
    let proxy = common::start(common::relay_config(&stub)).await;
    let authorization = "SDK-HMAC-SHA256 Access=DEMOACCESSKEYID00000, SignedHeaders=x-project-id;x-sdk-date;x-security-token, Signature=8f1c0aa2bd39e4e1b5d7c6a0f2e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39281";
    let (date, project, security) = ("20260101T000000Z", "0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25", "demo-security-token/+=AbC");
    let query = "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=0";
    let path = format!("/v5/{project}/billing/quotas-detail");
    let answer = common::client()
        .get(proxy.url(&format!("/api/hss/cn-north-4{path}?{query}")))
        .header("Authorization", authorization)
        .header("X-Sdk-Date", date)
        .header("X-Project-Id", project)
        .header("X-Security-Token", security)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let heads = stub.heads();
    assert_eq!(heads.len(), 1);
    let mut lines = heads[0].lines();
    assert_eq!(lines.next(), Some(format!("GET {path}?{query} HTTP/1.1").as_str()));
    let mut received: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim_start().to_string())
        })
        .collect();
    received.sort();
    let mut expected: Vec<(String, String)> = [
        ("accept", "*/*"),
        ("authorization", authorization),
        ("host", &stub.addr.to_string()),
        ("user-agent", concat!("tenantscope-proxy/", env!("CARGO_PKG_VERSION"))),
        ("x-project-id", project),
        ("x-sdk-date", date),
        ("x-security-token", security),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    expected.sort();
    assert_eq!(received, expected, "{}", heads[0]);
}

/// Only a signature goes as `Authorization`, and never beside a token: both
/// refused before any connection.
#[tokio::test]
async fn other_authorization_schemes_and_a_token_with_a_signature_are_refused() {
    let (base, seen) = stub_upstream().await;
    let signed = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00";
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Headers, &str, &str); 4] = [
        (
            &[("authorization", "Basic dXNlcjpwYXNzd29yZA==")],
            "PROXY.0020",
            "Only SDK-HMAC-SHA256 access-key signatures are relayed in the Authorization header",
        ),
        (&[("authorization", "Bearer MIItoken")], "PROXY.0020", "Only SDK-HMAC-SHA256 access-key signatures are relayed in the Authorization header"),
        (
            &[("x-auth-token", "MIItoken"), ("authorization", signed)],
            "PROXY.0021",
            "Send a token (X-Auth-Token) or an access-key signature (Authorization), not both",
        ),
        (
            &[("authorization", signed), ("x-sdk-date", "20260101T000000Z"), ("x-auth-token", "MIItoken")],
            "PROXY.0021",
            "Send a token (X-Auth-Token) or an access-key signature (Authorization), not both",
        ),
    ];
    for (headers, code, message) in cases {
        for config in [Config { upstream_base: Some(base.clone()), ..Config::default() }, Config { demo: true, ..Config::default() }] {
            let mut request = Request::get("/api/hss/cn-north-4/v5/p/billing/quotas-detail?limit=10");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let response = app(config).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{headers:?}");
            assert_eq!(response.headers().get("content-type").unwrap(), "application/json");
            let body = body_json(response).await;
            assert_eq!((body["error_code"].as_str(), body["error_msg"].as_str()), (Some(code), Some(message)), "{headers:?}");
        }
    }
    assert!(seen.0.lock().unwrap().is_empty(), "a refused request reached the upstream");
}
