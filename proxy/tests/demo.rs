//! The demo tenant through the whole router, as the browser reaches it.

mod common;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tenantscope_proxy::{app, Config};
use tower::ServiceExt;

/// The status, headers and body bytes of a demo answer.
async fn fetch(uri: &str, token: Option<&str>) -> (StatusCode, axum::http::HeaderMap, Bytes) {
    let mut request = Request::get(uri);
    if let Some(token) = token {
        request = request.header("x-auth-token", token).header("x-subject-token", token);
    }
    let response = app(Config { demo: true, ..Config::default() }).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes())
}

async fn get(uri: &str, token: Option<&str>) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let (status, headers, bytes) = fetch(uri, token).await;
    (status, headers, serde_json::from_slice(&bytes).unwrap())
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
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

/// One call of every relayed route, for a project `p`.
const EVERY_ROUTE: [&str; 8] = [
    "/api/iam/global/v3/auth/tokens?nocatalog=true",
    "/api/iam/global/v3/auth/projects",
    "/api/projectman/cn-north-4/v4/projects?offset=0&limit=100",
    "/api/testplan/cn-north-4/v1/projects/p/package/status",
    "/api/codecheck/cn-north-4/v4/tenant/tenant-package-status?project_id=p",
    "/api/metastudio/cn-north-4/v1/p/tenants/resources?resource_source=PURCHASED&limit=100&offset=0",
    "/api/dsc/cn-north-4/v1/p/period/product/specification",
    "/api/hss/cn-north-4/v5/p/billing/quotas-detail?limit=200&offset=200",
];

#[tokio::test]
async fn expired_token_gets_apig_0307_on_every_route() {
    let expired = json!({ "error_code": "APIG.0307", "error_msg": "The token must be updated." });
    for uri in EVERY_ROUTE {
        let (status, headers, body) = get(uri, Some("demo-expired")).await;
        assert_eq!((status, &body), (StatusCode::UNAUTHORIZED, &expired), "{uri}");
        assert!(is_json(&headers), "{uri}");
        assert_eq!(headers.get("x-request-id").map(|v| v.len()), Some(32), "{uri}");
        assert!(headers.get("retry-after").is_none(), "{uri}");
    }
}

