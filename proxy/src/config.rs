//! Configuration: the command-line contract of `tenantscope-proxy`, each flag
//! also readable from a `TENANTSCOPE_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::HeaderName;
use clap::Parser;
use tenantscope_catalog::Service;

pub use crate::client_ip::Cidr;

/// Command-line flags (see docs/proxy.md for the contract).
#[derive(Debug, Parser)]
#[command(name = "tenantscope-proxy", version, about = "Allow-listed relay to Huawei Cloud APIs for the tenantscope console")]
pub struct Args {
    /// Address to listen on. On a loopback address only loopback Host names
    /// (and --allowed-host names) are answered.
    #[arg(long, env = "TENANTSCOPE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Serve the built site (Trunk's dist/) from this directory at `/`.
    #[arg(long = "static", env = "TENANTSCOPE_STATIC", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// An origin allowed to call the API cross-origin (exact match, repeatable;
    /// comma-separated in the environment variable).
    #[arg(long = "allow-origin", env = "TENANTSCOPE_ALLOW_ORIGIN", value_name = "ORIGIN", value_delimiter = ',', value_parser = parse_origin)]
    pub allow_origins: Vec<String>,
    /// A Host name (without port) the proxy answers besides the loopback names;
    /// once given, it is enforced on any listen address (repeatable).
    #[arg(long = "allowed-host", env = "TENANTSCOPE_ALLOWED_HOST", value_name = "NAME", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Another origin the served page may call (CSP connect-src), e.g. a proxy
    /// elsewhere (repeatable).
    #[arg(long = "connect-src", env = "TENANTSCOPE_CONNECT_SRC", value_name = "ORIGIN", value_delimiter = ',', value_parser = parse_origin)]
    pub connect_src: Vec<String>,
    /// Answer the API from the built-in demo tenant (token `demo`), with no network.
    #[arg(long, env = "TENANTSCOPE_DEMO")]
    pub demo: bool,
    /// How long every demo answer takes from its request, its making
    /// included, in milliseconds (for benchmarks: an upstream's latency).
    #[arg(long, env = "TENANTSCOPE_DEMO_LATENCY_MS", default_value_t = 0, value_name = "MS")]
    pub demo_latency_ms: u64,
    /// Send every service to this base URL instead of the Huawei Cloud hosts,
    /// keeping path and query (tests, private endpoints).
    #[arg(long, env = "TENANTSCOPE_UPSTREAM_BASE", value_name = "URL", value_parser = parse_base)]
    pub upstream_base: Option<String>,
    /// A service's host in a region, set by the operator: `SERVICE:REGION=HOST`
    /// (for example `hss:af-north-1=hss.af-north-1.myhuaweicloud.com`), over
    /// the catalogue's, or for a region it lacks. HTTPS on the default port;
    /// Huawei Cloud API domains only. Repeatable.
    #[arg(long = "service-host", env = "TENANTSCOPE_SERVICE_HOST", value_name = "SERVICE:REGION=HOST", value_delimiter = ',', value_parser = parse_service_host)]
    pub service_hosts: Vec<ServiceHost>,
    /// API requests per second each client may make on average (token bucket; 0: no limit).
    #[arg(long, env = "TENANTSCOPE_RATE_LIMIT", default_value_t = 20.0, value_name = "PER_SECOND")]
    pub rate_limit: f64,
    /// How many API requests a client may make at once before the rate applies.
    #[arg(long, env = "TENANTSCOPE_RATE_BURST", default_value_t = 200, value_name = "REQUESTS")]
    pub rate_burst: u32,
    /// Take the client address from this header (set by a load balancer,
    /// e.g. X-Real-IP) when the peer is one of --trusted-proxy: the
    /// right-most address in it that is not a trusted proxy's. Requires
    /// --trusted-proxy.
    #[arg(long, env = "TENANTSCOPE_CLIENT_IP_HEADER", value_name = "HEADER")]
    pub client_ip_header: Option<HeaderName>,
    /// A load balancer's address or network (`127.0.0.1/32`, `10.0.0.0/8`)
    /// whose --client-ip-header is believed; any other peer is counted by
    /// its own address. Repeatable; required with --client-ip-header.
    #[arg(long = "trusted-proxy", env = "TENANTSCOPE_TRUSTED_PROXY", value_name = "CIDR", value_delimiter = ',')]
    pub trusted_proxies: Vec<Cidr>,
    /// Upstream requests in flight at most; more wait up to --connect-timeout, then get 503.
    #[arg(long, env = "TENANTSCOPE_MAX_UPSTREAM", default_value_t = 256, value_name = "N")]
    pub max_upstream: usize,
    /// Upstream calls one client (address, IPv6 by /64) may have in flight at
    /// once; more get 429 (0: no per-client cap).
    #[arg(long, env = "TENANTSCOPE_MAX_UPSTREAM_PER_CLIENT", default_value_t = 64, value_name = "N")]
    pub max_upstream_per_client: usize,
    /// Connections one peer address (IPv6 by /64) may have open at once;
    /// more are closed as soon as they are accepted (0: no cap). A browser
    /// opens up to 6 HTTP/1 connections to the proxy, so the default, 128,
    /// lets about 20 browsers behind one NAT address keep all of theirs.
    /// A --trusted-proxy peer carries everyone's connections and is not
    /// capped (let the balancer cap connections per client).
    #[arg(long, env = "TENANTSCOPE_MAX_CONNECTIONS_PER_CLIENT", value_name = "N")]
    pub max_connections_per_client: Option<usize>,
    /// Bytes of upstream answers read ahead of one client (address, IPv6
    /// by /64), all its answers together (0: no cap beyond each answer's
    /// 256 KiB): past it, its answers wait for it to read.
    #[arg(long, env = "TENANTSCOPE_MAX_BUFFERED_PER_CLIENT", default_value_t = MAX_BUFFERED_PER_CLIENT, value_name = "BYTES")]
    pub max_buffered_per_client: usize,
    /// Requests one client (IPv6 by /64) may have in flight across all its
    /// connections, until each answer has been sent or dropped; more get
    /// 429 (0: no cap). Behind a --trusted-proxy, the client its
    /// --client-ip-header names.
    #[arg(long, env = "TENANTSCOPE_MAX_ANSWERS_PER_CLIENT", default_value_t = MAX_ANSWERS_PER_CLIENT, value_name = "N")]
    pub max_answers_per_client: usize,
    /// Seconds to wait for an upstream connection.
    #[arg(long, env = "TENANTSCOPE_CONNECT_TIMEOUT", default_value_t = 5, value_name = "SECONDS")]
    pub connect_timeout: u64,
    /// Seconds an upstream call may take in all, body included.
    #[arg(long, env = "TENANTSCOPE_UPSTREAM_TIMEOUT", default_value_t = 30, value_name = "SECONDS")]
    pub upstream_timeout: u64,
    /// Seconds a client has to take an answer: a connection whose answers make
    /// no progress for --upstream-timeout plus this is closed.
    #[arg(long, env = "TENANTSCOPE_SEND_TIMEOUT", default_value_t = 30, value_name = "SECONDS")]
    pub send_timeout: u64,
    /// Seconds a new connection has to send its first request's headers (and
    /// any request its headers); and a request with a body (billing's POST)
    /// its whole body, counted from when its headers arrived (more: 408).
    #[arg(long, env = "TENANTSCOPE_HEADER_TIMEOUT", default_value_t = 10, value_name = "SECONDS")]
    pub header_timeout: u64,
    /// Seconds a connection (HTTP/1 keep-alive or HTTP/2) may stay open with
    /// no request in flight.
    #[arg(long, env = "TENANTSCOPE_IDLE_TIMEOUT", default_value_t = 60, value_name = "SECONDS")]
    pub idle_timeout: u64,
    /// Seconds to drain after SIGTERM before the connections left are closed.
    #[arg(long, env = "TENANTSCOPE_SHUTDOWN_TIMEOUT", default_value_t = 30, value_name = "SECONDS")]
    pub shutdown_timeout: u64,
    /// Largest upstream answer body relayed, in bytes.
    #[arg(long, env = "TENANTSCOPE_MAX_BODY_BYTES", default_value_t = 16 << 20, value_name = "BYTES")]
    pub max_body_bytes: u64,
    /// Largest total size of a request's headers, in bytes (more: 431).
    #[arg(long, env = "TENANTSCOPE_MAX_HEADER_BYTES", default_value_t = 32 << 10, value_name = "BYTES")]
    pub max_header_bytes: usize,
    /// Threads serving requests (0: one per CPU this process may use). With
    /// one, a single-threaded runtime serves everything, which costs less CPU
    /// per request than a worker pool of one.
    #[arg(long, env = "TENANTSCOPE_THREADS", default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Serve `/metrics` on this loopback address (for example
    /// 127.0.0.1:9464) instead of on the public listener: the default for an
    /// exposed deployment, where the request counts are nobody else's business.
    #[arg(long, env = "TENANTSCOPE_METRICS_LISTEN", value_name = "ADDR", value_parser = parse_loopback)]
    pub metrics_listen: Option<SocketAddr>,
    /// Serve `/metrics` on the public listener too (off by default: the
    /// request counts are nobody else's business; prefer --metrics-listen).
    #[arg(long, env = "TENANTSCOPE_PUBLIC_METRICS")]
    pub public_metrics: bool,
    /// Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with this certificate
    /// chain, PEM, the certificate first. Requires --tls-key. Read again on
    /// SIGHUP and when either file changes.
    #[arg(long, env = "TENANTSCOPE_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert, PEM (PKCS#8, RSA or EC; not encrypted).
    #[arg(long, env = "TENANTSCOPE_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
}

