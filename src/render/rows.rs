//! The rows of a service's package table ([`crate::domain::table`]): one
//! dense line per package, drawn a window at a time between two spacers
//! that keep the scroll height of the whole list.

use std::fmt::Write;
use std::ops::Range;

use super::{badge, escape, meter};
use crate::domain::table::{OwnerNames, Place};
use crate::domain::{Expiry, Instant, Package, Thresholds};
use crate::format;
use crate::i18n::{t, tf};

/// What a table shows beside the fixed columns, and how its rows are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    /// A first column naming each package's tab, and a second its region
    /// ("All tenants").
    pub tenant: bool,
    /// The second column (host or type), when the service gives either.
    pub place: Option<Place>,
    /// A column for the billing mode and what billing says happens at
    /// expiry (HSS always: its quotas are yearly/monthly or pay-per-use).
    pub billing: bool,
    /// The service's key: rows are `row-{key}-{index}` in the page, for
    /// `aria-activedescendant` (one tab's panels are shown at a time).
    pub prefix: &'static str,
}

impl Columns {
    /// Tenant, region, name, place, usage, expiry, days left, billing, ID.
    pub fn count(&self) -> usize {
        5 + usize::from(self.place.is_some()) + usize::from(self.billing) + 2 * usize::from(self.tenant)
    }
}

