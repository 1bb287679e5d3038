//! The upstream answer's body as the client reads it: what counts as a JSON
//! label ([`is_json_type`]), the chunks read before the answer's headers went
//! out ([`Prefix`]), and the rest, read by a task of its own ([`Reader`]) a
//! bounded distance ahead of the client, so that a slow client holds buffered
//! bytes and never the upstream slot ([`RelayBody`]); a whole answer
//! compressed ([`Zipped`]); and the client's budget an answer holds beyond
//! its reader ([`Charge`]). The request body a client sends is `body.rs`'s.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::sync::{mpsc, Semaphore};

use super::{is_timeout, Slot};
use crate::metrics::Metrics;
use crate::ratelimit::ClientBytes;

/// `application/json`, `text/json` or `application/*+json`, any parameters.
/// (On bytes: a header value's text is visible ASCII, so trimming ASCII
/// whitespace is all `str::trim` would do.)
pub(super) fn is_json_type(value: &str) -> bool {
    let value = value.as_bytes();
    let essence = value[..value.iter().position(|&b| b == b';').unwrap_or(value.len())].trim_ascii();
    let is = |s: &str| essence.eq_ignore_ascii_case(s.as_bytes());
    let ends_json = || essence.len() >= 5 && essence[essence.len() - 5..].eq_ignore_ascii_case(b"+json");
    let starts_application = || essence.len() >= 12 && essence[..12].eq_ignore_ascii_case(b"application/");
    is("application/json") || is("text/json") || (starts_application() && ends_json())
}

/// `body`'s next frame as a future, to race in `select!` against a deadline
/// or a client gone.
pub(super) async fn next_frame(body: &mut Incoming) -> Option<Result<Frame<Bytes>, hyper::Error>> {
    std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
}

/// What the reader task hands the client's body.
pub(super) enum Piece {
    Data(Bytes),
    End,
    Cut(BodyCut),
}

/// Reads an upstream body to its end, its cap or its deadline, holding the
/// upstream slot until then, never waiting for the client beyond `read_ahead`
/// bytes of buffer (and then only until the deadline).
pub(super) struct Reader {
    pub(super) body: Incoming,
    pub(super) tx: mpsc::UnboundedSender<Piece>,
    pub(super) budget: Arc<Semaphore>,
    /// The client's budget across its answers (none without a cap).
    pub(super) client: Option<ClientBytes>,
    pub(super) read_ahead: usize,
    pub(super) seen: u64,
    pub(super) max: u64,
    pub(super) metrics: Arc<Metrics>,
    /// The upstream slot, held until the body is read (`None` when it was
    /// let go already).
    pub(super) _slot: Option<Slot>,
}

impl Reader {
    pub(super) async fn run(mut self, deadline: tokio::time::Instant) {
        let piece = match tokio::time::timeout_at(deadline, self.read()).await {
            Ok(Some(piece)) => piece,
            // The client went away: nothing to tell it.
            Ok(None) => return,
            Err(_) => Piece::Cut(BodyCut("upstream timeout")),
        };
        let _ = self.tx.send(piece);
    }

    /// The last piece to send, or `None` when the client has gone.
    async fn read(&mut self) -> Option<Piece> {
        loop {
            // A client that goes away frees the slot at once, even while the
            // upstream is silent.
            let frame = tokio::select! {
                frame = next_frame(&mut self.body) => frame,
                _ = self.tx.closed() => return None,
            };
            let data = match frame {
                None => return Some(Piece::End),
                Some(Err(e)) => return Some(Piece::Cut(BodyCut(if is_timeout(&e) { "upstream timeout" } else { "upstream body error" }))),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    // Trailers are not relayed.
                    Err(_) => return Some(Piece::End),
                },
            };
            self.seen += data.len() as u64;
            if self.seen > self.max {
                return Some(Piece::Cut(BodyCut("upstream body over the cap")));
            }
            let cost = data.len().min(self.read_ahead) as u32;
            // The client's body closes the budget when it is dropped.
            self.budget.acquire_many(cost).await.ok()?.forget();
            if let Some(client) = &self.client {
                tokio::select! {
                    permit = client.budget().acquire_many(cost) => permit.ok()?.forget(),
                    _ = self.tx.closed() => return None,
                }
            }
            self.metrics.body_bytes(data.len() as u64);
            if self.tx.send(Piece::Data(data)).is_err() {
                // The body went away after it gave back what it had queued.
                if let Some(client) = &self.client {
                    client.budget().add_permits(cost as usize);
                }
                return None;
            }
        }
    }
}

/// The part of a body the reader task still sends.
pub(super) struct Rest {
    pub(super) rx: mpsc::UnboundedReceiver<Piece>,
    pub(super) budget: Arc<Semaphore>,
    pub(super) client: Option<ClientBytes>,
    pub(super) read_ahead: usize,
}

/// The chunks read before the answer's headers went out: usually one,
/// which takes no allocation of its own.
#[derive(Default)]
pub(super) struct Prefix {
    first: Option<Bytes>,
    more: VecDeque<Bytes>,
}

impl Prefix {
    pub(super) fn push(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        if self.first.is_none() && self.more.is_empty() {
            self.first = Some(data);
        } else {
            self.more.push_back(data);
        }
    }

    fn pop(&mut self) -> Option<Bytes> {
        self.first.take().or_else(|| self.more.pop_front())
    }

    /// The chunks in order, to read without taking them.
    pub(super) fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        self.first.iter().chain(&self.more).map(|b| &b[..])
    }

    pub(super) fn is_empty(&self) -> bool {
        self.first.is_none() && self.more.is_empty()
    }

    fn len(&self) -> u64 {
        self.first.iter().chain(&self.more).map(|b| b.len() as u64).sum()
    }
}

