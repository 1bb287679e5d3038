//! What one client's unread answers may hold in the proxy's buffers: the
//! bytes read from upstream ahead of the client are capped per client
//! across all its answers, not only per answer.

mod common;

use std::time::Duration;

use clap::Parser;
use common::*;
use tenantscope_proxy::config::Args;
use tenantscope_proxy::Config;

/// `tenantscope_upstream_body_bytes_total` once it has stopped growing.
async fn settled_body_bytes(proxy: &Running) -> u64 {
    let mut last = u64::MAX;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let line = metric(proxy, "tenantscope_upstream_body_bytes_total").await;
        let now: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        if now == last {
            return now;
        }
        last = now;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_answers_hold_at_most_the_clients_buffer() {
    let stub = stub().await;
    let args = Args::try_parse_from(["tenantscope-proxy", "--max-buffered-per-client", "1048576"]).expect("the flag parses");
    let config = Config {
        upstream_base: Some(stub.base()),
        guard_host: true,
        rate_per_sec: 0.0,
        upstream_timeout: Duration::from_secs(20),
        send_timeout: Duration::from_secs(20),
        ..Config::from(&args)
    };
    let proxy = start(config).await;
    // 24 answers of 12 MiB each, none read (window 0).
    let (mut h2, _driving) = h2_window_zero(&proxy).await;
    let mut held = Vec::new();
    for _ in 0..24 {
        held.push(h2_get(&mut h2, &proxy.url(&hss("huge"))).await);
    }
    let read = settled_body_bytes(&proxy).await;
    // The cap, and the first chunk of each answer (read before its head
    // went out, to see that it is JSON).
    assert!(read <= 2 << 20, "{read} bytes read from upstream for a client that reads nothing");
    // Another client is not held back by it.
    let other = client().get(proxy.url(&hss("p"))).send().await.unwrap();
    assert_eq!(other.status(), 200);
    // Answers given up give their bytes back: the same client reads a
    // whole 12 MiB answer through its budget.
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let whole = client().get(proxy.url(&hss("huge"))).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(whole.len(), HUGE);
}
