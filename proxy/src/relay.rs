//! The relay: turns `/api/{service}/{region}/{path}?{query}` into a call to the
//! one host the catalogue gives for that service and region, forwarding only
//! the headers the APIs need and only the headers the console needs back.
//!
//! The destination is never taken from the request: the service key and the
//! region select a row of `tenantscope_catalog`, the path is rebuilt from one
//! of the documented route templates and decoded, validated segments
//! ([`tenantscope_catalog::parse_api_call`]), and the operator's
//! `--upstream-base` is the only other destination there is.
//!
//! An upstream call holds a slot (of `--max-upstream`, and of the client's
//! `--max-upstream-per-client`) only while the upstream works: its body is
//! read by a task of its own, a bounded distance ahead of the client and
//! under the proxy's own deadline, so a client that reads slowly or not at
//! all holds buffered bytes, never a slot.

use std::collections::VecDeque;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Response, StatusCode, Uri};
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tenantscope_catalog::{parse_api_call_with, ApiCall, PathError};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::config::{service_host, Config, ServiceHost};
use crate::error::ProxyError;
use crate::metrics::Metrics;
use crate::ratelimit::{ClientSlot, InFlightCap};

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
/// (Set-Cookie, WWW-Authenticate, the upstream's own CORS headers, and
/// framing: Content-Length and Transfer-Encoding are the proxy's own, from
/// the body it sends).
pub const RETURNED_RESPONSE_HEADERS: [&str; 3] = ["content-type", "x-request-id", "retry-after"];

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
/// A region is offered where the catalogue or an operator's `--service-host`
/// names a host.
pub fn parse_target(uri: &Uri, hosts: &[ServiceHost]) -> Result<Target, ProxyError> {
    let rest = uri.path().strip_prefix("/api/").ok_or(ProxyError::RouteNotAllowed)?;
    let offered = |service, region: &str| service_host(hosts, service, region).is_some();
    Ok(parse_api_call_with(rest, uri.query(), offered)?)
}

/// The upstream URL: the operator's host or the catalogue's, or the
/// operator's base URL for everything.
pub fn upstream_url(target: &Target, base: Option<&str>, hosts: &[ServiceHost]) -> Result<String, ProxyError> {
    let origin = match base {
        Some(base) => base.trim_end_matches('/').to_string(),
        None => format!("https://{}", service_host(hosts, target.service, &target.region).ok_or(ProxyError::RegionNotOffered)?),
    };
    Ok(match &target.query {
        Some(q) => format!("{origin}{}?{q}", target.path),
        None => format!("{origin}{}", target.path),
    })
}

/// The HTTP client for upstream calls: pooled keep-alive connections
/// (HTTP/2 where the host offers it), no redirects, no system proxy, bounded
/// waits, a cap on concurrent calls (in all and per client) and on answer size.
#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: Option<String>,
    hosts: Vec<ServiceHost>,
    slots: Arc<Semaphore>,
    per_client: Arc<InFlightCap>,
    queue_wait: Duration,
    timeout: Duration,
    max_body: u64,
    read_ahead: usize,
    metrics: Arc<Metrics>,
}

/// A relayed answer and how long the upstream took to send its headers.
pub struct Relayed {
    pub response: Response<Body>,
    pub latency: Duration,
}

/// Credentials: two of one are ambiguous (a gateway may read the first, the
/// service behind it the last), and no browser sends two, so duplicates are
/// refused rather than one picked.
const SINGLE_CREDENTIALS: [&str; 4] = ["x-auth-token", "x-subject-token", "authorization", "x-security-token"];

/// Refuses a request carrying one of the credential headers twice.
pub fn check_duplicates(headers: &HeaderMap) -> Result<(), ProxyError> {
    for name in SINGLE_CREDENTIALS {
        let mut values = headers.get_all(name).iter();
        if values.next().is_some() && values.next().is_some() {
            return Err(ProxyError::DuplicateHeader);
        }
    }
    Ok(())
}

