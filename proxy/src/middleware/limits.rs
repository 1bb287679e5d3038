//! Size limits checked before anything reads a request: the request
//! target's length (414) and the headers' total size (431, with the proxy's
//! JSON body; hyper's own, larger cap answers a bare 431 above it, see
//! `server.rs`). The request body is not read here: the one route that
//! takes one reads it in its handler, under its own limits (`body.rs`).

use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Response};
use tower::{Layer, Service};

use super::Answer;
use crate::error::ProxyError;
use crate::AppState;

/// The longest request target (path and query) served: the console's
/// longest call is well under 1 KiB; anything near this is an attack.
pub const MAX_TARGET_BYTES: usize = 8 << 10;

#[derive(Clone)]
/// The layer that makes [`Limits`] (`lib.rs` stacks it).
pub struct LimitsLayer(pub(crate) Arc<AppState>);

impl<S> Layer<S> for LimitsLayer {
    type Service = Limits<S>;

    fn layer(&self, inner: S) -> Limits<S> {
        Limits { inner, state: self.0.clone() }
    }
}

#[derive(Clone)]
pub struct Limits<S> {
    inner: S,
    state: Arc<AppState>,
}

impl<S> Service<Request> for Limits<S>
where
    S: Service<Request, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let uri = request.uri();
        let refused = if uri.path().len() + uri.query().map_or(0, str::len) > MAX_TARGET_BYTES {
            Some(ProxyError::UriTooLong)
        } else if headers_size(request.headers()) > self.state.config.max_header_bytes {
            Some(ProxyError::HeadersTooLarge)
        } else {
            None
        };
        match refused {
            Some(error) => Answer::now(super::refuse(request.uri(), &self.state.metrics, error)),
            None => Answer::inner(self.inner.call(request)),
        }
    }
}

fn headers_size(headers: &HeaderMap) -> usize {
    headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum()
}
