//! TLS on the public listener (`--tls-cert`, `--tls-key`): the certificate
//! chain and private key read from PEM files, the rustls server
//! configuration that offers HTTP/2 and HTTP/1.1 by ALPN, and the reload.
//!
//! Every handshake asks [`Certificates`] for the pair in use, so a reload
//! (SIGHUP, or either file changing on disk, seen by polling their
//! metadata) reaches every new connection while those already open keep
//! the session they made. A reload that fails to read or parse keeps the
//! pair in use and logs why, naming the file; the key's bytes are never in
//! a message.
//!
//! The server loop (`server.rs`) does the handshake in the connection's own
//! task, under the header timeout, after the per-client connection cap.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use sha2::{Digest, Sha256};

/// How often the files' metadata is looked at, by default.
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);

/// The ALPN protocols offered, in the server's order of preference.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// The HSTS header sent on every answer over TLS (except to loopback
/// names): a year, this host only (the operator's other names may not all
/// speak HTTPS), no preload.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Set on every request that came over TLS (`server.rs`): the scheme the
/// browser used is `https` (`middleware/cors.rs`, the page's own origin).
#[derive(Clone, Copy, Debug)]
pub struct OverTls;

/// The two files, as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The certificate and key in use, the files they came from, and what the
/// files looked like when last read.
pub struct Certificates {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
    seen: Mutex<Option<Stamp>>,
    poll: Duration,
}

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The files' names, never the key.
        f.debug_struct("Certificates").field("files", &self.files).field("poll", &self.poll).finish_non_exhaustive()
    }
}

/// What the two files look like on disk: a change of any of these (a file
/// rewritten, or renamed over, or a symlink pointed elsewhere) is a change.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp([Option<(SystemTime, u64, u64)>; 2]);

impl Stamp {
    fn of(files: &TlsFiles) -> Stamp {
        Stamp([file_stamp(&files.cert), file_stamp(&files.key)])
    }
}

fn file_stamp(path: &Path) -> Option<(SystemTime, u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.modified().ok()?, meta.len(), inode))
}

impl Certificates {
    /// Reads both files, polling them for changes every [`POLL_INTERVAL`].
    /// The error names the flag and the file, and says what is wrong.
    pub fn load(files: TlsFiles) -> Result<Arc<Certificates>, String> {
        Certificates::load_polling(files, POLL_INTERVAL)
    }

    /// [`Certificates::load`], polling every `poll`.
    pub fn load_polling(files: TlsFiles, poll: Duration) -> Result<Arc<Certificates>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let stamp = Stamp::of(&files);
        let key = read_pair(&files, &provider)?;
        tracing::info!(cert = %files.cert.display(), sha256 = %fingerprint(&key), "TLS certificate loaded");
        Ok(Arc::new(Certificates { files, provider, current: RwLock::new(Arc::new(key)), seen: Mutex::new(Some(stamp)), poll }))
    }

    /// The pair new handshakes get.
    pub fn current(&self) -> Arc<CertifiedKey> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Reads both files again: on success new handshakes get the new pair;
    /// on failure the pair in use stays, and the log says why. `why` is what
    /// asked (`SIGHUP`, `files changed`).
    pub fn reload(&self, why: &str) -> bool {
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(Stamp::of(&self.files));
        match read_pair(&self.files, &self.provider) {
            Ok(key) => {
                tracing::info!(reason = why, cert = %self.files.cert.display(), sha256 = %fingerprint(&key), "TLS certificate reloaded");
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(key);
                true
            }
            Err(error) => {
                tracing::warn!(reason = why, %error, "TLS certificate not reloaded; keeping the one in use");
                false
            }
        }
    }

    /// Reloads when either file looks different from when it was last read
    /// (whether or not that read succeeded: a broken file is read again
    /// once it changes, not at every poll).
    pub fn reload_if_changed(&self) -> bool {
        let now = Stamp::of(&self.files);
        if self.seen.lock().unwrap_or_else(|e| e.into_inner()).as_ref() == Some(&now) {
            return false;
        }
        self.reload("files changed")
    }

    /// The rustls configuration of the listener: this pair (as it is at each
    /// handshake), TLS 1.2 and 1.3, ALPN `h2` then `http/1.1`.
    pub fn server_config(self: &Arc<Self>) -> Arc<ServerConfig> {
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .expect("ring offers the default protocol versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(self.clone())));
        config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }

    /// Watches for SIGHUP and polls the files, reloading on either, until
    /// the task is aborted. The signal is registered before this returns, so
    /// that a SIGHUP sent once the listener serves never ends the process.
    pub fn watch(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        #[cfg(unix)]
        let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            Ok(signal) => Some(signal),
            Err(error) => {
                tracing::warn!(%error, "cannot watch SIGHUP; the TLS files are still polled");
                None
            }
        };
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + this.poll, this.poll);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                #[cfg(unix)]
                let hup = async {
                    match &mut hangup {
                        Some(signal) => signal.recv().await,
                        None => std::future::pending().await,
                    }
                };
                #[cfg(not(unix))]
                let hup = std::future::pending::<Option<()>>();
                let signalled = tokio::select! {
                    _ = tick.tick() => false,
                    Some(()) = hup => true,
                };
                // File reads off the runtime's threads: with one thread
                // (--threads 1), a slow disk would stall every connection.
                let this = this.clone();
                let _ = tokio::task::spawn_blocking(move || if signalled { this.reload("SIGHUP") } else { this.reload_if_changed() }).await;
            }
        })
    }
}

