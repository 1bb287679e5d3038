//! Billing's POST through the real server (HTTP/1.1 and HTTP/2) to a stub
//! upstream on 127.0.0.1:0 that records what reaches it: the one route with
//! a body, relayed byte for byte; its label, size and time limits; each
//! route's own method; the preflight; and a body that stalls or trickles,
//! cut off without costing another client anything.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use common::{client, closed_within, metric, start, Running};
use tenantscope_proxy::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BSS: &str = "/api/bss/global/v2/orders/suscriptions/resources/query";
const UPSTREAM_PATH: &str = "/v2/orders/suscriptions/resources/query";

/// What the stub saw: one entry per request.
type Seen = Arc<Mutex<Vec<(Method, Uri, HeaderMap, Bytes)>>>;

async fn stub_upstream() -> (String, Seen) {
    let seen = Seen::default();
    let record = seen.clone();
    let stub = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push((method, uri, headers, body));
            ([("content-type", "application/json;charset=UTF-8")], r#"{"total_count":0,"data":[]}"#).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });
    (format!("http://{addr}"), seen)
}

fn relay_config(base: &str) -> Config {
    Config {
        upstream_base: Some(base.to_string()),
        guard_host: true,
        upstream_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        rate_per_sec: 0.0,
        ..Config::default()
    }
}

fn h2_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().http2_prior_knowledge().build().unwrap()
}

/// The error code of a proxy refusal, with its status.
async fn refusal(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap_or_default();
    (status, body["error_code"].as_str().unwrap_or_default().to_string())
}

