//! The benchmark's stub upstream: answers the HSS quota route with a fixed
//! 1 KiB JSON body over HTTP/1.1 keep-alive, and counts what it accepts.
//!
//! Plain `std`, no dependencies, built by `scripts/bench` with `rustc -O`: a
//! blocking thread per connection is the cheapest server there is for the few
//! connections a benchmark opens (a syscall to read a request, one to write
//! the answer), so the stub takes as little as possible of the two cores it
//! shares with the load tool and the proxies.
//!
//! `GET /__stats` answers `{"connections":C,"requests":R}`: connections that
//! carried at least one relayed request, and relayed requests. The stats
//! request and its connection are not counted, so the driver can read them
//! between runs. Any other path than the HSS route answers 404, so a
//! misrouted request shows up as a non-2xx answer in wrk's count.
//!
//! Usage: `bench-stub [ADDR]` (default `127.0.0.1:0`); prints
//! `bench-stub listening on http://ADDR` once bound.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// The route the benchmark relays (any project id).
const ROUTE_SUFFIX: &str = "/billing/quotas-detail";
const BODY_LEN: usize = 1024;

fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = TcpListener::bind(&addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    let ok = Arc::new(ok_response());
    println!("bench-stub listening on http://{}", listener.local_addr().expect("bound"));
    std::io::stdout().flush().ok();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let ok = Arc::clone(&ok);
        std::thread::spawn(move || {
            let _ = serve(stream, &ok);
        });
    }
}

/// An HSS `quotas-detail` page shaped like the official example, padded to
/// exactly 1 KiB.
fn body() -> String {
    let quota = |i: u32| {
        format!(
            r#"{{"quota_id":"af4d08ad-2b60-4916-a5cf-8d6a23956d{i:02}","version":"hss.version.enterprise","quota_status":"normal","used_status":"used","host_id":"71a15ecc-049f-4cca-bd28-5e90aca1817f","host_name":"ecs-{i:02}","charging_mode":"packet_cycle","expire_time":1767225600000,"shared_quota":"shared","enterprise_project_name":"default"}}"#
        )
    };
    let mut items = Vec::new();
    let mut i = 0;
    loop {
        let next = quota(i);
        let len: usize = items.iter().map(|s: &String| s.len() + 1).sum::<usize>() + next.len();
        if len + 64 > BODY_LEN {
            break;
        }
        items.push(next);
        i += 1;
    }
    let head = format!(r#"{{"total_num":{},"data_list":[{}],"note":""#, items.len(), items.join(","));
    let pad = BODY_LEN - head.len() - 2;
    let body = format!("{head}{}\"}}", "x".repeat(pad));
    assert_eq!(body.len(), BODY_LEN);
    body
}

fn ok_response() -> Vec<u8> {
    let body = body();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\nX-Request-Id: 5f1e0c9a7b3d4e2f8a6b1c0d9e8f7a6b\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn simple(status: &str, body: &str, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{connection}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn serve(mut stream: TcpStream, ok: &[u8]) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut counted = false;
    loop {
        // Serve every complete request in the buffer (pipelining works too).
        while let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).unwrap_or("");
            let mut lines = head.split("\r\n");
            let mut request_line = lines.next().unwrap_or("").split(' ');
            let (method, target) = (request_line.next().unwrap_or(""), request_line.next().unwrap_or(""));
            let (mut close, mut body_len) = (false, 0usize);
            for line in lines {
                let Some((name, value)) = line.split_once(':') else { continue };
                let value = value.trim();
                if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                } else if name.eq_ignore_ascii_case("content-length") {
                    body_len = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    // Nothing in the benchmark sends a chunked GET.
                    stream.write_all(&simple("501 Not Implemented", "{}", true))?;
                    return stream.shutdown(Shutdown::Both);
                }
            }
            let consumed = end + 4 + body_len;
            if buf.len() < consumed {
                break;
            }
            let path = target.split('?').next().unwrap_or("");
            let reply: std::borrow::Cow<[u8]> = if path == "/__stats" {
                let stats = format!(
                    r#"{{"connections":{},"requests":{}}}"#,
                    CONNECTIONS.load(Ordering::Relaxed),
                    REQUESTS.load(Ordering::Relaxed)
                );
                simple("200 OK", &stats, close).into()
            } else {
                if !counted {
                    counted = true;
                    CONNECTIONS.fetch_add(1, Ordering::Relaxed);
                }
                REQUESTS.fetch_add(1, Ordering::Relaxed);
                if method == "GET" && path.ends_with(ROUTE_SUFFIX) {
                    ok.into()
                } else {
                    simple("404 Not Found", r#"{"error_code":"STUB.404","error_msg":"not the benchmark route"}"#, close)
                        .into()
                }
            };
            buf.drain(..consumed);
            stream.write_all(&reply)?;
            if close {
                return stream.shutdown(Shutdown::Write);
            }
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 1 << 20 {
            return Ok(());
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
