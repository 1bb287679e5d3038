//! Issue 14, items 2 and 3, over real TCP: connections that send nothing,
//! part of a request or only the HTTP/2 preface, and idle ones, are closed;
//! a shutdown drains for a bounded time, then closes what is left.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tenantscope_proxy::Config;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

// 2. Connections that say nothing are closed.

#[tokio::test]
async fn silent_and_idle_connections_are_closed() {
    let stub = stub().await;
    let config = Config { header_timeout: Duration::from_millis(300), idle_timeout: Duration::from_millis(500), ..relay_config(&stub) };
    let proxy = start(config).await;
    let mut sockets = Vec::new();
    for (name, bytes) in [
        ("nothing", &b""[..]),
        ("part of the HTTP/2 preface", b"PRI * HTTP/2.0\r\n"),
        ("the whole preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        ("a request line only", b"GET /healthz HTTP/1.1\r\n"),
    ] {
        let mut socket = TcpStream::connect(proxy.addr).await.unwrap();
        socket.write_all(bytes).await.unwrap();
        sockets.push((name, socket));
    }
    // An HTTP/2 connection that has done its request and is idle.
    let mut idle_h2 = TcpStream::connect(proxy.addr).await.unwrap();
    idle_h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00").await.unwrap();
    sockets.push(("an idle HTTP/2 connection", idle_h2));
    // An HTTP/1 keep-alive connection after its request.
    let mut idle_h1 = TcpStream::connect(proxy.addr).await.unwrap();
    idle_h1.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    sockets.push(("an idle HTTP/1 connection", idle_h1));
    let started = Instant::now();
    for (name, socket) in &mut sockets {
        let (closed, _) = closed_within(socket, Duration::from_secs(3).saturating_sub(started.elapsed())).await;
        assert!(closed, "{name}: still open after {:?}", started.elapsed());
    }
    // The server is fine.
    assert_eq!(client().get(proxy.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn http2_connections_that_leave_pings_unanswered_are_closed() {
    let stub = stub().await;
    // Pings every idle timeout (300 ms); the request in flight keeps the
    // idle and stalled deadlines (2 s + 30 s) out of the way.
    let config = Config { idle_timeout: Duration::from_millis(300), ..relay_config(&stub) };
    let proxy = start(config).await;
    let mut socket = TcpStream::connect(proxy.addr).await.unwrap();
    // The preface, empty SETTINGS, and one GET (HPACK: :method GET, :scheme
    // http, then :path and :authority as literals) to an upstream that hangs.
    let path = hss("hang");
    let authority = "127.0.0.1";
    let mut block = vec![0x82, 0x86, 0x04, path.len() as u8];
    block.extend_from_slice(path.as_bytes());
    block.extend_from_slice(&[0x01, authority.len() as u8]);
    block.extend_from_slice(authority.as_bytes());
    let mut bytes = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00".to_vec();
    bytes.extend_from_slice(&(block.len() as u32).to_be_bytes()[1..]);
    bytes.extend_from_slice(&[0x01, 0x05, 0, 0, 0, 1]);
    bytes.extend_from_slice(&block);
    socket.write_all(&bytes).await.unwrap();
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), async {
        while stub.connections() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the request reached the upstream");
    // Read everything (PINGs included), answer nothing. Timed from when the
    // request reached the upstream (on a loaded machine that can take a
    // while): two ping intervals and some slack; the other deadlines are
    // the upstream's 2 s (which answers, but closes nothing) and 32 s.
    let reached = Instant::now();
    let (closed, _) = closed_within(&mut socket, Duration::from_millis(1500)).await;
    assert!(closed, "still open {:?} after the request reached the upstream ({:?} in all) with pings unanswered", reached.elapsed(), started.elapsed());
}

// 3. Shutdown has a deadline.

#[tokio::test]
async fn shutdown_drains_for_a_bounded_time() {
    let stub = stub().await;
    let config = Config { shutdown_timeout: Duration::from_millis(500), upstream_timeout: Duration::from_millis(300), ..relay_config(&stub) };
    let mut proxy = start(config).await;
    let mut silent = TcpStream::connect(proxy.addr).await.unwrap();
    let mut preface = TcpStream::connect(proxy.addr).await.unwrap();
    preface.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await.unwrap();
    let (mut h2, _driving) = h2_window_zero(&proxy).await;
    let stuck = h2_get(&mut h2, &proxy.url("/healthz")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    proxy.shutdown();
    tokio::time::timeout(Duration::from_millis(2000), proxy.done.take().unwrap()).await.expect("the drain has no deadline").unwrap();
    for socket in [&mut silent, &mut preface] {
        let (closed, _) = closed_within(socket, Duration::from_millis(500)).await;
        assert!(closed, "a connection outlived the shutdown");
    }
    assert!(started.elapsed() >= Duration::from_millis(400), "did not drain first: {:?}", started.elapsed());
    drop(stuck);
}
