use leptos::prelude::*;

use crate::components::ServiceLoad;
use crate::domain::overview::{upcoming, warnings, Counts, Relative};
use crate::domain::{Instant, Package, Thresholds, Urgency};
use crate::format;
use crate::render::{self, WarningRow};

/// How many warnings are listed before "and N more".
const WARNINGS_SHOWN: usize = 50;
/// The timeline's span.
const TIMELINE_DAYS: i64 = 90;

/// Across the services: packages by urgency and by status in large
/// figures, the expiry warnings soonest first, and a timeline of the next
/// 90 days. Redrawn when data arrives, a threshold changes, or a minute
/// passes.
#[component]
pub fn Overview(
    /// Every service's load.
    loads: [ServiceLoad; 5],
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
    /// The clock to the minute.
    minute: Signal<Instant>,
) -> impl IntoView {
    let parts = Memo::new(move |_| {
        let (now, thresholds) = (minute.get(), thresholds.get());
        // The packages of every service loaded so far.
        let sets: Vec<Vec<Package>> = loads.iter().filter_map(|l| l.with_packages(|p, _| p.to_vec())).collect();
        if sets.is_empty() {
            return None;
        }
        let counts = Counts::of(sets.iter().flatten(), now, thresholds);
        let list = warnings(sets.iter().enumerate().map(|(i, p)| (i, p.as_slice())), now, thresholds);
        let rows: Vec<WarningRow> = list
            .iter()
            .take(WARNINGS_SHOWN)
            .map(|w| {
                let p = w.package;
                let at = p.expiry.instant();
                // Expired by the service's word, with no date or a later one.
                let phrase = match at {
                    Some(at) if !(at > now && w.urgency == Urgency::Expired) => format::relative(Relative::between(at, now)),
                    _ => "the service says it has expired".into(),
                };
                WarningRow { urgency: w.urgency, at, place: p.service.title().to_string(), name: format::name(p), phrase }
            })
            .collect();
        let mut warnings_html = if rows.is_empty() {
            r#"<p class="muted">Nothing expires within the warning threshold.</p>"#.to_string()
        } else {
            render::warnings(&rows)
        };
        if list.len() > WARNINGS_SHOWN {
            warnings_html.push_str(&format!(
                r#"<p class="muted">…and {} more: the panels list them all.</p>"#,
                list.len() - WARNINGS_SHOWN
            ));
        }
        let points: Vec<_> = upcoming(sets.iter().flatten(), now, TIMELINE_DAYS)
            .into_iter()
            .map(|(p, at)| (p.urgency(now, thresholds), at, format::name(p)))
            .collect();
        Some((render::figures(&counts), warnings_html, render::timeline(&points, now, TIMELINE_DAYS), counts.total(), list.len()))
    });
    let part = move |f: fn(&(String, String, String, usize, usize)) -> String| move || parts.with(|p| p.as_ref().map(f).unwrap_or_default());
    view! {
        <Show when=move || parts.with(Option::is_some)>
            <section class="overview" aria-labelledby="overview-title">
                <h2 id="overview-title">"Overview"</h2>
                <p class="muted">{part(|p| format!("{} packages; {} need attention.", p.3, p.4))}</p>
                <div inner_html=part(|p| p.0.clone())></div>
                <div class="overview-grid">
                    <div>
                        <h3>"Expiry warnings"</h3>
                        <div class="table-wrap" inner_html=part(|p| p.1.clone())></div>
                    </div>
                    <div>
                        <h3>"Upcoming expiries, next 90 days"</h3>
                        <div inner_html=part(|p| p.2.clone())></div>
                    </div>
                </div>
            </section>
        </Show>
    }
}
