//! Every log record at trace level, from the proxy and from its dependencies
//! (hyper-util, h2, reqwest through the `log` bridge), captured while the
//! proxy handles all kinds of requests carrying secrets: none of them may
//! show. Alone in its binary because it installs the global subscriber.

mod common;

use std::time::Duration;

use common::*;
use tenantscope_proxy::Config;

const SUBJECT: &str = "MIIsubjectSECRET9876543210";
const AUTHORIZATION: &str = "SDK-HMAC-SHA256 Access=AKSECRETAK, SignedHeaders=x-project-id;x-sdk-date;x-security-token, Signature=sigSECRETsig";
const SECURITY: &str = "securitySECRETtoken42";
const QUERY_VALUE: &str = "querySECRETvalue77";
const COOKIE: &str = "cookieSECRET55";
/// In the body of billing's POST: ids of the account's resources.
const BODY_SECRET: &str = "bodySECRETresourceId31";
const BSS: &str = "/api/bss/global/v2/orders/suscriptions/resources/query";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_at_trace_level() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber of this test binary");

    let stub = stub().await;
    let config =
        Config { max_body_bytes: 256 << 10, rate_per_sec: 1.0, rate_burst: 40, allow_origins: vec!["https://console.example".into()], ..relay_config(&stub) };
    let relay = start(config).await;
    // Billing's calls on a relay of their own, out of reach of the rate
    // limit the other calls run into on purpose.
    let billing_relay = start(Config { rate_per_sec: 0.0, ..relay_config(&stub) }).await;
    let demo = start(Config { demo: true, guard_host: true, ..Config::default() }).await;
    let long = format!("MII{}", "L0ngSecret".repeat(820));

    let send = |client: &reqwest::Client, url: String, token: &str| {
        client
            .get(url)
            .header("x-auth-token", token)
            .header("x-subject-token", SUBJECT)
            .header("x-security-token", SECURITY)
            .header("cookie", format!("session={COOKIE}"))
            .header("origin", "https://console.example")
            .send()
    };
    // Signed: the signature alone (with a token it is refused, above, at
    // once), relayed and verified by the demo tenant.
    let signed = |client: &reqwest::Client, url: String| {
        client
            .get(url)
            .header("authorization", AUTHORIZATION)
            .header("x-sdk-date", "20260101T000000Z")
            .header("x-project-id", "0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25")
            .header("x-security-token", SECURITY)
            .header("origin", "https://console.example")
            .send()
    };
    let h1 = client();
    let h2 = reqwest::Client::builder().no_proxy().http2_prior_knowledge().build().unwrap();
    let modes = ["p", "html", "htmljson", "badjson", "redirect", "reset", "slow", "stall", "big", "bigchunked", "hang"];
    for client in [&h1, &h2] {
        for mode in modes {
            let url = relay.url(&format!("/api/hss/cn-north-4/v5/{mode}/billing/quotas-detail?limit={QUERY_VALUE}&offset=0"));
            if let Ok(response) = send(client, url, TOKEN).await {
                let _ = tokio::time::timeout(Duration::from_secs(10), response.bytes()).await;
            }
        }
        // A token and a signature together: refused, both secrets attached.
        let both = relay.url(&format!("/api/hss/cn-north-4/v5/p/billing/quotas-detail?limit={QUERY_VALUE}"));
        let _ = client.get(both).header("x-auth-token", TOKEN).header("authorization", AUTHORIZATION).header("x-security-token", SECURITY).send().await;
        for mode in ["p", "html", "reset", "slow", "stall"] {
            let url = relay.url(&format!("/api/hss/cn-north-4/v5/{mode}/billing/quotas-detail?limit={QUERY_VALUE}&offset=0"));
            if let Ok(response) = signed(client, url).await {
                let _ = tokio::time::timeout(Duration::from_secs(10), response.bytes()).await;
            }
        }
        let iam = relay.url(&format!("/api/iam/global/v3/auth/tokens?nocatalog={QUERY_VALUE}"));
        let _ = send(client, iam, &long).await;
        // Refusals of every kind, with the secrets attached.
        for path in [
            format!("/api/hss/127.0.0.1/v5/p/billing/quotas-detail?x={QUERY_VALUE}"),
            format!("/api/hss/cn-north-4/v5/%2e%2e/billing/quotas-detail?x={QUERY_VALUE}"),
            format!("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x={QUERY_VALUE}%00"),
            format!("/api/ecs/cn-north-4/v1/{QUERY_VALUE}"),
        ] {
            let _ = send(client, relay.url(&path), TOKEN).await;
        }
        let _ = client
            .get(relay.url("/api/dsc/cn-north-4/v1/p/period/product/specification"))
            .header("x-auth-token", TOKEN)
            .header("origin", "https://evil.example")
            .send()
            .await;
        let _ = client
            .request(reqwest::Method::OPTIONS, relay.url("/api/dsc/cn-north-4/v1/p/period/product/specification"))
            .header("origin", "https://console.example")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-auth-token, x-evil")
            .send()
            .await;
        let _ = client.post(relay.url(&hss("p"))).header("x-auth-token", TOKEN).body(TOKEN).send().await;
        // Billing's POST, relayed, refused and answered by the demo, its
        // body carrying a secret each time.
        let ids = format!(r#"{{"resource_ids":["{BODY_SECRET}"],"offset":0,"limit":1}}"#);
        for (proxy, token, label, body) in [
            (&billing_relay, TOKEN, "application/json", ids.clone()),
            (&billing_relay, TOKEN, "text/plain", ids.clone()),
            (&billing_relay, TOKEN, "application/json", format!(r#"{{"resource_ids":["{}"]}}"#, BODY_SECRET.repeat(1000))),
            (&demo, TOKEN, "application/json", ids.clone()),
            (&demo, "demo", "application/json", ids.clone()),
            (&demo, "demo", "application/json", format!("not json {BODY_SECRET}")),
            (&demo, "demo", "application/json", format!(r#"{{"resource_ids":{:?}}}"#, vec![BODY_SECRET; 51])),
        ] {
            let _ = client.post(proxy.url(BSS)).header("content-type", label).header("x-auth-token", token).body(body).send().await;
        }
        let _ = client.get(billing_relay.url(BSS)).header("x-auth-token", TOKEN).body(ids.clone()).send().await;
        let mut big = client.get(relay.url(&hss("p"))).header("x-auth-token", TOKEN);
        for i in 0..8 {
            big = big.header(format!("x-pad-{i}"), TOKEN.repeat(300));
        }
        let _ = big.send().await;
        // The demo tenant, refusing and accepting.
        let demo_url = demo.url(&format!("/api/hss/cn-north-4/v5/p/billing/quotas-detail?limit={QUERY_VALUE}"));
        let _ = send(client, demo_url, TOKEN).await;
        let _ = send(client, demo.url("/api/iam/global/v3/auth/tokens"), TOKEN).await;
        let _ = signed(client, demo.url(&format!("/api/hss/cn-north-4/v5/p/billing/quotas-detail?limit={QUERY_VALUE}"))).await;
        let _ = signed(client, demo.url("/api/iam/global/v3/auth/projects")).await;
        let _ = client.get(demo.url("/api/iam/global/v3/auth/projects")).header("authorization", format!("Basic {SECURITY}")).send().await;
    }
    // Rate limited, wrong Host, too much header for hyper.
    for _ in 0..45 {
        let _ = send(&h1, relay.url(&hss("p")), TOKEN).await;
    }
    let _ = raw(relay.addr, &format!("GET {} HTTP/1.1\r\nHost: evil.example\r\nX-Auth-Token: {TOKEN}", hss("p"))).await;
    let _ = raw(relay.addr, &format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {}", hss("p"), TOKEN.repeat(40_000))).await;
    // Billing's POST without a length (chunked), past the cap: refused as
    // it arrives.
    let mut socket = tokio::net::TcpStream::connect(billing_relay.addr).await.unwrap();
    let piece = format!(r#"{{"resource_ids":["{}"]}}"#, BODY_SECRET.repeat(1000));
    let head = format!("POST {BSS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Auth-Token: {TOKEN}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    let chunked = format!("{head}{:x}\r\n{piece}\r\n0\r\n\r\n", piece.len());
    let _ = tokio::io::AsyncWriteExt::write_all(&mut socket, chunked.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tokio::io::AsyncReadExt::read_to_end(&mut socket, &mut answer)).await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 413 "), "{}", String::from_utf8_lossy(&answer));
    let metrics = h1.get(relay.url("/metrics")).send().await.unwrap().text().await.unwrap();
    drop(relay);
    drop(billing_relay);
    drop(demo);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    // The capture works: access lines, refusals, and dependency records at trace level.
    assert!(logs.contains("api") && logs.contains("route=\"/v5/{project_id}/billing/quotas-detail\""), "{logs}");
    assert!(logs.contains("refused"), "no refusal line");
    assert!(logs.contains("status=200") && logs.contains("body=\"complete\""), "no complete answer logged as such");
    assert!(logs.contains("body=\"cut\""), "no cut-off body logged as such");
    assert!(logs.contains("TRACE"), "nothing at trace level was captured");
    assert!(logs.lines().count() > 200, "suspiciously few log lines: {}", logs.lines().count());
    let billing = |status: &str| logs.lines().any(|l| l.contains("route=\"/v2/orders/suscriptions/resources/query\"") && l.contains(status));
    assert!(billing("status=200") && billing("status=415") && billing("status=413") && billing("status=400"), "billing's calls are not all logged");
    assert_eq!(
        stub.bodies().iter().filter(|b| b.windows(BODY_SECRET.len()).any(|w| w == BODY_SECRET.as_bytes())).count(),
        2,
        "the relayed bodies (HTTP/1.1, HTTP/2)"
    );
    for secret in [TOKEN, SUBJECT, "AKSECRETAK", "sigSECRETsig", SECURITY, QUERY_VALUE, COOKIE, "L0ngSecret", BODY_SECRET] {
        for text in [&logs, &metrics] {
            if let Some(at) = text.find(secret) {
                let line = text[..at].rsplit('\n').next().unwrap_or_default();
                panic!("{secret} is in the output, on a line starting: {line}");
            }
        }
    }
}
