//! Whom a client-address header is believed from, over real TCP: only from
//! a peer in `--trusted-proxy`, and then the right-most address in it that
//! is not a trusted proxy's; every other peer is counted (rate limit,
//! upstream calls, connections) by its own address. And the binary refuses
//! to start with `--client-ip-header` but no `--trusted-proxy`.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use common::*;
use tenantscope_proxy::config::Args;
use tenantscope_proxy::server::serve_config;
use tenantscope_proxy::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The relay's configuration from these flags (as `main` makes it), sent
/// to `stub`, one request a client (rate burst 1, no refill to speak of).
fn flags(stub: &Stub, extra: &[&str]) -> Config {
    let args = [&["tenantscope-proxy", "--rate-limit", "0.001", "--rate-burst", "1"][..], extra].concat();
    let args = Args::try_parse_from(args).expect("the flags parse");
    Config { upstream_base: Some(stub.base()), guard_host: true, ..Config::from(&args) }
}

/// A GET of the HSS route from the loopback address `from`, with `extra`
/// header lines; the status.
async fn get_from(from: &str, to: SocketAddr, extra: &str) -> u16 {
    let mut socket = connect_from(from, to).await;
    let head = format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n", hss("p"));
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A connection to `to` from the loopback address `from` (all of 127/8 is
/// this machine's, so each is another peer).
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

#[tokio::test]
async fn a_peer_that_is_not_a_trusted_proxy_is_its_own_client() {
    let stub = stub().await;
    let config = flags(&stub, &["--client-ip-header", "x-real-ip", "--trusted-proxy", "127.0.0.2/32"]);
    let proxy = start(config).await;
    // A fresh X-Real-IP per request from an untrusted peer: one bucket.
    let mut statuses = Vec::new();
    for forged in ["10.1.1.1", "10.2.2.2", "10.3.3.3"] {
        statuses.push(get_from("127.0.0.1", proxy.addr, &format!("X-Real-IP: {forged}\r\n")).await);
    }
    assert_eq!(statuses, [200, 429, 429], "an untrusted peer chose its bucket");
    // The trusted balancer's header is believed: each address its own bucket.
    for client in ["10.1.1.1", "10.2.2.2"] {
        assert_eq!(get_from("127.0.0.2", proxy.addr, &format!("X-Real-IP: {client}\r\n")).await, 200, "{client}");
    }
    assert_eq!(get_from("127.0.0.2", proxy.addr, "X-Real-IP: 10.1.1.1\r\n").await, 429);
}

#[tokio::test]
async fn the_right_most_address_that_is_not_a_trusted_proxy_is_the_client() {
    let stub = stub().await;
    let trusted = ["--client-ip-header", "x-forwarded-for", "--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "10.0.0.0/8"];
    let proxy = start(flags(&stub, &trusted)).await;
    // Through two balancers (10.x appended by the outer one, the peer the inner).
    assert_eq!(get_from("127.0.0.1", proxy.addr, "X-Forwarded-For: 203.0.113.9, 10.1.2.3\r\n").await, 200);
    // The client writes addresses of its own in front: the same client.
    let forged = "X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\nX-Forwarded-For: 10.1.2.3\r\n";
    assert_eq!(get_from("127.0.0.1", proxy.addr, forged).await, 429, "a forged left part chose the bucket");
    // IP:port and [v6]:port, as some balancers write them: parsed, each its own client.
    for (n, line) in ["192.0.2.10:5555", "[2001:db8:1::1]:443", "[2001:db8:2::1]", "2001:db8:3::1", "192.0.2.11:1, 10.0.0.1:80"].iter().enumerate() {
        assert_eq!(get_from("127.0.0.1", proxy.addr, &format!("X-Forwarded-For: {line}\r\n")).await, 200, "{n}: {line}");
    }
    assert_eq!(get_from("127.0.0.1", proxy.addr, "X-Forwarded-For: 192.0.2.10:6666\r\n").await, 429, "the port is not part of the client");
    assert_eq!(get_from("127.0.0.1", proxy.addr, "X-Forwarded-For: [2001:db8:1::2]:80\r\n").await, 429, "IPv6 by /64");
    // What does not parse is counted and falls back to the peer.
    assert_eq!(get_from("127.0.0.1", proxy.addr, "X-Forwarded-For: not-an-address\r\n").await, 200);
    assert_eq!(get_from("127.0.0.1", proxy.addr, "X-Forwarded-For: 192.0.2.300\r\n").await, 429);
    let counted = metric(&proxy, "tenantscope_client_ip_unparsed_total").await;
    assert_eq!(counted, "tenantscope_client_ip_unparsed_total 2", "{counted}");
}

#[tokio::test]
async fn connections_of_untrusted_peers_are_capped_behind_a_balancer_too() {
    let stub = stub().await;
    let args = ["--client-ip-header", "x-real-ip", "--trusted-proxy", "127.0.0.2/32"];
    let config = flags(&stub, &args);
    assert_eq!(config.max_connections_per_client, 128, "the per-peer cap stays on with a client-address header");
    let config = Config { max_connections_per_client: 3, ..config };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_config(listener, None, config, std::future::pending()));
    // An untrusted peer holds its three; its fourth is closed at once.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.1", addr).await);
    }
    let mut over = connect_from("127.0.0.1", addr).await;
    let (closed, _) = closed_within(&mut over, Duration::from_secs(2)).await;
    assert!(closed, "an untrusted peer's connection over the cap stayed open");
    // The trusted balancer carries everyone's: not capped by the peer cap.
    let mut balancer = Vec::new();
    for _ in 0..8 {
        balancer.push(connect_from("127.0.0.2", addr).await);
    }
    for socket in &mut balancer {
        let (closed, _) = closed_within(socket, Duration::from_millis(200)).await;
        assert!(!closed, "a trusted balancer's connection was closed");
    }
}

#[tokio::test]
async fn the_binary_refuses_a_client_ip_header_without_trusted_proxies() {
    let (code, stderr) = exit_of(&["--client-ip-header", "X-Real-IP"]);
    assert_eq!(code, Some(2), "it started (or failed otherwise): {stderr}");
    assert!(stderr.contains("--trusted-proxy") && stderr.contains("--client-ip-header"), "{stderr}");
    let (code, stderr) = exit_of(&["--client-ip-header", "X-Real-IP", "--trusted-proxy", "not-a-cidr"]);
    assert_eq!(code, Some(2), "{stderr}");
    // With one it starts (and is stopped here).
    let (code, stderr) = exit_of(&["--client-ip-header", "X-Real-IP", "--trusted-proxy", "127.0.0.1/32"]);
    assert_eq!(code, None, "it did not start: {stderr}");
}
