//! The server loop: hyper-util's HTTP/1 and HTTP/2 connection builder with a
//! header buffer limit and the peer address for the rate limit; a cap on the
//! connections one client address may have open, and on its answers in
//! flight across them; a watchdog per connection that closes it when it
//! says nothing, stays idle, or has answers its client does not take; a
//! deadline per HTTP/2 answer, measured in that answer's own bytes, that
//! resets its stream when it stops moving ([`Streams`]); accept errors
//! backed off; and a shutdown that drains for a bounded time, then closes
//! what is left. With TLS ([`crate::tls`]) every connection takes the same
//! path: capped at accept, its handshake done in its own task under the
//! header timeout, then served by the same builder, watchdog and limits.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use prometheus_client::metrics::counter::Counter;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tower::ServiceExt;

use crate::ratelimit::{ClientSlot, InFlightCap};

/// How the connections are served.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Largest request head hyper buffers; headers above the app's own cap
    /// but below this get the proxy's JSON 431, above this hyper's bare 431.
    pub max_head_bytes: usize,
    /// Time a client has to send a request's headers, and a new connection
    /// to start its first request (protocol detection and the HTTP/2
    /// preface included).
    pub header_read_timeout: Duration,
    /// Time a connection may stay open with no request in flight.
    pub idle_timeout: Duration,
    /// Time a connection with requests in flight may go without any of its
    /// answers moving (the upstream timeout plus the send timeout: past the
    /// first, the proxy has answered or cut every call).
    pub stalled_timeout: Duration,
    /// After the shutdown signal, how long requests in flight may take
    /// before the connections left are closed.
    pub drain: Duration,
    /// HTTP/2 streams a connection may have open at once.
    pub h2_max_streams: u32,
    /// Time an HTTP/2 answer may go without its client taking any of it
    /// before its stream is reset, whatever else the connection does.
    pub send_timeout: Duration,
    /// HTTP/2 keep-alive ping interval; a ping unanswered as long closes.
    pub h2_keep_alive: Duration,
    /// Connections one peer address (IPv6 by /64) may have open at once;
    /// more are closed as soon as they are accepted (0: no cap).
    pub max_connections_per_client: usize,
    /// Requests one client (IPv6 by /64) may have in flight across its
    /// connections until their answers are sent; more get 429 (0: no cap).
    pub max_answers_per_client: usize,
    /// Peers whose connections are not capped: the load balancers that
    /// carry everyone's (`--trusted-proxy`). Their requests' answers in
    /// flight count against the client `client_ip_header` names.
    pub trusted_proxies: Vec<crate::client_ip::Cidr>,
    /// The header a trusted proxy names the client in (`--client-ip-header`).
    pub client_ip_header: Option<axum::http::HeaderName>,
    /// Counts the connections refused by that cap (`/metrics`).
    pub connections_refused: Counter,
    /// Serve HTTPS with these certificates (watched for reloads while
    /// serving); plain HTTP when `None`.
    pub tls: Option<Arc<crate::tls::Certificates>>,
}

impl ServeOptions {
    pub fn for_config(config: &crate::Config) -> ServeOptions {
        ServeOptions {
            max_head_bytes: (config.max_header_bytes * 4).max(128 << 10),
            header_read_timeout: config.header_timeout,
            idle_timeout: config.idle_timeout,
            stalled_timeout: config.upstream_timeout + config.send_timeout,
            drain: config.shutdown_timeout,
            h2_max_streams: config.h2_max_streams.max(1),
            send_timeout: config.send_timeout,
            h2_keep_alive: config.idle_timeout.min(Duration::from_secs(20)),
            max_connections_per_client: config.max_connections_per_client,
            max_answers_per_client: config.max_answers_per_client,
            trusted_proxies: config.trusted_proxies.clone(),
            client_ip_header: config.client_ip_header.clone(),
            connections_refused: Counter::default(),
            tls: config.tls.clone(),
        }
    }
}

