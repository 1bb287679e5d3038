//! `tenantscope exporter`: `/metrics` for Prometheus, in OpenMetrics text,
//! from a cache that one background loop refreshes every `--interval`,
//! starting at once. A scrape only reads the cache: it never calls Huawei
//! Cloud. Refreshes run one after the other, never two at once.
//!
//! A refresh reads as `check` does ([`crate::reading`]). Where a service
//! (or billing) fails, its last good reading is kept, so that its packages
//! and their expiry stay in `/metrics`, with `tenantscope_service_up` 0 and
//! `tenantscope_last_refresh_timestamp_seconds` still the last success's
//! ([`tenantscope_core::session::keep_last_good`], as a console tab keeps
//! them). A session that cannot be opened again keeps its last reading,
//! every service 0. Each failure is one line on stderr.
//!
//! Until a refresh has found the sessions to read (each read, or why it
//! could not start), `/metrics` answers 200 with the families' metadata and no
//! samples but `tenantscope_exporter_ready 0`; then
//! `tenantscope_exporter_ready 1`.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tenantscope_catalog::Service;
use tenantscope_core::api::ApiError;
use tenantscope_core::export::Sessions;
use tenantscope_core::services::bss::BillingState;
use tenantscope_core::services::{Loaded, ServiceState};
use tenantscope_core::session::keep_last_good;
use tenantscope_core::tenant::{billed, Reading};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::check::EXIT_UNREAD;
use crate::reading::{open, precheck, problems, read_all, ReadAll, ReadArgs};

/// The content type of `/metrics`.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The shortest `--interval` against Huawei Cloud.
pub const MIN_INTERVAL: Duration = Duration::from_secs(60);
/// The shortest `--interval` with `--demo` or `--upstream-base` (the demo
/// tenant, a stub, an endpoint of one's own): what tests need.
pub const MIN_INTERVAL_OFF_CLOUD: Duration = Duration::from_secs(1);

const HELP: &str = concat!(
    crate::reading::credentials_help!(),
    "\n\nServes:
  GET /metrics   OpenMetrics text from the last refresh (never calls Huawei Cloud)
  GET /healthz   ok
  anything else  404

Exit status: 0 after SIGTERM or SIGINT; 2 when the flags or credentials are wrong or
--listen cannot be bound. Failures to read are logged to stderr, one line each, and
the exporter keeps running."
);

#[derive(Debug, Args)]
#[command(after_help = HELP)]
pub struct ExporterArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// The address /metrics and /healthz are served on (IP:PORT; port 0
    /// picks one, said on stderr).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9465")]
    pub listen: SocketAddr,
    /// How often the account is read: a number and s, m or h (90s, 15m,
    /// 1h). At least 60s; with --demo or --upstream-base at least 1s.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_interval)]
    pub interval: Duration,
}

impl ExporterArgs {
    /// The interval, if it is long enough for where calls go.
    pub fn interval(&self) -> Result<Duration, String> {
        let off_cloud = self.read.demo || self.read.upstream_base.is_some();
        let min = if off_cloud { MIN_INTERVAL_OFF_CLOUD } else { MIN_INTERVAL };
        if self.interval < min {
            let with = if off_cloud { "" } else { " (1s with --demo or --upstream-base)" };
            return Err(format!("--interval {}s is too short: at least {}s{with}", self.interval.as_secs_f64(), min.as_secs()));
        }
        Ok(self.interval)
    }
}

/// `90s`, `15m`, `1h`: a whole number and a unit.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let expected = || "expected a whole number and s, m or h: 90s, 15m, 1h".to_string();
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(expected)?;
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().map_err(|_| expected())?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => return Err(expected()),
    }
    .ok_or_else(expected)?;
    if seconds == 0 {
        return Err("the interval cannot be 0".into());
    }
    Ok(Duration::from_secs(seconds))
}

/// What `/metrics` serves: the readings of the last refreshes, merged.
#[derive(Default)]
pub struct Cache {
    /// Each session's reading: the last refresh's, with what failed kept
    /// from before.
    readings: Vec<Result<Reading, ApiError>>,
    /// Per reading: the connection's region and project (what tells
    /// sessions apart across refreshes), and whether the last refresh
    /// could not open it again.
    places: Vec<Place>,
}

struct Place {
    region: String,
    project_id: String,
    down: bool,
}