impl Args {
    /// What the flags cannot say alone: a client-address header needs the
    /// balancers it is believed from (without them, anyone who reaches the
    /// port would choose their own address per request, and lose every
    /// per-client limit); and a TLS certificate needs its key, and the key
    /// its certificate.
    pub fn check(&self) -> Result<(), String> {
        if self.client_ip_header.is_some() && self.trusted_proxies.is_empty() {
            return Err("--client-ip-header needs --trusted-proxy CIDR: the address of the load balancer that sets the header \
                (for example --trusted-proxy 127.0.0.1/32 for nginx on this host); the header is believed from those peers only"
                .into());
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => Err("--tls-cert needs --tls-key FILE: the certificate's private key (PEM)".into()),
            (None, Some(_)) => Err("--tls-key needs --tls-cert FILE: the certificate chain (PEM) of that key".into()),
            _ => Ok(()),
        }
    }

    /// The TLS files, when both are given (see [`Args::check`]).
    pub fn tls_files(&self) -> Option<crate::tls::TlsFiles> {
        Some(crate::tls::TlsFiles { cert: self.tls_cert.clone()?, key: self.tls_key.clone()? })
    }
}

fn parse_loopback(s: &str) -> Result<SocketAddr, String> {
    let addr: SocketAddr = s.parse().map_err(|_| "expected an address and port, for example 127.0.0.1:9464".to_string())?;
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err("the metrics listener is loopback-only: use 127.0.0.1:PORT or [::1]:PORT, and scrape it from the same host or pod".into())
    }
}

