//! The built site (`--static DIR`): Trunk's output with precompressed
//! `.br`/`.gz` variants when present, hashed files cached for a year,
//! `index.html` revalidated every time and sent with the page's
//! Content-Security-Policy.
//!
//! The site is served from memory: every file is read when the proxy
//! starts, and all of them again whenever `index.html` changes on disk (a
//! rebuild while the proxy runs). An answer is then a reference to bytes
//! already held, never an open file: however many answers a client leaves
//! unread, they hold no file descriptor (the built site is about 2 MB).
//!
//! Trunk puts the loader in an inline `<script type="module">`, so the policy
//! allows exactly that script by its SHA-256 hash, computed with the page.
//!
//! Nothing outside the directory, and nothing hidden in it, is served: a
//! path with a segment starting with `.` (`.env`, `.git/`) is 404, and so is
//! a file whose real path (symlinks resolved) leaves the directory (such
//! files are not read at all).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
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

/// The most the site may hold in memory; files past it are not served
/// (and a warning says so). The built site is about 2 MB.
const MAX_SITE_BYTES: u64 = 64 << 20;

/// How deep directories are read.
const MAX_DEPTH: usize = 16;

pub struct Site {
    dir: PathBuf,
    connect_src: String,
    files: Mutex<Arc<Files>>,
}

/// What was read of the directory, and when `index.html` was as it was then.
#[derive(Default)]
struct Files {
    stamp: Option<(SystemTime, u64)>,
    page: Option<Arc<Page>>,
    /// Every file, by its path relative to the directory (`/`-separated).
    by_path: HashMap<String, File>,
    /// Names whose real path leaves the directory: refused, not the page.
    outside: HashSet<String>,
}

struct File {
    bytes: Bytes,
    content_type: HeaderValue,
    etag: HeaderValue,
}

struct Page {
    html: Bytes,
    csp: HeaderValue,
}

impl Site {
    pub fn new(dir: PathBuf, connect_src: &[String]) -> Arc<Site> {
        let connect_src: String = connect_src.iter().map(|o| format!(" {o}")).collect();
        let files = Arc::new(load(&dir, &connect_src));
        // Read at startup, so that a missing or unreadable page shows in the log at once.
        match &files.page {
            Some(page) => tracing::info!(csp = page.csp.to_str().unwrap_or_default(), files = files.by_path.len(), "site loaded"),
            None => tracing::warn!("no index.html in the static directory"),
        }
        Arc::new(Site { dir, connect_src, files: Mutex::new(files) })
    }

    /// The routes of the site, as the router's fallback.
    pub fn mount(self: Arc<Site>, router: Router) -> Router {
        router.fallback(move |request: Request| {
            let site = self.clone();
            async move { site.serve(request).await }
        })
    }

    /// What was read, read again first when `index.html` has changed.
    async fn files(self: &Arc<Site>) -> Arc<Files> {
        let current = self.files.lock().map(|f| f.clone()).unwrap_or_default();
        let stamp = stamp(&self.dir.join("index.html"));
        if stamp == current.stamp {
            return current;
        }
        let site = self.clone();
        let loaded = tokio::task::spawn_blocking(move || Arc::new(load(&site.dir, &site.connect_src))).await;
        let Ok(loaded) = loaded else { return current };
        tracing::info!(files = loaded.by_path.len(), "site read again: index.html changed");
        if let Ok(mut files) = self.files.lock() {
            *files = loaded.clone();
        }
        loaded
    }

    async fn serve(self: Arc<Site>, request: Request) -> Response<Body> {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let files = self.files().await;
        let path = request.uri().path();
        if path == "/" || path == "/index.html" {
            return index(&files);
        }
        let Some(relative) = relative(path) else { return StatusCode::NOT_FOUND.into_response() };
        let variants = [relative.clone(), format!("{relative}.br"), format!("{relative}.gz")];
        if variants.iter().any(|v| files.outside.contains(v) || prefix_outside(&files.outside, v)) {
            return StatusCode::NOT_FOUND.into_response();
        }
        // The app routes on the client, so unknown paths get the page.
        let Some(file) = files.by_path.get(&relative) else { return index(&files) };
        let (encoding, sent) = [("br", &variants[1]), ("gzip", &variants[2])]
            .into_iter()
            .filter(|(encoding, _)| crate::gzip::takes(request.headers(), encoding))
            .find_map(|(encoding, name)| files.by_path.get(name).map(|f| (Some(encoding), f)))
            .unwrap_or((None, file));
        let precompressed = files.by_path.contains_key(&variants[1]) || files.by_path.contains_key(&variants[2]);
        let not_modified = request
            .headers()
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .any(|tags| tags.to_str().is_ok_and(|tags| tags.split(',').any(|t| t.trim() == sent.etag || t.trim() == "*")));
        let mut response = if not_modified { StatusCode::NOT_MODIFIED.into_response() } else { Response::new(Body::from(sent.bytes.clone())) };
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, file.content_type.clone());
        h.insert(header::ETAG, sent.etag.clone());
        if let Some(encoding) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        if precompressed {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        let cache = if is_hashed(path) { "public, max-age=31536000, immutable" } else { "no-cache" };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        response
    }
}

