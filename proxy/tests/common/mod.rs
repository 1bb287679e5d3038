//! Shared by the integration tests: a raw stub upstream on 127.0.0.1:0 that
//! counts every connection it accepts and records every request head (and
//! body, when its `Content-Length` says there is one), and the
//! real proxy server (hyper-util loop) on 127.0.0.1:0; and small clients that
//! misbehave on purpose (an HTTP/2 client that never opens its window, a
//! reader that waits for the proxy to close).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tenantscope_proxy::server::{serve, ServeOptions};
use tenantscope_proxy::{app, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Log output captured in memory (the tests that install a global
/// subscriber write to one and read it back).
#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A secret that must never show in a log, metric or error body.
pub const TOKEN: &str = "MIIsecretTOKENvalue0123456789";

#[derive(Clone)]
pub struct Stub {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub heads: Arc<Mutex<Vec<String>>>,
    pub bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Stub {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.bodies.lock().unwrap().clone()
    }
}

/// The stub's behaviour is chosen by the HSS route's project segment:
/// `/v5/{mode}/billing/quotas-detail`; every other path answers `ok`.
pub async fn stub() -> Stub {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stub = Stub { addr: listener.local_addr().unwrap(), connections: Arc::default(), heads: Arc::default(), bodies: Arc::default() };
    let s = stub.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            s.connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(connection(socket, s.clone()));
        }
    });
    stub
}

/// The size of the `huge` answer.
pub const HUGE: usize = 12 << 20;

const OK_BODY: &str = r#"{"total_num":0,"data_list":[]}"#;