#[tokio::test]
async fn near_miss_tokens_get_the_gateways_401() {
    for token in ["demo-faults2", "Demo-Expired", "demo-"] {
        for uri in EVERY_ROUTE {
            let (status, _, body) = get(uri, Some(token)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{token} {uri}");
            assert_eq!(body["error_code"], "APIG.0301", "{token} {uri}");
        }
    }
}

#[tokio::test]
async fn faults_token_fails_each_service_its_own_way() {
    let token = Some("demo-faults");
    // IAM, the CodeArts project list and TestPlan answer.
    let (status, _, introspected) = get("/api/iam/global/v3/auth/tokens?nocatalog=true", token).await;
    assert_eq!(status, StatusCode::OK, "{introspected}");
    let project = introspected["token"]["project"]["id"].as_str().unwrap().to_string();
    let region = introspected["token"]["project"]["name"].as_str().unwrap().to_string();
    let (status, _, projects) = get("/api/iam/global/v3/auth/projects", token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(projects["projects"].as_array().is_some_and(|p| !p.is_empty()));
    let (status, _, codearts) = get(&format!("/api/projectman/{region}/v4/projects?offset=0&limit=100"), token).await;
    assert_eq!(status, StatusCode::OK);
    let codearts = codearts["projects"][0]["project_id"].as_str().unwrap().to_string();
    let (status, _, testplan) = get(&format!("/api/testplan/{region}/v1/projects/{codearts}/package/status"), token).await;
    assert_eq!((status, &testplan["status"]), (StatusCode::OK, &json!("ok")));

    // CodeArts Check: 200 and labelled JSON, but cut off.
    let (status, headers, bytes) = fetch(&format!("/api/codecheck/{region}/v4/tenant/tenant-package-status?project_id={codearts}"), token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(is_json(&headers));
    assert!(bytes.starts_with(br#"{"result":{"#), "{bytes:?}");
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err(), "{bytes:?}");

    // MetaStudio: not published (404); DSC: no permission (403).
    let metastudio = format!("/api/metastudio/{region}/v1/{project}/tenants/resources?resource_source=PURCHASED");
    let (status, _, body) = get(&metastudio, token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error_code"], "APIG.0101");
    assert_eq!(body["error_msg"], "The API does not exist or has not been published in the environment");
    let (status, _, body) = get(&format!("/api/dsc/{region}/v1/{project}/period/product/specification"), token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error_code"], "dsc.00000403");
    assert_eq!(body["error_msg"], "Permission denied: the user has no dsc read permission.");

    // HSS: the page at offset 200 is throttled, every time; the others answer.
    let hss = |offset: u32| format!("/api/hss/{region}/v5/{project}/billing/quotas-detail?limit=200&offset={offset}");
    for (offset, len) in [(0, 200), (400, 20)] {
        let (status, headers, body) = get(&hss(offset), token).await;
        assert_eq!(status, StatusCode::OK, "{offset}");
        assert!(headers.get("retry-after").is_none());
        assert_eq!(body["total_num"], 420);
        assert_eq!(body["data_list"].as_array().map(Vec::len), Some(len), "{offset}");
    }
    for _ in 0..2 {
        let (status, headers, body) = get(&hss(200), token).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        assert!(is_json(&headers));
        assert_eq!(body["error_code"], "APIG.0308");
        assert!(body["error_msg"].as_str().is_some_and(|m| m.starts_with("The throttling threshold has been reached")));
    }
}

#[tokio::test]
async fn demo_token_is_never_throttled() {
    let (status, headers, body) = get("/api/hss/cn-north-4/v5/p/billing/quotas-detail?limit=200&offset=200", Some("demo")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("retry-after").is_none());
    assert_eq!(body["data_list"].as_array().map(Vec::len), Some(200));
}

/// Two regions of the sample tenant are two different regions: HSS and
/// MetaStudio in cn-east-3 (its own project) hold fewer packages, none of
/// cn-north-4's.
#[tokio::test]
async fn each_region_of_the_demo_holds_its_own_packages() {
    use tenantscope_proxy::demo::DEMO_PROJECT_ID;
    let proxy = common::start(Config { demo: true, ..Config::default() }).await;
    let get = |path: String| {
        let url = proxy.url(&path);
        async move {
            let answer = common::client().get(url).header("X-Auth-Token", "demo").send().await.unwrap();
            assert_eq!(answer.status(), 200, "{path}");
            serde_json::from_str::<serde_json::Value>(&answer.text().await.unwrap()).unwrap()
        }
    };
    let projects = get("/api/iam/cn-east-3/v3/auth/projects".into()).await;
    let shanghai = projects["projects"].as_array().unwrap().iter().find(|p| p["name"] == "cn-east-3").unwrap()["id"].as_str().unwrap().to_string();
    let ids = |body: &serde_json::Value, list: &str, key: &str| -> Vec<String> {
        body[list].as_array().unwrap().iter().map(|q| q[key].as_str().unwrap().to_string()).collect()
    };
    let hss =
        |project: &str, region: &str| format!("/api/hss/{region}/v5/{project}/billing/quotas-detail?limit=200&offset=0&enterprise_project_id=all_granted_eps");
    let (north, east) = (get(hss(DEMO_PROJECT_ID, "cn-north-4")).await, get(hss(&shanghai, "cn-east-3")).await);
    assert_eq!((north["total_num"].as_u64(), east["total_num"].as_u64()), (Some(480), Some(105)));
    let (north_ids, east_ids) = (ids(&north, "data_list", "resource_id"), ids(&east, "data_list", "resource_id"));
    assert!(east_ids.iter().all(|id| !north_ids.contains(id)), "cn-east-3 repeats cn-north-4's quotas");
    assert!(east["data_list"].as_array().unwrap().iter().all(|q| q["enterprise_project_id"] == "0"), "only the default enterprise project there");
    let meta = |project: &str, region: &str| {
        format!("/api/metastudio/{region}/v1/{project}/tenants/resources?resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=0")
    };
    let (north, east) = (get(meta(DEMO_PROJECT_ID, "cn-north-4")).await, get(meta(&shanghai, "cn-east-3")).await);
    assert!(east["count"].as_u64().unwrap() < north["count"].as_u64().unwrap());
    let (north_ids, east_ids) = (ids(&north, "resources", "resource_id"), ids(&east, "resources", "resource_id"));
    assert!(!east_ids.is_empty() && east_ids.iter().all(|id| !north_ids.contains(id)));
}

/// What the console's first visit reads: a tenantscope proxy answers here,
/// and where a token can go (nowhere with --demo; the catalogue's hosts, and
/// only Huawei Cloud's, otherwise).
#[tokio::test]
async fn about_says_what_answers_and_where_tokens_go() {
    let (status, headers, about) = get("/api/about", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(is_json(&headers));
    assert_eq!((about["proxy"].as_str(), about["demo"].as_bool()), (Some("tenantscope-proxy"), Some(true)));
    assert_eq!(about["relays_to"], json!([]));
    let response = app(Config::default()).oneshot(Request::get("/api/about").body(Body::empty()).unwrap()).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let hosts: Vec<&str> = body["relays_to"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert_eq!(body["demo"], json!(false));
    for host in [
        "iam.myhuaweicloud.com",
        "hss.cn-north-4.myhuaweicloud.com",
        "cloudtest-ext.cn-north-4.myhuaweicloud.com",
        "bss.myhuaweicloud.com",
        "bss-intl.myhuaweicloud.com",
        "bss.myhuaweicloud.eu",
    ] {
        assert!(hosts.contains(&host), "{host} missing from {hosts:?}");
    }
    assert!(hosts.iter().all(|h| tenantscope_catalog::is_huawei_cloud_host(h)), "{hosts:?}");
    assert!(hosts.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
}

/// `GET uri` signed as the console signs it: the upstream path (the route
/// template filled in) and the query decoded, `X-Sdk-Date` from the clock,
/// `X-Project-Id` and (for the temporary pair) `X-Security-Token` signed.
fn signed_request(uri: &str, ak: &str, sk: &str, security_token: Option<&str>) -> Request<Body> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let date = tenantscope_sign::sdk_date(now);
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    // `/api/{service}/{region}` off: what the upstream receives.
    let upstream_path = format!("/{}", path.splitn(5, '/').nth(4).unwrap());
    let pairs = tenantscope_sign::query_pairs(query).unwrap();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut headers = vec![("X-Sdk-Date", date.as_str()), ("X-Project-Id", tenantscope_proxy::demo::DEMO_PROJECT_ID)];
    if let Some(token) = security_token {
        headers.push(("X-Security-Token", token));
    }
    let signed = tenantscope_sign::Request { method: "GET", path: &upstream_path, query: &pairs, headers: &headers, body: b"" };
    let mut request = Request::get(uri).header("authorization", tenantscope_sign::authorization(ak, sk, &date, &signed));
    for (name, value) in &headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

async fn answer(request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = app(Config { demo: true, ..Config::default() }).oneshot(request).await.unwrap();
    let status = response.status();
    (status, serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap())
}

#[tokio::test]
async fn a_signed_request_through_the_whole_app_is_answered() {
    use tenantscope_proxy::demo::*;
    let project = DEMO_PROJECT_ID;
    let uris = [
        "/api/iam/global/v3/auth/projects".to_string(),
        format!("/api/hss/cn-north-4/v5/{project}/billing/quotas-detail?limit=200&offset=0&enterprise_project_id=all_granted_eps"),
        format!("/api/metastudio/cn-north-4/v1/{project}/tenants/resources?resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=0"),
        format!("/api/testplan/cn-north-4/v1/projects/{DEMO_CODEARTS_PROJECT_ID}/package/status"),
    ];
    for uri in &uris {
        for (ak, sk, token) in
            [(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, None), (DEMO_TEMP_ACCESS_KEY_ID, DEMO_TEMP_SECRET_ACCESS_KEY, Some(DEMO_SECURITY_TOKEN))]
        {
            let (status, body) = answer(signed_request(uri, ak, sk, token)).await;
            assert_eq!(status, StatusCode::OK, "{uri} {ak}: {body}");
            let (_, _, with_token) = get(uri, Some(DEMO_TOKEN)).await;
            assert_eq!(body, with_token, "{uri}");
        }
    }
    // The temporary pair without its token, and a wrong secret.
    let (status, body) = answer(signed_request(&uris[1], DEMO_TEMP_ACCESS_KEY_ID, DEMO_TEMP_SECRET_ACCESS_KEY, None)).await;
    assert_eq!((status, body["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some("APIGW.0301")));
    let (status, body) = answer(signed_request(&uris[1], DEMO_ACCESS_KEY_ID, "not-the-secret", None)).await;
    assert_eq!(
        (status, &body),
        (StatusCode::UNAUTHORIZED, &json!({ "error_code": "APIGW.0303", "error_msg": "Incorrect app authentication information: verify aksk signature fail" }))
    );
}

#[tokio::test]
async fn a_token_with_a_signature_or_another_authorization_scheme_is_the_proxys_400() {
    use tenantscope_proxy::demo::*;
    let uri = "/api/iam/global/v3/auth/projects";
    let mut both = signed_request(uri, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, None);
    both.headers_mut().insert("x-auth-token", DEMO_TOKEN.parse().unwrap());
    let (status, body) = answer(both).await;
    assert_eq!((status, body["error_code"].as_str()), (StatusCode::BAD_REQUEST, Some("PROXY.0021")), "{body}");
    for other in ["Basic ZGVtbzpkZW1v", "Bearer demo"] {
        let request = Request::get(uri).header("authorization", other).header("x-auth-token", DEMO_TOKEN).body(Body::empty()).unwrap();
        let (status, body) = answer(request).await;
        assert_eq!((status, body["error_code"].as_str()), (StatusCode::BAD_REQUEST, Some("PROXY.0020")), "{other}: {body}");
        let request = Request::get(uri).header("authorization", other).body(Body::empty()).unwrap();
        assert_eq!(answer(request).await.1["error_code"], "PROXY.0020", "{other}");
    }
}

/// The Hong Kong project (ap-southeast-1) of the sample tenant: HSS and DSC
/// answer there, TestPlan, Check and MetaStudio are not offered (the
/// catalogue's answer, before the demo).
#[tokio::test]
async fn the_hong_kong_project_has_some_services_only() {
    let (_, _, projects) = get("/api/iam/global/v3/auth/projects", Some("demo")).await;
    let project = projects["projects"].as_array().unwrap().iter().find(|p| p["name"] == "ap-southeast-1").unwrap()["id"].as_str().unwrap().to_string();
    let (status, _, hss) = get(&format!("/api/hss/ap-southeast-1/v5/{project}/billing/quotas-detail?limit=200&offset=0"), Some("demo")).await;
    assert_eq!((status, hss["total_num"].as_u64()), (StatusCode::OK, Some(21)));
    let (status, _, _) = get(&format!("/api/dsc/ap-southeast-1/v1/{project}/period/product/specification"), Some("demo")).await;
    assert_eq!(status, StatusCode::OK);
    for uri in [
        format!("/api/metastudio/ap-southeast-1/v1/{project}/tenants/resources?resource_source=PURCHASED"),
        "/api/testplan/ap-southeast-1/v1/projects/p/package/status".to_string(),
        "/api/codecheck/ap-southeast-1/v4/tenant/tenant-package-status".to_string(),
    ] {
        let (status, _, body) = get(&uri, Some("demo")).await;
        assert_eq!((status, body["error_code"].as_str()), (StatusCode::NOT_FOUND, Some("PROXY.0002")), "{uri}");
    }
}

const BSS: &str = "/api/bss/{site}/v2/orders/suscriptions/resources/query";

/// Billing's POST of `body` at `site`, with `headers`.
fn billing_request(site: &str, body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post(BSS.replace("{site}", site)).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

/// Billing's POST of `body` signed as the console signs it: the method,
/// the path, no query, `X-Sdk-Date` (and for the temporary pair
/// `X-Security-Token`), and the body's hash; no project.
fn signed_billing(site: &str, body: &str, signed_body: &str, ak: &str, sk: &str, security_token: Option<&str>) -> Request<Body> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let date = tenantscope_sign::sdk_date(now);
    let mut headers = vec![("X-Sdk-Date", date.as_str())];
    if let Some(token) = security_token {
        headers.push(("X-Security-Token", token));
    }
    let path = "/v2/orders/suscriptions/resources/query";
    let signed = tenantscope_sign::Request { method: "POST", path, query: &[], headers: &headers, body: signed_body.as_bytes() };
    let authorization = tenantscope_sign::authorization(ak, sk, &date, &signed);
    headers.push(("authorization", &authorization));
    billing_request(site, body, &headers)
}

/// The resource ids of the HSS quotas of `project` in `region`.
async fn hss_ids(region: &str, project: &str) -> Vec<String> {
    let (_, _, page) = get(&format!("/api/hss/{region}/v5/{project}/billing/quotas-detail?limit=200&offset=0"), Some("demo")).await;
    page["data_list"].as_array().unwrap().iter().map(|q| q["resource_id"].as_str().unwrap().to_string()).collect()
}

fn ids_body(ids: &[String]) -> String {
    json!({ "resource_ids": ids, "only_main_resource": 0, "offset": 0, "limit": ids.len().max(1) }).to_string()
}

#[tokio::test]
async fn billing_answers_on_the_accounts_site_for_the_demo_and_its_keys() {
    use tenantscope_proxy::demo::*;
    let ids = hss_ids("cn-north-4", DEMO_PROJECT_ID).await;
    let body = ids_body(&ids[..50]);
    let (status, by_token) = answer(billing_request("global", &body, &[("x-auth-token", DEMO_TOKEN)])).await;
    assert_eq!(status, StatusCode::OK, "{by_token}");
    assert!(by_token["total_count"].as_u64() > Some(40), "{by_token}");
    assert!(by_token["data"].as_array().unwrap().iter().all(|r| ids.contains(&r["resource_id"].as_str().unwrap().to_string())));
    // The other sites do not know the account: 401, and the console asks the next.
    for site in ["global-intl", "global-eu"] {
        let (status, refused) = answer(billing_request(site, &body, &[("x-auth-token", DEMO_TOKEN)])).await;
        assert_eq!((status, refused["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some("APIG.0301")), "{site}");
        assert!(refused["error_msg"].as_str().unwrap().contains("not known on this site"), "{refused}");
    }
    // Both key pairs, the body's hash signed: the same answer.
    for (ak, sk, token) in
        [(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, None), (DEMO_TEMP_ACCESS_KEY_ID, DEMO_TEMP_SECRET_ACCESS_KEY, Some(DEMO_SECURITY_TOKEN))]
    {
        let (status, signed) = answer(signed_billing("global", &body, &body, ak, sk, token)).await;
        assert_eq!((status, &signed), (StatusCode::OK, &by_token), "{ak}");
        // A body changed after signing (one id less) is the gateway's 0303.
        let changed = ids_body(&ids[..49]);
        let (status, tampered) = answer(signed_billing("global", &changed, &body, ak, sk, token)).await;
        assert_eq!(
            (status, &tampered),
            (
                StatusCode::UNAUTHORIZED,
                &json!({ "error_code": "APIGW.0303", "error_msg": "Incorrect app authentication information: verify aksk signature fail" })
            ),
            "{ak}"
        );
        let (status, elsewhere) = answer(signed_billing("global-intl", &body, &body, ak, sk, token)).await;
        assert_eq!((status, elsewhere["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some("APIGW.0301")), "{ak}");
    }
}

#[tokio::test]
async fn billing_refuses_the_limited_and_expired_tokens_and_more_than_50_ids() {
    let body = r#"{"resource_ids":["a"],"only_main_resource":0,"offset":0,"limit":1}"#;
    let (status, limited) = answer(billing_request("global", body, &[("x-auth-token", "demo-limited")])).await;
    assert_eq!(
        (status, &limited),
        (StatusCode::FORBIDDEN, &json!({ "error_code": "CBC.0151", "error_msg": "Access denied. The correct permission code is billing:subscription:view" }))
    );
    let (status, expired) = answer(billing_request("global", body, &[("x-auth-token", "demo-expired")])).await;
    assert_eq!((status, expired["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some("APIG.0307")));
    let (status, faults) = answer(billing_request("global", body, &[("x-auth-token", "demo-faults")])).await;
    assert_eq!((status, faults), (StatusCode::OK, json!({ "total_count": 0, "data": [] })));
    let many: Vec<String> = (0..51).map(|i| format!("{i:032x}")).collect();
    let (status, refused) = answer(billing_request("global", &ids_body(&many), &[("x-auth-token", "demo")])).await;
    assert_eq!((status, refused["error_code"].as_str()), (StatusCode::BAD_REQUEST, Some("CBC.0100")), "{refused}");
    let (status, refused) = answer(billing_request("global", "resource_ids=a", &[("x-auth-token", "demo")])).await;
    assert_eq!((status, refused["error_code"].as_str()), (StatusCode::BAD_REQUEST, Some("CBC.0100")), "{refused}");
    // The proxy's own rules come first: a body not labelled JSON, a GET.
    let request =
        Request::post(BSS.replace("{site}", "global")).header("content-type", "text/plain").header("x-auth-token", "demo").body(Body::from(body)).unwrap();
    assert_eq!(answer(request).await.1["error_code"], "PROXY.0022");
    let request = Request::get(BSS.replace("{site}", "global")).header("x-auth-token", "demo").body(Body::empty()).unwrap();
    assert_eq!(answer(request).await.1["error_code"], "PROXY.0005");
}

/// Every tab of "All regions" asks billing for its own ids; the account is
/// one, so the same ids get the same records wherever they are asked from,
/// and the subproject's tab repeats its parent's.
#[tokio::test]
async fn every_tab_asks_billing_for_its_own_ids() {
    let (_, _, projects) = get("/api/iam/global/v3/auth/projects", Some("demo")).await;
    let mut seen: Vec<(String, serde_json::Value)> = Vec::new();
    for project in projects["projects"].as_array().unwrap() {
        let name = project["name"].as_str().unwrap();
        let region = name.split('_').next().unwrap();
        let ids = hss_ids(region, project["id"].as_str().unwrap()).await;
        let (status, records) = answer(billing_request("global", &ids_body(&ids[..ids.len().min(50)]), &[("x-auth-token", "demo")])).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(records["total_count"].as_u64() > Some(0), "{name}: {records}");
        seen.push((name.to_string(), records));
    }
    let of = |name: &str| &seen.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(of("cn-north-4"), of("cn-north-4_finance"), "the subproject's tab asks for the same ids");
    assert_ne!(of("cn-north-4"), of("cn-east-3"));
}

/// The demo's 401s say what is wrong, never what the request sent: no
/// access key id and no header name of the caller's comes back.
#[tokio::test]
async fn demo_refusals_echo_nothing_the_request_sent() {
    let date = tenantscope_sign::sdk_date(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64);
    let uri = format!("/api/dsc/cn-north-4/v1/{}/period/product/specification", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    for authorization in [
        "SDK-HMAC-SHA256 Access=ECHOMARKERKEY<b>x</b>, SignedHeaders=x-sdk-date, Signature=00".to_string(),
        format!("SDK-HMAC-SHA256 Access={}, SignedHeaders=x-sdk-date;x-echo-marker-name, Signature=00", tenantscope_proxy::demo::DEMO_ACCESS_KEY_ID),
    ] {
        let request = Request::get(&uri).header("authorization", &authorization).header("x-sdk-date", &date).body(Body::empty()).unwrap();
        let response = app(Config { demo: true, ..Config::default() }).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{authorization}");
        let body = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(body.contains("APIGW.030"), "{body}");
        for echoed in ["ECHOMARKERKEY", "<b>", "x-echo-marker-name", tenantscope_proxy::demo::DEMO_ACCESS_KEY_ID] {
            assert!(!body.contains(echoed), "{echoed} came back: {body}");
        }
    }
}