/// What every handshake asks for its certificate.
#[derive(Debug)]
struct Resolver(Arc<Certificates>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.current())
    }
}

/// The end-entity certificate's SHA-256 (public; the operator can compare it
/// with `openssl x509 -fingerprint -sha256`).
fn fingerprint(key: &CertifiedKey) -> String {
    let der = key.cert.first().map_or(&[][..], |c| c.as_ref());
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Reads the chain and the key, checks that they belong together.
fn read_pair(files: &TlsFiles, provider: &CryptoProvider) -> Result<CertifiedKey, String> {
    let cert_error = |what: &dyn fmt::Display| format!("--tls-cert {}: {what}", files.cert.display());
    let key_error = |what: &dyn fmt::Display| format!("--tls-key {}: {what}", files.key.display());
    let chain_pem = std::fs::read(&files.cert).map_err(|e| cert_error(&format_args!("cannot read it: {e}")))?;
    let key_pem = std::fs::read(&files.key).map_err(|e| key_error(&format_args!("cannot read it: {e}")))?;
    let chain = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_error(&format_args!("not a PEM file: {}", pem_problem(&e))))?;
    if chain.is_empty() {
        return Err(cert_error(&"no CERTIFICATE section in it (a PEM file of the certificate, then any intermediates)"));
    }
    let key = match PrivateKeyDer::from_pem_slice(&key_pem) {
        Ok(key) => key,
        Err(pem::Error::NoItemsFound) => {
            return Err(key_error(&"no unencrypted private key in it (PEM: PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)"));
        }
        Err(e) => return Err(key_error(&format_args!("not a PEM file: {}", pem_problem(&e)))),
    };
    let signing =
        provider.key_provider.load_private_key(key).map_err(|_| key_error(&"not a private key rustls can use (RSA, ECDSA P-256/P-384 or Ed25519)"))?;
    let pair = CertifiedKey::new(chain, signing);
    match pair.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(pair),
        Err(rustls::Error::InconsistentKeys(_)) => {
            Err(format!("--tls-key {} does not belong to the certificate of --tls-cert {}", files.key.display(), files.cert.display()))
        }
        Err(e) => Err(cert_error(&format_args!("the first certificate cannot be parsed: {e}"))),
    }
}

/// What is wrong with a PEM file, in words that quote nothing from it (the
/// key file's lines are secret).
fn pem_problem(error: &pem::Error) -> &'static str {
    match error {
        pem::Error::MissingSectionEnd { .. } => "a section has no END line",
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed",
        pem::Error::Base64Decode(_) => "a section is not valid base64",
        pem::Error::Io(_) => "it cannot be read",
        pem::Error::NoItemsFound => "no section in it",
        pem::Error::SectionTooLarge => "a section is too large",
        _ => "it cannot be parsed",
    }
}
