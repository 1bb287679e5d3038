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
//!
//! Every call is a GET but billing's query, a POST whose JSON body (read
//! whole beforehand, `body.rs`) is sent as it came, byte for byte
//! ([`Upstream::forward_with`]).

use std::collections::{HashMap, VecDeque};
use std::error::Error as StdError;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::uri::{Authority, PathAndQuery, Scheme};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, Response, Uri};
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tenantscope_catalog::{parse_api_call_ref, ApiCall, ApiCallRef, PathError, Service};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::config::{service_host, Config, ServiceHost};
use crate::error::ProxyError;
use crate::metrics::Metrics;
use crate::ratelimit::{ByteCaps, ClientBytes, ClientSlot, InFlightCap};

/// Request headers forwarded upstream; every other header is dropped
/// (cookies, the client's Host, Forwarded/X-Forwarded-*/X-Real-IP, hop-by-hop
/// headers, names with an underscore...).
/// The last four are those of AK/SK-signed requests (docs/huawei-apis.md §4).
pub const FORWARDED_REQUEST_HEADERS: [&str; 8] =
    ["x-auth-token", "x-subject-token", "accept", "content-type", "authorization", "x-sdk-date", "x-project-id", "x-security-token"];

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
    Ok(parse_target_ref(uri, hosts)?.to_owned())
}

/// One validated API call, borrowing from the request's URI (what a
/// request parses: no copy of what needed no decoding).
pub type TargetRef<'a> = ApiCallRef<'a>;

/// [`parse_target`], borrowing from `uri`.
pub fn parse_target_ref<'a>(uri: &'a Uri, hosts: &[ServiceHost]) -> Result<TargetRef<'a>, ProxyError> {
    let rest = uri.path().strip_prefix("/api/").ok_or(ProxyError::RouteNotAllowed)?;
    let offered = |service, region: &str| hosts.iter().any(|h| h.service == service && h.region == region) || catalogue_offers(service, region);
    Ok(parse_api_call_ref(rest, uri.query(), offered)?)
}

/// What the relay reads of a call, owned ([`Target`]) or borrowed ([`TargetRef`]).
pub trait Call {
    fn service(&self) -> Service;
    fn region(&self) -> &str;
    fn query(&self) -> Option<&str>;
    /// Appends the upstream path (without the query).
    fn push_path(&self, out: &mut String);
    fn path_len(&self) -> usize;
}

impl Call for ApiCall {
    fn service(&self) -> Service {
        self.service
    }
    fn region(&self) -> &str {
        &self.region
    }
    fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }
    fn push_path(&self, out: &mut String) {
        out.push_str(&self.path);
    }
    fn path_len(&self) -> usize {
        self.path.len()
    }
}

impl Call for ApiCallRef<'_> {
    fn service(&self) -> Service {
        self.service
    }
    fn region(&self) -> &str {
        &self.region
    }
    fn query(&self) -> Option<&str> {
        self.query
    }
    fn push_path(&self, out: &mut String) {
        ApiCallRef::push_path(self, out);
    }
    fn path_len(&self) -> usize {
        self.route.template().len() + self.param.as_ref().map_or(0, |p| p.len())
    }
}

/// [`Service::offered_in`], whose answer (a host name made with `format!`)
/// is kept when it is yes: the catalogue is fixed, and the regions where
/// some service is offered are few, so the set stays small whatever
/// regions requests name.
fn catalogue_offers(service: Service, region: &str) -> bool {
    static OFFERED: OnceLock<RwLock<HashMap<Box<str>, u32, Fnv>>> = OnceLock::new();
    let bit = 1u32 << service_index(service);
    let offered = OFFERED.get_or_init(Default::default);
    if offered.read().ok().and_then(|o| o.get(region).copied()).is_some_and(|services| services & bit != 0) {
        return true;
    }
    if !service.offered_in(region) {
        return false;
    }
    if let Ok(mut o) = offered.write() {
        *o.entry(region.into()).or_default() |= bit;
    }
    true
}

