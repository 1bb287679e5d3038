//! Configuration: the command-line contract of `tenantscope-proxy`, each flag
//! also readable from a `TENANTSCOPE_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Command-line flags (see the README for the contract).
#[derive(Debug, Parser)]
#[command(name = "tenantscope-proxy", version, about = "Allow-listed relay to Huawei Cloud APIs for the tenantscope console")]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "TENANTSCOPE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Serve the built site (Trunk's dist/) from this directory at `/`.
    #[arg(long = "static", env = "TENANTSCOPE_STATIC", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// An origin allowed to call the API cross-origin (exact match, repeatable;
    /// comma-separated in the environment variable).
    #[arg(long = "allow-origin", env = "TENANTSCOPE_ALLOW_ORIGIN", value_name = "ORIGIN", value_delimiter = ',')]
    pub allow_origins: Vec<String>,
    /// Answer the API from the built-in demo tenant (token `demo`), with no network.
    #[arg(long, env = "TENANTSCOPE_DEMO")]
    pub demo: bool,
    /// Extra latency for every demo answer, in milliseconds (for benchmarks).
    #[arg(long, env = "TENANTSCOPE_DEMO_LATENCY_MS", default_value_t = 0, value_name = "MS")]
    pub demo_latency_ms: u64,
    /// Send every service to this base URL instead of the Huawei Cloud hosts,
    /// keeping path and query (tests, private endpoints).
    #[arg(long, env = "TENANTSCOPE_UPSTREAM_BASE", value_name = "URL", value_parser = parse_base)]
    pub upstream_base: Option<String>,
}

fn parse_base(s: &str) -> Result<String, String> {
    let ok = (s.starts_with("http://") || s.starts_with("https://")) && !s.contains(['?', '#', ' ']);
    if ok {
        Ok(s.trim_end_matches('/').to_string())
    } else {
        Err("expected an http:// or https:// base URL without query or fragment".into())
    }
}

/// What [`crate::app`] needs to build the router.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub static_dir: Option<PathBuf>,
    pub allow_origins: Vec<String>,
    pub demo: bool,
    pub demo_latency: Duration,
    pub upstream_base: Option<String>,
}

impl From<&Args> for Config {
    fn from(args: &Args) -> Config {
        Config {
            static_dir: args.static_dir.clone(),
            allow_origins: args.allow_origins.clone(),
            demo: args.demo,
            demo_latency: Duration::from_millis(args.demo_latency_ms),
            upstream_base: args.upstream_base.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_listen_on_loopback_8080() {
        let args = Args::try_parse_from(["tenantscope-proxy"]).unwrap();
        assert_eq!(args.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(!args.demo);
    }

    #[test]
    fn parses_the_whole_contract() {
        let args = Args::try_parse_from([
            "tenantscope-proxy", "--listen", "0.0.0.0:9000", "--static", "dist", "--allow-origin",
            "https://a.example", "--allow-origin", "https://b.example", "--demo", "--demo-latency-ms", "300",
            "--upstream-base", "http://127.0.0.1:9999/",
        ])
        .unwrap();
        let config = Config::from(&args);
        assert_eq!(config.allow_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(config.upstream_base.as_deref(), Some("http://127.0.0.1:9999"));
        assert_eq!(config.demo_latency, Duration::from_millis(300));
        assert!(Args::try_parse_from(["x", "--upstream-base", "ftp://x"]).is_err());
    }
}
