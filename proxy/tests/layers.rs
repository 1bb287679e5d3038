//! The middleware stack over real TCP: the loopback metrics listener, the
//! proxy's own request ids, and credentials marked sensitive before any
//! layer could print them.

mod common;

use std::time::Duration;

use common::{client, start};
use tenantscope_proxy::demo::DEMO_TOKEN;
use tenantscope_proxy::server::serve_config;
use tenantscope_proxy::Config;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const HSS: &str = "/api/hss/cn-north-4/v5/{p}/billing/quotas-detail?limit=200&offset=0";

#[tokio::test]
async fn metrics_move_to_the_loopback_listener_when_asked() {
    let (public, metrics) = (TcpListener::bind("127.0.0.1:0").await.unwrap(), TcpListener::bind("127.0.0.1:0").await.unwrap());
    let (public_addr, metrics_addr) = (public.local_addr().unwrap(), metrics.local_addr().unwrap());
    let config = Config { demo: true, guard_host: true, metrics_listen: Some(metrics_addr), ..Config::default() };
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(serve_config(public, Some(metrics), config, async {
        let _ = stopped.await;
    }));

    let http = client();
    let hss = HSS.replace("{p}", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    let answer = http.get(format!("http://{public_addr}{hss}")).header("X-Auth-Token", DEMO_TOKEN).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let on_public = http.get(format!("http://{public_addr}/metrics")).send().await.unwrap();
    assert_eq!(on_public.status(), 404, "no /metrics on the public listener");
    let text = http.get(format!("http://{metrics_addr}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("tenantscope_requests_total{service=\"hss\",status=\"200\"} 1\n"), "{text}");
    let other = http.get(format!("http://{metrics_addr}/api/offered")).send().await.unwrap();
    assert_eq!(other.status(), 404, "the metrics listener serves /metrics and /healthz only");
    // A health check that speaks plain HTTP, whether or not the public
    // listener is TLS (the image's HEALTHCHECK).
    let health = http.get(format!("http://{metrics_addr}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), served).await.expect("both listeners drain").unwrap();
}

#[tokio::test]
async fn metrics_are_off_the_public_router_unless_asked() {
    let get = |config: Config| async move {
        let served = serve_one(config).await;
        let answer = client().get(format!("http://{}/metrics", served.0)).send().await.unwrap();
        (answer.status().as_u16(), answer.headers().get("content-type").cloned(), answer.text().await.unwrap())
    };
    let (status, _, _) = get(Config { demo: true, ..Config::default() }).await;
    assert_eq!(status, 404, "the request counts are nobody's business by default");
    let (status, content_type, text) = get(Config { demo: true, public_metrics: true, ..Config::default() }).await;
    assert_eq!(status, 200);
    assert!(content_type.unwrap().to_str().unwrap().starts_with("application/openmetrics-text"));
    assert!(text.ends_with("# EOF\n"));
}

/// `config` served by `serve_config`, as `main` serves it (not the tests'
/// `start`, which puts `/metrics` on the public listener for them).
async fn serve_one(config: Config) -> (std::net::SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve_config(listener, None, config, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

#[tokio::test]
async fn the_metrics_listener_answers_loopback_names_only() {
    let (public, metrics) = (TcpListener::bind("127.0.0.1:0").await.unwrap(), TcpListener::bind("127.0.0.1:0").await.unwrap());
    let metrics_addr = metrics.local_addr().unwrap();
    let config = Config { demo: true, metrics_listen: Some(metrics_addr), allowed_hosts: vec!["proxy.example".into()], ..Config::default() };
    tokio::spawn(serve_config(public, Some(metrics), config, std::future::pending()));
    // A page whose name was rebound to 127.0.0.1 asks with its own Host.
    for host in ["evil.example", "evil.example:9464", "proxy.example"] {
        let (status, answer) = common::raw(metrics_addr, &format!("GET /metrics HTTP/1.1\r\nHost: {host}")).await;
        assert_eq!(status, 403, "{host}: {answer}");
        assert!(!answer.contains("tenantscope_requests"), "{answer}");
    }
    for host in [format!("{metrics_addr}"), "localhost:9464".to_string(), "[::1]".to_string()] {
        let (status, answer) = common::raw(metrics_addr, &format!("GET /metrics HTTP/1.1\r\nHost: {host}")).await;
        assert_eq!(status, 200, "{host}: {answer}");
    }
}

#[tokio::test]
async fn a_clients_own_request_id_is_never_echoed_or_logged() {
    let proxy = start(Config { demo: true, ..Config::default() }).await;
    let hss = HSS.replace("{p}", tenantscope_proxy::demo::DEMO_PROJECT_ID);
    let mut ids = Vec::new();
    for path in [hss.as_str(), "/api/offered", "/healthz", "/api/nope/cn-north-4/x"] {
        let answer =
            client().get(proxy.url(path)).header("X-Auth-Token", DEMO_TOKEN).header("X-Request-Id", "chosen by the client status=200").send().await.unwrap();
        let id = answer.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 32, "{path}: {id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{path}: {id}");
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 4, "one id per request: {ids:?}");
}