/// FNV-1a, for the maps keyed by region whose keys are only regions the
/// catalogue or the operator offers (a fixed, small set: a request's region
/// is looked up, never inserted unless offered), so a hash that any request
/// can predict costs nothing there; it is a quarter of SipHash's cost on a
/// region id (the maps keyed by client address keep std's keyed hash).
#[derive(Clone, Copy)]
struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// `service`'s place in [`Service::ALL`].
fn service_index(service: Service) -> usize {
    Service::ALL.iter().position(|s| *s == service).unwrap_or(0)
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

/// hyper-util's pooled client over rustls (webpki roots, ring, HTTP/2
/// where the host offers it through ALPN), used directly: a call costs no
/// URL parse and no second header map (the upstream `Uri` is put together
/// from parts made once, [`Origins`]).
type Client = hyper_util::client::legacy::Client<Connector, Outgoing>;

/// TCP (connect timeout, `TCP_NODELAY`, keep-alive probes), then TLS where
/// the scheme is `https`; the whole of it bounded by the connect timeout
/// and counted when it succeeds.
type Connector = CountConnections<HttpsConnector<HttpConnector>>;

/// The HTTP client for upstream calls: pooled keep-alive connections
/// (HTTP/2 where the host offers it), no redirects, no system proxy, bounded
/// waits, a cap on concurrent calls (in all and per client) and on answer size.
#[derive(Clone)]
pub struct Upstream {
    client: Client,
    origins: Arc<Origins>,
    slots: Arc<Semaphore>,
    per_client: Arc<InFlightCap>,
    queue_wait: Duration,
    timeout: Duration,
    max_body: u64,
    read_ahead: usize,
    /// What each client may have read ahead of it, all its answers together.
    buffered: Arc<ByteCaps>,
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

/// [`SINGLE_CREDENTIALS`] as header names, made once.
static SINGLE_CREDENTIAL_NAMES: [HeaderName; 4] = [
    HeaderName::from_static(SINGLE_CREDENTIALS[0]),
    HeaderName::from_static(SINGLE_CREDENTIALS[1]),
    header::AUTHORIZATION,
    HeaderName::from_static(SINGLE_CREDENTIALS[3]),
];

/// Refuses a request carrying one of the credential headers twice.
pub fn check_duplicates(headers: &HeaderMap) -> Result<(), ProxyError> {
    Forwarded::pick(headers).map(|_| ())
}

/// [`FORWARDED_REQUEST_HEADERS`] as header names, made once.
static FORWARDED_NAMES: [HeaderName; 8] = [
    HeaderName::from_static("x-auth-token"),
    HeaderName::from_static("x-subject-token"),
    header::ACCEPT,
    header::CONTENT_TYPE,
    header::AUTHORIZATION,
    HeaderName::from_static("x-sdk-date"),
    HeaderName::from_static("x-project-id"),
    HeaderName::from_static("x-security-token"),
];

/// [`RETURNED_RESPONSE_HEADERS`] as header names.
/// (`content-type` first: the JSON check reads it.)
static RETURNED_NAMES: [HeaderName; 3] = [header::CONTENT_TYPE, HeaderName::from_static("x-request-id"), header::RETRY_AFTER];

/// Every upstream request's `User-Agent`.
const USER_AGENT: HeaderValue = HeaderValue::from_static(concat!("tenantscope-proxy/", env!("CARGO_PKG_VERSION")));

/// The `Accept` sent when the client sent none (what reqwest, the client
/// before this one, sent).
const ACCEPT_ANY: HeaderValue = HeaderValue::from_static("*/*");

/// Room in an answer's header map for the headers the layers above add
/// (`Vary`, CORS, `X-Request-Id`, the four security headers) besides the
/// three relayed, so that none of them grows it.
const ANSWER_HEADERS: usize = 12;

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
        // reqwest's settings, which this client replaces: connect timeout
        // (per address, and over TCP and TLS together), no Nagle, TCP
        // keep-alive probes after 15 s idle, every 15 s, 3 of them.
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        http.set_keepalive(Some(Duration::from_secs(15)));
        http.set_keepalive_interval(Some(Duration::from_secs(15)));
        http.set_keepalive_retries(Some(3));
        http.set_tcp_user_timeout(Some(Duration::from_secs(30)));
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .expect("ring offers TLS 1.2 and 1.3")
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let connector = CountConnections { inner: https, timeout: config.connect_timeout, metrics: metrics.clone() };
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        Upstream {
            client,
            origins: Arc::new(Origins::new(config.upstream_base.as_deref(), config.service_hosts.clone())),
            slots: Arc::new(Semaphore::new(config.max_upstream.max(1))),
            per_client: InFlightCap::new(config.max_upstream_per_client),
            queue_wait: config.upstream_queue_wait,
            timeout: config.upstream_timeout,
            max_body: config.max_body_bytes,
            read_ahead: config.answer_buffer_bytes.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize)),
            // At least one answer's read-ahead, so that any piece fits.
            buffered: ByteCaps::new(match config.max_buffered_per_client {
                0 => 0,
                n => n.max(config.answer_buffer_bytes),
            }),
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

    /// One of `client`'s places under `--max-upstream-per-client`, for a
    /// call about to be made: taken before a request body is read, so that
    /// the bodies one client sends at once count against its own cap.
    pub fn client_slot(&self, client: IpAddr) -> Result<ClientSlot, ProxyError> {
        self.per_client.take(client).ok_or(ProxyError::ClientBusy)
    }

    /// A GET of `target` for `client`.
    pub async fn forward(&self, target: &impl Call, forwarded: &Forwarded<'_>, client: IpAddr) -> Result<Relayed, ProxyError> {
        self.forward_with(target, forwarded, self.client_slot(client)?, None).await
    }

    /// A call of `target` holding `client_slot`: a POST of `body` when
    /// there is one (sent as it is, with the client's `Content-Type`), a
    /// GET otherwise.
    pub async fn forward_with(
        &self,
        target: &impl Call,
        forwarded: &Forwarded<'_>,
        client_slot: ClientSlot,
        body: Option<Bytes>,
    ) -> Result<Relayed, ProxyError> {
        let uri = self.origins.uri(target)?;
        let client_bytes = self.buffered.of(client_slot.key());
        let permit = self.slot().await?;
        let slot = Slot { _global: permit, _client: client_slot, _in_flight: InFlight::new(self.metrics.clone()) };
        self.metrics.upstream_sent();
        let started = Instant::now();
        // The proxy's own deadline, for the answer's headers and its body
        // alike: one timer, here and then (for a body not read yet) in the
        // reader task.
        let deadline = tokio::time::Instant::from_std(started) + self.timeout;
        let sleep = tokio::time::sleep_until(deadline);
        tokio::pin!(sleep);
        // An HTTP/2 upstream's "not this one" (a graceful GOAWAY, a refused
        // stream) means the call was not processed: sent again, at most
        // twice, within the same deadline (what reqwest, the client before
        // this one, did by default).
        let mut resent = 0;
        let upstream = loop {
            let sending = self.client.request(upstream_request(uri.clone(), forwarded, self.origins.host_header(), body.clone()));
            let answer = tokio::select! {
                biased;
                answer = sending => answer,
                () = &mut sleep => return Err(ProxyError::UpstreamTimeout),
            };
            match answer {
                Ok(answer) => break answer,
                Err(e) if resent < MAX_RESENT && is_not_processed(&e) => resent += 1,
                Err(e) => return Err(classify(&e)),
            }
        };
        let latency = started.elapsed();
        self.metrics.observe_upstream(target.service(), latency);

        let (parts, mut body) = upstream.into_parts();
        let status = parts.status;
        if status.is_redirection() {
            return Err(ProxyError::UpstreamRedirect);
        }
        // Only final answers: a 1xx or 101 (an upgrade) is not one.
        if status.is_informational() {
            return Err(ProxyError::UpstreamBadStatus);
        }
        // The framing's length (a Content-Length hyper believes; none for a
        // chunked body, whatever Content-Length says).
        if body.size_hint().exact().is_some_and(|n| n > self.max_body) {
            return Err(ProxyError::UpstreamTooLarge);
        }
        // The first value of each returned header, in one pass over the
        // upstream's few headers (rather than a hashed lookup per name).
        let mut picked: [Option<&HeaderValue>; 3] = [None; 3];
        for (name, value) in &parts.headers {
            if let Some(at) = RETURNED_NAMES.iter().position(|n| n == name) {
                picked[at].get_or_insert(value);
            }
        }
        let is_json = picked[0].and_then(|v| v.to_str().ok()).is_some_and(is_json_type);
        // Content-Length and other framing are never copied: the answer's
        // length is the body's own (hyper sets it from the body).
        let mut returned = HeaderMap::with_capacity(ANSWER_HEADERS);
        for (name, value) in RETURNED_NAMES.iter().zip(picked) {
            if let Some(value) = value {
                returned.insert(name.clone(), value.clone());
            }
        }
        // The first non-whitespace byte decides, however many chunks it takes
        // (within the read-ahead): JSON starts with `{` or `[`. An HTML page (even
        // one labelled JSON) becomes a proxy error; an empty body passes.
        let mut prefix = Prefix::default();
        let mut seen = 0u64;
        let mut ended = false;
        let starts_json = loop {
            let frame = tokio::select! {
                biased;
                frame = next_frame(&mut body) => frame,
                () = &mut sleep => return Err(ProxyError::UpstreamTimeout),
            };
            let data = match frame {
                None => None,
                Some(Err(e)) => return Err(classify(&e)),
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
            prefix.push(data);
            if let Some(b) = first {
                break Some(b == b'{' || b == b'[');
            }
            // Whitespace is held here until the JSON starts, and no more of
            // it than the read-ahead a body may buffer anyway: an answer
            // that is still blank past that is not one the console reads.
            if seen > self.read_ahead as u64 {
                return Err(ProxyError::UpstreamNotJson);
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
            // and by up to the client's `--max-buffered-per-client` in all its
            // answers together.
            let (tx, rx) = mpsc::unbounded_channel();
            let budget = Arc::new(Semaphore::new(self.read_ahead));
            let reader = Reader {
                body,
                tx,
                budget: budget.clone(),
                client: client_bytes.clone(),
                read_ahead: self.read_ahead,
                seen,
                max: self.max_body,
                metrics: self.metrics.clone(),
                _slot: slot,
            };
            tokio::spawn(reader.run(deadline));
            Some(Rest { rx, budget, client: client_bytes, read_ahead: self.read_ahead })
        };
        let body = RelayBody { prefix, rest, remaining: exact };
        let mut response = Response::new(Body::new(body));
        *response.status_mut() = status;
        *response.headers_mut() = returned;
        Ok(Relayed { response, latency })
    }
}

/// How many times a call an HTTP/2 upstream did not process is sent again.
const MAX_RESENT: u32 = 2;

/// The upstream request: `uri`, the forwarded headers (one of each:
/// credentials were checked to be single by [`Forwarded::pick`]; of the
/// others the first is enough), `Accept` when the client sent none, and
/// the proxy's `User-Agent`; then `Host`, `host` when given (a plain-HTTP
/// base, [`Origins::host_header`]), else hyper-util adds it, last either way.
/// With a `body`, a POST of it (hyper frames it: `Content-Length` from its
/// size on HTTP/1, DATA frames on HTTP/2); a GET without one.
fn upstream_request(uri: Uri, forwarded: &Forwarded<'_>, host: Option<&HeaderValue>, body: Option<Bytes>) -> Request<Outgoing> {
    let mut out = HeaderMap::with_capacity(forwarded.0.iter().flatten().count() + 4);
    for (name, value) in FORWARDED_NAMES.iter().zip(forwarded.0) {
        if let Some(value) = value {
            out.insert(name.clone(), value.clone());
        }
    }
    if forwarded.0[2].is_none() {
        out.insert(header::ACCEPT, ACCEPT_ANY);
    }
    out.insert(header::USER_AGENT, USER_AGENT);
    if let Some(host) = host {
        out.insert(header::HOST, host.clone());
    }
    let mut request = Request::new(Outgoing(None));
    if let Some(body) = body {
        *request.method_mut() = Method::POST;
        *request.body_mut() = Outgoing(Some(body).filter(|b| !b.is_empty()));
    }
    *request.uri_mut() = uri;
    *request.headers_mut() = out;
    request
}

/// The first value of each of [`FORWARDED_NAMES`] in a request, found in
/// one pass over its few headers rather than by one hashed lookup per name,
/// the same pass refusing a credential sent twice ([`check_duplicates`]).
///
/// What was picked then settles two rules about `Authorization`, with no
/// lookup of its own: only an access-key signature (`SDK-HMAC-SHA256 ...`,
/// docs/huawei-apis.md §4) is relayed there, never Basic, Bearer or any
/// other credential ([`ProxyError::UnsupportedAuthorization`]); and a
/// request is authenticated by a token or by a signature, not both
/// ([`ProxyError::TokenAndSignature`]: which of the two a gateway would
/// honour is not the proxy's to guess). Nothing is added or signed here:
/// the browser signs, and the signature's headers go as received.
pub struct Forwarded<'a>([Option<&'a HeaderValue>; 8]);

