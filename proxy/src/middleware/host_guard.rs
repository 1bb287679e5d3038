//! The Host guard: a request with more than one `Host` is refused (RFC 9110
//! §7.2), and when the proxy is bound to loopback (or `--allowed-host` is
//! given) only loopback names and the allowed names are answered, so that a
//! web page whose DNS name was rebound to 127.0.0.1 cannot reach the proxy
//! from someone's browser.

use std::net::Ipv4Addr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Response};
use axum::middleware::Next;

use crate::error::ProxyError;
use crate::AppState;

pub(crate) async fn layer(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response<Body> {
    let refused = if request.headers().get_all(header::HOST).iter().nth(1).is_some() {
        Some(ProxyError::DuplicateHeader)
    } else if state.config.guard_host && !host_allowed(&request, &state.config.allowed_hosts) {
        Some(ProxyError::HostNotAllowed)
    } else {
        None
    };
    match refused {
        Some(error) => super::refuse(request.uri(), &state.metrics, error),
        None => next.run(request).await,
    }
}

/// The request's host name, without port, lowercased, from `Host` or (HTTP/2) the URI authority.
fn request_host(request: &Request) -> Option<String> {
    let raw = match request.headers().get(header::HOST) {
        Some(value) => value.to_str().ok()?.to_string(),
        None => request.uri().authority()?.as_str().to_string(),
    };
    let raw = raw.trim().to_ascii_lowercase();
    let host = if raw.starts_with('[') {
        let end = raw.find(']')?;
        let (host, rest) = raw.split_at(end + 1);
        if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))) {
            return None;
        }
        host.to_string()
    } else {
        match raw.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host.to_string(),
            Some(_) => return None,
            None => raw,
        }
    };
    let host = host.strip_suffix('.').unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// Loopback names (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`) with
/// any port, and the configured names.
fn host_allowed(request: &Request, allowed: &[String]) -> bool {
    let Some(host) = request_host(request) else { return false };
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || allowed.contains(&host)
}
