//! Over real TCP against a stub upstream: a JSON answer the proxy holds
//! whole goes gzipped to a client that takes gzip (relayed, read on to its
//! end, or the demo's), byte for byte the upstream's once unzipped; every
//! other answer goes as it came, and one past the read-ahead still streams
//! whole to a client that reads it slowly.

mod common;

use std::io::Read;
use std::time::Duration;

use common::*;
use tenantscope_proxy::Config;

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("a gzip body");
    out
}

/// The answer's headers (lower case) and its body, by the client of the tests.
async fn get(proxy: &Running, target: &str, accept_encoding: Option<&str>) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = client().get(proxy.url(target)).header("X-Auth-Token", TOKEN).header("Origin", "https://console.example");
    if let Some(value) = accept_encoding {
        request = request.header("Accept-Encoding", value);
    }
    let answer = request.send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let headers = answer.headers().clone();
    (headers, answer.bytes().await.unwrap().to_vec())
}

fn vary(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers.get_all("vary").iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect()
}

fn config(stub: &Stub) -> Config {
    Config { allow_origins: vec!["https://console.example".into()], ..relay_config(stub) }
}

#[tokio::test]
async fn a_json_answer_goes_gzipped_to_a_client_that_takes_it() {
    let stub = stub().await;
    let proxy = start(config(&stub)).await;
    let page = quotas_json(ZIP_QUOTAS);
    // In one piece with its length, and in five chunks apart in time (read
    // on to its end before the headers go).
    for mode in ["zip", "zipchunked"] {
        let (headers, body) = get(&proxy, &hss(mode), Some("gzip, deflate, br, zstd")).await;
        assert_eq!(headers["content-encoding"], "gzip", "{mode}");
        assert_eq!(headers["content-length"], body.len().to_string().as_str(), "{mode}");
        assert!(body.len() * 4 < page.len(), "{mode}: {} of {}", body.len(), page.len());
        assert_eq!(gunzip(&body), page.as_bytes(), "{mode}");
        // Caches told both, and told to keep nothing.
        assert_eq!(vary(&headers), ["accept-encoding", "origin"], "{mode}");
        assert_eq!(headers["cache-control"], "no-store", "{mode}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"), "{mode}");
    }
}

#[tokio::test]
async fn without_gzip_short_or_past_the_read_ahead_an_answer_goes_as_it_came() {
    let stub = stub().await;
    let proxy = start(config(&stub)).await;
    let page = quotas_json(ZIP_QUOTAS);
    for refused in [None, Some("gzip;q=0, br"), Some("identity")] {
        let (headers, body) = get(&proxy, &hss("zip"), refused).await;
        assert!(headers.get("content-encoding").is_none(), "{refused:?}");
        assert_eq!(body, page.as_bytes(), "{refused:?}");
        assert_eq!(vary(&headers), ["origin"], "{refused:?}");
    }
    // Too short to gain.
    let (headers, body) = get(&proxy, &hss("p"), Some("gzip")).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body, br#"{"total_num":0,"data_list":[]}"#);
    // Past the read-ahead it streams as it comes, whole.
    let (headers, body) = get(&proxy, &hss("zipbig"), Some("gzip")).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body, quotas_json(ZIP_BIG_QUOTAS).as_bytes());
}

#[tokio::test]
async fn an_answer_read_on_past_a_small_read_ahead_reaches_a_slow_reader_whole() {
    // The bytes read on for gzip hold the read-ahead (and the client's
    // budget) until the client takes them: then they are given back, or the
    // reader would wait for room that never comes and cut the answer.
    let stub = stub().await;
    let proxy = start(Config { answer_buffer_bytes: 16 << 10, max_buffered_per_client: 16 << 10, ..config(&stub) }).await;
    let mut answer = client().get(proxy.url(&hss("zipbig"))).header("X-Auth-Token", TOKEN).header("Accept-Encoding", "gzip").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().get("content-encoding").is_none());
    let mut body = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(5), answer.chunk()).await.expect("the answer keeps coming").unwrap() {
        body.extend_from_slice(&chunk);
        if body.len() < 64 << 10 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    assert_eq!(body.len(), quotas_json(ZIP_BIG_QUOTAS).len());
    assert_eq!(body, quotas_json(ZIP_BIG_QUOTAS).as_bytes());
}

#[tokio::test]
async fn the_demo_answers_gzipped_too() {
    let proxy = start(Config { demo: true, ..Config::default() }).await;
    let target = "/api/hss/cn-north-4/v5/0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25/billing/quotas-detail?limit=200&offset=0&enterprise_project_id=all_granted_eps";
    let plain = client().get(proxy.url(target)).header("X-Auth-Token", "demo").send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    let zipped = client().get(proxy.url(target)).header("X-Auth-Token", "demo").header("Accept-Encoding", "gzip").send().await.unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    let zipped = zipped.bytes().await.unwrap();
    assert!(zipped.len() * 4 < plain.len(), "{} of {}", zipped.len(), plain.len());
    let unzipped: serde_json::Value = serde_json::from_slice(&gunzip(&zipped)).unwrap();
    let plain: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(unzipped["total_num"], plain["total_num"]);
    assert!(unzipped["data_list"].as_array().is_some_and(|l| !l.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_gzipped_answers_hold_their_clients_budget_until_given_up() {
    // A budget of 64 KiB, and a client on HTTP/2 that takes no answer's
    // bytes (a window of 0): its compressed answers are held, each charged
    // to it, until the send timeout gives them up.
    let stub = stub().await;
    let config = Config { answer_buffer_bytes: 64 << 10, max_buffered_per_client: 64 << 10, send_timeout: Duration::from_secs(1), ..config(&stub) };
    let proxy = start(config).await;
    let zipped_len = {
        let (headers, body) = get(&proxy, &hss("zip"), Some("gzip")).await;
        assert_eq!(headers["content-encoding"], "gzip");
        body.len()
    };
    let (mut send, _driving) = h2_window_zero(&proxy).await;
    let gzip_get = |send: &mut h2::client::SendRequest<bytes::Bytes>| {
        let request = axum::http::Request::get(proxy.url(&hss("zip"))).header("x-auth-token", TOKEN).header("accept-encoding", "gzip").body(()).unwrap();
        send.send_request(request, true).unwrap().0
    };
    let mut held = Vec::new();
    let mut streamed = None;
    for _ in 0..(64 << 10) / zipped_len + 2 {
        send = send.ready().await.unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(5), gzip_get(&mut send)).await.expect("answer headers").unwrap();
        assert_eq!(answer.status(), 200);
        if answer.headers().get("content-encoding").is_none() {
            streamed = Some(answer);
            break;
        }
        held.push(answer);
    }
    // Once the held ones fill the budget, the next is not read on for gzip.
    assert!(streamed.is_some(), "{} compressed answers held, none refused gzip", held.len());
    assert!(held.len() * zipped_len <= 64 << 10 && held.len() * zipped_len + 2 * zipped_len > 64 << 10, "{} held of {zipped_len} bytes", held.len());
    // Given up after the send timeout, they give their bytes back.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (headers, _) = get(&proxy, &hss("zip"), Some("gzip")).await;
    assert_eq!(headers["content-encoding"], "gzip", "the budget was not given back");
    drop((held, streamed));
}
