//! The relay: turns `/api/{service}/{region}/{path}?{query}` into a call to the
//! one host the catalogue gives for that service and region, forwarding only
//! the headers the APIs need and only the headers the console needs back.
//!
//! The destination is never taken from the request: the service key and the
//! region select a row of `tenantscope_catalog`, the path is rebuilt from one
//! of the documented route templates and decoded, validated segments
//! ([`tenantscope_catalog::parse_api_call`]), and the operator's
//! `--upstream-base` is the only other destination there is.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Response, StatusCode, Uri};
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tenantscope_catalog::{parse_api_call, ApiCall, PathError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Config;
use crate::error::ProxyError;
use crate::metrics::Metrics;

/// Request headers forwarded upstream; every other header is dropped
/// (cookies, the client's Host, Forwarded/X-Forwarded-*/X-Real-IP, hop-by-hop
/// headers, names with an underscore...).
/// The last four are those of AK/SK-signed requests (docs/huawei-apis.md §4).
pub const FORWARDED_REQUEST_HEADERS: [&str; 8] = [
    "x-auth-token",
    "x-subject-token",
    "accept",
    "content-type",
    "authorization",
    "x-sdk-date",
    "x-project-id",
    "x-security-token",
];

/// Response headers passed back to the browser; every other one is dropped
/// (Set-Cookie, WWW-Authenticate, the upstream's own CORS headers...).
pub const RETURNED_RESPONSE_HEADERS: [&str; 4] = ["content-type", "content-length", "x-request-id", "retry-after"];

/// One validated API call: which route of which service in which region.
pub type Target = ApiCall;

impl From<PathError> for ProxyError {
    fn from(e: PathError) -> ProxyError {
        match e {
            PathError::UnknownService => ProxyError::UnknownService,
            PathError::InvalidPath => ProxyError::InvalidPath,
            PathError::RegionNotOffered => ProxyError::RegionNotOffered,
            PathError::RouteNotAllowed => ProxyError::RouteNotAllowed,
        }
    }
}

/// Parses the proxy URI (`/api/...`). The order of checks gives each mistake
/// its own answer: unknown service, malformed segment or query, region, route.
pub fn parse_target(uri: &Uri) -> Result<Target, ProxyError> {
    let rest = uri.path().strip_prefix("/api/").ok_or(ProxyError::RouteNotAllowed)?;
    Ok(parse_api_call(rest, uri.query())?)
}

/// The upstream URL: the catalogue's host, or the operator's base URL.
pub fn upstream_url(target: &Target, base: Option<&str>) -> Result<String, ProxyError> {
    let origin = match base {
        Some(base) => base.trim_end_matches('/').to_string(),
        None => format!("https://{}", target.host().ok_or(ProxyError::RegionNotOffered)?),
    };
    Ok(match &target.query {
        Some(q) => format!("{origin}{}?{q}", target.path),
        None => format!("{origin}{}", target.path),
    })
}

/// The HTTP client for upstream calls: pooled keep-alive connections
/// (HTTP/2 where the host offers it), no redirects, no system proxy, bounded
/// waits, a cap on concurrent calls and on answer size.
#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: Option<String>,
    slots: Arc<Semaphore>,
    queue_wait: Duration,
    max_body: u64,
    metrics: Arc<Metrics>,
}

/// A relayed answer and how long the upstream took to send its headers.
pub struct Relayed {
    pub response: Response<Body>,
    pub latency: Duration,
}

