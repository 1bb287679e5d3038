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

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Response};
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use tenantscope_catalog::Service;
use tower::Layer;
use tower_http::request_id::RequestId;

use super::request_id::X_REQUEST_ID;
use crate::metrics::Metrics;
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

#[derive(Clone)]
/// The layer that makes [`AccessLog`] (`lib.rs` stacks it).
pub struct AccessLogLayer(pub(crate) Arc<AppState>);

impl<S> Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;

    fn layer(&self, inner: S) -> AccessLog<S> {
        AccessLog { inner, metrics: self.0.metrics.clone() }
    }
}

#[derive(Clone)]
pub struct AccessLog<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S> tower::Service<Request> for AccessLog<S>
where
    S: tower::Service<Request, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = AccessLogFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        // The proxy's own id, in case the answer carries none of the upstream's.
        let own_id = request.extensions().get::<RequestId>().map(|id| id.header_value().clone());
        AccessLogFuture { inner: self.inner.call(request), started, own_id, metrics: Some(self.metrics.clone()) }
    }
}

pin_project! {
    /// The answer, counted, with its body wrapped to write the line at its end.
    pub struct AccessLogFuture<F> {
        #[pin]
        inner: F,
        started: Instant,
        own_id: Option<HeaderValue>,
        metrics: Option<Arc<Metrics>>,
    }
}

impl<F, E> Future for AccessLogFuture<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let routed = response.extensions().get::<Routed>().copied().unwrap_or_default();
        let status = response.status().as_u16();
        if let Some(metrics) = this.metrics.take() {
            metrics.count_request(routed.service, status);
        }
        let request_id = response.headers().get(X_REQUEST_ID).cloned().or_else(|| this.own_id.take()).unwrap_or(HeaderValue::from_static("-"));
        let line = Line { routed, status, started: *this.started, request_id };
        Poll::Ready(Ok(response.map(|inner| Body::new(LoggedBody { inner, bytes: 0, outcome: "abandoned", line: Some(line) }))))
    }
}

/// A duration as milliseconds with three decimals (`12.345`), from whole
/// microseconds: the line's `upstream_ms` and `total_ms`, written without
/// floating-point formatting.
struct Millis(Duration);

impl fmt::Debug for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = u64::try_from(self.0.as_micros()).unwrap_or(u64::MAX);
        let mut text = [0u8; 24];
        let mut at = text.len();
        let mut n = micros;
        for i in 0.. {
            if i == 3 {
                at -= 1;
                text[at] = b'.';
            }
            at -= 1;
            text[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 && i >= 3 {
                break;
            }
        }
        f.write_str(std::str::from_utf8(&text[at..]).expect("ASCII digits"))
    }
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
        // The message as a string field, first as a trailing "api" would
        // be: the same line, which the plain formatter writes without
        // going through `fmt` (logging.rs).
        tracing::info!(
            message = "api",
            service = line.routed.service.map_or("-", Service::key),
            route = line.routed.route.unwrap_or("-"),
            status = line.status,
            upstream_ms = line.routed.upstream.map(|d| tracing::field::debug(Millis(d))),
            total_ms = tracing::field::debug(Millis(line.started.elapsed())),
            bytes = self.bytes,
            body = outcome,
            request_id = line.request_id.to_str().unwrap_or("-"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_have_three_decimals() {
        for (micros, text) in [(0, "0.000"), (7, "0.007"), (412, "0.412"), (1_000, "1.000"), (5_434_253, "5434.253"), (u64::MAX, "18446744073709551.615")] {
            assert_eq!(format!("{:?}", Millis(Duration::from_micros(micros))), text);
        }
        assert_eq!(format!("{:?}", Millis(Duration::from_nanos(1_999))), "0.001", "whole microseconds");
    }
}
