use std::sync::Arc;

use leptos::prelude::*;
use tenantscope_catalog::Service;
use wasm_bindgen::JsCast;

use crate::components::{ErrorCard, ServiceLoad};
use crate::domain::chart::{states_by_name, usage_by_name};
use crate::domain::query::{groups, View};
use crate::domain::Thresholds;
use crate::format;
use crate::render;
use crate::services::hss;
use crate::session::{Loaded, ServiceState};

/// Cards drawn at first, and added by each "Show more": long lists (HSS
/// can hold thousands of quotas) are drawn a window at a time.
const WINDOW: usize = 60;

/// One service's packages: a skeleton and the pages read while it loads,
/// its own error card when it fails, then charts with their tables, the
/// cards that pass the filters (a window at a time), a note when some pages
/// could not be read, and the raw answers in a drawer.
#[component]
pub fn ServicePanel(
    /// The service's load, which fails and refreshes on its own.
    load: ServiceLoad,
    /// Search, filters and sort.
    view: Signal<View>,
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
                        Ok(ServiceState::Idle) => view! { <Skeleton /> }.into_any(),
                        Ok(ServiceState::NotOffered(region)) => {
                            view! { <p class="muted" data-state="not-offered">"Not offered in " {region} "."</p> }.into_any()
                        }
                        Ok(ServiceState::Loaded(loaded)) => loaded_view(service, loaded, view, thresholds),
                        Err(error) => view! { <ErrorCard error title=title.to_string() service=Some(service) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn loaded_view(service: Service, loaded: Loaded, view: Signal<View>, thresholds: Signal<Thresholds>) -> AnyView {
    let count = format::count(loaded.packages.len(), loaded.total);
    let note = loaded.paging.as_ref().and_then(|p| format::paging_note(p, loaded.packages.len(), loaded.total));
    let charts = charts(service, &loaded);
    let loaded = Arc::new(loaded);
    let limit = RwSignal::new(WINDOW);
    let selected = {
        let loaded = loaded.clone();
        Memo::new(move |_| {
            let t = thresholds.get();
            view.with(|v| v.select(&loaded.packages, format::name, loaded.received_at, t))
        })
    };
    let cards = {
        let loaded = loaded.clone();
        move || {
            let shown = selected.with(|s| s[..s.len().min(limit.get())].to_vec());
            render::cards(&loaded.packages, &shown, loaded.received_at, thresholds.get())
        }
    };
    let shown_line = move || {
        let (matching, shown) = (selected.with(Vec::len), limit.get());
        let filtered = view.with(View::is_filtered);
        match (matching, filtered) {
            (0, true) => "No package matches the filters.".to_string(),
            (0, false) => "This service reports no packages.".to_string(),
            (n, _) if n > shown => format!("Showing {shown} of {n}{}.", if filtered { " that match" } else { "" }),
            (n, true) => format!("{n} match the filters."),
            _ => String::new(),
        }
    };
    let more = move || selected.with(Vec::len).saturating_sub(limit.get());
    let raw_open = RwSignal::new(false);
    let answers = loaded.answers.clone();
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
            <details class="raw" on:toggle=move |ev| raw_open.set(ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open()))>
                <summary>{format!("Raw JSON ({} answer{})", answers.len(), if answers.len() == 1 { "" } else { "s" })}</summary>
                {move || raw_open.get().then(|| answers.iter().map(|a| {
                    let text = format::pretty_json(&a.text);
                    let copy = text.clone();
                    view! {
                        <div class="raw-answer">
                            {a.request_id.clone().map(|id| view! { <p class="muted">"Request ID " <code>{id}</code></p> })}
                            <button type="button" class="link" on:click=move |_| clipboard(&copy)>"Copy JSON"</button>
                            <pre>{text}</pre>
                        </div>
                    }
                }).collect_view())}
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
