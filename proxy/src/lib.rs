//! tenantscope-proxy: the small server that lets the browser console reach
//! Huawei Cloud APIs, which send no CORS headers (docs/huawei-apis.md §5).
//!
//! [`app`] builds the whole router from a [`Config`]: `/api/...` relayed (or
//! answered by the demo tenant), `/healthz`, `/metrics` (unless
//! `--metrics-listen` moves it to a loopback listener of its own,
//! [`metrics_app`]), and the built site at `/`; [`server::serve`] runs it,
//! over TLS when configured ([`tls`]). `main.rs` only parses flags, reads
//! the TLS files, binds and serves.
//!
//! The layers every request passes are in [`middleware`], one file each, and
//! are stacked here in the order a request meets them: security headers,
//! sensitive headers, Host guard, size limits, request id; then for `/api`
//! the access log, CORS and the rate limit. The `/api` handler then checks
//! the method (GET or POST), the credentials (each once; `Authorization`
//! only as an SDK-HMAC-SHA256 signature, never beside `X-Auth-Token`), the
//! path, and that the method is the route's own, in that order; for the one
//! route that takes a body (billing's POST) it then reads the body under
//! its limits ([`body`]); only then is anything sent upstream ([`relay`]).
//!
//! `/api` and `/api/...` go from the request-id layer straight to the API
//! stack ([`Dispatch`]); everything else to an axum `Router` (`/healthz`,
//! `/metrics`, the site). The API path is the hot one: an axum route there
//! cost a boxed service clone, a boxed future, a path match and a URL
//! parameter map per request, for a prefix test (docs/benchmarks.md).

pub mod body;
pub mod client_ip;
pub mod config;
pub mod error;
pub mod gzip;
pub mod logging;
pub mod metrics;
pub mod middleware;
pub mod ratelimit;
pub mod relay;
pub mod server;
pub mod site;
pub mod tls;

/// The demo tenant (`--demo`), its own crate; kept at this path for the
/// tests' and benchmarks' `tenantscope_proxy::demo::DEMO_TOKEN` and the like.
pub use tenantscope_demo as demo;

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Version};
use axum::response::IntoResponse;
use axum::routing::future::RouteFuture;
use axum::routing::get;
use axum::Router;
use http_body::Body as _;
use pin_project_lite::pin_project;
use tower::layer::util::{Identity, Stack};
use tower::{Layer, Service, ServiceBuilder};

pub use config::Config;
use error::ProxyError;
use metrics::Metrics;
use middleware::access_log::Routed;
use middleware::rate_limit::ClientIp;
use ratelimit::Limiter;
use relay::{TargetRef, Upstream};

/// What the handlers and layers share.
pub(crate) struct AppState {
    config: Config,
    upstream: Upstream,
    metrics: Arc<Metrics>,
    limiter: Limiter,
    preflight_headers: HeaderValue,
}

/// The proxy's router for `config`, with metrics of its own.
pub fn app(config: Config) -> Router {
    app_with_metrics(config, Arc::default())
}

/// The proxy's router, counting into `metrics` (which [`metrics_app`] can
/// serve on another listener): [`service`] as a `Router`'s only service,
/// for callers that want a `Router`. `main` serves the [`App`] itself.
pub fn app_with_metrics(config: Config, metrics: Arc<Metrics>) -> Router {
    Router::new().fallback_service(service(config, metrics))
}

/// The layers every request passes, outermost first (see [`middleware`]).
type Outer = ServiceBuilder<
    Stack<
        middleware::request_id::RequestIds<Body>,
        Stack<
            middleware::limits::LimitsLayer,
            Stack<
                middleware::host_guard::HostGuardLayer,
                Stack<tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer, Stack<middleware::security_headers::SecurityHeaders, Identity>>,
            >,
        >,
    >,
>;

/// The layers of `/api`, outermost first.
type ApiLayers =
    ServiceBuilder<Stack<middleware::rate_limit::RateLimitLayer, Stack<middleware::cors::CorsLayer, Stack<middleware::access_log::AccessLogLayer, Identity>>>>;

type ApiStack = <ApiLayers as Layer<ApiHandler>>::Service;

/// The whole proxy as one service: what [`server::serve_config`] runs.
#[derive(Clone)]
pub struct App {
    inner: <Outer as Layer<Dispatch>>::Service,
    /// `--allow-origin`, for the refusals of the layers before CORS.
    allow_origins: Arc<[String]>,
}

impl Service<Request> for App {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = TopLevel<<<Outer as Layer<Dispatch>>::Service as Service<Request>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let head = request.method() == Method::HEAD;
        let http1 = request.version() <= Version::HTTP_11 && request.method() != Method::CONNECT;
        let api = is_api(request.uri().path());
        let origin = match (api && !self.allow_origins.is_empty()).then(|| request.headers().get(header::ORIGIN)).flatten() {
            Some(origin) if self.allow_origins.iter().any(|a| a.as_bytes() == origin.as_bytes()) => Some(origin.clone()),
            _ => None,
        };
        TopLevel { inner: self.inner.call(request), head, http1, api, origin }
    }
}

