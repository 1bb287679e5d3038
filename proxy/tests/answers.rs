//! Issue 14, items 5 and 6, over real TCP: what an upstream answer may not
//! pass off (HTML behind whitespace, an interim or upgrade status, framing
//! headers of its own).

mod common;

use common::*;

// 5. Whitespace does not hide what follows.

#[tokio::test]
async fn json_check_looks_past_whitespace_chunks() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let response = client().get(proxy.url(&hss("wshtml"))).send().await.unwrap();
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("PROXY.0008") && !body.contains("evil"), "{body}");
}

// 6. Only final statuses, and never the upstream's framing.

#[tokio::test]
async fn upstream_interim_status_and_framing_are_not_relayed() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let (status, answer) = raw(proxy.addr, &format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1", hss("switch"))).await;
    assert_eq!(status, 502, "{answer}");
    assert!(answer.contains("PROXY.0017") && !answer.to_ascii_lowercase().contains("upgrade: websocket"), "{answer}");
    let (status, answer) = raw(proxy.addr, &format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1", hss("lyingcl"))).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.ends_with(r#"{"total_num":2,"data_list":[1,2]}"#) || answer.contains("data_list\":[1,2]}"), "{answer}");
    assert!(!answer.to_ascii_lowercase().contains("content-length: 5\r\n"), "{answer}");
}

// Whitespace before the first byte of JSON is held only up to the
// read-ahead: an answer still blank past it is not JSON.

#[tokio::test]
async fn whitespace_past_the_read_ahead_is_not_json() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let response = client().get(proxy.url(&hss("wsflood"))).send().await.unwrap();
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 502, "{} bytes", body.len());
    assert!(body.contains("PROXY.0008"), "{body}");
    // Whitespace after the JSON has started is the body's own business.
    let response = client().get(proxy.url(&hss("bigchunked"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
}