/// The file a request path names, relative to the directory, or `None`
/// when it is refused: a segment that does not decode (strictly to UTF-8,
/// as a file server decodes), starts with `.`, or holds a separator.
fn relative(path: &str) -> Option<String> {
    let mut relative = String::with_capacity(path.len());
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let segment = percent_decode_utf8(raw)?;
        if segment.starts_with('.') || segment.contains(['/', '\\', '\0']) {
            return None;
        }
        if !relative.is_empty() {
            relative.push('/');
        }
        relative.push_str(&segment);
    }
    Some(relative)
}

/// Whether a directory on the way to `name` was a link out of the directory.
fn prefix_outside(outside: &HashSet<String>, name: &str) -> bool {
    !outside.is_empty() && name.match_indices('/').any(|(at, _)| outside.contains(&name[..at]))
}

fn index(files: &Files) -> Response<Body> {
    match &files.page {
        Some(page) => {
            let mut response = Response::new(Body::from(page.html.clone()));
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            h.insert(header::CONTENT_SECURITY_POLICY, page.csp.clone());
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// When `index.html` was last changed, and its size (`None` without one).
fn stamp(index: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(index).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Reads the whole directory (blocking): the page with its policy, and
/// every other file that is not hidden and does not lead outside it.
fn load(dir: &Path, connect_src: &str) -> Files {
    let index = dir.join("index.html");
    let stamp = stamp(&index);
    let page = std::fs::read(&index).ok().and_then(|html| {
        let csp = policy(&String::from_utf8_lossy(&html), connect_src);
        Some(Arc::new(Page { html: Bytes::from(html), csp: HeaderValue::from_str(&csp).ok()? }))
    });
    let mut files = Files { stamp, page, ..Files::default() };
    let Ok(root) = std::fs::canonicalize(dir) else { return files };
    let mut total = 0u64;
    let mut visited = HashSet::new();
    read_dir(&root, &root, String::new(), 0, &mut visited, &mut files, &mut total);
    files
}

fn read_dir(root: &Path, dir: &Path, prefix: String, depth: usize, visited: &mut HashSet<PathBuf>, files: &mut Files, total: &mut u64) {
    // A link back up must not read the same directory for ever.
    if depth > MAX_DEPTH || !visited.insert(dir.to_path_buf()) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
        if name.starts_with('.') {
            continue;
        }
        let relative = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let Ok(real) = std::fs::canonicalize(entry.path()) else { continue };
        if !real.starts_with(root) {
            files.outside.insert(relative);
            continue;
        }
        let Ok(meta) = std::fs::metadata(&real) else { continue };
        if meta.is_dir() {
            read_dir(root, &real, relative, depth + 1, visited, files, total);
        } else if meta.is_file() {
            if *total + meta.len() > MAX_SITE_BYTES {
                tracing::warn!(file = relative, "the site is larger than the proxy holds in memory: file not served");
                continue;
            }
            let Ok(bytes) = std::fs::read(&real) else { continue };
            *total += bytes.len() as u64;
            let content_type =
                mime_guess::from_path(&relative).first_raw().map_or(HeaderValue::from_static("application/octet-stream"), HeaderValue::from_static);
            let digest = Sha256::digest(&bytes);
            let etag = format!("\"{}\"", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..12]));
            let Ok(etag) = HeaderValue::from_str(&etag) else { continue };
            files.by_path.insert(relative, File { bytes: Bytes::from(bytes), content_type, etag });
        }
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

/// Trunk's content-hashed names: `name-0123456789abcdef.js`, `…_bg.wasm`.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default().as_bytes();
    (0..name.len())
        .any(|i| name[i] == b'-' && name.len() > i + 17 && name[i + 1..i + 17].iter().all(|b| b.is_ascii_hexdigit()) && matches!(name[i + 17], b'.' | b'_'))
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
