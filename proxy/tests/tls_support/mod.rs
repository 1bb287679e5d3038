//! Shared by the TLS tests: self-signed certificates made at test time
//! (rcgen), written to a directory of the test's own; the proxy served over
//! TLS on 127.0.0.1:0 by the real server loop; and a rustls client that
//! trusts one certificate and offers the ALPN protocols it is given.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rustls::pki_types::{CertificateDer, ServerName};
use tenantscope_proxy::server::{serve, ServeOptions};
use tenantscope_proxy::tls::{Certificates, TlsFiles};
use tenantscope_proxy::{app, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::client::TlsStream;

/// A self-signed certificate for `names`, and its key.
pub struct Pair {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: CertificateDer<'static>,
}

pub fn self_signed(names: &[&str]) -> Pair {
    let made = rcgen::generate_simple_self_signed(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    Pair { cert_pem: made.cert.pem(), key_pem: made.signing_key.serialize_pem(), der: made.cert.der().clone() }
}

/// A directory of the test's own, removed when dropped.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("tenantscope-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    pub fn files(&self) -> TlsFiles {
        TlsFiles { cert: self.0.join("cert.pem"), key: self.0.join("key.pem") }
    }

    /// Writes `pair` as the files, each renamed over the old one in one
    /// step (as certbot and Kubernetes replace theirs).
    pub fn install(&self, pair: &Pair) {
        let files = self.files();
        put(&files.cert, &pair.cert_pem);
        put(&files.key, &pair.key_pem);
    }
}

/// Writes `text` to `path` by renaming a new file over it: whoever reads
/// it sees the old text or the new, never half.
pub fn put(path: &std::path::Path, text: &str) {
    let fresh = path.with_extension("new");
    std::fs::write(&fresh, text).unwrap();
    std::fs::rename(&fresh, path).unwrap();
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The proxy over TLS on 127.0.0.1:0, served until dropped.
pub struct Secure {
    pub addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

pub async fn start_tls(config: Config, certificates: Arc<Certificates>) -> Secure {
    let config = Config { tls: Some(certificates), ..config };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let options = ServeOptions::for_config(&config);
    tokio::spawn(serve(listener, app(config), options, async {
        let _ = stopped.await;
    }));
    Secure { addr, _stop: stop }
}

/// A TLS connection to `to` from the loopback address `from`, trusting
/// `trusted` only, naming `name` (SNI), offering `alpn`.
pub async fn connect(from: &str, to: SocketAddr, name: &str, trusted: &CertificateDer<'static>, alpn: &[&[u8]]) -> std::io::Result<TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = tcp_from(from, to).await;
    let name = ServerName::try_from(name.to_string()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp)).await?
}

/// A plain TCP connection to `to` from the loopback address `from` (all of
/// 127/8 is this machine's, so each is another client address).
pub async fn tcp_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// The certificate the server presented on `stream`.
pub fn presented(stream: &TlsStream<TcpStream>) -> CertificateDer<'static> {
    stream.get_ref().1.peer_certificates().unwrap()[0].clone().into_owned()
}

/// An HTTP/2 client over `stream`, its connection driven by a task.
pub async fn h2_over(stream: TlsStream<TcpStream>) -> h2::client::SendRequest<Bytes> {
    let (send, connection) = h2::client::handshake(stream).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    send
}

/// `GET url` over an HTTP/2 client: the answer's head, within 5 s.
pub async fn h2_get(send: &h2::client::SendRequest<Bytes>, url: &str, headers: &[(&str, &str)]) -> axum::http::Response<h2::RecvStream> {
    let mut send = send.clone().ready().await.unwrap();
    let mut request = axum::http::Request::get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let (response, _) = send.send_request(request.body(()).unwrap(), true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), response).await.expect("answer headers").unwrap()
}

/// Sends `head` (without the final blank line) over `stream` as HTTP/1.1 and
/// reads the answer until the server closes.
pub async fn h1_over(mut stream: TlsStream<TcpStream>, head: &str) -> String {
    stream.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).to_string()
}