/// What an `Authorization` header the proxy relays starts with: the
/// algorithm and the space before its parameters.
const SIGNATURE_PREFIX: &[u8] = b"SDK-HMAC-SHA256 ";

impl<'a> Forwarded<'a> {
    pub fn pick(headers: &'a HeaderMap) -> Result<Forwarded<'a>, ProxyError> {
        let mut picked = [None; 8];
        for (name, value) in headers {
            // The three standard names compare as enums; the others all
            // start with `x-` (most of a request's other headers do not).
            let at = match name {
                n if *n == header::ACCEPT => 2,
                n if *n == header::CONTENT_TYPE => 3,
                n if *n == header::AUTHORIZATION => 4,
                n if n.as_str().starts_with("x-") => match FORWARDED_NAMES.iter().position(|f| f == n) {
                    Some(at) => at,
                    None => continue,
                },
                _ => continue,
            };
            if picked[at].is_some() && SINGLE_CREDENTIAL_NAMES.contains(name) {
                return Err(ProxyError::DuplicateHeader);
            }
            picked[at].get_or_insert(value);
        }
        // [`FORWARDED_NAMES`]: 0 is `x-auth-token`, 4 `authorization`.
        if let Some(authorization) = picked[4] {
            if !authorization.as_bytes().starts_with(SIGNATURE_PREFIX) {
                return Err(ProxyError::UnsupportedAuthorization);
            }
            if picked[0].is_some() {
                return Err(ProxyError::TokenAndSignature);
            }
        }
        Ok(Forwarded(picked))
    }
}

/// An HTTP/2 upstream said it did not process the call: a GOAWAY without
/// error (it is closing the connection gracefully) or a stream it refused
/// (RFC 9113 §8.7), both from its side.
fn is_not_processed(e: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(h2) = e.downcast_ref::<h2::Error>() {
            let reason = h2.reason();
            return h2.is_remote()
                && ((h2.is_go_away() && reason == Some(h2::Reason::NO_ERROR)) || (h2.is_reset() && reason == Some(h2::Reason::REFUSED_STREAM)));
        }
        next = e.source();
    }
    false
}