fn parse_base(s: &str) -> Result<String, String> {
    let ok = (s.starts_with("http://") || s.starts_with("https://")) && !s.contains(['?', '#', ' ', '@']);
    if ok {
        Ok(s.trim_end_matches('/').to_string())
    } else {
        Err("expected an http:// or https:// base URL without query, fragment or userinfo".into())
    }
}

/// One `--service-host`: where `service` is reached in `region`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceHost {
    pub service: Service,
    pub region: String,
    pub host: String,
}

fn parse_service_host(s: &str) -> Result<ServiceHost, String> {
    let usage = "expected SERVICE:REGION=HOST, for example hss:af-north-1=hss.af-north-1.myhuaweicloud.com";
    let (key, host) = s.trim().split_once('=').ok_or(usage)?;
    let (service, region) = key.split_once(':').ok_or(usage)?;
    let service = Service::from_key(service)
        .ok_or_else(|| format!("unknown service {service:?}: one of iam, projectman, testplan, codecheck, metastudio, dsc, hss, bss"))?;
    if !tenantscope_catalog::is_region_shaped(region) {
        return Err(format!("{region:?} is not a region id such as af-north-1"));
    }
    let host = host.to_string();
    if !tenantscope_catalog::is_huawei_cloud_host(&host) {
        return Err(format!(
            "{host:?} is not a Huawei Cloud API host (a lower-case name under myhuaweicloud.com, .cn, .eu or huaweicloud.com; no scheme, port or path)"
        ));
    }
    check_service_host(service, region, &host)?;
    Ok(ServiceHost { service, region: region.to_string(), host })
}

