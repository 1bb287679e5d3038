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
