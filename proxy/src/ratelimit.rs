//! The per-client limits: one token bucket per client address (IPv6
//! clients by their /64, which one host usually holds whole), refilled at a
//! steady rate up to the burst size; and a cap on what one client may hold
//! at once ([`InFlightCap`]): upstream calls in flight, so that slow calls
//! of one client cannot take every upstream slot, and open connections
//! (`server.rs`), so that one client cannot take every file descriptor.
//! Kept in this instance's memory only.
//!
//! A mutex around a map is enough here: the critical section is a few
//! arithmetic operations, and `governor`'s keyed limiter would bring a
//! concurrent map and a clock abstraction for the same result.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Semaphore;

/// Buckets kept before full ones are dropped (a full bucket is the same as none).
const PRUNE_AT: usize = 50_000;

/// How often, at most, the buckets are swept for full ones. Sweeping is a
/// walk over the whole map: under a slow refill few buckets are full, the
/// map stays over [`PRUNE_AT`], and a sweep per request made each request
/// pay for every client's bucket; once per interval spreads that walk over
/// all the requests of the interval.
const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

pub struct Limiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<Buckets>,
}

/// Each client's tokens and when they were counted, and when full buckets
/// were last dropped.
#[derive(Default)]
struct Buckets {
    map: HashMap<IpAddr, (f64, Instant)>,
    swept: Option<Instant>,
}

impl Limiter {
    /// `rate` tokens per second (0: no limit), at most `burst` saved up.
    pub fn new(rate: f64, burst: u32) -> Limiter {
        Limiter { rate, burst: f64::from(burst.max(1)), buckets: Mutex::new(Buckets::default()) }
    }

    /// Takes a token for `client`, or says in how many seconds one will be there.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        if self.rate <= 0.0 || !self.rate.is_finite() {
            return Ok(());
        }
        let key = client_key(client);
        let Ok(mut guard) = self.buckets.lock() else { return Ok(()) };
        let buckets = &mut *guard;
        let (rate, burst) = (self.rate, self.burst);
        if buckets.map.len() >= PRUNE_AT && buckets.swept.is_none_or(|at| now.saturating_duration_since(at) >= SWEEP_INTERVAL) {
            buckets.map.retain(|_, (tokens, at)| *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst);
            buckets.swept = Some(now);
        }
        let (tokens, at) = buckets.map.entry(key).or_insert((burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// The key a client's limits are kept under: its IPv4 address, or its IPv6 /64.
pub(crate) fn client_key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED)),
        v4 => v4,
    }
}

/// What each client holds at once (upstream calls in flight, open
/// connections), at most `max` (0: no cap).
pub struct InFlightCap {
    max: usize,
    counts: Mutex<HashMap<IpAddr, usize>>,
}

/// One thing a client holds, counted until dropped.
pub struct ClientSlot {
    cap: Option<Arc<InFlightCap>>,
    key: IpAddr,
}

impl ClientSlot {
    /// A place that counts against no cap (a trusted proxy's connection).
    pub fn uncapped(client: IpAddr) -> ClientSlot {
        ClientSlot { cap: None, key: client_key(client) }
    }

    /// The client's key (IPv4 address, IPv6 /64).
    pub fn key(&self) -> IpAddr {
        self.key
    }
}

/// The bytes of upstream answers each client may have read ahead of it, in
/// all its answers together (0: no cap): one budget per client, shared by
/// the reader tasks of its answers, kept while any of them holds it.
pub struct ByteCaps {
    max: usize,
    budgets: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
}

/// One holder of a client's byte budget (a reader task, or the body it
/// feeds); the budget is forgotten when the last holder goes.
pub struct ClientBytes {
    budget: Arc<Semaphore>,
    caps: Arc<ByteCaps>,
    key: IpAddr,
}

impl ByteCaps {
    pub fn new(max: usize) -> Arc<ByteCaps> {
        Arc::new(ByteCaps { max: max.min(Semaphore::MAX_PERMITS), budgets: Mutex::new(HashMap::new()) })
    }

    /// The budget of the client with key `key`, or `None` when there is no cap.
    pub fn of(self: &Arc<ByteCaps>, key: IpAddr) -> Option<ClientBytes> {
        if self.max == 0 {
            return None;
        }
        let mut budgets = self.budgets.lock().ok()?;
        let budget = budgets.entry(key).or_insert_with(|| Arc::new(Semaphore::new(self.max))).clone();
        Some(ClientBytes { budget, caps: self.clone(), key })
    }
}

