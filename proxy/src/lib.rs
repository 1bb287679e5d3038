//! tenantscope-proxy: the small server that lets the browser console reach
//! Huawei Cloud APIs, which send no CORS headers (docs/huawei-apis.md §5).
//!
//! [`app`] builds the whole router from a [`Config`]: `/api/...` relayed (or
//! answered by the demo tenant), `/healthz`, `/metrics`, and the built site at
//! `/`; [`server::serve`] runs it. `main.rs` only parses flags, binds and serves.
//!
//! Every request first passes [`guard`] (target length, a single Host, Host
//! allow-list when bound to loopback, header size cap, security headers on
//! the answer); `/api` requests then pass the origin check (CORS), the method
//! check, the single-credential check, the per-client rate limit and path
//! validation, in that order, before anything is sent upstream.

pub mod config;
pub mod demo;
pub mod error;
pub mod logging;
pub mod metrics;
pub mod ratelimit;
pub mod relay;
pub mod server;
pub mod site;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tenantscope_catalog::Service;

pub use config::Config;
use error::ProxyError;
use metrics::Metrics;
use ratelimit::Limiter;
use relay::{Target, Upstream};

struct AppState {
    config: Config,
    upstream: Upstream,
    metrics: Arc<Metrics>,
    limiter: Limiter,
    preflight_headers: HeaderValue,
}

/// The proxy's router for `config`.
pub fn app(config: Config) -> Router {
    let metrics = Arc::new(Metrics::default());
    let site = config.static_dir.clone().map(|dir| site::Site::new(dir, &config.connect_src));
    let state = Arc::new(AppState {
        upstream: Upstream::new(&config, metrics.clone()),
        limiter: Limiter::new(config.rate_per_sec, config.rate_burst),
        preflight_headers: HeaderValue::from_str(&relay::FORWARDED_REQUEST_HEADERS.join(", "))
            .expect("header names are valid header values"),
        metrics,
        config,
    });

    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics_text))
        .route("/api/{*rest}", any(api))
        .route("/api", any(api))
        .route("/api/", any(api))
        .with_state(state.clone());
    let router = match site {
        Some(site) => site.mount(router),
        None => router.fallback(|| async { StatusCode::NOT_FOUND }),
    };
    router.layer(middleware::from_fn_with_state(state, guard))
}

async fn metrics_text(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], state.metrics.render())
}

/// The longest request target (path and query) served: the console's
/// longest call is well under 1 KiB; anything near this is an attack.
const MAX_TARGET_BYTES: usize = 8 << 10;

/// What every request passes, whatever its path: the target length, a single
/// Host, the Host guard (DNS rebinding) and the header size cap; then
/// security headers on the answer.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response<Body> {
    let refused = if request.uri().path().len() + request.uri().query().map_or(0, str::len) > MAX_TARGET_BYTES {
        Some(ProxyError::UriTooLong)
    } else if request.headers().get_all(header::HOST).iter().nth(1).is_some() {
        // RFC 9110 §7.2: a request with more than one Host is invalid.
        Some(ProxyError::DuplicateHeader)
    } else if state.config.guard_host && !host_allowed(&request, &state.config.allowed_hosts) {
        Some(ProxyError::HostNotAllowed)
    } else if headers_size(request.headers()) > state.config.max_header_bytes {
        Some(ProxyError::HeadersTooLarge)
    } else {
        None
    };
    let mut response = match refused {
        Some(error) => {
            let status = error.status().as_u16();
            tracing::info!(status, code = error.code(), "refused");
            if request.uri().path().starts_with("/api") {
                state.metrics.count_request(None, status);
            }
            error.into_response()
        }
        None => next.run(request).await,
    };
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    response
}

