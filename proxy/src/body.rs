//! The request body of the one route that takes one, billing's
//! `POST /v2/orders/suscriptions/resources/query` (`Route::method`): what
//! label it must carry, how large it may be, and how long the client has
//! to send it. Every other route is GET and its body is never read.
//!
//! The body is read whole before anything else happens (the demo answers
//! from it, the upstream gets it byte for byte), under three bounds:
//!
//! - its size, [`MAX_REQUEST_BODY`]: refused from `Content-Length` before a
//!   byte is read, and counted as it arrives when there is none (chunked
//!   HTTP/1, HTTP/2 without the header);
//! - its time: the whole body within the header timeout, counted from when
//!   its headers arrived, like the headers themselves. A client that sends
//!   headers and then trickles or withholds the body is answered 408 then,
//!   and its HTTP/1 connection closed (hyper closes a connection whose
//!   request body was left unread);
//! - while it is read, the client's place under `--max-upstream-per-client`
//!   (the caller takes it first): a client stalling many bodies at once
//!   holds only its own places. The global upstream slots are taken only
//!   once the body is in, so a stalled body costs other clients nothing.
//!
//! The body is never written to a log, an error message or a metric label:
//! the refusals here carry a code and a fixed message only.

use std::pin::Pin;

use axum::body::Body;
use axum::http::{header, HeaderMap};
use bytes::Bytes;
use http_body::Body as _;

use crate::error::ProxyError;

/// The largest request body accepted: billing's query asks for at most 50
/// resource ids a call (docs/huawei-apis.md §7), about 2 KiB of JSON with
/// Huawei's 36-character ids; 16 KiB leaves room for longer ids and the
/// other fields without letting a body grow large.
pub const MAX_REQUEST_BODY: usize = 16 << 10;

/// Refuses a body that is not labelled JSON, or whose `Content-Length`
/// says it is too large, before any of it is read.
pub fn check_head(headers: &HeaderMap) -> Result<(), ProxyError> {
    let mut types = headers.get_all(header::CONTENT_TYPE).iter();
    let label = types.next().and_then(|v| v.to_str().ok());
    if types.next().is_some() || !label.is_some_and(is_json_label) {
        return Err(ProxyError::UnsupportedMediaType);
    }
    // hyper refuses a malformed or repeated Content-Length on HTTP/1 and
    // HTTP/2 alike; what is left parses.
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BODY as u64) {
        return Err(ProxyError::BodyTooLarge);
    }
    Ok(())
}

/// `application/json`, alone or with `charset=utf-8` (RFC 8259 §8.1: JSON
/// exchanged between systems is UTF-8); the essence and the parameter in
/// any case, with optional whitespace and quotes.
fn is_json_label(value: &str) -> bool {
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return false;
    }
    parts.all(|p| {
        let p = p.trim();
        p.is_empty()
            || p.split_once('=')
                .is_some_and(|(name, v)| name.trim().eq_ignore_ascii_case("charset") && v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8"))
    })
}

/// Reads `body` whole, at most `max` bytes, by `deadline`.
pub async fn read(mut body: Body, max: usize, deadline: tokio::time::Instant) -> Result<Bytes, ProxyError> {
    let reading = async {
        // One frame is the usual case: kept as it came, no copy.
        let mut first: Option<Bytes> = None;
        let mut joined: Vec<u8> = Vec::new();
        let mut seen = 0usize;
        loop {
            let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
            let data = match frame {
                None => break,
                // The client reset the stream or closed the connection.
                Some(Err(_)) => return Err(ProxyError::BodyIncomplete),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    // Trailers end the body; they are not relayed.
                    Err(_) => break,
                },
            };
            seen += data.len();
            if seen > max {
                return Err(ProxyError::BodyTooLarge);
            }
            if data.is_empty() {
                continue;
            }
            match first.take() {
                None if joined.is_empty() => first = Some(data),
                earlier => {
                    if let Some(earlier) = earlier {
                        joined.reserve(max.min(seen));
                        joined.extend_from_slice(&earlier);
                    }
                    joined.extend_from_slice(&data);
                }
            }
        }
        Ok(first.unwrap_or_else(|| Bytes::from(joined)))
    };
    tokio::time::timeout_at(deadline, reading).await.unwrap_or(Err(ProxyError::BodyTimeout))
}

#[cfg(test)]
mod tests {
    use std::task::{Context, Poll};
    use std::time::Duration;

    use axum::http::HeaderValue;
    use http_body::Frame;

    use super::*;

    fn head(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn only_json_is_accepted() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json;charset=UTF-8",
            "application/json; charset=utf-8",
            "application/json; charset=\"utf-8\"",
            "application/json;",
        ] {
            assert_eq!(check_head(&head(&[("content-type", ok)])), Ok(()), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonp",
            "text/json",
            "application/problem+json",
            "application/json; charset=latin1",
            "application/json; x=y",
            "",
        ] {
            assert_eq!(check_head(&head(&[("content-type", bad)])), Err(ProxyError::UnsupportedMediaType), "{bad}");
        }
        assert_eq!(check_head(&head(&[])), Err(ProxyError::UnsupportedMediaType), "no label");
        let twice = head(&[("content-type", "application/json"), ("content-type", "text/plain")]);
        assert_eq!(check_head(&twice), Err(ProxyError::UnsupportedMediaType), "two labels");
    }

    #[test]
    fn a_declared_length_over_the_cap_is_refused_before_reading() {
        let json = ("content-type", "application/json");
        assert_eq!(check_head(&head(&[json, ("content-length", "16384")])), Ok(()));
        assert_eq!(check_head(&head(&[json, ("content-length", "16385")])), Err(ProxyError::BodyTooLarge));
        assert_eq!(check_head(&head(&[json, ("content-length", "99999999999999999999")])), Ok(()), "hyper refuses what does not parse");
    }

    fn later() -> tokio::time::Instant {
        tokio::time::Instant::now() + Duration::from_secs(5)
    }

    #[tokio::test]
    async fn a_body_is_read_whole_within_the_cap() {
        let text = Bytes::from_static(br#"{"resource_ids":["a"]}"#);
        assert_eq!(read(Body::from(text.clone()), 64, later()).await, Ok(text));
        assert_eq!(read(Body::empty(), 64, later()).await, Ok(Bytes::new()));
        assert_eq!(read(Body::from(vec![b' '; 65]), 64, later()).await, Err(ProxyError::BodyTooLarge));
        // In pieces, with no length said: joined, and counted as they come.
        assert_eq!(read(Body::new(Pieces(4)), 64, later()).await, Ok(Bytes::from(vec![b'x'; 40])));
        assert_eq!(read(Body::new(Pieces(7)), 64, later()).await, Err(ProxyError::BodyTooLarge));
    }

    #[tokio::test]
    async fn a_body_that_does_not_come_is_cut_at_the_deadline() {
        let body = stalled();
        let at = tokio::time::Instant::now() + Duration::from_millis(50);
        assert_eq!(read(body, 64, at).await, Err(ProxyError::BodyTimeout));
    }

    /// A body that never sends anything.
    fn stalled() -> Body {
        Body::new(Pending)
    }

    struct Pending;

    impl http_body::Body for Pending {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
            Poll::Pending
        }
    }

    /// `n` pieces of ten bytes, with no length said.
    struct Pieces(usize);

    impl http_body::Body for Pieces {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
            if self.0 == 0 {
                return Poll::Ready(None);
            }
            self.0 -= 1;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'x'; 10])))))
        }
    }
}
