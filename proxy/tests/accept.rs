//! Issue 14, item 2 (the last part), over real TCP: when `accept` fails (out
//! of file descriptors) the server backs off and warns once, instead of a
//! warning every 50 ms; and it serves the waiting connection once
//! descriptors are free again. Alone in its binary: it lowers the process's
//! descriptor limit and installs the global log subscriber.

mod common;

use std::time::Duration;

use common::*;
use tenantscope_proxy::Config;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

fn set_open_files(limit: libc::rlim_t) -> libc::rlimit {
    let mut old = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain system calls on a valid struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut old), 0);
        let new = libc::rlimit { rlim_cur: limit.min(old.rlim_max), rlim_max: old.rlim_max };
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &new), 0);
    }
    old
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_errors_back_off_and_warn_once() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).try_init().unwrap();
    let proxy = start(Config { demo: true, guard_host: true, ..Config::default() }).await;

    // Fill the descriptor table with placeholders, free one, and connect:
    // the client's socket takes it, so the server's accept has none.
    let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as libc::rlim_t;
    let old = set_open_files(open + 32);
    let mut placeholders = Vec::new();
    while let Ok(file) = std::fs::File::open("/dev/null") {
        placeholders.push(file);
        assert!(placeholders.len() < 1000, "the limit did not apply");
    }
    placeholders.pop();
    let mut waiting = TcpStream::connect(proxy.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    drop(placeholders);
    set_open_files(old.rlim_cur);

    waiting.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), tokio::io::AsyncReadExt::read_to_string(&mut waiting, &mut answer))
        .await
        .expect("the waiting connection was not served")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    let warnings = logs.matches("accept failed").count();
    assert!((1..=2).contains(&warnings), "{warnings} warnings in 1.2 s:\n{logs}");
}
