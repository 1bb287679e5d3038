//! Issue 14, item 1, over real TCP: one client that never reads its answers
//! (HTTP/2 streams with a closed window, an HTTP/1 client not reading a huge
//! answer) or that opens many slow calls must not deny the proxy to others.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tenantscope_proxy::Config;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

// 1. One client must not starve the others.

#[tokio::test]
async fn http2_streams_never_read_hold_no_upstream_slot() {
    let stub = stub().await;
    let config = Config { max_upstream: 4, upstream_queue_wait: Duration::from_millis(300), rate_per_sec: 0.0, ..relay_config(&stub) };
    let proxy = start(config).await;
    let (mut h2, _driving) = h2_window_zero(&proxy).await;
    // Four streams answered (headers) whose bodies the client never takes.
    let mut held = Vec::new();
    for _ in 0..4 {
        let response = h2_get(&mut h2, &proxy.url(&hss("p"))).await;
        assert_eq!(response.status(), 200);
        held.push(response);
    }
    // The upstream has answered them all: their slots are free for others.
    let other = client().get(proxy.url(&hss("p"))).send().await.unwrap();
    assert_eq!(other.status(), 200, "another client was refused: {:?}", other.text().await);
    assert_eq!(metric(&proxy, "tenantscope_upstream_in_flight").await, "tenantscope_upstream_in_flight 0");
    drop(held);
}

#[tokio::test]
async fn http1_client_not_reading_a_huge_answer_frees_its_slot_then_is_cut_off() {
    let stub = stub().await;
    let config = Config {
        max_upstream: 1,
        upstream_queue_wait: Duration::from_millis(100),
        upstream_timeout: Duration::from_millis(800),
        send_timeout: Duration::from_millis(400),
        rate_per_sec: 0.0,
        ..relay_config(&stub)
    };
    let proxy = start(config).await;
    // A client with a tiny receive buffer that never reads.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut lazy = socket.connect(proxy.addr).await.unwrap();
    lazy.write_all(format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", hss("huge")).as_bytes()).await.unwrap();
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), async {
        while stub.connections() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // While the upstream still sends, the slot is in use.
    assert_eq!(client().get(proxy.url(&hss("p"))).send().await.unwrap().status(), 503);
    // Past the upstream timeout it is free, whatever the lazy client does.
    tokio::time::sleep(Duration::from_millis(1000).saturating_sub(started.elapsed())).await;
    let other = client().get(proxy.url(&hss("p"))).send().await.unwrap();
    assert_eq!(other.status(), 200, "the slot is still held at {:?}", started.elapsed());
    // And the lazy client's connection is closed once its answer has made no
    // progress for the upstream plus the send timeout: reading now gets what
    // the sockets held, then the end, never the whole answer.
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let (closed, read) = closed_within(&mut lazy, Duration::from_secs(3)).await;
    assert!(closed && read < HUGE, "closed {closed}, read {read} of {HUGE}");
}

#[tokio::test]
async fn http1_client_that_stops_reading_an_answer_read_ahead_is_closed() {
    let stub = stub().await;
    // The whole answer fits the read-ahead: the upstream side is done at
    // once and nothing on it cuts the answer; only the send deadline can.
    let config = Config {
        max_upstream: 1,
        upstream_queue_wait: Duration::from_millis(100),
        answer_buffer_bytes: 2 * HUGE,
        upstream_timeout: Duration::from_millis(500),
        send_timeout: Duration::from_millis(300),
        rate_per_sec: 0.0,
        ..relay_config(&stub)
    };
    let proxy = start(config).await;
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut lazy = socket.connect(proxy.addr).await.unwrap();
    lazy.write_all(format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", hss("huge")).as_bytes()).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while metric(&proxy, "tenantscope_upstream_requests_total").await != "tenantscope_upstream_requests_total 1" {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    // The slot frees as soon as the upstream has sent the answer.
    let other = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            let response = client().get(proxy.url(&hss("p"))).send().await.unwrap();
            if response.status() == 200 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(other.is_ok(), "the slot stayed held though the upstream was done");
    // Past the upstream and send timeouts without progress (0.8 s; the
    // watchdog looks that often, so by 1.6 s at most), the proxy has closed
    // the connection: reading now gets what the sockets held, then the end.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (closed, read) = closed_within(&mut lazy, Duration::from_secs(3)).await;
    assert!(closed && read < HUGE, "closed {closed}, read {read} of {HUGE}");
}

#[tokio::test]
async fn http2_answers_that_never_move_are_given_up() {
    let stub = stub().await;
    let config = Config { upstream_timeout: Duration::from_millis(500), send_timeout: Duration::from_millis(300), rate_per_sec: 0.0, ..relay_config(&stub) };
    let proxy = start(config).await;
    let (mut h2, _driving) = h2_window_zero(&proxy).await;
    let started = Instant::now();
    let stuck = h2_get(&mut h2, &proxy.url(&hss("p"))).await;
    assert_eq!(stuck.status(), 200);
    // Pings are answered, the window stays closed: the answer's own send
    // deadline resets its stream.
    let mut body = stuck.into_body();
    let ended = tokio::time::timeout(Duration::from_secs(3), body.data()).await.expect("the stream is still open");
    assert!(matches!(ended, Some(Err(_))), "the stream ended otherwise: {ended:?}");
    assert!(started.elapsed() >= Duration::from_millis(300), "reset too early: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_client_that_goes_away_frees_its_slot_at_once() {
    let stub = stub().await;
    let config = Config { max_upstream: 1, upstream_queue_wait: Duration::from_millis(100), ..relay_config(&stub) };
    let proxy = start(config).await;
    // The upstream sends the head and the start of the body, then nothing.
    let mut gone = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    gone.write_all(format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", hss("stall")).as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(5), tokio::io::AsyncReadExt::read_exact(&mut gone, &mut head)).await.unwrap().unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    drop(gone);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Long before the upstream timeout (2 s), the slot is someone else's.
    assert_eq!(client().get(proxy.url(&hss("p"))).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn upstream_calls_are_capped_per_client() {
    let stub = stub().await;
    let config = Config {
        max_upstream_per_client: 2,
        client_ip_header: Some(axum::http::HeaderName::from_static("x-real-ip")),
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..relay_config(&stub)
    };
    let proxy = start(config).await;
    let get = |mode: &str, ip: &str| client().get(proxy.url(&hss(mode))).header("x-real-ip", ip).send();
    let hogs = [tokio::spawn(get("hang", "192.0.2.1")), tokio::spawn(get("hang", "192.0.2.1"))];
    tokio::time::timeout(Duration::from_secs(5), async {
        while stub.connections() < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    let started = Instant::now();
    let third = get("p", "192.0.2.1").await.unwrap();
    assert_eq!(third.status(), 429, "after {:?}", started.elapsed());
    assert_eq!(third.headers()["retry-after"], "1");
    assert!(third.text().await.unwrap().contains("PROXY.0016"));
    // Another client is served.
    assert_eq!(get("p", "192.0.2.2").await.unwrap().status(), 200);
    for hog in hogs {
        assert_eq!(hog.await.unwrap().unwrap().status(), 504);
    }
    assert_eq!(get("p", "192.0.2.1").await.unwrap().status(), 200, "the client's calls were not counted back down");
}

#[tokio::test]
async fn http2_connections_offer_few_streams() {
    let proxy = start(Config { demo: true, guard_host: true, ..Config::default() }).await;
    let (mut h2, _driving) = h2_window_zero(&proxy).await;
    let _ = h2_get(&mut h2, &proxy.url("/healthz")).await;
    assert_eq!(h2.current_max_send_streams(), 32);
}
