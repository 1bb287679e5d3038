//! The relay against a stub upstream on 127.0.0.1:0 that records what reaches
//! it: routing, header filtering both ways, refusals that must never connect.

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
                p if p.ends_with("/html/billing/quotas-detail") => {
                    ([("content-type", "text/html")], "<html>gateway error</html>").into_response()
                }
                p if p.ends_with("/redirect/billing/quotas-detail") => {
                    (StatusCode::FOUND, [("location", "http://127.0.0.1:1/elsewhere")]).into_response()
                }
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
