//! The per-client rate limit of `/api` (a token bucket per client address,
//! `ratelimit.rs`), and the client address itself, which the relay's
//! per-client cap on upstream calls in flight uses too ([`ClientIp`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::Response;
use axum::response::IntoResponse;
use tower::{Layer, Service};

use super::Answer;
use crate::config::Config;
use crate::error::ProxyError;
use crate::AppState;

/// The client a request is counted against, as a request extension.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

#[derive(Clone)]
/// The layer that makes [`RateLimit`] (`lib.rs` stacks it).
pub struct RateLimitLayer(pub(crate) Arc<AppState>);

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> RateLimit<S> {
        RateLimit { inner, state: self.0.clone() }
    }
}

#[derive(Clone)]
pub struct RateLimit<S> {
    inner: S,
    state: Arc<AppState>,
}

impl<S> Service<Request> for RateLimit<S>
where
    S: Service<Request, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let client = client_ip(&request, &self.state.config);
        if let Err(retry_after_secs) = self.state.limiter.check(client) {
            self.state.metrics.rate_limited();
            return Answer::now(ProxyError::RateLimited { retry_after_secs }.into_response());
        }
        request.extensions_mut().insert(ClientIp(client));
        Answer::inner(self.inner.call(request))
    }
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
