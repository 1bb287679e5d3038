use leptos::prelude::*;

use crate::components::{tr, Tenant};
use crate::domain::overview::{upcoming, warnings, Counts, Relative};
use crate::domain::{Instant, Lifecycle, Package, Thresholds, Urgency};
use crate::format;
use crate::i18n::{t, tf, Lang};
use crate::render::{self, WarningRow};

/// How many warnings are listed before "and N more".
const WARNINGS_SHOWN: usize = 50;
/// The timeline's span.
const TIMELINE_DAYS: i64 = 90;

/// Across every open tab and service: packages by urgency and by status in large
/// figures, the expiry warnings soonest first, and a timeline of the next
/// 90 days. Redrawn when data arrives, a threshold changes, or a minute
/// passes.
#[component]
pub fn Overview(
    /// The open tabs' loads.
    tenants: Signal<Vec<Tenant>>,
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
    /// The clock to the minute.
    minute: Signal<Instant>,
    /// The language.
    lang: Signal<Lang>,
) -> impl IntoView {
    let parts = Memo::new(move |_| {
        lang.get();
        let (now, thresholds) = (minute.get(), thresholds.get());
        let list = tenants.get();
        // With several tabs, each warning says whose it is.
        let many = list.len() > 1;
        // (tab, packages of one service), for every service loaded so far.
        let mut sets: Vec<(String, Vec<Package>)> = Vec::new();
        // What the figures leave out, and why, said beside them.
        let mut coverage = Vec::new();
        for (i, t) in list.iter().enumerate() {
            // As the tab bar names it.
            let label = if many { format!("{}. {}", i + 1, t.label().unwrap_or_default()) } else { String::new() };
            sets.extend(t.loads.iter().filter_map(|l| l.with_packages(|p, _| (label.clone(), p.to_vec()))));
            coverage.extend(t.loads.iter().map(|l| (l.service, label.clone(), l.coverage())));
        }
        let left_out = format::coverage_note(&coverage).unwrap_or_default();
        if sets.is_empty() {
            return None;
        }
        let counts = Counts::of(sets.iter().flat_map(|(_, p)| p), now, thresholds);
        let list = warnings(sets.iter().enumerate().map(|(i, (_, p))| (i, p.as_slice())), now, thresholds);
        let rows: Vec<WarningRow> = list
            .iter()
            .take(WARNINGS_SHOWN)
            .map(|w| {
                let p = w.package;
                let at = p.expiry.instant();
                // Expired by the service's word, with no date or a later one.
                let mut phrase = match (at, w.urgency) {
                    (Some(at), u) if !(at > now && u == Urgency::Expired) => format::relative(Relative::between(at, now)),
                    // Expired by its lifecycle stage (grace or retention period).
                    (_, Urgency::Expired) if p.lifecycle.as_ref().is_some_and(Lifecycle::past_expiry) => {
                        p.lifecycle.as_ref().and_then(format::lifecycle).unwrap_or_default().to_string()
                    }
                    (_, Urgency::Expired) => t("the service says it has expired").into(),
                    _ => String::new(),
                };
                // Frozen or closed whatever the date, and what comes next
                // (CodeArts Check: frozen, deleted, or pay-per-use at expiry).
                let extra = [w.attention.map(|a| format::attention(a).to_string()), p.next.map(|n| tf("next: {0}", &[&format::next_step(n, now)]))];
                for part in extra.into_iter().flatten() {
                    if !phrase.is_empty() {
                        phrase.push_str("; ");
                    }
                    phrase.push_str(&part);
                }
                let place = match sets[w.tenant].0.as_str() {
                    "" => p.service.title().to_string(),
                    tab => format!("{} · {tab}", p.service.title()),
                };
                WarningRow { urgency: w.urgency, at, place, name: format::name(p), phrase }
            })
            .collect();
        let mut warnings_html = if rows.is_empty() {
            format!(r#"<p class="muted">{}</p>"#, t("Nothing expires within the warning threshold."))
        } else {
            render::warnings(&rows)
        };
        if list.len() > WARNINGS_SHOWN {
            warnings_html.push_str(&format!(
                r#"<p class="muted">{}</p>"#,
                tf("…and {0} more: filter by urgency below to see them all.", &[&(list.len() - WARNINGS_SHOWN)])
            ));
        }
        let points: Vec<_> = upcoming(sets.iter().flat_map(|(_, p)| p), now, TIMELINE_DAYS)
            .into_iter()
            .map(|(p, at)| (p.urgency(now, thresholds), at, format::name(p)))
            .collect();
        Some((render::figures(&counts), warnings_html, render::timeline(&points, now, TIMELINE_DAYS), counts.total(), list.len(), left_out))
    });
    type Parts = (String, String, String, usize, usize, String);
    let part = move |f: fn(&Parts) -> String| move || parts.try_with(|p| p.as_ref().map(f).unwrap_or_default()).unwrap_or_default();
    view! {
        <Show when=move || parts.try_with(Option::is_some).unwrap_or(false)>
            <section class="overview" aria-labelledby="overview-title">
                <h2 id="overview-title">{tr(lang, "Overview")}</h2>
                <p class="muted">{part(|p| tf("{0} packages; {1} need attention.", &[&p.3, &p.4]))}</p>
                {move || {
                    let left_out = part(|p| p.5.clone())();
                    (!left_out.is_empty()).then(|| view! { <p class="notice notice-warn coverage" data-state="left-out">{left_out}</p> })
                }}
                <div inner_html=part(|p| p.0.clone())></div>
                <div class="overview-grid">
                    <div>
                        <h3>{tr(lang, "Expiry warnings")}</h3>
                        // Scrolls: focusable so that keys can scroll it too.
                        <div class="table-wrap" tabindex="0" role="region" aria-label=tr(lang, "Expiry warnings")
                            inner_html=part(|p| p.1.clone())></div>
                    </div>
                    <div>
                        <h3>{tr(lang, "Upcoming expiries, next 90 days")}</h3>
                        <div inner_html=part(|p| p.2.clone())></div>
                    </div>
                </div>
            </section>
        </Show>
    }
}
