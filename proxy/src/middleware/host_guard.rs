//! The Host guard: a request with more than one `Host` is refused (RFC 9110
//! §7.2), and when the proxy is bound to loopback (or `--allowed-host` is
//! given) only loopback names and the allowed names are answered, so that a
//! web page whose DNS name was rebound to 127.0.0.1 cannot reach the proxy
//! from someone's browser. The metrics listener (loopback only) answers
//! loopback names only ([`LoopbackOnlyLayer`]).

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Response};
use axum::response::IntoResponse;
use tower::{Layer, Service};

use super::Answer;
use crate::error::ProxyError;
use crate::AppState;

#[derive(Clone)]
/// The layer that makes [`HostGuard`] (`lib.rs` stacks it).
pub struct HostGuardLayer(pub(crate) Arc<AppState>);

impl<S> Layer<S> for HostGuardLayer {
    type Service = HostGuard<S>;

    fn layer(&self, inner: S) -> HostGuard<S> {
        HostGuard { inner, state: self.0.clone() }
    }
}

#[derive(Clone)]
pub struct HostGuard<S> {
    inner: S,
    state: Arc<AppState>,
}

impl<S> Service<Request> for HostGuard<S>
where
    S: Service<Request, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let config = &self.state.config;
        let refused = if request.headers().get_all(header::HOST).iter().nth(1).is_some() {
            Some(ProxyError::DuplicateHeader)
        } else if config.guard_host && !host_allowed(&request, &config.allowed_hosts) {
            Some(ProxyError::HostNotAllowed)
        } else {
            None
        };
        match refused {
            Some(error) => Answer::now(super::refuse(request.uri(), &self.state.metrics, error)),
            None => Answer::inner(self.inner.call(request)),
        }
    }
}

/// The guard of the metrics listener: one `Host`, a loopback name.
#[derive(Clone, Copy)]
pub struct LoopbackOnlyLayer;

impl<S> Layer<S> for LoopbackOnlyLayer {
    type Service = LoopbackOnly<S>;

    fn layer(&self, inner: S) -> LoopbackOnly<S> {
        LoopbackOnly { inner }
    }
}

#[derive(Clone)]
pub struct LoopbackOnly<S> {
    inner: S,
}

impl<S> Service<Request> for LoopbackOnly<S>
where
    S: Service<Request, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let one = request.headers().get_all(header::HOST).iter().nth(1).is_none();
        if one && host_allowed(&request, &[]) {
            Answer::inner(self.inner.call(request))
        } else {
            Answer::now(ProxyError::HostNotAllowed.into_response())
        }
    }
}

/// The request's host name, without port and trailing dot, from `Host` or
/// (HTTP/2) the URI authority, as it was sent: compared without regard to
/// ASCII case below, which is what lowercasing it first did, without the copy.
fn request_host(request: &Request) -> Option<&str> {
    host_of(request.headers(), request.uri())
}

/// [`request_host`] from a request's parts.
fn host_of<'a>(headers: &'a axum::http::HeaderMap, uri: &'a axum::http::Uri) -> Option<&'a str> {
    let raw = match headers.get(header::HOST) {
        Some(value) => value.to_str().ok()?,
        None => uri.authority()?.as_str(),
    };
    let raw = raw.trim();
    let host = if raw.starts_with('[') {
        let end = raw.find(']')?;
        let (host, rest) = raw.split_at(end + 1);
        if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))) {
            return None;
        }
        host
    } else {
        match raw.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            Some(_) => return None,
            None => raw,
        }
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// Loopback names (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`) with
/// any port, and the configured names.
fn host_allowed(request: &Request, allowed: &[String]) -> bool {
    let Some(host) = request_host(request) else { return false };
    is_loopback(host) || allowed.iter().any(|name| is_lowercase_of(name, host))
}

/// Whether a request (its `Host`, or HTTP/2 authority) names this machine
/// by a loopback name.
pub(crate) fn is_loopback_name(headers: &axum::http::HeaderMap, uri: &axum::http::Uri) -> bool {
    host_of(headers, uri).is_some_and(is_loopback)
}

fn is_loopback(host: &str) -> bool {
    const SUFFIX: &str = ".localhost";
    host.eq_ignore_ascii_case("localhost")
        || (host.len() >= SUFFIX.len() && host.is_char_boundary(host.len() - SUFFIX.len()) && host[host.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX))
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// `name == host.to_ascii_lowercase()`, without making the lowercase copy
/// (an `--allowed-host` is stored lowercased; one that is not never matched).
fn is_lowercase_of(name: &str, host: &str) -> bool {
    name.len() == host.len() && name.bytes().zip(host.bytes()).all(|(n, h)| n == h.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(host: &str, names: &[&str]) -> bool {
        let request = Request::builder().uri("/").header(header::HOST, host).body(Body::empty()).unwrap();
        host_allowed(&request, &names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn loopback_and_allowed_names_in_any_case() {
        for host in ["localhost", "LocalHost:8080", "app.localhost", "a.LOCALHOST.", "127.0.0.1:1", "127.9.9.9", "[::1]:80", " localhost "] {
            assert!(allowed(host, &[]), "{host}");
        }
        for host in ["evil.example", "localhost.evil", "xlocalhost", "[::1]x", "localhost:8o", "128.0.0.1", "", ":80", "[::2]"] {
            assert!(!allowed(host, &[]), "{host}");
        }
        assert!(allowed("Console.Example.:443", &["console.example"]));
        assert!(!allowed("console.example", &["Console.example"]), "names are stored lowercased; one that is not never matched");
        let h2 = Request::builder().uri("http://LOCALHOST:3000/api").body(Body::empty()).unwrap();
        assert!(host_allowed(&h2, &[]));
    }
}