/// A service's last good answers in `state`, without the mark of a failure.
fn last_good(state: &Result<ServiceState, ApiError>) -> Option<Loaded> {
    match state {
        Ok(ServiceState::Loaded(loaded)) => Some(Loaded { stale: None, ..loaded.clone() }),
        _ => None,
    }
}

/// The state of `service` in `states`.
fn state_of(states: &[(Service, Result<ServiceState, ApiError>)], service: Service) -> Option<&Result<ServiceState, ApiError>> {
    states.iter().find(|(s, _)| *s == service).map(|(_, state)| state)
}

/// `fresh` with what failed in it kept from `last`: a service's last good
/// answers (marked stale, with billing's word as it was laid over them
/// then: this refresh asked billing nothing about them), billing's last
/// reading (stale).
pub fn merge(last: Option<&Reading>, fresh: Reading) -> Reading {
    let Reading { session, loaded, billing, .. } = fresh;
    let loaded = loaded.map(|(service, state)| {
        let before = last.and_then(|r| state_of(&r.loaded, service)).and_then(last_good);
        (service, keep_last_good(state, before).0)
    });
    let billing = match (billing, last) {
        (BillingState::Failed(e) | BillingState::Stale(_, e), Some(last)) => BillingState::after_failure(&last.billing, e),
        (billing, _) => billing,
    };
    let services = loaded.clone().map(|(service, state)| {
        let billed_before = last.and_then(|r| state_of(&r.services, service)).and_then(last_good);
        let state = match (state, billed_before) {
            (Ok(ServiceState::Loaded(kept)), Some(before)) if kept.stale.is_some() => Ok(ServiceState::Loaded(Loaded { stale: kept.stale, ..before })),
            (state, _) => billed(state, &billing),
        };
        (service, state)
    });
    Reading { session, loaded, billing, services }
}

impl Cache {
    /// Whether a refresh has found the sessions to read yet (each read, or
    /// why it could not start): until then there are no samples but this.
    pub fn ready(&self) -> bool {
        !self.readings.is_empty()
    }

    /// Lays a refresh over the cache: the connections it opened and their
    /// readings, or why none could be opened (then every session kept is
    /// down).
    pub fn update(&mut self, fresh: ReadAll) {
        let Ok((connections, tabs)) = fresh else {
            for place in &mut self.places {
                place.down = true;
            }
            return;
        };
        let mut last: Vec<(Place, Result<Reading, ApiError>)> = std::mem::take(&mut self.places).into_iter().zip(std::mem::take(&mut self.readings)).collect();
        for (connection, tab) in connections.iter().zip(tabs) {
            let at = last.iter().position(|(p, _)| p.region == connection.region && p.project_id == connection.project_id);
            let before = at.map(|n| last.swap_remove(n).1).and_then(Result::ok);
            let (reading, down) = match (tab, before) {
                (Ok(fresh), before) => (Ok(merge(before.as_ref(), fresh)), false),
                (Err(_), Some(before)) => (Ok(before), true),
                (Err(e), None) => (Err(e), false),
            };
            self.readings.push(reading);
            self.places.push(Place { region: connection.region.clone(), project_id: connection.project_id.clone(), down });
        }
    }

    /// The OpenMetrics text of the cache, ending in `# EOF`.
    pub fn render(&self) -> String {
        let sessions = Sessions::of(&self.readings);
        let tabs: Vec<crate::metrics::Tab> =
            self.readings.iter().zip(&self.places).map(|(reading, p)| crate::metrics::Tab { region: &p.region, reading, down: p.down }).collect();
        let mut out = crate::metrics::families(&tabs, &sessions);
        out.push_str(&crate::metrics::gauge(
            "tenantscope_exporter_ready",
            "Whether a refresh has found the sessions to read yet: 1, or 0 (no package or service samples yet).",
            if self.ready() { 1.0 } else { 0.0 },
        ));
        out.push_str("# EOF\n");
        out
    }
}

/// The text `/metrics` serves (shared with each scrape, not copied).
type Shared = Arc<RwLock<Bytes>>;

