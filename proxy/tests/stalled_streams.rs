//! An HTTP/2 answer its client does not take is given up after the send
//! timeout, measured in that answer's own bytes: a client that keeps its
//! connection busy with other requests (a cheap `HEAD /healthz` loop) does
//! not keep its stalled answers alive with them.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use tenantscope_proxy::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_stream_is_reset_while_others_on_its_connection_move() {
    let dir = std::env::temp_dir().join(format!("tenantscope-stalled-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>page</html>").unwrap();
    std::fs::write(dir.join("big-0123456789abcdef.js"), vec![b'x'; 1 << 20]).unwrap();
    let config = Config {
        static_dir: Some(dir.clone()),
        guard_host: true,
        send_timeout: Duration::from_secs(1),
        upstream_timeout: Duration::from_secs(1),
        ..Config::default()
    };
    let proxy = start(config).await;
    // A client whose streams get a window of 1 KiB and no more.
    let tcp = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    let (send, connection) = h2::client::Builder::new().initial_window_size(1024).handshake::<_, Bytes>(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut send = send.ready().await.unwrap();
    let mut stalled = Vec::new();
    for _ in 0..8 {
        send = send.ready().await.unwrap();
        let (response, _) = send.send_request(axum::http::Request::get(proxy.url("/big-0123456789abcdef.js")).body(()).unwrap(), true).unwrap();
        let response = tokio::time::timeout(Duration::from_secs(5), response).await.unwrap().unwrap();
        assert_eq!(response.status(), 200);
        stalled.push(response.into_body());
    }
    // Another stream starts and ends every 200 ms.
    let mut busy = send.clone();
    let url = proxy.url("/healthz");
    let keeping = tokio::spawn(async move {
        loop {
            busy = busy.ready().await.unwrap();
            let (response, _) = busy.send_request(axum::http::Request::head(&url).body(()).unwrap(), true).unwrap();
            assert_eq!(response.await.unwrap().status(), 200);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    // Each stalled answer is reset (the window it had taken, then nothing more).
    let started = Instant::now();
    for body in &mut stalled {
        let ended = tokio::time::timeout(Duration::from_secs(6), async {
            loop {
                match body.data().await {
                    Some(Ok(data)) => {
                        let _ = data;
                    }
                    Some(Err(e)) => return Some(e.to_string()),
                    None => return None,
                }
            }
        })
        .await;
        let ended = ended.unwrap_or_else(|_| panic!("a stalled answer still held after {:?}", started.elapsed()));
        assert!(ended.is_some(), "a stalled answer ended as if whole");
    }
    assert!(!keeping.is_finished(), "the busy stream's loop failed: the connection was closed rather than the streams reset");
    keeping.abort();
    let _ = std::fs::remove_dir_all(dir);
}
