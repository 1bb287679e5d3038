//! The TLS certificate is read again when its files change on disk, over
//! real TCP: a new connection gets the new certificate while one made
//! before keeps working; files that fail to parse (or a key that is not the
//! certificate's) leave the pair in use, and the log says why, once per
//! change, naming the file and quoting nothing of the key. Alone in its
//! binary: it installs the global log subscriber.

mod common;
mod tls_support;

use std::time::{Duration, Instant};

use common::Capture;
use rustls::pki_types::CertificateDer;
use tenantscope_proxy::tls::Certificates;
use tenantscope_proxy::Config;
use tls_support::*;

/// The certificate a new connection is shown (trusting each of `trusted` in
/// turn), as soon as it is `want`, or what it is after 5 s.
async fn shown(addr: std::net::SocketAddr, trusted: &[&Pair], want: &CertificateDer<'static>) -> CertificateDer<'static> {
    let started = Instant::now();
    loop {
        let mut last = None;
        for pair in trusted {
            if let Ok(stream) = connect("127.0.0.1", addr, "localhost", &pair.der, &[b"h2"]).await {
                last = Some(presented(&stream));
            }
        }
        if last.as_ref() == Some(want) {
            return want.clone();
        }
        if started.elapsed() > Duration::from_secs(5) {
            return last.unwrap_or_else(|| panic!("none of the trusted certificates shown"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_certificate_reaches_new_connections_and_old_ones_keep_working() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).try_init().unwrap();
    let logs = || String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();

    let dir = Dir::new("reload");
    let (a, b, c) = (self_signed(&["localhost"]), self_signed(&["localhost"]), self_signed(&["localhost"]));
    dir.install(&a);
    let certificates = Certificates::load_polling(dir.files(), Duration::from_millis(100)).unwrap();
    let proxy = start_tls(Config { demo: true, guard_host: true, ..Config::default() }, certificates).await;
    let url = format!("https://localhost:{}/healthz", proxy.addr.port());

    let old = connect("127.0.0.1", proxy.addr, "localhost", &a.der, &[b"h2"]).await.unwrap();
    assert_eq!(presented(&old), a.der);
    let old = h2_over(old).await;
    assert_eq!(h2_get(&old, &url, &[]).await.status(), 200);

    // New files: new connections get them; the old one goes on.
    dir.install(&b);
    assert_eq!(shown(proxy.addr, &[&a, &b], &b.der).await, b.der, "the new certificate was not served");
    assert_eq!(h2_get(&old, &url, &[]).await.status(), 200, "the connection made before the reload");
    assert!(logs().contains("TLS certificate reloaded"), "{}", logs());

    // A broken certificate file: the pair in use stays, and the log says
    // why, once, however many polls see the same file.
    let files = dir.files();
    put(&files.cert, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(shown(proxy.addr, &[&b], &b.der).await, b.der, "a broken file replaced the certificate in use");
    let warnings: Vec<String> = logs().lines().filter(|l| l.contains("not reloaded")).map(str::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(&format!("--tls-cert {}", files.cert.display())) && warnings[0].contains("not valid base64"), "{}", warnings[0]);

    // Another certificate with the old key: not a pair, not taken.
    put(&files.cert, &c.cert_pem);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(shown(proxy.addr, &[&b], &b.der).await, b.der, "a certificate without its key was taken");
    assert!(logs().contains("does not belong to the certificate"), "{}", logs());

    // Its key arrives: taken.
    dir.install(&c);
    assert_eq!(shown(proxy.addr, &[&c], &c.der).await, c.der);
    assert_eq!(h2_get(&old, &url, &[]).await.status(), 200);

    // Nothing of any key in the log.
    let logs = logs();
    for pair in [&a, &b, &c] {
        for line in pair.key_pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!logs.contains(line), "a line of a private key is in the log");
        }
    }
}