/// Where calls go, made once: the operator's base URL, or the scheme and
/// authority of each service's host in each region, kept the first time
/// that host is called (the catalogue and `--service-host` are fixed for
/// the process, so a host never changes).
struct Origins {
    /// `--upstream-base`: scheme, authority, and a path prefix without its
    /// trailing `/`; `Err` when it is not a URL `http::Uri` reads.
    base: Option<Result<Base, ()>>,
    hosts: Vec<ServiceHost>,
    /// Region to the authority of each service there (by `Service::ALL` index).
    known: RwLock<HashMap<Box<str>, [Option<Authority>; SERVICES], Fnv>>,
}

const SERVICES: usize = Service::ALL.len();

struct Base {
    scheme: Scheme,
    authority: Authority,
    prefix: Box<str>,
    /// For an `http://` base, the `Host` header hyper-util would make for
    /// every call (`host`, or `host:port` for a port other than 80), made
    /// once: a `format!` and a header value per call otherwise. Only
    /// there: plain HTTP is always HTTP/1 here (no TLS, so no ALPN), whereas
    /// an HTTP/2 upstream gets `:authority` and no `Host`.
    host_header: Option<HeaderValue>,
}

impl Base {
    fn parse(base: &str) -> Option<Base> {
        let uri: Uri = base.parse().ok()?;
        let scheme = match uri.scheme_str()? {
            s if s.eq_ignore_ascii_case("https") => Scheme::HTTPS,
            s if s.eq_ignore_ascii_case("http") => Scheme::HTTP,
            _ => return None,
        };
        // Lower case, as a URL parser would have it (Host header, SNI).
        let authority = Authority::try_from(uri.authority()?.as_str().to_ascii_lowercase()).ok()?;
        let prefix = uri.path().trim_end_matches('/').into();
        let host_header = (scheme == Scheme::HTTP)
            .then(|| match authority.port_u16() {
                Some(port) if port != 80 => HeaderValue::from_str(&format!("{}:{port}", authority.host())),
                _ => HeaderValue::from_str(authority.host()),
            })
            .and_then(Result::ok);
        Some(Base { scheme, authority, prefix, host_header })
    }
}

