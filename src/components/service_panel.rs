use leptos::prelude::*;
use tenantscope_catalog::Service;
use wasm_bindgen::JsCast;

use crate::components::{ErrorCard, ServiceLoad};
use crate::domain::chart::usage_by_name;
use crate::domain::query::View;
use crate::domain::{Package, Thresholds};
use crate::format;
use crate::i18n::{t, tf};
use crate::render;
use crate::services;
use crate::session::{Loaded, ServiceState};

/// Cards drawn at first, and added by each "Show more": long lists (HSS
/// can hold thousands of quotas) are drawn a window at a time.
const WINDOW: usize = 60;

/// One service's packages: a skeleton and the pages read while it loads,
/// its own error card when it fails, then its charts (each with a table of
/// the same figures) and the cards that pass the filters, in the view's
/// order and a window at a time, a note when some pages could not be read,
/// and the raw answers in a drawer.
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
    let title = format::service(service);
    view! {
        <section class="panel" data-service=service.key() aria-label=title tabindex="-1">
            <div class="panel-head">
                <h2>{title}</h2>
                <span class="progress" role="status" aria-live="polite">{move || progress.try_get().flatten().map(format::progress)}</span>
            </div>
            // The failure is rendered here rather than thrown to an
            // <ErrorBoundary>: with Leptos 0.8.23 an `Err` from a `Suspend`
            // inside <Transition><ErrorBoundary> rendered nothing at all on
            // the first load (seen in tests/browser/paging.test.mjs; compare
            // leptos-rs/leptos#2957 and #3851).
            <Transition fallback=|| view! { <Skeleton /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(ServiceState::Waiting) => view! { <Skeleton /> }.into_any(),
                        Ok(ServiceState::NotOffered(region)) => {
                            view! { <p class="muted" data-state="not-offered">{tf("Not offered in {0}.", &[&region])}</p> }.into_any()
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
    let facts = loaded.facts.clone();
    let complete = loaded.paging.as_ref().is_none_or(|p| p.failures.is_empty());
    let count = format::count(loaded.packages.len(), loaded.total);
    let note = loaded.paging.as_ref().and_then(|p| format::paging_note(p, loaded.packages.len(), loaded.total));
    // A refresh failed: these are the last good answers, with their age.
    let stale = loaded.stale.as_ref().map(|error| {
        let at = loaded.received_at;
        (tf("As of {0} {1}: the refresh failed: {2}", &[&format::local_date(at), &format::local_time(at), &format::error(error)]), format::hint(error, Some(service)))
    });
    // What the service's own module has to say of this reading (HSS: the
    // default enterprise project only).
    let scope = services::notice(service, &loaded);
    let at = loaded.received_at;
    let limit = RwSignal::new(WINDOW);
    let raw: Vec<(Option<String>, String)> =
        loaded.answers.iter().map(|a| (a.request_id.clone(), format::pretty_json(&a.text))).collect();
    let packages = StoredValue::new(loaded.packages);
    // The indices of the packages that pass the filters, in the view's
    // order (soonest expiry first unless another sort is picked).
    let selected = Memo::new(move |_| {
        let t = thresholds.get();
        view.with(|v| packages.with_value(|p| v.select(p, format::name, at, t)))
    });
    // The `try_` reads: when the view is switched away (another tab, or new
    // data), these closures can run once more after what they read has been
    // disposed of; they then draw nothing rather than panic.
    let limit_now = move || limit.try_get().unwrap_or(WINDOW);
    let cards = move || {
        let t = thresholds.get();
        selected
            .try_with(|s| packages.try_with_value(|p| render::cards(p, &s[..s.len().min(limit_now())], at, t)))
            .flatten()
            .unwrap_or_default()
    };
    let more = move || selected.try_with(Vec::len).unwrap_or(0).saturating_sub(limit_now());
    // "Show more" takes the person to what it added: the first new card,
    // in view and focused (cards are focusable for this).
    let list = NodeRef::<leptos::html::Ul>::new();
    let show_more = move || {
        let first_new = limit_now();
        limit.update(|l| *l += WINDOW);
        request_animation_frame(move || {
            let Some(ul) = list.get_untracked() else { return };
            if let Some(card) = ul.children().item(first_new as u32) {
                card.scroll_into_view();
                if let Ok(card) = card.dyn_into::<web_sys::HtmlElement>() {
                    let _ = card.focus();
                }
            }
        });
    };
    // The charts follow the filters: drawn from the packages that pass them.
    let charts = Memo::new(move |_| {
        let filtered = view.with(View::is_filtered);
        selected.with(|s| {
            packages.with_value(|p| {
                if filtered {
                    let shown: Vec<Package> = s.iter().map(|&i| p[i].clone()).collect();
                    charts(service, &shown, None, true, at)
                } else {
                    charts(service, p, facts.as_ref(), complete, at)
                }
            })
        })
    });
    let shown_line = move || {
        let (matching, shown, filtered) = (selected.try_with(Vec::len).unwrap_or(0), limit_now(), view.try_with(View::is_filtered).unwrap_or(false));
        match (matching, filtered) {
            (0, true) => t("No package matches the filters.").to_string(),
            (0, false) => t("This service reports no packages.").to_string(),
            (n, true) if n > shown => tf("Showing {0} of {1} that match.", &[&shown, &n]),
            (n, false) if n > shown => tf("Showing {0} of {1}.", &[&shown, &n]),
            (n, true) => tf("{0} match the filters.", &[&n]),
            _ => String::new(),
        }
    };
    // A panel the filters empty collapses to its name and that line.
    let emptied = move || {
        (selected.try_with(Vec::is_empty).unwrap_or(false) && view.try_with(View::is_filtered).unwrap_or(false)).then_some("")
    };
    view! {
        <div data-state="ready" data-emptied=emptied>
            <p class="count">{count}</p>
            {stale.map(|(line, hint)| view! { <p class="notice notice-warn" role="alert" data-state="stale"><strong>{t("Not up to date. ")}</strong>{line} " " {hint}</p> })}
            {scope.map(|line| view! { <p class="notice notice-warn" data-scope="default-only">{line}</p> })}
            {note.map(|note| view! { <p class="notice notice-warn" role="alert"><strong>{t("Incomplete: ")}</strong>{note}</p> })}
            <div class="charts" inner_html=move || charts.get()></div>
            <p class="muted shown" aria-live="polite">{shown_line}</p>
            <ul class="cards" inner_html=cards on:click=copy_clicked node_ref=list></ul>
            <Show when=move || { more() > 0 }>
                <button type="button" class="more" on:click=move |_| show_more()>
                    {move || tf("Show {0} more", &[&more().min(WINDOW)])}
                </button>
            </Show>
            <details class="raw">
                <summary>{t("Raw JSON")}</summary>
                {raw.into_iter().map(|(id, text)| {
                    let copy = text.clone();
                    view! {
                        <p class="muted">
                            {id.map(|id| view! { {t("Request ID")} " " <code>{id}</code> " " })}
                            <button type="button" class="link" on:click=move |ev| {
                                clipboard(&copy);
                                if let Some(b) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                                    b.set_text_content(Some(t("Copied")));
                                }
                            }>{t("Copy JSON")}</button>
                        </p>
                        <pre>{text}</pre>
                    }
                }).collect_view()}
            </details>
        </div>
    }
    .into_any()
}

/// The service's charts, each with its table: those particular to a
/// service come from its module (HSS's quota charts), the others show usage
/// against amount where the service gives figures.
fn charts(service: Service, packages: &[Package], facts: Option<&services::Facts>, complete: bool, at: crate::domain::Instant) -> String {
    if let Some(own) = services::charts(service, packages, facts, complete) {
        return own;
    }
    let mut html = String::new();
    // One bar per name and unit, labelled readably, with its unit.
    let rows: Vec<(String, Vec<u64>)> = usage_by_name(packages, at)
        .into_iter()
        .map(|(code, unit, v)| {
            let name = format::code_label(service, &code).unwrap_or(code);
            let label = match unit {
                Some(u) => format!("{name} ({})", format::unit(&u)),
                None => name,
            };
            (label, v.to_vec())
        })
        .collect();
    if !rows.is_empty() {
        let title = if service == Service::Metastudio { t("Usage by resource type") } else { t("Usage against total") };
        // Bars of different units share no scale: each on its own.
        let units: Vec<Option<&str>> = packages.iter().filter(|p| p.used.is_some() && p.total.is_some()).map(|p| p.unit.as_deref()).collect();
        let mixed = units.windows(2).any(|w| w[0] != w[1]);
        html.push_str(&render::bars_on(title, &[(t("Used"), "s-used"), (t("Left"), "s-left")], &rows, mixed));
    }
    html
}

/// Copies the ID of a card's "Copy ID" button (cards are HTML text, so
/// their buttons are handled here, by delegation).
fn copy_clicked(ev: leptos::ev::MouseEvent) {
    let Some(button) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Some(id) = button.get_attribute("data-copy") {
        clipboard(&id);
        button.set_text_content(Some(t("Copied")));
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
        <div class="skeleton" data-state="loading" aria-busy="true" aria-label=t("Loading")>
            <span></span><span></span><span></span>
        </div>
    }
}
