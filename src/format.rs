//! How the views say things: status and urgency words, usage figures, names
//! and dates. Pure, so that the words are tested natively; only the local
//! calendar date asks the browser (for the person's time zone).

use crate::domain::paging::{Progress, Stop};
use crate::domain::{Expiry, Instant, Package, Status, Urgency};
use crate::session::Paging;
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
    // Integer arithmetic only: float formatting (`{:.2}`) costs the wasm
    // bundle about 10 KiB.
    if !n.is_finite() {
        return "?".into();
    }
    if n.fract() == 0.0 || n.abs() >= 1e15 {
        // Saturates past ±9.2e18, which is as good as any figure there.
        return (n.round() as i64).to_string();
    }
    let cents = (n.abs() * 100.0).round() as i64;
    let sign = if n < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// `37 / 50 min (74%)`, `50 min`, or empty when the service gives no figures.
pub fn usage(package: &Package) -> String {
    // ASCII only: units are codes such as `MIN` or `GB`, and the full Unicode
    // case tables would cost the wasm bundle over 10 KiB.
    let unit = package.unit.as_deref().map(|u| format!(" {}", u.to_ascii_lowercase())).unwrap_or_default();
    match (package.used, package.total) {
        (Some(used), Some(total)) => {
            let percent = package.usage_ratio().map(|r| format!(" ({}%)", (r * 100.0).round() as i64)).unwrap_or_default();
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

/// `Reading page 3 of 5…` while a paged service loads.
pub fn progress(progress: Progress) -> String {
    match progress.expected {
        Some(expected) => format!("Reading page {} of {expected}…", progress.read.min(expected)),
        None => format!("Reading page {}…", progress.read),
    }
}

/// `420 packages`, or `400 of 420 shown` when not all could be read.
pub fn count(shown: usize, total: Option<u64>) -> String {
    match total {
        Some(total) if total > shown as u64 => format!("{shown} of {total} shown"),
        _ if shown == 1 => "1 package".into(),
        _ => format!("{shown} packages"),
    }
}

/// What a person should know about how a paged list was read: pages that
/// failed, a cap that cut it short, or a service that sent fewer than it
/// counted. `None` when everything was read.
pub fn paging_note(paging: &Paging, shown: usize, total: Option<u64>) -> Option<String> {
    let mut notes = Vec::new();
    if !paging.failures.is_empty() {
        let pages = paging.failures.len();
        let first = &paging.failures[0];
        notes.push(format!(
            "{pages} page{} could not be read (first at offset {}: {}). The packages of the other pages are shown; refresh to try again.",
            if pages == 1 { "" } else { "s" },
            first.offset,
            first.error
        ));
    }
    match (paging.stop, total) {
        (Stop::Cap, Some(total)) => notes.push(format!(
            "The service counts {total}; the console reads at most {} pages of {}, so {shown} are shown.",
            paging.plan.max_pages, paging.plan.limit
        )),
        (Stop::Cap, None) => notes.push(format!(
            "The console stopped after {} pages of {}; there may be more.",
            paging.plan.max_pages, paging.plan.limit
        )),
        (Stop::EmptyPage | Stop::ShortPage, Some(total)) if total > shown as u64 && paging.failures.is_empty() => {
            notes.push(format!("The service counts {total} but sent {shown}: the list may have changed while it was read."))
        }
        _ => {}
    }
    (!notes.is_empty()).then(|| notes.join(" "))
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
        assert_eq!(usage(&p(Some(-0.125), Some(1e20), None)), "-0.13 / 9223372036854775807 (0%)");
        assert_eq!(usage(&p(Some(0.004), Some(f64::INFINITY), None)), "0.00 / ?");
    }

    #[test]
    fn names_and_words() {
        assert_eq!(name(&Package::new(Service::Hss, "i", "hss.version.premium")), "HSS Premium");
        assert_eq!(name(&Package::new(Service::Dsc, "i", "base_professional")), "base_professional");
        assert_eq!(expiry(Expiry::At(Instant::parse("2026-01-02T10:00:00Z").unwrap())), "expires 2026-01-02");
        assert_eq!(urgency(Urgency::Critical), "Expires within 7 days");
        assert_eq!(status(Status::Unknown), "Status not reported");
    }

    #[test]
    fn paging_words() {
        use crate::api::ApiError;
        use crate::domain::paging::{PageFailure, HSS};
        assert_eq!(progress(Progress { read: 3, expected: Some(5) }), "Reading page 3 of 5…");
        assert_eq!(progress(Progress { read: 7, expected: None }), "Reading page 7…");
        assert_eq!(count(420, Some(420)), "420 packages");
        assert_eq!(count(1, None), "1 package");
        assert_eq!(count(400, Some(420)), "400 of 420 shown");
        let done = Paging { plan: HSS, progress: Progress { read: 3, expected: Some(3) }, stop: Stop::Total, failures: vec![] };
        assert_eq!(paging_note(&done, 420, Some(420)), None);
        let failed = Paging {
            failures: vec![PageFailure {
                offset: 200,
                error: ApiError::Http { status: 500, error_code: Some("HSS.0001".into()), error_msg: None, request_id: None },
            }],
            ..done.clone()
        };
        let note = paging_note(&failed, 220, Some(420)).unwrap();
        assert!(note.starts_with("1 page could not be read (first at offset 200: HTTP 500 HSS.0001)"), "{note}");
        let capped = Paging { stop: Stop::Cap, ..done.clone() };
        assert_eq!(
            paging_note(&capped, 20_000, Some(50_000)).unwrap(),
            "The service counts 50000; the console reads at most 100 pages of 200, so 20000 are shown."
        );
        let short = Paging { stop: Stop::ShortPage, ..done };
        assert!(paging_note(&short, 300, Some(420)).unwrap().contains("counts 420 but sent 300"));
        assert_eq!(paging_note(&short, 420, Some(420)), None);
    }
}
