//! A client that holds HTTP/2 answers without reading them, to measure what
//! they cost the proxy (descriptors, memory): `h2_hold ADDR PATH
//! CONNECTIONS STREAMS WINDOW SECONDS`, e.g. `h2_hold 127.0.0.1:8080
//! /big.js 20 64 0 20`. Opens CONNECTIONS cleartext HTTP/2 connections
//! (prior knowledge), each asking STREAMS times for PATH with a stream
//! window of WINDOW bytes and never reading, while one `HEAD /healthz`
//! goes every 200 ms on each; then holds for SECONDS and says how many
//! answers came and how many streams were reset.

use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpStream;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, path, connections, streams, window, seconds] = &args[..] else {
        eprintln!("usage: h2_hold ADDR PATH CONNECTIONS STREAMS WINDOW SECONDS");
        std::process::exit(2);
    };
    let (connections, streams): (usize, usize) = (connections.parse().unwrap(), streams.parse().unwrap());
    let (window, seconds): (u32, u64) = (window.parse().unwrap(), seconds.parse().unwrap());
    let url = format!("http://{addr}{path}");
    let health = format!("http://{addr}/healthz");
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (url, health, addr) = (url.clone(), health.clone(), addr.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(tcp) = TcpStream::connect(&addr).await else { return (0, 0) };
            let Ok((send, connection)) = h2::client::Builder::new().initial_window_size(window).handshake::<_, Bytes>(tcp).await else {
                return (0, 0);
            };
            tokio::spawn(async move {
                let _ = connection.await;
            });
            let Ok(mut send) = send.ready().await else { return (0, 0) };
            let mut bodies = Vec::new();
            for _ in 0..streams {
                let Ok(ready) = send.clone().ready().await else { break };
                send = ready;
                let Ok((response, _)) = send.send_request(axum::http::Request::get(&url).body(()).unwrap(), true) else { break };
                match tokio::time::timeout(Duration::from_secs(5), response).await {
                    Ok(Ok(response)) => bodies.push(response.into_body()),
                    _ => break,
                }
            }
            let answered = bodies.len();
            let mut busy = send.clone();
            let keeping = tokio::spawn(async move {
                loop {
                    let Ok(ready) = busy.ready().await else { return };
                    busy = ready;
                    let Ok((response, _)) = busy.send_request(axum::http::Request::head(&health).body(()).unwrap(), true) else { return };
                    let _ = response.await;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            });
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            keeping.abort();
            let mut reset = 0;
            for body in &mut bodies {
                // What came within the window, then the reset if there was one.
                loop {
                    match tokio::time::timeout(Duration::from_millis(1), body.data()).await {
                        Ok(Some(Ok(_))) => continue,
                        Ok(Some(Err(_))) => reset += 1,
                        _ => {}
                    }
                    break;
                }
            }
            (answered, reset)
        }));
    }
    let (mut answered, mut reset) = (0, 0);
    for task in tasks {
        let (a, r) = task.await.unwrap_or((0, 0));
        answered += a;
        reset += r;
    }
    println!("answers {answered}, reset {reset}");
}