/// How long a client has to send a whole request head, from when the
/// exporter starts waiting for one: on a new connection and on a kept-alive
/// one after each answer. Closes silent sockets, heads sent a byte at a
/// time, and idle keep-alive connections (a scraper opens another).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may go with nothing read from it or written to it,
/// an answer under way or not: closes clients that stop taking their
/// answers, which hyper alone would keep forever.
pub const NO_PROGRESS_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once. With all taken, a new one closes the one that
/// moved least recently rather than being turned away: clients that sit on
/// their connections cannot keep a scraper out, and the file descriptors
/// stay well under the usual soft limit of 1024.
pub const MAX_CONNECTIONS: usize = 256;
/// The largest request head read (a scraper's is a few hundred bytes): more
/// is 431. It bounds each connection's read buffer.
const MAX_HEAD_BYTES: usize = 16 << 10;

fn answer(text: &Shared, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let get = matches!(*request.method(), Method::GET | Method::HEAD);
    let (status, content_type, body) = match request.uri().path() {
        "/metrics" if get => {
            let text = text.read().map(|t| t.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone());
            (StatusCode::OK, CONTENT_TYPE, text)
        }
        "/healthz" if get => (StatusCode::OK, "text/plain; charset=utf-8", Bytes::from_static(b"ok\n")),
        _ => (StatusCode::NOT_FOUND, "text/plain; charset=utf-8", Bytes::from_static(b"not found\n")),
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// One open connection, as its socket and the accept loop see it.
struct Connection {
    born: Instant,
    /// When a byte last moved either way, in milliseconds after `born`.
    moved: AtomicU64,
    /// Told to close to make room for a new connection.
    close: Notify,
}

impl Connection {
    fn touch(&self) {
        self.moved.store(self.born.elapsed().as_millis() as u64, Relaxed);
    }

    fn last_moved(&self) -> Instant {
        self.born + Duration::from_millis(self.moved.load(Relaxed))
    }
}

/// The connections open, each holding one of `slots` until it ends.
struct Connections {
    slots: Arc<Semaphore>,
    open: Mutex<Vec<Arc<Connection>>>,
}

impl Connections {
    /// A place for a new connection: a free one, or the place of the
    /// connection that moved least recently, once it has closed.
    async fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let slot = match Arc::clone(&self.slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                let stalest = self.open.lock().unwrap_or_else(PoisonError::into_inner).iter().min_by_key(|c| c.last_moved()).cloned();
                if let Some(stalest) = stalest {
                    stalest.close.notify_one();
                }
                // Its task ends at its next poll; the second is only a bound.
                tokio::time::timeout(Duration::from_secs(1), Arc::clone(&self.slots).acquire_owned()).await.ok()?.ok()?
            }
        };
        let connection = Arc::new(Connection { born: Instant::now(), moved: AtomicU64::new(0), close: Notify::new() });
        self.open.lock().unwrap_or_else(PoisonError::into_inner).push(Arc::clone(&connection));
        Some(Admitted { connection, connections: Arc::clone(self), _slot: slot })
    }
}

/// A connection's place, given back when it ends.
struct Admitted {
    connection: Arc<Connection>,
    connections: Arc<Connections>,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.connections.open.lock().unwrap_or_else(PoisonError::into_inner).retain(|c| !Arc::ptr_eq(c, &self.connection));
    }
}

/// A connection's socket, noting when bytes move either way.
struct Tracked {
    stream: TcpStream,
    connection: Arc<Connection>,
}

impl AsyncRead for Tracked {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.connection.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(1..))) {
            self.connection.touch();
        }
        polled
    }

    // Vectored, as the socket is: hyper then queues the shared text rather
    // than copying it into its write buffer.
    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(1..))) {
            self.connection.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves one connection until it ends, stops moving for
/// [`NO_PROGRESS_TIMEOUT`], or is closed to make room. Its errors are the
/// client's (hyper has answered what can be answered): none is logged.
async fn serve_connection(stream: TcpStream, http: http1::Builder, text: Shared, admitted: Admitted) {
    let connection = Arc::clone(&admitted.connection);
    let io = TokioIo::new(Tracked { stream, connection: Arc::clone(&connection) });
    let service = hyper::service::service_fn(move |request| std::future::ready(Ok::<_, Infallible>(answer(&text, &request))));
    let serving = http.serve_connection(io, service);
    tokio::pin!(serving);
    loop {
        let stalled = connection.last_moved() + NO_PROGRESS_TIMEOUT;
        tokio::select! {
            _ = serving.as_mut() => return,
            () = connection.close.notified() => return,
            () = tokio::time::sleep_until(stalled) => {
                if connection.last_moved() + NO_PROGRESS_TIMEOUT <= Instant::now() {
                    return;
                }
            }
        }
    }
}

/// Serves `/metrics` and `/healthz` on `listener`, HTTP/1.1 only (a scraper
/// needs no more), within the limits above; never returns.
async fn serve(listener: TcpListener, text: Shared) -> Infallible {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT).max_buf_size(MAX_HEAD_BYTES);
    let connections = Arc::new(Connections { slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)), open: Mutex::default() });
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset) => continue,
            // Out of file descriptors or memory: a pause rather than a spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(admitted) = connections.admit().await else { continue };
        tokio::spawn(serve_connection(stream, http.clone(), Arc::clone(&text), admitted));
    }
}