/// The rows `range` of the packages `order` (indices into `packages`, in
/// the table's order), each `row_px` high, with spacers for the rows above
/// and below that are not drawn. Row `active` is the one the keyboard is on.
/// Each row carries its position (`aria-rowindex`, the header being row 1)
/// and its package's index (`data-i`). `owners` names each package's tab
/// when the table spans tabs.
#[allow(clippy::too_many_arguments)]
pub fn rows(
    packages: &[Package],
    owners: Option<&OwnerNames>,
    order: &[usize],
    range: Range<usize>,
    row_px: f64,
    active: usize,
    columns: Columns,
    now: Instant,
    thresholds: Thresholds,
) -> String {
    let range = range.start.min(order.len())..range.end.min(order.len());
    let cols = columns.count();
    // A spacer's height is an SVG attribute: the page's CSP allows no inline style.
    let spacer = |rows: usize| {
        let px = (rows as f64 * row_px).round() as u64;
        format!(r#"<tr class="spacer" aria-hidden="true"><td colspan="{cols}"><svg width="1" height="{px}"></svg></td></tr>"#)
    };
    let mut h = String::with_capacity(range.len() * 600 + 200);
    if range.start > 0 {
        h.push_str(&spacer(range.start));
    }
    for pos in range.clone() {
        let Some(p) = order.get(pos).and_then(|&i| packages.get(i).map(|p| (i, p))) else { continue };
        let owner = owners.map(|o| (o.label(p.0), o.region(p.0)));
        row(&mut h, p, owner, pos, pos == active, columns, now, thresholds);
    }
    if range.end < order.len() {
        h.push_str(&spacer(order.len() - range.end));
    }
    h
}

#[allow(clippy::too_many_arguments)]
fn row(
    h: &mut String,
    (i, p): (usize, &Package),
    owner: Option<(Option<&str>, Option<&str>)>,
    pos: usize,
    active: bool,
    columns: Columns,
    now: Instant,
    thresholds: Thresholds,
) {
    let urgency = p.urgency(now, thresholds);
    let (u, s) = (urgency.key(), p.status.key());
    let name = format::name(p);
    let class = if active { "row active" } else { "row" };
    let _ = write!(
        h,
        r#"<tr class="{class}" id="row-{}-{i}" data-i="{i}" data-id="{}" data-urgency="{u}" data-status="{s}" aria-rowindex="{}" aria-selected="{active}">"#,
        columns.prefix,
        escape(&p.id),
        pos + 2,
    );
    if columns.tenant {
        let (owner, region) = owner.unwrap_or_default();
        // Its whole label as the tooltip, where the column cuts it short;
        // on a phone, only the tab's number ("1."), as the tab bar has it.
        let label = escape(owner.unwrap_or("—"));
        let number = owner.map(crate::domain::across::numbers).filter(|n| !n.is_empty()).unwrap_or_else(|| "—".into());
        let _ = write!(
            h,
            r#"<td class="c-tenant" title="{label}"><span class="tenant-full">{label}</span><span class="tenant-short">{}</span></td>"#,
            escape(&number)
        );
        // The region's id, its name as the tooltip.
        // A package read in several tabs names each tab's region.
        let sep = crate::domain::across::SEPARATOR;
        let name =
            region.map(|r| r.split(sep).filter_map(tenantscope_catalog::region_by_id).map(format::region).collect::<Vec<_>>().join(sep)).unwrap_or_default();
        let _ = write!(h, r#"<td class="c-region" title="{}">{}</td>"#, escape(&name), escape(region.unwrap_or("—")));
    }
    // The code as a tooltip where a readable name stands in for it.
    let code = if name != p.name { format!(r#" title="{}""#, escape(&p.name)) } else { String::new() };
    let _ = write!(h, r#"<td class="c-name"><span class="row-name"{code}>{}</span>{}</td>"#, escape(&name), badge(p));
    if let Some(place) = columns.place {
        let _ = match (place, place.value(p)) {
            (Place::Category, Some(code)) => {
                let label = format::category(code);
                write!(h, r#"<td class="c-place" title="{}">{}</td>"#, escape(code), escape(&label))
            }
            (_, Some(value)) => write!(h, r#"<td class="c-place">{}</td>"#, escape(value)),
            (_, None) => write!(h, r#"<td class="c-place">—</td>"#),
        };
    }
    // Figures with a meter; HSS quotas say whether they are bound to a host.
    let usage = format::usage(p, now);
    let usage = match (usage.is_empty(), p.in_use) {
        (false, _) => escape(&usage),
        (true, Some(true)) => t("In use").into(),
        (true, Some(false)) => t("Not in use").into(),
        (true, None) => "—".into(),
    };
    let over = if p.usage_ratio().is_some_and(|r| r > 1.0) { r#" class="over""# } else { "" };
    let _ = write!(h, r#"<td class="c-usage">{}<span{over}>{usage}</span></td>"#, meter(p, now));
    let expires = match p.expiry {
        Expiry::At(at) => format::date_time(at),
        _ => "—".into(),
    };
    let _ = write!(h, r#"<td class="c-expiry">{expires}</td>"#);
    // On a phone, a past date as "56 days ago" (the row's words say it is
    // past) instead of "expired 56 days ago", which the column cuts short.
    let days = escape(&format::days_left(p, now, thresholds));
    // What runs out at its pace before it expires: how soon, in the place of
    // the days to its expiry (which the Expires column keeps), its words as
    // the tooltip.
    let runs_out = p.runs_out(now).zip(format::forecast(p));
    let _ = match (runs_out, p.expiry) {
        (Some((at, (key, words))), _) => write!(
            h,
            r#"<td class="c-days" title="{}"><span class="forecast urgency urgency-{}" data-forecast="{key}">{}</span></td>"#,
            escape(&words),
            // Coloured as an expiry that soon would be.
            Package { expiry: Expiry::At(at), ..Package::new(p.service, "", "") }.urgency(now, thresholds).key(),
            escape(&tf("runs out {0}", &[&format::days_from(at, now)]))
        ),
        (None, expiry) => match expiry {
            Expiry::At(at) if at <= now => write!(
                h,
                r#"<td class="c-days"><span class="urgency urgency-{u}"><span class="days-full">{days}</span><span class="days-short">{}</span></span></td>"#,
                escape(&format::days_from(at, now))
            ),
            // No date: why, where the billing mode says, as the tooltip;
            // else what its pace says ("lasts past its expiry…"), if anything.
            _ => {
                let why = format::no_date_why(p).map(str::to_string).or_else(|| format::forecast(p).map(|(_, words)| words));
                let why = why.map(|why| format!(r#" title="{}""#, escape(&why))).unwrap_or_default();
                write!(h, r#"<td class="c-days"{why}><span class="urgency urgency-{u}">{days}</span></td>"#)
            }
        },
    };
    if columns.billing {
        // The mode, and billing's policy where it gave one.
        let parts: Vec<String> = [p.billing_mode.as_deref().map(format::billing), format::renewal(p, now)].into_iter().flatten().collect();
        let class = match p.renewal() {
            Some(r) if p.renews() => format!(r#" class="renews" data-renewal="{}""#, r.key()),
            Some(r) => format!(r#" class="lapses" data-renewal="{}""#, r.key()),
            None => String::new(),
        };
        let text = if parts.is_empty() { "—".to_string() } else { escape(&parts.join(" · ")) };
        let _ = write!(h, r#"<td class="c-billing"><span{class}>{text}</span></td>"#);
    }
    let id = escape(&p.id);
    // Not a tab stop: the table is one, and Enter opens the row's card,
    // whose own Copy ID button is.
    let _ = write!(
        h,
        r#"<td class="c-id"><code title="{id}">{id}</code> <button type="button" class="link" tabindex="-1" data-copy="{id}">{}</button></td></tr>"#,
        t("Copy")
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::MS_PER_DAY;
    use tenantscope_catalog::Service;

    const COLUMNS: Columns = Columns { tenant: false, place: Some(Place::Host), billing: false, prefix: "hss" };

    fn quota(i: usize) -> Package {
        let mut p = Package::new(Service::Hss, format!("q-{i}"), "hss.version.enterprise");
        p.host = Some(format!("web-<{i}>"));
        p.in_use = Some(i % 2 == 0);
        p.expiry = Expiry::At(Instant::from_millis(i as i64 * MS_PER_DAY));
        p
    }

    #[test]
    fn only_the_window_is_drawn_between_spacers_that_keep_the_height() {
        let ps: Vec<Package> = (0..100).map(quota).collect();
        let order: Vec<usize> = (0..100).rev().collect();
        let h = rows(&ps, None, &order, 10..30, 36.0, 12, COLUMNS, Instant::from_millis(50 * MS_PER_DAY), Thresholds::default());
        assert_eq!(h.matches(r#"<tr class="row"#).count(), 20);
        assert!(h.starts_with(r#"<tr class="spacer" aria-hidden="true"><td colspan="6"><svg width="1" height="360">"#), "{h}");
        assert!(h.ends_with(r#"<td colspan="6"><svg width="1" height="2520"></svg></td></tr>"#), "70 rows below");
        // In the table's order, numbered from the header, the active row marked.
        assert!(h.contains(r#"id="row-hss-89" data-i="89" data-id="q-89" data-urgency="ok" data-status="unknown" aria-rowindex="12""#));
        assert!(h.contains(r#"<tr class="row active" id="row-hss-87""#));
        assert_eq!(h.matches(r#"aria-selected="true""#).count(), 1);
        // Network text is escaped; the HSS figures are words.
        assert!(h.contains("web-&lt;89&gt;") && !h.contains("web-<"));
        assert!(h.contains(">Not in use<") && h.contains(">In use<"));
        // A window past the end of a list that shrank keeps its height.
        let h = rows(&ps, None, &order[..5], 10..30, 36.0, 0, COLUMNS, Instant::from_millis(0), Thresholds::default());
        assert_eq!(h, r#"<tr class="spacer" aria-hidden="true"><td colspan="6"><svg width="1" height="180"></svg></td></tr>"#);
        let h = rows(
            &ps,
            None,
            &order[..5],
            0..30,
            36.0,
            0,
            Columns { tenant: false, place: None, billing: false, prefix: "x" },
            Instant::from_millis(0),
            Thresholds::default(),
        );
        assert_eq!(h.matches("<tr").count(), 5);
        assert!(!h.contains("c-place") && !h.contains("spacer"));
    }

    #[test]
    fn the_billing_column_says_the_mode_and_what_happens_at_expiry() {
        use crate::domain::{Billed, Renewal};
        let at = Instant::from_millis(40 * MS_PER_DAY);
        let mut p = Package::new(tenantscope_catalog::Service::Hss, "q1", "hss.version.enterprise");
        p.billing_mode = Some("packet_cycle".into());
        p.expiry = Expiry::At(at);
        p.billed = Some(Billed { expires_at: Some(at), renewal: Some(Renewal::AutoRenew), status: None, service_date: None });
        let columns = Columns { billing: true, ..COLUMNS };
        let h = rows(std::slice::from_ref(&p), None, &[0], 0..1, 36.0, 0, columns, Instant::from_millis(0), Thresholds::default());
        assert!(h.contains(r#"<td class="c-billing"><span class="renews" data-renewal="auto_renew">"#), "{h}");
        assert!(h.contains("renews automatically on"), "{h}");
        assert_eq!(h.matches("<td").count(), columns.count(), "one cell per column");
        let unknown = Package { billed: None, billing_mode: None, ..p };
        let h = rows(std::slice::from_ref(&unknown), None, &[0], 0..1, 36.0, 0, columns, Instant::from_millis(0), Thresholds::default());
        assert!(h.contains(r#"<td class="c-billing"><span>—</span></td>"#), "{h}");
    }

    #[test]
    fn a_row_says_how_soon_it_runs_out_where_that_comes_before_its_expiry() {
        use crate::domain::forecast::{Forecast, Pace, Trend};
        let now = Instant::from_millis(100 * MS_PER_DAY);
        let pace = Pace { per_day: 5.0, from: now, points: 3 };
        let with = |runs_out_in: i64| Package {
            used: Some(50.0),
            total: Some(100.0),
            expiry: Expiry::At(Instant::from_millis(now.millis() + 60 * MS_PER_DAY)),
            trend: Some(std::sync::Arc::new(Trend {
                readings: vec![(now, 50.0)].into(),
                forecast: Forecast::RunsOut { at: Instant::from_millis(now.millis() + runs_out_in * MS_PER_DAY), pace },
            })),
            ..Package::new(Service::Metastudio, "m", "n")
        };
        let h = rows(&[with(10)], None, &[0], 0..1, 36.0, 0, COLUMNS, now, Thresholds::default());
        assert!(h.contains(r#"<span class="forecast urgency urgency-warning" data-forecast="runs-out-before-expiry">runs out in 10 days</span>"#), "{h}");
        assert!(h.contains(r#"title="At this pace (5 a day), runs out around "#), "{h}");
        // Past its expiry: the days to the expiry, its pace in the tooltip.
        let h = rows(&[with(90)], None, &[0], 0..1, 36.0, 0, COLUMNS, now, Thresholds::default());
        assert!(!h.contains(">runs out") && h.contains("in 60 days"), "{h}");
        assert!(h.contains(r#"title="At this pace (5 a day), lasts past its expiry on "#), "{h}");
    }

    #[test]
    fn a_row_says_its_state_in_words_beside_the_colour() {
        let now = Instant::from_millis(100 * MS_PER_DAY);
        let mut over = Package::new(Service::Metastudio, "m-1", "VOICE_TRAINING");
        over.used = Some(12.0);
        over.total = Some(10.0);
        over.unit = Some("NUM".into());
        over.expiry = Expiry::At(Instant::from_millis(97 * MS_PER_DAY));
        over.status = crate::domain::Status::Frozen;
        let h = rows(
            std::slice::from_ref(&over),
            None,
            &[0],
            0..1,
            36.0,
            0,
            Columns { tenant: false, place: None, billing: false, prefix: "m" },
            now,
            Thresholds::default(),
        );
        assert!(h.contains(r#"class="meter lapsed""#) && h.contains(r#"<span class="over">frozen: 12 of 10 items used</span>"#), "{h}");
        assert!(h.contains(r#"class="badge status-frozen">Frozen<"#));
        assert!(
            h.contains(
                r#"<span class="urgency urgency-expired"><span class="days-full">expired 3 days ago</span><span class="days-short">3 days ago</span></span>"#
            ),
            "{h}"
        );
        // A business type by its name, the code as its tooltip.
        over.category = Some("LIVE_2D".into());
        let h = rows(
            std::slice::from_ref(&over),
            None,
            &[0],
            0..1,
            36.0,
            0,
            Columns { tenant: false, place: Some(Place::Category), billing: false, prefix: "m" },
            now,
            Thresholds::default(),
        );
        assert!(h.contains(r#"<td class="c-place" title="LIVE_2D">2D livestreaming</td>"#), "{h}");
    }

    #[test]
    fn a_lapsed_package_says_what_was_used_and_its_meter_reads_as_no_remainder() {
        use crate::domain::Status;
        let now = Instant::from_millis(100 * MS_PER_DAY);
        let t = Thresholds::default();
        let p = |status, expiry| Package { used: Some(33.0), total: Some(1000.0), status, expiry, ..Package::new(Service::Testplan, "t", "n") };
        let cases = [
            (p(Status::Expired, Expiry::Unknown), "expired: 33 of 1,000 were used"),
            (p(Status::Active, Expiry::At(Instant::from_millis(98 * MS_PER_DAY))), "expired: 33 of 1,000 were used"),
            (p(Status::Frozen, Expiry::At(Instant::from_millis(130 * MS_PER_DAY))), "frozen: 33 of 1,000 used"),
            (p(Status::Closed, Expiry::Unknown), "closed: 33 of 1,000 were used"),
        ];
        for (p, words) in &cases {
            let card = crate::render::card(p, now, t);
            assert!(card.contains(&format!(r#"<p class="card-usage">{words}</p>"#)), "{card}");
            assert!(!card.contains("%)"), "no share of what is gone: {card}");
            // The meter shows what was used, greyed, never as a full bar.
            assert!(card.contains(r#"<div class="meter lapsed" role="meter" aria-valuenow="3""#), "{card}");
            let row = rows(std::slice::from_ref(p), None, &[0], 0..1, 36.0, 0, Columns { tenant: false, place: None, billing: false, prefix: "t" }, now, t);
            assert!(row.contains(&format!("<span>{words}</span>")) && row.contains(r#"class="meter lapsed""#), "{row}");
        }
        // With a unit.
        let minutes = Package { unit: Some("MIN".into()), ..cases[0].0.clone() };
        assert!(crate::render::card(&minutes, now, t).contains("expired: 33 of 1,000 min were used"));
        // A live package keeps its share.
        let live = p(Status::Active, Expiry::At(Instant::from_millis(130 * MS_PER_DAY)));
        let card = crate::render::card(&live, now, t);
        assert!(card.contains("33 / 1,000 (3%)") && card.contains(r#"<div class="meter" role="meter""#), "{card}");
    }

    #[test]
    fn no_expiry_date_given_reads_amber_with_its_why() {
        let css = include_str!("../../style/console.css");
        let rule = |selector: &str| css.lines().find(|l| l.starts_with(selector)).unwrap_or_default().to_string();
        assert!(rule(".urgency-unknown").contains("var(--warn)"), "{}", rule(".urgency-unknown"));
        assert!(css.contains(".card[data-urgency=unknown] { border-left-color: var(--warn); }"));
        assert!(css.contains(".figure.urgency-unknown { border-left-color: var(--warn); }"));
        // The table's days: the words, and the why as the tooltip.
        let yearly = Package { billing_mode: Some("packet_cycle".into()), ..Package::new(Service::Hss, "q", "hss.version.enterprise") };
        let h = rows(std::slice::from_ref(&yearly), None, &[0], 0..1, 36.0, 0, COLUMNS, Instant::from_millis(0), Thresholds::default());
        assert!(h.contains(r#"<td class="c-days" title="yearly/monthly: the date is kept by billing"><span class="urgency urgency-unknown">no expiry date given</span></td>"#), "{h}");
    }

    #[test]
    fn across_tabs_each_row_names_its_tab_first() {
        let ps: Vec<Package> = (0..3).map(quota).collect();
        let owners = OwnerNames { tab_of: vec![0, 1], labels: vec!["1. <alice>".into(), "2. bob".into()], regions: vec!["cn-north-4".into(), String::new()] };
        let columns = Columns { tenant: true, ..COLUMNS };
        let h = rows(&ps, Some(&owners), &[1, 0, 2], 0..3, 36.0, 0, columns, Instant::from_millis(0), Thresholds::default());
        assert!(h.contains(r#"aria-selected="true"><td class="c-tenant" title="2. bob"><span class="tenant-full">2. bob</span><span class="tenant-short">2.</span></td><td class="c-region" title="">—</td><td class="c-name">"#), "{h}");
        assert!(h.contains(r#"<td class="c-tenant" title="1. &lt;alice&gt;"><span class="tenant-full">1. &lt;alice&gt;</span><span class="tenant-short">1.</span></td><td class="c-region" title="CN North-Beijing4 (cn-north-4)">cn-north-4</td>"#), "{h}");
        assert!(h.contains(r#"<td class="c-tenant" title="—"><span class="tenant-full">—</span><span class="tenant-short">—</span></td><td class="c-region" title="">—</td>"#), "a package of no known tab");
        assert_eq!(columns.count(), 8);
        // A package read in two tabs: both numbers on a phone, both regions named.
        let both = OwnerNames { tab_of: vec![0], labels: vec!["1. a · cn-north-4, 3. a · cn-east-3".into()], regions: vec!["cn-north-4, cn-east-3".into()] };
        let h = rows(&ps[..1], Some(&both), &[0], 0..1, 36.0, 0, columns, Instant::from_millis(0), Thresholds::default());
        assert!(h.contains(r#"<span class="tenant-short">1., 3.</span>"#), "{h}");
        assert!(h.contains(r#"title="CN North-Beijing4 (cn-north-4), CN East-Shanghai1 (cn-east-3)">cn-north-4, cn-east-3</td>"#), "{h}");
    }
}
