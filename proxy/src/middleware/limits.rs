//! Size limits checked before anything reads a request: the request
//! target's length (414) and the headers' total size (431, with the proxy's
//! JSON body; hyper's own, larger cap answers a bare 431 above it, see
//! `server.rs`). The request body is never read: the API is GET only.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response};
use axum::middleware::Next;

use crate::error::ProxyError;
use crate::AppState;

/// The longest request target (path and query) served: the console's
/// longest call is well under 1 KiB; anything near this is an attack.
pub const MAX_TARGET_BYTES: usize = 8 << 10;

pub(crate) async fn layer(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response<Body> {
    let uri = request.uri();
    let refused = if uri.path().len() + uri.query().map_or(0, str::len) > MAX_TARGET_BYTES {
        Some(ProxyError::UriTooLong)
    } else if headers_size(request.headers()) > state.config.max_header_bytes {
        Some(ProxyError::HeadersTooLarge)
    } else {
        None
    };
    match refused {
        Some(error) => super::refuse(request.uri(), &state.metrics, error),
        None => next.run(request).await,
    }
}

fn headers_size(headers: &HeaderMap) -> usize {
    headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum()
}
