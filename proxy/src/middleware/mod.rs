//! The layers a request passes before a handler sees it, one file each. In
//! the order a request meets them (the answer passes them in reverse):
//!
//! 1. [`security_headers`]: `nosniff`, `no-referrer`, `DENY` and a default
//!    CSP on every answer, refusals included (tower-http `SetResponseHeader`).
//! 2. [`sensitive_headers`]: credential headers marked sensitive, so no
//!    `Debug` print shows them and HTTP/2 never indexes them (tower-http).
//! 3. [`host_guard`]: a single `Host`, and on loopback binds only loopback or
//!    `--allowed-host` names (DNS rebinding).
//! 4. [`limits`]: the request target's length and the headers' total size.
//! 5. [`request_id`]: the client's `X-Request-Id` dropped, the proxy's own
//!    set on the request and returned on the answer (tower-http).
//!
//! and for `/api` only:
//!
//! 6. [`access_log`]: the one log line and the request metrics, written when
//!    the answer's body has gone out.
//! 7. [`cors`]: the origin check and the preflight answer.
//! 8. [`rate_limit`]: the per-client token bucket.
//!
//! `lib.rs` assembles them in one `ServiceBuilder` each (the outer five,
//! and the three of `/api`).
//!
//! The proxy's own layers are small tower `Layer`/`Service` pairs rather
//! than axum's `from_fn`: that one clones its inner service into a box and
//! boxes its future for every request, which at five layers was a tenth of
//! the proxy's instructions per request (callgrind, docs/benchmarks.md). A
//! layer that may answer by itself returns an [`Answer`].

pub mod access_log;
pub mod cors;
pub mod host_guard;
pub mod limits;
pub mod rate_limit;
pub mod request_id;
pub mod security_headers;
pub mod sensitive_headers;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{Response, Uri};
use axum::response::IntoResponse;
use pin_project_lite::pin_project;

use crate::error::ProxyError;
use crate::metrics::Metrics;

/// The answer of a layer that refuses a request before routing: logged
/// with its code (never anything the request carried), and counted with
/// the API requests when it was one.
fn refuse(uri: &Uri, metrics: &Metrics, error: ProxyError) -> Response<Body> {
    let status = error.status().as_u16();
    tracing::info!(status, code = error.code(), "refused");
    if uri.path().starts_with("/api") {
        metrics.count_request(None, status);
    }
    error.into_response()
}

pin_project! {
    /// The future of a layer that may answer by itself: its own answer,
    /// ready at once (a refusal, a preflight), or the inner service's.
    #[project = AnswerProj]
    pub enum Answer<F> {
        Now { response: Option<Response<Body>> },
        Inner { #[pin] future: F },
    }
}

impl<F> Answer<F> {
    pub fn now(response: Response<Body>) -> Answer<F> {
        Answer::Now { response: Some(response) }
    }

    pub fn inner(future: F) -> Answer<F> {
        Answer::Inner { future }
    }
}

impl<F, E> Future for Answer<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            AnswerProj::Now { response } => Poll::Ready(Ok(response.take().expect("an answer is polled once it is ready"))),
            AnswerProj::Inner { future } => future.poll(cx),
        }
    }
}
