//! The TLS flags of the binary itself: both or neither, and a file that
//! cannot serve is a startup error naming the flag and the file (never
//! quoting the key); with good files it serves HTTPS, and SIGHUP makes it
//! read them again: a new connection gets the new certificate while one
//! made before keeps working. Without TLS, SIGHUP does not end it.

mod common;
mod tls_support;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tls_support::*;

fn proxy(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tenantscope-proxy"));
    command.args(["--listen", "127.0.0.1:0", "--demo"]).args(args);
    for name in ["TENANTSCOPE_TLS_CERT", "TENANTSCOPE_TLS_KEY", "TENANTSCOPE_CLIENT_IP_HEADER", "TENANTSCOPE_LISTEN"] {
        command.env_remove(name);
    }
    command
}

#[test]
fn the_tls_flags_are_checked_at_start() {
    let dir = Dir::new("flags");
    let (a, b) = (self_signed(&["localhost"]), self_signed(&["localhost"]));
    let path = |name: &str| dir.0.join(name).to_str().unwrap().to_string();
    std::fs::write(path("a.crt"), &a.cert_pem).unwrap();
    std::fs::write(path("a.key"), &a.key_pem).unwrap();
    std::fs::write(path("b.key"), &b.key_pem).unwrap();
    std::fs::write(path("junk.pem"), "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n").unwrap();
    std::fs::write(path("empty.pem"), "").unwrap();

    let (code, stderr) = common::exit_of(&["--tls-cert", &path("a.crt")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--tls-cert needs --tls-key"), "{stderr}");
    let (code, stderr) = common::exit_of(&["--tls-key", &path("a.key")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--tls-key needs --tls-cert"), "{stderr}");

    let cases = [
        (path("missing.crt"), path("a.key"), format!("--tls-cert {}: cannot read it", path("missing.crt"))),
        (path("a.crt"), path("missing.key"), format!("--tls-key {}: cannot read it", path("missing.key"))),
        (path("junk.pem"), path("a.key"), format!("--tls-cert {}: not a PEM file", path("junk.pem"))),
        (path("empty.pem"), path("a.key"), format!("--tls-cert {}: no CERTIFICATE section", path("empty.pem"))),
        (path("a.crt"), path("a.crt"), format!("--tls-key {}: no unencrypted private key", path("a.crt"))),
        (path("a.crt"), path("b.key"), format!("--tls-key {} does not belong to the certificate of --tls-cert {}", path("b.key"), path("a.crt"))),
    ];
    for (cert, key, said) in cases {
        let (code, stderr) = common::exit_of(&["--tls-cert", &cert, "--tls-key", &key]);
        assert_eq!(code, Some(2), "{cert} {key}: {stderr}");
        assert!(stderr.contains(&said), "expected {said:?} in {stderr}");
        for line in a.key_pem.lines().chain(b.key_pem.lines()).filter(|l| !l.starts_with("-----")) {
            assert!(!stderr.contains(line), "a line of a private key is in the error");
        }
    }
    // Both good: it starts (and is stopped here).
    let (code, stderr) = common::exit_of(&["--tls-cert", &path("a.crt"), "--tls-key", &path("a.key")]);
    assert_eq!(code, None, "it did not start: {stderr}");
}

/// Stops the child when dropped (the test's own process, by its handle).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_certificate_and_connections_made_before_keep_working() {
    let dir = Dir::new("sighup");
    let (a, b) = (self_signed(&["localhost"]), self_signed(&["localhost"]));
    dir.install(&a);
    let files = dir.files();
    let log = dir.0.join("stderr.log");
    let mut child = proxy(&["--tls-cert", files.cert.to_str().unwrap(), "--tls-key", files.key.to_str().unwrap()])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Running(child);
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let url = line.trim().strip_prefix("tenantscope-proxy listening on ").unwrap_or_else(|| panic!("{line}"));
    let addr: std::net::SocketAddr = url.strip_prefix("https://").unwrap_or_else(|| panic!("not https: {url}")).parse().unwrap();
    let healthz = format!("https://localhost:{}/healthz", addr.port());

    let old = connect("127.0.0.1", addr, "localhost", &a.der, &[b"h2"]).await.unwrap();
    assert_eq!(presented(&old), a.der);
    let old = h2_over(old).await;
    assert_eq!(h2_get(&old, &healthz, &[]).await.status(), 200);

    // New files, then the signal at once: the binary polls the files only
    // every 5 s, so the first reload is the signal's (its log line says).
    dir.install(&b);
    // SAFETY: a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.0.id() as libc::pid_t, libc::SIGHUP) }, 0);
    let started = Instant::now();
    let mut shown = None;
    while shown.is_none() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(stream) = connect("127.0.0.1", addr, "localhost", &b.der, &[b"h2"]).await {
            shown = Some(presented(&stream));
        }
    }
    assert_eq!(shown.as_ref(), Some(&b.der), "the new certificate was not served");
    // Still running (SIGHUP did not end it), and the old connection goes on.
    assert_eq!(h2_get(&old, &healthz, &[]).await.status(), 200, "the connection made before the reload");
    let mut child = child;
    assert!(child.0.try_wait().unwrap().is_none(), "the proxy exited on SIGHUP");
    let logs = std::fs::read_to_string(&log).unwrap();
    let first = logs.lines().find(|l| l.contains("TLS certificate reloaded")).unwrap_or_else(|| panic!("no reload logged:\n{logs}"));
    assert!(first.contains("reason=\"SIGHUP\""), "{first}");
}

#[test]
fn sighup_does_not_end_a_proxy_without_tls() {
    let mut child = proxy(&[]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let child = Running(child);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("tenantscope-proxy listening on http://"), "{line}");
    // SAFETY: a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.0.id() as libc::pid_t, libc::SIGHUP) }, 0);
    std::thread::sleep(Duration::from_millis(300));
    let mut child = child;
    assert!(child.0.try_wait().unwrap().is_none(), "the proxy exited on SIGHUP");
}
