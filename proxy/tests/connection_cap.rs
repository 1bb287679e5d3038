//! Issue 14, the per-client cap on open connections, over real TCP: one
//! client address that holds its cap of silent connections has its next ones
//! closed at once, while another address is served and the connections it
//! holds stay open; a connection that ends gives its place back; and the
//! refusals are logged once per interval, not once per connection. Alone in
//! its binary: it installs the global log subscriber.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use tenantscope_proxy::server::serve_config;
use tenantscope_proxy::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A connection to `to` from the loopback address `from` (all of 127/8 is
/// this machine's, so each is another client address).
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// `GET /healthz` over `socket`; the status, or 0 when the connection was closed.
async fn healthz(socket: &mut TcpStream) -> u16 {
    if socket.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.is_err() {
        return 0;
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_per_client_address() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).try_init().unwrap();
    // The header timeout stays long (10 s): only the cap can close anything
    // here. `serve_config`, as `main` runs it: the refusals are counted in
    // its `/metrics`.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config { demo: true, guard_host: true, max_connections_per_client: 4, public_metrics: true, ..Config::default() };
    tokio::spawn(serve_config(listener, None, config, std::future::pending()));

    // One address holds its four, saying nothing.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect_from("127.0.0.1", addr).await);
    }
    // Its next ones are closed at once (the server accepts in order, so
    // these come after the four).
    for i in 0..20 {
        let mut over = connect_from("127.0.0.1", addr).await;
        let (closed, read) = closed_within(&mut over, Duration::from_secs(2)).await;
        assert!(closed, "connection {i} over the cap is still open");
        assert_eq!(read, 0, "nothing is sent to a refused connection");
    }
    // Another address is served meanwhile, and the four are still open.
    assert_eq!(healthz(&mut connect_from("127.0.0.2", addr).await).await, 200);
    for socket in &mut held {
        let (closed, _) = closed_within(socket, Duration::from_millis(50)).await;
        assert!(!closed, "a connection within the cap was closed");
    }
    // One of the four ends: its place is free again.
    drop(held.pop());
    let mut again = None;
    for _ in 0..50 {
        let mut socket = connect_from("127.0.0.1", addr).await;
        if healthz(&mut socket).await == 200 {
            again = Some(());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "the place of a connection that ended was not given back");

    // Asked from a third address: the first still holds three.
    let scraper = reqwest::Client::builder().no_proxy().local_address("127.0.0.3".parse::<std::net::IpAddr>().unwrap()).build().unwrap();
    let text = scraper.get(format!("http://{addr}/metrics")).send().await.unwrap().text().await.unwrap();
    let refused: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("tenantscope_connections_refused_total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no refusal count in\n{text}"));
    assert!(refused >= 20, "{refused} refusals counted");
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    let warnings: Vec<&str> = logs.lines().filter(|l| l.contains("connections refused")).collect();
    assert_eq!(warnings.len(), 1, "one warning per interval, not one per connection:\n{logs}");
    assert!(warnings[0].contains("refused=1 ") && warnings[0].contains("client=127.0.0.1"), "{}", warnings[0]);
}