pin_project! {
    /// What axum's router did to every answer, refusals included, when it
    /// was the outermost service: a `Content-Length` from the body's exact
    /// size where none is set (hyper would add one too, but not in every
    /// case the router did: an empty HTTP/2 body, a 204), and no body for
    /// `HEAD`.
    ///
    /// Where hyper's HTTP/1 encoder writes the very same line (a body of
    /// known, non-zero length, a status that has one, not `HEAD` or
    /// `CONNECT`), it is
    /// left to hyper: the same bytes in the same place (after the map's
    /// headers, before `date`), without a header value made and inserted
    /// per request.
    ///
    /// And every `/api` answer, refusals of the outer layers included, says
    /// `Cache-Control: no-store`: it carries one person's tenant (or why
    /// that person was refused), which a cache in front of the proxy must
    /// not hand to the next person asking the same URL. Whatever the
    /// upstream said about caching is replaced, never relayed.
    ///
    /// An `/api` answer to an allowed origin that the CORS layer did not
    /// see (the Host guard's 403, the limits' 414 and 431, refused before
    /// it) gets its headers here, so that the console can read why.
    pub struct TopLevel<F> {
        #[pin]
        inner: F,
        head: bool,
        http1: bool,
        api: bool,
        origin: Option<HeaderValue>,
    }
}

impl<F> Future for TopLevel<F>
where
    F: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if *this.api {
            let h = response.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Some(origin) = this.origin.take().filter(|_| !h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(middleware::cors::EXPOSED));
                h.insert(header::VARY, HeaderValue::from_static("Origin"));
            }
        }
        if let Some(size) = response.body().size_hint().exact() {
            let status = response.status();
            let hyper_writes_it = *this.http1
                && !*this.head
                && size > 0
                && !(status.is_informational() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED);
            if !hyper_writes_it && !response.headers().contains_key(header::CONTENT_LENGTH) {
                response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            }
        }
        if *this.head {
            *response.body_mut() = Body::empty();
        }
        Poll::Ready(Ok(response))
    }
}

/// `/api` and `/api/...`: the API's paths.
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Past the outer layers: `/api` and `/api/...` to the API stack, the rest
/// to the router.
#[derive(Clone)]
pub struct Dispatch {
    api: ApiStack,
    router: Router,
}

impl Service<Request> for Dispatch {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = DispatchFuture<<ApiStack as Service<Request>>::Future>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both are always ready (the router says so; the API stack's layers
        // ask the handler, which is).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if is_api(request.uri().path()) {
            DispatchFuture::Api { future: self.api.call(request) }
        } else {
            DispatchFuture::Router { future: self.router.call(request) }
        }
    }
}

pin_project! {
    #[project = DispatchProj]
    pub enum DispatchFuture<A> {
        Api { #[pin] future: A },
        Router { #[pin] future: RouteFuture<Infallible> },
    }
}

impl<A> Future for DispatchFuture<A>
where
    A: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            DispatchProj::Api { future } => future.poll(cx),
            DispatchProj::Router { future } => future.poll(cx),
        }
    }
}

/// The `/api` handler as a service: [`api`] on the shared state.
#[derive(Clone)]
pub struct ApiHandler(Arc<AppState>);

impl Service<Request> for ApiHandler {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let state = self.0.clone();
        // The one box of a request: the handler's future is unnameable.
        Box::pin(async move { Ok(api(&state, request).await) })
    }
}

/// The proxy's service, counting into `metrics` (which [`metrics_app`] can
/// serve on another listener). `/metrics` is served here only when asked
/// (`--public-metrics`) and `config.metrics_listen` is not set.
pub fn service(config: Config, metrics: Arc<Metrics>) -> App {
    let site = config.static_dir.clone().map(|dir| site::Site::new(dir, &config.connect_src));
    let public_metrics = config.public_metrics && config.metrics_listen.is_none();
    let allow_origins: Arc<[String]> = config.allow_origins.clone().into();
    let state = Arc::new(AppState {
        upstream: Upstream::new(&config, metrics.clone()),
        limiter: Limiter::new(config.rate_per_sec, config.rate_burst),
        preflight_headers: middleware::cors::preflight_headers(),
        metrics: metrics.clone(),
        config,
    });

    let api: ApiLayers = ServiceBuilder::new()
        .layer(middleware::access_log::AccessLogLayer(state.clone()))
        .layer(middleware::cors::CorsLayer(state.clone()))
        .layer(middleware::rate_limit::RateLimitLayer(state.clone()));
    let mut router = Router::new().route("/healthz", get(|| async { "ok" }));
    if public_metrics {
        router = router.route("/metrics", get(move || metrics_text(metrics.clone())));
    }
    let router = match site {
        Some(site) => site.mount(router),
        None => router.fallback(|| async { StatusCode::NOT_FOUND }),
    };
    let dispatch = Dispatch { api: api.service(ApiHandler(state.clone())), router };
    let outer: Outer = ServiceBuilder::new()
        .layer(middleware::security_headers::layer())
        .layer(middleware::sensitive_headers::layer())
        .layer(middleware::host_guard::HostGuardLayer(state.clone()))
        .layer(middleware::limits::LimitsLayer(state))
        .layer(middleware::request_id::layer());
    App { inner: outer.service(dispatch), allow_origins }
}

