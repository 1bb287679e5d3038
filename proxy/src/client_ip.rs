//! Who a request's client is, for every per-client limit (the rate limit,
//! the cap on upstream calls in flight) and for the per-peer connection cap:
//! the peer address, unless the peer is one of the operator's balancers
//! (`--trusted-proxy`) and `--client-ip-header` names the header it sets;
//! then the right-most address in that header that is not itself a trusted
//! proxy's. A header from any other peer is ignored: anyone who reaches the
//! port directly would otherwise choose a fresh address per request.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::http::header::GetAll;
use axum::http::HeaderValue;

/// A network of trusted proxies: an address and how many of its leading
/// bits a peer must share (`10.0.0.0/8`, `fd00::/8`; a bare address is
/// that one address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    /// Whether `ip` (an IPv4-mapped IPv6 address as its IPv4 one) is in
    /// this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => masked(u32::from(net).into(), self.bits, 32) == masked(u32::from(ip).into(), self.bits, 32),
            (IpAddr::V6(net), IpAddr::V6(ip)) => masked(u128::from(net), self.bits, 128) == masked(u128::from(ip), self.bits, 128),
            _ => false,
        }
    }
}

/// The leading `bits` of a `width`-bit address.
fn masked(address: u128, bits: u8, width: u8) -> u128 {
    if bits == 0 {
        0
    } else {
        address >> (width - bits)
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let usage = || format!("{s:?} is not an address or network such as 127.0.0.1/32, 10.0.0.0/8 or fd00::/8");
        let (address, bits) = match s.trim().split_once('/') {
            Some((address, bits)) => (address, Some(bits.parse::<u8>().map_err(|_| usage())?)),
            None => (s.trim(), None),
        };
        let net = address.parse::<IpAddr>().map_err(|_| usage())?.to_canonical();
        let width = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(width);
        if bits > width {
            return Err(usage());
        }
        Ok(Cidr { net, bits })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.net, self.bits)
    }
}

/// Whether `peer` is one of `trusted`.
pub fn is_trusted(trusted: &[Cidr], peer: IpAddr) -> bool {
    trusted.iter().any(|net| net.contains(peer))
}

/// What a trusted proxy's header says about the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Said {
    /// The right-most address that is not a trusted proxy's (or, when
    /// every one is, the left-most).
    Client(IpAddr),
    /// No such header, or nothing in it.
    Nothing,
    /// An entry that is no address was reached before any client address.
    Unparsed,
}

/// Reads the header's lines in order as one list (a balancer that appends
/// a line, like HAProxy's `option forwardfor`, and one that extends the
/// list both put their own entry last), and walks it from the right.
pub fn from_header(lines: GetAll<'_, HeaderValue>, trusted: &[Cidr]) -> Said {
    let mut leftmost = None;
    for line in lines.iter().rev() {
        let Ok(line) = line.to_str() else { return Said::Unparsed };
        for entry in line.rsplit(',') {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let Some(ip) = parse_entry(entry) else { return Said::Unparsed };
            if !is_trusted(trusted, ip) {
                return Said::Client(ip);
            }
            leftmost = Some(ip);
        }
    }
    leftmost.map_or(Said::Nothing, Said::Client)
}

/// An address as balancers write them: `192.0.2.1`, `192.0.2.1:5555`,
/// `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:443`.
pub fn parse_entry(entry: &str) -> Option<IpAddr> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(|p| p.parse::<u16>().is_ok());
        return port_ok.then(|| inside.parse::<Ipv6Addr>().ok()).flatten().map(|ip| IpAddr::V6(ip).to_canonical());
    }
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    let (address, port) = entry.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    address.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Unparsable headers are logged at most once per this long (they are
/// counted every time, `tenantscope_client_ip_unparsed_total`).
const WARNING_INTERVAL: Duration = Duration::from_secs(10);

/// Logs that a trusted proxy's header held something that is no address,
/// unless that was said less than [`WARNING_INTERVAL`] ago. The value is
/// not logged: it is the client's to write.
pub fn warn_unparsed(header: &str) {
    static START: OnceLock<Instant> = OnceLock::new();
    static LAST_MS: AtomicU64 = AtomicU64::new(0);
    let now = START.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1;
    let last = LAST_MS.load(Relaxed);
    if last != 0 && now < last + WARNING_INTERVAL.as_millis() as u64 {
        return;
    }
    if LAST_MS.compare_exchange(last, now, Relaxed, Relaxed).is_ok() {
        tracing::warn!(header, "a trusted proxy's client-address header held something that is no address; counted by the peer's");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_contain_their_addresses() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains("10.200.1.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.1.1".parse().unwrap()), "IPv4-mapped");
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert_eq!(one.to_string(), "127.0.0.1/32");
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()) && !v6.contains("fe80::1".parse().unwrap()));
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains("192.0.2.1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "fd00::/129", "proxy.example", "10.0.0.0/x", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn entries_with_ports_parse() {
        for (entry, ip) in [
            ("192.0.2.1", "192.0.2.1"),
            ("192.0.2.1:80", "192.0.2.1"),
            ("2001:db8::1", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("::ffff:192.0.2.1", "192.0.2.1"),
        ] {
            assert_eq!(parse_entry(entry), Some(ip.parse().unwrap()), "{entry}");
        }
        for bad in ["unknown", "192.0.2.1:x", "[2001:db8::1", "[2001:db8::1]x", "192.0.2.300", "2001:db8::1:99999", "[192.0.2.1]:1"] {
            assert_eq!(parse_entry(bad), None, "{bad}");
        }
    }
}