/// Serves `config`'s app on `listener`, and `/metrics` alone on
/// `metrics_listener` when given (both with the same options), until
/// `shutdown`; then both drain.
pub async fn serve_config(listener: TcpListener, metrics_listener: Option<TcpListener>, config: crate::Config, shutdown: impl Future<Output = ()>) {
    let metrics = Arc::new(crate::metrics::Metrics::default());
    let options = ServeOptions { connections_refused: metrics.connections_refused(), ..ServeOptions::for_config(&config) };
    let (stop, stopped) = watch::channel(false);
    let metrics_server = metrics_listener.map(|listener| {
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(%addr, "metrics listening");
        }
        // The metrics listener is loopback-only and plain HTTP.
        let options = ServeOptions { tls: None, ..options.clone() };
        let (app, mut stopped) = (crate::metrics_app(metrics.clone()), stopped.clone());
        tokio::spawn(async move {
            serve(listener, app, options, async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
        })
    });
    serve(listener, crate::service(config, metrics), options, shutdown).await;
    let _ = stop.send(true);
    if let Some(server) = metrics_server {
        let _ = server.await;
    }
}

/// Where the server stands, as the connection tasks see it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Serving,
    /// Finish what is in flight, take nothing new.
    Draining,
    /// Close now.
    Closing,
}

/// Accept errors (out of file descriptors, mostly) are retried after a wait
/// that doubles from the first to the last of these.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// Connections refused by the per-client cap are logged at most once per
/// this long (with how many there were since the last warning): a client
/// that opens them as fast as it can must not flood the log.
const REFUSAL_WARNING_INTERVAL: Duration = Duration::from_secs(10);

/// The warnings about refused connections, throttled.
#[derive(Default)]
struct Refusals {
    since_warning: u64,
    warned: Option<Instant>,
}

impl Refusals {
    fn refused(&mut self, client: std::net::IpAddr, max: usize) {
        self.since_warning += 1;
        let now = Instant::now();
        if self.warned.is_some_and(|at| now < at + REFUSAL_WARNING_INTERVAL) {
            return;
        }
        // The client's key (IPv4 address, IPv6 /64): whom to look at, or
        // to block further out; never anything the connection sent.
        tracing::warn!(
            refused = self.since_warning,
            %client,
            max,
            "connections refused: a client address had the most open it may (--max-connections-per-client)"
        );
        self.since_warning = 0;
        self.warned = Some(now);
    }
}

/// What [`serve`] can serve: the proxy's [`crate::App`], or a `Router`
/// (the `/metrics` listener's, and [`crate::app`]'s).
pub trait Served: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future: Send + 'static> + Clone + Send + Sync + 'static {}