/// What an upstream call holds while it runs: a global slot, the client's
/// slot and the in-flight gauge. Dropped when the upstream answer has been
/// read (or has failed, or its time is up), whatever the client does.
struct Slot {
    _global: OwnedSemaphorePermit,
    _client: ClientSlot,
    _in_flight: InFlight,
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
            hosts: config.service_hosts.clone(),
            slots: Arc::new(Semaphore::new(config.max_upstream.max(1))),
            per_client: InFlightCap::new(config.max_upstream_per_client),
            queue_wait: config.upstream_queue_wait,
            timeout: config.upstream_timeout,
            max_body: config.max_body_bytes,
            read_ahead: config.answer_buffer_bytes.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize)),
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

    pub async fn forward(&self, target: &Target, headers: &HeaderMap, client: IpAddr) -> Result<Relayed, ProxyError> {
        let url = upstream_url(target, self.base.as_deref(), &self.hosts)?;
        let client_slot = self.per_client.take(client).ok_or(ProxyError::ClientBusy)?;
        let permit = self.slot().await?;
        let mut request = self.client.get(url);
        // One of each: credentials were checked to be single
        // (`check_duplicates`); of the others the first is enough.
        for name in FORWARDED_REQUEST_HEADERS {
            if let Some(value) = headers.get(name) {
                request = request.header(name, value);
            }
        }
        let slot = Slot { _global: permit, _client: client_slot, _in_flight: InFlight::new(self.metrics.clone()) };
        self.metrics.upstream_sent();
        let started = Instant::now();
        // reqwest's total timeout only runs while its body is polled; this
        // deadline is the proxy's own, kept by the task that reads the body.
        let deadline = tokio::time::Instant::from_std(started) + self.timeout;
        let upstream = request.send().await.map_err(classify)?;
        let latency = started.elapsed();
        self.metrics.observe_upstream(target.service, latency);

        let status = upstream.status();
        if status.is_redirection() {
            return Err(ProxyError::UpstreamRedirect);
        }
        // Only final answers: a 1xx or 101 (an upgrade) is not one.
        if status.is_informational() {
            return Err(ProxyError::UpstreamBadStatus);
        }
        if upstream.content_length().is_some_and(|n| n > self.max_body) {
            return Err(ProxyError::UpstreamTooLarge);
        }
        let is_json = upstream
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_type);
        // Content-Length and other framing are never copied: the answer's
        // length is the body's own (hyper sets it from the body).
        let mut returned = HeaderMap::new();
        for name in RETURNED_RESPONSE_HEADERS {
            if let Some(value) = upstream.headers().get(name) {
                returned.insert(HeaderName::from_static(name), value.clone());
            }
        }
        // The first non-whitespace byte decides, however many chunks it takes
        // (within the cap): JSON starts with `{` or `[`. An HTML page (even
        // one labelled JSON) becomes a proxy error; an empty body passes.
        let mut body = reqwest::Body::from(upstream);
        let mut prefix = VecDeque::new();
        let mut seen = 0u64;
        let mut ended = false;
        let starts_json = loop {
            let frame = match tokio::time::timeout_at(deadline, next_frame(&mut body)).await {
                Err(_) => return Err(ProxyError::UpstreamTimeout),
                Ok(frame) => frame,
            };
            let data = match frame {
                None => None,
                Some(Err(e)) => return Err(classify(e)),
                Some(Ok(frame)) => frame.into_data().ok(),
            };
            // The end, or trailers (not relayed): the body is over.
            let Some(data) = data else {
                ended = true;
                break None;
            };
            seen += data.len() as u64;
            if seen > self.max_body {
                return Err(ProxyError::UpstreamTooLarge);
            }
            let first = data.iter().find(|b| !b.is_ascii_whitespace()).copied();
            if !data.is_empty() {
                prefix.push_back(data);
            }
            if let Some(b) = first {
                break Some(b == b'{' || b == b'[');
            }
        };
        if !prefix.is_empty() && (!is_json || starts_json == Some(false)) {
            return Err(ProxyError::UpstreamNotJson);
        }
        ended = ended || body.is_end_stream();
        let remaining = body.size_hint().exact();
        let exact = if ended { Some(seen) } else { remaining.map(|r| r + seen) };
        self.metrics.body_bytes(seen);
        let rest = if ended {
            // All read: the slot is free now, before the client takes anything.
            drop(slot);
            None
        } else {
            // The rest is read by a task of its own, ahead of the client by
            // up to `read_ahead` bytes: an answer that fits frees its slot as
            // soon as the upstream has sent it, a larger one when it has been
            // read or the deadline passes, whether or not the client reads.
            let (tx, rx) = mpsc::unbounded_channel();
            let budget = Arc::new(Semaphore::new(self.read_ahead));
            let reader = Reader {
                body,
                tx,
                budget: budget.clone(),
                read_ahead: self.read_ahead,
                seen,
                max: self.max_body,
                metrics: self.metrics.clone(),
                _slot: slot,
            };
            tokio::spawn(reader.run(deadline));
            Some(Rest { rx, budget, read_ahead: self.read_ahead })
        };
        let body = RelayBody { prefix, rest, remaining: exact };
        let mut response = Response::new(Body::new(body));
        *response.status_mut() = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        *response.headers_mut() = returned;
        Ok(Relayed { response, latency })
    }
}