impl Origins {
    fn new(base: Option<&str>, hosts: Vec<ServiceHost>) -> Origins {
        let base = base.map(|b| Base::parse(b.trim_end_matches('/')).ok_or(()));
        Origins { base, hosts, known: RwLock::new(HashMap::default()) }
    }

    /// The authority of `service`'s host in `region`.
    fn authority(&self, service: Service, region: &str) -> Result<Authority, ProxyError> {
        let index = service_index(service);
        if let Some(known) = self.known.read().ok().and_then(|k| k.get(region).and_then(|a| a[index].clone())) {
            return Ok(known);
        }
        let host = service_host(&self.hosts, service, region).ok_or(ProxyError::RegionNotOffered)?;
        let authority = Authority::try_from(host).map_err(|_| ProxyError::UpstreamUnreachable)?;
        if let Ok(mut known) = self.known.write() {
            known.entry(region.into()).or_default()[index] = Some(authority.clone());
        }
        Ok(authority)
    }

    /// The `Host` header of every call, where it is made once ([`Base`]).
    fn host_header(&self) -> Option<&HeaderValue> {
        self.base.as_ref()?.as_ref().ok()?.host_header.as_ref()
    }

    /// The upstream URI of `target`: what [`upstream_url`] says, without
    /// parsing it.
    fn uri(&self, target: &impl Call) -> Result<Uri, ProxyError> {
        let (scheme, authority, prefix) = match &self.base {
            Some(Ok(base)) => (base.scheme.clone(), base.authority.clone(), &*base.prefix),
            // A base URL no request can be sent to (reqwest said so at send).
            Some(Err(())) => return Err(ProxyError::UpstreamUnreachable),
            None => (Scheme::HTTPS, self.authority(target.service(), target.region())?, ""),
        };
        let query = target.query();
        let mut path = String::with_capacity(prefix.len() + target.path_len() + query.map_or(0, |q| q.len() + 1));
        path.push_str(prefix);
        target.push_path(&mut path);
        if let Some(q) = query {
            path.push('?');
            path.push_str(q);
        }
        let mut parts = axum::http::uri::Parts::default();
        parts.scheme = Some(scheme);
        parts.authority = Some(authority);
        parts.path_and_query = Some(PathAndQuery::from_maybe_shared(Bytes::from(path)).map_err(|_| ProxyError::UpstreamUnreachable)?);
        Uri::from_parts(parts).map_err(|_| ProxyError::UpstreamUnreachable)
    }
}

/// The body of an upstream request: none for a GET (ended from the
/// start), billing's JSON for its POST, sent in one frame.
#[derive(Clone, Debug, Default)]
struct Outgoing(Option<Bytes>);

impl HttpBody for Outgoing {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.take().map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |b| b.len() as u64))
    }
}

async fn next_frame(body: &mut Incoming) -> Option<Result<Frame<Bytes>, hyper::Error>> {
    std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
}

