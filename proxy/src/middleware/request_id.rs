//! Request ids: every request gets one of the proxy's own (tower-http's
//! `SetRequestIdLayer`), returned as `X-Request-Id` unless the answer already
//! has one (`PropagateRequestIdLayer`: a relayed answer keeps the upstream's
//! id, which is the one Huawei Cloud's support can look up).
//!
//! A client's own `X-Request-Id` is dropped first: the id is written to the
//! access log, and what a client writes must not end up there.
//!
//! An id is 32 hex digits: 64 random bits drawn once per process, then a
//! counter, so ids are unique within a run and across restarts, cheap to
//! make, and sort in the order requests arrived.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;

use axum::http::{HeaderName, HeaderValue, Request};
use tower::layer::util::{Identity, Stack};
use tower::util::MapRequestLayer;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The three steps as one layer.
pub type RequestIds<B> =
    ServiceBuilder<Stack<PropagateRequestIdLayer, Stack<SetRequestIdLayer<Ids>, Stack<MapRequestLayer<fn(Request<B>) -> Request<B>>, Identity>>>>;

pub fn layer<B>() -> RequestIds<B> {
    ServiceBuilder::new()
        .layer(MapRequestLayer::new(drop_client_id::<B> as fn(Request<B>) -> Request<B>))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, Ids))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
}

fn drop_client_id<B>(mut request: Request<B>) -> Request<B> {
    request.headers_mut().remove(X_REQUEST_ID);
    request
}

/// The proxy's id maker.
#[derive(Clone, Copy, Default)]
pub struct Ids;

impl MakeRequestId for Ids {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        Some(RequestId::new(next()))
    }
}

/// A new id.
pub fn next() -> HeaderValue {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        // RandomState is seeded from the OS's random source.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id().into());
        h.finish()
    });
    let n = COUNTER.fetch_add(1, Relaxed);
    let mut text = [0u8; 32];
    hex(seed, &mut text[..16]);
    hex(n, &mut text[16..]);
    HeaderValue::from_bytes(&text).expect("hex digits are a valid header value")
}

fn hex(mut n: u64, out: &mut [u8]) {
    for slot in out.iter_mut().rev() {
        *slot = b"0123456789abcdef"[(n & 15) as usize];
        n >>= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_digits_and_differ() {
        let (a, b) = (next(), next());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.to_str().unwrap().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.as_bytes()[..16], b.as_bytes()[..16], "one seed per process");
    }
}