impl ClientBytes {
    /// The client's semaphore of bytes.
    pub fn budget(&self) -> &Semaphore {
        &self.budget
    }
}

impl Clone for ClientBytes {
    fn clone(&self) -> ClientBytes {
        // Under the lock, like every other holder made or dropped.
        let _budgets = self.caps.budgets.lock();
        ClientBytes { budget: self.budget.clone(), caps: self.caps.clone(), key: self.key }
    }
}

impl Drop for ClientBytes {
    fn drop(&mut self) {
        if let Ok(mut budgets) = self.caps.budgets.lock() {
            // The map's and this one: the last holder.
            if Arc::strong_count(&self.budget) == 2 {
                budgets.remove(&self.key);
            }
        }
    }
}

impl InFlightCap {
    pub fn new(max: usize) -> Arc<InFlightCap> {
        Arc::new(InFlightCap { max, counts: Mutex::new(HashMap::new()) })
    }

    /// A slot for `client`, or `None` when it has `max` calls in flight.
    pub fn take(self: &Arc<InFlightCap>, client: IpAddr) -> Option<ClientSlot> {
        let key = client_key(client);
        if self.max == 0 {
            return Some(ClientSlot { cap: None, key });
        }
        let mut counts = self.counts.lock().ok()?;
        let count = counts.entry(key).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(ClientSlot { cap: Some(self.clone()), key })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let Some(cap) = &self.cap else { return };
        if let Ok(mut counts) = cap.counts.lock() {
            // One lookup (the key is hashed once), whether or not it goes.
            if let Entry::Occupied(mut count) = counts.entry(self.key) {
                *count.get_mut() -= 1;
                // Clients with nothing in flight take no memory.
                if *count.get() == 0 {
                    count.remove();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_empties_then_refills() {
        let limiter = Limiter::new(2.0, 3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(a, t0), Ok(()));
        }
        assert_eq!(limiter.check_at(a, t0), Err(1));
        assert_eq!(limiter.check_at(b, t0), Ok(()), "clients have their own buckets");
        assert_eq!(limiter.check_at(a, t0 + Duration::from_millis(500)), Ok(()));
        assert!(limiter.check_at(a, t0 + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let limiter = Limiter::new(1.0, 1);
        let t0 = Instant::now();
        assert_eq!(limiter.check_at("2001:db8::1".parse().unwrap(), t0), Ok(()));
        assert!(limiter.check_at("2001:db8::2".parse().unwrap(), t0).is_err());
        assert_eq!(limiter.check_at("2001:db8:0:1::1".parse().unwrap(), t0), Ok(()));
    }

    #[test]
    fn in_flight_is_capped_per_client_and_counted_down() {
        let cap = InFlightCap::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let (one, two) = (cap.take(a).unwrap(), cap.take(a).unwrap());
        assert!(cap.take(a).is_none());
        assert!(cap.take("192.0.2.2".parse().unwrap()).is_some());
        drop(one);
        assert!(cap.take(a).is_some());
        drop(two);
        assert!(cap.counts.lock().unwrap().is_empty());
    }

    #[test]
    fn a_clients_byte_budget_is_shared_and_forgotten_with_its_last_holder() {
        let caps = ByteCaps::new(100);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let (one, two) = (caps.of(a).unwrap(), caps.of(a).unwrap());
        one.budget().try_acquire_many(60).unwrap().forget();
        assert!(two.budget().try_acquire_many(60).is_err(), "one budget for the client");
        assert!(caps.of("192.0.2.2".parse().unwrap()).unwrap().budget().try_acquire_many(100).is_ok());
        let three = two.clone();
        drop((one, two));
        assert_eq!(caps.budgets.lock().unwrap().len(), 1);
        drop(three);
        assert!(caps.budgets.lock().unwrap().is_empty());
        assert!(ByteCaps::new(0).of(a).is_none());
    }

    #[test]
    fn zero_rate_is_no_limit() {
        let limiter = Limiter::new(0.0, 1);
        for _ in 0..10 {
            assert_eq!(limiter.check("192.0.2.1".parse().unwrap()), Ok(()));
        }
    }
}
