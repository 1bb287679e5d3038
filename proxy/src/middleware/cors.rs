//! CORS for `/api`: the origin check, the preflight answer and the headers
//! of an allowed cross-origin answer.
//!
//! A small layer of its own rather than tower-http's `CorsLayer`, whose
//! policy is to leave the CORS headers off for an origin it does not allow
//! and still run the request. Here a request from an origin that is neither
//! the page's own nor an `--allow-origin` one is refused with 403 before it
//! costs anything: no upstream call is made with a token some other page
//! got hold of (a browser would not show that page the answer, but the call
//! would still be made), and a preflight for a method or header the relay
//! does not forward is refused too. The method a preflight may ask for is
//! the route's own: GET, or POST for billing's query, the one route that
//! takes a (JSON) body.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use super::{Answer, AnswerProj};
use crate::client_ip::{self, Cidr};
use crate::error::ProxyError;
use crate::relay;
use crate::AppState;

/// How a request stands towards CORS.
enum Cross {
    /// No `Origin`: not a cross-origin browser request.
    None,
    /// The page's own origin: the scheme the browser used for this
    /// request ([`page_scheme`]), and the host and port of `Host`.
    SameOrigin,
    /// One of the `--allow-origin` origins.
    Allowed(HeaderValue),
}

/// `Access-Control-Expose-Headers` of an allowed cross-origin answer.
pub const EXPOSED: &str = "X-Request-Id, Date";

/// `Access-Control-Allow-Headers` of a preflight: the headers the relay forwards.
pub fn preflight_headers() -> HeaderValue {
    HeaderValue::from_str(&relay::FORWARDED_REQUEST_HEADERS.join(", ")).expect("header names are valid header values")
}

#[derive(Clone)]
/// The layer that makes [`Cors`] (`lib.rs` stacks it).
pub struct CorsLayer(pub(crate) Arc<AppState>);

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors { inner, state: self.0.clone() }
    }
}

#[derive(Clone)]
pub struct Cors<S> {
    inner: S,
    state: Arc<AppState>,
}

impl<S> Service<Request> for Cors<S>
where
    S: Service<Request, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = CorsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let scheme = || page_scheme(&request, &self.state.config.trusted_proxies);
        let cross = match cross(request.headers(), request.uri(), &self.state.config.allow_origins, scheme) {
            Ok(cross) => cross,
            // Refused before anything else: no CORS headers on the answer.
            Err(e) => return CorsFuture { answer: Answer::now(e.into_response()), headers: None },
        };
        let preflight_asked = request.method() == Method::OPTIONS;
        let answer = if preflight_asked {
            Answer::now(preflight(&self.state, &cross, request.uri(), request.headers()).unwrap_or_else(IntoResponse::into_response))
        } else {
            Answer::inner(self.inner.call(request))
        };
        CorsFuture { answer, headers: Some((cross, preflight_asked)) }
    }
}

pin_project! {
    /// The answer, with `Vary` and (for an allowed origin) the CORS headers.
    pub struct CorsFuture<F> {
        #[pin]
        answer: Answer<F>,
        headers: Option<(Cross, bool)>,
    }
}

impl<F, E> Future for CorsFuture<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.answer.project() {
            AnswerProj::Now { response } => response.take().expect("an answer is polled once it is ready"),
            AnswerProj::Inner { future } => ready!(future.poll(cx))?,
        };
        let Some((cross, preflight_asked)) = this.headers.take() else { return Poll::Ready(Ok(response)) };
        let h = response.headers_mut();
        // Beside a compressed answer's `Vary: Accept-Encoding` (gzip.rs).
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        if let Cross::Allowed(origin) = cross {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if !preflight_asked {
                // `Date`, not a CORS-safelisted answer header: the console
                // reads the proxy's clock from it, to date a signature the
                // gateway accepts (an X-Sdk-Date off by more than 15
                // minutes is refused).
                h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED));
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// The scheme the browser used for this request, which a page of the same
/// origin has too: on a direct connection, HTTPS when the proxy serves TLS
/// itself and plain HTTP otherwise; behind a trusted proxy what its
/// `X-Forwarded-Proto` says, or HTTPS when it says nothing (a balancer in
/// front is there for TLS).
fn page_scheme(request: &Request, trusted: &[Cidr]) -> &'static str {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if !peer.is_some_and(|peer| client_ip::is_trusted(trusted, peer)) {
        return if request.extensions().get::<crate::tls::OverTls>().is_some() { "https://" } else { "http://" };
    }
    let said = request.headers().get_all("x-forwarded-proto").iter().next_back().and_then(|v| v.to_str().ok());
    match said.and_then(|v| v.rsplit(',').next()).map(str::trim) {
        Some(proto) if proto.eq_ignore_ascii_case("http") => "http://",
        _ => "https://",
    }
}

/// How the request stands; `scheme` is asked only when there is an
/// `Origin` that is not an allowed one. The page's host is `Host`, or over
/// HTTP/2 (which has no `Host` line) the `:authority`.
fn cross(headers: &HeaderMap, uri: &Uri, allowed: &[String], scheme: impl FnOnce() -> &'static str) -> Result<Cross, ProxyError> {
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(Cross::None) };
    let text = origin.to_str().map_err(|_| ProxyError::OriginNotAllowed)?;
    if allowed.iter().any(|a| a == text) {
        return Ok(Cross::Allowed(origin.clone()));
    }
    let scheme = scheme();
    let host = match headers.get(header::HOST) {
        Some(host) => host.to_str().unwrap_or_default(),
        None => uri.authority().map_or("", |a| a.as_str()),
    };
    let same = !host.is_empty()
        && text.len() > scheme.len()
        && text.is_char_boundary(scheme.len())
        && text[..scheme.len()].eq_ignore_ascii_case(scheme)
        && text[scheme.len()..].eq_ignore_ascii_case(host);
    if same {
        Ok(Cross::SameOrigin)
    } else {
        Err(ProxyError::OriginNotAllowed)
    }
}

/// A CORS preflight from an allowed origin for the route's method (GET,
/// or POST on billing's query) with relayed headers only; any other
/// OPTIONS request is told what is allowed.
fn preflight(state: &AppState, cross: &Cross, uri: &Uri, headers: &HeaderMap) -> Result<Response<Body>, ProxyError> {
    // The route's method, where the path names a route; GET otherwise
    // (the request itself will then be refused for its path).
    let post = relay::parse_target_ref(uri, &state.config.service_hosts).is_ok_and(|t| t.route.method() == "POST");
    let (allowed, allow) = if post { ("POST", "POST, OPTIONS") } else { ("GET", "GET, OPTIONS") };
    let Some(method) = headers.get(header::ACCESS_CONTROL_REQUEST_METHOD) else {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
        return Ok(response);
    };
    if !matches!(cross, Cross::Allowed(_)) || method != allowed {
        return Err(ProxyError::OriginNotAllowed);
    }
    for requested in headers.get_all(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        let requested = requested.to_str().map_err(|_| ProxyError::OriginNotAllowed)?;
        let all_relayed = requested
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .all(|h| relay::FORWARDED_REQUEST_HEADERS.contains(&h.as_str()));
        if !all_relayed {
            return Err(ProxyError::OriginNotAllowed);
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(allowed));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, state.preflight_headers.clone());
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("7200"));
    Ok(response)
}