/// Huawei Cloud's API domains, under which a service's host is its prefix
/// and the region (or the prefix alone, for a global endpoint).
const API_DOMAINS: [&str; 4] = ["myhuaweicloud.com", "myhuaweicloud.cn", "myhuaweicloud.eu", "huaweicloud.com"];

/// A name under an API domain is not necessarily Huawei's: object storage
/// buckets (`bucket.obs.REGION.myhuaweicloud.com`) and their static
/// websites are named by tenants, and a token sent there is theirs. So a
/// host is `PREFIX.REGION.DOMAIN` exactly, or `PREFIX.DOMAIN` for a global
/// pseudo-region (billing's sites), where PREFIX is one the catalogue uses
/// for that service; no object-storage or website label anywhere; and the
/// global IAM hosts, where every token is checked, stay the catalogue's.
fn check_service_host(service: Service, region: &str, host: &str) -> Result<(), String> {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.iter().any(|l| *l == "obs" || l.starts_with("obs-") || l.contains("website")) {
        return Err(format!("{host:?} is an object storage (OBS) or static website name, which a tenant can hold, not a service's API host"));
    }
    if service == Service::Iam && (region == "global" || region == tenantscope_catalog::GLOBAL_EU) {
        return Err("the global IAM hosts (iam:global, iam:global-eu) are the catalogue's and cannot be overridden".into());
    }
    let global = region == "global" || tenantscope_catalog::BILLING_SITES.contains(&region);
    let prefixes = service_prefixes(service);
    let shape = if global { "{prefix}.{domain}".to_string() } else { format!("{{prefix}}.{region}.{{domain}}") };
    let usage = || format!("{host:?} is not {shape} with a prefix of {} ({}) and a domain of {}", service.key(), prefixes.join(", "), API_DOMAINS.join(", "));
    let (prefix, rest) = host.split_once('.').ok_or_else(usage)?;
    let domain = if global { Some(rest) } else { rest.strip_prefix(region).and_then(|r| r.strip_prefix('.')) };
    if !prefixes.iter().any(|p| p == prefix) || !domain.is_some_and(|d| API_DOMAINS.contains(&d)) {
        return Err(usage());
    }
    Ok(())
}

/// The first labels of `service`'s hosts in the catalogue, in every region
/// and global pseudo-region (`hss`, `sdg`, `cloudtest-ext`, `bss-intl`, ...).
fn service_prefixes(service: Service) -> Vec<String> {
    let regions = tenantscope_catalog::REGIONS.iter().map(|r| r.id);
    let global = ["global", tenantscope_catalog::GLOBAL_EU, "eu-west-101"].into_iter().chain(tenantscope_catalog::BILLING_SITES);
    let mut prefixes: Vec<String> =
        regions.chain(global).filter_map(|r| service.host(r)).filter_map(|h| h.split_once('.').map(|(p, _)| p.to_string())).collect();
    prefixes.sort();
    prefixes.dedup();
    prefixes
}

/// An origin: scheme, host and optional port, nothing else (never `*` or `null`).
fn parse_origin(s: &str) -> Result<String, String> {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)));
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err("expected an origin such as https://console.example.com (no path, no wildcard)".into())
    }
}