/// The upstream body as the client gets it: the chunks read before the
/// answer's headers went out, then what the reader task sends, ending with
/// an error (which aborts the answer) if the upstream's body was cut.
pub(super) struct RelayBody {
    pub(super) prefix: Prefix,
    pub(super) rest: Option<Rest>,
    /// Bytes still to come, when the upstream's framing says.
    pub(super) remaining: Option<u64>,
    /// The prefix's first bytes, read for the JSON check: counted by
    /// neither budget below.
    pub(super) free: usize,
    /// Of the read-ahead, what the prefix holds past them (read on for
    /// gzip): given back to the reader's budget as the client takes it.
    pub(super) held: usize,
    /// Of the client's budget, what the prefix holds (read on for gzip).
    pub(super) charge: Charge,
}

/// Bytes of a client's budget that an answer holds outside its reader (read
/// on before its headers went out, for gzip): given back as the client
/// takes them, and what is left when the answer is dropped.
pub(super) struct Charge {
    client: Option<ClientBytes>,
    bytes: usize,
}

impl Charge {
    pub(super) fn new(client: Option<ClientBytes>) -> Charge {
        Charge { client, bytes: 0 }
    }

    /// Takes `n` bytes more of the budget if it has them now (always, when
    /// the client has no cap).
    pub(super) fn try_take(&mut self, n: usize) -> bool {
        let Some(client) = &self.client else { return true };
        match client.budget().try_acquire_many(n.min(u32::MAX as usize) as u32) {
            Ok(permit) => {
                permit.forget();
                self.bytes += n;
                true
            }
            Err(_) => false,
        }
    }

    /// Gives `n` of the bytes held back.
    pub(super) fn give(&mut self, n: usize) {
        let n = n.min(self.bytes);
        self.bytes -= n;
        if let (Some(client), true) = (&self.client, n > 0) {
            client.budget().add_permits(n);
        }
    }

    /// Holds `n` bytes exactly, giving back or taking more; false (holding
    /// what it held) when the budget lacks them now.
    pub(super) fn hold(&mut self, n: usize) -> bool {
        if self.bytes >= n {
            self.give(self.bytes - n);
            true
        } else {
            self.try_take(n - self.bytes)
        }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.give(self.bytes);
    }
}

/// A whole answer compressed (`crate::gzip`), holding its part of the
/// client's budget until it has been taken.
pub(super) struct Zipped {
    data: Option<Bytes>,
    _charge: Charge,
}

impl Zipped {
    pub(super) fn new(data: Vec<u8>, charge: Charge) -> Zipped {
        Zipped { data: Some(Bytes::from(data)), _charge: charge }
    }
}

impl HttpBody for Zipped {
    type Data = Bytes;
    type Error = BodyCut;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyCut>>> {
        Poll::Ready(self.data.take().map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}

impl Drop for RelayBody {
    fn drop(&mut self) {
        // The client went away: the reader stops (and frees its slot) at once.
        if let Some(rest) = &mut self.rest {
            rest.budget.close();
            // What the reader queued and the client never took goes back to
            // the client's budget.
            rest.rx.close();
            if let Some(client) = &rest.client {
                while let Ok(piece) = rest.rx.try_recv() {
                    if let Piece::Data(data) = piece {
                        client.budget().add_permits(data.len().min(rest.read_ahead));
                    }
                }
            }
        }
    }
}

/// Why a relayed body stopped early (never carries upstream data).
#[derive(Debug)]
pub struct BodyCut(&'static str);

impl std::fmt::Display for BodyCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyCut {}

impl HttpBody for RelayBody {
    type Data = Bytes;
    type Error = BodyCut;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyCut>>> {
        let this = &mut *self;
        let data = if let Some(first) = this.prefix.pop() {
            let free = first.len().min(this.free);
            this.free -= free;
            let counted = first.len() - free;
            if let Some(rest) = this.rest.as_ref().filter(|_| counted > 0 && this.held > 0) {
                let back = counted.min(this.held);
                this.held -= back;
                rest.budget.add_permits(back);
            }
            this.charge.give(counted);
            first
        } else {
            let Some(rest) = this.rest.as_mut() else { return Poll::Ready(None) };
            match rest.rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Piece::Data(data))) => {
                    let cost = data.len().min(rest.read_ahead);
                    rest.budget.add_permits(cost);
                    if let Some(client) = &rest.client {
                        client.budget().add_permits(cost);
                    }
                    data
                }
                Poll::Ready(Some(Piece::End)) => {
                    this.rest = None;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Piece::Cut(cut))) => {
                    this.rest = None;
                    return Poll::Ready(Some(Err(cut)));
                }
                Poll::Ready(None) => {
                    this.rest = None;
                    return Poll::Ready(Some(Err(BodyCut("upstream reader ended early"))));
                }
            }
        };
        if let Some(remaining) = &mut this.remaining {
            *remaining = remaining.saturating_sub(data.len() as u64);
        }
        Poll::Ready(Some(Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_empty() && self.rest.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) => SizeHint::with_exact(n),
            None => {
                let mut hint = SizeHint::new();
                hint.set_lower(self.prefix.len());
                hint
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_types() {
        for ok in ["application/json", "application/json;charset=UTF-8", "Application/JSON ; x=y", "application/problem+json", "text/json"] {
            assert!(is_json_type(ok), "{ok}");
        }
        for bad in ["text/html", "application/jsonp", "text/plain; json", ""] {
            assert!(!is_json_type(bad), "{bad}");
        }
    }
}
