//! The built site (`--static DIR`): Trunk's output with precompressed
//! `.br`/`.gz` variants when present, hashed files cached for a year,
//! `index.html` revalidated every time and sent with the page's
//! Content-Security-Policy.
//!
//! Trunk puts the loader in an inline `<script type="module">`, so the policy
//! allows exactly that script by its SHA-256 hash. The hashes are computed
//! when the page is first served and again whenever `index.html` changes on
//! disk (a rebuild while the proxy runs), so policy and page always agree.
//!
//! Nothing outside the directory, and nothing hidden in it, is served: a
//! path with a segment starting with `.` (`.env`, `.git/`) is 404, and so is
//! a file whose real path (symlinks resolved) leaves the directory.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use base64::Engine;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use tenantscope_catalog::percent_decode_utf8;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The longest file name and relative path looked up (Linux's NAME_MAX,
/// and well under PATH_MAX with the directory in front).
const NAME_MAX: usize = 255;
const PATH_MAX: usize = 3 << 10;

/// What a requested path may be (see [`Site::lookup`]).
enum Lookup {
    Refused,
    NoSuchName,
    Files,
}

pub struct Site {
    dir: PathBuf,
    connect_src: String,
    page: Mutex<Option<(SystemTime, u64, Arc<Page>)>>,
}

struct Page {
    html: Bytes,
    csp: HeaderValue,
}

impl Site {
    pub fn new(dir: PathBuf, connect_src: &[String]) -> Arc<Site> {
        let connect_src = connect_src.iter().map(|o| format!(" {o}")).collect();
        let site = Arc::new(Site { dir, connect_src, page: Mutex::new(None) });
        // Read once at startup so a missing or unreadable page shows in the log at once.
        match site.page() {
            Ok(page) => tracing::info!(csp = page.csp.to_str().unwrap_or_default(), "site page loaded"),
            Err(e) => tracing::warn!(error = %e, "no index.html in the static directory"),
        }
        site
    }

    /// The routes of the site, as the router's fallback.
    pub fn mount(self: Arc<Site>, router: Router) -> Router {
        router.fallback(move |request: Request| {
            let site = self.clone();
            async move { site.serve(request).await }
        })
    }

    async fn serve(self: Arc<Site>, request: Request) -> Response<Body> {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let path = request.uri().path().to_string();
        if path == "/" || path == "/index.html" {
            return self.index();
        }
        match self.lookup(&path).await {
            Lookup::Refused => return StatusCode::NOT_FOUND.into_response(),
            Lookup::NoSuchName => return self.index(),
            Lookup::Files => {}
        }
        let site = self.clone();
        // The app routes on the client, so unknown paths get the page.
        let fallback = tower::service_fn(move |_: Request| {
            let site = site.clone();
            async move { Ok::<_, std::convert::Infallible>(site.index()) }
        });
        let files = ServeDir::new(&self.dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false)
            .fallback(fallback);
        let mut response = match files.oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        };
        if !response.headers().contains_key(header::CACHE_CONTROL) {
            let value = if is_hashed(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        }
        response
    }

    /// What `path` (as requested, percent-encoded) may be: refused (a
    /// dotfile, or something that resolves outside the directory), a name no
    /// file system holds (the page, as for any unknown path, instead of
    /// ServeDir's 500 for "file name too long"), or one for ServeDir.
    async fn lookup(&self, path: &str) -> Lookup {
        let mut relative = PathBuf::new();
        for raw in path.split('/').filter(|s| !s.is_empty()) {
            // ServeDir decodes too: decode the same way, refuse what does not
            // decode. Strictly to UTF-8 and no more: the catalogue's
            // `decode_segment` also insists on API segment characters, which
            // file names need not follow.
            let Some(segment) = percent_decode_utf8(raw) else { return Lookup::Refused };
            if segment.starts_with('.') || segment.contains(['/', '\\', '\0']) {
                return Lookup::Refused;
            }
            if segment.len() > NAME_MAX {
                return Lookup::NoSuchName;
            }
            relative.push(segment);
        }
        if relative.as_os_str().len() > PATH_MAX {
            return Lookup::NoSuchName;
        }
        let dir = self.dir.clone();
        // One trip to the blocking pool for all the lookups.
        let inside = tokio::task::spawn_blocking(move || {
            let Ok(root) = std::fs::canonicalize(&dir) else { return false };
            let file = dir.join(&relative);
            // The file and the precompressed variants ServeDir may send instead.
            [with_suffix(&file, ""), with_suffix(&file, ".br"), with_suffix(&file, ".gz")]
                .iter()
                .all(|candidate| std::fs::canonicalize(candidate).map_or(true, |real| real.starts_with(&root)))
        });
        if inside.await.unwrap_or(false) {
            Lookup::Files
        } else {
            Lookup::Refused
        }
    }

