//! The TLS listener (`--tls-cert`, `--tls-key`) over real TCP, with a
//! self-signed certificate made at test time and a rustls client: HTTP/2
//! by ALPN (and HTTP/1.1 for a client that asks for it, or for nothing),
//! HSTS over TLS only, the page's own origin `https`; and everything the
//! plain listener enforces holds on it: the per-client connection cap, the
//! header timeout (a socket that never finishes a handshake is closed and
//! gives its place back), the HTTP/2 stream limit and each stream's send
//! timeout.

mod common;
mod tls_support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::closed_within;
use tenantscope_proxy::tls::Certificates;
use tenantscope_proxy::Config;
use tls_support::*;
use tokio::io::AsyncWriteExt;

const H2: &[&[u8]] = &[b"h2", b"http/1.1"];
const H1: &[&[u8]] = &[b"http/1.1"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_offers_http2_then_http1_by_alpn() {
    let dir = Dir::new("alpn");
    let pair = self_signed(&["proxy.example", "localhost"]);
    dir.install(&pair);
    let certificates = Certificates::load(dir.files()).unwrap();
    let config = Config { demo: true, guard_host: true, allowed_hosts: vec!["proxy.example".into()], ..Config::default() };
    let proxy = start_tls(config.clone(), certificates).await;
    let port = proxy.addr.port();

    // HTTP/2, chosen by ALPN.
    let stream = connect("127.0.0.1", proxy.addr, "proxy.example", &pair.der, H2).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    assert_eq!(presented(&stream), pair.der);
    let send = h2_over(stream).await;
    let response = h2_get(&send, &format!("https://proxy.example:{port}/healthz"), &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), axum::http::Version::HTTP_2);
    assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000");
    // The plain listener's HTTP/2 settings: its stream limit.
    assert_eq!(send.current_max_send_streams(), config.h2_max_streams as usize);
    // The page's own origin is https, told by the :authority.
    let api = format!("/api/dsc/cn-north-4/v1/{}/period/product/specification", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    let url = format!("https://proxy.example:{port}{api}");
    let own = format!("https://proxy.example:{port}");
    let response = h2_get(&send, &url, &[("x-auth-token", "demo"), ("origin", &own)]).await;
    assert_eq!(response.status(), 200, "the page's own origin over TLS");
    assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000", "on /api answers too");
    let plain = format!("http://proxy.example:{port}");
    let response = h2_get(&send, &url, &[("x-auth-token", "demo"), ("origin", &plain)]).await;
    assert_eq!(response.status(), 403, "an http:// page is another origin");
    assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000", "on refusals too");
    // To a loopback name, no HSTS: a year of it on `localhost` would send
    // the browser to HTTPS on every local port.
    let response = h2_get(&send, &format!("https://localhost:{port}/healthz"), &[]).await;
    assert_eq!(response.status(), 200);
    assert!(!response.headers().contains_key("strict-transport-security"));

    // HTTP/1.1 for a client that asks for it, and for one that names no protocol.
    for alpn in [H1, &[][..]] {
        let stream = connect("127.0.0.1", proxy.addr, "proxy.example", &pair.der, alpn).await.unwrap();
        assert_eq!(stream.get_ref().1.alpn_protocol(), alpn.first().copied());
        let answer = h1_over(stream, &format!("GET {api} HTTP/1.1\r\nHost: proxy.example:{port}\r\nX-Auth-Token: demo\r\nOrigin: {own}")).await;
        assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
        assert!(answer.to_ascii_lowercase().contains("\r\nstrict-transport-security: max-age=31536000\r\n"), "{answer}");
    }

    // The plain listener sends no HSTS.
    let plain = common::start(config).await;
    let (status, answer) = common::raw(plain.addr, "GET /healthz HTTP/1.1\r\nHost: proxy.example").await;
    assert_eq!(status, 200);
    assert!(!answer.to_ascii_lowercase().contains("strict-transport-security"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_never_finishes_its_handshake_is_closed_and_gives_its_place_back() {
    let dir = Dir::new("silent");
    let pair = self_signed(&["localhost"]);
    dir.install(&pair);
    let certificates = Certificates::load(dir.files()).unwrap();
    let config = Config { demo: true, guard_host: true, header_timeout: Duration::from_secs(1), max_connections_per_client: 3, ..Config::default() };
    let proxy = start_tls(config, certificates).await;

    // One address holds its three: two say nothing, one sends half a
    // ClientHello (a record header promising more).
    let started = Instant::now();
    let mut silent = vec![tcp_from("127.0.0.1", proxy.addr).await, tcp_from("127.0.0.1", proxy.addr).await];
    let mut half = tcp_from("127.0.0.1", proxy.addr).await;
    half.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).await.unwrap();
    silent.push(half);
    // The cap holds on the TLS listener: its fourth is closed at once,
    // before any handshake.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut over = tcp_from("127.0.0.1", proxy.addr).await;
    let (closed, read) = closed_within(&mut over, Duration::from_millis(500)).await;
    assert!(closed && read == 0, "a connection over the cap was not closed at accept");
    // Another address is served meanwhile.
    let stream = connect("127.0.0.2", proxy.addr, "localhost", &pair.der, H2).await.unwrap();
    let send = h2_over(stream).await;
    assert_eq!(h2_get(&send, &format!("https://localhost:{}/healthz", proxy.addr.port()), &[]).await.status(), 200);
    // The three are closed after the header timeout, not before.
    for socket in &mut silent {
        let (closed, _) = closed_within(socket, Duration::from_secs(3)).await;
        assert!(closed, "a socket that never finished its handshake is still open after {:?}", started.elapsed());
    }
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "closed after {took:?}, before the header timeout");
    // Their places are free again.
    let stream = connect("127.0.0.1", proxy.addr, "localhost", &pair.der, H1).await.unwrap();
    let answer = h1_over(stream, "GET /healthz HTTP/1.1\r\nHost: localhost").await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_http2_stream_over_tls_is_reset_after_the_send_timeout() {
    let dir = Dir::new("stalled");
    let pair = self_signed(&["localhost"]);
    dir.install(&pair);
    let site = Dir::new("stalled-site");
    std::fs::write(site.0.join("index.html"), "<html>page</html>").unwrap();
    std::fs::write(site.0.join("big-0123456789abcdef.js"), vec![b'x'; 1 << 20]).unwrap();
    let certificates = Certificates::load(dir.files()).unwrap();
    let config = Config {
        static_dir: Some(site.0.clone()),
        guard_host: true,
        send_timeout: Duration::from_secs(1),
        upstream_timeout: Duration::from_secs(1),
        ..Config::default()
    };
    let proxy = start_tls(config, certificates).await;
    let stream = connect("127.0.0.1", proxy.addr, "localhost", &pair.der, H2).await.unwrap();
    // A client whose streams get a window of 1 KiB and no more.
    let (send, connection) = h2::client::Builder::new().initial_window_size(1024).handshake::<_, Bytes>(stream).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let base = format!("https://localhost:{}", proxy.addr.port());
    let mut stalled = h2_get(&send, &format!("{base}/big-0123456789abcdef.js"), &[]).await.into_body();
    let started = Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(6), async {
        loop {
            match stalled.data().await {
                Some(Ok(_)) => {}
                Some(Err(e)) => return Some(e.to_string()),
                None => return None,
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the stalled answer still held after {:?}", started.elapsed()));
    assert!(ended.is_some(), "the stalled answer ended as if whole");
    // The connection itself goes on.
    assert_eq!(h2_get(&send, &format!("{base}/healthz"), &[]).await.status(), 200);
}