impl<S> Served for S where
    S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future: Send + 'static> + Clone + Send + Sync + 'static
{
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains.
pub async fn serve(listener: TcpListener, app: impl Served, options: ServeOptions, shutdown: impl Future<Output = ()>) {
    let mut builder = Builder::new(Streams { send_timeout: options.send_timeout });
    builder.http1().timer(TokioTimer::new()).header_read_timeout(options.header_read_timeout).max_buf_size(options.max_head_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(options.h2_max_streams)
        .keep_alive_interval(options.h2_keep_alive)
        .keep_alive_timeout(options.h2_keep_alive)
        .max_header_list_size(u32::try_from(options.max_head_bytes).unwrap_or(u32::MAX));
    let builder = Arc::new(builder);
    // The TLS acceptor, and the task that reloads its certificate, for as
    // long as this serves.
    let tls = options.tls.as_ref().map(|certificates| (tokio_rustls::TlsAcceptor::from(certificates.server_config()), AbortOnDrop(certificates.watch())));
    let options = Arc::new(options);
    let (phase, watching) = watch::channel(Phase::Serving);
    tokio::pin!(shutdown);
    let mut backoff = Duration::ZERO;
    let mut failures = 0u64;
    // Connections open per client address: a slot is taken at accept and
    // given back when the connection's task ends.
    let per_client = InFlightCap::new(options.max_connections_per_client);
    // Answers in flight per client address, across its connections.
    let answers = InFlightCap::new(options.max_answers_per_client);
    let mut refusals = Refusals::default();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // One warning per run of failures, not one per retry.
                    failures += 1;
                    if failures == 1 {
                        tracing::warn!(error = %e, "accept failed; retrying with backoff");
                    }
                    backoff = (backoff * 2).clamp(ACCEPT_BACKOFF.0, ACCEPT_BACKOFF.1);
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => continue,
                        _ = &mut shutdown => break,
                    }
                }
            },
            _ = &mut shutdown => break,
        };
        if failures > 0 {
            tracing::info!(failures, "accepting again");
            (failures, backoff) = (0, Duration::ZERO);
        }
        // Over the cap: closed at once, before anything is read or any
        // timer armed, so that one address holding a few hundred silent
        // sockets cannot take the file descriptors everyone else needs.
        // A trusted proxy carries everyone's connections: the balancer caps
        // those per client, not this.
        let trusted = crate::client_ip::is_trusted(&options.trusted_proxies, peer.ip());
        let slot = if trusted { Some(ClientSlot::uncapped(peer.ip())) } else { per_client.take(peer.ip()) };
        let Some(slot) = slot else {
            drop(stream);
            options.connections_refused.inc();
            refusals.refused(crate::ratelimit::client_key(peer.ip()), options.max_connections_per_client);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        // A trusted proxy's requests count against the client it names;
        // one without that header is not capped here (the balancer is).
        let answers = match (trusted, &options.client_ip_header) {
            (false, _) => Some(AnswersCap { cap: answers.clone(), named_by: None }),
            (true, Some(header)) => Some(AnswersCap { cap: answers.clone(), named_by: Some((header.clone(), options.trusted_proxies.clone().into())) }),
            (true, None) => None,
        };
        let service = Tracked::new(app.clone(), peer, activity.clone(), answers, tls.is_some());
        let (ask, asked) = oneshot::channel();
        let task = match &tls {
            None => {
                let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                tokio::spawn(run_connection(connection, |c| c.graceful_shutdown(), asked, slot))
            }
            Some((acceptor, _)) => {
                let handshake = tokio::time::timeout(options.header_read_timeout, acceptor.accept(stream));
                tokio::spawn(run_tls_connection(handshake, builder.clone(), service, asked, slot))
            }
        };
        tokio::spawn(watch_connection(task, ask, activity, options.clone(), watching.clone()));
    }
    drop(listener);
    drop(tls);
    drop(watching);
    tracing::info!("shutting down: waiting for requests in flight");
    let _ = phase.send(Phase::Draining);
    // Every connection's watchdog holds a receiver, and ends after its
    // connection does: all gone, all closed.
    if tokio::time::timeout(options.drain, phase.closed()).await.is_ok() {
        tracing::info!("all connections closed");
    } else {
        tracing::warn!("requests still in flight after the drain time; closing");
        let _ = phase.send(Phase::Closing);
        let _ = tokio::time::timeout(Duration::from_secs(1), phase.closed()).await;
    }
}

/// The service for one connection: the peer address for the rate limit,
/// and every request counted in the connection's [`Activity`] until its
/// answer has been sent or dropped.
///
/// A hyper service of its own rather than hyper-util's
/// `TowerToHyperService` around a `service_fn`: that pair cloned the whole
/// layer stack twice per request; this keeps one copy of the stack per
/// connection and calls it for each request, after asking it whether it is
/// ready without a waker (every service served here always is: the proxy's
/// layers and axum's router say so).
///
/// The copy is in a `RefCell`: hyper calls a connection's service from that
/// connection's task only, and a call makes a future that does not borrow
/// the service, so no call is under way when the next begins. Were the
/// copy ever borrowed anyway, the request would get a clone of `spare`
/// rather than a panic.
struct Tracked<S> {
    app: RefCell<S>,
    spare: S,
    peer: SocketAddr,
    activity: Arc<Activity>,
    /// The client's answers in flight across its connections: a request
    /// takes a place until its answer is sent (`None`: not capped).
    answers: Option<AnswersCap>,
    /// The connection is TLS: its requests say so ([`crate::tls::OverTls`]),
    /// and its answers carry HSTS.
    tls: bool,
}

