//! tenantscope-proxy: the small server that lets the browser console reach
//! Huawei Cloud APIs, which send no CORS headers (docs/huawei-apis.md §5).
//!
//! [`app`] builds the whole router from a [`Config`]: `/api/...` relayed (or
//! answered by the demo tenant), `/healthz`, and the built site at `/`.
//! `main.rs` only parses flags, binds and serves.

pub mod config;
pub mod demo;
pub mod error;
pub mod relay;

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

pub use config::Config;
use error::ProxyError;
use relay::{Target, Upstream};

struct AppState {
    config: Config,
    upstream: Upstream,
}

/// The proxy's router for `config`.
pub fn app(config: Config) -> Router {
    let cors = cors_layer(&config.allow_origins);
    let static_dir = config.static_dir.clone();
    let state = Arc::new(AppState { upstream: Upstream::new(config.upstream_base.clone()), config });

    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/{*rest}", any(api))
        .with_state(state);
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    match static_dir {
        // The app routes on the client, so unknown paths get index.html.
        Some(dir) => {
            let index = ServeFile::new(dir.join("index.html"));
            router.fallback_service(ServeDir::new(dir).fallback(index))
        }
        None => router.fallback(|| async { StatusCode::NOT_FOUND }),
    }
}

/// Cross-origin callers are exactly the configured origins (never `*`).
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    let allowed_headers: Vec<HeaderName> =
        relay::FORWARDED_REQUEST_HEADERS.iter().map(|h| HeaderName::from_static(h)).collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET])
            .allow_headers(allowed_headers)
            .expose_headers([HeaderName::from_static("x-request-id")])
            .max_age(std::time::Duration::from_secs(7200)),
    )
}

async fn api(State(state): State<Arc<AppState>>, method: Method, uri: Uri, headers: HeaderMap) -> Response<Body> {
    let started = Instant::now();
    let target = match (method, Target::parse(&uri)) {
        (Method::GET, Ok(target)) => target,
        (Method::GET, Err(e)) => return e.into_response(),
        _ => return ProxyError::MethodNotAllowed.into_response(),
    };
    let response = if state.config.demo {
        if !state.config.demo_latency.is_zero() {
            tokio::time::sleep(state.config.demo_latency).await;
        }
        demo_response(&target, &headers)
    } else {
        state.upstream.forward(&target, &headers).await.unwrap_or_else(IntoResponse::into_response)
    };
    // One line per request. Only the route template is logged: the concrete
    // path carries project ids, and headers and query values are never logged.
    tracing::info!(
        service = target.service.key(),
        region = %target.region,
        route = target.route.template(),
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-"),
        "relayed"
    );
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