async fn next_frame(body: &mut reqwest::Body) -> Option<Result<Frame<Bytes>, reqwest::Error>> {
    std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
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
        metrics.upstream_in_flight(1);
        InFlight(metrics)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.upstream_in_flight(-1);
    }
}

/// What the reader task hands the client's body.
enum Piece {
    Data(Bytes),
    End,
    Cut(BodyCut),
}

/// Reads an upstream body to its end, its cap or its deadline, holding the
/// upstream slot until then, never waiting for the client beyond `read_ahead`
/// bytes of buffer (and then only until the deadline).
struct Reader {
    body: reqwest::Body,
    tx: mpsc::UnboundedSender<Piece>,
    budget: Arc<Semaphore>,
    read_ahead: usize,
    seen: u64,
    max: u64,
    metrics: Arc<Metrics>,
    _slot: Slot,
}

impl Reader {
    async fn run(mut self, deadline: tokio::time::Instant) {
        let piece = match tokio::time::timeout_at(deadline, self.read()).await {
            Ok(Some(piece)) => piece,
            // The client went away: nothing to tell it.
            Ok(None) => return,
            Err(_) => Piece::Cut(BodyCut("upstream timeout")),
        };
        let _ = self.tx.send(piece);
    }

    /// The last piece to send, or `None` when the client has gone.
    async fn read(&mut self) -> Option<Piece> {
        loop {
            // A client that goes away frees the slot at once, even while the
            // upstream is silent.
            let frame = tokio::select! {
                frame = next_frame(&mut self.body) => frame,
                _ = self.tx.closed() => return None,
            };
            let data = match frame {
                None => return Some(Piece::End),
                Some(Err(e)) => {
                    return Some(Piece::Cut(BodyCut(if e.is_timeout() { "upstream timeout" } else { "upstream body error" })))
                }
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    // Trailers are not relayed.
                    Err(_) => return Some(Piece::End),
                },
            };
            self.seen += data.len() as u64;
            if self.seen > self.max {
                return Some(Piece::Cut(BodyCut("upstream body over the cap")));
            }
            let cost = data.len().min(self.read_ahead) as u32;
            // The client's body closes the budget when it is dropped.
            self.budget.acquire_many(cost).await.ok()?.forget();
            self.metrics.body_bytes(data.len() as u64);
            self.tx.send(Piece::Data(data)).ok()?;
        }
    }
}

/// The part of a body the reader task still sends.
struct Rest {
    rx: mpsc::UnboundedReceiver<Piece>,
    budget: Arc<Semaphore>,
    read_ahead: usize,
}