impl Upstream {
    pub fn new(config: &Config, metrics: Arc<Metrics>) -> Upstream {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .timeout(config.upstream_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .user_agent(concat!("tenantscope-proxy/", env!("CARGO_PKG_VERSION")))
            .connector_layer(CountConnections(metrics.clone()))
            .build()
            .expect("the TLS backend is compiled in");
        Upstream {
            client,
            base: config.upstream_base.clone(),
            slots: Arc::new(Semaphore::new(config.max_upstream.max(1))),
            queue_wait: config.upstream_queue_wait,
            max_body: config.max_body_bytes,
            metrics,
        }
    }

    async fn slot(&self) -> Result<OwnedSemaphorePermit, ProxyError> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        match tokio::time::timeout(self.queue_wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ProxyError::Busy),
        }
    }

    pub async fn forward(&self, target: &Target, headers: &HeaderMap) -> Result<Relayed, ProxyError> {
        let url = upstream_url(target, self.base.as_deref())?;
        let permit = self.slot().await?;
        let mut request = self.client.get(url);
        for name in FORWARDED_REQUEST_HEADERS {
            for value in headers.get_all(name) {
                request = request.header(name, value);
            }
        }
        let in_flight = InFlight::new(self.metrics.clone());
        self.metrics.upstream_requests.fetch_add(1, Relaxed);
        let started = Instant::now();
        let mut upstream = request.send().await.map_err(classify)?;
        let latency = started.elapsed();
        self.metrics.observe_upstream(target.service, latency);

        let status = upstream.status();
        if status.is_redirection() {
            return Err(ProxyError::UpstreamRedirect);
        }
        if upstream.content_length().is_some_and(|n| n > self.max_body) {
            return Err(ProxyError::UpstreamTooLarge);
        }
        let is_json = upstream
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_type);
        let mut returned = HeaderMap::new();
        for name in RETURNED_RESPONSE_HEADERS {
            if let Some(value) = upstream.headers().get(name) {
                returned.insert(HeaderName::from_static(name), value.clone());
            }
        }
        // The first bytes decide: JSON starts with `{` or `[`. An HTML page
        // (even one labelled JSON) becomes a proxy error; an empty body passes.
        let first = loop {
            match upstream.chunk().await.map_err(classify)? {
                Some(chunk) if chunk.is_empty() => continue,
                other => break other,
            }
        };
        if let Some(chunk) = &first {
            let starts_json = match chunk.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b) => *b == b'{' || *b == b'[',
                None => true,
            };
            if !is_json || !starts_json {
                return Err(ProxyError::UpstreamNotJson);
            }
            if chunk.len() as u64 > self.max_body {
                return Err(ProxyError::UpstreamTooLarge);
            }
        }
        let body = RelayBody {
            seen: first.as_ref().map_or(0, |c| c.len() as u64),
            first,
            rest: Some(reqwest::Body::from(upstream)),
            max: self.max_body,
            metrics: self.metrics.clone(),
            _slot: (permit, in_flight),
        };
        let mut response = Response::new(Body::new(body));
        *response.status_mut() = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        *response.headers_mut() = returned;
        Ok(Relayed { response, latency })
    }
}

fn classify(e: reqwest::Error) -> ProxyError {
    if e.is_timeout() {
        ProxyError::UpstreamTimeout
    } else {
        ProxyError::UpstreamUnreachable
    }
}

/// `application/json`, `text/json` or `application/*+json`, any parameters.
fn is_json_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Counts the upstream gauge up while a call (and its body) is in flight.
struct InFlight(Arc<Metrics>);

impl InFlight {
    fn new(metrics: Arc<Metrics>) -> InFlight {
        metrics.upstream_in_flight.fetch_add(1, Relaxed);
        InFlight(metrics)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.upstream_in_flight.fetch_sub(1, Relaxed);
    }
}

/// The upstream body, streamed: the peeked first chunk, then the rest, cut
/// off with an error (which aborts the answer) past the cap. Holds the
/// upstream slot until it ends or is dropped.
struct RelayBody {
    first: Option<Bytes>,
    rest: Option<reqwest::Body>,
    seen: u64,
    max: u64,
    metrics: Arc<Metrics>,
    _slot: (OwnedSemaphorePermit, InFlight),
}