/// SIGTERM or SIGINT.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the exporter until SIGTERM or SIGINT (0) or until it cannot start
/// (2): `env` reads the environment (ignored with `--demo`). Every line it
/// logs goes to stderr.
pub async fn run(args: &ExporterArgs, env: impl Fn(&str) -> Option<String>) -> i32 {
    let refuse = |why: String| {
        eprintln!("tenantscope: {why}");
        EXIT_UNREAD
    };
    let interval = match args.interval() {
        Ok(i) => i,
        Err(why) => return refuse(why),
    };
    let (transport, credentials) = match open(&args.read, env) {
        Ok(opened) => opened,
        Err(why) => return refuse(why),
    };
    if let Err(why) = precheck(&args.read, &credentials) {
        return refuse(why);
    }
    let listener = match TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => return refuse(format!("cannot listen on {}: {e}", args.listen)),
    };
    let bound = listener.local_addr().map_or_else(|_| args.listen.to_string(), |a| a.to_string());
    eprintln!("tenantscope: listening on http://{bound}/metrics, reading every {}s", interval.as_secs());

    let mut cache = Cache::default();
    let shared: Shared = Arc::new(RwLock::new(Bytes::from(cache.render())));

    let refresh = async {
        // The first tick is at once; a refresh longer than the interval
        // delays the next rather than overlapping it.
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let fresh = read_all(&args.read, &transport, credentials.clone()).await;
            match &fresh {
                Ok((connections, tabs)) => {
                    let regions: Vec<&str> = connections.iter().map(|c| c.region.as_str()).collect();
                    for line in problems(&regions, tabs) {
                        eprintln!("tenantscope: {line}");
                    }
                }
                Err(why) => eprintln!("tenantscope: {why}"),
            }
            cache.update(fresh);
            let text = Bytes::from(cache.render());
            match shared.write() {
                Ok(mut slot) => *slot = text,
                Err(poisoned) => *poisoned.into_inner() = text,
            }
        }
    };

    tokio::select! {
        never = serve(listener, Arc::clone(&shared)) => match never {},
        _ = refresh => EXIT_UNREAD,
        _ = stopped() => {
            eprintln!("tenantscope: stopping");
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_seconds_minutes_or_hours() {
        assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_interval("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["15", "m", "1.5m", "-1m", "15 m", "1d", "0s", "99999999999999999999h"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn intervals_under_a_minute_only_off_the_cloud() {
        use clap::Parser;
        let args = |extra: &[&str]| {
            let cli = crate::check::Cli::parse_from([&["tenantscope", "exporter"][..], extra].concat());
            match cli.command {
                crate::check::Command::Exporter(args) => args,
                _ => unreachable!(),
            }
        };
        let default = args(&[]);
        assert_eq!(default.interval(), Ok(Duration::from_secs(900)));
        assert_eq!(default.listen, "127.0.0.1:9465".parse().unwrap());
        let why = args(&["--interval", "30s"]).interval().unwrap_err();
        assert!(why.contains("at least 60s"), "{why}");
        assert_eq!(args(&["--interval", "60s"]).interval(), Ok(Duration::from_secs(60)));
        assert_eq!(args(&["--interval", "1s", "--demo"]).interval(), Ok(Duration::from_secs(1)));
        assert_eq!(args(&["--interval", "2s", "--upstream-base", "http://127.0.0.1:1"]).interval(), Ok(Duration::from_secs(2)));
    }

    #[test]
    fn before_the_first_reading_metrics_say_not_ready() {
        let text = Cache::default().render();
        assert!(text.ends_with("tenantscope_exporter_ready 0\n# EOF\n"), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("tenantscope_service_up") || l.starts_with("tenantscope_package_")), "{text}");
    }
}
