//! Prometheus metrics, in the text exposition format, without a metrics crate:
//! a handful of counters and one histogram whose labels come only from fixed
//! sets (service keys, HTTP status codes), never from what a request carries.
//!
//! Written by hand because the `metrics`/`prometheus` crates bring a registry,
//! a recorder and (for the exporter) their own HTTP server for what is here a
//! few atomics and one mutex-guarded map.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

use tenantscope_catalog::Service;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Histogram {
    /// Cumulative counts per bucket, then +Inf.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.counts[i].fetch_add(1, Relaxed);
            }
        }
        self.counts[BUCKETS.len()].fetch_add(1, Relaxed);
        self.sum_micros.fetch_add(d.as_micros().min(u64::MAX as u128) as u64, Relaxed);
    }
}

/// Every metric of one proxy instance.
#[derive(Default)]
pub struct Metrics {
    /// API requests answered, by service key (or `none`) and status.
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// Upstream latency (until the answer's headers), per service.
    latency: [Histogram; Service::ALL.len()],
    /// Requests sent upstream, and connections the pool had to open for them.
    pub upstream_requests: AtomicU64,
    pub connections_opened: AtomicU64,
    pub upstream_in_flight: AtomicU64,
    pub rate_limited: AtomicU64,
    pub body_bytes: AtomicU64,
}

fn index(service: Service) -> usize {
    Service::ALL.iter().position(|s| *s == service).unwrap_or(0)
}

impl Metrics {
    pub fn count_request(&self, service: Option<Service>, status: u16) {
        let key = (service.map_or("none", Service::key), status);
        if let Ok(mut map) = self.requests.lock() {
            *map.entry(key).or_default() += 1;
        }
    }

    pub fn observe_upstream(&self, service: Service, latency: Duration) {
        self.latency[index(service)].observe(latency);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP tenantscope_requests_total API requests answered, by service and HTTP status.\n");
        out.push_str("# TYPE tenantscope_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((service, status), n) in map.iter() {
                let _ = writeln!(out, "tenantscope_requests_total{{service=\"{service}\",status=\"{status}\"}} {n}");
            }
        }
        out.push_str("# HELP tenantscope_upstream_latency_seconds Time from sending an upstream request to its answer's headers.\n");
        out.push_str("# TYPE tenantscope_upstream_latency_seconds histogram\n");
        for service in Service::ALL {
            let h = &self.latency[index(service)];
            let key = service.key();
            for (i, le) in BUCKETS.iter().enumerate() {
                let n = h.counts[i].load(Relaxed);
                let _ = writeln!(out, "tenantscope_upstream_latency_seconds_bucket{{service=\"{key}\",le=\"{le}\"}} {n}");
            }
            let total = h.counts[BUCKETS.len()].load(Relaxed);
            let _ = writeln!(out, "tenantscope_upstream_latency_seconds_bucket{{service=\"{key}\",le=\"+Inf\"}} {total}");
            let sum = h.sum_micros.load(Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "tenantscope_upstream_latency_seconds_sum{{service=\"{key}\"}} {sum}");
            let _ = writeln!(out, "tenantscope_upstream_latency_seconds_count{{service=\"{key}\"}} {total}");
        }
        let counters = [
            ("tenantscope_upstream_requests_total", "counter", "Requests sent upstream.", &self.upstream_requests),
            (
                "tenantscope_upstream_connections_opened_total",
                "counter",
                "Upstream connections opened (TCP, and TLS where used); requests minus these reused a pooled connection.",
                &self.connections_opened,
            ),
            ("tenantscope_upstream_in_flight", "gauge", "Upstream requests in flight.", &self.upstream_in_flight),
            ("tenantscope_rate_limited_total", "counter", "API requests refused by the per-client rate limit.", &self.rate_limited),
            ("tenantscope_upstream_body_bytes_total", "counter", "Answer body bytes relayed from upstream.", &self.body_bytes),
        ];
        for (name, kind, help, value) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}", value.load(Relaxed));
        }
        let requests = self.upstream_requests.load(Relaxed);
        let reused = requests.saturating_sub(self.connections_opened.load(Relaxed));
        let _ = writeln!(
            out,
            "# HELP tenantscope_upstream_requests_reused_total Requests sent upstream less connections opened.\n\
             # TYPE tenantscope_upstream_requests_reused_total counter\ntenantscope_upstream_requests_reused_total {reused}"
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_buckets() {
        let m = Metrics::default();
        m.count_request(Some(Service::Hss), 200);
        m.count_request(Some(Service::Hss), 200);
        m.count_request(None, 400);
        m.observe_upstream(Service::Dsc, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains("tenantscope_requests_total{service=\"hss\",status=\"200\"} 2\n"), "{text}");
        assert!(text.contains("tenantscope_requests_total{service=\"none\",status=\"400\"} 1\n"));
        assert!(text.contains("tenantscope_upstream_latency_seconds_bucket{service=\"dsc\",le=\"0.0025\"} 0\n"));
        assert!(text.contains("tenantscope_upstream_latency_seconds_bucket{service=\"dsc\",le=\"0.005\"} 1\n"));
        assert!(text.contains("tenantscope_upstream_latency_seconds_count{service=\"dsc\"} 1\n"));
    }
}