/// Sends `head` and `body` over a fresh connection and reads the whole answer.
async fn raw(proxy: &Running, head: &str, body: &[u8]) -> (u16, String) {
    let mut socket = TcpStream::connect(proxy.addr).await.unwrap();
    socket.write_all(format!("{head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let _ = socket.write_all(body).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    (answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0), answer)
}

/// A body as the console sends it, with what a re-encoding would change:
/// key order, spacing, escapes, non-ASCII text.
const BODY: &str = "{ \"resource_ids\" : [\"5c2f\\u0041\", \"é-€\"],\n\t\"only_main_resource\":0,\"offset\":0,\"limit\":2 }";

#[tokio::test]
async fn a_post_is_relayed_with_its_body_byte_for_byte_over_http1_and_http2() {
    let (base, seen) = stub_upstream().await;
    let proxy = start(relay_config(&base)).await;
    let signature = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date;x-security-token, Signature=00";
    for (http, client) in [("1.1", client()), ("2", h2_client())] {
        seen.lock().unwrap().clear();
        let token = client
            .post(proxy.url(BSS))
            .header("content-type", "application/json;charset=UTF-8")
            .header("x-auth-token", "MIItoken")
            .header("accept", "application/json")
            .header("cookie", "a=b")
            .body(BODY)
            .send()
            .await
            .unwrap();
        assert_eq!(token.status(), 200, "HTTP/{http}");
        assert_eq!(token.text().await.unwrap(), r#"{"total_count":0,"data":[]}"#);
        let signed = client
            .post(proxy.url(BSS))
            .header("content-type", "application/json")
            .header("authorization", signature)
            .header("x-sdk-date", "20260101T000000Z")
            .header("x-security-token", "security")
            .body(BODY)
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status(), 200, "HTTP/{http}");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "HTTP/{http}");
        for (method, uri, headers, body) in seen.iter() {
            assert_eq!(*method, Method::POST);
            assert_eq!(uri.path_and_query().unwrap().as_str(), UPSTREAM_PATH);
            assert_eq!(&body[..], BODY.as_bytes(), "HTTP/{http}: the body changed on the way");
            assert_eq!(headers["content-length"], BODY.len().to_string().as_str());
            assert!(headers.get("cookie").is_none() && headers.get("transfer-encoding").is_none());
        }
        let (token, signed) = (&seen[0].2, &seen[1].2);
        assert_eq!(token["content-type"], "application/json;charset=UTF-8");
        assert_eq!((&token["x-auth-token"], &token["accept"]), (&"MIItoken".parse().unwrap(), &"application/json".parse().unwrap()));
        assert_eq!(signed["content-type"], "application/json");
        assert_eq!(signed["authorization"], signature);
        assert_eq!((&signed["x-sdk-date"], &signed["x-security-token"]), (&"20260101T000000Z".parse().unwrap(), &"security".parse().unwrap()));
    }
    // A chunked body (no length said) arrives whole, with its length.
    seen.lock().unwrap().clear();
    let chunked = format!("{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n", 10, &BODY[..10], BODY.len() - 10, &BODY[10..]);
    let head = format!("POST {BSS} HTTP/1.1\r\nContent-Type: application/json\r\nX-Auth-Token: MIItoken\r\nTransfer-Encoding: chunked");
    let (status, answer) = raw(&proxy, &head, chunked.as_bytes()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(&seen.lock().unwrap()[0].3[..], BODY.as_bytes());
    // Billing's calls are counted as billing's, answers and latency alike.
    assert_eq!(
        metric(&proxy, "tenantscope_requests_total{service=\"bss\",status=\"200\"}").await,
        "tenantscope_requests_total{service=\"bss\",status=\"200\"} 5"
    );
    assert!(metric(&proxy, "tenantscope_upstream_latency_seconds_count{service=\"bss\"}").await.ends_with(" 5"));
}

#[tokio::test]
async fn a_body_over_16_kib_is_refused_whether_its_length_is_said_or_not() {
    let (base, seen) = stub_upstream().await;
    let proxy = start(relay_config(&base)).await;
    let limit = 16 << 10;
    let json = |size: usize| format!("{{\"resource_ids\":[],\"x\":\"{}\"}}", "a".repeat(size - 26));
    assert_eq!(json(limit).len(), limit);
    for (http, client) in [("1.1", client()), ("2", h2_client())] {
        let post = |body: String| client.post(proxy.url(BSS)).header("content-type", "application/json").header("x-auth-token", "t").body(body).send();
        assert_eq!(post(json(limit)).await.unwrap().status(), 200, "HTTP/{http}: exactly 16 KiB");
        assert_eq!(refusal(post(json(limit + 1)).await.unwrap()).await, (413, "PROXY.0023".into()), "HTTP/{http}");
    }
    // Chunked, no length said: counted as it arrives.
    let head = format!("POST {BSS} HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked");
    let piece = format!("{:x}\r\n{}\r\n", 4096, " ".repeat(4096));
    let (status, answer) = raw(&proxy, &head, format!("{}0\r\n\r\n", piece.repeat(5)).as_bytes()).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("PROXY.0023"));
    // HTTP/2 without content-length: DATA frames past the cap.
    let tcp = TcpStream::connect(proxy.addr).await.unwrap();
    let (send, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut send = send.ready().await.unwrap();
    let request = axum::http::Request::post(proxy.url(BSS)).header("content-type", "application/json").body(()).unwrap();
    let (response, mut stream) = send.send_request(request, false).unwrap();
    for _ in 0..5 {
        stream.reserve_capacity(4096);
        let _ = stream.send_data(Bytes::from(vec![b' '; 4096]), false);
    }
    let _ = stream.send_data(Bytes::new(), true);
    let response = tokio::time::timeout(Duration::from_secs(5), response).await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A said length past the cap: refused before a byte is read.
    let head = format!("POST {BSS} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}", limit + 1);
    let (status, _) = raw(&proxy, &head, b"").await;
    assert_eq!(status, 413);
    assert_eq!(seen.lock().unwrap().len(), 2, "only the two bodies of 16 KiB reached the upstream");
}

#[tokio::test]
async fn only_a_json_body_is_accepted() {
    let (base, seen) = stub_upstream().await;
    let proxy = start(relay_config(&base)).await;
    for (http, client) in [("1.1", client()), ("2", h2_client())] {
        for label in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/json; charset=latin1"),
            None,
        ] {
            let mut request = client.post(proxy.url(BSS)).header("x-auth-token", "t").body(BODY);
            if let Some(label) = label {
                request = request.header("content-type", label);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.headers()["content-type"], "application/json");
            assert_eq!(refusal(response).await, (415, "PROXY.0022".into()), "HTTP/{http} {label:?}");
        }
        for label in ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"] {
            let response = client.post(proxy.url(BSS)).header("x-auth-token", "t").header("content-type", label).body(BODY).send().await.unwrap();
            assert_eq!(response.status(), 200, "HTTP/{http} {label}");
        }
    }
    assert_eq!(seen.lock().unwrap().len(), 6, "only the JSON bodies reached the upstream");
}

#[tokio::test]
async fn each_route_takes_its_own_method_only() {
    let (base, seen) = stub_upstream().await;
    let proxy = start(relay_config(&base)).await;
    let hss = "/api/hss/cn-north-4/v5/p/billing/quotas-detail?limit=10";
    let cases = [
        (Method::POST, hss, "GET, OPTIONS"),
        (Method::POST, "/api/iam/global/v3/auth/projects", "GET, OPTIONS"),
        (Method::POST, "/api/about", "GET, OPTIONS"),
        (Method::GET, BSS, "POST, OPTIONS"),
        (Method::PUT, BSS, "GET, OPTIONS"),
        (Method::DELETE, BSS, "GET, OPTIONS"),
        (Method::PATCH, BSS, "GET, OPTIONS"),
        (Method::HEAD, BSS, "GET, OPTIONS"),
    ];
    for (http, client) in [("1.1", client()), ("2", h2_client())] {
        for (method, path, allow) in &cases {
            let response = client
                .request(method.clone(), proxy.url(path))
                .header("content-type", "application/json")
                .header("x-auth-token", "t")
                .body(BODY)
                .send()
                .await
                .unwrap();
            assert_eq!(response.headers().get("allow").map(|a| a.to_str().unwrap().to_string()).as_deref(), Some(*allow), "HTTP/{http} {method} {path}");
            let expected = if *method == Method::HEAD { (405, String::new()) } else { (405, "PROXY.0005".into()) };
            assert_eq!(refusal(response).await, expected, "HTTP/{http} {method} {path}");
        }
    }
    assert!(seen.lock().unwrap().is_empty(), "a refused request reached the upstream");
}

