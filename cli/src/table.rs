//! The default output of `tenantscope check`: one line per package that
//! needs somebody within the window ([`tenantscope_core::tenant::needs_attention`]),
//! most urgent first, in aligned plain text, then a one-line summary.

use tenantscope_core::domain::act::Reason;
use tenantscope_core::domain::overview::Relative;
use tenantscope_core::domain::{expiry_key, sorted, Instant, Package};
use tenantscope_core::export::Sessions;
use tenantscope_core::tenant::needs_attention;

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row<'a> {
    pub reason: Reason,
    pub package: &'a Package,
    pub region: &'a str,
}

/// The packages of `sessions` that need somebody within `days` days of
/// `now`, most urgent first: by reason (a host without protection, frozen,
/// closed, lapsing, used up), then the soonest date, then the name.
pub fn rows(sessions: &Sessions, now: Instant, days: u32) -> Vec<Row<'_>> {
    let list: Vec<Row> = sessions
        .packages
        .iter()
        .enumerate()
        .filter_map(|(n, p)| {
            let owner = sessions.tenant_of.get(n).and_then(|&o| sessions.owners.get(o)).unwrap_or(&sessions.tenant);
            needs_attention(p, now, days).map(|reason| Row { reason, package: p, region: owner.region.as_deref().unwrap_or("") })
        })
        .collect();
    sorted(list, |r| {
        let when = r.package.next.map(|n| n.at).or(r.package.expiry.instant());
        ((r.reason as i64) * (1 << 60) + (expiry_key(false, when) >> 4), r.package.name.clone())
    })
}

/// What the reason is called in the table.
fn why(reason: Reason, p: &Package, now: Instant) -> &'static str {
    match reason {
        Reason::Unprotected => "host unprotected",
        Reason::Frozen => "frozen",
        Reason::Closed => "closed",
        Reason::Lapses if p.lapsed(now).is_some() => "expired",
        Reason::Lapses => "expires",
        Reason::UsedUp => "used up",
        Reason::RunsOut => "runs out",
    }
}

/// A figure without a needless fraction.
fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// The table's text: a header and one aligned line per row (columns apart
/// by two spaces; the last one not padded).
pub fn render(rows: &[Row], now: Instant) -> String {
    let mut lines: Vec<[String; 8]> = vec![["SERVICE", "NAME", "REGION", "STATE", "EXPIRES", "DAYS", "RENEWAL", "USED/TOTAL"].map(str::to_string)];
    for r in rows {
        let p = r.package;
        let at = p.expiry.instant();
        let days = at.map_or("-".to_string(), |at| match Relative::between(at, now) {
            Relative::In(d) => d.to_string(),
            Relative::Today => "0".into(),
            Relative::Ago(d) => format!("-{d}"),
        });
        let usage = match (p.used, p.total) {
            (Some(u), Some(t)) => format!("{}/{}{}", figure(u), figure(t), p.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()),
            (Some(u), None) => figure(u),
            (None, Some(t)) => format!("-/{}", figure(t)),
            (None, None) => "-".into(),
        };
        lines.push([
            p.service.key().to_string(),
            tenantscope_core::services::english_name(p).unwrap_or_else(|| p.name.clone()),
            r.region.to_string(),
            why(r.reason, p, now).to_string(),
            at.map_or("-".to_string(), |at| at.date().to_string()),
            days,
            p.renewal().map_or("-", |r| r.key()).to_string(),
            usage,
        ]);
    }
    let widths: Vec<usize> = (0..8).map(|c| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for line in &lines {
        let cells: Vec<String> = line.iter().enumerate().map(|(c, v)| if c == 7 { v.clone() } else { format!("{v:<w$}", w = widths[c]) }).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantscope_catalog::Service;
    use tenantscope_core::domain::time::MS_PER_DAY;
    use tenantscope_core::domain::{Expiry, Status};
    use tenantscope_core::export::Tenant;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);

    #[test]
    fn what_needs_somebody_most_urgent_first_aligned() {
        let due = |name: &str, days: i64| Package {
            expiry: Expiry::At(Instant::from_millis(NOW.millis() + days * MS_PER_DAY)),
            status: Status::Active,
            ..Package::new(Service::Hss, name, name)
        };
        let full = Package { used: Some(10.0), total: Some(10.0), unit: Some("hosts".into()), ..due("full", 300) };
        let sessions = Sessions {
            tenant: Tenant { region: Some("cn-north-4".into()), ..Tenant::default() },
            packages: vec![due("later", 20), due("fine", 90), full, due("sooner", 2), Package { status: Status::Frozen, ..due("frozen", 200) }],
            ..Sessions::default()
        };
        let list = rows(&sessions, NOW, 30);
        let names: Vec<&str> = list.iter().map(|r| r.package.name.as_str()).collect();
        assert_eq!(names, ["frozen", "sooner", "later", "full"]);
        assert!(rows(&sessions, NOW, 7).iter().all(|r| r.package.name != "later"));
        let text = render(&list, NOW);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("SERVICE  NAME"), "{text}");
        assert_eq!(lines.len(), 5);
        // Aligned: every line's region column starts at the same place.
        let at = lines[0].find("REGION").unwrap();
        assert!(lines[1..].iter().all(|l| &l[at..at + 10] == "cn-north-4"), "{text}");
        assert!(lines[2].contains("expires") && lines[2].contains("  2  "), "{text}");
        assert!(lines[4].ends_with("10/10 hosts"), "{text}");
    }
}
