//! The demo tenant through the whole router, as the browser reaches it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tenantscope_proxy::{app, Config};
use tower::ServiceExt;

async fn get(uri: &str, token: Option<&str>) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let mut request = Request::get(uri);
    if let Some(token) = token {
        request = request.header("x-auth-token", token).header("x-subject-token", token);
    }
    let response = app(Config { demo: true, ..Config::default() }).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn introspection_then_every_service() {
    let (status, headers, token) = get("/api/iam/global/v3/auth/tokens?nocatalog=true", Some("demo")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("x-request-id").unwrap().len(), 32);
    let project = token["token"]["project"]["id"].as_str().unwrap().to_string();
    let region = token["token"]["project"]["name"].as_str().unwrap().to_string();

    let (status, _, projects) = get(&format!("/api/projectman/{region}/v4/projects?offset=0&limit=100"), Some("demo")).await;
    assert_eq!(status, StatusCode::OK);
    let codearts = projects["projects"][0]["project_id"].as_str().unwrap().to_string();

    let calls = [
        format!("/api/testplan/{region}/v1/projects/{codearts}/package/status"),
        format!("/api/codecheck/{region}/v4/tenant/tenant-package-status?project_id={codearts}"),
        format!("/api/metastudio/{region}/v1/{project}/tenants/resources?resource_source=PURCHASED&limit=100&offset=0"),
        format!("/api/dsc/{region}/v1/{project}/period/product/specification"),
        format!("/api/hss/{region}/v5/{project}/billing/quotas-detail?limit=200&offset=0"),
    ];
    for uri in calls {
        let (status, headers, body) = get(&uri, Some("demo")).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert!(headers.get("content-type").unwrap().to_str().unwrap().starts_with("application/json"));
        assert!(body.is_object(), "{uri}");
    }
}

#[tokio::test]
async fn other_tokens_get_the_gateways_401() {
    let (status, _, body) = get("/api/dsc/cn-north-4/v1/p/period/product/specification", Some("MIIwrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_code"], "APIG.0301");
    assert_eq!(body["error_msg"], "Incorrect IAM authentication information: decrypt token fail");
}

#[tokio::test]
async fn demo_routes_are_still_allow_listed() {
    let (status, _, body) = get("/api/hss/cn-north-4/v5/p/host-management/hosts", Some("demo")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error_code"], "PROXY.0004");
}
