//! tenantscope-proxy: the small server that lets the browser console reach
//! Huawei Cloud APIs, which send no CORS headers (docs/huawei-apis.md §5).
//!
//! [`app`] builds the whole router from a [`Config`]: `/api/...` relayed (or
//! answered by the demo tenant), `/healthz`, `/metrics` (unless
//! `--metrics-listen` moves it to a loopback listener of its own,
//! [`metrics_app`]), and the built site at `/`; [`server::serve`] runs it.
//! `main.rs` only parses flags, binds and serves.
//!
//! The layers every request passes are in [`middleware`], one file each, and
//! are stacked here in the order a request meets them: security headers,
//! sensitive headers, Host guard, size limits, request id; then for `/api`
//! the access log, CORS and the rate limit. The `/api` handler then checks
//! the method, the single credential and the path, in that order, before
//! anything is sent upstream ([`relay`]).

pub mod config;
pub mod demo;
pub mod error;
pub mod logging;
pub mod metrics;
pub mod middleware;
pub mod ratelimit;
pub mod relay;
pub mod server;
pub mod site;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;
use tower::ServiceBuilder;

pub use config::Config;
use error::ProxyError;
use metrics::Metrics;
use middleware::access_log::Routed;
use middleware::rate_limit::ClientIp;
use ratelimit::Limiter;
use relay::{Target, Upstream};

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
/// serve on another listener). `/metrics` is on this router only when
/// `config.metrics_listen` is not set.
pub fn app_with_metrics(config: Config, metrics: Arc<Metrics>) -> Router {
    let site = config.static_dir.clone().map(|dir| site::Site::new(dir, &config.connect_src));
    let public_metrics = config.metrics_listen.is_none();
    let state = Arc::new(AppState {
        upstream: Upstream::new(&config, metrics.clone()),
        limiter: Limiter::new(config.rate_per_sec, config.rate_burst),
        preflight_headers: middleware::cors::preflight_headers(),
        metrics: metrics.clone(),
        config,
    });

    let api = Router::new()
        .route("/api/{*rest}", any(api))
        .route("/api", any(api))
        .route("/api/", any(api))
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(state.clone(), middleware::access_log::layer))
                .layer(from_fn_with_state(state.clone(), middleware::cors::layer))
                .layer(from_fn_with_state(state.clone(), middleware::rate_limit::layer)),
        )
        .with_state(state.clone());
    let mut router = Router::new().route("/healthz", get(|| async { "ok" }));
    if public_metrics {
        router = router.route("/metrics", get(move || metrics_text(metrics.clone())));
    }
    let router = router.merge(api);
    let router = match site {
        Some(site) => site.mount(router),
        None => router.fallback(|| async { StatusCode::NOT_FOUND }),
    };
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::security_headers::layer())
            .layer(middleware::sensitive_headers::layer())
            .layer(from_fn_with_state(state.clone(), middleware::host_guard::layer))
            .layer(from_fn_with_state(state, middleware::limits::layer))
            .layer(middleware::request_id::layer()),
    )
}

/// `/metrics` alone, for the loopback listener of `--metrics-listen`.
pub fn metrics_app(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(move || metrics_text(metrics.clone())))
        .layer(middleware::security_headers::layer())
}

async fn metrics_text(metrics: Arc<Metrics>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics.render())
}

/// `/api/...`: the method, the single credential, `/api/offered`, the
/// path; then the demo's answer or the upstream's.
async fn api(State(state): State<Arc<AppState>>, request: Request) -> Response<Body> {
    let (request, _body) = request.into_parts();
    let mut routed = Routed::default();
    let mut response = if request.method != Method::GET {
        Err(ProxyError::MethodNotAllowed)
    } else {
        relay_get(&state, &request, &mut routed).await
    }
    .unwrap_or_else(IntoResponse::into_response);
    response.extensions_mut().insert(routed);
    response
}

async fn relay_get(state: &AppState, request: &Parts, routed: &mut Routed) -> Result<Response<Body>, ProxyError> {
    relay::check_duplicates(&request.headers)?;
    // Where the operator's --service-host makes a service offered beyond
    // the catalogue: the console asks so that it does not call it "not
    // offered". Hosts only, nothing secret.
    if request.uri.path() == "/api/offered" {
        return Ok(offered(&state.config));
    }
    let target = relay::parse_target(&request.uri, &state.config.service_hosts)?;
    routed.service = Some(target.service);
    routed.route = Some(target.route.template());
    if state.config.demo {
        if !state.config.demo_latency.is_zero() {
            tokio::time::sleep(state.config.demo_latency).await;
        }
        return Ok(demo_response(&target, &request.headers));
    }
    let client = request.extensions.get::<ClientIp>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0);
    let relayed = state.upstream.forward(&target, &request.headers, client).await?;
    routed.upstream = Some(relayed.latency);
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
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    response
}

fn demo_response(target: &Target, headers: &HeaderMap) -> Response<Body> {
    let now = time::OffsetDateTime::now_utc();
    let reply = demo::respond(target.route, target.param.as_deref(), target.query.as_deref(), headers, now);
    let mut response = reply.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    response
}
