use leptos::prelude::*;
use tenantscope_catalog::Service;
use wasm_bindgen::JsCast;

use crate::components::{ErrorCard, ServiceLoad};
use crate::domain::chart::{states_by_name, usage_by_name};
use crate::domain::query::groups;
use crate::domain::{expiry_key, order, Thresholds, Urgency};
use crate::format;
use crate::render;
use crate::services::hss;
use crate::session::{Loaded, ServiceState};

/// Cards drawn at first, and added by each "Show more": long lists (HSS
/// can hold thousands of quotas) are drawn a window at a time.
const WINDOW: usize = 60;

/// One service's packages: a skeleton and the pages read while it loads,
/// its own error card when it fails, then its charts (each with a table of
/// the same figures) and its package cards, soonest expiry
/// first and a window at a time, a note when some pages could not be read,
/// and the raw answers in a drawer.
#[component]
pub fn ServicePanel(
    /// The service's load, which fails and refreshes on its own.
    load: ServiceLoad,
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
) -> impl IntoView {
    let ServiceLoad { service, data, progress } = load;
    let title = service.title();
    view! {
        <section class="panel" data-service=service.key() aria-label=title>
            <div class="panel-head">
                <h2>{title}</h2>
                <span class="progress" role="status" aria-live="polite">{move || progress.get().map(format::progress)}</span>
            </div>
            // The failure is rendered here rather than thrown to an
            // <ErrorBoundary>: with Leptos 0.8.23 an `Err` from a `Suspend`
            // inside <Transition><ErrorBoundary> rendered nothing at all on
            // the first load (seen in tests/browser/paging.test.mjs; compare
            // leptos-rs/leptos#2957 and #3851).
            <Transition fallback=|| view! { <Skeleton /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(ServiceState::NotOffered(region)) => {
                            view! { <p class="muted" data-state="not-offered">"Not offered in " {region} "."</p> }.into_any()
                        }
                        Ok(ServiceState::Loaded(loaded)) => loaded_view(service, loaded, thresholds),
                        Err(error) => view! { <ErrorCard error title=title.to_string() service=Some(service) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn loaded_view(service: Service, loaded: Loaded, thresholds: Signal<Thresholds>) -> AnyView {
    let charts = charts(service, &loaded);
    let count = format::count(loaded.packages.len(), loaded.total);
    let note = loaded.paging.as_ref().and_then(|p| format::paging_note(p, loaded.packages.len(), loaded.total));
    // Soonest expiry first, expired first of all (domain::expiry_key).
    let at = loaded.received_at;
    // (Whether a package has expired does not depend on the thresholds.)
    let keys = loaded.packages.iter().map(|p| {
        let expired = p.urgency(at, Thresholds::default()) == Urgency::Expired;
        (expiry_key(expired, p.expiry.instant()), String::new())
    });
    let order = order(keys.collect());
    let total = order.len();
    let limit = RwSignal::new(WINDOW);
    let raw: Vec<(Option<String>, String)> =
        loaded.answers.iter().map(|a| (a.request_id.clone(), format::pretty_json(&a.text))).collect();
    let Loaded { packages, .. } = loaded;
    let cards = move || render::cards(&packages, &order[..total.min(limit.get())], at, thresholds.get());
    let more = move || total.saturating_sub(limit.get());
    let shown_line = move || match total {
        0 => "This service reports no packages.".to_string(),
        n if n > limit.get() => format!("Showing {} of {n}.", limit.get()),
        _ => String::new(),
    };
    view! {
        <div data-state="ready">
            <p class="count">{count}</p>
            {note.map(|note| view! { <p class="notice notice-warn" role="alert"><strong>"Incomplete: "</strong>{note}</p> })}
            {(!charts.is_empty()).then(|| view! { <div class="charts" inner_html=charts></div> })}
            <p class="muted shown" aria-live="polite">{shown_line}</p>
            <ul class="cards" inner_html=cards on:click=copy_clicked></ul>
            <Show when=move || { more() > 0 }>
                <button type="button" class="more" on:click=move |_| limit.update(|l| *l += WINDOW)>
                    {move || format!("Show {} more", more().min(WINDOW))}
                </button>
            </Show>
            <details class="raw">
                <summary>"Raw JSON"</summary>
                {raw.into_iter().map(|(id, text)| view! {
                    {id.map(|id| view! { <p class="muted">"Request ID " <code>{id}</code></p> })}
                    <pre>{text}</pre>
                }).collect_view()}
            </details>
        </div>
    }
    .into_any()
}

/// The service's charts, each with its table: HSS quotas in use and by
/// edition; usage against amount where the service gives figures.
fn charts(service: Service, loaded: &Loaded) -> String {
    let packages = &loaded.packages;
    let mut html = String::new();
    if service == Service::Hss {
        let in_use = packages.iter().filter(|p| p.in_use == Some(true)).count() as u64;
        let (used, idle) = match &loaded.stats {
            // The tenant-wide counts, when every page agreed on them.
            Some(hss::QuotaStats { used: Some(u), idle: Some(i), .. }) if loaded.paging.as_ref().is_none_or(|p| p.failures.is_empty()) => (*u, *i),
            _ => (in_use, packages.len() as u64 - in_use),
        };
        html.push_str(&render::donut("Quotas in use", &[("In use", used, "s-used"), ("Idle", idle, "s-left")]));
        let rows: Vec<(String, Vec<u64>)> = states_by_name(packages)
            .into_iter()
            .map(|(name, c)| (hss::edition_label(&name).map_or(name, str::to_string), c.to_vec()))
            .collect();
        html.push_str(&render::bars("Quotas by edition", &[("Normal", "s-ok"), ("Expired", "s-bad"), ("Frozen", "s-frozen")], &rows));
        let all: Vec<usize> = (0..packages.len()).collect();
        html.push_str(&render::groups(&groups(packages, &all)));
    } else {
        let rows: Vec<(String, Vec<u64>)> = usage_by_name(packages).into_iter().map(|(n, v)| (n, v.to_vec())).collect();
        if !rows.is_empty() {
            let title = if service == Service::Metastudio { "Usage by resource type" } else { "Usage against total" };
            html.push_str(&render::bars(title, &[("Used", "s-used"), ("Left", "s-left")], &rows));
        }
    }
    html
}

/// Copies the ID of a card's "Copy ID" button (cards are HTML text, so
/// their buttons are handled here, by delegation).
fn copy_clicked(ev: leptos::ev::MouseEvent) {
    let Some(button) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Some(id) = button.get_attribute("data-copy") {
        clipboard(&id);
        button.set_text_content(Some("Copied"));
    }
}

fn clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Grey placeholder lines while a panel loads.
#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="skeleton" data-state="loading" aria-busy="true" aria-label="Loading">
            <span></span><span></span><span></span>
        </div>
    }
}
