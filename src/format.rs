//! How the views say things: status and urgency words, usage figures, names
//! and dates. Pure, so that the words are tested natively; only the local
//! calendar date asks the browser (for the person's time zone).

use crate::domain::{Expiry, Instant, Package, Status, Urgency};
use crate::services::hss;

pub fn status(status: Status) -> &'static str {
    match status {
        Status::Active => "Active",
        Status::Frozen => "Frozen",
        Status::Closed => "Closed",
        Status::Expired => "Expired",
        Status::Unknown => "Status not reported",
    }
}

pub fn urgency(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Expired => "Expired",
        Urgency::Critical => "Expires within 7 days",
        Urgency::Warning => "Expires within 30 days",
        Urgency::Ok => "Expires later",
        Urgency::Never => "Never expires",
        Urgency::Unknown => "No expiry date",
    }
}

/// The name people know a package by: the readable edition for HSS, the
/// spec code otherwise.
pub fn name(package: &Package) -> String {
    match hss::edition_label(&package.name) {
        Some(label) => format!("HSS {label}"),
        None => package.name.clone(),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

/// `37 / 50 min (74%)`, `50 min`, or empty when the service gives no figures.
pub fn usage(package: &Package) -> String {
    let unit = package.unit.as_deref().map(|u| format!(" {}", u.to_lowercase())).unwrap_or_default();
    match (package.used, package.total) {
        (Some(used), Some(total)) => {
            let percent = package.usage_ratio().map(|r| format!(" ({:.0}%)", r * 100.0)).unwrap_or_default();
            format!("{} / {}{unit}{percent}", number(used), number(total))
        }
        (None, Some(total)) => format!("{}{unit}", number(total)),
        (Some(used), None) => format!("{} used{unit}", number(used)),
        (None, None) => String::new(),
    }
}

/// The calendar date of an instant in the person's time zone (`YYYY-MM-DD`).
pub fn local_date(at: Instant) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.millis() as f64));
        format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        at.date().to_string()
    }
}

/// JSON text indented for reading. The browser's `JSON.stringify` does it,
/// which keeps a JSON serializer out of the wasm bundle; text that is not
/// JSON is shown as it came.
pub fn pretty_json(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::JSON::parse(text)
            .ok()
            .and_then(|v| js_sys::JSON::stringify_with_replacer_and_space(&v, &wasm_bindgen::JsValue::NULL, &2.into()).ok())
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| text.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_string()
    }
}

pub fn expiry(expiry: Expiry) -> String {
    match expiry {
        Expiry::At(at) => format!("expires {}", local_date(at)),
        Expiry::Never => "never expires".into(),
        Expiry::Unknown => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantscope_catalog::Service;

    #[test]
    fn usage_figures() {
        let p = |used, total, unit: Option<&str>| Package {
            used,
            total,
            unit: unit.map(Into::into),
            ..Package::new(Service::Testplan, "i", "n")
        };
        assert_eq!(usage(&p(Some(37.0), Some(50.0), Some("MIN"))), "37 / 50 min (74%)");
        assert_eq!(usage(&p(Some(70.0), Some(50.0), None)), "70 / 50 (100%)");
        assert_eq!(usage(&p(Some(2.5), Some(0.0), None)), "2.50 / 0");
        assert_eq!(usage(&p(None, Some(20.0), None)), "20");
        assert_eq!(usage(&p(None, None, None)), "");
    }

    #[test]
    fn names_and_words() {
        assert_eq!(name(&Package::new(Service::Hss, "i", "hss.version.premium")), "HSS Premium");
        assert_eq!(name(&Package::new(Service::Dsc, "i", "base_professional")), "base_professional");
        assert_eq!(expiry(Expiry::At(Instant::parse("2026-01-02T10:00:00Z").unwrap())), "expires 2026-01-02");
        assert_eq!(urgency(Urgency::Critical), "Expires within 7 days");
        assert_eq!(status(Status::Unknown), "Status not reported");
    }
}