impl<S: Served> Tracked<S> {
    fn new(app: S, peer: SocketAddr, activity: Arc<Activity>, answers: Option<AnswersCap>, tls: bool) -> Tracked<S> {
        Tracked { app: RefCell::new(app.clone()), spare: app, peer, activity, answers, tls }
    }
}

impl<S: Served> hyper::service::Service<Request<Incoming>> for Tracked<S> {
    // The watched body as it is (hyper takes any body), not boxed again.
    type Response = Response<Watched>;
    type Error = Infallible;
    type Future = TrackedFuture<S>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        // HSTS over TLS, except to a loopback name: a year of it on
        // `localhost` would send the browser to HTTPS on every other local
        // port too (browsers ignore it for IP addresses themselves).
        let hsts = self.tls && !crate::middleware::host_guard::is_loopback_name(request.headers(), request.uri());
        let slot = match &self.answers {
            Some(answers) => match answers.cap.take(answers.client(&request, self.peer.ip())) {
                Some(slot) => Some(slot),
                // As many answers in flight as the address may have: refused
                // before the app sees it, costing nothing but this answer.
                None => {
                    let open = Open::new(self.activity.clone(), None);
                    let response = Some(refusal().map(|inner| Watched { inner, _open: open, progress: None, rest: None }));
                    return TrackedFuture { state: TrackedState::Refused { response }, hsts };
                }
            },
            None => None,
        };
        request.extensions_mut().insert(ConnectInfo::<SocketAddr>(self.peer));
        if self.tls {
            request.extensions_mut().insert(crate::tls::OverTls);
        }
        let open = Some(Open::new(self.activity.clone(), slot));
        let request = request.map(Body::new);
        let Ok(mut app) = self.app.try_borrow_mut() else {
            return TrackedFuture { state: TrackedState::Waiting { future: self.spare.clone().oneshot(request), open }, hsts };
        };
        let state = match app.poll_ready(&mut Context::from_waker(std::task::Waker::noop())) {
            Poll::Ready(Ok(())) => TrackedState::Called { future: app.call(request), open },
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => TrackedState::Waiting { future: app.clone().oneshot(request), open },
        };
        TrackedFuture { state, hsts }
    }
}

/// The cap on answers in flight, and whom a request counts against: the
/// peer, or behind a trusted proxy the client its header names (the
/// header and the trusted proxies, as the rate limit reads them).
struct AnswersCap {
    cap: Arc<InFlightCap>,
    named_by: Option<(axum::http::HeaderName, Arc<[crate::client_ip::Cidr]>)>,
}

impl AnswersCap {
    fn client<B>(&self, request: &Request<B>, peer: std::net::IpAddr) -> std::net::IpAddr {
        use crate::client_ip::{from_header, Said};
        match &self.named_by {
            Some((header, trusted)) => match from_header(request.headers().get_all(header), trusted) {
                Said::Client(ip) => ip,
                // The rate limit counts and logs what cannot be read.
                Said::Nothing | Said::Unparsed => peer,
            },
            None => peer,
        }
    }
}

pin_project_lite::pin_project! {
    struct TrackedFuture<S: Served> {
        #[pin]
        state: TrackedState<S>,
        // Add `Strict-Transport-Security` to the answer.
        hsts: bool,
    }
}

