//! Static markup as HTML text: package cards, tables and SVG charts, which
//! have no state of their own. The views insert it with `inner_html` and
//! handle its few buttons by delegation (`data-copy`).
//!
//! Why text rather than `view!`: every distinct typed view costs the wasm
//! bundle its own generated build and update code, and these fragments
//! doubled the bundle (221 KiB brotli with typed views against a 150 KiB
//! budget). As text they cost a little formatting, render thousands of
//! cards in one DOM parse, and are tested natively here, escaping included.
//! Everything that came from the network goes through [`escape`].

use std::fmt::Write;

use crate::domain::chart::{self, SCALE};
use crate::domain::overview::{Counts, Relative};
use crate::domain::query::Group;
use crate::domain::{Attention, Instant, Package, Status, Thresholds, Urgency};
use crate::format;
use crate::i18n::{plural, t, tf};
use tenantscope_catalog::Service;

use crate::services::Facts;

mod hss;
mod rows;
pub use rows::{rows, Columns};

/// Text made safe for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A frozen or closed package's badge (a state of its own, whatever the
/// date), or nothing.
pub(crate) fn badge(p: &Package) -> String {
    match p.attention() {
        Some(Attention::Frozen) => format!(r#"<span class="badge status-frozen">{}</span>"#, format::status(Status::Frozen)),
        Some(Attention::Closed) => format!(r#"<span class="badge status-closed">{}</span>"#, format::status(Status::Closed)),
        None => String::new(),
    }
}

/// A usage meter, red past the total, where used and total share a unit;
/// else nothing. A package lapsed at `now` (expired, frozen, closed) has
/// a grey meter of what was used, with no track of what is left: nothing
/// is left to use, and a full bar would say it was all used. The fill is
/// an SVG attribute: the page's CSP allows no inline style.
pub(crate) fn meter(p: &Package, now: Instant) -> String {
    let (Some(used), Some(total), None) = (p.used, p.total, &p.used_unit) else { return String::new() };
    let fill = chart::fill(used, total) / 10;
    let class = match p.lapsed(now) {
        Some(_) => " lapsed",
        None if used > total && total > 0.0 => " over",
        None => "",
    };
    format!(
        r#"<div class="meter{class}" role="meter" aria-valuenow="{fill}" aria-valuemin="0" aria-valuemax="100" aria-label="{}"><svg viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true"><rect width="{fill}" height="1"/></svg></div>"#,
        t("Usage")
    )
}

/// Used over time as a small line under its total (the top edge): the
/// readings of its trend, oldest on the left, spaced by their dates.
pub fn sparkline(readings: &[(Instant, f64)], total: Option<f64>) -> String {
    let (Some(first), Some(last)) = (readings.first(), readings.last()) else { return String::new() };
    if readings.len() < 2 {
        return String::new();
    }
    let span = (last.0.millis() - first.0.millis()).max(1) as f64;
    let top = readings.iter().map(|r| r.1).fold(total.unwrap_or(0.0), f64::max).max(1e-9);
    // Whole numbers on a 1000 × 200 grid: formatting a float costs the wasm
    // bundle about 10 KiB.
    let points: Vec<String> = readings
        .iter()
        .map(|(at, used)| {
            let x = ((at.millis() - first.0.millis()) as f64 / span * 1000.0).round() as i64;
            let y = (200.0 - (used / top).clamp(0.0, 1.0) * 200.0).round() as i64;
            format!("{x},{y}")
        })
        .collect();
    format!(
        r#"<svg class="sparkline" viewBox="-10 -10 1020 220" preserveAspectRatio="none" role="img" aria-label="{}"><polyline points="{}"/></svg>"#,
        escape(t("Used over time")),
        points.join(" ")
    )
}

/// One package card: name, status and urgency in words (colour beside),
/// usage bar with figures, dates with how far away they are, billing mode,
/// lifecycle stage, host, and a button that copies the resource ID.
pub fn card(p: &Package, now: Instant, thresholds: Thresholds) -> String {
    let urgency = p.urgency(now, thresholds);
    let (u, s) = (urgency.key(), p.status.key());
    let name = format::name(p);
    // One state leads: frozen or closed as a badge (a state of its own,
    // whatever the date), then the expiry in words, in its urgency's colour.
    let badge = badge(p);
    let mut h = format!(
        r#"<li class="card" data-urgency="{u}" data-status="{s}" tabindex="-1"><div class="card-head"><span class="card-name">{}</span>{badge}</div>"#,
        escape(&name),
    );
    // The code beneath a readable name: what support and the exports say.
    if name != p.name {
        let _ = write!(h, r#"<p class="card-code"><code>{}</code></p>"#, escape(&p.name));
    }
    // A meter only where used and total share a unit.
    h.push_str(&meter(p, now));
    let usage = format::usage(p, now);
    if !usage.is_empty() {
        // More used than bought: said in red, beside the figures.
        let over = p.usage_ratio().is_some_and(|r| r > 1.0);
        let (class, note) = if over { (" over", format!(" — {}", t("more than the total"))) } else { ("", String::new()) };
        // Figures without a unit (CodeArts TestPlan's `resource_used` and
        // `original_amount`: seed 000 names none) say so once, in the
        // panel's chart, not on every card.
        let _ = write!(h, r#"<p class="card-usage{class}">{}{note}</p>"#, escape(&usage));
    }
    // Its pace and when it runs out, from this browser's history.
    if let Some((key, words)) = format::forecast(p) {
        let line = p.trend.as_ref().map(|t| sparkline(&t.readings, p.total)).unwrap_or_default();
        let _ = write!(h, r#"<p class="forecast" data-forecast="{key}">{line}<span>{}</span></p>"#, escape(&words));
    }
    let _ = write!(h, r#"<p class="card-dates"><span class="urgency urgency-{u}">{}</span>"#, escape(&format::state(p, now, thresholds)));
    if let Some(at) = p.starts_at {
        let _ = write!(h, r#" <span class="muted">{}</span>"#, tf("from {0}", &[&format::local_date(at)]));
    }
    h.push_str("</p>");
    // A lapsed quota still bound to a host: the host is unprotected.
    if p.unprotected(now) {
        let _ = write!(
            h,
            r#"<p class="card-alert" role="note">{}</p>"#,
            escape(&tf("Lapsed but still bound to host {0}: that host has lost its protection.", &[&format::host(p)]))
        );
    }
    // What billing says happens at expiry, and where the date comes from.
    if let Some(words) = format::renewal(p, now) {
        let class = if p.renews() { "renews" } else { "lapses" };
        let _ = write!(h, r#"<p class="card-renewal {class}">{}</p>"#, escape(&tf("Billing: {0}.", &[&words])));
    }
    if let Some(source) = format::expiry_source(p) {
        let _ = write!(h, r#"<p class="card-note muted">{}</p>"#, escape(&format::sentence(&source)));
    }
    // The status word, where it says something the date does not.
    if let Some(note) = format::status_note(p, now) {
        let _ = write!(h, r#"<p class="card-note muted">{note}</p>"#);
    }
    if let Some(step) = p.next {
        let _ = write!(h, r#"<p class="card-next">{}"#, escape(&tf("Next: {0}", &[&format::next_step(step, now)])));
        if let Some(url) = &p.renew_url {
            let _ = write!(h, r#" <a class="renew" href="{}" target="_blank" rel="noopener noreferrer">{}</a>"#, escape(url), t("Renew"));
        }
        h.push_str("</p>");
    } else if let Some(url) = &p.renew_url {
        let _ = write!(h, r#"<p class="card-next"><a class="renew" href="{}" target="_blank" rel="noopener noreferrer">{}</a></p>"#, escape(url), t("Renew"));
    }
    if let Some(q) = p.quantity {
        let _ = write!(h, r#"<p class="card-usage">{}</p>"#, tf("Quantity bought: {0}", &[&format::amount(q)]));
    }
    if let Some(d) = p.run_time {
        let _ = write!(h, r#"<p class="card-usage">{}</p>"#, tf("Check time this month: {0} (the service names no unit)", &[&format::amount(d)]));
    }
    if !p.tags.is_empty() {
        let tags: Vec<String> = p.tags.iter().map(|(k, v)| if v.is_empty() { escape(k) } else { format!("{}={}", escape(k), escape(v)) }).collect();
        let _ = write!(h, r#"<p class="card-tags">{}</p>"#, tf("tags: {0}", &[&tags.join(", ")]));
    }
    h.push_str(r#"<p class="card-meta">"#);
    if let Some(mode) = &p.billing_mode {
        let _ = write!(h, "<span>{}</span>", escape(&format::billing(mode)));
    }
    if let Some(status) = p.billed.and_then(|b| b.status) {
        let _ = write!(h, r#"<span class="billing-status">{}</span>"#, escape(&tf("billing: {0}", &[&format::billing_status(status)])));
    }
    if let Some(period) = p.period {
        let _ = write!(h, "<span>{}</span>", tf("ordered for {0}", &[&format::period(period)]));
    }
    if let Some(category) = &p.category {
        let label = format::category(category);
        let code = if label != *category { format!(r#" title="{}""#, escape(category)) } else { String::new() };
        let _ = write!(h, r#"<span class="category"{code}>{}</span>"#, escape(&label));
    }
    if let Some(parent) = &p.parent {
        let label = format::code_label(p.service, parent).unwrap_or_else(|| parent.clone());
        let _ = write!(h, "<span>{}</span>", tf("part of {0}", &[&escape(&label)]));
    }
    if let Some(stage) = p.lifecycle.as_ref().and_then(format::lifecycle) {
        let _ = write!(h, r#"<span class="stage">{stage}</span>"#);
    }
    if let Some(host) = &p.host {
        let _ = write!(h, "<span>{}</span>", tf("host {0}", &[&escape(host)]));
    }
    if let Some(id) = &p.host_id {
        let _ = write!(h, "<span>{}</span>", tf("host ID {0}", &[&escape(id)]));
    }
    if let Some(ep) = &p.enterprise_project {
        let _ = write!(h, r#"<span class="ep">{}</span>"#, tf("enterprise project {0}", &[&escape(ep)]));
    }
    if let Some(shared) = &p.shared {
        let _ = write!(h, "<span>{}</span>", escape(&format::shared(shared)));
    }
    if let Some(source) = &p.source {
        let _ = write!(h, "<span>{}</span>", escape(&format::source(source)));
    }
    if p.cross_tenant == Some(true) {
        let _ = write!(h, "<span>{}</span>", t("Shared from another tenant"));
    }
    if let Some(licensed) = p.has_license {
        let _ = write!(h, "<span>{}</span>", if licensed { t("Licensed") } else { t("No license") });
    }
    let id = escape(&p.id);
    let _ = write!(h, r#"<button type="button" class="link" data-copy="{id}" title="{id}">{}</button></p></li>"#, t("Copy ID"));
    h
}

/// The cards of `packages[i]` for each `i` of `indices`, in that order.
pub fn cards(packages: &[Package], indices: &[usize], now: Instant, thresholds: Thresholds) -> String {
    indices.iter().filter_map(|&i| packages.get(i)).map(|p| card(p, now, thresholds)).collect()
}

/// A table with a header row; cells are already HTML.
fn table(class: &str, caption: &str, head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut h = format!(r#"<table class="{class}">"#);
    if !caption.is_empty() {
        let _ = write!(h, "<caption>{caption}</caption>");
    }
    h.push_str("<thead><tr>");
    for cell in head {
        let _ = write!(h, "<th>{cell}</th>");
    }
    h.push_str("</tr></thead><tbody>");
    for row in rows {
        h.push_str("<tr>");
        for cell in row {
            let _ = write!(h, "<td>{cell}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    h
}

/// HSS quotas grouped by edition, enterprise project (when the answer
/// names any) and status.
pub fn groups(groups: &[Group]) -> String {
    let projects = groups.iter().any(|g| g.enterprise_project.is_some());
    let mut head = vec![t("Edition")];
    if projects {
        head.push(t("Enterprise project"));
    }
    head.extend([t("Status"), t("Quotas"), t("In use")]);
    table(
        "groups",
        t("Quotas by edition and status"),
        &head,
        groups.iter().map(|g| {
            let edition = crate::services::hss::edition_label(&g.name).map(str::to_string).unwrap_or_else(|| escape(&g.name));
            let mut row = vec![edition];
            if projects {
                row.push(escape(g.enterprise_project.as_deref().unwrap_or("—")));
            }
            row.extend([format::status(g.status).into(), g.count.to_string(), g.in_use.to_string()]);
            row
        }),
    )
}

fn swatch(class: &str, label: &str) -> String {
    format!(r#"<span class="swatch {class}"></span>{}"#, escape(label))
}

/// A donut of `parts` (label, value, colour class) as SVG with its text
/// alternative, and the same figures as a table beside it.
pub fn donut(title: &str, parts: &[(&str, u64, &str)]) -> String {
    donut_with(title, parts, None)
}

/// [`donut`] with two lines of its own in the centre (`287 / 420`,
/// `in use (68%)`) instead of the total.
pub fn donut_with(title: &str, parts: &[(&str, u64, &str)], centre: Option<(String, String)>) -> String {
    let values: Vec<u64> = parts.iter().map(|p| p.1).collect();
    // Counts may be the network's: their sum saturates rather than overflow.
    let total: u64 = values.iter().fold(0u64, |a, v| a.saturating_add(*v));
    let alt: Vec<String> = parts.iter().map(|(label, value, _)| format!("{label} {value}")).collect();
    let mut h = format!(
        r#"<figure class="chart"><svg viewBox="0 0 42 42" class="donut" role="img" aria-label="{}: {}"><circle class="donut-track" cx="21" cy="21" r="15.9" pathLength="{SCALE}"></circle>"#,
        escape(title),
        escape(&alt.join(", "))
    );
    for ((_, _, class), arc) in parts.iter().zip(chart::donut(&values)) {
        let _ = write!(
            h,
            r#"<circle class="donut-arc {class}" cx="21" cy="21" r="15.9" pathLength="{SCALE}" stroke-dasharray="{}" stroke-dashoffset="{}"></circle>"#,
            arc.dasharray(),
            arc.dashoffset()
        );
    }
    match centre {
        Some((big, small)) => {
            let _ = write!(
                h,
                r#"<text x="21" y="21" class="donut-total donut-ratio">{}</text><text x="21" y="26.5" class="donut-sub">{}</text></svg><figcaption>{}</figcaption>"#,
                escape(&big),
                escape(&small),
                escape(title)
            );
        }
        None => {
            let _ = write!(h, r#"<text x="21" y="23" class="donut-total">{total}</text></svg><figcaption>{}</figcaption>"#, escape(title));
        }
    }
    h.push_str(&table("legend", "", &["", ""], parts.iter().map(|(label, value, class)| vec![swatch(class, label), value.to_string()])));
    h.push_str("</figure>");
    h
}

/// One row of a [`gauges`] chart: its label, one value per series, and the
/// figures in words shown beside the bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    pub label: String,
    pub values: Vec<u64>,
    pub figures: String,
}

/// Bar gauges (as Grafana draws them): one row per label, its bar split in
/// shares of the row's own sum (so that a small quota reads as well as a
/// large one, whatever the units), with the label before it and the figures
/// in words after it. A legend names the colours once. The row's words are
/// its text alternative, so the SVG is hidden from assistive technology and
/// no table repeats the figures.
pub fn gauges(title: &str, series: &[(&str, &str)], rows: &[Gauge]) -> String {
    let mut h = format!(r#"<figure class="chart chart-gauges"><figcaption>{}</figcaption><p class="chart-legend">"#, escape(title));
    for (name, class) in series {
        let _ = write!(h, "<span>{}</span>", swatch(class, name));
    }
    h.push_str(r#"</p><ul class="gauges">"#);
    for row in rows {
        let _ = write!(
            h,
            r#"<li><span class="gauge-label">{}</span><svg class="gauge" viewBox="0 0 {SCALE} 1" preserveAspectRatio="none" aria-hidden="true">"#,
            escape(&row.label)
        );
        let mut x = 0;
        for (share, (_, class)) in chart::shares(&row.values).into_iter().zip(series) {
            if share > 0 {
                let _ = write!(h, r#"<rect class="{class}" x="{x}" width="{share}" height="1"></rect>"#);
            }
            x += share;
        }
        let _ = write!(h, r#"</svg><span class="gauge-figures">{}</span></li>"#, escape(&row.figures));
    }
    h.push_str("</ul></figure>");
    h
}

/// The overview's large figures: packages by urgency, then by status.
/// `billing_read`: whether billing was read for every tab counted; if not,
/// what renews by itself is not known, and its figure says so, not 0.
pub fn figures(counts: &Counts, thresholds: Thresholds, billing_read: bool) -> String {
    let mut h = format!(r#"<div class="figures" role="list" aria-label="{}">"#, t("Packages by urgency"));
    // Each figure is a button that sets the matching filter (the overview
    // handles `data-filter` clicks by delegation).
    let title = t("Show these packages");
    for u in Urgency::ALL {
        // The two figures without a date say why they have none.
        let hint = match u {
            Urgency::Never => format!(r#"<span class="figure-hint">{}</span>"#, t("no end date: pay-per-use")),
            Urgency::Unknown => format!(r#"<span class="figure-hint">{}</span>"#, t("no date given: a yearly/monthly one's is billing's")),
            _ => String::new(),
        };
        let _ = write!(
            h,
            r#"<div class="figure urgency-{k}" role="listitem" data-urgency="{k}"><button type="button" class="figure-button" data-filter="urgency" data-value="{k}" title="{title}"><span class="figure-n">{}</span><span class="figure-label">{}</span>{hint}</button></div>"#,
            counts.urgency(u),
            format::urgency(u, thresholds),
            k = u.key()
        );
    }
    // What renews by itself within the warning threshold, counted apart:
    // the urgency figures above count it too, by its date.
    let _ = write!(
        h,
        r#"<div class="figure renewing" role="listitem" data-renewal="auto_renew"><button type="button" class="figure-button" data-filter="renewal" data-value="auto_renew" title="{title}"><span class="figure-n">{}</span><span class="figure-label">{}</span><span class="figure-hint">{}</span></button></div>"#,
        if billing_read { counts.renewing_soon().to_string() } else { "—".to_string() },
        t("Renew automatically"),
        if billing_read {
            plural(thresholds.warning_days.into(), "within {0} day, by billing", "within {0} days, by billing")
        } else {
            t("not known: billing not read").to_string()
        }
    );
    let _ = write!(
        h,
        r#"<div class="figure attention" role="listitem" data-attention="frozen-or-closed"><button type="button" class="figure-button" data-filter="attention" data-value="frozen-or-closed" title="{title}"><span class="figure-n">{}</span><span class="figure-label">{}</span></button></div>"#,
        counts.frozen_or_closed,
        t("Frozen or closed")
    );
    let _ = write!(
        h,
        r#"<div class="figure attention" role="listitem" data-attention="used-up"><button type="button" class="figure-button" data-filter="attention" data-value="used-up" title="{title}"><span class="figure-n">{}</span><span class="figure-label">{}</span><span class="figure-hint">{}</span></button></div>"#,
        counts.used_up,
        t("Used up"),
        t("or over quota, still in use")
    );
    let _ = write!(
        h,
        r#"<div class="figure attention" role="listitem" data-figure="runs-out" data-attention="runs-out"><button type="button" class="figure-button" data-filter="attention" data-value="runs-out" title="{title}"><span class="figure-n">{}</span><span class="figure-label">{}</span><span class="figure-hint">{}</span></button></div>"#,
        counts.runs_out,
        t("Run out before they expire"),
        t("at their pace, from this browser's history")
    );
    let _ = write!(h, r#"</div><p class="statuses"><span class="muted">{}</span> "#, t("By the status the services report:"));
    for s in Status::ALL {
        let _ = write!(
            h,
            r#"<span data-status="{k}"><button type="button" class="link" data-filter="status" data-value="{k}" title="{title}">{}: <strong>{}</strong></button></span>"#,
            format::status(s),
            counts.status(s),
            k = s.key()
        );
    }
    h.push_str("</p>");
    h
}

/// One line of the act-now list, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct ActRow {
    pub reason: crate::domain::act::Reason,
    pub name: String,
    /// Where: the service, with the tabs when several are open.
    pub place: String,
    /// Why, in words ("Host ecs-1 unprotected: its quota expired").
    pub why: String,
    pub at: Option<Instant>,
    /// How far away `at` is, in words.
    pub when: String,
    /// Where to renew it, when the service gives a link.
    pub renew: Option<String>,
    /// What finds the package in its panel: the service and a search text.
    pub service: &'static str,
    pub find: String,
    pub tab: usize,
}

/// How many lines the act-now list shows before "All N" opens the rest.
pub const ACT_SHOWN: usize = 10;

/// The act-now list: what needs a person, ranked, each line saying why,
/// what, where, when and what to do (a Renew link, or the package in its
/// panel); services that could not be read first of all (their packages are
/// not known). The first [`ACT_SHOWN`]; the rest are [`act_more`]'s, drawn
/// when their fold ("All N") is opened. An empty list says that nothing
/// needs a person only when everything was read; else `unsure`
/// ([`format::act_unsure`]) says what was not, yet. Of the `undated`
/// packages (no expiry date given) nobody can say when they lapse: the
/// all-clear says so.
pub fn act_now(rows: &[ActRow], failed: &[String], critical_days: u32, unsure: Option<&str>, undated: usize) -> String {
    if let (true, true, Some(line)) = (rows.is_empty(), failed.is_empty(), unsure) {
        return format!(r#"<p class="act-none act-unsure">{}</p>"#, escape(line));
    }
    if rows.is_empty() && failed.is_empty() {
        let mut line = plural(
            critical_days.into(),
            "Nothing needs you now: no host is unprotected, nothing is frozen, closed or used up, and nothing lapses within {0} day.",
            "Nothing needs you now: no host is unprotected, nothing is frozen, closed or used up, and nothing lapses within {0} days.",
        );
        line.push_str(&undated_line(undated));
        return format!(r#"<p class="act-none">{line}</p>"#);
    }
    format!(r#"<ol class="act-list">{}</ol>"#, act_items(rows, failed).take(ACT_SHOWN).collect::<String>())
}

/// What an all-clear adds of the `undated` packages (no expiry date
/// given), whose lapsing nobody can rule out: a sentence, after a space.
fn undated_line(undated: usize) -> String {
    if undated == 0 {
        return String::new();
    }
    format!(
        " {}",
        plural(
            undated as u64,
            "{0} package gives no expiry date, so whether it lapses is not known.",
            "{0} packages give no expiry date, so whether they lapse is not known."
        )
    )
}

/// The act-now lines after the first [`ACT_SHOWN`], numbered on from
/// them; empty when there are none.
pub fn act_more(rows: &[ActRow], failed: &[String]) -> String {
    if rows.len() + failed.len() <= ACT_SHOWN {
        return String::new();
    }
    format!(r#"<ol class="act-list" start="{}">{}</ol>"#, ACT_SHOWN + 1, act_items(rows, failed).skip(ACT_SHOWN).collect::<String>())
}

/// Each act-now line, the failed services' first.
fn act_items<'a>(rows: &'a [ActRow], failed: &'a [String]) -> impl Iterator<Item = String> + 'a {
    let failed = failed.iter().map(|line| format!(r#"<li class="act" data-reason="failed"><span class="act-why">{}</span></li>"#, escape(line)));
    failed.chain(rows.iter().map(|r| {
        let renew = r.renew.as_ref().map_or_else(String::new, |url| {
            format!(r#" <a class="renew" href="{}" target="_blank" rel="noopener noreferrer">{}</a>"#, escape(url), t("Renew"))
        });
        let when = match r.at {
            Some(at) => format!(r#"<span class="act-when">{} · {}</span>"#, format::date_time(at), escape(&r.when)),
            None => String::new(),
        };
        format!(
            r#"<li class="act" data-reason="{}"><span class="act-why">{}</span> <button type="button" class="link act-what" data-filter="package" data-tab="{}" data-service="{}" data-value="{}" title="{}">{}</button> <span class="act-where">{}</span> {when}{renew}</li>"#,
            r.reason.key(),
            escape(&r.why),
            r.tab,
            r.service,
            escape(&r.find),
            t("Show in its panel"),
            escape(&r.name),
            escape(&r.place),
        )
    }))
}

/// One line of the expiry warnings, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct WarningRow {
    pub urgency: Urgency,
    pub at: Option<Instant>,
    /// Where: the service, with the tenant when several tabs are open.
    pub place: String,
    pub name: String,
    pub phrase: String,
    /// Identical packages this row stands for.
    pub count: usize,
    /// What finds the package(s) in the panels: the service and a search text.
    pub service: &'static str,
    pub find: String,
    /// The tab it is in (0-based).
    pub tab: usize,
}

/// The warnings' groups in sight, each with the rows shown and how many
/// more there are (the folded ones are [`folded_warnings`]').
pub struct WarningGroups<'a> {
    /// Lapsed HSS quotas still bound to a host.
    pub unprotected: (&'a [WarningRow], usize),
    pub upcoming: (&'a [WarningRow], usize),
    pub frozen_or_closed: (&'a [WarningRow], usize),
}

/// The expiry warnings in sight: hosts that lost their protection, first
/// of all; what lapses soon unless somebody acts (or a line saying nothing
/// does, of what has been read when `whole` is false: some service or
/// billing is still being read, or could not be read in full); what is
/// frozen or closed. The expired, and what renews by itself, are folded
/// behind their count ([`folded_warnings`]).
pub fn warnings(groups: &WarningGroups, thresholds: Thresholds, whole: bool, undated: usize) -> String {
    let mut h = String::new();
    let (unprotected, more) = groups.unprotected;
    if !unprotected.is_empty() {
        let _ = write!(h, r#"<h4 class="alert">{}</h4>"#, t("Hosts that lost their protection"));
        h.push_str(&warning_table("warnings unprotected", unprotected, more, thresholds));
    }
    let (upcoming, more) = groups.upcoming;
    if upcoming.is_empty() {
        let none = if whole {
            plural(thresholds.warning_days.into(), "Nothing lapses within {0} day.", "Nothing lapses within {0} days.")
        } else {
            plural(
                thresholds.warning_days.into(),
                "Nothing lapses within {0} day in what has been read.",
                "Nothing lapses within {0} days in what has been read.",
            )
        };
        let _ = write!(h, r#"<p class="muted">{none}{}</p>"#, undated_line(undated));
    } else {
        h.push_str(&warning_table("warnings upcoming", upcoming, more, thresholds));
    }
    let (frozen, more) = groups.frozen_or_closed;
    if !frozen.is_empty() {
        let _ = write!(h, r#"<h4>{}</h4>"#, t("Frozen or closed"));
        h.push_str(&warning_table("warnings frozen", frozen, more, thresholds));
    }
    h
}

/// A folded group of warnings (`key`: `expired` or `renewing`), drawn when
/// it is opened.
pub fn folded_warnings(key: &str, rows: &[WarningRow], more: usize, thresholds: Thresholds) -> String {
    warning_table(&format!("warnings {key}"), rows, more, thresholds)
}

fn warning_table(class: &str, rows: &[WarningRow], more: usize, thresholds: Thresholds) -> String {
    let mut h = table(
        class,
        "",
        &[t("Urgency"), t("Service"), t("Package"), t("Date"), t("When")],
        rows.iter().map(|r| {
            let count = if r.count > 1 {
                format!(r#" <span class="merged" title="{}">×{}</span>"#, escape(&tf("{0} identical packages", &[&r.count])), r.count)
            } else {
                String::new()
            };
            vec![
                format!(r#"<span class="urgency urgency-{}">{}</span>"#, r.urgency.key(), format::urgency(r.urgency, thresholds)),
                escape(&r.place),
                format!(
                    r#"<button type="button" class="link" data-filter="package" data-tab="{}" data-service="{}" data-value="{}" title="{}">{}</button>{count}"#,
                    r.tab,
                    r.service,
                    escape(&r.find),
                    t("Show in its panel"),
                    escape(&r.name)
                ),
                r.at.map(format::date_time).unwrap_or_default(),
                escape(&r.phrase),
            ]
        }),
    );
    if more > 0 {
        let _ = write!(h, r#"<p class="muted">{}</p>"#, tf("…and {0} more: filter by urgency below to see them all.", &[&more]));
    }
    h
}

/// The timeline of the next `days` days from `now`: one mark per expiry
/// (urgency, instant), the axis, and a table of counts by period.
pub fn timeline(points: &[(Urgency, Instant)], now: Instant, days: i64, thresholds: Thresholds) -> String {
    // (urgency, day from now: 1 for "in 1 day"), of what expires within the span.
    let marks: Vec<(Urgency, i64, Instant)> = points
        .iter()
        .filter(|(_, at)| chart::timeline_x(*at, now, days).is_some())
        .map(|(u, at)| {
            let day = match Relative::between(*at, now) {
                Relative::In(d) => d,
                _ => 0,
            };
            (*u, day, *at)
        })
        .collect();
    let first = marks.first().map(|m| format::local_date(m.2)).unwrap_or_default();
    // One bar a week, stacked by urgency (one colour each, in the legend),
    // its count above it.
    const SERIES: [Urgency; 3] = [Urgency::Critical, Urgency::Warning, Urgency::Ok];
    let weeks = ((days + 6) / 7).max(1) as usize;
    let mut counts = vec![[0u64; 3]; weeks];
    for (u, day, _) in &marks {
        let week = (((*day).max(1) - 1) / 7) as usize;
        if let (Some(row), Some(k)) = (counts.get_mut(week.min(weeks - 1)), SERIES.iter().position(|s| s == u)) {
            row[k] += 1;
        }
    }
    let max = counts.iter().map(|c| c.iter().sum::<u64>()).max().unwrap_or(0).max(1);
    // In the viewBox's units (1000 wide): the bars' highest, and room above for the counts.
    const HEIGHT: u64 = 160;
    let width = u64::from(SCALE) / weeks as u64;
    let mut h = format!(
        r#"<figure class="chart timeline-chart"><svg viewBox="0 0 {SCALE} {}" class="timeline weeks" role="img" aria-label="{}{}">"#,
        HEIGHT + 40,
        crate::i18n::plural_with(marks.len() as u64, "{0} package expires in the next {1} days", "{0} packages expire in the next {1} days", &[&days]),
        if first.is_empty() { String::new() } else { tf(", the first on {0}", &[&first]) }
    );
    for (w, row) in counts.iter().enumerate() {
        let x = w as u64 * width + width / 8;
        let bar = width - width / 4;
        let mut y = HEIGHT + 38;
        for (k, n) in row.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let height = (n * HEIGHT / max).max(1);
            y -= height;
            let _ = write!(h, r#"<rect x="{x}" y="{y}" width="{bar}" height="{height}" class="s-{}"></rect>"#, SERIES[k].key());
        }
        let total: u64 = row.iter().sum();
        if total > 0 {
            let _ = write!(h, r#"<text x="{}" y="{}" class="week-count">{total}</text>"#, x + bar / 2, y.saturating_sub(6).max(28));
        }
    }
    let _ = write!(
        h,
        r#"</svg><div class="timeline-axis" aria-hidden="true"><span>{}</span><span>{}</span><span>{}</span><span>{}</span></div>"#,
        t("today"),
        tf("{0} d", &[&(days / 3)]),
        tf("{0} d", &[&(days * 2 / 3)]),
        tf("{0} d", &[&days])
    );
    let legend: Vec<String> = SERIES.iter().map(|u| format!("<span>{}</span>", swatch(&format!("s-{}", u.key()), &format::urgency(*u, thresholds)))).collect();
    let _ = write!(h, r#"<p class="chart-legend">{} {}</p>"#, t("Packages expiring each week, by urgency:"), legend.join(" "));
    // The periods follow the thresholds: within the critical one, within
    // the warning one, and the rest of the span.
    let (critical, warning) = (i64::from(thresholds.critical_days).min(days), i64::from(thresholds.warning_days).min(days));
    let buckets = [(0, critical), (critical + 1, warning), (warning + 1, days)]
        .into_iter()
        .filter(|(from, to)| from <= to)
        .map(|(from, to)| vec![tf("in {0}–{1} days", &[&from, &to]), marks.iter().filter(|m| (from..=to).contains(&m.1)).count().to_string()]);
    h.push_str(&table("legend", "", &[t("Expiring"), t("Packages")], buckets));
    h.push_str("</figure>");
    h
}

/// The charts particular to `service`, each with its table, or `None`
/// where the service has none of its own (the panel then draws usage).
pub fn service_charts(service: Service, packages: &[Package], shown: &[usize], facts: Option<&Facts>, complete: bool) -> Option<String> {
    match service {
        Service::Hss => Some(self::hss::charts(packages, shown, facts, complete)),
        _ => None,
    }
}

/// A service's own table folded beneath its charts: its summary, and what
/// draws it from the packages shown once it is opened.
pub type Drawer = (&'static str, fn(&[Package], &[usize]) -> String);

/// The service's [`Drawer`], where it has one.
pub fn service_drawer(service: Service) -> Option<Drawer> {
    match service {
        Service::Hss => Some(self::hss::drawer()),
        _ => None,
    }
}

/// "Since your last look": for a tab whose account and place were looked
/// at before (`changes`), what changed, in groups, each line finding its
/// package (those gone name it only), by `name` where it is still there;
/// `None` for the first look, which
/// says that the history starts now and where it is kept.
pub fn since(changes: Option<&crate::history::Changes>, name: impl Fn(&crate::history::Line) -> Option<String>) -> String {
    use crate::history::Change;
    let Some(changes) = changes else {
        return format!(
            r#"<section class="since" data-state="first"><p class="muted">{}</p></section>"#,
            escape(t("The first look at this account and region in this browser: from now on it keeps a history of the figures here (never sent anywhere; Settings turns it off), to show what changed and when usage runs out."))
        );
    };
    let when = format!("{} {}", format::local_date(changes.since), format::local_time(changes.since));
    // What could not be compared is said beside what was.
    let uncompared = match &changes.uncompared[..] {
        [] => String::new(),
        services => {
            let names: Vec<&str> = services.iter().map(|s| format::service(*s)).collect();
            format!(r#" <span class="since-uncompared">{}</span>"#, escape(&tf("Not compared: {0} (not read in full at both looks).", &[&names.join(", ")])))
        }
    };
    if changes.lines.is_empty() {
        return format!(
            r#"<section class="since" data-state="nothing"><p class="muted">{}{uncompared}</p></section>"#,
            escape(&tf("Nothing changed since your last look ({0}).", &[&when]))
        );
    }
    let mut groups: Vec<(&str, Vec<&crate::history::Line>)> = Vec::new();
    for line in &changes.lines {
        match groups.last_mut() {
            Some((k, lines)) if *k == line.change.key() => lines.push(line),
            _ => groups.push((line.change.key(), vec![line])),
        }
    }
    let summary = groups.iter().map(|(k, lines)| format!("{} {}", lines.len(), format::change_group(k))).collect::<Vec<_>>().join(" · ");
    // Open when it is short; a long list folds under its counts.
    let open = if changes.lines.len() <= 6 { " open" } else { "" };
    let mut h = format!(
        r#"<details class="since" data-state="changes"{open}><summary><strong>{}</strong> <span class="since-counts">{}</span>{uncompared}</summary>"#,
        escape(&tf("Since your last look ({0}):", &[&when])),
        escape(&summary)
    );
    for (k, lines) in &groups {
        let _ = write!(h, r#"<div class="since-group" data-group="{k}"><h3>{}</h3><ul>"#, escape(format::change_group(k)));
        for line in lines {
            // As the page names it now; a package gone by its last name.
            let what = if line.change == Change::Gone {
                format!(r#"<span class="since-name">{}</span>"#, escape(&line.name))
            } else {
                let name = escape(&name(line).unwrap_or_else(|| line.name.clone()));
                format!(
                    r#"<button type="button" class="link" data-filter="package" data-service="{}" data-value="{}" title="{}">{name}</button>"#,
                    line.service.key(),
                    escape(&line.id),
                    escape(t("Show it in its panel"))
                )
            };
            let words = format::change(&line.change, None);
            let words = if words.is_empty() { String::new() } else { format!(" {}", escape(&words)) };
            let _ = write!(h, r#"<li data-change="{k}">{what} <span class="muted">{}</span>{words}</li>"#, escape(format::service(line.service)));
        }
        h.push_str("</ul></div>");
    }
    h.push_str("</details>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Expiry, Lifecycle, NextAction, NextStep};
    use tenantscope_catalog::Service;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape(r#"<img src=x onerror="a('b')">&"#), "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;");
        assert_eq!(escape("plain 文字"), "plain 文字");
    }

    #[test]
    fn a_card_says_everything_in_words_and_escapes_network_text() {
        let p = Package {
            used: Some(37.0),
            total: Some(50.0),
            unit: Some("MIN".into()),
            expiry: Expiry::At(NOW.plus_days(5)),
            billing_mode: Some("packet_cycle".into()),
            lifecycle: Some(Lifecycle::NotYetEffective),
            host: Some("<b>web</b>".into()),
            next: Some(NextStep { action: NextAction::PayPerUse, at: NOW.plus_days(5) }),
            renew_url: Some("https://account.huaweicloud.com/renew?a=1&b=\"x".into()),
            enterprise_project: Some("<finance>".into()),
            tags: vec![("env".into(), "<prod>".into())],
            status: Status::Active,
            ..Package::new(Service::Testplan, "id\"><script>", "<script>alert(1)</script>")
        };
        let h = card(&p, NOW, Thresholds::default());
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(h.contains(r#"data-copy="id&quot;&gt;&lt;script&gt;""#));
        assert!(h.contains("37 / 50 min (74%)"));
        assert!(h.contains(r#"aria-valuenow="74""#));
        assert!(h.contains(r#"<rect width="74" height="1"/>"#));
        assert!(h.contains(r#"data-urgency="critical""#));
        // One state, worded once, in its urgency's colour; no status badge
        // where the status agrees with the date.
        assert!(h.contains(r#"<span class="urgency urgency-critical">Expires 2027-01-"#), "{h}");
        assert!(h.contains(", in 5 days</span>"), "{h}");
        assert!(!h.contains("Expires within") && !h.contains("badge") && !h.contains("card-note"), "{h}");
        assert!(h.contains("Yearly/monthly"));
        assert!(h.contains("Not yet in effect"));
        assert!(h.contains("Next: turns pay-per-use in 5 days ("), "{h}");
        assert!(
            h.contains(
                r#"<a class="renew" href="https://account.huaweicloud.com/renew?a=1&amp;b=&quot;x" target="_blank" rel="noopener noreferrer">Renew</a>"#
            ),
            "{h}"
        );
        assert!(h.contains("enterprise project &lt;finance&gt;") && h.contains("tags: env=&lt;prod&gt;"), "{h}");
        assert!(h.contains("host &lt;b&gt;web&lt;/b&gt;"));
        // No figures, no meter.
        let bare = card(&Package::new(Service::Dsc, "d", "n"), NOW, Thresholds::default());
        assert!(!bare.contains("meter") && bare.contains("No expiry date given"), "{bare}");
        let started = Package { starts_at: Some(NOW), ..Package::new(Service::Dsc, "d", "n") };
        assert!(card(&started, NOW, Thresholds::default()).contains(r#"</span> <span class="muted">from "#), "no separator before the start date");
        // Past its date while the service still calls it active: said once, and explained.
        let stale = Package { expiry: Expiry::At(NOW.plus_days(-40)), status: Status::Active, ..Package::new(Service::Dsc, "d", "n") };
        let stale = card(&stale, NOW, Thresholds::default());
        assert!(stale.contains(", 40 days ago</span>") && stale.contains(r#"<p class="card-note muted">the service still reports it active</p>"#), "{stale}");
        assert!(!stale.contains(">Active<"), "{stale}");
        // Said expired with a date ahead; frozen as a badge; more used than bought, in red.
        let said = Package { expiry: Expiry::At(NOW.plus_days(9)), status: Status::Expired, ..Package::new(Service::Testplan, "t", "n") };
        assert!(card(&said, NOW, Thresholds::default()).contains("Expired, the service says (its date, "));
        let frozen = Package { status: Status::Frozen, used: Some(70.0), total: Some(50.0), ..Package::new(Service::Hss, "h", "n") };
        let active = card(&Package { status: Status::Active, ..frozen.clone() }, NOW, Thresholds::default());
        assert!(
            active.contains(r#"<div class="meter over""#) && active.contains(r#"<p class="card-usage over">70 / 50 (140%) — more than the total</p>"#),
            "{active}"
        );
        let frozen = card(&frozen, NOW, Thresholds::default());
        assert!(frozen.contains(r#"<span class="badge status-frozen">Frozen</span>"#), "{frozen}");
        // Frozen: what was used, no share, a grey meter.
        assert!(
            frozen.contains(r#"<div class="meter lapsed""#) && frozen.contains(r#"<p class="card-usage over">frozen: 70 of 50 used — more than the total</p>"#),
            "{frozen}"
        );
        // Figures with a unit do not say so.
        assert!(!h.contains("names no unit"), "{h}");
        assert_eq!(cards(std::slice::from_ref(&p), &[0, 7], NOW, Thresholds::default()), h);
    }

    #[test]
    fn charts_have_text_alternatives_and_tables() {
        let d = donut("Quotas in use", &[("In use", 300, "s-used"), ("Idle", 100, "s-left")]);
        assert!(d.contains(r#"role="img" aria-label="Quotas in use: In use 300, Idle 100""#), "{d}");
        assert!(d.contains(r#"stroke-dasharray="750 250" stroke-dashoffset="-0""#));
        assert!(d.contains(r#"stroke-dasharray="250 750" stroke-dashoffset="-750""#));
        assert!(d.contains("<td>300</td>") && d.contains(">400</text>"));
        let g = gauges(
            "By edition",
            &[("Normal", "s-ok"), ("Expired", "s-bad")],
            &[
                Gauge { label: "Basic".into(), values: vec![3, 1], figures: "3 normal, 1 expired".into() },
                Gauge { label: "<x>".into(), values: vec![0, 0], figures: "none".into() },
            ],
        );
        // The legend once, then each row: label, bar on its own scale, figures.
        assert!(
            g.contains(
                r#"<p class="chart-legend"><span><span class="swatch s-ok"></span>Normal</span><span><span class="swatch s-bad"></span>Expired</span></p>"#
            ),
            "{g}"
        );
        assert!(g.contains(r#"<li><span class="gauge-label">Basic</span><svg class="gauge" viewBox="0 0 1000 1" preserveAspectRatio="none" aria-hidden="true"><rect class="s-ok" x="0" width="750" height="1"></rect><rect class="s-bad" x="750" width="250" height="1"></rect></svg><span class="gauge-figures">3 normal, 1 expired</span></li>"#), "{g}");
        // Network text escaped; a row of zeros is an empty bar, not a division by zero.
        assert!(g.contains(
            r#"<span class="gauge-label">&lt;x&gt;</span><svg class="gauge" viewBox="0 0 1000 1" preserveAspectRatio="none" aria-hidden="true"></svg>"#
        ));
    }

    #[test]
    fn act_now_shows_ten_lines_then_folds_the_rest_in_place() {
        use crate::domain::act::Reason;
        let row = |i: usize| ActRow {
            reason: if i == 0 { Reason::Unprotected } else { Reason::Lapses },
            name: format!("<p{i}>"),
            place: "Host Security Service · 1. a".into(),
            why: "why".into(),
            at: Some(NOW),
            when: "expires in 2 days".into(),
            renew: (i == 1).then(|| "https://account.huawei.com/renew".to_string()),
            service: "hss",
            find: format!("id{i}"),
            tab: 0,
        };
        let rows: Vec<ActRow> = (0..12).map(row).collect();
        let failed = ["TestPlan could not be read: HTTP 503".to_string()];
        let first = act_now(&rows, &failed, 7, None, 0);
        let rest = act_more(&rows, &failed);
        assert_eq!(first.matches("<li").count(), 10, "ten lines, then the rest folded");
        assert!(first.contains(r#"data-reason="failed""#) && first.contains(r#"data-reason="unprotected""#));
        assert_eq!(rest.matches("<li").count(), 3, "{rest}");
        assert!(rest.starts_with(r#"<ol class="act-list" start="11">"#), "{rest}");
        assert!(first.contains("&lt;p0&gt;") && first.contains(r#"data-filter="package" data-tab="0" data-service="hss" data-value="id0""#), "{first}");
        assert!(first.contains(r#"<a class="renew" href="https://account.huawei.com/renew""#));
        assert_eq!(act_more(&rows[..9], &failed), "", "ten lines fold nothing");
        let none = act_now(&[], &[], 7, None, 0);
        assert!(none.starts_with(r#"<p class="act-none">Nothing needs you now"#) && none.ends_with("within 7 days.</p>"), "{none}");
        // Packages whose date nobody gave are not in the all-clear.
        let undated = act_now(&[], &[], 7, None, 2);
        assert!(undated.ends_with("within 7 days. 2 packages give no expiry date, so whether they lapse is not known.</p>"), "{undated}");
        // Not everything read: no all-clear, but what is missing; a list
        // that found something shows it as it stands.
        let unsure = act_now(&[], &[], 7, Some("still <reading>"), 2);
        assert_eq!(unsure, r#"<p class="act-none act-unsure">still &lt;reading&gt;</p>"#);
        assert_eq!(act_now(&rows[..2], &[], 7, Some("still reading"), 2), act_now(&rows[..2], &[], 7, None, 0));
        assert_eq!(act_now(&[], &failed, 7, Some("still reading"), 2), act_now(&[], &failed, 7, None, 0));
    }

    #[test]
    fn overview_fragments() {
        let counts = Counts { by_urgency: [1, 2, 3, 4, 5, 6], by_status: [7, 0, 0, 1, 13], frozen_or_closed: 4, ..Counts::default() };
        let f = figures(&counts, Thresholds::default(), true);
        assert!(
            f.contains(
                r#"data-value="critical" title="Show these packages"><span class="figure-n">2</span><span class="figure-label">Expires within 7 days</span>"#
            ),
            "{f}"
        );
        assert!(f.contains(r#"data-filter="status" data-value="active" title="Show these packages">Active: <strong>7</strong>"#), "{f}");
        assert!(f.contains(r#"<span class="figure-n">4</span><span class="figure-label">Frozen or closed</span>"#), "{f}");
        let set = figures(&counts, Thresholds { critical_days: 14, warning_days: 60 }, true);
        // Billing not read: what renews by itself is not known, never 0.
        let renewing = Counts { renewing: [0, 1, 1, 0, 0, 0], ..counts };
        let read = figures(&renewing, Thresholds::default(), true);
        assert!(read.contains(r#"<span class="figure-n">2</span><span class="figure-label">Renew automatically</span>"#), "{read}");
        let unread = figures(&renewing, Thresholds::default(), false);
        assert!(unread.contains(r#"<span class="figure-n">—</span><span class="figure-label">Renew automatically</span><span class="figure-hint">not known: billing not read</span>"#), "{unread}");
        assert!(set.contains("Expires within 14 days") && set.contains("Expires within 60 days") && !set.contains("7 days"), "{set}");
        let row = |name: &str, count| WarningRow {
            urgency: Urgency::Expired,
            at: None,
            place: "HSS".into(),
            name: name.into(),
            phrase: "expired today".into(),
            count,
            service: "hss",
            find: "id\"1".into(),
            tab: 0,
        };
        let expired = [row("<n>", 1), row("pack", 13)];
        let groups = WarningGroups { unprotected: (&[], 0), upcoming: (&[], 0), frozen_or_closed: (&[], 0) };
        let open = warnings(&groups, Thresholds::default(), true, 0);
        assert!(open.contains("Nothing lapses within 30 days.</p>") && !open.contains("expired today"), "{open}");
        let partial = warnings(&groups, Thresholds::default(), false, 0);
        assert!(partial.contains("Nothing lapses within 30 days in what has been read.</p>"), "{partial}");
        // Packages with no expiry date are not covered by "nothing lapses".
        let undated = warnings(&groups, Thresholds::default(), true, 1);
        assert!(undated.contains("Nothing lapses within 30 days. 1 package gives no expiry date, so whether it lapses is not known.</p>"), "{undated}");
        let w = folded_warnings("expired", &expired, 2, Thresholds::default());
        assert!(w.contains(r#"data-filter="package" data-tab="0" data-service="hss" data-value="id&quot;1" title="Show in its panel">&lt;n&gt;</button></td><td></td><td>expired today</td>"#), "{w}");
        assert!(w.contains(">pack</button> <span class=\"merged\" title=\"13 identical packages\">×13</span>"), "{w}");
        assert!(w.starts_with(r#"<table class="warnings expired""#), "{w}");
        assert!(w.contains("…and 2 more"), "{w}");
        let points =
            [(Urgency::Critical, NOW.plus_days(3)), (Urgency::Warning, NOW.plus_days(20)), (Urgency::Ok, NOW.plus_days(60)), (Urgency::Ok, NOW.plus_days(120))];
        let t = timeline(&points, NOW, 90, Thresholds::default());
        assert!(t.contains("3 packages expire in the next 90 days, the first on"), "{t}");
        // Weekly bars: week 1 holds the one in 3 days, week 3 the one in 20, week 9 the one in 60.
        assert!(t.contains(r#"class="week-count">1</text>"#), "{t}");
        assert_eq!(t.matches("class=\"week-count\"").count(), 3, "{t}");
        assert!(t.contains("Packages expiring each week, by urgency:"));
        assert!(t.contains("<td>in 0–7 days</td><td>1</td>") && t.contains("<td>in 31–90 days</td><td>1</td>"));
        assert!(!t.contains("beyond"));
        // The periods follow the thresholds.
        let set = timeline(&points, NOW, 90, Thresholds { critical_days: 14, warning_days: 60 });
        assert!(
            set.contains("<td>in 0–14 days</td><td>1</td>")
                && set.contains("<td>in 15–60 days</td><td>2</td>")
                && set.contains("<td>in 61–90 days</td><td>0</td>"),
            "{set}"
        );
        let wide = timeline(&points, NOW, 90, Thresholds { critical_days: 30, warning_days: 120 });
        assert!(wide.contains("<td>in 0–30 days</td><td>2</td>") && wide.contains("<td>in 31–90 days</td><td>1</td>") && !wide.contains("91–"), "{wide}");
    }

    #[test]
    fn since_groups_the_changes_and_finds_what_is_still_there() {
        use crate::history::{Change, Changes, Line};
        assert!(since(None, |_| None).contains(r#"data-state="first""#));
        let at = Instant::from_millis(1_800_000_000_000);
        let nothing = since(Some(&Changes { since: at, lines: Vec::new(), uncompared: Vec::new() }), |_| None);
        assert!(nothing.contains(r#"data-state="nothing""#) && !nothing.contains("Not compared"), "{nothing}");
        // A service read in full at one look only: "nothing changed" is not said of it.
        let partial = since(Some(&Changes { since: at, lines: Vec::new(), uncompared: vec![Service::Hss, Service::Dsc] }), |_| None);
        assert!(partial.contains("Not compared: Host Security Service, Data Security Center (not read in full at both looks)."), "{partial}");
        let line = |id: &str, change| Line { service: Service::Metastudio, id: id.into(), name: format!("{id} <old>"), change };
        let changes = Changes {
            since: at,
            lines: vec![
                line("a", Change::Added),
                line("b", Change::Added),
                line("g", Change::Gone),
                line("j", Change::Jumped { from: 1.0, to: 9.0, usual_per_day: None }),
            ],
            uncompared: Vec::new(),
        };
        let h = since(Some(&changes), |l| (l.id != "b").then(|| format!("{} now", l.id)));
        assert!(h.starts_with(r#"<details class="since" data-state="changes" open>"#), "{h}");
        let groups: Vec<&str> = h.match_indices(r#"data-group=""#).map(|(i, _)| &h[i + 12..i + 12 + h[i + 12..].find('"').unwrap()]).collect();
        assert_eq!(groups, ["added", "gone", "jumped"]);
        // As the page names it now; the one not found, and the one gone, by their last names.
        assert!(h.contains(r#"data-value="a" title="Show it in its panel">a now</button>"#), "{h}");
        assert!(h.contains(">b &lt;old&gt;</button>"), "{h}");
        assert!(h.contains(r#"<span class="since-name">g &lt;old&gt;</span>"#), "{h}");
        assert_eq!(h.matches(r#"data-change="added""#).count(), 2);
        assert!(h.contains("1 → 9"), "{h}");
    }

    #[test]
    fn a_sparkline_needs_two_readings() {
        let at = |d: i64| Instant::from_millis(1_800_000_000_000 + d * 86_400_000);
        assert_eq!(sparkline(&[(at(0), 5.0)], Some(10.0)), "");
        let h = sparkline(&[(at(0), 0.0), (at(1), 5.0), (at(4), 10.0)], Some(10.0));
        assert!(h.contains(r#"points="0,200 250,100 1000,0""#), "{h}");
    }
}
