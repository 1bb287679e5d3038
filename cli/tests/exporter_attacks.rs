//! `tenantscope exporter` attacked as anyone who can reach its port could:
//! the built binary serving the demo tenant, over real TCP. Each attack
//! runs while a well-behaved scrape must still be answered, and none may
//! put a line in the log. Reads the exporter's sockets and memory from
//! /proc, hence Linux only.

#![cfg(target_os = "linux")]

mod common;

use std::time::{Duration, Instant};

use common::{exporter, exporter_with_fds, ready, scrape, scrape_until, Exporter};
use tenantscope_cli::exporter::{HEADER_READ_TIMEOUT, MAX_CONNECTIONS, NO_PROGRESS_TIMEOUT};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// What a test allows past a timeout (timers, a loaded machine).
const MARGIN: Duration = Duration::from_secs(3);

async fn demo() -> Exporter {
    let exporter = exporter(&["--demo", "--interval", "1h"], &[]).await;
    scrape_until(&exporter, "the demo's reading", ready).await;
    exporter
}

/// A scrape, which must be answered within 3 s.
async fn scrape_meanwhile(exporter: &Exporter, when: &str) {
    let started = Instant::now();
    let text = tokio::time::timeout(Duration::from_secs(3), scrape(&exporter.addr))
        .await
        .unwrap_or_else(|_| panic!("a scrape {when} was not answered within 3 s; exporter sockets: {}", sockets(exporter)));
    assert!(ready(&text));
    eprintln!("a scrape {when}: answered in {:?}", started.elapsed());
}

/// Whether the peer closes `stream` before `deadline`: reads (and drops)
/// what comes until the end of the stream or a reset.
async fn closed_by(stream: &mut (impl AsyncRead + Unpin), deadline: Instant) -> bool {
    let mut buf = vec![0; 64 << 10];
    loop {
        match tokio::time::timeout_at(deadline.into(), stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// Sends `raw` on a new connection and returns what comes back until the
/// exporter closes it, which it must within 3 s.
async fn exchange(addr: &str, raw: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The exporter may answer and close before it has read all of it.
    let _ = stream.write_all(raw).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), async {
        let mut buf = vec![0; 64 << 10];
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            answer.extend_from_slice(&buf[..n]);
        }
    });
    assert!(read.await.is_ok(), "still open after 3 s; so far: {:?}", String::from_utf8_lossy(&answer));
    answer
}

fn status_line(answer: &[u8]) -> String {
    String::from_utf8_lossy(answer).lines().next().unwrap_or_default().to_string()
}

/// The exporter's open sockets, its listener among them.
fn sockets(exporter: &Exporter) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{}/fd", exporter.child.id())) else { return 0 };
    fds.filter_map(Result::ok).filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|to| to.to_string_lossy().starts_with("socket:"))).count()
}

/// The exporter's resident memory, in KiB.
fn rss_kib(exporter: &Exporter) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", exporter.child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// This process's soft limit on open files.
fn fd_limit() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    line.split_whitespace().nth(3).and_then(|n| n.parse().ok()).unwrap_or(usize::MAX)
}

