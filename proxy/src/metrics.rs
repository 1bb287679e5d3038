//! Prometheus metrics, through the `prometheus-client` crate: a few counters,
//! one gauge and one histogram family, whose labels come only from fixed sets
//! (service keys, HTTP status codes), never from what a request carries.
//!
//! The request path pays an atomic add per metric: the counter of each
//! service's `200` answers and each service's latency histogram are kept
//! at hand, so that the common answer takes no lock and no hashed lookup in
//! the families' maps (other statuses take a read lock and a lookup); the
//! text is made only when `/metrics` is scraped. The crate was chosen over `metrics` + `metrics-exporter-prometheus`
//! because it has no global recorder and no HTTP server of its own: the
//! proxy serves the text itself, on its public router or on a loopback
//! listener of its own (`--metrics-listen`).

use std::sync::atomic::AtomicU64;
use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tenantscope_catalog::Service;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    service: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabel {
    service: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The counters the derived "reused" figure is made of, shared with its collector.
#[derive(Debug, Default)]
struct Upstream {
    requests: Counter<u64, AtomicU64>,
    connections_opened: Counter<u64, AtomicU64>,
}

/// Requests sent upstream less connections opened, computed at each scrape.
#[derive(Debug)]
struct Reused(std::sync::Arc<Upstream>);

impl Collector for Reused {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let reused = self.0.requests.get().saturating_sub(self.0.connections_opened.get());
        let counter = ConstCounter::new(reused);
        let metric = encoder.encode_descriptor(
            "tenantscope_upstream_requests_reused",
            "Requests sent upstream less connections opened.",
            None,
            counter.metric_type(),
        )?;
        counter.encode(metric)
    }
}

/// Every metric of one proxy instance.
pub struct Metrics {
    registry: Registry,
    requests: Family<Answered, Counter>,
    /// `requests` for (service, 200), by `Service::ALL` index, each made
    /// the first time it is counted (so `/metrics` shows the same series).
    ok: [OnceLock<Counter>; SERVICES],
    /// The latency family's histogram of each service, by `Service::ALL`
    /// index (every service's is in the text from the start anyway).
    latency_of: [Histogram; SERVICES],
    upstream: std::sync::Arc<Upstream>,
    in_flight: Gauge,
    rate_limited: Counter,
    body_bytes: Counter,
    connections_refused: Counter,
    client_ip_unparsed: Counter,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<Answered, Counter>::default();
        let latency = Family::<ServiceLabel, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let upstream = std::sync::Arc::new(Upstream::default());
        let (in_flight, rate_limited, body_bytes) = (Gauge::default(), Counter::default(), Counter::default());
        let (connections_refused, client_ip_unparsed) = (Counter::default(), Counter::default());
        registry.register("tenantscope_requests", "API requests answered, by service and HTTP status", requests.clone());
        registry.register("tenantscope_upstream_latency_seconds", "Time from sending an upstream request to its answer's headers", latency.clone());
        registry.register("tenantscope_upstream_requests", "Requests sent upstream", upstream.requests.clone());
        registry.register(
            "tenantscope_upstream_connections_opened",
            "Upstream connections opened (TCP, and TLS where used); requests minus these reused a pooled connection",
            upstream.connections_opened.clone(),
        );
        registry.register_collector(Box::new(Reused(upstream.clone())));
        registry.register("tenantscope_upstream_in_flight", "Upstream requests in flight", in_flight.clone());
        registry.register("tenantscope_rate_limited", "API requests refused by the per-client rate limit", rate_limited.clone());
        registry.register("tenantscope_upstream_body_bytes", "Answer body bytes relayed from upstream", body_bytes.clone());
        registry.register(
            "tenantscope_connections_refused",
            "Connections closed at accept: their client address had --max-connections-per-client open",
            connections_refused.clone(),
        );
        registry.register(
            "tenantscope_client_ip_unparsed",
            "Requests from a trusted proxy whose client-address header held something that is no address (counted by the peer's)",
            client_ip_unparsed.clone(),
        );
        let latency_of = Service::ALL.map(|service| latency.get_or_create_owned(&ServiceLabel { service: service.key() }));
        Metrics {
            registry,
            requests,
            ok: Default::default(),
            latency_of,
            upstream,
            in_flight,
            rate_limited,
            body_bytes,
            connections_refused,
            client_ip_unparsed,
        }
    }
}

impl Metrics {
    /// An API request answered with `status`, by `service` (`none` before one is known).
    pub fn count_request(&self, service: Option<Service>, status: u16) {
        if let (Some(service), 200) = (service, status) {
            let family = &self.requests;
            self.ok[index(service)].get_or_init(|| family.get_or_create_owned(&Answered { service: service.key(), status })).inc();
            return;
        }
        self.requests.get_or_create(&Answered { service: service.map_or("none", Service::key), status }).inc();
    }

    /// The time an upstream took to send its answer's headers.
    pub fn observe_upstream(&self, service: Service, latency: Duration) {
        self.latency_of[index(service)].observe(latency.as_secs_f64());
    }

    /// A request sent upstream.
    pub fn upstream_sent(&self) {
        self.upstream.requests.inc();
    }

    /// A connection the pool had to open.
    pub fn connection_opened(&self) {
        self.upstream.connections_opened.inc();
    }

    /// An upstream call started (`1`) or ended (`-1`).
    pub fn upstream_in_flight(&self, delta: i64) {
        self.in_flight.inc_by(delta);
    }

    /// A request refused by the rate limit.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// The counter of connections refused by the per-client cap, which the
    /// server loop counts into (`server.rs`).
    pub fn connections_refused(&self) -> Counter {
        self.connections_refused.clone()
    }

    /// A trusted proxy's client-address header that held no address.
    pub fn client_ip_unparsed(&self) {
        self.client_ip_unparsed.inc();
    }

    /// Answer body bytes read from upstream.
    pub fn body_bytes(&self, n: u64) {
        self.body_bytes.inc_by(n);
    }

    /// The exposition text (OpenMetrics), with every service's histogram
    /// present from the start (made in `default`) so that dashboards see
    /// zeros, not gaps.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8192);
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

const SERVICES: usize = Service::ALL.len();

/// `service`'s place in [`Service::ALL`].
fn index(service: Service) -> usize {
    Service::ALL.iter().position(|s| *s == service).unwrap_or(0)
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
        m.upstream_sent();
        m.upstream_sent();
        m.connection_opened();
        m.upstream_in_flight(1);
        let text = m.render();
        assert!(text.contains("tenantscope_requests_total{service=\"hss\",status=\"200\"} 2\n"), "{text}");
        assert!(text.contains("tenantscope_requests_total{service=\"none\",status=\"400\"} 1\n"));
        assert!(text.contains("tenantscope_upstream_latency_seconds_bucket{le=\"0.0025\",service=\"dsc\"} 0\n"), "{text}");
        assert!(text.contains("tenantscope_upstream_latency_seconds_bucket{le=\"0.005\",service=\"dsc\"} 1\n"));
        assert!(text.contains("tenantscope_upstream_latency_seconds_count{service=\"dsc\"} 1\n"));
        assert!(text.contains("tenantscope_upstream_latency_seconds_count{service=\"hss\"} 0\n"));
        assert!(text.contains("tenantscope_upstream_requests_reused_total 1\n"));
        assert!(text.contains("tenantscope_upstream_in_flight 1\n"));
        assert!(text.ends_with("# EOF\n"));
    }
}