/// What [`crate::app`] needs to build the router.
#[derive(Debug, Clone)]
pub struct Config {
    pub static_dir: Option<PathBuf>,
    pub allow_origins: Vec<String>,
    /// Refuse requests whose Host is not a loopback name or one of `allowed_hosts`.
    pub guard_host: bool,
    pub allowed_hosts: Vec<String>,
    pub connect_src: Vec<String>,
    pub demo: bool,
    pub demo_latency: Duration,
    pub upstream_base: Option<String>,
    /// The operator's hosts (`--service-host`), over the catalogue's.
    pub service_hosts: Vec<ServiceHost>,
    /// Token bucket per client: refill per second (0: off) and size.
    pub rate_per_sec: f64,
    pub rate_burst: u32,
    pub client_ip_header: Option<HeaderName>,
    /// The peers `client_ip_header` is believed from, and whose
    /// connections the per-peer cap does not count.
    pub trusted_proxies: Vec<Cidr>,
    pub max_upstream: usize,
    /// Upstream calls in flight per client at most (0: no cap).
    pub max_upstream_per_client: usize,
    /// Connections open per peer address at most, trusted proxies apart (0: no cap).
    pub max_connections_per_client: usize,
    /// Answers in flight per client at most; behind a trusted proxy, per client its header names (0: no cap).
    pub max_answers_per_client: usize,
    /// Upstream answer bytes read ahead of one client in all (0: no cap).
    pub max_buffered_per_client: usize,
    /// How long a request waits for one of the `max_upstream` slots.
    pub upstream_queue_wait: Duration,
    pub connect_timeout: Duration,
    pub upstream_timeout: Duration,
    pub max_body_bytes: u64,
    pub max_header_bytes: usize,
    /// Bytes of an upstream answer read ahead of the client: an answer this
    /// small frees its upstream slot as soon as the upstream has sent it.
    pub answer_buffer_bytes: usize,
    /// See the flags of the same names.
    pub send_timeout: Duration,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub shutdown_timeout: Duration,
    /// HTTP/2 streams a client connection may have open at once.
    pub h2_max_streams: u32,
    /// Where `/metrics` is served instead of the public router (loopback only).
    pub metrics_listen: Option<SocketAddr>,
    /// `/metrics` on the public router as well (when `metrics_listen` is not set).
    pub public_metrics: bool,
    /// HTTPS on the public listener with these certificates (`--tls-cert`,
    /// `--tls-key`, read by `main`: [`crate::tls::Certificates::load`]).
    pub tls: Option<std::sync::Arc<crate::tls::Certificates>>,
}

/// The default of `--max-connections-per-client`: a browser keeps up to 6 HTTP/1
/// connections per origin, so about 20 browsers sharing one address, with
/// every connection open; one address then holds at most an eighth of a
/// typical soft limit of 1,024 descriptors.
pub const MAX_CONNECTIONS_PER_CLIENT: usize = 128;

/// A console load is a few dozen calls: 32 streams let most of one go out
/// at once (a browser queues the rest) and bound what one connection can
/// hold; what one client holds across its connections is capped apart
/// ([`MAX_ANSWERS_PER_CLIENT`]).
pub const H2_MAX_STREAMS: u32 = 32;

/// The default of `--max-answers-per-client`: requests whose answers are
/// not yet sent, across all of one peer's connections. Two consoles loading
/// at once over HTTP/2 stay well under it; 128 HTTP/1 connections cannot
/// reach it.
pub const MAX_ANSWERS_PER_CLIENT: usize = 256;

/// The default of `--max-buffered-per-client`: a console's answers are a
/// few KiB to a few hundred; 4 MiB is a whole console load read ahead.
pub const MAX_BUFFERED_PER_CLIENT: usize = 4 << 20;

/// The host of `service` in `region`: the operator's (`hosts`), else the
/// catalogue's; `None` where neither names one.
pub fn service_host(hosts: &[ServiceHost], service: Service, region: &str) -> Option<String> {
    hosts.iter().find(|h| h.service == service && h.region == region).map(|h| h.host.clone()).or_else(|| service.host(region))
}

impl Config {
    /// [`service_host`] with this configuration's hosts.
    pub fn host(&self, service: Service, region: &str) -> Option<String> {
        service_host(&self.service_hosts, service, region)
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            static_dir: None,
            allow_origins: Vec::new(),
            guard_host: false,
            allowed_hosts: Vec::new(),
            connect_src: Vec::new(),
            demo: false,
            demo_latency: Duration::ZERO,
            upstream_base: None,
            service_hosts: Vec::new(),
            rate_per_sec: 20.0,
            rate_burst: 200,
            client_ip_header: None,
            trusted_proxies: Vec::new(),
            max_upstream: 256,
            max_upstream_per_client: 64,
            max_connections_per_client: MAX_CONNECTIONS_PER_CLIENT,
            max_answers_per_client: MAX_ANSWERS_PER_CLIENT,
            max_buffered_per_client: MAX_BUFFERED_PER_CLIENT,
            upstream_queue_wait: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            upstream_timeout: Duration::from_secs(30),
            max_body_bytes: 16 << 20,
            max_header_bytes: 32 << 10,
            answer_buffer_bytes: 256 << 10,
            send_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            shutdown_timeout: Duration::from_secs(30),
            h2_max_streams: H2_MAX_STREAMS,
            metrics_listen: None,
            public_metrics: false,
            tls: None,
        }
    }
}