/// The upstream body as the client gets it: the chunks read before the
/// answer's headers went out, then what the reader task sends, ending with
/// an error (which aborts the answer) if the upstream's body was cut.
struct RelayBody {
    prefix: VecDeque<Bytes>,
    rest: Option<Rest>,
    /// Bytes still to come, when the upstream's framing says.
    remaining: Option<u64>,
}

impl Drop for RelayBody {
    fn drop(&mut self) {
        // The client went away: the reader stops (and frees its slot) at once.
        if let Some(rest) = &self.rest {
            rest.budget.close();
        }
    }
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
        let data = if let Some(first) = this.prefix.pop_front() {
            first
        } else {
            let Some(rest) = this.rest.as_mut() else { return Poll::Ready(None) };
            match rest.rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Piece::Data(data))) => {
                    rest.budget.add_permits(data.len().min(rest.read_ahead));
                    data
                }
                Poll::Ready(Some(Piece::End)) => {
                    this.rest = None;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Piece::Cut(cut))) => {
                    this.rest = None;
                    return Poll::Ready(Some(Err(cut)));
                }
                Poll::Ready(None) => {
                    this.rest = None;
                    return Poll::Ready(Some(Err(BodyCut("upstream reader ended early"))));
                }
            }
        };
        if let Some(remaining) = &mut this.remaining {
            *remaining = remaining.saturating_sub(data.len() as u64);
        }
        Poll::Ready(Some(Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_empty() && self.rest.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) => SizeHint::with_exact(n),
            None => {
                let mut hint = SizeHint::new();
                hint.set_lower(self.prefix.iter().map(|b| b.len() as u64).sum());
                hint
            }
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
            metrics.connection_opened();
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
        parse_target(&uri.parse::<Uri>().unwrap(), &[])
    }

    #[test]
    fn builds_the_catalogue_host() {
        let t = parse("/api/hss/cn-north-4/v5/0123abc/billing/quotas-detail?limit=200&offset=0").unwrap();
        assert_eq!(t.route, Route::HssQuotas);
        assert_eq!(
            upstream_url(&t, None, &[]).unwrap(),
            "https://hss.cn-north-4.myhuaweicloud.com/v5/0123abc/billing/quotas-detail?limit=200&offset=0"
        );
        assert_eq!(
            upstream_url(&t, Some("http://127.0.0.1:9/"), &[]).unwrap(),
            "http://127.0.0.1:9/v5/0123abc/billing/quotas-detail?limit=200&offset=0"
        );
    }

    #[test]
    fn an_operators_host_serves_its_region() {
        let hosts = [ServiceHost { service: tenantscope_catalog::Service::Hss, region: "xx-test-1".into(), host: "hss.xx-test-1.myhuaweicloud.com".into() },
            ServiceHost { service: tenantscope_catalog::Service::Hss, region: "cn-north-4".into(), host: "hss-alt.cn-north-4.myhuaweicloud.com".into() }];
        let uri = |u: &str| u.parse::<Uri>().unwrap();
        assert_eq!(parse("/api/hss/xx-test-1/v5/p/billing/quotas-detail").err(), Some(ProxyError::RegionNotOffered));
        let t = parse_target(&uri("/api/hss/xx-test-1/v5/p/billing/quotas-detail"), &hosts).unwrap();
        assert_eq!(upstream_url(&t, None, &hosts).unwrap(), "https://hss.xx-test-1.myhuaweicloud.com/v5/p/billing/quotas-detail");
        let t = parse_target(&uri("/api/hss/cn-north-4/v5/p/billing/quotas-detail"), &hosts).unwrap();
        assert_eq!(upstream_url(&t, None, &hosts).unwrap(), "https://hss-alt.cn-north-4.myhuaweicloud.com/v5/p/billing/quotas-detail");
        // Another service in that region is still not offered.
        assert_eq!(parse_target(&uri("/api/dsc/xx-test-1/v1/p/period/product/specification"), &hosts).err(), Some(ProxyError::RegionNotOffered));
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