/// A timeout anywhere in the error's chain (the connect timeout, the OS's,
/// hyper's) is one; anything else means the upstream could not be reached
/// or broke off (as reqwest's `is_timeout` told them apart).
fn classify(e: &(dyn StdError + 'static)) -> ProxyError {
    if is_timeout(e) {
        ProxyError::UpstreamTimeout
    } else {
        ProxyError::UpstreamUnreachable
    }
}

fn is_timeout(e: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if e.is::<ConnectTimeout>()
            || e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_timeout)
            || e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// `application/json`, `text/json` or `application/*+json`, any parameters.
/// (On bytes: a header value's text is visible ASCII, so trimming ASCII
/// whitespace is all `str::trim` would do.)
fn is_json_type(value: &str) -> bool {
    let value = value.as_bytes();
    let essence = value[..value.iter().position(|&b| b == b';').unwrap_or(value.len())].trim_ascii();
    let is = |s: &str| essence.eq_ignore_ascii_case(s.as_bytes());
    let ends_json = || essence.len() >= 5 && essence[essence.len() - 5..].eq_ignore_ascii_case(b"+json");
    let starts_application = || essence.len() >= 12 && essence[..12].eq_ignore_ascii_case(b"application/");
    is("application/json") || is("text/json") || (starts_application() && ends_json())
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
    body: Incoming,
    tx: mpsc::UnboundedSender<Piece>,
    budget: Arc<Semaphore>,
    /// The client's budget across its answers (none without a cap).
    client: Option<ClientBytes>,
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
                Some(Err(e)) => return Some(Piece::Cut(BodyCut(if is_timeout(&e) { "upstream timeout" } else { "upstream body error" }))),
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
            if let Some(client) = &self.client {
                tokio::select! {
                    permit = client.budget().acquire_many(cost) => permit.ok()?.forget(),
                    _ = self.tx.closed() => return None,
                }
            }
            self.metrics.body_bytes(data.len() as u64);
            if self.tx.send(Piece::Data(data)).is_err() {
                // The body went away after it gave back what it had queued.
                if let Some(client) = &self.client {
                    client.budget().add_permits(cost as usize);
                }
                return None;
            }
        }
    }
}

/// The part of a body the reader task still sends.
struct Rest {
    rx: mpsc::UnboundedReceiver<Piece>,
    budget: Arc<Semaphore>,
    client: Option<ClientBytes>,
    read_ahead: usize,
}

/// The chunks read before the answer's headers went out: usually one,
/// which takes no allocation of its own.
#[derive(Default)]
struct Prefix {
    first: Option<Bytes>,
    more: VecDeque<Bytes>,
}

impl Prefix {
    fn push(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        if self.first.is_none() && self.more.is_empty() {
            self.first = Some(data);
        } else {
            self.more.push_back(data);
        }
    }

    fn pop(&mut self) -> Option<Bytes> {
        self.first.take().or_else(|| self.more.pop_front())
    }

    fn is_empty(&self) -> bool {
        self.first.is_none() && self.more.is_empty()
    }

    fn len(&self) -> u64 {
        self.first.iter().chain(&self.more).map(|b| b.len() as u64).sum()
    }
}

/// The upstream body as the client gets it: the chunks read before the
/// answer's headers went out, then what the reader task sends, ending with
/// an error (which aborts the answer) if the upstream's body was cut.
struct RelayBody {
    prefix: Prefix,
    rest: Option<Rest>,
    /// Bytes still to come, when the upstream's framing says.
    remaining: Option<u64>,
}

impl Drop for RelayBody {
    fn drop(&mut self) {
        // The client went away: the reader stops (and frees its slot) at once.
        if let Some(rest) = &mut self.rest {
            rest.budget.close();
            // What the reader queued and the client never took goes back to
            // the client's budget.
            rest.rx.close();
            if let Some(client) = &rest.client {
                while let Ok(piece) = rest.rx.try_recv() {
                    if let Piece::Data(data) = piece {
                        client.budget().add_permits(data.len().min(rest.read_ahead));
                    }
                }
            }
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
        let data = if let Some(first) = this.prefix.pop() {
            first
        } else {
            let Some(rest) = this.rest.as_mut() else { return Poll::Ready(None) };
            match rest.rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Piece::Data(data))) => {
                    let cost = data.len().min(rest.read_ahead);
                    rest.budget.add_permits(cost);
                    if let Some(client) = &rest.client {
                        client.budget().add_permits(cost);
                    }
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
                hint.set_lower(self.prefix.len());
                hint
            }
        }
    }
}

/// The connect timeout passed (TCP and TLS together).
#[derive(Debug)]
struct ConnectTimeout;

impl std::fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connect timeout")
    }
}

impl StdError for ConnectTimeout {}

/// The connector as the pool sees it: every connection it completes (TCP,
/// and TLS where used) within the connect timeout is one the pool did not
/// have. Requests sent minus these is how many reused a pooled connection.
#[derive(Clone)]
struct CountConnections<S> {
    inner: S,
    timeout: Duration,
    metrics: Arc<Metrics>,
}

impl<S> tower::Service<Uri> for CountConnections<S>
where
    S: tower::Service<Uri>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = Bare<S::Response>;
    type Error = Box<dyn StdError + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let (timeout, metrics) = (self.timeout, self.metrics.clone());
        Box::pin(async move {
            let connection = match tokio::time::timeout(timeout, connecting).await {
                Ok(connection) => connection.map_err(Into::into)?,
                Err(_) => return Err(ConnectTimeout.into()),
            };
            metrics.connection_opened();
            Ok(Bare(connection))
        })
    }
}

/// An upstream connection that tells the pool only what it needs (HTTP/2
/// or not, proxied or not): hyper-util's TCP connection also offers its
/// addresses (`HttpInfo`), which the pool then copies into every answer's
/// extensions, an allocation or two per call that nothing here reads.
struct Bare<T>(T);

