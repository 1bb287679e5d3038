//! The proxy's clock, as the console reads it to date a signature (the
//! gateway refuses an `X-Sdk-Date` more than 15 minutes off): every answer
//! over real TCP, HTTP/1.1 and HTTP/2, carries `Date`, and a cross-origin
//! page may read it; a preflight allows the signature's headers.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use tenantscope_proxy::Config;

const ORIGIN: &str = "https://console.example";

/// Seconds since the epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn parse_http_date(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split(' ').collect();
    let [_, day, month, year, clock, "GMT"] = parts[..] else { return None };
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].iter().position(|m| *m == month)? as u32 + 1;
    let mut hms = clock.split(':').map(|n| n.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let date = format!("{year}{month:02}{day}T{h:02}{m:02}{s:02}Z");
    tenantscope_sign::parse_sdk_date(&date)
}

#[tokio::test]
async fn every_answer_carries_a_date_a_cross_origin_page_may_read() {
    let stub = stub().await;
    let relay = start(Config { allow_origins: vec![ORIGIN.into()], ..relay_config(&stub) }).await;
    let demo = start(Config { demo: true, guard_host: true, allow_origins: vec![ORIGIN.into()], ..Config::default() }).await;
    let h1 = client();
    let h2 = reqwest::Client::builder().no_proxy().http2_prior_knowledge().build().unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let signed = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00";
    // (proxy, path, extra header, status): answers, refusals, the demo's
    // own errors, /api/about, and the routes beside /api.
    type Call<'a> = (&'a Running, String, Option<(&'a str, &'a str)>, u16);
    let calls: [Call; 9] = [
        (&relay, hss("p"), Some(("x-auth-token", TOKEN)), 200),
        (&relay, hss("html"), Some(("x-auth-token", TOKEN)), 502),
        (&relay, "/api/hss/cn-north-4/v5/p/host-management/hosts".into(), None, 404),
        (&relay, hss("p"), Some(("authorization", "Basic dXNlcjpwYXNz")), 400),
        (&relay, "/api/about".into(), None, 200),
        (
            &demo,
            format!("/api/hss/cn-north-4/v5/{}/billing/quotas-detail?limit=10", tenantscope_proxy::demo::DEMO_PROJECT_ID),
            Some(("x-auth-token", "demo")),
            200,
        ),
        (&demo, "/api/iam/global/v3/auth/projects".into(), Some(("authorization", signed)), 401),
        (&demo, "/api/about".into(), None, 200),
        (&demo, "/healthz".into(), None, 200),
    ];
    for (client, version) in [(&h1, reqwest::Version::HTTP_11), (&h2, reqwest::Version::HTTP_2)] {
        for (proxy, path, header, status) in &calls {
            let mut request = client.get(proxy.url(path)).header("origin", ORIGIN);
            if let Some((name, value)) = header {
                request = request.header(*name, *value);
            }
            let answer = request.send().await.unwrap();
            assert_eq!((answer.status().as_u16(), answer.version()), (*status, version), "{path}");
            let date = answer.headers().get("date").unwrap_or_else(|| panic!("no Date on {path} over {version:?}"));
            let at = parse_http_date(date.to_str().unwrap()).unwrap_or_else(|| panic!("{date:?}"));
            assert!((at - now).abs() < 60, "{date:?} is not now");
            if path.starts_with("/api/") {
                let exposed = answer.headers().get("access-control-expose-headers").map(|v| v.to_str().unwrap().to_ascii_lowercase());
                let exposed: Vec<String> = exposed.unwrap_or_default().split(',').map(|h| h.trim().to_string()).collect();
                assert!(exposed.contains(&"date".to_string()) && exposed.contains(&"x-request-id".to_string()), "{path}: {exposed:?}");
            }
        }
    }
    // The preflight itself too.
    for client in [&h1, &h2] {
        let answer = client
            .request(reqwest::Method::OPTIONS, demo.url("/api/iam/global/v3/auth/projects"))
            .header("origin", ORIGIN)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204);
        assert!(answer.headers().get("date").is_some());
    }
}

/// The console's signed calls send `Authorization`, `X-Sdk-Date`,
/// `X-Project-Id` and `X-Security-Token`: a preflight asking for them,
/// in any case and order, with or without the token headers, is allowed.
#[tokio::test]
async fn a_preflight_allows_the_signatures_headers() {
    let demo = start(Config { demo: true, guard_host: true, allow_origins: vec![ORIGIN.into()], ..Config::default() }).await;
    let asks = [
        "authorization, x-sdk-date",
        "authorization,x-sdk-date,x-project-id,x-security-token",
        "X-Security-Token, X-Project-Id, X-Sdk-Date, Authorization, Accept",
        "x-auth-token, x-subject-token, authorization, x-sdk-date, x-project-id, x-security-token",
    ];
    for ask in asks {
        let answer = client()
            .request(reqwest::Method::OPTIONS, demo.url("/api/hss/cn-north-4/v5/p/billing/quotas-detail"))
            .header("origin", ORIGIN)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", ask)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204, "{ask}");
        assert_eq!(answer.headers().get("access-control-allow-origin").unwrap(), ORIGIN);
        let allowed = answer.headers().get("access-control-allow-headers").unwrap().to_str().unwrap().to_ascii_lowercase();
        let allowed: Vec<&str> = allowed.split(',').map(str::trim).collect();
        for name in ["authorization", "x-sdk-date", "x-project-id", "x-security-token"] {
            assert!(allowed.contains(&name), "{name} not in {allowed:?}");
        }
    }
    // Not a header it does not relay.
    let answer = client()
        .request(reqwest::Method::OPTIONS, demo.url("/api/hss/cn-north-4/v5/p/billing/quotas-detail"))
        .header("origin", ORIGIN)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization, x-sdk-content-sha256")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
}