pin_project_lite::pin_project! {
    #[project = TrackedProj]
    enum TrackedState<S: Served> {
        Called { #[pin] future: S::Future, open: Option<Open> },
        Waiting { #[pin] future: tower::util::Oneshot<S, Request<Body>>, open: Option<Open> },
        Refused { response: Option<Response<Watched>> },
    }
}

impl<S: Served> Future for TrackedFuture<S> {
    type Output = Result<Response<Watched>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let (response, open) = match this.state.project() {
            TrackedProj::Called { future, open } => (std::task::ready!(future.poll(cx))?, open),
            TrackedProj::Waiting { future, open } => (std::task::ready!(future.poll(cx))?, open),
            TrackedProj::Refused { response } => {
                let mut response = response.take().expect("an answer is polled once it is ready");
                if *this.hsts {
                    set_hsts(response.headers_mut());
                }
                return Poll::Ready(Ok(response));
            }
        };
        let open = open.take().expect("an answer is polled once it is ready");
        // An HTTP/2 answer: its stream's deadline starts now (`Streams`).
        let progress = STREAM.with(Cell::take);
        if let Some(progress) = &progress {
            progress.moved();
        }
        let mut response = response.map(|inner| Watched { inner, _open: open, progress, rest: None });
        if *this.hsts {
            set_hsts(response.headers_mut());
        }
        Poll::Ready(Ok(response))
    }
}

fn set_hsts(headers: &mut axum::http::HeaderMap) {
    headers.insert(axum::http::header::STRICT_TRANSPORT_SECURITY, axum::http::HeaderValue::from_static(crate::tls::STRICT_TRANSPORT_SECURITY));
}

/// What a connection's watchdog reads: answers open, and when anything last
/// happened (a request began or ended, an answer sent a frame).
struct Activity {
    born: Instant,
    open: AtomicUsize,
    last_ms: AtomicU64,
    served: AtomicBool,
}

impl Activity {
    fn new() -> Activity {
        Activity { born: Instant::now(), open: AtomicUsize::new(0), last_ms: AtomicU64::new(0), served: AtomicBool::new(false) }
    }

    fn touch(&self) {
        self.last_ms.store(self.born.elapsed().as_millis() as u64, Relaxed);
    }

    /// When the connection should be closed if nothing happens meanwhile.
    fn deadline(&self, options: &ServeOptions) -> Instant {
        let last = self.born + Duration::from_millis(self.last_ms.load(Relaxed));
        let wait = if self.open.load(Relaxed) > 0 {
            options.stalled_timeout
        } else if self.served.load(Relaxed) {
            options.idle_timeout
        } else {
            options.header_read_timeout
        };
        last + wait
    }
}

/// One request in flight on a connection, and its place among its
/// client's answers in flight (given back when this is dropped).
struct Open(Arc<Activity>, #[allow(dead_code)] Option<ClientSlot>);

impl Open {
    fn new(activity: Arc<Activity>, slot: Option<ClientSlot>) -> Open {
        activity.served.store(true, Relaxed);
        activity.open.fetch_add(1, Relaxed);
        activity.touch();
        Open(activity, slot)
    }
}

/// The answer to a request over its client's cap of answers in flight:
/// 429 `PROXY.0016`, with the headers every answer has.
fn refusal() -> Response<Body> {
    let mut response = crate::error::ProxyError::ClientBusy.into_response();
    crate::middleware::security_headers::set(response.headers_mut());
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.touch();
        self.0.open.fetch_sub(1, Relaxed);
    }
}

/// An answer's body, telling the connection's activity when it moves, and
/// for HTTP/2 its stream's deadline ([`Progress`]). An HTTP/2 answer is
/// handed to hyper in pieces of at most [`PIECE`] bytes: hyper takes the
/// next piece only when the last has gone, so a piece taken is progress,
/// and a stalled stream holds at most one piece in hyper's and h2's buffers.
struct Watched {
    inner: Body,
    _open: Open,
    progress: Option<Arc<Progress>>,
    /// What is left of a frame larger than a piece.
    rest: Option<Bytes>,
}

/// The largest piece of an HTTP/2 answer handed to hyper at once (an
/// HTTP/2 DATA frame's default size).
const PIECE: usize = 16 << 10;

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let polled = match this.rest.take() {
            Some(rest) => Poll::Ready(Some(Ok(Frame::data(rest)))),
            None => Pin::new(&mut this.inner).poll_frame(cx),
        };
        let Some(progress) = &this.progress else {
            if let Poll::Ready(Some(Ok(_))) = &polled {
                this._open.0.touch();
            }
            return polled;
        };
        match polled {
            Poll::Ready(Some(Ok(frame))) => {
                this._open.0.touch();
                progress.moved();
                match frame.into_data() {
                    Ok(mut data) if data.len() > PIECE => {
                        this.rest = Some(data.split_off(PIECE));
                        Poll::Ready(Some(Ok(Frame::data(data))))
                    }
                    Ok(data) => Poll::Ready(Some(Ok(Frame::data(data)))),
                    Err(frame) => Poll::Ready(Some(Ok(frame))),
                }
            }
            Poll::Ready(None) => {
                progress.finished();
                Poll::Ready(None)
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let rest = self.rest.as_ref().map_or(0, |r| r.len() as u64);
        let inner = self.inner.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + rest);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + rest);
        }
        hint
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(progress) = &self.progress {
            progress.finished();
        }
    }
}

