//! The OpenMetrics text of a check (`--format openmetrics`) and of the
//! exporter's `/metrics`: what each package's expiry and usage are, and
//! whether each service and billing was read.
//!
//! | metric | labels | value |
//! |---|---|---|
//! | `tenantscope_package_expiry_timestamp_seconds` | account, region, service, id | the expiry (Unix seconds) |
//! | `tenantscope_package_used`, `tenantscope_package_capacity` | account, region, service, id | the service's figures |
//! | `tenantscope_package_info` | those, name, renewal, enterprise_project | 1 |
//! | `tenantscope_service_up` | account, region, service (`billing` too) | 1 read, 0 not |
//! | `tenantscope_last_refresh_timestamp_seconds` | account, region, service | when its answers came |
//!
//! A service whose answers are kept from an earlier reading (the
//! exporter's, after a refresh failed: [`tenantscope_core::services::Loaded::stale`])
//! is 0, its packages still listed and its refresh time the kept one's; so
//! is every service of a session the exporter could not open again
//! ([`Tab::down`]), and billing when its reading is stale.
//!
//! A package without a date or without figures has no sample of that
//! metric (never a 0 that would read as "expired in 1970" or "nothing
//! used"). Packages are counted once across sessions, as the exports count
//! them; two rows of one resource id (a package and its sub-resources)
//! share their labels, and the first is kept. `account` is the IAM domain
//! (empty when it is not known, as for access keys).

use std::collections::HashSet;
use std::fmt::Write as _;

use tenantscope_core::api::ApiError;
use tenantscope_core::export::{Sessions, Tenant};
use tenantscope_core::services::bss::BillingState;
use tenantscope_core::services::ServiceState;
use tenantscope_core::tenant::Reading;

/// One session of a check: the region it was opened in, and its reading
/// (or why it could not start).
#[derive(Clone, Copy)]
pub struct Tab<'a> {
    pub region: &'a str,
    pub reading: &'a Result<Reading, ApiError>,
    /// The reading is an earlier one, kept because the session could not
    /// be opened again: every service and billing 0.
    pub down: bool,
}

/// A label value escaped as OpenMetrics requires: `\`, `"` and line feeds.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// `{a="x",b="y"}`; nothing without labels.
fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
    format!("{{{}}}", inner.join(","))
}

/// A sample's value: a whole number without a fraction.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// One metric family: its metadata, then its samples.
struct Family {
    name: &'static str,
    kind: &'static str,
    unit: Option<&'static str>,
    help: &'static str,
    samples: Vec<String>,
}

impl Family {
    fn new(name: &'static str, kind: &'static str, unit: Option<&'static str>, help: &'static str) -> Family {
        Family { name, kind, unit, help, samples: Vec::new() }
    }

    fn add(&mut self, suffix: &str, pairs: &[(&str, &str)], value: f64) {
        if value.is_finite() {
            self.samples.push(format!("{}{suffix}{} {}", self.name, labels(pairs), number(value)));
        }
    }

    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "# TYPE {} {}", self.name, self.kind);
        if let Some(unit) = self.unit {
            let _ = writeln!(out, "# UNIT {} {unit}", self.name);
        }
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        for s in &self.samples {
            out.push_str(s);
            out.push('\n');
        }
    }
}

/// The account label of a tenant: its IAM domain, else empty.
fn account(t: &Tenant) -> &str {
    t.domain.as_deref().unwrap_or("")
}

/// The OpenMetrics text of `tabs` and of their export `sessions`
/// ([`Sessions::of`] of the same tabs), ending in `# EOF`.
pub fn render(tabs: &[Tab], sessions: &Sessions) -> String {
    let mut out = families(tabs, sessions);
    out.push_str("# EOF\n");
    out
}

/// A gauge family of one sample without labels, for the exporter's own.
pub fn gauge(name: &'static str, help: &'static str, value: f64) -> String {
    let mut family = Family::new(name, "gauge", None, help);
    family.add("", &[], value);
    let mut out = String::new();
    family.write(&mut out);
    out
}

