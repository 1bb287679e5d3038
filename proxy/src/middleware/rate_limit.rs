//! The per-client rate limit of `/api` (a token bucket per client address,
//! `ratelimit.rs`), and the client address itself, which the relay's
//! per-client cap on upstream calls in flight uses too ([`ClientIp`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Response;
use axum::middleware::Next;
use axum::response::IntoResponse;

use crate::config::Config;
use crate::error::ProxyError;
use crate::AppState;

/// The client a request is counted against, as a request extension.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

pub(crate) async fn layer(State(state): State<Arc<AppState>>, mut request: Request, next: Next) -> Response<Body> {
    let client = client_ip(&request, &state.config);
    if let Err(retry_after_secs) = state.limiter.check(client) {
        state.metrics.rate_limited();
        return ProxyError::RateLimited { retry_after_secs }.into_response();
    }
    request.extensions_mut().insert(ClientIp(client));
    next.run(request).await
}

/// The client a rate-limit bucket belongs to. From the header, the last
/// address of the last line: a balancer that appends (HAProxy `option
/// forwardfor`) adds its own line after any the client wrote, and one that
/// extends a list puts its address at the end.
fn client_ip(request: &Request, config: &Config) -> IpAddr {
    let from_header = config.client_ip_header.as_ref().and_then(|name| {
        let value = request.headers().get_all(name).iter().next_back()?.to_str().ok()?;
        value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    });
    from_header
        .or_else(|| request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}