/// A page of `n` quotas as JSON, as HSS lists them (the `zip` answers).
pub fn quotas_json(n: usize) -> String {
    let quota = |i: usize| {
        format!(
            r#"{{"resource_id":"q-{i:06}-7e1d","version":"hss.version.enterprise","quota_status":"normal","used_status":"used","host_id":"h-{i:06}","host_name":"web-{i}","charging_mode":"packet_cycle","expire_time":{}}}"#,
            1_767_225_600_000u64 + i as u64 * 86_400_000
        )
    };
    format!(r#"{{"total_num":{n},"data_list":[{}]}}"#, (0..n).map(quota).collect::<Vec<_>>().join(","))
}

/// The quotas of the `zip` answers: about 40 KiB.
pub const ZIP_QUOTAS: usize = 200;
/// The quotas of `zipbig`: about 600 KiB, past the 256 KiB read-ahead.
pub const ZIP_BIG_QUOTAS: usize = 3000;

fn chunked(body: &str, piece: usize) -> Vec<String> {
    body.as_bytes().chunks(piece).map(|c| format!("{:x}\r\n{}\r\n", c.len(), String::from_utf8_lossy(c))).collect()
}

fn json(status: &str, body: &str, extra: &str) -> String {
    format!("HTTP/1.1 {status}\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: {}\r\n{extra}\r\n{body}", body.len())
}

async fn connection(mut socket: TcpStream, stub: Stub) {
    let mut buf = Vec::new();
    loop {
        let head = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = buf.drain(..i + 4).collect();
                break String::from_utf8_lossy(&head).to_string();
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        stub.heads.lock().unwrap().push(head.clone());
        // A body said by Content-Length (the proxy sends no other framing).
        let length = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.trim().to_string()))
            .and_then(|v| v.parse::<usize>().ok());
        if let Some(length) = length {
            while buf.len() < length {
                let mut chunk = [0u8; 4096];
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            stub.bodies.lock().unwrap().push(buf.drain(..length).collect());
        }
        let path = head.split_whitespace().nth(1).unwrap_or_default().to_string();
        let mode = if path.starts_with("/v5/") { path.split('/').nth(2).unwrap_or_default().to_string() } else { String::new() };
        let answer = match mode.as_str() {
            "html" => "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 26\r\n\r\n<html>gateway error</html>".to_string(),
            "htmljson" => json("200 OK", "<!DOCTYPE html><p>hi</p>", ""),
            "badjson" => json("200 OK", r#"{"total_num":3,"data_li"#, ""),
            "redirect" => format!("HTTP/1.1 302 Found\r\nlocation: http://{}/v5/followed/billing/quotas-detail\r\ncontent-length: 0\r\n\r\n", stub.addr),
            "reset" => {
                // SO_LINGER 0: the close is a TCP reset (the deprecation is about blocking drops).
                #[allow(deprecated)]
                let _ = socket.set_linger(Some(Duration::ZERO));
                return;
            }
            "hang" => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            "delay" => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                json("200 OK", OK_BODY, "")
            }
            "slow" => {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                for part in ["{\"data_list\":[", "1,", "2,", "3", "]}"] {
                    tokio::time::sleep(Duration::from_millis(40)).await;
                    let _ = socket.write_all(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes()).await;
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
                continue;
            }
            "stall" => {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"data_list\":[").await;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            "big" => {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 17825792\r\n\r\n[").await;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            "bigchunked" => {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n[\r\n").await;
                let chunk = format!("{:x}\r\n{}\r\n", 16384, " ".repeat(16384));
                for _ in 0..64 {
                    if socket.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                let _ = socket.write_all(b"1\r\n]\r\n0\r\n\r\n").await;
                continue;
            }
            "huge" => {
                // 12 MiB of JSON, more than any socket buffer holds.
                let _ = socket.write_all(format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {HUGE}\r\n\r\n[").as_bytes()).await;
                let piece = "0,".repeat(32 << 10);
                let mut left = HUGE - 2;
                while left > 0 {
                    let n = left.min(piece.len());
                    if socket.write_all(&piece.as_bytes()[..n]).await.is_err() {
                        return;
                    }
                    left -= n;
                }
                let _ = socket.write_all(b"]").await;
                continue;
            }
            "wsflood" => {
                // 1 MiB of whitespace before the JSON starts.
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                let chunk = format!("{:x}\r\n{}\r\n", 16384, " ".repeat(16384));
                for _ in 0..64 {
                    if socket.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                let _ = socket.write_all(b"2\r\n{}\r\n0\r\n\r\n").await;
                continue;
            }
            "wshtml" => {
                // Whitespace alone in the first chunk, an HTML page after it.
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n4\r\n \r\n \r\n").await;
                tokio::time::sleep(Duration::from_millis(80)).await;
                let _ = socket.write_all(b"11\r\n<html>evil</html>\r\n0\r\n\r\n").await;
                continue;
            }
            "zip" => json("200 OK", &quotas_json(ZIP_QUOTAS), ""),
            // The same page in five chunks, apart in time.
            "zipchunked" | "zipbig" => {
                let (n, piece) = if mode == "zipchunked" { (ZIP_QUOTAS, 9000) } else { (ZIP_BIG_QUOTAS, 16384) };
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                for part in chunked(&quotas_json(n), piece) {
                    if mode == "zipchunked" {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    if socket.write_all(part.as_bytes()).await.is_err() {
                        return;
                    }
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
                continue;
            }
            "cacheable" => json("200 OK", OK_BODY, "cache-control: public, max-age=600\r\nexpires: Thu, 01 Jan 2099 00:00:00 GMT\r\n"),
            "nostore" => json("200 OK", OK_BODY, "cache-control: no-store\r\npragma: no-cache\r\n"),
            "switch" => "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n".to_string(),
            "lyingcl" => {
                // Chunked framing with a Content-Length that only covers the start.
                let body = r#"{"total_num":2,"data_list":[1,2]}"#;
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
                    body.len()
                )
            }
            _ => json(
                "200 OK",
                OK_BODY,
                "x-request-id: 0123456789abcdef0123456789abcdef\r\nset-cookie: session=stolen\r\n\
                 access-control-allow-origin: *\r\naccess-control-allow-credentials: true\r\n\
                 www-authenticate: Basic\r\nx-upstream-internal: 10.0.0.7\r\nretry-after: 3\r\n",
            ),
        };
        if socket.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The proxy served on 127.0.0.1:0 by the real server loop.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    pub done: Option<JoinHandle<()>>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
    /// Sends the shutdown signal; the server drains and `done` ends.
    pub fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The proxy served on 127.0.0.1:0, with `/metrics` on its one listener
/// (which the tests read: [`metric`]).
pub async fn start(config: Config) -> Running {
    let config = Config { public_metrics: true, ..config };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel();
    let options = ServeOptions::for_config(&config);
    let done = tokio::spawn(serve(listener, app(config), options, async {
        let _ = rx.await;
    }));
    Running { addr, stop: Some(tx), done: Some(done) }
}

pub fn relay_config(stub: &Stub) -> Config {
    Config {
        upstream_base: Some(stub.base()),
        guard_host: true,
        upstream_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        ..Config::default()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Sends `head` (request line and headers, without the final blank line)
/// over a fresh connection and returns the status code and the whole answer.
pub async fn raw(addr: SocketAddr, head: &str) -> (u16, String) {
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), socket.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

pub const HSS: &str = "/api/hss/cn-north-4/v5/{mode}/billing/quotas-detail?limit=200&offset=0";

pub fn hss(mode: &str) -> String {
    HSS.replace("{mode}", mode)
}

/// Reads until the peer closes (or resets) the connection; false if it is
/// still open after `within`. Returns the bytes read too.
pub async fn closed_within(socket: &mut TcpStream, within: Duration) -> (bool, usize) {
    let mut total = 0;
    let mut buf = vec![0u8; 64 << 10];
    let closed = tokio::time::timeout(within, async {
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => total += n,
            }
        }
    })
    .await
    .is_ok();
    (closed, total)
}

pub async fn metric(proxy: &Running, name: &str) -> String {
    let text = client().get(proxy.url("/metrics")).send().await.unwrap().text().await.unwrap();
    text.lines().find(|l| l.starts_with(name)).unwrap_or_default().to_string()
}

/// An HTTP/2 connection whose client never opens its flow-control window,
/// and the task driving it, which ends when the proxy closes the connection.
pub async fn h2_window_zero(proxy: &Running) -> (h2::client::SendRequest<Bytes>, JoinHandle<()>) {
    let tcp = TcpStream::connect(proxy.addr).await.unwrap();
    let (send, connection) = h2::client::Builder::new().initial_window_size(0).handshake::<_, Bytes>(tcp).await.unwrap();
    let driving = tokio::spawn(async move {
        let _ = connection.await;
    });
    (send.ready().await.unwrap(), driving)
}

pub async fn h2_get(send: &mut h2::client::SendRequest<Bytes>, url: &str) -> axum::http::Response<h2::RecvStream> {
    *send = send.clone().ready().await.unwrap();
    let request = axum::http::Request::get(url).header("x-auth-token", TOKEN).body(()).unwrap();
    let (response, _) = send.send_request(request, true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), response).await.expect("answer headers").unwrap()
}

/// Runs the proxy's binary on 127.0.0.1:0 with the demo and `args`, with no
/// `TENANTSCOPE_*` variable of the test's environment: its exit code and
/// standard error, or `None` when it was still running after 5 s (it
/// started; it is stopped then).
pub fn exit_of(args: &[&str]) -> (Option<i32>, String) {
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_tenantscope-proxy"));
    command.args(["--listen", "127.0.0.1:0", "--demo"]).args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("TENANTSCOPE_")) {
        command.env_remove(name);
    }
    let mut child = command.spawn().unwrap();
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    (None, String::new())
}