    fn index(&self) -> Response<Body> {
        match self.page() {
            Ok(page) => {
                let mut response = Response::new(Body::from(page.html.clone()));
                let h = response.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                h.insert(header::CONTENT_SECURITY_POLICY, page.csp.clone());
                response
            }
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        }
    }

    fn page(&self) -> std::io::Result<Arc<Page>> {
        let path = self.dir.join("index.html");
        let meta = std::fs::metadata(&path)?;
        let stamp = (meta.modified()?, meta.len());
        if let Ok(cached) = self.page.lock() {
            if let Some((modified, len, page)) = cached.as_ref() {
                if (*modified, *len) == stamp {
                    return Ok(page.clone());
                }
            }
        }
        let html = std::fs::read(&path)?;
        let csp = policy(&String::from_utf8_lossy(&html), &self.connect_src);
        let page = Arc::new(Page {
            html: Bytes::from(html),
            csp: HeaderValue::from_str(&csp).map_err(|_| std::io::Error::other("unusable CSP"))?,
        });
        if let Ok(mut cached) = self.page.lock() {
            *cached = Some((stamp.0, stamp.1, page.clone()));
        }
        Ok(page)
    }
}

/// The page's Content-Security-Policy: its own files, its inline scripts by
/// hash, WebAssembly compilation, and no inline style, plugin, base, frame
/// or foreign form target. `connect_src` holds extra origins, each after a space.
pub fn policy(html: &str, connect_src: &str) -> String {
    let hashes: String = inline_script_hashes(html).iter().map(|h| format!(" '{h}'")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'{connect_src}; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// `sha256-…` of the body of every `<script>` without `src`, in page order.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| i + at) {
        let Some(tag_end) = lower[open..].find('>').map(|i| i + open) else { break };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else { break };
        let tag = &lower[open + "<script".len()..tag_end];
        let has_src = tag.split(|c: char| c.is_ascii_whitespace()).any(|attr| attr.starts_with("src=") || attr == "src");
        if !has_src {
            let digest = Sha256::digest(&html.as_bytes()[tag_end + 1..close]);
            let hash = format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(digest));
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
        at = close;
    }
    hashes
}

fn with_suffix(path: &std::path::Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Trunk's content-hashed names: `name-0123456789abcdef.js`, `…_bg.wasm`.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default().as_bytes();
    (0..name.len()).any(|i| {
        name[i] == b'-'
            && name.len() > i + 17
            && name[i + 1..i + 17].iter().all(|b| b.is_ascii_hexdigit())
            && matches!(name[i + 17], b'.' | b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = "<script type=\"module\">\nimport x from '/a.js';\n</script><script src=\"/b.js\"></script><SCRIPT>y()</SCRIPT>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"\nimport x from '/a.js';\n"));
        assert_eq!(hashes[0], format!("sha256-{expected}"));
        let csp = policy(html, " https://proxy.example");
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' '{}' '{}';", hashes[0], hashes[1])));
        assert!(csp.contains("connect-src 'self' https://proxy.example;"));
        assert!(csp.contains("style-src 'self';") && !csp.contains("unsafe-inline"));
    }

    #[test]
    fn knows_hashed_names() {
        assert!(is_hashed("/tenantscope-c59887e2c3ef17c8.js"));
        assert!(is_hashed("/tenantscope-c59887e2c3ef17c8_bg.wasm"));
        assert!(is_hashed("/main-cd746edd8f4972c3.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/favicon.ico"));
        assert!(!is_hashed("/x-c59887e2c3ef17.js"));
    }
}
