//! `--static`: the page with its CSP and no-cache, hashed files immutable,
//! precompressed variants chosen by Accept-Encoding, security headers everywhere.

mod common;

use std::path::PathBuf;

use base64::Engine;
use common::*;
use sha2::{Digest, Sha256};
use tenantscope_proxy::Config;

const SCRIPT: &str = "\nimport init from '/app-0123456789abcdef.js';\nawait init();\n";

fn site_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tenantscope-site-{}-{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = format!("<!DOCTYPE html><html><head><script type=\"module\">{SCRIPT}</script><link rel=\"modulepreload\" href=\"/app-0123456789abcdef.js\"></head><body></body></html>");
    std::fs::write(dir.join("index.html"), html).unwrap();
    std::fs::write(dir.join("app-0123456789abcdef.js"), "export default function init() {}\n").unwrap();
    std::fs::write(dir.join("app-0123456789abcdef.js.br"), b"\x0b\x10\x80export default function init() {}\n\x03").unwrap();
    std::fs::write(dir.join("robots.txt"), "User-agent: *\n").unwrap();
    dir
}

#[tokio::test]
async fn serves_the_site_with_its_policy() {
    let dir = site_dir();
    let config = Config { static_dir: Some(dir.clone()), demo: true, guard_host: true, connect_src: vec!["https://proxy.example".into()], ..Config::default() };
    let proxy = start(config).await;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));

    for path in ["/", "/index.html", "/some/client/route"] {
        let page = client().get(proxy.url(path)).send().await.unwrap();
        assert_eq!(page.status(), 200, "{path}");
        let h = page.headers();
        assert_eq!(h["content-type"], "text/html; charset=utf-8");
        assert_eq!(h["cache-control"], "no-cache");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")), "{csp}");
        assert!(csp.contains("style-src 'self';"), "{csp}");
        assert!(csp.contains("connect-src 'self' https://proxy.example;"), "{csp}");
        for part in ["img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"] {
            assert!(csp.contains(part), "{part} missing: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains('*'), "{csp}");
    }

    let plain = client().get(proxy.url("/app-0123456789abcdef.js")).send().await.unwrap();
    assert_eq!(plain.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["x-content-type-options"], "nosniff");
    let br = client().get(proxy.url("/app-0123456789abcdef.js")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["cache-control"], "public, max-age=31536000, immutable");
    let robots = client().get(proxy.url("/robots.txt")).send().await.unwrap();
    assert_eq!(robots.headers()["cache-control"], "no-cache");

    // A rebuild while the proxy runs: the policy follows the new page.
    let script = "\nconsole.log('rebuilt');\n";
    std::fs::write(dir.join("index.html"), format!("<html><script>{script}</script><script>{script}</script></html>")).unwrap();
    let page = client().get(proxy.url("/")).send().await.unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains(&format!("'wasm-unsafe-eval' 'sha256-{hash}';")), "{csp}");

    // API answers get a restrictive policy of their own.
    let api = client().get(proxy.url("/api/iam/global/v3/auth/tokens")).send().await.unwrap();
    assert!(api.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    let _ = std::fs::remove_dir_all(dir);
}
