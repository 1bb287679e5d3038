//! Issue 14, items 4 and 7, over real TCP: what a request may not choose or
//! smuggle (its rate-limit bucket, a second Host or token, a way out of
//! `--static`, an endless path).

mod common;

use common::*;
use tenantscope_proxy::Config;

// 4. The client address is the balancer's, not the client's.

#[tokio::test]
async fn client_ip_header_is_read_from_its_last_line() {
    let stub = stub().await;
    let config = Config {
        rate_per_sec: 0.001,
        rate_burst: 1,
        client_ip_header: Some(axum::http::HeaderName::from_static("x-forwarded-for")),
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..relay_config(&stub)
    };
    let proxy = start(config).await;
    // The client writes a line of its own; HAProxy appends its own line.
    let mut statuses = Vec::new();
    for forged in ["10.1.1.1", "10.2.2.2", "10.3.3.3"] {
        let head = format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {forged}\r\nX-Forwarded-For: 192.0.2.7", hss("p"));
        statuses.push(raw(proxy.addr, &head).await.0);
    }
    assert_eq!(statuses, [200, 429, 429], "a forged first line chose the bucket");
}

// 7. Smaller things.

#[tokio::test]
async fn duplicated_host_and_credentials_are_refused() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let (status, answer) = raw(proxy.addr, &format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example", hss("p"))).await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = raw(proxy.addr, &format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {TOKEN}\r\nX-Auth-Token: other", hss("p"))).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("PROXY.0018") && !answer.contains(TOKEN), "{answer}");
    assert_eq!(stub.connections(), 0, "a refused request reached the upstream");
    // Other relayed headers: the first one goes, once.
    let (status, _) = raw(proxy.addr, &format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nAccept: text/html", hss("p"))).await;
    assert_eq!(status, 200);
    let head = stub.heads()[0].to_ascii_lowercase();
    assert_eq!(head.matches("\r\naccept:").count(), 1, "{head}");
    assert!(head.contains("\r\naccept: application/json\r\n"), "{head}");
}

#[tokio::test]
async fn static_refuses_dotfiles_and_symlinks_out() {
    let base = std::env::temp_dir().join(format!("tenantscope-escape-{}", std::process::id()));
    let dir = base.join("dist");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<html>page</html>").unwrap();
    std::fs::write(dir.join(".env"), "SECRET=dotfile").unwrap();
    std::fs::write(dir.join(".git/config"), "SECRET=gitconfig").unwrap();
    std::fs::write(dir.join("assets/app.js"), "ok()").unwrap();
    std::fs::write(base.join("outside.txt"), "SECRET=outside").unwrap();
    std::os::unix::fs::symlink(base.join("outside.txt"), dir.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&base, dir.join("up")).unwrap();
    std::os::unix::fs::symlink(dir.join("assets/app.js"), dir.join("inside.js")).unwrap();
    let proxy = start(Config { static_dir: Some(dir.clone()), guard_host: true, ..Config::default() }).await;
    for path in ["/.env", "/%2eenv", "/.git/config", "/assets/../.env", "/leak.txt", "/up/outside.txt"] {
        let response = client().get(proxy.url(path)).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(!body.contains("SECRET"), "{path} served {body}");
        assert_eq!(status, 404, "{path}");
    }
    for (path, body) in [("/assets/app.js", "ok()"), ("/inside.js", "ok()"), ("/", "<html>page</html>")] {
        let response = client().get(proxy.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), body);
    }
    let _ = std::fs::remove_dir_all(base);
}

#[tokio::test]
async fn a_very_long_path_is_414() {
    let stub = stub().await;
    let proxy = start(relay_config(&stub)).await;
    let long = format!("/api/hss/cn-north-4/v5/{}/billing/quotas-detail", "p".repeat(60 << 10));
    let (status, answer) = raw(proxy.addr, &format!("GET {long} HTTP/1.1\r\nHost: 127.0.0.1")).await;
    assert_eq!(status, 414, "{}", &answer[..answer.len().min(300)]);
    let (status, _) = raw(proxy.addr, &format!("GET /{} HTTP/1.1\r\nHost: 127.0.0.1", "a".repeat(60 << 10))).await;
    assert_eq!(status, 414);
    assert_eq!(stub.connections(), 0);

    // With --static: too long for the file system is not a server error.
    let dir = std::env::temp_dir().join(format!("tenantscope-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>page</html>").unwrap();
    let site = start(Config { static_dir: Some(dir.clone()), guard_host: true, ..Config::default() }).await;
    let (status, _) = raw(site.addr, &format!("GET /{} HTTP/1.1\r\nHost: 127.0.0.1", "a".repeat(60 << 10))).await;
    assert_eq!(status, 414);
    // A name longer than any file's (255 bytes), or a path longer than any
    // (4 KiB), names nothing: it gets the page, like any unknown path.
    for path in [format!("/{}", "a".repeat(300)), "/abcdefgh".repeat(600)] {
        let (status, answer) = raw(site.addr, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1")).await;
        assert_eq!(status, 200, "{}", &answer[..answer.len().min(200)]);
        assert!(answer.ends_with("<html>page</html>"));
    }
    let _ = std::fs::remove_dir_all(dir);
}