/// When an HTTP/2 answer last moved: armed when its head is ready, touched
/// whenever hyper takes a piece of its body, disarmed when it ends.
struct Progress {
    born: Instant,
    /// Milliseconds after `born`, plus one; 0 while not armed or ended.
    last_ms: AtomicU64,
}

impl Progress {
    fn new() -> Progress {
        Progress { born: Instant::now(), last_ms: AtomicU64::new(0) }
    }

    fn moved(&self) {
        self.last_ms.store(self.born.elapsed().as_millis() as u64 + 1, Relaxed);
    }

    fn finished(&self) {
        self.last_ms.store(0, Relaxed);
    }

    /// When the answer last moved, if it is under way.
    fn last(&self) -> Option<Instant> {
        match self.last_ms.load(Relaxed) {
            0 => None,
            ms => Some(self.born + Duration::from_millis(ms - 1)),
        }
    }
}

thread_local! {
    /// The [`Progress`] of the HTTP/2 stream whose task is being polled, for
    /// its answer to take when its head is ready ([`TrackedFuture`]).
    static STREAM: Cell<Option<Arc<Progress>>> = const { Cell::new(None) };
}

/// hyper's executor for the tasks of HTTP/2 streams, each of which runs a
/// request and then sends its answer: each runs under a deadline measured
/// in its own answer's progress, so that a stream whose client stopped
/// taking its answer is given up after `send_timeout` (the task is dropped,
/// and h2 resets the stream), however busy the rest of its connection is.
/// The connection's watchdog cannot tell one stream from another.
#[derive(Clone)]
struct Streams {
    send_timeout: Duration,
}

impl<F> hyper::rt::Executor<F> for Streams
where
    F: Future<Output = ()> + Send + 'static,
{
    fn execute(&self, future: F) {
        tokio::spawn(Deadline { inner: future, progress: Arc::new(Progress::new()), timeout: self.send_timeout, sleep: None, given: false });
    }
}

pin_project_lite::pin_project! {
    /// A stream's task under its answer's deadline.
    struct Deadline<F> {
        #[pin]
        inner: F,
        progress: Arc<Progress>,
        timeout: Duration,
        sleep: Option<Pin<Box<tokio::time::Sleep>>>,
        // Whether the answer has taken its `progress`.
        given: bool,
    }
}

impl<F: Future<Output = ()>> Future for Deadline<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let polled = if *this.given {
            this.inner.poll(cx)
        } else {
            STREAM.with(|s| s.set(Some(this.progress.clone())));
            let polled = this.inner.poll(cx);
            // Taken by the answer (its head is ready), or still to come.
            *this.given = STREAM.with(Cell::take).is_none();
            polled
        };
        if polled.is_ready() {
            return Poll::Ready(());
        }
        loop {
            let Some(last) = this.progress.last() else { return Poll::Pending };
            let deadline = last + *this.timeout;
            if Instant::now() >= deadline {
                // Dropping the task drops the stream's sending half: h2
                // resets the stream and frees what it had buffered for it.
                tracing::debug!("resetting an HTTP/2 stream whose answer made no progress");
                return Poll::Ready(());
            }
            let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
            if sleep.deadline() != deadline {
                sleep.as_mut().reset(deadline);
            }
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
    }
}

