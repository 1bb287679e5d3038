//! The rate limiter's cost per request stays flat when it holds many
//! clients' buckets: the sweep of buckets that refilled is spread over
//! requests, not a scan of the whole map on each.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use tenantscope_proxy::ratelimit::Limiter;

fn address(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
}

/// How long `checks` requests from new clients take, after `held` clients
/// have buckets that have not refilled.
fn time_checks(held: u32, checks: u32) -> Duration {
    // A refill so slow that no bucket fills again during the test.
    let limiter = Limiter::new(0.0001, 200);
    for n in 0..held {
        let _ = limiter.check(address(n));
    }
    let started = Instant::now();
    for n in 0..checks {
        let _ = limiter.check(address(held + n));
    }
    started.elapsed()
}

#[test]
fn many_buckets_do_not_make_every_request_scan_them() {
    let few = time_checks(100, 2_000);
    let many = time_checks(50_000, 2_000);
    assert!(many < few * 30 + Duration::from_millis(50), "2,000 requests took {many:?} beside 50,000 buckets, {few:?} beside 100");
}