#[tokio::test]
async fn an_allowed_origin_may_preflight_the_post_of_billing_only() {
    let origin = "https://console.example";
    let config = Config { demo: true, guard_host: true, allow_origins: vec![origin.into()], ..Config::default() };
    let proxy = start(config).await;
    let preflight = |path: &str, origin: &str, method: &str, headers: &str| {
        client()
            .request(reqwest::Method::OPTIONS, proxy.url(path))
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .send()
    };
    for headers in ["content-type, x-auth-token", "Content-Type,Authorization,X-Sdk-Date,X-Security-Token", "content-type"] {
        let ok = preflight(BSS, origin, "POST", headers).await.unwrap();
        assert_eq!(ok.status(), 204, "{headers}");
        let h = ok.headers();
        assert_eq!(h["access-control-allow-origin"], origin);
        assert_eq!(h["access-control-allow-methods"], "POST");
        let allowed = h["access-control-allow-headers"].to_str().unwrap();
        for name in ["content-type", "x-auth-token", "authorization", "x-sdk-date", "x-security-token"] {
            assert!(allowed.split(", ").any(|a| a == name), "{name} not in {allowed}");
        }
    }
    let hss = "/api/hss/cn-north-4/v5/p/billing/quotas-detail";
    for (path, origin, method, headers) in [
        (BSS, origin, "GET", "x-auth-token"),
        (BSS, origin, "PUT", "content-type"),
        (BSS, origin, "POST", "content-type, x-evil"),
        (BSS, "https://evil.example", "POST", "content-type"),
        (hss, origin, "POST", "content-type"),
        ("/api/bss/global/v2/orders/other", origin, "POST", "content-type"),
    ] {
        let refused = preflight(path, origin, method, headers).await.unwrap();
        assert_eq!(refused.status(), 403, "{path} {origin} {method} {headers}");
        assert!(refused.headers().get("access-control-allow-methods").is_none());
    }
    // Still GET elsewhere.
    let get = preflight(hss, origin, "GET", "x-auth-token").await.unwrap();
    assert_eq!((get.status().as_u16(), get.headers()["access-control-allow-methods"].to_str().unwrap()), (204, "GET"));
    let bare = client().request(reqwest::Method::OPTIONS, proxy.url(BSS)).send().await.unwrap();
    assert_eq!(bare.headers()["allow"], "POST, OPTIONS");
    // The POST itself, from that origin, carries the CORS answer headers.
    let body = r#"{"resource_ids":[],"limit":1}"#;
    let post = client()
        .post(proxy.url(BSS))
        .header("origin", origin)
        .header("content-type", "application/json")
        .header("x-auth-token", "demo")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    assert_eq!(post.headers()["access-control-allow-origin"], origin);
}