/// Aborts the task when dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// [`run_connection`] after the TLS handshake, which is bounded by the
/// header timeout (a new connection's time to start its first request, the
/// handshake included): a socket that sends no ClientHello, or half of one,
/// gives its place under the per-client cap back then. The watchdog, which
/// started at accept, bounds the same time from outside.
async fn run_tls_connection<S: Served>(
    handshake: tokio::time::Timeout<tokio_rustls::Accept<tokio::net::TcpStream>>,
    builder: Arc<Builder<Streams>>,
    service: Tracked<S>,
    asked: oneshot::Receiver<()>,
    slot: ClientSlot,
) {
    let stream = match handshake.await {
        Ok(Ok(stream)) => stream,
        // Scanners and clients that distrust the certificate: not worth
        // more than a debug line each.
        Ok(Err(error)) => return tracing::debug!(%error, "TLS handshake failed"),
        Err(_) => return tracing::debug!("TLS handshake timed out"),
    };
    let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
    run_connection(connection, |c| c.graceful_shutdown(), asked, slot).await
}

/// Runs one connection until it ends, or until it is asked to finish
/// (hyper's graceful shutdown: no new requests, idle HTTP/1 closed, HTTP/2
/// GOAWAY) and has finished. Its watchdog ([`watch_connection`]) asks, or
/// aborts this task when there is no point in asking. `_slot` is the
/// connection's place under the per-client cap, given back when this ends.
///
/// The timers and the server's phase are watched by a task of their own
/// rather than here: this task is woken for every read and write of the
/// connection, and polling a timer and a watch channel each time cost more
/// than the one-shot channel polled now (docs/benchmarks.md).
async fn run_connection<C, E>(connection: C, finish: fn(Pin<&mut C>), mut asked: oneshot::Receiver<()>, _slot: ClientSlot)
where
    C: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    tokio::pin!(connection);
    let result = tokio::select! {
        biased;
        result = connection.as_mut() => result,
        Ok(()) = &mut asked => {
            finish(connection.as_mut());
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// The watchdog of one connection (`task`, [`run_connection`]): asks it to
/// finish when it has said nothing, or stayed idle, for too long, or when
/// the server drains; closes it (aborts its task) when its answers make no
/// progress, when a polite close takes more than a second, or when the
/// server closes. Ends when the connection does.
async fn watch_connection(
    mut task: JoinHandle<()>,
    ask: oneshot::Sender<()>,
    activity: Arc<Activity>,
    options: Arc<ServeOptions>,
    mut phase: watch::Receiver<Phase>,
) {
    let mut ask = Some(ask);
    let mut finish = move || {
        if let Some(ask) = ask.take() {
            let _ = ask.send(());
        }
    };
    // Deadlines only move later while nothing happens, except when a request
    // begins on an idle connection; looking again this often bounds that.
    // (Never less than 10 ms, so that a zero timeout cannot make it spin.)
    let recheck = options.header_read_timeout.min(options.idle_timeout).min(options.stalled_timeout).max(Duration::from_millis(10));
    loop {
        let wake = activity.deadline(&options).min(Instant::now() + recheck);
        tokio::select! {
            _ = &mut task => return,
            _ = tokio::time::sleep_until(wake) => {
                if Instant::now() < activity.deadline(&options) {
                    continue;
                }
                if activity.open.load(Relaxed) == 0 {
                    // Silent, or idle: close politely, but not for long.
                    tracing::debug!("closing a silent or idle connection");
                    finish();
                    if tokio::time::timeout(Duration::from_secs(1), &mut task).await.is_ok() {
                        return;
                    }
                } else {
                    // Answers its client does not take: no point in asking nicely.
                    tracing::debug!("closing a connection whose answers made no progress");
                }
                break;
            }
            changed = phase.changed() => {
                let now = *phase.borrow_and_update();
                if changed.is_err() || now == Phase::Closing {
                    break;
                }
                if now == Phase::Draining {
                    finish();
                }
            }
        }
    }
    task.abort();
    let _ = task.await;
}