fn headers_size(headers: &HeaderMap) -> usize {
    headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum()
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

/// How the request stands towards CORS.
enum Cross {
    /// No `Origin`: not a cross-origin browser request.
    None,
    /// The page's own origin (same scheme-less host and port as `Host`).
    SameOrigin,
    /// One of the `--allow-origin` origins.
    Allowed(HeaderValue),
}

fn cross(headers: &HeaderMap, allowed: &[String]) -> Result<Cross, ProxyError> {
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(Cross::None) };
    let text = origin.to_str().map_err(|_| ProxyError::OriginNotAllowed)?;
    if allowed.iter().any(|a| a == text) {
        return Ok(Cross::Allowed(origin.clone()));
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let same = !host.is_empty()
        && text.strip_prefix("http://").or_else(|| text.strip_prefix("https://")).is_some_and(|rest| rest.eq_ignore_ascii_case(host));
    if same {
        Ok(Cross::SameOrigin)
    } else {
        Err(ProxyError::OriginNotAllowed)
    }
}

/// The client a rate-limit bucket belongs to. From the header, the last
/// address of the last line: a balancer that appends (HAProxy `option
/// forwardfor`) adds its own line after any the client wrote, and one that
/// extends a list puts its address at the end.
fn client_ip(request: &Parts, config: &Config) -> IpAddr {
    let from_header = config.client_ip_header.as_ref().and_then(|name| {
        let value = request.headers.get_all(name).iter().next_back()?.to_str().ok()?;
        value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    });
    from_header
        .or_else(|| request.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

async fn api(State(state): State<Arc<AppState>>, request: Request) -> Response<Body> {
    let started = Instant::now();
    let mut line = AccessLine { service: None, route: "-", status: 0, upstream: None, started, metrics: state.metrics.clone() };
    let (request, _body) = request.into_parts();
    let headers = &request.headers;
    let cross = match cross(headers, &state.config.allow_origins) {
        Ok(cross) => cross,
        Err(e) => return line.finish(e.into_response(), None),
    };
    let method = request.method.clone();
    let mut response = if method == Method::OPTIONS {
        preflight(&state, &cross, headers)
    } else if method != Method::GET {
        Err(ProxyError::MethodNotAllowed)
    } else {
        relay_get(&state, &request, &mut line).await
    }
    .unwrap_or_else(IntoResponse::into_response);
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Cross::Allowed(origin) = cross {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if method != Method::OPTIONS {
            h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("X-Request-Id"));
        }
    }
    let request_id = response.headers().get("x-request-id").cloned();
    line.finish(response, request_id)
}

/// A CORS preflight from an allowed origin for GET with relayed headers
/// only; any other OPTIONS request is told what is allowed.
fn preflight(state: &AppState, cross: &Cross, headers: &HeaderMap) -> Result<Response<Body>, ProxyError> {
    let Some(method) = headers.get(header::ACCESS_CONTROL_REQUEST_METHOD) else {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, OPTIONS"));
        return Ok(response);
    };
    if !matches!(cross, Cross::Allowed(_)) || method != "GET" {
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
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, state.preflight_headers.clone());
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("7200"));
    Ok(response)
}

async fn relay_get(state: &AppState, request: &Parts, line: &mut AccessLine) -> Result<Response<Body>, ProxyError> {
    relay::check_duplicates(&request.headers)?;
    let client = client_ip(request, &state.config);
    state.limiter.check(client).map_err(|retry_after_secs| {
        state.metrics.rate_limited();
        ProxyError::RateLimited { retry_after_secs }
    })?;
    // Where the operator's --service-host makes a service offered beyond
    // the catalogue: the console asks so that it does not call it "not
    // offered". Hosts only, nothing secret.
    if request.uri.path() == "/api/offered" {
        return Ok(offered(&state.config));
    }
    let target = relay::parse_target(&request.uri, &state.config.service_hosts)?;
    line.service = Some(target.service);
    line.route = target.route.template();
    if state.config.demo {
        if !state.config.demo_latency.is_zero() {
            tokio::time::sleep(state.config.demo_latency).await;
        }
        return Ok(demo_response(&target, &request.headers));
    }
    let relayed = state.upstream.forward(&target, &request.headers, client).await?;
    line.upstream = Some(relayed.latency);
    Ok(relayed.response)
}

/// `GET /api/offered`: `{"service_hosts": [{"service", "region", "host"}]}`,
/// the operator's `--service-host` entries.
fn offered(config: &Config) -> Response<Body> {
    let hosts: Vec<serde_json::Value> = config
        .service_hosts
        .iter()
        .map(|h| serde_json::json!({ "service": h.service.key(), "region": h.region, "host": h.host }))
        .collect();
    let mut response = (StatusCode::OK, serde_json::json!({ "service_hosts": hosts }).to_string()).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    h.insert("x-request-id", relay::new_request_id());
    response
}

fn demo_response(target: &Target, headers: &HeaderMap) -> Response<Body> {
    let now = time::OffsetDateTime::now_utc();
    let reply = demo::respond(target.route, target.param.as_deref(), target.query.as_deref(), headers, now);
    let mut response = reply.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    h.insert("x-request-id", relay::new_request_id());
    response
}

/// The one log line of an API request, written when its answer's body has
/// been sent (or abandoned), with the bytes that went out. It holds only
/// values from fixed sets (service key, route template, status) and the
/// request id: never a header, path parameter or query value.
struct AccessLine {
    service: Option<Service>,
    route: &'static str,
    status: u16,
    upstream: Option<Duration>,
    started: Instant,
    metrics: Arc<Metrics>,
}

impl AccessLine {
    fn finish(mut self, mut response: Response<Body>, request_id: Option<HeaderValue>) -> Response<Body> {
        self.status = response.status().as_u16();
        self.metrics.count_request(self.service, self.status);
        let request_id = match request_id {
            Some(id) => id,
            None => {
                let id = relay::new_request_id();
                response.headers_mut().insert("x-request-id", id.clone());
                id
            }
        };
        response.map(|inner| {
            Body::new(LoggedBody { inner, bytes: 0, outcome: "abandoned", line: Some(self), request_id })
        })
    }
}

struct LoggedBody {
    inner: Body,
    bytes: u64,
    outcome: &'static str,
    line: Option<AccessLine>,
    request_id: HeaderValue,
}

impl HttpBody for LoggedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                self.bytes += frame.data_ref().map_or(0, |d| d.len() as u64);
                if self.inner.is_end_stream() {
                    self.outcome = "complete";
                }
            }
            Poll::Ready(Some(Err(_))) => self.outcome = "cut",
            Poll::Ready(None) => self.outcome = "complete",
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for LoggedBody {
    fn drop(&mut self) {
        let Some(line) = self.line.take() else { return };
        // hyper stops polling once a body says it has ended, so "ended" is
        // the body's own word (or nothing left to send), not a final poll.
        let ended = self.inner.is_end_stream() || self.inner.size_hint().exact() == Some(0);
        let outcome = if self.outcome == "abandoned" && ended { "complete" } else { self.outcome };
        tracing::info!(
            service = line.service.map_or("-", Service::key),
            route = line.route,
            status = line.status,
            upstream_ms = line.upstream.map(|d| d.as_secs_f64() * 1000.0),
            total_ms = line.started.elapsed().as_secs_f64() * 1000.0,
            bytes = self.bytes,
            body = outcome,
            request_id = self.request_id.to_str().unwrap_or("-"),
            "api"
        );
    }
}