/// `/metrics` and `/healthz`, for the loopback listener of
/// `--metrics-listen`: answered to loopback `Host` names only, so that a
/// page whose name was rebound to 127.0.0.1 cannot read it from someone's
/// browser. `/healthz` there is for a local health check that speaks plain
/// HTTP when the public listener speaks TLS (the container image's).
pub fn metrics_app(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(move || metrics_text(metrics.clone())))
        .route("/healthz", get(|| async { "ok" }))
        .layer(middleware::host_guard::LoopbackOnlyLayer)
        .layer(middleware::security_headers::layer())
}

async fn metrics_text(metrics: Arc<Metrics>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics.render())
}

/// `/api/...`: the method, the single credential, `/api/offered`, the
/// path, the route's own method, the body of the route that takes one;
/// then the demo's answer or the upstream's.
async fn api(state: &AppState, request: Request) -> Response<Body> {
    let (request, body) = request.into_parts();
    let mut routed = Routed::default();
    let mut response = if request.method != Method::GET && request.method != Method::POST {
        Err(ProxyError::MethodNotAllowed { post: false })
    } else {
        relay(state, &request, body, &mut routed).await
    }
    .unwrap_or_else(IntoResponse::into_response);
    response.extensions_mut().insert(routed);
    response
}

async fn relay(state: &AppState, request: &Parts, body: Body, routed: &mut Routed) -> Result<Response<Body>, ProxyError> {
    let forwarded = relay::Forwarded::pick(&request.headers)?;
    let get = request.method == Method::GET;
    // Where the operator's --service-host makes a service offered beyond
    // the catalogue: the console asks so that it does not call it "not
    // offered". Hosts only, nothing secret.
    if request.uri.path() == "/api/offered" {
        return if get { Ok(offered(&state.config)) } else { Err(ProxyError::MethodNotAllowed { post: false }) };
    }
    // What the console's first visit shows: that a tenantscope proxy
    // answers at this URL, and where it sends tokens. Hosts only.
    if request.uri.path() == "/api/about" {
        return if get { Ok(about(&state.config)) } else { Err(ProxyError::MethodNotAllowed { post: false }) };
    }
    let target = relay::parse_target_ref(&request.uri, &state.config.service_hosts)?;
    routed.service = Some(target.service);
    routed.route = Some(target.route.template());
    // Each route has one method: GET, or POST for billing's query
    // (docs/huawei-apis.md §7; the catalogue's `Route::method`).
    let post = target.route.method() == "POST";
    if post == get {
        return Err(ProxyError::MethodNotAllowed { post });
    }
    let client = request.extensions.get::<ClientIp>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0);
    // The body of the route that takes one: labelled JSON, small, whole
    // within the header timeout, read while holding the client's place
    // under its cap of calls in flight (body.rs). Its time runs from here:
    // the headers have just arrived, the layers before never wait.
    let posted = if post {
        let body_deadline = tokio::time::Instant::now() + state.config.header_timeout;
        body::check_head(&request.headers)?;
        let slot = state.upstream.client_slot(client)?;
        let bytes = body::read(body, body::MAX_REQUEST_BODY, body_deadline).await?;
        Some((slot, bytes))
    } else {
        None
    };
    let gzip = gzip::accepts(&request.headers);
    if state.config.demo {
        // Made first, then held to the latency from the request's arrival,
        // as an upstream's answer time includes its making.
        let due = tokio::time::Instant::now() + state.config.demo_latency;
        let bytes = posted.as_ref().map_or(&[][..], |(_, bytes)| &bytes[..]);
        let answer = demo_response(&target, &request.headers, bytes, gzip);
        tokio::time::sleep_until(due).await;
        return Ok(answer);
    }
    let relayed = match posted {
        Some((slot, bytes)) => state.upstream.forward_with(&target, &forwarded, slot, Some(bytes), gzip).await?,
        None => state.upstream.forward(&target, &forwarded, client, gzip).await?,
    };
    routed.upstream = Some(relayed.latency);
    Ok(relayed.response)
}