/// [`render`] without the closing `# EOF`: more families may follow.
pub fn families(tabs: &[Tab], sessions: &Sessions) -> String {
    let mut expiry = Family::new(
        "tenantscope_package_expiry_timestamp_seconds",
        "gauge",
        Some("seconds"),
        "When the package expires (billing's date where billing gives one).",
    );
    let mut used = Family::new("tenantscope_package_used", "gauge", None, "How much of the package is used, in its unit.");
    let mut total = Family::new("tenantscope_package_capacity", "gauge", None, "How much the package holds, in its unit.");
    // A gauge of 1 named `_info`, as Prometheus's exporters write them, not
    // OpenMetrics' info type: the Prometheus text parser (promtool check
    // metrics, older scrapers) knows no info type.
    let mut info = Family::new("tenantscope_package_info", "gauge", None, "A package read: its name, renewal and enterprise project (always 1).");
    let mut up = Family::new("tenantscope_service_up", "gauge", None, "Whether the service (or billing) was read whole: 1, or 0.");
    let mut refresh = Family::new("tenantscope_last_refresh_timestamp_seconds", "gauge", Some("seconds"), "When the service's answers were received.");
    let mut seen = HashSet::new();
    for (n, p) in sessions.packages.iter().enumerate() {
        let owner = sessions.tenant_of.get(n).and_then(|&o| sessions.owners.get(o)).unwrap_or(&sessions.tenant);
        let (account, region) = (account(owner), owner.region.as_deref().unwrap_or(""));
        if !seen.insert((account.to_string(), region.to_string(), p.service, p.id.clone())) {
            continue;
        }
        let key = [("account", account), ("region", region), ("service", p.service.key()), ("id", p.id.as_str())];
        if let Some(at) = p.expiry.instant() {
            expiry.add("", &key, at.millis() as f64 / 1000.0);
        }
        if let Some(v) = p.used {
            used.add("", &key, v);
        }
        if let Some(v) = p.total {
            total.add("", &key, v);
        }
        let name = tenantscope_core::services::english_name(p).unwrap_or_else(|| p.name.clone());
        let renewal = p.renewal().map_or("", |r| r.key());
        let mut described = key.to_vec();
        described.extend([("name", name.as_str()), ("renewal", renewal), ("enterprise_project", p.enterprise_project.as_deref().unwrap_or(""))]);
        info.add("", &described, 1.0);
    }
    for tab in tabs {
        match tab.reading {
            Ok(reading) => {
                let account = reading.session.domain.as_deref().unwrap_or("");
                let region = reading.session.region.as_str();
                for (service, state) in &reading.services {
                    let key = [("account", account), ("region", region), ("service", service.key())];
                    match state {
                        Ok(ServiceState::Loaded(loaded)) => {
                            // Pages missing, or narrowed (HSS's default
                            // enterprise project only): not whole.
                            let whole = loaded.paging.as_ref().is_none_or(|p| p.failures.is_empty())
                                && loaded.facts.as_ref().and_then(tenantscope_core::services::Facts::narrowed).is_none();
                            let up_now = whole && loaded.stale.is_none() && !tab.down;
                            up.add("", &key, if up_now { 1.0 } else { 0.0 });
                            refresh.add("", &key, loaded.received_at.millis() as f64 / 1000.0);
                        }
                        Err(_) => up.add("", &key, 0.0),
                        // Not offered in the region: nothing to say of it.
                        Ok(_) => {}
                    }
                }
                let read = matches!(reading.billing, BillingState::Read(_)) && !tab.down;
                up.add("", &[("account", account), ("region", region), ("service", "billing")], if read { 1.0 } else { 0.0 });
            }
            Err(_) => {
                for service in tenantscope_catalog::Service::PACKAGES {
                    up.add("", &[("account", ""), ("region", tab.region), ("service", service.key())], 0.0);
                }
                up.add("", &[("account", ""), ("region", tab.region), ("service", "billing")], 0.0);
            }
        }
    }
    let mut out = String::new();
    for family in [&expiry, &used, &total, &info, &up, &refresh] {
        family.write(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantscope_catalog::Service;
    use tenantscope_core::domain::{Expiry, Instant, Package};

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape("two\nlines"), "two\\nlines");
        assert_eq!(labels(&[("name", "x\"y")]), r#"{name="x\"y"}"#);
    }

    #[test]
    fn a_package_without_a_date_or_figures_has_no_sample_of_them() {
        let dated = Package {
            expiry: Expiry::At(Instant::from_millis(1_800_000_000_500)),
            used: Some(3.0),
            total: Some(10.0),
            enterprise_project: Some("fin\"ance".into()),
            ..Package::new(Service::Hss, "q1", "hss.version.enterprise")
        };
        let bare = Package::new(Service::Dsc, "d1", "base");
        let sessions = Sessions {
            tenant: Tenant { domain: Some("acme".into()), region: Some("cn-north-4".into()), ..Tenant::default() },
            packages: vec![dated.clone(), bare, dated],
            ..Sessions::default()
        };
        let text = render(&[], &sessions);
        assert!(text.ends_with("# EOF\n"));
        let lines = |prefix: &str| text.lines().filter(|l| l.starts_with(prefix) && !l.starts_with('#')).map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            lines("tenantscope_package_expiry_timestamp_seconds"),
            [r#"tenantscope_package_expiry_timestamp_seconds{account="acme",region="cn-north-4",service="hss",id="q1"} 1800000000.5"#]
        );
        assert_eq!(lines("tenantscope_package_used"), [r#"tenantscope_package_used{account="acme",region="cn-north-4",service="hss",id="q1"} 3"#]);
        assert_eq!(lines("tenantscope_package_capacity").len(), 1);
        let info = lines("tenantscope_package_info");
        assert_eq!(info.len(), 2, "each package once: {info:?}");
        assert!(info[0].contains(r#"enterprise_project="fin\"ance""#) && info[0].ends_with(" 1"), "{info:?}");
        assert!(text.contains("# TYPE tenantscope_package_info gauge\n"));
    }
}
