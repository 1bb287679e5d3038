//! The relay: turns `/api/{service}/{region}/{path}?{query}` into a call to the
//! one host the catalogue gives for that service and region, forwarding only
//! the headers the APIs need and only the headers the console needs back.
//!
//! This file owns the call: the client, the slots a call holds, its deadline,
//! the headers it forwards and returns, the JSON check before an answer is
//! relayed, the reading on of a JSON answer to gzip it whole (`crate::gzip`),
//! and how a failure is told. Where a call goes (never taken from
//! the request) is `target.rs`'s; the answer's body as the client reads it,
//! `answer.rs`'s; the connections under the client, `connector.rs`'s.
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

mod answer;
mod connector;
mod target;

pub use answer::BodyCut;
pub use target::{parse_target, parse_target_ref, upstream_url, Call, Target, TargetRef};

use std::error::Error as StdError;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, Response, Uri};
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::config::Config;
use crate::error::ProxyError;
use crate::metrics::Metrics;
use crate::ratelimit::{ByteCaps, ClientSlot, InFlightCap};

use answer::{is_json_type, next_frame, Charge, Prefix, Reader, RelayBody, Rest, Zipped};
use connector::{ConnectTimeout, Connector};
use target::Origins;

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

/// hyper-util's pooled client over rustls (webpki roots, ring, HTTP/2
/// where the host offers it through ALPN), used directly: a call costs no
/// URL parse and no second header map (the upstream `Uri` is put together
/// from parts made once, [`Origins`]).
type Client = hyper_util::client::legacy::Client<Connector, Outgoing>;

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

/// Room in an answer's header map for the headers added here and by the
/// layers above (`Content-Encoding`, `Vary`, CORS, `X-Request-Id`, the four
/// security headers, `Cache-Control`, `Content-Length`) besides the three
/// relayed, so that none of them grows it.
const ANSWER_HEADERS: usize = 14;

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
        let connector = Connector::new(config.connect_timeout, metrics.clone());
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

    /// A GET of `target` for `client`; `gzip`: the client takes gzip.
    pub async fn forward(&self, target: &impl Call, forwarded: &Forwarded<'_>, client: IpAddr, gzip: bool) -> Result<Relayed, ProxyError> {
        self.forward_with(target, forwarded, self.client_slot(client)?, None, gzip).await
    }

    /// A call of `target` holding `client_slot`: a POST of `body` when
    /// there is one (sent as it is, with the client's `Content-Type`), a
    /// GET otherwise. With `gzip`, a JSON answer whole within the
    /// read-ahead goes compressed (`crate::gzip`).
    pub async fn forward_with(
        &self,
        target: &impl Call,
        forwarded: &Forwarded<'_>,
        client_slot: ClientSlot,
        body: Option<Bytes>,
        gzip: bool,
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
            let Some(data) = next_chunk(&mut body, sleep.as_mut(), &mut seen, self.max_body).await? else {
                ended = true;
                break None;
            };
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
        // For a client that takes gzip, a JSON answer is read on to its end
        // while that is within the read-ahead past what the check read, and
        // within the client's budget of buffered bytes (what the reader
        // would hold ahead of the client anyway, and charged alike), to go
        // compressed. Past either, the answer streams as it comes; the bytes
        // read on then count against the reader's read-ahead and the
        // client's budget until the client has taken them.
        let checked = seen;
        let zippable = gzip && starts_json == Some(true);
        // No handle on the client's budget (to drop again) for an answer
        // that will not go compressed.
        let mut charge = Charge::new(if zippable { client_bytes.clone() } else { None });
        let mut slot = Some(slot);
        if zippable && !ended {
            while seen - checked < self.read_ahead as u64 {
                let Some(data) = next_chunk(&mut body, sleep.as_mut(), &mut seen, self.max_body).await? else {
                    ended = true;
                    break;
                };
                let charged = charge.try_take(data.len());
                prefix.push(data);
                if body.is_end_stream() {
                    ended = true;
                    break;
                }
                if !charged {
                    break;
                }
            }
        }
        let held = ((seen - checked) as usize).min(self.read_ahead);
        if ended && zippable {
            // All read: the slot is free before the compressing, which runs
            // here, on the answer's task (at the fastest level, a fraction
            // of a millisecond for a read-ahead's worth: docs/benchmarks.md).
            slot = None;
            // Charged to the client's budget until taken, as what its
            // reader holds is; past the budget it goes as it came.
            let zipped = crate::gzip::compress(prefix.chunks(), seen).filter(|z| charge.hold(z.len()));
            if let Some(zipped) = zipped {
                self.metrics.body_bytes(seen);
                let mut response = Response::new(Body::new(Zipped::new(zipped, charge)));
                *response.status_mut() = status;
                crate::gzip::label(&mut returned);
                *response.headers_mut() = returned;
                return Ok(Relayed { response, latency });
            }
        }
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
            let budget = Arc::new(Semaphore::new(self.read_ahead - held));
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
        let body = RelayBody { prefix, rest, remaining: exact, free: checked as usize, held, charge };
        let mut response = Response::new(Body::new(body));
        *response.status_mut() = status;
        *response.headers_mut() = returned;
        Ok(Relayed { response, latency })
    }
}

/// The body's next chunk, read before the deadline `sleep`, counted in
/// `seen` against the cap `max`: `None` at the end, or at trailers (not
/// relayed), when the body is over.
async fn next_chunk(body: &mut hyper::body::Incoming, sleep: Pin<&mut tokio::time::Sleep>, seen: &mut u64, max: u64) -> Result<Option<Bytes>, ProxyError> {
    let frame = tokio::select! {
        biased;
        frame = next_frame(body) => frame,
        () = sleep => return Err(ProxyError::UpstreamTimeout),
    };
    let data = match frame {
        None => return Ok(None),
        Some(Err(e)) => return Err(classify(&e)),
        Some(Ok(frame)) => match frame.into_data() {
            Ok(data) => data,
            Err(_) => return Ok(None),
        },
    };
    *seen += data.len() as u64;
    if *seen > max {
        return Err(ProxyError::UpstreamTooLarge);
    }
    Ok(Some(data))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
