//! The access log and the request metrics of `/api`: one line per request,
//! written when its answer's body has been sent (or abandoned), with the
//! bytes that went out and how it ended (`complete`, `cut`, `abandoned`).
//!
//! A small layer of its own rather than tower-http's `TraceLayer`: that one
//! reports the end of a body (`on_eos`) but not a body dropped unfinished,
//! which is exactly the case worth logging (a client that went away, an
//! upstream cut), and it has no place for the byte count.
//!
//! The line holds only values from fixed sets (service key, route template,
//! status, outcome), times, the byte count and the request id: never a
//! header, path parameter or query value. The handler says which service
//! and route it served with a [`Routed`] extension on its answer.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Response};
use axum::middleware::Next;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tenantscope_catalog::Service;
use tower_http::request_id::RequestId;

use super::request_id::X_REQUEST_ID;
use crate::AppState;

/// What the handler served, for the log line and the metrics.
#[derive(Clone, Copy, Debug, Default)]
pub struct Routed {
    pub service: Option<Service>,
    /// The route's template (never the path itself).
    pub route: Option<&'static str>,
    /// How long the upstream took to send its answer's headers.
    pub upstream: Option<Duration>,
}

pub(crate) async fn layer(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response<Body> {
    let started = Instant::now();
    // The proxy's own id, in case the answer carries none of the upstream's.
    let own_id = request.extensions().get::<RequestId>().map(|id| id.header_value().clone());
    let response = next.run(request).await;
    let routed = response.extensions().get::<Routed>().copied().unwrap_or_default();
    let status = response.status().as_u16();
    state.metrics.count_request(routed.service, status);
    let request_id = response.headers().get(X_REQUEST_ID).cloned().or(own_id).unwrap_or(HeaderValue::from_static("-"));
    let line = Line { routed, status, started, request_id };
    response.map(|inner| Body::new(LoggedBody { inner, bytes: 0, outcome: "abandoned", line: Some(line) }))
}

struct Line {
    routed: Routed,
    status: u16,
    started: Instant,
    request_id: HeaderValue,
}

struct LoggedBody {
    inner: Body,
    bytes: u64,
    outcome: &'static str,
    line: Option<Line>,
}

impl HttpBody for LoggedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                self.bytes += frame.data_ref().map_or(0, |d| d.len() as u64);
                if self.inner.is_end_stream() {
                    self.outcome = "complete";
                }
            }
            Poll::Ready(Some(Err(_))) => self.outcome = "cut",
            Poll::Ready(None) => self.outcome = "complete",
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for LoggedBody {
    fn drop(&mut self) {
        let Some(line) = self.line.take() else { return };
        // hyper stops polling once a body says it has ended, so "ended" is
        // the body's own word (or nothing left to send), not a final poll.
        let ended = self.inner.is_end_stream() || self.inner.size_hint().exact() == Some(0);
        let outcome = if self.outcome == "abandoned" && ended { "complete" } else { self.outcome };
        tracing::info!(
            service = line.routed.service.map_or("-", Service::key),
            route = line.routed.route.unwrap_or("-"),
            status = line.status,
            upstream_ms = line.routed.upstream.map(|d| d.as_secs_f64() * 1000.0),
            total_ms = line.started.elapsed().as_secs_f64() * 1000.0,
            bytes = self.bytes,
            body = outcome,
            request_id = line.request_id.to_str().unwrap_or("-"),
            "api"
        );
    }
}