impl<T: Connection> Connection for Bare<T> {
    fn connected(&self) -> Connected {
        let inner = self.0.connected();
        let bare = Connected::new().proxy(inner.is_proxied());
        if inner.is_negotiated_h2() {
            bare.negotiated_h2()
        } else {
            bare
        }
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for Bare<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: hyper::rt::ReadBufCursor<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for Bare<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
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
        assert_eq!(upstream_url(&t, None, &[]).unwrap(), "https://hss.cn-north-4.myhuaweicloud.com/v5/0123abc/billing/quotas-detail?limit=200&offset=0");
        assert_eq!(upstream_url(&t, Some("http://127.0.0.1:9/"), &[]).unwrap(), "http://127.0.0.1:9/v5/0123abc/billing/quotas-detail?limit=200&offset=0");
    }

    #[test]
    fn an_operators_host_serves_its_region() {
        let hosts = [
            ServiceHost { service: tenantscope_catalog::Service::Hss, region: "xx-test-1".into(), host: "hss.xx-test-1.myhuaweicloud.com".into() },
            ServiceHost { service: tenantscope_catalog::Service::Hss, region: "cn-north-4".into(), host: "hss-alt.cn-north-4.myhuaweicloud.com".into() },
        ];
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
    fn the_uri_is_the_url_unparsed() {
        let hosts =
            [ServiceHost { service: tenantscope_catalog::Service::Hss, region: "cn-north-4".into(), host: "hss-alt.cn-north-4.myhuaweicloud.com".into() }];
        let calls = [
            "/api/hss/cn-north-4/v5/0123abc/billing/quotas-detail?limit=200&offset=0",
            "/api/dsc/cn-north-4/v1/p/period/product/specification",
            "/api/iam/global/v3/auth/projects",
            "/api/iam/global-eu/v3/auth/tokens?nocatalog=true",
        ];
        let bases = [None, Some("http://127.0.0.1:9/"), Some("http://127.0.0.1:9"), Some("https://gateway.example:8443/prefix/")];
        for host_list in [&hosts[..], &[]] {
            for base in bases {
                let origins = Origins::new(base, host_list.to_vec());
                for call in calls {
                    let t = parse_target(&call.parse::<Uri>().unwrap(), host_list).unwrap();
                    let uri = origins.uri(&t).unwrap();
                    assert_eq!(uri.to_string(), upstream_url(&t, base, host_list).unwrap(), "{call} {base:?}");
                    // Twice: the second from the kept authority.
                    assert_eq!(origins.uri(&t).unwrap(), uri);
                }
            }
        }
        // The Host header made once, as hyper-util makes it (host, and the
        // port unless the scheme's default); none where it may be HTTP/2.
        for (base, host) in [
            ("http://127.0.0.1:9/", Some("127.0.0.1:9")),
            ("HTTP://LocalHost:80/x", Some("localhost")),
            ("http://[::1]:8080", Some("[::1]:8080")),
            ("http://gateway.example", Some("gateway.example")),
            ("https://gateway.example:8443/prefix/", None),
        ] {
            let origins = Origins::new(Some(base), vec![]);
            assert_eq!(origins.host_header().map(|h| h.to_str().unwrap()), host, "{base}");
        }
        assert!(Origins::new(None, hosts.to_vec()).host_header().is_none());
        let upper = Origins::new(Some("HTTP://LocalHost:8080"), vec![]);
        let t = parse("/api/iam/global/v3/auth/projects").unwrap();
        assert_eq!(upper.uri(&t).unwrap().to_string(), "http://localhost:8080/v3/auth/projects");
    }

    #[test]
    fn timeouts_are_told_from_other_failures() {
        let io = |kind| std::io::Error::new(kind, "x");
        assert!(is_timeout(&ConnectTimeout));
        assert!(is_timeout(&io(std::io::ErrorKind::TimedOut)));
        // Nested, as hyper-util's connect error carries the OS's.
        #[derive(Debug)]
        struct Wrapping(std::io::Error);
        impl std::fmt::Display for Wrapping {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("tcp connect error")
            }
        }
        impl StdError for Wrapping {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        assert_eq!(classify(&Wrapping(io(std::io::ErrorKind::TimedOut))), ProxyError::UpstreamTimeout);
        assert_eq!(classify(&Wrapping(io(std::io::ErrorKind::ConnectionReset))), ProxyError::UpstreamUnreachable);
        assert_eq!(classify(&io(std::io::ErrorKind::ConnectionRefused)), ProxyError::UpstreamUnreachable);
    }

    #[tokio::test]
    async fn a_connection_past_the_connect_timeout_is_a_timeout_and_not_counted() {
        let never = tower::service_fn(|_: Uri| std::future::pending::<Result<(), std::io::Error>>());
        let metrics = Arc::new(Metrics::default());
        let mut connector = CountConnections { inner: never, timeout: Duration::from_millis(20), metrics: metrics.clone() };
        let e = tower::Service::call(&mut connector, Uri::from_static("http://127.0.0.1:9/")).await.err().unwrap();
        assert_eq!(classify(&*e), ProxyError::UpstreamTimeout);
        assert!(metrics.render().contains("tenantscope_upstream_connections_opened_total 0\n"));
        let ready = tower::service_fn(|_: Uri| async { Ok::<_, std::io::Error>(()) });
        let mut connector = CountConnections { inner: ready, timeout: Duration::from_millis(20), metrics: metrics.clone() };
        tower::Service::call(&mut connector, Uri::from_static("http://127.0.0.1:9/")).await.unwrap();
        assert!(metrics.render().contains("tenantscope_upstream_connections_opened_total 1\n"));
    }

    #[test]
    fn a_bare_connection_keeps_what_the_pool_needs() {
        struct H2;
        impl Connection for H2 {
            fn connected(&self) -> Connected {
                Connected::new().negotiated_h2().proxy(true).extra(7u8)
            }
        }
        let bare = Bare(H2).connected();
        assert!(bare.is_negotiated_h2() && bare.is_proxied());
        let mut extensions = axum::http::Extensions::new();
        bare.get_extras(&mut extensions);
        assert!(extensions.is_empty());
    }

    #[tokio::test]
    async fn a_stream_an_http2_upstream_refused_is_sent_again_and_no_other_error() {
        // A real HTTP/2 exchange over loopback: the upstream resets the
        // first stream with `reason`; what hyper's client reports is judged.
        async fn reset_with(reason: h2::Reason) -> hyper::Error {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                let mut connection = h2::server::handshake(tcp).await.unwrap();
                if let Some(Ok((_, mut respond))) = connection.accept().await {
                    respond.send_reset(reason);
                }
                // Keep the connection going until the client has read the reset.
                while connection.accept().await.is_some() {}
            });
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            let (mut send, connection) = hyper::client::conn::http2::handshake(TokioExecutor::new(), hyper_util::rt::TokioIo::new(tcp)).await.unwrap();
            tokio::spawn(connection);
            let request = Request::get("http://127.0.0.1/").body(Outgoing(None)).unwrap();
            send.send_request(request).await.expect_err("the stream was reset")
        }
        assert!(is_not_processed(&reset_with(h2::Reason::REFUSED_STREAM).await));
        assert!(!is_not_processed(&reset_with(h2::Reason::INTERNAL_ERROR).await));
        assert!(!is_not_processed(&std::io::Error::other("reset")));
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
    fn each_forwarded_header_is_picked_in_its_place() {
        const SIGNED: &str = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00";
        for (at, name) in FORWARDED_NAMES.iter().enumerate() {
            let yes = if *name == header::AUTHORIZATION { SIGNED } else { "yes" };
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1"));
            headers.insert(HeaderName::from_static("x-other"), HeaderValue::from_static("no"));
            headers.insert(name.clone(), HeaderValue::from_static(yes));
            let picked = Forwarded::pick(&headers).unwrap();
            for (i, value) in picked.0.iter().enumerate() {
                assert_eq!(value.map(|v| v.to_str().unwrap()), (i == at).then_some(yes), "{name} at {i}");
            }
        }
    }