/// Sends billing's POST head (from the client `ip`) saying `length`
/// bytes will follow, then `sent` of them; the connection is left open.
async fn start_post(proxy: &Running, ip: &str, length: usize, sent: &[u8]) -> TcpStream {
    let mut socket = TcpStream::connect(proxy.addr).await.unwrap();
    let head = format!(
        "POST {BSS} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Real-IP: {ip}\r\nContent-Type: application/json\r\nX-Auth-Token: t\r\nContent-Length: {length}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(sent).await.unwrap();
    socket
}

/// Reads what the proxy answers on `socket` until it closes, within `within`.
/// Billing's POST from the client at `ip` (behind the trusted balancer).
async fn post_billing(proxy: &Running, ip: &str) -> reqwest::Response {
    client()
        .post(proxy.url(BSS))
        .header("x-real-ip", ip)
        .header("content-type", "application/json")
        .header("x-auth-token", "t")
        .body(BODY)
        .send()
        .await
        .unwrap()
}

async fn answer_on(socket: &mut TcpStream, within: Duration) -> Option<String> {
    let mut answer = Vec::new();
    tokio::time::timeout(within, socket.read_to_end(&mut answer)).await.ok()?.ok()?;
    Some(String::from_utf8_lossy(&answer).to_string())
}

#[tokio::test]
async fn a_stalled_or_trickled_body_is_cut_off_and_costs_others_nothing() {
    let (base, seen) = stub_upstream().await;
    let config = Config {
        // The body's time: the header timeout.
        header_timeout: Duration::from_millis(1000),
        // One upstream slot in all, and two calls in flight per client.
        max_upstream: 1,
        upstream_queue_wait: Duration::from_millis(200),
        max_upstream_per_client: 2,
        client_ip_header: Some("x-real-ip".parse().unwrap()),
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..relay_config(&base)
    };
    let proxy = start(config).await;
    let started = Instant::now();
    // Client 10.0.0.1: one body that never comes, one that trickles a byte
    // every 100 ms (it would take 20 s).
    let mut stalled = start_post(&proxy, "10.0.0.1", 100, b"{\"resource_ids\":").await;
    let mut trickled = start_post(&proxy, "10.0.0.1", 200, b"").await;
    let trickling = tokio::spawn(async move {
        for _ in 0..200 {
            if trickled.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        trickled
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Meanwhile another client is served at once, the one upstream slot
    // free: neither body holds it.
    for ip in ["10.0.0.2", "10.0.0.3"] {
        let asked = Instant::now();
        let other = post_billing(&proxy, ip).await;
        assert_eq!(other.status(), 200, "{ip}");
        assert!(asked.elapsed() < Duration::from_millis(400), "{ip} waited {:?}", asked.elapsed());
    }
    // The slow client's two bodies are its two places under its cap: a
    // third call of its own is refused, at once.
    let third = post_billing(&proxy, "10.0.0.1").await;
    assert_eq!(refusal(third).await, (429, "PROXY.0016".into()));
    // Both are cut at the header timeout: 408, and the connection closed.
    let answer = answer_on(&mut stalled, Duration::from_secs(3)).await.expect("the stalled connection is still open");
    assert!(answer.starts_with("HTTP/1.1 408 ") && answer.contains("PROXY.0024"), "{answer}");
    let cut_at = started.elapsed();
    assert!(cut_at >= Duration::from_millis(950) && cut_at < Duration::from_millis(2000), "cut at {cut_at:?}");
    let mut trickled = trickling.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "the trickle went on for {:?}", started.elapsed());
    let (closed, _) = closed_within(&mut trickled, Duration::from_secs(2)).await;
    assert!(closed, "the trickling connection is still open");
    // Their places are free again; nothing of theirs reached the upstream.
    let again = post_billing(&proxy, "10.0.0.1").await;
    assert_eq!(again.status(), 200);
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert_eq!(
        metric(&proxy, "tenantscope_requests_total{service=\"bss\",status=\"408\"}").await,
        "tenantscope_requests_total{service=\"bss\",status=\"408\"} 2"
    );
}

#[tokio::test]
async fn an_http2_stream_whose_body_stalls_is_cut_off_while_its_connection_serves_others() {
    let (base, _) = stub_upstream().await;
    let config = Config { header_timeout: Duration::from_millis(800), ..relay_config(&base) };
    let proxy = start(config).await;
    let tcp = TcpStream::connect(proxy.addr).await.unwrap();
    let (send, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut send = send.ready().await.unwrap();
    let post = |length: &str| {
        axum::http::Request::post(proxy.url(BSS))
            .header("content-type", "application/json")
            .header("content-length", length)
            .header("x-auth-token", "t")
            .body(())
            .unwrap()
    };
    let started = Instant::now();
    // Headers, a few bytes, then nothing.
    let (stalled, mut stream) = send.send_request(post("100"), false).unwrap();
    stream.send_data(Bytes::from_static(b"{\"resource_ids\""), false).unwrap();
    // Another stream of the same connection, whole: answered at once.
    send = send.ready().await.unwrap();
    let (whole, mut other) = send.send_request(post(&BODY.len().to_string()), false).unwrap();
    other.send_data(Bytes::from_static(BODY.as_bytes()), true).unwrap();
    let whole = tokio::time::timeout(Duration::from_millis(500), whole).await.expect("the other stream waited").unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    let stalled = tokio::time::timeout(Duration::from_secs(3), stalled).await.expect("never cut").unwrap();
    assert_eq!(stalled.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() >= Duration::from_millis(750), "cut at {:?}", started.elapsed());
    let mut body = stalled.into_body();
    let mut text = Vec::new();
    while let Some(Ok(chunk)) = body.data().await {
        text.extend_from_slice(&chunk);
    }
    assert!(String::from_utf8_lossy(&text).contains("PROXY.0024"));
    // The connection still serves.
    send = send.ready().await.unwrap();
    let (after, mut stream) = send.send_request(post(&BODY.len().to_string()), false).unwrap();
    stream.send_data(Bytes::from_static(BODY.as_bytes()), true).unwrap();
    assert_eq!(after.await.unwrap().status(), StatusCode::OK);
}
