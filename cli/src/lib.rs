//! tenantscope-cli: tenantscope on the command line. `tenantscope check`
//! reads a tenant whole through [`tenantscope_core`] (every package service,
//! then billing; [`reading`]), calling Huawei Cloud directly ([`net`]) or the
//! demo tenant in process ([`demo`]), and prints what lapses ([`table`]), the
//! console's exports, or OpenMetrics text ([`metrics`]). `tenantscope
//! exporter` ([`exporter`]) reads the same way every interval and serves the
//! OpenMetrics text to Prometheus.

pub mod check;
pub mod demo;
pub mod exporter;
pub mod metrics;
pub mod net;
pub mod reading;
pub mod table;