    #[test]
    fn only_a_signature_is_relayed_as_authorization_and_never_with_a_token() {
        assert_eq!(SIGNATURE_PREFIX, format!("{} ", tenantscope_sign::ALGORITHM).as_bytes());
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.append(HeaderName::from_static(name), HeaderValue::from_static(value));
            }
            Forwarded::pick(&headers).map(|f| f.0.iter().flatten().count())
        };
        let signed = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00";
        let signature = [("authorization", signed), ("x-sdk-date", "20260101T000000Z"), ("x-project-id", "p"), ("x-security-token", "t")];
        assert_eq!(with(&signature), Ok(4));
        assert_eq!(with(&[("x-auth-token", "MIItoken"), ("x-subject-token", "MIItoken")]), Ok(2));
        for other in ["Basic dXNlcjpwYXNz", "Bearer MIItoken", "sdk-hmac-sha256 Access=AK", "SDK-HMAC-SHA256", "SDK-HMAC-SHA256X Access=AK", "", "MIItoken"] {
            assert_eq!(with(&[("authorization", other)]), Err(ProxyError::UnsupportedAuthorization), "{other}");
            assert_eq!(with(&[("x-auth-token", "MIItoken"), ("authorization", other)]), Err(ProxyError::UnsupportedAuthorization), "{other}");
        }
        assert_eq!(with(&[("x-auth-token", "MIItoken"), ("authorization", signed)]), Err(ProxyError::TokenAndSignature));
        assert_eq!(with(&[("authorization", signed), ("x-sdk-date", "20260101T000000Z"), ("x-auth-token", "")]), Err(ProxyError::TokenAndSignature));
        // A subject token with a signature is not a second credential of the caller.
        assert_eq!(with(&[("authorization", signed), ("x-subject-token", "MIItoken")]), Ok(2));
        // Two signatures are still two of one credential.
        assert_eq!(with(&[("authorization", signed), ("authorization", signed)]), Err(ProxyError::DuplicateHeader));
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
}
