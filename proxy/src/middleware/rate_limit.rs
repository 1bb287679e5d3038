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
use crate::client_ip::{self, Said};
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
        let client = client_ip(&request, &self.state);
        if let Err(retry_after_secs) = self.state.limiter.check(client) {
            self.state.metrics.rate_limited();
            return Answer::now(ProxyError::RateLimited { retry_after_secs }.into_response());
        }
        request.extensions_mut().insert(ClientIp(client));
        Answer::inner(self.inner.call(request))
    }
}

/// The client a request is counted against: the peer, or behind one of
/// the trusted proxies what its header says (`client_ip.rs`). A header
/// that holds no address is counted and the peer used.
fn client_ip(request: &Request, state: &AppState) -> IpAddr {
    let config = &state.config;
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip().to_canonical());
    let Some(name) = &config.client_ip_header else { return peer };
    if !client_ip::is_trusted(&config.trusted_proxies, peer) {
        return peer;
    }
    match client_ip::from_header(request.headers().get_all(name), &config.trusted_proxies) {
        Said::Client(ip) => ip,
        Said::Nothing => peer,
        Said::Unparsed => {
            state.metrics.client_ip_unparsed();
            client_ip::warn_unparsed(name.as_str());
            peer
        }
    }
}