impl From<&Args> for Config {
    fn from(args: &Args) -> Config {
        Config {
            static_dir: args.static_dir.clone(),
            allow_origins: args.allow_origins.clone(),
            guard_host: args.listen.ip().is_loopback() || !args.allowed_hosts.is_empty(),
            allowed_hosts: args.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
            connect_src: args.connect_src.clone(),
            demo: args.demo,
            demo_latency: Duration::from_millis(args.demo_latency_ms),
            upstream_base: args.upstream_base.clone(),
            service_hosts: args.service_hosts.clone(),
            rate_per_sec: args.rate_limit.max(0.0),
            rate_burst: args.rate_burst.max(1),
            client_ip_header: args.client_ip_header.clone(),
            trusted_proxies: args.trusted_proxies.clone(),
            max_upstream: args.max_upstream.max(1),
            max_upstream_per_client: args.max_upstream_per_client,
            max_connections_per_client: args.max_connections_per_client.unwrap_or(MAX_CONNECTIONS_PER_CLIENT),
            max_answers_per_client: args.max_answers_per_client,
            max_buffered_per_client: args.max_buffered_per_client,
            upstream_queue_wait: Duration::from_secs(args.connect_timeout),
            connect_timeout: Duration::from_secs(args.connect_timeout),
            upstream_timeout: Duration::from_secs(args.upstream_timeout),
            max_body_bytes: args.max_body_bytes,
            max_header_bytes: args.max_header_bytes,
            answer_buffer_bytes: Config::default().answer_buffer_bytes,
            send_timeout: Duration::from_secs(args.send_timeout),
            header_timeout: Duration::from_secs(args.header_timeout.max(1)),
            idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
            h2_max_streams: H2_MAX_STREAMS,
            metrics_listen: args.metrics_listen,
            public_metrics: args.public_metrics,
            tls: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_listener_is_loopback_only() {
        let args = Args::try_parse_from(["x", "--metrics-listen", "127.0.0.1:9464"]).unwrap();
        assert_eq!(Config::from(&args).metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
        assert!(Args::try_parse_from(["x", "--metrics-listen", "[::1]:9464"]).is_ok());
        for bad in ["0.0.0.0:9464", "10.0.0.5:9464", "9464", "localhost:9464"] {
            assert!(Args::try_parse_from(["x", "--metrics-listen", bad]).is_err(), "{bad}");
        }
        assert_eq!(Config::from(&Args::try_parse_from(["x"]).unwrap()).metrics_listen, None);
    }

    #[test]
    fn service_hosts_are_huawei_cloud_names_only() {
        let args = Args::try_parse_from([
            "tenantscope-proxy",
            "--service-host",
            "hss:xx-test-1=hss.xx-test-1.myhuaweicloud.com",
            "--service-host",
            "testplan:cn-east-2=cloudtest-ext.cn-east-2.myhuaweicloud.cn",
        ])
        .unwrap();
        let config = Config::from(&args);
        assert_eq!(config.host(Service::Hss, "xx-test-1").as_deref(), Some("hss.xx-test-1.myhuaweicloud.com"));
        assert_eq!(config.host(Service::Testplan, "cn-east-2").as_deref(), Some("cloudtest-ext.cn-east-2.myhuaweicloud.cn"));
        assert_eq!(config.host(Service::Hss, "cn-north-4").as_deref(), Some("hss.cn-north-4.myhuaweicloud.com"), "the catalogue's otherwise");
        for bad in [
            "hss:xx-1=evil.com",
            "hss:xx-1=https://hss.xx-1.myhuaweicloud.com",
            "hss:xx-1=hss.xx-1.myhuaweicloud.com:444",
            "nope:xx-1=a.myhuaweicloud.com",
            "hss:127.0.0.1=a.myhuaweicloud.com",
            "hss=a.myhuaweicloud.com",
            "hss:xx-1=127.0.0.1",
        ] {
            let err = Args::try_parse_from(["tenantscope-proxy", "--service-host", bad]).unwrap_err().to_string();
            assert!(err.contains("service-host"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_tls_flags_go_together() {
        let parse = |extra: &[&str]| Args::try_parse_from([&["x"][..], extra].concat()).unwrap();
        assert_eq!(parse(&[]).check(), Ok(()));
        assert_eq!(parse(&[]).tls_files(), None);
        let both = parse(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]);
        assert_eq!(both.check(), Ok(()));
        assert_eq!(both.tls_files(), Some(crate::tls::TlsFiles { cert: "c.pem".into(), key: "k.pem".into() }));
        let err = parse(&["--tls-cert", "c.pem"]).check().unwrap_err();
        assert!(err.contains("--tls-cert needs --tls-key"), "{err}");
        let err = parse(&["--tls-key", "k.pem"]).check().unwrap_err();
        assert!(err.contains("--tls-key needs --tls-cert"), "{err}");
    }

    #[test]
    fn defaults_listen_on_loopback_8080_with_the_host_guard() {
        let args = Args::try_parse_from(["tenantscope-proxy"]).unwrap();
        assert_eq!(args.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(!args.demo);
        let config = Config::from(&args);
        assert!(config.guard_host);
        assert_eq!(config.upstream_timeout, Duration::from_secs(30));
        assert_eq!(config.max_body_bytes, 16 << 20);
        assert_eq!(config.max_upstream_per_client, 64);
        assert_eq!(config.max_connections_per_client, MAX_CONNECTIONS_PER_CLIENT);
        let balanced = |extra: &[&str]| {
            let args = [&["x", "--client-ip-header", "x-real-ip", "--trusted-proxy", "127.0.0.1/32"][..], extra].concat();
            Config::from(&Args::try_parse_from(args).unwrap()).max_connections_per_client
        };
        assert_eq!(balanced(&[]), MAX_CONNECTIONS_PER_CLIENT, "peers other than the balancer are capped");
        assert_eq!(balanced(&["--max-connections-per-client", "500"]), 500);
        assert_eq!((config.send_timeout, config.header_timeout), (Duration::from_secs(30), Duration::from_secs(10)));
        assert_eq!((config.idle_timeout, config.shutdown_timeout), (Duration::from_secs(60), Duration::from_secs(30)));
        let public = Config::from(&Args::try_parse_from(["x", "--listen", "0.0.0.0:80"]).unwrap());
        assert!(!public.guard_host);
    }

    #[test]
    fn parses_the_whole_contract() {
        let args = Args::try_parse_from([
            "tenantscope-proxy",
            "--listen",
            "0.0.0.0:9000",
            "--static",
            "dist",
            "--allow-origin",
            "https://a.example",
            "--allow-origin",
            "https://b.example",
            "--demo",
            "--demo-latency-ms",
            "300",
            "--upstream-base",
            "http://127.0.0.1:9999/",
            "--allowed-host",
            "Proxy.Example",
            "--rate-limit",
            "5",
            "--rate-burst",
            "10",
            "--max-upstream",
            "3",
            "--client-ip-header",
            "x-real-ip",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--threads",
            "1",
            "--max-upstream-per-client",
            "2",
            "--send-timeout",
            "7",
            "--header-timeout",
            "3",
            "--idle-timeout",
            "9",
            "--shutdown-timeout",
            "4",
            "--max-connections-per-client",
            "7",
        ])
        .unwrap();
        assert_eq!(args.threads, 1);
        let config = Config::from(&args);
        assert_eq!(config.allow_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(config.upstream_base.as_deref(), Some("http://127.0.0.1:9999"));
        assert_eq!(config.demo_latency, Duration::from_millis(300));
        assert_eq!(config.allowed_hosts, ["proxy.example"]);
        assert!(config.guard_host);
        assert_eq!((config.rate_per_sec, config.rate_burst, config.max_upstream), (5.0, 10, 3));
        assert_eq!(config.max_upstream_per_client, 2);
        assert_eq!(config.max_connections_per_client, 7);
        let secs = Duration::from_secs;
        assert_eq!((config.send_timeout, config.header_timeout, config.idle_timeout), (secs(7), secs(3), secs(9)));
        assert_eq!(config.shutdown_timeout, secs(4));
        assert!(Args::try_parse_from(["x", "--upstream-base", "ftp://x"]).is_err());
        assert!(Args::try_parse_from(["x", "--upstream-base", "http://u@x"]).is_err());
        for bad in ["*", "null", "https://a.example/", "a.example"] {
            assert!(Args::try_parse_from(["x", "--allow-origin", bad]).is_err(), "{bad}");
        }
    }
}