/// Why a relayed body stopped early (never carries upstream data).
#[derive(Debug)]
pub struct BodyCut(&'static str);

impl std::fmt::Display for BodyCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyCut {}

impl HttpBody for RelayBody {
    type Data = Bytes;
    type Error = BodyCut;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyCut>>> {
        let this = &mut *self;
        if let Some(first) = this.first.take() {
            this.metrics.body_bytes.fetch_add(first.len() as u64, Relaxed);
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        let Some(rest) = this.rest.as_mut() else { return Poll::Ready(None) };
        match Pin::new(rest).poll_frame(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.rest = None;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                this.rest = None;
                Poll::Ready(Some(Err(BodyCut(if e.is_timeout() { "upstream timeout" } else { "upstream body error" }))))
            }
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => {
                    this.seen += data.len() as u64;
                    if this.seen > this.max {
                        this.rest = None;
                        return Poll::Ready(Some(Err(BodyCut("upstream body over the cap"))));
                    }
                    this.metrics.body_bytes.fetch_add(data.len() as u64, Relaxed);
                    Poll::Ready(Some(Ok(Frame::data(data))))
                }
                // Trailers are not relayed.
                Err(_) => Poll::Ready(None),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.first.is_none() && self.rest.as_ref().is_none_or(|rest| rest.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.first, &self.rest) {
            (first, Some(rest)) => {
                let extra = first.as_ref().map_or(0, |f| f.len() as u64);
                let inner = rest.size_hint();
                let mut hint = SizeHint::new();
                hint.set_lower(inner.lower() + extra);
                if let Some(upper) = inner.upper() {
                    hint.set_upper(upper + extra);
                }
                hint
            }
            (Some(first), None) => SizeHint::with_exact(first.len() as u64),
            (None, None) => SizeHint::with_exact(0),
        }
    }
}

/// A layer on reqwest's connector: every connection it completes (TCP, and
/// TLS where used) is one the pool did not have. Requests sent minus these
/// is how many reused a pooled connection.
#[derive(Clone)]
struct CountConnections(Arc<Metrics>);

impl<S> tower::Layer<S> for CountConnections {
    type Service = Counted<S>;
    fn layer(&self, inner: S) -> Counted<S> {
        Counted { inner, metrics: self.0.clone() }
    }
}

#[derive(Clone)]
struct Counted<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, R> tower::Service<R> for Counted<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let connecting = self.inner.call(request);
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let connection = connecting.await?;
            metrics.connections_opened.fetch_add(1, Relaxed);
            Ok(connection)
        })
    }
}

/// `X-Request-Id` for answers the proxy makes itself: 32 hex digits, like the cloud's.
pub fn new_request_id() -> HeaderValue {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    let (mut a, mut b) = (state.build_hasher(), state.build_hasher());
    a.write_u8(1);
    b.write_u8(2);
    HeaderValue::from_str(&format!("{:016x}{:016x}", a.finish(), b.finish())).expect("hex is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantscope_catalog::Route;

    fn parse(uri: &str) -> Result<Target, ProxyError> {
        parse_target(&uri.parse::<Uri>().unwrap())
    }

    #[test]
    fn builds_the_catalogue_host() {
        let t = parse("/api/hss/cn-north-4/v5/0123abc/billing/quotas-detail?limit=200&offset=0").unwrap();
        assert_eq!(t.route, Route::HssQuotas);
        assert_eq!(
            upstream_url(&t, None).unwrap(),
            "https://hss.cn-north-4.myhuaweicloud.com/v5/0123abc/billing/quotas-detail?limit=200&offset=0"
        );
        assert_eq!(
            upstream_url(&t, Some("http://127.0.0.1:9/")).unwrap(),
            "http://127.0.0.1:9/v5/0123abc/billing/quotas-detail?limit=200&offset=0"
        );
    }

    #[test]
    fn refuses_with_the_right_error() {
        use ProxyError::*;
        let cases = [
            ("/api/ecs/cn-north-4/v1/p/cloudservers", UnknownService),
            ("/api/hss/evil.example.com/v5/p/billing/quotas-detail", InvalidPath),
            ("/api/hss/global/v5/p/billing/quotas-detail", RegionNotOffered),
            ("/api/metastudio/ap-southeast-3/v1/p/tenants/resources", RegionNotOffered),
            ("/api/hss/cn-north-4/v5/../billing/quotas-detail", InvalidPath),
            ("/api/hss/cn-north-4/v5/p%2f/billing/quotas-detail", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x=%00", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x=a%20b%0a", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x=a$b(c)", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/host-management/hosts", RouteNotAllowed),
            ("/api/iam/global/v3/users", RouteNotAllowed),
            ("/apix/iam/global/v3/auth/tokens", RouteNotAllowed),
        ];
        for (uri, expected) in cases {
            assert_eq!(parse(uri).err(), Some(expected), "{uri}");
        }
    }

    #[test]
    fn json_types() {
        for ok in ["application/json", "application/json;charset=UTF-8", "Application/JSON ; x=y", "application/problem+json", "text/json"] {
            assert!(is_json_type(ok), "{ok}");
        }
        for bad in ["text/html", "application/jsonp", "text/plain; json", ""] {
            assert!(!is_json_type(bad), "{bad}");
        }
    }

    #[test]
    fn request_ids_differ() {
        assert_ne!(new_request_id(), new_request_id());
        assert_eq!(new_request_id().len(), 32);
    }
}