/// Nothing in the log but the address: an attack is not worth a line each.
fn quiet(exporter: &Exporter) {
    let log = exporter.stderr();
    assert_eq!(log.lines().count(), 1, "the log:\n{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_slow_and_idle_connections_are_closed_while_scrapes_are_answered() {
    let exporter = demo().await;
    let addr = exporter.addr.clone();
    let started = Instant::now();
    let deadline = started + HEADER_READ_TIMEOUT + MARGIN;
    // Sockets that say nothing.
    let mut silent = Vec::new();
    for _ in 0..100 {
        silent.push(TcpStream::connect(&addr).await.unwrap());
    }
    // A slowloris: a request line, then one header byte every 2 s, never
    // the end of the head.
    let (mut loris, mut drip) = TcpStream::connect(&addr).await.unwrap().into_split();
    drip.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let dripping = tokio::spawn(async move {
        while drip.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    // A keep-alive connection left idle after its answer.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\nok\n") {
        let mut buf = [0; 1024];
        let n = idle.read(&mut buf).await.unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buf[..n]);
    }

    while started.elapsed() < HEADER_READ_TIMEOUT - Duration::from_secs(2) {
        scrape_meanwhile(&exporter, "while they are open").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(closed_by(&mut loris, deadline).await, "the slowloris is still open after {:?}", started.elapsed());
    assert!(closed_by(&mut idle, deadline).await, "the idle connection is still open after {:?}", started.elapsed());
    for socket in &mut silent {
        assert!(closed_by(socket, deadline).await, "a silent socket is still open after {:?}", started.elapsed());
    }
    eprintln!("all closed after {:?}; exporter sockets: {}", started.elapsed(), sockets(&exporter));
    dripping.abort();
    scrape_meanwhile(&exporter, "after").await;
    quiet(&exporter);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_idle_connections_take_neither_the_file_descriptors_nor_the_scrape() {
    // A usual soft limit, below the connections opened.
    let exporter = exporter_with_fds(&["--demo", "--interval", "1h"], &[], Some(1024)).await;
    scrape_until(&exporter, "the demo's reading", ready).await;
    let wanted = 2000.min(fd_limit().saturating_sub(100));
    assert!(wanted > 1100, "this test needs more open files than {}", fd_limit());
    let before = sockets(&exporter);
    let started = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..wanted {
        // The kernel completes connections the exporter has not accepted
        // yet, up to its backlog; past that a connect is tried again after
        // a second, and waits for good once the exporter stops accepting.
        match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(&exporter.addr)).await {
            Ok(Ok(stream)) => idle.push(stream),
            Ok(Err(e)) => panic!("connect: {e}"),
            Err(_) => break,
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open = sockets(&exporter);
    eprintln!("{} connections made in {:?}; exporter sockets: {before} before, {open} then", idle.len(), started.elapsed());
    scrape_meanwhile(&exporter, &format!("with {} idle connections made", idle.len())).await;
    assert_eq!(idle.len(), wanted, "connections made");
    assert!(open <= before + MAX_CONNECTIONS + 1, "{open} sockets open in the exporter, {before} before");
    drop(idle);
    scrape_meanwhile(&exporter, "after").await;
    quiet(&exporter);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_read_are_closed_and_memory_stays_bounded() {
    let exporter = demo().await;
    let (rss_before, sockets_before) = (rss_kib(&exporter), sockets(&exporter));
    let started = Instant::now();
    let once = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    let pipelined = once.repeat(100);
    let mut stalled = Vec::new();
    // 20 connections asking for /metrics 100 times each, pipelined, and 50
    // asking once; none reads a byte.
    for n in 0..70 {
        let mut stream = TcpStream::connect(&exporter.addr).await.unwrap();
        stream.write_all(if n < 20 { &pipelined } else { once }).await.unwrap();
        stalled.push(stream);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    scrape_meanwhile(&exporter, "with 70 clients not reading").await;
    let rss = rss_kib(&exporter);
    eprintln!("exporter RSS {rss_before} KiB before, {rss} KiB with the clients not reading; sockets {sockets_before}, then {}", sockets(&exporter));
    // 2,050 answers asked for: copies of the text would take hundreds of MiB.
    assert!(rss < rss_before + (32 << 10), "RSS {rss_before} KiB, then {rss} KiB");

    // Those that asked once had their answer taken by the kernel's buffers
    // and are closed as idle; the others as making no progress.
    let deadline = started + HEADER_READ_TIMEOUT.max(NO_PROGRESS_TIMEOUT) + MARGIN;
    while sockets(&exporter) > sockets_before {
        assert!(Instant::now() < deadline, "{} sockets still open after {:?}", sockets(&exporter), started.elapsed());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("all closed after {:?}; exporter RSS {} KiB", started.elapsed(), rss_kib(&exporter));
    scrape_meanwhile(&exporter, "after").await;
    quiet(&exporter);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_requests_neither_crash_nor_wedge_it() {
    let mut exporter = demo().await;
    let addr = exporter.addr.clone();

    // HTTP/2 with prior knowledge (the preface and an empty SETTINGS
    // frame): the exporter speaks HTTP/1.1 only.
    let answer = exchange(&addr, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0").await;
    assert!(answer.is_empty() || answer.starts_with(b"HTTP/1.1 "), "an HTTP/2 answer: {answer:?}");

    // A head larger than the exporter buffers, and one with more headers
    // than it takes.
    let big = format!("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(1 << 20));
    assert_eq!(status_line(&exchange(&addr, big.as_bytes()).await), "HTTP/1.1 431 Request Header Fields Too Large");
    let large = format!("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Large: {}\r\n\r\n", "a".repeat(64 << 10));
    assert_eq!(status_line(&exchange(&addr, large.as_bytes()).await), "HTTP/1.1 431 Request Header Fields Too Large", "64 KiB of head");
    let many: String = (0..200).map(|n| format!("X-{n}: {n}\r\n")).collect();
    let many = format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    assert_eq!(status_line(&exchange(&addr, many.as_bytes()).await), "HTTP/1.1 431 Request Header Fields Too Large");

    // Bodies the exporter never reads: a terabyte announced, a chunked body
    // that never ends. Answered, then closed.
    let answer = exchange(&addr, format!("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n{}", "a".repeat(1 << 16)).as_bytes()).await;
    assert_eq!(status_line(&answer), "HTTP/1.1 404 Not Found");
    let answer = exchange(&addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\naaaa").await;
    assert_eq!(status_line(&answer), "HTTP/1.1 200 OK");

    // Not HTTP: a TLS ClientHello's first bytes, and binary noise.
    let answer = exchange(&addr, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03").await;
    assert!(answer.is_empty() || status_line(&answer) == "HTTP/1.1 400 Bad Request", "{answer:?}");
    let answer = exchange(&addr, &[0xff; 4096]).await;
    assert!(answer.is_empty() || status_line(&answer) == "HTTP/1.1 400 Bad Request", "{answer:?}");

    scrape_meanwhile(&exporter, "after").await;
    assert!(exporter.child.try_wait().unwrap().is_none(), "the exporter exited");
    quiet(&exporter);
}