/// `GET /api/about`: `{"proxy": "tenantscope-proxy", "version", "demo",
/// "relays_to": [hosts]}`. `relays_to` is every host a token can be sent
/// to: the catalogue's hosts of every service in every region and the
/// operator's `--service-host` entries, or the `--upstream-base` alone;
/// none with `--demo`, which answers itself.
fn about(config: &Config) -> Response<Body> {
    let mut hosts: Vec<String> = Vec::new();
    if config.demo {
        // The demo tenant answers every call itself.
    } else if let Some(base) = &config.upstream_base {
        hosts.push(published_base(base));
    } else {
        for service in tenantscope_catalog::Service::ALL {
            for region in tenantscope_catalog::REGIONS {
                hosts.extend(service.host(region.id));
            }
            // The global endpoints: IAM's (catalogue: iam_home) and
            // billing's, one per site (catalogue: BILLING_SITES).
            let global = ["global", tenantscope_catalog::GLOBAL_EU].into_iter().chain(tenantscope_catalog::BILLING_SITES);
            hosts.extend(global.filter_map(|r| service.host(r)));
        }
        hosts.extend(config.service_hosts.iter().map(|h| h.host.clone()));
    }
    hosts.sort();
    hosts.dedup();
    let body = serde_json::json!({
        "proxy": "tenantscope-proxy",
        "version": env!("CARGO_PKG_VERSION"),
        "demo": config.demo,
        "relays_to": hosts,
    });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    response
}

/// How `/api/about` names an `--upstream-base`: its origin (scheme, host,
/// port) when the host is a public name, "private endpoint" when it is an
/// address or name of a private network, whose layout is the operator's
/// business; never the path, which may hold anything.
fn published_base(base: &str) -> String {
    const PRIVATE: &str = "private endpoint";
    let Ok(uri) = base.parse::<axum::http::Uri>() else { return PRIVATE.into() };
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else { return PRIVATE.into() };
    let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let private = match host.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V4(ip)) => {
            ip.is_private() || ip.is_loopback() || ip.is_link_local() || ip.is_unspecified() || ip.octets()[0] == 100 && ip.octets()[1] & 0xc0 == 64
        }
        Ok(IpAddr::V6(ip)) => ip.is_loopback() || ip.is_unspecified() || (ip.segments()[0] & 0xfe00) == 0xfc00 || (ip.segments()[0] & 0xffc0) == 0xfe80,
        // A name of one label, or under a suffix no public DNS answers.
        Err(_) => {
            !host.contains('.')
                || [".internal", ".local", ".lan", ".corp", ".home.arpa", ".intranet", ".localdomain", ".localhost"].iter().any(|s| host.ends_with(s))
        }
    };
    if private {
        return PRIVATE.into();
    }
    match authority.port() {
        Some(port) => format!("{}://{host}:{port}", scheme.to_ascii_lowercase()),
        None => format!("{}://{host}", scheme.to_ascii_lowercase()),
    }
}

/// `GET /api/offered`: `{"service_hosts": [{"service", "region", "host"}]}`,
/// the operator's `--service-host` entries.
fn offered(config: &Config) -> Response<Body> {
    let hosts: Vec<serde_json::Value> =
        config.service_hosts.iter().map(|h| serde_json::json!({ "service": h.service.key(), "region": h.region, "host": h.host })).collect();
    let mut response = (StatusCode::OK, serde_json::json!({ "service_hosts": hosts }).to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    response
}

fn demo_response(target: &TargetRef<'_>, headers: &HeaderMap, body: &[u8], gzip: bool) -> Response<Body> {
    let now = time::OffsetDateTime::now_utc();
    // The path the upstream would get, which a signature covers.
    let mut path = String::with_capacity(target.route.template().len() + target.param.as_ref().map_or(0, |p| p.len()));
    target.push_path(&mut path);
    let call = demo::Call { route: target.route, region: &target.region, param: target.param.as_deref(), path: &path, query: target.query, headers, body };
    reply_response(demo::respond(&call, now), gzip)
}

/// A demo [`demo::Reply`] as a response: its status, its body labelled as
/// JSON (compressed for a client that takes gzip, as a relayed answer is),
/// and its `Retry-After` when it has one.
fn reply_response(reply: demo::Reply, gzip: bool) -> Response<Body> {
    let zipped = if gzip { gzip::compress([reply.body.as_bytes()], reply.body.len() as u64) } else { None };
    let compressed = zipped.is_some();
    let mut response = match zipped {
        Some(bytes) => (reply.status, bytes).into_response(),
        None => (reply.status, reply.body).into_response(),
    };
    let headers = response.headers_mut();
    if compressed {
        gzip::label(headers);
    }
    if let Some(seconds) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    response
}
