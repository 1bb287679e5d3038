//! The connections upstream calls go over: TCP with the proxy's socket
//! settings, then TLS where the scheme is `https`, the two together bounded
//! by the connect timeout and counted when they succeed ([`CountConnections`]),
//! and handed to the pool as [`Bare`] connections.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::Uri;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};

use crate::metrics::Metrics;

/// TCP (connect timeout, `TCP_NODELAY`, keep-alive probes), then TLS where
/// the scheme is `https`; the whole of it bounded by the connect timeout
/// and counted when it succeeds.
pub(super) type Connector = CountConnections<HttpsConnector<HttpConnector>>;

impl Connector {
    /// The connector of every upstream call, with `timeout` for TCP and TLS together.
    pub(super) fn new(timeout: Duration, metrics: Arc<Metrics>) -> Connector {
        // reqwest's settings, which this client replaces: connect timeout
        // (per address, and over TCP and TLS together), no Nagle, TCP
        // keep-alive probes after 15 s idle, every 15 s, 3 of them.
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        http.set_keepalive(Some(Duration::from_secs(15)));
        http.set_keepalive_interval(Some(Duration::from_secs(15)));
        http.set_keepalive_retries(Some(3));
        http.set_tcp_user_timeout(Some(Duration::from_secs(30)));
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .expect("ring offers TLS 1.2 and 1.3")
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        CountConnections { inner: https, timeout, metrics }
    }
}

/// The connect timeout passed (TCP and TLS together).
#[derive(Debug)]
pub(super) struct ConnectTimeout;

impl std::fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connect timeout")
    }
}

impl StdError for ConnectTimeout {}

/// The connector as the pool sees it: every connection it completes (TCP,
/// and TLS where used) within the connect timeout is one the pool did not
/// have. Requests sent minus these is how many reused a pooled connection.
#[derive(Clone)]
pub(super) struct CountConnections<S> {
    inner: S,
    timeout: Duration,
    metrics: Arc<Metrics>,
}

impl<S> tower::Service<Uri> for CountConnections<S>
where
    S: tower::Service<Uri>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = Bare<S::Response>;
    type Error = Box<dyn StdError + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let (timeout, metrics) = (self.timeout, self.metrics.clone());
        Box::pin(async move {
            let connection = match tokio::time::timeout(timeout, connecting).await {
                Ok(connection) => connection.map_err(Into::into)?,
                Err(_) => return Err(ConnectTimeout.into()),
            };
            metrics.connection_opened();
            Ok(Bare(connection))
        })
    }
}

/// An upstream connection that tells the pool only what it needs (HTTP/2
/// or not, proxied or not): hyper-util's TCP connection also offers its
/// addresses (`HttpInfo`), which the pool then copies into every answer's
/// extensions, an allocation or two per call that nothing here reads.
pub(super) struct Bare<T>(T);

impl<T: Connection> Connection for Bare<T> {
    fn connected(&self) -> Connected {
        let inner = self.0.connected();
        let bare = Connected::new().proxy(inner.is_proxied());
        if inner.is_negotiated_h2() {
            bare.negotiated_h2()
        } else {
            bare
        }
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for Bare<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: hyper::rt::ReadBufCursor<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for Bare<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProxyError;
    use crate::relay::classify;

    #[tokio::test]
    async fn a_connection_past_the_connect_timeout_is_a_timeout_and_not_counted() {
        let never = tower::service_fn(|_: Uri| std::future::pending::<Result<(), std::io::Error>>());
        let metrics = Arc::new(Metrics::default());
        let mut connector = CountConnections { inner: never, timeout: Duration::from_millis(20), metrics: metrics.clone() };
        let e = tower::Service::call(&mut connector, Uri::from_static("http://127.0.0.1:9/")).await.err().unwrap();
        assert_eq!(classify(&*e), ProxyError::UpstreamTimeout);
        assert!(metrics.render().contains("tenantscope_upstream_connections_opened_total 0\n"));
        let ready = tower::service_fn(|_: Uri| async { Ok::<_, std::io::Error>(()) });
        let mut connector = CountConnections { inner: ready, timeout: Duration::from_millis(20), metrics: metrics.clone() };
        tower::Service::call(&mut connector, Uri::from_static("http://127.0.0.1:9/")).await.unwrap();
        assert!(metrics.render().contains("tenantscope_upstream_connections_opened_total 1\n"));
    }

    #[test]
    fn a_bare_connection_keeps_what_the_pool_needs() {
        struct H2;
        impl Connection for H2 {
            fn connected(&self) -> Connected {
                Connected::new().negotiated_h2().proxy(true).extra(7u8)
            }
        }
        let bare = Bare(H2).connected();
        assert!(bare.is_negotiated_h2() && bare.is_proxied());
        let mut extensions = axum::http::Extensions::new();
        bare.get_extras(&mut extensions);
        assert!(extensions.is_empty());
    }
}
