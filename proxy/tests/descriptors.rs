//! What one client's HTTP/2 connections may hold, over real TCP: stalled
//! answers of the built site hold no file descriptor (the site is served
//! from memory), one client address has at most so many answers in flight
//! across all its connections, and the process raises its soft descriptor
//! limit to the hard one at start (a connection's 32 streams:
//! `starvation.rs`). Behind a trusted proxy, that cap counts each client
//! its header names.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use common::*;
use tenantscope_proxy::config::Args;
use tenantscope_proxy::Config;
use tokio::net::TcpSocket;

/// A built site with a 1 MiB script.
fn site_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tenantscope-fd-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>page</html>").unwrap();
    std::fs::write(dir.join("big-0123456789abcdef.js"), vec![b'x'; 1 << 20]).unwrap();
    dir
}

/// An HTTP/2 connection from the loopback address `from` whose client
/// never opens its window.
async fn h2_from(from: &str, to: SocketAddr) -> h2::client::SendRequest<Bytes> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let tcp = socket.connect(to).await.unwrap();
    let (send, connection) = h2::client::Builder::new().initial_window_size(0).handshake::<_, Bytes>(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    send.ready().await.unwrap()
}

/// `n` GETs of `path` over `send`, each left unread; their statuses.
async fn stall(send: &mut h2::client::SendRequest<Bytes>, url: &str, n: usize) -> Vec<(u16, h2::RecvStream)> {
    stall_as(send, url, n, None).await
}

/// [`stall`], each request saying `X-Real-IP: {client}` when given.
async fn stall_as(send: &mut h2::client::SendRequest<Bytes>, url: &str, n: usize, client: Option<&str>) -> Vec<(u16, h2::RecvStream)> {
    let mut held = Vec::new();
    for _ in 0..n {
        *send = send.clone().ready().await.unwrap();
        let mut request = axum::http::Request::get(url);
        if let Some(client) = client {
            request = request.header("x-real-ip", client);
        }
        let request = request.body(()).unwrap();
        let (response, _) = send.send_request(request, true).unwrap();
        let response = tokio::time::timeout(Duration::from_secs(5), response).await.expect("answer headers").unwrap();
        held.push((response.status().as_u16(), response.into_body()));
    }
    held
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_answers_of_the_site_hold_no_file_open() {
    let dir = site_dir("files");
    let proxy = start(Config { static_dir: Some(dir.clone()), guard_host: true, ..Config::default() }).await;
    let url = proxy.url("/big-0123456789abcdef.js");
    let before = open_descriptors();
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut send = h2_from("127.0.0.1", proxy.addr).await;
        let answers = stall(&mut send, &url, 30).await;
        assert!(answers.iter().all(|(status, _)| *status == 200));
        held.push((send, answers));
    }
    let grown = open_descriptors().saturating_sub(before);
    assert!(grown < 40, "120 stalled answers over 4 connections hold {grown} descriptors");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_in_flight_are_capped_per_client_across_connections() {
    let dir = site_dir("cap");
    let args = Args::try_parse_from(["tenantscope-proxy", "--max-answers-per-client", "16"]).expect("the flag parses");
    let config = Config { static_dir: Some(dir.clone()), guard_host: true, ..Config::from(&args) };
    let proxy = start(config).await;
    let url = proxy.url("/big-0123456789abcdef.js");
    let (mut one, mut two) = (h2_from("127.0.0.1", proxy.addr).await, h2_from("127.0.0.1", proxy.addr).await);
    // Held, unread, while the next are asked for.
    let first = stall(&mut one, &url, 10).await;
    let second = stall(&mut two, &url, 10).await;
    let statuses: Vec<u16> = first.iter().chain(&second).map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 16, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 4, "{statuses:?}");
    // Another address is not held back.
    let mut other = h2_from("127.0.0.2", proxy.addr).await;
    assert!(stall(&mut other, &url, 10).await.iter().all(|(s, _)| *s == 200));
    // Answers the client gave up (their streams reset) give their places back.
    drop(first);
    let mut again = h2_from("127.0.0.1", proxy.addr).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(stall(&mut again, &url, 10).await.iter().all(|(s, _)| *s == 200));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_answers_in_flight_are_capped_per_client_it_names() {
    let dir = site_dir("trusted");
    let args =
        Args::try_parse_from(["tenantscope-proxy", "--max-answers-per-client", "16", "--client-ip-header", "X-Real-IP", "--trusted-proxy", "127.0.0.1/32"])
            .expect("the flags parse");
    let config = Config { static_dir: Some(dir.clone()), guard_host: true, ..Config::from(&args) };
    let proxy = start(config).await;
    let url = proxy.url("/big-0123456789abcdef.js");
    // The balancer (127.0.0.1) carries two clients' requests on its connections.
    let (mut one, mut two) = (h2_from("127.0.0.1", proxy.addr).await, h2_from("127.0.0.1", proxy.addr).await);
    let first = stall_as(&mut one, &url, 10, Some("203.0.113.7")).await;
    let second = stall_as(&mut two, &url, 10, Some("203.0.113.7")).await;
    let statuses: Vec<u16> = first.iter().chain(&second).map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 4, "one client behind the balancer holds all it may: {statuses:?}");
    // Another client behind the same balancer is not held back by the first.
    let mut third = h2_from("127.0.0.1", proxy.addr).await;
    assert!(stall_as(&mut third, &url, 10, Some("203.0.113.8")).await.iter().all(|(s, _)| *s == 200));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_soft_descriptor_limit_is_raised_to_the_hard_one() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tenantscope-proxy"));
    command.args(["--listen", "127.0.0.1:0", "--demo"]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
    // The child starts with a soft limit of 256, as many systems give.
    unsafe {
        command.pre_exec(|| {
            let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
            limit.rlim_cur = 256.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("listening"), "{line}");
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let open_files = limits.lines().find(|l| l.starts_with("Max open files")).unwrap().to_string();
    let numbers: Vec<&str> = open_files.split_whitespace().filter(|w| w.chars().all(|c| c.is_ascii_digit()) || *w == "unlimited").collect();
    assert_eq!(numbers.len(), 2, "{open_files}");
    assert_eq!(numbers[0], numbers[1], "soft and hard: {open_files}");
}
